"""The client's access log: each time someone other than themselves opened or changed who sees their files.

Read from the audit trail (core.models.AuditEvent) by application number, and by grant
for grants over all of a client's applications, and told in plain language in the
reader's language. A page costs the same few queries however long the log is.
"""

import datetime
from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.models import Application, Grant, OrganisationMember
from core.dates import date_format
from core.i18n import active_language
from core.models import AuditAction, AuditEvent
from delegations.consent import person_short_name

PER_PAGE = 25


@dataclass(frozen=True)
class LogEntry:
    occurred_at: datetime.datetime
    number: str
    sentence: str


def access_log_events(*, account):
    """The audit events the client behind `account` may read: about their files, by anyone but them.

    The numbers and grant ids are read first (two small queries) so that the search of
    the audit trail is by plain values, which its indexes on the application number and
    on the subject serve.
    """
    numbers = list(
        Application.objects.filter(client__account=account, links__account=account).values_list("number", flat=True)
    )
    grant_ids = [
        str(pk)
        for pk in Grant.objects.filter(client__account=account, application__isnull=True).values_list("pk", flat=True)
    ]
    about = Q(case_number__in=numbers) & ~Q(case_number="") if numbers else Q(pk__in=[])
    if grant_ids:
        about |= Q(subject_type="grant", subject_id__in=grant_ids)
    return (
        AuditEvent.objects.filter(about).exclude(actor=account).select_related("actor").order_by("-occurred_at", "-id")
    )


def access_log_page(*, account, page_number, per_page: int = PER_PAGE) -> tuple[Page, list[LogEntry]]:
    """One page of the log, newest first, each event as a sentence in the active language."""
    page = Paginator(access_log_events(account=account), per_page).get_page(page_number)
    events = list(page.object_list)
    roles = _member_roles(events)
    return page, [_entry(event, roles) for event in events]


def _member_roles(events: list[AuditEvent]) -> dict[tuple[int, int], str]:
    """(account id, organisation id) → the member's role label, in one query for the page."""
    pairs = {
        (event.actor_id, event.extra.get("organisation"))
        for event in events
        if event.actor_id and isinstance(event.extra, dict) and event.extra.get("organisation")
    }
    if not pairs:
        return {}
    members = OrganisationMember.objects.filter(
        account_id__in={account for account, _ in pairs}, organisation_id__in={org for _, org in pairs}
    ).order_by("joined_at")
    return {(member.account_id, member.organisation_id): member.get_role_display() for member in members}


def _organisation_name(extra: dict) -> str:
    return extra.get(f"organisation_{active_language()}") or extra.get("organisation_en") or ""


def _who(event: AuditEvent, roles: dict) -> str:
    extra = event.extra if isinstance(event.extra, dict) else {}
    if event.basis == "staff" or (event.actor is not None and event.actor.is_staff):
        return _("An employee of the department")
    if event.actor is None:
        return _("Someone")
    person = person_short_name(event.actor)
    organisation = _organisation_name(extra)
    if organisation:
        role = roles.get((event.actor_id, extra.get("organisation")))
        if role:
            # The closing comma sets the organisation apart in the sentence that follows.
            return _("%(role)s %(person)s, %(organisation)s,") % {
                "role": role,
                "person": person,
                "organisation": organisation,
            }
        return _("%(person)s, %(organisation)s,") % {"person": person, "organisation": organisation}
    if event.basis == "grantee":
        return person
    return _("Someone")


def _what_was_read(event: AuditEvent) -> str:
    extra = event.extra if isinstance(event.extra, dict) else {}
    number = event.case_number
    page, need = extra.get("page"), extra.get("need")
    if page == "detail" or (page is None and need == "status"):
        return _("the status page of your application %(number)s") % {"number": number}
    if page == "decision" or need == "decision":
        return _("the decision on your application %(number)s") % {"number": number}
    if need == "officer_notes":
        return _("the officer's notes on your application %(number)s") % {"number": number}
    if need == "act_on_behalf":
        return _("your application %(number)s, to act for you") % {"number": number}
    return _("your application %(number)s") % {"number": number}


def _grantee_of(event: AuditEvent) -> str:
    extra = event.extra if isinstance(event.extra, dict) else {}
    return extra.get(f"grantee_{active_language()}") or extra.get("grantee_en") or _("someone")


def _entry(event: AuditEvent, roles: dict) -> LogEntry:
    when = timezone.localtime(event.occurred_at)
    values = {
        "who": _who(event, roles),
        "date": date_format(when, "DATE_FORMAT"),
        "time": date_format(when, "TIME_FORMAT"),
        "number": event.case_number,
    }
    action = event.action
    if action == AuditAction.CASE_READ:
        sentence = _("%(who)s looked at %(what)s on %(date)s at %(time)s.") % {**values, "what": _what_was_read(event)}
    elif action == AuditAction.STATUS_CHECKED:
        sentence = (
            _("Someone checked the status of your application %(number)s without signing in, on %(date)s at %(time)s.")
            % values
        )
    elif action == AuditAction.GRANT_REQUESTED:
        sentence = _("%(who)s asked you for access to your application %(number)s on %(date)s at %(time)s.") % values
    elif action == AuditAction.GRANT_ACCEPTED:
        sentence = _("%(who)s accepted the access you gave them, on %(date)s at %(time)s.") % values
    elif action == AuditAction.GRANT_GIVEN:
        sentence = _(
            "%(who)s recorded your signed consent form giving access to %(grantee)s, on %(date)s at %(time)s."
        ) % {**values, "grantee": _grantee_of(event)}
    elif action == AuditAction.GRANT_REVOKED:
        sentence = _("%(who)s ended the access of %(grantee)s, on %(date)s at %(time)s.") % {
            **values,
            "grantee": _grantee_of(event),
        }
    elif action == AuditAction.GRANT_CHANGED:
        sentence = _("%(who)s changed the access of %(grantee)s, on %(date)s at %(time)s.") % {
            **values,
            "grantee": _grantee_of(event),
        }
    elif action == AuditAction.CASE_LINKED:
        sentence = _("Another portal account linked your application %(number)s, on %(date)s at %(time)s.") % values
    else:
        sentence = _("%(who)s: %(what)s, on %(date)s at %(time)s.") % {
            **values,
            "who": values["who"].rstrip(","),
            "what": AuditAction(action).label if action in AuditAction.values else action,
        }
    if sentence.endswith(".."):
        # A time such as "2:02 p.m." already ends the sentence.
        sentence = sentence[:-1]
    return LogEntry(occurred_at=event.occurred_at, number=event.case_number, sentence=sentence)
