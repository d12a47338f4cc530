"""The notification outbox, the in-app notification centre and each person's preferences."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from applications.models import Bilingual


class Kind(models.TextChoices):
    STATUS_CHANGE = "status_change", _("Status change")
    ACTION_REQUIRED = "action_required", _("Action required")
    DECISION = "decision", _("Decision")
    OVERDUE = "overdue", _("Outside normal processing time")
    DIGEST = "digest", _("Daily digest")
    ENQUIRY_RECEIPT = "enquiry_receipt", _("Enquiry received")
    ENQUIRY_CONFIRM = "enquiry_confirm", _("Confirm your email address")
    ENQUIRY_ANSWERED = "enquiry_answered", _("Enquiry answered")
    ENQUIRY_ALERT = "enquiry_alert", _("Enquiry at risk of missing its service standard")
    # Who can see a client's file: a grant given, narrowed, revoked or first used; a request for one.
    ACCESS_CHANGED = "access_changed", _("Who can see your file")
    # To a delegate: access given, asked for and answered, an invitation to an organisation.
    DELEGATE_ACCESS = "delegate_access", _("Access to a client's file")
    # A liaison appointment booked, changed, cancelled, or coming soon.
    APPOINTMENT = "appointment", _("Liaison appointment")


# The kinds a person can choose channels for (a digest is a way of delivering them).
PREFERENCE_KINDS = [Kind.STATUS_CHANGE, Kind.ACTION_REQUIRED, Kind.DECISION, Kind.OVERDUE, Kind.ENQUIRY_ANSWERED]
# Sent by email whatever the preferences: the person just asked for them (a receipt, a confirmation link).
TRANSACTIONAL_KINDS = [
    Kind.ENQUIRY_RECEIPT,
    Kind.ENQUIRY_CONFIRM,
    # Who can see a file is the client's to know whatever their preferences; delegates and
    # liaison officers need their access and appointments by email to do their work.
    Kind.ACCESS_CHANGED,
    Kind.DELEGATE_ACCESS,
    Kind.APPOINTMENT,
]
KIND_VALUES = [kind.value for kind in Kind]


class Channel(models.TextChoices):
    EMAIL = "email", _("Email")
    SMS = "sms", _("Text message (SMS)")
    IN_APP = "in_app", _("In the portal")


class State(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENDING = "sending", _("Being sent")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    HELD = "held", _("Held for the daily digest")
    DIGESTED = "digested", _("Sent in a daily digest")
    WITHDRAWN = "withdrawn", _("Not sent: the person may no longer see this file")


# Rows a worker still has to deal with: the sweeper looks only at these.
OPEN_STATES = [State.PENDING, State.SENDING]


class Notification(Bilingual, models.Model):
    """One message to one person on one channel: written in the same transaction as its cause.

    Delivery is idempotent: `state` says where the row is, and `reference` (sent to
    the provider with the message) lets a retry ask the provider whether an earlier
    attempt got through before sending again. The producer names what the news is
    about with `dedupe_key` ("status_event:<id>", "overdue:<application id>"), which
    the database keeps once per person and channel, and gives its wording in both
    languages; this app knows nothing else of its cause.
    """

    reference = models.UUIDField(_("provider reference"), default=uuid.uuid4, unique=True, editable=False)
    # Empty only for an email to a person without an account (an enquiry sent without signing in):
    # then `address` is the whole recipient.
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
    )
    application = models.ForeignKey(
        "applications.Application",
        verbose_name=_("application"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
    )
    dedupe_key = models.CharField(_("deduplication key"), max_length=100, blank=True, default="", db_default="")
    # The producer's own wording, shown in the notification centre behind sign-in.
    message_en = models.TextField(_("message (English)"), blank=True, default="", db_default="")
    message_fr = models.TextField(_("message (French)"), blank=True, default="", db_default="")
    # Whether emails may quote that wording too; text messages never do.
    message_in_email = models.BooleanField(_("message may be quoted in emails"), default=False, db_default=False)
    # For news about something other than an application (an enquiry): its label, such as a
    # reference number, for the subject line, and the page to link to, below the language prefix.
    about_label = models.CharField(_("about"), max_length=40, blank=True, default="", db_default="")
    link_path = models.CharField(_("link"), max_length=300, blank=True, default="", db_default="")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PENDING)
    language = models.CharField(_("language"), max_length=2, default="en")
    # The address used, fixed when the row is written (email or E.164 phone number).
    address = models.CharField(_("sent to"), max_length=254, blank=True)
    digest_on = models.DateField(_("digest of"), null=True, blank=True)
    digest = models.ForeignKey(
        "self", verbose_name=_("sent in digest"), on_delete=models.SET_NULL, null=True, blank=True, related_name="items"
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    claimed_at = models.DateTimeField(_("attempt started"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    provider_id = models.CharField(_("provider's id"), max_length=64, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "channel", "dedupe_key"],
                condition=~Q(dedupe_key=""),
                name="notification_once_per_key",
            ),
            models.UniqueConstraint(
                fields=["recipient", "channel", "digest_on"],
                condition=Q(kind="digest"),
                name="notification_digest_once_a_day",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=KIND_VALUES),
                name="notification_kind_known",
            ),
            models.UniqueConstraint(
                fields=["address", "channel", "dedupe_key"],
                condition=Q(recipient__isnull=True) & ~Q(dedupe_key=""),
                name="notification_once_per_key_and_address",
            ),
            models.CheckConstraint(
                condition=Q(recipient__isnull=False) | (Q(channel="email") & ~Q(address="")),
                name="notification_recipient_or_address",
            ),
            models.CheckConstraint(
                condition=Q(channel__in=["email", "sms", "in_app"]), name="notification_channel_known"
            ),
            models.CheckConstraint(
                condition=Q(state__in=["pending", "sending", "sent", "failed", "held", "digested", "withdrawn"]),
                name="notification_state_known",
            ),
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at"], name="notification_open_idx", condition=Q(state__in=["pending", "sending"])
            ),
            models.Index(fields=["recipient", "channel", "-created_at"], name="notification_recipient_idx"),
            models.Index(
                fields=["recipient"],
                name="notification_unread_idx",
                condition=Q(channel="in_app", read_at__isnull=True),
            ),
            models.Index(fields=["recipient", "created_at"], name="notification_held_idx", condition=Q(state="held")),
            models.Index(fields=["state", "created_at"], name="notification_state_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} / {self.get_channel_display()} → {self.recipient_id}"

    @property
    def message(self) -> str:
        return self.localized("message")


class NotificationPreference(models.Model):
    """Which channels a person wants for which kinds of news, and whether in a daily digest.

    The in-app notification centre always receives everything. A person without a
    row gets the defaults below (email for every kind, no SMS, no digest).
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference"
    )
    email_status_change = models.BooleanField(_("email: status changes"), default=True)
    email_action_required = models.BooleanField(_("email: action required"), default=True)
    email_decision = models.BooleanField(_("email: decisions"), default=True)
    email_overdue = models.BooleanField(_("email: outside normal processing time"), default=True)
    sms_status_change = models.BooleanField(_("SMS: status changes"), default=False)
    sms_action_required = models.BooleanField(_("SMS: action required"), default=False)
    sms_decision = models.BooleanField(_("SMS: decisions"), default=False)
    sms_overdue = models.BooleanField(_("SMS: outside normal processing time"), default=False)
    email_enquiry_answered = models.BooleanField(_("email: enquiry answered"), default=True)
    sms_enquiry_answered = models.BooleanField(_("SMS: enquiry answered"), default=False)
    # Agents and supervisors: tickets close to or past their service standard.
    email_enquiry_alert = models.BooleanField(_("email: enquiries at risk"), default=True)
    phone_number = models.CharField(_("mobile number for SMS"), max_length=16, blank=True)
    daily_digest = models.BooleanField(_("one daily email instead of one per change"), default=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [
            models.CheckConstraint(
                condition=Q(phone_number="") | Q(phone_number__regex=r"^\+[1-9][0-9]{7,14}$"),
                name="preference_phone_e164",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}"

    def wants(self, *, channel: str, kind: str) -> bool:
        if channel == Channel.IN_APP:
            return True
        if channel == Channel.EMAIL and kind in TRANSACTIONAL_KINDS:
            return True
        if channel == Channel.SMS and not self.phone_number:
            return False
        return bool(getattr(self, f"{channel}_{kind}", False))
