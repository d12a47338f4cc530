"""The hourly jobs on tickets: warn about tickets close to or past their service standard, and
close answered tickets the client has left quiet.

Alerts go, once per ticket and kind, to the ticket's assignee (while they still work its
queue) and to every supervisor, in the notification centre and by email. Candidates are
chosen in SQL from `due_on`, the few that remain are checked exactly with the clock, and
the rows are locked with SKIP LOCKED while their flag is set, so two workers running at
once share the work instead of doubling it; the outbox's dedupe key is the second guard.
"""

import datetime
import math
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Exists, Max, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from core.dates import date_format
from core.i18n import in_both_languages
from enquiries import clock
from enquiries.access import AGENT_GROUP, SUPERVISOR_GROUP
from enquiries.models import ACTIVE_STATES, Ticket, TicketMessage, TicketState, Topic
from enquiries.services import ticket_transition
from notifications.models import Kind
from notifications.outbox import OutboundMessage, outbox_write

AT_RISK = "at_risk"
BREACH = "breach"
# Tickets locked and alerted per transaction: bounded locks and work per commit.
BATCH_SIZE = 200


def at_risk_threshold(*, standard_days: int) -> int:
    """Business days used from which a ticket is at risk: the configured share of its standard, rounded up."""
    # Rounded first so that 0.8 × 10 is 8, not 8.000000000000002 rounded up to 9.
    return math.ceil(round(settings.ENQUIRY_AT_RISK_SHARE * standard_days, 6))


def _running() -> QuerySet[Ticket]:
    """Tickets the centre holds, clock running (not waiting on the client)."""
    return Ticket.objects.filter(state__in=ACTIVE_STATES, paused_since__isnull=True, due_on__isnull=False)


def _breach_q(today: datetime.date) -> Q:
    return Q(breach_alerted_at__isnull=True, due_on__lt=today)


def _at_risk_q(today: datetime.date, horizon: datetime.date) -> Q:
    # A ticket already past due gets the breach alert instead; at-risk is only ever before or on the due date.
    return Q(at_risk_alerted_at__isnull=True, breach_alerted_at__isnull=True, due_on__gte=today, due_on__lte=horizon)


def _at_risk_horizon(today: datetime.date) -> datetime.date:
    """The latest due date a ticket can have and already be at risk today.

    A ticket is at risk once at most (standard − threshold) business days remain before
    its due date; the largest standard among the tickets not yet warned bounds that.
    """
    largest = (
        _running()
        .filter(at_risk_alerted_at__isnull=True, breach_alerted_at__isnull=True)
        .aggregate(largest=Max("service_standard_days"))["largest"]
    )
    if largest is None:
        return today - datetime.timedelta(days=1)  # nothing to warn: an empty range
    lead = max(standard - at_risk_threshold(standard_days=standard) for standard in range(1, largest + 1))
    return clock.add_business_days(today, lead, clock.holidays_from(today, span_days=2 * lead + 31))


def _eligible_assignees(tickets: list[Ticket]) -> set[tuple[int, int]]:
    """(ticket id, user id) of assignees still allowed to work the ticket: its topic's agents, or supervisors."""
    assignee_ids = {ticket.assigned_to_id for ticket in tickets if ticket.assigned_to_id}
    if not assignee_ids:
        return set()
    workers = get_user_model().objects.filter(
        pk__in=assignee_ids, is_active=True, is_staff=True, groups__name__in=[AGENT_GROUP, SUPERVISOR_GROUP]
    )
    groups: dict[int, set[str]] = {}
    for user_id, group in workers.values_list("pk", "groups__name"):
        groups.setdefault(user_id, set()).add(group)
    queues = set(
        Topic.agents.through.objects.filter(
            user_id__in=assignee_ids, topic_id__in={ticket.topic_id for ticket in tickets}
        ).values_list("topic_id", "user_id")
    )
    return {
        (ticket.pk, ticket.assigned_to_id)
        for ticket in tickets
        if ticket.assigned_to_id in groups
        and (SUPERVISOR_GROUP in groups[ticket.assigned_to_id] or (ticket.topic_id, ticket.assigned_to_id) in queues)
    }


def supervisors_for_alerts() -> list:
    """Every active supervisor (staff in the Supervisor group), in one query."""
    return list(
        get_user_model()
        .objects.filter(groups__name=SUPERVISOR_GROUP, is_active=True, is_staff=True)
        .distinct()
        .order_by("pk")
    )


def _wording(*, ticket: Ticket, kind: str, used: int) -> tuple[str, str]:
    due_on = ticket.due_on or clock.office_date(timezone.now())

    def render() -> str:
        values = {
            "reference": ticket.reference,
            "topic": ticket.topic.name,
            "used": used,
            "standard": ticket.service_standard_days,
            "due": date_format(due_on, "DATE_FORMAT"),
        }
        if kind == BREACH:
            text = (
                _(
                    "Enquiry %(reference)s (%(topic)s) is past the date by which it had to be answered, %(due)s, "
                    "and has not been answered."
                )
                % values
            )
        else:
            text = (
                _(
                    "Enquiry %(reference)s (%(topic)s) has used %(used)s of its %(standard)s business days. "
                    "It must be answered by %(due)s."
                )
                % values
            )
        if ticket.assigned_to_id is None:
            text += " " + _("Nobody is assigned to it.")
        return text

    return in_both_languages(render)


def _messages(*, alerts: Iterable[tuple[Ticket, str, int]], supervisors: list, assignees: set) -> list:
    messages: list[OutboundMessage] = []
    for ticket, kind, used in alerts:
        message_en, message_fr = _wording(ticket=ticket, kind=kind, used=used)
        people = {person.pk: person for person in supervisors}
        if (ticket.pk, ticket.assigned_to_id) in assignees:
            people[ticket.assigned_to_id] = ticket.assigned_to
        messages.extend(
            OutboundMessage(
                recipient=person,
                kind=Kind.ENQUIRY_ALERT,
                dedupe_key=f"enquiry_alert:{ticket.pk}:{kind}",
                application_id=None,
                message_en=message_en,
                message_fr=message_fr,
                message_in_email=True,
                about_label=ticket.reference,
                link_path=f"agents/tickets/{ticket.reference}/",
            )
            for person in people.values()
        )
    return messages


def _alert_batch(*, ticket_ids: list[int], today: datetime.date, horizon: datetime.date, now, supervisors) -> int:
    """Lock what is still to alert in this batch, set its flags and write its messages, in one transaction."""
    with transaction.atomic():
        tickets = list(
            _running()
            .filter(pk__in=ticket_ids)
            .filter(_breach_q(today) | _at_risk_q(today, horizon))
            .select_related("topic", "assigned_to")
            .select_for_update(skip_locked=True, of=("self",))
            .order_by("pk")
        )
        if not tickets:
            return 0
        started = min((ticket.clock_started_on for ticket in tickets if ticket.clock_started_on), default=today)
        holidays = clock.holidays_span(started, today)
        alerts: list[tuple[Ticket, str, int]] = []
        for ticket in tickets:
            if ticket.clock_started_on is None or ticket.due_on is None:
                continue  # never so for a running ticket; the types cannot know it
            used = clock.business_days_used(
                started_on=ticket.clock_started_on,
                today=today,
                paused_days=ticket.paused_business_days,
                paused_since=None,
                holidays=holidays,
            )
            if ticket.breach_alerted_at is None and ticket.due_on < today:
                alerts.append((ticket, BREACH, used))
            elif ticket.at_risk_alerted_at is None and used >= at_risk_threshold(
                standard_days=ticket.service_standard_days
            ):
                alerts.append((ticket, AT_RISK, used))
        if not alerts:
            return 0
        for kind, field in ((BREACH, "breach_alerted_at"), (AT_RISK, "at_risk_alerted_at")):
            ids = [ticket.pk for ticket, alert_kind, _used in alerts if alert_kind == kind]
            if ids:
                Ticket.objects.filter(pk__in=ids).update(**{field: now})
        outbox_write(messages=_messages(alerts=alerts, supervisors=supervisors, assignees=_eligible_assignees(tickets)))
        return len(alerts)


def tickets_alert_due(*, now: datetime.datetime | None = None) -> int:
    """Warn about tickets at risk of missing their standard or past it; each ticket once per kind.

    Returns the number of alerts (tickets × kind) written. Safe to run any number of
    times, and by several workers at once.
    """
    now = now or timezone.now()
    today = clock.office_date(now)
    horizon = _at_risk_horizon(today)
    candidates = list(
        _running()
        .filter(_breach_q(today) | _at_risk_q(today, horizon))
        .order_by("due_on", "pk")
        .values_list("pk", flat=True)
    )
    if not candidates:
        return 0
    supervisors = supervisors_for_alerts()
    alerted = 0
    for start in range(0, len(candidates), BATCH_SIZE):
        alerted += _alert_batch(
            ticket_ids=candidates[start : start + BATCH_SIZE],
            today=today,
            horizon=horizon,
            now=now,
            supervisors=supervisors,
        )
    return alerted


def _quiet_answered(*, cutoff: datetime.datetime) -> QuerySet[Ticket]:
    """Answered before `cutoff`, and no word from the client since `cutoff`."""
    client_wrote_since = TicketMessage.objects.filter(
        ticket=OuterRef("pk"), author_kind=TicketMessage.Author.CLIENT, created_at__gt=cutoff
    )
    return Ticket.objects.filter(state=TicketState.ANSWERED, answered_at__lte=cutoff).exclude(
        Exists(client_wrote_since)
    )


def tickets_close_quiet(*, now: datetime.datetime | None = None) -> int:
    """Close answered tickets the client has not written on for ENQUIRY_AUTO_CLOSE_DAYS days.

    Each closes through ticket_transition, recorded as done by the system with the reason,
    in its own short transaction; a ticket another worker or an agent holds is left for
    the next run. Returns how many were closed.
    """
    now = now or timezone.now()
    days = settings.ENQUIRY_AUTO_CLOSE_DAYS
    cutoff = now - datetime.timedelta(days=days)
    closed = 0
    for ticket_id in list(_quiet_answered(cutoff=cutoff).order_by("answered_at", "pk").values_list("pk", flat=True)):
        with transaction.atomic():
            ticket = _quiet_answered(cutoff=cutoff).filter(pk=ticket_id).select_for_update(skip_locked=True).first()
            if ticket is None:
                continue  # reopened, closed or locked meanwhile
            ticket_transition(
                ticket=ticket,
                to_state=TicketState.CLOSED,
                actor_label="system",
                note=f"Closed automatically: no message from the client in the {days} days after the answer.",
                now=now,
            )
            closed += 1
    return closed
