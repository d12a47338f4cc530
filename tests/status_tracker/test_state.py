"""status_tracker.state: the rules one event follows, on rows in memory (no database)."""

import datetime

from django.utils import timezone

from applications.models import Application
from status_tracker.events import EventIn
from status_tracker.models import StageProgress
from status_tracker.state import (
    apply_decision,
    apply_event,
    apply_stage,
    apply_status,
    current_stage_id,
    is_newer,
    settle,
)

BASE = datetime.datetime(2026, 3, 2, 14, 0, tzinfo=datetime.UTC)


def at(minutes: int) -> datetime.datetime:
    return BASE + datetime.timedelta(minutes=minutes)


def stage(event_id: str, minutes: int, state: str = "in_progress", **fields) -> EventIn:
    return EventIn(
        event_id=event_id,
        application_number="E1",
        occurred_at=at(minutes),
        kind="stage",
        stage="s",
        state=state,
        **fields,
    )


def status(event_id: str, minutes: int, value: str = "in_progress") -> EventIn:
    return EventIn(event_id=event_id, application_number="E1", occurred_at=at(minutes), kind="status", status=value)


def decision(event_id: str, minutes: int, outcome: str = "approved") -> EventIn:
    return EventIn(
        event_id=event_id, application_number="E1", occurred_at=at(minutes), kind="decision", outcome=outcome
    )


def note(event_id: str, minutes: int, visible: bool = True) -> EventIn:
    return EventIn(
        event_id=event_id, application_number="E1", occurred_at=at(minutes), kind="note", visible_to_client=visible
    )


def new_progress(stage_id: int = 1) -> StageProgress:
    return StageProgress(application_id=1, stage_id=stage_id, state="not_started")


def new_application() -> Application:
    return Application(pk=1, status=Application.Status.RECEIVED)


# --- ordering ------------------------------------------------------------------------------------


def test_anything_is_newer_than_nothing_and_ties_go_to_the_larger_id():
    assert is_newer(occurred_at=at(0), event_id="a", since=None, since_id="")
    assert is_newer(occurred_at=at(1), event_id="a", since=at(0), since_id="z")
    assert not is_newer(occurred_at=at(0), event_id="z", since=at(1), since_id="a")
    assert is_newer(occurred_at=at(0), event_id="b", since=at(0), since_id="a")
    assert not is_newer(occurred_at=at(0), event_id="a", since=at(0), since_id="b")
    assert not is_newer(occurred_at=at(0), event_id="a", since=at(0), since_id="a")


# --- stages --------------------------------------------------------------------------------------


def test_a_stage_starts_then_finishes():
    row = new_progress()
    assert apply_stage(progress=row, event=stage("s1", 10))
    assert apply_stage(progress=row, event=stage("s2", 20, state="completed"))
    assert (row.state, row.started_at, row.finished_at, row.state_source_id) == ("completed", at(10), at(20), "s2")


def test_an_older_event_changes_nothing_but_an_earlier_start():
    row = new_progress()
    apply_stage(progress=row, event=stage("s2", 20, state="completed"))
    assert not apply_stage(progress=row, event=stage("s1", 10))
    assert (row.state, row.state_since, row.started_at, row.finished_at) == ("completed", at(20), at(10), at(20))


def test_a_stage_finished_without_a_start_starts_when_it_finished():
    row = new_progress()
    apply_stage(progress=row, event=stage("s1", 20, state="completed"))
    assert (row.started_at, row.finished_at) == (at(20), at(20))


def test_an_exempted_stage_is_finished_but_never_started():
    row = new_progress()
    apply_stage(progress=row, event=stage("s1", 20, state="exempted"))
    assert (row.state, row.started_at, row.finished_at) == ("exempted", None, at(20))


def test_reopening_a_finished_stage_clears_its_finish():
    row = new_progress()
    apply_stage(progress=row, event=stage("s1", 10, state="completed"))
    apply_stage(progress=row, event=stage("s2", 20, state="waiting_on_client"))
    assert (row.state, row.started_at, row.finished_at) == ("waiting_on_client", at(10), None)


def test_the_same_instant_ends_in_the_same_state_whatever_the_arrival_order():
    first, second = new_progress(), new_progress()
    done, started = stage("tie-b", 10, state="completed"), stage("tie-a", 10)
    assert [apply_stage(progress=first, event=e) for e in (started, done)] == [True, True]
    assert [apply_stage(progress=second, event=e) for e in (done, started)] == [True, False]
    assert (first.state, first.state_source_id) == (second.state, second.state_source_id) == ("completed", "tie-b")


# --- status and decision -------------------------------------------------------------------------


def test_a_decision_closes_the_file_on_its_local_date():
    application = new_application()
    assert apply_decision(application=application, event=decision("d1", 60, outcome="refused"))
    assert (application.status, application.outcome) == ("closed", "refused")
    assert application.decided_on == timezone.localdate(at(60))
    assert (application.status_since, application.status_source_id) == (at(60), "d1")


def test_a_newer_status_reopens_a_decided_file():
    application = new_application()
    apply_decision(application=application, event=decision("d1", 60))
    assert apply_status(application=application, event=status("st1", 70))
    assert (application.status, application.outcome, application.decided_on) == ("in_progress", "", None)


def test_an_older_status_leaves_the_decision_standing():
    application = new_application()
    apply_decision(application=application, event=decision("d1", 60))
    assert not apply_status(application=application, event=status("st1", 50))
    assert (application.status, application.outcome, application.status_source_id) == ("closed", "approved", "d1")


def test_an_older_decision_does_not_close_a_file_reopened_later():
    application = new_application()
    apply_status(application=application, event=status("st1", 70))
    assert not apply_decision(application=application, event=decision("d1", 60))
    assert (application.status, application.outcome) == ("in_progress", "")


# --- apply_event and the times -------------------------------------------------------------------


def test_a_note_is_applied_and_moves_only_the_times():
    application = new_application()
    effect = apply_event(application=application, progress=None, event=note("n1", 10))
    assert effect.applied and effect.application_changed
    assert (application.status, application.last_event_at, application.last_updated_at) == ("received", at(10), at(10))


def test_an_invisible_event_moves_only_the_last_event_time():
    application = new_application()
    apply_event(application=application, progress=None, event=note("n1", 10))
    effect = apply_event(application=application, progress=None, event=note("n2", 20, visible=False))
    assert effect.application_changed
    assert (application.last_event_at, application.last_updated_at) == (at(20), at(10))


def test_times_never_move_back_and_an_old_stage_event_changes_nothing_on_the_file():
    application, row = new_application(), new_progress()
    apply_event(application=application, progress=row, event=stage("s2", 20))
    effect = apply_event(application=application, progress=row, event=stage("s1", 10, state="not_started"))
    assert effect == (False, False)
    assert (application.last_event_at, application.last_updated_at) == (at(20), at(20))


# --- settling a file after a batch ---------------------------------------------------------------


def test_the_current_stage_is_the_first_open_one_else_the_last_finished():
    order = [1, 2, 3]
    assert current_stage_id(ordered_stage_ids=order, states={}) is None
    assert current_stage_id(ordered_stage_ids=order, states={1: "completed", 3: "in_progress"}) == 3
    assert current_stage_id(ordered_stage_ids=order, states={1: "completed", 2: "waiting_on_client"}) == 2
    assert current_stage_id(ordered_stage_ids=order, states={1: "completed", 2: "exempted"}) == 2
    assert current_stage_id(ordered_stage_ids=order, states={1: "not_started"}) is None


def test_work_begun_makes_a_received_file_in_progress_even_if_the_stage_went_back_to_not_started():
    application, row = new_application(), new_progress()
    apply_stage(progress=row, event=stage("s1", 10))
    apply_stage(progress=row, event=stage("s2", 20, state="not_started"))
    assert settle(application=application, stage_rows=[row], ordered_stage_ids=[1])
    assert (application.status, application.current_stage_id) == ("in_progress", None)


def test_settling_a_file_with_nothing_new_changes_nothing():
    application = new_application()
    assert not settle(application=application, stage_rows=[new_progress()], ordered_stage_ids=[1])
    closed = new_application()
    apply_decision(application=closed, event=decision("d1", 60))
    row = new_progress()
    apply_stage(progress=row, event=stage("s1", 10))
    settle(application=closed, stage_rows=[row], ordered_stage_ids=[1])
    assert closed.status == "closed"  # only a received file is moved to in progress
