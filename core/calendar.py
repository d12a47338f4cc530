"""Business days: weekends and federal holidays (the Holiday table, editable in admin).

Used for legal deadlines (judicial review) and, next, for the enquiry service clock.
Each function reads the holidays it needs in one query.
"""

import datetime
import enum
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


def add_business_days(*, start: datetime.date, days: int) -> datetime.date:
    """The business day that comes `days` business days after `start` (which need not be one)."""
    if days < 0:
        raise ValueError("days must not be negative")
    horizon = start + datetime.timedelta(days=days * 2 + LONGEST_CLOSURE_DAYS)
    holidays = _holidays_between(start, horizon)
    day, counted = start, 0
    while counted < days:
        day += datetime.timedelta(days=1)
        if _why_closed(day, holidays) is None:
            counted += 1
    return day


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
