"""The upstream API for documents: the list and the file, with the service token only, and nothing of other files."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from applications.models import Stage
from core.models import AuditAction, AuditEvent
from enquiries.models import TicketState
from enquiries.uploads import documents_save
from status_tracker.api_clients import api_client_create, api_client_revoke
from tests.enquiries.documents_support import checked, jpeg_bytes, pdf_bytes, png_bytes, use_documents_root
from tests.enquiries.factories import make_ticket
from tests.factories import status_event_record

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def documents_root(settings, tmp_path):
    return use_documents_root(settings, tmp_path / "documents")


@pytest.fixture
def token(db):
    _client, token = api_client_create(name="gcms", actor=None, scopes=["documents:read", "status:read"])
    return token


@pytest.fixture
def api(token):
    return Client(headers={"Authorization": f"Bearer {token}"})


@pytest.fixture
def documents(applicant, applicant_application, other_applicant, other_application):
    """Two documents for the applicant's biometrics request, one enquiry attachment; one of another client's."""
    stage = Stage.objects.get(code="biometrics")
    status_event_record(
        application=applicant_application,
        stage=stage,
        state="waiting_on_client",
        occurred_at=timezone.now() - datetime.timedelta(days=1),
        source_id="bio-w",
    )
    sent = documents_save(
        checked=checked(("a.pdf", pdf_bytes()), ("b.jpg", jpeg_bytes())),
        uploaded_by=applicant,
        application=applicant_application,
        stage=stage,
        note="Both sides.",
    )
    ticket = make_ticket(account=applicant, application=applicant_application)
    attached = documents_save(
        checked=checked(("letter.png", png_bytes())),
        uploaded_by=applicant,
        ticket=ticket,
        message=ticket.messages.get(),
    )
    other_ticket = make_ticket(account=other_applicant, application=other_application)
    others = documents_save(
        checked=checked(("secret.pdf", pdf_bytes(pages=3))), uploaded_by=other_applicant, ticket=other_ticket
    )
    return {"sent": sent, "attached": attached, "ticket": ticket, "others": others}


def list_url(number: str) -> str:
    return f"/api/v1/applications/{number}/documents/"


def file_url(number: str, document_id) -> str:
    return f"/api/v1/applications/{number}/documents/{document_id}/"


def test_the_list_gives_every_document_of_the_application(api, applicant_application, documents):
    response = api.get(list_url(applicant_application.number))

    assert response.status_code == 200
    body = response.json()
    assert [item["file_name"] for item in body] == ["a.pdf", "b.jpg", "letter.png"]
    first = body[0]
    document = documents["sent"][0]
    assert first == {
        "id": document.pk,
        "file_name": "a.pdf",
        "content_type": "application/pdf",
        "size": document.size,
        "sha256": document.sha256,
        "sent_at": first["sent_at"],
        "stage": "biometrics",
        "ticket_reference": None,
        "note": "Both sides.",
        "submission": str(document.submission),
        "deleted_at": None,
        "download_url": f"http://testserver{file_url(applicant_application.number, document.pk)}",
    }
    assert body[2]["ticket_reference"] == documents["ticket"].reference
    assert body[2]["stage"] is None


def test_the_list_accepts_a_number_written_loosely(api, applicant_application, documents):
    loose = " " + applicant_application.number.lower()
    assert len(api.get(list_url(loose)).json()) == 3


def test_the_file_comes_back_as_sent_with_its_type(api, applicant_application, documents):
    document = documents["sent"][0]
    response = api.get(file_url(applicant_application.number, document.pk), headers={"Accept": "application/pdf"})

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith('attachment; filename="a.pdf"')
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"
    assert b"".join(response.streaming_content) == pdf_bytes()


def test_fetching_a_file_is_audited_under_the_service_account(api, applicant_application, documents):
    document = documents["attached"][0]
    api.get(file_url(applicant_application.number, document.pk))
    event = AuditEvent.objects.get(action=AuditAction.DOCUMENT_READ)
    assert (event.actor, event.actor_label, event.basis, event.case_number) == (
        None,
        "API client gcms",
        "api",
        applicant_application.number,
    )


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer not-a-token"}, {"Authorization": "Basic abc"}])
def test_without_a_valid_token_it_is_a_401_problem(headers, applicant_application, documents):
    document = documents["sent"][0]
    for path in (list_url(applicant_application.number), file_url(applicant_application.number, document.pk)):
        response = Client(headers=headers).get(path)
        assert response.status_code == 401
        assert response["Content-Type"] == "application/problem+json"


def test_a_revoked_token_is_refused(token, applicant_application, documents):
    from status_tracker.models import ApiClient

    api_client_revoke(api_client=ApiClient.objects.get(name="gcms"), actor=None)
    response = Client(headers={"Authorization": f"Bearer {token}"}).get(list_url(applicant_application.number))
    assert response.status_code == 401


def test_a_signed_in_person_even_staff_cannot_use_it(client, admin_user, applicant_application, documents):
    client.force_login(admin_user)
    assert client.get(list_url(applicant_application.number)).status_code in (401, 403)


@pytest.mark.parametrize("number", ["E999999999", "x" * 40, "E1%00", "E1%0A"])
def test_an_unknown_number_is_a_404_problem(api, documents, number):
    for path in (list_url(number), file_url(number, documents["sent"][0].pk)):
        response = api.get(path)
        assert response.status_code == 404
        assert response["Content-Type"] == "application/problem+json"


def test_another_clients_document_never_leaks_through_this_application(api, applicant_application, documents):
    theirs = documents["others"][0]
    listed = {item["id"] for item in api.get(list_url(applicant_application.number)).json()}
    assert theirs.pk not in listed
    response = api.get(file_url(applicant_application.number, theirs.pk))
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"


@pytest.mark.parametrize("document_id", ["abc", "0", "99999999", "1e3", "٣"])
def test_an_unknown_document_id_is_a_404_problem(api, applicant_application, documents, document_id):
    response = api.get(file_url(applicant_application.number, document_id))
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"


def test_a_deleted_file_is_listed_without_a_link_and_answered_410(api, applicant_application, documents):
    document = documents["sent"][1]
    document.file.delete(save=False)
    document.deleted_at = timezone.now()
    document.save()

    item = next(i for i in api.get(list_url(applicant_application.number)).json() if i["id"] == document.pk)
    assert item["download_url"] is None and item["deleted_at"]
    response = api.get(file_url(applicant_application.number, document.pk))
    assert response.status_code == 410
    assert response["Content-Type"] == "application/problem+json"


def test_an_unconfirmed_enquirys_attachment_is_not_listed(api, applicant_application, documents):
    documents["ticket"].state = TicketState.UNCONFIRMED
    documents["ticket"].save()
    assert [i["file_name"] for i in api.get(list_url(applicant_application.number)).json()] == ["a.pdf", "b.jpg"]


def test_the_application_read_back_still_answers_next_to_the_documents_routes(api, applicant_application, documents):
    response = api.get(f"/api/v1/applications/{applicant_application.number}/")
    assert response.status_code == 200
    assert response.json()["number"] == applicant_application.number
    assert api.get(f"/api/v1/applications/{applicant_application.number}/documents/x/y/").status_code == 404


def test_the_list_costs_the_same_queries_for_few_or_many_documents(api, applicant, applicant_application, documents):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    api.get(list_url(applicant_application.number))  # the token's last use is noted once a minute
    with CaptureQueriesContext(connection) as few:
        api.get(list_url(applicant_application.number))
    for index in range(5):
        documents_save(
            checked=checked((f"more-{index}.pdf", pdf_bytes(pages=index + 2))),
            uploaded_by=applicant,
            application=applicant_application,
        )
    with CaptureQueriesContext(connection) as many:
        assert len(api.get(list_url(applicant_application.number)).json()) == 8
    assert len(many) == len(few)


def test_a_token_without_the_documents_scope_is_refused(applicant_application, documents):
    _client, token = api_client_create(name="status reader", actor=None, scopes=["status:read", "decisions:read"])
    document = documents["sent"][0]
    reader = Client(headers={"Authorization": f"Bearer {token}"})
    for path in (list_url(applicant_application.number), file_url(applicant_application.number, document.pk)):
        response = reader.get(path)
        assert response.status_code == 403
        assert "documents:read" in response.json()["detail"]
