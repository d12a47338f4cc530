"""Backtesting the published estimates against the decisions that followed."""

import datetime
import itertools
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from applications.models import Application, Program
from demo.history import demo_history_load
from processing_times.backtest import backtest
from processing_times.management.commands.backtest_estimates import months_before
from tests.factories import ClientFactory, decisions_record

D0 = datetime.date(2025, 1, 6)
numbers = itertools.count(1)


def applications(program, *, days, count, first=D0, every=1, country="IN", outcome="approved", decided=True):
    """`count` applications submitted every `every` days from `first`, each decided after exactly `days` days."""
    client = ClientFactory(country_of_residence=country)
    rows = [
        Application(
            number=f"T{next(numbers):09d}",
            client=client,
            program=program,
            submitted_on=first + datetime.timedelta(days=index * every),
        )
        for index in range(count)
    ]
    created = Application.objects.bulk_create(rows)
    if decided:
        decisions_record(
            decisions=[
                (application, outcome, application.submitted_on + datetime.timedelta(days=days))
                for application in created
            ]
        )
    return created


@pytest.fixture
def steady_pr_cards(db):
    """A year of PR cards, one submitted every day, each decided after exactly 40 days."""
    program = Program.objects.get(code="pr-card")
    applications(program, days=40, count=365)
    return program


def test_when_every_decision_takes_the_same_time_all_fall_within_the_80th_percentile_with_no_error(steady_pr_cards):
    start = D0 + datetime.timedelta(days=250)
    result = backtest(start=start, end=start + datetime.timedelta(days=48))
    assert result.evaluated == 49
    assert result.no_estimate == 0
    assert result.share_within_p80 == 1.0
    assert result.share_within_band == 1.0
    assert result.median_abs_error_days == 0
    assert result.overall.median_bias_days == 0
    assert result.computations == 7  # once a week, not once per application
    [row] = result.programs
    assert (row.code, row.evaluated, row.within_p80) == ("pr-card", 49, 49)
    assert [(month.code, month.evaluated) for month in result.months] == [("2025-09", 18), ("2025-10", 31)]
    # About 40 files wait at any time and 30 are decided a month: the projection says 40 days too.
    assert result.overall.projection_evaluated == 49
    assert result.overall.projection_median_abs_error_days < 2


def test_a_slowdown_shows_up_as_files_outside_the_80th_percentile(steady_pr_cards):
    program = steady_pr_cards
    applications(program, days=90, count=30, first=D0 + datetime.timedelta(days=365))
    result = backtest(start=D0 + datetime.timedelta(days=365), end=D0 + datetime.timedelta(days=394))
    assert result.evaluated == 30
    assert result.share_within_p80 == 0.0
    assert result.median_abs_error_days == 50
    assert result.overall.median_bias_days == 50


def test_applications_without_enough_past_decisions_are_counted_apart(steady_pr_cards):
    study = Program.objects.get(code="study-permit")
    applications(study, days=30, count=10, first=D0 + datetime.timedelta(days=150), every=5)  # too few decisions
    applications(study, days=30, count=2, first=D0 + datetime.timedelta(days=252))
    result = backtest(start=D0 + datetime.timedelta(days=250), end=D0 + datetime.timedelta(days=260))
    rows = {row.code: row for row in result.programs}
    assert rows["study-permit"].evaluated == 0
    assert rows["study-permit"].no_estimate == 2
    assert rows["study-permit"].share_within_p80 is None
    assert rows["pr-card"].evaluated == 11
    assert (result.evaluated, result.no_estimate) == (11, 2)


def test_the_first_weeks_of_a_program_have_no_estimate(steady_pr_cards):
    result = backtest(start=D0, end=D0 + datetime.timedelta(days=13))
    assert result.evaluated == 0
    assert result.no_estimate == 14
    assert result.share_within_p80 is None


def test_a_country_with_too_few_decisions_is_compared_with_the_overall_figures(db):
    visitor = Program.objects.get(code="visitor-visa")
    applications(visitor, days=20, count=60, country="IN")
    applications(visitor, days=10, count=60, country="US")
    applications(visitor, days=30, count=5, country="GB", first=D0 + datetime.timedelta(days=55))
    result = backtest(start=D0 + datetime.timedelta(days=55), end=D0 + datetime.timedelta(days=59))
    [row] = result.programs
    assert (row.evaluated, row.no_estimate) == (15, 0)
    # Indian and American files meet their own country's figures exactly. British files have no figures of
    # their own yet: they are compared with the overall ones (median 10 days, 80th percentile 20).
    assert row.within_p80 == 10
    assert sorted(row.errors) == [0] * 10 + [20] * 5


def test_withdrawn_and_open_files_are_left_out(steady_pr_cards):
    start = D0 + datetime.timedelta(days=250)
    applications(steady_pr_cards, days=5, count=3, first=start, outcome="withdrawn")
    applications(steady_pr_cards, days=0, count=4, first=start, decided=False)
    result = backtest(start=start, end=start + datetime.timedelta(days=6))
    assert result.evaluated == 7
    assert result.still_open == 4


def test_shares_lie_between_zero_and_one_on_generated_history(db):
    today = datetime.date(2026, 11, 1)
    demo_history_load(finalized=3000, today=today)
    result = backtest(start=today - datetime.timedelta(days=600), end=today - datetime.timedelta(days=180))
    assert result.evaluated > 1000
    assert result.no_estimate > 0  # the first weeks of the history, and the rarer programs
    for row in [result.overall, *result.programs]:
        for share in (row.share_within_p80, row.share_within_band):
            assert share is None or 0 <= share <= 1
        assert row.median_abs_error_days is None or row.median_abs_error_days >= 0
    assert sum(row.evaluated for row in result.programs) == result.evaluated
    assert sum(row.no_estimate for row in result.programs) == result.no_estimate
    assert 0.5 < result.share_within_p80 < 0.95


def test_the_command_prints_each_program_and_the_overall_share(steady_pr_cards):
    out = StringIO()
    start = D0 + datetime.timedelta(days=250)
    call_command(
        "backtest_estimates", "--start", str(start), "--end", str(start + datetime.timedelta(days=48)), stdout=out
    )
    text = out.getvalue()
    assert "Permanent resident card" in text
    assert "Overall: 100.0% decided within the 80th percentile" in text
    assert "100.0% within the 50th-90th percentile window" in text
    assert "median error of the 50th percentile 0 days" in text


def test_the_command_says_there_is_nothing_to_evaluate_on_an_empty_database(db):
    out = StringIO()
    call_command("backtest_estimates", stdout=out)
    assert "Nothing to evaluate" in out.getvalue()


def test_the_command_says_why_when_no_file_had_an_estimate(steady_pr_cards):
    out = StringIO()
    call_command("backtest_estimates", "--start", str(D0), "--end", str(D0 + datetime.timedelta(days=6)), stdout=out)
    assert "Nothing to evaluate: 7 were approved or refused, but no estimate" in out.getvalue()


def test_the_command_looks_at_the_18_months_ending_6_months_ago_by_default(db, time_machine):
    time_machine.move_to(datetime.datetime(2026, 8, 31, 12, tzinfo=datetime.UTC))
    out = StringIO()
    call_command("backtest_estimates", stdout=out)
    assert "submitted from 2024-08-28 to 2026-02-28" in out.getvalue()


def test_months_before_keeps_the_day_or_takes_the_last_of_a_shorter_month():
    assert months_before(datetime.date(2026, 11, 22), 6) == datetime.date(2026, 5, 22)
    assert months_before(datetime.date(2026, 8, 31), 6) == datetime.date(2026, 2, 28)
    assert months_before(datetime.date(2026, 2, 28), 18) == datetime.date(2024, 8, 28)


def test_the_command_refuses_malformed_or_reversed_dates(db):
    with pytest.raises(CommandError):
        call_command("backtest_estimates", "--start", "yesterday")
    with pytest.raises(CommandError):
        call_command("backtest_estimates", "--start", "2026-05-01", "--end", "2026-04-01")
