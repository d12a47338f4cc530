"""The centre's service: saved replies, deflections, satisfaction answers and the monthly figures."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.i18n import Bilingual
from enquiries.models.tickets import Ticket
from enquiries.models.topics import Topic


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
