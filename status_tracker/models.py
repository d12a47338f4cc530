"""The dated history of each application and the current state of each stage."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from applications.models import Application, Stage
from core.i18n import Bilingual


class StageState(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    WAITING_ON_CLIENT = "waiting_on_client", _("Waiting on you")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")
    EXEMPTED = "exempted", _("Exempted")


STAGE_STATE_VALUES = [value for value, _label in StageState.choices]


class EventKind(models.TextChoices):
    STAGE = "stage", _("Stage update")
    STATUS = "status", _("Overall status")
    DECISION = "decision", _("Decision")
    ACTION_REQUIRED = "action_required", _("Action required")
    NOTE = "note", _("Note")


EVENT_KIND_VALUES = [value for value, _label in EventKind.choices]


class StatusEvent(Bilingual, models.Model):
    """One upstream event, stored forever as it arrived: the application's dated history.

    `kind` says which fields matter: a stage event sets `stage` and `state`; a
    status event sets `status`; a decision sets `outcome` (and a Decision row);
    an action-required event puts `stage` in the waiting-on-client state; a note
    only adds to the history.
    """

    # Served by event_application_stage_idx (application first): no index of its own, one
    # write less for every event stored.
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="events", db_index=False)
    kind = models.CharField(
        _("kind"), max_length=20, choices=EventKind.choices, default=EventKind.STAGE, db_default=EventKind.STAGE
    )
    stage = models.ForeignKey(Stage, on_delete=models.PROTECT, related_name="events", null=True, blank=True)
    state = models.CharField(_("state"), max_length=20, choices=StageState.choices, blank=True)
    status = models.CharField(
        _("overall status"), max_length=20, choices=Application.Status.choices, blank=True, db_default=""
    )
    outcome = models.CharField(
        _("outcome"), max_length=20, choices=Application.Outcome.choices, blank=True, db_default=""
    )
    occurred_at = models.DateTimeField(_("occurred at"))
    message_en = models.TextField(_("message (English)"))
    message_fr = models.TextField(_("message (French)"))
    # Unique per sending client (two upstream systems may use the same ids); the events a person
    # entered (corrections, CSV import: no client) share one namespace of their own.
    source_id = models.CharField(_("upstream event id"), max_length=64)
    visible_to_client = models.BooleanField(_("visible to the client"), default=True)
    # False when the event was older than the state it would have changed: it joins
    # the history but changed nothing and told nobody.
    applied = models.BooleanField(_("changed the current state"), default=True, db_default=True)
    api_client = models.ForeignKey(
        "status_tracker.ApiClient",
        verbose_name=_("sent by"),
        # Clients are revoked, never deleted: their events keep both the sender and the id namespace.
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="events",
        db_index=False,  # served by event_id_once_per_client (api_client first)
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("status event")
        verbose_name_plural = _("status events")
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(
                fields=["application", "-occurred_at"],
                name="event_visible_timeline_idx",
                condition=Q(visible_to_client=True),
            ),
            models.Index(fields=["application", "stage", "-occurred_at"], name="event_application_stage_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["api_client", "source_id"], name="event_id_once_per_client"),
            models.UniqueConstraint(
                fields=["source_id"], condition=Q(api_client__isnull=True), name="event_id_once_without_client"
            ),
            models.CheckConstraint(condition=Q(state__in=[*STAGE_STATE_VALUES, ""]), name="event_state_known"),
            models.CheckConstraint(condition=Q(kind__in=EVENT_KIND_VALUES), name="event_kind_known"),
            models.CheckConstraint(
                condition=~Q(kind__in=["stage", "action_required"]) | (Q(stage__isnull=False) & ~Q(state="")),
                name="event_stage_kinds_have_stage_and_state",
            ),
            models.CheckConstraint(condition=~Q(kind="status") | ~Q(status=""), name="event_status_kind_has_status"),
            models.CheckConstraint(
                condition=~Q(kind="decision") | ~Q(outcome=""), name="event_decision_kind_has_outcome"
            ),
        ]

    def __str__(self) -> str:
        if self.kind in (EventKind.STAGE, EventKind.ACTION_REQUIRED) and self.stage_id:
            return f"{self.stage.code}: {self.get_state_display()} ({self.occurred_at:%Y-%m-%d})"
        return f"{self.get_kind_display()} ({self.occurred_at:%Y-%m-%d})"

    @property
    def message(self) -> str:
        return self.localized("message")


class StageProgress(models.Model):
    """Where one stage of one application stands now, kept up to date as events arrive."""

    # Served by stage_progress_once (application first).
    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="stage_progress", db_index=False
    )
    stage = models.ForeignKey(Stage, on_delete=models.PROTECT, related_name="+")
    state = models.CharField(_("state"), max_length=20, choices=StageState.choices, default=StageState.NOT_STARTED)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    # The occurred_at of the event that set `state`; older events never overwrite it.
    state_since = models.DateTimeField(_("state since"), null=True, blank=True)
    # Upstream id of that event: two events at the same instant are ordered by id.
    state_source_id = models.CharField(_("state set by event"), max_length=64, blank=True, db_default="")

    class Meta:
        verbose_name = _("stage progress")
        verbose_name_plural = _("stage progress")
        constraints = [
            models.UniqueConstraint(fields=["application", "stage"], name="stage_progress_once"),
            models.CheckConstraint(condition=Q(state__in=STAGE_STATE_VALUES), name="stage_progress_state_known"),
            models.CheckConstraint(
                condition=Q(finished_at__isnull=True)
                | Q(started_at__isnull=True)
                | Q(finished_at__gte=models.F("started_at")),
                name="stage_progress_finishes_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.stage.code}: {self.get_state_display()}"


class ApiScope(models.TextChoices):
    """What a service token may do; each endpoint names the one it needs."""

    EVENTS_WRITE = "events:write", _("Send status events and decisions")
    STATUS_READ = "status:read", _("Read an application's status and history")
    DECISIONS_READ = "decisions:read", _("Read decisions, their grounds and the officer's notes")
    DOCUMENTS_READ = "documents:read", _("Read the documents clients sent")


# A new token may only read status unless more is asked for: the least that is still useful.
DEFAULT_SCOPES = [ApiScope.STATUS_READ]


class ApiClient(models.Model):
    """An upstream system allowed to call the upstream API with a bearer token.

    Only a SHA-256 digest of the token is stored; the token itself is shown once,
    when it is made. A revoked client's token stops working at once. `scopes` lists
    the ApiScope values it was given.
    """

    name = models.CharField(_("name"), max_length=80, unique=True)
    token_prefix = models.CharField(_("token starts with"), max_length=12, editable=False)
    token_hash = models.CharField(_("token digest"), max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    scopes = models.JSONField(_("scopes"), default=list, blank=True)

    class Meta:
        verbose_name = _("API client")
        verbose_name_plural = _("API clients")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    def has_scope(self, scope: str) -> bool:
        return scope in (self.scopes or [])


class RefusalGround(Bilingual, models.Model):
    """A reason an application can be refused, explained in plain language (managed in admin)."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    legal_reference = models.CharField(_("legal reference"), max_length=120, blank=True)
    title_en = models.CharField(_("title (English)"), max_length=200)
    title_fr = models.CharField(_("title (French)"), max_length=200)
    explanation_en = models.TextField(_("plain-language explanation (English)"))
    explanation_fr = models.TextField(_("plain-language explanation (French)"))
    active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("refusal ground")
        verbose_name_plural = _("refusal grounds")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code

    @property
    def title(self) -> str:
        return self.localized("title")

    @property
    def explanation(self) -> str:
        return self.localized("explanation")


class Decision(models.Model):
    """The final decision on an application, as the latest decision event gave it."""

    application = models.OneToOneField(Application, on_delete=models.CASCADE, related_name="decision")
    outcome = models.CharField(_("outcome"), max_length=20, choices=Application.Outcome.choices)
    decided_at = models.DateTimeField(_("decided at"))
    # None when upstream did not say; the portal then shows the shorter deadline.
    made_in_canada = models.BooleanField(_("decided in Canada"), null=True, blank=True)
    grounds = models.ManyToManyField(RefusalGround, verbose_name=_("refusal grounds"), blank=True, related_name="+")
    officer_notes = models.TextField(_("officer's notes, as released"), blank=True)
    # The language the notes are written in, so pages in the other language can mark it (WCAG 3.1.2).
    officer_notes_language = models.CharField(
        _("language of the officer's notes"),
        max_length=2,
        choices=[("en", _("English")), ("fr", _("French"))],
        blank=True,
        default="",
        db_default="",
    )
    event = models.ForeignKey(StatusEvent, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    # False while the decision is made but not yet released to the client (its event had
    # visible_to_client=false): the client's pages show nothing of it until a later,
    # visible decision event releases it. Staff and upstream see it either way.
    released = models.BooleanField(_("released to the client"), default=True, db_default=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome__in=["approved", "refused", "withdrawn"]), name="decision_outcome_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.application_id}: {self.outcome}"


class StalledApplication(Application):
    """Open applications with no upstream event for a while: a list for staff in admin."""

    class Meta:
        proxy = True
        verbose_name = _("stalled file")
        verbose_name_plural = _("stalled files")
