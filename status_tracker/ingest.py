"""Apply a batch of upstream events: store each once, move state forward, write the outbox.

The API, the admin CSV import, staff corrections and the demo all come through
`events_ingest`. A batch costs a fixed number of queries whatever its size (plus a
few per decision, which are rare): the work per event happens in memory between
one read of everything the batch touches and one bulk write of what changed.
The steps: load, reject, reduce (the rules themselves are in `status_tracker.state`),
persist, notify.

Rules, the same wherever an event comes from:

- an `event_id` seen before changes nothing and tells nobody (`duplicate`);
- an event older than what it would change joins the history but changes nothing
  and tells nobody (`out_of_order`); two events at the same instant are ordered by
  their ids, so any arrival order ends in the same state;
- an event the portal cannot place (unknown application, stage or ground) is
  `rejected` with a reason and never blocks the others.
"""

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.models import Application, ProgramStage, Stage
from status_tracker import state
from status_tracker.bulk import rows_update
from status_tracker.events import EventIn
from status_tracker.messages import event_messages
from status_tracker.models import (
    ApiClient,
    Decision,
    EventKind,
    RefusalGround,
    StageProgress,
    StageState,
    StatusEvent,
)
from status_tracker.news import events_notify

PROGRESS_FIELDS = ["state", "state_since", "state_source_id", "started_at", "finished_at"]
APPLICATION_FIELDS = [
    "status",
    "outcome",
    "decided_on",
    "status_since",
    "status_source_id",
    "current_stage",
    "last_updated_at",
    "last_event_at",
    "history_version",
]
# Only what the rules read or write: the lock is taken on these rows anyway.
APPLICATION_COLUMNS = [
    "pk",
    "number",
    "program_id",
    "submitted_on",
    "status",
    "outcome",
    "decided_on",
    "status_since",
    "status_source_id",
    "current_stage_id",
    "last_updated_at",
    "last_event_at",
    "history_version",
]


class ItemResult(StrEnum):
    APPLIED = "applied"
    OUT_OF_ORDER = "out_of_order"
    DUPLICATE = "duplicate"
    REJECTED = "rejected"


@dataclass(frozen=True)
class IngestItem:
    event_id: str
    result: ItemResult
    reason: str = ""
    event: StatusEvent | None = None


@dataclass
class _Loaded:
    """Everything the batch reads before deciding anything, keyed as the events name it."""

    applications: dict[str, Application]  # by number, locked
    seen_before: set[str]
    stages: dict[str, Stage]  # by code
    stage_order: dict[int, list[int]]  # program id -> stage ids in program order
    grounds: dict[str, RefusalGround]  # by code


@dataclass
class _Reduced:
    """What the accepted events change, in memory, ready to be written."""

    rows: list[StatusEvent] = dataclasses.field(default_factory=list)
    indexes: list[int] = dataclasses.field(default_factory=list)  # the position in the batch of each row
    new_progress: dict[tuple[int, int], StageProgress] = dataclasses.field(default_factory=dict)
    dirty_progress: dict[tuple[int, int], StageProgress] = dataclasses.field(default_factory=dict)
    dirty_applications: dict[int, Application] = dataclasses.field(default_factory=dict)
    # The newest applied decision of each file: its Decision row is (re)written.
    latest_decision: dict[int, tuple[int, StatusEvent]] = dataclasses.field(default_factory=dict)
    # Files a newer status event took out of the closed state: their decision no longer stands.
    reopened: set[int] = dataclasses.field(default_factory=set)


# --- load ----------------------------------------------------------------------------------------


def _first_of_each_id(events: Sequence[EventIn], results: list) -> list[int]:
    """Positions of the first event with each id; later repeats in the batch are duplicates."""
    first_index: dict[str, int] = {}
    for index, event in enumerate(events):
        if event.event_id in first_index:
            results[index] = IngestItem(
                event.event_id, ItemResult.DUPLICATE, _("The same event_id appears earlier in this batch.")
            )
        else:
            first_index[event.event_id] = index
    return list(first_index.values())


def _load(events: list[EventIn], api_client) -> _Loaded:
    """One read of each kind of row the events name: a fixed number of queries for any batch."""
    # Locking the applications in id order serialises concurrent batches that touch
    # the same file without deadlocks.
    applications = {
        application.number: application
        for application in Application.objects.select_for_update()
        .filter(number__in={event.application_number for event in events})
        .order_by("pk")
        .only(*APPLICATION_COLUMNS)
    }
    # Event ids are unique per sending client: another system's id is not a duplicate of ours.
    seen_before = set(
        StatusEvent.objects.filter(
            api_client=api_client, source_id__in=[event.event_id for event in events]
        ).values_list("source_id", flat=True)
    )
    stage_codes = {event.stage for event in events if event.stage}
    stages = {stage.code: stage for stage in Stage.objects.filter(code__in=stage_codes)} if stage_codes else {}
    stage_order: dict[int, list[int]] = {}
    for program_id, stage_id in (
        ProgramStage.objects.filter(program_id__in={application.program_id for application in applications.values()})
        .order_by("program_id", "position")
        .values_list("program_id", "stage_id")
    ):
        stage_order.setdefault(program_id, []).append(stage_id)
    ground_codes = {code for event in events for code in event.grounds}
    grounds = (
        {ground.code: ground for ground in RefusalGround.objects.filter(code__in=ground_codes)} if ground_codes else {}
    )
    return _Loaded(applications, seen_before, stages, stage_order, grounds)


# --- reject --------------------------------------------------------------------------------------


def _rejection(event: EventIn, loaded: _Loaded) -> IngestItem | None:
    """Why the portal cannot take this event, as its result; None when it can."""
    application = loaded.applications.get(event.application_number)

    def rejected(reason: str) -> IngestItem:
        return IngestItem(event.event_id, ItemResult.REJECTED, reason)

    if event.event_id in loaded.seen_before:
        return IngestItem(event.event_id, ItemResult.DUPLICATE, _("This event was received before."))
    if application is None:
        return rejected(_("There is no application with this number."))
    if event.stage and event.stage not in loaded.stages:
        return rejected(_("There is no stage with the code %(code)s.") % {"code": event.stage})
    if event.stage and loaded.stages[event.stage].pk not in loaded.stage_order.get(application.program_id, []):
        return rejected(_("The stage %(code)s is not part of this application's program.") % {"code": event.stage})
    if unknown := sorted(code for code in event.grounds if code not in loaded.grounds):
        return rejected(_("Unknown refusal ground codes: %(codes)s.") % {"codes": ", ".join(unknown)})
    if event.kind == EventKind.DECISION and timezone.localdate(event.occurred_at) < application.submitted_on:
        return rejected(_("A decision cannot be dated before the application was submitted."))
    return None


def _reject(events: Sequence[EventIn], candidates: list[int], loaded: _Loaded, results: list) -> list[int]:
    """Record a result for each event that cannot be applied; return the positions of the others."""
    accepted = []
    for index in candidates:
        item = _rejection(events[index], loaded)
        if item is None:
            accepted.append(index)
        else:
            results[index] = item
    return accepted


# --- reduce --------------------------------------------------------------------------------------


def _event_row(event: EventIn, application: Application, stage, applied: bool, api_client, cache) -> StatusEvent:
    message_en, message_fr = event_messages(event=event, stage=stage, cache=cache)
    return StatusEvent(
        application_id=application.pk,
        kind=event.kind,
        stage=stage,
        state=event.state,
        status=event.status,
        outcome=event.outcome,
        occurred_at=event.occurred_at,
        message_en=message_en,
        message_fr=message_fr,
        source_id=event.event_id,
        visible_to_client=event.visible_to_client,
        applied=applied,
        api_client=api_client,
    )


def _progress_row(reduced: _Reduced, progress: dict, application: Application, stage: Stage) -> StageProgress:
    """The stage's row, made (NOT_STARTED) when the file has none yet; marked to be written."""
    key = (application.pk, stage.pk)
    row = progress.get(key)
    if row is None:
        row = progress[key] = reduced.new_progress[key] = StageProgress(
            application_id=application.pk, stage_id=stage.pk, state=StageState.NOT_STARTED
        )
    elif key not in reduced.new_progress:
        reduced.dirty_progress[key] = row
    return row


def _reduce(events: Sequence[EventIn], accepted: list[int], loaded: _Loaded, api_client) -> _Reduced:
    """Apply the accepted events in time order (ties by id) to the loaded rows, in memory."""
    touched_ids = {loaded.applications[events[index].application_number].pk for index in accepted}
    progress = {
        (row.application_id, row.stage_id): row for row in StageProgress.objects.filter(application_id__in=touched_ids)
    }
    reduced = _Reduced()
    cache: dict[tuple, tuple[str, str]] = {}
    accepted = sorted(
        accepted,
        key=lambda index: (events[index].application_number, events[index].occurred_at, events[index].event_id),
    )
    for index in accepted:
        event = events[index]
        application = loaded.applications[event.application_number]
        stage = loaded.stages.get(event.stage) if event.stage else None
        # Stage events without a known stage were rejected before this point.
        row = (
            _progress_row(reduced, progress, application, stage) if stage and event.kind in state.STAGE_KINDS else None
        )
        effect = state.apply_event(application=application, progress=row, event=event)
        if effect.application_changed:
            reduced.dirty_applications[application.pk] = application
        stored = _event_row(event, application, stage, effect.applied, api_client, cache)
        reduced.rows.append(stored)
        reduced.indexes.append(index)
        if effect.applied and event.kind == EventKind.DECISION:
            reduced.latest_decision[application.pk] = (index, stored)
            reduced.reopened.discard(application.pk)
        elif effect.applied and event.kind == EventKind.STATUS:
            reduced.latest_decision.pop(application.pk, None)
            reduced.reopened.add(application.pk)
    _settle(reduced, loaded, touched_ids, progress)
    # Every stored event, applied or not, may change what the status page shows: move the
    # version its cached history is keyed on (applications.views).
    by_pk = {application.pk: application for application in loaded.applications.values()}
    for application_id in touched_ids:
        application = by_pk[application_id]
        application.history_version += 1
        reduced.dirty_applications[application_id] = application
    return reduced


def _settle(reduced: _Reduced, loaded: _Loaded, touched_ids: set[int], progress: dict) -> None:
    """Derive each touched file's current stage and "work has begun" from all its stage rows."""
    by_pk = {application.pk: application for application in loaded.applications.values()}
    rows_by_application: dict[int, list[StageProgress]] = {}
    for (application_id, _stage_id), row in progress.items():
        rows_by_application.setdefault(application_id, []).append(row)
    for application_id in touched_ids:
        application = by_pk[application_id]
        if state.settle(
            application=application,
            stage_rows=rows_by_application.get(application_id, []),
            ordered_stage_ids=loaded.stage_order.get(application.program_id, []),
        ):
            reduced.dirty_applications[application_id] = application


# --- persist -------------------------------------------------------------------------------------


def _persist(reduced: _Reduced, events: Sequence[EventIn], loaded: _Loaded) -> None:
    """Bulk writes: the events, new and changed stage rows, changed files, then decisions."""
    StatusEvent.objects.bulk_create(reduced.rows)
    if reduced.new_progress:
        StageProgress.objects.bulk_create(reduced.new_progress.values())
    if reduced.dirty_progress:
        rows_update(model=StageProgress, objects=list(reduced.dirty_progress.values()), fields=PROGRESS_FIELDS)
    if reduced.dirty_applications:
        rows_update(model=Application, objects=list(reduced.dirty_applications.values()), fields=APPLICATION_FIELDS)
    if reduced.reopened:
        Decision.objects.filter(application_id__in=reduced.reopened).delete()
    if reduced.latest_decision:
        _write_decisions(reduced.latest_decision, events, loaded.grounds)


DECISION_FIELDS = [
    "outcome",
    "decided_at",
    "made_in_canada",
    "officer_notes",
    "officer_notes_language",
    "event",
    "released",
    "updated_at",
]


def _write_decisions(
    latest: dict[int, tuple[int, StatusEvent]], events: Sequence[EventIn], grounds: dict[str, RefusalGround]
) -> None:
    """Create or replace each decided file's Decision and its grounds: a few statements whatever the count."""
    existing = {decision.application_id: decision for decision in Decision.objects.filter(application_id__in=latest)}
    now = timezone.now()
    new: list[Decision] = []
    changed: list[Decision] = []
    codes_by_decision: list[tuple[Decision, tuple[str, ...]]] = []
    # Notes sent without their language are taken to be in the client's language: one read, only then.
    unsaid = [
        application_id
        for application_id, (index, _row) in latest.items()
        if events[index].notes and not events[index].notes_language
    ]
    client_languages = (
        dict(Application.objects.filter(pk__in=unsaid).values_list("pk", "client__preferred_language"))
        if unsaid
        else {}
    )
    for application_id, (index, row) in latest.items():
        event = events[index]
        decision = existing.get(application_id) or Decision(application_id=application_id)
        decision.outcome, decision.decided_at = event.outcome, event.occurred_at
        decision.made_in_canada, decision.officer_notes = event.made_in_canada, event.notes
        decision.officer_notes_language = (
            (event.notes_language or client_languages.get(application_id, "")) if event.notes else ""
        )
        decision.event, decision.updated_at = row, now
        # A decision sent as not visible is made but not released; a later visible one releases it.
        decision.released = event.visible_to_client
        (changed if decision.pk else new).append(decision)
        codes_by_decision.append((decision, event.grounds))
    Decision.objects.bulk_create(new)
    if changed:
        rows_update(model=Decision, objects=changed, fields=DECISION_FIELDS)
    link = Decision.grounds.through
    link.objects.filter(decision_id__in=[decision.pk for decision, _codes in codes_by_decision]).delete()
    link.objects.bulk_create(
        link(decision_id=decision.pk, refusalground_id=grounds[code].pk)
        for decision, codes in codes_by_decision
        for code in codes
    )


# --- the batch -----------------------------------------------------------------------------------


def _results_of(reduced: _Reduced, results: list) -> None:
    for index, row in zip(reduced.indexes, reduced.rows, strict=True):
        if row.applied:
            results[index] = IngestItem(row.source_id, ItemResult.APPLIED, "", row)
        else:
            reason = _("Older than the current state: kept in the history, changed nothing.")
            results[index] = IngestItem(row.source_id, ItemResult.OUT_OF_ORDER, reason, row)


def _finished(results: list) -> list[IngestItem]:
    if any(result is None for result in results):
        raise RuntimeError("an event was left without a result")
    return results


def _ingest(events: Sequence[EventIn], *, api_client: ApiClient | None, notify: bool) -> list[IngestItem]:
    results: list[IngestItem | None] = [None] * len(events)
    candidates = _first_of_each_id(events, results)
    if not candidates:
        return _finished(results)
    loaded = _load([events[index] for index in candidates], api_client)
    accepted = _reject(events, candidates, loaded, results)
    if not accepted:
        return _finished(results)
    reduced = _reduce(events, accepted, loaded, api_client)
    _persist(reduced, events, loaded)
    _results_of(reduced, results)
    if notify:
        events_notify(rows=reduced.rows)
    return _finished(results)


def events_ingest(
    *, events: Sequence[EventIn], api_client: ApiClient | None = None, notify: bool = True
) -> list[IngestItem]:
    """Apply a batch of events atomically; return one result per event, in the order given.

    With `notify`, every applied, client-visible event writes its notification rows
    in the same transaction; they are handed to Celery after commit.
    A person's correction is audited by its own service (status_tracker.corrections).
    """
    for attempt in range(2):
        try:
            with transaction.atomic():
                return _ingest(events, api_client=api_client, notify=notify)
        except IntegrityError:
            # Another request stored one of these event ids between our read and our
            # write. Once more: this time they read as duplicates.
            if attempt == 1:
                raise
    raise AssertionError("unreachable")
