"""Admin for the outbox (failed rows first to hand, a retry action) and for preferences."""

import uuid

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from notifications.models import Notification, NotificationPreference
from notifications.services import notification_preferences_update, notifications_retry


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["created_at", "state", "kind", "channel", "recipient", "application", "attempts", "sent_at"]
    list_filter = ["state", "channel", "kind"]
    list_select_related = ["recipient", "application"]
    search_fields = ["recipient__email", "application__number"]
    search_help_text = _("Reference (exact), recipient's email or application number.")
    date_hierarchy = "created_at"
    ordering = ["-created_at", "-id"]
    show_full_result_count = False
    actions = ["retry_now"]
    readonly_fields = [field.name for field in Notification._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        # Read-only detail page; the retry action needs the change permission on the list.
        return obj is None and super().has_change_permission(request, obj)

    def get_search_results(self, request, queryset, search_term):
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        try:
            reference = uuid.UUID(search_term.strip())
        except ValueError:
            return results, may_have_duplicates
        return results | queryset.filter(reference=reference), may_have_duplicates

    @admin.action(description=_("Retry the selected failed notifications now"), permissions=["change"])
    def retry_now(self, request, queryset):
        count = notifications_retry(notification_ids=list(queryset.values_list("pk", flat=True)))
        if count:
            self.message_user(
                request, _("Notifications to send again: %(count)d.") % {"count": count}, messages.SUCCESS
            )
        else:
            self.message_user(request, _("Only failed notifications can be retried."), messages.WARNING)


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "daily_digest", "email_status_change", "sms_status_change", "updated_at"]
    list_filter = ["daily_digest", "sms_status_change"]
    search_fields = ["user__email"]
    raw_id_fields = ["user"]
    readonly_fields = ["updated_at"]

    def save_model(self, request, obj, form, change) -> None:
        # Through the service, so that a change made by staff is audited with their name.
        fields = form.changed_data if change else [name for name in form.fields if name in form.cleaned_data]
        values = {name: form.cleaned_data[name] for name in fields if name != "user"}
        notification_preferences_update(user=obj.user, values=values, request=request, actor=request.user)
