"""Admin for the status history: read-only, since only status_tracker.ingest writes it."""

from django.contrib import admin
from django.db.models import OuterRef, Subquery
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext_lazy as _

from applications.models import ProgramStage
from core.admin import ReadOnlyAdmin, ReadOnlyInline
from status_tracker.admin.csv_import import EventImportAdminMixin
from status_tracker.models import StageProgress, StatusEvent


class NewestEventsFormSet(BaseInlineFormSet):
    """Only the most recent events, so an application with a long history still opens quickly."""

    max_shown = 50

    def get_queryset(self):
        if not hasattr(self, "_queryset"):
            self._queryset = super().get_queryset()[: self.max_shown]
        return self._queryset


class StatusEventInline(ReadOnlyInline):
    model = StatusEvent
    formset = NewestEventsFormSet
    verbose_name_plural = _("status events, newest first")
    fields = ["occurred_at", "stage", "state", "visible_to_client", "source_id", "recorded_at"]
    readonly_fields = fields
    ordering = ["-occurred_at", "-id"]
    show_change_link = True

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("stage")


class StageProgressInline(ReadOnlyInline):
    model = StageProgress
    fields = ["stage", "state", "started_at", "state_since", "finished_at"]
    readonly_fields = fields

    def get_queryset(self, request):
        # In the order the application's program goes through its stages.
        position = ProgramStage.objects.filter(
            program=OuterRef("application__program"), stage=OuterRef("stage")
        ).values("position")[:1]
        return (
            super()
            .get_queryset(request)
            .select_related("stage")
            .annotate(position=Subquery(position))
            .order_by("position", "stage__code")
        )


@admin.register(StatusEvent)
class StatusEventAdmin(EventImportAdminMixin, ReadOnlyAdmin):
    list_display = ["occurred_at", "application", "stage", "state", "visible_to_client", "source_id", "recorded_at"]
    list_select_related = ["application", "stage"]
    list_filter = ["state", "visible_to_client", "stage", "application__program"]
    date_hierarchy = "occurred_at"
    search_fields = ["application__number", "application__client__uci", "source_id"]
    fields = [
        "application",
        "stage",
        "state",
        "occurred_at",
        "message_en",
        "message_fr",
        "visible_to_client",
        "source_id",
        "recorded_at",
    ]


@admin.register(StageProgress)
class StageProgressAdmin(ReadOnlyAdmin):
    list_display = ["application", "stage", "state", "started_at", "state_since", "finished_at"]
    list_select_related = ["application", "stage"]
    list_filter = ["state", "stage", "application__program"]
    search_fields = ["application__number", "application__client__uci"]
    ordering = ["application__number", "stage__code"]
