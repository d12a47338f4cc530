"""The dated history of each application and the current state of each stage."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from applications.models import Application, Bilingual, Stage


class StageState(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    WAITING_ON_CLIENT = "waiting_on_client", _("Waiting on you")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")
    EXEMPTED = "exempted", _("Exempted")


STAGE_STATE_VALUES = [value for value, _label in StageState.choices]


class StatusEvent(Bilingual, models.Model):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="events")
    stage = models.ForeignKey(Stage, on_delete=models.PROTECT, related_name="events")
    state = models.CharField(_("state"), max_length=20, choices=StageState.choices)
    occurred_at = models.DateTimeField(_("occurred at"))
    message_en = models.TextField(_("message (English)"))
    message_fr = models.TextField(_("message (French)"))
    source_id = models.CharField(_("upstream event id"), max_length=64, unique=True)
    visible_to_client = models.BooleanField(_("visible to the client"), default=True)
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
            models.CheckConstraint(condition=Q(state__in=STAGE_STATE_VALUES), name="event_state_known"),
        ]

    def __str__(self) -> str:
        return f"{self.application_id} {self.stage_id} {self.state} @ {self.occurred_at:%Y-%m-%d}"

    @property
    def message(self) -> str:
        return self.localized("message")


class StageProgress(models.Model):
    """Where one stage of one application stands now, kept up to date as events arrive."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="stage_progress")
    stage = models.ForeignKey(Stage, on_delete=models.PROTECT, related_name="+")
    state = models.CharField(_("state"), max_length=20, choices=StageState.choices, default=StageState.NOT_STARTED)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    # The occurred_at of the event that set `state`; older events never overwrite it.
    state_since = models.DateTimeField(_("state since"), null=True, blank=True)

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
        return f"{self.application_id} {self.stage_id}: {self.state}"
