"""GET /api/v1/applications/{number}/: what the portal shows, for upstream reconciliation."""

import datetime

import pytest
from django.db import connection
from django.http import Http404
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from applications.access import application_for_api_client
from applications.models import Program, Stage
from processing_times.models import ProcessingTimeSnapshot, QueueForecast, QueuePosition, StageDurationSnapshot
from status_tracker.api_clients import api_client_create, api_client_revoke
from status_tracker.events import EventIn
from status_tracker.ingest import events_ingest
from status_tracker.models import ApiScope
from tests.factories import ApplicationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(db):
    _client, token = api_client_create(name="gcms", actor=None, scopes=ApiScope.values)
    return Client(headers={"Authorization": f"Bearer {token}"})


def url(number: str) -> str:
    return f"/api/v1/applications/{number}/"


def ingest(*events: EventIn) -> None:
    for item in events_ingest(events=events, notify=False):
        assert item.result in ("applied", "out_of_order"), item


def stage(event_id, number, code, state, occurred_at, **extra) -> EventIn:
    return EventIn(
        event_id=event_id,
        application_number=number,
        occurred_at=occurred_at,
        kind="stage",
        stage=code,
        state=state,
        **extra,
    )


@pytest.fixture
def open_application():
    application = ApplicationFactory(number="E400000001")
    # The nightly job's count of the files ahead, per program and submission day.
    QueuePosition.objects.create(
        program=application.program,
        submitted_on=application.submitted_on,
        computed_on=timezone.localdate(),
        ahead=240,
    )
    now = timezone.now()
    ingest(
        stage("o-1", application.number, "completeness", "in_progress", now - datetime.timedelta(days=40)),
        stage("o-2", application.number, "completeness", "completed", now - datetime.timedelta(days=30)),
        stage("o-3", application.number, "sponsor_assessment", "in_progress", now - datetime.timedelta(days=20)),
        stage(
            "o-hidden",
            application.number,
            "sponsor_assessment",
            "in_progress",
            now - datetime.timedelta(days=19),
            visible_to_client=False,
        ),
        stage(
            "o-4",
            application.number,
            "biometrics",
            "waiting_on_client",
            now - datetime.timedelta(days=3),
            message_en="Give your fingerprints.",
            message_fr="Donnez vos empreintes.",
        ),
    )
    program = Program.objects.get(code="spouse-sponsorship")
    ProcessingTimeSnapshot.objects.create(
        program=program,
        computed_on=timezone.localdate(),
        window_days=183,
        sample_size=400,
        p50_days=200.0,
        p80_days=300.4,
        p90_days=350.0,
        waiting_count=1000,
        monthly_output=120.0,
    )
    # The line's calibrated forecast: 2 decided a day (120 days for 240 ahead), scaled to 125, 135 and 145 days.
    QueueForecast.objects.create(
        program=program,
        computed_on=timezone.localdate(),
        pace_per_day=2.0,
        factor_p50=125.5 / 121,  # (120 + 1) x factor - 1 = 124.5 days, a date 125 days on
        factor_p80=135.5 / 121,
        factor_p90=145.5 / 121,
        errors=300,
    )
    StageDurationSnapshot.objects.create(
        program=program,
        stage=Stage.objects.get(code="sponsor_assessment"),
        computed_on=timezone.localdate(),
        window_days=183,
        sample_size=80,
        p50_days=12.0,
        p80_days=20.0,
    )
    application.refresh_from_db()
    return application


def test_it_shows_an_open_application_as_the_portal_does(api, open_application):
    response = api.get(url("E400000001"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["number"] == "E400000001"
    assert body["program"] == "spouse-sponsorship"
    assert body["status"] == "in_progress"
    assert body["outcome"] == ""
    assert body["decided_on"] is None
    assert body["submitted_on"] == open_application.submitted_on.isoformat()
    # The first open stage in program order, as on the status page.
    assert body["current_stage"] == "sponsor_assessment"
    assert body["decision"] is None

    assert [row["code"] for row in body["stages"]] == [
        "completeness",
        "sponsor_assessment",
        "eligibility",
        "biometrics",
        "medical_exam",
        "background_check",
        "final_decision",
    ]
    assert [row["state"] for row in body["stages"][:4]] == [
        "completed",
        "in_progress",
        "not_started",
        "waiting_on_client",
    ]
    assert body["stages"][0]["started_at"] is not None and body["stages"][0]["finished_at"] is not None

    history = body["history"]
    assert [item["event_id"] for item in history] == ["o-4", "o-3", "o-2", "o-1"], "hidden events stay hidden"
    assert history[0]["message"] == {"en": "Give your fingerprints.", "fr": "Donnez vos empreintes."}
    assert history[0]["kind"] == "stage" and history[0]["stage"] == "biometrics" and history[0]["applied"] is True
    assert history[1]["message"]["en"] and history[1]["message"]["fr"], "the portal's own wording"

    estimate = body["estimate"]
    assert estimate["normal_processing_days"] == 301
    assert estimate["from_recent_decisions"] is True
    assert estimate["people_ahead"] == 240
    assert estimate["projected_on"] == (timezone.localdate() + datetime.timedelta(days=61)).isoformat()
    in_days = [(timezone.localdate() + datetime.timedelta(days=days)).isoformat() for days in (125, 135, 145)]
    assert estimate["calibrated"] == {
        "likely_on": in_days[0],
        "eight_in_ten_by": in_days[1],
        "nine_in_ten_by": in_days[2],
        "pace_per_day": 2.0,
        "calibrated_on_files": 300,
        "widened": False,
        "computed_on": timezone.localdate().isoformat(),
    }
    assert estimate["current_stage"] == {
        "stage": "sponsor_assessment",
        "computed_on": timezone.localdate().isoformat(),
        "sample_size": 80,
        "enough_data": True,
        "p50_days": 12.0,
        "p80_days": 20.0,
    }


def test_it_shows_the_decision_of_a_closed_application(api):
    application = ApplicationFactory(number="E400000002")
    decided_at = timezone.now() - datetime.timedelta(days=1)
    ingest(
        EventIn(
            event_id="d-1",
            application_number=application.number,
            occurred_at=decided_at,
            kind="decision",
            outcome="refused",
            grounds=("travel-history", "insufficient-funds"),
            notes="Funds: [redacted].",
            made_in_canada=True,
        )
    )

    body = api.get(url("E400000002")).json()

    assert body["status"] == "closed"
    assert body["outcome"] == "refused"
    assert body["decided_on"] == timezone.localdate(decided_at).isoformat()
    assert body["estimate"] is None
    assert body["decision"] == {
        "outcome": "refused",
        "decided_at": body["decision"]["decided_at"],
        "made_in_canada": True,
        "grounds": ["insufficient-funds", "travel-history"],
        "officer_notes": "Funds: [redacted].",
        "officer_notes_language": "en",  # not sent: the client's preferred language
        "released": True,
    }
    assert datetime.datetime.fromisoformat(body["decision"]["decided_at"]) == decided_at
    assert body["history"][0]["kind"] == "decision" and body["history"][0]["outcome"] == "refused"


def test_the_number_is_read_as_the_portal_reads_it(api, open_application):
    assert api.get(url("e400000001")).status_code == 200


@pytest.mark.parametrize("number", ["E000000000", "x" * 21, "a/b", "%00", "\u00e9", ".."])
def test_an_unknown_number_is_a_404_problem(api, number, open_application):
    response = api.get(url(number))

    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["status"] == 404


def test_an_unknown_number_is_explained(api):
    assert api.get(url("E000000000")).json()["detail"] == "There is no application with this number."


def count_queries(api, number: str) -> int:
    with CaptureQueriesContext(connection) as context:
        assert api.get(url(number)).status_code == 200
    return len(context.captured_queries)


def long_history(number: str, size: int) -> None:
    application = ApplicationFactory(number=number)
    start = timezone.now() - datetime.timedelta(days=size + 1)
    codes = ["completeness", "sponsor_assessment", "eligibility", "biometrics"]
    ingest(
        *[
            stage(f"{number}-{index}", number, codes[index % 4], "in_progress", start + datetime.timedelta(days=index))
            for index in range(size)
        ]
    )
    return application


def test_the_query_count_does_not_grow_with_the_history(api):
    long_history("E400000005", 5)
    long_history("E400000060", 60)

    api.get(url("E400000005"))  # the token's first use of the minute also notes last_used_at
    short, long = count_queries(api, "E400000005"), count_queries(api, "E400000060")

    assert short == long
    assert long <= 8


def test_the_access_function_lets_only_a_live_service_client_read_a_file(open_application):
    live, _token = api_client_create(name="case processing", actor=None, scopes=ApiScope.values)
    assert application_for_api_client(api_client=live, number=open_application.number.lower()) == open_application
    revoked, _token = api_client_create(name="retired system", actor=None, scopes=ApiScope.values)
    api_client_revoke(api_client=revoked, actor=None)
    for api_client in (None, revoked):
        with pytest.raises(Http404):
            application_for_api_client(api_client=api_client, number=open_application.number)
    with pytest.raises(Http404):
        application_for_api_client(api_client=live, number="E000000000")
