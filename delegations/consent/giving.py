"""Consent given online by the client, and invitations the grantee accepts."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.models import Application, Client, Grant
from core.i18n import active_language
from core.models import AuditAction
from delegations.consent.lookups import client_applications, client_for_account, verified_addresses
from delegations.consent.rules import (
    Basis,
    GranteeChoice,
    client_name,
    kind_problem,
    number_of,
    signed_name_problem,
    terms_for,
)
from delegations.consent.telling import client_tell, files_label, grant_audit, scope_words, tell_grantee, until_text
from delegations.consent_text import ConsentTerms, consent_texts


def check_grantee(*, kind: str, grantee: GranteeChoice, licence_number: str) -> dict[str, list[str]]:
    problems: dict[str, list[str]] = {}
    if grantee.organisation is None:
        if not grantee.email:
            problems["grantee_email"] = [_("Enter the email address of the person you give access to.")]
        if not grantee.name.strip():
            problems["grantee_name"] = [_("Enter the name of the person you give access to.")]
    elif not grantee.organisation.is_verified:
        problems["organisation"] = [_("Choose an office or firm from the list.")]
    problem = kind_problem(kind=kind, grantee=grantee)
    if problem:
        problems["kind"] = [problem]
    if kind == Grant.Kind.REPRESENTATIVE_PAID and not licence_number.strip():
        problems["licence_number"] = [
            _("Enter your representative's licence or bar number: every paid representative must have one.")
        ]
    return problems


def check_period(*, kind: str, last_day: datetime.date | None, today: datetime.date) -> dict[str, list[str]]:
    if last_day is not None and last_day < today:
        return {"last_day": [_("Choose an end date from today on.")]}
    return {}


@transaction.atomic
def grant_give(
    *,
    account,
    kind: str,
    grantee: GranteeChoice,
    applications: list[Application] | None,
    scope: str = Grant.Scope.STATUS,
    may_act: bool = False,
    last_day: datetime.date | None = None,
    licence_number: str = "",
    signed_name: str,
    consent_language: str | None = None,
    request: HttpRequest | None = None,
) -> list[Grant]:
    """The client gives access online: one grant per application chosen, or one for all of them.

    An organisation's grant is active at once; a person invited by email holds an
    invitation until they accept it with an account of that address. Raises
    ValidationError (keyed by form field) when a choice does not hold.
    """
    client = client_for_account(account)
    if client is None:
        raise ValidationError(_("Link one of your applications to your account before you give access to it."))
    now = timezone.now()
    today = timezone.localdate(now)
    problems = check_grantee(kind=kind, grantee=grantee, licence_number=licence_number)
    problems.update(check_period(kind=kind, last_day=last_day, today=today))
    if scope not in Grant.Scope.values:
        problems["scope"] = [_("Choose what they may see.")]
    if applications is not None:
        mine = set(client_applications(account=account, client=client).values_list("pk", flat=True))
        if not applications or any(application.pk not in mine for application in applications):
            problems["applications"] = [_("Choose at least one of your applications.")]
    problem = signed_name_problem(client=client, signed_name=signed_name)
    if problem:
        problems["signed_name"] = [problem]
    if problems:
        raise ValidationError(problems)
    terms, expires_at = terms_for(
        client=client,
        kind=kind,
        grantee=grantee,
        licence_number=licence_number,
        applications=applications,
        scope=scope,
        may_act=may_act,
        last_day=last_day,
        now=now,
    )
    grants = grants_create(
        client=client,
        applications=applications,
        kind=kind,
        grantee=grantee,
        terms=terms,
        expires_at=expires_at,
        consent_language=consent_language or active_language(),
        signed_name=signed_name,
        source=Grant.Source.ONLINE,
        given_by=account,
        given_at=now,
        now=now,
    )
    for grant in grants:
        grant_audit(action=AuditAction.GRANT_GIVEN, grant=grant, actor=account, basis=Basis.CLIENT, request=request)
        tell_about_new_grant(grant)
    return grants


def grants_create(
    *,
    client: Client,
    applications: list[Application] | None,
    kind: str,
    grantee: GranteeChoice,
    terms: ConsentTerms,
    expires_at: datetime.datetime | None,
    consent_language: str,
    signed_name: str,
    source: str,
    given_by,
    given_at: datetime.datetime,
    now: datetime.datetime,
) -> list[Grant]:
    """The grants one consent makes: one per application chosen, or one for all of them.

    An organisation's grant is active at once; a person invited by email holds an invitation.
    The consent text stored is the one `terms` words, in both languages.
    """
    text_en, text_fr = consent_texts(terms)
    invited = grantee.organisation is None
    targets: list[Application | None] = list(applications) if applications is not None else [None]
    return [
        Grant.objects.create(
            client=client,
            application=application,
            kind=kind,
            organisation=grantee.organisation,
            grantee_email=grantee.email.strip().lower() if invited else "",
            grantee_name=grantee.name.strip() if invited else "",
            licence_number=terms.licence_number,
            scope=terms.scope,
            may_act=terms.may_act,
            state=Grant.State.INVITED if invited else Grant.State.ACTIVE,
            starts_at=now,
            expires_at=expires_at,
            consent_text_en=text_en,
            consent_text_fr=text_fr,
            consent_language=consent_language,
            signed_name=signed_name.strip(),
            source=source,
            given_by=given_by,
            given_at=given_at,
        )
        for application in targets
    ]


def tell_about_new_grant(grant: Grant) -> None:
    client_tell(
        grant=grant,
        key="given",
        wording=lambda: _("You gave %(grantee)s access to %(files)s: %(scope)s, %(until)s.")
        % {
            "grantee": grant.grantee_label,
            "files": _("application %(number)s") % {"number": number_of(grant)}
            if grant.application_id
            else _("all your applications"),
            "scope": scope_words(grant),
            "until": until_text(grant),
        },
    )
    if grant.state == Grant.State.INVITED:
        tell_grantee(
            grant=grant,
            key="invited",
            wording=lambda: _(
                "%(client)s has given you access to %(files)s on the immigration application status portal. "
                "To accept, sign in or create an account with this email address, then open “Invitations”."
            )
            % {"client": client_name(grant.client), "files": files_label(grant)},
            link_path="consent/invitations/",
        )
    else:
        tell_grantee(
            grant=grant,
            key="given",
            wording=lambda: _("%(client)s has given you access to %(files)s: %(scope)s, %(until)s.")
            % {
                "client": client_name(grant.client),
                "files": files_label(grant),
                "scope": scope_words(grant),
                "until": until_text(grant),
            },
        )


def invitations_for(account):
    """The invitations waiting for one of this account's verified addresses."""
    addresses = verified_addresses(account)
    if not addresses:
        return Grant.objects.none()
    return (
        Grant.objects.filter(state=Grant.State.INVITED, grantee_account=None, grantee_email__in=addresses)
        .select_related("client", "application")
        .order_by("created_at", "pk")
    )


@transaction.atomic
def grant_accept_invitation(*, account, grant_id: int, request: HttpRequest | None = None) -> Grant:
    """The invited person accepts: the grant binds to their account and comes into force.

    Only an account holding the invited address, verified, can accept; anyone else, and
    an invitation already accepted or revoked, is a 404.
    """
    grant = (
        invitations_for(account)
        .select_for_update(of=("self",))
        .select_related("organisation", "grantee_account")
        .filter(pk=grant_id)
        .first()
    )
    if grant is None:
        raise Http404
    grant.grantee_account = account
    grant.state = Grant.State.ACTIVE
    grant.save(update_fields=["grantee_account", "state"])
    grant_audit(action=AuditAction.GRANT_ACCEPTED, grant=grant, actor=account, basis=Basis.GRANTEE, request=request)
    client_tell(
        grant=grant,
        key="accepted",
        wording=lambda: _("%(grantee)s accepted the access you gave them to %(files)s.")
        % {
            "grantee": grant.grantee_label,
            "files": _("application %(number)s") % {"number": number_of(grant)}
            if grant.application_id
            else _("all your applications"),
        },
    )
    return grant
