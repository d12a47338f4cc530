"""Celery tasks of the enquiries app: thin wrappers, published by name from the beat schedule."""

from celery import shared_task

from enquiries.documents import documents_orphans_delete, documents_purge_expired


@shared_task(acks_late=True)
def documents_retention_daily() -> dict[str, int]:
    """Delete the files of enquiries closed long enough ago, and files no document names; safe to repeat."""
    return {"expired": documents_purge_expired(), "orphans": documents_orphans_delete()}
