"""How good were the published estimates? Replay them against the decisions that followed.

For every application approved or refused among those submitted between `start` and `end`, take the figures
the portal would have shown on the day it was submitted and compare them with how long it really took:

- the 80th percentile is our "normal processing time": about 80% of files should be decided within it;
- the 50th to 90th percentile window is the range we show; about 40% should land inside it;
- the median is the point estimate: how many days off was it, and in which direction?

The figures are computed once per step (a week by default) as of its first day and shared by every file
submitted that week, the way a nightly snapshot is shared by everyone who looks that day. Files are
compared with their country's figures where the program publishes them and they rest on enough decisions,
otherwise with the program's; files for which no figure rested on enough decisions are counted apart.
Withdrawn files are left out, as they are from the figures. Files still open are left out too and counted:
when many are, the evaluation favours the files that were decided quickly.
"""

import datetime
import math
import statistics
from collections import defaultdict
from dataclasses import dataclass, field

from applications.models import Application, Program
from core.dates import DAYS_PER_MONTH
from processing_times.figures import ALL_COUNTRIES, MINIMUM_SAMPLE, Figures, processing_figures

DECIDED = (Application.Outcome.APPROVED, Application.Outcome.REFUSED)


@dataclass
class BacktestRow:
    """The tally for one program, or for all of them (`code` empty)."""

    code: str
    name: str
    evaluated: int = 0
    no_estimate: int = 0  # decided, but no figure rested on enough decisions when it was submitted
    within_p80: int = 0
    within_band: int = 0
    errors: list[float] = field(default_factory=list, repr=False)  # actual days minus the 50th percentile
    projection_errors: list[float] = field(default_factory=list, repr=False)  # actual days minus the projection

    @property
    def share_within_p80(self) -> float | None:
        """Share decided within the 80th percentile (rounded up to a whole day, as the status page does)."""
        return self.within_p80 / self.evaluated if self.evaluated else None

    @property
    def share_within_band(self) -> float | None:
        """Share decided within the window shown, from the 50th to the 90th percentile."""
        return self.within_band / self.evaluated if self.evaluated else None

    @property
    def median_abs_error_days(self) -> float | None:
        """Median distance, in days, between the 50th percentile and what happened."""
        return statistics.median(abs(error) for error in self.errors) if self.errors else None

    @property
    def median_bias_days(self) -> float | None:
        """Median of actual minus 50th percentile: positive when files took longer than announced."""
        return statistics.median(self.errors) if self.errors else None

    @property
    def projection_evaluated(self) -> int:
        return len(self.projection_errors)

    @property
    def projection_median_abs_error_days(self) -> float | None:
        """Median distance between the forward projection (queue / monthly output) and what happened."""
        if not self.projection_errors:
            return None
        return statistics.median(abs(error) for error in self.projection_errors)

    def add(self, *, days: int, figures: Figures, projection: float | None) -> None:
        p50, p80, p90 = figures.percentiles
        self.evaluated += 1
        self.within_p80 += days <= math.ceil(p80)
        self.within_band += math.floor(p50) <= days <= math.ceil(p90)
        self.errors.append(days - p50)
        if projection is not None:
            self.projection_errors.append(days - projection)


@dataclass
class BacktestResult:
    start: datetime.date
    end: datetime.date
    step_days: int
    computations: int  # how many times the figures were computed
    still_open: int  # submitted in the period and not decided yet: left out
    overall: BacktestRow
    programs: list[BacktestRow]
    months: list[BacktestRow]  # by month of submission ("2025-06"), to see estimates drift when pace changes

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


def _usable(figures: Figures | None) -> bool:
    return figures is not None and figures.sample_size >= MINIMUM_SAMPLE and figures.percentiles is not None


def _projection(figures: Figures | None) -> float | None:
    """Days to clear the queue at the recent pace: what a file joining the back of the queue was told."""
    if figures is None or figures.monthly_output <= 0:
        return None
    return figures.waiting_count / figures.monthly_output * DAYS_PER_MONTH


def backtest(*, start: datetime.date, end: datetime.date, step_days: int = 7) -> BacktestResult:
    """Compare the estimates shown to files submitted from `start` to `end` (inclusive) with their decisions."""
    if step_days < 1:
        raise ValueError("step_days must be at least 1")
    if end < start:
        raise ValueError("end must not be before start")
    programs = {program.pk: program for program in Program.objects.all()}
    rows = {pk: BacktestRow(code=program.code, name=program.name_en) for pk, program in programs.items()}
    overall = BacktestRow(code="", name="All programs")
    months: dict[str, BacktestRow] = {}

    submitted = Application.objects.filter(submitted_on__gte=start, submitted_on__lte=end)
    by_step: dict[int, list[tuple[int, str, int, str]]] = defaultdict(list)
    for program_id, country, submitted_on, decided_on in (
        submitted.filter(outcome__in=DECIDED, decided_on__isnull=False)
        .values_list("program_id", "client__country_of_residence", "submitted_on", "decided_on")
        .iterator(chunk_size=5000)
    ):
        step = (submitted_on - start).days // step_days
        month = f"{submitted_on:%Y-%m}"
        by_step[step].append((program_id, str(country), (decided_on - submitted_on).days, month))
    still_open = submitted.filter(decided_on__isnull=True).count()

    for step in sorted(by_step):
        as_of = start + datetime.timedelta(days=step * step_days)
        figures = {(item.program_id, item.country): item for item in processing_figures(as_of=as_of)}
        for program_id, country, days, month in by_step[step]:
            month_row = months.setdefault(month, BacktestRow(code=month, name=month))
            program_figures = figures.get((program_id, ALL_COUNTRIES))
            chosen = program_figures
            if programs[program_id].times_by_country and _usable(figures.get((program_id, country))):
                chosen = figures[(program_id, country)]
            if not _usable(chosen):
                for row in (rows[program_id], overall, month_row):
                    row.no_estimate += 1
                continue
            projection = _projection(program_figures)
            for row in (rows[program_id], overall, month_row):
                row.add(days=days, figures=chosen, projection=projection)

    return BacktestResult(
        start=start,
        end=end,
        step_days=step_days,
        computations=len(by_step),
        still_open=still_open,
        overall=overall,
        programs=sorted(
            (row for row in rows.values() if row.evaluated or row.no_estimate),
            key=lambda row: row.name,
        ),
        months=[months[month] for month in sorted(months)],
    )
