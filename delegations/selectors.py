"""Reads for organisations, their members and the cases a grantee can see.

Every case listed here is reached through the filters of `applications.access`, the
one gate; nothing in this module decides on its own who may see a file.
"""

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from applications.access import granted_q, grantee_q, live_grants_q
from applications.models import Application, Grant, Organisation, OrganisationMember
from core.text import fold
from delegations.org_models import MemberInvitation
from status_tracker.selectors import ClientStatus, client_status_for

EXPIRING_SOON = datetime.timedelta(days=30)
_ROLES_CACHE_SECONDS = 10 * 60


# The directory of parliamentary offices -------------------------------------------------------


def parliamentary_offices_verified() -> QuerySet[Organisation]:
    """Parliamentary offices an administrator verified: the only ones a client may choose, by Member's name."""
    return Organisation.objects.filter(kind=Organisation.Kind.PARLIAMENTARY_OFFICE, verified_at__isnull=False).order_by(
        "member_name", "pk"
    )


def parliamentary_offices_search(*, query: str = "") -> list[Organisation]:
    """Verified offices whose office name, Member's name or riding (either language) holds `query`.

    Accents, case and hyphens do not matter ("levis" finds "Lévis"). There are a few
    hundred offices at most, so they are folded in Python rather than in the database.
    """
    offices = list(parliamentary_offices_verified())
    wanted = fold(query)
    if not wanted:
        return offices
    return [
        office
        for office in offices
        if any(
            wanted in fold(text)
            for text in (office.member_name, office.name_en, office.name_fr, office.riding_en, office.riding_fr)
        )
    ]


def email_domain_allowed(*, email: str) -> bool:
    """Whether `email` is in one of the parliamentary domains (PARLIAMENTARY_EMAIL_DOMAINS), exactly."""
    _local, at, domain = email.strip().lower().rpartition("@")
    return bool(at) and domain in settings.PARLIAMENTARY_EMAIL_DOMAINS


# Whether an account works for an organisation or holds a grant --------------------------------


@dataclass(frozen=True)
class DelegateRoles:
    """What the header and the two-step rule need to know about a signed-in account."""

    member: bool  # an active member of an organisation (verified or not): two-step verification applies
    grantee: bool  # named personally by a grant that is active
    parliamentary: bool = False  # an active member of a verified parliamentary office: books liaison appointments

    @property
    def sees_cases(self) -> bool:
        return self.member or self.grantee


def _roles_key(account_id: int) -> str:
    return f"delegate-roles:v2:{account_id}"


def delegate_roles_for(*, account) -> DelegateRoles:
    """The account's roles, from the request, then the cache, then one query.

    Most people hold no role; caching the answer keeps every page of theirs free of a
    query for it. Joining, leaving and grants forget it (delegate_roles_forget).
    """
    if not account.is_authenticated:
        return DelegateRoles(member=False, grantee=False)
    remembered = getattr(account, "_delegate_roles", None)
    if remembered is not None:
        return remembered
    cached = cache.get(_roles_key(account.pk))
    if cached is None:
        row = (
            get_user_model()
            .objects.filter(pk=account.pk)
            .annotate(
                member=Exists(OrganisationMember.objects.filter(account=OuterRef("pk"), removed_at=None)),
                grantee=Exists(
                    Grant.objects.filter(grantee_account=OuterRef("pk"), state=Grant.State.ACTIVE, revoked_at=None)
                ),
                parliamentary=Exists(
                    OrganisationMember.objects.filter(
                        account=OuterRef("pk"),
                        removed_at=None,
                        organisation__kind=Organisation.Kind.PARLIAMENTARY_OFFICE,
                        organisation__verified_at__isnull=False,
                    )
                ),
            )
            .values_list("member", "grantee", "parliamentary")
            .first()
        )
        cached = row or (False, False, False)
        cache.set(_roles_key(account.pk), cached, _ROLES_CACHE_SECONDS)
    roles = DelegateRoles(*(bool(value) for value in cached))
    account._delegate_roles = roles
    return roles


def delegate_roles_forget(*, account_id: int | None) -> None:
    """Forget the cached roles of an account now and once the transaction commits."""
    if account_id is None:
        return
    cache.delete(_roles_key(account_id))
    transaction.on_commit(lambda: cache.delete(_roles_key(account_id)), robust=True)


# Members and invitations ----------------------------------------------------------------------


def memberships_of(*, account) -> list[OrganisationMember]:
    """The account's active memberships, with their organisations, by organisation name."""
    return list(
        OrganisationMember.objects.filter(account=account, removed_at=None)
        .select_related("organisation")
        .order_by("organisation__name_en", "organisation_id")
    )


def membership_for(*, account, organisation_id: int) -> OrganisationMember | None:
    return (
        OrganisationMember.objects.filter(account=account, organisation_id=organisation_id, removed_at=None)
        .select_related("organisation")
        .first()
    )


def members_of(*, organisation: Organisation) -> list[OrganisationMember]:
    """Active members, managers first, then by email."""
    return list(
        OrganisationMember.objects.filter(organisation=organisation, removed_at=None)
        .select_related("account")
        .order_by("-role", "account__email")  # "manager" sorts after "caseworker"; reversed puts managers first
    )


def invitations_open(*, organisation: Organisation) -> list[MemberInvitation]:
    return list(
        MemberInvitation.objects.filter(
            organisation=organisation, accepted_at=None, withdrawn_at=None, expires_at__gt=timezone.now()
        ).order_by("email")
    )


# "Cases I can see" ----------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseRow:
    application: Application
    grant: Grant
    shown: ClientStatus  # the status as the client's own pages show it (an unreleased decision stays hidden)

    @property
    def expires_at(self) -> datetime.datetime | None:
        return self.grant.expires_at


@dataclass
class CaseGroup:
    """The cases seen personally (organisation None) or for one organisation."""

    organisation: Organisation | None
    membership: OrganisationMember | None = None
    rows: list[CaseRow] = field(default_factory=list)


@dataclass
class GranteeCases:
    groups: list[CaseGroup]
    expiring: list[CaseRow]

    @property
    def count(self) -> int:
        return len({row.application.pk for group in self.groups for row in group.rows})


def grantee_cases(*, viewer, now: datetime.datetime | None = None) -> GranteeCases:
    """The applications the viewer reaches under a grant in force, grouped by whom the grant names.

    Three queries whatever the number of cases: memberships, grants, applications.
    The applications come from `granted_q` (the gate's own filter); each is paired with
    every grant of the viewer's that covers it, so one file can show under the person
    and under an organisation.
    """
    now = now or timezone.now()
    memberships = memberships_of(account=viewer)
    grants = list(
        Grant.objects.filter(live_grants_q(now=now) & grantee_q(viewer=viewer))
        .select_related("organisation")
        .distinct()
        .order_by("pk")
    )
    applications = (
        list(
            Application.objects.filter(granted_q(viewer=viewer))
            .select_related("program", "current_stage", "client", "decision")
            .order_by("-submitted_on", "number")
        )
        if grants
        else []
    )
    by_application: dict[int, list[Grant]] = {}
    by_client: dict[int, list[Grant]] = {}
    for grant in grants:
        if grant.application_id is not None:
            by_application.setdefault(grant.application_id, []).append(grant)
        else:
            by_client.setdefault(grant.client_id, []).append(grant)
    groups: dict[int | None, CaseGroup] = {None: CaseGroup(organisation=None)}
    for membership in memberships:
        groups[membership.organisation_id] = CaseGroup(organisation=membership.organisation, membership=membership)
    expiring: list[CaseRow] = []
    for application in applications:
        covering = by_application.get(application.pk, []) + by_client.get(application.client_id, [])
        for grant in covering:
            if grant.kind == Grant.Kind.PARLIAMENTARY and application.status == Application.Status.CLOSED:
                continue
            group = groups.get(grant.organisation_id)
            if group is None:  # a membership that ended between the two reads
                continue
            row = CaseRow(application=application, grant=grant, shown=client_status_for(application=application))
            group.rows.append(row)
            if grant.expires_at is not None and grant.expires_at <= now + EXPIRING_SOON:
                expiring.append(row)
    expiring.sort(key=lambda row: (row.grant.expires_at, row.application.number))
    # The organisations' cases first (most grantees work for one), then those given to the person.
    ordered = [group for key, group in groups.items() if key is not None] + [groups[None]]
    return GranteeCases(groups=ordered, expiring=expiring)
