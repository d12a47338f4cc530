"""Celery tasks of the enquiries app: thin wrappers, published by name from the beat schedule."""

from celery import shared_task

from enquiries.alerts import tickets_alert_due, tickets_close_quiet
from enquiries.documents import documents_orphans_delete, documents_purge_expired
from enquiries.performance import service_snapshots_compute
from enquiries.submission import tickets_unconfirmed_delete


@shared_task(acks_late=True)
def documents_retention_daily() -> dict[str, int]:
    """Delete the files of enquiries closed long enough ago, and files no document names; safe to repeat."""
    return {"expired": documents_purge_expired(), "orphans": documents_orphans_delete()}


@shared_task(acks_late=True)
def enquiries_alert_due() -> int:
    """Warn agents and supervisors about tickets at risk or past due; safe to repeat (each once per kind)."""
    return tickets_alert_due()


@shared_task(acks_late=True)
def enquiries_close_quiet() -> int:
    """Close answered tickets the client left quiet; safe to repeat (a closed ticket is no longer a candidate)."""
    return tickets_close_quiet()


@shared_task(acks_late=True)
def service_performance_nightly() -> int:
    """Recompute today's service figures; safe to repeat (a rerun replaces the day's rows)."""
    return service_snapshots_compute()


@shared_task(acks_late=True)
def enquiries_unconfirmed_delete() -> int:
    """Remove guest enquiries never confirmed before their link expired; safe to repeat."""
    return tickets_unconfirmed_delete()
