"""Every reader of a case against every persona, as one table: pages, API, notification centre, recipients.

The case is decided (so its decision page exists) and was announced through ingestion to
everyone linked at the time, including an account that has since unlinked.
"""

import datetime

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from applications.access import Need, recipients_for
from applications.services import application_unlink
from core.models import AuditAction, AuditEvent
from notifications.models import Channel, Notification
from notifications.services import Outcome, notifications_deliver_many
from status_tracker.api_clients import api_client_create, api_client_revoke
from status_tracker.events import EventIn
from status_tracker.ingest import ItemResult, events_ingest
from status_tracker.models import ApiScope, EventKind
from tests.factories import ApplicationFactory, UserFactory, link, sign_in

PERSONAS = ["anonymous", "owner", "other_applicant", "staff", "staff_without_permission", "former_owner"]

# HTTP status of each page for each persona ("login" means sent to sign in).
PAGES = {
    "status page": ("applications:detail", {"owner": 200, "staff": 200}),
    "decision page": ("applications:decision", {"owner": 200, "staff": 200}),
    # Staff may read but have nothing to unlink: sent back to the status page.
    "unlink page": ("applications:unlink", {"owner": 200, "staff": 302}),
}
DENIED = 404


@pytest.fixture
def case(db):
    owner = UserFactory(email="owner@example.com")
    former = UserFactory(email="former@example.com")
    application = ApplicationFactory(submitted_on=timezone.localdate() - datetime.timedelta(days=200))
    link(user=owner, application=application)
    link(user=former, application=application)
    decision = EventIn(
        event_id="matrix-decision",
        application_number=application.number,
        occurred_at=timezone.now() - datetime.timedelta(days=1),
        kind=EventKind.DECISION,
        outcome="refused",
        notes="Officer's notes [REDACTED].",
    )
    (item,) = events_ingest(events=[decision])
    assert item.result == ItemResult.APPLIED
    application_unlink(account=former, application=application)
    staff = UserFactory(email="staff@example.com", is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="view_application"))
    people = {
        "anonymous": None,
        "owner": owner,
        "other_applicant": UserFactory(email="other@example.com"),
        "staff": staff,
        "staff_without_permission": UserFactory(email="clerk@example.com", is_staff=True),
        "former_owner": former,
    }
    return application, people


def client_for(person) -> Client:
    client = Client()
    if person is not None:
        sign_in(client, person)
    return client


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("page", list(PAGES))
def test_each_page_of_a_case(case, persona, page):
    application, people = case
    url_name, allowed = PAGES[page]
    response = client_for(people[persona]).get(reverse(url_name, args=[application.number]))
    if persona == "anonymous":
        assert response.status_code == 302 and reverse("account_login") in response["Location"]
    else:
        assert response.status_code == allowed.get(persona, DENIED)


@pytest.mark.parametrize("persona", PERSONAS)
def test_my_applications_lists_the_case_only_for_its_owner(case, persona):
    application, people = case
    response = client_for(people[persona]).get(reverse("applications:list"))
    if persona == "anonymous":
        assert response.status_code == 302
        return
    assert response.status_code == 200
    assert (application.number in response.text) == (persona == "owner")


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_notification_centre_shows_the_news_only_to_who_may_see_the_case(case, persona):
    application, people = case
    person = people[persona]
    response = client_for(person).get(reverse("notifications:centre"))
    if persona == "anonymous":
        assert response.status_code == 302
        return
    assert (application.number in response.text) == (persona == "owner")
    owners_row = Notification.objects.get(recipient=people["owner"], channel=Channel.IN_APP)
    marked = client_for(person).post(reverse("notifications:read", args=[owners_row.pk]))
    assert marked.status_code == (302 if persona == "owner" else 404)


def test_the_former_owner_was_told_then_lost_the_news_with_the_case(case):
    application, people = case
    former = people["former_owner"]
    written = Notification.objects.filter(recipient=former, application=application)
    assert written.filter(channel=Channel.IN_APP).exists()
    email = written.get(channel=Channel.EMAIL)
    # Written while the account could see the case; sending it now would tell a stranger.
    assert notifications_deliver_many(notification_ids=[email.pk]) == {Outcome.WITHDRAWN: 1}
    centre = client_for(former).get(reverse("notifications:centre"))
    assert application.number not in centre.text


def test_recipients_of_news_are_the_owner_alone(case):
    application, people = case
    for need in Need:
        assert recipients_for(application_ids=[application.pk], need=need) == {application.pk: [people["owner"]]}


@pytest.mark.parametrize(
    ("who", "expected"), [("no token", 401), ("signed-in staff", 401), ("service token", 200), ("revoked token", 401)]
)
def test_the_upstream_read_back_answers_only_live_service_tokens(case, who, expected):
    application, people = case
    headers = {}
    client = Client()
    if who == "signed-in staff":
        sign_in(client, people["staff"])
    elif who in ("service token", "revoked token"):
        api_client, token = api_client_create(name=f"gcms {who}", actor=None, scopes=ApiScope.values)
        if who == "revoked token":
            api_client_revoke(api_client=api_client, actor=None)
        headers["Authorization"] = f"Bearer {token}"
    response = client.get(f"/api/v1/applications/{application.number}/", headers=headers)
    assert response.status_code == expected


def test_only_reads_by_someone_other_than_the_owner_are_audited(case):
    application, people = case
    AuditEvent.objects.filter(action=AuditAction.CASE_READ).delete()
    client_for(people["owner"]).get(reverse("applications:detail", args=[application.number]))
    assert not AuditEvent.objects.filter(action=AuditAction.CASE_READ).exists()
    client_for(people["staff"]).get(reverse("applications:decision", args=[application.number]))
    (read,) = AuditEvent.objects.filter(action=AuditAction.CASE_READ)
    assert (read.actor, read.case_number, read.extra["need"]) == (people["staff"], application.number, "decision")
