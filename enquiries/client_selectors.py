"""Reads for the client's side of enquiries: what the portal already knows, open enquiries
that a new one would repeat, and a ticket told in plain words (never an internal note)."""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from applications.models import Application, Stage
from enquiries import clock
from enquiries.access import tickets_for_client
from enquiries.models import (
    ACTIVE_STATES,
    FINAL_STATES,
    OPEN_TO_CLIENT_STATES,
    Document,
    Ticket,
    TicketChange,
    TicketMessage,
    TicketState,
    Topic,
)
from processing_times.estimates import Estimate, estimate_for_application
from status_tracker.selectors import ClientStatus, StageRow, client_status_for, stages_for_application

TICKETS_PER_PAGE = 20

# An open enquiry of the same account, application and topic is offered instead of a new one.
# Answered ones too: they close themselves after a few quiet days, so an answered one is
# recent, and a follow-up belongs in the same conversation (adding to it reopens it).
DUPLICATE_STATES = OPEN_TO_CLIENT_STATES

# The state as the client reads it.
STATE_WORDS = {
    TicketState.UNCONFIRMED: gettext_lazy("Waiting for you to confirm your email address"),
    TicketState.NEW: gettext_lazy("Received: waiting for an agent"),
    TicketState.OPEN: gettext_lazy("An agent is working on it"),
    TicketState.WAITING_ON_CLIENT: gettext_lazy("Waiting for your reply"),
    TicketState.ANSWERED: gettext_lazy("Answered"),
    TicketState.CLOSED: gettext_lazy("Closed"),
    TicketState.MERGED: gettext_lazy("Joined to another enquiry"),
    TicketState.SPAM: gettext_lazy("Closed without an answer"),
}


def state_words(state: str) -> str:
    return str(STATE_WORDS[TicketState(state)])


# ---- Answer first, ask second -------------------------------------------------------------


@dataclass(frozen=True)
class AnswerFirst:
    """What the portal already knows about the application and topic a client is about to ask about."""

    topic: Topic
    application: Application | None = None
    client_status: ClientStatus | None = None
    waiting_on_you: tuple[StageRow, ...] = ()
    estimate: Estimate | None = None

    @property
    def current_stage(self) -> Stage | None:
        return self.application.current_stage if self.application else None

    @property
    def outside_normal_from(self) -> datetime.date | None:
        """The date from which the file is outside normal processing time (the status page's estimate)."""
        return self.estimate.outside_normal_from if self.estimate else None

    @property
    def within_normal_time(self) -> bool:
        return self.estimate is not None and not self.estimate.overdue

    @property
    def status_question(self) -> bool:
        return self.topic.kind == Topic.Kind.STATUS

    @property
    def status_question_within_normal_time(self) -> bool:
        """A question about where a file stands, while it is not late: said plainly before they write."""
        return self.status_question and self.within_normal_time


def answer_first_for(*, application: Application | None, topic: Topic) -> AnswerFirst:
    """The current stage, what is waiting on the client and the estimate (at most six queries)."""
    if application is None:
        return AnswerFirst(topic=topic)
    stages = stages_for_application(application=application)
    return AnswerFirst(
        topic=topic,
        application=application,
        client_status=client_status_for(application=application),
        waiting_on_you=tuple(row for row in stages if row.waiting_on_client),
        estimate=estimate_for_application(application=application),
    )


def open_duplicates_for(*, viewer, application: Application | None, topic: Topic) -> list[Ticket]:
    """The viewer's enquiries still open about the same application (or none) and topic, newest first."""
    # Only the viewer's own: a colleague's enquiry is theirs to add to.
    tickets = tickets_for_client(viewer=viewer).filter(account=viewer, topic=topic, state__in=DUPLICATE_STATES)
    if application is None:
        tickets = tickets.filter(application__isnull=True)
    else:
        tickets = tickets.filter(application=application)
    return list(tickets.order_by("-created_at", "-id")[:5])


# ---- The client's enquiries ---------------------------------------------------------------


def client_tickets_page(*, viewer, page_number: str | int | None) -> Page:
    """One page of the viewer's enquiries, newest first (two queries whatever their number)."""
    tickets = (
        tickets_for_client(viewer=viewer)
        .select_related("topic", "application", "organisation", "account")
        .order_by("-created_at", "-id")
    )
    return Paginator(tickets, TICKETS_PER_PAGE).get_page(page_number)


@dataclass(frozen=True)
class DueDate:
    """The date by which the client will have an answer, and why it is that date."""

    state: str
    due_on: datetime.date | None
    received_on: datetime.date | None
    standard_days: int
    paused_days: int  # business days the clock stood still while we waited for the client
    paused_since: datetime.date | None  # set while it stands still now
    answered_at: datetime.datetime | None
    closed_at: datetime.datetime | None
    today: datetime.date

    @property
    def running(self) -> bool:
        return self.state in ACTIVE_STATES and self.due_on is not None

    @property
    def paused(self) -> bool:
        return self.state == TicketState.WAITING_ON_CLIENT and self.paused_since is not None

    @property
    def late(self) -> bool:
        return self.running and self.due_on is not None and self.today > self.due_on

    @property
    def answered(self) -> bool:
        return self.state == TicketState.ANSWERED

    @property
    def finished(self) -> bool:
        return self.state in FINAL_STATES


def due_date_for(*, ticket: Ticket, now: datetime.datetime | None = None) -> DueDate:
    now = now or timezone.now()
    return DueDate(
        state=ticket.state,
        due_on=ticket.due_on,
        received_on=ticket.clock_started_on,
        standard_days=ticket.service_standard_days,
        paused_days=ticket.paused_business_days,
        paused_since=clock.office_date(ticket.paused_since) if ticket.paused_since else None,
        answered_at=ticket.answered_at,
        closed_at=ticket.closed_at,
        today=clock.office_date(now),
    )


def conversation_for_client(*, ticket: Ticket) -> QuerySet[TicketMessage]:
    """What the client and the centre said to each other, oldest first, with the documents each carried;
    internal notes never. Two queries whatever the length."""
    documents = Prefetch("documents", queryset=Document.objects.order_by("created_at", "id"))
    return (
        ticket.messages.exclude(author_kind=TicketMessage.Author.NOTE)
        .prefetch_related(documents)
        .order_by("created_at", "id")
    )


@dataclass(frozen=True)
class ChangeLine:
    created_at: datetime.datetime
    words: str


def _change_words(change: TicketChange, *, ticket: Ticket) -> str:
    """One change in plain words; who in the centre did it and their notes stay inside the centre."""
    by_client = ticket.account_id is not None and change.actor_id == ticket.account_id
    start, end = change.from_state, change.to_state
    if start == end:
        if change.assigned_to_id is not None:
            return _("An agent took charge of your enquiry.")
        return _("Your enquiry went back to the queue for the next available agent.")
    if end == TicketState.NEW:
        if start in ("", TicketState.UNCONFIRMED):
            return _("We received your enquiry and started the clock.")
        return _("Your enquiry went back to the queue for the next available agent.")
    if end == TicketState.OPEN:
        if start == TicketState.NEW:
            return _("An agent started working on your enquiry.")
        if start == TicketState.WAITING_ON_CLIENT:
            if by_client:
                return _("You replied, so the clock started again.")
            return _("We are working on your enquiry again, and the clock started again.")
        if start == TicketState.ANSWERED and by_client:
            return _("You replied to our answer, so your enquiry is open again.")
        return _("Your enquiry was opened again.")
    other = {
        TicketState.WAITING_ON_CLIENT: _("We asked you for something. The clock is paused until you reply."),
        TicketState.ANSWERED: _("We answered."),
        TicketState.CLOSED: _("Your enquiry was closed."),
        TicketState.MERGED: _("Your enquiry was joined to another one about the same question."),
        TicketState.SPAM: _("Your enquiry was closed without an answer."),
    }
    return str(other.get(TicketState(end), state_words(end)))


def changes_for_client(*, ticket: Ticket) -> list[ChangeLine]:
    """The ticket's history in plain words, oldest first (one query)."""
    changes = ticket.changes.order_by("created_at", "id")
    return [ChangeLine(created_at=change.created_at, words=_change_words(change, ticket=ticket)) for change in changes]


def message_max_chars() -> int:
    return settings.ENQUIRY_MESSAGE_MAX_CHARS


def ticket_sent_with_key(*, viewer, submission_key: str) -> Ticket | None:
    """The viewer's enquiry that this form (its one-time key) already made, if any."""
    if not submission_key:
        return None
    return tickets_for_client(viewer=viewer).filter(account=viewer, submission_key=submission_key).first()
