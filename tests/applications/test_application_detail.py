"""The status page: who may see it, what it shows, and what it costs in queries."""

import datetime
import html
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from applications.models import Stage
from processing_times.figures import estimates_generation_bump, processing_times_snapshot
from tests.factories import ApplicationFactory, link, sign_in, sign_in_with_second_step, status_event_record


def detail_url(application, language="en"):
    from django.utils import translation

    with translation.override(language):
        return reverse("applications:detail", kwargs={"number": application.number})


def record_history(application, count):
    stages = list(application.program.stages.order_by("program_stages__position"))
    start = timezone.now() - datetime.timedelta(days=count + 1)
    for index in range(count):
        stage = stages[index % len(stages)]
        state = ["in_progress", "waiting_on_client", "in_progress", "completed"][index % 4]
        status_event_record(
            application=application,
            stage=stage,
            state=state,
            occurred_at=start + datetime.timedelta(days=index),
            source_id=f"{application.number}-{index}",
        )


def test_it_sends_anonymous_visitors_to_sign_in(client, applicant_application):
    response = client.get(detail_url(applicant_application))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_it_shows_the_owner_their_application(client, applicant, applicant_application):
    sign_in(client, applicant)
    response = client.get(detail_url(applicant_application))
    assert response.status_code == 200
    assert applicant_application.number in response.text


def test_it_hides_other_applicants_case(client, other_applicant, applicant_application):
    sign_in(client, other_applicant)
    assert client.get(detail_url(applicant_application)).status_code == 404


def test_it_gives_the_same_404_for_a_number_that_does_not_exist(client, other_applicant):
    sign_in(client, other_applicant)
    assert client.get(reverse("applications:detail", kwargs={"number": "E999999999"})).status_code == 404


def test_it_lets_staff_with_view_permission_read_any_application(client, staff_user, applicant_application):
    sign_in_with_second_step(client, staff_user)
    assert client.get(detail_url(applicant_application)).status_code == 200


def test_it_hides_applications_from_staff_without_the_permission(client, applicant_application):
    from tests.factories import UserFactory

    sign_in(client, UserFactory(is_staff=True))
    assert client.get(detail_url(applicant_application)).status_code == 404


def test_it_lists_waiting_on_you_first_with_what_to_do(client, applicant, applicant_application):
    biometrics = Stage.objects.get(code="biometrics")
    status_event_record(
        application=applicant_application,
        stage=biometrics,
        state="waiting_on_client",
        occurred_at=timezone.now() - datetime.timedelta(days=3),
        source_id="bio-1",
    )
    sign_in(client, applicant)
    page = client.get(detail_url(applicant_application)).text
    waiting = page.index("We are waiting on you")
    assert waiting < page.index('id="stages-heading"')
    assert biometrics.client_action_en in page[waiting : page.index('id="stages-heading"')]


def test_it_shows_history_newest_first_in_french(client, applicant, applicant_application):
    eligibility = Stage.objects.get(code="eligibility")
    now = timezone.now()
    status_event_record(
        application=applicant_application,
        stage=eligibility,
        state="in_progress",
        occurred_at=now - datetime.timedelta(days=10),
        source_id="e-1",
    )
    status_event_record(
        application=applicant_application,
        stage=eligibility,
        state="completed",
        occurred_at=now - datetime.timedelta(days=2),
        source_id="e-2",
    )
    sign_in(client, applicant)
    page = html.unescape(client.get(detail_url(applicant_application, "fr")).text)
    assert '<html lang="fr">' in page
    completed = "L'étape «\u00a0Admissibilité\u00a0» est terminée."
    started = "Nous avons commencé l'étape «\u00a0Admissibilité\u00a0»."
    assert page.index(completed) < page.index(started)


@pytest.mark.parametrize("history_length", [5, 500])
def test_it_uses_the_same_number_of_queries_whatever_the_history_length(
    client, applicant, applicant_application, history_length, django_assert_num_queries
):
    record_history(applicant_application, history_length)
    processing_times_snapshot(as_of=timezone.localdate())
    sign_in(client, applicant)
    url = detail_url(applicant_application)
    client.get(url)  # warm the session so both runs do the same work
    estimates_generation_bump()  # as the nightly job does: the next reader renders the page's parts again
    # Session, user, application, the header's unread-notification count, and one for
    # the history's documents sent and enquiries (enquiries.selectors.case_timeline_extras);
    # then, once per version of the file, the stages with their progress (one query), the
    # status events and the two snapshots of the estimate. The session is not rewritten:
    # the idle timer moves at most once a minute.
    with django_assert_num_queries(5 + 4):
        response = client.get(url)
    assert response.status_code == 200
    assert response.text.count('class="history__item"') == history_length
    # Every later reader of that version: the stages, history and estimate come from the cache.
    with django_assert_num_queries(5):
        cached = client.get(url)
    token = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')
    assert token.sub("", cached.text) == token.sub("", response.text)


def test_a_new_event_shows_at_once_even_when_the_page_was_cached(client, applicant, applicant_application):
    record_history(applicant_application, 3)
    sign_in(client, applicant)
    url = detail_url(applicant_application)
    assert client.get(url).text.count('class="history__item"') == 3
    eligibility = Stage.objects.get(code="eligibility")
    # Dated before every other event: it neither moves the file's dates nor its stage.
    status_event_record(
        application=applicant_application,
        stage=eligibility,
        state="in_progress",
        occurred_at=timezone.now() - datetime.timedelta(days=400),
        source_id="late-arrival",
        message_en="An old note that arrived late.",
        message_fr="Une ancienne note arrivée en retard.",
    )
    page = client.get(url).text
    assert page.count('class="history__item"') == 4
    assert "An old note that arrived late." in page


def test_a_cached_page_shows_a_change_to_the_file_made_outside_ingestion_at_once(
    client, applicant, applicant_application
):
    sign_in(client, applicant)
    url = detail_url(applicant_application)
    client.get(url)
    type(applicant_application).objects.filter(pk=applicant_application.pk).update(processing_office="Sydney, NS")
    assert "Sydney, NS" in client.get(url).text


def test_the_cached_history_is_kept_per_language(client, applicant, applicant_application):
    record_history(applicant_application, 2)
    sign_in(client, applicant)
    english = client.get(detail_url(applicant_application)).text
    french = client.get(detail_url(applicant_application, "fr")).text
    assert 'id="stages-heading">Stages<' in english
    assert 'id="stages-heading">Étapes<' in french


def test_the_nightly_snapshots_renew_the_cached_estimate(
    client, applicant, applicant_application, django_capture_on_commit_callbacks
):
    sign_in(client, applicant)
    url = detail_url(applicant_application)
    before = client.get(url).text
    assert "We have not published processing times for this program yet." in before
    with django_capture_on_commit_callbacks(execute=True):  # the job retires cached estimates once committed
        processing_times_snapshot(as_of=timezone.localdate())
    after = client.get(url).text
    assert "We have not published processing times for this program yet." not in after
    assert "Estimates last updated" in after


def test_the_body_and_the_estimates_generation_come_in_one_cache_read(db):
    from django.core.cache import cache

    from processing_times.figures import GENERATION_KEY, estimates_generation, estimates_generation_with

    cache.set("status-body:test", ("a generation", "<p>body</p>"))
    token = estimates_generation()
    assert estimates_generation_with("status-body:test") == (token, ("a generation", "<p>body</p>"))
    # The token evicted: a fresh one, and nothing that was cached under the old one.
    cache.delete(GENERATION_KEY)
    fresh, value = estimates_generation_with("status-body:test")
    assert value is None
    assert fresh not in {token, ""}
    assert fresh == estimates_generation()


def test_a_body_cached_under_another_generation_is_rendered_again(client, applicant, applicant_application):
    from django.core.cache import cache

    from processing_times.figures import GENERATION_KEY

    sign_in(client, applicant)
    url = detail_url(applicant_application)
    client.get(url)
    with CaptureQueriesContext(connection) as cached:
        client.get(url)
    for lost in (lambda: cache.delete(GENERATION_KEY), estimates_generation_bump):
        lost()
        with CaptureQueriesContext(connection) as renewed:
            page = client.get(url).text
        # The stages, history and estimate are read again (not the body kept under the old token).
        assert len(renewed) > len(cached)
        assert "We have not published processing times for this program yet." in page


def test_my_applications_lists_only_my_own_with_a_constant_query_count(client, applicant, applicant_application):
    others = ApplicationFactory.create_batch(3)
    mine = [applicant_application] + [ApplicationFactory(client=applicant_application.client) for _ in range(4)]
    for application in mine[1:]:
        link(user=applicant, application=application)
    sign_in(client, applicant)
    client.get(reverse("applications:list"))
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("applications:list")).text
    assert len(queries) == 4  # session, user, unread-notification count, applications
    for application in mine:
        assert application.number in page
    for application in others:
        assert application.number not in page
