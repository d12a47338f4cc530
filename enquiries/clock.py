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

# The business-day arithmetic is the project's one calendar (core.calendar); re-exported for the clock's callers.
from core.calendar import add_business_days_among as add_business_days
from core.calendar import business_days_between as business_days_between
from core.calendar import holiday_dates
from core.calendar import is_business_day as is_business_day

# Far more than any standard plus the longest closure: the span of holidays read for one computation.
HOLIDAY_HORIZON_DAYS = 400


def office_zone() -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(getattr(settings, "ENQUIRY_OFFICE_TIME_ZONE", settings.TIME_ZONE))


def office_date(moment: datetime.datetime) -> datetime.date:
    """The calendar date at the office when `moment` happened (aware datetimes only)."""
    return timezone.localtime(moment, office_zone()).date()


def due_date(
    *, started_on: datetime.date, standard_days: int, paused_days: int, holidays: Set[datetime.date]
) -> datetime.date:
    """The date by which the ticket must be answered: the standard plus the days it was paused."""
    return add_business_days(started_on, standard_days + paused_days, holidays)


def holidays_from(start: datetime.date, *, span_days: int = HOLIDAY_HORIZON_DAYS) -> frozenset[datetime.date]:
    """The holiday dates from `start` for `span_days` days, in one query."""
    return holiday_dates(start, start + datetime.timedelta(days=span_days))


def holidays_span(start: datetime.date, end: datetime.date) -> frozenset[datetime.date]:
    return holiday_dates(start, end)


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
