"""Factories for organisations, their members and grants, shared by the delegations tests."""

import datetime

import factory
from django.utils import timezone

from applications.models import Grant, Organisation, OrganisationMember
from tests.factories import ClientFactory, UserFactory


class OrganisationFactory(factory.django.DjangoModelFactory):
    """A verified MP's office unless told otherwise."""

    class Meta:
        model = Organisation

    kind = Organisation.Kind.PARLIAMENTARY_OFFICE
    name_en = factory.Sequence(lambda n: f"Office of the Member for Riding {n}")
    name_fr = factory.Sequence(lambda n: f"Bureau du député de la circonscription {n}")
    chamber = Organisation.Chamber.HOUSE
    member_name = factory.Sequence(lambda n: f"Member {n}")
    riding_en = factory.Sequence(lambda n: f"Riding {n}")
    riding_fr = factory.Sequence(lambda n: f"Circonscription {n}")
    verified_at = factory.LazyFunction(timezone.now)


class FirmFactory(OrganisationFactory):
    kind = Organisation.Kind.LAW_FIRM
    name_en = factory.Sequence(lambda n: f"Firm {n} LLP")
    name_fr = factory.Sequence(lambda n: f"Cabinet {n} s.r.l.")
    chamber = ""
    member_name = ""
    riding_en = ""
    riding_fr = ""


class MemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrganisationMember

    organisation = factory.SubFactory(OrganisationFactory)
    account = factory.SubFactory(UserFactory, email=factory.Sequence(lambda n: f"caseworker{n}@parl.gc.ca"))
    role = OrganisationMember.Role.CASEWORKER


class GrantFactory(factory.django.DjangoModelFactory):
    """An active, status-only grant to an organisation for one application (pass `application`)."""

    class Meta:
        model = Grant

    client = factory.LazyAttribute(lambda grant: grant.application.client if grant.application else ClientFactory())
    application = None
    kind = Grant.Kind.PARLIAMENTARY
    organisation = factory.SubFactory(OrganisationFactory)
    grantee_account = None
    scope = Grant.Scope.STATUS
    may_act = False
    state = Grant.State.ACTIVE
    starts_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=1))
    expires_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=300))
    consent_text_en = "I consent."
    consent_text_fr = "J'y consens."
    signed_name = "Marie Tremblay"
    source = Grant.Source.ONLINE
    given_at = factory.LazyFunction(timezone.now)


def person_grant(*, application, account, **fields) -> Grant:
    """A grant to one person (a designated family member unless told otherwise)."""
    fields.setdefault("kind", Grant.Kind.DESIGNATED)
    fields.setdefault("expires_at", None)
    return GrantFactory(application=application, organisation=None, grantee_account=account, **fields)


class ManagerFactory(MemberFactory):
    """An office manager of a (new, verified) MP's office."""

    account = factory.SubFactory(UserFactory, email=factory.Sequence(lambda n: f"manager{n}@parl.gc.ca"))
    role = OrganisationMember.Role.MANAGER


class InvitationFactory(factory.django.DjangoModelFactory):
    """An open invitation to join an organisation as a caseworker."""

    class Meta:
        model = "delegations.MemberInvitation"

    organisation = factory.SubFactory(OrganisationFactory)
    email = factory.Sequence(lambda n: f"invited{n}@parl.gc.ca")
    role = OrganisationMember.Role.CASEWORKER
    expires_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=14))
