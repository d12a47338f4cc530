"""Processing-time figures: percentiles of past decisions, the queue and its pace.

Computed nightly into snapshot rows (`processing_times_snapshot`), which pages
and the API only ever read. On PostgreSQL one pass over the applications
table computes every program and country at once with `percentile_cont`;
on SQLite (the embedded default) the same figures are computed in Python.
"""

import datetime
import math
import uuid
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from django.core.cache import cache
from django.db import connection, transaction

from applications.models import Application, Client, Program
from core.dates import DAYS_PER_MONTH
from processing_times.models import ProcessingTimeSnapshot, QueueForecast, QueuePosition, StageDurationSnapshot
from processing_times.queue_figures import QUEUE_COUNTRY_SQL, queue_forecasts
from status_tracker.models import StageProgress, StageState

# Below this many decisions we publish no percentile rather than a noisy one.
MINIMUM_SAMPLE = 30
# The pace of decisions is measured over the last three months.
OUTPUT_WINDOW_DAYS = 91
PERCENTILES = (0.5, 0.8, 0.9)
# Every 5th percentile of a stage's duration, from the shortest to the longest.
STAGE_LEVELS = tuple(step / 20 for step in range(21))
ALL_COUNTRIES = ""


@dataclass
class Figures:
    """Processing-time figures for one program and one country ("" for all)."""

    program_id: int
    country: str
    window_days: int
    sample_size: int = 0
    percentiles: tuple[float, float, float] | None = None
    waiting_count: int = 0
    decided_recently: int = 0

    @property
    def monthly_output(self) -> float:
        return self.decided_recently / (OUTPUT_WINDOW_DAYS / DAYS_PER_MONTH)


@dataclass
class StageFigures:
    program_id: int
    stage_id: int
    window_days: int
    durations: list[float] = field(default_factory=list)
    sample_size: int = 0
    p50: float | None = None
    p80: float | None = None
    quantiles: list[float] = field(default_factory=list)  # at STAGE_LEVELS, for the time left given time spent


def percentile_cont(sorted_values: list[float], fraction: float) -> float:
    """Linear interpolation between closest ranks, exactly as PostgreSQL's percentile_cont."""
    if not sorted_values:
        raise ValueError("percentile of an empty sample")
    position = fraction * (len(sorted_values) - 1)
    lower = math.floor(position)
    upper = math.ceil(position)
    weight = position - lower
    return sorted_values[lower] + (sorted_values[upper] - sorted_values[lower]) * weight


def _postgres_figures(*, as_of: datetime.date) -> list[Figures]:
    sql = """
        SELECT a.program_id,
               CASE WHEN p.times_by_country THEN c.country_of_residence END AS country,
               GROUPING(CASE WHEN p.times_by_country THEN c.country_of_residence END) AS all_countries,
               MAX(p.processing_window_days) AS window_days,
               COUNT(*) FILTER (WHERE in_window) AS sample_size,
               percentile_cont(ARRAY[0.5, 0.8, 0.9]) WITHIN GROUP (ORDER BY a.decided_on - a.submitted_on)
                   FILTER (WHERE in_window) AS percentiles,
               COUNT(*) FILTER (WHERE a.decided_on IS NULL OR a.decided_on > %(as_of)s) AS waiting_count,
               COUNT(*) FILTER (
                   WHERE a.decided_on <= %(as_of)s AND a.decided_on > %(as_of)s::date - %(output_days)s
               ) AS decided_recently
        FROM applications_application a
        JOIN applications_program p ON p.id = a.program_id
        JOIN applications_client c ON c.id = a.client_id
        CROSS JOIN LATERAL (
            SELECT a.outcome IN ('approved', 'refused')
                   AND a.decided_on <= %(as_of)s
                   AND a.decided_on > %(as_of)s::date - p.processing_window_days AS in_window
        ) w
        WHERE a.submitted_on <= %(as_of)s
          -- Files decided before both the program's window and the pace window count in no figure.
          AND (a.decided_on IS NULL
               OR a.decided_on > %(as_of)s::date - GREATEST(p.processing_window_days, %(output_days)s))
        GROUP BY GROUPING SETS (
            (a.program_id),
            (a.program_id, CASE WHEN p.times_by_country THEN c.country_of_residence END)
        )
    """
    results = []
    with connection.cursor() as cursor:
        cursor.execute(sql, {"as_of": as_of, "output_days": OUTPUT_WINDOW_DAYS})
        for program_id, country, all_countries, window, sample, percentiles, waiting, decided in cursor.fetchall():
            if not all_countries and country is None:
                continue  # the per-country grouping of a program published only overall
            results.append(
                Figures(
                    program_id=program_id,
                    country=ALL_COUNTRIES if all_countries else country,
                    window_days=window,
                    sample_size=sample,
                    percentiles=tuple(percentiles) if sample else None,
                    waiting_count=waiting,
                    decided_recently=decided,
                )
            )
    return results


def _python_figures(*, as_of: datetime.date) -> list[Figures]:
    programs = {program.pk: program for program in Program.objects.all()}
    groups: dict[tuple[int, str], Figures] = {}
    durations: dict[tuple[int, str], list[float]] = defaultdict(list)
    rows = Application.objects.filter(submitted_on__lte=as_of).values_list(
        "program_id", "client__country_of_residence", "submitted_on", "decided_on", "outcome"
    )
    for program_id, country, submitted_on, decided_on, outcome in rows.iterator(chunk_size=5000):
        program = programs[program_id]
        keys = [(program_id, ALL_COUNTRIES)]
        if program.times_by_country:
            keys.append((program_id, str(country)))
        in_window = (
            outcome in (Application.Outcome.APPROVED, Application.Outcome.REFUSED)
            and decided_on is not None
            and as_of - datetime.timedelta(days=program.processing_window_days) < decided_on <= as_of
        )
        for key in keys:
            figures = groups.setdefault(
                key, Figures(program_id=program_id, country=key[1], window_days=program.processing_window_days)
            )
            if decided_on is None or decided_on > as_of:
                figures.waiting_count += 1
            elif decided_on > as_of - datetime.timedelta(days=OUTPUT_WINDOW_DAYS):
                figures.decided_recently += 1
            if in_window:
                durations[key].append((decided_on - submitted_on).days)
    for key, figures in groups.items():
        values = sorted(durations.get(key, []))
        figures.sample_size = len(values)
        if values:
            figures.percentiles = tuple(percentile_cont(values, fraction) for fraction in PERCENTILES)
    return list(groups.values())


def processing_figures(*, as_of: datetime.date) -> list[Figures]:
    """Every program's figures (and each country's, where published) as they stood on `as_of`."""
    if connection.vendor == "postgresql":
        return _postgres_figures(as_of=as_of)
    return _python_figures(as_of=as_of)


def stage_figures(*, as_of: datetime.date) -> list[StageFigures]:
    """Median and 80th percentile of completed stages, per program and stage, within each program's window.

    Days are UTC calendar days: a stage counts when it finished before midnight
    UTC at the end of `as_of` and within the window before that moment.
    """
    end = datetime.datetime.combine(as_of + datetime.timedelta(days=1), datetime.time(), tzinfo=datetime.UTC)
    if connection.vendor == "postgresql":
        sql = """
            SELECT a.program_id, sp.stage_id, MAX(p.processing_window_days), COUNT(*),
                   percentile_cont(%(levels)s::float8[]) WITHIN GROUP (
                       ORDER BY EXTRACT(EPOCH FROM sp.finished_at - sp.started_at) / 86400.0
                   )
            FROM status_tracker_stageprogress sp
            JOIN applications_application a ON a.id = sp.application_id
            JOIN applications_program p ON p.id = a.program_id
            WHERE sp.state = 'completed' AND sp.started_at IS NOT NULL
              AND sp.finished_at < %(end)s
              AND sp.finished_at >= %(end)s - make_interval(days => p.processing_window_days)
              -- The same bound with a constant lets the planner skip old rows before the joins.
              AND sp.finished_at >= %(end)s - make_interval(days => %(longest_window)s)
            GROUP BY a.program_id, sp.stage_id
        """
        longest_window = max(Program.objects.values_list("processing_window_days", flat=True), default=0)
        with connection.cursor() as cursor:
            cursor.execute(sql, {"end": end, "longest_window": longest_window, "levels": list(STAGE_LEVELS)})
            return [
                StageFigures(
                    program_id=program_id,
                    stage_id=stage_id,
                    window_days=window,
                    sample_size=sample,
                    p50=percentiles[STAGE_LEVELS.index(0.5)],
                    p80=percentiles[STAGE_LEVELS.index(0.8)],
                    quantiles=list(percentiles),
                )
                for program_id, stage_id, window, sample, percentiles in cursor.fetchall()
            ]
    windows = dict(Program.objects.values_list("pk", "processing_window_days"))
    groups: dict[tuple[int, int], StageFigures] = {}
    rows = StageProgress.objects.filter(
        state=StageState.COMPLETED, started_at__isnull=False, finished_at__lt=end
    ).values_list("application__program_id", "stage_id", "started_at", "finished_at")
    for program_id, stage_id, started_at, finished_at in rows.iterator(chunk_size=5000):
        if finished_at < end - datetime.timedelta(days=windows[program_id]):
            continue
        group = groups.setdefault(
            (program_id, stage_id),
            StageFigures(program_id=program_id, stage_id=stage_id, window_days=windows[program_id]),
        )
        group.durations.append((finished_at - started_at).total_seconds() / 86400)
    for group in groups.values():
        values = sorted(group.durations)
        group.sample_size = len(values)
        group.p50 = percentile_cont(values, 0.5)
        group.p80 = percentile_cont(values, 0.8)
        group.quantiles = [percentile_cont(values, level) for level in STAGE_LEVELS]
    return list(groups.values())


def _queue_positions_refresh(*, as_of: datetime.date) -> None:
    """Count, per queue and submission day, the open applications of the queue submitted earlier.

    A queue is a program, or a program and country of residence where the program publishes
    times per country. A file's "applications ahead" is its queue and submission day's row: a
    few thousand rows a night (QueuePosition) instead of a count rewritten on every open file.
    Files submitted the same day are not ahead of each other.
    """
    open_statuses = (Application.Status.RECEIVED, Application.Status.IN_PROGRESS)
    QueuePosition.objects.all().delete()
    country = QUEUE_COUNTRY_SQL
    # Portable SQL (PostgreSQL and the SQLite default): positional parameters, CAST rather than ::.
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {QueuePosition._meta.db_table} (program_id, country, submitted_on, computed_on, ahead)
            SELECT a.program_id, {country}, a.submitted_on, %s,
                   CAST(SUM(COUNT(*)) OVER (PARTITION BY a.program_id, {country} ORDER BY a.submitted_on)
                        - COUNT(*) AS INTEGER)
            FROM {Application._meta.db_table} a
            JOIN {Program._meta.db_table} p ON p.id = a.program_id
            JOIN {Client._meta.db_table} c ON c.id = a.client_id
            WHERE a.status IN (%s, %s)
            GROUP BY a.program_id, {country}, a.submitted_on
            """,  # noqa: S608 - table names from the models, values as parameters
            [as_of, *open_statuses],
        )


GENERATION_KEY = "processing_times:generation"


def estimates_generation() -> str:
    """A token that changes whenever the snapshots behind the estimates are rewritten.

    Pages that cache a rendered estimate key it on this token. A missing token (first
    use, eviction, a cache that was away) is replaced by a fresh one, so a lost token
    can only cause a miss, never a stale estimate.
    """
    token = cache.get(GENERATION_KEY)
    if token is None:
        cache.add(GENERATION_KEY, uuid.uuid4().hex, timeout=None)
        token = cache.get(GENERATION_KEY) or ""
    return token


def estimates_generation_with(key: str) -> tuple[str, Any]:
    """The generation token (as estimates_generation) and the cached value under `key`, in one cache read.

    For a page that stores its rendering with the token it was made under: the caller
    compares the two. With no token in the cache, a fresh one is made and the value is
    not returned, since it was made under a token that is gone.
    """
    found = cache.get_many([GENERATION_KEY, key])
    token = found.get(GENERATION_KEY)
    if token is None:
        return estimates_generation(), None
    return token, found.get(key)


def estimates_generation_bump() -> None:
    """Retire every cached estimate: called once the nightly snapshots are committed."""
    cache.set(GENERATION_KEY, uuid.uuid4().hex, timeout=None)


def _forecasts_in_parallel() -> bool:
    """Whether the queue forecasts can be computed on a second connection while the rest of the job runs.

    Only on PostgreSQL (the embedded SQLite default has one writer and, in tests, one in-memory
    database per connection) and only outside a transaction: a second connection would not see
    what the caller has not committed.
    """
    return connection.vendor == "postgresql" and not connection.in_atomic_block


def _queue_forecasts_on_own_connection(as_of: datetime.date) -> list[QueueForecast]:
    try:
        return queue_forecasts(as_of=as_of)
    finally:
        connection.close()  # this thread's connection: Django keeps one per thread


def processing_times_snapshot(*, as_of: datetime.date, refresh_queue: bool = True) -> int:
    """Compute and store the snapshots for `as_of`, replacing any from an earlier run that day.

    Returns the number of snapshot rows written. `refresh_queue` also recounts
    the applications ahead of each open file and the lines' forecasts that status
    pages combine with them; leave it off when backfilling past dates (the trend
    reads only the snapshots), since both only mean something for today.

    The forecasts are most of the job's work (one long statement over every file of
    the last four years) and need nothing else it computes: on PostgreSQL they run on a
    second connection, on the machine's other core, while the figures, the stage
    durations and the recount run on this one. The write transaction waits for them
    before it commits, so readers never see today's snapshots without today's forecasts.
    """
    with ThreadPoolExecutor(max_workers=1) as pool:
        pending = None
        if refresh_queue and _forecasts_in_parallel():
            pending = pool.submit(_queue_forecasts_on_own_connection, as_of)
        figures = processing_figures(as_of=as_of)
        stages = stage_figures(as_of=as_of)
        with transaction.atomic():
            ProcessingTimeSnapshot.objects.filter(computed_on=as_of).delete()
            StageDurationSnapshot.objects.filter(computed_on=as_of).delete()
            ProcessingTimeSnapshot.objects.bulk_create(
                [
                    ProcessingTimeSnapshot(
                        program_id=item.program_id,
                        country=item.country,
                        computed_on=as_of,
                        window_days=item.window_days,
                        sample_size=item.sample_size,
                        p50_days=item.percentiles[0] if item.percentiles else None,
                        p80_days=item.percentiles[1] if item.percentiles else None,
                        p90_days=item.percentiles[2] if item.percentiles else None,
                        waiting_count=item.waiting_count,
                        monthly_output=item.monthly_output,
                    )
                    for item in figures
                ]
            )
            StageDurationSnapshot.objects.bulk_create(
                [
                    StageDurationSnapshot(
                        program_id=item.program_id,
                        stage_id=item.stage_id,
                        computed_on=as_of,
                        window_days=item.window_days,
                        sample_size=item.sample_size,
                        p50_days=item.p50,
                        p80_days=item.p80,
                        quantiles=item.quantiles,
                    )
                    for item in stages
                ]
            )
            forecasts: list[QueueForecast] = []
            if refresh_queue:
                _queue_positions_refresh(as_of=as_of)
                forecasts = pending.result() if pending else queue_forecasts(as_of=as_of)
                QueueForecast.objects.filter(computed_on=as_of).delete()
                QueueForecast.objects.bulk_create(forecasts)
            transaction.on_commit(estimates_generation_bump)
    return len(figures) + len(stages) + len(forecasts)
