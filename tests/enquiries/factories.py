"""Tickets for tests, made as the client's form makes them: a first message, then queued (the clock starts)."""

import datetime

from django.utils import timezone

from enquiries.models import Ticket, TicketMessage, TicketState, Topic
from enquiries.references import reference_new
from enquiries.services import ticket_transition


def make_ticket(
    *,
    account=None,
    application=None,
    topic: Topic | str = "status",
    body: str = "Where is my application?",
    language: str = "en",
    queued_at: datetime.datetime | None = None,
    contact_email: str = "",
) -> Ticket:
    if isinstance(topic, str):
        topic = Topic.objects.get(code=topic)
    ticket = Ticket.objects.create(
        reference=reference_new(),
        account=account,
        application=application,
        topic=topic,
        state=TicketState.UNCONFIRMED,
        language=language,
        contact_email=contact_email or (account.email if account else "someone@example.com"),
        priority=topic.priority,
        service_standard_days=topic.service_standard_days,
    )
    TicketMessage.objects.create(ticket=ticket, author_kind=TicketMessage.Author.CLIENT, author=account, body=body)
    ticket_transition(ticket=ticket, to_state=TicketState.NEW, actor=account, now=queued_at or timezone.now())
    return ticket
