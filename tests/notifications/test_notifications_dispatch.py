"""Handing ids to Celery: never raises, never hangs, sends ids only."""

import base64
import json
import time

import pytest
import redis

from notifications.dispatch import CHUNK_SIZE, delivery_enqueue
from notifications.models import Notification, State
from notifications.outbox import OutboundMessage, outbox_write
from portal.celery import app

REDIS = "redis://127.0.0.1:6379/14"


@pytest.fixture
def broker_at():
    """Point the Celery app at another broker, for real (not eager), and put it back afterwards."""
    saved = {key: app.conf[key] for key in ("broker_url", "task_always_eager")}

    def point(url: str) -> None:
        app.conf.broker_url = url
        app.conf.task_always_eager = False
        # Drop pooled connections and producers made for the previous broker.
        app._pool = None
        app.amqp._producer_pool = None

    yield point
    app.conf.update(saved)
    app._pool = None
    app.amqp._producer_pool = None


def test_an_unreachable_broker_costs_a_log_line_not_an_error(broker_at, caplog):
    broker_at("redis://127.0.0.1:1/0")
    started = time.monotonic()
    delivery_enqueue(notification_ids=list(range(1, 45)))
    elapsed = time.monotonic() - started
    assert elapsed < 3, f"enqueueing took {elapsed:.1f} s with the broker down"
    assert "the sweeper will retry" in caplog.text
    # One failed publish, not one per chunk: the rest of the ids are not tried against a dead broker.
    assert caplog.text.count("could not enqueue") == 1


def test_an_event_still_commits_its_notifications_when_the_broker_is_down(
    broker_at, applicant, applicant_application, django_capture_on_commit_callbacks
):
    broker_at("redis://127.0.0.1:1/0")
    with django_capture_on_commit_callbacks(execute=True):
        news = OutboundMessage(
            recipient=applicant, kind="status_change", dedupe_key="test:1", application_id=applicant_application.pk
        )
        ids = outbox_write(messages=[news])
    assert ids
    assert set(Notification.objects.filter(pk__in=ids).values_list("state", flat=True)) == {State.PENDING}


def test_tasks_carry_notification_ids_only_in_chunks(broker_at):
    connection = redis.Redis.from_url(REDIS)
    try:
        connection.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("Redis is not answering on 127.0.0.1:6379")
    connection.flushdb()
    broker_at(REDIS)
    try:
        delivery_enqueue(notification_ids=list(range(1, 2 * CHUNK_SIZE + 4)))
        raw = connection.lrange("celery", 0, -1)
        assert len(raw) == 3
        bodies = []
        for item in raw:
            message = json.loads(item)
            assert message["headers"]["task"] == "notifications.tasks.notifications_deliver"
            args, kwargs, _embed = json.loads(base64.b64decode(message["body"]))
            assert args == []
            assert set(kwargs) == {"notification_ids"}
            bodies.append(kwargs["notification_ids"])
        assert sorted(id_ for chunk in bodies for id_ in chunk) == list(range(1, 2 * CHUNK_SIZE + 4))
        assert sorted(len(chunk) for chunk in bodies) == [3, CHUNK_SIZE, CHUNK_SIZE]
    finally:
        connection.flushdb()


def test_with_eager_tasks_publishing_by_name_runs_the_delivery_in_process(monkeypatch):
    """Without Redis (the embedded default) tasks run eagerly: a name must reach the registered task."""
    delivered = []
    monkeypatch.setitem(app.conf, "task_always_eager", True)
    monkeypatch.setattr(
        "notifications.tasks.notifications_deliver_many",
        lambda *, notification_ids: delivered.append(notification_ids) or {},
    )
    delivery_enqueue(notification_ids=[1, 2, 3])
    assert delivered == [[1, 2, 3]]
