"""Celery tasks of the delegations app: thin wrappers, published by name from the beat schedule."""

from celery import shared_task

from delegations.liaison import appointment_reminders_send


@shared_task(acks_late=True)
def liaison_reminders_send() -> dict[str, int]:
    """Send the liaison appointments' 24-hour and 1-hour reminders now due; safe to repeat (each once)."""
    return appointment_reminders_send()
