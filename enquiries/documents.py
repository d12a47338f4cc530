"""Services that remove documents' files: retention after an enquiry closes, and files no row ever claimed.

Deleting keeps the Document row, with when and why, so the enquiry still shows what
it had; only the bytes go. Both jobs are safe to run again at any time.
"""

import datetime
import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from core.audit import audit_record
from core.models import AuditAction
from enquiries.access import DOCUMENT_SUBJECT
from enquiries.models import Document, TicketState

logger = logging.getLogger(__name__)

RETENTION_ACTOR = "system: document retention"
# A file younger than this may belong to a transaction still open: never taken for an orphan.
ORPHAN_GRACE = datetime.timedelta(hours=1)
ORPHAN_DAYS_LOOKED_AT = 3


def documents_purge_expired(*, now: datetime.datetime | None = None) -> int:
    """Delete the files of enquiries closed more than DOCUMENT_RETENTION_DAYS ago; return how many.

    One document at a time, each locked and re-checked, so two runs at once never
    delete or audit the same file twice; a file already gone from the store is fine.
    """
    now = now or timezone.now()
    days = settings.DOCUMENT_RETENTION_DAYS
    cutoff = now - datetime.timedelta(days=days)
    expired = Document.objects.filter(
        deleted_at__isnull=True, ticket__state=TicketState.CLOSED, ticket__closed_at__lt=cutoff
    )
    deleted = 0
    for pk in list(expired.values_list("pk", flat=True).order_by("pk")):
        with transaction.atomic():
            document = (
                expired.select_for_update(of=("self",), skip_locked=True)
                .select_related("ticket", "application")
                .filter(pk=pk)
                .first()
            )
            if document is None or document.ticket is None:
                continue  # deleted meanwhile, or being deleted by another run
            ticket = document.ticket
            name = document.file.name
            if name:
                document.file.storage.delete(name)
            document.file = ""
            document.deleted_at = now
            document.deleted_reason = (
                f"Retention: the enquiry was closed on {timezone.localdate(ticket.closed_at):%Y-%m-%d}; "
                f"files are kept {days} days after closing."
            )[:200]
            document.save(update_fields=["file", "deleted_at", "deleted_reason"])
            audit_record(
                action=AuditAction.DOCUMENT_DELETED,
                actor_label=RETENTION_ACTOR,
                subject_type=DOCUMENT_SUBJECT,
                subject_id=document.pk,
                case_number=document.application.number if document.application else "",
                basis="retention",
                extra={"reference": ticket.reference, "file": name, "sha256": document.sha256},
            )
            deleted += 1
    return deleted


def documents_orphans_delete(*, now: datetime.datetime | None = None) -> int:
    """Delete stored files that no Document names, from the last few days' folders; return how many.

    They are what a transaction that rolled back after writing its files leaves (for
    example an enquiry whose saving failed after its attachments were written).
    """
    now = now or timezone.now()
    storage = Document._meta.get_field("file").storage
    removed = 0
    for days_ago in range(ORPHAN_DAYS_LOOKED_AT):
        folder = f"documents/{(now - datetime.timedelta(days=days_ago)):%Y/%m/%d}"
        try:
            _folders, files = storage.listdir(folder)
        except FileNotFoundError:
            continue
        names = [f"{folder}/{file}" for file in files]
        known = set(Document.objects.filter(file__in=names).values_list("file", flat=True))
        for name in names:
            if name in known or now - storage.get_modified_time(name) < ORPHAN_GRACE:
                continue
            storage.delete(name)
            logger.info("Deleted document file %s: no document row names it", name)
            removed += 1
    return removed
