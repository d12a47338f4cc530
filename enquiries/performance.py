"""The public service figures: per month and per topic, computed nightly into ServiceSnapshot rows.

Pages and the API only read the snapshots (`service_performance_latest`). A month is a
calendar month at the office (ENQUIRY_OFFICE_TIME_ZONE), and an enquiry belongs to the
month it was queued in; every figure of a row describes those same enquiries:

- received: queued that month (never-confirmed and spam ones left out);
- answered: of those, the ones that have had a first answer (so far);
- answered within the standard: first answer within the ticket's own standard, in business days;
- median and 90th percentile: of the business days to first answer, pauses left out;
- survey responses and satisfied (4 or 5 out of 5): the ratings those enquiries received.

Deflections (people who said the page answered their question) belong to the month they
happened in. Counts are aggregated in SQL, one query for tickets and one for deflections.
On PostgreSQL the percentiles come from `percentile_cont` in the same queries; SQLite (the
embedded default) has no ordered-set aggregates, so there, and only for the percentiles,
the answered tickets' days are read and interpolated in Python exactly as
`percentile_cont` does (processing_times.figures.percentile_cont).
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Aggregate, Count, DateField, F, FloatField, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone

from core.dates import add_months, first_of_month, month_starts
from enquiries import clock
from enquiries.models import Deflection, ServiceSnapshot, Ticket, TicketState, Topic
from processing_times.figures import percentile_cont

# The last 12 complete months and the current one.
MONTHS = 13
# Earlier days' snapshots are kept this long (to compare or go back after a bad run), then pruned.
KEEP_DAYS = 7
ALL_TOPICS = None


class PercentileCont(Aggregate):
    """PostgreSQL's percentile_cont(fraction) WITHIN GROUP (ORDER BY expression); NULLs are ignored."""

    function = "percentile_cont"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()

    def __init__(self, expression, *, fraction: float, **extra):
        # A number we write ourselves, never user input: safe to place in the SQL text.
        super().__init__(expression, fraction=repr(float(fraction)), **extra)


@dataclass
class _Group:
    received: int = 0
    answered: int = 0
    answered_within_standard: int = 0
    median: float | None = None
    p90: float | None = None
    deflected: int = 0
    survey_responses: int = 0
    satisfied: int = 0
    days: list[float] = field(default_factory=list)  # SQLite only: the answered tickets' days


def _window(today: datetime.date) -> tuple[list[datetime.date], datetime.datetime, datetime.datetime]:
    """The months covered and the instants they start and end at the office."""
    months = month_starts(through=today, count=MONTHS)
    zone = clock.office_zone()
    start = datetime.datetime.combine(months[0], datetime.time(), tzinfo=zone)
    end = datetime.datetime.combine(add_months(months[-1], months=1), datetime.time(), tzinfo=zone)
    return months, start, end


def _office_month(field_name: str) -> TruncMonth:
    """The first day of the month at the office in which the moment in `field_name` fell."""
    return TruncMonth(field_name, tzinfo=clock.office_zone(), output_field=DateField())


def _received(start: datetime.datetime, end: datetime.datetime) -> QuerySet[Ticket]:
    return (
        Ticket.objects.filter(queued_at__gte=start, queued_at__lt=end)
        .exclude(state__in=[TicketState.UNCONFIRMED, TicketState.SPAM])
        .order_by()
    )


def _percentiles_in_sql() -> bool:
    return connection.vendor == "postgresql"


def _ticket_groups(start, end) -> dict[tuple[datetime.date, int | None], _Group]:
    groups: dict[tuple[datetime.date, int | None], _Group] = defaultdict(_Group)
    answered = Q(first_answer_business_days__isnull=False)
    aggregates: dict[str, Aggregate] = {
        "received": Count("pk"),
        "answered": Count("pk", filter=answered),
        "within": Count("pk", filter=Q(first_answer_business_days__lte=F("service_standard_days"))),
        "responses": Count("survey"),
        "satisfied": Count("survey", filter=Q(survey__rating__gte=4)),
    }
    percentiles: dict[str, Aggregate] = {
        "median": PercentileCont("first_answer_business_days", fraction=0.5),
        "p90": PercentileCont("first_answer_business_days", fraction=0.9),
    }
    if _percentiles_in_sql():
        aggregates.update(percentiles)
    for row in (
        _received(start, end)
        .annotate(month=_office_month("queued_at"))
        .values("month", "topic_id")
        .annotate(**aggregates)
    ):
        group = groups[(row["month"], row["topic_id"])]
        group.received, group.answered = row["received"], row["answered"]
        group.answered_within_standard = row["within"]
        group.survey_responses, group.satisfied = row["responses"], row["satisfied"]
        group.median, group.p90 = row.get("median"), row.get("p90")
    if _percentiles_in_sql():
        # All topics together: a percentile of the whole month is not a sum of the topics' ones.
        for row in (
            _received(start, end).annotate(month=_office_month("queued_at")).values("month").annotate(**percentiles)
        ):
            group = groups[(row["month"], ALL_TOPICS)]
            group.median, group.p90 = row["median"], row["p90"]
    else:
        rows = (
            _received(start, end)
            .filter(answered)
            .annotate(month=_office_month("queued_at"))
            .values_list("month", "topic_id", "first_answer_business_days")
        )
        for month, topic_id, days in rows.iterator(chunk_size=5000):
            if days is None:
                continue  # excluded by the filter; the types cannot know it
            groups[(month, topic_id)].days.append(float(days))
            groups[(month, ALL_TOPICS)].days.append(float(days))
        for group in groups.values():
            values = sorted(group.days)
            if values:
                group.median, group.p90 = percentile_cont(values, 0.5), percentile_cont(values, 0.9)
    return groups


def _deflections(start, end) -> dict[tuple[datetime.date, int], int]:
    rows = (
        Deflection.objects.filter(created_at__gte=start, created_at__lt=end)
        .annotate(month=_office_month("created_at"))
        .order_by()
        .values("month", "topic_id")
        .annotate(count=Count("pk"))
    )
    return {(row["month"], row["topic_id"]): row["count"] for row in rows}


def _one_decimal(value: float | None) -> Decimal | None:
    return None if value is None else Decimal(str(round(value, 1)))


def service_figures(*, today: datetime.date) -> list[ServiceSnapshot]:
    """The unsaved snapshot rows for `today`: every month of the window, all topics and each topic.

    Each topic that is offered, or had enquiries or deflections in the window, gets a row for
    every month (zeros included), so a quiet month reads as "none" rather than "no data".
    """
    months, start, end = _window(today)
    groups = _ticket_groups(start, end)
    deflections = _deflections(start, end)
    seen_topics = {topic_id for _month, topic_id in [*groups, *deflections] if topic_id is not None}
    topic_ids = sorted(
        set(Topic.objects.filter(Q(is_active=True) | Q(pk__in=seen_topics)).values_list("pk", flat=True))
    )
    snapshots = []
    for month in months:
        overall = groups.get((month, ALL_TOPICS)) or _Group()
        totals = _Group(median=overall.median, p90=overall.p90)
        for topic_id in topic_ids:
            group = groups.get((month, topic_id)) or _Group()
            group.deflected = deflections.get((month, topic_id), 0)
            for name in ("received", "answered", "answered_within_standard", "deflected", "survey_responses"):
                setattr(totals, name, getattr(totals, name) + getattr(group, name))
            totals.satisfied += group.satisfied
            snapshots.append(_snapshot(today=today, month=month, topic_id=topic_id, group=group))
        snapshots.append(_snapshot(today=today, month=month, topic_id=ALL_TOPICS, group=totals))
    return snapshots


def _snapshot(*, today: datetime.date, month: datetime.date, topic_id: int | None, group: _Group) -> ServiceSnapshot:
    return ServiceSnapshot(
        computed_on=today,
        month=month,
        topic_id=topic_id,
        received=group.received,
        answered=group.answered,
        answered_within_standard=group.answered_within_standard,
        median_days_to_answer=_one_decimal(group.median),
        p90_days_to_answer=_one_decimal(group.p90),
        deflected=group.deflected,
        survey_responses=group.survey_responses,
        satisfied=group.satisfied,
    )


def service_snapshots_compute(*, today: datetime.date | None = None) -> int:
    """Compute and store the service figures as of `today` (the office's date by default).

    Replaces any rows of an earlier run the same day, and prunes days older than
    KEEP_DAYS, in one transaction: readers see the old day's rows or the new ones,
    never a mix. Returns the number of rows written.
    """
    today = today or clock.office_date(timezone.now())
    snapshots = service_figures(today=today)
    with transaction.atomic():
        ServiceSnapshot.objects.filter(computed_on=today).delete()
        ServiceSnapshot.objects.filter(computed_on__lt=today - datetime.timedelta(days=KEEP_DAYS)).delete()
        ServiceSnapshot.objects.bulk_create(snapshots)
    return len(snapshots)


def is_complete_month(*, month: datetime.date, computed_on: datetime.date) -> bool:
    return month < first_of_month(computed_on)


# --- Reading the figures: the page and the API -------------------------------------------------


@dataclass(frozen=True)
class MonthFigures:
    """One month's figures for all topics or one topic, with the shares the public page shows."""

    month: datetime.date
    complete: bool
    received: int
    answered: int
    answered_within_standard: int
    median_days: Decimal | None
    p90_days: Decimal | None
    deflected: int
    survey_responses: int
    satisfied: int

    @staticmethod
    def _share(part: int, whole: int) -> float | None:
        return part / whole if whole else None

    @property
    def share_within_standard(self) -> float | None:
        """Of the enquiries received that month and answered, the share answered within the standard."""
        return self._share(self.answered_within_standard, self.answered)

    @property
    def share_answered_by_page(self) -> float | None:
        """Of the people who came with a question, the share whose question the page answered."""
        return self._share(self.deflected, self.deflected + self.received)

    @property
    def share_satisfied(self) -> float | None:
        return self._share(self.satisfied, self.survey_responses)

    @property
    def has_activity(self) -> bool:
        return bool(self.received or self.deflected or self.survey_responses)

    @classmethod
    def from_snapshot(cls, snapshot: ServiceSnapshot) -> "MonthFigures":
        return cls(
            month=snapshot.month,
            complete=is_complete_month(month=snapshot.month, computed_on=snapshot.computed_on),
            received=snapshot.received,
            answered=snapshot.answered,
            answered_within_standard=snapshot.answered_within_standard,
            median_days=snapshot.median_days_to_answer,
            p90_days=snapshot.p90_days_to_answer,
            deflected=snapshot.deflected,
            survey_responses=snapshot.survey_responses,
            satisfied=snapshot.satisfied,
        )


@dataclass
class ServicePerformance:
    """The newest run of snapshots: every month for all topics, and for each topic it covers."""

    computed_on: datetime.date | None = None
    overall: list[MonthFigures] = field(default_factory=list)
    topics: list[Topic] = field(default_factory=list)
    by_topic: dict[int, list[MonthFigures]] = field(default_factory=dict)

    def topic_by_code(self, code: str) -> Topic | None:
        return next((topic for topic in self.topics if topic.code == code), None)

    def months_for(self, topic: Topic | None) -> list[MonthFigures]:
        return self.overall if topic is None else self.by_topic.get(topic.pk, [])


def service_performance_latest() -> ServicePerformance:
    """The newest computed day's figures, oldest month first; one query whatever the data."""
    newest_day = ServiceSnapshot.objects.order_by("-computed_on").values("computed_on")[:1]
    rows = (
        ServiceSnapshot.objects.filter(computed_on=newest_day)
        .select_related("topic")
        .order_by("month", "topic__position", "topic__code")
    )
    performance = ServicePerformance()
    topics: dict[int, Topic] = {}
    for snapshot in rows:
        performance.computed_on = snapshot.computed_on
        figures = MonthFigures.from_snapshot(snapshot)
        topic = snapshot.topic
        if topic is None:
            performance.overall.append(figures)
        else:
            topics.setdefault(topic.pk, topic)
            performance.by_topic.setdefault(topic.pk, []).append(figures)
    performance.topics = sorted(topics.values(), key=lambda topic: (topic.position, topic.code))
    return performance
