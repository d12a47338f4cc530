"""Admin for the enquiries app: topics and their agents, saved replies, crisis channels; tickets read-mostly.

A ticket's state, clock and assignee change only through the workspace's services
(enquiries.workspace, enquiries.services.ticket_transition), which record each change:
here they are read-only, and opening a ticket is written to the audit like a workspace
view. Documents are listed without their file: downloads go through the documents page,
which checks access and records it.
"""

from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.admin import ReadOnlyAdmin, ReadOnlyInline
from core.audit import audit_record
from core.models import AuditAction
from enquiries.access import AGENT_GROUP, SUPERVISOR_GROUP, TICKET_SUBJECT
from enquiries.models import (
    CrisisChannel,
    Deflection,
    Document,
    SavedReply,
    ServiceSnapshot,
    SurveyResponse,
    Ticket,
    TicketChange,
    TicketMessage,
    Topic,
)
from enquiries.references import reference_normalize


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "name_en",
        "name_fr",
        "kind",
        "service_standard_days",
        "urgent_standard_days",
        "priority",
        "position",
        "is_active",
    ]
    list_filter = ["kind", "is_active"]
    list_editable = ["position", "is_active"]
    search_fields = ["code", "name_en", "name_fr"]
    filter_horizontal = ["agents"]
    autocomplete_fields = ["crisis_channel"]

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "agents":
            # Only people who can work a queue: active staff in the Agent or Supervisor group.
            kwargs["queryset"] = (
                get_user_model()
                .objects.filter(is_active=True, is_staff=True, groups__name__in=[AGENT_GROUP, SUPERVISOR_GROUP])
                .distinct()
                .order_by("email")
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)


@admin.register(SavedReply)
class SavedReplyAdmin(admin.ModelAdmin):
    list_display = ["title_en", "title_fr", "topic", "is_active"]
    list_filter = ["is_active", "topic"]
    list_select_related = ["topic"]
    search_fields = ["title_en", "title_fr", "body_en", "body_fr"]
    fieldsets = [
        (None, {"fields": ["topic", "is_active"]}),
        (_("English"), {"fields": ["title_en", "body_en"]}),
        (
            _("French"),
            {
                "fields": ["title_fr", "body_fr"],
                "description": _(
                    "Placeholders filled from the enquiry and its application: {number}, {program}, {stage}, "
                    "{estimate_date}, {due_date}, {client_name}, {reference}. Unknown ones are left as written."
                ),
            },
        ),
    ]


@admin.register(CrisisChannel)
class CrisisChannelAdmin(admin.ModelAdmin):
    """Switching a channel on or off is a plain save: the banner and routing read it on every request."""

    list_display = ["name_en", "keyword_en", "keyword_fr", "is_active", "opens_at", "closes_at"]
    list_filter = ["is_active"]
    list_editable = ["is_active"]
    search_fields = ["name_en", "name_fr", "keyword_en", "keyword_fr"]
    actions = ["switch_on", "switch_off"]

    @admin.action(description=_("Switch the chosen channels on"))
    def switch_on(self, request, queryset) -> None:
        count = queryset.update(is_active=True)
        self.message_user(
            request,
            ngettext("%(count)d channel switched on.", "%(count)d channels switched on.", count) % {"count": count},
            messages.SUCCESS,
        )

    @admin.action(description=_("Switch the chosen channels off"))
    def switch_off(self, request, queryset) -> None:
        count = queryset.update(is_active=False)
        self.message_user(
            request,
            ngettext("%(count)d channel switched off.", "%(count)d channels switched off.", count) % {"count": count},
            messages.SUCCESS,
        )


class TicketMessageInline(ReadOnlyInline):
    model = TicketMessage
    fields = readonly_fields = ("created_at", "author_kind", "author", "body", "saved_reply")
    ordering = ["created_at", "id"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("author", "saved_reply")


class TicketChangeInline(ReadOnlyInline):
    model = TicketChange
    fields = readonly_fields = ("created_at", "from_state", "to_state", "assigned_to", "actor_label", "note")
    ordering = ["created_at", "id"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("assigned_to")


DOCUMENT_FIELDS = (
    "original_name",
    "content_type",
    "size",
    "sha256",
    "created_at",
    "deleted_at",
    "deleted_reason",
)


class TicketDocumentInline(ReadOnlyInline):
    model = Document
    fk_name = "ticket"
    fields = readonly_fields = DOCUMENT_FIELDS
    ordering = ["created_at", "id"]


# Corrections staff may make by hand: how to reach the person, and in which language.
TICKET_EDITABLE = ["contact_name", "contact_email", "language"]


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin):
    list_display = ["reference", "topic", "state", "language", "due_on", "assigned_to", "application", "created_at"]
    list_filter = ["state", "topic", "language", "urgent"]
    list_select_related = ["topic", "assigned_to", "application"]
    search_fields = ["reference", "contact_email", "account__email", "application__number"]
    date_hierarchy = "created_at"
    inlines = [TicketMessageInline, TicketDocumentInline, TicketChangeInline]

    def has_add_permission(self, request) -> bool:
        # Tickets come from the enquiry form, with their first message and clock.
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in Ticket._meta.fields if field.name not in TICKET_EDITABLE]

    def get_search_results(self, request, queryset, search_term):
        # A reference read aloud or typed loosely (lower case, O for 0) still finds its ticket.
        canonical = reference_normalize(search_term)
        if canonical is not None:
            return queryset.filter(reference=canonical), False
        return super().get_search_results(request, queryset, search_term)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if request.method == "GET":
            ticket = Ticket.objects.filter(pk=object_id).select_related("application").first()
            if ticket is not None and self.has_view_permission(request, ticket):
                audit_record(
                    action=AuditAction.TICKET_READ,
                    actor=request.user,
                    subject_type=TICKET_SUBJECT,
                    subject_id=ticket.pk,
                    case_number=ticket.application.number if ticket.application else "",
                    basis="admin",
                    request=request,
                    extra={"reference": ticket.reference},
                )
        return super().change_view(request, object_id, form_url, extra_context)


@admin.register(Document)
class DocumentAdmin(ReadOnlyAdmin):
    list_display = [
        "original_name",
        "ticket",
        "application",
        "stage",
        "content_type",
        "size",
        "created_at",
        "deleted_at",
    ]
    list_filter = ["content_type"]
    list_select_related = ["ticket", "application", "stage"]
    search_fields = ["original_name", "ticket__reference", "application__number", "sha256"]
    date_hierarchy = "created_at"
    # No file field: the stored name is internal and a download must go through the documents page.
    fields = readonly_fields = ("ticket", "message", "application", "stage", "uploaded_by", *DOCUMENT_FIELDS)


@admin.register(Deflection)
class DeflectionAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "topic", "application", "account"]
    list_filter = ["topic"]
    list_select_related = ["topic", "application", "account"]
    date_hierarchy = "created_at"


@admin.register(SurveyResponse)
class SurveyResponseAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "ticket", "rating", "comment"]
    list_filter = ["rating"]
    list_select_related = ["ticket"]
    search_fields = ["ticket__reference", "comment"]
    date_hierarchy = "created_at"


@admin.register(ServiceSnapshot)
class ServiceSnapshotAdmin(ReadOnlyAdmin):
    list_display = [
        "computed_on",
        "month",
        "topic",
        "received",
        "answered",
        "answered_within_standard",
        "median_days_to_answer",
        "p90_days_to_answer",
        "deflected",
        "survey_responses",
        "satisfied",
    ]
    list_filter = ["topic", "computed_on"]
    list_select_related = ["topic"]
