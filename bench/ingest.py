"""Benchmark the upstream events API and notification delivery, end to end, on PostgreSQL and Redis.

    python bench/ingest.py [--duration 20] [--latency-duration 30] [--servers sync:3,sync:2] [--profile]

One run: prepares its own database (portal_bench_ingest: applications each linked
to an account, reset to "received" every run), starts the fake GC Notify, gunicorn
and two Celery worker processes on loopback, then measures

1. throughput: accepted events/s through POST /api/v1/events/ in batches of 100
   from a few concurrent clients, with the workers delivering meanwhile;
2. latency: at 100 events/s, the time from acceptance (Notification.created_at,
   written in the API's transaction) to arrival at the fake provider, per message.

Prints PASS/FAIL against the issue's targets and writes bench/results/ingest-latest.json.
Exits 0 whether targets pass or fail; non-zero only when something broke. Every
process it starts is stopped on the way out, also on Ctrl-C and SIGTERM.
"""

import argparse
import contextlib
import cProfile
import datetime
import io
import itertools
import json
import os
import platform
import pstats
import resource
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from http.client import HTTPConnection
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if __package__ in (None, ""):
    # Run as `python bench/ingest.py`: import from the repository root, never from bench/ itself.
    sys.path[0] = str(ROOT)

# Its own database and Redis database, so it never disturbs the page benchmark or the tests
# (tests use Redis databases 11, 12 and 14). Fixed before bench.settings is imported.
DATABASE_URL = os.environ.get("BENCH_INGEST_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/portal_bench_ingest")
REDIS_URL = os.environ.get("BENCH_INGEST_REDIS_URL", "redis://127.0.0.1:6379/13")
os.environ["BENCH_DATABASE_URL"] = DATABASE_URL
os.environ["REDIS_URL"] = REDIS_URL
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"

import django  # noqa: E402

django.setup()

import redis  # noqa: E402
from django.conf import settings  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from applications.models import Application, ApplicationLink, Program  # noqa: E402
from applications.models import Client as CaseClient  # noqa: E402
from bench.inprocess import DatabaseClock  # noqa: E402
from bench.load import database_ensure, database_migrate  # noqa: E402
from bench.server import HOST, ServerConfig, free_port, git_commit, gunicorn_running, process_tree  # noqa: E402
from notifications.models import Channel, Notification, NotificationPreference, State  # noqa: E402
from portal.models import User  # noqa: E402
from status_tracker.api_clients import api_client_create  # noqa: E402
from status_tracker.models import ApiScope  # noqa: E402

RESULTS_DIR = ROOT / "bench" / "results"
EVENTS_PATH = "/api/v1/events/"
APPLICATION_NUMBER_BASE = 300_000_000  # E300000001 ...: apart from the page benchmark's E1…
USER_EMAIL_DOMAIN = "ingest.bench.example.com"
# The targets.
TARGET_EVENTS_PER_SECOND = 2000.0
TARGET_P95_SECONDS = 2.0
# Stage states cycled through per stage, each one a real change the client hears about.
STATE_CYCLE = ["in_progress", "waiting_on_client", "in_progress", "completed"]
# Tables a run starts empty; applications are set back to "received".
RESET_TABLES = [
    "notifications_notification",
    "status_tracker_decision_grounds",
    "status_tracker_decision",
    "status_tracker_stageprogress",
    "status_tracker_statusevent",
    "status_tracker_idempotencyrecord",
    "status_tracker_apiclient",
]


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--applications", type=int, default=2000, help="applications with a linked account (2000)")
    parser.add_argument("--sms-every", type=int, default=5, help="every Nth account also wants SMS (5)")
    parser.add_argument(
        "--servers", default="sync:3", help="gunicorn set-ups for the throughput phase, e.g. sync:3,sync:2 (sync:3)"
    )
    parser.add_argument("--clients", type=int, default=4, help="concurrent API clients in the throughput phase (4)")
    parser.add_argument("--batch", type=int, default=100, help="events per request in the throughput phase (100)")
    parser.add_argument("--duration", type=float, default=20, help="seconds of throughput measured (20)")
    parser.add_argument("--warmup", type=float, default=3, help="seconds of unrecorded throughput load first (3)")
    parser.add_argument(
        "--pause-workers",
        action="store_true",
        help="stop the Celery workers during the throughput phase (default: they deliver meanwhile, as in production)",
    )
    parser.add_argument("--rate", type=float, default=100, help="events/s in the latency phase (100)")
    parser.add_argument("--latency-batch", type=int, default=10, help="events per request in the latency phase (10)")
    parser.add_argument("--latency-duration", type=float, default=30, help="seconds of the latency phase (30)")
    parser.add_argument(
        "--latency-warmup", type=float, default=3, help="seconds of unrecorded load first, delivered before timing (3)"
    )
    parser.add_argument(
        "--capacity-seconds",
        type=float,
        default=10,
        help="after the throughput phase, seconds the workers drain its backlog with the API idle (10; 0 skips)",
    )
    parser.add_argument("--drain-timeout", type=float, default=60, help="seconds to wait for the last deliveries (60)")
    parser.add_argument("--workers", type=int, default=2, help="Celery worker processes (2)")
    parser.add_argument(
        "--worker-pool",
        choices=["prefork", "solo", "threads"],
        default="prefork",
        help="prefork: one `celery worker --concurrency=N` (N child processes); solo: N single-process workers; "
        "threads: N worker processes of --worker-threads threads each (default prefork)",
    )
    parser.add_argument(
        "--worker-settings",
        default="bench.settings",
        help="DJANGO_SETTINGS_MODULE of the workers, to try a settings change on them alone (bench.settings)",
    )
    parser.add_argument("--worker-threads", type=int, default=4, help="threads per process with --worker-pool threads")
    parser.add_argument("--profile", action="store_true", help="cProfile ingestion and delivery in process at the end")
    parser.add_argument("--output", type=Path, default=RESULTS_DIR / "ingest-latest.json")
    return parser.parse_args(argv)


# ---------------------------------------------------------------------------------------------
# Database: a population of linked applications, reset to a blank history every run.


@dataclass(frozen=True)
class Population:
    numbers: list[str]  # application numbers, in id order
    stages: dict[str, list[str]]  # application number -> its program's stage codes in order
    sms_accounts: int


def population_ensure(*, count: int, sms_every: int) -> tuple[Population, float | None]:
    """Create `count` applications, each with its own account (email on, every Nth also SMS), unless present."""
    started = time.perf_counter()
    created = False
    present = ApplicationLink.objects.filter(account__email__endswith=USER_EMAIL_DOMAIN).count()
    if present != count or Application.objects.count() != count:
        _population_create(count=count, sms_every=sms_every)
        created = True
    stage_codes: dict[int, list[str]] = {}
    for program in Program.objects.prefetch_related("program_stages__stage"):
        stage_codes[program.pk] = [
            ps.stage.code for ps in sorted(program.program_stages.all(), key=lambda p: p.position)
        ]
    rows = Application.objects.order_by("pk").values_list("number", "program_id")
    population = Population(
        numbers=[number for number, _ in rows],
        stages={number: stage_codes[program_id] for number, program_id in rows},
        sms_accounts=NotificationPreference.objects.exclude(phone_number="").count(),
    )
    return population, (time.perf_counter() - started if created else None)


def _population_create(*, count: int, sms_every: int) -> None:
    programs = list(Program.objects.filter(program_stages__isnull=False).distinct().order_by("pk"))
    if not programs:
        raise RuntimeError("No program with stages: the reference-data migration did not run")
    today = timezone.localdate()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT name FROM unnest(%s::text[]) AS name WHERE to_regclass(name) IS NOT NULL", [RESET_TABLES]
        )
        tables = [row[0] for row in cursor.fetchall()]
        cursor.execute(
            f"TRUNCATE {', '.join(tables + ['applications_applicationlink', 'applications_application', 'applications_client', 'portal_user'])} "
            "RESTART IDENTITY CASCADE"
        )
        users = User.objects.bulk_create(
            User(
                email=f"person{index}@{USER_EMAIL_DOMAIN}",
                password="!",  # unusable: nobody signs in as these accounts
                preferred_language="fr" if index % 4 == 3 else "en",
            )
            for index in range(count)
        )
        clients = CaseClient.objects.bulk_create(
            CaseClient(
                uci=str(1_500_000_000 + index),
                family_name=f"Ingest{index}",
                given_names="Alex",
                date_of_birth=datetime.date(1985, 1, 1) + datetime.timedelta(days=index % 9000),
                country_of_birth="FR",
                country_of_residence="CA",
                preferred_language=user.preferred_language,
                email=user.email,
                account=user,
            )
            for index, user in enumerate(users)
        )
        applications = Application.objects.bulk_create(
            Application(
                number=f"E{APPLICATION_NUMBER_BASE + index + 1}",
                client=client,
                program=programs[index % len(programs)],
                submitted_on=today - datetime.timedelta(days=30 + index % 300),
                processing_office="Ottawa",
            )
            for index, client in enumerate(clients)
        )
        ApplicationLink.objects.bulk_create(
            ApplicationLink(account=user, application=application)
            for user, application in zip(users, applications, strict=True)
        )
        # Everyone else keeps the defaults (no row): email for every kind, no SMS.
        NotificationPreference.objects.bulk_create(
            NotificationPreference(
                user=user,
                phone_number=f"+1613{5_000_000 + index:07d}",
                sms_status_change=True,
                sms_action_required=True,
                sms_decision=True,
                sms_overdue=True,
            )
            for index, user in enumerate(users)
            if index % sms_every == 0
        )


def history_reset() -> str:
    """Empty every table the API writes, set applications back to received, and return a fresh token."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT name FROM unnest(%s::text[]) AS name WHERE to_regclass(name) IS NOT NULL", [RESET_TABLES]
        )
        cursor.execute(f"TRUNCATE {', '.join(row[0] for row in cursor.fetchall())} RESTART IDENTITY CASCADE")
        Application.objects.update(
            status=Application.Status.RECEIVED,
            outcome="",
            decided_on=None,
            current_stage=None,
            last_updated_at=None,
            last_event_at=None,
            status_since=None,
            status_source_id="",
        )
    with connection.cursor() as cursor:
        for table in ("applications_application", "status_tracker_statusevent", "notifications_notification"):
            cursor.execute(f"VACUUM (ANALYZE) {table}")
    _client, token = api_client_create(name="Ingest benchmark", actor=None, scopes=ApiScope.values)
    return token


# ---------------------------------------------------------------------------------------------
# Processes: the fake provider and the Celery workers (gunicorn comes from bench.server).


@dataclass
class Started:
    """A process we started, in its own session so that stopping it stops its children too."""

    name: str
    process: subprocess.Popen
    log_path: Path

    def stop(self) -> None:
        if self.process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=5)

    def check_alive(self) -> None:
        if self.process.poll() is not None:
            raise RuntimeError(f"{self.name} exited with code {self.process.returncode}; see {self.log_path}")


def _start(name: str, command: list[str], *, env: dict[str, str]) -> Started:
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    log_path = RESULTS_DIR / f"ingest-{name}.log"
    log = log_path.open("wb")
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
        command,
        cwd=ROOT,
        env={
            **os.environ,
            "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
            **env,
        },
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    log.close()  # the child keeps its own descriptor
    return Started(name=name, process=process, log_path=log_path)


def fake_notify_start(stack: contextlib.ExitStack) -> tuple[Started, str]:
    port = free_port()
    started = _start("fake-notify", [sys.executable, "manage.py", "run_fake_notify", "--port", str(port)], env={})
    stack.callback(started.stop)
    base_url = f"http://{HOST}:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        started.check_alive()
        with contextlib.suppress(OSError):
            with urllib.request.urlopen(f"{base_url}/_fake/messages", timeout=2) as response:  # noqa: S310 - loopback
                if response.status == 200:
                    return started, base_url
        time.sleep(0.2)
    raise RuntimeError(f"the fake GC Notify did not answer on {base_url}; see {started.log_path}")


def workers_start(
    *, count: int, pool: str, notify_url: str, threads: int = 4, settings_module: str = "bench.settings"
) -> list[Started]:
    env = {"NOTIFY_BASE_URL": notify_url, "DJANGO_SETTINGS_MODULE": settings_module}
    base = [
        sys.executable, "-m", "celery", "-A", "portal", "worker", "--loglevel=WARNING",
        "--without-gossip", "--without-mingle", "--without-heartbeat",
    ]  # fmt: skip
    if pool == "prefork":
        commands = [base + ["--pool=prefork", f"--concurrency={count}", f"--hostname=bench-ingest-0-{os.getpid()}@%h"]]
    elif pool == "threads":
        commands = [
            base + ["--pool=threads", f"--concurrency={threads}", f"--hostname=bench-ingest-{index}-{os.getpid()}@%h"]
            for index in range(count)
        ]
    else:
        commands = [
            base + ["--pool=solo", f"--hostname=bench-ingest-{index}-{os.getpid()}@%h"] for index in range(count)
        ]
    workers = [_start(f"worker-{index}", command, env=env) for index, command in enumerate(commands)]
    # --loglevel=WARNING hides " ready."; wait for the worker to answer a ping instead.
    from portal.celery import app as celery_app

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        for worker in workers:
            worker.check_alive()
        replies = celery_app.control.ping(timeout=0.5) or []
        if len(replies) >= len(workers):
            return workers
        time.sleep(0.3)
    raise RuntimeError(f"the Celery workers did not start; see {workers[0].log_path}")


# ---------------------------------------------------------------------------------------------
# CPU accounting from /proc: which process used the cores during a phase.

_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def _cpu_of(pids: list[int]) -> dict[int, float]:
    cpu = {}
    for pid in pids:
        with contextlib.suppress(OSError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            cpu[pid] = (int(fields[11]) + int(fields[12])) / _CLOCK_TICKS
    return cpu


def _machine_busy_seconds() -> float:
    values = [int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    return (sum(values[:8]) - idle) / _CLOCK_TICKS


class CpuMeter:
    """CPU seconds per component between `start` and `stop` (PostgreSQL: our database's backends only)."""

    def __init__(self, *, groups: dict[str, list[int]]) -> None:
        self.groups = groups

    def _pids(self) -> dict[str, list[int]]:
        pids = {name: [p for root in roots for p in process_tree(root)] for name, roots in self.groups.items()}
        pids["postgresql (this database's backends)"] = _postgres_backends()
        return pids

    def _sample(self) -> dict[str, dict[int, float]]:
        sample = {name: _cpu_of(pids) for name, pids in self._pids().items()}
        usage = resource.getrusage(resource.RUSAGE_SELF)
        sample["benchmark client (this process)"] = {0: usage.ru_utime + usage.ru_stime}
        sample["whole machine"] = {0: _machine_busy_seconds()}
        return sample

    def start(self) -> None:
        self.before = self._sample()
        self.started = time.monotonic()

    def stop(self) -> dict:
        after = self._sample()
        wall = time.monotonic() - self.started
        seconds = {}
        for name, pids in after.items():
            # A process that appeared during the phase counts from zero.
            seconds[name] = sum(value - self.before.get(name, {}).get(pid, 0.0) for pid, value in pids.items())
        ours = sum(value for name, value in seconds.items() if name != "whole machine")
        seconds["others on the machine"] = max(seconds["whole machine"] - ours, 0.0)
        return {
            "wall_s": round(wall, 2),
            "cpu_s": {name: round(value, 2) for name, value in seconds.items()},
            "cores_used": {name: round(value / wall, 2) for name, value in seconds.items()},
        }


def _postgres_backends() -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return [row[0] for row in cursor.fetchall()]


# ---------------------------------------------------------------------------------------------
# Load generation.


class EventSource:
    """Stage events moving forward in time, with unique ids, for a fixed set of applications.

    Each application walks its program's stages through STATE_CYCLE, so every event
    is newer than the stage's current state and is applied (and notified). Callers
    that run concurrently get disjoint sets of applications, so their batches never
    reorder one file's events.
    """

    _clock = itertools.count()

    def __init__(self, *, population: Population, numbers: list[str], run_id: str, start: datetime.datetime):
        self.population = population
        self.numbers = numbers
        self.run_id = run_id
        self.start = start
        self.position = 0
        self.steps: dict[str, int] = {}

    def batch(self, size: int) -> list[dict]:
        events = []
        for _ in range(size):
            number = self.numbers[self.position % len(self.numbers)]
            self.position += 1
            step = self.steps.get(number, 0)
            self.steps[number] = step + 1
            stages = self.population.stages[number]
            tick = next(self._clock)  # one millisecond apart, across every source of the run
            events.append(
                {
                    "event_id": f"bench-{self.run_id}-{tick}",
                    "application_number": number,
                    "occurred_at": (self.start + datetime.timedelta(milliseconds=tick)).isoformat(),
                    "kind": "stage",
                    "stage": stages[step // len(STATE_CYCLE) % len(stages)],
                    "state": STATE_CYCLE[step % len(STATE_CYCLE)],
                }
            )
        return events


@dataclass
class Post:
    finished: float  # time.monotonic()
    seconds: float
    status: int
    events: int
    counts: dict[str, int] = field(default_factory=dict)
    error: str = ""


def post_events(*, port: int, token: str, events: list[dict]) -> Post:
    body = json.dumps({"events": events}).encode()
    started = time.monotonic()
    connection_ = HTTPConnection(HOST, port, timeout=60)
    try:
        connection_.request(
            "POST",
            EVENTS_PATH,
            body=body,
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
        )
        response = connection_.getresponse()
        payload = response.read()
        status = response.status
    except OSError as error:
        finished = time.monotonic()
        return Post(finished, finished - started, 0, len(events), error=repr(error))
    finally:
        connection_.close()
    finished = time.monotonic()
    post = Post(finished, finished - started, status, len(events))
    if status == 200:
        post.counts = json.loads(payload)["counts"]
    else:
        post.error = payload[:300].decode("utf-8", "replace")
    return post


def _percentiles(values: list[float]) -> dict[str, float]:
    if not values:
        return {}
    ordered = sorted(values)

    def at(fraction: float) -> float:
        # Nearest rank: the smallest value with at least `fraction` of the values at or below it.
        return ordered[max(0, min(len(ordered) - 1, int(-(-fraction * len(ordered) // 1)) - 1))]

    return {
        "count": len(ordered),
        "p50": at(0.50),
        "p90": at(0.90),
        "p95": at(0.95),
        "p99": at(0.99),
        "max": ordered[-1],
        "mean": statistics.fmean(ordered),
    }


def throughput_phase(
    *, port: int, token: str, population: Population, arguments, run_id: str, start: datetime.datetime
) -> dict:
    """`clients` threads post batches back to back; events/s counted over the measured window only."""
    stop_at = time.monotonic() + arguments.warmup + arguments.duration
    measure_from = stop_at - arguments.duration
    posts: list[Post] = []
    lock = threading.Lock()
    failures: list[str] = []

    def client(index: int) -> None:
        source = EventSource(
            population=population, numbers=population.numbers[index :: arguments.clients], run_id=run_id, start=start
        )
        while time.monotonic() < stop_at:
            post = post_events(port=port, token=token, events=source.batch(arguments.batch))
            with lock:
                posts.append(post)
            if post.status != 200 and len(failures) < 5:
                failures.append(f"HTTP {post.status}: {post.error}")

    threads = [threading.Thread(target=client, args=(index,), daemon=True) for index in range(arguments.clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    window_end = max(post.finished for post in posts)
    measured = [post for post in posts if post.finished >= measure_from]
    ok = [post for post in measured if post.status == 200]
    applied = sum(post.counts.get("applied", 0) for post in ok)
    not_applied = Counter()
    for post in ok:
        for result, count in post.counts.items():
            if result != "applied" and count:
                not_applied[result] += count
    window = window_end - measure_from
    return {
        "clients": arguments.clients,
        "batch": arguments.batch,
        "window_s": round(window, 2),
        "requests": len(measured),
        "requests_failed": len(measured) - len(ok),
        "failures": failures,
        "events_applied": applied,
        "events_not_applied": dict(not_applied),
        "events_per_second": round(applied / window, 1) if window > 0 else 0.0,
        "request_seconds": {key: round(value, 4) for key, value in _percentiles([p.seconds for p in ok]).items()},
        "requests_total_including_warmup": len(posts),
        "events_applied_including_warmup": sum(post.counts.get("applied", 0) for post in posts),
    }


def latency_phase(
    *, port: int, token: str, population: Population, arguments, run_id: str, start, duration: float
) -> dict:
    """One batch every batch/rate seconds, on a fixed schedule (a slow answer does not slow the schedule)."""
    interval = arguments.latency_batch / arguments.rate
    count = int(duration / interval)
    source = EventSource(population=population, numbers=population.numbers, run_id=run_id, start=start)
    batches = [source.batch(arguments.latency_batch) for _ in range(count)]
    posts: list[Post] = []
    lock = threading.Lock()
    senders: list[threading.Thread] = []
    began = time.monotonic()
    for index, batch in enumerate(batches):
        delay = began + index * interval - time.monotonic()
        if delay > 0:
            time.sleep(delay)

        def send(events=batch) -> None:
            post = post_events(port=port, token=token, events=events)
            with lock:
                posts.append(post)

        # A thread per request: the schedule holds even when one answer is slow.
        sender = threading.Thread(target=send, daemon=True)
        sender.start()
        senders.append(sender)
    for sender in senders:
        sender.join()
    elapsed = time.monotonic() - began
    ok = [post for post in posts if post.status == 200]
    applied = sum(post.counts.get("applied", 0) for post in ok)
    return {
        "batch": arguments.latency_batch,
        "target_events_per_second": arguments.rate,
        "sent_events": sum(len(batch) for batch in batches),
        "events_applied": applied,
        "achieved_events_per_second": round(applied / elapsed, 1),
        "requests_failed": len(posts) - len(ok),
        "failures": [f"HTTP {post.status}: {post.error}" for post in posts if post.status != 200][:5],
        "request_seconds": {key: round(value, 4) for key, value in _percentiles([p.seconds for p in ok]).items()},
    }


# ---------------------------------------------------------------------------------------------
# Delivery: what the workers did, and the latency of each message.

OUTGOING = [Channel.EMAIL, Channel.SMS]


def outgoing_states(*, since: datetime.datetime | None = None) -> Counter:
    rows = Notification.objects.filter(channel__in=OUTGOING)
    if since is not None:
        rows = rows.filter(created_at__gte=since)
    return Counter(rows.values_list("state", flat=True))


def backlog_discard(*, broker: redis.Redis) -> dict:
    """After the throughput phase: drop the undelivered backlog so the latency phase starts idle.

    The queued tasks are deleted from Redis and their rows marked failed (this
    database is the benchmark's own; no sweeper runs), so a task a worker already
    holds skips them. Rows a worker is sending right now finish normally.
    """
    queued = broker.llen("celery")
    broker.delete("celery")
    discarded = Notification.objects.filter(channel__in=OUTGOING, state=State.PENDING).update(
        state=State.FAILED, last_error="bench: discarded after the throughput phase"
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        sending = Notification.objects.filter(state=State.SENDING).count()
        if not sending and not broker.llen("celery") and not broker.hlen("unacked"):
            break
        time.sleep(0.2)
    return {"tasks_dropped": queued, "rows_discarded": discarded}


def delivery_capacity(*, seconds: float, meter: "CpuMeter") -> dict:
    """With the API idle and a backlog queued, how many messages/s the workers deliver."""
    sent = Notification.objects.filter(channel__in=OUTGOING, state=State.SENT)
    before = sent.count()
    meter.start()
    time.sleep(seconds)
    cpu = meter.stop()
    delivered = sent.count() - before
    # CPU per message of everything delivery needs, and what two idle cores would allow.
    parts = ["celery workers", "fake GC Notify", "postgresql (this database's backends)", "redis-server (whole server)"]
    cpu_ms = {name: round(cpu["cpu_s"][name] / delivered * 1000, 2) for name in parts} if delivered else {}
    total_ms = sum(cpu_ms.values())
    return {
        "seconds": seconds,
        "delivered": delivered,
        "messages_per_second": round(delivered / seconds, 1),
        "cpu": cpu,
        "cpu_ms_per_message": cpu_ms,
        "cpu_ms_per_message_total": round(total_ms, 2),
    }


def fake_messages(base_url: str) -> list[dict]:
    with urllib.request.urlopen(f"{base_url}/_fake/messages", timeout=60) as response:  # noqa: S310 - loopback
        return json.loads(response.read())["messages"]


def fake_reset(base_url: str) -> None:
    request = urllib.request.Request(f"{base_url}/_fake/reset", data=b"", method="POST")
    with urllib.request.urlopen(request, timeout=30):  # noqa: S310 - loopback
        pass


def drain_wait(*, since: datetime.datetime, timeout: float) -> tuple[float, Counter]:
    """Wait until every outgoing row written since `since` is sent (or failed); return the wait and states."""
    started = time.monotonic()
    while True:
        states = outgoing_states(since=since)
        if not states.get(State.PENDING) and not states.get(State.SENDING):
            return time.monotonic() - started, states
        if time.monotonic() - started > timeout:
            return time.monotonic() - started, states
        time.sleep(0.25)


def _parse_utc(text: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))


def latencies_measure(*, since: datetime.datetime, notify_url: str) -> dict:
    """Per email and SMS row written since `since`: acceptance to arrival at the provider, and to sent_at.

    Both ends are wall-clock UTC on this machine: created_at comes from the web
    worker's clock as it writes the row in the API's transaction, the fake stamps
    each message as it stores it, and sent_at is the Celery worker's clock after the
    provider answered.
    """
    rows = list(
        Notification.objects.filter(channel__in=OUTGOING, created_at__gte=since).values_list(
            "reference", "channel", "state", "created_at", "sent_at"
        )
    )
    arrived = {message["reference"]: _parse_utc(message["created_at"]) for message in fake_messages(notify_url)}
    to_provider: list[float] = []
    to_sent: list[float] = []
    by_channel: dict[str, list[float]] = {}
    missing = 0
    for reference, channel, _state, created_at, sent_at in rows:
        at_provider = arrived.get(str(reference))
        if at_provider is None:
            missing += 1
            continue
        seconds = (at_provider - created_at).total_seconds()
        to_provider.append(seconds)
        by_channel.setdefault(channel, []).append(seconds)
        if sent_at is not None:
            to_sent.append((sent_at - created_at).total_seconds())
    rounded = lambda stats: {key: round(value, 4) for key, value in stats.items()}  # noqa: E731
    return {
        "rows": len(rows),
        "delivered": len(to_provider),
        "not_delivered": missing,
        "acceptance_to_provider_s": rounded(_percentiles(to_provider)),
        "acceptance_to_sent_at_s": rounded(_percentiles(to_sent)),
        "acceptance_to_provider_by_channel_s": {
            channel: rounded(_percentiles(values)) for channel, values in sorted(by_channel.items())
        },
    }


# ---------------------------------------------------------------------------------------------
# In-process profile (--profile): where a batch's time goes, and a delivery's.


class _StatementClock(DatabaseClock):
    """Time every statement and commit on this process's connection, by statement (first 90 characters)."""

    def __init__(self) -> None:
        super().__init__()
        self.by_statement: dict[str, list[float]] = {}

    def record(self, sql: str, elapsed: float) -> None:
        super().record(sql, elapsed)
        entry = self.by_statement.setdefault(" ".join(sql[:90].split()), [0, 0.0])
        entry[0] += 1
        entry[1] += elapsed

    def table(self, *, per: int) -> list[dict]:
        return [
            {"statement": sql, "per_item": round(count / per, 2), "ms_per_item": round(seconds / per * 1000, 2)}
            for sql, (count, seconds) in self.by_statement.items()
        ]


@contextlib.contextmanager
def _steps_timed(clock: _StatementClock, steps: dict[str, tuple[object, str]]):
    """Wrap the named functions for the duration: inclusive wall time and database time of each."""
    totals: dict[str, list[float]] = {label: [0.0, 0.0] for label in steps}
    originals = []
    for label, (owner, name) in steps.items():
        original = getattr(owner, name)
        originals.append((owner, name, original))

        def timed(*args, __original=original, __label=label, **kwargs):
            began, database_before = time.perf_counter(), clock.seconds
            try:
                return __original(*args, **kwargs)
            finally:
                totals[__label][0] += time.perf_counter() - began
                totals[__label][1] += clock.seconds - database_before

        setattr(owner, name, timed)
    try:
        yield totals
    finally:
        for owner, name, original in originals:
            setattr(owner, name, original)


def _backend_cpu_seconds() -> float:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    return _cpu_of([pid]).get(pid, 0.0)


def ingest_profile(*, population: Population, token: str, run_id: str, start, batches: int = 40) -> dict:
    """Batches of 100 through the real view in this process: steps, statements, CPU, and a cProfile."""
    from django.db.models.query import QuerySet

    import notifications.dispatch
    import notifications.outbox
    import status_tracker.api.events
    import status_tracker.ingest
    import status_tracker.news

    client = Client(HTTP_HOST="127.0.0.1")
    source = EventSource(population=population, numbers=population.numbers, run_id=run_id + "p", start=start)

    def post() -> None:
        response = client.post(
            EVENTS_PATH,
            {"events": source.batch(100)},
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {token}",
        )
        if response.status_code != 200 or response.json()["counts"]["applied"] != 100:
            raise RuntimeError(f"in-process ingest answered {response.status_code}: {response.content[:300]!r}")

    for _ in range(3):
        post()  # warm: translations, URL resolver, connection, Celery producer

    # 1. Plain: CPU of this process and of its PostgreSQL backend per batch (steadier than wall time).
    cpu_before, backend_before, began = time.process_time(), _backend_cpu_seconds(), time.perf_counter()
    for _ in range(batches):
        post()
    wall = time.perf_counter() - began
    python_cpu = time.process_time() - cpu_before
    backend_cpu = _backend_cpu_seconds() - backend_before

    # 2. Steps and statements, wall time.
    clock = _StatementClock()
    steps = {
        "validate each item (DRF)": (status_tracker.api.events._EventValidator, "event_from"),
        "events_ingest (transaction, commit)": (status_tracker.api.events, "events_ingest"),
        "  load, reject, reduce, persist, notify": (status_tracker.ingest, "_ingest"),
        "    bulk_create (events, new stage rows)": (QuerySet, "bulk_create"),
        "    rows_update (stage rows, applications)": (status_tracker.ingest, "rows_update"),
        "    outbox_write": (status_tracker.news, "outbox_write"),
        "      outbox _insert_new": (notifications.outbox, "_insert_new"),
        "  delivery_enqueue after commit (Redis)": (notifications.dispatch, "delivery_enqueue"),
    }
    with clock.installed(), _steps_timed(clock, steps) as totals:
        began = time.perf_counter()
        for _ in range(batches):
            post()
        stepped_wall = time.perf_counter() - began

    # 3. cProfile.
    profiler = cProfile.Profile()
    for _ in range(batches // 2):
        profiler.enable()
        post()
        profiler.disable()
    text = io.StringIO()
    pstats.Stats(profiler, stream=text).sort_stats("tottime").print_stats(25)
    return {
        "batches": batches,
        "ms_per_batch_of_100": round(wall / batches * 1000, 2),
        "events_per_second_one_process": round(100 * batches / wall, 1),
        "cpu_ms_per_batch": {
            "web process (Python)": round(python_cpu / batches * 1000, 2),
            "postgresql backend": round(backend_cpu / batches * 1000, 2),
        },
        "steps_ms_per_batch": {
            "request (total)": {"wall": round(stepped_wall / batches * 1000, 2)},
            **{
                label: {
                    "wall": round(seconds / batches * 1000, 2),
                    "database": round(database / batches * 1000, 2),
                    "python": round((seconds - database) / batches * 1000, 2),
                }
                for label, (seconds, database) in totals.items()
            },
        },
        "statements_per_batch": clock.table(per=batches),
        "top_tottime": text.getvalue(),
    }


def delivery_profile(*, notify_url: str, count: int = 100) -> dict:
    """notification_deliver in this process on `count` email rows, against the running fake."""
    from notifications.services import notification_deliver

    settings.NOTIFY_BASE_URL = notify_url
    ids = list(
        Notification.objects.filter(channel=Channel.EMAIL, state=State.FAILED)
        .order_by("-id")
        .values_list("pk", flat=True)[: 2 * count + 1]
    )
    if len(ids) < 2 * count + 1:
        return {"skipped": "not enough undelivered rows left from the throughput phase"}
    Notification.objects.filter(pk__in=ids).update(state=State.PENDING, attempts=0, next_attempt_at=None, last_error="")
    notification_deliver(notification_id=ids.pop())  # warm
    plain, profiled = ids[:count], ids[count:]
    cpu_before, backend_before, began = time.process_time(), _backend_cpu_seconds(), time.perf_counter()
    clock = _StatementClock()
    outcomes = Counter()
    with clock.installed():
        for notification_id in plain:
            outcomes[notification_deliver(notification_id=notification_id)] += 1
    wall = time.perf_counter() - began
    python_cpu = time.process_time() - cpu_before
    backend_cpu = _backend_cpu_seconds() - backend_before
    profiler = cProfile.Profile()
    for notification_id in profiled:
        profiler.enable()
        outcomes[notification_deliver(notification_id=notification_id)] += 1
        profiler.disable()
    text = io.StringIO()
    pstats.Stats(profiler, stream=text).sort_stats("tottime").print_stats(20)
    return {
        "deliveries": len(plain),
        "outcomes": dict(outcomes),
        "ms_per_delivery": round(wall / len(plain) * 1000, 2),
        "database_ms_per_delivery": round(clock.seconds / len(plain) * 1000, 2),
        "cpu_ms_per_delivery": {
            "worker (Python)": round(python_cpu / len(plain) * 1000, 2),
            "postgresql backend": round(backend_cpu / len(plain) * 1000, 2),
        },
        "statements_per_delivery": clock.table(per=len(plain)),
        "top_tottime": text.getvalue(),
    }


# ---------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    arguments = _arguments(argv)
    servers = [ServerConfig.parse(text) for text in arguments.servers.split(",")]
    load_before = os.getloadavg()
    cores = os.cpu_count() or 1
    print(f"Machine: {cores} cores, load average {load_before[0]:.2f} {load_before[1]:.2f} {load_before[2]:.2f}")
    if load_before[0] > 0.5 * cores:
        print("  warning: other processes are busy; figures will be lower and noisier than on an idle machine")

    database_ensure()
    database_migrate()
    population, created_seconds = population_ensure(count=arguments.applications, sms_every=arguments.sms_every)
    if created_seconds is not None:
        print(f"Created {len(population.numbers):,} linked applications in {created_seconds:.1f} s")
    print(
        f"Database {settings.DATABASES['default']['NAME']}: {len(population.numbers):,} applications, "
        f"each linked to its own account (email on; {population.sms_accounts} also SMS)"
    )
    token = history_reset()
    broker = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3, socket_timeout=10)
    broker.flushdb()
    connection.close()  # never idle in a transaction while the servers work

    run_id = datetime.datetime.now(datetime.UTC).strftime("%Y%m%d%H%M%S")
    # Events start two hours back, a millisecond apart: far from the API's "future" limit.
    events_start = timezone.now() - datetime.timedelta(hours=2)
    results: dict = {
        "started_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "git_commit": git_commit(),
        "machine": {
            "cores": cores,
            "load_average_at_start": [round(v, 2) for v in load_before],
            "python": platform.python_version(),
        },
        "database": {
            "name": settings.DATABASES["default"]["NAME"],
            "applications": len(population.numbers),
            "sms_accounts": population.sms_accounts,
        },
        "redis": REDIS_URL,
        "workers": {
            "processes": arguments.workers,
            "pool": arguments.worker_pool,
            "threads_per_process": arguments.worker_threads if arguments.worker_pool == "threads" else 1,
            "settings": arguments.worker_settings,
        },
        "throughput": [],
    }

    with contextlib.ExitStack() as stack:
        fake, notify_url = fake_notify_start(stack)
        print(f"Fake GC Notify on {notify_url}")
        workers: list[Started] = []

        def workers_up() -> None:
            workers[:] = workers_start(
                count=arguments.workers,
                pool=arguments.worker_pool,
                notify_url=notify_url,
                threads=arguments.worker_threads,
                settings_module=arguments.worker_settings,
            )

        def workers_down() -> None:
            for worker in workers:
                worker.stop()
            workers.clear()

        stack.callback(workers_down)
        if not arguments.pause_workers:
            workers_up()
            print(f"Celery: {_workers_label(arguments)}, broker {REDIS_URL}")

        def meter(server_pid: int) -> CpuMeter:
            return CpuMeter(
                groups={
                    "gunicorn": [server_pid],
                    "celery workers": [worker.process.pid for worker in workers],
                    "fake GC Notify": [fake.process.pid],
                    "redis-server (whole server)": _redis_pids(),
                }
            )

        for index, server in enumerate(servers):
            last = index == len(servers) - 1
            log_path = RESULTS_DIR / f"ingest-gunicorn-{server.label.replace(':', '-')}.log"
            print(
                f"\nThroughput with gunicorn {server.label}: {arguments.clients} clients, batches of {arguments.batch}, "
                f"{arguments.warmup:g} s warm-up + {arguments.duration:g} s"
            )
            with gunicorn_running(
                config=server,
                env={"BENCH_BARE_APPLICATION_ID": "1"},
                log_path=log_path,
            ) as running:
                port = int(running.base_url.rsplit(":", 1)[1])
                preflight = post_events(port=port, token="not-a-token", events=[])
                if preflight.status != 401:
                    raise RuntimeError(f"an unknown token answered {preflight.status}, not 401: {preflight.error}")
                cpu = meter(running.pid)
                since = timezone.now()
                cpu.start()
                throughput = throughput_phase(
                    port=port,
                    token=token,
                    population=population,
                    arguments=arguments,
                    run_id=run_id,
                    start=events_start,
                )
                throughput["cpu"] = cpu.stop()
                throughput["ingest_cost"] = _ingest_cost(throughput, cores=cores)
                throughput["server"] = server.label
                throughput["workers_running"] = bool(workers)
                states = outgoing_states(since=since)
                throughput["outgoing_rows_written"] = sum(states.values())
                throughput["delivered_during_phase"] = states.get(State.SENT, 0)
                throughput["load_average_after"] = round(os.getloadavg()[0], 2)
                if workers and arguments.capacity_seconds > 0:
                    throughput["delivery_capacity"] = delivery_capacity(
                        seconds=arguments.capacity_seconds, meter=meter(running.pid)
                    )
                throughput["backlog"] = backlog_discard(broker=broker)
                _print_throughput(throughput)
                results["throughput"].append(throughput)
                if throughput["requests_failed"] or throughput["events_applied"] == 0:
                    raise RuntimeError(f"the API failed during the throughput phase: {throughput['failures']}")

                if not last:
                    continue
                since_start = timezone.now()
                if not workers:
                    workers_up()
                    print(f"Celery: {_workers_label(arguments)}, started now")
                if arguments.latency_warmup > 0:
                    latency_phase(
                        port=port,
                        token=token,
                        population=population,
                        arguments=arguments,
                        run_id=run_id + "w",
                        start=events_start,
                        duration=arguments.latency_warmup,
                    )
                    drain_wait(since=since_start, timeout=arguments.drain_timeout)
                fake_reset(notify_url)
                print(
                    f"\nLatency: {arguments.rate:g} events/s in batches of {arguments.latency_batch} "
                    f"for {arguments.latency_duration:g} s; workers: {_workers_label(arguments)}"
                )
                since = timezone.now()
                cpu = meter(running.pid)
                cpu.start()
                latency = latency_phase(
                    port=port,
                    token=token,
                    population=population,
                    arguments=arguments,
                    run_id=run_id,
                    start=events_start,
                    duration=arguments.latency_duration,
                )
                drain_seconds, states = drain_wait(since=since, timeout=arguments.drain_timeout)
                latency["cpu"] = cpu.stop()
                latency["drain_after_last_request_s"] = round(drain_seconds, 2)
                latency["outgoing_states"] = dict(states)
                latency.update(latencies_measure(since=since, notify_url=notify_url))
                latency["load_average_after"] = round(os.getloadavg()[0], 2)
                for worker in workers:
                    worker.check_alive()
                if latency["requests_failed"] or not latency["delivered"]:
                    raise RuntimeError(f"the latency phase broke: {latency['failures'] or 'nothing was delivered'}")
                results["latency"] = latency
                _print_latency(latency)

        if arguments.profile:
            workers_down()  # nothing else competing for the cores while profiling
            print("\nIn-process profile (this process, one core):")
            results["profile"] = {
                "ingest": ingest_profile(population=population, token=token, run_id=run_id, start=events_start),
                "delivery": delivery_profile(notify_url=notify_url),
            }
            _print_profile(results["profile"])

    results["targets"] = _targets(results)
    results["finished_at"] = datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
    broker.flushdb()
    _print_targets(results["targets"])
    arguments.output.parent.mkdir(parents=True, exist_ok=True)
    arguments.output.write_text(json.dumps(results, indent=2, default=str) + "\n")
    shown = arguments.output.relative_to(ROOT) if arguments.output.is_relative_to(ROOT) else arguments.output
    print(f"\nResults written to {shown}")
    return 0


def _ingest_cost(throughput: dict, *, cores: int) -> dict:
    """CPU per applied event of what ingestion needs (not the workers' deliveries), steadier than events/s.

    The ceiling is what the machine's cores would allow if nothing else ran, the
    workers included: a bound, not a measurement.
    """
    events = throughput["events_applied_including_warmup"]
    parts = [
        "gunicorn",
        "postgresql (this database's backends)",
        "redis-server (whole server)",
        "benchmark client (this process)",
    ]
    cpu_ms = {name: round(throughput["cpu"]["cpu_s"][name] / events * 1000, 3) for name in parts} if events else {}
    total_ms = sum(cpu_ms.values())
    return {
        "cpu_ms_per_event": cpu_ms,
        "cpu_ms_per_event_total": round(total_ms, 3),
        "ceiling_events_per_second_all_cores": round(cores * 1000 / total_ms, 0) if total_ms else None,
    }


def _workers_label(arguments) -> str:
    if arguments.worker_pool == "prefork":
        return f"one prefork worker, {arguments.workers} child processes"
    if arguments.worker_pool == "threads":
        return f"{arguments.workers} worker processes of {arguments.worker_threads} threads"
    return f"{arguments.workers} solo worker processes"


def _redis_pids() -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/comm"):
        with contextlib.suppress(OSError):
            if stat.read_text().strip() == "redis-server":
                found.append(int(stat.parent.name))
    return found


def _targets(results: dict) -> list[dict]:
    targets = []
    best = max((run["events_per_second"] for run in results["throughput"]), default=0.0)
    targets.append(
        {
            "name": f"ingestion >= {TARGET_EVENTS_PER_SECOND:,.0f} events/s (batches of 100)",
            "measured": best,
            "passed": best >= TARGET_EVENTS_PER_SECOND,
        }
    )
    latency = results.get("latency")
    if latency:
        p95 = latency["acceptance_to_provider_s"].get("p95", float("inf"))
        complete = latency["not_delivered"] == 0
        targets.append(
            {
                "name": f"p95 acceptance to delivery < {TARGET_P95_SECONDS:g} s at {latency['target_events_per_second']:g} events/s",
                "measured": p95,
                "passed": p95 < TARGET_P95_SECONDS and complete,
                "note": "" if complete else f"{latency['not_delivered']} messages not delivered in time",
            }
        )
    return targets


def _print_throughput(run: dict) -> None:
    request = run["request_seconds"]
    print(
        f"  {run['events_per_second']:,.0f} events/s applied ({run['events_applied']:,} in {run['window_s']} s, "
        f"{run['requests']} requests, {run['requests_failed']} failed); "
        f"request p50 {request.get('p50', 0) * 1000:.0f} ms, p95 {request.get('p95', 0) * 1000:.0f} ms"
    )
    if run["events_not_applied"]:
        print(f"  not applied: {run['events_not_applied']}")
    print(
        f"  outbox: {run['outgoing_rows_written']:,} email/SMS rows written, {run['delivered_during_phase']:,} delivered "
        f"meanwhile; backlog discarded: {run['backlog']['rows_discarded']:,} rows, {run['backlog']['tasks_dropped']:,} tasks"
    )
    _print_cpu(run["cpu"])
    cost = run["ingest_cost"]
    if cost["cpu_ms_per_event"]:
        print(
            f"  ingestion CPU per event {cost['cpu_ms_per_event_total']:.2f} ms ("
            + ", ".join(f"{name} {ms:.2f}" for name, ms in cost["cpu_ms_per_event"].items())
            + f"): at most {cost['ceiling_events_per_second_all_cores']:,.0f} events/s with every core free"
        )
    capacity = run.get("delivery_capacity")
    if capacity:
        print(
            f"  workers alone on the backlog: {capacity['messages_per_second']:g} messages/s "
            f"({capacity['delivered']} in {capacity['seconds']:g} s)"
        )
        _print_cpu(capacity["cpu"])
        if capacity["cpu_ms_per_message"]:
            print(
                f"  CPU per message {capacity['cpu_ms_per_message_total']:.1f} ms: "
                + ", ".join(f"{name} {ms:.1f}" for name, ms in capacity["cpu_ms_per_message"].items())
            )


def _print_latency(run: dict) -> None:
    print(
        f"  sent {run['events_applied']:,} events at {run['achieved_events_per_second']:g}/s; "
        f"{run['delivered']:,} of {run['rows']:,} email/SMS messages reached the provider "
        f"(last {run['drain_after_last_request_s']} s after the last request)"
    )
    for label, key in (
        ("acceptance to provider", "acceptance_to_provider_s"),
        ("acceptance to sent_at", "acceptance_to_sent_at_s"),
    ):
        stats = run[key]
        if stats:
            print(
                f"  {label:<24} p50 {stats['p50']:.3f} s  p95 {stats['p95']:.3f} s  p99 {stats['p99']:.3f} s  "
                f"max {stats['max']:.3f} s"
            )
    request = run["request_seconds"]
    print(f"  API request p50 {request.get('p50', 0) * 1000:.0f} ms, p95 {request.get('p95', 0) * 1000:.0f} ms")
    _print_cpu(run["cpu"])


def _print_cpu(cpu: dict) -> None:
    parts = ", ".join(f"{name} {cores:.2f}" for name, cores in cpu["cores_used"].items())
    print(f"  cores used over {cpu['wall_s']} s: {parts}")


def _print_profile(profile: dict) -> None:
    ingest = profile["ingest"]
    cpu = ingest["cpu_ms_per_batch"]
    print(
        f"  ingest, batch of 100: {ingest['ms_per_batch_of_100']:.1f} ms wall "
        f"({ingest['events_per_second_one_process']:,.0f} events/s in one process); CPU per batch: "
        + ", ".join(f"{name} {ms:.1f} ms" for name, ms in cpu.items())
    )
    print(f"    {'step (inclusive)':<44}{'wall ms':>9}{'db ms':>9}{'python ms':>11}")
    for label, step in ingest["steps_ms_per_batch"].items():
        print(
            f"    {label:<44}{step['wall']:>9.1f}{step.get('database', float('nan')):>9.1f}"
            f"{step.get('python', float('nan')):>11.1f}"
        )
    print(f"    {'statement':<94}{'n':>5}{'ms':>8}")
    for row in ingest["statements_per_batch"]:
        print(f"    {row['statement']:<94}{row['per_item']:>5g}{row['ms_per_item']:>8.2f}")
    print(ingest["top_tottime"])
    delivery = profile["delivery"]
    if "skipped" in delivery:
        print(f"  delivery: skipped ({delivery['skipped']})")
        return
    print(
        f"  delivery, one email: {delivery['ms_per_delivery']:.1f} ms wall, database {delivery['database_ms_per_delivery']:.1f} ms; "
        "CPU: " + ", ".join(f"{name} {ms:.1f} ms" for name, ms in delivery["cpu_ms_per_delivery"].items())
    )
    for row in delivery["statements_per_delivery"]:
        print(f"    {row['statement']:<94}{row['per_item']:>5g}{row['ms_per_item']:>8.2f}")
    print(delivery["top_tottime"])


def _print_targets(targets: list[dict]) -> None:
    print("\nTargets")
    for target in targets:
        note = f"  ({target['note']})" if target.get("note") else ""
        print(f"  {'PASS' if target['passed'] else 'FAIL'}  {target['name']}: {target['measured']:g}{note}")


def _stop_on_sigterm(signum, frame) -> None:
    raise KeyboardInterrupt  # unwinds through the ExitStack that stops every process


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        print("\nInterrupted; every process this run started was stopped.", file=sys.stderr)
        sys.exit(130)
