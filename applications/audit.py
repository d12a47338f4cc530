"""The audit trail of one application: what was done to it or with it, by whom, on what basis."""

from typing import Any

from django.http import HttpRequest

from applications.models import Application
from core.audit import audit_record
from core.models import AuditAction, AuditEvent

SUBJECT = "application"


def case_audit_record(
    *,
    action: AuditAction,
    application: Application,
    actor,
    basis: str,
    request: HttpRequest | None = None,
    ip_address: str | None = None,
    extra: dict[str, Any] | None = None,
) -> AuditEvent:
    """One audit event about `application`, named by its number too so its client can read it later."""
    return audit_record(
        action=action,
        actor=actor,
        subject_type=SUBJECT,
        subject_id=application.pk,
        case_number=application.number,
        basis=basis,
        request=request,
        ip_address=ip_address,
        extra=extra,
    )
