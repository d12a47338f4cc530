"""Booking, the free slots, no double booking, cancelling, moving and no-shows (delegations.liaison)."""

import datetime

import pytest
from django.db import IntegrityError, connection, transaction
from django.http import Http404
from django.utils import timezone

from applications.models import Application, Grant
from core.models import AuditAction, AuditEvent
from delegations.liaison import (
    LiaisonRefused,
    SlotTaken,
    appointment_book,
    appointment_cancel,
    appointment_mark_no_show,
    appointment_reschedule,
    availability_publish,
    bookable_applications,
    slots_open,
)
from delegations.liaison import booking as liaison_booking
from delegations.liaison_models import Appointment
from notifications.models import Kind, Notification
from tests.delegations.factories import FirmFactory, GrantFactory, MemberFactory, OrganisationFactory
from tests.delegations.liaison_support import (
    french_catalogue_has,
    liaison_officer,
    office_with_case,
    publish,
    tomorrow_at,
)
from tests.factories import ApplicationFactory, UserFactory, link, record_decision

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer():
    return liaison_officer(email="liaison.officer@example.com")


@pytest.fixture
def office(officer):
    caseworker, member, application, grant = office_with_case()
    publish(officer, start=tomorrow_at(9), hours=3)
    return caseworker, member, application, grant


def book(caseworker, application, officer, *, hour=10, minute=0, length=30, days=1, **kwargs):
    return appointment_book(
        member=caseworker,
        number=application.number,
        officer=officer,
        starts_at=tomorrow_at(hour, minute, days=days),
        length=length,
        topic=kwargs.pop("topic", Appointment.Topic.STATUS),
        note=kwargs.pop("note", "The client's mother is ill."),
        **kwargs,
    )


class TestWhoMayBook:
    def test_a_caseworker_of_an_office_with_an_active_grant_books(self, office, officer):
        caseworker, member, application, grant = office
        appointment = book(caseworker, application, officer)
        assert appointment.state == Appointment.State.BOOKED
        assert appointment.organisation == grant.organisation
        assert appointment.booked_by == caseworker
        assert appointment.ends_at - appointment.starts_at == datetime.timedelta(minutes=30)
        assert AuditEvent.objects.filter(
            action=AuditAction.APPOINTMENT_BOOKED, case_number=application.number, actor=caseworker
        ).exists()

    def test_an_expired_grant_is_a_404(self, office, officer):
        caseworker, _member, application, grant = office
        Grant.objects.filter(pk=grant.pk).update(
            starts_at=timezone.now() - datetime.timedelta(days=30),
            expires_at=timezone.now() - datetime.timedelta(days=1),
        )
        with pytest.raises(Http404):
            book(caseworker, application, officer)
        assert not Appointment.objects.exists()

    def test_a_revoked_grant_is_a_404(self, office, officer):
        caseworker, _member, application, grant = office
        Grant.objects.filter(pk=grant.pk).update(state=Grant.State.REVOKED, revoked_at=timezone.now())
        with pytest.raises(Http404):
            book(caseworker, application, officer)

    def test_a_removed_member_is_a_404(self, office, officer):
        caseworker, member, application, _grant = office
        member.removed_at = timezone.now()
        member.save(update_fields=["removed_at"])
        with pytest.raises(Http404):
            book(caseworker, application, officer)

    def test_a_member_of_another_office_is_a_404(self, office, officer):
        _caseworker, _member, application, _grant = office
        stranger = MemberFactory(organisation=OrganisationFactory()).account
        with pytest.raises(Http404):
            book(stranger, application, officer)

    def test_an_unverified_office_is_a_404(self, office, officer):
        caseworker, member, application, _grant = office
        type(member.organisation).objects.filter(pk=member.organisation_id).update(verified_at=None)
        with pytest.raises(Http404):
            book(caseworker, application, officer)

    def test_a_law_firm_with_a_grant_may_not_book(self, officer):
        publish(officer, start=tomorrow_at(9))
        application = ApplicationFactory()
        grant = GrantFactory(application=application, organisation=FirmFactory(), kind=Grant.Kind.REPRESENTATIVE_PAID)
        lawyer = MemberFactory(organisation=grant.organisation, account=UserFactory(email="lawyer@example.com")).account
        with pytest.raises(Http404):
            book(lawyer, application, officer)

    def test_the_client_and_staff_may_not_book(self, office, officer, staff_user):
        _caseworker, _member, application, _grant = office
        owner = UserFactory()
        link(user=owner, application=application)
        for person in (owner, staff_user):
            with pytest.raises(Http404):
                book(person, application, officer)

    def test_a_closed_file_ends_the_office_consent(self, office, officer):
        caseworker, _member, application, _grant = office
        record_decision(application=application, outcome="approved")
        assert application.status == Application.Status.CLOSED
        with pytest.raises(Http404):
            book(caseworker, application, officer)

    def test_the_files_offered_are_those_of_the_office_grants(self, office):
        caseworker, _member, application, _grant = office
        ApplicationFactory()  # someone else's
        assert list(bookable_applications(member=caseworker)) == [application]


class TestSlots:
    def test_free_slots_start_on_quarter_hours_and_skip_booked_time(self, office, officer):
        caseworker, _member, application, _grant = office
        book(caseworker, application, officer, hour=10, minute=0, length=30)
        slots = slots_open(start=tomorrow_at(0), end=tomorrow_at(23, 59), length=30, officer=officer)
        starts = [slot.starts_at for slot in slots]
        assert starts[0] == tomorrow_at(9)
        assert tomorrow_at(9, 30) in starts  # ends at 10:00, touching the booking
        assert tomorrow_at(9, 45) not in starts and tomorrow_at(10) not in starts and tomorrow_at(10, 15) not in starts
        assert tomorrow_at(10, 30) in starts
        assert starts[-1] == tomorrow_at(11, 30)  # the range ends at noon
        assert len(starts) == len(set(starts))

    def test_only_lengths_the_officer_takes_are_offered(self, officer):
        publish(officer, start=tomorrow_at(13), hours=2, lengths=(60,))
        assert slots_open(start=tomorrow_at(13), end=tomorrow_at(15), length=30, officer=officer) == []
        assert len(slots_open(start=tomorrow_at(13), end=tomorrow_at(15), length=60, officer=officer)) == 5

    def test_cancelled_appointments_free_their_time(self, office, officer):
        caseworker, _member, application, _grant = office
        appointment = book(caseworker, application, officer)
        appointment_cancel(appointment=appointment, actor=caseworker, reason="Solved by email.")
        starts = [slot.starts_at for slot in slots_open(start=tomorrow_at(9), end=tomorrow_at(12), length=30)]
        assert tomorrow_at(10) in starts

    def test_past_time_and_other_officers_are_not_offered(self, office, officer):
        other = liaison_officer(email="other.officer@example.com")
        publish(other, start=tomorrow_at(9), hours=1)
        mine = slots_open(start=tomorrow_at(0), end=tomorrow_at(23), length=60, officer=officer)
        assert {slot.officer_id for slot in mine} == {officer.pk}
        everyone = slots_open(start=tomorrow_at(0), end=tomorrow_at(23), length=60)
        assert {slot.officer_id for slot in everyone} == {officer.pk, other.pk}
        assert slots_open(start=tomorrow_at(0, days=-3), end=tomorrow_at(0, days=-2), length=60) == []

    def test_the_query_count_does_not_grow_with_history(self, office, officer, django_assert_max_num_queries):
        caseworker, _member, application, _grant = office
        for day in range(2, 12):
            publish(officer, start=tomorrow_at(9, days=day), hours=3)
            book(caseworker, application, officer, hour=10, days=day)
        with django_assert_max_num_queries(2):
            slots_open(start=tomorrow_at(0), end=tomorrow_at(23), length=30, officer=officer)


class TestNoDoubleBooking:
    def test_an_overlapping_booking_is_refused_with_a_clear_message(self, office, officer):
        caseworker, _member, application, _grant = office
        book(caseworker, application, officer, hour=10, minute=0, length=30)
        with pytest.raises(SlotTaken, match="just taken"):
            book(caseworker, application, officer, hour=10, minute=15, length=30)
        assert Appointment.objects.count() == 1

    def test_a_time_the_officer_does_not_offer_is_refused(self, office, officer):
        caseworker, _member, application, _grant = office
        with pytest.raises(LiaisonRefused):
            book(caseworker, application, officer, hour=11, minute=45, length=30)  # runs past noon
        with pytest.raises(LiaisonRefused):
            book(caseworker, application, officer, hour=15)

    @pytest.mark.skipif(connection.vendor != "postgresql", reason="the exclusion constraint is PostgreSQL's")
    def test_the_database_refuses_an_overlap_written_directly(self, office, officer):
        caseworker, _member, application, grant = office
        first = book(caseworker, application, officer, hour=10)
        with pytest.raises(IntegrityError), transaction.atomic():
            Appointment.objects.create(
                officer=officer,
                organisation=grant.organisation,
                booked_by=caseworker,
                application=application,
                topic=Appointment.Topic.OTHER,
                starts_at=first.starts_at + datetime.timedelta(minutes=10),
                ends_at=first.ends_at + datetime.timedelta(minutes=10),
                length_minutes=30,
            )
        # Touching ends, another officer, or a cancelled row are all allowed.
        Appointment.objects.create(
            officer=officer,
            organisation=grant.organisation,
            booked_by=caseworker,
            application=application,
            topic=Appointment.Topic.OTHER,
            starts_at=first.ends_at,
            ends_at=first.ends_at + datetime.timedelta(minutes=15),
            length_minutes=15,
        )
        Appointment.objects.create(
            officer=officer,
            organisation=grant.organisation,
            booked_by=caseworker,
            application=application,
            topic=Appointment.Topic.OTHER,
            starts_at=first.starts_at,
            ends_at=first.ends_at,
            length_minutes=30,
            state=Appointment.State.CANCELLED,
            cancelled_at=timezone.now(),
        )

    @pytest.mark.skipif(connection.vendor != "postgresql", reason="the exclusion constraint is PostgreSQL's")
    def test_when_a_race_passes_the_check_the_constraint_answers_and_the_member_is_told(
        self, office, officer, monkeypatch
    ):
        caseworker, _member, application, _grant = office
        book(caseworker, application, officer, hour=10)
        # As if a concurrent booking committed between the overlap check and the insert.
        monkeypatch.setattr(liaison_booking, "busy_appointments", lambda **kwargs: Appointment.objects.none())
        with pytest.raises(SlotTaken, match="just taken") as refused:
            book(caseworker, application, officer, hour=10, minute=15)
        assert isinstance(refused.value.__cause__, IntegrityError)
        assert Appointment.objects.count() == 1


class TestChanges:
    def test_either_side_cancels_with_a_reason_and_both_are_told(self, office, officer):
        caseworker, member, application, _grant = office
        colleague = MemberFactory(organisation=member.organisation).account
        appointment = book(caseworker, application, officer)
        appointment_cancel(appointment=appointment, actor=officer, reason="Called away.")
        appointment.refresh_from_db()
        assert appointment.state == Appointment.State.CANCELLED
        assert appointment.cancelled_by == officer and appointment.cancel_reason == "Called away."
        told = set(
            Notification.objects.filter(
                kind=Kind.APPOINTMENT, dedupe_key=f"liaison_appointment:{appointment.pk}:cancelled"
            ).values_list("recipient_id", flat=True)
        )
        assert told == {caseworker.pk, colleague.pk, officer.pk}
        assert AuditEvent.objects.filter(action=AuditAction.APPOINTMENT_CHANGED, actor=officer).exists()
        with pytest.raises(LiaisonRefused):
            appointment_cancel(appointment=appointment, actor=caseworker, reason="Again.")

    def test_a_reason_is_required_and_strangers_cannot_cancel(self, office, officer):
        caseworker, _member, application, _grant = office
        appointment = book(caseworker, application, officer)
        with pytest.raises(LiaisonRefused):
            appointment_cancel(appointment=appointment, actor=caseworker, reason="  ")
        with pytest.raises(LiaisonRefused):
            appointment_cancel(appointment=appointment, actor=UserFactory(), reason="Mine now.")
        other_officer = liaison_officer(email="someone.else@example.com")
        with pytest.raises(LiaisonRefused):
            appointment_cancel(appointment=appointment, actor=other_officer, reason="Not mine.")

    def test_moving_cancels_the_old_time_and_books_the_new_one(self, office, officer):
        caseworker, _member, application, _grant = office
        appointment = book(caseworker, application, officer, hour=10)
        moved = appointment_reschedule(
            appointment=appointment, actor=caseworker, starts_at=tomorrow_at(10, 15), reason="A meeting ran late."
        )
        appointment.refresh_from_db()
        assert appointment.state == Appointment.State.CANCELLED
        assert appointment.cancel_reason == "A meeting ran late."
        assert moved.rescheduled_from == appointment and moved.state == Appointment.State.BOOKED
        assert moved.starts_at == tomorrow_at(10, 15) and moved.length_minutes == 30
        assert Notification.objects.filter(dedupe_key=f"liaison_appointment:{moved.pk}:moved").exists()

    def test_moving_onto_a_taken_time_keeps_the_old_appointment(self, office, officer):
        caseworker, _member, application, _grant = office
        appointment = book(caseworker, application, officer, hour=10)
        book(caseworker, application, officer, hour=11)
        with pytest.raises(SlotTaken):
            appointment_reschedule(
                appointment=appointment, actor=officer, starts_at=tomorrow_at(11, 15), reason="Better for me."
            )
        appointment.refresh_from_db()
        assert appointment.state == Appointment.State.BOOKED

    def test_the_officer_records_a_no_show_once_the_time_has_come(self, office, officer, time_machine):
        caseworker, _member, application, _grant = office
        appointment = book(caseworker, application, officer)
        with pytest.raises(LiaisonRefused):
            appointment_mark_no_show(appointment=appointment, officer=officer)
        time_machine.move_to(appointment.starts_at + datetime.timedelta(minutes=20))
        with pytest.raises(LiaisonRefused):
            appointment_mark_no_show(appointment=appointment, officer=caseworker)
        appointment_mark_no_show(appointment=appointment, officer=officer)
        appointment.refresh_from_db()
        assert appointment.state == Appointment.State.NO_SHOW
        assert Notification.objects.filter(dedupe_key=f"liaison_appointment:{appointment.pk}:no_show").exists()


class TestMessages:
    def test_each_side_reads_the_time_in_its_own_zone_in_both_languages(self, office, officer):
        caseworker, _member, application, _grant = office
        appointment = book(caseworker, application, officer, time_zone="America/Vancouver")
        to_office = Notification.objects.filter(recipient=caseworker, dedupe_key__endswith=":booked").first()
        to_officer = Notification.objects.filter(recipient=officer, dedupe_key__endswith=":booked").first()
        assert "7:00 a.m. (Pacific time)" in to_office.message_en
        assert "10:00 a.m. (Eastern time)" in to_officer.message_en
        # Dates follow each language's format now; the French wording arrives with the compiled catalogue.
        assert "7 h 00" in to_office.message_fr and application.number in to_office.message_fr
        if french_catalogue_has("Pacific time"):
            assert "heure du Pacifique" in to_office.message_fr
            assert "heure de l'Est" in to_officer.message_fr
            assert to_office.message_fr.startswith("Rendez-vous de liaison")
        assert to_office.application_id == application.pk and to_officer.application_id is None
        assert to_office.link_path == f"liaison/appointments/{appointment.pk}/"


class TestAvailability:
    def test_an_officer_publishes_and_others_may_not(self, officer):
        published = availability_publish(
            officer=officer,
            starts_at=tomorrow_at(13),
            ends_at=tomorrow_at(16),
            lengths=[30, 60],
            time_zone="America/Toronto",
        )
        assert published.lengths == [30, 60]
        with pytest.raises(LiaisonRefused):
            availability_publish(
                officer=UserFactory(is_staff=True),
                starts_at=tomorrow_at(13),
                ends_at=tomorrow_at(16),
                lengths=[30],
                time_zone="America/Toronto",
            )
        for starts, ends, lengths in (
            (tomorrow_at(16), tomorrow_at(13), [30]),
            (tomorrow_at(13), tomorrow_at(16), []),
            (tomorrow_at(13), tomorrow_at(16), [20]),
            (tomorrow_at(0, days=-2), tomorrow_at(1, days=-2), [30]),
        ):
            with pytest.raises(LiaisonRefused):
                availability_publish(
                    officer=officer, starts_at=starts, ends_at=ends, lengths=lengths, time_zone="America/Toronto"
                )


class TestEmails:
    def test_the_email_quotes_the_news_and_links_to_the_appointment_page_in_its_language(self, office, officer):
        from notifications.content import message_render
        from notifications.models import Channel

        caseworker, _member, application, _grant = office
        caseworker.preferred_language = "fr"
        caseworker.save(update_fields=["preferred_language"])
        appointment = book(caseworker, application, officer)
        to_office = Notification.objects.get(
            recipient=caseworker, channel=Channel.EMAIL, dedupe_key__endswith=":booked"
        )
        to_officer = Notification.objects.get(recipient=officer, channel=Channel.EMAIL, dedupe_key__endswith=":booked")

        office_email = message_render(notification=to_office)
        assert f"/fr/liaison/appointments/{appointment.pk}/" in office_email.body
        assert to_office.message_fr in office_email.body
        officer_email = message_render(notification=to_officer)
        assert f"/en/liaison/appointments/{appointment.pk}/" in officer_email.body
        assert "The calendar file is on the appointment page." in officer_email.body
        assert application.number in officer_email.subject
