"""Reminders 24 hours and 1 hour before a liaison appointment: each sent once, to both sides."""

import datetime

import pytest
from django.conf import settings

from delegations.liaison import appointment_book, appointment_cancel, appointment_reminders_send
from delegations.liaison_models import Appointment
from delegations.tasks import liaison_reminders_send
from notifications.models import Channel, Notification
from tests.delegations.liaison_support import liaison_officer, office_with_case, publish, tomorrow_at

pytestmark = pytest.mark.django_db


@pytest.fixture
def appointment():
    officer = liaison_officer(email="liaison.reminders@example.com")
    publish(officer, start=tomorrow_at(9, days=2), hours=3)
    caseworker, _member, application, _grant = office_with_case()
    booked = appointment_book(
        member=caseworker,
        number=application.number,
        officer=officer,
        starts_at=tomorrow_at(10, days=2),
        length=30,
        topic=Appointment.Topic.DOCUMENTS,
    )
    return booked


def reminders(appointment, which: str):
    return Notification.objects.filter(
        dedupe_key=f"liaison_appointment:{appointment.pk}:reminder_{which}", channel=Channel.IN_APP
    )


def test_each_reminder_is_sent_once_even_when_the_task_runs_twice(appointment):
    before_a_day = appointment.starts_at - datetime.timedelta(hours=23, minutes=58)
    assert appointment_reminders_send(now=before_a_day) == {"24h": 1, "1h": 0}
    assert appointment_reminders_send(now=before_a_day) == {"24h": 0, "1h": 0}
    assert appointment_reminders_send(now=before_a_day + datetime.timedelta(minutes=5)) == {"24h": 0, "1h": 0}
    assert set(reminders(appointment, "24h").values_list("recipient_id", flat=True)) == {
        appointment.booked_by_id,
        appointment.officer_id,
    }

    before_an_hour = appointment.starts_at - datetime.timedelta(minutes=57)
    assert appointment_reminders_send(now=before_an_hour) == {"24h": 0, "1h": 1}
    assert appointment_reminders_send(now=before_an_hour) == {"24h": 0, "1h": 0}
    assert reminders(appointment, "1h").count() == 2
    assert reminders(appointment, "24h").count() == 2
    appointment.refresh_from_db()
    assert appointment.reminder_24h_sent_at == before_a_day
    assert appointment.reminder_1h_sent_at == before_an_hour


def test_nothing_is_sent_too_early_or_for_a_cancelled_appointment(appointment):
    assert appointment_reminders_send(now=appointment.starts_at - datetime.timedelta(hours=25)) == {"24h": 0, "1h": 0}
    appointment_cancel(appointment=appointment, actor=appointment.officer, reason="Ill.")
    assert appointment_reminders_send(now=appointment.starts_at - datetime.timedelta(minutes=30)) == {"24h": 0, "1h": 0}


def test_an_appointment_booked_within_a_day_gets_only_the_hour_reminder(appointment):
    Appointment.objects.filter(pk=appointment.pk).update(created_at=appointment.starts_at - datetime.timedelta(hours=5))
    assert appointment_reminders_send(now=appointment.starts_at - datetime.timedelta(hours=4)) == {"24h": 0, "1h": 0}
    assert appointment_reminders_send(now=appointment.starts_at - datetime.timedelta(minutes=50)) == {"24h": 0, "1h": 1}


def test_a_late_run_does_not_send_a_day_reminder_within_the_last_hour(appointment):
    assert appointment_reminders_send(now=appointment.starts_at - datetime.timedelta(minutes=40)) == {"24h": 0, "1h": 1}
    assert not reminders(appointment, "24h").exists()


def test_the_beat_schedule_runs_the_task_by_name_and_the_task_is_safe_to_repeat(appointment, time_machine):
    entry = settings.CELERY_BEAT_SCHEDULE["liaison-reminders"]
    assert entry["task"] == "delegations.tasks.liaison_reminders_send"
    assert entry["schedule"] <= 300
    time_machine.move_to(appointment.starts_at - datetime.timedelta(hours=23, minutes=59), tick=False)
    assert liaison_reminders_send.delay().get() == {"24h": 1, "1h": 0}
    assert liaison_reminders_send.delay().get() == {"24h": 0, "1h": 0}
