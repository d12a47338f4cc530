"""Attachments on the enquiry form and on replies go through the one upload pipeline: kept with the message, or refused whole."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from enquiries.models import Document, Ticket
from tests.enquiries.client_support import send
from tests.enquiries.documents_support import (
    jpeg_bytes,
    pdf_bytes,
    pdf_with_open_action_javascript,
    stored_files,
    use_documents_root,
)
from tests.enquiries.factories import make_ticket


@pytest.fixture
def documents_root(settings, tmp_path):
    return use_documents_root(settings, tmp_path / "documents")


def pdf(name="letter.pdf", content=None):
    return SimpleUploadedFile(name, content or pdf_bytes(), content_type="application/pdf")


def test_an_enquiry_sent_with_a_pdf_and_a_photo_keeps_both_with_its_first_message(
    client, applicant, applicant_application, documents_root
):
    client.force_login(applicant)
    photo = SimpleUploadedFile("passport.jpg", jpeg_bytes(), content_type="image/jpeg")

    response = send(client, application=applicant_application, attachments=[pdf(), photo])

    assert response.status_code == 302
    ticket = Ticket.objects.get(account=applicant)
    first = ticket.messages.get()
    documents = Document.objects.filter(ticket=ticket).order_by("original_name")
    assert [(doc.original_name, doc.content_type) for doc in documents] == [
        ("letter.pdf", "application/pdf"),
        ("passport.jpg", "image/jpeg"),
    ]
    assert {doc.message_id for doc in documents} == {first.pk}
    assert {doc.application_id for doc in documents} == {applicant_application.pk}
    assert len(stored_files(documents_root)) == 2


def test_a_refused_file_refuses_the_whole_enquiry_and_says_why(
    client, applicant, applicant_application, documents_root
):
    client.force_login(applicant)

    response = send(
        client,
        application=applicant_application,
        attachments=[pdf(), pdf("form.pdf", pdf_with_open_action_javascript())],
    )

    assert response.status_code == 400
    assert "form.pdf" in response.text
    assert not Ticket.objects.filter(account=applicant).exists()
    assert not Document.objects.exists()
    assert stored_files(documents_root) == []


def test_a_reply_can_carry_documents_too(client, applicant, applicant_application, documents_root):
    ticket = make_ticket(account=applicant, application=applicant_application)
    client.force_login(applicant)

    response = client.post(
        reverse("enquiries:detail", kwargs={"reference": ticket.reference}),
        {"message": "Here is the letter you asked for.", "attachments": [pdf("employer-letter.pdf")]},
    )

    assert response.status_code == 302
    reply = ticket.messages.order_by("-created_at", "-id").first()
    assert list(reply.documents.values_list("original_name", flat=True)) == ["employer-letter.pdf"]


def test_the_form_offers_the_file_field_and_sends_as_multipart(client, applicant, applicant_application):
    from tests.enquiries.client_support import compose_url

    client.force_login(applicant)
    page = client.get(compose_url(application=applicant_application)).text
    assert 'enctype="multipart/form-data"' in page
    assert 'type="file"' in page and "multiple" in page
