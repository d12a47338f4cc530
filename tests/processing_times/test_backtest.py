"""Replaying the estimates against the decisions that followed: both methods, the command and the published report."""

import datetime
import itertools
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from applications.models import Application, Program
from processing_times.backtest import (
    HistoryRow,
    ProgramRules,
    backtest,
    backtest_publish,
    default_period,
    history_rows_from_database,
    programs_from_database,
)
from processing_times.models import BacktestReport
from tests.factories import ClientFactory, decisions_record

D0 = datetime.date(2025, 1, 6)
PROGRAMS = {
    "pr-card": ProgramRules(code="pr-card", name="PR card", window_days=183, times_by_country=False),
    "visitor-visa": ProgramRules(code="visitor-visa", name="Visitor visa", window_days=56, times_by_country=True),
}


def files(program="pr-card", *, days, count, first=D0, every=1, country="IN", outcome="approved", decided=True):
    """`count` files sent every `every` days from `first`, each decided after exactly `days` days."""
    rows = []
    for index in range(count):
        submitted = first + datetime.timedelta(days=index * every)
        decided_on = submitted + datetime.timedelta(days=days) if decided else None
        rows.append(HistoryRow(program, country, submitted, decided_on, outcome if decided else ""))
    return rows


def test_when_every_decision_takes_the_same_time_the_percentile_is_exact():
    rows = files(days=40, count=365)
    start = D0 + datetime.timedelta(days=250)
    result = backtest(
        rows=rows, programs=PROGRAMS, start=start, end=start + datetime.timedelta(days=48), method="percentile"
    )
    assert (result.evaluated, result.no_estimate) == (49, 0)
    assert result.share_within_p80 == result.share_within_band == 1.0
    assert result.median_abs_error_days == 0
    assert result.computations == 7  # once a week, not once per file
    assert [(month.code, month.evaluated) for month in result.months] == [("2025-09", 18), ("2025-10", 31)]


def test_a_sudden_slowdown_shows_up_as_files_outside_the_80th_percentile():
    rows = files(days=40, count=365) + files(days=90, count=30, first=D0 + datetime.timedelta(days=365))
    start = D0 + datetime.timedelta(days=365)
    for method in ("percentile", "queue"):
        result = backtest(
            rows=rows, programs=PROGRAMS, start=start, end=start + datetime.timedelta(days=29), method=method
        )
        assert result.evaluated == 30
        assert result.share_within_p80 == 0.0  # nobody could see it coming: both methods miss, and say so
        assert result.overall.median_bias_days > 40


def test_a_country_with_too_few_decisions_is_compared_with_the_programs_percentiles():
    rows = (
        files("visitor-visa", days=20, count=60, country="IN")
        + files("visitor-visa", days=10, count=60, country="US")
        + files("visitor-visa", days=30, count=5, country="GB", first=D0 + datetime.timedelta(days=55))
    )
    start = D0 + datetime.timedelta(days=55)
    result = backtest(
        rows=rows, programs=PROGRAMS, start=start, end=start + datetime.timedelta(days=4), method="percentile"
    )
    [row] = result.programs
    assert (row.evaluated, row.no_estimate) == (15, 0)
    # Indian and American files meet their own country's figures; British ones the overall (median 10, p80 20).
    assert sorted(row.errors) == [0] * 10 + [20] * 5


def test_withdrawn_and_open_files_are_left_out_and_the_open_ones_counted():
    start = D0 + datetime.timedelta(days=250)
    rows = (
        files(days=40, count=365)
        + files(days=5, count=3, first=start, outcome="withdrawn")
        + files(days=0, count=4, first=start, decided=False)
    )
    result = backtest(
        rows=rows, programs=PROGRAMS, start=start, end=start + datetime.timedelta(days=6), method="percentile"
    )
    assert result.evaluated == 7
    assert result.still_open == 4


def test_files_without_a_forecast_are_counted_apart():
    rows = files(days=40, count=100)
    for method in ("percentile", "queue"):
        result = backtest(rows=rows, programs=PROGRAMS, start=D0, end=D0 + datetime.timedelta(days=13), method=method)
        assert result.evaluated == 0
        assert result.no_estimate == 14
        assert result.share_within_p80 is None


def test_months_are_judged_only_with_enough_files_and_the_worst_is_the_furthest_from_80_percent():
    rows = [row for country in ("IN", "CN", "PH", "MX") for row in files(days=40, count=400, country=country)]
    result = backtest(
        rows=rows, programs=PROGRAMS, start=D0 + datetime.timedelta(days=300), end=D0 + datetime.timedelta(days=359)
    )
    assert [month.evaluated >= 100 for month in result.months] == [month.judged for month in result.months]
    assert result.judged_months
    assert result.worst_month in result.judged_months


def test_wrong_arguments_are_refused():
    with pytest.raises(ValueError, match="step_days"):
        backtest(rows=[], programs=PROGRAMS, start=D0, end=D0, step_days=0)
    with pytest.raises(ValueError, match="end"):
        backtest(rows=[], programs=PROGRAMS, start=D0, end=D0 - datetime.timedelta(days=1))
    with pytest.raises(ValueError, match="method"):
        backtest(rows=[], programs=PROGRAMS, start=D0, end=D0, method="crystal-ball")


def test_the_default_period_is_the_18_months_ending_6_months_ago():
    assert default_period(datetime.date(2026, 8, 31)) == (datetime.date(2024, 8, 28), datetime.date(2026, 2, 28))


# On the database.

numbers = itertools.count(1)


def applications(program, *, days, count, first=D0, every=1, country="IN"):
    client = ClientFactory(country_of_residence=country)
    created = Application.objects.bulk_create(
        Application(
            number=f"T{next(numbers):09d}",
            client=client,
            program=program,
            submitted_on=first + datetime.timedelta(days=index * every),
        )
        for index in range(count)
    )
    decisions_record(
        decisions=[(item, "approved", item.submitted_on + datetime.timedelta(days=days)) for item in created]
    )
    return created


@pytest.fixture
def steady_pr_cards(db):
    """A year of PR cards, one sent every day, each decided after exactly 40 days."""
    program = Program.objects.get(code="pr-card")
    applications(program, days=40, count=365)
    return program


def test_rows_and_rules_come_from_the_database(steady_pr_cards):
    rows = history_rows_from_database()
    assert len(rows) == 365
    assert {(row.program, row.outcome) for row in rows} == {("pr-card", "approved")}
    assert programs_from_database()["pr-card"].window_days == steady_pr_cards.processing_window_days


def test_the_command_prints_programs_months_and_the_summary(steady_pr_cards):
    out = StringIO()
    start = D0 + datetime.timedelta(days=250)
    call_command(
        "backtest_estimates",
        "--start",
        str(start),
        "--end",
        str(start + datetime.timedelta(days=48)),
        "--method",
        "percentile",
        stdout=out,
    )
    text = out.getvalue()
    assert "Method: percentile" in text
    assert "Permanent resident card" in text
    assert "Overall: 100.0% within the 80th percentile" in text
    assert "median error 0 days" in text


def test_the_command_says_there_is_nothing_to_evaluate_on_an_empty_database(db):
    out = StringIO()
    call_command("backtest_estimates", stdout=out)
    assert "Nothing to evaluate" in out.getvalue()


def test_the_command_refuses_malformed_or_reversed_dates(db):
    with pytest.raises(CommandError):
        call_command("backtest_estimates", "--start", "yesterday")
    with pytest.raises(CommandError):
        call_command("backtest_estimates", "--start", "2026-05-01", "--end", "2026-04-01")


def test_the_check_option_fails_when_a_judged_month_is_outside_the_aims(db):
    pr_card = Program.objects.get(code="pr-card")
    applications(pr_card, days=40, count=300)
    for _ in range(4):  # 116 files sent in November 2025 take three times as long as before
        applications(pr_card, days=120, count=29, first=D0 + datetime.timedelta(days=300))
    with pytest.raises(CommandError, match="outside the aims"):
        call_command(
            "backtest_estimates",
            "--start",
            str(D0 + datetime.timedelta(days=300)),
            "--end",
            str(D0 + datetime.timedelta(days=328)),
            "--check",
            stdout=StringIO(),
        )


def test_publishing_keeps_one_report_with_programs_and_months(steady_pr_cards, time_machine):
    time_machine.move_to(datetime.datetime(2026, 3, 1, 12, tzinfo=datetime.UTC))
    first = backtest_publish(as_of=datetime.date(2026, 2, 28))
    report = backtest_publish(as_of=datetime.date(2026, 3, 1))
    assert list(BacktestReport.objects.all()) == [report]
    assert first.pk != report.pk
    assert report.evaluated > 0
    assert report.programs[0]["code"] == "pr-card"
    assert report.share_within_p80 == pytest.approx(report.programs[0]["share_within_p80"])


def test_the_methodology_page_publishes_the_latest_check_in_both_languages(client, steady_pr_cards, time_machine):
    from django.urls import reverse
    from django.utils import translation

    with translation.override("en"):
        url = reverse("processing_times:methodology")
    assert "We have not checked our dates against past decisions yet." in client.get(url).text
    time_machine.move_to(datetime.datetime(2026, 3, 1, 12, tzinfo=datetime.UTC))
    report = backtest_publish(as_of=datetime.date(2026, 3, 1))
    english = client.get(url).text
    share = round(report.share_within_p80 * 100)
    assert "Last check: March 1, 2026." in english
    assert f"{share}% of {report.evaluated:,} applications were decided by the “8 in 10” date." in english
    assert '<th scope="row">Permanent resident card</th>' in english
    with translation.override("fr"):
        french = client.get(reverse("processing_times:methodology")).text
    assert (
        "Dernière vérification\u00a0: 1er mars 2026." in french or "Dernière vérification\u00a0: 1 mars 2026." in french
    )
    assert f"{share}\u00a0% des" in french


def test_the_nightly_task_publishes_and_retires_cached_estimates(steady_pr_cards, django_capture_on_commit_callbacks):
    from processing_times.figures import estimates_generation
    from processing_times.tasks import estimates_backtest_nightly

    before = estimates_generation()
    with django_capture_on_commit_callbacks(execute=True):
        evaluated = estimates_backtest_nightly.delay().get()
    assert evaluated == BacktestReport.objects.get().evaluated
    assert estimates_generation() != before  # pages quoting the accuracy render it again
