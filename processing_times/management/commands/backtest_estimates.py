"""`manage.py backtest_estimates`: how often were files decided within the processing times we published?"""

import datetime
import time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from core.dates import add_months
from processing_times.backtest import BacktestResult, BacktestRow, backtest
from processing_times.figures import MINIMUM_SAMPLE


def months_before(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` months earlier (the month's last day when it is shorter)."""
    return add_months(day, months=-months)


def _share(value: float | None) -> str:
    return "-" if value is None else f"{value:.1%}"


def _days(value: float | None) -> str:
    return "-" if value is None else f"{value:+.0f}" if value else "0"


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
)


def _line(values) -> str:
    return "  ".join(f"{value:{align}{width}}" for value, (_title, width, align) in zip(values, COLUMNS, strict=True))


def _cells(row: BacktestRow) -> tuple:
    return (
        row.name[:40],
        row.evaluated,
        row.no_estimate,
        _share(row.share_within_p80),
        _share(row.share_within_band),
        _abs_days(row.median_abs_error_days),
        _days(row.median_bias_days),
    )


def _tables(result: BacktestResult) -> list[str]:
    """One row per program, the total, then one row per month of submission, each block after a blank line."""
    rule = _line("-" * width for _title, width, _align in COLUMNS)
    return [
        "",
        _line(title for title, _width, _align in COLUMNS),
        rule,
        *(_line(_cells(row)) for row in result.programs),
        rule,
        _line(_cells(result.overall)),
        "",
        "By month of submission:",
        _line(("Month", *(title for title, _width, _align in COLUMNS[1:]))),
        *(_line(_cells(row)) for row in result.months),
        "",
    ]


class Command(BaseCommand):
    help = (
        "Replay the processing-time estimates shown to past applicants against their decisions: share decided "
        "within the 80th percentile, within the 50th-90th percentile window, and the median error."
    )

    def add_arguments(self, parser):
        parser.add_argument("--start", help="First submission date (YYYY-MM-DD). Default: 18 months before --end.")
        parser.add_argument(
            "--end", help="Last submission date (YYYY-MM-DD). Default: 6 months ago, so that most outcomes are known."
        )
        parser.add_argument("--step-days", type=int, default=7, help="Recompute the figures every this many days.")

    def handle(self, *args, start=None, end=None, step_days=7, **options):
        try:
            end_day = datetime.date.fromisoformat(end) if end else months_before(timezone.localdate(), 6)
            start_day = datetime.date.fromisoformat(start) if start else months_before(end_day, 18)
        except ValueError as error:
            raise CommandError(f"Dates look like 2026-05-22: {error}") from error
        if start_day > end_day:
            raise CommandError("--start must not be after --end.")
        if step_days < 1:
            raise CommandError("--step-days must be at least 1.")

        started = time.perf_counter()
        result = backtest(start=start_day, end=end_day, step_days=step_days)
        elapsed = time.perf_counter() - started
        write = self.stdout.write
        write(
            f"Estimates shown to applications submitted from {start_day} to {end_day}, against their decisions "
            f"(figures recomputed every {step_days} days: {result.computations} computations in {elapsed:.1f} s)."
        )
        if not result.evaluated:
            if result.no_estimate:
                reason = (
                    f"{result.no_estimate} were approved or refused, but no estimate resting on at least "
                    f"{MINIMUM_SAMPLE} recent decisions existed when they were submitted."
                )
            else:
                reason = "none was approved or refused yet."
            write(f"Nothing to evaluate: {reason}")
            if result.still_open:
                write(f"{result.still_open} applications submitted in that period are still open.")
            return

        for line in _tables(result):
            write(line)
        overall = result.overall
        write(
            f"Overall: {_share(overall.share_within_p80)} decided within the 80th percentile (aim: about 80%), "
            f"{_share(overall.share_within_band)} within the 50th-90th percentile window (aim: about 40%), "
            f"median error of the 50th percentile {_abs_days(overall.median_abs_error_days)} days "
            f"(bias {_days(overall.median_bias_days)} days; positive means files took longer than announced)."
        )
        if overall.projection_evaluated:
            write(
                f"Forward projection (applications waiting / decisions per month): median error "
                f"{_abs_days(overall.projection_median_abs_error_days)} days over {overall.projection_evaluated} "
                f"applications."
            )
        write(
            f"Left out: {result.no_estimate} decided applications without an estimate resting on at least "
            f"{MINIMUM_SAMPLE} decisions; {result.still_open} still open (the fastest files weigh more when "
            "many are still open); withdrawals."
        )
