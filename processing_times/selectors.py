"""Reads for the public processing-times page and API: the latest published figures and the 12-month trend.

Every function costs a fixed number of queries, whatever the number of programs,
countries or snapshot days.
"""

import datetime
import math
from dataclasses import dataclass, field
from functools import reduce
from operator import or_

from django.db.models import Max, Q
from django.db.models.functions import TruncMonth

from applications.models import Program
from core.dates import DAYS_PER_MONTH, month_starts
from core.text import fold
from processing_times.figures import ALL_COUNTRIES, MINIMUM_SAMPLE
from processing_times.models import ProcessingTimeSnapshot

TREND_MONTHS = 12


@dataclass(frozen=True)
class PublishedFigures:
    """One snapshot as the public sees it: whole days, and nothing when the sample is too small."""

    snapshot: ProcessingTimeSnapshot

    @property
    def enough_data(self) -> bool:
        return self.snapshot.sample_size >= MINIMUM_SAMPLE and self.snapshot.p80_days is not None

    def _days(self, value: float | None) -> int | None:
        # Rounded up: "decided within 31.2 days" is only true of 32 whole days.
        if not self.enough_data or value is None:
            return None
        return math.ceil(value)

    @property
    def p50_days(self) -> int | None:
        return self._days(self.snapshot.p50_days)

    @property
    def p80_days(self) -> int | None:
        return self._days(self.snapshot.p80_days)

    @property
    def p90_days(self) -> int | None:
        return self._days(self.snapshot.p90_days)

    @property
    def projection_days(self) -> int | None:
        days = self.snapshot.projection_days
        return None if days is None else math.ceil(days)

    @property
    def projection_months(self) -> int | None:
        """Months to clear the queue at the recent pace, to the nearest month (0 means under half a month)."""
        days = self.snapshot.projection_days
        return None if days is None else round(days / DAYS_PER_MONTH)

    @property
    def monthly_output(self) -> float:
        return round(self.snapshot.monthly_output, 1)

    @property
    def monthly_output_whole(self) -> int:
        """Decisions a month in words: "about 3"; never "about 0" when there were some."""
        output = self.snapshot.monthly_output
        return max(1, round(output)) if output > 0 else 0


@dataclass
class ProgramFigures:
    """A program's latest run: overall figures and, where published, one per country of residence."""

    program: Program
    overall: PublishedFigures | None = None
    countries: dict[str, PublishedFigures] = field(default_factory=dict)


@dataclass(frozen=True)
class TrendPoint:
    month: datetime.date  # the first day of the month
    figures: PublishedFigures | None  # the last snapshot computed that month, if any

    @property
    def has_snapshot(self) -> bool:
        return self.figures is not None

    @property
    def enough_data(self) -> bool:
        return self.figures is not None and self.figures.enough_data

    @property
    def p50_days(self) -> int | None:
        return self.figures.p50_days if self.figures else None

    @property
    def p80_days(self) -> int | None:
        return self.figures.p80_days if self.figures else None

    @property
    def sample_size(self) -> int | None:
        return self.figures.snapshot.sample_size if self.figures else None


def alphabetical_key(text: str) -> str:
    """Sort "Écosse" with the E's, as a French reader expects, not after Z."""
    return fold(text)


def programs_for_public() -> list[Program]:
    """Every program, in the alphabetical order of the active language (one query)."""
    return sorted(Program.objects.all(), key=lambda program: alphabetical_key(program.name))


def program_figures_latest(*, programs: list[Program], overall_only: bool = False) -> dict[int, ProgramFigures]:
    """Each program's most recent run of snapshots, keyed by program id (two queries).

    A country is published when it has a row in its program's latest run; the
    nightly job writes every country of a program on the same day.
    """
    result = {program.pk: ProgramFigures(program=program) for program in programs}
    if not result:
        return result
    snapshots = ProcessingTimeSnapshot.objects.filter(program_id__in=result.keys())
    if overall_only:
        snapshots = snapshots.filter(country=ALL_COUNTRIES)
    latest_days = snapshots.order_by().values("program_id").annotate(latest=Max("computed_on"))
    conditions = [Q(program_id=row["program_id"], computed_on=row["latest"]) for row in latest_days]
    if not conditions:
        return result
    for snapshot in snapshots.filter(reduce(or_, conditions)).order_by("program_id", "country"):
        figures = result[snapshot.program_id]
        if snapshot.country == ALL_COUNTRIES:
            figures.overall = PublishedFigures(snapshot=snapshot)
        elif figures.program.times_by_country:
            figures.countries[str(snapshot.country)] = PublishedFigures(snapshot=snapshot)
    return result


def program_trend(*, program: Program, country: str = ALL_COUNTRIES, today: datetime.date) -> list[TrendPoint]:
    """The last snapshot of each of the last 12 months (this one included), oldest first (one query).

    Months without a snapshot come back with `figures=None`, so that they show as gaps.
    """
    months = month_starts(through=today, count=TREND_MONTHS)
    in_range = ProcessingTimeSnapshot.objects.filter(
        program=program, country=country, computed_on__gte=months[0], computed_on__lte=today
    )
    last_of_month = (
        in_range.order_by().annotate(month=TruncMonth("computed_on")).values("month").annotate(last=Max("computed_on"))
    )
    by_month = {
        snapshot.computed_on.replace(day=1): snapshot
        for snapshot in in_range.filter(computed_on__in=last_of_month.values("last")).order_by()
    }
    return [
        TrendPoint(month=month, figures=PublishedFigures(snapshot=by_month[month]) if month in by_month else None)
        for month in months
    ]
