"""Every page renders in English and in French, with nothing left in the other language."""

import pytest
from django.urls import reverse
from django.utils import translation

ENGLISH_CHROME = ["Skip to main content", "Main menu", "Application status"]
FRENCH_CHROME = ["Passer au contenu principal", "Menu principal", "État de la demande"]

ANONYMOUS_PAGES = [
    ("home", {}),
    ("account_login", {}),
    ("account_signup", {}),
    ("account_reset_password", {}),
    ("account_reset_password_done", {}),
    ("account_email_verification_sent", {}),
]
APPLICANT_PAGES = [
    ("applications:list", {}),
    ("applications:link", {}),
    ("applications:detail", {"number": None}),
    ("applications:unlink", {"number": None}),
    ("account_email", {}),
    ("account_change_password", {}),
    ("account_logout", {}),
    ("mfa_index", {}),
]


def url_for(name, kwargs, language, application=None):
    kwargs = {key: (application.number if value is None else value) for key, value in kwargs.items()}
    with translation.override(language):
        return reverse(name, kwargs=kwargs)


def assert_page_in(language, response):
    assert response.status_code == 200, response
    text = response.text
    assert f'<html lang="{language}">' in text
    expected, foreign = (ENGLISH_CHROME, FRENCH_CHROME) if language == "en" else (FRENCH_CHROME, ENGLISH_CHROME)
    for phrase in expected:
        assert phrase in text
    for phrase in foreign:
        assert phrase not in text


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "fr"])
@pytest.mark.parametrize(("name", "kwargs"), ANONYMOUS_PAGES)
def test_public_pages_render_in_each_language(client, name, kwargs, language):
    assert_page_in(language, client.get(url_for(name, kwargs, language)))


@pytest.mark.parametrize("language", ["en", "fr"])
@pytest.mark.parametrize(("name", "kwargs"), APPLICANT_PAGES)
def test_signed_in_pages_render_in_each_language(client, applicant, applicant_application, name, kwargs, language):
    client.force_login(applicant)
    assert_page_in(language, client.get(url_for(name, kwargs, language, applicant_application)))


@pytest.mark.parametrize(("name", "kwargs"), [page for page in APPLICANT_PAGES if page[0] != "account_logout"])
def test_signed_in_pages_send_anonymous_visitors_to_sign_in(client, applicant_application, name, kwargs):
    response = client.get(url_for(name, kwargs, "en", applicant_application))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_french_status_page_uses_the_french_program_and_stage_names(client, applicant, applicant_application):
    client.force_login(applicant)
    text = client.get(url_for("applications:detail", {"number": None}, "fr", applicant_application)).text
    assert applicant_application.program.name_fr.replace("'", "&#x27;") in text
    assert "Vérification des antécédents" in text
    assert "Background check" not in text


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/en/no-such-page/", "/fr/applications/E000/unknown/"])
def test_unknown_pages_are_404_not_500(client, path):
    assert client.get(path).status_code == 404
