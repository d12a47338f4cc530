"""The one way pages write a date for machines: `<time datetime="{{ value|iso8601 }}">`.

HTML's valid date strings allow at most three fraction digits; Python's isoformat
writes six. Pages show people a date to the day, so machines get it to the second,
with the offset of the site's time zone; a date alone stays a date.
"""

import datetime

from django import template
from django.utils import timezone

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
