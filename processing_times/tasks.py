"""Celery tasks of the processing times: the nightly figures and the morning overdue alerts."""

from celery import shared_task
from django.utils import timezone

from processing_times.alerts import overdue_alerts_create
from processing_times.backtest import backtest_publish
from processing_times.figures import processing_times_snapshot


@shared_task(acks_late=True)
def processing_times_nightly() -> int:
    """Recompute today's processing-time snapshots; safe to repeat (a rerun replaces the day's rows)."""
    return processing_times_snapshot(as_of=timezone.localdate())


@shared_task(acks_late=True)
def overdue_alerts_daily() -> int:
    """Tell clients whose file just passed normal processing time; safe to repeat (each is told once)."""
    return overdue_alerts_create(as_of=timezone.localdate())


@shared_task(acks_late=True)
def estimates_backtest_nightly() -> int:
    """Replay the estimates against the decisions that followed, for the methodology page; safe to repeat."""
    return backtest_publish(as_of=timezone.localdate()).evaluated
