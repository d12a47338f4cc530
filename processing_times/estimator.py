"""The queue-aware estimate of a decision date, calibrated on how wrong the same estimate was for recent files.

Plain data in, plain data out: the nightly job feeds it counts read from the database, the backtest feeds it
the same counts as they stood on each past day, and the tests feed it hand-made histories.

The estimate for a file has two parts:

1. **The queue.** Offices decide files roughly in the order they arrive. A file waits for the files ahead of
   it (sent earlier, not yet decided or withdrawn) to be cleared at the current pace (files leaving the
   queue per day over the last two weeks): `ahead / pace` days. That part follows a backlog as it grows or
   clears, which a percentile of past decisions cannot.
2. **The calibration.** The queue part is wrong in known ways: some files need more work than others, and
   the pace changes after a file is sent. So for the files of the same queue sent in the past year we look
   at what the queue part said on the day each was sent and how long it really took: its error, as a ratio
   (`ratio_error`), so that a long line's errors scale with it. Files still waiting only tell us that
   their error is at least what their age so far gives; the
   Kaplan-Meier (product-limit) estimate takes them into account, so that the fast files decided first do
   not make the estimate look better than it is. Files sent in the same weeks of an earlier year count ten
   times, because seasons repeat and move the pace the same way. The queue part is then scaled by the
   50th, 80th and 90th percentiles: the likely date, "8 in 10 by", and the end of the window. This is
   split-conformal calibration: every error comes from files sent and decided before the day of the
   estimate, never from the future.

In a slow queue most files of the past year are still waiting, and the 90th percentile is out of reach: the
files of the past two years, then four, are used instead. With fewer than `MINIMUM_CALIBRATION` decided
files, or the percentiles still out of reach, the factors are taken further out (the 90th percentile for the
80th, the largest error seen for the 90th) and the estimate says that it is widened; with fewer than
`MINIMUM_ERRORS`, or no median, there is no estimate.
"""

import bisect
import datetime
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass

PACE_WINDOW_DAYS = 14
CALIBRATION_DAYS = 365
MINIMUM_CALIBRATION = 30
MINIMUM_ERRORS = 8
# Files sent within this many days of the same date of an earlier year count this many times (seasonal_weight).
SEASON_SPAN_DAYS = 45
SEASON_WEIGHT = 10


class QueueCounts:
    """How many files of one queue arrived and left on each day, summed up to any day in constant time."""

    def __init__(self, *, arrivals: dict[datetime.date, int], departures: dict[datetime.date, int]) -> None:
        days = [*arrivals, *departures]
        self.first = min(days) - datetime.timedelta(days=1) if days else datetime.date(2000, 1, 1)
        # Decisions are on record from this day: a pace over a window that starts earlier would count too few.
        self.decisions_since = min(departures) if departures else None
        last = max(days) if days else self.first
        size = (last - self.first).days + 1
        self._arrived = [0] * (size + 1)
        self._left = [0] * (size + 1)
        for index in range(size):
            day = self.first + datetime.timedelta(days=index)
            self._arrived[index + 1] = self._arrived[index] + arrivals.get(day, 0)
            self._left[index + 1] = self._left[index] + departures.get(day, 0)

    def _through(self, sums: list[int], day: datetime.date) -> int:
        index = (day - self.first).days + 1
        return sums[max(0, min(index, len(sums) - 1))]

    def ahead(self, day: datetime.date) -> int:
        """Files submitted before `day` and not decided or withdrawn by the end of it."""
        return max(0, self._through(self._arrived, day - datetime.timedelta(days=1)) - self._through(self._left, day))

    def pace(self, day: datetime.date) -> float:
        """Files leaving the queue per day over the `PACE_WINDOW_DAYS` days up to `day`.

        0 (no pace) until the records of decisions cover the whole window: a history that
        begins on some day would otherwise show a slow pace, and long waits, for two weeks.
        """
        start = day - datetime.timedelta(days=PACE_WINDOW_DAYS)
        if self.decisions_since is None or start < self.decisions_since - datetime.timedelta(days=1):
            return 0.0
        return (self._through(self._left, day) - self._through(self._left, start)) / PACE_WINDOW_DAYS

    def queue_days(self, day: datetime.date) -> float | None:
        """The queue part of the estimate for a file submitted on `day`, as known that day; None with no pace."""
        pace = self.pace(day)
        if pace <= 0:
            return None
        # ahead / pace, written as the SQL of the nightly job computes it, so that both round alike.
        decided_in_window = round(pace * PACE_WINDOW_DAYS)
        return self.ahead(day) * PACE_WINDOW_DAYS / decided_in_window


def ratio_error(days: float, queue_days: float) -> float:
    """How far off the queue part was, as a ratio: log((days + 1) / (queue part + 1)), in hundredths.

    A ratio, not a difference in days, so that what was learnt on short lines carries to long
    ones and back: a line twice as long is twice as uncertain. One day is added to both so that
    a line with nobody ahead still has a ratio. Rounded halves up to the hundredth, as
    FLOOR(x * 100 + 0.5) / 100 in the nightly job's SQL.
    """
    return math.floor(math.log((days + 1) / (queue_days + 1)) * 100 + 0.5) / 100


@dataclass(frozen=True)
class Calibration:
    """What the queue part is multiplied by for the median, the 80th and the 90th percentile.

    `factors` are the exponentials of the errors' percentiles (processing_times.estimator.ratio_error):
    days = (queue part + 1) x factor - 1.
    """

    factors: tuple[float, float, float]
    errors: int  # how many past errors they rest on
    widened: bool  # too few errors for the usual percentiles: taken further out


@dataclass(frozen=True)
class Filed:
    """Files of a queue sent on one day that left it on another (or are still in it): what calibration needs."""

    submitted_on: datetime.date
    left_on: datetime.date | None  # decided or withdrawn on; None while still waiting
    decided: bool  # left with a decision (approved or refused), not withdrawn
    count: int = 1


Error = tuple[float, bool, int, int]  # (days, known, files, weight of each)


def kaplan_meier_quantiles(values: list[Error], levels: tuple[float, ...]) -> tuple[list[float | None], int]:
    """Quantiles of errors some of which are only known to be at least a value (files still waiting).

    `values` holds (error, known, count, weight): `known` False means the file is still waiting
    and its error will be at least that; each file counts `weight` times. The product-limit
    (Kaplan-Meier) estimate gives each level's error, or None where the waiting files leave it
    out of reach. Also returns how many files' errors are known.
    """
    ordered = sorted(values, key=lambda item: (item[0], not item[1]))
    at_risk = sum(count * weight for _value, _known, count, weight in ordered)
    known = sum(count for _value, was_known, count, _weight in ordered if was_known)
    surviving = 1.0
    results: list[float | None] = [None] * len(levels)
    index = 0
    while index < len(ordered):
        value = ordered[index][0]
        events = censored = 0
        while index < len(ordered) and ordered[index][0] == value:
            _value, was_known, count, weight = ordered[index]
            if was_known:
                events += count * weight
            else:
                censored += count * weight
            index += 1
        if events and at_risk:
            surviving *= 1 - events / at_risk
            for position, level in enumerate(levels):
                if results[position] is None and 1 - surviving >= level - 1e-12:
                    results[position] = value
        at_risk -= events + censored
    return results, known


def seasonal_weight(age_days: int) -> int:
    """How much a file sent `age_days` before the estimate counts: more if sent in the same weeks of an earlier year.

    Seasons repeat (more people apply in summer, offices add staff for it), so what happened to
    the files sent at this time last year is the best guide to how the pace will move next.
    """
    if age_days < 365 - SEASON_SPAN_DAYS:
        return 1
    gap = age_days % 365
    return SEASON_WEIGHT if min(gap, 365 - gap) <= SEASON_SPAN_DAYS else 1


class QueueHistory:
    """One queue's counts and files, to estimate as of any day from what was known that day."""

    def __init__(self, *, counts: QueueCounts, files: Iterable[Filed]) -> None:
        self.counts = counts
        rows = sorted(files, key=lambda row: row.submitted_on)
        self._submitted_days = [row.submitted_on for row in rows]
        self._rows = rows
        self._queue_days: dict[datetime.date, float | None] = {}

    def _queue_days_on(self, day: datetime.date) -> float | None:
        if day not in self._queue_days:
            self._queue_days[day] = self.counts.queue_days(day)
        return self._queue_days[day]

    def errors_known_on(self, day: datetime.date, *, cohort_days: int = CALIBRATION_DAYS) -> list[Error]:
        """Errors of the files sent in the `cohort_days` before `day`, as known that day.

        A decided file's error is its days to decision minus the queue part on the day it was
        sent. A file still waiting, or withdrawn, is known only to be later than its age that
        day: its error is at least that much (known False).
        """
        start = bisect.bisect_right(self._submitted_days, day - datetime.timedelta(days=cohort_days))
        end = bisect.bisect_left(self._submitted_days, day)
        errors: list[Error] = []
        for row in self._rows[start:end]:
            queue_days = self._queue_days_on(row.submitted_on)
            if queue_days is None:
                continue
            weight = seasonal_weight((day - row.submitted_on).days)
            if row.left_on is not None and row.left_on <= day:
                error = ratio_error((row.left_on - row.submitted_on).days, queue_days)
                errors.append((error, row.decided, row.count, weight))
            else:
                errors.append((ratio_error((day - row.submitted_on).days, queue_days), False, row.count, weight))
        return errors

    def calibration_on(self, day: datetime.date) -> Calibration | None:
        return calibrate(lambda cohort_days: self.errors_known_on(day, cohort_days=cohort_days))


COHORTS_DAYS = (CALIBRATION_DAYS, 2 * CALIBRATION_DAYS, 4 * CALIBRATION_DAYS)


def calibrate(errors_in: Callable[[int], list[Error]]) -> Calibration | None:
    """The factors from the errors of the files sent in the last year, or further back for slow queues.

    `errors_in(days)` gives the errors of the files sent in the `days` before the estimate.
    Recent files are the best guide to the next ones, but in a slow queue most are still
    waiting: when they leave the 90th percentile out of reach, the files of the last two
    years, then four, are used. With too few decided files, or still out of reach, the range
    is widened and says so.
    """
    levels = (0.5, 0.8, 0.9)
    errors: list[Error] = []
    quantiles: list[float | None] = [None, None, None]
    known = 0
    for cohort_days in COHORTS_DAYS:
        errors = errors_in(cohort_days)
        quantiles, known = kaplan_meier_quantiles(errors, levels)
        if known >= MINIMUM_CALIBRATION and all(value is not None for value in quantiles):
            factors = tuple(math.exp(value) for value in quantiles)  # type: ignore[arg-type]
            return Calibration(factors=factors, errors=known, widened=False)  # type: ignore[arg-type]
    if known < MINIMUM_ERRORS or quantiles[0] is None:
        return None
    # Widened: the 90th percentile stands for the 80th, and the largest error seen for the 90th.
    largest = max(value for value, _known, _count, _weight in errors)
    p90 = quantiles[2] if quantiles[2] is not None else largest
    logs = (quantiles[0], p90, max(p90, largest))
    return Calibration(factors=tuple(math.exp(value) for value in logs), errors=known, widened=True)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Forecast:
    """A queue's figures on one day: what a status page needs, with the file's own count of files ahead."""

    pace_per_day: float
    calibration: Calibration

    def days_left(self, *, ahead: int) -> tuple[float, float, float]:
        """Days from today to the median, 80th and 90th percentile decision dates for a file with `ahead`."""
        return tuple(days_from(ahead / self.pace_per_day, factor) for factor in self.calibration.factors)  # type: ignore[return-value]


def days_from(queue_days: float, factor: float) -> float:
    """The queue part corrected by a calibration factor (see ratio_error), never below zero."""
    return max(0.0, (queue_days + 1) * factor - 1)


def forecast(history: QueueHistory, day: datetime.date) -> Forecast | None:
    """The queue's forecast on `day`, or None when it has no pace or too few errors to calibrate on."""
    pace = history.counts.pace(day)
    if pace <= 0:
        return None
    calibrated = history.calibration_on(day)
    if calibrated is None:
        return None
    return Forecast(pace_per_day=pace, calibration=calibrated)
