"""Idle sessions end after 30 minutes; the language choice follows the person."""

import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone, translation


def test_a_session_survives_activity_and_ends_after_30_idle_minutes(client, applicant):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client.force_login(applicant)
        assert client.get(reverse("applications:list")).status_code == 200
    with time_machine.travel(start + datetime.timedelta(minutes=25), tick=False):
        assert client.get(reverse("applications:list")).status_code == 200
    with time_machine.travel(start + datetime.timedelta(minutes=50), tick=False):
        # 25 minutes after the last request: still signed in.
        assert client.get(reverse("applications:list")).status_code == 200
    with time_machine.travel(start + datetime.timedelta(minutes=81), tick=False):
        response = client.get(reverse("applications:list"))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_pages_read_the_session_without_rewriting_it_within_a_minute(client, applicant, django_assert_num_queries):
    client.force_login(applicant)
    client.get(reverse("applications:list"))
    with django_assert_num_queries(4):  # session, user, unread count, applications: no session write
        client.get(reverse("applications:list"))


def test_the_toggle_keeps_the_page_and_remembers_the_choice_on_the_account(client, applicant, applicant_application):
    client.force_login(applicant)
    with translation.override("en"):
        english = reverse("applications:detail", kwargs={"number": applicant_application.number})
    page = client.get(english).text
    with translation.override("fr"):
        french = reverse("applications:detail", kwargs={"number": applicant_application.number})
    assert f'name="next" value="{french}"' in page
    response = client.post(reverse("set_language"), {"language": "fr", "next": french})
    assert response.status_code == 302
    assert response["Location"] == french
    assert response.cookies["portal_language"].value == "fr"
    applicant.refresh_from_db()
    assert applicant.preferred_language == "fr"


@pytest.mark.parametrize(
    ("address", "other"),
    [
        ("/en/processing-times/?program=1&country=FR", "/fr/processing-times/?program=1&country=FR"),
        ("/fr/processing-times/?program=1", "/en/processing-times/?program=1"),
        ("/en/", "/fr/"),
        ("/fr/no-such-page/", "/en/no-such-page/"),
    ],
)
def test_the_toggle_offers_the_same_address_in_the_other_language(rf, address, other):
    from portal.context_processors import language_switch

    language = address[1:3]
    with translation.override(language):
        switch = language_switch(rf.get(address))
    assert switch["other_language_url"] == other
    assert switch["other_language_code"] == other[1:3]


def test_an_address_without_a_language_prefix_is_left_to_translate_url(rf):
    from portal.context_processors import language_switch

    with translation.override("en"):
        assert language_switch(rf.get("/healthz"))["other_language_url"] == "/healthz"


def test_the_toggle_works_for_anonymous_visitors_without_touching_any_account(client, db):
    response = client.post(reverse("set_language"), {"language": "fr", "next": "/fr/"})
    assert response.status_code == 302
    assert client.get("/").headers["Location"] == "/fr/"


def test_the_toggle_ignores_unknown_languages_and_foreign_redirects(client, applicant):
    client.force_login(applicant)
    response = client.post(reverse("set_language"), {"language": "de", "next": "https://evil.example/"})
    assert response.status_code == 302
    assert "evil.example" not in response["Location"]
    applicant.refresh_from_db()
    assert applicant.preferred_language == "en"


def test_signing_in_lands_on_the_dashboard_in_the_preferred_language(client, applicant):
    applicant.preferred_language = "fr"
    applicant.save(update_fields=["preferred_language"])
    response = client.post(
        reverse("account_login"), {"login": applicant.email, "password": "correct horse battery staple"}
    )
    assert response.status_code == 302
    with translation.override("fr"):
        assert response["Location"] == reverse("applications:list")


def test_signing_up_remembers_the_language_of_the_sign_up_page(client, db, mailoutbox):
    from portal.models import User

    with translation.override("fr"):
        url = reverse("account_signup")
    response = client.post(
        url,
        {"email": "nouvelle@example.com", "password1": "un mot de passe solide", "password2": "un mot de passe solide"},
    )
    assert response.status_code == 302
    assert User.objects.get(email="nouvelle@example.com").preferred_language == "fr"
    assert len(mailoutbox) == 1


@pytest.mark.django_db
def test_the_root_sends_visitors_to_their_language(client):
    assert client.get("/", HTTP_ACCEPT_LANGUAGE="fr-CA,fr;q=0.9").headers["Location"] == "/fr/"
    assert client.get("/", HTTP_ACCEPT_LANGUAGE="en-CA").headers["Location"] == "/en/"
