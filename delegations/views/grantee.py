"""Pages for people who see cases for others: the cases, their organisation, and joining one."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from applications.models import OrganisationMember
from delegations.org_forms import MemberInviteForm
from delegations.org_models import MemberInvitation
from delegations.organisations import (
    OrganisationError,
    account_has_verified_email,
    invitation_withdraw,
    member_accept,
    member_invite,
    member_remove,
)
from delegations.selectors import (
    grantee_cases,
    invitations_open,
    members_of,
    membership_for,
    memberships_of,
)


@login_required
@require_safe
def cases_index(request: HttpRequest) -> HttpResponse:
    cases = grantee_cases(viewer=request.user)
    return render(request, "delegations/grantee/cases.html", {"cases": cases})


@login_required
@require_safe
def organisation_choose(request: HttpRequest) -> HttpResponse:
    memberships = memberships_of(account=request.user)
    if not memberships:
        raise Http404
    if len(memberships) == 1:
        return redirect("delegate:organisation", pk=memberships[0].organisation_id)
    return render(request, "delegations/grantee/organisation_choose.html", {"memberships": memberships})


def _membership_or_404(request: HttpRequest, pk: int) -> OrganisationMember:
    membership = membership_for(account=request.user, organisation_id=pk)
    if membership is None:
        raise Http404
    return membership


def _organisation_page(request: HttpRequest, membership: OrganisationMember, form: MemberInviteForm, status=200):
    organisation = membership.organisation
    is_manager = membership.role == OrganisationMember.Role.MANAGER
    context = {
        "membership": membership,
        "organisation": organisation,
        "is_manager": is_manager,
        "members": members_of(organisation=organisation),
        "invitations": invitations_open(organisation=organisation) if is_manager else [],
        "form": form,
    }
    return render(request, "delegations/grantee/organisation.html", context, status=status)


@login_required
@require_safe
def organisation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    membership = _membership_or_404(request, pk)
    return _organisation_page(request, membership, MemberInviteForm())


@login_required
@require_POST
def organisation_invite(request: HttpRequest, pk: int) -> HttpResponse:
    membership = _membership_or_404(request, pk)
    if membership.role != OrganisationMember.Role.MANAGER:
        raise Http404
    form = MemberInviteForm(request.POST)
    if form.is_valid():
        try:
            invitation = member_invite(
                organisation=membership.organisation,
                invited_by=request.user,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                request=request,
            )
        except OrganisationError as error:
            form.add_error("email", error.message)
        else:
            messages.success(request, _("We sent an invitation to %(email)s.") % {"email": invitation.email})
            return redirect("delegate:organisation", pk=pk)
    return _organisation_page(request, membership, form, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def member_remove_view(request: HttpRequest, pk: int, member_pk: int) -> HttpResponse:
    membership = _membership_or_404(request, pk)
    if membership.role != OrganisationMember.Role.MANAGER:
        raise Http404
    member = get_object_or_404(
        OrganisationMember.objects.select_related("account"), pk=member_pk, organisation_id=pk, removed_at=None
    )
    error = None
    if request.method == "POST":
        try:
            member_remove(member=member, removed_by=request.user, request=request)
        except OrganisationError as refused:
            error = refused.message
        else:
            messages.success(
                request, _("%(email)s is no longer a member. Their access ended.") % {"email": member.account.email}
            )
            if member.account_id == request.user.pk:
                return redirect("delegate:cases")
            return redirect("delegate:organisation", pk=pk)
    context = {"organisation": membership.organisation, "member": member, "error": error}
    return render(request, "delegations/grantee/member_remove.html", context, status=400 if error else 200)


@login_required
@require_POST
def invitation_withdraw_view(request: HttpRequest, pk: int, invitation_pk: int) -> HttpResponse:
    membership = _membership_or_404(request, pk)
    invitation = get_object_or_404(MemberInvitation, pk=invitation_pk, organisation_id=pk)
    try:
        invitation_withdraw(invitation=invitation, withdrawn_by=request.user)
    except OrganisationError:
        raise Http404 from None
    messages.success(request, _("The invitation to %(email)s was withdrawn.") % {"email": invitation.email})
    return redirect("delegate:organisation", pk=membership.organisation_id)


@require_http_methods(["GET", "POST"])
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    """Anyone with the link sees whom it invites where; only the invited address can accept."""
    invitation = get_object_or_404(MemberInvitation.objects.select_related("organisation"), token=token)
    signed_in = request.user.is_authenticated
    matches = signed_in and account_has_verified_email(account=request.user, email=invitation.email)
    error = None
    if request.method == "POST":
        if not signed_in:
            return redirect_to_login(request.path)
        try:
            member_accept(invitation=invitation, account=request.user, request=request)
        except OrganisationError as refused:
            error = refused.message
        else:
            messages.success(
                request,
                _("You are now a member of %(organisation)s.") % {"organisation": invitation.organisation.name},
            )
            return redirect("delegate:organisation", pk=invitation.organisation_id)
    context = {"invitation": invitation, "matches": matches, "error": error, "is_open": invitation.is_open}
    return render(request, "delegations/grantee/invitation.html", context, status=400 if error else 200)
