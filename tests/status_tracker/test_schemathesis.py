"""schemathesis over the whole API schema, for every kind of caller: no 5xx, nothing undocumented.

The schema is loaded from the running application (/api/v1/schema/) and every
operation gets 100 generated requests per caller, plus 100 schema-breaking ones
with a live token, sent to the WSGI application in process. The checks: no server error; every status code, content type,
response header and response body as documented.
"""

import datetime
import time

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from status_tracker.api_clients import api_client_create, api_client_revoke
from status_tracker.models import ApiScope, StatusEvent
from tests.factories import ApplicationFactory

pytestmark = [pytest.mark.slow, pytest.mark.django_db]

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
EXAMPLES = 100
KNOWN_NUMBER = "E100000001"
EXPECTED_OPERATIONS = {
    "GET /api/v1/processing-times/",
    "POST /api/v1/events/",
    "GET /api/v1/applications/{number}/",
    "GET /api/v1/applications/{number}/documents/",
    "GET /api/v1/applications/{number}/documents/{document_id}/",
    "GET /api/v1/service-performance/",
}
ROLES = ["anonymous", "service_token", "revoked_token", "applicant_session", "staff_session"]
# Schema-breaking inputs matter where they are read: only a live token gets past authentication
# to the body, and the public endpoint answers every caller alike. Elsewhere they would only
# repeat the same 401, at the cost of a minute of generation.
MODES = {role: (GenerationMode.POSITIVE,) for role in ROLES}
MODES["service_token"] = (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)


@pytest.fixture
def wsgi_app():
    """The application as a server would run it, on the test's own database connection.

    Each request would otherwise close the connection (close_old_connections on
    request_started/finished) and with it the test's transaction; Django's test
    client disconnects these signals for the same reason.
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield WSGIHandler()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def credentials(role: str, request) -> tuple[dict, dict]:
    """Headers and cookies that a caller of this kind sends."""
    if role == "anonymous":
        return {}, {}
    if role in ("service_token", "revoked_token"):
        client, token = api_client_create(name=role, actor=None, scopes=ApiScope.values)
        if role == "revoked_token":
            api_client_revoke(api_client=client, actor=None)
        return {"Authorization": f"Bearer {token}"}, {}
    person = request.getfixturevalue("applicant" if role == "applicant_session" else "admin_user")
    browser = Client()
    browser.force_login(person)
    return {}, {"sessionid": browser.cookies["sessionid"].value}


def about_known_application(case) -> None:
    """Point generated events at the one real application and a stage it has, so that some apply."""
    body = case.body
    items = body.get("events") if isinstance(body, dict) and "events" in body else [body]
    for item in items if isinstance(items, list) else []:
        if isinstance(item, dict) and isinstance(item.get("application_number"), str):
            item["application_number"] = KNOWN_NUMBER
            item["occurred_at"] = (timezone.now() - datetime.timedelta(days=1)).isoformat()
            if item.get("stage"):
                item["stage"] = "biometrics"


@pytest.mark.parametrize("role", ROLES)
def test_every_operation_keeps_to_its_schema(role, request, wsgi_app):
    # A known application, so that some generated numbers and events land on a real file.
    ApplicationFactory(number=KNOWN_NUMBER)
    headers, cookies = credentials(role, request)
    schema = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", wsgi_app)

    operations = [result.ok() for result in schema.get_all_operations()]
    assert {f"{operation.method.upper()} {operation.path}" for operation in operations} == EXPECTED_OPERATIONS

    started = time.perf_counter()
    calls = 0
    for operation in operations:
        for mode in MODES[role]:

            @given(case=operation.as_strategy(generation_mode=mode), aim_at_real_file=st.booleans())
            @settings(
                max_examples=EXAMPLES,
                deadline=None,
                database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
            )
            def call(case, aim_at_real_file):
                nonlocal calls
                calls += 1
                if aim_at_real_file:
                    about_known_application(case)
                case.call_and_validate(headers=headers, cookies=cookies, checks=CHECKS)

            call()
    elapsed = time.perf_counter() - started
    applied = StatusEvent.objects.count()
    print(f"{role}: {calls} calls, {applied} events stored, over {len(operations)} operations in {elapsed:.1f} s")
    assert calls >= EXAMPLES * len(operations) * len(MODES[role])
