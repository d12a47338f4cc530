"""Benchmark the nightly processing-time computation over a million decided applications.

    python -m bench.processing_times [--reload] [--runs 5] [--explain] [--finalized 1000000]

Works in its own PostgreSQL database (portal_bench_pt, or BENCH_PT_DATABASE_URL), created and migrated when
missing. The data are generated in SQL (INSERT ... SELECT over generate_series, secondary indexes and
foreign keys dropped during the load and rebuilt after): a million applications decided over the past two
years plus the backlog still open, with the same program mix, skewed durations, countries of residence and
outcome rates as the demo history (demo.history_plan), one client per application, and completed
stage progress for every decided file. A second run reuses the data unless --reload is given.

Then it times, several runs each (min and median):

- processing_figures(as_of=today): the one query behind every program's percentiles, queue and pace;
- stage_figures(as_of=today): percentiles of completed stages;
- processing_times_snapshot(as_of=today): the whole nightly job, including the "applications ahead"
  recount per queue and submission day and the queue forecasts (it rewrites its rows in full, so every
  run does a whole night's work).

The applications table is compacted (VACUUM FULL) once before the timings.

The target is the nightly job within 5 seconds (issue 9; it was 10). Results go to bench/results/processing_times.json.
From another script, call main([...]) before Django is set up, or run this module as a subprocess.
"""

import argparse
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

DATABASE_URL = os.environ.get("BENCH_PT_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/portal_bench_pt")
RESULTS = Path(__file__).resolve().parent / "results" / "processing_times.json"
TARGET_SECONDS = 5.0  # issue 9: the nightly job within 5 s (it was 10)
DEFAULT_FINALIZED = 1_000_000
HISTORY_DAYS = 730
SEED = 0.2026

# Emptied by a reload; CASCADE takes whatever else points at them.
DATA_TABLES = (
    "status_tracker_processingtimesnapshot",
    "status_tracker_stagedurationsnapshot",
    "status_tracker_stageprogress",
    "status_tracker_statusevent",
    "applications_applicationlink",
    "applications_linkattempt",
    "applications_application",
    "applications_client",
)
BULK_TABLES = ("applications_client", "applications_application", "status_tracker_stageprogress")


def django_setup() -> None:
    """Point Django at the benchmark database with production-like settings (no query log)."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "portal.settings"
    os.environ["DATABASE_URL"] = DATABASE_URL
    os.environ["DJANGO_DEBUG"] = "false"
    os.environ["DJANGO_SECRET_KEY"] = "bench-only-secret-key-never-used-outside-the-benchmark-0123456789"
    os.environ["DJANGO_ALLOWED_HOSTS"] = "127.0.0.1,localhost"
    os.environ["STATICFILES_BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"
    # Production settings refuse to start without these; nothing is sent or enqueued here,
    # and the job's only cache write (the estimates' generation) goes to its own prefix.
    os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/0")
    os.environ["CACHE_KEY_PREFIX"] = "portal-bench-pt"
    os.environ.setdefault("PORTAL_SITE_URL", "http://127.0.0.1:8000")
    os.environ.setdefault("EMAIL_URL", "consolemail://")
    os.environ.setdefault("NOTIFY_BASE_URL", "http://127.0.0.1:6012")
    os.environ.setdefault(
        "NOTIFY_API_KEY", "bench-11111111-1111-4111-8111-111111111111-22222222-2222-4222-8222-222222222222"
    )
    for variable, template in (("EMAIL_EN", "1"), ("EMAIL_FR", "2"), ("SMS_EN", "3"), ("SMS_FR", "4")):
        os.environ.setdefault(f"NOTIFY_TEMPLATE_{variable}", f"aaaaaaaa-0000-4000-8000-00000000000{template}")
    import django

    django.setup()


def database_ensure() -> None:
    """Create the benchmark database if it is missing, then migrate it."""
    import psycopg2
    from django.conf import settings
    from django.core.management import call_command

    database = settings.DATABASES["default"]
    admin = psycopg2.connect(
        dbname="postgres",
        user=database.get("USER") or None,
        password=database.get("PASSWORD") or None,
        host=database.get("HOST") or None,
        port=database.get("PORT") or None,
    )
    try:
        admin.autocommit = True
        with admin.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database["NAME"]])
            if cursor.fetchone() is None:
                print(f"Creating database {database['NAME']}", flush=True)
                cursor.execute(f'CREATE DATABASE "{database["NAME"]}"')
    finally:
        admin.close()
    call_command("migrate", verbosity=0, interactive=False, skip_checks=True)


def _guard() -> None:
    """Never truncate anything but a database whose name says it is this benchmark's."""
    from django.db import connection

    name = connection.settings_dict["NAME"]
    if connection.vendor != "postgresql" or "bench" not in name:
        raise SystemExit(f"Refusing to load benchmark data into {connection.vendor} database {name!r}.")


def _meta(cursor) -> dict | None:
    cursor.execute("CREATE TABLE IF NOT EXISTS bench_pt_meta (key text PRIMARY KEY, value jsonb NOT NULL)")
    cursor.execute("SELECT value FROM bench_pt_meta WHERE key = 'load'")
    row = cursor.fetchone()
    if row is None:
        return None
    return json.loads(row[0]) if isinstance(row[0], str) else row[0]  # Django leaves jsonb undecoded


def row_counts() -> dict[str, int]:
    from django.db import connection

    with connection.cursor() as cursor:
        counts = {}
        for name, sql in {
            "clients": "SELECT count(*) FROM applications_client",
            "finalized": "SELECT count(*) FROM applications_application WHERE status = 'closed'",
            "open": "SELECT count(*) FROM applications_application WHERE status <> 'closed'",
            "stage_progress": "SELECT count(*) FROM status_tracker_stageprogress",
        }.items():
            cursor.execute(sql)
            counts[name] = cursor.fetchone()[0]
    return counts


def _constraints_drop(cursor) -> list[str]:
    """Drop foreign keys, unique constraints and plain indexes of the bulk tables; return how to rebuild them."""
    tables = list(BULK_TABLES)
    cursor.execute(
        """
        SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid), c.contype
        FROM pg_constraint c
        WHERE c.conrelid::regclass::text = ANY(%s) AND c.contype IN ('f', 'u')
        """,
        [tables],
    )
    constraints = cursor.fetchall()
    cursor.execute(
        """
        SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
        FROM pg_index i
        WHERE i.indrelid::regclass::text = ANY(%s) AND NOT i.indisprimary
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
        """,
        [tables],
    )
    indexes = cursor.fetchall()
    rebuild = []
    for table, name, _definition, _kind in constraints:
        cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    for name, definition in indexes:
        cursor.execute(f"DROP INDEX {name}")
        rebuild.append(definition)
    # Unique constraints first (foreign keys elsewhere may rely on them), then foreign keys.
    for table, name, definition, _kind in sorted(constraints, key=lambda item: item[3] != "u"):
        rebuild.append(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
    return rebuild


def _programs_table(cursor) -> None:
    """The program mix of the demo history, as a temporary table the generator joins."""
    from applications.models import Program, ProgramStage
    from demo.history_plan import COUNTRY_FACTORS, PROFILES

    ids = dict(Program.objects.values_list("code", "pk"))
    stage_counts = {code: 0 for code in ids}
    for code in ProgramStage.objects.values_list("program__code", flat=True):
        stage_counts[code] += 1
    cursor.execute(
        """
        CREATE TEMP TABLE pt_program (
            program_id bigint, share float8, open_share float8, median float8, sigma float8,
            refusal float8, withdrawal float8, by_country boolean, countries text[], stage_count int
        ) ON COMMIT DROP
        """
    )
    total_open = sum(profile.share * profile.median_days for profile in PROFILES.values())
    for code, profile in PROFILES.items():
        # A hundred slots of countries of residence in proportion to their weights.
        weights = sum(weight for _country, weight in profile.residence)
        countries = []
        for country, weight in profile.residence:
            countries += [country] * round(100 * weight / weights)
        countries = (countries + countries[-1:] * 100)[:100]
        cursor.execute(
            "INSERT INTO pt_program VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
            [
                ids[code],
                profile.share,
                profile.share * profile.median_days / total_open,
                profile.median_days,
                profile.sigma,
                profile.refusal_rate,
                profile.withdrawal_rate,
                code in {"visitor-visa", "study-permit", "work-permit"},
                countries,
                stage_counts[code],
            ],
        )
    cursor.execute(
        """
        CREATE TEMP TABLE pt_program_range ON COMMIT DROP AS
        SELECT *, coalesce(sum(share) OVER w - share, 0) AS lo, sum(share) OVER w AS hi,
               coalesce(sum(open_share) OVER w - open_share, 0) AS open_lo, sum(open_share) OVER w AS open_hi
        FROM pt_program WINDOW w AS (ORDER BY program_id)
        """
    )
    cursor.execute("CREATE TEMP TABLE pt_country (country text PRIMARY KEY, factor float8) ON COMMIT DROP")
    cursor.executemany("INSERT INTO pt_country VALUES (%s, %s)", list(COUNTRY_FACTORS.items()))


def _plan_create(cursor, *, finalized: int, backlog: int) -> None:
    """One row per application: program, country, dates and outcome, drawn in SQL.

    Decided files get a decision day uniform over the two years and a lognormal duration (Box-Muller) for
    their program and country; open files get an age up to 1.5 times their program's median.
    """
    cursor.execute("SELECT setseed(%s)", [SEED])
    cursor.execute(
        """
        CREATE TEMP TABLE pt_plan ON COMMIT DROP AS
        WITH draws AS MATERIALIZED (
            SELECT g AS id, g > %(finalized)s AS open, random() AS r_program, random() AS r_country,
                   random() AS r_day, random() AS u1, random() AS u2, random() AS r_outcome, random() AS r_channel
            FROM generate_series(1, %(total)s) g
        ),
        shaped AS (
            SELECT d.id, d.open, p.program_id, p.stage_count, p.countries[1 + floor(d.r_country * 100)::int] AS country,
                   p.median * CASE WHEN p.by_country THEN coalesce(c.factor, 1) ELSE 1 END
                       * exp(p.sigma * sqrt(-2 * ln(1 - d.u1)) * cos(2 * pi() * d.u2)) AS duration,
                   d.r_day, d.r_outcome, d.r_channel, p.refusal, p.withdrawal
            FROM draws d
            JOIN pt_program_range p
              ON (NOT d.open AND d.r_program >= p.lo AND d.r_program < p.hi)
              OR (d.open AND d.r_program >= p.open_lo AND d.r_program < p.open_hi)
            LEFT JOIN pt_country c ON c.country = p.countries[1 + floor(d.r_country * 100)::int]
        )
        SELECT id, program_id, stage_count, country, r_channel,
               CASE WHEN open THEN current_date - floor(r_day * 1.5 * duration)::int
                    ELSE current_date - floor(r_day * %(days)s)::int - greatest(1, round(duration)::int) END
                   AS submitted_on,
               CASE WHEN open THEN NULL ELSE current_date - floor(r_day * %(days)s)::int END AS decided_on,
               CASE WHEN open THEN ''
                    WHEN r_outcome < withdrawal THEN 'withdrawn'
                    WHEN r_outcome < withdrawal + refusal THEN 'refused'
                    ELSE 'approved' END AS outcome
        FROM shaped
        """,
        {"finalized": finalized, "total": finalized + backlog, "days": HISTORY_DAYS},
    )


def _rows_insert(cursor) -> None:
    cursor.execute(
        """
        INSERT INTO applications_client (id, uci, family_name, given_names, date_of_birth,
            country_of_birth, country_of_residence, preferred_language, email, account_id)
        SELECT id, (2000000000::bigint + id)::text,
               (ARRAY['Sharma','Santos','Okafor','Wang','Dubois','Garcia','Nguyen','Smith','Silva','Taylor'])[1 + id % 10],
               (ARRAY['Priya','Maria','Chinedu','Wei','Camille','Luis','Linh','Emily','Ana','Oliver'])[1 + (id / 10) % 10],
               date '1950-01-01' + ((id::bigint * 7919) % 18000)::int,
               CASE WHEN country = 'CA' THEN (ARRAY['IN','CN','PH','IR','PK','NG','MX','VN'])[1 + id % 8] ELSE country END,
               country, CASE WHEN id % 5 = 0 THEN 'fr' ELSE 'en' END, '', NULL
        FROM pt_plan
        """
    )
    cursor.execute(
        """
        INSERT INTO applications_application (id, number, client_id, program_id, submitted_on, channel,
            processing_office, status, outcome, decided_on, current_stage_id, last_updated_at, created_at)
        SELECT id, 'P' || (100000000 + id), id, program_id, submitted_on,
               CASE WHEN r_channel < 0.92 THEN 'online' ELSE 'paper' END,
               (ARRAY['Ottawa','Sydney','Edmonton','Mississauga','Montréal','Vancouver'])[1 + id % 6],
               CASE WHEN decided_on IS NOT NULL THEN 'closed'
                    WHEN submitted_on > current_date - 5 THEN 'received' ELSE 'in_progress' END,
               outcome, decided_on, NULL,
               coalesce(decided_on, submitted_on)::timestamp AT TIME ZONE 'UTC' + interval '14 hours',
               now()
        FROM pt_plan
        """
    )
    # Every stage of a decided file completed, one after the other, from submission to decision.
    cursor.execute(
        """
        INSERT INTO status_tracker_stageprogress (application_id, stage_id, state, started_at, finished_at,
            state_since)
        SELECT p.id, ps.stage_id, 'completed',
               start + span * (ps.position - 1) / p.stage_count,
               start + span * ps.position / p.stage_count,
               start + span * ps.position / p.stage_count
        FROM pt_plan p
        JOIN applications_programstage ps ON ps.program_id = p.program_id
        CROSS JOIN LATERAL (
            SELECT p.submitted_on::timestamp AT TIME ZONE 'UTC' + interval '10 hours' AS start,
                   (p.decided_on - p.submitted_on) * interval '1 day' + interval '4 hours' AS span
        ) t
        WHERE p.decided_on IS NOT NULL
        """
    )
    for table in ("applications_client", "applications_application"):
        cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")


def data_load(*, finalized: int = DEFAULT_FINALIZED, reload: bool = False) -> dict:
    """Fill the benchmark database unless it already holds this volume; returns what was done and the counts."""
    from django.db import connection, transaction

    from demo.history_plan import PROFILES

    _guard()
    backlog = round(sum(p.share * finalized / HISTORY_DAYS * p.median_days * 1.1 for p in PROFILES.values()))
    wanted = {"finalized": finalized, "open": backlog}
    with connection.cursor() as cursor:
        meta = _meta(cursor)
    if not reload and meta and {key: meta.get(key) for key in wanted} == wanted:
        return {"loaded": False, "seconds": 0.0, "rows": row_counts(), "loaded_on": meta.get("loaded_on")}

    started = time.perf_counter()
    steps = {}
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL work_mem = '256MB'")
        cursor.execute("SET LOCAL maintenance_work_mem = '1GB'")
        cursor.execute("SET LOCAL synchronous_commit = off")
        cursor.execute(f"TRUNCATE {', '.join(DATA_TABLES)} RESTART IDENTITY CASCADE")
        rebuild = _constraints_drop(cursor)
        for name, step in (
            ("programs", lambda: _programs_table(cursor)),
            ("plan", lambda: _plan_create(cursor, finalized=finalized, backlog=backlog)),
            ("rows", lambda: _rows_insert(cursor)),
            ("indexes and constraints", lambda: [cursor.execute(sql) for sql in rebuild]),
        ):
            step_started = time.perf_counter()
            step()
            steps[name] = round(time.perf_counter() - step_started, 2)
            print(f"  {name}: {steps[name]:.1f} s", flush=True)
        cursor.execute(
            "INSERT INTO bench_pt_meta VALUES ('load', %s) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
            [json.dumps({**wanted, "loaded_on": time.strftime("%Y-%m-%d")})],
        )
    step_started = time.perf_counter()
    with connection.cursor() as cursor:
        for table in BULK_TABLES:
            cursor.execute(f"VACUUM (ANALYZE) {table}")
    steps["vacuum analyze"] = round(time.perf_counter() - step_started, 2)
    return {"loaded": True, "seconds": round(time.perf_counter() - started, 2), "steps": steps, "rows": row_counts()}


def _timed(function, *, runs: int, before=None) -> dict:
    seconds = []
    result = None
    for _ in range(runs):
        if before is not None:
            before()
        started = time.perf_counter()
        result = function()
        seconds.append(round(time.perf_counter() - started, 3))
    return {
        "runs": seconds,
        "min": min(seconds),
        "median": round(statistics.median(seconds), 3),
        "result": result,
    }


def _table_compact() -> None:
    """Give the applications table back its space before timing: an earlier version of this script rewrote every
    open file before each run, and a table left three times its size by that made every scan 45 % slower."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM FULL ANALYZE applications_application")


def _captured_sql(function) -> list[str]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        function()
    return [query["sql"] for query in captured.captured_queries]


def explain(today) -> dict[str, str]:
    """EXPLAIN (ANALYZE, BUFFERS) of the figures and stage queries as the portal runs them."""
    from django.db import connection

    from processing_times import figures as processing_times

    plans = {}
    for name, function in (
        ("processing_figures", lambda: processing_times.processing_figures(as_of=today)),
        ("stage_figures", lambda: processing_times.stage_figures(as_of=today)),
    ):
        [sql] = [query for query in _captured_sql(function) if query.lstrip().upper().startswith("SELECT")][:1]
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
            plans[name] = "\n".join(row[0] for row in cursor.fetchall())
    return plans


# The queue counted per program and submission day, without the country split: the shape of
# the nightly recount's SELECT (processing_times.figures._queue_positions_refresh), timed alone.
QUEUE_BY_DAY_SQL = """
    SELECT program_id, submitted_on,
           (SUM(COUNT(*)) OVER (PARTITION BY program_id ORDER BY submitted_on) - COUNT(*))::int AS ahead
    FROM applications_application
    WHERE status IN ('received', 'in_progress')
    GROUP BY program_id, submitted_on
"""


def variants(*, today, runs: int) -> dict:
    """Time the nightly recount of the files ahead as the job runs it, and its bare SELECT."""
    from django.db import connection

    from processing_times import figures as processing_times

    def run(sql, params):
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    def queue_recount():
        processing_times._queue_positions_refresh(as_of=today)

    return {
        "queue_recount_current": _timed(queue_recount, runs=runs),
        "queue_by_day": _timed(lambda: len(run(QUEUE_BY_DAY_SQL, {})), runs=runs),
    }


def measure(*, runs: int, explain_plans: bool, with_variants: bool = True) -> dict:
    from django.db import connection
    from django.utils import timezone

    from processing_times import figures as processing_times

    today = timezone.localdate()
    _table_compact()
    with connection.cursor() as cursor:
        cursor.execute("SHOW work_mem")
        work_mem = cursor.fetchone()[0]
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
    figures = _timed(lambda: len(processing_times.processing_figures(as_of=today)), runs=runs)
    stages = _timed(lambda: len(processing_times.stage_figures(as_of=today)), runs=runs)
    # The job rewrites its rows in full (QueuePosition, the snapshots): every run does a whole night's work.
    nightly = _timed(lambda: processing_times.processing_times_snapshot(as_of=today, refresh_queue=True), runs=runs)
    # The same job when the queue counts are already today's (a rerun on the same day).
    rerun = _timed(lambda: processing_times.processing_times_snapshot(as_of=today, refresh_queue=True), runs=runs)
    backfill = _timed(lambda: processing_times.processing_times_snapshot(as_of=today, refresh_queue=False), runs=runs)
    report = {
        "as_of": str(today),
        "postgresql": version,
        "work_mem": work_mem,
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "processing_figures": figures,
        "stage_figures": stages,
        "nightly_snapshot": nightly,
        "nightly_snapshot_same_day_rerun": rerun,
        "snapshot_without_queue_recount": backfill,
        "target_seconds": TARGET_SECONDS,
        "target_met": nightly["median"] <= TARGET_SECONDS,
    }
    if with_variants:
        report["variants"] = variants(today=today, runs=runs)
    if explain_plans:
        report["explain"] = explain(today)
    return report


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reload", action="store_true", help="Regenerate the data even if they are there.")
    parser.add_argument("--runs", type=int, default=5, help="Timed runs of each measurement (default 5).")
    parser.add_argument("--explain", action="store_true", help="Print EXPLAIN ANALYZE of the main queries.")
    parser.add_argument("--finalized", type=int, default=DEFAULT_FINALIZED, help="Decided applications to generate.")
    parser.add_argument("--load-only", action="store_true", help="Load the data and stop.")
    parser.add_argument("--skip-variants", action="store_true", help="Do not time the queue recount on its own.")
    options = parser.parse_args(argv)

    django_setup()
    database_ensure()
    print(f"Database {DATABASE_URL.rsplit('/', 1)[-1]}: loading if needed ...", flush=True)
    load = data_load(finalized=options.finalized, reload=options.reload)
    rows = load["rows"]
    print(
        f"Data {'loaded in ' + format(load['seconds'], '.1f') + ' s' if load['loaded'] else 'already there'}: "
        f"{rows['finalized']:,} decided, {rows['open']:,} open, {rows['clients']:,} clients, "
        f"{rows['stage_progress']:,} stage rows.",
        flush=True,
    )
    report = {"data": load}
    if not options.load_only:
        report.update(
            measure(runs=options.runs, explain_plans=options.explain, with_variants=not options.skip_variants)
        )
        for name in (
            "processing_figures",
            "stage_figures",
            "nightly_snapshot",
            "nightly_snapshot_same_day_rerun",
            "snapshot_without_queue_recount",
        ):
            item = report[name]
            print(f"{name:32} min {item['min']:7.3f} s   median {item['median']:7.3f} s   runs {item['runs']}")
        for name, item in report.get("variants", {}).items():
            print(f"  queue {name:26} min {item['min']:7.3f} s   median {item['median']:7.3f} s   runs {item['runs']}")
        verdict = "met" if report["target_met"] else "MISSED"
        print(f"Target: nightly job within {TARGET_SECONDS:.0f} s over {rows['finalized']:,} decisions: {verdict}.")
        for name, plan in report.get("explain", {}).items():
            print(f"\nEXPLAIN ANALYZE {name}:\n{plan}")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2, default=str) + "\n")
    print(f"Written to {RESULTS}")
    return report


if __name__ == "__main__":
    main(sys.argv[1:])
