"""Celery tasks of the status tracker: thin wrappers around services."""

from celery import shared_task
from django.utils import timezone

from status_tracker.alerts import overdue_alerts_create
from status_tracker.processing_times import processing_times_snapshot


@shared_task(acks_late=True)
def processing_times_nightly() -> int:
    """Recompute today's processing-time snapshots; safe to repeat (a rerun replaces the day's rows)."""
    return processing_times_snapshot(as_of=timezone.localdate())


@shared_task(acks_late=True)
def overdue_alerts_daily() -> int:
    """Tell clients whose file just passed normal processing time; safe to repeat (each is told once)."""
    return overdue_alerts_create(as_of=timezone.localdate())


@shared_task(acks_late=True)
def idempotency_records_purge() -> int:
    """Forget Idempotency-Key answers older than a day; upstream retries long before that."""
    from core.api.idempotency import idempotency_records_purge as purge

    return purge()
