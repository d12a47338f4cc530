"""Calendar-month arithmetic on dates, in one place, on dateutil's relativedelta.

A month later keeps the day of the month, or takes the last day of a shorter month.
"""

import datetime
import re

from dateutil.relativedelta import relativedelta
from django.utils import formats, translation

# The mean Gregorian month (30.4375 days). Only for rates and rough durations
# ("decisions a month", "about 4 months"); calendar dates use the functions below.
DAYS_PER_MONTH = 365.25 / 12


def add_months(day: datetime.date, *, months: int) -> datetime.date:
    """The same day `months` months later (earlier when negative), or the last day of a shorter month."""
    return day + relativedelta(months=months)


def add_years(day: datetime.date, *, years: int) -> datetime.date:
    """The same day `years` years later (earlier when negative); 29 February becomes the 28th in other years."""
    return day + relativedelta(years=years)


def first_of_month(day: datetime.date) -> datetime.date:
    return day + relativedelta(day=1)


def last_of_month(day: datetime.date) -> datetime.date:
    # relativedelta clamps day=31 to the month's own length.
    return day + relativedelta(day=31)


def month_starts(*, through: datetime.date, count: int) -> list[datetime.date]:
    """The first days of `count` consecutive months ending with `through`'s month, oldest first."""
    return [add_months(first_of_month(through), months=-back) for back in reversed(range(count))]


def month_ends_before(day: datetime.date, *, count: int) -> list[datetime.date]:
    """The last days of the `count` months before `day`'s month, newest first."""
    return [last_of_month(add_months(day, months=-back)) for back in range(1, count + 1)]


_FRENCH_FIRST = re.compile(
    r"(?<![\d])1 (janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|novembre|décembre)\b"
)


def french_first_of_month(text: str) -> str:
    """French writes the first day of a month as an ordinal: « le 1er décembre 2026 », not « le 1 décembre ».

    Applied to a date already formatted in French; any other text comes back unchanged.
    """
    return _FRENCH_FIRST.sub(r"1er \1", text)


def date_format(value, format: str | None = None, use_l10n: bool | None = None) -> str:  # noqa: A002 - Django's name
    """Django's formats.date_format, with the French ordinal for the first of the month."""
    text = formats.date_format(value, format, use_l10n)
    if (translation.get_language() or "").startswith("fr"):
        return french_first_of_month(text)
    return text
