"""events_ingest: every kind of event, duplicates, late arrivals, rejects, notifications and query counts."""

import dataclasses
import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from applications.models import Application
from notifications.models import Channel, Kind, Notification, NotificationPreference, State
from status_tracker.api.serializers import EventInputSerializer
from status_tracker.ingest import ItemResult, events_ingest
from status_tracker.models import Decision, StageProgress, StageState, StatusEvent
from tests.factories import ApplicationFactory, UserFactory, link

BASE = timezone.now().replace(microsecond=0) - datetime.timedelta(days=30)


def at(minutes: int) -> datetime.datetime:
    return BASE + datetime.timedelta(minutes=minutes)


def payload(**fields) -> dict:
    """An API-shaped event; the defaults make a valid stage event."""
    data = {
        "event_id": "ev-1",
        "application_number": "E000",
        "occurred_at": at(0).isoformat(),
        "kind": "stage",
        "stage": "completeness",
        "state": "in_progress",
    }
    data.update(fields)
    return {name: value for name, value in data.items() if value is not None}


def event(application, event_id: str, minutes: int, **fields):
    """A validated EventIn, through the same serializer the API and the CSV import use."""
    fields.setdefault("occurred_at", at(minutes).isoformat())
    data = payload(event_id=event_id, application_number=application.number, **fields)
    serializer = EventInputSerializer(data=data)
    assert serializer.is_valid(), serializer.errors
    return serializer.to_event()


def stage_event(application, event_id, minutes, stage="completeness", state="in_progress", **fields):
    return event(application, event_id, minutes, kind="stage", stage=stage, state=state, **fields)


def status_event(application, event_id, minutes, status="in_progress", **fields):
    return event(application, event_id, minutes, kind="status", stage=None, state=None, status=status, **fields)


def decision_event(application, event_id, minutes, outcome="refused", **fields):
    return event(application, event_id, minutes, kind="decision", stage=None, state=None, outcome=outcome, **fields)


def results(items) -> list[str]:
    return [item.result.value for item in items]


def progress(application, code="completeness") -> StageProgress:
    return StageProgress.objects.get(application=application, stage__code=code)


def about(event_id: str):
    """The notifications about the stored event with this upstream id (none if it was not stored)."""
    pks = StatusEvent.objects.filter(source_id=event_id).values_list("pk", flat=True)
    return Notification.objects.filter(dedupe_key__in=[f"status_event:{pk}" for pk in pks])


def notifications_for(event_id: str) -> set[tuple[str, str, str]]:
    return set(about(event_id).values_list("recipient__email", "channel", "state"))


@pytest.fixture
def application(applicant):
    application = ApplicationFactory()
    link(user=applicant, application=application)
    return application


# --- each kind -------------------------------------------------------------------------------


def test_a_stage_event_moves_the_stage_and_tells_the_linked_account(application, applicant):
    (item,) = events_ingest(events=[stage_event(application, "s1", 10)])

    assert item.result == ItemResult.APPLIED
    row = progress(application)
    assert (row.state, row.state_since, row.state_source_id) == ("in_progress", at(10), "s1")
    assert row.started_at == at(10) and row.finished_at is None
    application.refresh_from_db()
    assert application.current_stage.code == "completeness"
    assert application.status == Application.Status.IN_PROGRESS
    assert application.last_event_at == at(10) == application.last_updated_at
    stored = StatusEvent.objects.get(source_id="s1")
    assert stored.applied and stored.kind == "stage" and stored.message_en and stored.message_fr
    assert notifications_for("s1") == {
        (applicant.email, Channel.IN_APP, State.SENT),
        (applicant.email, Channel.EMAIL, State.PENDING),
    }
    assert set(Notification.objects.values_list("kind", flat=True)) == {Kind.STATUS_CHANGE}


def test_completing_a_stage_sets_when_it_finished(application):
    events_ingest(events=[stage_event(application, "s1", 10), stage_event(application, "s2", 20, state="completed")])

    row = progress(application)
    assert (row.state, row.started_at, row.finished_at) == ("completed", at(10), at(20))


def test_the_current_stage_is_the_first_open_one_in_program_order(application):
    events_ingest(
        events=[
            stage_event(application, "s1", 10, stage="completeness", state="completed"),
            stage_event(application, "s2", 11, stage="eligibility", state="in_progress"),
            stage_event(application, "s3", 12, stage="sponsor_assessment", state="in_progress"),
        ]
    )

    application.refresh_from_db()
    assert application.current_stage.code == "sponsor_assessment"


def test_upstream_wording_is_kept_when_both_languages_are_given(application):
    events_ingest(events=[stage_event(application, "s1", 10, message={"en": "Hello", "fr": "Bonjour"})])

    stored = StatusEvent.objects.get(source_id="s1")
    assert (stored.message_en, stored.message_fr) == ("Hello", "Bonjour")


def test_a_status_event_sets_the_overall_status(application):
    (item,) = events_ingest(events=[status_event(application, "st1", 5)])

    assert item.result == ItemResult.APPLIED
    application.refresh_from_db()
    assert application.status == Application.Status.IN_PROGRESS
    assert (application.status_since, application.status_source_id) == (at(5), "st1")
    assert application.current_stage is None
    assert about("st1").filter(kind=Kind.STATUS_CHANGE).count() == 2


def test_a_refusal_writes_the_decision_with_grounds_notes_and_place(application):
    (item,) = events_ingest(
        events=[
            decision_event(
                application,
                "d1",
                60,
                grounds=["insufficient-funds", "travel-history"],
                notes="Notes as released [redacted].",
                made_in_canada=False,
            )
        ]
    )

    assert item.result == ItemResult.APPLIED
    application.refresh_from_db()
    assert application.status == Application.Status.CLOSED
    assert application.outcome == Application.Outcome.REFUSED
    assert application.decided_on == timezone.localdate(at(60))
    decision = Decision.objects.get(application=application)
    assert decision.outcome == "refused" and decision.decided_at == at(60)
    assert decision.made_in_canada is False
    assert decision.officer_notes == "Notes as released [redacted]."
    assert sorted(decision.grounds.values_list("code", flat=True)) == ["insufficient-funds", "travel-history"]
    assert decision.event.source_id == "d1"
    assert set(about("d1").values_list("kind", flat=True)) == {Kind.DECISION}


def test_a_newer_decision_replaces_the_older_one(application):
    events_ingest(events=[decision_event(application, "d1", 60, grounds=["insufficient-funds"])])
    events_ingest(events=[decision_event(application, "d2", 70, outcome="approved")])

    decision = Decision.objects.get(application=application)
    assert (decision.outcome, decision.event.source_id, decision.grounds.count()) == ("approved", "d2", 0)


def test_an_older_decision_arriving_late_leaves_the_newer_one(application):
    events_ingest(events=[decision_event(application, "d2", 70, outcome="approved")])
    (item,) = events_ingest(events=[decision_event(application, "d1", 60, grounds=["insufficient-funds"])])

    assert item.result == ItemResult.OUT_OF_ORDER
    decision = Decision.objects.get(application=application)
    assert (decision.outcome, decision.event.source_id) == ("approved", "d2")
    application.refresh_from_db()
    assert application.outcome == "approved"


def test_action_required_puts_the_stage_waiting_on_the_client(application):
    (item,) = events_ingest(
        events=[
            event(
                application,
                "a1",
                10,
                kind="action_required",
                stage="biometrics",
                state=None,
                message={"en": "Give biometrics", "fr": "Donnez vos données biométriques"},
            )
        ]
    )

    assert item.result == ItemResult.APPLIED
    assert progress(application, "biometrics").state == StageState.WAITING_ON_CLIENT
    application.refresh_from_db()
    assert application.current_stage.code == "biometrics"
    assert set(Notification.objects.values_list("kind", flat=True)) == {Kind.ACTION_REQUIRED}


def test_a_stage_event_waiting_on_the_client_is_also_an_action_required_notification(application):
    events_ingest(events=[stage_event(application, "s1", 10, state="waiting_on_client")])

    assert set(Notification.objects.values_list("kind", flat=True)) == {Kind.ACTION_REQUIRED}


def test_a_note_adds_to_the_history_and_changes_no_state(application):
    (item,) = events_ingest(
        events=[event(application, "n1", 10, kind="note", stage=None, state=None, message={"en": "Hi", "fr": "Allo"})]
    )

    assert item.result == ItemResult.APPLIED
    assert StatusEvent.objects.get(source_id="n1").message_fr == "Allo"
    assert not StageProgress.objects.filter(application=application).exists()
    application.refresh_from_db()
    assert application.status == Application.Status.RECEIVED and application.current_stage is None
    assert application.last_updated_at == at(10)
    assert about("n1").count() == 2


# --- duplicates --------------------------------------------------------------------------------


def test_the_same_event_id_twice_in_one_batch_is_stored_once(application):
    items = events_ingest(
        events=[stage_event(application, "s1", 10), stage_event(application, "s1", 20, state="completed")]
    )

    assert results(items) == ["applied", "duplicate"]
    assert StatusEvent.objects.filter(source_id="s1").count() == 1
    assert progress(application).state == "in_progress"
    assert Notification.objects.count() == 2


def test_an_event_id_seen_in_an_earlier_batch_changes_nothing_and_tells_nobody(application):
    events_ingest(events=[stage_event(application, "s1", 10)])
    application.refresh_from_db()
    before = (application.status, application.last_event_at, application.last_updated_at)

    (item,) = events_ingest(events=[stage_event(application, "s1", 50, state="completed")])

    assert item.result == ItemResult.DUPLICATE and item.reason
    assert progress(application).state == "in_progress"
    application.refresh_from_db()
    assert (application.status, application.last_event_at, application.last_updated_at) == before
    assert StatusEvent.objects.count() == 1
    assert Notification.objects.count() == 2


# --- out of order and ties -----------------------------------------------------------------------


def test_an_older_event_joins_the_history_but_changes_nothing(application):
    events_ingest(events=[stage_event(application, "s2", 20, state="completed")])
    notified = Notification.objects.count()

    (item,) = events_ingest(events=[stage_event(application, "s1", 10, state="not_started")])

    assert item.result == ItemResult.OUT_OF_ORDER and item.reason
    row = progress(application)
    assert (row.state, row.state_since, row.state_source_id, row.finished_at) == ("completed", at(20), "s2", at(20))
    stored = StatusEvent.objects.get(source_id="s1")
    assert stored.applied is False
    assert Notification.objects.count() == notified
    application.refresh_from_db()
    assert application.last_event_at == at(20)


def test_a_late_start_still_records_when_the_stage_started(application):
    """The start time is the earliest start seen, whatever the arrival order, so every order converges."""
    events_ingest(events=[stage_event(application, "s2", 20, state="completed")])
    events_ingest(events=[stage_event(application, "s1", 10, state="in_progress")])

    row = progress(application)
    assert (row.state, row.started_at, row.finished_at) == ("completed", at(10), at(20))


def test_an_older_status_event_does_not_reopen_a_decision(application):
    events_ingest(events=[decision_event(application, "d1", 60, outcome="approved")])
    (item,) = events_ingest(events=[status_event(application, "st1", 50)])

    assert item.result == ItemResult.OUT_OF_ORDER
    application.refresh_from_db()
    assert (application.status, application.outcome) == ("closed", "approved")
    assert not about("st1").exists()


@pytest.mark.parametrize("first", ["a", "b"])
def test_events_at_the_same_instant_are_ordered_by_event_id_whatever_the_arrival(application, first):
    done = stage_event(application, "tie-b", 10, state="completed")
    started = stage_event(application, "tie-a", 10, state="in_progress")
    batches = [[started], [done]] if first == "a" else [[done], [started]]
    for batch in batches:
        events_ingest(events=batch)

    row = progress(application)
    assert (row.state, row.state_source_id) == ("completed", "tie-b")
    expected = {"tie-a": first == "a", "tie-b": True}
    assert dict(StatusEvent.objects.values_list("source_id", "applied")) == expected


def test_a_tie_in_one_batch_is_resolved_the_same_way(application):
    items = events_ingest(
        events=[
            stage_event(application, "tie-b", 10, state="completed"),
            stage_event(application, "tie-a", 10, state="in_progress"),
        ]
    )

    assert results(items) == ["applied", "applied"]
    assert progress(application).state == "completed"


# --- rejects never block the good ones -----------------------------------------------------------


def test_bad_items_are_rejected_with_reasons_and_the_good_ones_applied(application):
    good = stage_event(application, "good", 10)
    unknown_application = dataclasses.replace(stage_event(application, "no-app", 10), application_number="E999999999")
    unknown_stage = stage_event(application, "no-stage", 10, stage="no-such-stage")
    foreign_stage = stage_event(application, "foreign", 10, stage="passport_request")
    unknown_ground = decision_event(application, "no-ground", 60, grounds=["made-up-ground"])
    early_decision = event(
        application,
        "too-early",
        0,
        kind="decision",
        stage=None,
        state=None,
        outcome="approved",
        occurred_at=datetime.datetime.combine(
            application.submitted_on - datetime.timedelta(days=2), datetime.time(12), tzinfo=datetime.UTC
        ).isoformat(),
    )

    items = events_ingest(
        events=[unknown_application, unknown_stage, good, foreign_stage, unknown_ground, early_decision]
    )

    assert results(items) == ["rejected", "rejected", "applied", "rejected", "rejected", "rejected"]
    assert all(item.reason for item in items if item.result == ItemResult.REJECTED)
    assert "made-up-ground" in items[4].reason
    assert list(StatusEvent.objects.values_list("source_id", flat=True)) == ["good"]
    application.refresh_from_db()
    assert application.status == Application.Status.IN_PROGRESS and application.outcome == ""
    assert not Decision.objects.exists()
    assert about("good").count() == 2
    assert Notification.objects.count() == 2


def test_a_rejected_event_id_can_be_sent_again_once_corrected(application):
    bad = stage_event(application, "fix-me", 10, stage="no-such-stage")
    assert results(events_ingest(events=[bad])) == ["rejected"]

    assert results(events_ingest(events=[stage_event(application, "fix-me", 10)])) == ["applied"]


# --- derived fields ------------------------------------------------------------------------------


def test_an_invisible_event_moves_only_the_last_event_time(application):
    events_ingest(events=[stage_event(application, "s1", 10)])
    (item,) = events_ingest(events=[stage_event(application, "s2", 20, state="completed", visible_to_client=False)])

    assert item.result == ItemResult.APPLIED
    application.refresh_from_db()
    assert (application.last_event_at, application.last_updated_at) == (at(20), at(10))
    assert progress(application).state == "completed"
    assert not about("s2").exists()


def test_last_event_times_never_move_backwards(application):
    events_ingest(events=[stage_event(application, "s2", 20)])
    events_ingest(events=[stage_event(application, "s1", 10, stage="eligibility")])

    application.refresh_from_db()
    assert (application.last_event_at, application.last_updated_at) == (at(20), at(20))


def test_a_later_status_event_reopens_a_decided_application(application):
    events_ingest(events=[decision_event(application, "d1", 60, grounds=["insufficient-funds"])])
    (item,) = events_ingest(events=[status_event(application, "st1", 70)])

    assert item.result == ItemResult.APPLIED
    application.refresh_from_db()
    assert (application.status, application.outcome, application.decided_on) == ("in_progress", "", None)


def test_a_decision_in_the_same_batch_as_a_later_status_leaves_the_file_open(application):
    events_ingest(events=[status_event(application, "st1", 70), decision_event(application, "d1", 60)])

    application.refresh_from_db()
    assert (application.status, application.outcome) == ("in_progress", "")


def test_a_status_event_in_a_later_batch_ends_where_one_batch_would(application, other_application):
    """Found by the property test: the received -> in_progress step ran only for files whose
    stages changed in the same batch, so splitting the same events differently changed the status."""
    events_ingest(events=[stage_event(application, "s1", 10), status_event(application, "st1", 20, status="received")])
    events_ingest(events=[stage_event(other_application, "o1", 10)])
    events_ingest(events=[status_event(other_application, "ost1", 20, status="received")])

    application.refresh_from_db()
    other_application.refresh_from_db()
    assert application.status == other_application.status == Application.Status.IN_PROGRESS


def test_a_late_start_makes_the_file_in_progress_as_it_would_have_on_time(application, other_application):
    """Found by the property test: in order, a start then a newer not_started leaves the file
    in progress; the newer event first and the start late left it received."""
    events_ingest(events=[stage_event(application, "s1", 10)])
    events_ingest(events=[stage_event(application, "s2", 20, state="not_started")])
    events_ingest(events=[stage_event(other_application, "o2", 20, state="not_started")])
    events_ingest(events=[stage_event(other_application, "o1", 10)])

    application.refresh_from_db()
    other_application.refresh_from_db()
    assert application.status == other_application.status == Application.Status.IN_PROGRESS
    assert progress(application).started_at == progress(other_application).started_at == at(10)


# --- notification rows per preferences ----------------------------------------------------------


def test_every_linked_account_gets_rows_on_the_channels_it_chose(application, applicant):
    texter = UserFactory(email="texter@example.com")
    link(user=texter, application=application)
    NotificationPreference.objects.create(user=texter, phone_number="+16135550100", sms_status_change=True)
    quiet = UserFactory(email="quiet@example.com")
    link(user=quiet, application=application)
    NotificationPreference.objects.create(user=quiet, email_status_change=False, sms_status_change=True)
    digester = UserFactory(email="digest@example.com")
    link(user=digester, application=application)
    NotificationPreference.objects.create(user=digester, daily_digest=True)
    stranger = UserFactory(email="stranger@example.com")  # noqa: F841 - not linked, hears nothing

    events_ingest(events=[stage_event(application, "s1", 10), stage_event(application, "s2", 5, stage="eligibility")])

    assert notifications_for("s1") == {
        (applicant.email, Channel.IN_APP, State.SENT),
        (applicant.email, Channel.EMAIL, State.PENDING),
        ("texter@example.com", Channel.IN_APP, State.SENT),
        ("texter@example.com", Channel.EMAIL, State.PENDING),
        ("texter@example.com", Channel.SMS, State.PENDING),
        # Opted into SMS but gave no number: in-app only.
        ("quiet@example.com", Channel.IN_APP, State.SENT),
        ("digest@example.com", Channel.IN_APP, State.SENT),
        ("digest@example.com", Channel.EMAIL, State.HELD),
    }
    assert about("s2").count() == 8
    assert about("s1").get(channel=Channel.SMS).address == "+16135550100"


def test_an_inactive_account_hears_nothing(application, applicant):
    applicant.is_active = False
    applicant.save(update_fields=["is_active"])

    events_ingest(events=[stage_event(application, "s1", 10)])

    assert not Notification.objects.exists()


def test_nothing_is_written_to_the_outbox_when_not_asked(application):
    (item,) = events_ingest(events=[stage_event(application, "s1", 10)], notify=False)

    assert item.result == ItemResult.APPLIED
    assert not Notification.objects.exists()


def test_delivery_is_enqueued_only_after_commit(application, django_capture_on_commit_callbacks, monkeypatch):
    enqueued = []
    monkeypatch.setattr(
        "notifications.dispatch.delivery_enqueue", lambda *, notification_ids: enqueued.append(notification_ids)
    )
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        events_ingest(events=[stage_event(application, "s1", 10)])
        assert enqueued == []
    for callback in callbacks:
        callback()

    email_row = Notification.objects.get(channel=Channel.EMAIL)
    assert enqueued == [[email_row.pk]]


# --- cost ---------------------------------------------------------------------------------------


def _mixed_batch(applications, size: int, prefix: str):
    stages = ["completeness", "sponsor_assessment", "eligibility", "biometrics"]
    states = ["in_progress", "completed", "waiting_on_client", "in_progress"]
    events = []
    for index in range(size):
        application = applications[index % len(applications)]
        if index % 10 == 9:
            events.append(status_event(application, f"{prefix}-{index}", index + 1))
        else:
            events.append(
                stage_event(
                    application, f"{prefix}-{index}", index + 1, stage=stages[index % 4], state=states[index % 4]
                )
            )
    return events


def _five_linked_applications_with_some_history(prefix: str) -> list[Application]:
    """Some stages already have a row, so a batch both inserts and updates progress."""
    account = UserFactory()
    first = ApplicationFactory()
    applications = [first] + [ApplicationFactory(client=first.client) for _ in range(4)]
    for application in applications:
        link(user=account, application=application)
    events_ingest(
        events=[stage_event(application, f"{prefix}-warm-{application.pk}", 0) for application in applications],
        notify=False,
    )
    return applications


@pytest.mark.parametrize("notify", [True, False])
def test_a_batch_costs_the_same_queries_for_10_or_100_events(db, notify):
    counts = []
    for size, prefix in [(10, "small"), (100, "large")]:
        applications = _five_linked_applications_with_some_history(prefix)
        batch = _mixed_batch(applications, size, prefix)
        with CaptureQueriesContext(connection) as queries:
            items = events_ingest(events=batch, notify=notify)
        assert {item.result for item in items} == {ItemResult.APPLIED}
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
    # 15, plus one query per kind of news for the grantees (representatives, offices) who follow the files.
    assert counts[1] <= 15 + (2 if notify else 0), counts
    notified = StatusEvent.objects.filter(applied=True).exclude(source_id__contains="-warm-").count()
    assert notified == 110
    expected_rows = 2 * notified if notify else 0
    assert Notification.objects.count() == expected_rows


def test_a_batch_of_duplicates_costs_few_queries(application, django_assert_max_num_queries):
    batch = [stage_event(application, f"s{index}", index) for index in range(50)]
    events_ingest(events=batch)

    # The duplicate check itself plus the batch's fixed reads; nothing is written.
    with django_assert_max_num_queries(6):
        items = events_ingest(events=batch)
    assert set(results(items)) == {"duplicate"}


# --- EventInputSerializer -----------------------------------------------------------------------


def errors_for(**fields) -> dict:
    serializer = EventInputSerializer(data=payload(**fields))
    assert not serializer.is_valid()
    return serializer.errors


@pytest.mark.parametrize(
    "fields",
    [
        {},
        {"kind": "action_required", "state": None},
        {"kind": "action_required", "state": "waiting_on_client"},
        {"kind": "status", "stage": None, "state": None, "status": "received"},
        {"kind": "decision", "stage": None, "state": None, "outcome": "approved", "made_in_canada": True},
        {"kind": "decision", "stage": None, "state": None, "outcome": "refused", "grounds": ["a", "b"], "notes": "x"},
        {"kind": "note", "state": None, "message": {"en": "Hello", "fr": "Bonjour"}},
        {"occurred_at": "2026-01-01T10:00:00-05:00"},
        {"occurred_at": "2026-01-01T10:00:00+0530"},
    ],
)
def test_the_serializer_accepts_each_kind_with_what_it_needs(fields):
    serializer = EventInputSerializer(data=payload(**fields))
    assert serializer.is_valid(), serializer.errors


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"stage": None}, "stage"),
        ({"state": None}, "state"),
        ({"status": "in_progress"}, "status"),
        ({"grounds": ["insufficient-funds"]}, "grounds"),
        ({"kind": "action_required", "state": "completed"}, "state"),
        ({"kind": "action_required", "stage": None, "state": None}, "stage"),
        ({"kind": "status", "stage": None, "state": None}, "status"),
        ({"kind": "status", "state": None, "status": "in_progress"}, "stage"),
        ({"kind": "status", "stage": None, "state": None, "status": "closed"}, "status"),
        ({"kind": "decision", "stage": None, "state": None}, "outcome"),
        ({"kind": "decision", "stage": None, "state": None, "outcome": "approved", "grounds": ["x"]}, "grounds"),
        ({"kind": "decision", "state": None, "outcome": "approved"}, "stage"),
        ({"kind": "note", "state": None}, "message"),
        ({"kind": "note", "state": None, "message": {"en": "Hello"}}, "message"),
        ({"kind": "note", "state": None, "message": {"en": "Hello", "fr": ""}}, "message"),
        ({"kind": "note", "state": None, "notes": "x", "message": {"en": "a", "fr": "b"}}, "notes"),
        ({"kind": "whatever"}, "kind"),
        ({"event_id": "has space"}, "event_id"),
        ({"event_id": "x" * 65}, "event_id"),
        ({"occurred_at": "2026-01-01T10:00:00"}, "occurred_at"),
        ({"occurred_at": "yesterday"}, "occurred_at"),
        ({"occurred_at": "1999-12-31T23:59:00Z"}, "occurred_at"),
        ({"grounds": ["ok"] * 21, "kind": "decision", "stage": None, "state": None, "outcome": "refused"}, "grounds"),
    ],
)
def test_the_serializer_explains_what_is_wrong(fields, field):
    assert field in errors_for(**fields)


@pytest.mark.parametrize("value", ["2026-01-01T10:00:00z", "2026-01-01t10:00:00Z"])
def test_lower_case_t_and_z_are_accepted_as_rfc_3339_allows(value):
    """RFC 3339 section 5.6: "T" and "Z" may be lower case. The offset check lets them through,
    so the parser must accept them too instead of answering with a format error."""
    serializer = EventInputSerializer(data=payload(occurred_at=value))
    assert serializer.is_valid(), serializer.errors
    assert serializer.to_event().occurred_at == datetime.datetime(2026, 1, 1, 10, tzinfo=datetime.UTC)


def test_a_time_in_the_future_is_refused_but_a_little_clock_drift_is_not():
    assert "occurred_at" in errors_for(occurred_at=(timezone.now() + datetime.timedelta(hours=1)).isoformat())
    near = EventInputSerializer(data=payload(occurred_at=(timezone.now() + datetime.timedelta(minutes=1)).isoformat()))
    assert near.is_valid(), near.errors


def test_the_offset_message_shows_an_example():
    (message,) = errors_for(occurred_at="2026-01-01T10:00:00")["occurred_at"]
    assert "2026-03-01T14:30:00Z" in message


def test_to_event_normalises_what_the_service_needs():
    serializer = EventInputSerializer(
        data=payload(
            kind="decision",
            stage=None,
            state=None,
            outcome="refused",
            grounds=["b", "a", "b"],
            application_number=" E123 ",
            occurred_at="2026-01-01T10:00:00-05:00",
        )
    )
    assert serializer.is_valid(), serializer.errors
    result = serializer.to_event()
    assert result.grounds == ("b", "a")
    assert result.application_number == "E123"
    assert result.occurred_at == datetime.datetime(2026, 1, 1, 15, tzinfo=datetime.UTC)
    assert result.visible_to_client is True and result.made_in_canada is None


def test_action_required_defaults_its_state():
    serializer = EventInputSerializer(data=payload(kind="action_required", state=None))
    assert serializer.is_valid(), serializer.errors
    assert serializer.to_event().state == "waiting_on_client"


def test_each_row_carries_the_events_wording_and_emails_may_quote_only_stages_and_statuses(application):
    events_ingest(
        events=[
            stage_event(application, "s1", 10, message={"en": "Started", "fr": "Commencé"}),
            event(application, "n1", 11, kind="note", stage=None, state=None, message={"en": "Note", "fr": "Mot"}),
            decision_event(application, "d1", 60, grounds=["insufficient-funds"]),
        ]
    )

    quoted = {
        source_id: set(about(source_id).values_list("message_en", "message_fr", "message_in_email"))
        for source_id in ("s1", "n1")
    }
    assert quoted == {"s1": {("Started", "Commencé", True)}, "n1": {("Note", "Mot", False)}}
    assert set(about("d1").values_list("message_in_email", flat=True)) == {False}
    assert about("d1").first().message_en == StatusEvent.objects.get(source_id="d1").message_en
