"""Lines of business, their stages, clients and their applications, and account links."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from core.i18n import Bilingual


class Language(models.TextChoices):
    ENGLISH = "en", _("English")
    FRENCH = "fr", _("French")


class Stage(Bilingual, models.Model):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=120)
    name_fr = models.CharField(_("name (French)"), max_length=120)
    explanation_en = models.TextField(_("what happens (English)"))
    explanation_fr = models.TextField(_("what happens (French)"))
    client_action_en = models.TextField(_("what you can do (English)"), blank=True)
    client_action_fr = models.TextField(_("what you can do (French)"), blank=True)

    class Meta:
        verbose_name = _("stage")
        verbose_name_plural = _("stages")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name_en

    @property
    def name(self) -> str:
        return self.localized("name")

    @property
    def explanation(self) -> str:
        return self.localized("explanation")

    @property
    def client_action(self) -> str:
        return self.localized("client_action")


class Program(Bilingual, models.Model):
    class Category(models.TextChoices):
        TEMPORARY = "temporary", _("Temporary residence")
        PERMANENT = "permanent", _("Permanent residence")
        CITIZENSHIP = "citizenship", _("Citizenship")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=160)
    name_fr = models.CharField(_("name (French)"), max_length=160)
    description_en = models.TextField(_("description (English)"))
    description_fr = models.TextField(_("description (French)"))
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    service_standard_days = models.PositiveIntegerField(_("service standard (days)"))
    processing_window_days = models.PositiveIntegerField(
        _("processing-time window (days)"),
        default=183,
        help_text=_("Decisions made in this many past days make up the historical processing time."),
    )
    times_by_country = models.BooleanField(
        _("processing times by country of residence"),
        default=False,
        help_text=_("Publish processing times for each country of residence as well as overall."),
    )
    approved_next_steps_en = models.TextField(
        _("next steps after approval (English)"), blank=True, help_text=_("One step per line.")
    )
    approved_next_steps_fr = models.TextField(
        _("next steps after approval (French)"), blank=True, help_text=_("One step per line.")
    )
    stages = models.ManyToManyField(Stage, through="ProgramStage", related_name="programs")

    class Meta:
        verbose_name = _("program")
        verbose_name_plural = _("programs")
        ordering = ["name_en"]
        constraints = [
            models.CheckConstraint(condition=Q(service_standard_days__gt=0), name="program_service_standard_positive"),
            models.CheckConstraint(condition=Q(processing_window_days__gt=0), name="program_window_positive"),
            models.CheckConstraint(
                condition=Q(category__in=["temporary", "permanent", "citizenship"]), name="program_category_known"
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


class ProgramStage(models.Model):
    """A stage's place in a program's ordered sequence."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="program_stages")
    stage = models.ForeignKey(Stage, on_delete=models.PROTECT, related_name="program_stages")
    position = models.PositiveSmallIntegerField(_("position"))

    class Meta:
        verbose_name = _("program stage")
        verbose_name_plural = _("program stages")
        ordering = ["program", "position"]
        constraints = [
            models.UniqueConstraint(fields=["program", "position"], name="program_stage_position_unique"),
            models.UniqueConstraint(fields=["program", "stage"], name="program_stage_once"),
        ]

    def __str__(self) -> str:
        return f"{self.program.code} #{self.position}: {self.stage.code}"


class Client(models.Model):
    uci = models.CharField(
        _("unique client identifier (UCI)"),
        max_length=10,
        unique=True,
        help_text=_("8 or 10 digits."),
    )
    family_name = models.CharField(_("family name"), max_length=100)
    given_names = models.CharField(_("given names"), max_length=150, blank=True)
    date_of_birth = models.DateField(_("date of birth"))
    country_of_birth = CountryField(_("country of birth"))
    country_of_residence = CountryField(_("country of residence"))
    preferred_language = models.CharField(
        _("preferred language"), max_length=2, choices=Language.choices, default=Language.ENGLISH
    )
    email = models.EmailField(_("email"), blank=True)
    # The one portal account that speaks for this client, set by the first successful link.
    account = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("portal account"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="client",
    )

    class Meta:
        verbose_name = _("client")
        verbose_name_plural = _("clients")
        ordering = ["family_name", "given_names"]
        indexes = [models.Index(fields=["family_name", "date_of_birth"], name="client_name_birth_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(uci__regex=r"^([0-9]{8}|[0-9]{10})$"), name="client_uci_digits"),
            models.CheckConstraint(condition=Q(preferred_language__in=["en", "fr"]), name="client_language_known"),
        ]

    def __str__(self) -> str:
        return f"{self.family_name}, {self.given_names} ({self.uci})"


class Application(models.Model):
    class Channel(models.TextChoices):
        ONLINE = "online", _("Online")
        PAPER = "paper", _("Paper")

    class Status(models.TextChoices):
        RECEIVED = "received", _("Received")
        IN_PROGRESS = "in_progress", _("In progress")
        CLOSED = "closed", _("Closed")

    class Outcome(models.TextChoices):
        APPROVED = "approved", _("Approved")
        REFUSED = "refused", _("Refused")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    # Unique through application_number_unique (Meta): no second, LIKE-only index that every
    # update of the row would have to write. The admin searches with icontains, which no
    # pattern index serves.
    number = models.CharField(_("application number"), max_length=20)
    # Both served by the composite indexes below (client first, program first): a separate
    # foreign-key index would be one more write per event for no read.
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="applications", db_index=False)
    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="applications", db_index=False)
    submitted_on = models.DateField(_("submission date"))
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices, default=Channel.ONLINE)
    processing_office = models.CharField(_("processing office"), max_length=80, blank=True)
    status = models.CharField(_("overall status"), max_length=20, choices=Status.choices, default=Status.RECEIVED)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, blank=True)
    decided_on = models.DateField(_("decision date"), null=True, blank=True)
    # Denormalised from the event history so lists and the status page never replay it.
    current_stage = models.ForeignKey(
        Stage, verbose_name=_("current stage"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    last_updated_at = models.DateTimeField(_("last updated"), null=True, blank=True)
    # The newest event of any kind, visible or not: the stalled-files list reads it.
    last_event_at = models.DateTimeField(_("last event"), null=True, blank=True)
    # occurred_at of the status or decision event that set `status`; older ones never overwrite it.
    status_since = models.DateTimeField(_("status since"), null=True, blank=True)
    status_source_id = models.CharField(_("status set by event"), max_length=64, blank=True, db_default="")
    # Moved by events_ingest whenever it stores an event for the file: the status page's
    # cached history and stages are keyed on it (applications.views), so a new event is
    # never hidden behind a stale copy.
    history_version = models.PositiveIntegerField(_("history version"), default=0, db_default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    # Not columns: set by applications.access.application_for_viewer for the viewer who asked.
    viewer_basis: str = ""
    viewer_needs: frozenset = frozenset()
    viewer_grant: "Grant | None" = None  # the Grant a delegate reads under

    class Meta:
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        ordering = ["-submitted_on", "number"]
        indexes = [
            models.Index(fields=["client", "-submitted_on"], name="application_client_idx"),
            models.Index(fields=["program", "status", "submitted_on"], name="application_program_status_idx"),
            models.Index(
                fields=["program", "decided_on"],
                name="application_decided_idx",
                condition=Q(status="closed"),
            ),
            models.Index(fields=["last_event_at"], name="application_last_event_idx", condition=~Q(status="closed")),
        ]
        constraints = [
            models.UniqueConstraint(fields=["number"], name="application_number_unique"),
            models.CheckConstraint(
                condition=Q(status__in=["received", "in_progress", "closed"]), name="application_status_known"
            ),
            models.CheckConstraint(
                condition=(Q(status="closed") & Q(outcome__in=["approved", "refused", "withdrawn"]))
                | (~Q(status="closed") & Q(outcome="")),
                name="application_outcome_iff_closed",
            ),
            models.CheckConstraint(
                condition=(Q(status="closed") & Q(decided_on__isnull=False))
                | (~Q(status="closed") & Q(decided_on__isnull=True)),
                name="application_decision_date_iff_closed",
            ),
            models.CheckConstraint(
                condition=Q(decided_on__isnull=True) | Q(decided_on__gte=F("submitted_on")),
                name="application_decided_after_submitted",
            ),
            models.CheckConstraint(condition=Q(channel__in=["online", "paper"]), name="application_channel_known"),
        ]

    def __str__(self) -> str:
        return self.number


class ApplicationLink(models.Model):
    """An account's standing right to see one application."""

    account = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="application_links")
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="links")
    linked_at = models.DateTimeField(_("linked at"), auto_now_add=True)

    class Meta:
        verbose_name = _("application link")
        verbose_name_plural = _("application links")
        constraints = [
            models.UniqueConstraint(fields=["account", "application"], name="application_link_once"),
        ]

    def __str__(self) -> str:
        return f"{self.account} → {self.application}"


class LinkAttempt(models.Model):
    """Audit of every link, failed link, refused (locked) link and unlink, and of every
    identification of a person without an account (an enquiry), which shares the counters."""

    class Result(models.TextChoices):
        LINKED = "linked", _("Linked")
        MISMATCH = "mismatch", _("Identifiers did not match")
        LOCKED = "locked", _("Refused while locked")
        UNLINKED = "unlinked", _("Unlinked")
        IDENTIFIED = "identified", _("Identified for an enquiry without an account")

    # The audit outlives the account: deleting a user keeps their attempts.
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="link_attempts"
    )
    application_number = models.CharField(_("application number entered"), max_length=40)
    application = models.ForeignKey(
        Application, on_delete=models.SET_NULL, null=True, blank=True, related_name="link_attempts"
    )
    result = models.CharField(_("result"), max_length=10, choices=Result.choices)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("link attempt")
        verbose_name_plural = _("link attempts")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["application_number", "result", "created_at"], name="link_attempt_number_idx"),
            models.Index(fields=["account", "result", "created_at"], name="link_attempt_account_idx"),
            # Without an account, failures are counted per address (applications.services).
            models.Index(
                fields=["ip_address", "result", "created_at"],
                name="link_attempt_guest_idx",
                condition=Q(account__isnull=True),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(result__in=["linked", "mismatch", "locked", "unlinked", "identified"]),
                name="link_attempt_result_known",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.account} {self.application_number} {self.result}"


class LinkLock(models.Model):
    """Linking refused for an application number or an account until a moment."""

    class Scope(models.TextChoices):
        APPLICATION = "application", _("Application number")
        ACCOUNT = "account", _("Account")

    scope = models.CharField(_("scope"), max_length=12, choices=Scope.choices)
    key = models.CharField(_("locked key"), max_length=40)
    locked_until = models.DateTimeField(_("locked until"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("link lock")
        verbose_name_plural = _("link locks")
        ordering = ["-locked_until"]
        indexes = [models.Index(fields=["scope", "key", "locked_until"], name="link_lock_lookup_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(scope__in=["application", "account"]), name="link_lock_scope_known"),
        ]

    def __str__(self) -> str:
        return f"{self.scope}:{self.key} until {self.locked_until:%Y-%m-%d %H:%M}"


# Organisations, members and grants: declared in their own module, registered with this app.
from applications.grant_models import Grant, Organisation, OrganisationMember  # noqa: E402

__all__ = [
    "Application",
    "ApplicationLink",
    "Client",
    "Grant",
    "Language",
    "LinkAttempt",
    "LinkLock",
    "Organisation",
    "OrganisationMember",
    "Program",
    "ProgramStage",
    "Stage",
]
