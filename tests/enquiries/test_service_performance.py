"""The public service dashboard: nightly snapshots computed in SQL, the page, and the API."""

import datetime
import html as html_module
import re
import zoneinfo
from decimal import Decimal
from unittest import mock

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from enquiries import performance
from enquiries.models import Deflection, ServiceSnapshot, SurveyResponse, Ticket, TicketState, Topic
from enquiries.performance import service_performance_latest, service_snapshots_compute
from enquiries.services import ticket_transition
from tests.enquiries.factories import make_ticket
from tests.factories import sign_in

pytestmark = pytest.mark.django_db

TORONTO = zoneinfo.ZoneInfo("America/Toronto")
TODAY = datetime.date(2026, 11, 22)
OCTOBER, NOVEMBER, SEPTEMBER = datetime.date(2026, 10, 1), datetime.date(2026, 11, 1), datetime.date(2026, 9, 1)


@pytest.fixture(autouse=True)
def frozen_today(time_machine):
    time_machine.move_to(datetime.datetime(2026, 11, 22, 12, tzinfo=TORONTO), tick=False)


def at(month, day, hour=10, minute=0, *, year=2026):
    return datetime.datetime(year, month, day, hour, minute, tzinfo=TORONTO)


def answered(*, topic="status", queued, answer, rating=None):
    ticket = make_ticket(topic=topic, queued_at=queued)
    ticket_transition(ticket=ticket, to_state=TicketState.ANSWERED, now=answer)
    if rating is not None:
        SurveyResponse.objects.create(ticket=ticket, rating=rating)
    return ticket


def deflection(*, topic="status", when):
    row = Deflection.objects.create(topic=Topic.objects.get(code=topic))
    Deflection.objects.filter(pk=row.pk).update(created_at=when)


@pytest.fixture
def october():
    """A small month worked out by hand (business days in comments; 12 October is Thanksgiving)."""
    answered(queued=at(10, 5), answer=at(10, 7), rating=5)  # 2 days, within 10
    answered(queued=at(10, 13), answer=at(10, 30), rating=2)  # 13 days: late
    make_ticket(topic="status", queued_at=at(10, 20))  # not answered yet
    spam = make_ticket(topic="status", queued_at=at(10, 21))
    ticket_transition(ticket=spam, to_state=TicketState.SPAM, now=at(10, 21, 11))
    # 11:30 p.m. on Saturday 31 October in Toronto, already 1 November in UTC: an October enquiry.
    answered(queued=datetime.datetime(2026, 11, 1, 3, 30, tzinfo=datetime.UTC), answer=at(11, 3))  # 2 days
    answered(topic="technical", queued=at(10, 6), answer=at(10, 9), rating=4)  # 3 days, within 5
    # Before the window (October 2025 is the 14th month back): never counted.
    answered(queued=at(10, 6, year=2025), answer=at(10, 8, year=2025), rating=1)
    # November so far: answered in 2 days.
    answered(queued=at(11, 16), answer=at(11, 18), rating=3)
    for when in (at(10, 2), at(10, 28), datetime.datetime(2026, 11, 1, 3, 0, tzinfo=datetime.UTC)):
        deflection(when=when)
    deflection(topic="technical", when=at(9, 15))


def rows(**filters):
    return {
        (row.month, row.topic.code if row.topic else None): row for row in ServiceSnapshot.objects.filter(**filters)
    }


def figures(row):
    return {
        "received": row.received,
        "answered": row.answered,
        "within": row.answered_within_standard,
        "median": row.median_days_to_answer,
        "p90": row.p90_days_to_answer,
        "deflected": row.deflected,
        "responses": row.survey_responses,
        "satisfied": row.satisfied,
    }


def test_it_computes_each_month_and_topic_exactly_as_worked_out_by_hand(october):
    written = service_snapshots_compute(today=TODAY)

    snapshots = rows(computed_on=TODAY)
    assert written == len(snapshots)
    assert figures(snapshots[(OCTOBER, "status")]) == {
        "received": 4,  # spam left out; the Saturday-night one counts in October
        "answered": 3,
        "within": 2,
        "median": Decimal("2.0"),
        "p90": Decimal("10.8"),  # 2, 2, 13: 2 + 0.8 × 11
        "deflected": 3,
        "responses": 2,
        "satisfied": 1,
    }
    assert figures(snapshots[(OCTOBER, "technical")]) == {
        "received": 1,
        "answered": 1,
        "within": 1,
        "median": Decimal("3.0"),
        "p90": Decimal("3.0"),
        "deflected": 0,
        "responses": 1,
        "satisfied": 1,
    }
    assert figures(snapshots[(OCTOBER, None)]) == {
        "received": 5,
        "answered": 4,
        "within": 3,
        "median": Decimal("2.5"),  # 2, 2, 3, 13
        "p90": Decimal("10.0"),  # 3 + 0.7 × 10
        "deflected": 3,
        "responses": 3,
        "satisfied": 2,
    }
    assert figures(snapshots[(NOVEMBER, None)])["received"] == 1
    assert figures(snapshots[(NOVEMBER, None)])["satisfied"] == 0  # a 3 is not satisfied
    assert figures(snapshots[(SEPTEMBER, "technical")])["deflected"] == 1
    assert figures(snapshots[(SEPTEMBER, None)])["received"] == 0


def test_every_month_of_the_window_and_every_offered_topic_gets_a_row(october):
    service_snapshots_compute(today=TODAY)

    months = sorted({month for month, _code in rows(computed_on=TODAY)})
    assert months[0] == datetime.date(2025, 11, 1)
    assert months[-1] == NOVEMBER
    assert len(months) == 13
    topic_codes = set(Topic.objects.filter(is_active=True).values_list("code", flat=True))
    assert {code for _month, code in rows(computed_on=TODAY)} == topic_codes | {None}
    assert ServiceSnapshot.objects.filter(computed_on=TODAY).count() == 13 * (len(topic_codes) + 1)


def test_the_python_percentiles_for_sqlite_match_postgresql(october, monkeypatch):
    service_snapshots_compute(today=TODAY)
    in_sql = {key: figures(row) for key, row in rows(computed_on=TODAY).items()}

    monkeypatch.setattr(performance, "_percentiles_in_sql", lambda: False)
    service_snapshots_compute(today=TODAY)

    assert {key: figures(row) for key, row in rows(computed_on=TODAY).items()} == in_sql


def test_a_rerun_replaces_the_days_rows_and_old_days_are_pruned(october):
    service_snapshots_compute(today=TODAY - datetime.timedelta(days=8))
    service_snapshots_compute(today=TODAY - datetime.timedelta(days=3))
    service_snapshots_compute(today=TODAY)
    first_count = ServiceSnapshot.objects.filter(computed_on=TODAY).count()

    answered(queued=at(11, 17), answer=at(11, 19))
    service_snapshots_compute(today=TODAY)

    assert ServiceSnapshot.objects.filter(computed_on=TODAY).count() == first_count
    assert rows(computed_on=TODAY)[(NOVEMBER, None)].received == 2
    assert set(ServiceSnapshot.objects.values_list("computed_on", flat=True)) == {
        TODAY,
        TODAY - datetime.timedelta(days=3),
    }


def test_the_snapshot_job_counts_in_a_few_queries_whatever_the_number_of_tickets(
    october, django_assert_max_num_queries
):
    # topics, tickets by topic, tickets overall (percentiles), deflections, then a transaction of
    # two deletes and one insert (plus savepoints).
    with django_assert_max_num_queries(9):
        service_snapshots_compute(today=TODAY)


def test_the_nightly_task_uses_the_offices_date():
    from enquiries.tasks import service_performance_nightly

    assert service_performance_nightly() > 0
    assert set(ServiceSnapshot.objects.values_list("computed_on", flat=True)) == {TODAY}


def test_the_job_is_on_the_beat_schedule_after_the_processing_times():
    entry = settings.CELERY_BEAT_SCHEDULE["service-performance-nightly"]
    assert entry["task"] == "enquiries.tasks.service_performance_nightly"
    processing = settings.CELERY_BEAT_SCHEDULE["processing-times-nightly"]["schedule"]
    assert (min(entry["schedule"].hour), min(entry["schedule"].minute)) > (
        min(processing.hour),
        min(processing.minute),
    )


# --- The selector -----------------------------------------------------------------------------


def test_the_selector_reads_the_newest_day_in_one_query(october, django_assert_num_queries):
    service_snapshots_compute(today=TODAY - datetime.timedelta(days=1))
    answered(queued=at(11, 17), answer=at(11, 19))
    service_snapshots_compute(today=TODAY)

    with django_assert_num_queries(1):
        latest = service_performance_latest()

    assert latest.computed_on == TODAY
    assert [figures.month for figures in latest.overall][-1] == NOVEMBER
    assert latest.overall[-1].received == 2
    assert latest.overall[-1].complete is False
    assert latest.overall[-2].complete is True
    status = latest.topic_by_code("status")
    october_status = latest.months_for(status)[-2]
    assert october_status.share_within_standard == pytest.approx(2 / 3)
    assert october_status.share_answered_by_page == pytest.approx(3 / 7)
    assert october_status.share_satisfied == pytest.approx(1 / 2)


def test_the_selector_says_nothing_before_the_first_run():
    latest = service_performance_latest()
    assert latest.computed_on is None
    assert latest.overall == []
    assert latest.topics == []


# --- The page --------------------------------------------------------------------------------


def page_url(language="en", **query):
    with translation.override(language):
        url = reverse("performance:index")
    if query:
        url += "?" + "&".join(f"{key}={value}" for key, value in query.items())
    return url


def row_cells(html, month):
    match = re.search(rf'<tr class="service-row" data-month="{month}">(.*?)</tr>', html, re.S)
    assert match, f"no row for {month}"
    text = html_module.unescape(re.sub(r"<[^>]+>", " ", match.group(1))).replace("\xa0", " ")
    return re.sub(r"\s+", " ", text).strip()


def test_the_page_shows_no_data_yet_before_the_first_run(client):
    response = client.get(page_url())

    assert response.status_code == 200
    assert "No figures have been published yet" in response.text
    assert "<svg" not in response.text
    assert "How we calculate these figures" in response.text


def test_the_page_shows_each_months_figures_in_a_table_and_a_described_chart(client, october):
    service_snapshots_compute(today=TODAY)

    response = client.get(page_url())

    assert response.status_code == 200
    html = response.text
    assert row_cells(html, "2026-10") == ("October 2026 5 75 % 3 of 4 answered 2.5 10 38 % 3 people 67 % of 3 answers")
    assert row_cells(html, "2026-11").startswith("November 2026 (so far) 1 100 %")
    assert row_cells(html, "2026-09") == "September 2026 0 None answered yet – – 100 % 1 person No answers yet"
    assert '<caption id="service-table-caption">' in html
    assert html.count('<th scope="row">') == 13
    svg = re.search(r"<svg.*?</svg>", html, re.S).group(0)
    assert 'role="img"' in svg and "<title id=" in svg and "<desc id=" in svg
    assert "style=" not in svg
    assert 'data-month="2026-10" data-within="75" data-satisfied="67"' in svg
    assert '<time datetime="2026-11-22">' in html


def test_a_topic_narrows_the_figures_and_names_its_standard(client, october):
    service_snapshots_compute(today=TODAY)

    response = client.get(page_url(topic="technical"))

    assert response.status_code == 200
    assert "Our service standard for this topic is 5 business days." in response.text
    assert row_cells(response.text, "2026-10").startswith("October 2026 1 100 % 1 of 1 answered 3 3 0 % 0 people")


@pytest.mark.parametrize("topic", ["nope", "%00", "x" * 300, "<script>"])
def test_an_unknown_topic_is_explained_not_a_crash(client, october, topic):
    service_snapshots_compute(today=TODAY)

    response = client.get(page_url(topic=topic))

    assert response.status_code == 400
    assert "Choose a topic from the list, or All topics." in response.text
    assert "<script>" not in response.text.split("<main", 1)[1].split("</main>", 1)[0].replace("&lt;script&gt;", "")


def test_junk_parameters_are_ignored(client, october):
    service_snapshots_compute(today=TODAY)
    assert client.get(page_url(junk="1", page="%00")).status_code == 200


def test_the_page_is_in_french_under_fr(client, october):
    service_snapshots_compute(today=TODAY)

    response = client.get(page_url("fr"))

    assert response.status_code == 200
    assert '<html lang="fr">' in response.text
    assert "octobre 2026" in response.text
    assert "2,5" in response.text  # the median, with a French decimal comma


def test_the_page_needs_no_sign_in_and_works_signed_in(client, applicant, october):
    service_snapshots_compute(today=TODAY)
    assert client.get(page_url()).status_code == 200
    sign_in(client, applicant)
    assert client.get(page_url()).status_code == 200


def test_the_footer_links_to_the_dashboard(client):
    assert f'href="{page_url()}"' in client.get(reverse("home")).text


def _more_data(count):
    topic = Topic.objects.get(code="other")
    for index in range(count):
        answered(topic=topic.code, queued=at(3 + index % 8, 2 + index % 20), answer=at(3 + index % 8, 25), rating=4)
        deflection(topic=topic.code, when=at(3 + index % 8, 3))
    for index in range(count // 5):
        Topic.objects.create(code=f"extra-{index}", name_en="Extra", name_fr="Extra", service_standard_days=5)


@pytest.mark.parametrize("query", [{}, {"topic": "status"}])
def test_the_page_costs_the_same_queries_at_two_data_sizes(client, october, django_assert_num_queries, query):
    service_snapshots_compute(today=TODAY)
    small = ServiceSnapshot.objects.count()
    with django_assert_num_queries(1):
        assert client.get(page_url(**query)).status_code == 200

    # Enough new topics to more than double the rows whatever the seeded topics (the parliamentary queue is one).
    _more_data(50)
    service_snapshots_compute(today=TODAY)
    assert ServiceSnapshot.objects.count() > 2 * small
    with django_assert_num_queries(1):
        assert client.get(page_url(**query)).status_code == 200


# --- The API ---------------------------------------------------------------------------------


def api_url(query=""):
    return reverse("api:service_performance") + query


def test_the_api_gives_the_same_figures_as_json(client, october):
    service_snapshots_compute(today=TODAY)

    response = client.get(api_url())

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["computed_on"] == "2026-11-22"
    assert body["office_time_zone"] == "America/Toronto"
    assert body["topic"] is None
    assert {topic["code"] for topic in body["topics"]} >= {"status", "technical"}
    status = next(topic for topic in body["topics"] if topic["code"] == "status")
    assert status == {
        "code": "status",
        "name": {"en": "Status of my application", "fr": "Statut de ma demande"},
        "service_standard_days": 10,
    }
    assert len(body["months"]) == 13
    assert body["months"][-2] == {
        "month": "2026-10",
        "complete": True,
        "received": 5,
        "answered": 4,
        "answered_within_standard": 3,
        "share_answered_within_standard": 0.75,
        "median_business_days": 2.5,
        "p90_business_days": 10.0,
        "deflected": 3,
        "share_answered_by_page": 0.375,
        "survey_responses": 3,
        "satisfied": 2,
        "share_satisfied": 0.6667,
    }
    assert body["months"][-1]["complete"] is False


def test_the_api_narrows_to_a_topic(client, october):
    service_snapshots_compute(today=TODAY)

    body = client.get(api_url("?topic=technical")).json()

    assert body["topic"]["code"] == "technical"
    assert body["months"][-2]["received"] == 1
    assert body["months"][-2]["median_business_days"] == 3.0


def test_the_api_before_the_first_run_says_so(client):
    body = client.get(api_url()).json()
    assert body == {
        "computed_on": None,
        "office_time_zone": "America/Toronto",
        "topic": None,
        "topics": [],
        "months": [],
    }


def test_an_unknown_topic_is_a_404_problem(client, october):
    service_snapshots_compute(today=TODAY)

    response = client.get(api_url("?topic=nope"))

    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["status"] == 404


@pytest.mark.parametrize("topic", ["a%20b", "%00", "x" * 41, "%C3%A9t%C3%A9", "%27%3B--"])
def test_a_malformed_topic_is_a_400_problem(client, topic):
    response = client.get(api_url(f"?topic={topic}"))

    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert "topic" in response.json()["errors"]


def test_the_api_is_cached_publicly_and_by_validated_parameters_only(client, october, django_assert_num_queries):
    service_snapshots_compute(today=TODAY)
    first = client.get(api_url("?topic=status"))
    assert "public" in first["Cache-Control"] and "max-age=600" in first["Cache-Control"]

    with django_assert_num_queries(0):
        again = client.get(api_url("?topic=status&junk=1&utm_source=x"))

    assert again.json() == first.json()
    with django_assert_num_queries(1):
        client.get(api_url())
    with django_assert_num_queries(0):
        client.get(api_url("?anything=else&more=%00"))


def test_the_api_answers_from_the_database_when_the_cache_is_down(client, october):
    service_snapshots_compute(today=TODAY)
    broken = mock.Mock()
    broken.get.side_effect = ConnectionError("redis is down")
    broken.set.side_effect = ConnectionError("redis is down")

    with mock.patch("enquiries.api_performance.cache", broken):
        response = client.get(api_url("?topic=status"))

    assert response.status_code == 200
    assert response.json()["topic"]["code"] == "status"
    assert broken.get.called and broken.set.called


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_the_api_is_read_only(client, method):
    assert getattr(client, method)(api_url()).status_code == 405


def test_the_api_is_in_the_openapi_schema(client):
    schema = client.get(reverse("api:schema") + "?format=json").json()

    operation = schema["paths"]["/api/v1/service-performance/"]["get"]
    assert operation["operationId"] == "service_performance"
    assert [parameter["name"] for parameter in operation["parameters"]] == ["topic"]
    assert set(operation["responses"]) == {"200", "400", "404"}
    assert "application/problem+json" in operation["responses"]["404"]["content"]
    assert "ServicePerformance" in schema["components"]["schemas"]


def test_tickets_left_unqueued_are_never_counted(october):
    Ticket.objects.filter(state=TicketState.SPAM).update(state=TicketState.UNCONFIRMED)
    service_snapshots_compute(today=TODAY)
    assert rows(computed_on=TODAY)[(OCTOBER, "status")].received == 4


def test_a_quiet_year_says_there_is_nothing_yet(client):
    service_snapshots_compute(today=TODAY)

    response = client.get(page_url())

    assert response.status_code == 200
    assert "No enquiries in the last 12 months yet" in response.text
    assert "<table" not in response.text


PERSONAS = ["anonymous", "applicant", "other_applicant", "agent", "other_agent", "supervisor", "staff_user"]


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_page_and_the_api_are_public_for_everyone(client, request, october, persona):
    service_snapshots_compute(today=TODAY)
    if persona != "anonymous":
        sign_in(client, request.getfixturevalue(persona))

    page = client.get(page_url(topic="status"))
    api = client.get(api_url("?topic=status"))

    assert page.status_code == api.status_code == 200
    assert row_cells(page.text, "2026-10").startswith("October 2026 4")
    assert api.json()["months"][-2]["received"] == 4
