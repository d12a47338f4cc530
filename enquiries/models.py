"""Client Support Centre enquiries: topics (each a queue with its own service standard),
tickets and their messages, the record of every change, documents, saved replies,
crisis channels, satisfaction answers and the monthly service figures.

A ticket's service clock counts business days in the office's time zone (see
enquiries/clock.py): `clock_started_on` is the first business day it counts,
`paused_business_days` the days already spent waiting on the client, and
`paused_since` is set while the clock is stopped. `due_on` is derived from those and
rewritten whenever one of them changes, so the queue can sort and filter on it.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from applications.models import Language
from core.i18n import Bilingual
from enquiries.storage import documents_storage


class CrisisChannel(Bilingual, models.Model):
    """A temporary channel for people caught in a crisis: its banner, keyword and dedicated topic."""

    name_en = models.CharField(_("name (English)"), max_length=120)
    name_fr = models.CharField(_("name (French)"), max_length=120)
    keyword_en = models.CharField(
        _("keyword (English)"), max_length=40, help_text=_("Enquiries quoting it go to the channel's topic.")
    )
    keyword_fr = models.CharField(_("keyword (French)"), max_length=40)
    banner_en = models.TextField(_("banner (English)"))
    banner_fr = models.TextField(_("banner (French)"))
    is_active = models.BooleanField(_("switched on"), default=True)
    opens_at = models.DateTimeField(_("opens"))
    closes_at = models.DateTimeField(_("closes"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("crisis channel")
        verbose_name_plural = _("crisis channels")
        ordering = ["-opens_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__isnull=True) | Q(closes_at__gt=models.F("opens_at")),
                name="crisis_channel_closes_after_opening",
            ),
        ]

    def __str__(self) -> str:
        return self.name_en

    @property
    def name(self) -> str:
        return self.localized("name")

    @property
    def keyword(self) -> str:
        return self.localized("keyword")

    @property
    def banner(self) -> str:
        return self.localized("banner")


class Topic(Bilingual, models.Model):
    """What an enquiry is about; each topic is one queue with its own standard and its own agents."""

    class Kind(models.TextChoices):
        STATUS = "status", _("Status of an application")
        DOCUMENT = "document", _("A document that was asked for")
        CONTACT = "contact", _("Change of address or contact details")
        URGENT = "urgent", _("Urgent processing")
        TECHNICAL = "technical", _("A technical problem")
        OTHER = "other", _("Other")
        CRISIS = "crisis", _("Crisis")
        # The queue of enquiries from the offices of Members of Parliament and Senators.
        PARLIAMENTARY = "parliamentary", _("Parliamentary enquiries")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.OTHER)
    name_en = models.CharField(_("name (English)"), max_length=120)
    name_fr = models.CharField(_("name (French)"), max_length=120)
    description_en = models.TextField(_("description (English)"), blank=True)
    description_fr = models.TextField(_("description (French)"), blank=True)
    service_standard_days = models.PositiveSmallIntegerField(_("service standard (business days)"))
    # A queue that takes urgent enquiries (the parliamentary one) answers them within this shorter standard.
    urgent_standard_days = models.PositiveSmallIntegerField(
        _("service standard when urgent (business days)"), null=True, blank=True
    )
    # Higher comes first in the queue; a crisis topic is above every other.
    priority = models.SmallIntegerField(_("priority"), default=0)
    position = models.PositiveSmallIntegerField(_("position in the list"), default=0)
    is_active = models.BooleanField(_("offered on the form"), default=True)
    crisis_channel = models.OneToOneField(
        CrisisChannel,
        verbose_name=_("crisis channel"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="topic",
    )
    # The agents who work this queue (supervisors see every queue).
    agents = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("agents"), blank=True, related_name="enquiry_topics"
    )

    class Meta:
        verbose_name = _("topic")
        verbose_name_plural = _("topics")
        ordering = ["position", "code"]
        constraints = [
            models.CheckConstraint(condition=Q(service_standard_days__gt=0), name="topic_service_standard_positive"),
            models.CheckConstraint(
                condition=Q(
                    kind__in=[
                        "status",
                        "document",
                        "contact",
                        "urgent",
                        "technical",
                        "other",
                        "crisis",
                        "parliamentary",
                    ]
                ),
                name="topic_kind_known",
            ),
            models.CheckConstraint(
                condition=Q(urgent_standard_days__isnull=True)
                | Q(urgent_standard_days__gt=0, urgent_standard_days__lte=models.F("service_standard_days")),
                name="topic_urgent_standard_shorter",
            ),
        ]

    def __str__(self) -> str:
        return self.name_en

    @property
    def name(self) -> str:
        return self.localized("name")

    @property
    def description(self) -> str:
        return self.localized("description")


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


def document_path(instance: "Document", filename: str) -> str:
    # Never the sender's file name: a random name in a dated folder, outside any public URL.
    return f"documents/{instance.created_on_path()}/{uuid.uuid4().hex}"


class Document(models.Model):
    """A file a client sent: with an enquiry, or for a *waiting on you* request on a stage."""

    ticket = models.ForeignKey(
        Ticket, verbose_name=_("enquiry"), on_delete=models.CASCADE, null=True, blank=True, related_name="documents"
    )
    message = models.ForeignKey(
        TicketMessage,
        verbose_name=_("message"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="documents",
    )
    application = models.ForeignKey(
        "applications.Application",
        verbose_name=_("application"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="documents",
    )
    # The stage whose *waiting on you* request the document answers.
    stage = models.ForeignKey(
        "applications.Stage",
        verbose_name=_("for the request at stage"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sent by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # Emptied when the file is deleted (retention); the row stays, with when and why.
    file = models.FileField(_("file"), upload_to=document_path, storage=documents_storage, max_length=200, blank=True)
    # As sent, cleaned of path separators and control characters; shown, never used as a path.
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("type"), max_length=60)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    # The files sent together in one go share it: the timeline groups them, and a form sent
    # twice (the same submission) stores its files once.
    submission = models.UUIDField(_("sent together as"), default=uuid.uuid4, editable=False)
    note = models.TextField(_("note from the sender"), blank=True, max_length=1000, db_default="")
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)
    deleted_at = models.DateTimeField(_("deleted"), null=True, blank=True)
    deleted_reason = models.CharField(_("why deleted"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["ticket", "created_at"], name="document_ticket_idx"),
            models.Index(fields=["application", "created_at"], name="document_application_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ticket__isnull=False) | Q(application__isnull=False), name="document_has_owner"
            ),
            models.UniqueConstraint(fields=["submission", "sha256"], name="document_once_per_submission"),
        ]

    def __str__(self) -> str:
        return self.original_name

    def created_on_path(self) -> str:
        from django.utils import timezone

        return (self.created_at or timezone.now()).strftime("%Y/%m/%d")


class SavedReply(Bilingual, models.Model):
    """A bilingual answer agents start from; {placeholders} are filled with the application's own data."""

    title_en = models.CharField(_("title (English)"), max_length=120)
    title_fr = models.CharField(_("title (French)"), max_length=120)
    body_en = models.TextField(_("text (English)"))
    body_fr = models.TextField(_("text (French)"))
    topic = models.ForeignKey(
        Topic,
        verbose_name=_("topic"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="saved_replies",
        help_text=_("Leave empty to offer it in every queue."),
    )
    is_active = models.BooleanField(_("offered"), default=True)

    class Meta:
        verbose_name = _("saved reply")
        verbose_name_plural = _("saved replies")
        ordering = ["title_en"]

    def __str__(self) -> str:
        return self.title_en

    @property
    def title(self) -> str:
        return self.localized("title")


class Deflection(models.Model):
    """Someone who read what the portal already knew and said it answered their question."""

    topic = models.ForeignKey(Topic, verbose_name=_("topic"), on_delete=models.CASCADE, related_name="deflections")
    application = models.ForeignKey(
        "applications.Application", verbose_name=_("application"), on_delete=models.SET_NULL, null=True, blank=True
    )
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("account"), on_delete=models.SET_NULL, null=True, blank=True
    )
    # The one-time key of the page that offered the button: pressing it twice counts once.
    submission_key = models.CharField(
        _("form key"), max_length=64, blank=True, default="", db_default="", editable=False
    )
    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("question answered by the page")
        verbose_name_plural = _("questions answered by the page")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["submission_key"], condition=~Q(submission_key=""), name="deflection_counted_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.topic_id} {self.created_at:%Y-%m-%d}"


class SurveyResponse(models.Model):
    """The one satisfaction answer a ticket may get, through a signed link."""

    class Rating(models.IntegerChoices):
        VERY_DISSATISFIED = 1, _("Very dissatisfied")
        DISSATISFIED = 2, _("Dissatisfied")
        NEUTRAL = 3, _("Neither satisfied nor dissatisfied")
        SATISFIED = 4, _("Satisfied")
        VERY_SATISFIED = 5, _("Very satisfied")

    ticket = models.OneToOneField(Ticket, verbose_name=_("enquiry"), on_delete=models.CASCADE, related_name="survey")
    rating = models.PositiveSmallIntegerField(_("rating"), choices=Rating.choices)
    # For ratings below "neither": the reasons chosen from a short list (codes), and words.
    reasons = models.JSONField(_("reasons"), default=list, blank=True)
    comment = models.TextField(_("comment"), blank=True, max_length=2000)
    created_at = models.DateTimeField(_("answered"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("satisfaction answer")
        verbose_name_plural = _("satisfaction answers")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(rating__gte=1, rating__lte=5), name="survey_rating_range"),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id}: {self.rating}"


class ServiceSnapshot(models.Model):
    """One month's service figures for one topic (or all topics, topic empty), computed nightly in SQL."""

    computed_on = models.DateField(_("computed on"))
    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    topic = models.ForeignKey(
        Topic, verbose_name=_("topic"), on_delete=models.CASCADE, null=True, blank=True, related_name="snapshots"
    )
    received = models.PositiveIntegerField(_("enquiries received"))
    answered = models.PositiveIntegerField(_("answered"))
    answered_within_standard = models.PositiveIntegerField(_("answered within the standard"))
    median_days_to_answer = models.DecimalField(
        _("median business days to first answer"), max_digits=6, decimal_places=1, null=True, blank=True
    )
    p90_days_to_answer = models.DecimalField(
        _("90th percentile of business days to first answer"), max_digits=6, decimal_places=1, null=True, blank=True
    )
    deflected = models.PositiveIntegerField(_("answered by the page"))
    survey_responses = models.PositiveIntegerField(_("satisfaction answers"))
    satisfied = models.PositiveIntegerField(_("satisfied or very satisfied"))

    class Meta:
        verbose_name = _("service figures")
        verbose_name_plural = _("service figures")
        ordering = ["-computed_on", "month"]
        constraints = [
            models.UniqueConstraint(fields=["computed_on", "month", "topic"], name="service_snapshot_once"),
            models.UniqueConstraint(
                fields=["computed_on", "month"], condition=Q(topic__isnull=True), name="service_snapshot_all_once"
            ),
        ]
        indexes = [models.Index(fields=["-computed_on", "month"], name="service_snapshot_latest_idx")]

    def __str__(self) -> str:
        return f"{self.computed_on} {self.month:%Y-%m} {self.topic_id or 'all'}"
