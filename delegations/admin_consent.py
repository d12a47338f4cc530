"""Admin for grants and the paper consent forms they come from: read, revoke on the client's word, record a form."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from applications.access import normalize_application_number
from applications.models import Application, Client, Grant, Organisation
from core.admin import ReadOnlyAdmin
from core.audit import audit_record
from core.models import AuditAction
from delegations.consent import Basis, GranteeChoice, grant_record_paper, grant_revoke
from delegations.consent_forms import PERSON_KINDS, SCOPE_CHOICES
from delegations.consent_models import ConsentEvidence
from enquiries.uploads import DocumentsField

RECORD_PERMISSION = "applications.add_grant"
REVOKE_PERMISSION = "applications.change_grant"
RECORD_TEMPLATE = "admin/delegations/record_paper_consent.html"


class PaperConsentForm(forms.Form):
    """What a signed consent form says, and its scan."""

    uci = forms.CharField(label=gettext_lazy("Client's UCI"), max_length=10)
    application_numbers = forms.CharField(
        label=gettext_lazy("Application numbers"),
        required=False,
        help_text=gettext_lazy("Separated by commas or spaces. Leave empty when the form covers all applications."),
    )
    organisation = forms.ModelChoiceField(
        label=gettext_lazy("Office or firm"),
        queryset=Organisation.objects.filter(verified_at__isnull=False),
        required=False,
        help_text=gettext_lazy("Leave empty when the form names a person."),
    )
    grantee_name = forms.CharField(label=gettext_lazy("Person's full name"), max_length=160, required=False)
    grantee_email = forms.EmailField(
        label=gettext_lazy("Person's email address"),
        required=False,
        help_text=gettext_lazy("They get an invitation and accept it with this address."),
    )
    kind = forms.ChoiceField(
        label=gettext_lazy("Kind"),
        choices=[*PERSON_KINDS, (Grant.Kind.PARLIAMENTARY, Grant.Kind.PARLIAMENTARY.label)],
    )
    licence_number = forms.CharField(label=gettext_lazy("Licence or bar number"), max_length=40, required=False)
    scope = forms.ChoiceField(label=gettext_lazy("What they may see"), choices=SCOPE_CHOICES, initial="status")
    may_act = forms.BooleanField(label=gettext_lazy("May send enquiries and documents for the client"), required=False)
    last_day = forms.DateField(label=gettext_lazy("Last day of access"), required=False)
    signed_name = forms.CharField(label=gettext_lazy("Name as signed"), max_length=200)
    signed_on = forms.DateField(label=gettext_lazy("Signed on"))
    consent_language = forms.ChoiceField(
        label=gettext_lazy("Language of the form"), choices=[("en", "English"), ("fr", "Français")]
    )
    scan = DocumentsField(label=gettext_lazy("Scan of the signed form"))

    def clean(self):
        data = super().clean()
        uci = (data.get("uci") or "").strip()
        self.client = Client.objects.filter(uci=uci).first() if uci else None
        if uci and self.client is None:
            self.add_error("uci", _("No client has this UCI."))
        self.applications = None
        numbers = [
            normalize_application_number(part)
            for part in (data.get("application_numbers") or "").replace(",", " ").split()
        ]
        if numbers and self.client is not None:
            found = list(Application.objects.filter(client=self.client, number__in=numbers))
            if len(found) != len(set(numbers)):
                self.add_error("application_numbers", _("Each number must be one of this client's applications."))
            self.applications = found
        if len(data.get("scan") or []) > 1:
            self.add_error("scan", _("Choose one file: the scan of the signed form."))
        return data


@admin.register(Grant)
class GrantAdmin(admin.ModelAdmin):
    """Grants are read here; only services change them (revoke below, record a paper form as the add page)."""

    list_display = [
        "id",
        "client_uci",
        "grantee",
        "application",
        "kind",
        "scope",
        "may_act",
        "state",
        "expires_at",
        "source",
    ]
    list_filter = ["state", "kind", "scope", "source"]
    search_fields = ["client__uci", "application__number", "organisation__name_en", "grantee_email", "grantee_name"]
    list_select_related = ["client", "application", "organisation", "grantee_account"]
    readonly_fields = [field.name for field in Grant._meta.fields]
    actions = ["revoke_selected"]

    def has_change_permission(self, request, obj=None) -> bool:
        # The change page is a read-only view; revocation is the action below.
        return False

    def has_view_permission(self, request, obj=None) -> bool:
        return request.user.has_perm("applications.view_grant") or request.user.has_perm(REVOKE_PERMISSION)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def has_add_permission(self, request) -> bool:
        return request.user.has_perm(RECORD_PERMISSION)

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not request.user.has_perm(REVOKE_PERMISSION):
            actions.pop("revoke_selected", None)
        return actions

    @admin.display(description=gettext_lazy("UCI"), ordering="client__uci")
    def client_uci(self, grant: Grant) -> str:
        return grant.client.uci

    @admin.display(description=gettext_lazy("grantee"))
    def grantee(self, grant: Grant) -> str:
        return grant.grantee_label

    @admin.action(description=gettext_lazy("Revoke the selected grants (the client asked)"))
    def revoke_selected(self, request, queryset):
        if not request.user.has_perm(REVOKE_PERMISSION):
            raise PermissionDenied
        count = 0
        for grant in queryset.filter(state__in=[Grant.State.ACTIVE, Grant.State.INVITED]):
            grant_revoke(actor=request.user, grant=grant, basis=Basis.STAFF, request=request)
            count += 1
        self.message_user(request, _("Grants revoked: %(count)d.") % {"count": count}, messages.SUCCESS)

    def add_view(self, request: HttpRequest, form_url: str = "", extra_context=None) -> HttpResponse:
        """Adding a grant here means recording a signed paper form, with its scan."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = PaperConsentForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            grantee = GranteeChoice(
                organisation=data["organisation"], email=data["grantee_email"], name=data["grantee_name"]
            )
            try:
                grants = grant_record_paper(
                    staff=request.user,
                    client=form.client,
                    kind=data["kind"],
                    grantee=grantee,
                    applications=form.applications,
                    scope=data["scope"],
                    may_act=data["may_act"],
                    last_day=data["last_day"],
                    licence_number=data["licence_number"],
                    signed_name=data["signed_name"],
                    signed_on=data["signed_on"],
                    consent_language=data["consent_language"],
                    scan=data["scan"][0],
                    request=request,
                )
            except ValidationError as error:
                for field, errors in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                self.message_user(
                    request, _("Consent recorded: %(count)d grants.") % {"count": len(grants)}, messages.SUCCESS
                )
                return redirect("admin:applications_grant_changelist")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "form": form,
            "title": _("Record a signed consent form"),
        }
        return render(request, RECORD_TEMPLATE, context, status=400 if form.errors else 200)


@admin.register(ConsentEvidence)
class ConsentEvidenceAdmin(ReadOnlyAdmin):
    list_display = ["original_name", "signed_on", "recorded_by", "recorded_at", "scan_link"]
    readonly_fields = [
        "original_name",
        "content_type",
        "size",
        "sha256",
        "signed_on",
        "recorded_by",
        "recorded_at",
        "scan_link",
    ]
    exclude = ["file", "grants"]

    def get_urls(self):
        download = self.admin_site.admin_view(self.scan_download)
        return [
            path("<int:evidence_id>/scan/", download, name="delegations_consentevidence_scan"),
            *super().get_urls(),
        ]

    @admin.display(description=gettext_lazy("scan"))
    def scan_link(self, evidence: ConsentEvidence) -> str:
        if evidence.pk is None:
            return "-"
        url = reverse("admin:delegations_consentevidence_scan", args=[evidence.pk])
        return format_html('<a href="{}">{}</a>', url, _("Open the scan"))

    def scan_download(self, request: HttpRequest, evidence_id: int) -> FileResponse:
        """The scan, to staff who may view consent forms; every opening is audited."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        evidence = get_object_or_404(ConsentEvidence, pk=evidence_id)
        if not evidence.file:
            raise Http404
        audit_record(
            action=AuditAction.DOCUMENT_READ,
            subject_type="consent_evidence",
            subject_id=evidence.pk,
            actor=request.user,
            basis="staff",
            request=request,
        )
        response = FileResponse(evidence.file.open("rb"), content_type=evidence.content_type)
        response["Content-Disposition"] = "attachment"
        return response
