"""How good were the estimates? Replay them, as they would have been made on each past day, against what happened.

For every file approved or refused among those submitted between `start` and `end`, take the estimate the
portal would have given on the day it was submitted, using only what was known that day, and compare it with
the days it really took:

- the 80th percentile is "8 in 10 are decided by this date": about 80 % should be decided within it;
- the window from the 50th to the 90th percentile should hold about 40 %;
- the median is the likely date: how many days off was it, and in which direction?

Two methods can be replayed: "queue" (processing_times.estimator: files ahead at the recent pace, calibrated on
past errors; what status pages show) and "percentile" (the backward-looking percentiles of recent decisions,
the published processing time). The figures are recomputed once per step (a week by default) as of its first
day and shared by the files submitted that week, as a nightly snapshot is shared by everyone who looks that
day. Withdrawn files are left out of the evaluation (they still leave the queue), and so are files still open:
when many are, the evaluation favours the files decided quickly, which the result counts.

The rows come from the database (`history_rows_from_database`) or from a demo scenario held in memory.
"""

import datetime
import math
import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import transaction

from applications.models import Application, Program
from applications.reference_data import PROGRAMS
from core.dates import add_months
from processing_times.estimator import Filed, QueueCounts, QueueHistory, forecast
from processing_times.figures import MINIMUM_SAMPLE, estimates_generation_bump, percentile_cont
from processing_times.models import BacktestReport

DECIDED = ("approved", "refused")
METHODS = ("queue", "percentile")
MONTH_MINIMUM = 100  # months with fewer evaluated files are shown but not judged
COVERAGE_AIM = (0.70, 0.90)
BIAS_AIM_DAYS = 10


@dataclass(frozen=True)
class ProgramRules:
    """What the percentile method needs to know of a program."""

    code: str
    name: str
    window_days: int
    times_by_country: bool


@dataclass(frozen=True)
class HistoryRow:
    program: str  # the program's code
    country: str  # country of residence
    submitted_on: datetime.date
    decided_on: datetime.date | None  # None: still open
    outcome: str  # "approved", "refused", "withdrawn" or "" while open


@dataclass
class BacktestRow:
    """The tally for one program, one month of submission, or all (`code` empty)."""

    code: str
    name: str
    evaluated: int = 0
    no_estimate: int = 0  # decided, but no estimate could be made the day it was submitted
    within_p80: int = 0
    within_band: int = 0
    widened: int = 0  # evaluated with a range widened for lack of calibration data
    widened_within_p80: int = 0
    errors: list[float] = field(default_factory=list, repr=False)  # actual days minus the likely (median) days

    @property
    def share_within_p80(self) -> float | None:
        """Share decided within the 80th percentile (rounded up to a whole day, as pages do)."""
        return self.within_p80 / self.evaluated if self.evaluated else None

    @property
    def share_within_band(self) -> float | None:
        """Share decided within the window shown, from the 50th to the 90th percentile."""
        return self.within_band / self.evaluated if self.evaluated else None

    @property
    def median_abs_error_days(self) -> float | None:
        return statistics.median(abs(error) for error in self.errors) if self.errors else None

    @property
    def median_bias_days(self) -> float | None:
        """Median of actual minus likely: positive when files took longer than announced."""
        return statistics.median(self.errors) if self.errors else None

    @property
    def judged(self) -> bool:
        return self.evaluated >= MONTH_MINIMUM

    @property
    def holds(self) -> bool:
        """Within the aims: 70-90 % within the 80th percentile, median bias within 10 days."""
        share, bias = self.share_within_p80, self.median_bias_days
        return (
            share is not None
            and bias is not None
            and COVERAGE_AIM[0] <= share <= COVERAGE_AIM[1]
            and abs(bias) <= BIAS_AIM_DAYS
        )

    def add(self, *, days: int, percentiles: tuple[float, float, float], widened: bool = False) -> None:
        p50, p80, p90 = percentiles
        self.evaluated += 1
        self.within_p80 += days <= math.ceil(p80)
        if widened:
            self.widened += 1
            self.widened_within_p80 += days <= math.ceil(p80)
        self.within_band += math.floor(p50) <= days <= math.ceil(p90)
        self.errors.append(days - p50)

    def as_dict(self) -> dict:
        return {
            "code": self.code,
            "name": self.name,
            "evaluated": self.evaluated,
            "no_estimate": self.no_estimate,
            "share_within_p80": self.share_within_p80,
            "share_within_band": self.share_within_band,
            "median_abs_error_days": self.median_abs_error_days,
            "median_bias_days": self.median_bias_days,
            "widened": self.widened,
        }


@dataclass
class BacktestResult:
    method: str
    start: datetime.date
    end: datetime.date
    step_days: int
    computations: int
    still_open: int  # submitted in the period and not decided by the last day of the data: left out
    overall: BacktestRow
    programs: list[BacktestRow]
    months: list[BacktestRow]  # by month of submission ("2025-06")

    @property
    def judged_months(self) -> list[BacktestRow]:
        return [row for row in self.months if row.judged]

    @property
    def worst_month(self) -> BacktestRow | None:
        """The judged month whose share within the 80th percentile is furthest from 80 %."""
        judged = self.judged_months
        return max(judged, key=lambda row: abs((row.share_within_p80 or 0) - 0.8)) if judged else None

    @property
    def months_holding(self) -> int:
        return sum(row.holds for row in self.judged_months)

    @property
    def evaluated(self) -> int:
        return self.overall.evaluated

    @property
    def no_estimate(self) -> int:
        return self.overall.no_estimate

    @property
    def share_within_p80(self) -> float | None:
        return self.overall.share_within_p80

    @property
    def share_within_band(self) -> float | None:
        return self.overall.share_within_band

    @property
    def median_abs_error_days(self) -> float | None:
        return self.overall.median_abs_error_days


def queue_key(row: HistoryRow, programs: dict[str, ProgramRules]) -> tuple[str, str]:
    return (row.program, row.country if programs[row.program].times_by_country else "")


def queue_histories(rows: list[HistoryRow], programs: dict[str, ProgramRules]) -> dict[tuple[str, str], QueueHistory]:
    """Every queue's arrivals and departures per day, and its files, from the rows."""
    arrivals: dict[tuple[str, str], dict[datetime.date, int]] = defaultdict(lambda: defaultdict(int))
    departures: dict[tuple[str, str], dict[datetime.date, int]] = defaultdict(lambda: defaultdict(int))
    filed: dict[tuple[str, str], dict[tuple, int]] = defaultdict(lambda: defaultdict(int))
    for row in rows:
        key = queue_key(row, programs)
        arrivals[key][row.submitted_on] += 1
        if row.decided_on is not None:
            departures[key][row.decided_on] += 1
        filed[key][(row.submitted_on, row.decided_on, row.outcome in DECIDED)] += 1
    return {
        key: QueueHistory(
            counts=QueueCounts(arrivals=arrivals[key], departures=departures[key]),
            files=[Filed(submitted, left, decided, count) for (submitted, left, decided), count in filed[key].items()],
        )
        for key in arrivals
    }


class _Percentiles:
    """The backward-looking percentiles as published on a day: durations of the decisions in the window."""

    def __init__(self, rows: list[HistoryRow], programs: dict[str, ProgramRules]) -> None:
        self.programs = programs
        self.decided: dict[tuple[str, str], list[tuple[datetime.date, int]]] = defaultdict(list)
        for row in rows:
            if row.outcome in DECIDED and row.decided_on is not None:
                days = (row.decided_on - row.submitted_on).days
                self.decided[(row.program, "")].append((row.decided_on, days))
                if programs[row.program].times_by_country:
                    self.decided[(row.program, row.country)].append((row.decided_on, days))
        for values in self.decided.values():
            values.sort()

    def on(self, key: tuple[str, str], day: datetime.date) -> tuple[float, float, float] | None:
        window = self.programs[key[0]].window_days
        start = day - datetime.timedelta(days=window)
        durations = sorted(float(days) for decided_on, days in self.decided.get(key, ()) if start < decided_on <= day)
        if len(durations) < MINIMUM_SAMPLE:
            return None
        return (percentile_cont(durations, 0.5), percentile_cont(durations, 0.8), percentile_cont(durations, 0.9))


def backtest(
    *,
    rows: Iterable[HistoryRow],
    programs: dict[str, ProgramRules],
    start: datetime.date,
    end: datetime.date,
    step_days: int = 7,
    method: str = "queue",
) -> BacktestResult:
    """Compare the estimates given to files submitted from `start` to `end` (inclusive) with their decisions."""
    if step_days < 1:
        raise ValueError("step_days must be at least 1")
    if end < start:
        raise ValueError("end must not be before start")
    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)}")
    rows = list(rows)
    histories = queue_histories(rows, programs) if method == "queue" else {}
    percentiles = _Percentiles(rows, programs) if method == "percentile" else None

    program_rows = {code: BacktestRow(code=code, name=rules.name) for code, rules in programs.items()}
    overall = BacktestRow(code="", name="All programs")
    months: dict[str, BacktestRow] = {}
    by_step: dict[int, list[HistoryRow]] = defaultdict(list)
    still_open = 0
    for row in rows:
        if not start <= row.submitted_on <= end:
            continue
        if row.decided_on is None:
            still_open += 1
        elif row.outcome in DECIDED:
            by_step[(row.submitted_on - start).days // step_days].append(row)

    for step in sorted(by_step):
        as_of = start + datetime.timedelta(days=step * step_days)
        figures: dict[tuple[str, str], object] = {}
        for row in by_step[step]:
            month = f"{row.submitted_on:%Y-%m}"
            tallies = (
                program_rows[row.program],
                overall,
                months.setdefault(month, BacktestRow(code=month, name=month)),
            )
            estimate = None
            widened = False
            if method == "queue":
                key = queue_key(row, programs)
                if key not in figures:
                    figures[key] = forecast(histories[key], as_of)
                queue_forecast = figures[key]
                if queue_forecast is not None:
                    ahead = histories[key].counts.ahead(row.submitted_on)
                    estimate = queue_forecast.days_left(ahead=ahead)  # type: ignore[attr-defined]
                    widened = queue_forecast.calibration.widened  # type: ignore[attr-defined]
            else:
                if percentiles is None:  # pragma: no cover - set above for this method
                    raise RuntimeError("percentile method without its figures")
                own = (row.program, row.country)
                if programs[row.program].times_by_country:
                    if own not in figures:
                        figures[own] = percentiles.on(own, as_of)
                    estimate = figures[own]  # type: ignore[assignment]
                if estimate is None:
                    key = (row.program, "")
                    if key not in figures:
                        figures[key] = percentiles.on(key, as_of)
                    estimate = figures[key]  # type: ignore[assignment]
            if estimate is None:
                for tally in tallies:
                    tally.no_estimate += 1
                continue
            days = (row.decided_on - row.submitted_on).days  # type: ignore[operator]
            for tally in tallies:
                tally.add(days=days, percentiles=estimate, widened=widened)

    return BacktestResult(
        method=method,
        start=start,
        end=end,
        step_days=step_days,
        computations=len(by_step),
        still_open=still_open,
        overall=overall,
        programs=sorted(
            (row for row in program_rows.values() if row.evaluated or row.no_estimate), key=lambda r: r.name
        ),
        months=[months[month] for month in sorted(months)],
    )


def programs_from_database() -> dict[str, ProgramRules]:
    return {
        program.code: ProgramRules(
            code=program.code,
            name=program.name_en,
            window_days=program.processing_window_days,
            times_by_country=program.times_by_country,
        )
        for program in Program.objects.all()
    }


def programs_from_reference() -> dict[str, ProgramRules]:
    """The programs as the reference data define them, for histories held in memory (no database)."""
    return {
        code: ProgramRules(
            code=code,
            name=str(data["name"][0]),  # type: ignore[index]
            window_days=int(data["processing_window_days"]),  # type: ignore[call-overload]
            times_by_country=bool(data["times_by_country"]),
        )
        for code, data in PROGRAMS.items()
    }


def history_rows_from_database() -> list[HistoryRow]:
    """Every application as a plain row."""
    rows = Application.objects.values_list(
        "program__code", "client__country_of_residence", "submitted_on", "decided_on", "outcome"
    ).iterator(chunk_size=10_000)
    return [
        HistoryRow(program=code, country=str(country), submitted_on=submitted, decided_on=decided, outcome=outcome)
        for code, country, submitted, decided, outcome in rows
    ]


def default_period(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """Files submitted from two years to six months before `today`: most have a decision by now."""
    end = add_months(today, months=-6)
    return add_months(end, months=-18), end


def backtest_publish(*, as_of: datetime.date) -> BacktestReport:
    """Replay the status-page estimate over the default period and keep the result for the methodology page."""
    start, end = default_period(as_of)
    result = backtest(
        rows=[row for row in history_rows_from_database() if row.submitted_on <= as_of],
        programs=programs_from_database(),
        start=start,
        end=end,
    )
    worst = result.worst_month
    report, _created = BacktestReport.objects.update_or_create(
        computed_on=as_of,
        defaults={
            "start": start,
            "end": end,
            "evaluated": result.evaluated,
            "share_within_p80": result.share_within_p80,
            "share_within_band": result.share_within_band,
            "median_abs_error_days": result.median_abs_error_days,
            "median_bias_days": result.overall.median_bias_days,
            "judged_months": len(result.judged_months),
            "months_holding": result.months_holding,
            "worst_month": worst.code if worst else "",
            "worst_month_share": worst.share_within_p80 if worst else None,
            "programs": [row.as_dict() for row in result.programs],
            "months": [row.as_dict() for row in result.months],
        },
    )
    BacktestReport.objects.filter(computed_on__lt=as_of).delete()
    # Status pages quote the program's accuracy inside their cached estimate: retire those copies.
    transaction.on_commit(estimates_generation_bump)
    return report
