"""The client's control over who sees their files: every grant, the requests, giving access, and the access log."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from applications.models import Application
from delegations.access_log import access_log_page
from delegations.consent import (
    Answer,
    GranteeChoice,
    client_applications,
    client_for_account,
    grant_for_client,
    grant_give,
    grant_narrow,
    grant_request_answer,
    grant_revoke_by_client,
    grants_of_client,
    requests_for_client,
    terms_for,
)
from delegations.consent_forms import AnswerForm, GiveForm, NarrowForm, SignForm
from delegations.consent_text import consent_text, last_day_of


def _add_errors(form, error: ValidationError) -> None:
    """Put a service's refusal on the form: on the field it names when the form has it, else on top."""
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


@login_required
@require_safe
def access_index(request: HttpRequest) -> HttpResponse:
    """Who can see my files: the grants, the requests waiting for an answer, and the access log."""
    client = client_for_account(request.user)
    page, entries = access_log_page(account=request.user, page_number=request.GET.get("page"))
    grants = list(grants_of_client(account=request.user)) if client else []
    now = timezone.now()
    rows = [
        {
            "grant": grant,
            "last_day": last_day_of(grant.expires_at),
            "in_force": grant.state == grant.State.ACTIVE and (grant.expires_at is None or grant.expires_at > now),
            "expired": grant.state == grant.State.ACTIVE and grant.expires_at is not None and grant.expires_at <= now,
            "can_change": grant.state in (grant.State.ACTIVE, grant.State.INVITED)
            and (grant.expires_at is None or grant.expires_at > now),
        }
        for grant in grants
    ]
    context = {
        "client": client,
        "rows": rows,
        "requests": list(requests_for_client(account=request.user)) if client else [],
        "page": page,
        "entries": entries,
    }
    return render(request, "delegations/client/index.html", context)


def _no_client(request: HttpRequest) -> HttpResponse:
    messages.info(request, _("Link one of your applications to your account before you give access to it."))
    return redirect("applications:link")


@login_required
@require_http_methods(["GET", "POST"])
def access_give(request: HttpRequest) -> HttpResponse:
    """Give access in two steps: choose; then read the consent written from the choices, sign and confirm."""
    client = client_for_account(request.user)
    if client is None:
        return _no_client(request)
    applications = client_applications(account=request.user, client=client).select_related("program")
    form = GiveForm(request.POST or None, applications=applications)
    if request.method == "GET":
        return render(request, "delegations/client/give.html", {"form": form})
    if not form.is_valid():
        return render(request, "delegations/client/give.html", {"form": form}, status=400)
    if request.POST.get("step") == "edit":
        return render(request, "delegations/client/give.html", {"form": form})
    if request.POST.get("step") != "confirm":
        return _render_confirm(request, form, SignForm(), client=client)
    sign = SignForm(request.POST)
    if not sign.is_valid():
        return _render_confirm(request, form, sign, client=client, status=400)
    try:
        grant_give(
            account=request.user,
            kind=form.grant_kind(),
            grantee=form.grantee(),
            applications=form.chosen_applications(),
            scope=form.cleaned_data["scope"],
            may_act=form.cleaned_data["may_act"],
            last_day=form.cleaned_data["last_day"],
            licence_number=form.cleaned_data["licence_number"],
            signed_name=sign.cleaned_data["signed_name"],
            request=request,
        )
    except ValidationError as error:
        problems = error.message_dict if hasattr(error, "error_dict") else {"__all__": error.messages}
        if set(problems) <= {"signed_name"}:
            _add_errors(sign, error)
            return _render_confirm(request, form, sign, client=client, status=400)
        _add_errors(form, error)
        return render(request, "delegations/client/give.html", {"form": form}, status=400)
    messages.success(request, _("Access given. We told them, and we will tell you the first time they look."))
    return redirect("access:index")


def _render_confirm(request: HttpRequest, form: GiveForm, sign: SignForm, *, client, status: int = 200) -> HttpResponse:
    terms, _expires = terms_for(
        client=client,
        kind=form.grant_kind(),
        grantee=form.grantee(),
        licence_number=form.cleaned_data["licence_number"],
        applications=form.chosen_applications(),
        scope=form.cleaned_data["scope"],
        may_act=form.cleaned_data["may_act"],
        last_day=form.cleaned_data["last_day"],
    )
    context = {"carried": _carried(form), "form": sign, "paragraphs": consent_text(terms).split("\n\n")}
    return render(request, "delegations/client/give_confirm.html", context, status=status)


def _carried(form) -> list[tuple[str, str]]:
    """The first step's answers as (name, value) pairs, for hidden inputs that carry nothing else.

    A bound field's `as_hidden` repeats its help text's aria-describedby, which a hidden input may not have.
    """
    pairs: list[tuple[str, str]] = []
    for field in form:
        value = field.value()
        values = value if isinstance(value, list | tuple) else [value]
        pairs.extend(
            (field.html_name, "" if item is None else str(item)) for item in values if item not in (None, False)
        )
    return pairs


@login_required
@require_http_methods(["GET", "POST"])
def access_narrow(request: HttpRequest, grant_id: int) -> HttpResponse:
    grant = grant_for_client(account=request.user, grant_id=grant_id)
    form = NarrowForm(request.POST or None, grant=grant)
    if request.method == "POST" and form.is_valid():
        try:
            grant_narrow(
                account=request.user,
                grant_id=grant.pk,
                scope=form.cleaned_data["scope"],
                may_act=form.cleaned_data.get("may_act", False),
                last_day=form.cleaned_data["last_day"],
                request=request,
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("The access is changed."))
            return redirect("access:index")
    context = {"form": form, "grant": grant, "last_day": last_day_of(grant.expires_at)}
    return render(request, "delegations/client/narrow.html", context, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def access_revoke(request: HttpRequest, grant_id: int) -> HttpResponse:
    """Ask to confirm, then end the access at once."""
    grant = grant_for_client(account=request.user, grant_id=grant_id)
    if request.method == "POST":
        grant_revoke_by_client(account=request.user, grant_id=grant.pk, request=request)
        messages.success(request, _("%(grantee)s can no longer see your files.") % {"grantee": grant.grantee_label})
        return redirect("access:index")
    return render(request, "delegations/client/revoke.html", {"grant": grant})


@login_required
@require_http_methods(["GET", "POST"])
def access_answer(request: HttpRequest, grant_id: int) -> HttpResponse:
    """Answer a request: accept as asked or for less, signing, or refuse."""
    grant = grant_for_client(account=request.user, grant_id=grant_id)
    if grant.state != grant.State.REQUESTED:
        return redirect("access:index")
    form = AnswerForm(request.POST or None, grant=grant)
    if request.method == "POST" and form.is_valid():
        try:
            grant_request_answer(
                account=request.user,
                grant_id=grant.pk,
                answer=form.cleaned_data["answer"],
                scope=form.cleaned_data["scope"],
                may_act=form.cleaned_data.get("may_act", False),
                last_day=form.cleaned_data["last_day"],
                signed_name=form.cleaned_data["signed_name"],
                request=request,
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            if form.cleaned_data["answer"] == Answer.REFUSE:
                messages.success(request, _("You refused the request. We told them."))
            else:
                messages.success(request, _("Access given. We told them."))
            return redirect("access:index")
    context = {
        "form": form,
        "grant": grant,
        "last_day": last_day_of(grant.expires_at),
        "consent": grant_preview(grant),
    }
    return render(request, "delegations/client/answer.html", context, status=400 if form.errors else 200)


def grant_preview(grant) -> list[str]:
    """The consent for a request as asked, in the active language, for the client to read before signing."""
    terms, _expires = terms_for(
        client=grant.client,
        kind=grant.kind,
        grantee=GranteeChoice(organisation=grant.organisation, name=grant.grantee_label),
        licence_number=grant.licence_number,
        applications=[grant.application] if isinstance(grant.application, Application) else None,
        scope=grant.scope,
        may_act=grant.may_act,
        last_day=last_day_of(grant.expires_at),
    )
    return consent_text(terms).split("\n\n")
