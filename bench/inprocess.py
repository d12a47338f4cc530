"""In-process look at one scenario: queries, database and template time per request, and (on demand) cProfile.

Runs through Django's test client in this process, so it shows where the time
goes without gunicorn or wrk in the way. The figures are per request, warm.
"""

import contextlib
import cProfile
import io
import pstats
import time
from collections.abc import Iterator
from dataclasses import dataclass

from django.conf import settings
from django.db import connection
from django.template.backends.django import Template as DjangoTemplate
from django.test import Client
from django.test.utils import CaptureQueriesContext

from bench.fixture import BenchFixture
from bench.scenarios import Scenario


@dataclass(frozen=True)
class InProcessProfile:
    status: int
    queries: int  # as assertNumQueries counts them, BEGIN and COMMIT included
    total_ms: float
    database_ms: float
    template_ms: float  # rendering only, queries run during rendering excluded
    bytes: int
    query_sql: list[str]

    def as_dict(self) -> dict:
        return {
            "status": self.status,
            "queries": self.queries,
            "total_ms": round(self.total_ms, 2),
            "database_ms": round(self.database_ms, 2),
            "template_ms": round(self.template_ms, 2),
            "other_python_ms": round(self.total_ms - self.database_ms - self.template_ms, 2),
            "bytes": self.bytes,
        }


def _client(*, scenario: Scenario, fixture: BenchFixture) -> Client:
    client = Client(HTTP_HOST="127.0.0.1")
    if scenario.signed_in:
        client.cookies[settings.SESSION_COOKIE_NAME] = fixture.session_keys[0]
    return client


class DatabaseClock:
    """Precise time in the database: every execute, plus commits (fsync of the session write)."""

    def __init__(self) -> None:
        self.seconds = 0.0

    def record(self, sql: str, elapsed: float) -> None:
        self.seconds += elapsed

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.record(sql, time.perf_counter() - started)

    @contextlib.contextmanager
    def installed(self) -> Iterator["DatabaseClock"]:
        original_commit = connection._commit

        def commit():
            started = time.perf_counter()
            try:
                return original_commit()
            finally:
                self.record("COMMIT", time.perf_counter() - started)

        connection._commit = commit
        try:
            with connection.execute_wrapper(self):
                yield self
        finally:
            del connection._commit  # back to the class's method


@contextlib.contextmanager
def _template_render_timed(database: DatabaseClock) -> Iterator[list[float]]:
    """Time the outermost template renders, less the queries run while rendering (lazy querysets)."""
    spans: list[float] = []
    depth = 0
    original = DjangoTemplate.render

    def render(self, context=None, request=None):
        nonlocal depth
        depth += 1
        database_before = database.seconds
        started = time.perf_counter()
        try:
            return original(self, context, request)
        finally:
            depth -= 1
            if depth == 0:
                spans.append(time.perf_counter() - started - (database.seconds - database_before))

    DjangoTemplate.render = render
    try:
        yield spans
    finally:
        DjangoTemplate.render = original


def scenario_profile(*, scenario: Scenario, fixture: BenchFixture, repeat: int = 20) -> InProcessProfile:
    client = _client(scenario=scenario, fixture=fixture)
    path = scenario.path(fixture)
    client.get(path)  # warm: templates compiled, translations loaded, connection open
    total = 0.0
    database = DatabaseClock()
    template = 0.0
    with database.installed():
        for _ in range(repeat):
            with CaptureQueriesContext(connection) as captured, _template_render_timed(database) as spans:
                started = time.perf_counter()
                response = client.get(path)
                total += time.perf_counter() - started
            template += sum(spans)
    return InProcessProfile(
        status=response.status_code,
        queries=len(captured),
        total_ms=total / repeat * 1000,
        database_ms=database.seconds / repeat * 1000,
        template_ms=template / repeat * 1000,
        bytes=len(response.content),
        query_sql=[query["sql"] for query in captured.captured_queries],
    )


def scenario_cprofile(*, scenario: Scenario, fixture: BenchFixture, repeat: int = 200, top: int = 30) -> str:
    """cProfile over `repeat` warm requests, the `top` functions by cumulative time."""
    client = _client(scenario=scenario, fixture=fixture)
    path = scenario.path(fixture)
    client.get(path)
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(repeat):
        client.get(path)
    profiler.disable()
    output = io.StringIO()
    pstats.Stats(profiler, stream=output).sort_stats("cumulative").print_stats(top)
    return output.getvalue()
