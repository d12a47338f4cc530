"""Service tokens for upstream systems: made and revoked here, each change audited in the same transaction.

A token is shown once when it is made; the database keeps only its first
characters (to recognise it in admin) and a SHA-256 digest.
"""

import hashlib
import secrets

from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone

from core.audit import audit_record
from core.models import AuditAction
from status_tracker.models import DEFAULT_SCOPES, ApiClient, ApiScope

TOKEN_NAMESPACE = "csp"  # noqa: S105 (a fixed label in front of every token, not a secret)
PREFIX_LENGTH = 8
AUDIT_SUBJECT = "api_client"


class ApiClientNameTaken(Exception):
    pass


class UnknownScope(ValueError):
    pass


def scopes_clean(scopes) -> list[str]:
    """The scopes as stored: known values only, each once, in a fixed order; the default when none are given."""
    asked = set(scopes or DEFAULT_SCOPES)
    if unknown := sorted(asked - set(ApiScope.values)):
        raise UnknownScope(", ".join(unknown))
    return [scope for scope in ApiScope.values if scope in asked]


def token_digest(*, token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _token_audit(action: AuditAction, client: ApiClient, *, actor, actor_label: str, request) -> None:
    # The prefix is shown in admin anyway; the rest of the token is never stored, here or anywhere.
    audit_record(
        action=action,
        actor=actor,
        actor_label=actor_label,
        subject_type=AUDIT_SUBJECT,
        subject_id=client.pk,
        request=request,
        extra={"name": client.name, "token_prefix": client.token_prefix, "scopes": list(client.scopes or [])},
    )


def api_client_create(
    *, name: str, actor, actor_label: str = "", scopes=None, request: HttpRequest | None = None
) -> tuple[ApiClient, str]:
    """Make a client and its token; return both. The token cannot be recovered later.

    `actor` is the staff member who asked, or None (then `actor_label` says who did).
    `scopes` are ApiScope values; none given means only status:read.
    """
    name = name.strip()
    scopes = scopes_clean(scopes)
    prefix = secrets.token_hex(PREFIX_LENGTH // 2)
    token = f"{TOKEN_NAMESPACE}_{prefix}_{secrets.token_urlsafe(32)}"
    with transaction.atomic():
        try:
            with transaction.atomic():
                client = ApiClient.objects.create(
                    name=name,
                    token_prefix=f"{TOKEN_NAMESPACE}_{prefix}",
                    token_hash=token_digest(token=token),
                    scopes=scopes,
                )
        except IntegrityError as error:
            # token_hash is unique too, but 256 random bits do not collide: this is the name.
            raise ApiClientNameTaken(name) from error
        _token_audit(AuditAction.API_TOKEN_CREATED, client, actor=actor, actor_label=actor_label, request=request)
    return client, token


def api_client_revoke(
    *, api_client: ApiClient, actor, actor_label: str = "", request: HttpRequest | None = None
) -> bool:
    """Stop the client's token working at once; False (and nothing audited) if it was already revoked."""
    with transaction.atomic():
        updated = ApiClient.objects.filter(pk=api_client.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
        if updated:
            _token_audit(
                AuditAction.API_TOKEN_REVOKED, api_client, actor=actor, actor_label=actor_label, request=request
            )
    api_client.refresh_from_db(fields=["revoked_at"])
    return bool(updated)


def api_client_scopes_change(
    *, api_client: ApiClient, scopes, actor, actor_label: str = "", request: HttpRequest | None = None
) -> bool:
    """Give the client exactly `scopes` (at least one); audited. False when nothing changed."""
    scopes = scopes_clean(scopes)
    with transaction.atomic():
        client = ApiClient.objects.select_for_update().get(pk=api_client.pk)
        if client.scopes == scopes:
            return False
        before = list(client.scopes or [])
        client.scopes = scopes
        client.save(update_fields=["scopes"])
        audit_record(
            action=AuditAction.API_TOKEN_SCOPES_CHANGED,
            actor=actor,
            actor_label=actor_label,
            subject_type=AUDIT_SUBJECT,
            subject_id=client.pk,
            request=request,
            extra={"name": client.name, "token_prefix": client.token_prefix, "before": before, "after": scopes},
        )
    api_client.scopes = scopes
    return True
