"""Tell clients, once, when their open application passes its program's normal processing time.

The rule is the status page's (`estimates.normal_processing_time`), applied in bulk: the
latest snapshots of every program are read once, turned into one submission-date cut-off
per program and country group, and the overdue files are selected in a single query that
skips files already alerted. The email wording belongs to the notifications app.
"""

import datetime
from collections import defaultdict

from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet

from applications.access import Need, audience_q, recipients_for
from applications.models import Application, Program
from notifications.models import Kind, Notification
from notifications.outbox import OutboundMessage, outbox_write
from processing_times.estimates import normal_processing_time
from processing_times.figures import ALL_COUNTRIES, MINIMUM_SAMPLE
from processing_times.models import ProcessingTimeSnapshot

# Applications handed to the outbox per transaction: bounded work and locks per commit.
BATCH_SIZE = 500


def _latest_snapshots() -> dict[int, dict[str, ProcessingTimeSnapshot]]:
    """Each program's snapshots of its latest computed day, by country ("" for all), in one query."""
    latest_day = (
        ProcessingTimeSnapshot.objects.filter(program_id=OuterRef("program_id"))
        .order_by("-computed_on")
        .values("computed_on")[:1]
    )
    snapshots: dict[int, dict[str, ProcessingTimeSnapshot]] = defaultdict(dict)
    for snapshot in ProcessingTimeSnapshot.objects.filter(computed_on=latest_day):
        snapshots[snapshot.program_id][snapshot.country] = snapshot
    return snapshots


def overdue_condition(*, as_of: datetime.date) -> Q:
    """A filter on applications: submitted longer ago than their normal processing time.

    Same choice of snapshot as the status page: the client's own country when the
    program publishes times by country and that country has enough decisions, else
    the program overall, else the service standard. Countries sharing a cut-off are
    grouped, so the filter has one clause per program and distinct cut-off.
    """
    snapshots = _latest_snapshots()
    clauses = Q(pk__in=[])
    for program in Program.objects.all():
        by_country = snapshots.get(program.pk, {})
        overall_days = normal_processing_time(program=program, snapshot=by_country.get(ALL_COUNTRIES)).days
        own_countries: dict[int, list[str]] = defaultdict(list)
        if program.times_by_country:
            for country, snapshot in by_country.items():
                if country != ALL_COUNTRIES and snapshot.sample_size >= MINIMUM_SAMPLE:
                    days = normal_processing_time(program=program, snapshot=snapshot).days
                    own_countries[days].append(country)
        every_own_country = [country for countries in own_countries.values() for country in countries]
        clauses |= Q(program=program, submitted_on__lt=as_of - datetime.timedelta(days=overall_days)) & ~Q(
            client__country_of_residence__in=every_own_country
        )
        for days, countries in own_countries.items():
            clauses |= Q(
                program=program,
                client__country_of_residence__in=countries,
                submitted_on__lt=as_of - datetime.timedelta(days=days),
            )
    return clauses


def overdue_applications_to_alert(*, as_of: datetime.date) -> QuerySet[Application]:
    """Open, linked applications past normal processing time whose clients were not told yet."""
    already_alerted = Notification.objects.filter(application=OuterRef("pk"), kind=Kind.OVERDUE)
    return (
        Application.objects.exclude(status=Application.Status.CLOSED)
        .filter(overdue_condition(as_of=as_of))
        .filter(audience_q())
        .exclude(Exists(already_alerted))
        .order_by("pk")
    )


def overdue_messages(*, application_ids: list[int]) -> list[OutboundMessage]:
    """One alert per file and person who may see its status; the key keeps it to one ever."""
    recipients = recipients_for(application_ids=application_ids, need=Need.STATUS)
    return [
        OutboundMessage(recipient=person, kind=Kind.OVERDUE, dedupe_key=f"overdue:{pk}", application_id=pk)
        for pk in application_ids
        for person in recipients.get(pk, [])
    ]


def overdue_alerts_create(*, as_of: datetime.date) -> int:
    """Write an "overdue" notification for every file that just passed normal processing time.

    Safe to run any number of times: alerted files are skipped, and the key
    "overdue:<application id>" is written once per person and channel even if two
    runs overlap. Returns the number of applications alerted.
    """
    application_ids = list(overdue_applications_to_alert(as_of=as_of).values_list("pk", flat=True))
    for start in range(0, len(application_ids), BATCH_SIZE):
        batch = application_ids[start : start + BATCH_SIZE]
        with transaction.atomic():
            outbox_write(messages=overdue_messages(application_ids=batch))
    return len(application_ids)
