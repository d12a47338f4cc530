"""POST /api/v1/events/: one event or a batch, answered per item, idempotent, and never a 500."""

import datetime
import json

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from applications.models import Application
from core.api.idempotency import idempotency_records_purge
from core.api.parsers import MAX_BODY_BYTES
from core.models import IdempotencyRecord
from notifications.models import Notification
from status_tracker.api_clients import api_client_create
from status_tracker.models import ApiScope, StageProgress, StatusEvent
from tests.factories import ApplicationFactory, link

pytestmark = pytest.mark.django_db

URL = "/api/v1/events/"


@pytest.fixture
def upstream(db):
    client, token = api_client_create(name="gcms", actor=None, scopes=ApiScope.values)
    return client, token


@pytest.fixture
def api(upstream):
    """A test client that sends the service token on every request."""
    _client, token = upstream
    return Client(headers={"Authorization": f"Bearer {token}"})


@pytest.fixture
def application(applicant):
    application = ApplicationFactory(number="E200000001")
    link(user=applicant, application=application)
    return application


def at(days_ago: float) -> str:
    return (timezone.now() - datetime.timedelta(days=days_ago)).isoformat()


def stage_event(event_id, *, number="E200000001", stage="biometrics", state="in_progress", days_ago=1.0, **extra):
    return {
        "event_id": event_id,
        "application_number": number,
        "occurred_at": at(days_ago),
        "kind": "stage",
        "stage": stage,
        "state": state,
        **extra,
    }


def post(api, body, **headers):
    data = body if isinstance(body, bytes | str) else json.dumps(body)
    return api.post(URL, data=data, content_type="application/json", headers=headers)


def assert_problem(response, status):
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == status
    assert body["type"] == "about:blank"
    assert body["title"] and body["detail"]
    return body


def test_reverse_finds_the_endpoint():
    assert reverse("api:events") == URL


def test_a_single_event_is_applied_and_moves_the_stage(api, application, upstream):
    response = post(api, stage_event("ev-1"))

    assert response.status_code == 200
    assert response.json() == {
        "results": [{"index": 0, "event_id": "ev-1", "result": "applied", "reason": ""}],
        "counts": {"applied": 1, "out_of_order": 0, "duplicate": 0, "rejected": 0},
    }
    event = StatusEvent.objects.get(source_id="ev-1")
    assert event.api_client == upstream[0]
    assert StageProgress.objects.get(application=application, stage__code="biometrics").state == "in_progress"


def test_a_batch_is_answered_in_request_order(api, application):
    events = [stage_event(f"b-{index}", stage="completeness", days_ago=10 - index) for index in range(5)]

    response = post(api, {"events": events})

    assert response.status_code == 200
    body = response.json()
    assert [item["event_id"] for item in body["results"]] == [f"b-{index}" for index in range(5)]
    assert [item["index"] for item in body["results"]] == list(range(5))
    assert body["counts"]["applied"] == 5
    assert StatusEvent.objects.filter(application=application).count() == 5


def test_a_mixed_batch_applies_the_good_items_and_explains_the_others(api, application):
    post(api, stage_event("seen-before", stage="completeness", state="completed", days_ago=5))
    events = [
        stage_event("good-1", stage="sponsor_assessment", days_ago=2),
        {"event_id": "bad-kind", "application_number": "E200000001", "occurred_at": at(1), "kind": "gossip"},
        stage_event("no-such-file", number="E999999999"),
        stage_event("seen-before", stage="completeness", state="completed", days_ago=5),
        stage_event("good-1", stage="sponsor_assessment", days_ago=2),
        "not an object",
        stage_event("good-2", stage="eligibility", days_ago=1),
        stage_event("wrong-stage", stage="no_such_stage"),
    ]

    response = post(api, {"events": events})

    assert response.status_code == 200
    results = response.json()["results"]
    assert [(item["event_id"], item["result"]) for item in results] == [
        ("good-1", "applied"),
        ("bad-kind", "rejected"),
        ("no-such-file", "rejected"),
        ("seen-before", "duplicate"),
        ("good-1", "duplicate"),
        (None, "rejected"),
        ("good-2", "applied"),
        ("wrong-stage", "rejected"),
    ]
    assert "kind" in results[1]["errors"]
    assert results[2]["reason"] == "There is no application with this number."
    assert "errors" not in results[2]
    assert results[5]["errors"]["non_field_errors"]
    assert response.json()["counts"] == {"applied": 2, "out_of_order": 0, "duplicate": 2, "rejected": 4}
    assert set(StatusEvent.objects.values_list("source_id", flat=True)) == {"seen-before", "good-1", "good-2"}


def test_an_invalid_single_event_is_a_422_problem_with_field_errors(api, application):
    response = post(api, {"event_id": "x-1", "application_number": "E200000001", "kind": "stage"})

    body = assert_problem(response, 422)
    item = body["result"]
    assert (item["event_id"], item["result"]) == ("x-1", "rejected")
    assert set(item["errors"]) == {"occurred_at"}
    assert set(body["errors"]) == {"occurred_at"}
    assert body["detail"] == item["reason"] == "This event is not valid: see errors."
    assert not StatusEvent.objects.exists()


def test_a_single_event_that_ingestion_rejects_is_a_422_problem_with_the_reason(api, application):
    response = post(api, stage_event("lost-1", number="E999999999"))

    body = assert_problem(response, 422)
    assert body["detail"] == "There is no application with this number."
    assert body["result"] == {
        "index": 0,
        "event_id": "lost-1",
        "result": "rejected",
        "reason": "There is no application with this number.",
    }
    assert "errors" not in body
    assert not StatusEvent.objects.exists()


def test_a_single_event_with_an_unknown_stage_is_a_422(api, application):
    response = post(api, stage_event("stage-1", stage="no_such_stage"))

    body = assert_problem(response, 422)
    assert body["result"]["result"] == "rejected"
    assert body["detail"] == body["result"]["reason"]
    assert not StatusEvent.objects.exists()


def test_a_rejected_single_event_speaks_the_request_language(api, application):
    response = post(api, stage_event("fr-3", number="E999999999"), **{"Accept-Language": "fr"})

    body = assert_problem(response, 422)
    assert body["detail"] == body["result"]["reason"] == "Il n'y a aucune demande portant ce numéro."
    assert response["Content-Language"] == "fr"


def test_a_batch_of_one_rejected_event_stays_a_200_with_counts(api, application):
    response = post(api, {"events": [stage_event("lost-2", number="E999999999")]})

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "results": [
            {
                "index": 0,
                "event_id": "lost-2",
                "result": "rejected",
                "reason": "There is no application with this number.",
            }
        ],
        "counts": {"applied": 0, "out_of_order": 0, "duplicate": 0, "rejected": 1},
    }
    assert not StatusEvent.objects.exists()


def test_idempotency_key_replays_a_422_for_a_rejected_single_event(api, application):
    event = stage_event("lost-3", number="E999999999")
    first = post(api, event, **{"Idempotency-Key": "single-422"})
    ApplicationFactory(number="E999999999")  # were it ingested again, it would now apply

    second = post(api, event, **{"Idempotency-Key": "single-422"})

    assert_problem(first, 422)
    assert_problem(second, 422)
    assert second.json() == first.json()
    assert second["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first
    assert not StatusEvent.objects.exists()


def test_the_same_event_twice_changes_nothing_and_notifies_once(api, application):
    first = post(api, stage_event("once", state="waiting_on_client"))
    notifications = Notification.objects.count()
    progress = StageProgress.objects.get(application=application, stage__code="biometrics")

    second = post(api, stage_event("once", state="waiting_on_client"))

    assert first.status_code == second.status_code == 200
    assert first.json()["results"][0]["result"] == "applied"
    assert notifications > 0, "the linked applicant should have been told once"
    assert second.json()["results"][0]["result"] == "duplicate"
    assert StatusEvent.objects.filter(source_id="once").count() == 1
    assert Notification.objects.count() == notifications
    progress_after = StageProgress.objects.get(pk=progress.pk)
    assert (progress_after.state, progress_after.state_since) == (progress.state, progress.state_since)


def test_an_older_event_joins_the_history_but_changes_nothing_and_tells_nobody(api, application):
    post(api, stage_event("newer", state="completed", days_ago=1))
    notifications = Notification.objects.count()

    response = post(api, stage_event("older", state="in_progress", days_ago=3))

    assert response.status_code == 200
    (item,) = response.json()["results"]
    assert item["result"] == "out_of_order"
    assert item["reason"]
    older = StatusEvent.objects.get(source_id="older")
    assert older.applied is False
    assert StageProgress.objects.get(application=application, stage__code="biometrics").state == "completed"
    assert Notification.objects.count() == notifications


def test_a_batch_of_1000_is_accepted_and_1001_is_a_400(api, application):
    events = [stage_event(f"k-{index}", number="E999999999") for index in range(1001)]

    too_many = post(api, {"events": events})
    just_enough = post(api, {"events": events[:1000]})

    body = assert_problem(too_many, 400)
    assert "events" in body["errors"]
    assert just_enough.status_code == 200
    assert just_enough.json()["counts"]["rejected"] == 1000


@pytest.mark.parametrize(
    "body",
    [
        {"events": []},
        {"events": "ev-1"},
        {"events": None},
        {"events": [], "extra": 1},
        [],
        [1, 2, 3],
        "just a string",
        12,
        None,
        True,
    ],
    ids=["empty", "string", "null-list", "extra-key", "array", "numbers", "string-body", "number", "null", "true"],
)
def test_a_body_of_the_wrong_shape_is_a_400_problem(api, body):
    body = assert_problem(post(api, body), 400)
    assert not StatusEvent.objects.exists()


@pytest.mark.parametrize(
    "raw",
    [
        b"{not json",
        b"\xff\xfe\x00{",
        b'{"event_id": "\xc3"}',
        b"[" * 100_000 + b"]" * 100_000,
        b'{"a": NaN}',
        b'{"a": Infinity}',
        b"9" * 5000,
        b"\xef\xbb\xbf{}",
    ],
    ids=["truncated", "utf16", "bad-utf8", "deep-nesting", "nan", "infinity", "huge-int", "bom"],
)
def test_garbage_is_a_400_problem_never_a_500(api, raw):
    assert_problem(post(api, raw), 400)


def test_an_empty_body_is_a_400(api):
    body = assert_problem(api.post(URL, data=b"", content_type="application/json"), 400)
    assert "empty" in body["detail"]


def test_a_charset_python_does_not_know_is_not_a_500(api, application):
    body = json.dumps(stage_event("cs-1")).encode()
    response = api.generic("POST", URL, data=body, content_type="application/json; charset=klingon")

    assert response.status_code == 200
    assert response.json()["results"][0]["result"] == "applied"


def test_other_media_types_are_a_415(api):
    response = api.post(URL, data="event_id=1", content_type="application/x-www-form-urlencoded")

    assert_problem(response, 415)


def test_a_body_over_the_limit_is_a_413(api):
    body = b'{"events": ["' + b"x" * MAX_BODY_BYTES + b'"]}'

    assert_problem(post(api, body), 413)


def test_a_declared_length_over_the_limit_is_a_413_before_reading(api):
    response = api.generic(
        "POST", URL, data=b"{}", content_type="application/json", CONTENT_LENGTH=str(MAX_BODY_BYTES + 1)
    )

    assert_problem(response, 413)


@pytest.mark.parametrize(
    "item",
    [
        {"event_id": "\x00", "application_number": "\x00", "occurred_at": "\x00", "kind": "\x00"},
        {"event_id": "\ud800", "application_number": "\udfff", "occurred_at": "now", "kind": "\ud800"},
        {"event_id": "x" * 100_000, "application_number": "y" * 100_000, "occurred_at": "z" * 100_000, "kind": ""},
        {"event_id": 1, "application_number": [], "occurred_at": {}, "kind": None, "grounds": "a", "message": 5},
        {"event_id": None, "application_number": None, "occurred_at": None, "kind": None},
        {"event_id": "a", "application_number": "b", "occurred_at": "9999-12-31T23:59:59+14:00", "kind": "stage"},
        {"event_id": "a", "application_number": "b", "occurred_at": "0001-01-01T00:00:00-23:59", "kind": "note"},
    ],
    ids=["nul", "surrogates", "huge-strings", "wrong-types", "nulls", "far-future", "year-one"],
)
def test_hostile_items_are_rejected_not_a_500(api, item):
    # Idempotency-Key makes the answer go to a jsonb column too: it must store cleanly.
    body = json.dumps({"events": [item, item]}).encode()
    response = post(api, body, **{"Idempotency-Key": "hostile"})

    assert response.status_code == 200, response.content
    assert [result["result"] for result in response.json()["results"]] == ["rejected", "rejected"]
    assert IdempotencyRecord.objects.filter(key="hostile").exists()


def test_idempotency_key_replays_the_first_answer_without_ingesting_again(api, application):
    body = {"events": [stage_event("idem-1"), stage_event("idem-2", stage="completeness")]}
    first = post(api, body, **{"Idempotency-Key": "batch-42"})
    StatusEvent.objects.filter(source_id="idem-2").delete()  # were it ingested again, this would come back

    second = post(api, body, **{"Idempotency-Key": "batch-42"})

    assert first.status_code == second.status_code == 200
    assert second.json() == first.json()
    assert second["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first
    assert not StatusEvent.objects.filter(source_id="idem-2").exists()


def test_the_same_body_with_keys_in_another_order_replays(api, application):
    event = stage_event("order-1")
    post(api, event, **{"Idempotency-Key": "k1"})

    again = post(api, dict(reversed(list(event.items()))), **{"Idempotency-Key": "k1"})

    assert again.status_code == 200
    assert again["Idempotent-Replayed"] == "true"


def test_the_same_key_with_another_body_is_a_422(api, application):
    post(api, stage_event("k-a"), **{"Idempotency-Key": "reused"})

    response = post(api, stage_event("k-b"), **{"Idempotency-Key": "reused"})

    assert_problem(response, 422)
    assert not StatusEvent.objects.filter(source_id="k-b").exists()


def test_keys_belong_to_one_client(api, application):
    post(api, stage_event("own-1"), **{"Idempotency-Key": "shared-key"})
    _other, other_token = api_client_create(name="other-system", actor=None, scopes=ApiScope.values)
    other = Client(headers={"Authorization": f"Bearer {other_token}"})

    response = post(other, stage_event("own-2"), **{"Idempotency-Key": "shared-key"})

    assert response.status_code == 200
    assert response.json()["results"][0]["result"] == "applied"


@pytest.mark.parametrize("key", ["x" * 256, "tab\there", "caf\u00e9"])
def test_a_malformed_idempotency_key_is_a_400(api, key):
    headers = {"HTTP_IDEMPOTENCY_KEY": key}
    response = api.post(URL, data=json.dumps(stage_event("m-1")), content_type="application/json", **headers)

    body = assert_problem(response, 400)
    assert "Idempotency-Key" in body["errors"]


def test_a_malformed_body_is_not_stored_under_its_key(api, application):
    post(api, b"{broken", **{"Idempotency-Key": "retry-me"})

    response = post(api, stage_event("fixed-1"), **{"Idempotency-Key": "retry-me"})

    assert response.status_code == 200
    assert response.json()["results"][0]["result"] == "applied"


def test_old_idempotency_records_can_be_purged(api, application, time_machine):
    post(api, stage_event("p-1"), **{"Idempotency-Key": "old"})
    time_machine.move_to(timezone.now() + datetime.timedelta(hours=25))
    post(api, stage_event("p-2", days_ago=0), **{"Idempotency-Key": "new"})

    assert idempotency_records_purge() == 1
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["new"]


def test_reasons_and_errors_follow_accept_language(api, application):
    body = {"events": [{"event_id": "fr-1", "kind": "stage"}, stage_event("fr-2", number="E999999999")]}

    response = post(api, body, **{"Accept-Language": "fr-CA,fr;q=0.9"})

    missing, unknown = response.json()["results"]
    # DRF ships its own French: the item's field errors prove the language was switched.
    assert missing["errors"]["application_number"] == ["Ce champ est obligatoire."]
    # The portal's own wording needs the French catalogue compiled with this strings.
    assert unknown["reason"] != "There is no application with this number.", "not translated into French yet"


def test_a_problem_follows_accept_language_too(api):
    response = post(api, b"[]", **{"Accept-Language": "fr"})

    assert_problem(response, 400)
    assert response["Content-Language"] == "fr"


def test_an_event_applied_through_the_api_closes_the_file_on_decision(api, application):
    decision = {
        "event_id": "dec-1",
        "application_number": "E200000001",
        "occurred_at": at(0.5),
        "kind": "decision",
        "outcome": "refused",
        "grounds": ["insufficient-funds"],
        "notes": "Bank statements [redacted] were not sufficient.",
        "made_in_canada": False,
    }

    response = post(api, decision)

    assert response.json()["results"][0]["result"] == "applied"
    application.refresh_from_db()
    assert application.status == Application.Status.CLOSED
    assert application.outcome == "refused"
