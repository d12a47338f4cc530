"""Crisis channels: which are on right now, which topics the form offers, where a message belongs.

A channel is on while it is switched on and `opens_at <= now < closes_at` (or it has no
closing date). Nothing here is cached beyond the request that asks, so switching a
channel on or off in admin takes effect on the next page.
"""

import datetime
import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import F, Q, QuerySet
from django.utils import timezone

from core.text import fold
from enquiries.models import CrisisChannel, Topic

# A ticket of a crisis channel comes before any other in the queue, whatever its topic's own priority.
CRISIS_PRIORITY = 1000


def crisis_channel_on_q(*, now: datetime.datetime, prefix: str = "") -> Q:
    """A filter on channels (reached through `prefix`, e.g. "crisis_channel__") that keeps those on at `now`."""
    return Q(**{f"{prefix}is_active": True, f"{prefix}opens_at__lte": now}) & (
        Q(**{f"{prefix}closes_at__isnull": True}) | Q(**{f"{prefix}closes_at__gt": now})
    )


def crisis_channels_on(*, now: datetime.datetime | None = None) -> list[CrisisChannel]:
    """The channels on at `now`, newest first, each with its topic when it has one (one query)."""
    now = now or timezone.now()
    return list(CrisisChannel.objects.filter(crisis_channel_on_q(now=now)).select_related("topic"))


def topics_offered(*, now: datetime.datetime | None = None) -> QuerySet[Topic]:
    """The topics the form offers: the active ones, a crisis topic only while its channel is on.

    Crisis topics come first (that is what the banner sends people to), then the list's own order.
    The parliamentary queue is offered only to its offices (enquiries.views.client adds it).
    """
    now = now or timezone.now()
    ordinary = Q(crisis_channel__isnull=True) & ~Q(kind__in=[Topic.Kind.CRISIS, Topic.Kind.PARLIAMENTARY])
    return (
        Topic.objects.filter(is_active=True)
        .filter(ordinary | crisis_channel_on_q(now=now, prefix="crisis_channel__"))
        .select_related("crisis_channel")
        .order_by(F("crisis_channel_id").asc(nulls_last=True), "position", "code")
    )


def _quotes(folded_text: str, keyword: str) -> bool:
    folded_keyword = fold(keyword)
    if not folded_keyword:
        return False
    # The keyword as a word or phrase of its own: "Sudan" is not found in "Sudanese".
    return re.search(rf"(?<!\w){re.escape(folded_keyword)}(?!\w)", folded_text) is not None


def crisis_channel_quoted(*, text: str, channels: Iterable[CrisisChannel]) -> CrisisChannel | None:
    """The first channel whose keyword, in either language, the text quotes (case and accents ignored)."""
    folded_text = fold(text)
    for channel in channels:
        if _quotes(folded_text, channel.keyword_en) or _quotes(folded_text, channel.keyword_fr):
            return channel
    return None


def crisis_topic_of(channel: CrisisChannel) -> Topic | None:
    """The channel's dedicated topic, when it has one and it is offered."""
    try:
        topic = channel.topic
    except Topic.DoesNotExist:
        return None
    return topic if topic.is_active else None


@dataclass(frozen=True)
class CrisisBanner:
    channel: CrisisChannel
    topic: Topic | None  # where its link sends people, when the channel has a topic on offer


def crisis_banners(*, now: datetime.datetime | None = None) -> list[CrisisBanner]:
    """The banners to show now, for the home page and the enquiry form (one query)."""
    return [CrisisBanner(channel=channel, topic=crisis_topic_of(channel)) for channel in crisis_channels_on(now=now)]
