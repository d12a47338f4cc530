"""core.cache: Redis when it answers, the database table when it does not, and never an error for a miss."""

import datetime
import uuid

import pytest
import redis
from django.core.cache import caches

from core import cache as core_cache
from core.cache import CacheUnavailable, RedisWithDatabaseFallback
from core.models import CacheFallbackEntry

REDIS_UP = "redis://127.0.0.1:6379/3"
REDIS_DOWN = "redis://127.0.0.1:1/0"

pytestmark = pytest.mark.django_db


def fallback_cache(location: str, **options) -> dict:
    return {
        "default": {
            "BACKEND": "core.cache.RedisWithDatabaseFallback",
            "LOCATION": location,
            # A fresh prefix per test: keys of one test never meet another's (the database is shared).
            "KEY_PREFIX": f"fallback-test-{uuid.uuid4().hex}",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1, **options},
        }
    }


@pytest.fixture(autouse=True)
def redis_rests_afresh():
    """Each test starts with no memory of an earlier failure."""
    core_cache._resting_until.clear()
    yield
    core_cache._resting_until.clear()


@pytest.fixture
def up(settings):
    try:
        redis.Redis.from_url(REDIS_UP, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("Redis is not answering on 127.0.0.1:6379")
    settings.CACHES = fallback_cache(REDIS_UP)
    return caches["default"]


@pytest.fixture
def down(settings):
    settings.CACHES = fallback_cache(REDIS_DOWN)
    return caches["default"]


def test_with_redis_up_values_live_in_redis_and_the_table_stays_empty(up):
    assert isinstance(up, RedisWithDatabaseFallback)
    up.set("figures", {"p80": 61}, 60)
    assert up.add("lock", True, 10) is True
    assert up.add("lock", True, 10) is False

    assert up.get("figures") == {"p80": 61}
    assert up.primary.get("figures") == {"p80": 61}
    assert not CacheFallbackEntry.objects.exists()
    up.delete_many(["figures", "lock"])


def test_with_redis_down_every_operation_answers_from_the_table(down):
    assert down.get("missing") is None
    assert down.get("missing", "default") == "default"
    down.set("figures", {"p80": 61}, 60)
    down.set_many({"a": 1, "b": 2}, 60)
    assert down.add("lock", True, 10) is True
    assert down.add("lock", True, 10) is False
    assert down.get("figures") == {"p80": 61}
    assert down.get_many(["a", "b", "missing"]) == {"a": 1, "b": 2}
    assert down.has_key("a")
    assert down.incr("a") == 2
    assert down.touch("a", 60)
    assert down.delete("lock") is True
    assert down.get_or_set("computed", lambda: 42, 60) == 42
    down.delete_many(["a", "b"])
    assert down.get("a") is None

    assert CacheFallbackEntry.objects.filter(cache_key__endswith=":figures").exists()
    down.clear()
    assert not CacheFallbackEntry.objects.exists()


def test_an_expired_entry_is_a_miss(down, time_machine):
    time_machine.move_to(datetime.datetime(2026, 11, 22, 12, tzinfo=datetime.UTC), tick=False)
    down.set("short", "lived", 30)
    assert down.get("short") == "lived"
    time_machine.shift(31)
    assert down.get("short") is None


def test_after_a_failure_redis_rests_instead_of_being_tried_on_every_call(down, monkeypatch):
    tried = []
    real_get = down.primary.get

    def counting_get(*args, **kwargs):
        tried.append(args)
        return real_get(*args, **kwargs)

    monkeypatch.setattr(down.primary, "get", counting_get)
    for _ in range(5):
        assert down.get("anything") is None
    assert len(tried) == 1
    assert down.redis_resting()

    # Once the rest is over, Redis is tried again.
    monkeypatch.setattr(core_cache.time, "monotonic", lambda: core_cache._resting_until[REDIS_DOWN] + 1)
    down.get("anything")
    assert len(tried) == 2


def test_the_rest_is_shared_by_every_thread_of_the_process(down):
    import threading

    down.get("anything")
    other: list[bool] = []
    thread = threading.Thread(target=lambda: other.append(caches["default"].redis_resting()))
    thread.start()
    thread.join()
    assert other == [True]


def test_with_redis_down_with_redis_says_it_cannot(down):
    with pytest.raises(CacheUnavailable):
        down.with_redis(lambda store: store.get("x"))
    # Resting now: it does not even try.
    with pytest.raises(CacheUnavailable):
        down.with_redis(lambda store: pytest.fail("Redis was tried while resting"))


def test_with_redis_up_with_redis_reaches_redis(up):
    assert up.with_redis(lambda store: store is up.primary) is True


def test_a_broken_connection_mid_way_falls_back_too(down, monkeypatch):
    def timed_out(*args, **kwargs):
        raise redis.exceptions.TimeoutError("Timeout reading from socket")

    down.fallback.set("figures", "from the table", 60)
    monkeypatch.setattr(down.primary, "get", timed_out)
    assert down.get("figures") == "from the table"


def test_errors_that_are_not_redis_errors_are_not_hidden(down, monkeypatch):
    def bug(*args, **kwargs):
        raise TypeError("a bug")

    monkeypatch.setattr(down.primary, "get", bug)
    with pytest.raises(TypeError):
        down.get("figures")
