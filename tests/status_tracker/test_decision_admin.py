"""Admin for decisions: the grounds library, decisions, holidays, and the stalled-files list."""

import datetime

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from core.models import Holiday
from status_tracker.models import Decision, RefusalGround, StalledApplication
from tests.factories import ApplicationFactory, UserFactory, record_decision, sign_in_with_second_step

pytestmark = pytest.mark.django_db


def admin_url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.fixture
def admin_client(client, admin_user):
    sign_in_with_second_step(client, admin_user)
    return client


def quiet_application(*, days_quiet: int | None, submitted_days_ago: int = 400, number: str | None = None):
    application = ApplicationFactory(
        submitted_on=timezone.localdate() - datetime.timedelta(days=submitted_days_ago),
        **({"number": number} if number else {}),
    )
    if days_quiet is not None:
        application.last_event_at = timezone.now() - datetime.timedelta(days=days_quiet)
        application.save(update_fields=["last_event_at"])
    return application


def test_the_stalled_list_shows_open_files_without_news_the_quietest_first(admin_client, settings):
    settings.STALLED_AFTER_DAYS = 60
    quiet_90 = quiet_application(days_quiet=90, number="E900000090")
    quiet_200 = quiet_application(days_quiet=200, number="E900000200")
    never_heard = quiet_application(days_quiet=None, submitted_days_ago=120, number="E900000120")
    recent = quiet_application(days_quiet=10, number="E900000010")
    new_and_silent = quiet_application(days_quiet=None, submitted_days_ago=20, number="E900000020")
    closed = quiet_application(days_quiet=300, number="E900000300")
    # Decided when it last had news, and closed since: no longer waiting on anyone.
    record_decision(application=closed, outcome="approved", decided_at=closed.last_event_at)

    response = admin_client.get(admin_url(StalledApplication, "changelist"))
    assert response.status_code == 200
    shown = [row.number for row in response.context["cl"].result_list]
    assert shown == [quiet_200.number, never_heard.number, quiet_90.number]
    page = response.text
    for absent in (recent, new_and_silent, closed):
        assert absent.number not in page
    # Links go to the application's own admin page; the days without news are shown.
    assert reverse("admin:applications_application_change", args=[quiet_200.pk]) in page
    assert '<td class="field-days_quiet">200</td>' in page


def test_the_stalled_threshold_comes_from_settings(admin_client, settings):
    quiet_application(days_quiet=40, number="E900000040")
    settings.STALLED_AFTER_DAYS = 60
    assert "E900000040" not in admin_client.get(admin_url(StalledApplication, "changelist")).text
    settings.STALLED_AFTER_DAYS = 30
    assert "E900000040" in admin_client.get(admin_url(StalledApplication, "changelist")).text


def test_the_stalled_list_is_read_only_and_needs_its_view_permission(client):
    quiet_application(days_quiet=100)
    staff = UserFactory(is_staff=True)
    sign_in_with_second_step(client, staff)
    assert client.get(admin_url(StalledApplication, "changelist")).status_code == 403
    staff.user_permissions.add(Permission.objects.get(codename="view_stalledapplication"))
    sign_in_with_second_step(client, staff)
    assert client.get(admin_url(StalledApplication, "changelist")).status_code == 200
    assert client.get(admin_url(StalledApplication, "add")).status_code == 403


def test_the_stalled_list_costs_the_same_queries_for_few_or_many_rows(admin_client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert admin_client.get(admin_url(StalledApplication, "changelist")).status_code == 200
        return len(captured)

    for _index in range(2):
        quiet_application(days_quiet=100)
    queries()  # warm the session and the content-type cache
    few = queries()
    for _index in range(20):
        quiet_application(days_quiet=100)
    assert queries() == few


def test_refusal_grounds_are_searchable_and_filterable(admin_client):
    RefusalGround.objects.filter(code="criminality").update(active=False)
    response = admin_client.get(admin_url(RefusalGround, "changelist"), {"q": "misrepresentation"})
    assert [ground.code for ground in response.context["cl"].result_list] == ["misrepresentation"]
    response = admin_client.get(admin_url(RefusalGround, "changelist"), {"active__exact": "0"})
    assert [ground.code for ground in response.context["cl"].result_list] == ["criminality"]


def test_staff_can_edit_a_grounds_wording(admin_client):
    ground = RefusalGround.objects.get(code="travel-history")
    data = {
        "code": ground.code,
        "legal_reference": ground.legal_reference,
        "active": "on",
        "title_en": "Your past travel",
        "explanation_en": "New wording.",
        "title_fr": ground.title_fr,
        "explanation_fr": ground.explanation_fr,
    }
    response = admin_client.post(admin_url(RefusalGround, "change", ground.pk), data)
    assert response.status_code == 302
    ground.refresh_from_db()
    assert (ground.title_en, ground.explanation_en) == ("Your past travel", "New wording.")


def test_a_decision_page_in_admin_is_read_only_and_leads_to_the_correction(admin_client):
    application = ApplicationFactory()
    decision = record_decision(application=application, outcome="refused", made_in_canada=None)
    response = admin_client.get(admin_url(Decision, "change", decision.pk))
    assert response.status_code == 200
    assert not response.context["adminform"].form.fields
    assert reverse("admin:applications_application_correct", args=[application.pk]) in response.content.decode()
    assert admin_client.get(admin_url(Decision, "add")).status_code == 403
    assert admin_client.get(admin_url(Decision, "changelist")).status_code == 200


def test_holidays_are_listed_and_editable(admin_client):
    response = admin_client.get(admin_url(Holiday, "changelist"), {"q": "Canada Day"})
    assert response.status_code == 200
    days = [holiday.date for holiday in response.context["cl"].result_list]
    assert {day.year for day in days if (day.month, day.day) == (7, 1)} == set(range(2024, 2031))
    assert admin_client.get(admin_url(Holiday, "add")).status_code == 200
