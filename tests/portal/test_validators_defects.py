"""Defects the external validators found (issue 13): each stays fixed."""

import datetime
import re
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.test import Client, RequestFactory
from django.utils import timezone

from core.templatetags.machine_dates import iso8601
from status_tracker.api.serializers import EventInputSerializer
from tests.factories import ApplicationFactory, ClientFactory, UserFactory, link, record_decision, sign_in

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"

pytestmark = pytest.mark.django_db


# --- the password rules are inside the element that aria-describedby names -----------------------


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_sign_up_password_rules_are_in_the_described_element(client, language):
    text = client.get(f"/{language}/accounts/signup/").text

    match = re.search(r'aria-describedby="(id_password1-hint)[^"]*"', text)
    assert match, "the password field names its hint"
    hint = re.search(r'<(\w+) class="field__hint" id="id_password1-hint">(.*?)</\1>', text, re.S)
    assert hint and hint.group(1) == "div", "a <p> cannot hold the list of rules: the browser would empty it"
    assert "<li>" in hint.group(2)


# --- the officer's notes carry their language ------------------------------------------------------


def _refusal_with_notes(*, client_language: str, notes_language: str = ""):
    from status_tracker.events import EventIn, EventKind
    from status_tracker.ingest import events_ingest

    user = UserFactory(preferred_language=client_language)
    application = ApplicationFactory(client=ClientFactory(preferred_language=client_language))
    link(user=user, application=application)
    if notes_language:
        events_ingest(
            events=[
                EventIn(
                    event_id="notes-language-test",
                    application_number=application.number,
                    occurred_at=timezone.now(),
                    kind=EventKind.DECISION,
                    outcome="refused",
                    notes="Notes as released.",
                    notes_language=notes_language,
                )
            ],
            notify=False,
        )
    else:
        record_decision(application=application, outcome="refused", notes="Notes as released.")
    return user, application


def test_notes_without_a_language_are_taken_to_be_in_the_clients_language():
    _user, application = _refusal_with_notes(client_language="fr")

    assert application.decision.officer_notes_language == "fr"


def test_notes_with_a_language_keep_the_one_upstream_gave():
    _user, application = _refusal_with_notes(client_language="fr", notes_language="en")

    application.refresh_from_db()
    assert application.decision.officer_notes_language == "en"


def test_a_decision_without_notes_has_no_notes_language():
    application = ApplicationFactory()
    decision = record_decision(application=application, outcome="approved")

    assert decision.officer_notes_language == ""


def test_upstream_may_send_the_notes_language_and_only_en_or_fr():
    base = {
        "event_id": "e-1",
        "application_number": "E100000001",
        "occurred_at": "2026-12-01T10:00:00-05:00",
        "kind": "decision",
        "outcome": "refused",
        "notes": "Notes.",
    }
    good = EventInputSerializer(data={**base, "notes_language": "fr"})
    assert good.is_valid(), good.errors
    assert good.to_event().notes_language == "fr"
    assert not EventInputSerializer(data={**base, "notes_language": "de"}).is_valid()


@pytest.mark.parametrize(("page_language", "marked"), [("fr", True), ("en", False)])
def test_english_notes_are_marked_on_the_french_decision_page(client, page_language, marked):
    user, application = _refusal_with_notes(client_language="en")
    sign_in(client, user)

    text = client.get(f"/{page_language}/applications/{application.number}/decision/").text

    notes = re.search(r'<div class="officer-notes"([^>]*)>', text)
    assert notes
    assert ('lang="en"' in notes.group(1)) is marked


# --- our own 404 and 500 pages ---------------------------------------------------------------------

NOT_FOUND = {"en": "We cannot find that page", "fr": "Nous ne trouvons pas cette page"}
SERVER_ERROR = {"en": "Something went wrong on our side", "fr": "Un problème est survenu de notre côté"}


@pytest.mark.parametrize("language", ["en", "fr"])
def test_a_missing_page_is_our_404_in_the_language_of_the_address(client, language, settings):
    settings.DEBUG = False

    response = client.get(f"/{language}/no-such-page/")

    assert response.status_code == 404
    text = response.text
    assert f'<html lang="{language}">' in text
    assert NOT_FOUND[language] in text
    assert 'class="site-header"' in text and 'class="site-footer"' in text
    other = "fr" if language == "en" else "en"
    assert f'href="/{other}/"' in text  # the language switch leads somewhere that exists
    assert 'href="/' + language + '/"' in text  # and there is a way back home


@pytest.mark.parametrize("language", ["en", "fr"])
def test_an_unexpected_failure_is_our_500_in_the_language_of_the_address(monkeypatch, language):
    def broken(*args, **kwargs):
        raise RuntimeError("an unexpected failure")

    monkeypatch.setattr("portal.views.crisis_banners", broken)
    visitor = Client(raise_request_exception=False)

    response = visitor.get(f"/{language}/")

    assert response.status_code == 500
    text = response.text
    assert f'<html lang="{language}">' in text
    assert SERVER_ERROR[language] in text
    assert "an unexpected failure" not in text
    assert 'class="site-header"' in text


def test_the_500_page_needs_no_database(django_assert_num_queries):
    from portal.views import server_error

    request = RequestFactory().get("/fr/applications/E100000001/")
    with django_assert_num_queries(0):
        response = server_error(request)

    text = response.content.decode()
    assert response.status_code == 500
    assert '<html lang="fr">' in text
    assert 'href="/en/applications/E100000001/"' in text


# --- machine-readable dates ------------------------------------------------------------------------


def test_iso8601_writes_seconds_and_the_offset_never_microseconds(settings):
    settings.TIME_ZONE = "America/Toronto"
    moment = datetime.datetime(2026, 12, 2, 1, 32, 9, 368097, tzinfo=ZoneInfo("UTC"))

    with timezone.override("America/Toronto"):
        assert iso8601(moment) == "2026-12-01T20:32:09-05:00"
    assert iso8601(datetime.date(2026, 12, 1)) == "2026-12-01"
    assert iso8601(None) == ""


def test_every_time_element_goes_through_the_one_filter():
    offenders = []
    for path in TEMPLATES.rglob("*.html"):
        name = path.relative_to(TEMPLATES).as_posix()
        text = path.read_text()
        for match in re.finditer(r'datetime="\{\{ [^}]*\}\}"', text):
            if "|iso8601" not in match.group(0) and match.group(0) not in (
                'datetime="{{ iso }}"',
                'datetime="{{ datetime }}"',
            ):
                offenders.append(f"{name}: {match.group(0)}")
        for match in re.finditer(r"\b(?:iso|datetime)=[\w.]+\|date:", text):
            offenders.append(f"{name}: {match.group(0)}")
    assert not offenders, offenders


# --- the API documentation has one main landmark ---------------------------------------------------


def test_the_api_docs_shell_has_no_main_of_its_own(client):
    text = client.get("/api/v1/docs/").text

    assert "<main" not in text
    assert 'id="swagger-ui"' in text


# --- Canada.ca page furniture: description, alternates, date modified -----------------------------


@pytest.fixture
def fixed_date_modified(settings):
    from portal.date_modified import date_modified

    settings.DATE_MODIFIED = "2026-11-30"
    date_modified.cache_clear()
    yield
    date_modified.cache_clear()


@pytest.mark.parametrize("language", ["en", "fr"])
def test_every_page_has_a_description_alternates_and_the_date_modified(client, fixed_date_modified, language):
    other = "fr" if language == "en" else "en"

    text = client.get(f"/{language}/processing-times/").text

    assert re.search(r'<meta name="description" content="[^"]{40,}">', text)
    assert f'<link rel="alternate" hreflang="{language}" href="/{language}/processing-times/">' in text
    assert f'<link rel="alternate" hreflang="{other}" href="/{other}/processing-times/">' in text
    assert '<time datetime="2026-11-30">2026-11-30</time>' in text


def test_without_a_setting_the_date_modified_is_the_code_s_not_today_s(settings):
    from portal.date_modified import date_modified

    settings.DATE_MODIFIED = ""
    date_modified.cache_clear()
    try:
        shown = date_modified()
    finally:
        date_modified.cache_clear()
    assert shown is not None and shown <= timezone.localdate()


def test_breadcrumbs_are_a_labelled_nav_with_a_list():
    wrong = []
    for path in TEMPLATES.rglob("*.html"):
        name = path.relative_to(TEMPLATES).as_posix()
        text = path.read_text()
        if name.startswith("admin/"):
            continue
        if '<p class="breadcrumb">' in text:
            wrong.append(name)
        for match in re.finditer(r'<nav class="breadcrumb"([^>]*)>(.{0,10})', text):
            if "aria-label=" not in match.group(1) or not match.group(2).startswith("<ol>"):
                wrong.append(name)
    assert not wrong, wrong


def test_the_decision_page_has_its_breadcrumb_trail_and_description(client):
    user, application = _refusal_with_notes(client_language="en")
    sign_in(client, user)

    text = client.get(f"/fr/applications/{application.number}/decision/").text

    trail = re.search(r'<nav class="breadcrumb" aria-label="Vous êtes ici"><ol>(.*?)</ol></nav>', text, re.S)
    assert trail and trail.group(1).count("<li>") == 2
    assert '<meta name="description" content="La décision rendue sur votre demande' in text


def test_the_date_modified_is_the_site_s_own_date_not_utc_s():
    from portal.date_modified import _local_date

    # A commit at 00:20 UTC on 6 December is still 5 December in the site's time zone (Toronto).
    moment = datetime.datetime(2026, 12, 6, 0, 20, tzinfo=datetime.UTC).timestamp()
    assert _local_date(moment) == datetime.date(2026, 12, 5)
