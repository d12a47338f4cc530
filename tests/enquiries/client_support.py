"""Helpers for the client's enquiry tests: the form's addresses, its one-time key, sending it, crisis channels."""

import datetime
import re

from django.urls import reverse
from django.utils import timezone

from enquiries.models import CrisisChannel, Topic

KEY_PATTERN = re.compile(r'name="submission_key" value="([^"]+)"')


def compose_url(*, application=None, topic: str = "status", **extra) -> str:
    number = application.number if application is not None else "none"
    query = "&".join(f"{key}={value}" for key, value in {"application": number, "topic": topic, **extra}.items())
    return f"{reverse('enquiries:new')}?{query}"


def form_key(page: str) -> str:
    """The one-time key of the form on a page."""
    match = KEY_PATTERN.search(page)
    assert match, "the page has no form key"
    return match.group(1)


def send(client, *, application=None, topic: str = "status", message="Where is my file?", key=None, **fields):
    """Open the compose page (for its key unless given), then send the form; return the POST's answer."""
    if key is None:
        key = form_key(client.get(compose_url(application=application, topic=topic)).text)
    data = {
        "application": application.number if application is not None else "none",
        "topic": topic,
        "message": message,
        "language": "en",
        "submission_key": key,
        **fields,
    }
    return client.post(reverse("enquiries:new"), data)


def make_crisis_channel(
    *,
    keyword_en: str = "wildfire",
    keyword_fr: str = "feu de forêt",
    opens_at: datetime.datetime | None = None,
    closes_at: datetime.datetime | None = None,
    is_active: bool = True,
    with_topic: bool = True,
) -> CrisisChannel:
    now = timezone.now()
    channel = CrisisChannel.objects.create(
        name_en="Northern wildfires",
        name_fr="Feux de forêt du Nord",
        keyword_en=keyword_en,
        keyword_fr=keyword_fr,
        banner_en="If you were evacuated, tell us: we answer within 2 business days.",
        banner_fr="Si vous avez été évacué, dites-le-nous : nous répondons en 2 jours ouvrables.",
        is_active=is_active,
        opens_at=opens_at or now - datetime.timedelta(days=1),
        closes_at=closes_at,
    )
    if with_topic:
        Topic.objects.create(
            code="wildfires",
            kind=Topic.Kind.CRISIS,
            name_en="Northern wildfires",
            name_fr="Feux de forêt du Nord",
            service_standard_days=2,
            priority=5,
            position=99,
            crisis_channel=channel,
        )
    return channel
