"""Writes for the status history: record an event and keep each stage's state current."""

import datetime
from dataclasses import dataclass

from applications.models import Application, Stage
from status_tracker.events import EventIn
from status_tracker.ingest import ItemResult, events_ingest
from status_tracker.models import EventKind, StageState, StatusEvent


@dataclass(frozen=True)
class RecordedEvent:
    event: StatusEvent
    created: bool  # False when this upstream id had been recorded before
    applied: bool  # False when the event was older than the stage's current state


def status_event_record(
    *,
    application: Application,
    stage: Stage,
    state: str,
    occurred_at: datetime.datetime,
    source_id: str,
    message_en: str = "",
    message_fr: str = "",
    visible_to_client: bool = True,
    notify: bool = False,
) -> RecordedEvent:
    """Store one stage event exactly once and move the stage forward if it is newer.

    A thin door onto `events_ingest`, for tests and benchmarks: the same rules as
    the upstream API. It tells nobody unless asked (`notify`).
    """
    event = EventIn(
        event_id=source_id,
        application_number=application.number,
        occurred_at=occurred_at,
        kind=EventKind.STAGE,
        stage=stage.code,
        state=StageState(state),
        message_en=message_en if message_en and message_fr else "",
        message_fr=message_fr if message_en and message_fr else "",
        visible_to_client=visible_to_client,
    )
    (item,) = events_ingest(events=[event], notify=notify)
    if item.result == ItemResult.REJECTED:
        raise ValueError(item.reason)
    if item.result == ItemResult.DUPLICATE:
        return RecordedEvent(event=StatusEvent.objects.get(source_id=source_id), created=False, applied=False)
    application.refresh_from_db()
    return RecordedEvent(event=item.event, created=True, applied=item.result == ItemResult.APPLIED)
