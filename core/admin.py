"""Admin bases shared by every app, and the admin of the audit trail."""

from django.contrib import admin

from core.models import AuditEvent, Holiday


class RemoveOnlyAdmin(admin.ModelAdmin):
    """For records a service makes that staff may only read or remove (a link, a lock), per their permissions."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class ReadOnlyAdmin(RemoveOnlyAdmin):
    """For records only a service writes (history, audit, derived state): they can be read, never edited."""

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ReadOnlyInline(admin.TabularInline):
    """Related rows shown on a parent's page without offering to add, change or delete them."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["occurred_at", "action", "actor_label", "subject_type", "subject_id", "case_number", "basis"]
    list_filter = ["action", "subject_type", "basis"]
    date_hierarchy = "occurred_at"
    search_fields = ["case_number", "actor_label", "subject_id", "ip_address"]
    list_select_related = ["actor"]


@admin.register(Holiday)
class HolidayAdmin(admin.ModelAdmin):
    list_display = ["date", "name_en", "name_fr"]
    date_hierarchy = "date"
    search_fields = ["name_en", "name_fr"]
