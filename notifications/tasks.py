"""Celery tasks of the notification side: thin, id-only, idempotent wrappers around services."""

import logging

from celery import shared_task

from notifications.services import digests_create, notification_deliver, notifications_sweep

logger = logging.getLogger(__name__)


# Limits: CHUNK_SIZE deliveries of at most two provider calls each. A row cut off by
# the limit stays SENDING and is swept up after its lease, looked up by reference first.
@shared_task(acks_late=True, soft_time_limit=120, time_limit=150)
def notifications_deliver(*, notification_ids: list[int]) -> dict[str, int]:
    """Deliver each row; one row's unexpected error never stops the others."""
    outcomes: dict[str, int] = {}
    for notification_id in notification_ids:
        try:
            outcome = notification_deliver(notification_id=notification_id)
        except Exception:
            # Left PENDING or SENDING: the sweeper brings it back.
            logger.exception("delivery of notification %s crashed", notification_id)
            outcome = "error"
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    return outcomes


@shared_task(acks_late=True, soft_time_limit=50, time_limit=55)
def notifications_sweep_task() -> int:
    """Every minute: re-enqueue rows that are due for a retry or were abandoned by a worker."""
    return notifications_sweep()


@shared_task(acks_late=True)
def notifications_daily_digest() -> int:
    """Each morning: one digest email per person with held messages. Safe to run twice."""
    return len(digests_create())
