"""What agents do to a ticket: claim, assign, transfer, note, reply, merge, mark spam.

One function per action, each atomic with the ticket row locked (`ticket_locked`), so
two agents acting at once are served one after the other and the second sees what
the first did ("already claimed by …") instead of overwriting it. Every change of
state or assignee goes through `ticket_transition`, which records it and keeps the
service clock. A refusal raises `WorkspaceRefused` with a message for the agent.
A repeated submission (a double click, a reload) changes nothing the second time.
"""

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.access import recipients_for
from enquiries.access import is_agent, is_supervisor
from enquiries.models import FINAL_STATES, OPEN_TO_CLIENT_STATES, SavedReply, Ticket, TicketMessage, TicketState, Topic
from enquiries.services import ALLOWED, ticket_locked, ticket_transition
from enquiries.survey import survey_path
from notifications.models import Kind
from notifications.outbox import OutboundMessage, outbox_write

# The same words from the same person on the same ticket within this time are one submission sent twice.
REPEAT_WINDOW = datetime.timedelta(minutes=10)


class WorkspaceRefused(Exception):
    """The action does not fit the ticket as it is now; the message tells the agent why, in their language."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def person_label(user) -> str:
    return (user.get_full_name() or user.email) if user is not None else ""


def _works_queue(agent, ticket: Ticket) -> bool:
    if is_supervisor(agent):
        return True
    return is_agent(agent) and ticket.topic.agents.filter(pk=agent.pk).exists()


def _lock_for(*, ticket_id: int, agent) -> Ticket:
    """The ticket locked, if the agent (still) works its queue: a transfer may have moved it meanwhile."""
    ticket = ticket_locked(ticket_id=ticket_id)
    if not _works_queue(agent, ticket):
        raise WorkspaceRefused(_("This enquiry is no longer in one of your queues."))
    return ticket


def _refuse_if_final(ticket: Ticket) -> None:
    if ticket.state in FINAL_STATES:
        raise WorkspaceRefused(
            _("This enquiry is %(state)s: nothing more can be done on it.")
            % {"state": TicketState(ticket.state).label.lower()}
        )


def _refuse_if_someone_elses(ticket: Ticket, agent) -> None:
    """Agents act on tickets nobody has claimed or that are theirs; supervisors on any."""
    if ticket.assigned_to_id not in (None, agent.pk) and not is_supervisor(agent):
        raise WorkspaceRefused(
            _("This enquiry was already claimed by %(name)s.") % {"name": person_label(ticket.assigned_to)}
        )


def _repeat_of(*, ticket: Ticket, agent, kind: str, body: str, now: datetime.datetime) -> TicketMessage | None:
    return (
        TicketMessage.objects.filter(
            ticket=ticket, author=agent, author_kind=kind, body=body, created_at__gte=now - REPEAT_WINDOW
        )
        .order_by("-created_at", "-id")
        .first()
    )


@transaction.atomic
def ticket_claim(*, ticket_id: int, agent, now: datetime.datetime | None = None) -> Ticket:
    """Assign the ticket to `agent`; refused, with who has it, if someone else claimed it first."""
    ticket = _lock_for(ticket_id=ticket_id, agent=agent)
    _refuse_if_final(ticket)
    if ticket.assigned_to_id == agent.pk:
        return ticket
    if ticket.assigned_to_id is not None:
        raise WorkspaceRefused(
            _("This enquiry was already claimed by %(name)s.") % {"name": person_label(ticket.assigned_to)}
        )
    to_state = TicketState.OPEN if ticket.state == TicketState.NEW else ticket.state
    ticket_transition(ticket=ticket, to_state=to_state, actor=agent, assigned_to=agent, now=now)
    return ticket


@transaction.atomic
def ticket_assign(*, ticket_id: int, agent, assignee, note: str = "", now: datetime.datetime | None = None) -> Ticket:
    """Give the ticket to `assignee` (None: back to the queue, unassigned).

    The caller offers only allowed people (agent_selectors.assignees_for); checked again here
    against the ticket as locked: an agent passes on only what is theirs or nobody's.
    """
    ticket = _lock_for(ticket_id=ticket_id, agent=agent)
    _refuse_if_final(ticket)
    _refuse_if_someone_elses(ticket, agent)
    if assignee is not None and not (
        is_supervisor(assignee) or (is_agent(assignee) and ticket.topic.agents.filter(pk=assignee.pk).exists())
    ):
        raise WorkspaceRefused(_("%(name)s does not work this queue.") % {"name": person_label(assignee)})
    if ticket.assigned_to_id == (assignee.pk if assignee is not None else None):
        return ticket
    to_state = ticket.state
    if assignee is not None and ticket.state == TicketState.NEW:
        to_state = TicketState.OPEN
    elif assignee is None and ticket.state == TicketState.OPEN:
        to_state = TicketState.NEW
    ticket_transition(ticket=ticket, to_state=to_state, actor=agent, assigned_to=assignee, note=note, now=now)
    return ticket


@transaction.atomic
def ticket_transfer(
    *, ticket_id: int, agent, topic: Topic, note: str = "", now: datetime.datetime | None = None
) -> Ticket:
    """Move the ticket to another topic's queue, unassigned, with that queue's priority.

    The service standard and due date stay: they are what the client was promised.
    """
    ticket = _lock_for(ticket_id=ticket_id, agent=agent)
    _refuse_if_final(ticket)
    _refuse_if_someone_elses(ticket, agent)
    if topic.pk == ticket.topic_id:
        return ticket
    moved = f"{ticket.topic.code} → {topic.code}"
    ticket.topic = topic
    ticket.priority = topic.priority
    to_state = TicketState.NEW if ticket.state == TicketState.OPEN else ticket.state
    ticket_transition(
        ticket=ticket,
        to_state=to_state,
        actor=agent,
        assigned_to=None,
        note=f"{moved}. {note}".strip() if note else moved,
        now=now,
    )
    return ticket


@transaction.atomic
def ticket_note_add(*, ticket_id: int, agent, body: str, now: datetime.datetime | None = None) -> TicketMessage:
    """Add an internal note (never shown to the client); any agent of the queue may, whatever the state."""
    now = now or timezone.now()
    ticket = _lock_for(ticket_id=ticket_id, agent=agent)
    repeat = _repeat_of(ticket=ticket, agent=agent, kind=TicketMessage.Author.NOTE, body=body, now=now)
    if repeat is not None:
        return repeat
    return TicketMessage.objects.create(ticket=ticket, author_kind=TicketMessage.Author.NOTE, author=agent, body=body)


def _answer_recipient(ticket: Ticket):
    """The account to tell, while it is active and may still see the ticket's file; else None (use the address)."""
    account = ticket.account
    if account is None or not account.is_active:
        return None
    if ticket.application_id is None:
        return account
    allowed = recipients_for(application_ids=[ticket.application_id]).get(ticket.application_id, [])
    return account if any(person.pk == account.pk for person in allowed) else None


def _tell_client(*, ticket: Ticket, message: TicketMessage) -> None:
    """ENQUIRY_ANSWERED to the client, once per answer: the answer itself, and the survey link.

    An enquiry sent for a client goes back to its sender only while they may still see the
    file: once the client revoked the grant (or the sender left their organisation) the
    answer stays in the workspace and nobody is emailed about the client's file.
    """
    recipient = _answer_recipient(ticket)
    if recipient is None and ticket.on_behalf_grant_id is not None:
        return
    outbox_write(
        messages=[
            OutboundMessage(
                recipient=recipient,
                kind=Kind.ENQUIRY_ANSWERED,
                dedupe_key=f"enquiry_answered:{message.pk}",
                # An address-only email has no centre to hide it from, and must not be withdrawn
                # for lack of an account on the file.
                application_id=ticket.application_id if recipient is not None else None,
                message_en=message.body,
                message_fr=message.body,
                message_in_email=True,
                about_label=ticket.reference,
                link_path=survey_path(ticket=ticket),
                address="" if recipient is not None else ticket.contact_email,
                language="" if recipient is not None else ticket.language,
            )
        ]
    )


@transaction.atomic
def ticket_reply(
    *,
    ticket_id: int,
    agent,
    body: str,
    wait_for_client: bool = False,
    saved_reply: SavedReply | None = None,
    now: datetime.datetime | None = None,
) -> TicketMessage:
    """Answer the client: the ticket is answered, or waits on the client (the clock pauses); they are told.

    An unclaimed ticket becomes the replying agent's.
    """
    now = now or timezone.now()
    ticket = _lock_for(ticket_id=ticket_id, agent=agent)
    if ticket.state not in OPEN_TO_CLIENT_STATES:
        raise WorkspaceRefused(
            _("This enquiry is %(state)s: it can no longer be answered.")
            % {"state": TicketState(ticket.state).label.lower()}
        )
    _refuse_if_someone_elses(ticket, agent)
    repeat = _repeat_of(ticket=ticket, agent=agent, kind=TicketMessage.Author.AGENT, body=body, now=now)
    if repeat is not None:
        return repeat
    message = TicketMessage.objects.create(
        ticket=ticket, author_kind=TicketMessage.Author.AGENT, author=agent, body=body, saved_reply=saved_reply
    )
    to_state = TicketState.WAITING_ON_CLIENT if wait_for_client else TicketState.ANSWERED
    assignee = ticket.assigned_to if ticket.assigned_to_id is not None else agent
    ticket_transition(ticket=ticket, to_state=to_state, actor=agent, assigned_to=assignee, now=now)
    _tell_client(ticket=ticket, message=message)
    return message


@transaction.atomic
def ticket_merge(*, ticket_id: int, agent, into_id: int, now: datetime.datetime | None = None) -> Ticket:
    """Merge a duplicate into another open ticket of the same client; its messages stay where they are.

    Both rows are locked, lower id first, so two merges crossing each other cannot deadlock.
    """
    if into_id == ticket_id:
        raise WorkspaceRefused(_("An enquiry cannot be merged into itself."))
    first, second = sorted((ticket_id, into_id))
    locked = {first: ticket_locked(ticket_id=first), second: ticket_locked(ticket_id=second)}
    ticket, target = locked[ticket_id], locked[into_id]
    for one in (ticket, target):
        if not _works_queue(agent, one):
            raise WorkspaceRefused(_("This enquiry is no longer in one of your queues."))
    if ticket.state == TicketState.MERGED and ticket.merged_into_id == target.pk:
        return ticket
    _refuse_if_final(ticket)
    _refuse_if_someone_elses(ticket, agent)
    same_client = (ticket.account_id is not None and ticket.account_id == target.account_id) or (
        ticket.application_id is not None and ticket.application_id == target.application_id
    )
    if not same_client and ticket.account_id is None and target.account_id is None:
        same_client = ticket.contact_email.lower() == target.contact_email.lower()
    if not same_client:
        raise WorkspaceRefused(_("Only enquiries of the same client can be merged."))
    if target.state not in OPEN_TO_CLIENT_STATES:
        raise WorkspaceRefused(
            _("Enquiry %(reference)s is %(state)s: choose an enquiry that is still open.")
            % {"reference": target.reference, "state": TicketState(target.state).label.lower()}
        )
    ticket.merged_into = target
    ticket_transition(ticket=ticket, to_state=TicketState.MERGED, actor=agent, note=target.reference, now=now)
    return ticket


@transaction.atomic
def ticket_mark_spam(*, ticket_id: int, agent, now: datetime.datetime | None = None) -> Ticket:
    """Mark the ticket spam: it leaves the queue, stops its clock and is never answered."""
    ticket = _lock_for(ticket_id=ticket_id, agent=agent)
    if ticket.state == TicketState.SPAM:
        return ticket
    _refuse_if_someone_elses(ticket, agent)
    if TicketState.SPAM not in ALLOWED[TicketState(ticket.state)]:
        raise WorkspaceRefused(
            _("An enquiry that is %(state)s cannot be marked as spam.")
            % {"state": TicketState(ticket.state).label.lower()}
        )
    ticket_transition(ticket=ticket, to_state=TicketState.SPAM, actor=agent, now=now)
    return ticket
