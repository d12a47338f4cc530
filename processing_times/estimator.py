"""The queue-aware estimate of a decision date, calibrated on how wrong the same estimate was for recent files.

Plain data in, plain data out: the nightly job feeds it counts read from the database, the backtest feeds it
the same counts as they stood on each past day, and the tests feed it hand-made histories.

The estimate for a file has two parts:

1. **The queue.** Offices decide files roughly in the order they arrive. A file waits for the files ahead of
   it (submitted earlier, not yet decided) to be cleared at the current pace (files leaving the queue per
   day over the last six weeks): `ahead / pace` days. That part follows a backlog as it grows or clears.
2. **The calibration.** The queue part is wrong in known ways: some files need more work than others, and
   the pace changes. So for every file of the same queue decided in the last year we look at what the
   queue part said on the day it was submitted and how long it really took. The differences (in days),
   sorted, give the three offsets added to the queue part: the median for the likely date, the 80th
   percentile for "8 in 10 by", the 90th for the end of the window. This is split-conformal calibration:
   the errors come only from files decided before the day of the estimate, never from the future.

With fewer than `MINIMUM_CALIBRATION` past errors the offsets are taken further out (the 90th and the
largest error rather than the 80th and 90th) and the estimate says that it is widened; with fewer than
`MINIMUM_ERRORS` there is no estimate.
"""

import bisect
import datetime
import math
from collections.abc import Iterable
from dataclasses import dataclass

PACE_WINDOW_DAYS = 42
CALIBRATION_DAYS = 365
MINIMUM_CALIBRATION = 30
MINIMUM_ERRORS = 8

# A queue: a program's primary key (or code), and the country of residence where the program publishes times
# per country ("" otherwise).
QueueKey = tuple[object, str]


def quantile(sorted_values: list[float], fraction: float) -> float:
    """Linear interpolation between closest ranks (PostgreSQL's percentile_cont)."""
    if not sorted_values:
        raise ValueError("quantile of an empty sample")
    position = fraction * (len(sorted_values) - 1)
    lower = math.floor(position)
    upper = math.ceil(position)
    return sorted_values[lower] + (sorted_values[upper] - sorted_values[lower]) * (position - lower)


class QueueCounts:
    """How many files of one queue arrived and left on each day, summed up to any day in constant time."""

    def __init__(self, *, arrivals: dict[datetime.date, int], departures: dict[datetime.date, int]) -> None:
        days = [*arrivals, *departures]
        self.first = min(days) - datetime.timedelta(days=1) if days else datetime.date(2000, 1, 1)
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
        """Files leaving the queue per day over the `PACE_WINDOW_DAYS` days up to `day`."""
        start = day - datetime.timedelta(days=PACE_WINDOW_DAYS)
        return (self._through(self._left, day) - self._through(self._left, start)) / PACE_WINDOW_DAYS

    def queue_days(self, day: datetime.date) -> float | None:
        """The queue part of the estimate for a file submitted on `day`, as known that day; None with no pace."""
        pace = self.pace(day)
        if pace <= 0:
            return None
        return self.ahead(day) / pace


@dataclass(frozen=True)
class Calibration:
    """Days added to the queue part for the median, the 80th and the 90th percentile."""

    offsets: tuple[float, float, float]
    errors: int  # how many past errors they rest on
    widened: bool  # too few errors for the usual percentiles: taken further out


def calibration(errors: list[float]) -> Calibration | None:
    """The offsets from past errors (actual days minus the queue part), sorted or not."""
    if len(errors) < MINIMUM_ERRORS:
        return None
    ordered = sorted(errors)
    if len(ordered) >= MINIMUM_CALIBRATION:
        offsets = (quantile(ordered, 0.5), quantile(ordered, 0.8), quantile(ordered, 0.9))
        return Calibration(offsets=offsets, errors=len(ordered), widened=False)
    offsets = (quantile(ordered, 0.5), quantile(ordered, 0.9), ordered[-1])
    return Calibration(offsets=offsets, errors=len(ordered), widened=True)


@dataclass(frozen=True)
class Decided:
    """One file of a queue that left it with a decision: what calibration needs."""

    submitted_on: datetime.date
    decided_on: datetime.date
    count: int = 1  # files with these same two dates


class QueueHistory:
    """One queue's counts and decided files, to estimate as of any day from what was known that day."""

    def __init__(self, *, counts: QueueCounts, decided: Iterable[Decided]) -> None:
        self.counts = counts
        rows = sorted(decided, key=lambda row: row.decided_on)
        self._decided_days = [row.decided_on for row in rows]
        self._counts = [row.count for row in rows]
        # Each decided file's error, from the queue part on the day it was submitted (None: no pace then).
        queue_days_on: dict[datetime.date, float | None] = {}
        self._errors: list[float | None] = []
        for row in rows:
            if row.submitted_on not in queue_days_on:
                queue_days_on[row.submitted_on] = counts.queue_days(row.submitted_on)
            queue_days = queue_days_on[row.submitted_on]
            self._errors.append(None if queue_days is None else (row.decided_on - row.submitted_on).days - queue_days)

    def errors_known_on(self, day: datetime.date) -> list[float]:
        """Errors of the files decided in the `CALIBRATION_DAYS` up to `day`: all of them known on that day."""
        start = bisect.bisect_right(self._decided_days, day - datetime.timedelta(days=CALIBRATION_DAYS))
        end = bisect.bisect_right(self._decided_days, day)
        errors: list[float] = []
        for error, count in zip(self._errors[start:end], self._counts[start:end], strict=True):
            if error is not None:
                errors.extend([error] * count)
        return errors

    def calibration_on(self, day: datetime.date) -> Calibration | None:
        return calibration(self.errors_known_on(day))


@dataclass(frozen=True)
class Forecast:
    """A queue's figures on one day: what a status page needs, with the file's own count of files ahead."""

    pace_per_day: float
    calibration: Calibration

    def days_left(self, *, ahead: int) -> tuple[float, float, float]:
        """Days from today to the median, 80th and 90th percentile decision dates for a file with `ahead`."""
        queue_days = ahead / self.pace_per_day
        return tuple(max(0.0, queue_days + offset) for offset in self.calibration.offsets)  # type: ignore[return-value]


def forecast(history: QueueHistory, day: datetime.date) -> Forecast | None:
    """The queue's forecast on `day`, or None when it has no pace or too few errors to calibrate on."""
    pace = history.counts.pace(day)
    if pace <= 0:
        return None
    calibrated = history.calibration_on(day)
    if calibrated is None:
        return None
    return Forecast(pace_per_day=pace, calibration=calibrated)
