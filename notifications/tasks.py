"""Celery tasks of the notification side: thin, id-only, idempotent wrappers around services."""

import logging

from celery import shared_task

from notifications.services import digests_create, notifications_deliver_many, notifications_sweep

logger = logging.getLogger(__name__)


# Limits: CHUNK_SIZE deliveries of at most two provider calls each. A row cut off by
# the limit stays SENDING and is swept up after its lease, looked up by reference first.
@shared_task(acks_late=True, soft_time_limit=120, time_limit=150)
def notifications_deliver(*, notification_ids: list[int]) -> dict[str, int]:
    """Deliver each row; one row's unexpected error never stops the others."""
    return notifications_deliver_many(notification_ids=notification_ids)


@shared_task(acks_late=True, soft_time_limit=50, time_limit=55)
def notifications_sweep_task() -> int:
    """Every minute: re-enqueue rows that are due for a retry or were abandoned by a worker."""
    return notifications_sweep()


@shared_task(acks_late=True)
def notifications_daily_digest() -> int:
    """Each morning: one digest email per person with held messages. Safe to run twice."""
    return len(digests_create())
