"""The cache backend: Redis first, the database whenever Redis cannot be reached.

Everything that uses Django's cache goes through it, allauth included: its sign-in,
sign-up and password-reset rate limits and its record of used TOTP codes live in the
cache, so with a plain Redis cache a Redis outage answered 500 on those pages. Here
every operation is tried on Redis; if Redis raises (refused, timed out, out of
memory), the same operation runs on Django's DatabaseCache over one table
(`core.CacheFallbackEntry`, created by a migration). A limit therefore keeps counting
through an outage instead of failing or switching off.

After a failure Redis rests for `RETRY_SECONDS` (shared by every thread of the
process): the fallback answers at once instead of each call waiting on a dead socket.
Counts are not carried between the two stores, so a limit can start afresh once when
Redis comes back (or goes away); it is never off.

`incr` on the fallback is a read then a write (DatabaseCache's), not atomic: callers
that need an exact count use `with_redis(operation)`, which runs a callable on Redis
itself and raises CacheUnavailable instead of falling back, and keep their own
fallback (core.ratelimit counts in RateCounter with one atomic UPDATE).

Settings (CACHES["default"]): LOCATION is the Redis URL; KEY_PREFIX, VERSION and
TIMEOUT apply to both stores; OPTIONS are redis-py's connection options, plus
RETRY_SECONDS and FALLBACK_MAX_ENTRIES (rows the table keeps before culling).
"""

import logging
import time
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.cache.backends.base import DEFAULT_TIMEOUT, BaseCache
from django.core.cache.backends.db import DatabaseCache
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

# The fallback's table: core.models.CacheFallbackEntry (migration core 0007) has this name.
FALLBACK_TABLE = "core_cache_fallback"
RETRY_SECONDS = 5.0
# An outage's rate-limit counters and cached answers, well above what one outage writes;
# past it DatabaseCache deletes the expired rows, then a third of the rest.
FALLBACK_MAX_ENTRIES = 100_000

T = TypeVar("T")

# Redis URL -> time.monotonic() until which it is not tried again. Module level, so
# every thread's backend instance (Django makes one per thread) shares what it learnt.
_resting_until: dict[str, float] = {}


class _RedisClientKept(RedisCacheClient):
    """Django's Redis client maker, keeping one redis.Redis per connection pool.

    Django builds a new redis.Redis object (option parsing, a response-callback table) for
    every operation: about 50 µs each, three times on a status page. A redis.Redis over a
    connection pool is safe to share between threads, and the pool is the same anyway.
    """

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        clients = self.__dict__.setdefault("_kept_clients", {})
        client = clients.get(id(pool))
        if client is None:
            client = clients[id(pool)] = self._client(connection_pool=pool)
        return client


class _RedisCache(RedisCache):
    def __init__(self, server, params) -> None:
        super().__init__(server, params)
        self._class = _RedisClientKept


class CacheUnavailable(Exception):
    """Redis is resting after a failure, or has just failed: use your own fallback."""


class RedisWithDatabaseFallback(BaseCache):
    def __init__(self, location: str, params: dict) -> None:
        super().__init__(params)
        options = dict(params.get("OPTIONS") or {})
        self.retry_seconds = float(options.pop("RETRY_SECONDS", RETRY_SECONDS))
        max_entries = int(options.pop("FALLBACK_MAX_ENTRIES", FALLBACK_MAX_ENTRIES))
        shared = {name: params[name] for name in ("TIMEOUT", "KEY_PREFIX", "VERSION", "KEY_FUNCTION") if name in params}
        self.location = location
        self.primary = _RedisCache(location, {**shared, "OPTIONS": options})
        self.fallback = DatabaseCache(FALLBACK_TABLE, {**shared, "OPTIONS": {"MAX_ENTRIES": max_entries}})

    # Redis's state, shared by the process.
    def redis_resting(self) -> bool:
        return time.monotonic() < _resting_until.get(self.location, 0.0)

    def _redis_failed(self, error: Exception) -> None:
        if not self.redis_resting():
            logger.warning("cache: Redis unavailable (%s); using the database for %.0f s", error, self.retry_seconds)
        _resting_until[self.location] = time.monotonic() + self.retry_seconds

    def with_redis(self, operation: Callable[[BaseCache], T]) -> T:
        """`operation(redis_cache)` on Redis itself; CacheUnavailable if Redis is resting or fails now."""
        if self.redis_resting():
            raise CacheUnavailable(self.location)
        try:
            return operation(self.primary)
        except RedisError as error:
            self._redis_failed(error)
            raise CacheUnavailable(self.location) from error

    def _call(self, name: str, *args: Any, **kwargs: Any) -> Any:
        if not self.redis_resting():
            try:
                return getattr(self.primary, name)(*args, **kwargs)
            except RedisError as error:
                self._redis_failed(error)
        return getattr(self.fallback, name)(*args, **kwargs)

    # Django's cache API. get_or_set, decr, incr_version and the async methods are
    # BaseCache's, built on these.
    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("add", key, value, timeout=timeout, version=version)

    def get(self, key, default=None, version=None):
        return self._call("get", key, default=default, version=version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set", key, value, timeout=timeout, version=version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("touch", key, timeout=timeout, version=version)

    def delete(self, key, version=None):
        return self._call("delete", key, version=version)

    def get_many(self, keys, version=None):
        return self._call("get_many", keys, version=version)

    def has_key(self, key, version=None):
        return self._call("has_key", key, version=version)

    def incr(self, key, delta=1, version=None):
        return self._call("incr", key, delta=delta, version=version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set_many", data, timeout=timeout, version=version)

    def delete_many(self, keys, version=None):
        return self._call("delete_many", keys, version=version)

    def clear(self):
        """Empty both stores. On Redis this is FLUSHDB: the cache's own database, never the broker's."""
        if not self.redis_resting():
            try:
                self.primary.clear()
            except RedisError as error:
                self._redis_failed(error)
        self.fallback.clear()

    def close(self, **kwargs):
        self.primary.close(**kwargs)
        self.fallback.close(**kwargs)
