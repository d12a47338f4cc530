"""Template filters for processing-time figures."""

import math

from django import template

register = template.Library()


@register.filter
def whole_days(value: float | None) -> int | str:
    """Days rounded up, as everywhere we publish a processing time: 30.2 days reads as 31."""
    if value is None:
        return ""
    return math.ceil(value)
