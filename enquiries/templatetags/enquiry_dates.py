"""Dates inside translated sentences, still marked up as <time datetime> for assistive technology."""

import datetime

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString

from core.templatetags.machine_dates import date as date_shown
from core.templatetags.machine_dates import iso8601

register = template.Library()


@register.filter
def time_tag(value: datetime.date | datetime.datetime | None) -> SafeString | str:
    """`<time datetime="2027-01-12">January 12, 2027</time>` in the active language; empty for None."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value).date()
    return format_html('<time datetime="{}">{}</time>', iso8601(value), date_shown(value, "DATE_FORMAT"))
