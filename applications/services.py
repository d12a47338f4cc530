"""Writes for applications: linking them to accounts, and unlinking."""

import datetime
import enum

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from applications.access import normalize_application_number
from applications.audit import case_audit_record
from applications.models import Application, ApplicationLink, Client, LinkAttempt, LinkLock
from core.locks import names_lock
from core.models import AuditAction
from core.text import fold


class LinkResult(enum.Enum):
    LINKED = "linked"
    MISMATCH = "mismatch"
    LOCKED = "locked"
    IDENTIFIED = "identified"  # a person without an account proved who they are (an enquiry)


def _digits(text: str) -> str:
    return "".join(char for char in text if char.isdigit())


def _identifiers_match(
    *,
    client: Client,
    uci: str,
    family_name: str,
    date_of_birth: datetime.date | None,
    country_of_birth: str,
) -> bool:
    if uci:
        return _digits(uci) == client.uci
    return (
        bool(family_name)
        and fold(family_name) == fold(client.family_name)
        and date_of_birth == client.date_of_birth
        and country_of_birth.upper() == str(client.country_of_birth.code).upper()
    )


def _is_locked(*, scope: str, key: str, now: datetime.datetime) -> bool:
    return LinkLock.objects.filter(scope=scope, key=key, locked_until__gt=now).exists()


def _lock_if_over_limit(*, number: str, now: datetime.datetime, tried_by: Q, tried_by_key: str) -> None:
    """Lock the number, and whoever tried (`tried_by` filters their attempts), once past the limits."""
    window_start = now - datetime.timedelta(hours=settings.LINK_LOCK_HOURS)
    locked_until = now + datetime.timedelta(hours=settings.LINK_LOCK_HOURS)
    failures = LinkAttempt.objects.filter(result=LinkAttempt.Result.MISMATCH, created_at__gt=window_start)
    if failures.filter(application_number=number).count() >= settings.LINK_MAX_FAILURES_PER_APPLICATION:
        LinkLock.objects.create(scope=LinkLock.Scope.APPLICATION, key=number, locked_until=locked_until)
    if failures.filter(tried_by).count() >= settings.LINK_MAX_FAILURES_PER_ACCOUNT:
        LinkLock.objects.create(scope=LinkLock.Scope.ACCOUNT, key=tried_by_key, locked_until=locked_until)


def _may_link(*, account, application: Application, **identifiers) -> bool:
    """The identifiers match, and neither the client nor the account already belongs to someone else."""
    own_client = Client.objects.filter(account=account).first()
    return (
        _identifiers_match(client=application.client, **identifiers)
        and application.client.account_id in (None, account.pk)
        and (own_client is None or own_client.pk == application.client_id)
    )


def _link_grant(*, account, application: Application, ip_address: str | None) -> None:
    """Give the account the file (and its client, if unclaimed); audit a link that is new."""
    client = application.client
    if client.account_id is None:
        client.account = account
        client.save(update_fields=["account"])
    _link, created = ApplicationLink.objects.get_or_create(account=account, application=application)
    if created:
        case_audit_record(
            action=AuditAction.CASE_LINKED,
            application=application,
            actor=account,
            basis="identifiers",
            ip_address=ip_address,
        )


def application_link(
    *,
    account,
    application_number: str,
    uci: str = "",
    family_name: str = "",
    date_of_birth: datetime.date | None = None,
    country_of_birth: str = "",
    ip_address: str | None = None,
) -> tuple[LinkResult, Application | None]:
    """Link an application to `account` when the client's identifiers match.

    Every try is recorded. Failures are counted per application number and per
    account; past the limits, linking is locked for LINK_LOCK_HOURS. A number
    that does not exist is treated exactly like a mismatch, so nothing leaks.
    """
    number = normalize_application_number(application_number)[:40]
    with transaction.atomic():
        # Attempts on the same number or from the same account take turns, so that the
        # failure count, the lock and a client's first account are each decided once.
        names_lock(f"link:number:{number}", f"link:account:{account.pk}")
        now = timezone.now()
        if _is_locked(scope=LinkLock.Scope.ACCOUNT, key=str(account.pk), now=now) or _is_locked(
            scope=LinkLock.Scope.APPLICATION, key=number, now=now
        ):
            LinkAttempt.objects.create(
                account=account, application_number=number, result=LinkAttempt.Result.LOCKED, ip_address=ip_address
            )
            return LinkResult.LOCKED, None

        application = (
            Application.objects.select_related("client").select_for_update(of=("client",)).filter(number=number).first()
        )
        identifiers = {
            "uci": uci,
            "family_name": family_name,
            "date_of_birth": date_of_birth,
            "country_of_birth": country_of_birth,
        }
        if application is None or not _may_link(account=account, application=application, **identifiers):
            LinkAttempt.objects.create(
                account=account,
                application_number=number,
                application=application,
                result=LinkAttempt.Result.MISMATCH,
                ip_address=ip_address,
            )
            _lock_if_over_limit(number=number, now=now, tried_by=Q(account=account), tried_by_key=str(account.pk))
            return LinkResult.MISMATCH, None

        _link_grant(account=account, application=application, ip_address=ip_address)
        LinkAttempt.objects.create(
            account=account,
            application_number=number,
            application=application,
            result=LinkAttempt.Result.LINKED,
            ip_address=ip_address,
        )
        return LinkResult.LINKED, application


# Without an account, the IP address a person writes from stands in for the account in the counters and locks.
UNKNOWN_ADDRESS_KEY = "unknown"

# Matches nobody: no UCI, and a family name longer than the form lets anyone type.
_NOBODY = Client(uci="", family_name="?" * 101, date_of_birth=datetime.date(1, 1, 1), country_of_birth="")


def application_identify_guest(
    *,
    application_number: str,
    uci: str = "",
    family_name: str = "",
    date_of_birth: datetime.date | None = None,
    country_of_birth: str = "",
    ip_address: str | None = None,
) -> tuple[LinkResult, Application | None]:
    """The application, when a person without an account names it with its client's identifiers.

    For an enquiry sent without signing in: the same identifiers as linking, and the same
    counters. Failures count per application number (whoever tried, linking included) and
    per IP address, where linking counts per account; past either limit both are refused
    until the lock ends. Every try is recorded; a number that does not exist is a
    mismatch like any other, so the answer never tells whether it exists.
    """
    number = normalize_application_number(application_number)[:40]
    address_key = ip_address or UNKNOWN_ADDRESS_KEY
    tried_by = Q(account__isnull=True) & (Q(ip_address=ip_address) if ip_address else Q(ip_address__isnull=True))
    with transaction.atomic():
        names_lock(f"link:number:{number}", f"link:address:{address_key}")
        now = timezone.now()
        if _is_locked(scope=LinkLock.Scope.ACCOUNT, key=address_key, now=now) or _is_locked(
            scope=LinkLock.Scope.APPLICATION, key=number, now=now
        ):
            LinkAttempt.objects.create(
                application_number=number, result=LinkAttempt.Result.LOCKED, ip_address=ip_address
            )
            return LinkResult.LOCKED, None

        application = Application.objects.select_related("client").filter(number=number).first()
        # An unknown number is compared against a stand-in, so it costs the work a mismatch costs.
        matched = _identifiers_match(
            client=application.client if application is not None else _NOBODY,
            uci=uci,
            family_name=family_name,
            date_of_birth=date_of_birth,
            country_of_birth=country_of_birth,
        )
        if application is None or not matched:
            LinkAttempt.objects.create(
                application_number=number,
                application=application,
                result=LinkAttempt.Result.MISMATCH,
                ip_address=ip_address,
            )
            _lock_if_over_limit(number=number, now=now, tried_by=tried_by, tried_by_key=address_key)
            return LinkResult.MISMATCH, None

        LinkAttempt.objects.create(
            application_number=number,
            application=application,
            result=LinkAttempt.Result.IDENTIFIED,
            ip_address=ip_address,
        )
        return LinkResult.IDENTIFIED, application


def application_unlink(*, account, application: Application, ip_address: str | None = None, actor=None) -> None:
    """Remove the account's access to one application; the last unlink frees the client.

    `actor` is whoever removed the link when it is not the account itself (staff in admin).
    """
    with transaction.atomic():
        removed, _by_model = ApplicationLink.objects.filter(account=account, application=application).delete()
        if removed:
            case_audit_record(
                action=AuditAction.CASE_UNLINKED,
                application=application,
                actor=actor or account,
                basis="owner" if actor is None else "staff",
                ip_address=ip_address,
            )
        LinkAttempt.objects.create(
            account=account,
            application_number=application.number,
            application=application,
            result=LinkAttempt.Result.UNLINKED,
            ip_address=ip_address,
        )
        if not ApplicationLink.objects.filter(account=account, application__client=application.client_id).exists():
            Client.objects.filter(pk=application.client_id, account=account).update(account=None)
