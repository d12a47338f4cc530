"""Guest enquiries never confirmed are removed, files and all, once their confirmation link has expired."""

import datetime

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from enquiries.models import Document, Ticket, TicketMessage, TicketState, Topic
from enquiries.references import reference_new
from enquiries.submission import tickets_unconfirmed_delete
from enquiries.tasks import enquiries_unconfirmed_delete
from enquiries.uploads import documents_check, documents_save
from tests.enquiries.documents_support import pdf_bytes, stored_files, use_documents_root
from tests.enquiries.factories import make_ticket

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def documents_root(settings, tmp_path):
    return use_documents_root(settings, tmp_path / "documents")


@pytest.fixture(autouse=True)
def topics():
    # Transactional tests empty the tables the migrations filled: put the topic back.
    Topic.objects.get_or_create(
        code="status", defaults={"name_en": "Status", "name_fr": "Statut", "service_standard_days": 10}
    )


def guest_ticket_with_a_file(email: str) -> Ticket:
    topic = Topic.objects.get(code="status")
    with transaction.atomic():
        ticket = Ticket.objects.create(
            reference=reference_new(),
            topic=topic,
            state=TicketState.UNCONFIRMED,
            language="en",
            contact_email=email,
            service_standard_days=topic.service_standard_days,
        )
        message = TicketMessage.objects.create(ticket=ticket, author_kind="client", body="Where is my file?")
        checked = documents_check(files=[SimpleUploadedFile("letter.pdf", pdf_bytes(), "application/pdf")])
        documents_save(checked=checked, uploaded_by=None, ticket=ticket, message=message)
    return ticket


def test_an_expired_unconfirmed_enquiry_goes_with_its_file_and_the_rest_stays(documents_root):
    expired = guest_ticket_with_a_file("never.confirmed@example.com")
    queued = make_ticket(contact_email="confirmed@example.com")
    with time_machine.travel(timezone.now() + datetime.timedelta(days=2), tick=False):
        recent = guest_ticket_with_a_file("still.time@example.com")
    assert len(stored_files(documents_root)) == 2

    with time_machine.travel(timezone.now() + datetime.timedelta(days=4, hours=1), tick=False):
        assert enquiries_unconfirmed_delete() == 1
        assert tickets_unconfirmed_delete() == 0  # nothing left to do: safe to repeat

    assert not Ticket.objects.filter(pk=expired.pk).exists()
    assert not TicketMessage.objects.filter(ticket_id=expired.pk).exists()
    assert not Document.objects.filter(ticket_id=expired.pk).exists()
    assert set(Ticket.objects.values_list("pk", flat=True)) == {queued.pk, recent.pk}
    # The expired ticket's file left the store; the recent one's is still there.
    (left,) = stored_files(documents_root)
    assert Document.objects.get(ticket=recent).file.name.endswith(left.name)


def test_a_ticket_within_its_link_s_life_is_kept(documents_root):
    ticket = guest_ticket_with_a_file("soon@example.com")
    with time_machine.travel(timezone.now() + datetime.timedelta(days=3, hours=23), tick=False):
        assert tickets_unconfirmed_delete() == 0
    assert Ticket.objects.filter(pk=ticket.pk, state=TicketState.UNCONFIRMED).exists()
