"""Fixtures and helpers for the consent tests: a client with two applications, an MP's office and its caseworker."""

import pytest

from applications.models import Grant
from notifications.models import Channel, Notification
from tests.delegations.factories import FirmFactory, MemberFactory, OrganisationFactory
from tests.factories import ApplicationFactory, UserFactory, link


@pytest.fixture
def client_account(db):
    """The client's own account, linked to two of their applications."""
    account = UserFactory(email="marie@example.com", first_name="Marie", last_name="Tremblay")
    first = ApplicationFactory(client__family_name="Gagnon-Lévesque", client__given_names="Marie")
    second = ApplicationFactory(client=first.client)
    link(user=account, application=first)
    link(user=account, application=second)
    return account


@pytest.fixture
def files(client_account):
    return list(client_account.client.applications.order_by("number"))


@pytest.fixture
def office(db):
    return OrganisationFactory(name_en="Office of the Member for Papineau", name_fr="Bureau du député de Papineau")


@pytest.fixture
def caseworker(office):
    return MemberFactory(
        organisation=office, account__first_name="Anne", account__last_name="Tremblay", account__email="anne@parl.gc.ca"
    ).account


@pytest.fixture
def firm(db):
    return FirmFactory()


@pytest.fixture
def lawyer(firm):
    return MemberFactory(organisation=firm, account__email="lawyer@firm.example", licence_number="LSO-12345").account


SIGNATURE = "Marie Gagnon Levesque"


def in_app(account, kind=None):
    """The notification-centre rows of one account (one per piece of news)."""
    rows = Notification.objects.filter(recipient=account, channel=Channel.IN_APP)
    return rows.filter(kind=kind) if kind else rows


def reload(grant: Grant) -> Grant:
    grant.refresh_from_db()
    return grant
