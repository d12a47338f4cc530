"""A decision sent with visible_to_client=false: decided but not yet released, so the client sees nothing of it.

Ingestion stores it and closes the file as usual; the client's pages show the file as
still in progress until a later decision event with visible_to_client=true releases it.
"""

import datetime
import html

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from applications.models import Application
from notifications.models import Kind, Notification
from status_tracker.api_clients import api_client_create
from status_tracker.models import ApiScope, Decision, EventKind, RefusalGround
from tests.factories import ingest_event

pytestmark = pytest.mark.django_db

NOTES = "Funds: source of the deposit not explained."
GROUNDS = ["insufficient-funds", "purpose-of-visit"]


def decision_url(application):
    return reverse("applications:decision", kwargs={"number": application.number})


def detail_url(application):
    return reverse("applications:detail", kwargs={"number": application.number})


def decide(application, *, visible, outcome="refused", days_ago=3):
    return ingest_event(
        application=application,
        kind=EventKind.DECISION,
        occurred_at=timezone.now() - datetime.timedelta(days=days_ago),
        outcome=outcome,
        grounds=tuple(GROUNDS) if outcome == "refused" else (),
        notes=NOTES,
        made_in_canada=True,
        visible_to_client=visible,
        notify=True,
    )


@pytest.fixture
def unreleased(applicant_application):
    ingest_event(
        application=applicant_application,
        kind=EventKind.STAGE,
        occurred_at=timezone.now() - datetime.timedelta(days=30),
        stage="completeness",
        state="in_progress",
    )
    decide(applicant_application, visible=False)
    return applicant_application


@pytest.fixture
def released(unreleased):
    decide(unreleased, visible=True, days_ago=1)
    return unreleased


def page_text(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return html.unescape(response.text)


def test_ingestion_stores_it_and_closes_the_file_as_usual(unreleased):
    assert unreleased.status == Application.Status.CLOSED
    assert unreleased.outcome == Application.Outcome.REFUSED
    decision = Decision.objects.get(application=unreleased)
    assert decision.released is False
    assert sorted(ground.code for ground in decision.grounds.all()) == GROUNDS


def test_its_decision_page_is_a_404_for_the_owner(client, applicant, unreleased):
    client.force_login(applicant)
    assert client.get(decision_url(unreleased)).status_code == 404


def test_the_status_page_shows_the_file_still_in_progress(client, applicant, unreleased):
    client.force_login(applicant)
    page = page_text(client, detail_url(unreleased))
    assert "In progress" in page
    assert "Closed" not in page
    assert "refused" not in page.lower()
    assert "Decision date" not in page
    assert "The decision on your application" not in page
    assert decision_url(unreleased) not in page
    assert "Nothing is waiting on you" in page


def test_the_list_of_my_applications_shows_it_still_in_progress(client, applicant, unreleased):
    client.force_login(applicant)
    page = page_text(client, reverse("applications:list"))
    assert unreleased.number in page
    assert "In progress" in page
    assert "Closed" not in page
    assert "refused" not in page.lower()


def test_it_tells_nobody(unreleased):
    assert not Notification.objects.filter(application=unreleased).exists()


def test_a_release_event_shows_the_decision_with_its_grounds_and_notes(client, applicant, released):
    client.force_login(applicant)
    page = page_text(client, decision_url(released))
    assert NOTES in page
    for code in GROUNDS:
        assert RefusalGround.objects.get(code=code).title in page
    status_page = page_text(client, detail_url(released))
    assert "Closed: refused" in status_page
    assert decision_url(released) in status_page


def test_a_release_event_tells_the_client_once(applicant, released):
    news = Notification.objects.filter(application=released, recipient=applicant)
    assert {row.kind for row in news} == {Kind.DECISION}
    assert news.values("dedupe_key").distinct().count() == 1


def test_a_release_may_carry_a_new_outcome(client, applicant, unreleased):
    decide(unreleased, visible=True, outcome="approved", days_ago=1)
    client.force_login(applicant)
    page = page_text(client, detail_url(unreleased))
    assert "Closed: approved" in page
    assert client.get(decision_url(unreleased)).status_code == 200


def test_a_later_unreleased_decision_hides_the_released_one_until_it_is_released(client, applicant, released):
    decide(released, visible=False, outcome="approved", days_ago=0)
    client.force_login(applicant)
    assert client.get(decision_url(released)).status_code == 404
    assert "Closed" not in page_text(client, detail_url(released))


def test_the_upstream_read_back_says_whether_it_is_released(unreleased):
    _api_client, token = api_client_create(name="gcms", actor=None, scopes=ApiScope.values)
    api = Client(headers={"Authorization": f"Bearer {token}"})
    url = f"/api/v1/applications/{unreleased.number}/"
    body = api.get(url).json()
    assert body["status"] == "closed"
    assert body["decision"]["outcome"] == "refused"
    assert body["decision"]["released"] is False
    decide(unreleased, visible=True, days_ago=1)
    assert api.get(url).json()["decision"]["released"] is True
