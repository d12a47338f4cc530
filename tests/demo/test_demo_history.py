"""Two years of demo history: sized as asked, consistent, repeatable, and shaped like a real caseload."""

import datetime
import statistics
from collections import defaultdict

import pytest
from django.db.models import Count, F

from applications.models import Application, Client, Program, ProgramStage
from applications.reference_data import PROGRAMS
from demo import history as demo_history
from demo import history_plan
from demo.history import demo_history_clear, demo_history_load
from status_tracker.models import StageProgress, StageState
from tests.factories import ApplicationFactory

TODAY = datetime.date(2026, 11, 1)
SMALL = 500


@pytest.fixture
def history(db):
    demo_history_load(finalized=SMALL, today=TODAY)
    return Application.objects.filter(number__startswith="H")


@pytest.fixture(scope="module")
def plan():
    """A larger history drawn in memory only, for the shape of the caseload."""
    stage_counts = {code: len(data["stages"]) for code, data in PROGRAMS.items()}
    return history_plan._plan(finalized=8000, today=TODAY, seed=history_plan.SEED, stage_counts=stage_counts)


def durations_by_program(files) -> dict[str, list[int]]:
    durations = defaultdict(list)
    for item in files:
        if item.outcome in ("approved", "refused"):
            durations[item.program].append(item.decided - item.submitted)
    return durations


def row_snapshot() -> list[tuple]:
    return list(
        Application.objects.filter(number__startswith="H")
        .order_by("number")
        .values_list(
            "number",
            "client__uci",
            "program__code",
            "submitted_on",
            "status",
            "outcome",
            "decided_on",
            "current_stage__code",
            "last_updated_at",
        )
    )


def test_it_loads_the_decided_applications_asked_for_and_an_open_backlog(history):
    assert history.filter(status="closed").count() == SMALL
    open_count = history.exclude(status="closed").count()
    assert 0.05 * SMALL < open_count < 0.5 * SMALL
    assert demo_history_load(finalized=SMALL, today=TODAY) == SMALL + open_count


def test_every_program_has_decided_and_open_applications(history):
    programs = set(Program.objects.values_list("code", flat=True))
    assert set(history.filter(status="closed").values_list("program__code", flat=True)) == programs
    assert set(history.exclude(status="closed").values_list("program__code", flat=True)) == programs


def test_every_application_has_its_own_client_from_the_dedicated_uci_range(history):
    ucis = list(Client.objects.filter(applications__number__startswith="H").values_list("uci", flat=True))
    assert len(ucis) == len(set(ucis)) == history.count()
    assert all(len(uci) == 10 and uci.startswith("70") for uci in ucis)
    assert Client.objects.filter(applications__number__startswith="H").exclude(country_of_residence="").count() == len(
        ucis
    )


def test_rows_respect_the_status_outcome_and_decision_date_rules(history):
    for status, outcome, submitted_on, decided_on, stage_id in history.values_list(
        "status", "outcome", "submitted_on", "decided_on", "current_stage_id"
    ):
        if status == "closed":
            assert outcome in ("approved", "refused", "withdrawn")
            assert TODAY - datetime.timedelta(days=730) < decided_on <= TODAY
            assert decided_on >= submitted_on
            assert stage_id is not None
        else:
            assert status in ("received", "in_progress")
            assert outcome == "" and decided_on is None
            assert submitted_on <= TODAY
            assert (stage_id is None) == (status == "received")
    outcomes = dict(history.values_list("outcome").annotate(count=Count("id")))
    assert outcomes["approved"] > outcomes["refused"] > outcomes["withdrawn"] > 0


def test_decided_applications_went_through_their_stages_in_program_order(history):
    positions = {(row.program_id, row.stage_id): row.position for row in ProgramStage.objects.all()}
    stage_counts = dict(ProgramStage.objects.values_list("program_id").annotate(count=Count("id")))
    progress = defaultdict(list)
    for row in StageProgress.objects.filter(application__in=history).select_related("application"):
        progress[row.application_id].append(row)
    for application in history.filter(status="closed"):
        rows = sorted(progress[application.pk], key=lambda row: row.started_at)
        assert rows, application.number
        assert all(row.state == StageState.COMPLETED for row in rows)
        order = [positions[(application.program_id, row.stage_id)] for row in rows]
        assert order == list(range(1, len(rows) + 1))
        if application.outcome == "approved":
            assert len(rows) == stage_counts[application.program_id]
        for earlier, later in zip(rows, rows[1:], strict=False):
            assert earlier.finished_at <= later.started_at
        assert rows[0].started_at.date() >= application.submitted_on
        assert rows[-1].finished_at.date() == application.decided_on
        assert rows[-1].finished_at <= application.last_updated_at
        assert application.current_stage_id == rows[-1].stage_id


def test_open_applications_stand_at_their_current_stage(history):
    midnight = datetime.datetime.combine(TODAY, datetime.time(), tzinfo=datetime.UTC)
    for application in history.filter(status="in_progress"):
        rows = sorted(application.stage_progress.all(), key=lambda row: row.started_at)
        assert [row.state for row in rows[:-1]] == [StageState.COMPLETED] * (len(rows) - 1)
        assert rows[-1].state == StageState.IN_PROGRESS and rows[-1].finished_at is None
        assert rows[-1].stage_id == application.current_stage_id
        assert rows[-1].started_at < midnight
        assert application.last_updated_at == rows[-1].started_at
    assert not StageProgress.objects.filter(application__in=history.filter(status="received")).exists()


def test_running_it_again_leaves_the_same_rows(history):
    before = row_snapshot()
    ids = list(history.order_by("number").values_list("pk", flat=True))
    progress = StageProgress.objects.filter(application__in=history).count()
    demo_history_load(finalized=SMALL, today=TODAY)
    assert row_snapshot() == before
    assert list(history.order_by("number").values_list("pk", flat=True)) == ids
    assert StageProgress.objects.filter(application__in=history).count() == progress


def test_the_same_seed_and_day_draw_the_same_history(history):
    before = row_snapshot()
    demo_history_clear()
    assert not Application.objects.filter(number__startswith="H").exists()
    demo_history_load(finalized=SMALL, today=TODAY)
    assert row_snapshot() == before


def test_another_size_replaces_the_earlier_history_and_its_clients(history):
    demo_history_load(finalized=200, today=TODAY)
    assert history.filter(status="closed").count() == 200
    assert Client.objects.filter(uci__startswith="70", applications__isnull=True).count() == 0
    assert Client.objects.filter(uci__regex=demo_history.UCI_PATTERN).count() == history.count()


def test_other_applications_are_left_alone(db):
    other = ApplicationFactory(number="E123456789")
    demo_history_load(finalized=100, today=TODAY)
    demo_history_clear()
    assert Application.objects.get() == other
    assert Client.objects.get() == other.client


def test_durations_differ_by_program_in_the_expected_order(plan):
    medians = {code: statistics.median(days) for code, days in durations_by_program(plan).items()}
    assert 21 <= medians["visitor-visa"] <= 45
    assert 42 <= medians["study-permit"] <= 90
    assert 42 <= medians["work-permit"] <= 90
    assert 60 <= medians["pr-card"] <= 95
    assert 180 <= medians["express-entry-cec"] <= 245
    assert 300 <= medians["provincial-nominee"] <= 370
    assert 335 <= medians["spouse-sponsorship"] <= 430
    assert 365 <= medians["citizenship-grant"] <= 610
    assert (
        medians["visitor-visa"]
        < medians["study-permit"]
        < medians["pr-card"]
        < medians["express-entry-cec"]
        < medians["provincial-nominee"]
        < medians["spouse-sponsorship"]
        < medians["citizenship-grant"]
    )


def test_durations_have_a_long_tail(plan):
    visitor = sorted(durations_by_program(plan)["visitor-visa"])
    p50, p90 = statistics.median(visitor), visitor[int(0.9 * len(visitor))]
    assert p90 > 2 * p50


def test_visitor_visas_take_longer_from_some_countries_than_others(plan):
    by_country = defaultdict(list)
    for item in plan:
        if item.program == "visitor-visa" and item.outcome in ("approved", "refused"):
            by_country[item.country].append(item.decided - item.submitted)
    medians = {country: statistics.median(days) for country, days in by_country.items()}
    assert {"IN", "PH", "NG", "CN", "FR", "MX", "BR", "US", "GB", "VN"} <= set(medians)
    assert medians["US"] < medians["CN"] < medians["IN"] < medians["NG"]


def month_ends(count: int) -> list[int]:
    """Days (counted from TODAY, negative) of the last `count` month-ends."""
    ends, day = [], TODAY.replace(day=1) - datetime.timedelta(days=1)
    for _ in range(count):
        ends.append((day - TODAY).days)
        day = day.replace(day=1) - datetime.timedelta(days=1)
    return sorted(ends)


def test_the_backlog_grows_and_shrinks_over_the_two_years(plan):
    backlog = [sum(1 for item in plan if item.submitted <= end < item.decided) for end in month_ends(23)]
    changes = [later - earlier for earlier, later in zip(backlog, backlog[1:], strict=False)]
    assert max(backlog) > 1.2 * min(backlog)
    assert sum(change > 0 for change in changes) >= 3
    assert sum(change < 0 for change in changes) >= 3


def test_decisions_slow_down_mid_period_and_catch_up_after(plan):
    def decisions_between(first: int, last: int) -> float:
        return sum(1 for item in plan if item.outcome and first < item.decided <= last) / (last - first)

    before = decisions_between(-700, -480)
    slowdown = decisions_between(-480, -300)
    catch_up = decisions_between(-300, -180)
    assert slowdown < 0.9 * before
    assert catch_up > 1.2 * slowdown

    def visitor_median(first: int, last: int) -> float:
        return statistics.median(
            item.decided - item.submitted
            for item in plan
            if item.program == "visitor-visa" and item.outcome and first < item.decided <= last
        )

    assert visitor_median(-400, -300) > 1.3 * visitor_median(-700, -480)


def test_the_backlog_on_the_database_matches_the_plan(history):
    """The month-end backlog computed from the rows moves too, even on the small test history."""
    backlog = []
    for end in month_ends(23):
        day = TODAY + datetime.timedelta(days=end)
        backlog.append(history.filter(submitted_on__lte=day).exclude(decided_on__lte=day).count())
    assert len(set(backlog)) > 10
    assert max(backlog) > 1.1 * min(backlog)


def test_each_file_records_its_last_event_for_the_stalled_files_list(history):
    assert not history.filter(last_event_at__isnull=True).exists()
    assert not history.exclude(last_event_at=F("last_updated_at")).exists()
