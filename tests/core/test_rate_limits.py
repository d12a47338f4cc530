"""Per-token rate limits: 429 with Retry-After, per token, exact under parallel requests, and still on without Redis
(with Django's plain Redis cache and with the portal's, core/cache.py)."""

import json
import threading
import uuid

import pytest
from django.db import connection
from django.test import Client

from core.models import CacheFallbackEntry, RateCounter
from core.ratelimit import rate_hit
from status_tracker.api_clients import api_client_create
from status_tracker.models import ApiScope
from tests.factories import ApplicationFactory

READ_BACK = "/api/v1/applications/E800000001/"
REDIS_UP = "redis://127.0.0.1:6379/3"
REDIS_DOWN = "redis://127.0.0.1:1/0"


# Django's plain Redis cache, and the portal's (Redis with a database fallback, core/cache.py).
PLAIN, PORTAL = "django.core.cache.backends.redis.RedisCache", "core.cache.RedisWithDatabaseFallback"
CACHES = [(PLAIN, REDIS_UP), (PLAIN, REDIS_DOWN), (PORTAL, REDIS_UP), (PORTAL, REDIS_DOWN)]
CACHE_IDS = ["redis", "redis-down", "portal-cache", "portal-cache-redis-down"]


def redis_cache(location: str, backend: str = PLAIN) -> dict:
    return {
        "default": {
            "BACKEND": backend,
            "LOCATION": location,
            # A fresh prefix per test: counters of one test never meet another's.
            "KEY_PREFIX": f"rate-test-{uuid.uuid4().hex}",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }


def api(token: str) -> Client:
    return Client(headers={"Authorization": f"Bearer {token}"})


@pytest.fixture
def tokens(db, settings):
    settings.API_RATE_LIMIT_PER_MINUTE = 3
    ApplicationFactory(number="E800000001")
    _first, first = api_client_create(name="first", actor=None, scopes=ApiScope.values)
    _second, second = api_client_create(name="second", actor=None, scopes=ApiScope.values)
    return first, second


@pytest.mark.parametrize(("backend", "cache_location"), CACHES, ids=CACHE_IDS)
def test_the_request_over_the_limit_gets_a_429_problem_with_retry_after(tokens, settings, backend, cache_location):
    settings.CACHES = redis_cache(cache_location, backend)
    first, second = tokens

    answers = [api(first).get(READ_BACK) for _ in range(4)]

    assert [answer.status_code for answer in answers] == [200, 200, 200, 429]
    refused = answers[-1]
    assert refused["Content-Type"].startswith("application/problem+json")
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert refused.json()["status"] == 429
    # Another token has its own allowance.
    assert api(second).get(READ_BACK).status_code == 200
    # Without Redis the count lived in the database; with it, nothing was written there.
    assert RateCounter.objects.exists() is (cache_location == REDIS_DOWN)
    # Never in the portal cache's fallback table, whose increment is not atomic.
    assert not CacheFallbackEntry.objects.filter(cache_key__contains=":rate:").exists()


def test_the_events_endpoint_is_limited_too(tokens):
    first, _second = tokens
    event = {"event_id": "x", "application_number": "E800000001", "kind": "note", "occurred_at": "2026-05-01T10:00:00Z"}

    codes = [
        api(first)
        .post("/api/v1/events/", data=json.dumps({**event, "event_id": f"n-{n}"}), content_type="application/json")
        .status_code
        for n in range(4)
    ]

    assert codes[-1] == 429


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("backend", "cache_location"), CACHES, ids=CACHE_IDS)
def test_parallel_requests_are_counted_exactly(settings, backend, cache_location):
    settings.CACHES = redis_cache(cache_location, backend)
    allowed: list[bool] = []
    barrier = threading.Barrier(20)

    def hit() -> None:
        try:
            barrier.wait()
            allowed.append(rate_hit(scope="test", key="token-1", limit=5, window_seconds=3600).allowed)
        finally:
            connection.close()

    threads = [threading.Thread(target=hit) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(allowed) == [False] * 15 + [True] * 5
