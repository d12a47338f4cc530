"""portal/settings.py reads its environment strictly and fails loudly.

Each case loads the real settings (not settings_test) in a fresh interpreter,
with only the variables the case sets; a developer's .env file is ignored so
the results do not depend on the machine. No database is touched.
"""

import pytest

from tests.settings_probe import PRODUCTION, settings_probe

LONG_SECRET = "test-only-secret-" + "x7Kq2" * 10

REPORT = """
from portal.celery import app

print(json.dumps({
    "DEBUG": settings.DEBUG,
    "ENGINE": settings.DATABASES["default"]["ENGINE"],
    "NAME": str(settings.DATABASES["default"]["NAME"]),
    "CELERY_TASK_ALWAYS_EAGER": settings.CELERY_TASK_ALWAYS_EAGER,
    "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
    "celery_broker_url": app.conf.broker_url,
    "celery_task_always_eager": app.conf.task_always_eager,
    "CACHE_BACKEND": settings.CACHES["default"]["BACKEND"],
    "CACHE_LOCATION": settings.CACHES["default"].get("LOCATION", ""),
}))
"""


def load_settings(**variables: str) -> dict:
    return settings_probe(REPORT, **variables)


def test_production_is_the_default_and_names_everything_it_is_missing():
    loaded = load_settings()
    assert loaded.get("error") == "ImproperlyConfigured"
    for name in PRODUCTION:
        if name != "DJANGO_DEBUG":
            assert name in loaded["message"]


@pytest.mark.parametrize("name", [name for name in PRODUCTION if name != "DJANGO_DEBUG"])
def test_production_refuses_to_start_without_each_secret_and_address(name):
    loaded = load_settings(**{key: value for key, value in PRODUCTION.items() if key != name})
    assert loaded.get("error") == "ImproperlyConfigured"
    named = loaded["message"].split("not set: ", 1)[1].split(". ", 1)[0].split(", ")
    assert named == [name]


def test_production_with_everything_set_starts():
    loaded = load_settings(**PRODUCTION)
    assert "error" not in loaded
    assert loaded["DEBUG"] is False


def test_development_is_the_explicit_opt_in_and_embeds_everything():
    loaded = load_settings(DJANGO_DEBUG="true")
    assert loaded["DEBUG"] is True
    assert loaded["ENGINE"] == "django.db.backends.sqlite3"
    assert loaded["NAME"].endswith("db.sqlite3")
    # Without REDIS_URL, Celery tasks run in process.
    assert loaded["CELERY_TASK_ALWAYS_EAGER"] is True
    assert loaded["CELERY_BROKER_URL"] == "memory://"
    assert loaded["celery_task_always_eager"] is True
    # and the cache lives in local memory.
    assert loaded["CACHE_BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"


@pytest.mark.parametrize("value", ["maybe", "2"])
def test_a_malformed_debug_flag_stops_start_up(value):
    # With a secret key set, the only thing wrong is the flag: it must not be
    # silently read as "false" (or "true").
    loaded = load_settings(**{**PRODUCTION, "DJANGO_DEBUG": value})
    assert "error" in loaded, f"DJANGO_DEBUG={value!r} was accepted as DEBUG={loaded.get('DEBUG')}"
    assert "DJANGO_DEBUG" in loaded["message"]


def test_debug_accepts_1_and_0():
    assert load_settings(DJANGO_DEBUG="1")["DEBUG"] is True
    assert load_settings(**{**PRODUCTION, "DJANGO_DEBUG": "0"})["DEBUG"] is False


def test_database_url_selects_postgresql():
    loaded = load_settings(DJANGO_DEBUG="true", DATABASE_URL="postgres://portal:secret@db.internal:5432/portal")
    assert loaded["ENGINE"] == "django.db.backends.postgresql"
    assert loaded["NAME"] == "portal"


def test_redis_url_sends_tasks_to_the_broker():
    url = "redis://redis.internal:6379/3"
    loaded = load_settings(DJANGO_DEBUG="true", REDIS_URL=url)
    assert loaded["CELERY_TASK_ALWAYS_EAGER"] is False
    assert loaded["CELERY_BROKER_URL"] == url
    assert loaded["celery_broker_url"] == url
    assert loaded["celery_task_always_eager"] is False


def test_the_cache_gets_the_next_redis_database_of_the_broker_by_default():
    loaded = load_settings(DJANGO_DEBUG="true", REDIS_URL="redis://redis.internal:6379/0")
    assert loaded["CELERY_BROKER_URL"] == "redis://redis.internal:6379/0"
    # Redis first, the database when Redis is down (core/cache.py).
    assert loaded["CACHE_BACKEND"] == "core.cache.RedisWithDatabaseFallback"
    assert loaded["CACHE_LOCATION"] == "redis://redis.internal:6379/1"


@pytest.mark.parametrize(
    ("broker", "cache"),
    [
        ("redis://redis.internal:6379", "redis://redis.internal:6379/1"),
        ("redis://:secret@redis.internal:6379/15", "redis://:secret@redis.internal:6379/0"),
        (
            "rediss://redis.internal:6380/4?ssl_cert_reqs=required",
            "rediss://redis.internal:6380/5?ssl_cert_reqs=required",
        ),
        ("unix:///run/redis.sock?db=2", "unix:///run/redis.sock?db=3"),
    ],
)
def test_the_default_cache_database_keeps_the_rest_of_the_broker_address(broker, cache):
    assert load_settings(DJANGO_DEBUG="true", REDIS_URL=broker)["CACHE_LOCATION"] == cache


def test_cache_redis_url_gives_the_cache_a_server_of_its_own():
    loaded = load_settings(**{**PRODUCTION, "CACHE_REDIS_URL": "redis://cache.internal:6379/0"})
    assert loaded["CACHE_LOCATION"] == "redis://cache.internal:6379/0"
    assert loaded["CELERY_BROKER_URL"] == "redis://redis.internal:6379/0"


def test_the_cache_may_not_share_the_brokers_database():
    loaded = load_settings(**{**PRODUCTION, "CACHE_REDIS_URL": PRODUCTION["REDIS_URL"]})
    assert loaded.get("error") == "ImproperlyConfigured"
    assert "CACHE_REDIS_URL" in loaded["message"]
