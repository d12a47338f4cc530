"""Send documents for a *waiting on you* request: the page, who may use it, and what the status page then shows."""

import datetime
import html

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from applications.models import Stage
from enquiries.models import Document
from tests.enquiries.documents_support import (
    jpeg_bytes,
    pdf_bytes,
    sign_in_verified,
    stored_files,
    upload,
    use_documents_root,
)
from tests.factories import status_event_record

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def documents_root(settings, tmp_path):
    return use_documents_root(settings, tmp_path / "documents")


@pytest.fixture
def waiting_application(applicant_application):
    status_event_record(
        application=applicant_application,
        stage=Stage.objects.get(code="biometrics"),
        state="waiting_on_client",
        occurred_at=timezone.now() - datetime.timedelta(days=2),
        source_id="bio-waiting",
    )
    return applicant_application


def send_url(application, stage_code="biometrics", language="en") -> str:
    with translation.override(language):
        return reverse("documents:send", kwargs={"number": application.number, "stage_code": stage_code})


def detail_url(application) -> str:
    return reverse("applications:detail", kwargs={"number": application.number})


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("anonymous", 302),
        ("applicant", 200),
        ("other_applicant", 404),
        ("staff_user", 404),  # staff read files; they do not act as the client
        ("agent", 404),
        ("supervisor", 404),
    ],
)
def test_only_the_client_may_open_the_send_page(client, request, waiting_application, persona, status):
    if persona != "anonymous":
        sign_in_verified(client, request.getfixturevalue(persona))
    assert client.get(send_url(waiting_application)).status_code == status


def test_a_stage_not_waiting_on_the_client_has_no_send_page(client, applicant, waiting_application):
    client.force_login(applicant)
    assert client.get(send_url(waiting_application, "eligibility")).status_code == 404
    assert client.get(send_url(waiting_application, "no-such-stage")).status_code == 404
    status_event_record(
        application=waiting_application,
        stage=Stage.objects.get(code="biometrics"),
        state="completed",
        occurred_at=timezone.now() - datetime.timedelta(hours=1),
        source_id="bio-done",
    )
    assert client.get(send_url(waiting_application)).status_code == 404


def test_the_status_page_offers_send_documents_on_each_waiting_item(client, applicant, staff_user, waiting_application):
    client.force_login(applicant)
    page = client.get(detail_url(waiting_application)).text
    assert f'href="{send_url(waiting_application)}"' in page
    assert "Send documents" in page

    client.force_login(staff_user)
    assert send_url(waiting_application) not in client.get(detail_url(waiting_application)).text


def test_the_page_has_a_labelled_multiple_file_field_and_an_optional_note(client, applicant, waiting_application):
    client.force_login(applicant)
    page = client.get(send_url(waiting_application)).text
    assert 'enctype="multipart/form-data"' in page
    assert '<label class="field__label" for="id_documents">Documents to send' in page
    assert 'type="file" name="documents"' in page and "multiple" in page
    assert 'for="id_note"' in page
    assert 'type="hidden" name="submission"' in page


def test_sending_two_documents_shows_them_in_the_history(client, applicant, waiting_application, documents_root):
    client.force_login(applicant)
    page = client.get(send_url(waiting_application))
    submission = page.context["form"]["submission"].value()
    response = client.post(
        send_url(waiting_application),
        {
            "documents": [upload("passport page.pdf", pdf_bytes()), upload("photo.heic.jpg", jpeg_bytes())],
            "note": "Both pages of the passport.",
            "submission": submission,
        },
        follow=True,
    )

    assert response.redirect_chain == [(detail_url(waiting_application), 302)]
    text = html.unescape(response.text)
    assert "We received your 2 documents for “Biometrics”." in text
    today = timezone.localdate()
    from django.utils.formats import date_format

    assert f"You sent 2 documents on {date_format(today, 'DATE_FORMAT')}" in text
    assert "Your note: Both pages of the passport." in text
    documents = list(Document.objects.order_by("id"))
    assert [d.original_name for d in documents] == ["passport page.pdf", "photo.heic.jpg"]
    assert {d.stage.code for d in documents} == {"biometrics"}
    assert {str(d.submission) for d in documents} == {submission}
    for document in documents:
        assert reverse("documents:download", kwargs={"pk": document.pk}) in response.text
    assert len(stored_files(documents_root)) == 2


def test_pressing_send_twice_stores_the_documents_once(client, applicant, waiting_application):
    client.force_login(applicant)
    submission = client.get(send_url(waiting_application)).context["form"]["submission"].value()
    for _ in range(2):
        response = client.post(
            send_url(waiting_application),
            {"documents": [upload("a.pdf", pdf_bytes())], "submission": submission},
        )
        assert response.status_code == 302
    assert Document.objects.count() == 1


def test_sending_no_file_asks_for_one(client, applicant, waiting_application):
    client.force_login(applicant)
    response = client.post(send_url(waiting_application), {"note": "here"})
    assert response.status_code == 400
    assert "Choose at least one file to send." in response.text
    assert 'href="#id_documents"' in response.text


def test_refusals_are_explained_in_french_on_the_french_page(client, applicant, waiting_application):
    client.force_login(applicant)
    response = client.post(
        send_url(waiting_application, language="fr"),
        {"documents": [upload("vide.pdf", b"")]},
        headers={"Accept-Language": "fr"},
    )
    assert response.status_code == 400
    assert '<html lang="fr">' in response.text
    assert "vide.pdf" in html.unescape(response.text)


def test_a_body_larger_than_any_submission_is_refused_unread(client, applicant, waiting_application, settings):
    settings.DOCUMENT_MAX_BYTES = 1_000
    settings.DOCUMENT_MAX_FILES = 2
    client.force_login(applicant)
    response = client.post(
        send_url(waiting_application),
        {"documents": [upload("a.pdf", pdf_bytes())]},
        CONTENT_LENGTH=str(5 * 1024 * 1024),
    )
    assert response.status_code == 413
    assert "too large together" in response.text
    assert Document.objects.count() == 0


def test_a_note_longer_than_allowed_is_refused(client, applicant, waiting_application):
    client.force_login(applicant)
    response = client.post(
        send_url(waiting_application), {"documents": [upload("a.pdf", pdf_bytes())], "note": "x" * 1001}
    )
    assert response.status_code == 400
    assert Document.objects.count() == 0


def test_a_hostile_file_name_is_stored_clean_and_never_used_as_a_path(
    client, applicant, waiting_application, documents_root
):
    client.force_login(applicant)
    name = "..\\..\\windows\\rel\u202efdp.exe\x07" + "x" * 300 + ".pdf"
    response = client.post(send_url(waiting_application), {"documents": [upload(name, pdf_bytes())]})
    assert response.status_code == 302
    document = Document.objects.get()
    assert "\\" not in document.original_name and "/" not in document.original_name
    assert "\u202e" not in document.original_name and "\x07" not in document.original_name
    assert len(document.original_name) <= 120 and document.original_name.endswith(".pdf")
    (path,) = stored_files(documents_root)
    assert path.relative_to(documents_root).as_posix() == document.file.name
    assert "fdp" not in document.file.name
