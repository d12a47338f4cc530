"""Retention: an enquiry's attachments are deleted DOCUMENT_RETENTION_DAYS after it closed; the row remembers."""

import datetime

import pytest
from django.conf import settings
from django.utils import timezone

from core.models import AuditAction, AuditEvent
from enquiries.documents import documents_purge_expired
from enquiries.models import Document, TicketState
from enquiries.services import ticket_transition
from enquiries.tasks import documents_retention_daily
from enquiries.uploads import documents_save
from tests.enquiries.documents_support import checked, jpeg_bytes, pdf_bytes, stored_files, use_documents_root
from tests.enquiries.factories import make_ticket

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def documents_root(settings, tmp_path):
    settings.DOCUMENT_RETENTION_DAYS = 90
    return use_documents_root(settings, tmp_path / "documents")


def attachment(*, account, application=None, closed_days_ago: int | None, name: str = "a.pdf"):
    ticket = make_ticket(account=account, application=application)
    (document,) = documents_save(
        checked=checked((name, pdf_bytes(pages=len(name)))), uploaded_by=account, ticket=ticket
    )
    if closed_days_ago is not None:
        ticket_transition(
            ticket=ticket,
            to_state=TicketState.CLOSED,
            now=timezone.now() - datetime.timedelta(days=closed_days_ago),
        )
    return document


def test_attachments_of_enquiries_closed_long_enough_ago_are_deleted_and_the_rows_kept(
    applicant, applicant_application, documents_root
):
    old = attachment(account=applicant, application=applicant_application, closed_days_ago=91, name="old.pdf")
    recent = attachment(account=applicant, closed_days_ago=89, name="recent.pdf")
    still_open = attachment(account=applicant, closed_days_ago=None, name="open.pdf")
    (for_request,) = documents_save(
        checked=checked(("request.jpg", jpeg_bytes())), uploaded_by=applicant, application=applicant_application
    )
    old_path = documents_root / old.file.name

    assert documents_purge_expired() == 1

    old.refresh_from_db()
    assert not old_path.exists()
    assert old.file.name == ""
    assert old.deleted_at is not None
    assert old.deleted_reason.startswith("Retention: the enquiry was closed on ")
    assert f"kept {settings.DOCUMENT_RETENTION_DAYS} days" in old.deleted_reason
    assert (old.original_name, old.sha256) != ("", "")  # what it was stays on record
    for kept in (recent, still_open, for_request):
        kept.refresh_from_db()
        assert kept.deleted_at is None
        assert (documents_root / kept.file.name).exists()
    assert len(stored_files(documents_root)) == 3

    event = AuditEvent.objects.get(action=AuditAction.DOCUMENT_DELETED)
    assert (event.subject_id, event.case_number, event.basis) == (
        str(old.pk),
        applicant_application.number,
        "retention",
    )
    assert event.extra["reference"] == old.ticket.reference


def test_running_it_again_deletes_and_records_nothing_more(applicant):
    attachment(account=applicant, closed_days_ago=200)
    assert documents_purge_expired() == 1
    assert documents_purge_expired() == 0
    assert AuditEvent.objects.filter(action=AuditAction.DOCUMENT_DELETED).count() == 1


def test_the_cut_off_moves_with_now_and_the_setting(applicant, settings):
    document = attachment(account=applicant, closed_days_ago=10)
    assert documents_purge_expired() == 0
    settings.DOCUMENT_RETENTION_DAYS = 5
    assert documents_purge_expired(now=timezone.now() - datetime.timedelta(days=6)) == 0
    assert documents_purge_expired() == 1
    document.refresh_from_db()
    assert document.deleted_at is not None


def test_a_file_already_missing_from_the_store_is_still_marked_deleted(applicant, documents_root):
    document = attachment(account=applicant, closed_days_ago=100)
    (documents_root / document.file.name).unlink()
    assert documents_purge_expired() == 1
    assert Document.objects.get(pk=document.pk).deleted_at is not None


def test_a_reopened_enquiry_keeps_its_attachments(applicant):
    document = attachment(account=applicant, closed_days_ago=100)
    ticket = document.ticket
    ticket.refresh_from_db()
    ticket_transition(ticket=ticket, to_state=TicketState.OPEN)
    assert documents_purge_expired() == 0


def test_the_daily_task_runs_the_purge_and_the_sweep(applicant):
    attachment(account=applicant, closed_days_ago=100)
    assert documents_retention_daily.apply().get() == {"expired": 1, "orphans": 0}


def test_the_daily_task_is_in_the_beat_schedule():
    entries = [entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()]
    assert "enquiries.tasks.documents_retention_daily" in entries
