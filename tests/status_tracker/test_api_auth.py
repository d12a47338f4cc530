"""Who gets into the upstream endpoints: a live service token, and nobody else (not even staff)."""

import datetime
import json

import pytest
from django.test import Client
from django.utils import timezone

from status_tracker.api_clients import api_client_create, api_client_revoke, token_digest
from status_tracker.models import ApiClient, ApiScope, StatusEvent
from tests.factories import ApplicationFactory, sign_in_with_second_step

pytestmark = pytest.mark.django_db

EVENTS = "/api/v1/events/"


@pytest.fixture
def application(db):
    return ApplicationFactory(number="E300000001")


@pytest.fixture
def live_token(db):
    _client, token = api_client_create(name="gcms", actor=None, scopes=ApiScope.values)
    return token


@pytest.fixture
def revoked_token(db):
    client, token = api_client_create(name="retired", actor=None, scopes=ApiScope.values)
    api_client_revoke(api_client=client, actor=None)
    return token


def event_body(event_id="auth-1"):
    return json.dumps(
        {
            "event_id": event_id,
            "application_number": "E300000001",
            "occurred_at": (timezone.now() - datetime.timedelta(hours=1)).isoformat(),
            "kind": "stage",
            "stage": "completeness",
            "state": "in_progress",
        }
    )


def call(client: Client, endpoint: str, **headers):
    if endpoint == "events":
        return client.post(EVENTS, data=event_body(), content_type="application/json", headers=headers)
    return client.get("/api/v1/applications/E300000001/", headers=headers)


def assert_unauthorized(response):
    assert response.status_code == 401, response.content
    assert response["WWW-Authenticate"] == "Bearer"
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["status"] == 401


ENDPOINTS = ["events", "application"]


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_it_lets_a_live_token_in(endpoint, application, live_token):
    response = call(Client(), endpoint, Authorization=f"Bearer {live_token}")

    assert response.status_code == 200


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_the_bearer_keyword_is_case_insensitive(endpoint, application, live_token):
    assert call(Client(), endpoint, Authorization=f"bearer {live_token}").status_code == 200


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_it_refuses_a_request_without_a_token(endpoint, application):
    assert_unauthorized(call(Client(), endpoint))


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize(
    "header",
    ["Bearer", "Bearer ", "Bearer a b", "Token abc", "Basic dXNlcjpwYXNz", "csp_abc", "Bearer caf\u00e9"],
    ids=["no-token", "blank", "two-parts", "other-keyword", "basic", "no-keyword", "latin1"],
)
def test_it_refuses_a_malformed_header(endpoint, header, application, live_token):
    assert_unauthorized(call(Client(), endpoint, Authorization=header))


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_it_refuses_an_unknown_token(endpoint, application, live_token):
    assert_unauthorized(call(Client(), endpoint, Authorization=f"Bearer {live_token}x"))


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_it_refuses_a_revoked_token(endpoint, application, revoked_token):
    assert_unauthorized(call(Client(), endpoint, Authorization=f"Bearer {revoked_token}"))


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize("persona", ["applicant", "staff_user", "admin_user"])
def test_it_refuses_a_signed_in_person_even_staff(endpoint, persona, application, request):
    browser = Client()
    browser.force_login(request.getfixturevalue(persona))

    assert_unauthorized(call(browser, endpoint))
    assert not StatusEvent.objects.exists()


def test_a_signed_in_superuser_cannot_post_with_a_csrf_token_either(application, admin_user):
    browser = Client(enforce_csrf_checks=True)
    sign_in_with_second_step(browser, admin_user)
    browser.get("/en/")  # sets the CSRF cookie
    token = browser.cookies.get("csrftoken")
    headers = {"X-CSRFToken": token.value} if token else {}

    assert_unauthorized(call(browser, "events", **headers))


def test_a_token_is_stored_only_as_its_digest(live_token):
    client = ApiClient.objects.get(name="gcms")

    assert client.token_hash == token_digest(token=live_token)
    assert live_token.startswith(client.token_prefix + "_")
    stored = [str(value) for value in ApiClient.objects.values_list().get(pk=client.pk)]
    assert all(live_token not in value for value in stored)


def test_last_used_is_written_at_most_once_a_minute(application, live_token, django_assert_num_queries, time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    browser = Client(headers={"Authorization": f"Bearer {live_token}"})
    call(browser, "application")
    first_use = ApiClient.objects.get(name="gcms").last_used_at

    time_machine.shift(datetime.timedelta(seconds=30))
    call(browser, "application")
    assert ApiClient.objects.get(name="gcms").last_used_at == first_use

    time_machine.shift(datetime.timedelta(seconds=31))
    call(browser, "application")
    assert ApiClient.objects.get(name="gcms").last_used_at == first_use + datetime.timedelta(seconds=61)


def test_revoking_takes_effect_on_the_next_request(application):
    client, token = api_client_create(name="soon-gone", actor=None, scopes=ApiScope.values)
    browser = Client(headers={"Authorization": f"Bearer {token}"})
    assert call(browser, "application").status_code == 200

    assert api_client_revoke(api_client=client, actor=None) is True
    assert api_client_revoke(api_client=client, actor=None) is False

    assert_unauthorized(call(browser, "application"))


def test_the_public_endpoint_and_the_schema_need_no_token(db):
    anonymous = Client()

    assert anonymous.get("/api/v1/processing-times/").status_code == 200
    assert anonymous.get("/api/v1/schema/").status_code == 200
    assert anonymous.get("/api/v1/schema/", headers={"Authorization": "Bearer revoked-or-not"}).status_code == 200
