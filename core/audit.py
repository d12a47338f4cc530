"""Write the audit trail: one call per thing worth remembering, inside the caller's transaction."""

from typing import Any

from django.http import HttpRequest

from core.http import client_ip
from core.models import AuditAction, AuditEvent


def audit_record(
    *,
    action: AuditAction,
    subject_type: str,
    subject_id: object,
    actor=None,
    actor_label: str = "",
    case_number: str = "",
    basis: str = "",
    request: HttpRequest | None = None,
    ip_address: str | None = None,
    extra: dict[str, Any] | None = None,
) -> AuditEvent:
    """Store one audit event; the client's address comes from `request` unless given."""
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    if ip_address is None and request is not None:
        ip_address = client_ip(request)
    if not actor_label and actor is not None:
        actor_label = str(actor)[:160]
    return AuditEvent.objects.create(
        action=action,
        actor=actor,
        actor_label=actor_label,
        subject_type=subject_type,
        subject_id=str(subject_id),
        case_number=case_number,
        basis=basis,
        ip_address=ip_address,
        extra=extra or {},
    )
