"""Two years of decided applications and today's open backlog, so that processing times have something to measure.

`demo_history_load()` adds about 20,000 closed applications (decisions made over the past two years) and the
applications still open today, across the ten programs, with stage-by-stage progress for every file. Nothing
here is a real person: clients get UCIs from a dedicated range and application numbers start with "H". How
the files are drawn (a queue per office, under one of several scenarios) is in demo/history_plan.py.

The same seed and day give the same rows, so running it again changes nothing; another day or size replaces
the earlier history. Clients and applications are written with bulk inserts; every stage, status and
decision then goes in as events through `events_ingest`, the one writer of case status, in large batches.
"""

import datetime
import io
import random
from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from applications.models import Application, ApplicationLink, Client, LinkAttempt, Program, ProgramStage, Stage
from applications.reference_data import PROGRAMS, reference_data_load
from demo.history_plan import (
    BIRTH_COUNTRIES_IN_CANADA,
    CANADIAN_OFFICES,
    DEFAULT_FINALIZED,
    DEFAULT_SCENARIO,
    NAMES,
    PROFILES,
    SEED,
    STAGE_WEIGHTS,
    VISA_OFFICES,
    _File,
    _plan,
    _stage_schedule,
)
from enquiries.models import Deflection, Document, Ticket
from status_tracker.events import EventIn
from status_tracker.ingest import ItemResult, events_ingest
from status_tracker.models import Decision, EventKind, StageProgress, StageState, StatusEvent

NUMBER_PREFIX = "H"  # every history application number starts with it
NUMBER_BASE = 100_000_000  # "H100000000", "H100000001", ... in order of submission
UCI_BASE = 7_000_000_000  # ten-digit UCIs 7000000000 and up, a range no other demo data draws from
UCI_PATTERN = r"^70[0-9]{8}$"
UCI_LIKE = "70________"  # the same, for LIKE (UCIs are digits only)
SOURCE_ID_PREFIX = "history-"
# Events per events_ingest call: large enough that the per-batch queries stay a small share, small enough
# that one batch's rows stay a modest statement. Whole files go in one batch, so their stages are new rows.
BATCH_EVENTS = 500

CLIENT_COLUMNS = (
    "uci",
    "family_name",
    "given_names",
    "date_of_birth",
    "country_of_birth",
    "country_of_residence",
    "preferred_language",
    "email",
)
# A new application, as received; its history then arrives as events. A file without any event yet keeps
# its submission as its last update, so that the stalled-files list can date it.
APPLICATION_COLUMNS = (
    "number",
    "client_id",
    "program_id",
    "submitted_on",
    "channel",
    "processing_office",
    "status",
    "outcome",
    "last_updated_at",
    "last_event_at",
    "created_at",
)


@dataclass(frozen=True)
class _Planned:
    """One file as it will be written: what its events need, without building them yet."""

    item: _File
    number: str
    office: str
    reached: list[tuple[str, float, float]]  # (stage code, start day, finish day) of the stages begun by today


@dataclass
class _Rows:
    midnight: datetime.datetime  # today, in UTC: the days of the plan count from it
    clients: list[tuple]
    applications: list[tuple]  # without the client id, filled in on insert
    files: list[_Planned]
    # Per application: (number, program id, submitted_on, decided_on, outcome, current stage id), as the
    # events will leave it, and the stage rows they make; to tell whether this history is loaded already.
    expected: set[tuple]
    progress_count: int

    def moment(self, day: float) -> datetime.datetime:
        return self.midnight + datetime.timedelta(minutes=round(day * 1440))


def _file_events(planned: _Planned, *, moment: Callable[[float], datetime.datetime]) -> list[EventIn]:
    """One file's events: each stage begun and, unless it is the open one, completed; then the decision."""
    item, number = planned.item, planned.number
    steps: list[tuple[float, str, str]] = []
    for code, started, finished in planned.reached:
        steps.append((started, code, StageState.IN_PROGRESS))
        if item.outcome or finished < 0:
            steps.append((finished, code, StageState.COMPLETED))
    events = [
        EventIn(
            event_id=f"{SOURCE_ID_PREFIX}{number}-{index:02d}",
            application_number=number,
            occurred_at=moment(day),
            kind=EventKind.STAGE,
            stage=code,
            state=state,
        )
        for index, (day, code, state) in enumerate(steps)
    ]
    if item.outcome:
        decision = EventIn(
            event_id=f"{SOURCE_ID_PREFIX}{number}-decision",
            application_number=number,
            occurred_at=moment(item.decided + 0.6),
            kind=EventKind.DECISION,
            outcome=item.outcome,
            made_in_canada=planned.office in CANADIAN_OFFICES,
        )
        events.append(decision)
    return events


def _client_row(*, index: int, residence: str, today: datetime.date, rng: random.Random) -> tuple:
    birth = rng.choice(BIRTH_COUNTRIES_IN_CANADA) if residence == "CA" or rng.random() < 0.1 else residence
    family_names, given_names = NAMES[birth]
    return (
        str(UCI_BASE + index),
        rng.choice(family_names),
        rng.choice(given_names),
        today - datetime.timedelta(days=rng.randint(18 * 365, 70 * 365)),
        birth,
        residence,
        "fr" if rng.random() < 0.22 else "en",
        "",
    )


def _rows(*, files: list[_File], today: datetime.date, seed: int, stages: dict[str, list[tuple[int, str]]]) -> _Rows:
    """Rows for the planned files (client ids are filled in on insert) and what their events will leave."""
    rng = random.Random(seed + 1)  # noqa: S311  repeatable demo data, not secrets
    created_at = timezone.now().astimezone(datetime.UTC).replace(microsecond=0)
    stage_ids = {code: [stage_id for stage_id, _code in items] for code, items in stages.items()}
    codes = {stage_id: stage_code for items in stages.values() for stage_id, stage_code in items}
    weights = {stage_id: STAGE_WEIGHTS.get(stage_code, 1.0) for stage_id, stage_code in codes.items()}
    program_ids = dict(Program.objects.filter(code__in=PROFILES).values_list("code", "pk"))
    rows = _Rows(datetime.datetime.combine(today, datetime.time(), tzinfo=datetime.UTC), [], [], [], set(), 0)
    for index, item in enumerate(files):
        rows.clients.append(_client_row(index=index, residence=item.country, today=today, rng=rng))
        number = f"{NUMBER_PREFIX}{NUMBER_BASE + index}"
        submitted_on = today + datetime.timedelta(days=item.submitted)
        channel = Application.Channel.PAPER.value if rng.random() < 0.08 else Application.Channel.ONLINE.value
        temporary = PROGRAMS[item.program]["times_by_country"]
        office = VISA_OFFICES[item.country] if temporary else rng.choice(CANADIAN_OFFICES)
        # Open files are scheduled up to their future decision: only what began before today happened.
        reached = [
            (stage_id, started, finished)
            for stage_id, started, finished in _stage_schedule(item, weights, stage_ids[item.program])
            if item.outcome or started < 0
        ]
        rows.files.append(
            _Planned(item, number, office, [(codes[stage], started, finished) for stage, started, finished in reached])
        )
        received_at = None if reached else rows.moment(item.submitted + 0.5)
        rows.applications.append(
            (number, program_ids[item.program], submitted_on, channel, office, "received", "")
            + (received_at, received_at, created_at)
        )
        decided_on = today + datetime.timedelta(days=item.decided) if item.outcome else None
        current = reached[-1][0] if reached else None
        rows.expected.add((number, program_ids[item.program], submitted_on, decided_on, item.outcome, current))
        rows.progress_count += len(reached)
    return rows


def _events_send(rows: _Rows) -> None:
    """Every file's events through the one writer, whole files about BATCH_EVENTS at a time."""
    batch: list[EventIn] = []
    for index, planned in enumerate(rows.files):
        batch += _file_events(planned, moment=rows.moment)
        if len(batch) >= BATCH_EVENTS or index == len(rows.files) - 1:
            # Nobody follows these files: no notification rows.
            for item in events_ingest(events=batch, notify=False):
                if item.result == ItemResult.REJECTED:
                    raise ValueError(f"history event {item.event_id} rejected: {item.reason}")
            batch = []


def rows_insert(model, columns: tuple[str, ...], rows: list[tuple]) -> None:
    """One bulk insert of plain rows (date-times aware): COPY on PostgreSQL, multi-row INSERTs elsewhere.

    Much faster than bulk_create, whose per-value preparation dominates at this size (about 25 s for the
    default history on SQLite, against a few seconds here). The values are written as Django writes them.
    """
    if not rows:
        return
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(column) for column in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            buffer = io.StringIO()
            buffer.writelines("\t".join(_copy_text(value) for value in row) + "\n" for row in rows)
            buffer.seek(0)
            cursor.copy_expert(f"COPY {table} ({names}) FROM STDIN", buffer)
            return
        adapted = [tuple(_adapt(value) for value in row) for row in rows]
        placeholder = "%s"
        if connection.vendor == "sqlite":
            # The DB-API cursor skips the debug wrapper, which would re-quote every parameter under DEBUG.
            cursor, placeholder = connection.connection.cursor(), "?"
        per_statement = max(1, (connection.features.max_query_params or 999) // len(columns))
        row_placeholders = "(" + ", ".join([placeholder] * len(columns)) + ")"
        for start in range(0, len(adapted), per_statement):
            chunk = adapted[start : start + per_statement]
            values = ", ".join([row_placeholders] * len(chunk))
            cursor.execute(
                f"INSERT INTO {table} ({names}) VALUES {values}",  # noqa: S608  names come from the models
                [value for row in chunk for value in row],
            )


def _adapt(value):
    if isinstance(value, datetime.datetime):
        if connection.vendor == "sqlite" and value.tzinfo is not None and connection.timezone_name == "UTC":
            # What the backend's adapt_datetimefield_value makes of an aware value, without its per-value
            # settings lookups (a third of the time of a large insert).
            return str(value.astimezone(datetime.UTC).replace(tzinfo=None))
        return connection.ops.adapt_datetimefield_value(value)
    if isinstance(value, datetime.date):
        return connection.ops.adapt_datefield_value(value)
    return value


def _copy_text(value) -> str:
    if value is None:
        return r"\N"
    text = str(value)
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def _history_applications():
    return Application.objects.filter(number__startswith=NUMBER_PREFIX)


def _history_clients():
    return Client.objects.filter(uci__regex=UCI_PATTERN)


def _already_loaded(rows: _Rows) -> bool:
    """True when the history in the database is exactly the planned one (numbers, programs, dates, outcomes)."""
    existing = set(
        _history_applications().values_list(
            "number", "program_id", "submitted_on", "decided_on", "outcome", "current_stage_id"
        )
    )
    if existing != rows.expected:
        return False
    progress = StageProgress.objects.filter(application__number__startswith=NUMBER_PREFIX).count()
    return progress == rows.progress_count


def _enquiries_about_history_clear() -> None:
    """Enquiries and documents about history files go with them (the demo's enquiries are made again after)."""
    tickets = Ticket.objects.filter(application__number__startswith=NUMBER_PREFIX)
    # A duplicate points at the ticket it was merged into, which is protected: duplicates go first.
    Ticket.objects.filter(merged_into__in=tickets).delete()
    tickets.delete()
    Document.objects.filter(application__number__startswith=NUMBER_PREFIX).delete()
    Deflection.objects.filter(application__number__startswith=NUMBER_PREFIX).update(application=None)


def demo_history_clear() -> int:
    """Remove the history: applications numbered "H…", their stages, events and decisions, and their clients.

    Returns the number of applications removed.
    """
    quote = connection.ops.quote_name
    applications, clients = quote(Application._meta.db_table), quote(Client._meta.db_table)
    history_ids = f"SELECT id FROM {applications} WHERE number LIKE %s"  # noqa: S608
    decision_ids = f"SELECT id FROM {quote(Decision._meta.db_table)} WHERE application_id IN ({history_ids})"  # noqa: S608
    grounds = Decision.grounds.through._meta.db_table
    with transaction.atomic():
        removed = _history_applications().count()
        _enquiries_about_history_clear()
        ApplicationLink.objects.filter(application__number__startswith=NUMBER_PREFIX).delete()
        LinkAttempt.objects.filter(application__number__startswith=NUMBER_PREFIX).update(application=None)
        # Plain DELETEs, without collecting hundreds of thousands of objects first; dependants before the
        # rows they point at.
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {quote(grounds)} WHERE decision_id IN ({decision_ids})", [f"{NUMBER_PREFIX}%"])  # noqa: S608
            for model in (Decision, StatusEvent, StageProgress):
                table = quote(model._meta.db_table)
                cursor.execute(f"DELETE FROM {table} WHERE application_id IN ({history_ids})", [f"{NUMBER_PREFIX}%"])  # noqa: S608
            cursor.execute(f"DELETE FROM {applications} WHERE number LIKE %s", [f"{NUMBER_PREFIX}%"])  # noqa: S608
            cursor.execute(
                f"DELETE FROM {clients} WHERE uci LIKE %s AND NOT EXISTS "  # noqa: S608
                f"(SELECT 1 FROM {applications} a WHERE a.client_id = {clients}.id)",
                [UCI_LIKE],
            )
    return removed


def _stages_by_program() -> dict[str, list[tuple[int, str]]]:
    if Program.objects.filter(code__in=PROFILES).count() != len(PROFILES):
        reference_data_load(stage_model=Stage, program_model=Program, program_stage_model=ProgramStage)
    stages: dict[str, list[tuple[int, str]]] = {code: [] for code in PROFILES}
    for code, stage_id, stage_code in (
        ProgramStage.objects.filter(program__code__in=PROFILES)
        .order_by("position")
        .values_list("program__code", "stage_id", "stage__code")
    ):
        stages[code].append((stage_id, stage_code))
    return stages


def demo_history_load(
    *,
    finalized: int = DEFAULT_FINALIZED,
    today: datetime.date | None = None,
    seed: int = SEED,
    scenario: str = DEFAULT_SCENARIO,
) -> int:
    """Load about `finalized` closed history applications plus those still open; returns the files now present.

    The history follows `scenario`, one of history_plan.SCENARIOS (default: a backlog that grows, then clears).
    The intake is set for `finalized` decisions over the two years; the count decided varies a little with the
    draw and the scenario. Deterministic for a given `finalized`, `today` (default: the local date), `seed` and
    `scenario`. When that same history is already in the database nothing is written; otherwise any earlier
    history is replaced.
    """
    if finalized < 1:
        raise ValueError("finalized must be at least 1")
    today = today or timezone.localdate()
    stages = _stages_by_program()
    files = _plan(
        finalized=finalized,
        today=today,
        seed=seed,
        stage_counts={code: len(s) for code, s in stages.items()},
        scenario=scenario,
    )
    rows = _rows(files=files, today=today, seed=seed, stages=stages)
    if _already_loaded(rows):
        return len(rows.applications)

    with transaction.atomic():
        demo_history_clear()
        rows_insert(Client, CLIENT_COLUMNS, rows.clients)
        client_ids = dict(_history_clients().values_list("uci", "pk"))
        applications = [
            (row[0], client_ids[client[0]], *row[1:])
            for row, client in zip(rows.applications, rows.clients, strict=True)
        ]
        rows_insert(Application, APPLICATION_COLUMNS, applications)
        _events_send(rows)
    return len(rows.applications)
