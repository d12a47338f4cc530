"""Derive the benchmark's case status from its loaded events with the reducer events_ingest uses.

Sending two million events through events_ingest takes about half an hour, so the
load inserts them in SQL and this module replays them through status_tracker.state
instead: streamed from a server-side cursor in (application, time, id) order, one
application at a time in memory, the results written back with COPY.
"""

import datetime
import io
import itertools
import operator
from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

from django.utils import timezone

from applications.models import Application
from status_tracker import state
from status_tracker.ingest import APPLICATION_FIELDS
from status_tracker.models import EventKind, StageState

EVENTS_PER_FETCH = 20_000
ROWS_PER_COPY = 100_000

# In the order _CopyWriter.case_write writes them.
PROGRESS_COLUMNS = [
    "application_id",
    "stage_id",
    "state",
    "started_at",
    "finished_at",
    "state_since",
    "state_source_id",
]
# The Application columns the reducer owns: those events_ingest writes back, as column names.
CASE_COLUMNS = [Application._meta.get_field(name).column for name in APPLICATION_FIELDS]
DECISION_COLUMNS = [
    "application_id",
    "outcome",
    "decided_at",
    "made_in_canada",
    "officer_notes",
    "event_id",
    "updated_at",
]


class StoredEvent(NamedTuple):
    """One loaded event as the reducer reads it (the attributes of state.Event), with its row ids."""

    pk: int
    application_id: int
    stage_id: int | None
    event_id: str
    occurred_at: datetime.datetime
    kind: str
    state: str
    status: str
    outcome: str
    visible_to_client: bool


@dataclass(slots=True)
class Progress:
    """A StageProgress row in memory: what state.apply_stage and state.settle read and write."""

    stage_id: int
    state: str = StageState.NOT_STARTED
    started_at: datetime.datetime | None = None
    finished_at: datetime.datetime | None = None
    state_since: datetime.datetime | None = None
    state_source_id: str = ""


@dataclass(slots=True)
class Case:
    """An application's status columns in memory, as stored before the replay."""

    pk: int
    program_id: int
    status: str
    outcome: str
    decided_on: datetime.date | None
    status_since: datetime.datetime | None
    status_source_id: str
    current_stage_id: int | None
    last_updated_at: datetime.datetime | None
    last_event_at: datetime.datetime | None
    history_version: int  # kept as loaded: the status page's cache key, moved only by events_ingest


def status_replay(cursor) -> None:
    """Apply every loaded event to its application and write StageProgress, the status columns and Decisions.

    Expects what the load leaves: events stored, no StageProgress or Decision rows yet.
    """
    cases = _cases_read(cursor)
    stage_order = _stage_order_read(cursor)
    writer = _CopyWriter(cursor)
    not_applied: list[int] = []
    stream = _events_stream(cursor.connection)
    for application_id, history in itertools.groupby(stream, key=operator.attrgetter("application_id")):
        case = cases[application_id]
        progress, decision_event_pk, skipped = case_replay(
            case=case, events=history, ordered_stage_ids=stage_order.get(case.program_id, [])
        )
        writer.case_write(case=case, progress=progress, decision_event_pk=decision_event_pk)
        not_applied += skipped
    writer.finish()
    if not_applied:
        # As events_ingest stores them: kept in the history, marked as having changed nothing.
        cursor.execute("UPDATE status_tracker_statusevent SET applied = false WHERE id = ANY(%s)", [not_applied])


def case_replay(
    *, case: Case, events: Iterable[StoredEvent], ordered_stage_ids: list[int]
) -> tuple[list[Progress], int | None, list[int]]:
    """One application's events in time order (ties by id) through the reducer, then settled, as in ingest._reduce.

    Returns its stage rows, the row id of the decision event that closed it (None
    when it is not closed) and the ids of events that changed nothing.
    """
    progress: dict[int, Progress] = {}
    decision_pks: dict[str, int] = {}
    not_applied: list[int] = []
    for event in events:
        row = None
        if event.kind in state.STAGE_KINDS:
            row = progress.get(event.stage_id)
            if row is None:
                row = progress[event.stage_id] = Progress(stage_id=event.stage_id)
        if not state.apply_event(application=case, progress=row, event=event).applied:
            not_applied.append(event.pk)
        if event.kind == EventKind.DECISION:
            decision_pks[event.event_id] = event.pk
    rows = list(progress.values())
    state.settle(application=case, stage_rows=rows, ordered_stage_ids=ordered_stage_ids)
    # state.apply_decision makes the closing decision the status's source: that event is the file's Decision.
    closed = case.status == Application.Status.CLOSED
    return rows, decision_pks[case.status_source_id] if closed else None, not_applied


def _cases_read(cursor) -> dict[int, Case]:
    cursor.execute(f"SELECT id, program_id, {', '.join(CASE_COLUMNS)} FROM applications_application")
    return {row[0]: Case(*row) for row in cursor.fetchall()}


def _stage_order_read(cursor) -> dict[int, list[int]]:
    """Program id -> its stage ids in program order, as ingest loads them."""
    cursor.execute("SELECT program_id, stage_id FROM applications_programstage ORDER BY program_id, position")
    order: dict[int, list[int]] = {}
    for program_id, stage_id in cursor.fetchall():
        order.setdefault(program_id, []).append(stage_id)
    return order


def _events_stream(raw_connection):
    """Every event, by application then time then id (byte order, as Python compares the ids), fetched in chunks."""
    with raw_connection.cursor(name="bench_replay_events") as named:
        named.itersize = EVENTS_PER_FETCH
        named.execute(
            """
            SELECT id, application_id, stage_id, source_id, occurred_at, kind, state, status, outcome,
                   visible_to_client
            FROM status_tracker_statusevent
            ORDER BY application_id, occurred_at, source_id COLLATE "C"
            """
        )
        for row in named:
            yield StoredEvent._make(row)


def _copy_text(value) -> str:
    """One value in COPY's text format; the text written here is ids and choice values, never tabs or newlines."""
    if value is None:
        return r"\N"
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def _copy_time(value: datetime.datetime | None) -> str:
    """_copy_text for a timestamp, without the type test: half a million stage rows hold three each."""
    return r"\N" if value is None else value.isoformat()


class _CopyWriter:
    """Buffers rows per table and COPYs them in batches; the status columns land in a temp table, then one UPDATE."""

    def __init__(self, cursor) -> None:
        self.cursor = cursor
        self.buffers: dict[str, list[str]] = {"progress": [], "cases": [], "decisions": []}
        self.now = timezone.now()
        cursor.execute(
            "CREATE TEMP TABLE bench_replayed ON COMMIT DROP AS "
            f"SELECT id, {', '.join(CASE_COLUMNS)} FROM applications_application WITH NO DATA"
        )

    def case_write(self, *, case: Case, progress: list[Progress], decision_event_pk: int | None) -> None:
        line = "\t".join
        for row in progress:
            self.buffers["progress"].append(
                f"{case.pk}\t{row.stage_id}\t{row.state}\t{_copy_time(row.started_at)}\t"
                f"{_copy_time(row.finished_at)}\t{_copy_time(row.state_since)}\t{row.state_source_id}"
            )
        self.buffers["cases"].append(line([str(case.pk), *(_copy_text(getattr(case, name)) for name in CASE_COLUMNS)]))
        if decision_event_pk is not None:
            # Bench decisions carry no notes and do not say where they were made, like an event without them.
            values = (case.pk, case.outcome, case.status_since, None, "", decision_event_pk, self.now)
            self.buffers["decisions"].append(line(map(_copy_text, values)))
        if len(self.buffers["progress"]) >= ROWS_PER_COPY:
            self._flush()

    def finish(self) -> None:
        self._flush()
        assignments = ", ".join(f"{name} = r.{name}" for name in CASE_COLUMNS)
        self.cursor.execute(
            f"UPDATE applications_application a SET {assignments} FROM bench_replayed r WHERE a.id = r.id"
        )

    def _flush(self) -> None:
        targets = {
            "progress": f"status_tracker_stageprogress ({', '.join(PROGRESS_COLUMNS)})",
            "cases": f"bench_replayed (id, {', '.join(CASE_COLUMNS)})",
            "decisions": f"status_tracker_decision ({', '.join(DECISION_COLUMNS)})",
        }
        for name, lines in self.buffers.items():
            if lines:
                self.cursor.copy_expert(f"COPY {targets[name]} FROM STDIN", io.StringIO("\n".join(lines) + "\n"))
                lines.clear()
