"""The one state machine of a case: how one event moves a stage, the overall status and the decision.

Pure rules on objects already in memory (the loaded model rows, or any object with
the same attributes); no database access, so every rule is testable on its own.
`status_tracker.ingest` loads the rows, applies each event in time order here, and
writes back what changed.
"""

import datetime
from typing import NamedTuple, Protocol

from django.utils import timezone

from applications.models import Application
from status_tracker.models import EventKind, StageState

STARTED_STATES = frozenset({StageState.IN_PROGRESS, StageState.WAITING_ON_CLIENT, StageState.COMPLETED})
FINISHED_STATES = frozenset({StageState.COMPLETED, StageState.EXEMPTED})
OPEN_STATES = frozenset({StageState.IN_PROGRESS, StageState.WAITING_ON_CLIENT})
STAGE_KINDS = frozenset({EventKind.STAGE, EventKind.ACTION_REQUIRED})


class Event(Protocol):
    """What the rules read of an event (status_tracker.events.EventIn has it all); read-only."""

    @property
    def event_id(self) -> str: ...
    @property
    def occurred_at(self) -> datetime.datetime: ...
    @property
    def kind(self) -> str: ...
    @property
    def state(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def outcome(self) -> str: ...
    @property
    def visible_to_client(self) -> bool: ...


class Effect(NamedTuple):
    applied: bool  # False: older than what it would change, so it changed nothing and tells nobody
    application_changed: bool  # a field of the application itself moved


def is_newer(*, occurred_at: datetime.datetime, event_id: str, since: datetime.datetime | None, since_id: str) -> bool:
    """Whether an event comes after the one that set a value: by time, then by id for the same instant.

    Ordering ties by id makes every arrival order end in the same state.
    """
    return since is None or (occurred_at, event_id) > (since, since_id)


def apply_stage(*, progress, event: Event) -> bool:
    """Move one stage's progress row; return whether the event was newer than its state.

    `started_at` is the earliest start seen, even from an event too old to set the
    state, so a late-arriving start is still recorded.
    """
    occurred_at = event.occurred_at
    if event.state in STARTED_STATES and (progress.started_at is None or occurred_at < progress.started_at):
        progress.started_at = occurred_at
    applied = is_newer(
        occurred_at=occurred_at, event_id=event.event_id, since=progress.state_since, since_id=progress.state_source_id
    )
    if applied:
        progress.state = event.state
        progress.state_since = occurred_at
        progress.state_source_id = event.event_id
        progress.finished_at = occurred_at if event.state in FINISHED_STATES else None
    if progress.finished_at and progress.started_at and progress.finished_at < progress.started_at:
        progress.started_at = progress.finished_at
    return applied


def _claim_status(*, application, event: Event) -> bool:
    applied = is_newer(
        occurred_at=event.occurred_at,
        event_id=event.event_id,
        since=application.status_since,
        since_id=application.status_source_id,
    )
    if applied:
        application.status_since = event.occurred_at
        application.status_source_id = event.event_id
    return applied


def apply_status(*, application, event: Event) -> bool:
    """Set the overall status if the event is the newest; a newer status reopens a decided file."""
    applied = _claim_status(application=application, event=event)
    if applied:
        application.status = event.status
        application.outcome = ""
        application.decided_on = None
    return applied


def apply_decision(*, application, event: Event) -> bool:
    """Close the file with the event's outcome if the event is the newest status or decision."""
    applied = _claim_status(application=application, event=event)
    if applied:
        application.status = Application.Status.CLOSED
        application.outcome = event.outcome
        application.decided_on = timezone.localdate(event.occurred_at)
    return applied


def apply_times(*, application, event: Event) -> bool:
    """Move last_event_at (any event) and last_updated_at (client-visible ones) forward, never back."""
    changed = False
    if application.last_event_at is None or event.occurred_at > application.last_event_at:
        application.last_event_at = event.occurred_at
        changed = True
    if event.visible_to_client and (
        application.last_updated_at is None or event.occurred_at > application.last_updated_at
    ):
        application.last_updated_at = event.occurred_at
        changed = True
    return changed


def apply_event(*, application, progress, event: Event) -> Effect:
    """Apply one event: to `progress` (the stage's row) for stage kinds, else to the application.

    A note changes no state and always counts as applied.
    """
    applied = True
    application_changed = False
    if event.kind in STAGE_KINDS:
        applied = apply_stage(progress=progress, event=event)
    elif event.kind == EventKind.STATUS:
        applied = application_changed = apply_status(application=application, event=event)
    elif event.kind == EventKind.DECISION:
        applied = application_changed = apply_decision(application=application, event=event)
    if apply_times(application=application, event=event):
        application_changed = True
    return Effect(applied=applied, application_changed=application_changed)


def current_stage_id(*, ordered_stage_ids: list[int], states: dict[int, str]) -> int | None:
    """The first open stage in program order; else the last one finished."""
    for stage_id in ordered_stage_ids:
        if states.get(stage_id) in OPEN_STATES:
            return stage_id
    finished = [stage_id for stage_id in ordered_stage_ids if states.get(stage_id) in FINISHED_STATES]
    return finished[-1] if finished else None


def settle(*, application, stage_rows: list, ordered_stage_ids: list[int]) -> bool:
    """After a batch: derive the current stage and "work has begun"; return whether the application changed.

    Run for every touched file, not only those whose stages changed: a status event
    or a late start must end where any other arrival order would. started_at is the
    earliest start whatever the arrival order, so "work has begun" is too; "has a
    current stage" is not (a later not_started clears it).
    """
    changed = False
    states = {row.stage_id: row.state for row in stage_rows}
    current = current_stage_id(ordered_stage_ids=ordered_stage_ids, states=states)
    if current != application.current_stage_id:
        application.current_stage_id = current
        changed = True
    if application.status == Application.Status.RECEIVED and any(row.started_at for row in stage_rows):
        application.status = Application.Status.IN_PROGRESS
        changed = True
    return changed
