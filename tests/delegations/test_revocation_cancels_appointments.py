"""Revoking an office's grant cancels its coming appointments about that file, unless another grant still covers it."""

import datetime

import pytest

from delegations.consent import grant_revoke
from delegations.liaison_models import Appointment
from notifications.models import Kind, Notification
from tests.delegations.factories import GrantFactory
from tests.delegations.liaison_support import liaison_officer, office_with_case, tomorrow_at

pytestmark = pytest.mark.django_db


def _booked(*, officer, member, application, hour):
    start = tomorrow_at(hour)
    return Appointment.objects.create(
        officer=officer,
        organisation=member.organisation,
        booked_by=member.account,
        application=application,
        topic=Appointment.Topic.STATUS,
        starts_at=start,
        ends_at=start + datetime.timedelta(minutes=30),
        length_minutes=30,
    )


def test_the_officer_is_told_and_the_appointment_is_cancelled():
    officer = liaison_officer(email="officer@example.com")
    caseworker, member, application, grant = office_with_case()
    appointment = _booked(officer=officer, member=member, application=application, hour=10)
    client_account = application.client.account
    grant_revoke(actor=client_account, grant=grant)
    appointment.refresh_from_db()
    assert appointment.state == Appointment.State.CANCELLED
    assert appointment.cancel_reason.startswith("The client withdrew their consent.")
    assert "La personne cliente a retiré son consentement." in appointment.cancel_reason
    assert Notification.objects.filter(recipient=officer, kind=Kind.APPOINTMENT).exists()


def test_an_appointment_covered_by_another_grant_stays():
    officer = liaison_officer(email="officer@example.com")
    caseworker, member, application, grant = office_with_case()
    GrantFactory(application=None, client=application.client, organisation=member.organisation)
    appointment = _booked(officer=officer, member=member, application=application, hour=11)
    grant_revoke(actor=None, grant=grant)
    appointment.refresh_from_db()
    assert appointment.state == Appointment.State.BOOKED
