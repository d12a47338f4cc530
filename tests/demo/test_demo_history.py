"""Two years of demo history: sized as asked, consistent, repeatable, and shaped like a real caseload.

The history is a queue per office (demo/history_plan.py), drawn under a scenario: the seeded demo's backlog by
default. Comparisons between scenarios hold because each queue draws the same random numbers in every one.
"""

import datetime
import statistics
from collections import Counter, defaultdict

import pytest
from django.db.models import Count, F

from applications.models import Application, Client, Program, ProgramStage
from applications.reference_data import PROGRAMS
from demo import history as demo_history
from demo import history_plan
from demo.history import demo_history_clear, demo_history_load
from demo.history_plan import DEFAULT_FINALIZED, PROFILES, SCENARIOS, SEED, HistoryRow, scenario_rows
from status_tracker.models import StageProgress, StageState
from tests.factories import ApplicationFactory

TODAY = datetime.date(2026, 11, 1)
SMALL = 500
STAGE_COUNTS = {code: len(data["stages"]) for code, data in PROGRAMS.items()}


@pytest.fixture
def history(db):
    demo_history_load(finalized=SMALL, today=TODAY)
    return Application.objects.filter(number__startswith="H")


@pytest.fixture(scope="module")
def plan():
    """The seeded demo's history at its usual size, drawn in memory only, for the shape of the caseload."""
    return history_plan._plan(finalized=DEFAULT_FINALIZED, today=TODAY, seed=SEED, stage_counts=STAGE_COUNTS)


@pytest.fixture(scope="module")
def drawn():
    """Every scenario's files at the demo's size as simulated, with the day the office started each one."""
    return {
        name: history_plan._draw(finalized=DEFAULT_FINALIZED, today=TODAY, seed=SEED, scenario=name)
        for name in SCENARIOS
    }


def durations_by_program(files) -> dict[str, list[int]]:
    """Days from submission to decision of the files approved or refused by today, by program."""
    durations = defaultdict(list)
    for item in files:
        if item.decided <= 0 and item.outcome in ("approved", "refused"):
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


def database_rows() -> list[HistoryRow]:
    rows = Application.objects.filter(number__startswith="H").values_list(
        "program__code", "client__country_of_residence", "submitted_on", "decided_on", "outcome"
    )
    return [HistoryRow(*row) for row in rows]


def test_it_loads_about_the_decided_applications_asked_for_and_an_open_backlog(history):
    """The intake is set for SMALL decisions; how many are decided varies with the draw (a few percent)."""
    closed = history.filter(status="closed").count()
    assert 0.85 * SMALL < closed < 1.15 * SMALL
    open_count = history.exclude(status="closed").count()
    assert 0.05 * SMALL < open_count < 0.5 * SMALL
    assert demo_history_load(finalized=SMALL, today=TODAY) == closed + open_count


def test_the_database_holds_the_files_of_the_plain_rows(history):
    assert Counter(database_rows()) == Counter(scenario_rows("backlog", today=TODAY, finalized=SMALL))


def test_another_scenario_replaces_the_history_with_its_own_files(history):
    backlog = history.exclude(status="closed").count()
    demo_history_load(finalized=SMALL, today=TODAY, scenario="doubling")
    assert Counter(database_rows()) == Counter(scenario_rows("doubling", today=TODAY, finalized=SMALL))
    assert history.exclude(status="closed").count() < 0.7 * backlog  # doubled pace: shorter queues
    assert Client.objects.filter(uci__regex=demo_history.UCI_PATTERN).count() == history.count()


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
    rows = scenario_rows("backlog", today=TODAY, finalized=200)
    assert history.filter(status="closed").count() == sum(row.decided_on is not None for row in rows)
    assert history.count() == len(rows)
    assert Client.objects.filter(uci__startswith="70", applications__isnull=True).count() == 0
    assert Client.objects.filter(uci__regex=demo_history.UCI_PATTERN).count() == history.count()


def test_other_applications_are_left_alone(db):
    other = ApplicationFactory(number="E123456789")
    demo_history_load(finalized=100, today=TODAY)
    demo_history_clear()
    assert Application.objects.get() == other
    assert Client.objects.get() == other.client


def expected_median(code: str) -> float:
    """A program's median at the usual pace, its countries' factors averaged by weight where they apply."""
    profile = PROFILES[code]
    if not PROGRAMS[code]["times_by_country"]:
        return profile.median_days
    weights = sum(weight for _country, weight in profile.residence)
    factor = sum(weight * history_plan.COUNTRY_FACTORS[country] for country, weight in profile.residence) / weights
    return profile.median_days * factor


def test_at_the_usual_pace_files_take_about_their_programs_median(drawn):
    medians = {code: statistics.median(days) for code, days in durations_by_program(drawn["steady"]).items()}
    assert set(medians) == set(PROFILES)
    for code, median in medians.items():
        assert 0.75 * expected_median(code) <= median <= 1.25 * expected_median(code), code


def test_durations_differ_by_program_in_the_expected_order(plan):
    medians = {code: statistics.median(days) for code, days in durations_by_program(plan).items()}
    assert 21 <= medians["visitor-visa"] <= 60  # a backlog in the history adds weeks to the short programs
    assert (
        medians["visitor-visa"]
        < medians["study-permit"]
        < medians["pr-card"]
        < medians["express-entry-cec"]
        < medians["provincial-nominee"]
        < medians["spouse-sponsorship"]
        < medians["citizenship-grant"]
    )


def test_programs_with_a_wider_processing_time_have_a_longer_tail(drawn):
    """Every file waits about as long in a steady queue: the tail comes from the processing time and the countries."""
    durations = durations_by_program(drawn["steady"])

    def tail(code: str) -> float:
        days = sorted(durations[code])
        return days[int(0.9 * len(days))] / statistics.median(days)

    assert tail("visitor-visa") > 1.5
    assert tail("citizenship-grant") < 1.25
    assert tail("visitor-visa") > tail("pr-card") > tail("citizenship-grant")


def test_visitor_visas_take_longer_from_some_countries_than_others(drawn):
    """Each country has its own queue, so one country's median also moves with its own luck: compare groups."""
    by_speed = defaultdict(list)
    for item in drawn["steady"]:
        if item.program == "visitor-visa" and item.decided <= 0 and item.outcome in ("approved", "refused"):
            by_speed[history_plan.COUNTRY_FACTORS[item.country] >= 1.5].append(item.decided - item.submitted)
    assert {item.country for item in drawn["steady"] if item.program == "visitor-visa"} == {
        "IN",
        "PH",
        "NG",
        "CN",
        "FR",
        "MX",
        "BR",
        "US",
        "GB",
        "VN",
    }
    assert statistics.median(by_speed[True]) > 1.2 * statistics.median(by_speed[False])


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


def open_on(files, day: int) -> int:
    return sum(1 for item in files if item.submitted <= day < item.decided)


def queue_of(item) -> tuple[str, str]:
    return item.program, item.country if PROGRAMS[item.program]["times_by_country"] else ""


@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_each_office_starts_its_files_in_order_of_submission(drawn, scenario):
    """A file submitted on an earlier day is started no later than one submitted on a later day."""
    files = defaultdict(list)
    for item in drawn[scenario]:
        if item.outcome == "withdrawn":
            assert item.started is None and item.submitted < item.decided
            continue
        assert item.submitted <= item.started <= item.decided
        files[queue_of(item)].append((item.submitted, item.started))
    assert len(files) == 10 + 11 + 11 + 7  # visitor visas, study and work permits by country; the others alone
    for pairs in files.values():
        started = [day for _submitted, day in sorted(pairs)]
        assert started == sorted(started)


@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_decisions_are_made_on_weekdays(drawn, scenario):
    assert {(TODAY + datetime.timedelta(days=item.decided)).weekday() for item in drawn[scenario]} <= set(range(5))


def test_in_the_backlog_scenario_the_open_files_pile_up_during_the_slowdown_and_fall_in_the_catch_up(drawn):
    backlog, steady = drawn["backlog"], drawn["steady"]
    assert open_on(backlog, -480) < 1.05 * open_on(steady, -480)
    assert open_on(backlog, -300) > 1.15 * open_on(backlog, -480)
    assert open_on(backlog, -180) < 0.95 * open_on(backlog, -300)
    assert open_on(backlog, 0) < open_on(backlog, -180)
    assert open_on(backlog, -300) > 1.2 * open_on(steady, -300)


def test_a_sudden_slowdown_piles_files_up_that_then_clear_slowly(drawn):
    slowdown, steady = drawn["slowdown"], drawn["steady"]
    assert open_on(slowdown, -420) < 1.05 * open_on(steady, -420)
    assert open_on(slowdown, -329) > 1.1 * open_on(steady, -329)
    assert open_on(steady, 0) < open_on(slowdown, 0) < open_on(slowdown, -300)


def test_doubling_the_decision_rate_shortens_the_queues_and_the_durations(drawn):
    doubling, steady = drawn["doubling"], drawn["steady"]

    def visitor_median(files, first: int, last: int) -> float:
        return statistics.median(
            item.decided - item.submitted
            for item in files
            if item.program == "visitor-visa" and item.outcome != "withdrawn" and first <= item.submitted < last
        )

    assert visitor_median(doubling, -700, -500) == visitor_median(steady, -700, -500)
    assert visitor_median(doubling, -300, -100) < 0.5 * visitor_median(steady, -300, -100)
    assert open_on(doubling, 0) < 0.7 * open_on(steady, 0)


def test_the_small_program_has_few_decisions_and_its_own_times(drawn):
    small = [item for item in drawn["small-program"] if item.program == "express-entry-fst" and item.decided <= 0]
    decided = sum(1 for item in drawn["small-program"] if item.decided <= 0)
    assert 0.007 < len(small) / decided < 0.013
    assert 90 <= statistics.median(durations_by_program(small)["express-entry-fst"]) <= 150


@pytest.mark.parametrize(
    ("scenario", "low", "high"),
    [
        ("steady", 0.95, 1.05),
        ("backlog", 0.95, 1.05),
        ("slowdown", 0.95, 1.05),
        ("small-program", 0.95, 1.05),
        # The intake is the same; the doubled pace also decides much of the standing backlog.
        ("doubling", 1.03, 1.15),
    ],
)
def test_each_scenario_decides_about_the_files_asked_for(drawn, scenario, low, high):
    decided = sum(1 for item in drawn[scenario] if item.decided <= 0)
    assert low * DEFAULT_FINALIZED < decided < high * DEFAULT_FINALIZED


def test_plain_rows_are_the_plans_files_as_they_stand_today(plan):
    rows = scenario_rows("backlog", today=TODAY)
    assert len(rows) == len(plan)
    for row, item in zip(rows, plan, strict=True):
        assert row.program == item.program and row.country == item.country
        assert row.submitted_on == TODAY + datetime.timedelta(days=item.submitted)
        if item.outcome:
            assert (row.decided_on, row.outcome) == (TODAY + datetime.timedelta(days=item.decided), item.outcome)
        else:
            assert (row.decided_on, row.outcome) == (None, "")


def test_the_same_scenario_seed_and_day_give_the_same_rows_and_another_seed_others():
    rows = scenario_rows("slowdown", today=TODAY, finalized=1000)
    assert scenario_rows("slowdown", today=TODAY, finalized=1000) == rows
    assert scenario_rows("slowdown", today=TODAY, finalized=1000, seed=SEED + 1) != rows


def test_an_unknown_scenario_is_refused():
    with pytest.raises(ValueError, match="unknown scenario"):
        scenario_rows("boom", today=TODAY)
