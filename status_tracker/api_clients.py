"""Service tokens for upstream systems: how they are made, stored and revoked.

A token is shown once when it is made; the database keeps only its first
characters (to recognise it in admin) and a SHA-256 digest.
"""

import hashlib
import secrets

from django.db import IntegrityError, transaction
from django.utils import timezone

from status_tracker.models import ApiClient

TOKEN_NAMESPACE = "csp"  # noqa: S105 (a fixed label in front of every token, not a secret)
PREFIX_LENGTH = 8


class ApiClientNameTaken(Exception):
    pass


def token_digest(*, token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def api_client_create(*, name: str) -> tuple[ApiClient, str]:
    """Make a client and its token; return both. The token cannot be recovered later."""
    name = name.strip()
    prefix = secrets.token_hex(PREFIX_LENGTH // 2)
    token = f"{TOKEN_NAMESPACE}_{prefix}_{secrets.token_urlsafe(32)}"
    try:
        with transaction.atomic():
            client = ApiClient.objects.create(
                name=name, token_prefix=f"{TOKEN_NAMESPACE}_{prefix}", token_hash=token_digest(token=token)
            )
    except IntegrityError as error:
        # token_hash is unique too, but 256 random bits do not collide: this is the name.
        raise ApiClientNameTaken(name) from error
    return client, token


def api_client_revoke(*, client: ApiClient) -> bool:
    """Stop the client's token working at once; False if it was already revoked."""
    updated = ApiClient.objects.filter(pk=client.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    client.refresh_from_db(fields=["revoked_at"])
    return bool(updated)
