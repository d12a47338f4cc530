"""Writes for the status history: record an event and keep each stage's state current."""

import datetime
from dataclasses import dataclass

from django.db import IntegrityError, transaction

from applications.models import Application, ProgramStage, Stage
from status_tracker.messages import default_messages
from status_tracker.models import StageProgress, StageState, StatusEvent

STARTED_STATES = {StageState.IN_PROGRESS, StageState.WAITING_ON_CLIENT, StageState.COMPLETED}
FINISHED_STATES = {StageState.COMPLETED, StageState.EXEMPTED}
OPEN_STATES = {StageState.IN_PROGRESS, StageState.WAITING_ON_CLIENT}


@dataclass(frozen=True)
class RecordedEvent:
    event: StatusEvent
    created: bool  # False when this upstream id had been recorded before
    applied: bool  # False when the event was older than the stage's current state


def _current_stage_id(*, application: Application) -> int | None:
    """The first open stage in program order; else the last one finished."""
    ordered = list(
        ProgramStage.objects.filter(program_id=application.program_id)
        .order_by("position")
        .values_list("stage_id", flat=True)
    )
    states = dict(StageProgress.objects.filter(application=application).values_list("stage_id", "state"))
    for stage_id in ordered:
        if states.get(stage_id) in OPEN_STATES:
            return stage_id
    finished = [stage_id for stage_id in ordered if states.get(stage_id) in FINISHED_STATES]
    return finished[-1] if finished else None


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
) -> RecordedEvent:
    """Store one upstream event exactly once and move the stage forward if it is newer.

    A repeated `source_id` changes nothing. An event older than the stage's
    current state joins the history but never overwrites that state.
    """
    state = StageState(state)
    existing = StatusEvent.objects.filter(source_id=source_id).first()
    if existing is not None:
        return RecordedEvent(event=existing, created=False, applied=False)
    if not (message_en and message_fr):
        default_en, default_fr = default_messages(stage=stage, state=state)
        message_en = message_en or default_en
        message_fr = message_fr or default_fr

    try:
        with transaction.atomic():
            event = StatusEvent.objects.create(
                application=application,
                stage=stage,
                state=state,
                occurred_at=occurred_at,
                message_en=message_en,
                message_fr=message_fr,
                source_id=source_id,
                visible_to_client=visible_to_client,
            )
            applied = _apply_to_progress(application=application, stage=stage, state=state, occurred_at=occurred_at)
            _refresh_application(
                application=application, occurred_at=occurred_at, visible_to_client=visible_to_client, applied=applied
            )
    except IntegrityError:
        # A concurrent delivery of the same upstream id won the race.
        existing = StatusEvent.objects.filter(source_id=source_id).first()
        if existing is None:
            raise
        return RecordedEvent(event=existing, created=False, applied=False)
    return RecordedEvent(event=event, created=True, applied=applied)


def _apply_to_progress(
    *, application: Application, stage: Stage, state: StageState, occurred_at: datetime.datetime
) -> bool:
    progress, _created = StageProgress.objects.select_for_update().get_or_create(application=application, stage=stage)
    changed_fields: list[str] = []
    if state in STARTED_STATES and (progress.started_at is None or occurred_at < progress.started_at):
        progress.started_at = occurred_at
        changed_fields.append("started_at")
    applied = progress.state_since is None or occurred_at >= progress.state_since
    if applied:
        progress.state = state
        progress.state_since = occurred_at
        progress.finished_at = occurred_at if state in FINISHED_STATES else None
        if progress.finished_at and progress.started_at and progress.finished_at < progress.started_at:
            progress.started_at = progress.finished_at
        changed_fields += ["state", "state_since", "finished_at", "started_at"]
    if changed_fields:
        progress.save(update_fields=sorted(set(changed_fields)))
    return applied


def _refresh_application(
    *, application: Application, occurred_at: datetime.datetime, visible_to_client: bool, applied: bool
) -> None:
    fields: list[str] = []
    if visible_to_client and (application.last_updated_at is None or occurred_at > application.last_updated_at):
        application.last_updated_at = occurred_at
        fields.append("last_updated_at")
    if applied:
        current = _current_stage_id(application=application)
        if current != application.current_stage_id:
            application.current_stage_id = current
            fields.append("current_stage")
        if application.status == Application.Status.RECEIVED and current is not None:
            application.status = Application.Status.IN_PROGRESS
            fields.append("status")
    if fields:
        application.save(update_fields=fields)


def application_close(*, application: Application, outcome: str, decided_on: datetime.date) -> Application:
    """Record the final decision on an application."""
    application.status = Application.Status.CLOSED
    application.outcome = Application.Outcome(outcome)
    application.decided_on = decided_on
    application.save(update_fields=["status", "outcome", "decided_on"])
    return application
