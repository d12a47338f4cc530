"""The demo's delegates: each kind of grant works through the one gate, and seeding twice changes nothing."""

import datetime

import pytest
from django.http import Http404

from applications.access import Basis, Need, application_for_viewer
from applications.models import Application, Client, Grant, OrganisationMember
from demo import people
from demo.delegations import demo_delegations_ensure
from demo.seed import demo_seed

pytestmark = pytest.mark.django_db


@pytest.fixture
def delegates():
    demo_seed()
    return demo_delegations_ensure(client=Client.objects.get(uci=people.DEMO_CLIENT_UCI))


def test_each_delegate_reaches_what_their_grant_says(delegates):
    office_file = delegates.grants["office"].application
    assert office_file.status != Application.Status.CLOSED
    seen = application_for_viewer(viewer=delegates.caseworker, number=office_file.number)
    assert seen.viewer_basis == Basis.GRANTEE
    with pytest.raises(Http404):
        application_for_viewer(viewer=delegates.caseworker, number=office_file.number, need=Need.DECISION)
    for application in delegates.grants["firm"].client.applications.all():
        found = application_for_viewer(
            viewer=delegates.representative, number=application.number, need=Need.ACT_ON_BEHALF
        )
        assert Need.OFFICER_NOTES in found.viewer_needs
    decided = delegates.grants["designated"].application
    assert application_for_viewer(viewer=delegates.designated, number=decided.number, need=Need.DECISION)
    with pytest.raises(Http404):
        application_for_viewer(viewer=delegates.designated, number=decided.number, need=Need.OFFICER_NOTES)


def test_a_second_run_adds_nothing(delegates):
    counts = (Grant.objects.count(), OrganisationMember.objects.count())
    again = demo_delegations_ensure(client=Client.objects.get(uci=people.DEMO_CLIENT_UCI))
    assert (Grant.objects.count(), OrganisationMember.objects.count()) == counts == (3, 3)
    assert again.appointments == delegates.appointments
    assert {key: grant.pk for key, grant in again.grants.items()} == {
        key: grant.pk for key, grant in delegates.grants.items()
    }
    assert delegates.caseworker.check_password(people.DELEGATE_PASSWORD)


def test_the_liaison_officer_has_open_mornings_and_the_office_has_appointments(delegates):
    from delegations.liaison import slots_open
    from delegations.liaison_models import Appointment

    assert delegates.appointments == 2
    booked = Appointment.objects.filter(officer=delegates.officer, state=Appointment.State.BOOKED)
    assert {appointment.booked_by for appointment in booked} == {delegates.caseworker}
    first = booked.order_by("starts_at").first()
    day_start = first.starts_at.replace(hour=0, minute=0)
    slots = slots_open(
        start=day_start, end=day_start + datetime.timedelta(days=1), length=30, officer=delegates.officer
    )
    assert slots
    assert all(slot.ends_at <= first.starts_at or slot.starts_at >= first.ends_at for slot in slots)
