"""`manage.py seed_demo`: varied, consistent demo data that survives a second run, and accounts that work."""

import datetime
import io
import re
from collections import defaultdict

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.core.management import CommandError, call_command
from django.db import transaction
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from applications.models import Application, ApplicationLink, Client, Program, ProgramStage
from demo import people
from portal.models import User
from status_tracker.messages import default_messages
from status_tracker.models import EventKind, StageProgress, StageState, StatusEvent
from tests.totp import totp_code

pytestmark = pytest.mark.django_db


def seed_demo() -> str:
    output = io.StringIO()
    call_command("seed_demo", "--history", "0", stdout=output)
    return output.getvalue()


@pytest.fixture(autouse=True)
def debug_on(settings):
    # pytest-django turns DEBUG off; the command refuses to run without it.
    settings.DEBUG = True


@pytest.fixture(scope="module")
def output(django_db_setup, django_db_blocker):
    """Seed once for the whole module, inside a transaction rolled back at the end.

    Each test still runs in its own savepoint, so the tests that run the command
    again or change data leave the first run intact for the next test.
    """
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            with override_settings(DEBUG=True):
                yield seed_demo()
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def snapshot() -> dict:
    return {
        "applications": sorted(
            Application.objects.values_list(
                "number", "client__uci", "status", "outcome", "submitted_on", "decided_on", "current_stage__code"
            )
        ),
        "last_updated": sorted(Application.objects.values_list("number", "last_updated_at")),
        "events": sorted(StatusEvent.objects.values_list("source_id", "state", "occurred_at", "message_en")),
        "progress": sorted(StageProgress.objects.values_list("application__number", "stage__code", "state")),
        "links": sorted(ApplicationLink.objects.values_list("account__email", "application__number")),
        "clients": sorted(Client.objects.values_list("uci", "family_name", "date_of_birth", "account__email")),
        "users": sorted(User.objects.values_list("email", "is_staff", "is_superuser")),
        "email_addresses": sorted(EmailAddress.objects.values_list("email", "verified", "primary")),
        "program_stages": ProgramStage.objects.count(),
    }


def test_running_it_twice_leaves_the_same_data(output):
    before = snapshot()
    second_output = seed_demo()
    assert snapshot() == before
    assert "(0 new)" in second_output


def test_running_it_again_weeks_later_changes_nothing(output):
    before = snapshot()
    with time_machine.travel(timezone.now() + datetime.timedelta(days=45), tick=False):
        seed_demo()
    assert snapshot() == before


def test_it_loads_about_fifty_applications_across_all_ten_programs(output):
    assert 45 <= Application.objects.count() <= 55
    assert Program.objects.count() == 10
    programs_used = set(Application.objects.values_list("program__code", flat=True))
    assert programs_used == set(Program.objects.values_list("code", flat=True))


def test_every_overall_status_and_outcome_appears(output):
    statuses = set(Application.objects.values_list("status", flat=True))
    assert statuses == set(Application.Status.values)
    outcomes = set(Application.objects.filter(status=Application.Status.CLOSED).values_list("outcome", flat=True))
    assert outcomes == set(Application.Outcome.values)


def test_received_applications_have_no_history_yet(output):
    received = Application.objects.filter(status=Application.Status.RECEIVED)
    assert received.exists()
    assert not StatusEvent.objects.filter(application__in=received).exists()
    assert not received.exclude(current_stage=None).exists()


def test_some_stages_wait_on_the_client_and_some_are_exempted(output):
    states = set(StageProgress.objects.values_list("state", flat=True))
    assert {StageState.WAITING_ON_CLIENT, StageState.EXEMPTED, StageState.IN_PROGRESS, StageState.COMPLETED} <= states
    waiting = StageProgress.objects.filter(state=StageState.WAITING_ON_CLIENT)
    assert waiting.filter(application__status=Application.Status.IN_PROGRESS).exists()


def test_closed_applications_are_decided_between_submission_and_today(output):
    today = timezone.localdate()
    for application in Application.objects.filter(status=Application.Status.CLOSED):
        assert application.submitted_on <= application.decided_on <= today


def test_every_event_happens_after_submission_and_not_in_the_future(output):
    now = timezone.now()
    for event in StatusEvent.objects.select_related("application"):
        assert timezone.is_aware(event.occurred_at)
        assert timezone.localtime(event.occurred_at).date() > event.application.submitted_on, event.source_id
        assert event.occurred_at <= now, event.source_id


def test_submissions_spread_over_about_two_years(output):
    today = timezone.localdate()
    ages = [(today - submitted_on).days for submitted_on in Application.objects.values_list("submitted_on", flat=True)]
    assert min(ages) < 14
    assert 365 < max(ages) <= 2 * 365 + 31


def test_finished_stages_come_before_later_stages_in_program_order(output):
    positions = {(row.program_id, row.stage_id): row.position for row in ProgramStage.objects.all()}
    events_by_stage = defaultdict(list)
    # Stage events only: a decision closes the file and belongs to no stage.
    for event in StatusEvent.objects.filter(kind=EventKind.STAGE).select_related("application"):
        position = positions[(event.application.program_id, event.stage_id)]
        events_by_stage[(event.application_id, position)].append(event.occurred_at)
    for progress in StageProgress.objects.select_related("application").filter(
        state__in=[StageState.COMPLETED, StageState.EXEMPTED]
    ):
        application = progress.application
        position = positions[(application.program_id, progress.stage_id)]
        for (application_id, later_position), later_times in events_by_stage.items():
            if application_id == application.pk and later_position > position:
                assert progress.finished_at < min(later_times), application.number


def test_numbers_and_identifiers_look_like_the_departments(output):
    for number in Application.objects.values_list("number", flat=True):
        assert re.fullmatch(r"[EWVSC][0-9]{9}", number)
    for uci in Client.objects.values_list("uci", flat=True):
        assert re.fullmatch(r"[0-9]{8}|[0-9]{10}", uci)
    assert not Client.objects.exclude(email__endswith="@example.com").exists()
    assert set(Client.objects.values_list("preferred_language", flat=True)) == {"en", "fr"}


def test_demo_clients_stay_out_of_the_uci_range_kept_for_the_processing_time_history(output):
    assert not Client.objects.filter(uci__regex=r"^70[0-9]{8}$").exists()


def test_most_events_use_the_default_wording_and_a_few_our_own(output):
    events = list(StatusEvent.objects.filter(kind=EventKind.STAGE).select_related("stage"))
    own_words = [
        event
        for event in events
        if (event.message_en, event.message_fr) != default_messages(stage=event.stage, state=event.state)
    ]
    assert 0 < len(own_words) < len(events) / 3
    for event in own_words:
        assert event.message_en and event.message_fr
        assert event.message_en != event.message_fr


def test_it_prints_where_to_sign_in_and_the_demo_credentials(output, settings):
    assert f"{settings.SITE_URL}/en/accounts/login/" in output
    assert f"{people.DEMO_EMAIL} / {people.DEMO_PASSWORD}" in output
    assert f"{people.ADMIN_EMAIL} / {people.ADMIN_PASSWORD}" in output
    assert people.DEMO_UNLINKED_NUMBER in output
    assert people.DEMO_CLIENT_UCI in output
    assert people.DEMO_CLIENT_FAMILY_NAME in output
    assert people.DEMO_CLIENT_DATE_OF_BIRTH.isoformat() in output
    assert f"({people.DEMO_CLIENT_COUNTRY_OF_BIRTH})" in output


def test_the_demo_applicant_sees_their_linked_applications_and_nobody_elses(client, output):
    assert client.login(email=people.DEMO_EMAIL, password=people.DEMO_PASSWORD)
    response = client.get(reverse("applications:list"))
    assert response.status_code == 200
    content = response.content.decode()
    user = User.objects.get(email=people.DEMO_EMAIL)
    linked = set(ApplicationLink.objects.filter(account=user).values_list("application__number", flat=True))
    assert 3 <= len(linked) <= 4
    for number in Application.objects.values_list("number", flat=True):
        assert (number in content) == (number in linked), number
    assert people.DEMO_UNLINKED_NUMBER not in content


def test_the_demo_applicant_has_one_file_waiting_on_them_one_approved_and_one_refused(output):
    user = User.objects.get(email=people.DEMO_EMAIL)
    demo_client = Client.objects.get(uci=people.DEMO_CLIENT_UCI)
    assert demo_client.account == user
    linked = Application.objects.filter(links__account=user)
    assert set(linked.values_list("client", flat=True)) == {demo_client.pk}
    assert linked.filter(
        status=Application.Status.IN_PROGRESS, stage_progress__state=StageState.WAITING_ON_CLIENT
    ).exists()
    assert linked.filter(outcome=Application.Outcome.APPROVED).exists()
    assert linked.filter(outcome=Application.Outcome.REFUSED).exists()
    assert EmailAddress.objects.filter(user=user, email=people.DEMO_EMAIL, verified=True, primary=True).exists()


@pytest.mark.parametrize(
    "identifiers",
    [
        {"uci": people.DEMO_CLIENT_UCI},
        {
            "family_name": people.DEMO_CLIENT_FAMILY_NAME,
            "date_of_birth": people.DEMO_CLIENT_DATE_OF_BIRTH.isoformat(),
            "country_of_birth": people.DEMO_CLIENT_COUNTRY_OF_BIRTH,
        },
    ],
)
def test_the_demo_applicant_can_link_the_fifth_application_with_the_printed_identifiers(client, output, identifiers):
    assert client.login(email=people.DEMO_EMAIL, password=people.DEMO_PASSWORD)
    response = client.post(
        reverse("applications:link"), {"application_number": people.DEMO_UNLINKED_NUMBER, **identifiers}
    )
    assert response.status_code == 302
    assert ApplicationLink.objects.filter(
        account__email=people.DEMO_EMAIL, application__number=people.DEMO_UNLINKED_NUMBER
    ).exists()


def test_a_later_run_keeps_a_link_the_applicant_made_and_restores_one_they_removed(client, output):
    user = User.objects.get(email=people.DEMO_EMAIL)
    extra = Application.objects.get(number=people.DEMO_UNLINKED_NUMBER)
    ApplicationLink.objects.create(account=user, application=extra)
    ApplicationLink.objects.filter(account=user).exclude(application=extra).delete()
    Client.objects.filter(account=user).update(account=None)
    seed_demo()
    assert (
        ApplicationLink.objects.filter(account=user).count()
        == len([scenario for scenario in people.DEMO_PERSON.scenarios if scenario.linked]) + 1
    )
    assert Client.objects.get(uci=people.DEMO_CLIENT_UCI).account == user


def test_the_administrator_can_sign_in_to_the_admin_site(client, output):
    # Password, then the code of the published authenticator secret: staff always need both.
    response = client.post(reverse("account_login"), {"login": people.ADMIN_EMAIL, "password": people.ADMIN_PASSWORD})
    assert response["Location"] == reverse("mfa_authenticate")
    code = totp_code(people.DEMO_TOTP_SECRETS[people.ADMIN_EMAIL])
    client.post(reverse("mfa_authenticate"), {"code": code})
    assert "demo_totp admin@example.com" in output
    response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    admin = User.objects.get(email=people.ADMIN_EMAIL)
    assert admin.is_staff and admin.is_superuser
    assert EmailAddress.objects.filter(user=admin, verified=True, primary=True).exists()


def test_a_later_run_puts_back_the_published_password(client, output):
    user = User.objects.get(email=people.DEMO_EMAIL)
    user.set_password("something else entirely")
    user.save(update_fields=["password"])
    seed_demo()
    assert client.login(email=people.DEMO_EMAIL, password=people.DEMO_PASSWORD)


def test_it_refuses_to_run_when_debug_is_off(settings):
    applications, users = Application.objects.count(), User.objects.count()
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DJANGO_DEBUG"):
        seed_demo()
    assert (Application.objects.count(), User.objects.count()) == (applications, users)


@pytest.mark.django_db
def test_with_history_every_open_demo_application_gets_a_personal_estimate(client):
    from applications.models import Application
    from processing_times.estimates import estimate_for_application
    from processing_times.models import ProcessingTimeSnapshot

    call_command("seed_demo", "--history", "2000", stdout=io.StringIO())
    assert Application.objects.filter(number__startswith="H").count() >= 2000
    # Today and twelve month-ends, for the public trend.
    assert ProcessingTimeSnapshot.objects.values("computed_on").distinct().count() == 13
    open_demo = Application.objects.exclude(number__startswith="H").exclude(status=Application.Status.CLOSED)
    assert open_demo.exists()
    for application in open_demo.select_related("program", "client"):
        estimate = estimate_for_application(application=application)
        assert estimate is not None
        assert estimate.snapshot is not None
        assert estimate.people_ahead is not None
