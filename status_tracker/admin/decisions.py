"""Admin for decisions: the refusal-grounds library, decisions, federal holidays and the stalled-files list."""

import datetime

from django.conf import settings
from django.contrib import admin
from django.db.models import DateTimeField, F, Q
from django.db.models.functions import Cast, Coalesce
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from applications.models import Application
from core.admin import ReadOnlyAdmin
from status_tracker.models import Decision, RefusalGround, StalledApplication


@admin.register(RefusalGround)
class RefusalGroundAdmin(admin.ModelAdmin):
    list_display = ["code", "title_en", "legal_reference", "active"]
    list_filter = ["active"]
    search_fields = ["code", "title_en", "title_fr", "legal_reference"]
    fieldsets = [
        (None, {"fields": ["code", "legal_reference", "active"]}),
        (_("English"), {"fields": ["title_en", "explanation_en"]}),
        (_("French"), {"fields": ["title_fr", "explanation_fr"]}),
    ]

    def has_delete_permission(self, request, obj=None) -> bool:
        # Past decisions point at their grounds: retire a ground by unticking "in use" instead.
        return False


@admin.register(Decision)
class DecisionAdmin(ReadOnlyAdmin):
    """Decisions are written only by ingestion: a wrong one is corrected from its application's page."""

    list_display = ["application", "outcome", "decided_at", "made_in_canada", "released", "updated_at"]
    list_filter = ["outcome", "released", "made_in_canada", "grounds"]
    list_select_related = ["application"]
    search_fields = ["application__number"]
    date_hierarchy = "decided_at"
    fields = [
        "application",
        "outcome",
        "decided_at",
        "made_in_canada",
        "grounds",
        "officer_notes",
        "released",
        "event",
        "correction",
    ]
    readonly_fields = fields

    @admin.display(description=_("correction"))
    def correction(self, decision: Decision) -> str:
        url = reverse("admin:applications_application_correct", args=[decision.application_id])
        return format_html('<a href="{}">{}</a>', url, _("Correct status or decision"))


@admin.register(StalledApplication)
class StalledApplicationAdmin(ReadOnlyAdmin):
    """Open files with no upstream event for settings.STALLED_AFTER_DAYS days, the quietest first."""

    list_display = ["number_link", "program", "current_stage", "quiet_since_display", "days_quiet"]
    list_display_links = None
    list_select_related = ["program", "current_stage"]
    list_filter = ["program", "current_stage"]
    search_fields = ["number"]
    list_per_page = 100

    def get_queryset(self, request):
        cutoff = timezone.now() - datetime.timedelta(days=settings.STALLED_AFTER_DAYS)
        # A file that never had an event has been quiet since it was submitted.
        submitted_at = Cast("submitted_on", output_field=DateTimeField())
        # Not super(): it would order by get_ordering() before the annotation exists.
        return (
            self.model._default_manager.exclude(status=Application.Status.CLOSED)
            .filter(
                Q(last_event_at__lt=cutoff) | Q(last_event_at__isnull=True, submitted_on__lt=timezone.localdate(cutoff))
            )
            .annotate(quiet_since=Coalesce(F("last_event_at"), submitted_at))
        )

    def get_ordering(self, request):
        # The annotation above, so not in `ordering` (which the system checks against model fields).
        return ["quiet_since", "number"]

    @admin.display(description=_("application number"), ordering="number")
    def number_link(self, obj) -> str:
        try:
            url = reverse("admin:applications_application_change", args=[obj.pk])
        except NoReverseMatch:
            return obj.number
        return format_html('<a href="{}">{}</a>', url, obj.number)

    @admin.display(description=_("last event"), ordering="quiet_since")
    def quiet_since_display(self, obj):
        return obj.last_event_at or _("none since submission on %(date)s") % {"date": obj.submitted_on}

    @admin.display(description=_("days without news"), ordering="quiet_since")
    def days_quiet(self, obj) -> int:
        return (timezone.now() - obj.quiet_since).days
