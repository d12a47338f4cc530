"""Benchmark the enquiry pages and the enquiry form on 100,000 tickets (issue 10, section 7).

    python bench/enquiries.py [--reload] [--duration 15] [--submissions 20] [--explain] [--no-wrk]

Works in its own database (portal_bench_enq, or BENCH_ENQ_DATABASE_URL; created and
migrated when missing) with bench.enquiries_settings (no Redis). Loads the tickets unless
they are there (bench/enquiries_load.py), signs in the benchmark agent and supervisor
with two-step verification and the benchmark client, then:

1. in process: queries and time per request of each page, and the queries per page with
   100,000 tickets and with 10 (every other ticket deleted in a transaction rolled back);
2. over HTTP: gunicorn (sync:3, as the page benchmark chose) on loopback and wrk against the
   agent's queue, the supervisor's queue and the client's enquiry list, each beside the bare
   signed-in view of the same person and the bare view, in the same run;
3. in process: enquiry submissions through the view, without an attachment and with a
   ~200 KB PDF or a ~1 MB JPEG, and the share spent in enquiries.uploads (the tickets,
   files and notifications they make are deleted afterwards);
4. with --explain: EXPLAIN (ANALYZE, BUFFERS) of the queue's queries for the agent and the supervisor.

Prints the figures and writes bench/results/enquiries-latest.json. Exits 0 whether or not
the query counts hold; non-zero only when something broke.
"""

import argparse
import contextlib
import datetime
import json
import os
import platform
import signal
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if __package__ in (None, ""):
    # Run as `python bench/enquiries.py`: import from the repository root, never from bench/ itself.
    sys.path[0] = str(ROOT)

os.environ["DJANGO_SETTINGS_MODULE"] = "bench.enquiries_settings"

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402

from bench.enquiries_load import TICKET_COUNT, enquiries_data_load, people_find  # noqa: E402
from bench.enquiries_measure import (  # noqa: E402
    PAGE_SCENARIOS,
    Personas,
    marks_take,
    personas_prepare,
    query_counts_by_size,
    queue_explained,
    sample_jpeg,
    sample_pdf,
    submissions_measure,
    submissions_remove,
    tickets_vacuum,
)
from bench.inprocess import scenario_profile  # noqa: E402
from bench.load import database_ensure, database_migrate  # noqa: E402
from bench.server import ServerConfig, git_commit, gunicorn_running, http_get, wrk_run  # noqa: E402

RESULTS_DIR = ROOT / "bench" / "results"


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reload", action="store_true", help="empty and reload the benchmark data")
    parser.add_argument("--tickets", type=int, default=TICKET_COUNT, help=f"tickets to load ({TICKET_COUNT:,})")
    parser.add_argument("--server", default="sync:3", help="gunicorn set-up, e.g. sync:3 or gthread:2x4 (sync:3)")
    parser.add_argument("--duration", type=int, default=15, help="seconds of wrk per scenario (15)")
    parser.add_argument("--warmup", type=int, default=3, help="seconds of unrecorded wrk first (3)")
    parser.add_argument("--connections", type=int, default=10, help="wrk connections (10)")
    parser.add_argument("--wrk-threads", type=int, default=2, help="wrk threads (2)")
    parser.add_argument("--sessions", type=int, default=10, help="signed-in sessions per person to rotate (10)")
    parser.add_argument("--submissions", type=int, default=20, help="timed submissions per attachment kind (20)")
    parser.add_argument("--no-wrk", action="store_true", help="in-process figures only (no gunicorn, no wrk)")
    parser.add_argument("--explain", action="store_true", help="EXPLAIN ANALYZE the queue's queries")
    parser.add_argument("--output", type=Path, default=RESULTS_DIR / "enquiries-latest.json")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    arguments = _arguments(argv)
    server = ServerConfig.parse(arguments.server)
    load_average = os.getloadavg()[0]
    cores = os.cpu_count() or 1
    print(f"Machine: {cores} cores, load average {load_average:.2f}")
    if load_average > 0.5 * cores:
        print("  warning: other processes are busy; compare the ratios within this run, not with other runs")

    database_ensure()
    database_migrate()
    report = enquiries_data_load(tickets=arguments.tickets, reload=arguments.reload)
    print(
        f"Loaded the enquiries data in {report.seconds:.1f} s"
        if report.loaded
        else "Enquiries data already present; not reloaded (use --reload to force)"
    )
    print("  " + ", ".join(f"{name} {count:,}" for name, count in report.rows.items()))
    tickets_vacuum()  # an earlier run's deletions may have left the visibility map cleared
    people = people_find()
    settings.BENCH_BARE_APPLICATION_ID = people.client_application_id
    personas = personas_prepare(people=people, session_count=arguments.sessions)

    in_process = {}
    for page in PAGE_SCENARIOS:
        profile = scenario_profile(scenario=page.scenario, fixture=personas.fixture(page.persona))
        in_process[page.name] = profile.as_dict()
        print(
            f"  in process, {page.name}: HTTP {profile.status}, {profile.queries} queries, "
            f"{profile.total_ms:.1f} ms per request: database {profile.database_ms:.1f} ms, "
            f"template rendering {profile.template_ms:.1f} ms, "
            f"other Python {profile.total_ms - profile.database_ms - profile.template_ms:.1f} ms"
        )
    counts = query_counts_by_size(personas=personas)
    for name, count in counts.items():
        print(
            f"  queries, {name}: {count.at_loaded} with {count.loaded_tickets:,} tickets, "
            f"{count.at_small} with {count.small_tickets}: {'PASS' if count.constant else 'FAIL'}"
        )
    connection.close()  # gunicorn's workers hold their own connections; ours must not sit idle in a transaction

    pages = {}
    if not arguments.no_wrk:
        pages = _measure_pages(server=server, personas=personas, arguments=arguments, in_process=in_process)
        _print_pages(pages=pages, in_process=in_process)

    submissions = _measure_submissions(personas=personas, repeat=arguments.submissions)

    plans = {}
    if arguments.explain:
        for persona in ("agent", "supervisor"):
            plans[persona] = [
                {"sql": sql, "plan": plan} for sql, plan in queue_explained(personas=personas, persona=persona)
            ]
            print(f"\nEXPLAIN ANALYZE, {persona}'s queue:")
            for entry in plans[persona]:
                print(f"  {entry['sql'][:140]}…\n" + "\n".join("    " + line for line in entry["plan"].splitlines()))

    results = {
        "finished_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "git_commit": git_commit(),
        "machine": {
            "cores": cores,
            "load_average_at_start": round(load_average, 2),
            "python": platform.python_version(),
        },
        "load": {"loaded": report.loaded, "seconds": round(report.seconds, 1), "rows": report.rows},
        "wrk": {
            "server": server.label,
            "duration_s": arguments.duration,
            "warmup_s": arguments.warmup,
            "connections": arguments.connections,
            "threads": arguments.wrk_threads,
            "signed_in_sessions": arguments.sessions,
        },
        "in_process": in_process,
        "queries_by_size": {name: vars(count) | {"constant": count.constant} for name, count in counts.items()},
        "pages": pages,
        "submissions": submissions,
        "explain": plans,
    }
    arguments.output.parent.mkdir(parents=True, exist_ok=True)
    arguments.output.write_text(json.dumps(results, indent=2) + "\n")
    shown = arguments.output.relative_to(ROOT) if arguments.output.is_relative_to(ROOT) else arguments.output
    print(f"\nResults written to {shown}")
    return 0


def _measure_pages(*, server: ServerConfig, personas: Personas, arguments, in_process: dict) -> dict:
    print(f"\nServing with gunicorn {server.label}")
    log_path = RESULTS_DIR / f"enquiries-gunicorn-{server.label.replace(':', '-')}.log"
    env = {
        "DJANGO_SETTINGS_MODULE": "bench.enquiries_settings",
        "BENCH_BARE_APPLICATION_ID": str(personas.people.client_application_id),
    }
    measured: dict[str, dict] = {}
    with gunicorn_running(config=server, env=env, log_path=log_path) as running:
        for page in PAGE_SCENARIOS:
            _preflight(page=page, personas=personas, base_url=running.base_url)
        for page in PAGE_SCENARIOS:
            fixture = personas.fixture(page.persona)
            url = running.base_url + page.scenario.path(fixture)
            keys = fixture.session_keys if page.scenario.signed_in else []
            options = {"connections": arguments.connections, "threads": arguments.wrk_threads}
            if arguments.warmup:
                wrk_run(url=url, duration=arguments.warmup, session_keys=keys, **options)
            cpu_before, database_before = running.cpu_seconds(), _database_cpu_seconds()
            result = wrk_run(url=url, duration=arguments.duration, session_keys=keys, **options)
            cpu_used = running.cpu_seconds() - cpu_before
            database_used = _database_cpu_seconds(since=database_before)
            measured[page.name] = result.as_dict()
            # Steadier than requests/s when other processes share the cores: what each request cost.
            measured[page.name]["server_cpu_ms_per_request"] = (
                round(cpu_used / result.requests * 1000, 2) if result.requests else None
            )
            measured[page.name]["postgresql_cpu_ms_per_request"] = (
                round(database_used / result.requests * 1000, 2) if result.requests else None
            )
            measured[page.name]["load_average_after"] = round(os.getloadavg()[0], 2)
            (RESULTS_DIR / f"enquiries-wrk-{page.name}.txt").write_text(result.output)
            problems = _problems(result=result, expected_bytes=in_process[page.name]["bytes"])
            if problems:
                measured[page.name]["problems"] = problems
                print(f"  {page.name}: " + "; ".join(problems))
    for page in PAGE_SCENARIOS:
        if page.floor and page.name in measured:
            rate = measured[page.name]["requests_per_second"]
            measured[page.name]["ratio_to_signed_in_floor"] = round(
                rate / measured[page.floor]["requests_per_second"], 3
            )
            measured[page.name]["ratio_to_bare"] = round(rate / measured["bare"]["requests_per_second"], 3)
    return measured


_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def _database_cpu_seconds(*, since: dict[int, float] | None = None):
    """CPU used by the PostgreSQL backends serving this database (gunicorn's), from /proc.

    Without `since`, a sample (pid -> seconds); with it, the seconds used since that
    sample (a backend that appeared meanwhile counts from zero).
    """
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        pids = [row[0] for row in cursor.fetchall()]
    connection.close()
    sample = {}
    for pid in pids:
        with contextlib.suppress(OSError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            sample[pid] = (int(fields[11]) + int(fields[12])) / _CLOCK_TICKS
    if since is None:
        return sample
    return sum(seconds - since.get(pid, 0.0) for pid, seconds in sample.items())


def _preflight(*, page, personas: Personas, base_url: str) -> None:
    """A benchmark of a redirect, a 403 or an error page is worthless: check status and content first."""
    fixture = personas.fixture(page.persona)
    cookie = f"{settings.SESSION_COOKIE_NAME}={fixture.session_keys[0]}" if page.scenario.signed_in else None
    status, body = http_get(base_url + page.scenario.path(fixture), cookie=cookie)
    if status != 200:
        raise RuntimeError(
            f"{page.name}: {page.scenario.path(fixture)} answered {status}, not 200; not benchmarking it"
        )
    expected = page.scenario.expect_text(fixture) if page.scenario.expect_text else ""
    if expected and expected.encode() not in body:
        raise RuntimeError(f"{page.name}: the page does not contain {expected!r}")


def _problems(*, result, expected_bytes: int) -> list[str]:
    problems = []
    errors = {kind: count for kind, count in result.errors.items() if count}
    if errors:
        problems.append(f"socket/HTTP errors {errors}")
    if result.non_2xx_3xx:
        problems.append(f"{result.non_2xx_3xx} responses were not 2xx/3xx")
    if result.bytes_per_request < 0.9 * expected_bytes:
        problems.append(f"{result.bytes_per_request:.0f} bytes per response, expected about {expected_bytes}")
    return problems


def _print_pages(*, pages: dict, in_process: dict) -> None:
    header = (
        f"{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'queries':>9}"
        f"{'CPU ms/req':>12}{'PG ms/req':>11}{'÷ floor':>9}{'÷ bare':>8}"
    )
    print(f"\n  {'scenario':<23}{header}")
    for name, result in pages.items():
        latency = result["latency_ms"]
        cpu = result["server_cpu_ms_per_request"]
        database = result["postgresql_cpu_ms_per_request"]
        floor = result.get("ratio_to_signed_in_floor")
        bare = result.get("ratio_to_bare")
        print(
            f"  {name:<23}{result['requests_per_second']:>9.1f}{latency['p50']:>9.1f}{latency['p95']:>9.1f}"
            f"{latency['p99']:>9.1f}{in_process[name]['queries']:>9}{cpu if cpu is not None else float('nan'):>12.2f}"
            f"{database if database is not None else float('nan'):>11.2f}"
            f"{'' if floor is None else f'{floor:.2f}':>9}{'' if bare is None else f'{bare:.2f}':>8}"
        )


def _measure_submissions(*, personas: Personas, repeat: int) -> list[dict]:
    print(f"\nSubmissions through the enquiry form, {repeat} each (in process, warm):")
    attachments = [None, sample_pdf(), sample_jpeg()]
    marks = marks_take()
    results = []
    try:
        for attachment in attachments:
            measured = submissions_measure(
                fixture=personas.client,
                application_number=personas.people.client_application_number,
                attachment=attachment,
                repeat=repeat,
            ).as_dict()
            results.append(measured)
            total = measured["total_ms"]
            print(
                f"  {measured['attachment']:<5} {measured['file_bytes'] / 1000:>6.0f} kB: mean {total['mean']:.1f} ms, "
                f"p50 {total['p50']:.1f}, p95 {total['p95']:.1f}; documents_check {measured['documents_check_ms']:.1f} ms, "
                f"documents_save {measured['documents_save_ms']:.1f} ms "
                f"({measured['upload_pipeline_share']:.0%} of the request); database {measured['database_ms']:.1f} ms; "
                f"{measured['queries']} queries"
            )
    finally:
        removed = submissions_remove(marks=marks)
        print(f"  (removed the {removed} rows the submissions made, and their files)")
    return results


def _stop_on_sigterm(signum, frame) -> None:
    raise KeyboardInterrupt  # unwinds through the finally blocks that stop gunicorn


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        print("\nInterrupted; gunicorn stopped.", file=sys.stderr)
        sys.exit(130)
