"""The grantee's side of consent: ask a client for access, and accept an invitation sent to your address."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from applications.models import OrganisationMember
from delegations.consent import RequestAnswer, grant_accept_invitation, grant_request, invitations_for
from delegations.consent_forms import AskForm


@login_required
@require_http_methods(["GET", "POST"])
def consent_ask(request: HttpRequest) -> HttpResponse:
    """Ask a client for access to one application, by its number and the client's family name."""
    memberships = (
        OrganisationMember.objects.filter(
            account_id=request.user.pk, removed_at=None, organisation__verified_at__isnull=False
        )
        .select_related("organisation")
        .order_by("organisation__name_en")
    )
    form = AskForm(request.POST or None, memberships=list(memberships))
    if request.method == "POST" and form.is_valid():
        try:
            answer = grant_request(
                requester=request.user,
                number=form.cleaned_data["application_number"],
                family_name=form.cleaned_data["family_name"],
                kind=form.cleaned_data["kind"],
                organisation=form.chosen_organisation(),
                scope=form.cleaned_data["scope"],
                may_act=form.cleaned_data["may_act"],
                licence_number=form.cleaned_data["licence_number"],
                note=form.cleaned_data["note"],
                request=request,
            )
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            if answer == RequestAnswer.TOO_MANY:
                form.add_error(None, _("You sent many requests in a short time. Please try again in an hour."))
            else:
                # The same words whether or not the details matched: asking reveals nothing.
                messages.success(
                    request,
                    _(
                        "Request sent. If the details match an application, its client will get your request "
                        "and we will tell you their answer."
                    ),
                )
                return redirect("consent:ask")
    return render(request, "delegations/consent/ask.html", {"form": form}, status=400 if form.errors else 200)


@login_required
@require_safe
def consent_invitations(request: HttpRequest) -> HttpResponse:
    """The invitations sent to one of your verified email addresses."""
    return render(request, "delegations/consent/invitations.html", {"invitations": list(invitations_for(request.user))})


@login_required
@require_POST
def consent_invitation_accept(request: HttpRequest, grant_id: int) -> HttpResponse:
    grant = grant_accept_invitation(account=request.user, grant_id=grant_id, request=request)
    if grant.application is not None:
        number = grant.application.number
        messages.success(request, _("You can now see application %(number)s.") % {"number": number})
        return redirect("applications:detail", number=number)
    messages.success(request, _("You accepted the invitation."))
    return redirect("consent:invitations")
