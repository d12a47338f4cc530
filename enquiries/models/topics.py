"""What an enquiry is about: topics (each a queue with its own service standard) and crisis channels."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.i18n import Bilingual


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
