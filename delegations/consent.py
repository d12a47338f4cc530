"""Every change to a client's grants: given, invited and accepted, asked for and answered, narrowed, revoked.

This is the one writer of grants. Each function checks what it is given, changes the
grant in one transaction, writes the audit event in that transaction (named by the
application number when the grant names one, so the client's access log shows it),
and tells the client and the grantee through the notification outbox. Nothing here
decides who may read a case: that is `applications.access`.
"""

import datetime
from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.access import normalize_application_number
from applications.audit import case_audit_record
from applications.models import Application, Client, Grant, Organisation, OrganisationMember
from core.audit import audit_record
from core.dates import add_months, date_format
from core.i18n import active_language, in_both_languages
from core.models import AuditAction
from core.ratelimit import rate_hit
from core.text import fold
from delegations.consent_models import ConsentEvidence
from delegations.consent_text import ConsentTerms, consent_texts, last_day_of
from delegations.liaison import appointments_cancel_for_revoked_grant
from notifications.models import Kind
from notifications.outbox import OutboundMessage, outbox_write

# A parliamentary office's consent never lasts longer than this.
PARLIAMENTARY_MONTHS = 12
# Requests for access a person may send in an hour: enough for a caseworker's day, too few to probe numbers.
REQUESTS_PER_HOUR = 20

SCOPE_ORDER: dict[str, int] = {Grant.Scope.STATUS: 0, Grant.Scope.DECISION: 1, Grant.Scope.NOTES: 2}
REPRESENTATIVE_KINDS = (Grant.Kind.REPRESENTATIVE_PAID, Grant.Kind.REPRESENTATIVE_UNPAID)


class Basis:
    """The basis written on the audit events of grant changes."""

    CLIENT = "owner"
    STAFF = "staff"
    GRANTEE = "grantee"


# --- rules shared by the forms and the services ------------------------------------------------------


def number_of(grant: Grant) -> str:
    """The number of the application a grant names, or "" for a grant over all of them."""
    return grant.application.number if grant.application is not None else ""


def client_name(client: Client) -> str:
    return " ".join(part for part in (client.given_names, client.family_name) if part).strip()


def person_short_name(account) -> str:
    """ "A. Tremblay" from an account's names, or its email when it has none."""
    first, last = (account.first_name or "").strip(), (account.last_name or "").strip()
    if last:
        return f"{first[0]}. {last}" if first else last
    return first or account.email


def signed_name_problem(*, client: Client, signed_name: str) -> str | None:
    """Why the typed name cannot stand as the client's signature, or None.

    It must be written out and contain the client's family name as whole words, with
    accents, case, hyphens and spacing ignored ("gagnon levesque" signs for Gagnon-Lévesque).
    """
    typed = fold(signed_name or "")
    if not typed:
        return _("Type your full name to sign.")
    family = fold(client.family_name)
    if family and f" {family} " not in f" {typed} ":
        return _("Type your full name as it appears on your application, including your family name.")
    return None


def day_start(day: datetime.date) -> datetime.datetime:
    """The first moment of `day` in the portal's time zone."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def expiry_for(*, kind: str, last_day: datetime.date | None, today: datetime.date) -> datetime.datetime | None:
    """When a grant chosen to run through `last_day` expires: a parliamentary office's at most 12 months on."""
    expires_at = day_start(last_day + datetime.timedelta(days=1)) if last_day is not None else None
    if kind == Grant.Kind.PARLIAMENTARY:
        cap = day_start(add_months(today, months=PARLIAMENTARY_MONTHS))
        expires_at = cap if expires_at is None else min(expires_at, cap)
    return expires_at


@dataclass(frozen=True)
class GranteeChoice:
    """Who the client gives access to: a verified organisation, or a person invited by email."""

    organisation: Organisation | None = None
    email: str = ""
    name: str = ""


def kind_problem(*, kind: str, grantee: GranteeChoice) -> str | None:
    if kind not in Grant.Kind.values:
        return _("Choose who this person or office is for you.")
    is_office = grantee.organisation is not None and grantee.organisation.kind == Organisation.Kind.PARLIAMENTARY_OFFICE
    if is_office != (kind == Grant.Kind.PARLIAMENTARY):
        return _("An office of a Member of Parliament or Senator can only be given access as such an office.")
    return None


def terms_for(
    *,
    client: Client,
    kind: str,
    grantee: GranteeChoice,
    licence_number: str,
    applications: list[Application] | None,
    scope: str,
    may_act: bool,
    last_day: datetime.date | None,
    now: datetime.datetime | None = None,
) -> tuple[ConsentTerms, datetime.datetime | None]:
    """The terms the client is about to consent to, and when the grant will expire.

    The page that shows the consent and the service that stores it both call this, so
    the text kept is the text read (a parliamentary office's end date already capped).
    """
    today = timezone.localdate(now or timezone.now())
    expires_at = expiry_for(kind=kind, last_day=last_day, today=today)
    terms = ConsentTerms(
        client_name=client_name(client),
        kind=kind,
        organisation=grantee.organisation,
        grantee_name=grantee.name or grantee.email,
        licence_number=licence_number if kind in REPRESENTATIVE_KINDS else "",
        numbers=tuple(application.number for application in applications or ()),
        scope=scope,
        may_act=may_act,
        starts_on=today,
        last_day=last_day_of(expires_at),
    )
    return terms, expires_at


# --- lookups for the client and the grantee ------------------------------------------------------------


def client_for_account(account) -> Client | None:
    """The client this account speaks for (set by its first link), or None."""
    if account is None or not account.is_authenticated:
        return None
    return Client.objects.filter(account=account).first()


def client_applications(*, account, client: Client):
    """The client's applications this account holds a link to: the ones it may give access to."""
    return Application.objects.filter(client=client, links__account=account).order_by("-submitted_on", "number")


def grant_for_client(*, account, grant_id: int) -> Grant:
    """One of the grants of the client this account speaks for; anyone else's is a 404."""
    if account is None or not account.is_authenticated:
        raise Http404
    grant = (
        Grant.objects.select_related("client", "application", "organisation", "grantee_account")
        .filter(pk=grant_id, client__account=account)
        .first()
    )
    if grant is None:
        raise Http404
    return grant


def verified_addresses(account) -> set[str]:
    return {
        address.lower()
        for address in EmailAddress.objects.filter(user=account, verified=True).values_list("email", flat=True)
    }


# --- notifications ---------------------------------------------------------------------------------------


def _grantee_accounts(grant: Grant) -> list:
    if grant.grantee_account is not None:
        return [grant.grantee_account] if grant.grantee_account.is_active else []
    if grant.organisation_id is not None:
        members = OrganisationMember.objects.filter(organisation_id=grant.organisation_id, removed_at=None)
        return [member.account for member in members.select_related("account") if member.account.is_active]
    return []


def _files_label(grant: Grant) -> str:
    if grant.application_id is not None:
        return _("application %(number)s") % {"number": number_of(grant)}
    return _("all their applications")


def client_tell(*, grant: Grant, key: str, wording, application_id: int | None = None) -> None:
    """Tell the client's account; `wording` is called once per language."""
    account = grant.client.account
    if account is None or not account.is_active:
        return
    english, french = in_both_languages(wording)
    outbox_write(
        messages=[
            OutboundMessage(
                recipient=account,
                kind=Kind.ACCESS_CHANGED,
                dedupe_key=f"grant:{grant.pk}:{key}",
                application_id=application_id if application_id is not None else grant.application_id,
                message_en=english,
                message_fr=french,
                message_in_email=True,
                link_path="access/",
            )
        ]
    )


def _tell_grantee(*, grant: Grant, key: str, wording, link_path: str = "") -> None:
    """Tell the grantee: the person, every active member of the organisation, or the invited address.

    Not attached to the application, so a revocation stays readable after access ends.
    """
    english, french = in_both_languages(wording)

    def message(recipient, address: str = "", language: str = "") -> OutboundMessage:
        return OutboundMessage(
            recipient=recipient,
            kind=Kind.DELEGATE_ACCESS,
            dedupe_key=f"grant:{grant.pk}:{key}",
            message_en=english,
            message_fr=french,
            message_in_email=True,
            link_path=link_path,
            address=address,
            language=language,
        )

    messages = [message(account) for account in _grantee_accounts(grant)]
    if not messages and grant.grantee_email and grant.grantee_account_id is None:
        language = grant.consent_language if grant.consent_language in ("en", "fr") else "en"
        messages = [message(None, address=grant.grantee_email, language=language)]
    if messages:
        outbox_write(messages=messages)


def _grant_audit(*, action: AuditAction, grant: Grant, actor, basis: str, request=None, extra=None) -> None:
    details = {
        "grant": grant.pk,
        "grant_kind": grant.kind,
        "scope": grant.scope,
        "may_act": grant.may_act,
        "grantee_en": _grantee_name(grant, "en"),
        "grantee_fr": _grantee_name(grant, "fr"),
        **(extra or {}),
    }
    if grant.organisation_id is not None:
        details["organisation"] = grant.organisation_id
    if grant.application is not None:
        case_audit_record(
            action=action, application=grant.application, actor=actor, basis=basis, request=request, extra=details
        )
    else:
        audit_record(
            action=action,
            subject_type="grant",
            subject_id=grant.pk,
            actor=actor,
            basis=basis,
            request=request,
            extra=details,
        )


def _grantee_name(grant: Grant, language: str) -> str:
    if grant.organisation is not None:
        return getattr(grant.organisation, f"name_{language}") or grant.organisation.name_en
    return grant.grantee_name or (grant.grantee_account.email if grant.grantee_account else grant.grantee_email)


def _until(grant: Grant) -> str:
    last_day = last_day_of(grant.expires_at)
    if last_day is None:
        return _("with no end date")
    return _("until the end of %(day)s") % {"day": date_format(last_day, "DATE_FORMAT")}


def _scope_words(grant: Grant) -> str:
    words = str(Grant.Scope(grant.scope).label)
    if grant.may_act:
        words = _("%(scope)s, and may act for the client") % {"scope": words}
    return words


# --- giving consent online -------------------------------------------------------------------------------


def _check_grantee(*, kind: str, grantee: GranteeChoice, licence_number: str) -> dict[str, list[str]]:
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


def _check_period(*, kind: str, last_day: datetime.date | None, today: datetime.date) -> dict[str, list[str]]:
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
    problems = _check_grantee(kind=kind, grantee=grantee, licence_number=licence_number)
    problems.update(_check_period(kind=kind, last_day=last_day, today=today))
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
    grants = _grants_create(
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
        _grant_audit(action=AuditAction.GRANT_GIVEN, grant=grant, actor=account, basis=Basis.CLIENT, request=request)
        _tell_about_new_grant(grant)
    return grants


def _grants_create(
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


def _tell_about_new_grant(grant: Grant) -> None:
    client_tell(
        grant=grant,
        key="given",
        wording=lambda: _("You gave %(grantee)s access to %(files)s: %(scope)s, %(until)s.")
        % {
            "grantee": grant.grantee_label,
            "files": _("application %(number)s") % {"number": number_of(grant)}
            if grant.application_id
            else _("all your applications"),
            "scope": _scope_words(grant),
            "until": _until(grant),
        },
    )
    if grant.state == Grant.State.INVITED:
        _tell_grantee(
            grant=grant,
            key="invited",
            wording=lambda: _(
                "%(client)s has given you access to %(files)s on the immigration application status portal. "
                "To accept, sign in or create an account with this email address, then open “Invitations”."
            )
            % {"client": client_name(grant.client), "files": _files_label(grant)},
            link_path="consent/invitations/",
        )
    else:
        _tell_grantee(
            grant=grant,
            key="given",
            wording=lambda: _("%(client)s has given you access to %(files)s: %(scope)s, %(until)s.")
            % {
                "client": client_name(grant.client),
                "files": _files_label(grant),
                "scope": _scope_words(grant),
                "until": _until(grant),
            },
        )


# --- invitations -----------------------------------------------------------------------------------------


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
    _grant_audit(action=AuditAction.GRANT_ACCEPTED, grant=grant, actor=account, basis=Basis.GRANTEE, request=request)
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


# --- requests from a grantee ---------------------------------------------------------------------------


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
    _grant_audit(action=AuditAction.GRANT_REQUESTED, grant=grant, actor=requester, basis=Basis.GRANTEE, request=request)
    client_tell(
        grant=grant,
        key="requested",
        wording=lambda: _(
            "%(grantee)s asks for access to your application %(number)s: %(scope)s. "
            "You can accept, narrow or refuse on the page “Who can see my files”."
        )
        % {"grantee": _requester_label(grant), "number": application.number, "scope": _scope_words(grant)},
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
        _grant_audit(action=AuditAction.GRANT_REFUSED, grant=grant, actor=account, basis=Basis.CLIENT, request=request)
        _tell_grantee(
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
    problems.update(_check_period(kind=grant.kind, last_day=last_day, today=timezone.localdate(now)))
    problem = signed_name_problem(client=grant.client, signed_name=signed_name)
    if problem:
        problems["signed_name"] = [problem]
    if problems:
        raise ValidationError(problems)
    asked = {"scope": grant.scope, "may_act": grant.may_act, "expires_at": _iso(grant.expires_at)}
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
    _grant_audit(
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
            "scope": _scope_words(grant),
            "until": _until(grant),
        },
    )
    _tell_grantee(
        grant=grant,
        key="answered",
        wording=lambda: _("Your request for access to application %(number)s was accepted: %(scope)s, %(until)s.")
        % {"number": number_of(grant), "scope": _scope_words(grant), "until": _until(grant)},
        link_path=f"applications/{number_of(grant)}/",
    )
    return grant


def _iso(value: datetime.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


# --- narrowing and revoking ------------------------------------------------------------------------------


@transaction.atomic
def grant_narrow(
    *,
    account,
    grant_id: int,
    scope: str | None = None,
    may_act: bool | None = None,
    last_day: datetime.date | None = None,
    request: HttpRequest | None = None,
) -> Grant:
    """The client gives less: a narrower scope, no longer acting for them, or an earlier end.

    Never more: widening needs a new consent. Raises ValidationError when asked to widen.
    """
    grant = grant_for_client(account=account, grant_id=grant_id)
    grant = (
        Grant.objects.select_for_update(of=("self",))
        .select_related("client__account", "application", "organisation", "grantee_account")
        .get(pk=grant.pk)
    )
    if grant.state not in (Grant.State.ACTIVE, Grant.State.INVITED):
        raise ValidationError(_("This access has already ended."))
    now = timezone.now()
    problems: dict[str, list[str]] = {}
    new_scope = scope or grant.scope
    new_may_act = grant.may_act if may_act is None else may_act
    if new_scope not in Grant.Scope.values or SCOPE_ORDER[new_scope] > SCOPE_ORDER[grant.scope]:
        problems["scope"] = [_("You can only give less here. To give more, give access again.")]
    if new_may_act and not grant.may_act:
        problems["may_act"] = [_("You can only give less here. To give more, give access again.")]
    new_expires_at = grant.expires_at
    if last_day is not None:
        if last_day < timezone.localdate(now):
            problems["last_day"] = [_("Choose an end date from today on. To end the access now, remove it.")]
        else:
            new_expires_at = day_start(last_day + datetime.timedelta(days=1))
            if grant.expires_at is not None and new_expires_at > grant.expires_at:
                problems["last_day"] = [_("You can only give less here. To give more, give access again.")]
    if problems:
        raise ValidationError(problems)
    before = {"scope": grant.scope, "may_act": grant.may_act, "expires_at": _iso(grant.expires_at)}
    if (new_scope, new_may_act, new_expires_at) == (grant.scope, grant.may_act, grant.expires_at):
        return grant
    grant.scope, grant.may_act, grant.expires_at = new_scope, new_may_act, new_expires_at
    grant.save(update_fields=["scope", "may_act", "expires_at"])
    _grant_audit(
        action=AuditAction.GRANT_CHANGED,
        grant=grant,
        actor=account,
        basis=Basis.CLIENT,
        request=request,
        extra={"before": before},
    )
    # One message per change: the key names what the grant became.
    key = f"narrowed:{grant.scope}:{int(grant.may_act)}:{_iso(grant.expires_at)}"
    _tell_grantee(
        grant=grant,
        key=key,
        wording=lambda: _("%(client)s changed your access to %(files)s: now %(scope)s, %(until)s.")
        % {
            "client": client_name(grant.client),
            "files": _files_label(grant),
            "scope": _scope_words(grant),
            "until": _until(grant),
        },
    )
    return grant


@transaction.atomic
def grant_revoke(*, actor, grant: Grant, basis: str = Basis.CLIENT, request: HttpRequest | None = None) -> Grant:
    """End a grant now: the next request under it is a 404. The client's own, or staff acting on their word."""
    grant = (
        Grant.objects.select_for_update(of=("self",))
        .select_related("client__account", "application", "organisation", "grantee_account")
        .get(pk=grant.pk)
    )
    if grant.state not in (Grant.State.ACTIVE, Grant.State.INVITED):
        return grant
    grant.state = Grant.State.REVOKED
    grant.revoked_at = timezone.now()
    grant.revoked_by = actor
    grant.save(update_fields=["state", "revoked_at", "revoked_by"])
    _grant_audit(action=AuditAction.GRANT_REVOKED, grant=grant, actor=actor, basis=basis, request=request)
    # A liaison officer should not meet an office about a file it can no longer see.
    appointments_cancel_for_revoked_grant(grant=grant, actor=actor, request=request)
    files = (
        (lambda: _("application %(number)s") % {"number": number_of(grant)})
        if grant.application_id
        else (lambda: _("all your applications"))
    )
    client_tell(
        grant=grant,
        key="revoked",
        wording=lambda: _("%(grantee)s can no longer see %(files)s.")
        % {"grantee": grant.grantee_label, "files": files()},
    )
    _tell_grantee(
        grant=grant,
        key="revoked",
        wording=lambda: _("%(client)s has withdrawn your access to %(files)s.")
        % {"client": client_name(grant.client), "files": _files_label(grant)},
    )
    return grant


def grant_revoke_by_client(*, account, grant_id: int, request: HttpRequest | None = None) -> Grant:
    """The client revokes one of their own grants (anyone else's is a 404)."""
    grant = grant_for_client(account=account, grant_id=grant_id)
    return grant_revoke(actor=account, grant=grant, basis=Basis.CLIENT, request=request)


# --- consent on paper --------------------------------------------------------------------------------------


@transaction.atomic
def grant_record_paper(
    *,
    staff,
    client: Client,
    kind: str,
    grantee: GranteeChoice,
    applications: list[Application] | None,
    scope: str = Grant.Scope.STATUS,
    may_act: bool = False,
    last_day: datetime.date | None = None,
    licence_number: str = "",
    signed_name: str,
    signed_on: datetime.date,
    consent_language: str = "en",
    scan,
    request: HttpRequest | None = None,
) -> list[Grant]:
    """Staff record the consent a client signed on paper, with the scan that proves it.

    `scan` is one file already checked by the documents pipeline (enquiries.uploads.CheckedFile).
    The grants start on the day recorded; the text kept is the portal's wording of the
    same choices, in both languages.
    """
    now = timezone.now()
    today = timezone.localdate(now)
    problems = _check_grantee(kind=kind, grantee=grantee, licence_number=licence_number)
    problems.update(_check_period(kind=kind, last_day=last_day, today=today))
    if signed_on > today:
        problems["signed_on"] = [_("The form cannot be signed after today.")]
    if applications is not None and (
        not applications or any(application.client_id != client.pk for application in applications)
    ):
        problems["applications"] = [_("Choose applications of this client.")]
    if not (signed_name or "").strip():
        problems["signed_name"] = [_("Enter the name as signed on the form.")]
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
    evidence = ConsentEvidence(
        original_name=scan.name,
        content_type=scan.content_type,
        size=scan.size,
        sha256=scan.sha256,
        signed_on=signed_on,
        recorded_by=staff,
    )
    evidence.file.save(scan.name, ContentFile(scan.content), save=False)
    written = evidence.file.name
    try:
        evidence.save()
        grants = _grants_create(
            client=client,
            applications=applications,
            kind=kind,
            grantee=grantee,
            terms=terms,
            expires_at=expires_at,
            consent_language=consent_language,
            signed_name=signed_name,
            source=Grant.Source.PAPER,
            given_by=staff,
            given_at=day_start(signed_on) if signed_on < today else now,
            now=now,
        )
        for grant in grants:
            evidence.grants.add(grant)
            _grant_audit(
                action=AuditAction.GRANT_GIVEN,
                grant=grant,
                actor=staff,
                basis=Basis.STAFF,
                request=request,
                extra={"evidence": evidence.pk, "signed_on": signed_on.isoformat()},
            )
            _tell_about_new_grant(grant)
    except BaseException:
        evidence.file.storage.delete(written)
        raise
    return grants


def grants_of_client(*, account):
    """Every grant of the client this account speaks for, newest first, with what the page shows."""
    return (
        Grant.objects.filter(client__account=account)
        .filter(~Q(state=Grant.State.REQUESTED))
        .select_related("application", "organisation", "grantee_account")
        .order_by("-created_at", "-pk")
    )


def requests_for_client(*, account):
    """The requests for access waiting for this client's answer."""
    return (
        Grant.objects.filter(client__account=account, state=Grant.State.REQUESTED)
        .select_related("application", "organisation", "grantee_account", "requested_by")
        .order_by("created_at", "pk")
    )
