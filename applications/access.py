"""Who may see what of a case: the one policy, used by every page, API, notification and download.

A viewer reaches an application on a *basis* (they own it, they are staff with the
view permission, or they hold the client's grant in force), and each basis carries a
set of *needs* it satisfies. Every reader asks for the need it serves: the status
page for STATUS, the decision page for DECISION, the officer's notes for
OFFICER_NOTES, a form sent on the client's behalf for ACT_ON_BEHALF. Anything the
viewer may not see is a 404, so the existence of another person's file never
leaks, and losing the basis (unlinking, a revoked or expired grant, removal from
the organisation) hides everything at once because every
reader filters through the same rules.
"""

import datetime
import enum
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Exists, F, OuterRef, Prefetch, Q, QuerySet
from django.db.models.query import get_related_populators  # type: ignore[attr-defined]  # not in the stubs
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.audit import case_audit_record
from applications.models import Application, ApplicationLink, Grant, OrganisationMember
from applications.signals import grant_first_used
from core.models import AuditAction
from core.prepared import prepared


class Need(enum.StrEnum):
    STATUS = "status"  # overall status, stages, timeline, estimate, notifications about it
    DECISION = "decision"  # the outcome and its grounds
    OFFICER_NOTES = "officer_notes"  # the officer's notes as released
    ACT_ON_BEHALF = "act_on_behalf"  # send enquiries and documents, unlink


class Basis(enum.StrEnum):
    OWNER = "owner"
    STAFF = "staff"
    GRANTEE = "grantee"  # a delegate reading under the client's grant


NEEDS_BY_BASIS: dict[Basis, frozenset[Need]] = {
    Basis.OWNER: frozenset(Need),
    # Staff read files to help people; they do not act as the client.
    Basis.STAFF: frozenset({Need.STATUS, Need.DECISION, Need.OFFICER_NOTES}),
    # A grantee's needs come from each grant's scope (needs_of_grant); this is the most any grant gives.
    Basis.GRANTEE: frozenset(Need),
}

STAFF_PERMISSION = "applications.view_application"

# What each grant scope opens, besides the status every grant opens.
_SCOPES_FOR_NEED: dict[Need, tuple[str, ...]] = {
    Need.STATUS: (Grant.Scope.STATUS, Grant.Scope.DECISION, Grant.Scope.NOTES),
    Need.DECISION: (Grant.Scope.DECISION, Grant.Scope.NOTES),
    Need.OFFICER_NOTES: (Grant.Scope.NOTES,),
    Need.ACT_ON_BEHALF: (Grant.Scope.STATUS, Grant.Scope.DECISION, Grant.Scope.NOTES),
}


def normalize_application_number(number: str) -> str:
    return "".join(number.split()).upper()


def _is_person(viewer) -> bool:
    return viewer is not None and viewer.is_authenticated and viewer.is_active


def _is_staff_reader(viewer) -> bool:
    return _is_person(viewer) and viewer.is_staff and viewer.has_perm(STAFF_PERMISSION)


def needs_of_grant(grant: Grant) -> frozenset[Need]:
    """What one grant lets its grantee do."""
    return frozenset(need for need, scopes in _SCOPES_FOR_NEED.items() if grant.scope in scopes) - (
        frozenset() if grant.may_act else frozenset({Need.ACT_ON_BEHALF})
    )


def live_grants_q(*, now: datetime.datetime | None = None, need: Need = Need.STATUS, prefix: str = "") -> Q:
    """A filter on grants (reached through `prefix`) in force now and wide enough for `need`."""
    now = now or timezone.now()
    q = Q(
        **{
            f"{prefix}state": Grant.State.ACTIVE,
            f"{prefix}revoked_at": None,
            f"{prefix}starts_at__lte": now,
            f"{prefix}scope__in": _SCOPES_FOR_NEED[need],
        }
    ) & (Q(**{f"{prefix}expires_at": None}) | Q(**{f"{prefix}expires_at__gt": now}))
    if need is Need.ACT_ON_BEHALF:
        q &= Q(**{f"{prefix}may_act": True})
    return q


def grantee_q(*, viewer, prefix: str = "") -> Q:
    """A filter on grants naming the viewer: as the person, or as an active member of a verified organisation."""
    return Q(**{f"{prefix}grantee_account": viewer}) | Q(
        **{
            f"{prefix}organisation__verified_at__isnull": False,
            f"{prefix}organisation__members__account": viewer,
            f"{prefix}organisation__members__removed_at": None,
        }
    )


def _grants_reaching(*, prefix: str, grants: QuerySet[Grant]) -> Q:
    """Applications (through `prefix`) covered by one of `grants`: named, or all of their client's.

    A parliamentary office's consent ends, for each file, when that file closes.
    """
    covering = grants.filter(
        Q(application=OuterRef(f"{prefix}pk")) | Q(application__isnull=True, client=OuterRef(f"{prefix}client_id"))
    )
    return Q(Exists(covering.exclude(kind=Grant.Kind.PARLIAMENTARY))) | (
        Q(Exists(covering.filter(kind=Grant.Kind.PARLIAMENTARY))) & ~Q(**{f"{prefix}status": Application.Status.CLOSED})
    )


def owner_q(*, viewer, prefix: str = "") -> Q:
    """Applications (reached through `prefix`, e.g. "application__") linked to the viewer's account."""
    return Q(Exists(ApplicationLink.objects.filter(application=OuterRef(f"{prefix}pk"), account=viewer)))


def granted_q(*, viewer, need: Need = Need.STATUS, prefix: str = "") -> Q:
    """Applications (through `prefix`) the viewer may see for `need` under a grant in force."""
    grants = Grant.objects.filter(live_grants_q(need=need) & grantee_q(viewer=viewer))
    return _grants_reaching(prefix=prefix, grants=grants)


def visible_q(*, viewer, need: Need = Need.STATUS, prefix: str = "", include_staff: bool = True) -> Q:
    """A filter that keeps only the applications the viewer may see for `need`.

    `prefix` reaches the application from another model (a notification: "application__").
    With `include_staff=False` staff see only what they own or hold a grant for.
    """
    if not _is_person(viewer):
        return Q(pk__in=[])
    if include_staff and _is_staff_reader(viewer) and need in NEEDS_BY_BASIS[Basis.STAFF]:
        return Q()
    return owner_q(viewer=viewer, prefix=prefix) | granted_q(viewer=viewer, need=need, prefix=prefix)


def grants_for_viewer(*, viewer, application: Application) -> list[Grant]:
    """The grants in force through which the viewer reaches `application`, widest first."""
    if not _is_person(viewer):
        return []
    grants = (
        Grant.objects.filter(live_grants_q() & grantee_q(viewer=viewer))
        .filter(Q(application=application) | Q(application__isnull=True, client_id=application.client_id))
        .select_related("organisation")
        .distinct()
    )
    if application.status == Application.Status.CLOSED:
        grants = grants.exclude(kind=Grant.Kind.PARLIAMENTARY)
    order: dict[str, int] = {Grant.Scope.NOTES: 0, Grant.Scope.DECISION: 1, Grant.Scope.STATUS: 2}
    return sorted(grants, key=lambda grant: (order[grant.scope], not grant.may_act, grant.pk))


def application_for_viewer(
    *, viewer, number: str, need: Need = Need.STATUS, request: HttpRequest | None = None
) -> Application:
    """The application numbered `number` if the viewer may see it for `need`, else Http404.

    The application comes with its program, client and current stage, and with
    `viewer_basis` and `viewer_needs` set (and `viewer_grant` for a grantee), so a
    page can decide what else to show without asking again. A read by anyone but
    the owner is written to the audit, with the grant and organisation it used.
    """
    if not _is_person(viewer):
        raise Http404
    application, owns = _application_numbered(number=normalize_application_number(number), viewer_id=viewer.pk)
    if application is None:
        raise Http404
    grant: Grant | None = None
    if owns:
        basis, needs = Basis.OWNER, NEEDS_BY_BASIS[Basis.OWNER]
    elif _is_staff_reader(viewer) and need in NEEDS_BY_BASIS[Basis.STAFF]:
        basis, needs = Basis.STAFF, NEEDS_BY_BASIS[Basis.STAFF]
    else:
        grants = grants_for_viewer(viewer=viewer, application=application)
        serving = [candidate for candidate in grants if need in needs_of_grant(candidate)]
        if not serving:
            raise Http404
        grant = serving[0]
        basis = Basis.GRANTEE
        needs = frozenset().union(*(needs_of_grant(candidate) for candidate in grants))
    if need not in needs:
        raise Http404
    application.viewer_basis = basis
    application.viewer_needs = needs
    application.viewer_grant = grant
    if basis is not Basis.OWNER:
        _audit_read(application=application, viewer=viewer, basis=basis, need=need, grant=grant, request=request)
    return application


def _numbered(*, number: str, viewer_id: int) -> QuerySet[Application]:
    """The file numbered `number`, with what its pages show, and whether the viewer's account is linked to it."""
    found = (
        Application.objects.select_related("program", "client", "current_stage")
        .filter(number=number)
        .annotate(viewer_owns=Exists(ApplicationLink.objects.filter(application=OuterRef("pk"), account_id=viewer_id)))
    )
    return (found if found.ordered else found.order_by("pk"))[:1]


# Every case read runs the query above, identical but for the number and the viewer: building
# and compiling it through the ORM cost about 1.2 ms of CPU a read, a third of a cached status
# page. On PostgreSQL it is compiled once per process with stand-ins for the two
# values (found by position), run with the real ones, and its row made into the application,
# its program, client and current stage as the ORM's own iterator does. Elsewhere (the SQLite
# demo) the ORM runs it each time. It is also prepared on the server (core.prepared): planning it
# cost the database a third of a millisecond a read.
_STAND_IN_NUMBER = "stand-in number"
_STAND_IN_VIEWER = -918_273_647


@dataclass(frozen=True)
class _CompiledRead:
    compiler: Any
    sql: str
    params: tuple
    number_at: int
    viewer_at: int
    init_list: list[str]
    model_slice: slice
    related_populators: list
    annotation_col_map: dict[str, int]


# One per database alias, shared by every thread: the compiler's converters depend on the
# backend, not on the thread's connection (the query runs on the caller's own connection).
_COMPILED_READS: dict[str, _CompiledRead] = {}


def _compiled_read(database) -> _CompiledRead:
    compiler = _numbered(number=_STAND_IN_NUMBER, viewer_id=_STAND_IN_VIEWER).query.get_compiler(connection=database)
    sql, params = compiler.as_sql()
    select, klass_info = compiler.select, compiler.klass_info
    fields = klass_info["select_fields"]
    model_slice = slice(fields[0], fields[-1] + 1)
    return _CompiledRead(
        compiler=compiler,
        sql=sql,
        params=tuple(params),
        number_at=params.index(_STAND_IN_NUMBER),
        viewer_at=params.index(_STAND_IN_VIEWER),
        init_list=[column[0].target.attname for column in select[model_slice]],
        model_slice=model_slice,
        related_populators=get_related_populators(klass_info, select, database.alias),
        annotation_col_map=dict(compiler.annotation_col_map or {}),
    )


def _application_numbered(*, number: str, viewer_id: int) -> tuple[Application | None, bool]:
    """The file numbered `number` (None if there is none) and whether the viewer's account is linked to it."""
    database = connections[DEFAULT_DB_ALIAS]
    if database.vendor != "postgresql":
        application = _numbered(number=number, viewer_id=viewer_id).first()
        if application is None:
            return None, False
        return application, bool(application.__dict__.pop("viewer_owns", False))
    read = _COMPILED_READS.get(database.alias)
    if read is None:
        read = _COMPILED_READS[database.alias] = _compiled_read(database)
    params = list(read.params)
    params[read.number_at], params[read.viewer_at] = number, viewer_id
    with database.cursor() as cursor:
        cursor.execute(prepared(name="case_read_by_number", sql=read.sql), params)
        row = cursor.fetchone()
    if row is None:
        return None, False
    (row,) = read.compiler.results_iter(results=[[row]])
    application = Application.from_db(database.alias, read.init_list, row[read.model_slice])
    for populator in read.related_populators:
        populator.populate(row, application)
    return application, bool(row[read.annotation_col_map["viewer_owns"]])


def _audit_read(*, application: Application, viewer, basis: Basis, need: Need, grant: Grant | None, request) -> None:
    extra: dict = {"need": str(need)}
    match = getattr(request, "resolver_match", None)
    if match is not None and match.url_name:
        extra["page"] = match.url_name
    if grant is not None:
        extra["grant"] = grant.pk
        extra["grant_kind"] = grant.kind
        if grant.organisation is not None:
            extra["organisation"] = grant.organisation.pk
            extra["organisation_en"] = grant.organisation.name_en
            extra["organisation_fr"] = grant.organisation.name_fr
    case_audit_record(
        action=AuditAction.CASE_READ, application=application, actor=viewer, basis=basis, request=request, extra=extra
    )
    if grant is not None and grant.first_used_at is None:
        # Only the first read under a grant claims it, even when two arrive together.
        claimed = Grant.objects.filter(pk=grant.pk, first_used_at=None).update(first_used_at=timezone.now())
        if claimed:
            grant_first_used.send(sender=Grant, grant=grant, application=application, viewer=viewer)


def applications_for_viewer(*, viewer, need: Need = Need.STATUS, include_grants: bool = False) -> QuerySet[Application]:
    """The applications the viewer holds personally (not every file staff could open), newest first.

    With `include_grants` the files they reach under a grant for `need` come too.
    """
    if include_grants:
        files = visible_q(viewer=viewer, need=need, include_staff=False)
    elif _is_person(viewer):
        files = owner_q(viewer=viewer)
    else:
        files = Q(pk__in=[])
    return (
        Application.objects.filter(files).select_related("program", "current_stage").order_by("-submitted_on", "number")
    )


def recipients_for(*, application_ids, need: Need = Need.STATUS) -> dict[int, list]:
    """Who should hear about each application, for news that needs `need`.

    Its active owners, and the grantees whose grant in force covers it for `need`
    (a person, or every active member of a verified organisation). Staff read files
    but are not told about them. Two queries whatever the number of ids, and two
    more when some of the files have grants in force.
    """
    ids = set(application_ids)
    recipients: dict[int, list] = {}
    seen: set[tuple[int, int]] = set()

    def add(application_id: int, account) -> None:
        if account.is_active and (application_id, account.pk) not in seen:
            seen.add((application_id, account.pk))
            recipients.setdefault(application_id, []).append(account)

    links = ApplicationLink.objects.filter(application_id__in=ids).select_related("account")
    for link in links.order_by("application_id", "account_id"):
        add(link.application_id, link.account)
    for application_id, account in _grantees_of(ids=ids, need=need):
        add(application_id, account)
    return recipients


def _grantees_of(*, ids: set[int], need: Need) -> list[tuple[int, object]]:
    """(application id, account) for every grantee in force on the applications `ids`, for `need`."""
    # One row per grant and covered application: the named one, or each of the client's among `ids`.
    rows = (
        Grant.objects.filter(live_grants_q(need=need))
        .filter(Q(organisation__isnull=True) | Q(organisation__verified_at__isnull=False))
        .filter(
            Q(application_id__in=ids, client__applications=F("application_id"))
            | Q(application__isnull=True, client__applications__in=ids)
        )
        .values_list(
            "client__applications", "client__applications__status", "kind", "organisation_id", "grantee_account_id"
        )
        .order_by("pk")
    )
    covered = [
        (application_id, organisation_id, account_id)
        for application_id, status, kind, organisation_id, account_id in rows
        if not (kind == Grant.Kind.PARLIAMENTARY and status == Application.Status.CLOSED)
    ]
    if not covered:
        return []
    members: dict[int, list] = {}
    organisation_ids = {organisation_id for _, organisation_id, _ in covered if organisation_id}
    for member in (
        OrganisationMember.objects.filter(organisation_id__in=organisation_ids, removed_at=None)
        .select_related("account")
        .order_by("account_id")
    ):
        members.setdefault(member.organisation_id, []).append(member.account)
    persons = {
        account.pk: account
        for account in get_user_model().objects.filter(
            pk__in={account_id for _, _, account_id in covered if account_id}
        )
    }
    found: list[tuple[int, object]] = []
    for application_id, organisation_id, account_id in covered:
        people = members.get(organisation_id, []) if organisation_id else [persons.get(account_id)]
        found.extend((application_id, person) for person in people if person is not None)
    return found


def audience_q(*, need: Need = Need.STATUS) -> Q:
    """A filter on applications that keeps those with someone to tell (see recipients_for)."""
    owners = Q(Exists(ApplicationLink.objects.filter(application=OuterRef("pk"), account__is_active=True)))
    reachable = Q(grantee_account__is_active=True) | Q(
        organisation__verified_at__isnull=False, organisation__members__removed_at=None
    )
    return owners | _grants_reaching(prefix="", grants=Grant.objects.filter(live_grants_q(need=need) & reachable))


def audience_member_q(*, person_field: str, prefix: str = "application__", need: Need = Need.STATUS) -> Q:
    """A filter on rows naming a person and an application: keeps those where that person may be told.

    For messages already written: a message whose recipient lost access since (unlinked,
    grant revoked or expired, removed from their organisation) is not sent.
    """
    person = OuterRef(person_field)
    links = ApplicationLink.objects.filter(application=OuterRef(f"{prefix}pk"), account=person, account__is_active=True)
    grants = Grant.objects.filter(live_grants_q(need=need)).filter(
        Q(grantee_account=person)
        | Q(
            organisation__verified_at__isnull=False,
            organisation__members__account=person,
            organisation__members__removed_at=None,
        )
    )
    return Q(Exists(links)) | _grants_reaching(prefix=prefix, grants=grants)


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
