"""Celery tasks of the status tracker: thin wrappers around services."""

from celery import shared_task


@shared_task(acks_late=True)
def idempotency_records_purge() -> int:
    """Forget Idempotency-Key answers older than a day; upstream retries long before that."""
    from core.api.idempotency import idempotency_records_purge as purge

    return purge()
