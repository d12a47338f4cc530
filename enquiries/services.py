"""The one place a ticket's state, assignee and service clock change; each change is recorded.

Every other module (the client's form, the agent workspace, the beat tasks) calls
`ticket_transition`, which keeps the clock right: queueing starts it, and it runs only
while the centre holds the ticket (new or open). Waiting on the client, an answer or a
closure stops it; the client's reply (which reopens the ticket) starts it again, so a
ticket reopened weeks after its answer is not instantly past due. Callers hold the
ticket row locked (`ticket_locked`) so two agents or two workers never both move it.
"""

import datetime

from django.db import transaction
from django.utils import timezone

from enquiries import clock
from enquiries.models import Ticket, TicketChange, TicketState

_UNCHANGED = object()

# Which states each state may move to; anything else is a programming error.
ALLOWED = {
    TicketState.UNCONFIRMED: {TicketState.NEW, TicketState.SPAM},
    TicketState.NEW: {
        TicketState.OPEN,
        TicketState.WAITING_ON_CLIENT,
        TicketState.ANSWERED,
        TicketState.MERGED,
        TicketState.SPAM,
        TicketState.CLOSED,
    },
    TicketState.OPEN: {
        TicketState.NEW,
        TicketState.WAITING_ON_CLIENT,
        TicketState.ANSWERED,
        TicketState.MERGED,
        TicketState.SPAM,
        TicketState.CLOSED,
    },
    TicketState.WAITING_ON_CLIENT: {
        TicketState.OPEN,
        TicketState.NEW,
        TicketState.ANSWERED,
        TicketState.CLOSED,
        TicketState.MERGED,
        TicketState.SPAM,
    },
    TicketState.ANSWERED: {
        TicketState.OPEN,
        TicketState.NEW,
        TicketState.CLOSED,
        TicketState.MERGED,
        TicketState.WAITING_ON_CLIENT,
    },
    TicketState.CLOSED: {TicketState.OPEN, TicketState.NEW},
    TicketState.MERGED: set(),
    TicketState.SPAM: {TicketState.NEW},
}


class TransitionRefused(Exception):
    """The ticket cannot move from its state to the one asked for."""


def ticket_locked(*, ticket_id: int) -> Ticket:
    """The ticket, its row locked until the end of the caller's transaction."""
    return Ticket.objects.select_for_update().get(pk=ticket_id)


# The states in which the centre holds the ticket: the only ones in which its clock runs.
CLOCK_RUNNING_STATES = (TicketState.NEW, TicketState.OPEN)


def _refresh_due(ticket: Ticket) -> None:
    if ticket.clock_started_on is None:
        ticket.due_on = None
        return
    business_days = ticket.service_standard_days + ticket.paused_business_days
    # Enough calendar days for that many business days whatever the holidays (a long wait
    # on the client can push the due date more than a year out).
    span = max(clock.HOLIDAY_HORIZON_DAYS, 2 * business_days + 31)
    ticket.due_on = clock.due_date(
        started_on=ticket.clock_started_on,
        standard_days=ticket.service_standard_days,
        paused_days=ticket.paused_business_days,
        holidays=clock.holidays_from(ticket.clock_started_on, span_days=span),
    )


def _clock_for(ticket: Ticket, *, to_state: str, now: datetime.datetime) -> None:
    """Start, stop or restart the service clock for a move to `to_state`."""
    if ticket.clock_started_on is None:
        if to_state not in CLOCK_RUNNING_STATES:
            return  # never queued (unconfirmed, then spam): no clock at all
        ticket.queued_at = now
        ticket.clock_started_on = clock.office_date(now)
    running = to_state in CLOCK_RUNNING_STATES
    if not running and ticket.paused_since is None:
        ticket.paused_since = now
    elif running and ticket.paused_since is not None:
        start, end = clock.office_date(ticket.paused_since), clock.office_date(now)
        ticket.paused_business_days += clock.business_days_between(start, end, clock.holidays_span(start, end))
        ticket.paused_since = None
    _refresh_due(ticket)


def ticket_transition(
    *,
    ticket: Ticket,
    to_state: str,
    actor=None,
    actor_label: str = "",
    note: str = "",
    assigned_to=_UNCHANGED,
    now: datetime.datetime | None = None,
) -> TicketChange:
    """Move the (locked) ticket to `to_state`, and/or change its assignee; record who, when and why.

    Moving to the same state with a new assignee records the assignment alone.
    """
    now = now or timezone.now()
    from_state = ticket.state
    if to_state != from_state and to_state not in ALLOWED[TicketState(from_state)]:
        raise TransitionRefused(f"{from_state} → {to_state}")
    _clock_for(ticket, to_state=to_state, now=now)
    ticket.state = to_state
    if assigned_to is not _UNCHANGED:
        ticket.assigned_to = assigned_to
    if to_state == TicketState.ANSWERED:
        ticket.answered_at = now
        if ticket.first_answered_at is None:
            ticket.first_answered_at = now
            ticket.first_answer_business_days = ticket_business_days_used(ticket=ticket, today=clock.office_date(now))
    if to_state in (TicketState.CLOSED, TicketState.MERGED, TicketState.SPAM):
        ticket.closed_at = now
    elif from_state in (TicketState.CLOSED, TicketState.SPAM):
        ticket.closed_at = None
    ticket.save()
    actor_ok = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    return TicketChange.objects.create(
        ticket=ticket,
        from_state=from_state,
        to_state=to_state,
        assigned_to=ticket.assigned_to,
        actor=actor_ok,
        actor_label=actor_label or (str(actor_ok)[:160] if actor_ok else "system"),
        note=note[:500],
    )


def ticket_business_days_used(*, ticket: Ticket, today: datetime.date | None = None) -> int:
    """Business days of the ticket's standard used so far (0 before the clock starts)."""
    if ticket.clock_started_on is None:
        return 0
    today = today or clock.office_date(timezone.now())
    paused_since = clock.office_date(ticket.paused_since) if ticket.paused_since else None
    return clock.business_days_used(
        started_on=ticket.clock_started_on,
        today=today,
        paused_days=ticket.paused_business_days,
        paused_since=paused_since,
        holidays=clock.holidays_span(ticket.clock_started_on, max(today, ticket.clock_started_on)),
    )


@transaction.atomic
def ticket_transition_by_id(*, ticket_id: int, to_state: str, **kwargs) -> Ticket:
    ticket = ticket_locked(ticket_id=ticket_id)
    ticket_transition(ticket=ticket, to_state=to_state, **kwargs)
    return ticket
