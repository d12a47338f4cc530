"""The consent a client reads and signs, in plain language, built from what they chose.

The same function writes the text shown before the client confirms and the text
stored on the grant, in English and in French, so what is kept is what was read.
"""

import datetime
from dataclasses import dataclass

from django.utils.translation import gettext as _

from applications.models import Grant, Organisation
from core.dates import date_format
from core.i18n import in_both_languages


@dataclass(frozen=True)
class ConsentTerms:
    """Everything the consent text says: who gives it, to whom, over what, how much and how long."""

    client_name: str
    kind: str  # a Grant.Kind value
    organisation: Organisation | None
    grantee_name: str  # a person's name, or their email when no name was given
    licence_number: str
    numbers: tuple[str, ...]  # the application numbers; empty means all, present and future
    scope: str  # a Grant.Scope value
    may_act: bool
    starts_on: datetime.date
    last_day: datetime.date | None  # the last day the consent is in force, or None for no end date


def last_day_of(expires_at: datetime.datetime | None) -> datetime.date | None:
    """The last whole day a grant is in force: it expires at the first moment of the next day."""
    if expires_at is None:
        return None
    return Grant(expires_at=expires_at).last_day


def _day(value: datetime.date) -> str:
    return date_format(value, "DATE_FORMAT")


def _grantee(terms: ConsentTerms) -> str:
    if terms.organisation is not None:
        if terms.organisation.kind == Organisation.Kind.PARLIAMENTARY_OFFICE:
            return _("%(office)s (the office of %(member)s) and the people who work there") % {
                "office": terms.organisation.name,
                "member": terms.organisation.member_name,
            }
        return _("%(organisation)s and the people who work there") % {"organisation": terms.organisation.name}
    return terms.grantee_name


def _role(kind: str) -> str:
    roles: dict[str, str] = {
        Grant.Kind.REPRESENTATIVE_PAID: _("as my paid representative"),
        Grant.Kind.REPRESENTATIVE_UNPAID: _("as my unpaid representative"),
        Grant.Kind.DESIGNATED: _("as a person I designate"),
        Grant.Kind.PARLIAMENTARY: _("to help me with my file"),
    }
    return roles[kind]


def _what(scope: str) -> str:
    what: dict[str, str] = {
        Grant.Scope.STATUS: _("the status of my application, its stages and dates, and the processing-time estimate"),
        Grant.Scope.DECISION: _(
            "the status of my application, its stages and dates, the processing-time estimate, "
            "and the decision with its reasons"
        ),
        Grant.Scope.NOTES: _(
            "the status of my application, its stages and dates, the processing-time estimate, "
            "the decision with its reasons, and the officer's notes"
        ),
    }
    return what[scope]


def consent_text(terms: ConsentTerms) -> str:
    """The consent in the active language, as a few short paragraphs separated by blank lines."""
    if terms.numbers:
        files = (_("my application %(numbers)s") if len(terms.numbers) == 1 else _("my applications %(numbers)s")) % {
            "numbers": ", ".join(terms.numbers)
        }
    else:
        files = _("all my applications, including those I submit later")
    # The grantee is named on a line of its own: an office's name ("Office of the Member for …")
    # reads badly after a verb without an article, in either language.
    paragraphs = [
        _("Whom I allow: %(grantee)s.") % {"grantee": _grantee(terms)},
        _("I, %(client)s, allow them to see %(files)s, %(role)s.")
        % {"client": terms.client_name, "role": _role(terms.kind), "files": files},
    ]
    if terms.licence_number:
        paragraphs.append(_("Their licence or bar number is %(licence)s.") % {"licence": terms.licence_number})
    paragraphs.append(_("They may see %(what)s.") % {"what": _what(terms.scope)})
    paragraphs.append(
        _("They may also send enquiries and documents about my file for me.")
        if terms.may_act
        else _("They may not send enquiries or documents for me.")
    )
    if terms.last_day is not None:
        period = _("This consent starts on %(start)s and ends at the end of %(end)s.") % {
            "start": _day(terms.starts_on),
            "end": _day(terms.last_day),
        }
    else:
        period = _("This consent starts on %(start)s and has no end date.") % {"start": _day(terms.starts_on)}
    paragraphs.append(period)
    if terms.kind == Grant.Kind.PARLIAMENTARY:
        paragraphs.append(
            _(
                "For an office of a Member of Parliament or a Senator, it also ends for each application "
                "when that application is closed, and never lasts more than 12 months."
            )
        )
    paragraphs.append(
        _(
            "I can withdraw this consent at any time on the page “Who can see my files” of my account. "
            "It then ends at once. Every time someone looks at my file, I can see it in my access log."
        )
    )
    return "\n\n".join(paragraphs)


def consent_texts(terms: ConsentTerms) -> tuple[str, str]:
    """The consent in English and in French, as stored on the grant."""
    return in_both_languages(lambda: consent_text(terms))
