"""A status check without an account: a person names an application with its client's identifiers.

The identification is linking's own (applications.services.application_identify_guest):
the same identifiers, one answer for every mismatch, a number that does not exist
treated as a mismatch at the same cost, and the same lockout counters, per
application number and per source address. Before it, a per-address rate limit
counts every try. A successful check is written to the audit, so the client can
see in their access log that someone checked the status without signing in.

An unknown number runs the same queries as a wrong guess, but reading and building
an existing file's row and checking the attempt's foreign key still cost a wrong
guess about a tenth of a millisecond more (bench/check_status_timing.py). So every
answer that finds nothing is held back to a fixed floor, measured from the start:
the difference then disappears in the sleep's own jitter.
"""

import datetime
import enum
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction

from applications.audit import case_audit_record
from applications.models import Application
from applications.services import UNKNOWN_ADDRESS_KEY, LinkResult, application_identify_guest
from core.models import AuditAction
from core.ratelimit import RateDecision, rate_hit

RATE_SCOPE = "status_check"
# The rate limit (STATUS_CHECK_RATE_LIMIT per STATUS_CHECK_RATE_WINDOW_SECONDS) counts tries per address
# whatever their outcome; the lockouts count only the failures. Every answer that finds nothing takes at
# least STATUS_CHECK_MISS_FLOOR_SECONDS; the work itself takes a few milliseconds.
AUDIT_BASIS = "no_sign_in"


class CheckResult(enum.Enum):
    FOUND = "found"
    MISMATCH = "mismatch"
    LOCKED = "locked"


@dataclass(frozen=True)
class StatusCheck:
    result: CheckResult
    application: Application | None = None


def status_check_rate_hit(*, ip_address: str | None) -> RateDecision:
    """Count one status check from `ip_address` against the per-address limit; the decision."""
    return rate_hit(
        scope=RATE_SCOPE,
        key=ip_address or UNKNOWN_ADDRESS_KEY,
        limit=settings.STATUS_CHECK_RATE_LIMIT,
        window_seconds=settings.STATUS_CHECK_RATE_WINDOW_SECONDS,
    )


def status_check_perform(
    *,
    application_number: str,
    uci: str = "",
    family_name: str = "",
    date_of_birth: datetime.date | None = None,
    country_of_birth: str = "",
    ip_address: str | None = None,
) -> StatusCheck:
    """Identify the application for a person without an account; audit the check when it succeeds.

    Failures are recorded as link attempts (what the lockouts count) by the identification
    itself, and answered no sooner than STATUS_CHECK_MISS_FLOOR_SECONDS after the start.
    The application found comes with its program, client and current stage.
    """
    started = time.monotonic()
    with transaction.atomic():
        result, application = application_identify_guest(
            application_number=application_number,
            uci=uci,
            family_name=family_name,
            date_of_birth=date_of_birth,
            country_of_birth=country_of_birth,
            ip_address=ip_address,
        )
        if result is LinkResult.IDENTIFIED and application is not None:
            case_audit_record(
                action=AuditAction.STATUS_CHECKED,
                application=application,
                actor=None,
                basis=AUDIT_BASIS,
                ip_address=ip_address,
                extra={"page": "check_status", "identified_by": "uci" if uci else "personal_details"},
            )
    if result is not LinkResult.IDENTIFIED or application is None:
        # After the commit, so no lock is held while waiting.
        _wait_until(started + settings.STATUS_CHECK_MISS_FLOOR_SECONDS)
        return StatusCheck(result=CheckResult.LOCKED if result is LinkResult.LOCKED else CheckResult.MISMATCH)
    found = Application.objects.select_related("program", "client", "current_stage").get(pk=application.pk)
    return StatusCheck(result=CheckResult.FOUND, application=found)


def _wait_until(moment: float) -> None:
    """Sleep until the monotonic clock reads `moment` (at once if it already has)."""
    left = moment - time.monotonic()
    if left > 0:
        time.sleep(left)
