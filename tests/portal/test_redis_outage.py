"""With Redis unreachable (the cache and the Celery broker), nothing answers 500.

Every page is browsed in English and in French by the person who may see it, every
API endpoint is called, and sign-in, sign-up and password reset are posted: a cache
miss is not an error. Rate limits keep counting, in the database, instead of
switching off: repeated wrong passwords and password resets are still refused.
Redis is "down" by pointing at an address where nothing listens (the shared Redis
is never stopped).
"""

import datetime
import json

import pytest
import redis
from django.contrib.auth.models import Group, Permission
from django.core.cache import caches
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from applications.models import Program
from core.cache import FALLBACK_TABLE
from enquiries.models import Topic
from enquiries.performance import service_snapshots_compute
from notifications.models import Notification, State
from portal.celery import app as celery_app
from processing_times.models import ProcessingTimeSnapshot
from status_tracker.api_clients import api_client_create
from status_tracker.models import ApiScope, EventKind, StatusEvent
from tests.enquiries.factories import make_ticket
from tests.factories import STAFF_TOTP_SECRET, UserFactory, ingest_event, record_decision, sign_in_with_second_step
from tests.totp import totp_code

REDIS_DOWN = "redis://127.0.0.1:1/0"
PASSWORD = "correct horse battery staple"
PROBLEM = "application/problem+json"

pytestmark = pytest.mark.django_db


def redis_down_caches() -> dict:
    """The production cache (portal/settings.py) with its Redis where nothing listens."""
    return {
        "default": {
            "BACKEND": "core.cache.RedisWithDatabaseFallback",
            "LOCATION": REDIS_DOWN,
            "KEY_PREFIX": "outage-test",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }


@pytest.fixture(autouse=True)
def redis_down(settings):
    """The cache and the broker both point at a Redis that does not answer."""
    settings.CACHES = redis_down_caches()
    settings.REDIS_URL = REDIS_DOWN
    saved = {key: celery_app.conf[key] for key in ("broker_url", "task_always_eager")}
    celery_app.conf.broker_url = REDIS_DOWN
    celery_app.conf.task_always_eager = False
    celery_app._pool = None
    celery_app.amqp._producer_pool = None
    # Really down: Redis itself refuses (the portal's cache then answers from the database).
    with pytest.raises(redis.exceptions.ConnectionError):
        caches["default"].primary.get("anything")
    yield
    celery_app.conf.update(saved)
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


def url(name: str, language: str, **kwargs) -> str:
    with translation.override(language):
        return reverse(name, kwargs=kwargs)


@pytest.fixture
def agent(db):
    """An agent of the status queue, as tests/enquiries/conftest.py makes them."""
    user = UserFactory(email="status.agent@example.com", is_staff=True)
    user.groups.add(Group.objects.get(name="Agent"))
    user.user_permissions.add(Permission.objects.get(codename="view_application"))
    Topic.objects.get(code="status").agents.add(user)
    return user


@pytest.fixture
def world(applicant, applicant_application, agent):
    """A decided application, a notification, the applicant's enquiry, published figures, an agent's ticket."""
    ingest_event(
        application=applicant_application,
        kind=EventKind.STAGE,
        stage="eligibility",
        state="in_progress",
        notify=True,
    )
    record_decision(application=applicant_application, outcome="approved")
    ticket = make_ticket(account=applicant, application=applicant_application)
    service_snapshots_compute(today=timezone.localdate())
    study = Program.objects.get(code="study-permit")
    for country in ("", "IN"):
        ProcessingTimeSnapshot.objects.create(
            program=study,
            country=country,
            computed_on=timezone.localdate(),
            window_days=study.processing_window_days,
            sample_size=120,
            p50_days=40.0,
            p80_days=61.2,
            p90_days=75.0,
            waiting_count=300,
            monthly_output=150.0,
        )
    return {"application": applicant_application, "ticket": ticket}


def page_urls(*, language: str, application, ticket) -> dict[str, list[str]]:
    """Each persona's pages in one language."""
    number, reference = application.number, ticket.reference
    public = [
        url("home", language),
        url("account_login", language),
        url("account_signup", language),
        url("account_reset_password", language),
        url("processing_times:index", language),
        url("processing_times:index", language) + "?program=study-permit&country=IN",
        url("processing_times:methodology", language),
        url("performance:index", language),
        url("enquiries:new", language),
    ]
    applicant = [
        url("applications:list", language),
        url("applications:link", language),
        url("applications:detail", language, number=number),
        url("applications:decision", language, number=number),
        url("notifications:centre", language),
        url("notifications:preferences", language),
        url("enquiries:new", language),
        url("enquiries:new", language) + f"?application={number}&topic=status",
        url("enquiries:list", language),
        url("enquiries:detail", language, reference=reference),
        url("account_email", language),
        url("account_change_password", language),
        url("mfa_index", language),
    ]
    agent = [
        url("agents:queue", language),
        url("agents:ticket", language, reference=reference),
    ]
    return {"public": public, "applicant": applicant, "agent": agent}


@pytest.mark.parametrize("language", ["en", "fr"])
def test_every_page_answers_in_each_language_with_redis_down(language, world, applicant, agent):
    pages = page_urls(language=language, application=world["application"], ticket=world["ticket"])
    # A failure answers 500 here instead of raising, so that every failing page is listed.
    anonymous, signed_in, agent_client = (Client(raise_request_exception=False) for _ in range(3))
    signed_in.force_login(applicant)
    sign_in_with_second_step(agent_client, agent)

    answers = {
        address: visitor.get(address)
        for visitor, persona in ((anonymous, "public"), (signed_in, "applicant"), (agent_client, "agent"))
        for address in pages[persona]
    }

    failed = {address: answer.status_code for address, answer in answers.items() if answer.status_code != 200}
    assert not failed, failed
    for answer in answers.values():
        assert f'<html lang="{language}">' in answer.text


def test_signing_in_up_and_out_and_resetting_a_password_work_with_redis_down(client, applicant, mailoutbox):
    signed_in = client.post(reverse("account_login"), {"login": applicant.email, "password": PASSWORD})
    assert signed_in.status_code == 302
    assert signed_in["Location"] == reverse("applications:list")
    assert client.get(reverse("applications:list")).status_code == 200
    assert client.post(reverse("account_logout")).status_code == 302

    signed_up = client.post(
        reverse("account_signup"),
        {"email": "newcomer@example.com", "password1": "a long new passphrase", "password2": "a long new passphrase"},
    )
    assert signed_up.status_code == 302
    reset = client.post(reverse("account_reset_password"), {"email": applicant.email})
    assert reset.status_code == 302
    assert [message.to for message in mailoutbox][-1] == [applicant.email]


def test_staff_sign_in_with_password_and_code_reaches_the_agent_queue_with_redis_down(client, agent):
    from allauth.mfa.totp.internal.auth import TOTP

    TOTP.activate(agent, STAFF_TOTP_SECRET)
    first = client.post(reverse("account_login"), {"login": agent.email, "password": PASSWORD})
    assert first["Location"] == reverse("mfa_authenticate")
    code = totp_code(STAFF_TOTP_SECRET)
    second = client.post(reverse("mfa_authenticate"), {"code": code})
    assert second.status_code == 302

    assert client.get(reverse("agents:queue")).status_code == 200
    # The code cannot be replayed: allauth remembers used codes in the cache, here its database fallback.
    client.logout()
    client.post(reverse("account_login"), {"login": agent.email, "password": PASSWORD})
    replayed = client.post(reverse("mfa_authenticate"), {"code": code})
    assert replayed.status_code == 200
    assert client.get(reverse("agents:queue")).status_code == 302


def test_repeated_wrong_passwords_are_still_rate_limited_with_redis_down(client, applicant):
    pages = [
        client.post(reverse("account_login"), {"login": applicant.email, "password": "wrong password"})
        for _ in range(6)
    ]

    assert [page.status_code for page in pages] == [200] * 6
    assert "Too many failed login attempts" not in pages[0].text
    assert "Too many failed login attempts" in pages[-1].text
    # Even the right password is refused while the limit holds.
    right = client.post(reverse("account_login"), {"login": applicant.email, "password": PASSWORD})
    assert right.status_code == 200
    assert "Too many failed login attempts" in right.text
    # The counts lived in the database, the cache's fallback.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {FALLBACK_TABLE} WHERE cache_key LIKE %s", ["%login_failed%"])  # noqa: S608
        assert cursor.fetchone()[0] >= 1


def test_password_reset_requests_are_still_rate_limited_with_redis_down(client, applicant, mailoutbox):
    answers = [client.post(reverse("account_reset_password"), {"email": applicant.email}) for _ in range(6)]

    assert [answer.status_code for answer in answers] == [302] * 5 + [429]
    assert len(mailoutbox) == 5


@pytest.fixture
def token(db):
    _client, token = api_client_create(name="outage", actor=None, scopes=ApiScope.values)
    return token


def api_calls(*, number: str) -> list[tuple[str, str, dict | None]]:
    event = {
        "event_id": "outage-1",
        "application_number": number,
        "kind": "note",
        "occurred_at": "2026-05-01T10:00:00Z",
        "message": {"en": "We received your file.", "fr": "Nous avons reçu votre dossier."},
    }
    return [
        ("get", "/api/v1/processing-times/", None),
        ("get", "/api/v1/processing-times/?program=study-permit", None),
        ("get", "/api/v1/processing-times/?program=study-permit&country=IN", None),
        ("get", "/api/v1/processing-times/?junk=1", None),
        ("get", "/api/v1/processing-times/?program=no-such-program", None),
        ("get", "/api/v1/processing-times/?country=ZZ", None),
        ("post", "/api/v1/processing-times/", {}),
        ("get", "/api/v1/service-performance/", None),
        ("get", "/api/v1/service-performance/?topic=status", None),
        ("get", "/api/v1/service-performance/?topic=no-such-topic", None),
        ("post", "/api/v1/events/", event),
        ("post", "/api/v1/events/", {"events": [{**event, "event_id": "outage-2"}, {"kind": "junk"}]}),
        ("post", "/api/v1/events/", {"event_id": "bad"}),
        ("get", f"/api/v1/applications/{number}/", None),
        ("get", "/api/v1/applications/E000000000/", None),
        ("get", f"/api/v1/applications/{number}/documents/", None),
        ("get", f"/api/v1/applications/{number}/documents/999999/", None),
        ("get", "/api/v1/schema/", None),
        ("get", "/api/v1/docs/", None),
        ("get", "/api/v1/no-such-endpoint/", None),
    ]


@pytest.mark.parametrize("authenticated", [True, False], ids=["with-token", "anonymous"])
def test_every_api_endpoint_answers_without_a_500_and_errors_are_problems(
    world, token, authenticated, django_capture_on_commit_callbacks, caplog
):
    headers = {"Authorization": f"Bearer {token}"} if authenticated else {}
    caller = Client(headers=headers, raise_request_exception=False)
    answers = {}
    # After commit, ingestion hands the notifications to the (unreachable) broker.
    with django_capture_on_commit_callbacks(execute=True):
        for method, address, body in api_calls(number=world["application"].number):
            if method == "get":
                answers[(method, address)] = caller.get(address)
            else:
                answers[(method, address, json.dumps(body))] = caller.post(
                    address, data=json.dumps(body), content_type="application/json"
                )

    failed = {call: answer.status_code for call, answer in answers.items() if answer.status_code >= 500}
    assert not failed, failed
    not_problems = {
        call: answer["Content-Type"]
        for call, answer in answers.items()
        if answer.status_code >= 400 and answer["Content-Type"] != PROBLEM
    }
    assert not not_problems, not_problems
    assert answers[("get", "/api/v1/processing-times/?program=study-permit")].status_code == 200
    assert answers[("get", "/api/v1/service-performance/")].status_code == 200
    if authenticated:
        number = world["application"].number
        assert answers[("get", f"/api/v1/applications/{number}/")].status_code == 200
        # The events went in (the single one applied, the batch answered per item), their
        # notifications wait in the outbox for the broker to come back.
        event_answers = [answer for call, answer in answers.items() if call[1] == "/api/v1/events/"]
        assert [answer.status_code for answer in event_answers] == [200, 200, 422]
        assert StatusEvent.objects.filter(source_id__in=["outage-1", "outage-2"]).count() == 2
        event = StatusEvent.objects.get(source_id="outage-1")
        waiting = Notification.objects.filter(dedupe_key__startswith=f"status_event:{event.pk}", state=State.PENDING)
        assert waiting.exists()
        assert "the sweeper will retry" in caplog.text


def test_the_documents_page_for_a_waiting_request_answers_with_redis_down(client, applicant, applicant_application):
    ingest_event(
        application=applicant_application,
        kind=EventKind.STAGE,
        stage="biometrics",
        state="waiting_on_client",
        occurred_at=timezone.now() - datetime.timedelta(hours=1),
    )
    client.force_login(applicant)
    for language in ("en", "fr"):
        page = client.get(url("documents:send", language, number=applicant_application.number, stage_code="biometrics"))
        assert page.status_code == 200


def test_an_applicant_sends_an_enquiry_with_redis_down(client, applicant, applicant_application):
    from enquiries.models import Ticket
    from tests.enquiries.client_support import send

    client.force_login(applicant)
    response = send(client, application=applicant_application, message="Where is my file, please?")

    assert response.status_code == 302
    ticket = Ticket.objects.get(account=applicant)
    assert client.get(url("enquiries:detail", "fr", reference=ticket.reference)).status_code == 200


def test_the_admin_and_its_csv_import_work_with_redis_down(admin_client, applicant_application):
    """The CSV preview waits in the cache between upload and confirmation: here in its database fallback."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from status_tracker.csv_import import COLUMNS

    for name in (
        "admin:index",
        "admin:status_tracker_statusevent_changelist",
        "admin:applications_application_changelist",
    ):
        assert admin_client.get(reverse(name)).status_code == 200
    row = {
        "event_id": "outage-csv-1",
        "application_number": applicant_application.number,
        "occurred_at": (timezone.now() - datetime.timedelta(hours=2)).replace(microsecond=0).isoformat(),
        "kind": "stage",
        "stage": "completeness",
        "state": "completed",
    }
    content = (",".join(COLUMNS) + "\r\n" + ",".join(row.get(name, "") for name in COLUMNS) + "\r\n").encode()

    preview = admin_client.post(
        reverse("admin:status_tracker_statusevent_import"),
        {"file": SimpleUploadedFile("events.csv", content, content_type="text/csv")},
    )
    assert preview.status_code == 200
    token = preview.context["confirm_form"].initial["token"]
    applied = admin_client.post(reverse("admin:status_tracker_statusevent_import_confirm"), {"token": token})

    assert applied.status_code == 200
    assert StatusEvent.objects.filter(source_id="outage-csv-1").exists()
