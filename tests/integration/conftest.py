"""Real Redis servers and a Celery app pointed at them, for tests that run worker processes."""

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator

import kombu.pools
import pytest
import redis

from portal.celery import app as celery_app


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class RedisControl:
    """Stops and starts a private redis-server on a fixed port (the shared one is never stopped)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.directory = tempfile.mkdtemp(prefix="redis-test-")
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            pytest.fail(
                "redis-server is not installed: these tests need a Redis they may stop (apt-get install redis-server)"
            )
        self.process = subprocess.Popen(  # noqa: S603 - a fixed local binary
            [
                binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                self.directory,
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis(port=self.port, socket_connect_timeout=1)
        for _attempt in range(100):
            with contextlib.suppress(redis.RedisError):
                if client.ping():
                    return
            time.sleep(0.05)
        raise RuntimeError(f"redis-server did not start on port {self.port}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None


class SharedRedis:
    """The machine's Redis on 6379, one database of it emptied before and after."""

    def __init__(self, database: int) -> None:
        self.client = redis.Redis(port=6379, db=database, socket_connect_timeout=3)

    def flush(self) -> None:
        try:
            self.client.flushdb()
        except redis.ConnectionError:
            pytest.fail("Redis is not running on 127.0.0.1:6379: start it (redis-server --daemonize yes) and rerun")


@contextlib.contextmanager
def redis_server(*, port: int, database: int = 0) -> Iterator[str]:
    """Yield a broker URL: the shared Redis for port 6379 (flushed database), else a private server."""
    if port == 6379:
        shared = SharedRedis(database)
        shared.flush()
        try:
            yield f"redis://127.0.0.1:6379/{database}"
        finally:
            shared.flush()
        return
    control = RedisControl(port)
    control.start()
    _controls[f"redis://127.0.0.1:{port}/{database}"] = control
    try:
        yield f"redis://127.0.0.1:{port}/{database}"
    finally:
        control.stop()
        shutil.rmtree(control.directory, ignore_errors=True)


_controls: dict[str, RedisControl] = {}


def _forget_broker_connections() -> None:
    """Drop the cached connection and producer pools so the next publish connects to the new URL.

    kombu keeps its pools in a process-wide registry keyed by the broker's address: closing one
    without removing it would leave a closed pool behind for the next test that publishes to
    that address (eagerly run tasks acquire a producer too), so the registry is reset as well.
    """
    with contextlib.suppress(Exception):
        kombu.pools.reset()
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@contextlib.contextmanager
def celery_publishing_to(broker_url: str) -> Iterator[RedisControl | None]:
    """Make this process publish tasks to `broker_url` instead of running them eagerly."""
    saved = {key: celery_app.conf[key] for key in ("broker_url", "task_always_eager", "broker_transport_options")}
    celery_app.conf.update(
        broker_url=broker_url,
        task_always_eager=False,
        broker_transport_options={
            **saved["broker_transport_options"],
            "socket_timeout": 2,
            "socket_connect_timeout": 2,
        },
    )
    _forget_broker_connections()
    try:
        yield _controls.get(broker_url)
    finally:
        celery_app.conf.update(saved)
        _forget_broker_connections()


@pytest.fixture(autouse=True)
def _worker_processes_need_a_file_database(settings):
    if "postgresql" not in settings.DATABASES["default"]["ENGINE"]:
        pytest.fail("worker-process tests need PostgreSQL: worker processes cannot see a test's SQLite database")
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(autouse=True)
def reference_data(transactional_db):
    """These tests commit and the database is emptied after each: reload the migrations' programs and stages."""
    from applications.models import Program, ProgramStage, Stage
    from applications.reference_data import reference_data_load

    reference_data_load(stage_model=Stage, program_model=Program, program_stage_model=ProgramStage)
