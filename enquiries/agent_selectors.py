"""Reads for the agent workspace: the queue, one ticket with its context, saved replies filled in.

Every read starts from enquiries.access (`tickets_for_agent`, `ticket_for_agent`), so an
agent sees the queues of their topics and a supervisor every queue. Pages cost a fixed
number of queries whatever the number of tickets, messages or changes: lists come in
one query each and the at-risk flags are computed from `due_on` with one read of the
holidays.
"""

import datetime
import re
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils import timezone, translation

from applications.access import Need, application_for_viewer
from applications.models import Application
from core.dates import date_format
from enquiries import clock
from enquiries.access import AGENT_GROUP, SUPERVISOR_GROUP, is_supervisor, tickets_for_agent
from enquiries.alerts import at_risk_threshold
from enquiries.models import (
    ACTIVE_STATES,
    OPEN_TO_CLIENT_STATES,
    Document,
    SavedReply,
    Ticket,
    TicketChange,
    TicketMessage,
    TicketState,
    Topic,
)
from processing_times.estimates import Estimate, estimate_for_application
from status_tracker.models import StatusEvent
from status_tracker.selectors import (
    ClientStatus,
    StageRow,
    client_status_for,
    stages_for_application,
    timeline_for_application,
)

# What the queue shows unless asked otherwise: everything the centre still has to act on or wait for.
DEFAULT_QUEUE_STATES = (TicketState.NEW, TicketState.OPEN, TicketState.WAITING_ON_CLIENT)
# States an agent may filter on (unconfirmed tickets are not in the queue yet).
QUEUE_STATES = [state for state in TicketState if state != TicketState.UNCONFIRMED]
QUEUE_PAGE_SIZE = 25
EARLIER_ENQUIRIES_SHOWN = 20


class Assigned:
    ANYONE = "anyone"
    ME = "me"
    UNASSIGNED = "unassigned"


class Flag:
    """How a ticket stands against its service standard."""

    NONE = ""
    AT_RISK = "at_risk"
    BREACHED = "breached"
    PAUSED = "paused"


@dataclass(frozen=True)
class QueueFilters:
    topic: Topic | None = None
    language: str = ""
    states: tuple[str, ...] = DEFAULT_QUEUE_STATES
    assigned: str = Assigned.ANYONE
    due_by: datetime.date | None = None


@dataclass(frozen=True)
class QueueRow:
    ticket: Ticket
    flag: str
    client_name: str


def topics_for_agent(*, viewer) -> QuerySet[Topic]:
    """The queues the viewer works: their topics; a supervisor every topic."""
    if is_supervisor(viewer):
        return Topic.objects.all()
    return Topic.objects.filter(agents=viewer)


def _filtered(*, viewer, filters: QueueFilters) -> QuerySet[Ticket]:
    """The viewer's tickets narrowed by every filter except the state (the counts are per state)."""
    tickets = tickets_for_agent(viewer=viewer)
    if filters.topic is not None:
        tickets = tickets.filter(topic=filters.topic)
    if filters.language:
        tickets = tickets.filter(language=filters.language)
    if filters.assigned == Assigned.ME:
        tickets = tickets.filter(assigned_to=viewer)
    elif filters.assigned == Assigned.UNASSIGNED:
        tickets = tickets.filter(assigned_to__isnull=True)
    if filters.due_by is not None:
        tickets = tickets.filter(due_on__lte=filters.due_by)
    return tickets


def queue_tickets(*, viewer, filters: QueueFilters) -> QuerySet[Ticket]:
    """The queue, highest priority first, then the soonest due; slice it (a Paginator) before reading.

    Only the ids: `queue_rows` reads the page's tickets with what the rows show. Joined
    before the sort, the client, application and people were fetched for every queued
    ticket of an agent's topics, not just the page's (bench/README.md, "Enquiries").
    """
    return (
        _filtered(viewer=viewer, filters=filters)
        .filter(state__in=list(filters.states))
        .only("id")
        .order_by("-priority", "due_on", "id")
    )


def queue_state_counts(*, viewer, filters: QueueFilters) -> dict[str, int]:
    """How many of the viewer's tickets (other filters applied) are in each state: one grouped query.

    GROUP BY rather than one filtered count per state: one comparison per ticket instead
    of seven, on an index-only scan (bench/README.md, "Enquiries").
    """
    counted = dict(
        _filtered(viewer=viewer, filters=filters).order_by().values_list("state").annotate(number=Count("pk"))
    )
    return {state.value: counted.get(state.value, 0) for state in QUEUE_STATES}


def ticket_flag(*, ticket: Ticket, today: datetime.date, holidays: frozenset[datetime.date]) -> str:
    """Breached past the due date; at risk once the share of the standard in ENQUIRY_AT_RISK_SHARE is used."""
    if ticket.state == TicketState.WAITING_ON_CLIENT:
        return Flag.PAUSED
    if ticket.state not in ACTIVE_STATES or ticket.due_on is None:
        return Flag.NONE
    if today > ticket.due_on:
        return Flag.BREACHED
    # due_on is the standard plus the pauses, counted from the start: what is left of it is left of the standard.
    remaining = clock.business_days_between(today, ticket.due_on, holidays)
    used = ticket.service_standard_days - remaining
    # The same threshold as the at-risk alerts (enquiries.alerts), so the flag and the email agree.
    if used >= at_risk_threshold(standard_days=ticket.service_standard_days):
        return Flag.AT_RISK
    return Flag.NONE


def client_name(ticket: Ticket) -> str:
    """Who wrote: the name they gave, else the client on file, else the account's address."""
    if ticket.contact_name:
        return ticket.contact_name
    application = ticket.application
    if application is not None and application.client_id is not None:
        client = application.client
        return " ".join(part for part in (client.given_names, client.family_name) if part)
    if ticket.account is not None:
        return ticket.account.get_full_name() or ticket.account.email
    return ticket.contact_email


def queue_rows(*, tickets: list[Ticket], today: datetime.date | None = None) -> list[QueueRow]:
    """One page of the queue with its flags, in two queries whatever the page lists (none when empty).

    The page's tickets (from `queue_tickets`, ids only) are read again by id with their
    topic, assignee, application, client and account, in the page's order (one gone in the
    meantime is left out); then the holidays up to the latest due date.
    """
    today = today or clock.office_date(timezone.now())
    related = ("topic", "assigned_to", "application__client", "account", "organisation")
    found = Ticket.objects.select_related(*related).order_by().in_bulk([ticket.pk for ticket in tickets])
    tickets = [found[ticket.pk] for ticket in tickets if ticket.pk in found]
    due_dates = [ticket.due_on for ticket in tickets if ticket.due_on is not None and ticket.due_on > today]
    # Read even when nothing is due after today: the page costs the same queries whatever it shows.
    holidays = clock.holidays_span(today, max(due_dates, default=today))
    return [
        QueueRow(
            ticket=ticket,
            flag=ticket_flag(ticket=ticket, today=today, holidays=holidays),
            client_name=client_name(ticket),
        )
        for ticket in tickets
    ]


# --- one ticket -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ClientView:
    """The application's status page as its client sees it."""

    application: Application
    client_status: ClientStatus
    stages: list[StageRow]
    events: list[StatusEvent]
    estimate: Estimate | None

    @property
    def waiting_on_client(self) -> list[StageRow]:
        return [row for row in self.stages if row.waiting_on_client]


@dataclass(frozen=True)
class ConversationItem:
    message: TicketMessage
    documents: list[Document] = field(default_factory=list)


@dataclass(frozen=True)
class TicketWorkspace:
    ticket: Ticket
    client_name: str
    conversation: list[ConversationItem]
    notes: list[TicketMessage]
    documents: list[Document]
    changes: list[TicketChange]
    earlier: list[Ticket]
    merged: list[Ticket]
    client_view: ClientView | None
    flag: str


def client_view_for_agent(*, viewer, ticket: Ticket, request: HttpRequest | None = None) -> ClientView | None:
    """The status page of the ticket's application as its client sees it; the read is audited.

    None when the ticket is about no application, or when the viewer may not read it.
    """
    if ticket.application is None:
        return None
    try:
        application = application_for_viewer(
            viewer=viewer, number=ticket.application.number, need=Need.STATUS, request=request
        )
    except Http404:
        return None
    return ClientView(
        application=application,
        client_status=client_status_for(application=application),
        stages=stages_for_application(application=application),
        events=list(timeline_for_application(application=application)),
        estimate=estimate_for_application(application=application),
    )


def same_client_q(ticket: Ticket) -> Q:
    """Other tickets of the same person: the same account, or about the same application."""
    condition = Q(pk__in=[])
    if ticket.account_id is not None:
        condition |= Q(account_id=ticket.account_id)
    if ticket.application_id is not None:
        condition |= Q(application_id=ticket.application_id)
    if ticket.account_id is None and ticket.application_id is None:
        # Someone without an account asking about no file: their confirmed address is all that ties them.
        condition |= Q(account__isnull=True, contact_email__iexact=ticket.contact_email)
    return condition & ~Q(pk=ticket.pk)


def earlier_enquiries_for(*, viewer, ticket: Ticket) -> list[Ticket]:
    """The same client's other enquiries that the viewer may open, newest first."""
    return list(
        tickets_for_agent(viewer=viewer)
        .filter(same_client_q(ticket))
        .select_related("topic")
        .order_by("-created_at", "-id")[:EARLIER_ENQUIRIES_SHOWN]
    )


def merge_targets_for(*, viewer, ticket: Ticket) -> QuerySet[Ticket]:
    """Tickets this one may be merged into: the same client's, still open, that the viewer works."""
    if ticket.state not in OPEN_TO_CLIENT_STATES:
        return Ticket.objects.none()
    return (
        tickets_for_agent(viewer=viewer)
        .filter(same_client_q(ticket), state__in=OPEN_TO_CLIENT_STATES)
        .select_related("topic")
        .order_by("-created_at", "-id")
    )


def ticket_workspace_for(*, viewer, ticket: Ticket, request: HttpRequest | None = None) -> TicketWorkspace:
    """Everything the ticket page shows, in a fixed number of queries."""
    messages = list(TicketMessage.objects.filter(ticket=ticket).select_related("author", "saved_reply"))
    documents = list(Document.objects.filter(ticket=ticket).order_by("created_at", "id"))
    by_message: dict[int | None, list[Document]] = {}
    for document in documents:
        by_message.setdefault(document.message_id, []).append(document)
    conversation = [
        ConversationItem(message=message, documents=by_message.get(message.pk, []))
        for message in messages
        if not message.internal
    ]
    today = clock.office_date(timezone.now())
    holidays = clock.holidays_span(today, ticket.due_on) if ticket.due_on and ticket.due_on > today else frozenset()
    return TicketWorkspace(
        ticket=ticket,
        client_name=client_name(ticket),
        conversation=conversation,
        notes=[message for message in messages if message.internal],
        documents=documents,
        changes=list(TicketChange.objects.filter(ticket=ticket).select_related("actor", "assigned_to")),
        earlier=earlier_enquiries_for(viewer=viewer, ticket=ticket),
        merged=list(Ticket.objects.filter(merged_into=ticket).order_by("created_at", "id")),
        client_view=client_view_for_agent(viewer=viewer, ticket=ticket, request=request),
        flag=ticket_flag(ticket=ticket, today=today, holidays=holidays),
    )


def assignees_for(*, viewer, ticket: Ticket) -> QuerySet:
    """Who the viewer may give the ticket to: the topic's agents; a supervisor also any supervisor."""
    people = get_user_model().objects.filter(
        is_active=True, is_staff=True, groups__name__in=[AGENT_GROUP, SUPERVISOR_GROUP]
    )
    works_topic = Q(enquiry_topics=ticket.topic_id)
    if is_supervisor(viewer):
        works_topic |= Q(groups__name=SUPERVISOR_GROUP)
    else:
        people = people.exclude(pk=viewer.pk)
    return people.filter(works_topic).distinct().order_by("first_name", "last_name", "email")


def transfer_topics_for(*, ticket: Ticket) -> QuerySet[Topic]:
    """Any other queue: an agent may pass a ticket to a queue they do not work."""
    return Topic.objects.exclude(pk=ticket.topic_id).order_by("position", "code")


def document_download_url(*, document: Document) -> str:
    """The staff download link of a document, or "" once its file was deleted (retention)."""
    if document.deleted_at is not None:
        return ""
    return reverse("documents:download", kwargs={"pk": document.pk})


# --- saved replies ----------------------------------------------------------------------------


def saved_replies_for(*, ticket: Ticket) -> list[SavedReply]:
    """The saved replies offered on this ticket: those for its topic and those for every topic."""
    return list(SavedReply.objects.filter(is_active=True).filter(Q(topic__isnull=True) | Q(topic_id=ticket.topic_id)))


PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


def fill_placeholders(text: str, values: dict[str, str]) -> str:
    """Replace each {name} found in `values`; anything else (unknown names, stray braces) stays as written.

    A regular expression rather than str.format_map: a saved reply is free text typed in
    admin, and format strings fail on a lone brace and reach attributes ("{x.__class__}").
    """
    return PLACEHOLDER.sub(lambda match: values.get(match.group(1), match.group(0)), text)


def _date_text(day: datetime.date | None) -> str:
    return date_format(day, "DATE_FORMAT") if day else ""


def placeholder_values(*, ticket: Ticket, client_view: ClientView | None) -> dict[str, str]:
    """The ticket's and its application's own data, worded in the ticket's language (the active one)."""
    values = {"reference": ticket.reference, "client_name": client_name(ticket)}
    if ticket.due_on:
        values["due_date"] = _date_text(ticket.due_on)
    if client_view is not None:
        application = client_view.application
        values["number"] = application.number
        values["program"] = application.program.name
        if application.current_stage is not None:
            values["stage"] = application.current_stage.name
        if client_view.estimate is not None:
            values["estimate_date"] = _date_text(client_view.estimate.outside_normal_from)
    # Leave visible (not blank) what is unknown, so the agent sees what to write in by hand.
    return {name: value for name, value in values.items() if value}


def saved_reply_text(*, reply: SavedReply, ticket: Ticket, client_view: ClientView | None) -> str:
    """The saved reply in the ticket's language with its placeholders filled from the ticket and its file."""
    with translation.override(ticket.language):
        body = reply.body_fr if ticket.language == "fr" and reply.body_fr else reply.body_en
        return fill_placeholders(body, placeholder_values(ticket=ticket, client_view=client_view))
