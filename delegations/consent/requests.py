"""Requests for access sent by a grantee, and the client's answers to them."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.access import normalize_application_number
from applications.models import Application, Grant, Organisation, OrganisationMember
from core.audit import audit_record
from core.i18n import active_language
from core.models import AuditAction
from core.ratelimit import rate_hit
from core.text import fold
from delegations.consent.giving import check_period
from delegations.consent.lookups import grant_for_client
from delegations.consent.rules import (
    REPRESENTATIVE_KINDS,
    REQUESTS_PER_HOUR,
    SCOPE_ORDER,
    Basis,
    GranteeChoice,
    expiry_for,
    iso_or_none,
    number_of,
    signed_name_problem,
    terms_for,
)
from delegations.consent.telling import client_tell, grant_audit, scope_words, tell_grantee, until_text
from delegations.consent_text import consent_texts


class RequestAnswer:
    SENT = "sent"
    TOO_MANY = "too_many"


@transaction.atomic
def grant_request(
    *,
    requester,
    number: str,
    family_name: str,
    kind: str,
    organisation: Organisation | None = None,
    scope: str = Grant.Scope.STATUS,
    may_act: bool = False,
    licence_number: str = "",
    note: str = "",
    request: HttpRequest | None = None,
) -> str:
    """A grantee asks a client for access to one application.

    The answer is the same whether or not the number exists and the family name
    matches ("if the details match, the client will get your request"), so asking
    reveals nothing; only a match creates a request and tells the client. A requester
    who is not an active member of `organisation` (verified) asks as a person.
    """
    decision = rate_hit(scope="grant_request", key=str(requester.pk), limit=REQUESTS_PER_HOUR, window_seconds=3600)
    if not decision.allowed:
        return RequestAnswer.TOO_MANY
    if organisation is not None:
        member = OrganisationMember.objects.filter(
            organisation=organisation, account=requester, removed_at=None, organisation__verified_at__isnull=False
        ).first()
        if member is None:
            raise Http404
        licence_number = licence_number or member.licence_number
        kind = Grant.Kind.PARLIAMENTARY if organisation.kind == Organisation.Kind.PARLIAMENTARY_OFFICE else kind
    elif kind == Grant.Kind.PARLIAMENTARY:
        kind = Grant.Kind.DESIGNATED
    if kind not in Grant.Kind.values or scope not in Grant.Scope.values:
        raise ValidationError(_("Choose what you ask for."))
    number = normalize_application_number(number)
    application = Application.objects.select_related("client__account").filter(number=number).first()
    if application is None:
        matches = False
    else:
        matches = (
            fold(application.client.family_name) == fold(family_name)
            and application.client.account is not None
            and bool(fold(family_name))
        )
    if application is None or not matches:
        # Kept for the department, never shown to a client: no application number on it.
        audit_record(
            action=AuditAction.GRANT_REQUESTED,
            subject_type="grant_request",
            subject_id="unmatched",
            actor=requester,
            basis=Basis.GRANTEE,
            request=request,
            extra={"matched": False},
        )
        return RequestAnswer.SENT
    open_request = Grant.objects.filter(
        application=application, state=Grant.State.REQUESTED, requested_by=requester, organisation=organisation
    ).exists()
    if open_request:
        return RequestAnswer.SENT
    now = timezone.now()
    grant = Grant.objects.create(
        client=application.client,
        application=application,
        kind=kind,
        organisation=organisation,
        grantee_account=None if organisation is not None else requester,
        grantee_name="" if organisation is not None else requester.get_full_name(),
        licence_number=licence_number if kind in REPRESENTATIVE_KINDS else "",
        scope=scope,
        may_act=may_act,
        state=Grant.State.REQUESTED,
        starts_at=now,
        expires_at=expiry_for(kind=kind, last_day=None, today=timezone.localdate(now)),
        source=Grant.Source.REQUEST,
        requested_by=requester,
        request_note=note[:500],
    )
    grant_audit(action=AuditAction.GRANT_REQUESTED, grant=grant, actor=requester, basis=Basis.GRANTEE, request=request)
    client_tell(
        grant=grant,
        key="requested",
        wording=lambda: _(
            "%(grantee)s asks for access to your application %(number)s: %(scope)s. "
            "You can accept, narrow or refuse on the page “Who can see my files”."
        )
        % {"grantee": _requester_label(grant), "number": application.number, "scope": scope_words(grant)},
    )
    return RequestAnswer.SENT


def _requester_label(grant: Grant) -> str:
    if grant.organisation is not None:
        return grant.organisation.name
    return grant.grantee_label


class Answer:
    ACCEPT = "accept"
    REFUSE = "refuse"


@transaction.atomic
def grant_request_answer(
    *,
    account,
    grant_id: int,
    answer: str,
    scope: str | None = None,
    may_act: bool | None = None,
    last_day: datetime.date | None = None,
    signed_name: str = "",
    consent_language: str | None = None,
    request: HttpRequest | None = None,
) -> Grant:
    """The client answers a request: accept it as asked or narrower (signing the consent), or refuse it."""
    grant = grant_for_client(account=account, grant_id=grant_id)
    grant = (
        Grant.objects.select_for_update(of=("self",))
        .select_related("client__account", "application", "organisation", "grantee_account")
        .get(pk=grant.pk)
    )
    if grant.state != Grant.State.REQUESTED:
        raise ValidationError(_("This request was already answered."))
    now = timezone.now()
    if answer == Answer.REFUSE:
        grant.state = Grant.State.REFUSED
        grant.save(update_fields=["state"])
        grant_audit(action=AuditAction.GRANT_REFUSED, grant=grant, actor=account, basis=Basis.CLIENT, request=request)
        tell_grantee(
            grant=grant,
            key="refused",
            wording=lambda: _("Your request for access to application %(number)s was refused.")
            % {"number": number_of(grant)},
        )
        return grant
    if answer != Answer.ACCEPT:
        raise ValidationError(_("Choose to accept or refuse the request."))
    scope = scope or grant.scope
    may_act = grant.may_act if may_act is None else may_act
    problems: dict[str, list[str]] = {}
    if scope not in Grant.Scope.values or SCOPE_ORDER[scope] > SCOPE_ORDER[grant.scope]:
        problems["scope"] = [_("You can give less than was asked for, never more.")]
    if may_act and not grant.may_act:
        problems["may_act"] = [_("You can give less than was asked for, never more.")]
    problems.update(check_period(kind=grant.kind, last_day=last_day, today=timezone.localdate(now)))
    problem = signed_name_problem(client=grant.client, signed_name=signed_name)
    if problem:
        problems["signed_name"] = [problem]
    if problems:
        raise ValidationError(problems)
    asked = {"scope": grant.scope, "may_act": grant.may_act, "expires_at": iso_or_none(grant.expires_at)}
    grantee = GranteeChoice(organisation=grant.organisation, name=grant.grantee_label)
    terms, expires_at = terms_for(
        client=grant.client,
        kind=grant.kind,
        grantee=grantee,
        licence_number=grant.licence_number,
        applications=[grant.application] if grant.application is not None else None,
        scope=scope,
        may_act=may_act,
        last_day=last_day,
        now=now,
    )
    if grant.expires_at is not None and (expires_at is None or expires_at > grant.expires_at):
        expires_at = grant.expires_at
    grant.consent_text_en, grant.consent_text_fr = consent_texts(terms)
    grant.scope, grant.may_act, grant.expires_at = scope, may_act, expires_at
    grant.state = Grant.State.ACTIVE
    grant.starts_at = now
    grant.consent_language = consent_language or active_language()
    grant.signed_name = signed_name.strip()
    grant.given_by = account
    grant.given_at = now
    grant.save(
        update_fields=[
            "consent_text_en",
            "consent_text_fr",
            "scope",
            "may_act",
            "expires_at",
            "state",
            "starts_at",
            "consent_language",
            "signed_name",
            "given_by",
            "given_at",
        ]
    )
    grant_audit(
        action=AuditAction.GRANT_GIVEN,
        grant=grant,
        actor=account,
        basis=Basis.CLIENT,
        request=request,
        extra={"asked": asked},
    )
    client_tell(
        grant=grant,
        key="given",
        wording=lambda: _("You gave %(grantee)s access to application %(number)s: %(scope)s, %(until)s.")
        % {
            "grantee": grant.grantee_label,
            "number": number_of(grant),
            "scope": scope_words(grant),
            "until": until_text(grant),
        },
    )
    tell_grantee(
        grant=grant,
        key="answered",
        wording=lambda: _("Your request for access to application %(number)s was accepted: %(scope)s, %(until)s.")
        % {"number": number_of(grant), "scope": scope_words(grant), "until": until_text(grant)},
        link_path=f"applications/{number_of(grant)}/",
    )
    return grant
