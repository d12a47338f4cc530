"""The nightly queue forecasts: each line's pace and calibration (processing_times.estimator) from the database.

Written by the nightly job (processing_times.figures.processing_times_snapshot) as QueueForecast rows that
status pages read. On PostgreSQL three statements count every line's errors; elsewhere (the SQLite default) the
same figures come from the estimator in Python, and tests check that both agree.
"""

import datetime
from collections import defaultdict

from django.db import connection, transaction
from django.db.models import Case, CharField, Count, F, Value, When

from applications.models import Application
from processing_times.estimator import (
    COHORTS_DAYS,
    PACE_WINDOW_DAYS,
    SEASON_SPAN_DAYS,
    SEASON_WEIGHT,
    Calibration,
    Error,
    Filed,
    QueueCounts,
    QueueHistory,
    calibrate,
)
from processing_times.models import QueueForecast

# A queue's country in SQL (applications a, programs p, clients c): the client's country of residence where the
# program publishes times per country, else "" (processing_times.figures counts the files ahead with it too).
QUEUE_COUNTRY_SQL = "CASE WHEN p.times_by_country THEN c.country_of_residence ELSE '' END"


def _queue_country():
    return Case(
        When(program__times_by_country=True, then=F("client__country_of_residence")),
        default=Value(""),
        output_field=CharField(),
    )


def queue_histories(*, as_of: datetime.date) -> dict[tuple[int, str], QueueHistory]:
    """Each queue's arrivals and departures per day up to `as_of`, and its files sent in the last four years.

    Three grouped queries; the rows they return are per queue and day (or pair of days), not per file.
    """
    arrivals: dict[tuple[int, str], dict[datetime.date, int]] = defaultdict(dict)
    departures: dict[tuple[int, str], dict[datetime.date, int]] = defaultdict(dict)
    filed: dict[tuple[int, str], list[Filed]] = defaultdict(list)
    files = Application.objects.annotate(queue_country=_queue_country())
    for program_id, country, day, count in (
        files.filter(submitted_on__lte=as_of)
        .values_list("program_id", "queue_country", "submitted_on")
        .annotate(count=Count("id"))
        .order_by()
    ):
        arrivals[(program_id, country or "")][day] = count
    for program_id, country, day, count in (
        files.filter(decided_on__lte=as_of)
        .values_list("program_id", "queue_country", "decided_on")
        .annotate(count=Count("id"))
        .order_by()
    ):
        departures[(program_id, country or "")][day] = count
    # What calibration reads: files sent in the longest cohort it may look at (processing_times.estimator).
    cohort_start = as_of - datetime.timedelta(days=COHORTS_DAYS[-1])
    for program_id, country, submitted_on, decided_on, outcome, count in (
        files.filter(submitted_on__gt=cohort_start, submitted_on__lte=as_of)
        .values_list("program_id", "queue_country", "submitted_on", "decided_on", "outcome")
        .annotate(count=Count("id"))
        .order_by()
    ):
        left_on = decided_on if decided_on is not None and decided_on <= as_of else None
        decided = left_on is not None and outcome in (Application.Outcome.APPROVED, Application.Outcome.REFUSED)
        filed[(program_id, country or "")].append(Filed(submitted_on, left_on, decided, count))
    return {
        key: QueueHistory(
            counts=QueueCounts(arrivals=arrivals[key], departures=departures.get(key, {})),
            files=filed.get(key, []),
        )
        for key in arrivals
    }


# The same errors as QueueHistory.errors_known_on, for every queue at once, rounded to hundredths and counted.
# Three statements in one transaction: the files (one row each, with their queue), then each queue's running
# count of files ahead and decisions in the pace window per day, then the errors. Temporary tables, analysed,
# rather than one statement's CTEs: the planner then knows how many rows each holds and groups the million
# errors in a hash table instead of sorting them (3.3 s rather than 3.6 s over 1.2 million files).
_POSTGRES_FILES = f"""
    CREATE TEMPORARY TABLE queue_files AS
    SELECT a.program_id,
           {QUEUE_COUNTRY_SQL} AS country,
           a.submitted_on,
           CASE WHEN a.decided_on <= %(as_of)s THEN a.decided_on END AS left_on,
           COALESCE(a.decided_on <= %(as_of)s AND a.outcome IN ('approved', 'refused'), FALSE) AS decided
    FROM applications_application a
    JOIN applications_program p ON p.id = a.program_id
    JOIN applications_client c ON c.id = a.client_id
    WHERE a.submitted_on <= %(as_of)s
"""  # noqa: S608 - a constant expression, values as parameters
_POSTGRES_DAYS = """
    CREATE TEMPORARY TABLE queue_days AS
    WITH daily AS (
        SELECT program_id, country, day, SUM(arrived) AS arrived, SUM(departed) AS departed
        FROM (
            SELECT program_id, country, submitted_on AS day, COUNT(*) AS arrived, 0 AS departed
            FROM queue_files GROUP BY 1, 2, 3
            UNION ALL
            SELECT program_id, country, left_on, 0, COUNT(*) FROM queue_files WHERE left_on IS NOT NULL GROUP BY 1, 2, 3
        ) moves
        GROUP BY 1, 2, 3
    )
    SELECT program_id, country, day, departed,
           GREATEST(SUM(arrived) OVER queue - arrived - SUM(departed) OVER queue, 0) AS ahead,
           SUM(departed) OVER (
               PARTITION BY program_id, country ORDER BY day
               RANGE BETWEEN %(window_before)s * INTERVAL '1 day' PRECEDING AND CURRENT ROW
           ) AS decided_in_window,
           MIN(day) FILTER (WHERE departed > 0) OVER (PARTITION BY program_id, country) AS decisions_since
    FROM daily
    WINDOW queue AS (PARTITION BY program_id, country ORDER BY day)
"""
# Each file counts in the smallest cohort (of COHORTS_DAYS) that holds it; the last rows give each queue's pace.
_POSTGRES_ERRORS = """
    SELECT f.program_id, f.country,
           CASE WHEN f.submitted_on > %(as_of)s::date - %(cohort_1)s THEN 0
                WHEN f.submitted_on > %(as_of)s::date - %(cohort_2)s THEN 1 ELSE 2 END AS cohort,
           FLOOR(LN(((COALESCE(f.left_on, %(as_of)s::date) - f.submitted_on) + 1)
                    / (q.ahead * %(window)s::float8 / q.decided_in_window + 1)) * 100 + 0.5) / 100 AS error,
           f.decided AS known,
           COUNT(*),
           CASE WHEN %(as_of)s::date - f.submitted_on >= 365 - %(season_span)s
                 AND LEAST((%(as_of)s::date - f.submitted_on) %% 365, 365 - (%(as_of)s::date - f.submitted_on) %% 365)
                     <= %(season_span)s
                THEN %(season_weight)s ELSE 1 END AS weight
    FROM queue_files f
    JOIN queue_days q ON q.program_id = f.program_id AND q.country = f.country AND q.day = f.submitted_on
    WHERE f.submitted_on > %(as_of)s::date - %(cohort_3)s AND f.submitted_on < %(as_of)s
      AND q.decided_in_window > 0 AND q.day >= q.decisions_since + %(window_before)s
    GROUP BY 1, 2, 3, 4, 5, 7
    UNION ALL
    SELECT program_id, country, -1, SUM(departed) FILTER (WHERE day > %(as_of)s::date - %(window)s), NULL,
           CASE WHEN MIN(day) FILTER (WHERE departed > 0) <= %(as_of)s::date - %(window_before)s THEN 1 ELSE 0 END,
           NULL
    FROM queue_days GROUP BY 1, 2
"""


def _postgres_queue_calibrations(*, as_of: datetime.date) -> dict[tuple[int, str], tuple[float, Calibration | None]]:
    """Each queue's pace and calibration on `as_of` from the database (PostgreSQL), as the Python path gives."""
    errors: dict[tuple[int, str], list[list[Error]]] = defaultdict(lambda: [[], [], []])
    paces: dict[tuple[int, str], float] = {}
    with transaction.atomic(), connection.cursor() as cursor:
        parameters: dict[str, datetime.date | int] = {
            "as_of": as_of,
            "window": PACE_WINDOW_DAYS,
            "window_before": PACE_WINDOW_DAYS - 1,
            "cohort_1": COHORTS_DAYS[0],
            "cohort_2": COHORTS_DAYS[1],
            "cohort_3": COHORTS_DAYS[2],
            "season_span": SEASON_SPAN_DAYS,
            "season_weight": SEASON_WEIGHT,
        }
        cursor.execute(_POSTGRES_FILES, parameters)
        cursor.execute("ANALYZE queue_files")
        cursor.execute(_POSTGRES_DAYS, parameters)
        cursor.execute("ANALYZE queue_days")
        cursor.execute(_POSTGRES_ERRORS, parameters)
        rows = cursor.fetchall()
        # Dropped at once: a caller's transaction may run this again (tests do). On an error, the rollback of
        # this block removes them.
        cursor.execute("DROP TABLE queue_files, queue_days")
        for program_id, country, cohort, value, known, count, weight in rows:
            key = (program_id, country or "")
            if cohort == -1:  # the pace row: decisions in the window, and whether the records cover it
                paces[key] = (value or 0) / PACE_WINDOW_DAYS if count else 0.0
            else:
                errors[key][cohort].append((float(value), bool(known), int(count), int(weight)))

    def errors_in(key):
        def within(cohort_days: int) -> list[Error]:
            upto = COHORTS_DAYS.index(cohort_days)
            return [row for cohort in errors[key][: upto + 1] for row in cohort]

        return within

    return {key: (pace, calibrate(errors_in(key)) if pace > 0 else None) for key, pace in paces.items()}


def _python_queue_calibrations(*, as_of: datetime.date) -> dict[tuple[int, str], tuple[float, Calibration | None]]:
    result = {}
    for key, history in queue_histories(as_of=as_of).items():
        pace = history.counts.pace(as_of)
        result[key] = (pace, history.calibration_on(as_of) if pace > 0 else None)
    return result


def queue_forecasts(*, as_of: datetime.date, vendor: str | None = None) -> list[QueueForecast]:
    """The queue-aware estimate's figures for every queue that has a pace and enough past errors.

    On PostgreSQL three statements compute every queue's errors, already counted per whole day;
    elsewhere (the SQLite default) the same figures come from processing_times.estimator in
    Python. Tests check that both agree; `vendor` chooses for them.
    """
    if (vendor or connection.vendor) == "postgresql":
        calibrations = _postgres_queue_calibrations(as_of=as_of)
    else:
        calibrations = _python_queue_calibrations(as_of=as_of)
    rows = []
    for (program_id, country), (pace, calibrated) in sorted(calibrations.items()):
        if calibrated is None:
            continue
        p50, p80, p90 = calibrated.factors
        rows.append(
            QueueForecast(
                program_id=program_id,
                country=country,
                computed_on=as_of,
                pace_per_day=pace,
                factor_p50=p50,
                factor_p80=p80,
                factor_p90=p90,
                errors=calibrated.errors,
                widened=calibrated.widened,
            )
        )
    return rows
