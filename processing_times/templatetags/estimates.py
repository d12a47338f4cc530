"""Template filters for processing-time figures."""

import math

from django import template
from django.utils.translation import get_language

register = template.Library()


@register.filter
def whole_days(value: float | None) -> int | str:
    """Days rounded up, as everywhere we publish a processing time: 30.2 days reads as 31."""
    if value is None:
        return ""
    return math.ceil(value)


@register.filter
def per_week(per_day: float | None) -> int | str:
    """A daily pace as a whole number a week, at least 1 (a queue with no pace has no forecast)."""
    if per_day is None:
        return ""
    return max(1, round(per_day * 7))


@register.filter
def percent(share: float | None) -> str:
    """A share as a whole percentage, in the active language's style (83% or 83 %)."""
    if share is None:
        return ""
    number = round(share * 100)
    return f"{number}\u00a0%" if get_language() == "fr" else f"{number}%"
