"""Staff corrections of a file's status or decision: submitted as events, like anything upstream sends.

A correction is never a direct edit. It becomes one event with its own id, goes
through `events_ingest` (so it is ordered against upstream events by its time,
tells the client as any event does, and keeps the history whole), and the person
who made it and their reason go to the audit trail in the same transaction.
"""

import datetime
import uuid
from collections.abc import Sequence

from django.db import transaction
from django.http import HttpRequest

from applications.audit import case_audit_record
from applications.models import Application
from core.models import AuditAction
from status_tracker.events import EventIn
from status_tracker.ingest import IngestItem, events_ingest
from status_tracker.models import EventKind

CORRECTION_PREFIX = "correction-"

# What a correction may set the file to: an open status, or a decision with its outcome.
OPEN_STATUSES = {Application.Status.RECEIVED, Application.Status.IN_PROGRESS}
OUTCOMES = set(Application.Outcome)


def correction_event(
    *,
    application: Application,
    new_state: str,
    occurred_at: datetime.datetime,
    grounds: Sequence[str] = (),
    notes: str = "",
    made_in_canada: bool | None = None,
) -> EventIn:
    """The event a correction submits: a status event for an open status, a decision event for an outcome."""
    event_id = f"{CORRECTION_PREFIX}{uuid.uuid4().hex}"
    if new_state in OPEN_STATUSES:
        return EventIn(
            event_id=event_id,
            application_number=application.number,
            occurred_at=occurred_at,
            kind=EventKind.STATUS,
            status=new_state,
        )
    if new_state not in OUTCOMES:
        raise ValueError(f"not a status or an outcome: {new_state!r}")
    return EventIn(
        event_id=event_id,
        application_number=application.number,
        occurred_at=occurred_at,
        kind=EventKind.DECISION,
        outcome=new_state,
        grounds=tuple(dict.fromkeys(grounds)) if new_state == Application.Outcome.REFUSED else (),
        notes=notes,
        made_in_canada=made_in_canada,
    )


def case_correct(
    *,
    application: Application,
    actor,
    reason: str,
    new_state: str,
    occurred_at: datetime.datetime,
    grounds: Sequence[str] = (),
    notes: str = "",
    made_in_canada: bool | None = None,
    request: HttpRequest | None = None,
) -> IngestItem:
    """Submit a staff correction through ingestion and audit who made it and why; returns ingestion's result.

    The audit row is written whatever the result, so a correction that changed
    nothing (older than the file's current status, or rejected) is on record too.
    """
    event = correction_event(
        application=application,
        new_state=new_state,
        occurred_at=occurred_at,
        grounds=grounds,
        notes=notes,
        made_in_canada=made_in_canada,
    )
    with transaction.atomic():
        (item,) = events_ingest(events=[event], notify=True)
        case_audit_record(
            action=AuditAction.CASE_CORRECTED,
            application=application,
            actor=actor,
            basis="staff",
            request=request,
            extra={
                "reason": reason,
                "event_id": event.event_id,
                "kind": event.kind,
                "new_state": new_state,
                "occurred_at": occurred_at.isoformat(),
                "result": str(item.result),
            },
        )
    return item
