"""Admin page to correct a file's status or decision: the form, and the view that submits it as an event."""

import datetime

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from applications.models import Application
from status_tracker.corrections import case_correct
from status_tracker.events import FUTURE_TOLERANCE, MAX_NOTES_LENGTH
from status_tracker.ingest import ItemResult
from status_tracker.models import RefusalGround

CORRECT_PERMISSION = "applications.change_application"
TEMPLATE = "admin/status_tracker/correct_case.html"


class GroundChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: RefusalGround) -> str:
        return f"{obj.localized('title')} ({obj.code})"


class CaseCorrectionForm(forms.Form):
    new_state = forms.ChoiceField(
        label=gettext_lazy("Set the file to"),
        choices=[
            (
                gettext_lazy("Open"),
                [(value, label) for value, label in Application.Status.choices if value != "closed"],
            ),
            (gettext_lazy("Decided"), Application.Outcome.choices),
        ],
    )
    occurred_at = forms.DateTimeField(
        label=gettext_lazy("As of"),
        help_text=gettext_lazy(
            "When this became true. It must be later than the time the file's status was last set; "
            "for a decision, its date is the decision date the client sees."
        ),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    grounds = GroundChoiceField(
        label=gettext_lazy("Refusal grounds"),
        queryset=RefusalGround.objects.filter(active=True).order_by("code"),
        to_field_name="code",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("Only for a refusal."),
    )
    notes = forms.CharField(
        label=gettext_lazy("Officer's notes as released"),
        required=False,
        max_length=MAX_NOTES_LENGTH,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=gettext_lazy("Only for a decision. The client reads them exactly as written here."),
    )
    made_in_canada = forms.NullBooleanField(
        label=gettext_lazy("Decision made in Canada"),
        required=False,
        help_text=gettext_lazy("Sets the judicial-review deadline (15 days in Canada, 60 outside)."),
    )
    reason = forms.CharField(
        label=gettext_lazy("Why this correction"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Kept in the audit trail with your name."),
    )

    def __init__(self, *args, application: Application, **kwargs):
        super().__init__(*args, **kwargs)
        self.application = application

    def clean_occurred_at(self) -> datetime.datetime:
        value = self.cleaned_data["occurred_at"]
        if value > timezone.now() + FUTURE_TOLERANCE:
            raise forms.ValidationError(_("This time is in the future."))
        if timezone.localdate(value) < self.application.submitted_on:
            raise forms.ValidationError(_("This time is before the application was submitted."))
        since = self.application.status_since
        if since is not None and value <= since:
            raise forms.ValidationError(
                _("The file's status was last set at %(since)s; a correction must be dated after that.")
                % {"since": timezone.localtime(since).strftime("%Y-%m-%d %H:%M")}
            )
        return value

    def clean(self) -> dict:
        data = super().clean() or {}
        new_state = data.get("new_state")
        if data.get("grounds") and new_state != Application.Outcome.REFUSED:
            self.add_error("grounds", _("Refusal grounds apply only to a refused application."))
        if data.get("notes") and new_state not in Application.Outcome.values:
            self.add_error("notes", _("Officer's notes go with a decision."))
        return data


def case_correct_view(request: HttpRequest, object_id: str) -> HttpResponse:
    """Show the correction form for one application and submit it through ingestion."""
    if not request.user.has_perm(CORRECT_PERMISSION):
        raise PermissionDenied
    if not object_id.isdigit():
        raise Http404
    application = get_object_or_404(Application.objects.select_related("program", "client"), pk=int(object_id))
    initial = {"occurred_at": timezone.localtime().replace(second=0, microsecond=0)}
    form = CaseCorrectionForm(request.POST or None, application=application, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        item = case_correct(
            application=application,
            actor=request.user,
            reason=data["reason"],
            new_state=data["new_state"],
            occurred_at=data["occurred_at"],
            grounds=[ground.code for ground in data["grounds"]],
            notes=data["notes"],
            made_in_canada=data["made_in_canada"],
            request=request,
        )
        if item.result == ItemResult.APPLIED:
            messages.success(request, _("The correction was recorded as an event and the client was told."))
        else:
            messages.error(request, _("The correction changed nothing: %(reason)s") % {"reason": item.reason})
        return redirect("admin:applications_application_change", application.pk)
    context = {
        **admin.site.each_context(request),
        "opts": Application._meta,
        "original": application,
        "title": _("Correct the status or decision of %(number)s") % {"number": application.number},
        "form": form,
    }
    return render(request, TEMPLATE, context, status=400 if form.errors else 200)
