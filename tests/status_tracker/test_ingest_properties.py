"""Property tests: any arrival order, repetition and batching of a set of events ends in one state.

Each example runs inside a savepoint that is rolled back at its end, so the
examples share the test's database transaction without seeing each other's rows.
"""

import datetime

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

from applications.models import Application
from notifications.models import Notification
from status_tracker.events import EventIn
from status_tracker.ingest import events_ingest
from status_tracker.models import Decision, EventKind, StageProgress, StatusEvent
from tests.factories import ApplicationFactory, UserFactory, link

BASE = timezone.now().replace(microsecond=0) - datetime.timedelta(days=30)
STAGES = ["completeness", "sponsor_assessment", "eligibility"]
STAGE_STATES = ["not_started", "in_progress", "waiting_on_client", "completed", "exempted"]
EXAMPLES = 100


class _Rollback(Exception):
    """Raised at the end of an example to undo everything it wrote."""


def rolled_back(function):
    """Run `function` in a savepoint and undo its writes, returning what it returned."""
    outcome = {}
    try:
        with transaction.atomic():
            outcome["value"] = function()
            raise _Rollback
    except _Rollback:
        pass
    return outcome["value"]


# --- generating events ---------------------------------------------------------------------------


@st.composite
def event_sets(draw, numbers: list[str]) -> list[EventIn]:
    """A few stage events over 2-3 stages, maybe a status event and a decision, for 1-2 applications.

    Times come from a handful of minutes so that ties are common; ids are shuffled
    so that their order says nothing about the order in time.
    """
    chosen = numbers[: draw(st.integers(1, len(numbers)))]
    specs = []
    for number in chosen:
        stages = STAGES[: draw(st.integers(2, 3))]
        for _ in range(draw(st.integers(1, 4))):
            specs.append(
                {
                    "application_number": number,
                    "kind": EventKind.STAGE,
                    "stage": draw(st.sampled_from(stages)),
                    "state": draw(st.sampled_from(STAGE_STATES)),
                }
            )
        if draw(st.booleans()):
            specs.append(
                {
                    "application_number": number,
                    "kind": EventKind.STATUS,
                    "status": draw(st.sampled_from(["received", "in_progress"])),
                }
            )
        if draw(st.booleans()):
            outcome = draw(st.sampled_from(["approved", "refused", "withdrawn"]))
            specs.append(
                {
                    "application_number": number,
                    "kind": EventKind.DECISION,
                    "outcome": outcome,
                    "grounds": ("insufficient-funds",) if outcome == "refused" else (),
                    "notes": "As released.",
                    "made_in_canada": draw(st.sampled_from([True, False, None])),
                }
            )
    ids = draw(st.permutations([f"ev-{index:02d}" for index in range(len(specs))]))
    return [
        EventIn(
            event_id=event_id,
            occurred_at=BASE + datetime.timedelta(minutes=draw(st.integers(0, 4))),
            **spec,
        )
        for event_id, spec in zip(ids, specs, strict=True)
    ]


@st.composite
def deliveries(draw, events: list[EventIn]) -> list[list[EventIn]]:
    """The same events, some repeated, in any order, cut into batches of any size."""
    repeated = draw(st.lists(st.sampled_from(events), max_size=len(events)))
    arrivals = draw(st.permutations(events + repeated))
    cuts = sorted(draw(st.sets(st.integers(1, max(1, len(arrivals) - 1)), max_size=len(arrivals))))
    bounds = [0, *[cut for cut in cuts if cut < len(arrivals)], len(arrivals)]
    return [arrivals[start:end] for start, end in zip(bounds, bounds[1:], strict=False) if end > start]


@st.composite
def scenarios(draw, numbers: list[str]):
    events = draw(event_sets(numbers))
    return events, draw(deliveries(events)), draw(deliveries(events))


# --- reading the end state -----------------------------------------------------------------------


def end_state() -> dict:
    """Everything the events decide, keyed by natural keys so two runs compare equal."""
    return {
        "progress": {
            (row.application.number, row.stage.code): (
                row.state,
                row.state_since,
                row.state_source_id,
                row.started_at,
                row.finished_at,
            )
            for row in StageProgress.objects.select_related("application", "stage")
        },
        "applications": {
            application.number: (
                application.status,
                application.outcome,
                application.decided_on,
                application.current_stage.code if application.current_stage else None,
                application.status_since,
                application.status_source_id,
                application.last_event_at,
                application.last_updated_at,
            )
            for application in Application.objects.select_related("current_stage")
        },
        "events": sorted(StatusEvent.objects.values_list("source_id", flat=True)),
        # The decision page is shown for closed files only: compare what it would show.
        "decisions": {
            decision.application.number: (
                decision.outcome,
                decision.decided_at,
                decision.made_in_canada,
                decision.officer_notes,
                sorted(ground.code for ground in decision.grounds.all()),
                decision.event.source_id if decision.event else None,
            )
            for decision in Decision.objects.select_related("application", "event").prefetch_related("grounds")
            if decision.application.status == Application.Status.CLOSED
        },
    }


def _short(event: EventIn) -> str:
    what = event.stage + ":" + event.state if event.stage else event.status or event.outcome
    return f"{event.event_id} {event.application_number[-1]} +{(event.occurred_at - BASE).seconds // 60}m {what}"


def in_order(events: list[EventIn]) -> list[list[EventIn]]:
    """The reference: each event once, on its own, oldest first (ties by id)."""
    return [[event] for event in sorted(events, key=lambda event: (event.occurred_at, event.event_id))]


def newest(events: list[EventIn]) -> set[str]:
    """Ids of the newest event of each stage, and of the newest status or decision, per application."""
    groups: dict[tuple, EventIn] = {}
    for event in events:
        key = (event.application_number, event.stage) if event.stage else (event.application_number, "status")
        if key not in groups or (event.occurred_at, event.event_id) > (
            groups[key].occurred_at,
            groups[key].event_id,
        ):
            groups[key] = event
    return {event.event_id for event in groups.values()}


# --- the properties ------------------------------------------------------------------------------


@pytest.fixture
def numbers(db) -> list[str]:
    """Two applications of one client, linked to one account with the default preferences."""
    account = UserFactory(email="watcher@example.com")
    first = ApplicationFactory()
    second = ApplicationFactory(client=first.client)
    for application in (first, second):
        link(user=account, application=application)
    return [first.number, second.number]


def _ingest(batches: list[list[EventIn]]) -> None:
    for batch in batches:
        events_ingest(events=batch)


@pytest.mark.slow
def test_any_interleaving_duplication_and_delay_ends_in_the_in_order_state(numbers):
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(scenario=scenarios(numbers))
    def check(scenario):
        events, arrival, _ = scenario
        note(f"events: {[_short(event) for event in events]}")
        note(f"arrival: {[[event.event_id for event in batch] for batch in arrival]}")
        expected = rolled_back(lambda: (_ingest(in_order(events)), end_state())[1])

        def arrive():
            _ingest(arrival)
            source_ids = {
                f"status_event:{pk}": source_id for pk, source_id in StatusEvent.objects.values_list("pk", "source_id")
            }
            rows = [
                (source_ids[key], recipient_id, channel)
                for key, recipient_id, channel in Notification.objects.values_list(
                    "dedupe_key", "recipient_id", "channel"
                )
            ]
            applied = set(StatusEvent.objects.filter(applied=True).values_list("source_id", flat=True))
            return end_state(), rows, applied

        state, rows, applied = rolled_back(arrive)

        assert state == expected
        assert len(rows) == len(set(rows)), "a notification was written twice"
        notified = {source_id for source_id, _, _ in rows}
        # One in-app and one email row per event that changed something when it arrived.
        assert notified == applied
        assert len(rows) == 2 * len(notified)
        assert newest(events) <= notified, "the newest news of a stage or of the file was not told"

    check()


@pytest.mark.slow
def test_the_same_events_again_in_any_order_change_nothing(numbers):
    @settings(
        max_examples=EXAMPLES // 2,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(scenario=scenarios(numbers))
    def check(scenario):
        _events, first, second = scenario

        def twice():
            _ingest(first)
            before = end_state(), Notification.objects.count()
            _ingest(second)
            after = end_state(), Notification.objects.count()
            return before, after

        before, after = rolled_back(twice)
        assert after == before

    check()
