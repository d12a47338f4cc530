"""Service tokens carry scopes: each endpoint needs its own, a new token gets the least, and ids are per client."""

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from applications.models import Application
from status_tracker.api_clients import UnknownScope, api_client_create
from status_tracker.models import ApiClient, StatusEvent
from tests.factories import ApplicationFactory, record_decision

EVENTS = "/api/v1/events/"


def api(token: str) -> Client:
    return Client(headers={"Authorization": f"Bearer {token}"})


def event(event_id: str, number: str) -> dict:
    return {
        "event_id": event_id,
        "application_number": number,
        "kind": "status",
        "status": "in_progress",
        "occurred_at": "2026-06-01T10:00:00-04:00",
    }


def post_event(client: Client, payload: dict):
    return client.post(EVENTS, data=json.dumps(payload), content_type="application/json")


@pytest.fixture
def application(db) -> Application:
    return ApplicationFactory(number="E700000001", submitted_on="2026-01-05")


def test_a_new_token_only_reads_status(application):
    client, token = api_client_create(name="reader", actor=None)

    assert client.scopes == ["status:read"]
    assert api(token).get("/api/v1/applications/E700000001/").status_code == 200
    response = post_event(api(token), event("r-1", "E700000001"))
    assert response.status_code == 403
    assert response["Content-Type"].startswith("application/problem+json")
    assert "events:write" in response.json()["detail"]
    assert not StatusEvent.objects.exists()


def test_a_writer_without_status_reading_cannot_read_back(application):
    _client, token = api_client_create(name="writer", actor=None, scopes=["events:write"])

    assert post_event(api(token), event("w-1", "E700000001")).status_code == 200
    assert api(token).get("/api/v1/applications/E700000001/").status_code == 403


def test_the_decision_is_read_back_only_with_the_decisions_scope(application):
    record_decision(application=application, outcome="refused", notes="Funds were not shown.")
    _plain, plain_token = api_client_create(name="status only", actor=None, scopes=["status:read"])
    _full, full_token = api_client_create(name="with decisions", actor=None, scopes=["status:read", "decisions:read"])

    without = api(plain_token).get("/api/v1/applications/E700000001/").json()
    with_decisions = api(full_token).get("/api/v1/applications/E700000001/").json()

    assert without["decision"] is None
    assert b"Funds were not shown" not in json.dumps(without).encode()
    assert with_decisions["decision"]["officer_notes"] == "Funds were not shown."


def test_an_unknown_scope_is_refused(db):
    with pytest.raises(UnknownScope):
        api_client_create(name="odd", actor=None, scopes=["events:delete"])
    assert not ApiClient.objects.filter(name="odd").exists()


def test_the_command_grants_the_scopes_asked_for_and_refuses_unknown_ones(db, capsys):
    call_command("create_api_client", "gcms", "--scope", "events:write", "--scope", "status:read")
    assert ApiClient.objects.get(name="gcms").scopes == ["events:write", "status:read"]
    with pytest.raises(CommandError, match="Unknown scope"):
        call_command("create_api_client", "other", "--scope", "everything")


def test_two_clients_may_use_the_same_event_id_without_pre_empting_each_other(application):
    _first, first_token = api_client_create(name="first", actor=None, scopes=["events:write"])
    _second, second_token = api_client_create(name="second", actor=None, scopes=["events:write"])

    first = post_event(api(first_token), event("shared-1", "E700000001")).json()
    second = post_event(api(second_token), event("shared-1", "E700000001")).json()
    again = post_event(api(first_token), event("shared-1", "E700000001")).json()

    assert first["results"][0]["result"] == "applied"
    assert second["results"][0]["result"] != "duplicate"
    assert again["results"][0]["result"] == "duplicate"
    assert StatusEvent.objects.filter(source_id="shared-1").count() == 2
