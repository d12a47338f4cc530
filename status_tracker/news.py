"""What the people following a file hear about its events: the notify step of ingestion.

The status tracker is the producer: it chooses the recipients through
applications.access, words the news, and says whether an email may quote it;
the notifications app only delivers.
"""

from applications.access import Need, recipients_for
from notifications.models import Kind
from notifications.outbox import OutboundMessage, outbox_write
from status_tracker.models import EventKind, StageState, StatusEvent

# Event kinds whose wording an email may repeat. A decision's own message can hold
# its reasons, and notes are the officer's: neither leaves the portal.
QUOTED_IN_EMAIL = frozenset({EventKind.STAGE, EventKind.STATUS, EventKind.ACTION_REQUIRED})


def notification_kind(event: StatusEvent) -> str:
    if event.kind == EventKind.DECISION:
        return Kind.DECISION
    if event.kind == EventKind.ACTION_REQUIRED or event.state == StageState.WAITING_ON_CLIENT:
        return Kind.ACTION_REQUIRED
    return Kind.STATUS_CHANGE


def event_dedupe_key(event: StatusEvent) -> str:
    return f"status_event:{event.pk}"


def event_message(*, event: StatusEvent, recipient) -> OutboundMessage:
    """The news of one stored event for one person: its kind, its own wording, once per event."""
    kind = notification_kind(event)
    return OutboundMessage(
        recipient=recipient,
        kind=kind,
        dedupe_key=event_dedupe_key(event),
        application_id=event.application_id,
        message_en=event.message_en,
        message_fr=event.message_fr,
        message_in_email=kind != Kind.DECISION and event.kind in QUOTED_IN_EMAIL,
    )


def need_to_hear(event: StatusEvent) -> Need:
    """What a person must be allowed to see of a file to be told about this event."""
    return Need.DECISION if event.kind == EventKind.DECISION else Need.STATUS


def events_notify(*, rows: list[StatusEvent]) -> list[int]:
    """Every applied, client-visible event is news for those who may see that part of its file.

    A constant number of queries whatever the number of events: recipients (once per
    need present, so once or twice), their preferences, one insert.
    """
    news = [row for row in rows if row.applied and row.visible_to_client]
    if not news:
        return []
    recipients = {
        need: recipients_for(
            application_ids={row.application_id for row in news if need_to_hear(row) == need}, need=need
        )
        for need in {need_to_hear(row) for row in news}
    }
    return outbox_write(
        messages=[
            event_message(event=row, recipient=person)
            for row in news
            for person in recipients[need_to_hear(row)].get(row.application_id, [])
        ]
    )
