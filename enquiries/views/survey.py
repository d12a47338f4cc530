"""The satisfaction survey pages: reached by a signed link, no sign-in.

A link that is not ours, was altered or has expired gets a friendly "not found" page
(status 404) in the language of the address. One question (and an optional comment);
a low rating then asks why, on a second page that works without JavaScript.
"""

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from enquiries.models import SurveyResponse, Ticket
from enquiries.survey import (
    COMMENT_MAX_CHARS,
    RATEABLE_STATES,
    REASONS,
    SurveyNotOpen,
    survey_answer,
    survey_asks_why,
    survey_reasons_add,
    survey_record,
    survey_ticket,
)


class SurveyForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("Overall, how satisfied are you with the answer to your enquiry?"),
        choices=SurveyResponse.Rating.choices,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose how satisfied you are."),
            "invalid_choice": _("Choose one of the five answers."),
        },
    )
    comment = forms.CharField(
        label=_("Anything you would like to tell us (optional)"),
        help_text=_("Please do not include personal details such as your date of birth or UCI."),
        required=False,
        max_length=COMMENT_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"max_length": _("Keep your comment to %(limit_value)d characters or fewer.")},
    )


class SurveyReasonsForm(forms.Form):
    reasons = forms.MultipleChoiceField(
        label=_("What went wrong? Choose all that apply."),
        choices=REASONS,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("Choose reasons from the list.")},
    )
    details = forms.CharField(
        label=_("Tell us more (optional)"),
        required=False,
        max_length=COMMENT_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"max_length": _("Keep your text to %(limit_value)d characters or fewer.")},
    )

    def __init__(self, *args, ask_details: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not ask_details:
            # The first page's comment already holds their words; only the list is asked.
            del self.fields["details"]


def _not_found(request: HttpRequest) -> HttpResponse:
    return render(request, "enquiries/survey/invalid.html", status=404)


def _not_open(request: HttpRequest, ticket: Ticket) -> HttpResponse:
    return render(request, "enquiries/survey/not_open.html", {"ticket": ticket})


def _thanks(request: HttpRequest, ticket: Ticket, *, already: bool) -> HttpResponse:
    return render(request, "enquiries/survey/thanks.html", {"ticket": ticket, "already": already})


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def survey_answer_view(request: HttpRequest, token: str) -> HttpResponse:
    ticket = survey_ticket(token=token)
    if ticket is None:
        return _not_found(request)
    if survey_answer(ticket=ticket) is not None:
        return _thanks(request, ticket, already=True)
    if ticket.state not in RATEABLE_STATES:
        return _not_open(request, ticket)
    form = SurveyForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            response, created = survey_record(ticket=ticket, **form.cleaned_data)
        except SurveyNotOpen:
            return _not_open(request, ticket)
        if not created:
            return _thanks(request, ticket, already=True)
        if survey_asks_why(response=response):
            return redirect("survey:why", token=token)
        return redirect("survey:thanks", token=token)
    status = 400 if form.is_bound else 200
    return render(request, "enquiries/survey/answer.html", {"form": form, "ticket": ticket}, status=status)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def survey_why_view(request: HttpRequest, token: str) -> HttpResponse:
    ticket = survey_ticket(token=token)
    if ticket is None:
        return _not_found(request)
    response = survey_answer(ticket=ticket)
    if response is None:
        return redirect("survey:answer", token=token)
    if not survey_asks_why(response=response):
        return redirect("survey:thanks", token=token)
    form = SurveyReasonsForm(request.POST if request.method == "POST" else None, ask_details=not response.comment)
    if request.method == "POST" and form.is_valid():
        survey_reasons_add(
            response=response, reasons=form.cleaned_data["reasons"], details=form.cleaned_data.get("details", "")
        )
        return redirect("survey:thanks", token=token)
    status = 400 if form.is_bound else 200
    return render(request, "enquiries/survey/why.html", {"form": form, "ticket": ticket, "token": token}, status=status)


@never_cache
@require_safe
def survey_thanks_view(request: HttpRequest, token: str) -> HttpResponse:
    ticket = survey_ticket(token=token)
    if ticket is None:
        return _not_found(request)
    if survey_answer(ticket=ticket) is None:
        return redirect("survey:answer", token=token)
    return _thanks(request, ticket, already=False)
