"""Fixed-window rate limits that stay on when Redis is away.

`rate_hit` counts one request for (scope, key) in the current window and says whether
it is within the limit, and if not how many seconds until the window ends. It counts
with the cache's atomic add/incr (on Redis itself, not core.cache's database fallback);
if that fails (Redis down), it counts in the database (core.models.RateCounter) with
one conditional UPDATE or INSERT, which is atomic too. A limit is therefore never
silently switched off by an outage.
"""

import datetime
import logging
import math
from dataclasses import dataclass

from django.core.cache import cache
from django.core.cache.backends.base import BaseCache
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from core.models import RateCounter

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RateDecision:
    allowed: bool
    count: int
    retry_after: int  # seconds until the window ends (0 when allowed)


def _window(now: datetime.datetime, seconds: int) -> tuple[datetime.datetime, int]:
    """The start of the window `now` falls in, and the whole seconds left in it (at least 1)."""
    epoch = int(now.timestamp())
    start = epoch - epoch % seconds
    left = max(1, math.ceil(start + seconds - now.timestamp()))
    return datetime.datetime.fromtimestamp(start, tz=datetime.UTC), left


def _count_in_cache(scope: str, key: str, start: datetime.datetime, seconds: int) -> int:
    cache_key = f"rate:{scope}:{key}:{int(start.timestamp())}"

    def count(store: BaseCache) -> int:
        # add() only sets a missing key, so concurrent first requests do not reset each other.
        store.add(cache_key, 0, timeout=seconds + 5)
        return store.incr(cache_key)

    # The portal's cache (core.cache) would fall back to a database cache whose incr is a
    # read then a write: count on Redis itself, and in RateCounter when it is away.
    with_redis = getattr(cache, "with_redis", None)
    return with_redis(count) if with_redis is not None else count(cache)


def _count_in_database(scope: str, key: str, start: datetime.datetime) -> int:
    quote = connection.ops.quote_name
    table, count, scope_column, key_column, start_column = (
        quote(name) for name in (RateCounter._meta.db_table, "count", "scope", "key", "window_start")
    )
    # UPDATE … RETURNING (PostgreSQL, and SQLite since 3.35): the count this request made, atomically.
    increment = (
        f"UPDATE {table} SET {count} = {count} + 1 "  # noqa: S608 (names are constants; values are parameters)
        f"WHERE {scope_column} = %s AND {key_column} = %s AND {start_column} = %s RETURNING {count}"
    )
    params: tuple[str, str, datetime.datetime] = (scope, key, start)
    for _attempt in range(2):
        with connection.cursor() as cursor:
            cursor.execute(increment, params)
            row = cursor.fetchone()
        if row is not None:
            return row[0]
        try:
            with transaction.atomic():
                RateCounter.objects.create(scope=scope, key=key, window_start=start, count=1)
        except IntegrityError:
            continue  # another request created the row first: count in it
        # Windows before this one are over: keep the table to the live ones.
        RateCounter.objects.filter(scope=scope, key=key, window_start__lt=start).delete()
        return 1
    raise RuntimeError("rate counter row vanished twice")


def rate_hit(*, scope: str, key: str, limit: int, window_seconds: int, now=None) -> RateDecision:
    """Count one request of `key` against `limit` per `window_seconds`; the decision."""
    now = now or timezone.now()
    start, left = _window(now, window_seconds)
    try:
        count = _count_in_cache(scope, key, start, window_seconds)
    except Exception:  # any cache failure: Redis refused, timed out, or was flushed mid-way
        logger.warning("rate limit %s: cache unavailable, counting in the database", scope, exc_info=True)
        count = _count_in_database(scope, key, start)
    allowed = count <= limit
    return RateDecision(allowed=allowed, count=count, retry_after=0 if allowed else left)
