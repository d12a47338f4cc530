"""The rules of consent shared by the forms and the services: kinds, periods, terms, names."""

import datetime
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from applications.models import Application, Client, Grant, Organisation
from core.dates import add_months
from core.text import fold
from delegations.consent_text import ConsentTerms, last_day_of

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


def iso_or_none(value: datetime.datetime | None) -> str | None:
    """A moment as ISO 8601 text for an audit event's details, or None."""
    return value.isoformat() if value is not None else None
