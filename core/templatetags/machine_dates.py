"""Dates in pages: for machines through one filter, for people in each language's style.

`<time datetime="{{ value|iso8601 }}">`: the one way pages write a date for machines.

HTML's valid date strings allow at most three fraction digits; Python's isoformat
writes six. Pages show people a date to the day, so machines get it to the second,
with the offset of the site's time zone; a date alone stays a date.

`date` replaces Django's filter of the same name in every template (this library is a
builtin loaded after Django's): the same formatting, plus the French ordinal for the first
of the month (« le 1er décembre 2026 »).
"""

import datetime

from django import template
from django.template import defaultfilters
from django.utils import timezone, translation

from core.dates import french_first_of_month

register = template.Library()


@register.filter(expects_localtime=True)
def iso8601(value: datetime.date | datetime.datetime | None) -> str:
    """ISO 8601 to the second with the offset for a date and time; YYYY-MM-DD for a date; "" for nothing."""
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.replace(microsecond=0).isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return ""


@register.filter(expects_localtime=True, is_safe=False)
def date(value, arg=None):  # noqa: A001 - replaces Django's `date` filter on purpose
    """Django's `date` filter; in French, the first of the month is « 1er »."""
    text = defaultfilters.date(value, arg)
    if text and (translation.get_language() or "").startswith("fr"):
        return french_first_of_month(text)
    return text
