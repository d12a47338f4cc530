"""Writes for the client's side of enquiries: sending one, confirming a guest's address, replying,
and counting the questions the page itself answered.

Each form carries a one-time key (`submission_key_new`), unique on the ticket or the
deflection it makes: the same form sent twice (a double click, a reload) makes one
ticket and one receipt, and the second sender is shown the first result. A ticket is
queued only through `ticket_transition` (which starts its clock), and every email
goes through the outbox in the same transaction.
"""

import datetime
import secrets
from collections.abc import Callable
from dataclasses import dataclass

from django.core import signing
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from applications.models import Application
from core.dates import date_format
from enquiries.crisis import CRISIS_PRIORITY, crisis_channel_quoted, crisis_channels_on, crisis_topic_of
from enquiries.models import (
    FINAL_STATES,
    CrisisChannel,
    Deflection,
    Document,
    Ticket,
    TicketMessage,
    TicketState,
    Topic,
)
from enquiries.on_behalf import URGENT_PRIORITY_BOOST, Sender, route_for, standard_days_for
from enquiries.references import reference_new
from enquiries.services import ticket_locked, ticket_transition
from notifications.models import Kind
from notifications.outbox import OutboundMessage, outbox_write

CONFIRM_SALT = "enquiries.confirm"
# A person without an account has three days to confirm their address.
CONFIRM_MAX_AGE_SECONDS = 3 * 24 * 3600
# Tries at a fresh reference when the random one is already taken (about one in 10^11 each).
REFERENCE_TRIES = 5
# The same words sent again on the same ticket within this time are the same reply sent twice.
REPEATED_REPLY_WINDOW = datetime.timedelta(minutes=10)

# Called with the ticket's new message inside the transaction that makes it: where the
# documents pipeline stores the files sent with it.
MessageHook = Callable[[TicketMessage], None]


class SubmissionKeyUsed(Exception):
    """The form's one-time key was used by someone else: the form must be sent again from a fresh page."""


class ReplyRefused(Exception):
    """The ticket is finished (closed, merged, spam) or not yet confirmed: a new enquiry is the way."""


@dataclass(frozen=True)
class Submitted:
    ticket: Ticket
    replayed: bool = False  # this form had been sent before: nothing new was made


def submission_key_new() -> str:
    return secrets.token_urlsafe(24)


def message_clean(text: str) -> str:
    """Plain text as stored: line ends made uniform, outer blank space removed."""
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


# ---- Routing ------------------------------------------------------------------------------


def _route(*, topic: Topic, message: str, now: datetime.datetime) -> tuple[Topic, CrisisChannel | None]:
    """The topic and crisis channel an enquiry belongs to.

    A crisis topic chosen on the form is its channel's; a message quoting a channel's
    keyword goes to that channel's topic whatever topic was chosen.
    """
    if topic.crisis_channel_id is not None:
        return topic, topic.crisis_channel
    channel = crisis_channel_quoted(text=message, channels=crisis_channels_on(now=now))
    if channel is None:
        return topic, None
    return crisis_topic_of(channel) or topic, channel


def _priority(*, topic: Topic, channel: CrisisChannel | None) -> int:
    return max(topic.priority, CRISIS_PRIORITY) if channel is not None else topic.priority


# ---- Creating tickets ---------------------------------------------------------------------


def _ticket_create(*, submission_key: str, **fields) -> Ticket:
    """A new ticket under a fresh reference; retries the rare reference collision.

    Raises `_AlreadySent` when a ticket with this form key exists (the form was sent twice).
    """
    for _try in range(REFERENCE_TRIES):
        try:
            with transaction.atomic():
                return Ticket.objects.create(reference=reference_new(), submission_key=submission_key, **fields)
        except IntegrityError:
            # A concurrent first sending of the same form waited on the unique index: it is committed now.
            if submission_key and Ticket.objects.filter(submission_key=submission_key).exists():
                raise _AlreadySent from None
    raise RuntimeError("no free reference number after several tries")


class _AlreadySent(Exception):
    pass


def _sent_before(*, submission_key: str, account, email: str = "") -> Ticket:
    """The ticket this form key made, when the same sender sent it (the account, or the same address)."""
    ticket = Ticket.objects.filter(submission_key=submission_key).first()
    if ticket is None or ticket.account_id != (account.pk if account is not None else None):
        raise SubmissionKeyUsed
    if account is None and ticket.contact_email.casefold() != email.casefold():
        raise SubmissionKeyUsed
    return ticket


def _create_with_message(
    *,
    account,
    application: Application | None,
    topic: Topic,
    message: str,
    language: str,
    contact_email: str,
    contact_name: str,
    submission_key: str,
    now: datetime.datetime,
    on_message: MessageHook | None,
    sender: Sender | None = None,
    urgent: bool = False,
) -> tuple[Ticket, TicketMessage]:
    body = message_clean(message)
    sender = sender or Sender()
    topic, urgent = route_for(sender=sender, topic=topic, urgent=urgent)
    if topic.kind == Topic.Kind.PARLIAMENTARY:
        # The parliamentary queue keeps its own standards: no crisis keyword moves it.
        channel = None
    else:
        topic, channel = _route(topic=topic, message=body, now=now)
    priority = _priority(topic=topic, channel=channel) + (URGENT_PRIORITY_BOOST if urgent else 0)
    ticket = _ticket_create(
        submission_key=submission_key,
        account=account,
        application=application,
        topic=topic,
        crisis_channel=channel,
        on_behalf_grant=sender.grant,
        organisation=sender.organisation,
        urgent=urgent,
        state=TicketState.UNCONFIRMED,
        language=language,
        contact_email=contact_email,
        contact_name=contact_name[:200],
        priority=priority,
        service_standard_days=standard_days_for(topic=topic, urgent=urgent),
    )
    first = TicketMessage.objects.create(
        ticket=ticket, author_kind=TicketMessage.Author.CLIENT, author=account, body=body
    )
    if on_message is not None:
        on_message(first)
    return ticket, first


def _receipt_wording(*, ticket: Ticket, body: str, language: str) -> str:
    """The receipt's own part, in one language: the date we will answer by, and a copy of the message."""
    with translation.override(language):
        due = date_format(ticket.due_on, "DATE_FORMAT") if ticket.due_on else ""
        lines = [
            _("We will answer by %(date)s.") % {"date": due},
            "",
            _("Here is a copy of what you sent us:"),
            "",
            body,
        ]
    return "\n".join(lines)


def _receipt_write(*, ticket: Ticket, body: str) -> None:
    """The ENQUIRY_RECEIPT email (and, for an account, the notification centre entry), once per ticket."""
    if ticket.account is not None:
        recipient, address, language, application_id = ticket.account, "", "", ticket.application_id
        link_path = f"enquiries/{ticket.reference}/"
    else:
        # Nothing to sign in to: the link is the form, to write again quoting the reference. No
        # application on the row either, as a row about a file reaches only people who may see it.
        recipient, address, language, application_id = None, ticket.contact_email, ticket.language, None
        link_path = "enquiries/new/"
    message = OutboundMessage(
        recipient=recipient,
        address=address,
        language=language,
        application_id=application_id,
        kind=Kind.ENQUIRY_RECEIPT,
        dedupe_key=f"enquiry_receipt:{ticket.pk}",
        message_en=_receipt_wording(ticket=ticket, body=body, language="en"),
        message_fr=_receipt_wording(ticket=ticket, body=body, language="fr"),
        message_in_email=True,
        about_label=ticket.reference,
        link_path=link_path,
    )
    outbox_write(messages=[message])


def _queue(*, ticket: Ticket, actor, actor_label: str, body: str, now: datetime.datetime) -> None:
    """Queue the new (locked or just made) ticket: the clock starts; then the receipt."""
    ticket_transition(ticket=ticket, to_state=TicketState.NEW, actor=actor, actor_label=actor_label, now=now)
    _receipt_write(ticket=ticket, body=body)


def ticket_submit(
    *,
    account,
    application: Application | None,
    topic: Topic,
    message: str,
    language: str,
    submission_key: str,
    now: datetime.datetime | None = None,
    on_message: MessageHook | None = None,
    sender: Sender | None = None,
    urgent: bool = False,
) -> Submitted:
    """A signed-in person's enquiry: queued at once, with a reference, a due date and an email receipt.

    `application` must come through applications.access (the caller's job), and so must
    `sender` when they write for a client (enquiries.on_behalf.sender_for): the ticket
    then records the grant and organisation, and goes to the parliamentary queue for an
    office (`urgent` applies only there). The same `submission_key` sent again returns
    the first ticket (`replayed`), made once.
    """
    now = now or timezone.now()
    try:
        with transaction.atomic():
            ticket, first = _create_with_message(
                account=account,
                application=application,
                topic=topic,
                message=message,
                language=language,
                contact_email=account.email,
                contact_name="",
                submission_key=submission_key,
                now=now,
                on_message=on_message,
                sender=sender,
                urgent=urgent,
            )
            ticket.email_confirmed_at = now  # the account's address, verified at sign-up
            _queue(ticket=ticket, actor=account, actor_label="", body=first.body, now=now)
    except _AlreadySent:
        return Submitted(ticket=_sent_before(submission_key=submission_key, account=account), replayed=True)
    return Submitted(ticket=ticket)


# ---- People without an account ------------------------------------------------------------


def confirm_token(*, ticket: Ticket) -> str:
    return signing.dumps({"ticket": ticket.pk, "ref": ticket.reference}, salt=CONFIRM_SALT, compress=True)


def confirm_ticket(*, token: str) -> Ticket | None:
    """The ticket a valid, unexpired confirmation token names, or None (bad, expired or gone)."""
    try:
        data = signing.loads(token, salt=CONFIRM_SALT, max_age=CONFIRM_MAX_AGE_SECONDS)
    except signing.BadSignature:  # SignatureExpired included
        return None
    if not isinstance(data, dict) or not isinstance(data.get("ticket"), int) or not isinstance(data.get("ref"), str):
        return None
    return (
        Ticket.objects.select_related("topic", "application")
        .filter(pk=data["ticket"], reference=data["ref"], account__isnull=True)
        .first()
    )


def confirm_path(*, ticket: Ticket) -> str:
    """The confirmation page's path below the language prefix, for the email's link."""
    return f"enquiries/confirm/{confirm_token(ticket=ticket)}/"


def ticket_guest_submit(
    *,
    application: Application,
    topic: Topic,
    message: str,
    language: str,
    email: str,
    name: str,
    submission_key: str,
    now: datetime.datetime | None = None,
    on_message: MessageHook | None = None,
) -> Submitted:
    """The enquiry of a person without an account, identified by `application_identify_guest`.

    It waits, unconfirmed, for the person to open the link emailed to `email`; nothing
    is queued before that. The same `submission_key` sent again makes nothing new.
    """
    now = now or timezone.now()
    try:
        with transaction.atomic():
            ticket, _first = _create_with_message(
                account=None,
                application=application,
                topic=topic,
                message=message,
                language=language,
                contact_email=email,
                contact_name=name,
                submission_key=submission_key,
                now=now,
                on_message=on_message,
            )
            outbox_write(
                messages=[
                    OutboundMessage(
                        recipient=None,
                        address=email,
                        language=language,
                        kind=Kind.ENQUIRY_CONFIRM,
                        dedupe_key=f"enquiry_confirm:{ticket.pk}",
                        link_path=confirm_path(ticket=ticket),
                    )
                ]
            )
    except _AlreadySent:
        return Submitted(ticket=_sent_before(submission_key=submission_key, account=None, email=email), replayed=True)
    return Submitted(ticket=ticket)


def ticket_guest_confirm(*, ticket: Ticket, now: datetime.datetime | None = None) -> Submitted:
    """Queue a guest's ticket once they confirmed their address; confirming again changes nothing."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = ticket_locked(ticket_id=ticket.pk)
        if locked.state != TicketState.UNCONFIRMED:
            return Submitted(ticket=locked, replayed=True)
        locked.email_confirmed_at = now
        first = locked.messages.filter(author_kind=TicketMessage.Author.CLIENT).order_by("created_at", "id").first()
        _queue(
            ticket=locked,
            actor=None,
            actor_label=(locked.contact_name or locked.contact_email)[:160],
            body=first.body if first else "",
            now=now,
        )
    return Submitted(ticket=locked)


# ---- Replies and deflections --------------------------------------------------------------


def ticket_client_reply(
    *,
    ticket: Ticket,
    account,
    message: str,
    now: datetime.datetime | None = None,
    on_message: MessageHook | None = None,
) -> Submitted:
    """The client adds to their (open) enquiry, reached through enquiries.access.ticket_for_client.

    A reply to an answered ticket reopens it and one to a ticket waiting on the client
    restarts its clock: back to the agent who has it (open), or to the queue (new) when
    nobody does. The same words sent again within minutes are the same reply, kept once.
    """
    now = now or timezone.now()
    body = message_clean(message)
    with transaction.atomic():
        locked = ticket_locked(ticket_id=ticket.pk)
        if locked.state in FINAL_STATES or locked.state == TicketState.UNCONFIRMED:
            raise ReplyRefused
        last = locked.messages.filter(author_kind=TicketMessage.Author.CLIENT).order_by("-created_at", "-id").first()
        if last is not None and last.body == body and last.created_at > now - REPEATED_REPLY_WINDOW:
            return Submitted(ticket=locked, replayed=True)
        reply = TicketMessage.objects.create(
            ticket=locked, author_kind=TicketMessage.Author.CLIENT, author=account, body=body
        )
        if on_message is not None:
            on_message(reply)
        if locked.state in (TicketState.WAITING_ON_CLIENT, TicketState.ANSWERED):
            ticket_transition(
                ticket=locked,
                to_state=TicketState.OPEN if locked.assigned_to_id else TicketState.NEW,
                actor=account,
                note="The client replied.",
                now=now,
            )
        else:
            # Still the agent's move: the message alone is news (updated_at moves for the queue).
            locked.save(update_fields=["updated_at"])
    return Submitted(ticket=locked)


def deflection_record(*, account, application: Application | None, topic: Topic, submission_key: str) -> bool:
    """Count one question the page answered; the same page's button pressed again counts nothing.

    Returns whether this press was counted.
    """
    try:
        with transaction.atomic():
            Deflection.objects.create(
                account=account, application=application, topic=topic, submission_key=submission_key
            )
    except IntegrityError:
        return False
    return True


# A guest's ticket is kept a day past the end of its confirmation link, then removed.
UNCONFIRMED_KEPT = datetime.timedelta(seconds=CONFIRM_MAX_AGE_SECONDS) + datetime.timedelta(days=1)


def tickets_unconfirmed_delete(*, now: datetime.datetime | None = None) -> int:
    """Delete guest enquiries whose email was never confirmed once their link has expired; return how many.

    Nobody can confirm them any more, and a message nobody vouched for is not kept:
    the ticket goes with its message and the rows of any files sent with it, and the
    files themselves leave the store once the deletion is committed. Safe to repeat.
    """
    now = now or timezone.now()
    expired = Ticket.objects.filter(state=TicketState.UNCONFIRMED, created_at__lt=now - UNCONFIRMED_KEPT)
    with transaction.atomic():
        locked = list(expired.select_for_update(skip_locked=True).values_list("pk", flat=True))
        if not locked:
            return 0
        documents = Document.objects.filter(ticket_id__in=locked).exclude(file="")
        names = list(documents.values_list("file", flat=True))
        Ticket.objects.filter(pk__in=locked).delete()
        storage = Document._meta.get_field("file").storage

        def files_delete() -> None:
            for name in names:
                storage.delete(name)

        transaction.on_commit(files_delete, robust=True)
    return len(locked)
