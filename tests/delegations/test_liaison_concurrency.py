"""Twenty offices' caseworkers booking the same slot at the same moment: exactly one appointment.

Real threads, each with its own database connection and transaction, released together by a
barrier. On PostgreSQL the exclusion constraint decides; those that passed the overlap check
together get the constraint's error, turned into "this time was just taken".
"""

import pytest
from django.db import connection

from delegations.liaison import SlotTaken, appointment_book
from delegations.liaison_models import Appointment
from tests.concurrency import in_parallel
from tests.delegations.factories import MemberFactory
from tests.delegations.liaison_support import liaison_officer, office_with_case, publish, tomorrow_at

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite's in-memory test database is one connection"),
]

PARALLEL_BOOKINGS = 20


@pytest.fixture(autouse=True)
def reference_data(transactional_db):
    """Transactional tests empty every table afterwards, the programs the migrations loaded included."""
    from applications.models import Program, ProgramStage, Stage
    from applications.reference_data import reference_data_load

    reference_data_load(stage_model=Stage, program_model=Program, program_stage_model=ProgramStage)


def test_twenty_simultaneous_bookings_of_one_slot_give_exactly_one_appointment():
    officer = liaison_officer(email="liaison.race@example.com")
    publish(officer, start=tomorrow_at(9), hours=2)
    first, member, application, _grant = office_with_case()
    caseworkers = [first] + [
        MemberFactory(organisation=member.organisation).account for _ in range(PARALLEL_BOOKINGS - 1)
    ]

    def booking(caseworker):
        return lambda: appointment_book(
            member=caseworker,
            number=application.number,
            officer=officer,
            starts_at=tomorrow_at(10),
            length=30,
            topic=Appointment.Topic.STATUS,
        )

    results = in_parallel([booking(caseworker) for caseworker in caseworkers])

    unexpected = [result for result in results if isinstance(result, Exception) and not isinstance(result, SlotTaken)]
    assert not unexpected, unexpected
    booked = [result for result in results if isinstance(result, Appointment)]
    assert len(booked) == 1
    assert sum(isinstance(result, SlotTaken) for result in results) == PARALLEL_BOOKINGS - 1
    assert Appointment.objects.filter(officer=officer, state=Appointment.State.BOOKED).count() == 1


def test_overlapping_lengths_raced_from_two_offices_give_one_appointment():
    officer = liaison_officer(email="liaison.race2@example.com")
    publish(officer, start=tomorrow_at(9), hours=2)
    one, _member, first_file, _grant = office_with_case()
    other, _member, second_file, _grant = office_with_case()

    results = in_parallel(
        [
            lambda: appointment_book(
                member=one,
                number=first_file.number,
                officer=officer,
                starts_at=tomorrow_at(10),
                length=60,
                topic="status",
            ),
            lambda: appointment_book(
                member=other,
                number=second_file.number,
                officer=officer,
                starts_at=tomorrow_at(10, 45),
                length=15,
                topic="other",
            ),
        ]
    )

    assert sorted(type(result).__name__ for result in results) == ["Appointment", "SlotTaken"], results
    assert Appointment.objects.count() == 1
