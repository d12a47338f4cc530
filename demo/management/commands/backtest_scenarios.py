"""`manage.py backtest_scenarios`: replay both estimates on each demo history, held in memory (no database)."""

import time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from demo.history_plan import SCENARIOS, scenario_rows
from processing_times.backtest import METHODS, backtest, default_period, programs_from_reference
from processing_times.management.commands.backtest_estimates import report_lines


def _share(value: float | None) -> str:
    return "-" if value is None else f"{value:.1%}"


class Command(BaseCommand):
    help = (
        "Draw each demo history scenario in memory and replay the estimates on it, as backtest_estimates does on "
        "the database: a summary line per scenario and method, or the full tables with --details."
    )

    def add_arguments(self, parser):
        parser.add_argument("--scenario", action="append", choices=sorted(SCENARIOS), help="Default: every one.")
        parser.add_argument("--method", action="append", choices=METHODS, help="Default: both.")
        parser.add_argument("--details", action="store_true", help="Print the per-program and per-month tables.")
        parser.add_argument(
            "--check", action="store_true", help="Exit with an error unless the queue method holds in every month."
        )

    def handle(self, *args, scenario=None, method=None, details=False, check=False, **options):
        today = timezone.localdate()
        start, end = default_period(today)
        programs = programs_from_reference()
        missed = []
        self.stdout.write(
            f"Files submitted from {start} to {end}; months judged with 100 or more files "
            "(70-90% within p80, median bias within 10 days)."
        )
        header = f"{'scenario':15} {'method':10} {'files':>6} {'p80':>6} {'p50-p90':>8} {'|error|':>8} {'bias':>6}"
        self.stdout.write(f"{header} {'months ok':>10}  worst month")
        for name in scenario or sorted(SCENARIOS):
            started = time.perf_counter()
            rows = scenario_rows(name, today=today)
            for chosen in method or METHODS:
                result = backtest(rows=rows, programs=programs, start=start, end=end, method=chosen)
                if details:
                    self.stdout.write(f"\n== {name} ==")
                    for line in report_lines(result):
                        self.stdout.write(line)
                    continue
                overall, worst = result.overall, result.worst_month
                months = f"{result.months_holding}/{len(result.judged_months)}"
                self.stdout.write(
                    f"{name:15} {chosen:10} {result.evaluated:6} {_share(overall.share_within_p80):>6} "
                    f"{_share(overall.share_within_band):>8} {overall.median_abs_error_days or 0:8.1f} "
                    f"{overall.median_bias_days or 0:+6.1f} {months:>10}  "
                    + (f"{worst.code} {_share(worst.share_within_p80)}" if worst else "-")
                )
                if chosen == "queue" and result.months_holding < len(result.judged_months):
                    missed.append(name)
            self.stdout.write(f"({name}: {time.perf_counter() - started:.1f} s)")
        if check and missed:
            raise CommandError(f"Months outside the aims in: {', '.join(missed)}.")
