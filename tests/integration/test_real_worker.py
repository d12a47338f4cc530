"""Events in through the API, messages out through real Celery worker processes and real Redis.

Nothing here is mocked but GC Notify, which is the local fake served over HTTP.
The worker processes read the test database (these tests commit), take tasks from
Redis and call the fake; the tests then count what the fake received.
"""

import datetime
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import pytest
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from notifications.models import Channel, Notification, NotificationPreference, State
from notifications.services import notifications_sweep
from status_tracker.api_clients import api_client_create
from status_tracker.models import ApiScope, StatusEvent
from tests.factories import ApplicationFactory, UserFactory, link
from tests.integration.conftest import celery_publishing_to, free_port, redis_server
from tests.notifications_support import running_fake_notify

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
# A short claim lease so that a killed worker's rows are taken over within seconds.
LEASE_SECONDS = 3


class Worker:
    """`celery -A portal worker` in its own process group, killable like a real one."""

    def __init__(self, *, broker_url: str, notify_url: str, concurrency: int = 2) -> None:
        settings = connection.settings_dict
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "portal.settings",
            "DJANGO_DEBUG": "true",
            "DATABASE_URL": f"postgres://{settings['USER']}@{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}/{settings['NAME']}",
            "REDIS_URL": broker_url,
            "CACHE_KEY_PREFIX": f"worker-test-{os.getpid()}",
            "NOTIFY_BASE_URL": notify_url,
            "NOTIFICATION_CLAIM_LEASE_SECONDS": str(LEASE_SECONDS),
        }
        handle, name = tempfile.mkstemp(prefix="celery-worker-test-", suffix=".log")
        os.close(handle)
        self.log_path = Path(name)
        self.log = self.log_path.open("wb")
        self.process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "portal",
                "worker",
                "--loglevel=INFO",
                f"--concurrency={concurrency}",
                "--pool=prefork",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                f"--hostname=test-{time.monotonic_ns()}@%h",
            ],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self._wait_ready()

    def _wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the worker exited early:\n{self.log_path.read_text()[-3000:]}")
            if b" ready." in self.log_path.read_bytes():
                return
            time.sleep(0.2)
        raise RuntimeError(f"the worker did not start:\n{self.log_path.read_text()[-3000:]}")

    def kill(self) -> None:
        """SIGKILL the whole process group: the main process and its pool children, no clean-up."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)
        self.log.close()

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        self.log.close()


def linked_population(*, applications: int, sms_every: int = 3) -> list:
    """Applications each linked to their own account; every third account also wants SMS."""
    created = []
    for index in range(applications):
        user = UserFactory()
        application = ApplicationFactory()
        link(user=user, application=application)
        if index % sms_every == 0:
            NotificationPreference.objects.create(
                user=user,
                phone_number=f"+1613555{index:04d}",
                sms_status_change=True,
                sms_action_required=True,
                sms_decision=True,
            )
        created.append(application)
    return created


def event_batches(*, applications: list, per_application: int, batch_size: int = 100) -> list[list[dict]]:
    """Stage events moving forward in time for each application, in batches for the API."""
    program_stages = list(
        applications[0].program.stages.order_by("program_stages__position").values_list("code", flat=True)
    )
    start = timezone.now() - datetime.timedelta(days=per_application + 1)
    events = []
    for application in applications:
        for index in range(per_application):
            events.append(
                {
                    "event_id": f"{application.number}-{index}",
                    "application_number": application.number,
                    "occurred_at": (start + datetime.timedelta(days=index)).isoformat(),
                    "kind": "stage",
                    "stage": program_stages[index // 2 % len(program_stages)],
                    "state": "in_progress" if index % 2 == 0 else "completed",
                }
            )
    return [events[i : i + batch_size] for i in range(0, len(events), batch_size)]


def post_batches(client, token: str, batches: list[list[dict]]) -> None:
    for batch in batches:
        response = client.post(
            "/api/v1/events/", {"events": batch}, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}"
        )
        assert response.status_code == 200, response.content[:500]
        assert response.json()["counts"]["applied"] == len(batch)


def outgoing() -> Counter:
    """Email and SMS rows by state."""
    return Counter(
        Notification.objects.filter(channel__in=[Channel.EMAIL, Channel.SMS]).values_list("state", flat=True)
    )


def wait_until_all_sent(*, timeout: float, sweep_every: float | None = None) -> Counter:
    deadline = time.monotonic() + timeout
    last_sweep = time.monotonic()
    while time.monotonic() < deadline:
        states = outgoing()
        if states and set(states) == {State.SENT}:
            return states
        if sweep_every is not None and time.monotonic() - last_sweep >= sweep_every:
            notifications_sweep(now=timezone.now() + datetime.timedelta(minutes=1))
            last_sweep = time.monotonic()
        time.sleep(0.25)
    raise AssertionError(f"not everything was delivered in {timeout} s: {dict(outgoing())}")


def assert_each_row_delivered_once(store) -> None:
    """One message at the fake per outgoing row, and per (event, recipient, channel)."""
    messages = store.messages()
    by_reference = Counter(message["reference"] for message in messages)
    assert by_reference and max(by_reference.values()) == 1, "a reference reached the provider twice"
    rows = list(
        Notification.objects.filter(channel__in=[Channel.EMAIL, Channel.SMS]).values_list(
            "reference", "dedupe_key", "recipient_id", "channel", "provider_id"
        )
    )
    assert {str(reference) for reference, *_ in rows} == set(by_reference)
    assert len({(event, recipient, channel) for _, event, recipient, channel, _ in rows}) == len(rows)
    ids_at_fake = {message["reference"]: message["id"] for message in messages}
    assert all(ids_at_fake[str(reference)] == provider_id for reference, *_rest, provider_id in rows)


@pytest.fixture
def api_token(db):
    _client, token = api_client_create(name="Case processing system", actor=None, scopes=ApiScope.values)
    return token


def test_a_thousand_events_give_exactly_one_message_per_event_recipient_and_channel(client, api_token):
    applications = linked_population(applications=100)
    batches = event_batches(applications=applications, per_application=10)
    with (
        running_fake_notify() as (notify_url, store),
        redis_server(port=6379, database=11) as broker_url,
        celery_publishing_to(broker_url),
    ):
        worker = Worker(broker_url=broker_url, notify_url=notify_url)
        try:
            post_batches(client, api_token, batches)
            assert StatusEvent.objects.count() == 1000
            states = wait_until_all_sent(timeout=180)
        finally:
            worker.stop()
    # 100 accounts with email, 34 of them with SMS too, each told of its 10 events.
    assert states[State.SENT] == 1000 + 340
    assert Notification.objects.filter(channel=Channel.IN_APP).count() == 1000
    assert_each_row_delivered_once(store)
    assert len(store.messages()) == 1340


def test_a_worker_killed_mid_delivery_loses_nothing_and_sends_nothing_twice(client, api_token):
    applications = linked_population(applications=20, sms_every=2)
    batches = event_batches(applications=applications, per_application=10)
    with (
        running_fake_notify() as (notify_url, store),
        redis_server(port=6379, database=12) as broker_url,
        celery_publishing_to(broker_url),
        override_settings(NOTIFICATION_CLAIM_LEASE_SECONDS=LEASE_SECONDS),
    ):
        # Each send takes 50 ms, so the kill lands while messages are on their way.
        store.fail_next(status=201, count=10_000, delay=0.05)
        worker = Worker(broker_url=broker_url, notify_url=notify_url)
        post_batches(client, api_token, batches)
        total = sum(outgoing().values())
        deadline = time.monotonic() + 60
        while len(store.messages()) < total // 4 and time.monotonic() < deadline:
            time.sleep(0.05)
        worker.kill()
        delivered_before_kill = len(store.messages())
        assert 0 < delivered_before_kill < total, "the kill should land in the middle of delivery"
        in_flight = outgoing()[State.SENDING]

        replacement = Worker(broker_url=broker_url, notify_url=notify_url)
        try:
            # The killed worker's tasks sit unacknowledged in Redis; the sweeper hands
            # their rows to the new worker once the claim lease has run out.
            states = wait_until_all_sent(timeout=180, sweep_every=LEASE_SECONDS + 1)
        finally:
            replacement.stop()
    assert states[State.SENT] == total
    assert_each_row_delivered_once(store)
    print(f"killed with {delivered_before_kill}/{total} delivered and {in_flight} in flight")


def test_with_redis_down_the_api_answers_and_every_message_goes_out_once_it_is_back(client, api_token):
    applications = linked_population(applications=20)
    batches = event_batches(applications=applications, per_application=10, batch_size=50)
    port = free_port()
    with running_fake_notify() as (notify_url, store):
        with redis_server(port=port) as broker_url, celery_publishing_to(broker_url) as redis_control:
            worker = Worker(broker_url=broker_url, notify_url=notify_url)
            try:
                post_batches(client, api_token, batches[:1])
                redis_control.stop()
                started = time.monotonic()
                post_batches(client, api_token, batches[1:])
                seconds_while_down = time.monotonic() - started
                assert StatusEvent.objects.count() == 200
                assert outgoing()[State.PENDING] > 0
                redis_control.start()
                states = wait_until_all_sent(timeout=180, sweep_every=2)
            finally:
                worker.stop()
    assert states[State.SENT] == 200 + 70
    assert_each_row_delivered_once(store)
    # The API never waited on the dead broker for long: 3 batches in well under the socket time-outs.
    assert seconds_while_down < 15
