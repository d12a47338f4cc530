"""What the people following a file hear about its events: the notify step of ingestion."""

from notifications.models import Kind
from notifications.outbox import Change, outbox_write
from status_tracker.models import EventKind, StageState, StatusEvent


def notification_kind(event: StatusEvent) -> str:
    if event.kind == EventKind.DECISION:
        return Kind.DECISION
    if event.kind == EventKind.ACTION_REQUIRED or event.state == StageState.WAITING_ON_CLIENT:
        return Kind.ACTION_REQUIRED
    return Kind.STATUS_CHANGE


def events_notify(*, rows: list[StatusEvent]) -> None:
    """Every applied, client-visible event is news for the people who follow its file."""
    changes = [
        Change(application_id=row.application_id, kind=notification_kind(row), event_id=row.pk)
        for row in rows
        if row.applied and row.visible_to_client
    ]
    if changes:
        outbox_write(changes=changes)
