"""Bearer tokens for upstream systems: how they are made, stored, checked and revoked.

A token is shown once when it is made; the database keeps only its first
characters (to recognise it in admin) and a SHA-256 digest. Looking a request's
token up by its digest means no secret is ever compared character by character.
"""

import datetime
import hashlib
import secrets

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.permissions import BasePermission

from status_tracker.models import ApiClient

TOKEN_NAMESPACE = "csp"  # noqa: S105 (a fixed label in front of every token, not a secret)
PREFIX_LENGTH = 8
# Writing last_used_at on every call would cost a write per request for a date shown in admin.
LAST_USED_RESOLUTION = datetime.timedelta(minutes=1)


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


class ServiceTokenAuthentication(BaseAuthentication):
    """`Authorization: Bearer <token>` for an ApiClient that has not been revoked."""

    keyword = "Bearer"

    def authenticate(self, request):
        header = get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Send the header as: Authorization: Bearer <token>."))
        try:
            token = header[1].decode("ascii")
        except UnicodeDecodeError as error:
            raise exceptions.AuthenticationFailed(_("This token is not valid or has been revoked.")) from error
        client = ApiClient.objects.filter(token_hash=token_digest(token=token)).first()
        if client is None or not client.is_active:
            raise exceptions.AuthenticationFailed(_("This token is not valid or has been revoked."))
        self._note_use(client)
        # No portal user stands behind a service token: request.user stays unauthenticated.
        return (None, client)

    def authenticate_header(self, request) -> str:
        return self.keyword

    @staticmethod
    def _note_use(client: ApiClient) -> None:
        now = timezone.now()
        if client.last_used_at is not None and now - client.last_used_at < LAST_USED_RESOLUTION:
            return
        # The condition makes concurrent requests write at most once per minute between them.
        ApiClient.objects.filter(
            Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - LAST_USED_RESOLUTION), pk=client.pk
        ).update(last_used_at=now)
        client.last_used_at = now


class IsUpstreamClient(BasePermission):
    """Only requests that carried a live service token; a signed-in person, even staff, is refused."""

    def has_permission(self, request, view) -> bool:
        return isinstance(request.successful_authenticator, ServiceTokenAuthentication) and isinstance(
            request.auth, ApiClient
        )


class ServiceTokenScheme(OpenApiAuthenticationExtension):
    """Describes ServiceTokenAuthentication in the OpenAPI schema as HTTP bearer."""

    target_class = ServiceTokenAuthentication
    name = "serviceToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A service-account token made with `python manage.py create_api_client NAME` "
            "or in admin, sent as `Authorization: Bearer <token>`.",
        }
