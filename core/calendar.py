"""Business days: weekends and federal holidays (the Holiday table, editable in admin).

Used for legal deadlines (judicial review) and by the enquiry service clock (enquiries/clock.py).
Each function reads the holidays it needs in one query.
"""

import datetime
import enum
from collections.abc import Set
from dataclasses import dataclass

from core.models import Holiday

SATURDAY, SUNDAY = 5, 6
# Far beyond the longest run of weekend and holidays (Christmas to New Year): how far ahead to read holidays.
LONGEST_CLOSURE_DAYS = 31

# The holidays package's French names that are not the Government of Canada's usage.
HOLIDAY_NAMES_FR = {"Fête de la Reine": "Fête de Victoria", "Boxing Day": "Lendemain de Noël"}


class SkipReason(enum.StrEnum):
    SATURDAY = "saturday"
    SUNDAY = "sunday"
    HOLIDAY = "holiday"


@dataclass(frozen=True)
class SkippedDay:
    """A day that is not a business day, and why."""

    date: datetime.date
    reason: SkipReason
    holiday: Holiday | None = None


def _holidays_between(start: datetime.date, end: datetime.date) -> dict[datetime.date, Holiday]:
    return {holiday.date: holiday for holiday in Holiday.objects.filter(date__gte=start, date__lte=end)}


def holiday_dates(start: datetime.date, end: datetime.date) -> frozenset[datetime.date]:
    """The dates of the holidays from `start` to `end`, in one query (for the pure functions below)."""
    return frozenset(Holiday.objects.filter(date__gte=start, date__lte=end).values_list("date", flat=True))


def _why_closed(day: datetime.date, holidays: dict[datetime.date, Holiday]) -> SkippedDay | None:
    if day in holidays:
        return SkippedDay(date=day, reason=SkipReason.HOLIDAY, holiday=holidays[day])
    if day.weekday() == SATURDAY:
        return SkippedDay(date=day, reason=SkipReason.SATURDAY)
    if day.weekday() == SUNDAY:
        return SkippedDay(date=day, reason=SkipReason.SUNDAY)
    return None


def next_business_day(*, day: datetime.date) -> tuple[datetime.date, tuple[SkippedDay, ...]]:
    """`day` itself when it is a business day, else the first one after it; with the days passed over."""
    holidays = _holidays_between(day, day + datetime.timedelta(days=LONGEST_CLOSURE_DAYS))
    skipped: list[SkippedDay] = []
    while (closed := _why_closed(day, holidays)) is not None:
        skipped.append(closed)
        day += datetime.timedelta(days=1)
    return day, tuple(skipped)


# Pure arithmetic on a given set of holiday dates: the enquiry service clock and its property test use these.


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


def add_business_days_among(start: datetime.date, days: int, holidays: Set[datetime.date]) -> datetime.date:
    """The business day `days` business days after `start` (start itself when days is 0), `holidays` given."""
    if days < 0:
        raise ValueError("days must not be negative")
    day, counted = start, 0
    while counted < days:
        day += datetime.timedelta(days=1)
        if is_business_day(day, holidays):
            counted += 1
    return day


def add_business_days(*, start: datetime.date, days: int) -> datetime.date:
    """The business day that comes `days` business days after `start` (which need not be one)."""
    if days < 0:
        raise ValueError("days must not be negative")
    horizon = start + datetime.timedelta(days=days * 2 + LONGEST_CLOSURE_DAYS)
    return add_business_days_among(start, days, holiday_dates(start, horizon))


def holidays_load(*, holiday_model, years: range) -> int:
    """Add the federal government holidays of `years` (observed days included) that are missing.

    Takes the model as an argument so data migrations can pass their historical one.
    """
    import holidays  # only the loader needs it

    english = holidays.CA(categories=("government",), years=years, language="en_CA")
    french = holidays.CA(categories=("government",), years=years, language="fr")
    existing = set(holiday_model.objects.filter(date__in=list(english)).values_list("date", flat=True))
    rows = []
    for day, name_en in sorted(english.items()):
        if day in existing:
            continue
        name_fr = french.get(day, name_en)
        for package_name, usual_name in HOLIDAY_NAMES_FR.items():
            name_fr = name_fr.replace(package_name, usual_name)
        rows.append(holiday_model(date=day, name_en=name_en, name_fr=name_fr))
    holiday_model.objects.bulk_create(rows)
    return len(rows)
