"""Proactive alerts: a client is told once when their open file passes normal processing time."""

import datetime

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from applications.models import Program
from notifications.models import Channel, Kind, Notification, NotificationPreference, State
from notifications.outbox import outbox_write
from processing_times.alerts import overdue_alerts_create, overdue_applications_to_alert, overdue_messages
from processing_times.estimates import estimate_for_application
from processing_times.models import ProcessingTimeSnapshot
from processing_times.tasks import overdue_alerts_daily
from tests.factories import ApplicationFactory, ClientFactory, UserFactory, link, record_decision

pytestmark = pytest.mark.django_db


def linked_application(*, days_ago: int, program_code: str = "spouse-sponsorship", country: str = "CA", user=None):
    """An open application submitted `days_ago` days ago, linked to a fresh (or the given) account."""
    client = ClientFactory(country_of_residence=country)
    application = ApplicationFactory(
        client=client,
        program=Program.objects.get(code=program_code),
        submitted_on=timezone.localdate() - datetime.timedelta(days=days_ago),
    )
    link(user=user or UserFactory(), application=application)
    return application


def snapshot(program_code: str, *, country: str = "", sample: int = 50, p80: float = 90.0):
    return ProcessingTimeSnapshot.objects.create(
        program=Program.objects.get(code=program_code),
        country=country,
        computed_on=timezone.localdate(),
        window_days=183,
        sample_size=sample,
        p50_days=p80 / 2,
        p80_days=p80,
        p90_days=p80 + 10,
        waiting_count=10,
        monthly_output=5,
    )


def overdue_rows(application):
    return Notification.objects.filter(application=application, kind=Kind.OVERDUE)


def today():
    return timezone.localdate()


def test_a_file_past_its_service_standard_gets_one_alert_per_channel_even_when_the_job_runs_twice():
    # Spouse sponsorship: no snapshot yet, so the 365-day service standard is normal.
    application = linked_application(days_ago=400)
    recipient = application.links.get().account
    NotificationPreference.objects.create(user=recipient, sms_overdue=True, phone_number="+15145550123")

    assert overdue_alerts_create(as_of=today()) == 1
    assert overdue_alerts_create(as_of=today()) == 0

    rows = overdue_rows(application)
    assert sorted(rows.values_list("channel", flat=True)) == sorted([Channel.IN_APP, Channel.EMAIL, Channel.SMS])
    assert set(rows.values_list("recipient", flat=True)) == {recipient.pk}
    assert rows.get(channel=Channel.EMAIL).state == State.PENDING


def test_a_file_within_normal_time_gets_no_alert():
    application = linked_application(days_ago=300)
    assert overdue_alerts_create(as_of=today()) == 0
    assert not overdue_rows(application).exists()


def test_the_day_it_passes_normal_time_counts_the_same_as_the_status_page():
    # The status page calls a file overdue the day after submitted_on + normal days.
    on_the_day = linked_application(days_ago=365)
    day_after = linked_application(days_ago=366)
    selected = set(overdue_applications_to_alert(as_of=today()))
    assert selected == {day_after}
    assert not estimate_for_application(application=on_the_day).overdue
    assert estimate_for_application(application=day_after).overdue


def test_closed_files_get_no_alert():
    application = linked_application(days_ago=500)
    record_decision(application=application, outcome="refused")
    assert overdue_alerts_create(as_of=today()) == 0
    assert not overdue_rows(application).exists()


def test_files_nobody_has_linked_are_left_for_later():
    application = ApplicationFactory(submitted_on=today() - datetime.timedelta(days=500))
    assert overdue_alerts_create(as_of=today()) == 0
    assert not Notification.objects.filter(application=application).exists()


def test_the_published_80th_percentile_is_normal_when_it_rests_on_enough_decisions():
    snapshot("spouse-sponsorship", sample=50, p80=89.5)  # normal = 90 days
    late = linked_application(days_ago=91)
    on_time = linked_application(days_ago=90)
    assert overdue_alerts_create(as_of=today()) == 1
    assert overdue_rows(late).exists()
    assert not overdue_rows(on_time).exists()


def test_too_few_decisions_fall_back_to_the_service_standard():
    snapshot("spouse-sponsorship", sample=5, p80=30)
    application = linked_application(days_ago=100)
    assert overdue_alerts_create(as_of=today()) == 0
    assert not overdue_rows(application).exists()


def test_programs_published_by_country_use_the_clients_country_when_it_has_enough_decisions():
    snapshot("visitor-visa", sample=200, p80=30)
    snapshot("visitor-visa", country="IN", sample=40, p80=10)
    snapshot("visitor-visa", country="PH", sample=4, p80=5)  # too few: the overall figure applies
    from_india = linked_application(days_ago=15, program_code="visitor-visa", country="IN")
    from_philippines = linked_application(days_ago=15, program_code="visitor-visa", country="PH")
    from_france = linked_application(days_ago=15, program_code="visitor-visa", country="FR")
    from_france_later = linked_application(days_ago=45, program_code="visitor-visa", country="FR")

    selected = set(overdue_applications_to_alert(as_of=today()))
    assert selected == {from_india, from_france_later}
    for application in [from_india, from_philippines, from_france, from_france_later]:
        assert estimate_for_application(application=application).overdue == (application in selected)


def test_only_the_latest_days_snapshots_count():
    old = snapshot("spouse-sponsorship", sample=50, p80=30)
    old.computed_on = today() - datetime.timedelta(days=1)
    old.save(update_fields=["computed_on"])
    snapshot("spouse-sponsorship", sample=50, p80=200)
    application = linked_application(days_ago=100)
    assert overdue_alerts_create(as_of=today()) == 0
    assert not estimate_for_application(application=application).overdue


def test_it_agrees_with_the_status_page_on_every_file():
    snapshot("work-permit", sample=100, p80=50)
    snapshot("work-permit", country="MX", sample=60, p80=20)
    snapshot("study-permit", sample=10, p80=5)
    applications = [
        linked_application(days_ago=days, program_code=program, country=country)
        for program in ["work-permit", "study-permit", "pr-card", "spouse-sponsorship"]
        for country in ["MX", "CA"]
        for days in [10, 21, 40, 51, 61, 70, 400]
    ]
    selected = set(overdue_applications_to_alert(as_of=today()))
    for application in applications:
        assert estimate_for_application(application=application).overdue == (application in selected), (
            application.program.code,
            application.client.country_of_residence,
            application.submitted_on,
        )
    assert selected


def test_a_file_already_alerted_is_not_selected_again():
    application = linked_application(days_ago=400)
    assert list(overdue_applications_to_alert(as_of=today())) == [application]
    overdue_alerts_create(as_of=today())
    assert list(overdue_applications_to_alert(as_of=today())) == []


def test_two_overlapping_runs_still_write_one_row_per_person_and_channel():
    application = linked_application(days_ago=400)
    # As if two jobs had selected the file before either committed.
    outbox_write(messages=overdue_messages(application_ids=[application.pk]))
    outbox_write(messages=overdue_messages(application_ids=[application.pk]))
    assert overdue_rows(application).count() == 2  # in the portal and by email, once each


def test_every_linked_account_is_told():
    application = linked_application(days_ago=400)
    second = UserFactory()
    from applications.models import ApplicationLink

    ApplicationLink.objects.create(account=second, application=application)
    overdue_alerts_create(as_of=today())
    assert overdue_rows(application).values("recipient").distinct().count() == 2


def test_the_selection_costs_the_same_queries_for_few_or_many_files():
    def queries_to_select() -> int:
        with CaptureQueriesContext(connection) as queries:
            list(overdue_applications_to_alert(as_of=today()))
        return len(queries)

    snapshot("visitor-visa", sample=200, p80=30)
    snapshot("visitor-visa", country="IN", sample=40, p80=10)
    linked_application(days_ago=400)
    few = queries_to_select()
    for index in range(30):
        linked_application(days_ago=40 + index, program_code="visitor-visa", country=["IN", "FR", "CA"][index % 3])
    assert queries_to_select() == few == 3  # programs, latest snapshots, the files


def test_delivery_is_enqueued_only_after_commit(django_capture_on_commit_callbacks):
    linked_application(days_ago=400)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        overdue_alerts_create(as_of=today())
    assert len(callbacks) == 1


def test_the_daily_task_alerts_as_of_today():
    application = linked_application(days_ago=400)
    assert overdue_alerts_daily.apply().get() == 1
    assert overdue_rows(application).exists()


def test_the_daily_task_is_in_the_beat_schedule():
    entry = settings.CELERY_BEAT_SCHEDULE["overdue-alerts-daily"]
    assert entry["task"] == "processing_times.tasks.overdue_alerts_daily"
    assert entry["schedule"].hour == {6}
    assert entry["schedule"].minute == {0}
