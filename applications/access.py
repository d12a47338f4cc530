"""Who may see what of a case: the one policy, used by every page, API, notification and download.

A viewer reaches an application on a *basis* (they own it, or they are staff with
the view permission; delegates with grants come next), and each basis carries a
set of *needs* it satisfies. Every reader asks for the need it serves: the status
page for STATUS, the decision page for DECISION, the officer's notes for
OFFICER_NOTES, a form sent on the client's behalf for ACT_ON_BEHALF. Anything the
viewer may not see is a 404, so the existence of another person's file never
leaks, and losing the basis (unlinking) hides everything at once because every
reader filters through the same rules.
"""

import enum

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _

from applications.audit import case_audit_record
from applications.models import Application, ApplicationLink
from core.models import AuditAction


class Need(enum.StrEnum):
    STATUS = "status"  # overall status, stages, timeline, estimate, notifications about it
    DECISION = "decision"  # the outcome and its grounds
    OFFICER_NOTES = "officer_notes"  # the officer's notes as released
    ACT_ON_BEHALF = "act_on_behalf"  # send enquiries and documents, unlink


class Basis(enum.StrEnum):
    OWNER = "owner"
    STAFF = "staff"


NEEDS_BY_BASIS: dict[Basis, frozenset[Need]] = {
    Basis.OWNER: frozenset(Need),
    # Staff read files to help people; they do not act as the client.
    Basis.STAFF: frozenset({Need.STATUS, Need.DECISION, Need.OFFICER_NOTES}),
}

STAFF_PERMISSION = "applications.view_application"


def normalize_application_number(number: str) -> str:
    return "".join(number.split()).upper()


def _is_person(viewer) -> bool:
    return viewer is not None and viewer.is_authenticated and viewer.is_active


def _is_staff_reader(viewer) -> bool:
    return _is_person(viewer) and viewer.is_staff and viewer.has_perm(STAFF_PERMISSION)


def owner_q(*, viewer, prefix: str = "") -> Q:
    """Applications (reached through `prefix`, e.g. "application__") linked to the viewer's account.

    A join, not a subquery: it is built on every page (the header's unread count) and an
    account has at most one link to a file, so it never repeats a row.
    """
    return Q(**{f"{prefix}links__account": viewer})


def visible_q(*, viewer, need: Need = Need.STATUS, prefix: str = "", include_staff: bool = True) -> Q:
    """A filter that keeps only the applications the viewer may see for `need`.

    `prefix` reaches the application from another model (a notification: "application__").
    With `include_staff=False` staff see only what they own, for lists of "my" files.
    """
    if not _is_person(viewer):
        return Q(pk__in=[])
    if include_staff and _is_staff_reader(viewer) and need in NEEDS_BY_BASIS[Basis.STAFF]:
        return Q()
    if need in NEEDS_BY_BASIS[Basis.OWNER]:
        return owner_q(viewer=viewer, prefix=prefix)
    return Q(pk__in=[])


def application_for_viewer(
    *, viewer, number: str, need: Need = Need.STATUS, request: HttpRequest | None = None
) -> Application:
    """The application numbered `number` if the viewer may see it for `need`, else Http404.

    The application comes with its program, client and current stage, and with
    `viewer_basis` and `viewer_needs` set, so a page can decide what else to show
    without asking again. A read by anyone but the owner is written to the audit.
    """
    if not _is_person(viewer):
        raise Http404
    found = Application.objects.select_related("program", "client", "current_stage").filter(
        number=normalize_application_number(number)
    )
    staff = _is_staff_reader(viewer)
    if staff:
        # Staff may read any file; whether they also own it decides whether the read is audited.
        found = found.annotate(
            viewer_owns=Exists(ApplicationLink.objects.filter(application=OuterRef("pk"), account=viewer))
        )
    else:
        found = found.filter(owner_q(viewer=viewer))
    try:
        application = found.get()
    except Application.DoesNotExist:
        raise Http404 from None
    # Only the staff query carries viewer_owns; anyone else got here through their own link.
    basis = Basis.STAFF if staff and not getattr(application, "viewer_owns", False) else Basis.OWNER
    if need not in NEEDS_BY_BASIS[basis]:
        raise Http404
    application.viewer_basis = basis
    application.viewer_needs = NEEDS_BY_BASIS[basis]
    if basis is not Basis.OWNER:
        case_audit_record(
            action=AuditAction.CASE_READ,
            application=application,
            actor=viewer,
            basis=basis,
            request=request,
            extra={"need": str(need)},
        )
    return application


def applications_for_viewer(*, viewer, need: Need = Need.STATUS) -> QuerySet[Application]:
    """The applications the viewer holds personally (not every file staff could open), newest first."""
    return (
        Application.objects.filter(visible_q(viewer=viewer, need=need, include_staff=False))
        .select_related("program", "current_stage")
        .order_by("-submitted_on", "number")
    )


def recipients_for(*, application_ids, need: Need = Need.STATUS) -> dict[int, list]:
    """Who should hear about each application, for news that needs `need`: its active owners.

    Staff read files but are not told about them. One query whatever the number of ids.
    """
    recipients: dict[int, list] = {}
    if need not in NEEDS_BY_BASIS[Basis.OWNER]:
        return recipients
    links = ApplicationLink.objects.filter(application_id__in=set(application_ids), account__is_active=True)
    for link in links.select_related("account").order_by("application_id", "account_id"):
        recipients.setdefault(link.application_id, []).append(link.account)
    return recipients


def audience_q(*, need: Need = Need.STATUS) -> Q:
    """A filter on applications that keeps those with at least one person to tell (see recipients_for)."""
    if need not in NEEDS_BY_BASIS[Basis.OWNER]:
        return Q(pk__in=[])
    return Q(Exists(ApplicationLink.objects.filter(application=OuterRef("pk"), account__is_active=True)))


def audience_member_q(*, person_field: str, prefix: str = "application__", need: Need = Need.STATUS) -> Q:
    """A filter on rows naming a person and an application: keeps those where that person may be told.

    For messages already written: a message whose recipient lost access since is not sent.
    """
    if need not in NEEDS_BY_BASIS[Basis.OWNER]:
        return Q(pk__in=[])
    links = ApplicationLink.objects.filter(
        application=OuterRef(f"{prefix}pk"), account=OuterRef(person_field), account__is_active=True
    )
    return Q(Exists(links))


def application_for_api_client(*, api_client, number: str) -> Application:
    """Return the application numbered `number` for an upstream system, else raise Http404.

    The department's own case-processing system may read any file, but only a live
    service token gets this far; the decision and its grounds come along, for the
    reconciliation answer.
    """
    if api_client is None or not api_client.is_active:
        raise Http404
    application = (
        Application.objects.select_related("program", "client", "current_stage", "decision")
        .prefetch_related(Prefetch("decision__grounds"))
        .filter(number=normalize_application_number(number))
        .first()
    )
    if application is None:
        raise Http404(_("There is no application with this number."))
    return application
