"""The iCalendar file of a liaison appointment: a valid VCALENDAR with one VEVENT, in UTC."""

import datetime

import pytest

from delegations.ical import appointment_calendar, appointment_uid
from delegations.liaison import appointment_book, appointment_cancel
from delegations.liaison_models import Appointment
from tests.delegations.liaison_support import (
    french_catalogue_has,
    liaison_officer,
    office_with_case,
    publish,
    tomorrow_at,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def appointment():
    officer = liaison_officer(email="liaison.ical@example.com")
    publish(officer, start=tomorrow_at(9), hours=3)
    caseworker, _member, application, _grant = office_with_case()
    return appointment_book(
        member=caseworker,
        number=application.number,
        officer=officer,
        starts_at=tomorrow_at(10, 15),
        length=45,
        topic=Appointment.Topic.URGENT,
    )


def unfolded(text: str) -> list[str]:
    assert text.endswith("\r\n")
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n")), "lines are folded at 75 octets"
    return text.replace("\r\n ", "").split("\r\n")[:-1]


def properties(lines: list[str]) -> dict[str, str]:
    found = {}
    for line in lines:
        name, _sep, value = line.partition(":")
        found.setdefault(name.split(";")[0], value)
    return found


def utc(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")


def test_a_booked_appointment_is_a_request_in_utc(appointment):
    lines = unfolded(appointment_calendar(appointment=appointment, attendee_email="me@parl.gc.ca", language="en"))
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-1] == "END:VCALENDAR"
    assert lines.count("BEGIN:VEVENT") == 1 and lines.count("END:VEVENT") == 1
    found = properties(lines)
    assert found["VERSION"] == "2.0" and found["PRODID"]
    assert found["METHOD"] == "REQUEST" and found["STATUS"] == "CONFIRMED"
    assert found["UID"] == appointment_uid(appointment)
    assert found["DTSTART"] == utc(appointment.starts_at) and found["DTEND"] == utc(appointment.ends_at)
    assert found["DTSTART"].endswith("Z") and found["DTSTAMP"].endswith("Z")
    assert appointment.application.number in found["SUMMARY"]
    assert "Topic: An urgent or humanitarian situation." in found["DESCRIPTION"]
    assert found["ATTENDEE"] == "mailto:me@parl.gc.ca"


def test_a_cancelled_appointment_is_a_cancel_with_the_same_uid_and_a_higher_sequence(appointment):
    booked = properties(unfolded(appointment_calendar(appointment=appointment, attendee_email="a@b.c", language="en")))
    appointment_cancel(appointment=appointment, actor=appointment.officer, reason="Away")
    appointment.refresh_from_db()
    cancelled = properties(
        unfolded(appointment_calendar(appointment=appointment, attendee_email="a@b.c", language="en"))
    )
    assert cancelled["METHOD"] == "CANCEL" and cancelled["STATUS"] == "CANCELLED"
    assert cancelled["UID"] == booked["UID"]
    assert int(cancelled["SEQUENCE"]) > int(booked["SEQUENCE"])


def test_text_is_escaped_and_long_lines_fold_without_breaking_characters(appointment):
    appointment.organisation.name_fr = "Bureau de la députée, « Côte-Nord; Îles » " + "é" * 80
    appointment.organisation.save(update_fields=["name_fr"])
    text = appointment_calendar(appointment=appointment, attendee_email="a@b.c", language="fr")
    text.encode("utf-8").decode("utf-8")
    description = properties(unfolded(text))["DESCRIPTION"]
    assert "\\; Îles" in description and "députée\\," in description
    if french_catalogue_has("Liaison appointment about application %(number)s"):
        assert properties(unfolded(text))["SUMMARY"].startswith("Rendez-vous de liaison")
