"""Benchmark the signed-in status page against a bare one-query view, on a realistic volume.

    python bench/run.py [--reload] [--servers sync:3,gthread:2x4] [--duration 15] [--profile]

Creates and fills the portal_bench database when needed (100,000 applications,
about 2 million status events), signs a benchmark applicant in, serves the portal
with gunicorn on loopback, checks every scenario answers 200, measures each with
wrk, prints a table and PASS/FAIL against the targets, and writes
bench/results/latest.json. Exits 0 whether targets pass or fail; non-zero only
when something broke.
"""

import argparse
import datetime
import json
import os
import platform
import signal
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if __package__ in (None, ""):
    # Run as `python bench/run.py`: import from the repository root, never from bench/ itself.
    sys.path[0] = str(ROOT)

os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402

from bench.check import load_check  # noqa: E402
from bench.fixture import fixture_prepare  # noqa: E402
from bench.inprocess import scenario_cprofile, scenario_profile  # noqa: E402
from bench.load import (  # noqa: E402
    data_load,
    database_ensure,
    database_migrate,
    nightly_snapshots_ensure,
)
from bench.scenarios import SCENARIOS, TARGETS  # noqa: E402
from bench.server import ServerConfig, git_commit, gunicorn_running, http_get, wrk_run  # noqa: E402

RESULTS_DIR = ROOT / "bench" / "results"
DEFAULT_SERVERS = "sync:3"  # best of sync:2-4 and gthread on 2 cores; see README


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reload", action="store_true", help="empty and reload the benchmark data")
    parser.add_argument("--check-load", action="store_true", help="replay sample histories through events_ingest")
    parser.add_argument(
        "--servers",
        default=DEFAULT_SERVERS,
        help=f"comma-separated gunicorn set-ups to measure, e.g. sync:2,sync:3,gthread:2x4 (default {DEFAULT_SERVERS})",
    )
    parser.add_argument("--scenario", action="append", help="measure only this scenario (repeatable)")
    parser.add_argument("--duration", type=int, default=15, help="seconds of wrk per scenario (default 15)")
    parser.add_argument("--warmup", type=int, default=3, help="seconds of unrecorded wrk first (default 3)")
    parser.add_argument("--connections", type=int, default=10, help="wrk connections (default 10)")
    parser.add_argument("--wrk-threads", type=int, default=2, help="wrk threads (default 2)")
    parser.add_argument("--sessions", type=int, default=10, help="signed-in sessions to rotate (default 10)")
    parser.add_argument("--profile", action="store_true", help="print a cProfile of each scenario, in process")
    parser.add_argument("--output", type=Path, default=RESULTS_DIR / "latest.json")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    arguments = _arguments(argv)
    servers = [ServerConfig.parse(text) for text in arguments.servers.split(",")]
    scenarios = [s for s in SCENARIOS if not arguments.scenario or s.name in arguments.scenario]
    if not scenarios:
        raise SystemExit(f"No scenario named {arguments.scenario}; known: {[s.name for s in SCENARIOS]}")

    load_average = os.getloadavg()[0]
    cores = os.cpu_count() or 1
    print(f"Machine: {cores} cores, load average {load_average:.2f}")
    if load_average > 0.5 * cores:
        print("  warning: other processes are busy; figures will be lower and noisier than on an idle machine")

    database_ensure()
    database_migrate()
    report = data_load(reload=arguments.reload)
    if report.loaded:
        print(f"Loaded the benchmark data in {report.seconds:.1f} s")
    else:
        print("Benchmark data already present; not reloaded (use --reload to force)")
    print("  " + ", ".join(f"{name} {count:,}" for name, count in report.rows.items()))
    nightly_seconds = nightly_snapshots_ensure()
    if nightly_seconds is not None:
        print(f"Ran the nightly processing-time job for today in {nightly_seconds:.1f} s")
    if arguments.check_load:
        checked, mismatches = load_check()
        print(f"Replayed {checked} histories through events_ingest: {mismatches} mismatches")
        if mismatches:
            return 1

    fixture = fixture_prepare(session_count=arguments.sessions)
    settings.BENCH_BARE_APPLICATION_ID = fixture.application_id
    print(f"Benchmark applicant signed in ({len(fixture.session_keys)} sessions) on {fixture.application_number}")

    in_process = {}
    for scenario in scenarios:
        profile = scenario_profile(scenario=scenario, fixture=fixture)
        in_process[scenario.name] = profile.as_dict()
        print(
            f"  in process, {scenario.name}: HTTP {profile.status}, {profile.queries} queries, "
            f"{profile.total_ms:.1f} ms per request: database {profile.database_ms:.1f} ms, "
            f"template rendering {profile.template_ms:.1f} ms, "
            f"other Python {profile.total_ms - profile.database_ms - profile.template_ms:.1f} ms"
        )
        if arguments.profile:
            for number, sql in enumerate(profile.query_sql, start=1):
                print(f"    {number}. {sql[:160]}")
            print(scenario_cprofile(scenario=scenario, fixture=fixture))
    connection.close()  # the server's workers hold their own connections; ours must not sit idle in a transaction

    runs = []
    for server in servers:
        runs.append(
            _measure_server(
                server=server, scenarios=scenarios, fixture=fixture, arguments=arguments, in_process=in_process
            )
        )

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
            "duration_s": arguments.duration,
            "warmup_s": arguments.warmup,
            "connections": arguments.connections,
            "threads": arguments.wrk_threads,
            "signed_in_sessions": len(fixture.session_keys),
        },
        "scenarios": {s.name: {"description": s.description, "path": s.path(fixture)} for s in scenarios},
        "in_process": in_process,
        "runs": runs,
    }
    arguments.output.parent.mkdir(parents=True, exist_ok=True)
    arguments.output.write_text(json.dumps(results, indent=2) + "\n")
    print(
        f"\nResults written to {arguments.output.relative_to(ROOT) if arguments.output.is_relative_to(ROOT) else arguments.output}"
    )
    return 0


def _measure_server(*, server, scenarios, fixture, arguments, in_process) -> dict:
    print(
        f"\nServing with gunicorn {server.label} ({server.worker_class}, {server.workers} workers, {server.threads} threads)"
    )
    log_path = RESULTS_DIR / f"gunicorn-{server.label.replace(':', '-')}.log"
    measured: dict[str, dict] = {}
    with gunicorn_running(
        config=server, env={"BENCH_BARE_APPLICATION_ID": str(fixture.application_id)}, log_path=log_path
    ) as running:
        base_url = running.base_url
        for scenario in scenarios:
            _preflight(scenario=scenario, fixture=fixture, base_url=base_url)
        for scenario in scenarios:
            url = base_url + scenario.path(fixture)
            session_keys = fixture.session_keys if scenario.signed_in else []
            wrk_options = {"connections": arguments.connections, "threads": arguments.wrk_threads}
            if arguments.warmup:
                wrk_run(url=url, duration=arguments.warmup, session_keys=session_keys, **wrk_options)
            cpu_before = running.cpu_seconds()
            result = wrk_run(url=url, duration=arguments.duration, session_keys=session_keys, **wrk_options)
            cpu_used = running.cpu_seconds() - cpu_before
            measured[scenario.name] = result.as_dict()
            # Steadier than requests/s when other processes share the cores: what each request cost gunicorn.
            measured[scenario.name]["server_cpu_ms_per_request"] = (
                round(cpu_used / result.requests * 1000, 2) if result.requests else None
            )
            measured[scenario.name]["load_average_after"] = round(os.getloadavg()[0], 2)
            (RESULTS_DIR / f"wrk-{server.label.replace(':', '-')}-{scenario.name}.txt").write_text(result.output)
            problems = _problems(result=result, expected_bytes=in_process[scenario.name]["bytes"])
            if problems:
                measured[scenario.name]["problems"] = problems
                print(f"  {scenario.name}: " + "; ".join(problems))

    targets = []
    for target in TARGETS:
        if all(name in measured for name in target.needs):
            outcome = target.check(measured)
            targets.append({"name": target.name, "passed": outcome.passed, "detail": outcome.detail})
    _print_table(server=server, measured=measured, in_process=in_process, targets=targets)
    return {
        "server": {
            "label": server.label,
            "worker_class": server.worker_class,
            "workers": server.workers,
            "threads": server.threads,
        },
        "scenarios": measured,
        "targets": targets,
        "passed": all(target["passed"] for target in targets),
    }


def _preflight(*, scenario, fixture, base_url: str) -> None:
    """A benchmark of a redirect or an error page is worthless: check status and content first."""
    cookie = f"{settings.SESSION_COOKIE_NAME}={fixture.session_keys[0]}" if scenario.signed_in else None
    status, body = http_get(base_url + scenario.path(fixture), cookie=cookie)
    if status != 200:
        raise RuntimeError(f"{scenario.name}: {scenario.path(fixture)} answered {status}, not 200; not benchmarking it")
    if scenario.expect_text and scenario.expect_text(fixture).encode() not in body:
        raise RuntimeError(f"{scenario.name}: the page does not contain {scenario.expect_text(fixture)!r}")


def _problems(*, result, expected_bytes: int) -> list[str]:
    problems = []
    errors = {kind: count for kind, count in result.errors.items() if count}
    if errors:
        problems.append(f"socket/HTTP errors {errors}")
    if result.non_2xx_3xx:
        problems.append(f"{result.non_2xx_3xx} responses were not 2xx/3xx")
    # Headers add a few hundred bytes; a body much smaller than the checked page means redirects or errors.
    if result.bytes_per_request < 0.9 * expected_bytes:
        problems.append(f"{result.bytes_per_request:.0f} bytes per response, expected about {expected_bytes}")
    return problems


def _print_table(*, server, measured: dict[str, dict], in_process: dict[str, dict], targets: list[dict]) -> None:
    header = f"{'req/s':>9}{'p50 ms':>9}{'p90 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'queries':>9}{'CPU ms/req':>12}"
    print(f"\n  {'scenario':<16}{header}")
    for name, result in measured.items():
        latency = result["latency_ms"]
        cpu = result["server_cpu_ms_per_request"]
        print(
            f"  {name:<16}{result['requests_per_second']:>9.1f}{latency['p50']:>9.1f}{latency['p90']:>9.1f}"
            f"{latency['p95']:>9.1f}{latency['p99']:>9.1f}{in_process[name]['queries']:>9}"
            f"{cpu if cpu is not None else float('nan'):>12.2f}"
        )
    for ceiling in ("bare", "bare_signed_in"):
        if "status_page" in measured and ceiling in measured:
            ratio = measured["status_page"]["requests_per_second"] / measured[ceiling]["requests_per_second"]
            print(f"  ratio status_page / {ceiling} requests/s: {ratio:.2f}")
    for target in targets:
        print(f"  {'PASS' if target['passed'] else 'FAIL'}  {target['name']} ({target['detail']})")


def _stop_on_sigterm(signum, frame) -> None:
    raise KeyboardInterrupt  # unwinds through the finally blocks that stop gunicorn


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    # Even when started with SIGINT ignored (a background job), Ctrl-C or kill -INT must stop gunicorn.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        print("\nInterrupted; gunicorn stopped.", file=sys.stderr)
        sys.exit(130)
