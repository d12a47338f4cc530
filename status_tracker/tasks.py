"""Celery tasks of the status tracker: thin wrappers around services."""

from celery import shared_task
from django.utils import timezone

from status_tracker.processing_times import processing_times_snapshot


@shared_task(acks_late=True)
def processing_times_nightly() -> int:
    """Recompute today's processing-time snapshots; safe to repeat (a rerun replaces the day's rows)."""
    return processing_times_snapshot(as_of=timezone.localdate())
