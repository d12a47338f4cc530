"""Downloading a document: only through enquiries.access.document_for_viewer, as an attachment, audited."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from applications.models import Stage
from applications.services import application_unlink
from core.models import AuditAction, AuditEvent
from enquiries.uploads import documents_save
from tests.enquiries.documents_support import (
    checked,
    jpeg_bytes,
    pdf_bytes,
    sign_in_verified,
    stored_files,
    use_documents_root,
)
from tests.enquiries.factories import make_ticket
from tests.factories import status_event_record

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def documents_root(settings, tmp_path):
    return use_documents_root(settings, tmp_path / "documents")


@pytest.fixture
def ticket_document(applicant, applicant_application):
    """A PDF the applicant attached to a status enquiry about their application."""
    ticket = make_ticket(account=applicant, application=applicant_application, topic="status")
    (document,) = documents_save(
        checked=checked(("Relevé d'emploi.pdf", pdf_bytes())),
        uploaded_by=applicant,
        ticket=ticket,
        message=ticket.messages.get(),
    )
    return document


@pytest.fixture
def waiting_document(applicant, applicant_application):
    """A photo the applicant sent for the biometrics request waiting on them."""
    stage = Stage.objects.get(code="biometrics")
    status_event_record(
        application=applicant_application,
        stage=stage,
        state="waiting_on_client",
        occurred_at=timezone.now() - datetime.timedelta(days=1),
        source_id="bio-w",
    )
    (document,) = documents_save(
        checked=checked(("fingerprints.jpg", jpeg_bytes())),
        uploaded_by=applicant,
        application=applicant_application,
        stage=stage,
    )
    return document


def url(document) -> str:
    return reverse("documents:download", kwargs={"pk": document.pk})


def sign_in(client, request, persona: str) -> None:
    """anonymous, or a persona fixture name; `+2fa` signs in with two-step verification."""
    if persona == "anonymous":
        return
    name, _, second_step = persona.partition("+")
    user = request.getfixturevalue(name)
    if second_step:
        sign_in_verified(client, user)
    else:
        client.force_login(user)


MATRIX = [
    # persona, enquiry attachment, waiting-on-you document
    ("anonymous", 302, 302),
    ("applicant", 200, 200),
    ("other_applicant", 404, 404),
    ("agent+2fa", 200, 200),
    ("other_agent+2fa", 404, 200),
    # Staff whose session did not use their second step are sent to set it up first (every page).
    ("agent", 302, 302),
    ("supervisor+2fa", 200, 200),
    ("supervisor", 302, 302),
    ("staff_user+2fa", 404, 200),
    ("staff_user", 302, 302),
]


@pytest.mark.parametrize(("persona", "for_enquiry", "for_request"), MATRIX, ids=[row[0] for row in MATRIX])
def test_who_may_download_a_document(
    client, request, ticket_document, waiting_document, persona, for_enquiry, for_request
):
    sign_in(client, request, persona)
    enquiry_response = client.get(url(ticket_document))
    request_response = client.get(url(waiting_document))
    assert (enquiry_response.status_code, request_response.status_code) == (for_enquiry, for_request)
    if for_enquiry == 302:
        # Anonymous visitors are sent to sign in; staff without their second step, to set it up.
        expected = reverse("account_login") if persona == "anonymous" else reverse("mfa_activate_totp")
        assert expected in enquiry_response["Location"]


def test_an_unknown_document_is_the_same_404(client, applicant):
    client.force_login(applicant)
    assert client.get(reverse("documents:download", kwargs={"pk": 987654})).status_code == 404


def test_a_client_who_unlinked_the_application_no_longer_sees_its_documents(
    client, applicant, applicant_application, ticket_document, waiting_document
):
    application_unlink(account=applicant, application=applicant_application, ip_address="127.0.0.1")
    client.force_login(applicant)
    assert client.get(url(ticket_document)).status_code == 404
    assert client.get(url(waiting_document)).status_code == 404


def test_the_download_is_an_attachment_that_is_never_sniffed_or_cached(client, applicant, ticket_document):
    client.force_login(applicant)
    response = client.get(url(ticket_document))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        "attachment; filename=\"Relev_ d'emploi.pdf\"; filename*=UTF-8''Relev%C3%A9%20d%27emploi.pdf"
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"
    assert "sandbox" in response["Content-Security-Policy"]
    assert b"".join(response.streaming_content) == pdf_bytes()


def test_an_image_is_served_with_its_real_type(client, applicant, waiting_document):
    client.force_login(applicant)
    response = client.get(url(waiting_document))
    assert response["Content-Type"] == "image/jpeg"
    assert response["Content-Disposition"].startswith('attachment; filename="fingerprints.jpg"')


def test_the_sender_reading_their_own_document_is_not_audited(client, applicant, ticket_document):
    client.force_login(applicant)
    client.get(url(ticket_document))
    assert not AuditEvent.objects.filter(action=AuditAction.DOCUMENT_READ).exists()


def test_an_agent_reading_a_document_is_audited(client, agent, ticket_document, applicant_application):
    sign_in_verified(client, agent)
    client.get(url(ticket_document))
    event = AuditEvent.objects.get(action=AuditAction.DOCUMENT_READ)
    assert (event.actor, event.subject_type, event.subject_id, event.basis, event.case_number) == (
        agent,
        "document",
        str(ticket_document.pk),
        "agent",
        applicant_application.number,
    )
    assert event.extra == {"reference": ticket_document.ticket.reference}


def test_staff_reading_a_waiting_on_you_document_is_audited_with_the_case_read(client, staff_user, waiting_document):
    sign_in_verified(client, staff_user)
    client.get(url(waiting_document))
    actions = set(AuditEvent.objects.filter(actor=staff_user).values_list("action", "basis"))
    assert actions == {(AuditAction.DOCUMENT_READ, "staff"), (AuditAction.CASE_READ, "staff")}


def test_a_refused_reader_leaves_no_audit(client, other_agent, ticket_document):
    sign_in_verified(client, other_agent)
    assert client.get(url(ticket_document)).status_code == 404
    assert not AuditEvent.objects.filter(action=AuditAction.DOCUMENT_READ).exists()


def test_a_deleted_document_is_gone_for_its_client_and_unknown_to_staff(client, applicant, agent, ticket_document):
    ticket_document.file.delete(save=False)
    ticket_document.deleted_at = timezone.now()
    ticket_document.deleted_reason = "test"
    ticket_document.save()

    client.force_login(applicant)
    response = client.get(url(ticket_document))
    assert response.status_code == 410
    assert "This document is no longer kept" in response.text
    assert "Relevé d&#x27;emploi.pdf" in response.text

    sign_in_verified(client, agent)
    assert client.get(url(ticket_document)).status_code == 404


def test_a_file_missing_from_the_store_is_a_404_not_an_error(client, applicant, ticket_document, documents_root):
    for path in stored_files(documents_root):
        path.unlink()
    client.force_login(applicant)
    assert client.get(url(ticket_document)).status_code == 404


def test_only_get_is_allowed(client, applicant, ticket_document):
    client.force_login(applicant)
    assert client.post(url(ticket_document)).status_code == 405
