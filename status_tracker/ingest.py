"""Apply a batch of upstream events: store each once, move state forward, write the outbox.

The API, the admin CSV import and `status_event_record` all come through
`events_ingest`. A batch costs a fixed number of queries whatever its size (plus a
few per decision, which are rare): the work per event happens in memory between
one read of everything the batch touches and one bulk write of what changed.

Rules, the same wherever an event comes from:

- an `event_id` seen before changes nothing and tells nobody (`duplicate`);
- an event older than what it would change joins the history but changes nothing
  and tells nobody (`out_of_order`); two events at the same instant are ordered by
  their ids, so any arrival order ends in the same state;
- an event the portal cannot place (unknown application, stage or ground) is
  `rejected` with a reason and never blocks the others.
"""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.models import Application, ProgramStage, Stage
from notifications.models import Kind
from notifications.outbox import Change, outbox_write
from status_tracker.events import EventIn
from status_tracker.messages import default_messages, outcome_messages, status_messages
from status_tracker.models import (
    ApiClient,
    Decision,
    EventKind,
    RefusalGround,
    StageProgress,
    StageState,
    StatusEvent,
)

STARTED_STATES = {StageState.IN_PROGRESS, StageState.WAITING_ON_CLIENT, StageState.COMPLETED}
FINISHED_STATES = {StageState.COMPLETED, StageState.EXEMPTED}
OPEN_STATES = {StageState.IN_PROGRESS, StageState.WAITING_ON_CLIENT}
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


def _notification_kind(event: StatusEvent) -> str:
    if event.kind == EventKind.DECISION:
        return Kind.DECISION
    if event.kind == EventKind.ACTION_REQUIRED or event.state == StageState.WAITING_ON_CLIENT:
        return Kind.ACTION_REQUIRED
    return Kind.STATUS_CHANGE


def _newer(occurred_at: datetime.datetime, source_id: str, since: datetime.datetime | None, since_id: str) -> bool:
    return since is None or (occurred_at, source_id) > (since, since_id)


def current_stage_id(*, ordered_stage_ids: list[int], states: dict[int, str]) -> int | None:
    """The first open stage in program order; else the last one finished."""
    for stage_id in ordered_stage_ids:
        if states.get(stage_id) in OPEN_STATES:
            return stage_id
    finished = [stage_id for stage_id in ordered_stage_ids if states.get(stage_id) in FINISHED_STATES]
    return finished[-1] if finished else None


def rows_update(*, model, objects: list, fields: list[str]) -> None:
    """Write `fields` of many rows in one statement.

    On PostgreSQL this is one UPDATE … FROM (VALUES …): Django's bulk_update builds a
    CASE per field and row, which cost about 60 ms per 100 rows here, most of the
    batch. Elsewhere (the SQLite default) bulk_update is fine.
    """
    if connection.vendor != "postgresql":
        model.objects.bulk_update(objects, fields)
        return
    meta = model._meta
    columns = [meta.get_field(name) for name in fields]
    pk = meta.pk
    quote = connection.ops.quote_name
    casts = [f"%s::{pk.db_type(connection)}"] + [f"%s::{field.db_type(connection)}" for field in columns]
    row_sql = "(" + ", ".join(casts) + ")"
    params: list = []
    for obj in objects:
        params.append(pk.get_db_prep_value(obj.pk, connection))
        for field in columns:
            params.append(field.get_db_prep_value(getattr(obj, field.attname), connection))
    assignments = ", ".join(f"{quote(field.column)} = v.{quote(field.column)}" for field in columns)
    names = ", ".join([quote(pk.column)] + [quote(field.column) for field in columns])
    sql = (
        f"UPDATE {quote(meta.db_table)} AS t SET {assignments} "  # noqa: S608 (names from model metadata; values are parameters)
        f"FROM (VALUES {', '.join([row_sql] * len(objects))}) AS v({names}) "
        f"WHERE t.{quote(pk.column)} = v.{quote(pk.column)}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


class _Batch:
    """Everything one batch reads, loaded in bulk, and what it will write."""

    def __init__(self, events: Sequence[EventIn], api_client: ApiClient | None) -> None:
        self.events = events
        self.api_client = api_client
        self.results: list[IngestItem | None] = [None] * len(events)
        self.message_cache: dict[tuple, tuple[str, str]] = {}

    def reject(self, index: int, reason: str) -> None:
        self.results[index] = IngestItem(self.events[index].event_id, ItemResult.REJECTED, reason)

    def run(self, *, notify: bool) -> list[IngestItem]:
        events = self.events
        first_index: dict[str, int] = {}
        for index, event in enumerate(events):
            if event.event_id in first_index:
                self.results[index] = IngestItem(
                    event.event_id, ItemResult.DUPLICATE, _("The same event_id appears earlier in this batch.")
                )
            else:
                first_index[event.event_id] = index
        candidates = list(first_index.values())
        if not candidates:
            return self._finished()

        # Locking the applications in id order serialises concurrent batches that touch
        # the same file without deadlocks.
        numbers = {events[index].application_number for index in candidates}
        applications = {
            application.number: application
            for application in Application.objects.select_for_update()
            .filter(number__in=numbers)
            .order_by("pk")
            .only(
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
            )
        }
        seen_before = set(
            StatusEvent.objects.filter(source_id__in=[events[index].event_id for index in candidates]).values_list(
                "source_id", flat=True
            )
        )
        stage_codes = {events[index].stage for index in candidates if events[index].stage}
        stages = {stage.code: stage for stage in Stage.objects.filter(code__in=stage_codes)} if stage_codes else {}
        program_ids = {application.program_id for application in applications.values()}
        stage_order: dict[int, list[int]] = {}
        for program_id, stage_id in (
            ProgramStage.objects.filter(program_id__in=program_ids)
            .order_by("program_id", "position")
            .values_list("program_id", "stage_id")
        ):
            stage_order.setdefault(program_id, []).append(stage_id)
        ground_codes = {code for index in candidates for code in events[index].grounds}
        grounds = (
            {ground.code: ground for ground in RefusalGround.objects.filter(code__in=ground_codes)}
            if ground_codes
            else {}
        )

        accepted: list[int] = []
        for index in candidates:
            event = events[index]
            application = applications.get(event.application_number)
            if event.event_id in seen_before:
                self.results[index] = IngestItem(
                    event.event_id, ItemResult.DUPLICATE, _("This event was received before.")
                )
            elif application is None:
                self.reject(index, _("There is no application with this number."))
            elif event.stage and event.stage not in stages:
                self.reject(index, _("There is no stage with the code %(code)s.") % {"code": event.stage})
            elif event.stage and stages[event.stage].pk not in stage_order.get(application.program_id, []):
                self.reject(
                    index,
                    _("The stage %(code)s is not part of this application's program.") % {"code": event.stage},
                )
            elif unknown := sorted(code for code in event.grounds if code not in grounds):
                self.reject(index, _("Unknown refusal ground codes: %(codes)s.") % {"codes": ", ".join(unknown)})
            elif event.kind == EventKind.DECISION and timezone.localdate(event.occurred_at) < application.submitted_on:
                self.reject(index, _("A decision cannot be dated before the application was submitted."))
            else:
                accepted.append(index)
        if not accepted:
            return self._finished()

        touched_ids = {applications[events[index].application_number].pk for index in accepted}
        progress = {
            (row.application_id, row.stage_id): row
            for row in StageProgress.objects.filter(application_id__in=touched_ids)
        }
        new_progress: dict[tuple[int, int], StageProgress] = {}
        dirty_progress: dict[tuple[int, int], StageProgress] = {}
        dirty_applications: dict[int, Application] = {}
        latest_decision: dict[int, tuple[int, StatusEvent]] = {}
        # Files a newer status event took out of the closed state: their decision no longer stands.
        reopened: set[int] = set()

        rows: list[StatusEvent] = []
        row_index: list[int] = []
        accepted.sort(
            key=lambda index: (
                events[index].application_number,
                events[index].occurred_at,
                events[index].event_id,
            )
        )
        for index in accepted:
            event = events[index]
            application = applications[event.application_number]
            stage = stages.get(event.stage) if event.stage else None
            applied = True
            if event.kind in (EventKind.STAGE, EventKind.ACTION_REQUIRED):
                key = (application.pk, stage.pk)
                row = progress.get(key)
                if row is None:
                    row = StageProgress(application_id=application.pk, stage_id=stage.pk, state=StageState.NOT_STARTED)
                    progress[key] = row
                    new_progress[key] = row
                applied = self._apply_stage(row=row, event=event)
                if key not in new_progress:
                    dirty_progress[key] = row
            elif event.kind in (EventKind.STATUS, EventKind.DECISION):
                applied = _newer(
                    event.occurred_at, event.event_id, application.status_since, application.status_source_id
                )
                if applied:
                    application.status_since = event.occurred_at
                    application.status_source_id = event.event_id
                    if event.kind == EventKind.DECISION:
                        application.status = Application.Status.CLOSED
                        application.outcome = event.outcome
                        application.decided_on = timezone.localdate(event.occurred_at)
                    else:
                        application.status = event.status
                        application.outcome = ""
                        application.decided_on = None
                        reopened.add(application.pk)
                        latest_decision.pop(application.pk, None)
                    dirty_applications[application.pk] = application
            if application.last_event_at is None or event.occurred_at > application.last_event_at:
                application.last_event_at = event.occurred_at
                dirty_applications[application.pk] = application
            if event.visible_to_client and (
                application.last_updated_at is None or event.occurred_at > application.last_updated_at
            ):
                application.last_updated_at = event.occurred_at
                dirty_applications[application.pk] = application

            message_en, message_fr = self._messages(event=event, stage=stage)
            row = StatusEvent(
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
                api_client=self.api_client,
            )
            rows.append(row)
            row_index.append(index)
            if event.kind == EventKind.DECISION and applied:
                latest_decision[application.pk] = (index, row)
                reopened.discard(application.pk)

        by_pk = {application.pk: application for application in applications.values()}
        rows_by_application: dict[int, list[StageProgress]] = {}
        for (application_id, _stage_id), progress_row in progress.items():
            rows_by_application.setdefault(application_id, []).append(progress_row)
        # Every touched file, not only those whose stages changed here: a status event
        # or a late start must end where any other arrival order would.
        for application_id in touched_ids:
            application = by_pk[application_id]
            stage_rows = rows_by_application.get(application_id, [])
            states = {progress_row.stage_id: progress_row.state for progress_row in stage_rows}
            current = current_stage_id(ordered_stage_ids=stage_order.get(application.program_id, []), states=states)
            if current != application.current_stage_id:
                application.current_stage_id = current
                dirty_applications[application.pk] = application
            # started_at is the earliest start whatever the arrival order, so "work has
            # begun" is too; "has a current stage" is not (a later not_started clears it).
            if application.status == Application.Status.RECEIVED and any(row.started_at for row in stage_rows):
                application.status = Application.Status.IN_PROGRESS
                dirty_applications[application.pk] = application

        StatusEvent.objects.bulk_create(rows)
        if new_progress:
            StageProgress.objects.bulk_create(new_progress.values())
        if dirty_progress:
            rows_update(model=StageProgress, objects=list(dirty_progress.values()), fields=PROGRESS_FIELDS)
        if dirty_applications:
            rows_update(model=Application, objects=list(dirty_applications.values()), fields=APPLICATION_FIELDS)
        if reopened:
            Decision.objects.filter(application_id__in=reopened).delete()
        for application_id, (index, row) in latest_decision.items():
            self._write_decision(application_id=application_id, event=events[index], row=row, grounds=grounds)

        changes = []
        for index, row in zip(row_index, rows, strict=True):
            result = ItemResult.APPLIED if row.applied else ItemResult.OUT_OF_ORDER
            reason = "" if row.applied else _("Older than the current state: kept in the history, changed nothing.")
            self.results[index] = IngestItem(row.source_id, result, reason, row)
            if row.applied and row.visible_to_client:
                changes.append(Change(application_id=row.application_id, kind=_notification_kind(row), event_id=row.pk))
        if notify and changes:
            outbox_write(changes=changes)
        return self._finished()

    @staticmethod
    def _apply_stage(*, row: StageProgress, event: EventIn) -> bool:
        occurred_at = event.occurred_at
        if event.state in STARTED_STATES and (row.started_at is None or occurred_at < row.started_at):
            row.started_at = occurred_at
        applied = _newer(occurred_at, event.event_id, row.state_since, row.state_source_id)
        if applied:
            row.state = event.state
            row.state_since = occurred_at
            row.state_source_id = event.event_id
            row.finished_at = occurred_at if event.state in FINISHED_STATES else None
        if row.finished_at and row.started_at and row.finished_at < row.started_at:
            row.started_at = row.finished_at
        return applied

    def _messages(self, *, event: EventIn, stage: Stage | None) -> tuple[str, str]:
        if event.message_en and event.message_fr:
            return event.message_en, event.message_fr
        if event.kind in (EventKind.STAGE, EventKind.ACTION_REQUIRED):
            key = ("stage", stage.pk, event.state)
            if key not in self.message_cache:
                self.message_cache[key] = default_messages(stage=stage, state=event.state)
        elif event.kind == EventKind.STATUS:
            key = ("status", event.status)
            if key not in self.message_cache:
                self.message_cache[key] = status_messages(status=event.status)
        else:
            key = ("outcome", event.outcome)
            if key not in self.message_cache:
                self.message_cache[key] = outcome_messages(outcome=event.outcome)
        return self.message_cache[key]

    @staticmethod
    def _write_decision(
        *, application_id: int, event: EventIn, row: StatusEvent, grounds: dict[str, RefusalGround]
    ) -> None:
        decision, _created = Decision.objects.update_or_create(
            application_id=application_id,
            defaults={
                "outcome": event.outcome,
                "decided_at": event.occurred_at,
                "made_in_canada": event.made_in_canada,
                "officer_notes": event.notes,
                "event": row,
            },
        )
        decision.grounds.set([grounds[code] for code in event.grounds])

    def _finished(self) -> list[IngestItem]:
        if any(result is None for result in self.results):
            raise RuntimeError("an event was left without a result")
        return self.results  # type: ignore[return-value]


def events_ingest(
    *, events: Sequence[EventIn], api_client: ApiClient | None = None, notify: bool = True
) -> list[IngestItem]:
    """Apply a batch of events atomically; return one result per event, in the order given.

    With `notify`, every applied, client-visible event writes its notification rows
    in the same transaction; they are handed to Celery after commit.
    """
    for attempt in range(2):
        try:
            with transaction.atomic():
                return _Batch(events, api_client).run(notify=notify)
        except IntegrityError:
            # Another request stored one of these event ids between our read and our
            # write. Once more: this time they read as duplicates.
            if attempt == 1:
                raise
    raise AssertionError("unreachable")
