"""Whether a person set up two-step verification, and whether this session's sign-in used it."""

from allauth.account.authentication import get_authentication_records
from allauth.mfa.models import Authenticator
from django.http import HttpRequest


def signed_in_with_second_step(request: HttpRequest) -> bool:
    """True when allauth recorded a second step (a TOTP or recovery code) for this session's user."""
    records = get_authentication_records(request, request.user)
    return any(record.get("method") == "mfa" for record in records)


def has_second_step(user) -> bool:
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
