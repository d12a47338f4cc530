"""Per-token rate limits for the upstream API: 429 with Retry-After, counted even when Redis is down."""

from django.conf import settings
from rest_framework.throttling import BaseThrottle

from core.ratelimit import rate_hit

WINDOW_SECONDS = 60


class ServiceTokenRateThrottle(BaseThrottle):
    """At most settings.API_RATE_LIMIT_PER_MINUTE requests per service token per minute.

    Requests without a token are not counted here (authentication refuses them first).
    """

    scope = "upstream"

    def __init__(self) -> None:
        self.retry_after = 0

    def allow_request(self, request, view) -> bool:
        client_id = getattr(request.auth, "pk", None)
        if client_id is None:
            return True
        decision = rate_hit(
            scope=self.scope,
            key=str(client_id),
            limit=settings.API_RATE_LIMIT_PER_MINUTE,
            window_seconds=WINDOW_SECONDS,
        )
        self.retry_after = decision.retry_after
        return decision.allowed

    def wait(self) -> float | None:
        return self.retry_after or None
