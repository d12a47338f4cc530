"""Tickets, their messages and the record of every change; the states and the service clock's columns."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from applications.models import Language
from enquiries.models.topics import CrisisChannel, Topic


class TicketState(models.TextChoices):
    UNCONFIRMED = "unconfirmed", _("Waiting for email confirmation")
    NEW = "new", _("New")
    OPEN = "open", _("Open")
    WAITING_ON_CLIENT = "waiting_on_client", _("Waiting on the client")
    ANSWERED = "answered", _("Answered")
    CLOSED = "closed", _("Closed")
    MERGED = "merged", _("Merged")
    SPAM = "spam", _("Spam")


# States in which the ticket still needs work from the centre: the queue, the clock, the alerts.
ACTIVE_STATES = [TicketState.NEW, TicketState.OPEN]


# States the client may add to (a reply to an answered ticket reopens it).
OPEN_TO_CLIENT_STATES = [TicketState.NEW, TicketState.OPEN, TicketState.WAITING_ON_CLIENT, TicketState.ANSWERED]


# Finished: nothing moves any more except by a new enquiry.
FINAL_STATES = [TicketState.CLOSED, TicketState.MERGED, TicketState.SPAM]


class Ticket(models.Model):
    """One enquiry. `account` is who sent it and hears the answer: the client, or a grantee
    writing on the client's behalf under `on_behalf_grant` (for `organisation`, when the
    grantee is an office or firm)."""

    reference = models.CharField(_("reference number"), max_length=11, unique=True)
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="enquiries",
    )
    application = models.ForeignKey(
        "applications.Application",
        verbose_name=_("application"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="enquiries",
    )
    topic = models.ForeignKey(Topic, verbose_name=_("topic"), on_delete=models.PROTECT, related_name="tickets")
    crisis_channel = models.ForeignKey(
        CrisisChannel,
        verbose_name=_("crisis channel"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tickets",
    )
    # Sent for the client by someone they gave a grant that lets them act (see applications.access).
    on_behalf_grant = models.ForeignKey(
        "applications.Grant",
        verbose_name=_("sent under the client's grant"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="enquiries",
    )
    # The office or firm the sender wrote for: the grant's organisation, or a parliamentary
    # office's own question about no particular file.
    organisation = models.ForeignKey(
        "applications.Organisation",
        verbose_name=_("sent for the organisation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="enquiries",
    )
    # Marked urgent by a parliamentary office: the topic's shorter standard applies.
    urgent = models.BooleanField(_("urgent"), default=False, db_default=False)
    state = models.CharField(_("state"), max_length=20, choices=TicketState.choices, default=TicketState.NEW)
    language = models.CharField(_("reply language"), max_length=2, choices=Language.choices)
    # Where answers go: the account's address, or the one a person without an account confirmed.
    contact_email = models.EmailField(_("contact email"))
    contact_name = models.CharField(_("contact name"), max_length=200, blank=True)
    email_confirmed_at = models.DateTimeField(_("email confirmed"), null=True, blank=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned to"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_enquiries",
    )
    priority = models.SmallIntegerField(_("priority"), default=0)
    merged_into = models.ForeignKey(
        "self", verbose_name=_("merged into"), on_delete=models.PROTECT, null=True, blank=True, related_name="merged"
    )
    # The service clock (enquiries/clock.py).
    queued_at = models.DateTimeField(_("queued"), null=True, blank=True)
    clock_started_on = models.DateField(_("clock started on"), null=True, blank=True)
    service_standard_days = models.PositiveSmallIntegerField(_("service standard (business days)"))
    paused_business_days = models.PositiveIntegerField(_("business days paused"), default=0)
    paused_since = models.DateTimeField(_("paused since"), null=True, blank=True)
    due_on = models.DateField(_("answer due by"), null=True, blank=True)
    at_risk_alerted_at = models.DateTimeField(_("at-risk alert sent"), null=True, blank=True)
    breach_alerted_at = models.DateTimeField(_("breach alert sent"), null=True, blank=True)
    first_answered_at = models.DateTimeField(_("first answered"), null=True, blank=True)
    # Business days from queueing to the first answer, pauses left out: the dashboard's measure.
    first_answer_business_days = models.PositiveIntegerField(_("business days to first answer"), null=True, blank=True)
    answered_at = models.DateTimeField(_("last answered"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    # The one-time key of the form that sent it: the same form sent twice makes one ticket.
    submission_key = models.CharField(
        _("form key"), max_length=64, blank=True, default="", db_default="", editable=False
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("enquiry")
        verbose_name_plural = _("enquiries")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["state", "-priority", "due_on", "id"], name="ticket_queue_idx"),
            # The agent queue's default view (work still to do), read in its own order: no sort, stops after a page.
            models.Index(
                fields=["-priority", "due_on", "id"],
                name="ticket_work_queue_idx",
                condition=Q(state__in=["new", "open", "waiting_on_client"]),
            ),
            models.Index(fields=["topic", "state", "-priority", "due_on", "id"], name="ticket_topic_queue_idx"),
            models.Index(fields=["assigned_to", "state", "due_on"], name="ticket_assignee_idx"),
            models.Index(fields=["account", "-created_at"], name="ticket_account_idx"),
            models.Index(fields=["application", "-created_at"], name="ticket_application_idx"),
            # An office's enquiries, for its members' list.
            models.Index(
                fields=["organisation", "-created_at"],
                name="ticket_organisation_idx",
                condition=Q(organisation__isnull=False),
            ),
            models.Index(fields=["state", "answered_at"], name="ticket_answered_idx", condition=Q(state="answered")),
            models.Index(fields=["queued_at"], name="ticket_queued_idx"),
            # The retention job looks for tickets closed before a cut-off date.
            models.Index(fields=["closed_at"], name="ticket_closed_idx", condition=Q(state="closed")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    state__in=[
                        "unconfirmed",
                        "new",
                        "open",
                        "waiting_on_client",
                        "answered",
                        "closed",
                        "merged",
                        "spam",
                    ]
                ),
                name="ticket_state_known",
            ),
            models.CheckConstraint(condition=Q(language__in=["en", "fr"]), name="ticket_language_known"),
            models.CheckConstraint(
                condition=Q(reference__regex=r"^[0-9A-Z]{3}-[0-9A-Z]{3}-[0-9A-Z]{3}$"), name="ticket_reference_format"
            ),
            models.CheckConstraint(
                condition=~Q(state="merged") | Q(merged_into__isnull=False), name="ticket_merged_has_target"
            ),
            models.CheckConstraint(condition=Q(service_standard_days__gt=0), name="ticket_standard_positive"),
            models.UniqueConstraint(
                fields=["submission_key"], condition=~Q(submission_key=""), name="ticket_submitted_once"
            ),
            # Acting for a client is about one of their files, and is done from an account.
            models.CheckConstraint(
                condition=Q(on_behalf_grant__isnull=True) | (Q(application__isnull=False) & Q(account__isnull=False)),
                name="ticket_on_behalf_has_file_and_sender",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def on_behalf(self) -> bool:
        return self.on_behalf_grant_id is not None


class TicketMessage(models.Model):
    """Something said on a ticket: by the client, by an agent to the client, or an internal note."""

    class Author(models.TextChoices):
        CLIENT = "client", _("Client")
        AGENT = "agent", _("Agent")
        NOTE = "note", _("Internal note")

    ticket = models.ForeignKey(Ticket, verbose_name=_("enquiry"), on_delete=models.CASCADE, related_name="messages")
    author_kind = models.CharField(_("from"), max_length=10, choices=Author.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("written by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    body = models.TextField(_("message"))
    saved_reply = models.ForeignKey(
        "SavedReply", verbose_name=_("saved reply used"), on_delete=models.SET_NULL, null=True, blank=True
    )
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)

    class Meta:
        verbose_name = _("enquiry message")
        verbose_name_plural = _("enquiry messages")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["ticket", "created_at"], name="ticket_message_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(author_kind__in=["client", "agent", "note"]), name="ticket_message_author_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.author_kind} {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def internal(self) -> bool:
        return self.author_kind == self.Author.NOTE


class TicketChange(models.Model):
    """Every change of state or of assignee: who, when, from what to what, and why."""

    ticket = models.ForeignKey(Ticket, verbose_name=_("enquiry"), on_delete=models.CASCADE, related_name="changes")
    from_state = models.CharField(_("from"), max_length=20, blank=True)
    to_state = models.CharField(_("to"), max_length=20)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned to"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # Kept when the account is gone: "system" for beat tasks, else the person's name at the time.
    actor_label = models.CharField(_("by (as recorded)"), max_length=160, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        verbose_name = _("enquiry change")
        verbose_name_plural = _("enquiry changes")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["ticket", "created_at"], name="ticket_change_idx")]

    def __str__(self) -> str:
        return f"{self.ticket_id}: {self.from_state} → {self.to_state}"
