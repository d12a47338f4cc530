"""How the upstream API checks the service token a request carries (tokens are made in status_tracker.api_clients)."""

import datetime

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.permissions import BasePermission

from status_tracker.api_clients import token_digest
from status_tracker.models import ApiClient

# Writing last_used_at on every call would cost a write per request for a date shown in admin.
LAST_USED_RESOLUTION = datetime.timedelta(minutes=1)


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
        # Looked up by digest, so no secret is ever compared character by character.
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
    """Only requests that carried a live service token; a signed-in person, even staff, is refused.

    A view that names `required_scope` also needs a token given that scope (403 otherwise).
    """

    def has_permission(self, request, view) -> bool:
        if not (
            isinstance(request.successful_authenticator, ServiceTokenAuthentication)
            and isinstance(request.auth, ApiClient)
        ):
            return False
        scope = getattr(view, "required_scope", None)
        if scope and not request.auth.has_scope(scope):
            self.message = _("This token does not have the %(scope)s scope this endpoint needs.") % {"scope": scope}
            return False
        return True


class ServiceTokenScheme(OpenApiAuthenticationExtension):
    """Describes ServiceTokenAuthentication in the OpenAPI schema as HTTP bearer."""

    target_class = ServiceTokenAuthentication
    name = "serviceToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A service-account token made with `python manage.py create_api_client NAME "
            "--scope SCOPE …` or in admin, sent as `Authorization: Bearer <token>`. Each token carries scopes: "
            "`events:write` (send events), `status:read` (read status and history), `decisions:read` "
            "(decisions, grounds and officer's notes in the read-back), `documents:read` (documents clients "
            "sent). A new token gets only `status:read` unless more is asked for. A call outside the token's "
            "scopes answers 403.",
        }
