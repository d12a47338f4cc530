"""The OpenAPI schema and its page: public, complete about errors and security, CSP-safe."""

import re
import threading
import time

import pytest
from django.db import connection
from django.test import Client

from core.models import IdempotencyRecord
from status_tracker.api import events as events_api
from status_tracker.api_clients import api_client_create
from status_tracker.models import ApiScope, StatusEvent
from tests.factories import ApplicationFactory

SCHEMA = "/api/v1/schema/?format=json"


@pytest.fixture
def schema(db):
    response = Client().get(SCHEMA)
    assert response.status_code == 200
    return response.json()


def test_every_operation_documents_its_problem_responses(schema):
    expected = {
        ("post", "/api/v1/events/"): {"200", "400", "401", "403", "413", "429", "415", "422"},
        ("get", "/api/v1/applications/{number}/"): {"200", "401", "403", "404", "429"},
        ("get", "/api/v1/processing-times/"): {"200", "400", "404"},
        ("get", "/api/v1/applications/{number}/documents/"): {"200", "401", "403", "404", "429"},
        ("get", "/api/v1/applications/{number}/documents/{document_id}/"): {"200", "401", "403", "404", "410", "429"},
        ("get", "/api/v1/service-performance/"): {"200", "400", "404"},
    }
    found = {
        (method, path): set(operation["responses"])
        for path, item in schema["paths"].items()
        for method, operation in item.items()
    }
    assert found == expected
    for (method, path), statuses in expected.items():
        responses = schema["paths"][path][method]["responses"]
        for status in statuses - {"200"}:
            assert list(responses[status]["content"]) == ["application/problem+json"], (path, status)


def test_the_upstream_operations_need_a_bearer_token(schema):
    assert schema["components"]["securitySchemes"]["serviceToken"] == {
        "type": "http",
        "scheme": "bearer",
        "description": schema["components"]["securitySchemes"]["serviceToken"]["description"],
    }
    assert schema["paths"]["/api/v1/events/"]["post"]["security"] == [{"serviceToken": []}]
    assert schema["paths"]["/api/v1/applications/{number}/"]["get"]["security"] == [{"serviceToken": []}]


def test_the_events_body_is_one_event_or_a_batch(schema):
    body = schema["paths"]["/api/v1/events/"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    one_of = schema["components"]["schemas"][body["$ref"].rsplit("/", 1)[1]]["oneOf"]
    assert [item["$ref"].rsplit("/", 1)[1] for item in one_of] == ["EventInputRequest", "EventBatchRequest"]
    batch = schema["components"]["schemas"]["EventBatchRequest"]
    assert batch["properties"]["events"]["minItems"] == 1
    assert batch["properties"]["events"]["maxItems"] == 1000
    assert batch["additionalProperties"] is False


def test_the_events_422_documents_a_rejected_single_event(schema):
    responses = schema["paths"]["/api/v1/events/"]["post"]["responses"]
    unprocessable = responses["422"]
    assert "single event" in unprocessable["description"]
    problem = unprocessable["content"]["application/problem+json"]["schema"]
    component = schema["components"]["schemas"][problem["$ref"].rsplit("/", 1)[1]]
    assert component["properties"]["result"]["allOf"] == [{"$ref": "#/components/schemas/EventResult"}]
    assert "result" not in component.get("required", [])
    assert "Idempotent-Replayed" in unprocessable["headers"]


def test_the_docs_page_has_no_inline_script_or_style(db):
    response = Client().get("/api/v1/docs/")

    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert "<style" not in html and "style=" not in html
    assert re.findall(r"<script[^>]*>\s*</script>", html) and not re.search(r"<script[^>]*>[^<\s]", html)
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html

    script = Client().get("/api/v1/docs/?script=")
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert "/api/v1/schema/" in script.content.decode()


@pytest.mark.parametrize("path", ["/api/v1/nothing-here/", "/api/v1/events", "/api/v1/applications/"])
def test_an_unknown_api_address_is_a_404_problem_even_for_a_post(db, path):
    response = Client().post(path, data="{}", content_type="application/json")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"


@pytest.mark.parametrize("method", ["get", "put", "delete", "patch"])
def test_other_methods_on_events_are_a_405_problem(db, method):
    _client, token = api_client_create(name="gcms", actor=None, scopes=ApiScope.values)

    response = getattr(Client(), method)("/api/v1/events/", headers={"Authorization": f"Bearer {token}"})

    assert response.status_code == 405
    assert response["Content-Type"] == "application/problem+json"


def test_an_unacceptable_accept_header_is_a_406_problem(db):
    response = Client().get("/api/v1/processing-times/", headers={"Accept": "text/csv"})

    assert response.status_code == 406
    assert response["Content-Type"] == "application/problem+json"


@pytest.mark.django_db(transaction=True)
def test_concurrent_first_uses_of_a_key_ingest_once(monkeypatch, reference_programs):
    ApplicationFactory(number="E700000001")
    _client, token = api_client_create(name="gcms", actor=None, scopes=ApiScope.values)
    body = (
        '{"event_id": "race-1", "application_number": "E700000001", '
        '"occurred_at": "2026-01-05T10:00:00Z", "kind": "stage", "stage": "biometrics", "state": "in_progress"}'
    )
    calls = []
    real_answer = events_api.events_answer

    def slow_answer(**kwargs):
        calls.append(1)
        time.sleep(0.5)  # long enough for the other request to reach the key
        return real_answer(**kwargs)

    monkeypatch.setattr(events_api, "events_answer", slow_answer)
    responses = []

    def send():
        try:
            responses.append(
                Client().post(
                    "/api/v1/events/",
                    data=body,
                    content_type="application/json",
                    headers={"Authorization": f"Bearer {token}", "Idempotency-Key": "race"},
                )
            )
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(calls) == 1
    assert [response.status_code for response in responses] == [200, 200]
    assert responses[0].json() == responses[1].json()
    assert sorted(response.get("Idempotent-Replayed", "") for response in responses) == ["", "true"]
    assert StatusEvent.objects.filter(source_id="race-1").count() == 1
    assert IdempotencyRecord.objects.count() == 1


@pytest.fixture
def reference_programs(transactional_db):
    """A transactional test empties the tables after each test: load the programs and stages again."""
    from applications.models import Program, ProgramStage, Stage
    from applications.reference_data import reference_data_load

    reference_data_load(stage_model=Stage, program_model=Program, program_stage_model=ProgramStage)
