"""Admin for programs, stages, clients, applications and the account-linking records."""

from django.contrib import admin, messages
from django.db.models import Count
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from applications.models import (
    Application,
    ApplicationLink,
    Client,
    LinkAttempt,
    LinkLock,
    Program,
    ProgramStage,
    Stage,
)
from applications.services import application_unlink
from core.admin import ReadOnlyAdmin, ReadOnlyInline, RemoveOnlyAdmin
from core.http import client_ip
from status_tracker.admin.corrections import CORRECT_PERMISSION, case_correct_view
from status_tracker.admin.history import StageProgressInline, StatusEventInline


class ViewOnlyInline(ReadOnlyInline):
    """Related rows with a link to each, offering no add, change or delete."""

    show_change_link = True


@admin.register(Stage)
class StageAdmin(admin.ModelAdmin):
    list_display = ["code", "name_en", "name_fr"]
    search_fields = ["code", "name_en", "name_fr"]


class ProgramStageInline(admin.TabularInline):
    model = ProgramStage
    fields = ["position", "stage"]
    ordering = ["position"]
    extra = 0

    def get_queryset(self, request):
        # Each row's label names its program and stage.
        return super().get_queryset(request).select_related("program", "stage")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        formfield = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "stage":
            # Every row offers the same stages: read them once per page, not once per row.
            formfield.choices = list(formfield.choices)
        return formfield


@admin.register(Program)
class ProgramAdmin(admin.ModelAdmin):
    list_display = ["code", "name_en", "name_fr", "category", "service_standard_days", "stage_count"]
    list_filter = ["category"]
    search_fields = ["code", "name_en", "name_fr"]
    inlines = [ProgramStageInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(stage_total=Count("program_stages"))

    @admin.display(description=_("stages"), ordering="stage_total")
    def stage_count(self, program: Program) -> int:
        return getattr(program, "stage_total", 0)  # annotated by get_queryset


class ClientApplicationInline(ViewOnlyInline):
    model = Application
    fields = ["number", "program", "status", "outcome", "submitted_on"]
    readonly_fields = fields
    ordering = ["-submitted_on", "number"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("program")


@admin.register(Client)
class ClientAdmin(admin.ModelAdmin):
    list_display = [
        "uci",
        "family_name",
        "given_names",
        "date_of_birth",
        "country_of_residence",
        "preferred_language",
        "account",
    ]
    list_select_related = ["account"]
    list_filter = ["preferred_language"]
    search_fields = ["uci", "family_name", "given_names", "email"]
    autocomplete_fields = ["account"]
    inlines = [ClientApplicationInline]


class ApplicationLinkInline(ViewOnlyInline):
    """Who can see this application; links are removed from the application link admin, which audits it."""

    model = ApplicationLink
    fields = ["account", "linked_at"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("account")


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin):
    list_display = [
        "number",
        "client_uci",
        "client_name",
        "program",
        "status",
        "outcome",
        "current_stage",
        "submitted_on",
        "last_updated_at",
    ]
    list_select_related = ["client", "program", "current_stage"]
    list_filter = ["program", "program__category", "status", "outcome", "channel", "current_stage"]
    date_hierarchy = "submitted_on"
    search_fields = ["number", "client__uci", "client__family_name", "client__given_names"]
    autocomplete_fields = ["client"]
    # Written only by status_tracker.ingest from events: a change goes through "Correct status or decision".
    readonly_fields = [
        "status",
        "outcome",
        "decided_on",
        "correction",
        "current_stage",
        "last_updated_at",
        "created_at",
        "status_history",
    ]
    fieldsets = [
        (None, {"fields": ["number", "client", "program", "submitted_on", "channel", "processing_office"]}),
        (_("Status and decision"), {"fields": ["status", "outcome", "decided_on", "correction"]}),
        (
            _("From the status history"),
            {
                "fields": [
                    "current_stage",
                    "last_updated_at",
                    "status_history",
                    "created_at",
                ]
            },
        ),
    ]
    inlines = [StageProgressInline, StatusEventInline, ApplicationLinkInline]
    actions = ["correct_selected"]

    def get_urls(self):
        correct = self.admin_site.admin_view(case_correct_view)
        return [
            path("<path:object_id>/correct/", correct, name="applications_application_correct"),
            *super().get_urls(),
        ]

    @admin.display(description=_("correction"))
    def correction(self, application: Application) -> str:
        if application.pk is None:
            return "-"
        url = reverse("admin:applications_application_correct", args=[application.pk])
        return format_html('<a href="{}">{}</a>', url, _("Correct status or decision"))

    @admin.action(description=_("Correct the status or decision of the selected application"))
    def correct_selected(self, request, queryset):
        if not request.user.has_perm(CORRECT_PERMISSION):
            self.message_user(request, _("You may not correct applications."), messages.ERROR)
            return None
        if queryset.count() != 1:
            self.message_user(request, _("Select exactly one application to correct."), messages.WARNING)
            return None
        return redirect("admin:applications_application_correct", queryset.get().pk)

    @admin.display(description=_("UCI"), ordering="client__uci")
    def client_uci(self, application: Application) -> str:
        return application.client.uci

    @admin.display(description=_("client"), ordering="client__family_name")
    def client_name(self, application: Application) -> str:
        client = application.client
        return f"{client.family_name}, {client.given_names}" if client.given_names else client.family_name

    @admin.display(description=_("status history"))
    def status_history(self, application: Application) -> str:
        # The inline shows only the newest events; this leads to all of them.
        if application.pk is None:
            return "-"
        count = application.events.count()
        url = reverse("admin:status_tracker_statusevent_changelist")
        query = urlencode({"application__id__exact": application.pk})
        label = ngettext("See all %(count)d status event", "See all %(count)d status events", count) % {"count": count}
        return format_html('<a href="{}?{}">{}</a>', url, query, label)

    def save_model(self, request, obj, form, change):
        if change:
            # Only what the form changed, so an event recorded while the form was open keeps its denormalised fields.
            obj.save(update_fields=form.changed_data)
        else:
            obj.save()


@admin.register(ApplicationLink)
class ApplicationLinkAdmin(RemoveOnlyAdmin):
    """Links are made by the applicant proving who they are; here staff can only see and remove them."""

    list_display = ["application", "account", "linked_at"]
    list_select_related = ["application", "account"]
    date_hierarchy = "linked_at"
    search_fields = ["application__number", "application__client__uci", "account__email"]
    fields = ["application", "account", "linked_at"]
    readonly_fields = fields

    def delete_model(self, request, obj: ApplicationLink) -> None:
        # Through the service, so the removal is audited and a client left without links is freed.
        application_unlink(
            account=obj.account, application=obj.application, actor=request.user, ip_address=client_ip(request)
        )

    def delete_queryset(self, request, queryset) -> None:
        for link in queryset.select_related("account", "application"):
            self.delete_model(request, link)


@admin.register(LinkAttempt)
class LinkAttemptAdmin(ReadOnlyAdmin):
    """The audit log of linking: it can be read, never written."""

    list_display = ["created_at", "account", "application_number", "application", "result", "ip_address"]
    list_select_related = ["account", "application"]
    list_filter = ["result"]
    date_hierarchy = "created_at"
    search_fields = ["application_number", "account__email", "ip_address"]


class LockStateFilter(admin.SimpleListFilter):
    title = _("state")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("active", _("In force")), ("expired", _("Expired"))]

    def queryset(self, request, queryset):
        now = timezone.now()
        if self.value() == "active":
            return queryset.filter(locked_until__gt=now)
        if self.value() == "expired":
            return queryset.filter(locked_until__lte=now)
        return queryset


@admin.register(LinkLock)
class LinkLockAdmin(RemoveOnlyAdmin):
    """Locks are set by the linking service; deleting one lifts it early."""

    list_display = ["scope", "key", "locked_until", "in_force", "created_at"]
    list_filter = ["scope", LockStateFilter]
    date_hierarchy = "locked_until"
    search_fields = ["key"]

    @admin.display(description=_("in force"), boolean=True)
    def in_force(self, lock: LinkLock) -> bool:
        return lock.locked_until > timezone.now()
