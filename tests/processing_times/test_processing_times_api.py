"""GET /api/v1/processing-times/: public, cached, the page's figures as JSON, and never a 500."""

import datetime
import zoneinfo

import pytest
from django.urls import reverse

from applications.models import Program
from processing_times.models import ProcessingTimeSnapshot

TODAY = datetime.date(2026, 11, 22)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen_today(time_machine):
    time_machine.move_to(datetime.datetime(2026, 11, 22, 12, tzinfo=zoneinfo.ZoneInfo("America/Toronto")), tick=False)


def api_url(**query):
    url = reverse("api:processing_times")
    if query:
        url += "?" + "&".join(f"{key}={value}" for key, value in query.items())
    return url


def snapshot(program, computed_on, *, country="", sample=120, p50=40.0, p80=61.2, p90=75.0, waiting=300, output=150.0):
    return ProcessingTimeSnapshot.objects.create(
        program=program,
        country=country,
        computed_on=computed_on,
        window_days=program.processing_window_days,
        sample_size=sample,
        p50_days=p50,
        p80_days=p80,
        p90_days=p90,
        waiting_count=waiting,
        monthly_output=output,
    )


@pytest.fixture
def published():
    """Study permits overall and for two countries (one too small), Express Entry overall, older rows too."""
    study = Program.objects.get(code="study-permit")
    express = Program.objects.get(code="express-entry-cec")
    snapshot(study, TODAY - datetime.timedelta(days=1), p80=99.0, p90=120.0)
    snapshot(study, TODAY, p50=40.2, p80=61.2, p90=75.0, waiting=600, output=150.0)
    snapshot(study, TODAY, country="IN", p50=50.0, p80=88.5, p90=95.0, waiting=200, output=40.0)
    snapshot(study, TODAY, country="PH", sample=12, p50=5.0, p80=8.0, p90=9.0, waiting=10, output=0)
    snapshot(study, datetime.date(2026, 9, 30), p50=30.0, p80=55.0, p90=70.0)
    snapshot(study, datetime.date(2026, 9, 30), country="IN", p50=35.0, p80=80.0, p90=85.0)
    snapshot(express, TODAY, p80=150.0, p90=200.0)
    return study, express


def programs_by_code(response):
    return {item["code"]: item for item in response.json()["programs"]}


def test_it_lists_every_program_with_its_names_category_and_service_standard(client, published):
    response = client.get(api_url())

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    programs = programs_by_code(response)
    assert set(programs) == set(Program.objects.values_list("code", flat=True))
    study = programs["study-permit"]
    assert study["name"] == {"en": "Study permit", "fr": "Permis d'études"}
    assert study["category"] == "temporary"
    assert study["service_standard_days"] == 60
    assert study["times_by_country"] is True
    assert "trend" not in study
    assert programs["citizenship-grant"]["latest"] is None
    assert programs["citizenship-grant"]["countries"] == []


def test_it_gives_the_latest_overall_figures_rounded_up_to_whole_days(client, published):
    latest = programs_by_code(client.get(api_url()))["study-permit"]["latest"]

    assert latest == {
        "computed_on": "2026-11-22",
        "window_days": 112,
        "sample_size": 120,
        "enough_data": True,
        "p50_days": 41,
        "p80_days": 62,
        "p90_days": 75,
        "waiting_count": 600,
        "monthly_output": 150.0,
        "projection_days": 122,  # 600 / 150 = 4 months of 30.44 days, rounded up
    }


def test_it_gives_per_country_figures_only_where_published_and_hides_small_samples(client, published):
    programs = programs_by_code(client.get(api_url()))

    countries = {item["country"]: item for item in programs["study-permit"]["countries"]}
    assert set(countries) == {"IN", "PH"}
    assert (countries["IN"]["p50_days"], countries["IN"]["p80_days"], countries["IN"]["p90_days"]) == (50, 89, 95)
    small = countries["PH"]
    assert small["enough_data"] is False
    assert (small["p50_days"], small["p80_days"], small["p90_days"]) == (None, None, None)
    assert small["sample_size"] == 12
    assert small["projection_days"] is None  # no decisions in the last three months
    assert programs["express-entry-cec"]["countries"] == []


def test_one_program_comes_with_its_12_month_trend(client, published):
    response = client.get(api_url(program="study-permit"))

    assert response.status_code == 200
    programs = response.json()["programs"]
    assert [item["code"] for item in programs] == ["study-permit"]
    trend = programs[0]["trend"]
    assert trend["country"] is None
    months = [point["month"] for point in trend["points"]]
    assert months[0] == "2025-12" and months[-1] == "2026-11" and len(months) == 12
    by_month = {point["month"]: point for point in trend["points"]}
    assert by_month["2026-09"] == {
        "month": "2026-09",
        "computed_on": "2026-09-30",
        "sample_size": 120,
        "p50_days": 30,
        "p80_days": 55,
    }
    assert by_month["2026-11"]["p80_days"] == 62
    assert by_month["2026-10"] == {
        "month": "2026-10",
        "computed_on": None,
        "sample_size": None,
        "p50_days": None,
        "p80_days": None,
    }


def test_a_country_narrows_the_figures_and_the_trend(client, published):
    response = client.get(api_url(program="study-permit", country="in"))

    assert response.status_code == 200
    study = response.json()["programs"][0]
    assert [item["country"] for item in study["countries"]] == ["IN"]
    assert study["trend"]["country"] == "IN"
    by_month = {point["month"]: point for point in study["trend"]["points"]}
    assert by_month["2026-09"]["p80_days"] == 80
    assert by_month["2026-11"]["p80_days"] == 89


def test_an_unknown_program_is_a_404_problem(client, published):
    response = client.get(api_url(program="no-such-program"))

    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == 404
    assert body["title"] == "Not found"
    assert body["detail"]


@pytest.mark.parametrize("country", ["INDIA", "1N", "ZZ", "%00", "i", "I%20N"])
def test_a_malformed_country_is_a_400_problem(client, published, country):
    response = client.get(api_url(country=country))

    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == 400
    assert "country" in body["errors"]


@pytest.mark.parametrize("program", ["%00", "x" * 5000, "%27%3B--", "study-permit%00"])
def test_hostile_program_values_never_fail(client, published, program):
    assert client.get(api_url(program=program)).status_code in (400, 404)


def test_an_empty_country_means_every_country(client, published):
    response = client.get(api_url(program="study-permit", country=""))
    assert response.status_code == 200
    assert len(response.json()["programs"][0]["countries"]) == 2


def test_it_needs_no_sign_in_and_ignores_a_session(client, published, applicant):
    assert client.get(api_url()).status_code == 200
    client.force_login(applicant)
    assert client.get(api_url(program="study-permit")).status_code == 200


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_it_is_read_only(client, method):
    response = getattr(client, method)(api_url())
    assert response.status_code == 405


def test_it_is_cached_publicly_for_ten_minutes(client, published, django_assert_num_queries):
    first = client.get(api_url(program="study-permit"))
    assert first["Cache-Control"] in ("public, max-age=600", "max-age=600, public")

    with django_assert_num_queries(0):
        second = client.get(api_url(program="study-permit"))

    assert second.status_code == 200
    assert second.json() == first.json()
    assert "public" in second["Cache-Control"]


def test_each_query_is_cached_separately(client, published):
    everything = client.get(api_url())
    one = client.get(api_url(program="study-permit"))
    assert len(everything.json()["programs"]) > 1
    assert len(one.json()["programs"]) == 1


def cached_keys() -> set[str]:
    """The keys in the test cache (a LocMemCache: settings_test.py)."""
    from django.core.cache import cache

    return set(cache._cache)


def test_unknown_parameters_neither_add_cache_keys_nor_bypass_the_cache(client, published, django_assert_num_queries):
    first = client.get(api_url(program="study-permit"))
    assert len(cached_keys()) == 1

    with django_assert_num_queries(0):
        answers = [client.get(api_url(program="study-permit", junk=n)) for n in range(1, 201)]

    assert {answer.status_code for answer in answers} == {200}
    assert all(answer.json() == first.json() for answer in answers)
    assert len(cached_keys()) == 1


def test_a_country_in_lower_case_is_the_same_cached_answer(client, published, django_assert_num_queries):
    upper = client.get(api_url(program="study-permit", country="IN"))
    with django_assert_num_queries(0):
        lower = client.get(api_url(program="study-permit", country="in"))
    assert lower.json() == upper.json()
    assert len(cached_keys()) == 1


def test_unknown_programs_and_invalid_queries_are_not_cached(client, published):
    for n in range(20):
        assert client.get(api_url(program=f"no-such-program-{n}")).status_code == 404
        assert client.get(api_url(program=f"not a slug {n}")).status_code == 404
        assert client.get(api_url(country=f"Z{n}")).status_code == 400
    assert cached_keys() == set()


def test_with_the_cache_down_the_answer_is_computed_not_a_500(client, published, settings):
    expected = client.get(api_url(program="study-permit")).json()
    # Django's plain Redis cache where nothing listens: every cache call raises.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 1},
        }
    }

    response = client.get(api_url(program="study-permit"))

    assert response.status_code == 200
    assert response.json() == expected
    assert "public" in response["Cache-Control"]


def test_the_list_costs_the_same_queries_however_many_snapshots(client, published, django_assert_num_queries):
    study, _express = published
    for back in range(1, 60):
        snapshot(study, TODAY - datetime.timedelta(days=back + 1), country="NG")
    # programs, the latest day of each, those days' snapshots
    with django_assert_num_queries(3):
        assert client.get(api_url()).status_code == 200
    # plus the trend
    with django_assert_num_queries(4):
        assert client.get(api_url(program="study-permit", country="NG")).status_code == 200


def test_the_api_and_the_page_show_the_same_figures(client, published):
    api = programs_by_code(client.get(api_url()))["study-permit"]["latest"]
    page = client.get(reverse("processing_times:index") + "?program=study-permit").text
    for days in (api["p50_days"], api["p80_days"], api["p90_days"]):
        assert f"{days} days" in page
