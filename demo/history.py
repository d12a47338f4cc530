"""Two years of decided applications and today's open backlog, so that processing times have something to measure.

`demo_history_load()` adds about 20,000 closed applications (decisions made over the past two years) and the
applications still open today, across the ten programs, with stage-by-stage progress for every file. Nothing
here is a real person: clients get UCIs from a dedicated range and application numbers start with "H".

How the history is drawn, so that the figures and the monthly trend move as they would in real life:

- Each program has its own skewed (lognormal) processing time: visitor visas take a few weeks with a long
  tail, citizenship more than a year. Visitor visas, study and work permits also depend on the country of
  residence (the department publishes those times per country).
- Intake follows the seasons (study permits peak in spring, visitor visas in summer).
- Offices slow down for six months in the middle of the period (to 60% of their usual pace), then catch up
  faster than usual for four months: files in progress during the slowdown take longer, decisions per
  month drop, the backlog grows and then shrinks.
- Most decisions are approvals; each program has its own refusal rate, and a few files are withdrawn.

The same seed and day give the same rows, so running it again changes nothing; another day or size replaces
the earlier history. Everything is written with a handful of bulk inserts.
"""

import bisect
import datetime
import io
import itertools
import math
import random
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from applications.models import Application, ApplicationLink, Client, LinkAttempt, Program, ProgramStage, Stage
from applications.reference_data import PROGRAMS, reference_data_load
from status_tracker.models import StageProgress, StageState, StatusEvent

SEED = 20260502
DEFAULT_FINALIZED = 20_000
HISTORY_DAYS = 730  # decisions made in the last two years
NUMBER_PREFIX = "H"  # every history application number starts with it
NUMBER_BASE = 100_000_000  # "H100000000", "H100000001", ... in order of submission
UCI_BASE = 7_000_000_000  # ten-digit UCIs 7000000000 and up, a range no other demo data draws from
UCI_PATTERN = r"^70[0-9]{8}$"
UCI_LIKE = "70________"  # the same, for LIKE (UCIs are digits only)


@dataclass(frozen=True)
class Profile:
    """How one program's files arrive and are decided."""

    share: float  # of the decisions made over the two years
    median_days: float  # at the usual pace
    sigma: float  # lognormal spread: 0.6 gives a long tail, 0.2 a tight one
    refusal_rate: float
    withdrawal_rate: float
    peak_month: int  # intake is highest in this month...
    seasonality: float  # ...by this much above the average (0.3 = +30%), and as much lower six months later
    residence: tuple[tuple[str, float], ...]  # countries of residence and their weights


ABROAD = (
    ("IN", 22),
    ("CN", 12),
    ("PH", 10),
    ("NG", 8),
    ("MX", 8),
    ("VN", 8),
    ("US", 8),
    ("BR", 7),
    ("FR", 6),
    ("GB", 6),
)
IN_CANADA = (("CA", 1),)

PROFILES: dict[str, Profile] = {
    "visitor-visa": Profile(0.27, 30, 0.60, 0.28, 0.01, 7, 0.35, ABROAD),
    "study-permit": Profile(0.14, 56, 0.45, 0.33, 0.02, 5, 0.45, ABROAD + (("CA", 6),)),
    "work-permit": Profile(0.15, 63, 0.50, 0.18, 0.02, 3, 0.15, ABROAD + (("CA", 15),)),
    "pr-card": Profile(0.09, 75, 0.35, 0.02, 0.01, 6, 0.10, IN_CANADA),
    "express-entry-cec": Profile(0.06, 195, 0.25, 0.08, 0.02, 1, 0.05, IN_CANADA),
    "express-entry-fsw": Profile(0.045, 215, 0.28, 0.10, 0.03, 1, 0.05, ABROAD),
    "express-entry-fst": Profile(0.015, 205, 0.28, 0.09, 0.03, 1, 0.05, (("CA", 2),) + ABROAD),
    "provincial-nominee": Profile(0.05, 330, 0.22, 0.07, 0.03, 2, 0.05, (("CA", 12),) + ABROAD),
    "spouse-sponsorship": Profile(0.07, 385, 0.22, 0.09, 0.03, 9, 0.10, (("CA", 25),) + ABROAD),
    "citizenship-grant": Profile(0.11, 470, 0.25, 0.04, 0.02, 10, 0.10, IN_CANADA),
}

# Visitor visas, study and work permits: how much longer than the median a country of residence takes.
COUNTRY_FACTORS = {
    "US": 0.55,
    "GB": 0.60,
    "FR": 0.65,
    "CA": 0.75,
    "BR": 0.85,
    "MX": 0.90,
    "CN": 1.00,
    "PH": 1.15,
    "VN": 1.25,
    "IN": 1.50,
    "NG": 1.90,
}

# The pace of the offices relative to usual, by days before `today`: a slowdown, then a catch-up.
PACE = (
    (-math.inf, -480.0, 1.0),
    (-480.0, -300.0, 0.6),
    (-300.0, -180.0, 1.3),
    (-180.0, math.inf, 1.0),
)
SLOWEST_PACE = min(speed for _start, _end, speed in PACE)

# A stage's usual share of a file's time, before a random factor per file.
STAGE_WEIGHTS = {
    "completeness": 1.0,
    "sponsor_assessment": 3.0,
    "eligibility": 4.0,
    "nomination": 2.0,
    "biometrics": 1.5,
    "medical_exam": 2.0,
    "background_check": 5.0,
    "interview": 1.5,
    "citizenship_test": 2.0,
    "ceremony": 3.0,
    "passport_request": 1.0,
    "card_production": 2.5,
    "final_decision": 1.0,
}

NAMES = {
    "IN": (("Sharma", "Patel", "Singh", "Iyer"), ("Priya", "Arjun", "Ananya", "Rohan")),
    "CN": (("Wang", "Li", "Zhang", "Chen"), ("Wei", "Mei", "Jun", "Xiu")),
    "PH": (("Santos", "Reyes", "Cruz", "Bautista"), ("Maria", "Jose", "Angelica", "Mark")),
    "NG": (("Okafor", "Adeyemi", "Balogun", "Eze"), ("Chinedu", "Ngozi", "Tunde", "Amaka")),
    "MX": (("Hernández", "García", "Martínez", "López"), ("Luis", "Sofía", "Diego", "Valeria")),
    "VN": (("Nguyen", "Tran", "Le", "Pham"), ("Linh", "Minh", "Thao", "Duc")),
    "US": (("Smith", "Johnson", "Brown", "Miller"), ("Emily", "James", "Olivia", "Michael")),
    "BR": (("Silva", "Souza", "Oliveira", "Costa"), ("Ana", "João", "Beatriz", "Pedro")),
    "FR": (("Martin", "Bernard", "Dubois", "Lefèvre"), ("Camille", "Louis", "Chloé", "Hugo")),
    "GB": (("Taylor", "Davies", "Evans", "Wilson"), ("Charlotte", "Oliver", "Amelia", "Harry")),
    "IR": (("Hosseini", "Ahmadi", "Karimi", "Rahimi"), ("Sara", "Reza", "Maryam", "Ali")),
    "PK": (("Khan", "Ahmed", "Malik", "Hussain"), ("Ayesha", "Bilal", "Fatima", "Usman")),
}
BIRTH_COUNTRIES_IN_CANADA = ("IN", "CN", "PH", "IR", "PK", "NG", "MX", "VN", "US", "BR", "FR", "GB")

VISA_OFFICES = {
    "IN": "New Delhi",
    "CN": "Beijing",
    "PH": "Manila",
    "NG": "Dakar",
    "MX": "Mexico City",
    "VN": "Singapore",
    "US": "Los Angeles",
    "BR": "São Paulo",
    "FR": "Paris",
    "GB": "London",
    "CA": "Edmonton",
}
CANADIAN_OFFICES = ("Ottawa", "Mississauga", "Sydney", "Edmonton", "Vancouver", "Montréal")


@dataclass
class _File:
    """One planned application; days are counted from `today` (negative in the past)."""

    program: str
    submitted: int
    decided: int  # for an open file, the day it will be decided
    outcome: str  # "" while open
    country: str
    stages_reached: int
    stage_weights: list[float]


def _quotas(total: int) -> dict[str, int]:
    """Split `total` decisions between programs by share (largest remainder), at least one each."""
    raw = {code: profile.share * total for code, profile in PROFILES.items()}
    quotas = {code: max(1, math.floor(value)) for code, value in raw.items()}
    by_remainder = sorted(raw, key=lambda code: raw[code] - math.floor(raw[code]), reverse=True)
    index = 0
    while sum(quotas.values()) < total:
        quotas[by_remainder[index % len(by_remainder)]] += 1
        index += 1
    return quotas


def _decision_day(submitted: float, work_days: float) -> float:
    """The day on which `work_days` of work at the usual pace are done, given the offices' pace over time."""
    moment = submitted
    for start, end, speed in PACE:
        if moment >= end:
            continue
        moment = max(moment, start)
        capacity = (end - moment) * speed
        if work_days <= capacity:
            return moment + work_days / speed
        work_days -= capacity
        moment = end
    raise AssertionError("the last pace never ends")  # pragma: no cover


def _plan(*, finalized: int, today: datetime.date, seed: int, stage_counts: dict[str, int]) -> list[_File]:
    """Draw files program by program until each has its quota of decisions in the past two years.

    Submission days go back far enough that even slow files decided two years ago are covered; files decided
    before the two years are dropped, files not decided by today form the backlog.
    """
    rng = random.Random(seed)  # noqa: S311  repeatable demo data, not secrets
    files: list[_File] = []
    for code, quota in _quotas(finalized).items():
        profile = PROFILES[code]
        by_country = PROGRAMS[code]["times_by_country"]
        slowest = max(COUNTRY_FACTORS.values()) if by_country else 1.0
        lookback = HISTORY_DAYS + math.ceil(profile.median_days * math.exp(3 * profile.sigma) * slowest / SLOWEST_PACE)
        # Chance that a file drawn on a given day is kept: intake relative to the peak month.
        months = [(today - datetime.timedelta(days=back)).month for back in range(lookback + 1)]
        keep = [
            (1 + profile.seasonality * math.cos(2 * math.pi * (month - profile.peak_month) / 12))
            / (1 + profile.seasonality)
            for month in months
        ]
        countries = [country for country, _weight in profile.residence]
        cumulative = list(itertools.accumulate(weight for _country, weight in profile.residence))
        stages = stage_counts[code]
        decided_count = 0
        while decided_count < quota:
            submitted = -rng.randint(0, lookback)
            if rng.random() > keep[-submitted]:
                continue  # fewer files arrive in the quiet months
            country = countries[bisect.bisect_right(cumulative, rng.random() * cumulative[-1])]
            work = profile.median_days * math.exp(rng.gauss(0, profile.sigma))
            if by_country:
                work *= COUNTRY_FACTORS[country]
            draw = rng.random()
            if draw < profile.withdrawal_rate:
                outcome = Application.Outcome.WITHDRAWN.value
                work *= rng.uniform(0.1, 0.8)
                reached = rng.randint(1, max(1, stages - 1))
            elif draw < profile.withdrawal_rate + profile.refusal_rate:
                outcome = Application.Outcome.REFUSED.value
                reached = rng.randint(min(2, stages), stages)
            else:
                outcome = Application.Outcome.APPROVED.value
                reached = stages
            decided = max(submitted + 1, math.floor(_decision_day(submitted + 0.5, work)))
            weekday = (today + datetime.timedelta(days=decided)).weekday()
            if weekday >= 5:
                decided += 7 - weekday  # offices decide on weekdays: the following Monday
            if decided <= -HISTORY_DAYS:
                continue  # decided before the history starts
            if decided > 0:
                outcome, reached = "", stages  # still open today
            else:
                decided_count += 1
            weights = [rng.uniform(0.5, 1.5) for _ in range(stages)]
            files.append(_File(code, submitted, decided, outcome, country, reached, weights))
    files.sort(key=lambda item: (item.submitted, item.program, item.decided))
    return files


def _stage_schedule(item: _File, weights: dict[int, float], stage_ids: list[int]) -> list[tuple[int, float, float]]:
    """(stage, start, end) in days for each stage reached, end to end from just after submission to the decision.

    Open files are scheduled up to their future decision; the caller keeps what started before today.
    """
    start = item.submitted + 0.4 + min(5.0, 0.05 * (item.decided - item.submitted))
    end = item.decided + 0.6
    reached = stage_ids[: item.stages_reached]
    shares = [weights[stage_id] * factor for stage_id, factor in zip(reached, item.stage_weights, strict=False)]
    span, total = end - start, sum(shares)
    schedule = []
    for stage_id, share in zip(reached, shares, strict=True):
        finish = start + span * share / total
        schedule.append((stage_id, start, finish))
        start = finish
    return schedule


@dataclass
class _Rows:
    clients: list[tuple]
    applications: list[tuple]
    progress: list[list[tuple]]  # per application, without its id


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
APPLICATION_COLUMNS = (
    "number",
    "client_id",
    "program_id",
    "submitted_on",
    "channel",
    "processing_office",
    "status",
    "outcome",
    "decided_on",
    "current_stage_id",
    "last_updated_at",
    "last_event_at",  # every demo event is visible: the same moment
    "created_at",
)
PROGRESS_COLUMNS = ("application_id", "stage_id", "state", "started_at", "finished_at", "state_since")


def _rows(*, files: list[_File], today: datetime.date, seed: int, stages: dict[str, list[tuple[int, str]]]) -> _Rows:
    """Database rows for the planned files (client ids and application ids are filled in on insert)."""
    rng = random.Random(seed + 1)  # noqa: S311  repeatable demo data, not secrets
    # Date-times are kept naive, in UTC, until they are written.
    midnight = datetime.datetime.combine(today, datetime.time())
    created_at = timezone.now().astimezone(datetime.UTC).replace(microsecond=0, tzinfo=None)

    def moment(day: float) -> datetime.datetime:
        return midnight + datetime.timedelta(minutes=round(day * 1440))

    stage_ids = {code: [stage_id for stage_id, _code in items] for code, items in stages.items()}
    weights = {
        stage_id: STAGE_WEIGHTS.get(stage_code, 1.0) for items in stages.values() for stage_id, stage_code in items
    }
    program_ids = dict(Program.objects.filter(code__in=PROFILES).values_list("code", "pk"))
    rows = _Rows([], [], [])
    for index, item in enumerate(files):
        residence = item.country
        birth = rng.choice(BIRTH_COUNTRIES_IN_CANADA) if residence == "CA" or rng.random() < 0.1 else residence
        family_names, given_names = NAMES[birth]
        rows.clients.append(
            (
                str(UCI_BASE + index),
                rng.choice(family_names),
                rng.choice(given_names),
                today - datetime.timedelta(days=rng.randint(18 * 365, 70 * 365)),
                birth,
                residence,
                "fr" if rng.random() < 0.22 else "en",
                "",
            )
        )
        progress = []
        for stage_id, started, finished in _stage_schedule(item, weights, stage_ids[item.program]):
            if item.outcome or finished < 0:
                progress.append(
                    (stage_id, StageState.COMPLETED.value, moment(started), moment(finished), moment(finished))
                )
            elif started < 0:
                progress.append((stage_id, StageState.IN_PROGRESS.value, moment(started), None, moment(started)))
        if item.outcome:
            status = Application.Status.CLOSED.value
            last_updated = moment(item.decided + 0.6)
        elif progress:
            status = Application.Status.IN_PROGRESS.value
            last_updated = progress[-1][4]
        else:
            status = Application.Status.RECEIVED.value
            last_updated = moment(item.submitted + 0.5)
        temporary = PROGRAMS[item.program]["times_by_country"]
        rows.applications.append(
            (
                f"{NUMBER_PREFIX}{NUMBER_BASE + index}",
                None,  # client id
                program_ids[item.program],
                today + datetime.timedelta(days=item.submitted),
                Application.Channel.PAPER.value if rng.random() < 0.08 else Application.Channel.ONLINE.value,
                VISA_OFFICES[residence] if temporary else rng.choice(CANADIAN_OFFICES),
                status,
                item.outcome,
                today + datetime.timedelta(days=item.decided) if item.outcome else None,
                progress[-1][0] if progress else None,
                last_updated,
                last_updated,
                created_at,
            )
        )
        rows.progress.append(progress)
    return rows


def _insert(model, columns: tuple[str, ...], rows: list[tuple]) -> None:
    """One bulk insert of plain rows (date-times naive in UTC): COPY on PostgreSQL, multi-row INSERTs elsewhere.

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
        if connection.vendor == "sqlite":
            # What Django's SQLite backend stores: ISO dates, and date-times in UTC without an offset. The
            # DB-API cursor skips the debug wrapper, which would re-quote every parameter under DEBUG.
            adapted = [
                tuple(str(value) if isinstance(value, datetime.date) else value for value in row) for row in rows
            ]
            cursor, placeholder = connection.connection.cursor(), "?"
        else:
            adapted = [tuple(_adapt(value) for value in row) for row in rows]
            placeholder = "%s"
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
        return connection.ops.adapt_datetimefield_value(value.replace(tzinfo=datetime.UTC))
    if isinstance(value, datetime.date):
        return connection.ops.adapt_datefield_value(value)
    return value


def _copy_text(value) -> str:
    if value is None:
        return r"\N"
    if isinstance(value, datetime.datetime):
        return f"{value}+00:00"
    text = str(value)
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def _history_applications():
    return Application.objects.filter(number__startswith=NUMBER_PREFIX)


def _history_clients():
    return Client.objects.filter(uci__regex=UCI_PATTERN)


def _already_loaded(rows: _Rows) -> bool:
    """True when the history in the database is exactly the planned one (numbers, programs, dates, outcomes)."""
    planned = {(row[0], row[2], row[3], row[8], row[7], row[9]) for row in rows.applications}
    existing = set(
        _history_applications().values_list(
            "number", "program_id", "submitted_on", "decided_on", "outcome", "current_stage_id"
        )
    )
    if existing != planned:
        return False
    progress = StageProgress.objects.filter(application__number__startswith=NUMBER_PREFIX).count()
    return progress == sum(len(items) for items in rows.progress)


def demo_history_clear() -> int:
    """Remove the history: applications numbered "H…", their stage progress and events, and their clients.

    Returns the number of applications removed.
    """
    with transaction.atomic():
        removed = _history_applications().count()
        StageProgress.objects.filter(application__number__startswith=NUMBER_PREFIX).delete()
        StatusEvent.objects.filter(application__number__startswith=NUMBER_PREFIX).delete()
        ApplicationLink.objects.filter(application__number__startswith=NUMBER_PREFIX).delete()
        LinkAttempt.objects.filter(application__number__startswith=NUMBER_PREFIX).update(application=None)
        # Nothing refers to these rows any more: plain DELETEs, without collecting 20,000 objects first.
        quote = connection.ops.quote_name
        applications, clients = quote(Application._meta.db_table), quote(Client._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {applications} WHERE number LIKE %s", [f"{NUMBER_PREFIX}%"])  # noqa: S608
            cursor.execute(
                f"DELETE FROM {clients} WHERE uci LIKE %s AND NOT EXISTS "  # noqa: S608
                f"(SELECT 1 FROM {applications} a WHERE a.client_id = {clients}.id)",
                [UCI_LIKE],
            )
    return removed


def demo_history_load(
    *, finalized: int = DEFAULT_FINALIZED, today: datetime.date | None = None, seed: int = SEED
) -> int:
    """Load `finalized` closed history applications plus the backlog still open; returns the files now present.

    Deterministic for a given `finalized`, `today` (default: the local date) and `seed`. When that same history
    is already in the database nothing is written; otherwise any earlier history is replaced.
    """
    if finalized < 1:
        raise ValueError("finalized must be at least 1")
    today = today or timezone.localdate()
    if Program.objects.filter(code__in=PROFILES).count() != len(PROFILES):
        reference_data_load(stage_model=Stage, program_model=Program, program_stage_model=ProgramStage)
    stages: dict[str, list[tuple[int, str]]] = {code: [] for code in PROFILES}
    for code, stage_id, stage_code in (
        ProgramStage.objects.filter(program__code__in=PROFILES)
        .order_by("position")
        .values_list("program__code", "stage_id", "stage__code")
    ):
        stages[code].append((stage_id, stage_code))

    files = _plan(
        finalized=finalized, today=today, seed=seed, stage_counts={code: len(s) for code, s in stages.items()}
    )
    rows = _rows(files=files, today=today, seed=seed, stages=stages)
    if _already_loaded(rows):
        return len(rows.applications)

    with transaction.atomic():
        demo_history_clear()
        _insert(Client, CLIENT_COLUMNS, rows.clients)
        client_ids = dict(_history_clients().values_list("uci", "pk"))
        applications = [
            (row[0], client_ids[client[0]], *row[2:])
            for row, client in zip(rows.applications, rows.clients, strict=True)
        ]
        _insert(Application, APPLICATION_COLUMNS, applications)
        application_ids = dict(_history_applications().values_list("number", "pk"))
        progress = [
            (application_ids[application[0]], *stage_row)
            for application, stage_rows in zip(rows.applications, rows.progress, strict=True)
            for stage_row in stage_rows
        ]
        _insert(StageProgress, PROGRESS_COLUMNS, progress)
    return len(rows.applications)
