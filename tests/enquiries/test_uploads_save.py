"""documents_save: every file and row of a submission, or none; a submission sent twice is stored once."""

import datetime
import re
import threading
import uuid

import pytest
import time_machine
from django.core.files.storage import FileSystemStorage
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from enquiries.documents import documents_orphans_delete
from enquiries.models import Document, TicketMessage
from enquiries.uploads import documents_save
from tests.enquiries.documents_support import (
    checked,
    jpeg_bytes,
    pdf_bytes,
    png_bytes,
    stored_files,
    use_documents_root,
)
from tests.enquiries.factories import make_ticket

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def documents_root(settings, tmp_path):
    return use_documents_root(settings, tmp_path / "documents")


def three_files():
    return checked(("a.pdf", pdf_bytes()), ("b.jpg", jpeg_bytes()), ("c.png", png_bytes()))


def test_it_stores_each_file_under_a_random_name_with_what_it_is(applicant, applicant_application, documents_root):
    items = three_files()
    documents = documents_save(checked=items, uploaded_by=applicant, application=applicant_application)

    assert len(documents) == 3
    assert len({document.submission for document in documents}) == 1
    for document, item in zip(documents, items, strict=True):
        document.refresh_from_db()
        assert re.fullmatch(r"documents/\d{4}/\d{2}/\d{2}/[0-9a-f]{32}", document.file.name)
        assert (documents_root / document.file.name).read_bytes() == item.content
        assert (document.original_name, document.content_type, document.size, document.sha256) == (
            item.name,
            item.content_type,
            item.size,
            item.sha256,
        )
        assert document.uploaded_by == applicant
    assert len(stored_files(documents_root)) == 3


def test_a_store_that_fails_midway_leaves_no_row_and_no_file(
    monkeypatch, applicant, applicant_application, documents_root
):
    real_save = FileSystemStorage._save
    calls = []

    def failing_save(self, name, content):
        calls.append(name)
        if len(calls) == 2:
            raise OSError("disk full")
        return real_save(self, name, content)

    monkeypatch.setattr(FileSystemStorage, "_save", failing_save)
    with pytest.raises(OSError):
        documents_save(checked=three_files(), uploaded_by=applicant, application=applicant_application)

    assert Document.objects.count() == 0
    assert stored_files(documents_root) == []


def test_a_database_that_fails_after_the_files_are_written_leaves_no_file(
    monkeypatch, applicant, applicant_application, documents_root
):
    def failing_insert(*args, **kwargs):
        assert len(stored_files(documents_root)) == 3  # the files were written first
        raise DatabaseError("connection lost")

    monkeypatch.setattr(Document.objects, "bulk_create", failing_insert)
    with pytest.raises(DatabaseError):
        documents_save(checked=three_files(), uploaded_by=applicant, application=applicant_application)

    assert Document.objects.count() == 0
    assert stored_files(documents_root) == []


def test_the_same_submission_sent_twice_is_stored_once(applicant, applicant_application, documents_root):
    submission = uuid.uuid4()
    first = documents_save(
        checked=three_files(), uploaded_by=applicant, application=applicant_application, submission=submission
    )
    again = documents_save(
        checked=three_files(), uploaded_by=applicant, application=applicant_application, submission=submission
    )

    assert sorted(document.pk for document in again) == sorted(document.pk for document in first)
    assert Document.objects.count() == 3
    assert len(stored_files(documents_root)) == 3


def test_an_old_form_sent_again_with_other_files_is_a_new_submission(applicant, applicant_application):
    submission = uuid.uuid4()
    documents_save(
        checked=checked(("a.pdf", pdf_bytes())),
        uploaded_by=applicant,
        application=applicant_application,
        submission=submission,
    )
    later = documents_save(
        checked=checked(("b.png", png_bytes())),
        uploaded_by=applicant,
        application=applicant_application,
        submission=submission,
    )

    assert Document.objects.count() == 2
    assert later[0].submission != submission


def test_an_enquiry_attachment_names_the_enquiry_its_message_and_its_application(applicant, applicant_application):
    ticket = make_ticket(account=applicant, application=applicant_application)
    message = ticket.messages.get()
    (document,) = documents_save(
        checked=checked(("a.pdf", pdf_bytes())), uploaded_by=applicant, ticket=ticket, message=message
    )
    document.refresh_from_db()
    assert (document.ticket, document.message, document.application) == (ticket, message, applicant_application)


def test_a_message_of_another_enquiry_is_refused(applicant, applicant_application):
    ticket = make_ticket(account=applicant)
    other = make_ticket(account=applicant)
    with pytest.raises(ValueError, match="message"):
        documents_save(
            checked=checked(("a.pdf", pdf_bytes())),
            uploaded_by=applicant,
            ticket=ticket,
            message=TicketMessage.objects.get(ticket=other),
        )
    with pytest.raises(ValueError, match="belongs"):
        documents_save(checked=checked(("a.pdf", pdf_bytes())), uploaded_by=applicant)


def test_nothing_to_store_stores_nothing(applicant, applicant_application, documents_root):
    assert documents_save(checked=[], uploaded_by=applicant, application=applicant_application) == []
    assert stored_files(documents_root) == []


def test_files_left_by_an_outer_transaction_that_rolled_back_are_swept_after_an_hour(
    applicant, applicant_application, documents_root
):
    kept = documents_save(
        checked=checked(("kept.pdf", pdf_bytes())), uploaded_by=applicant, application=applicant_application
    )
    with pytest.raises(RuntimeError), transaction.atomic():
        documents_save(
            checked=checked(("lost.png", png_bytes())), uploaded_by=applicant, application=applicant_application
        )
        raise RuntimeError("the enquiry could not be saved")
    assert Document.objects.count() == 1
    assert len(stored_files(documents_root)) == 2

    assert documents_orphans_delete() == 0  # too recent: it may belong to a transaction still open
    with time_machine.travel(timezone.now() + datetime.timedelta(hours=2)):
        assert documents_orphans_delete() == 1
        assert documents_orphans_delete() == 0
    assert stored_files(documents_root) == [documents_root / kept[0].file.name]


@pytest.mark.django_db(transaction=True)
def test_two_requests_sending_the_same_submission_at_once_store_it_once(documents_root, reference_programs):
    from tests.factories import ApplicationFactory, UserFactory, link

    person = UserFactory()
    application = ApplicationFactory()
    link(user=person, application=application)
    submission = uuid.uuid4()
    items = three_files()
    barrier = threading.Barrier(2)
    results = []

    def send():
        try:
            barrier.wait()
            results.append(
                documents_save(checked=items, uploaded_by=person, application=application, submission=submission)
            )
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(results) == 2
    assert Document.objects.count() == 3
    assert sorted(d.pk for d in results[0]) == sorted(d.pk for d in results[1])
    assert len(stored_files(documents_root)) == 3


@pytest.fixture
def reference_programs(transactional_db):
    """A transactional test empties the tables after each test: load the programs and stages again."""
    from applications.models import Program, ProgramStage, Stage
    from applications.reference_data import reference_data_load

    reference_data_load(stage_model=Stage, program_model=Program, program_stage_model=ProgramStage)
