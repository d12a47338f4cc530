"""The liaison pages: who gets in, booking from the office's side, the officer's day, moves and cancellations,
the calendar download, both languages, and the admin's day page."""

import datetime
import zoneinfo

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from delegations.liaison import Slot, appointment_book
from delegations.liaison_forms import slot_value
from delegations.liaison_models import Appointment, Availability
from tests.delegations.factories import MemberFactory, OrganisationFactory
from tests.delegations.liaison_support import (
    french_catalogue_has,
    liaison_officer,
    office_with_case,
    publish,
    tomorrow_at,
)
from tests.factories import UserFactory, link, sign_in_with_second_step

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer():
    officer = liaison_officer(email="liaison.pages@example.com")
    publish(officer, start=tomorrow_at(9), hours=3)
    return officer


@pytest.fixture
def office(officer):
    return office_with_case()


@pytest.fixture
def caseworker(office):
    return office[0]


@pytest.fixture
def application(office):
    return office[2]


@pytest.fixture
def appointment(caseworker, application, officer):
    return appointment_book(
        member=caseworker,
        number=application.number,
        officer=officer,
        starts_at=tomorrow_at(10),
        length=30,
        topic=Appointment.Topic.STATUS,
        note="Needs an answer before travel.",
    )


def url(name: str, language: str = "en", **kwargs) -> str:
    with translation.override(language):
        return reverse(f"liaison:{name}", kwargs=kwargs or None)


def search_query(application, officer=None, **extra) -> dict:
    return {
        "application": application.number,
        "officer": str(officer.pk) if officer else "",
        "day": tomorrow_at(0).date().isoformat(),
        "length": "30",
        **extra,
    }


class TestWhoGetsIn:
    @pytest.mark.parametrize("name", ["office", "book", "officer_day", "availability"])
    def test_anonymous_visitors_are_sent_to_sign_in(self, client, name):
        response = client.get(url(name))
        assert response.status_code == 302 and reverse("account_login") in response["Location"]

    def test_an_appointment_page_sends_anonymous_visitors_to_sign_in(self, client, appointment):
        response = client.get(url("detail", pk=appointment.pk))
        assert response.status_code == 302 and reverse("account_login") in response["Location"]

    def test_people_outside_an_office_get_a_404_on_office_pages(self, client, officer):
        sign_in_with_second_step(client, UserFactory())
        assert client.get(url("office")).status_code == 404
        assert client.get(url("book")).status_code == 404

    def test_a_member_without_two_step_verification_is_sent_to_set_it_up(self, client, caseworker):
        client.force_login(caseworker)
        response = client.get(url("office"))
        assert response.status_code == 302 and response["Location"] == reverse("mfa_activate_totp")

    def test_staff_outside_the_liaison_group_get_a_404_on_officer_pages(self, client, staff_user):
        sign_in_with_second_step(client, staff_user)
        assert client.get(url("officer_day")).status_code == 404
        assert client.get(url("availability")).status_code == 404

    def test_an_appointment_page_is_for_its_officer_and_its_office_only(self, client, appointment, office):
        _caseworker, member, application, grant = office
        colleague = MemberFactory(organisation=member.organisation).account
        sign_in_with_second_step(client, colleague)
        assert client.get(url("detail", pk=appointment.pk)).status_code == 200

        owner = UserFactory()
        link(user=owner, application=application)
        outsiders = [
            MemberFactory(organisation=OrganisationFactory()).account,
            liaison_officer(email="another.officer@example.com"),
            owner,
        ]
        for outsider in outsiders:
            sign_in_with_second_step(client, outsider)
            assert client.get(url("detail", pk=appointment.pk)).status_code == 404, outsider
            assert client.get(url("calendar", pk=appointment.pk)).status_code == 404, outsider

    def test_a_revoked_grant_or_a_removed_member_loses_the_appointment_at_once(self, client, appointment, office):
        caseworker, member, _application, grant = office
        sign_in_with_second_step(client, caseworker)
        assert client.get(url("office")).context["upcoming"]
        grant.state, grant.revoked_at = grant.State.REVOKED, timezone.now()
        grant.save(update_fields=["state", "revoked_at"])
        assert client.get(url("detail", pk=appointment.pk)).status_code == 404
        assert client.get(url("office")).context["upcoming"] == []
        grant.state, grant.revoked_at = grant.State.ACTIVE, None
        grant.save(update_fields=["state", "revoked_at"])
        member.removed_at = timezone.now()
        member.save(update_fields=["removed_at"])
        assert client.get(url("detail", pk=appointment.pk)).status_code == 404
        assert client.get(url("office")).status_code == 404


class TestBooking:
    def test_the_office_finds_a_time_and_books_it(self, client, caseworker, application, officer):
        sign_in_with_second_step(client, caseworker)
        page = client.get(url("book"))
        assert page.status_code == 200
        assert application.number in page.content.decode()

        listed = client.get(url("book"), search_query(application, officer))
        assert listed.status_code == 200
        choice = slot_value(Slot(officer.pk, tomorrow_at(10), tomorrow_at(10, 30)))
        assert f'value="{choice}"' in listed.content.decode()

        response = client.post(
            url("book"),
            {**search_query(application, officer), "slot": choice, "topic": "documents", "note": "Passport sent."},
        )
        appointment = Appointment.objects.get()
        assert response.status_code == 302 and response["Location"] == url("detail", pk=appointment.pk)
        assert appointment.topic == "documents" and appointment.note == "Passport sent."
        detail = client.get(response["Location"])
        body = detail.content.decode()
        assert "10:00 a.m. (Eastern time)" in body
        assert url("calendar", pk=appointment.pk) in body

    def test_a_time_taken_meanwhile_is_explained_on_the_form(
        self, client, caseworker, application, officer, appointment
    ):
        sign_in_with_second_step(client, caseworker)
        taken = slot_value(Slot(officer.pk, tomorrow_at(10), tomorrow_at(10, 30)))
        response = client.post(url("book"), {**search_query(application, officer), "slot": taken, "topic": "status"})
        assert response.status_code == 400
        assert Appointment.objects.count() == 1
        assert "Choose one of the times shown." in response.content.decode()  # no longer among the free times

    def test_a_file_the_office_cannot_see_is_not_offered(self, client, caseworker, officer):
        from tests.factories import ApplicationFactory

        stranger = ApplicationFactory()
        sign_in_with_second_step(client, caseworker)
        response = client.get(url("book"), search_query(stranger, officer))
        assert response.status_code == 400
        assert not Appointment.objects.exists()

    def test_times_are_shown_in_the_zone_the_viewer_chooses(self, client, caseworker, appointment):
        sign_in_with_second_step(client, caseworker)
        response = client.post(url("zone"), {"zone-time_zone": "America/Vancouver", "next": url("office")})
        assert response.status_code == 302 and response["Location"] == url("office")
        body = client.get(url("office")).content.decode()
        assert "7:00 a.m. (Pacific time)" in body
        assert "Times on this page are in Pacific time." in body

    def test_the_zone_form_never_sends_people_elsewhere(self, client, caseworker):
        sign_in_with_second_step(client, caseworker)
        response = client.post(url("zone"), {"zone-time_zone": "America/Toronto", "next": "https://evil.example/"})
        assert response["Location"] == url("office")


class TestChangesFromThePages:
    def test_the_office_cancels_with_a_reason(self, client, caseworker, appointment):
        sign_in_with_second_step(client, caseworker)
        missing = client.post(url("cancel", pk=appointment.pk), {"cancel-reason": ""})
        assert missing.status_code == 400 and "Give a reason." in missing.content.decode()
        response = client.post(url("cancel", pk=appointment.pk), {"cancel-reason": "The client has an answer."})
        assert response.status_code == 302
        appointment.refresh_from_db()
        assert appointment.state == Appointment.State.CANCELLED and appointment.cancelled_by == caseworker

    def test_the_officer_moves_an_appointment(self, client, officer, appointment):
        sign_in_with_second_step(client, officer)
        page = client.get(url("detail", pk=appointment.pk))
        new = slot_value(Slot(officer.pk, tomorrow_at(11), tomorrow_at(11, 30)))
        assert f'value="{new}"' in page.content.decode()
        response = client.post(
            url("reschedule", pk=appointment.pk),
            {"day": tomorrow_at(0).date().isoformat(), "move-slot": new, "move-reason": "A briefing at ten."},
        )
        moved = Appointment.objects.get(state=Appointment.State.BOOKED)
        assert response.status_code == 302 and response["Location"] == url("detail", pk=moved.pk)
        assert moved.starts_at == tomorrow_at(11) and moved.rescheduled_from == appointment

    def test_the_officer_records_a_no_show_after_the_start(self, client, officer, appointment, time_machine):
        time_machine.move_to(appointment.starts_at + datetime.timedelta(minutes=15))
        sign_in_with_second_step(client, officer)
        assert "The office did not attend" in client.get(url("detail", pk=appointment.pk)).content.decode()
        client.post(url("mark", pk=appointment.pk), {"state": "no_show"})
        appointment.refresh_from_db()
        assert appointment.state == Appointment.State.NO_SHOW

    def test_an_office_member_cannot_record_a_no_show(self, client, caseworker, appointment, time_machine):
        time_machine.move_to(appointment.starts_at + datetime.timedelta(minutes=15))
        sign_in_with_second_step(client, caseworker)
        assert client.post(url("mark", pk=appointment.pk), {"state": "no_show"}).status_code == 404
        appointment.refresh_from_db()
        assert appointment.state == Appointment.State.BOOKED

    def test_the_calendar_file_downloads_for_both_sides(self, client, officer, caseworker, appointment):
        for person in (officer, caseworker):
            sign_in_with_second_step(client, person)
            response = client.get(url("calendar", pk=appointment.pk))
            assert response.status_code == 200
            assert response["Content-Type"] == "text/calendar; charset=utf-8"
            assert "attachment" in response["Content-Disposition"]
            unfolded = response.content.decode().replace("\r\n ", "")
            assert f"ATTENDEE;ROLE=REQ-PARTICIPANT;PARTSTAT=ACCEPTED:mailto:{person.email}" in unfolded


class TestOfficerPages:
    def test_the_officer_publishes_availability(self, client, officer):
        sign_in_with_second_step(client, officer)
        day = tomorrow_at(0, days=3).date().isoformat()
        response = client.post(
            url("availability"),
            {"day": day, "start": "13:00", "end": "15:30", "lengths": ["15", "60"], "time_zone": "America/Halifax"},
        )
        assert response.status_code == 302
        published = Availability.objects.filter(officer=officer).order_by("-pk").first()
        assert published.lengths == [15, 60]
        halifax = zoneinfo.ZoneInfo("America/Halifax")
        assert timezone.localtime(published.starts_at, halifax).strftime("%H:%M") == "13:00"
        assert timezone.localtime(published.ends_at, halifax).strftime("%H:%M") == "15:30"
        assert published.time_zone == "America/Halifax"

    def test_a_wrong_form_is_explained(self, client, officer):
        sign_in_with_second_step(client, officer)
        response = client.post(
            url("availability"),
            {"day": "tomorrow", "start": "15:00", "end": "13:00", "time_zone": "America/Toronto"},
        )
        body = response.content.decode()
        assert response.status_code == 400
        assert "There is a problem" in body and "Choose at least one appointment length." in body
        assert "Enter the date as year, month and day" in body

    def test_the_officer_sees_the_day_and_the_week(self, client, officer, appointment):
        sign_in_with_second_step(client, officer)
        day = client.get(url("officer_day"), {"day": tomorrow_at(0).date().isoformat()})
        assert [row["appointment"] for row in day.context["rows"]] == [appointment]
        assert appointment.organisation.name in day.content.decode()
        week = client.get(url("officer_day"), {"day": timezone.localdate().isoformat(), "span": "week"})
        assert [row["appointment"] for row in week.context["rows"]] == [appointment]
        elsewhere = client.get(url("officer_day"), {"day": tomorrow_at(0, days=3).date().isoformat()})
        assert elsewhere.context["rows"] == []


class TestFrench:
    def test_the_office_pages_answer_in_french(self, client, caseworker, application, officer, appointment):
        sign_in_with_second_step(client, caseworker)
        for name, kwargs in (("office", {}), ("book", {}), ("detail", {"pk": appointment.pk})):
            response = client.get(url(name, "fr", **kwargs))
            assert response.status_code == 200
            assert '<html lang="fr">' in response.content.decode()
        body = client.get(url("detail", "fr", pk=appointment.pk)).content.decode()
        assert "10 h 00" in body
        if french_catalogue_has("Liaison appointment"):
            assert "Rendez-vous de liaison" in body

    def test_errors_are_explained_in_french(self, client, officer):
        sign_in_with_second_step(client, officer)
        response = client.post(url("availability", "fr"), {"day": "demain"})
        assert response.status_code == 400
        if french_catalogue_has("Choose at least one appointment length."):
            assert "Choisissez au moins une durée de rendez-vous." in response.content.decode()


class TestAdmin:
    def test_the_day_page_shows_each_officer_and_the_booked_hours(self, admin_client, officer, appointment):
        other = liaison_officer(email="second.officer@example.com", first_name="Omar", last_name="Haddad")
        publish(other, start=tomorrow_at(9), hours=3)
        second_office, _member, second_file, _grant = office_with_case()
        for hour in (9, 10):
            appointment_book(
                member=second_office,
                number=second_file.number,
                officer=other,
                starts_at=tomorrow_at(hour),
                length=60,
                topic="other",
            )
        response = admin_client.get(reverse("admin:delegations_appointment_day"), {"day": tomorrow_at(0).date()})
        assert response.status_code == 200
        body = response.content.decode()
        assert "Léa Gagnon" in body and "Omar Haddad" in body
        hours = {row["officer"]: (row["appointments"], row["hours"]) for row in response.context["hours"]}
        assert hours == {"Léa Gagnon": (1, 0.5), "Omar Haddad": (2, 2.0)}

    def test_the_list_filters_by_officer_and_day(self, admin_client, officer, appointment):
        changelist = reverse("admin:delegations_appointment_changelist")
        response = admin_client.get(changelist, {"officer__id__exact": officer.pk})
        assert response.status_code == 200 and list(response.context["cl"].result_list) == [appointment]
        start = tomorrow_at(0)
        response = admin_client.get(
            changelist,
            {"starts_at__gte": str(start), "starts_at__lt": str(start + datetime.timedelta(days=1))},
        )
        assert list(response.context["cl"].result_list) == [appointment]
        assert reverse("admin:delegations_appointment_day") in response.content.decode()

    def test_appointments_are_read_only_in_the_admin(self, admin_client, appointment):
        response = admin_client.post(
            reverse("admin:delegations_appointment_change", args=[appointment.pk]), {"state": "cancelled"}
        )
        assert response.status_code == 403
        appointment.refresh_from_db()
        assert appointment.state == Appointment.State.BOOKED


class TestQueryCounts:
    def test_the_office_list_and_the_officer_day_cost_the_same_for_2_or_8_appointments(
        self, client, caseworker, application, officer
    ):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        def add(hours):
            for hour in hours:
                appointment_book(
                    member=caseworker,
                    number=application.number,
                    officer=officer,
                    starts_at=tomorrow_at(9) + datetime.timedelta(minutes=20 * hour),
                    length=15,
                    topic="status",
                )

        def cost(path, query=None):
            client.get(path, query or {})  # the first page after signing in also refreshes the session
            with CaptureQueriesContext(connection) as queries:
                assert client.get(path, query or {}).status_code == 200
            return len(queries)

        day = {"day": tomorrow_at(0).date().isoformat()}
        add(range(2))
        sign_in_with_second_step(client, caseworker)
        office_two = cost(url("office"))
        sign_in_with_second_step(client, officer)
        officer_two = cost(url("officer_day"), day)
        add(range(2, 8))
        assert cost(url("officer_day"), day) == officer_two
        sign_in_with_second_step(client, caseworker)
        assert cost(url("office")) == office_two


def test_the_officers_page_opens_on_the_week_ahead(client, db):
    import datetime

    from delegations.liaison_models import Appointment
    from tests.delegations.liaison_support import liaison_officer, office_with_case, tomorrow_at
    from tests.factories import sign_in

    officer = liaison_officer(email="week.ahead@example.com")
    caseworker, member, application, _grant = office_with_case()
    start = tomorrow_at(10, days=3)
    Appointment.objects.create(
        officer=officer,
        organisation=member.organisation,
        booked_by=caseworker,
        application=application,
        topic=Appointment.Topic.STATUS,
        starts_at=start,
        ends_at=start + datetime.timedelta(minutes=30),
        length_minutes=30,
    )
    sign_in(client, officer)
    assert application.number in client.get("/en/liaison/officer/").text
    assert application.number not in client.get("/en/liaison/officer/?span=day").text
