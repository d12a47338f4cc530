"""The service clock: business days in the office's time zone, stopped while the centre does not
hold the ticket (waiting on the client, answered, closed; see enquiries.services).

Day 0 is the office-local date the enquiry was queued; each following weekday that is
not a federal holiday (core.Holiday) counts one. A pause from one office date to a
later one adds the business days after the first up to and including the last, so
the due date moves by exactly the business days the client held the ticket. The
pure functions take the holidays as a set (the property test compares them with a
day-by-day reference); the others read the holidays they need in one query.
"""

import datetime
import zoneinfo
from collections.abc import Set

from django.conf import settings
from django.utils import timezone

from core.calendar import SATURDAY, SUNDAY
from core.models import Holiday

# Far more than any standard plus the longest closure: the span of holidays read for one computation.
HOLIDAY_HORIZON_DAYS = 400


def office_zone() -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(getattr(settings, "ENQUIRY_OFFICE_TIME_ZONE", settings.TIME_ZONE))


def office_date(moment: datetime.datetime) -> datetime.date:
    """The calendar date at the office when `moment` happened (aware datetimes only)."""
    return timezone.localtime(moment, office_zone()).date()


def is_business_day(day: datetime.date, holidays: Set[datetime.date]) -> bool:
    return day.weekday() not in (SATURDAY, SUNDAY) and day not in holidays


def business_days_between(start: datetime.date, end: datetime.date, holidays: Set[datetime.date]) -> int:
    """How many business days d with start < d <= end (0 when end is not after start)."""
    if end <= start:
        return 0
    # Whole weeks at once, then the few days left: constant work for the week part.
    days = (end - start).days
    weeks, rest = divmod(days, 7)
    count = weeks * 5
    day = start + datetime.timedelta(days=weeks * 7)
    for _ in range(rest):
        day += datetime.timedelta(days=1)
        if day.weekday() not in (SATURDAY, SUNDAY):
            count += 1
    count -= sum(1 for holiday in holidays if start < holiday <= end and holiday.weekday() not in (SATURDAY, SUNDAY))
    return count


def add_business_days(start: datetime.date, days: int, holidays: Set[datetime.date]) -> datetime.date:
    """The business day `days` business days after `start` (start itself when days is 0)."""
    if days < 0:
        raise ValueError("days must not be negative")
    day, counted = start, 0
    while counted < days:
        day += datetime.timedelta(days=1)
        if is_business_day(day, holidays):
            counted += 1
    return day


def due_date(
    *, started_on: datetime.date, standard_days: int, paused_days: int, holidays: Set[datetime.date]
) -> datetime.date:
    """The date by which the ticket must be answered: the standard plus the days it was paused."""
    return add_business_days(started_on, standard_days + paused_days, holidays)


def holidays_from(start: datetime.date, *, span_days: int = HOLIDAY_HORIZON_DAYS) -> frozenset[datetime.date]:
    """The holiday dates from `start` for `span_days` days, in one query."""
    end = start + datetime.timedelta(days=span_days)
    return frozenset(Holiday.objects.filter(date__gte=start, date__lte=end).values_list("date", flat=True))


def holidays_span(start: datetime.date, end: datetime.date) -> frozenset[datetime.date]:
    return frozenset(Holiday.objects.filter(date__gte=start, date__lte=end).values_list("date", flat=True))


def business_days_used(
    *,
    started_on: datetime.date,
    today: datetime.date,
    paused_days: int,
    paused_since: datetime.date | None,
    holidays: Set[datetime.date],
) -> int:
    """Business days of the standard used by `today`: elapsed days, less those spent waiting on the client."""
    used = business_days_between(started_on, today, holidays) - paused_days
    if paused_since is not None:
        used -= business_days_between(paused_since, today, holidays)
    return max(used, 0)
