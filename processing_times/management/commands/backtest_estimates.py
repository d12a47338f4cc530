"""`manage.py backtest_estimates`: replay the estimates we gave against the decisions that followed."""

import datetime
import time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from core.dates import add_months
from processing_times.backtest import (
    BIAS_AIM_DAYS,
    COVERAGE_AIM,
    METHODS,
    MONTH_MINIMUM,
    BacktestResult,
    BacktestRow,
    backtest,
    backtest_publish,
    default_period,
    history_rows_from_database,
    programs_from_database,
)


def _share(value: float | None) -> str:
    return "-" if value is None else f"{value:.1%}"


def _days(value: float | None) -> str:
    return "-" if value is None else f"{value:+.0f}" if round(value) else "0"


def _abs_days(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f}"


COLUMNS = (
    ("Program", 40, "<"),
    ("Evaluated", 9, ">"),
    ("No estimate", 11, ">"),
    ("Within p80", 10, ">"),
    ("Within p50-p90", 14, ">"),
    ("Median |error| (days)", 21, ">"),
    ("Median bias (days)", 18, ">"),
    ("", 6, "<"),
)


def _line(values) -> str:
    cells = (f"{value:{align}{width}}" for value, (_title, width, align) in zip(values, COLUMNS, strict=True))
    return "  ".join(cells).rstrip()


def _cells(row: BacktestRow, *, judge: bool = False) -> tuple:
    verdict = ""
    if judge and row.judged:
        verdict = "ok" if row.holds else "MISSED"
    return (
        row.name[:40],
        row.evaluated,
        row.no_estimate,
        _share(row.share_within_p80),
        _share(row.share_within_band),
        _abs_days(row.median_abs_error_days),
        _days(row.median_bias_days),
        verdict,
    )


def report_lines(result: BacktestResult) -> list[str]:
    """The tables and the summary, as `backtest_estimates` and `backtest_scenarios` print them."""
    rule = _line("-" * width for _title, width, _align in COLUMNS)
    overall = result.overall
    worst = result.worst_month
    lines = [
        f"Method: {result.method}. Files submitted from {result.start} to {result.end}; figures recomputed every "
        f"{result.step_days} days.",
        "",
        _line(title for title, _width, _align in COLUMNS),
        rule,
        *(_line(_cells(row)) for row in result.programs),
        rule,
        _line(_cells(overall)),
        "",
        f"By month of submission (judged with {MONTH_MINIMUM} or more files: {COVERAGE_AIM[0]:.0%} to "
        f"{COVERAGE_AIM[1]:.0%} within p80 and median bias within {BIAS_AIM_DAYS} days):",
        _line(("Month", *(title for title, _width, _align in COLUMNS[1:]))),
        *(_line(_cells(row, judge=True)) for row in result.months),
        "",
        f"Overall: {_share(overall.share_within_p80)} within the 80th percentile (aim about 80%), "
        f"{_share(overall.share_within_band)} within the 50th-90th window (aim about 40%), median error "
        f"{_abs_days(overall.median_abs_error_days)} days (aim at most 20), bias {_days(overall.median_bias_days)}.",
        f"Months within the aims: {result.months_holding} of {len(result.judged_months)}"
        + (f"; worst {worst.code} at {_share(worst.share_within_p80)} within p80." if worst else "."),
        f"Left out: {result.no_estimate} decided files without an estimate, {result.still_open} still open, "
        "withdrawals.",
    ]
    if overall.widened:
        lines.append(
            f"Widened for lack of calibration data: {overall.widened} files, "
            f"{overall.widened_within_p80 / overall.widened:.1%} of them within their (widened) 80th percentile; "
            + ", ".join(f"{row.name} {row.widened}" for row in result.programs if row.widened)
            + "."
        )
    return lines


class Command(BaseCommand):
    help = (
        "Replay the estimates shown to past applicants, as they stood the day each applied, against their "
        "decisions: share within the 80th percentile, within the 50th-90th window, median error and bias, per "
        "program and per month of submission."
    )

    def add_arguments(self, parser):
        parser.add_argument("--start", help="First submission date (YYYY-MM-DD). Default: 18 months before --end.")
        parser.add_argument("--end", help="Last submission date (YYYY-MM-DD). Default: 6 months ago.")
        parser.add_argument("--step-days", type=int, default=7, help="Recompute the figures every this many days.")
        parser.add_argument(
            "--method",
            choices=METHODS,
            default="queue",
            help="queue: the status page's estimate (default); percentile: the published backward percentiles.",
        )
        parser.add_argument(
            "--publish", action="store_true", help="Also store the default replay for the methodology page."
        )
        parser.add_argument(
            "--check", action="store_true", help="Exit with an error unless every judged month is within the aims."
        )

    def handle(self, *args, start=None, end=None, step_days=7, method="queue", publish=False, check=False, **options):
        today = timezone.localdate()
        try:
            end_day = datetime.date.fromisoformat(end) if end else default_period(today)[1]
            start_day = datetime.date.fromisoformat(start) if start else add_months(end_day, months=-18)
        except ValueError as error:
            raise CommandError(f"Dates look like 2026-05-22: {error}") from error
        if start_day > end_day:
            raise CommandError("--start must not be after --end.")
        if step_days < 1:
            raise CommandError("--step-days must be at least 1.")

        started = time.perf_counter()
        result = backtest(
            rows=history_rows_from_database(),
            programs=programs_from_database(),
            start=start_day,
            end=end_day,
            step_days=step_days,
            method=method,
        )
        elapsed = time.perf_counter() - started
        if not result.evaluated:
            self.stdout.write(
                f"Nothing to evaluate: no file submitted from {start_day} to {end_day} was approved or refused with "
                f"an estimate ({result.no_estimate} without one, {result.still_open} still open)."
            )
        else:
            for line in report_lines(result):
                self.stdout.write(line)
        self.stdout.write(f"({elapsed:.1f} s)")
        if publish:
            report = backtest_publish(as_of=today)
            self.stdout.write(f"Published the replay of {report.evaluated} files for the methodology page.")
        if check and result.judged_months and result.months_holding < len(result.judged_months):
            raise CommandError(
                f"{len(result.judged_months) - result.months_holding} of {len(result.judged_months)} judged months "
                "are outside the aims."
            )
