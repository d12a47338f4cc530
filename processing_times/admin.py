"""Admin for the processing-time snapshots: read-only, since only the nightly computation writes them."""

from django.contrib import admin

from core.admin import ReadOnlyAdmin
from processing_times.models import ProcessingTimeSnapshot, StageDurationSnapshot


@admin.register(ProcessingTimeSnapshot)
class ProcessingTimeSnapshotAdmin(ReadOnlyAdmin):
    """Written only by the nightly computation; kept for the trend."""

    list_display = [
        "computed_on",
        "program",
        "country",
        "sample_size",
        "p50_days",
        "p80_days",
        "p90_days",
        "waiting_count",
        "monthly_output",
    ]
    list_filter = ["program", "computed_on"]
    list_select_related = ["program"]
    date_hierarchy = "computed_on"
    search_fields = ["program__code", "country"]


@admin.register(StageDurationSnapshot)
class StageDurationSnapshotAdmin(ReadOnlyAdmin):
    list_display = ["computed_on", "program", "stage", "sample_size", "p50_days", "p80_days"]
    list_filter = ["program", "stage", "computed_on"]
    list_select_related = ["program", "stage"]
    date_hierarchy = "computed_on"
