"""The public processing-times page and its methodology: figures, trend chart and table, errors, queries."""

import datetime
import re
import zoneinfo

import pytest
from django.urls import reverse
from django.utils import translation

from applications.models import Program
from processing_times.figures import processing_times_snapshot
from processing_times.models import ProcessingTimeSnapshot
from tests.factories import ApplicationFactory, ClientFactory, decisions_record

TODAY = datetime.date(2026, 11, 22)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen_today(time_machine):
    time_machine.move_to(datetime.datetime(2026, 11, 22, 12, tzinfo=zoneinfo.ZoneInfo("America/Toronto")), tick=False)


def page_url(language="en", **query):
    with translation.override(language):
        url = reverse("processing_times:index")
    if query:
        url += "?" + "&".join(f"{key}={value}" for key, value in query.items())
    return url


def snapshot(program, computed_on, *, country="", sample=120, p50=None, p80=61.2, p90=None, waiting=300, output=150.0):
    """A snapshot row; unless given, the median is 40 days (or less) and the 90th percentile 20% above the 80th."""
    p50 = min(40.0, p80) if p50 is None else p50
    p90 = p80 * 1.2 if p90 is None else p90
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


def month_ends(count, *, before=TODAY):
    """The last day of each of the `count` months before `before`'s month, newest first."""
    days = []
    day = before.replace(day=1) - datetime.timedelta(days=1)
    for _ in range(count):
        days.append(day)
        day = day.replace(day=1) - datetime.timedelta(days=1)
    return days


@pytest.fixture
def study_permit():
    return Program.objects.get(code="study-permit")


@pytest.fixture
def express_entry():
    return Program.objects.get(code="express-entry-cec")


def test_the_page_renders_for_anonymous_visitors_in_english_and_french(client, study_permit):
    snapshot(study_permit, TODAY)
    for language in ("en", "fr"):
        for url in (page_url(language), page_url(language, program="study-permit")):
            response = client.get(url)
            assert response.status_code == 200
            assert f'<html lang="{language}">' in response.text


def test_the_methodology_page_renders_in_english_and_french(client):
    for language in ("en", "fr"):
        with translation.override(language):
            url = reverse("processing_times:methodology")
        response = client.get(url)
        assert response.status_code == 200
        assert f'<html lang="{language}">' in response.text


def test_the_methodology_explains_every_figure(client):
    text = client.get(reverse("processing_times:methodology")).text
    for phrase in (
        "8 in 10 applications were decided within this time",
        "past 6 months",
        "past 16 weeks",
        "past 8 weeks",
        "each country of residence",
        "Withdrawn applications are left out",
        "at least 30 decisions",
        "decisions we made per month over the last 3 months",
        "Applications ahead of yours",
        "Outside normal processing time",
        "we use the program's service standard",
        "median",
        "2:30 a.m.",
        "not a commitment",
    ):
        assert phrase in text, phrase


def test_the_page_links_to_the_methodology(client):
    assert reverse("processing_times:methodology") in client.get(page_url()).text


def test_without_a_program_it_summarises_every_program(client, study_permit, express_entry):
    snapshot(study_permit, TODAY - datetime.timedelta(days=1), p80=99.0)
    snapshot(study_permit, TODAY, p80=61.2, waiting=1234, output=150.0)
    snapshot(study_permit, TODAY, country="IN", p80=200.0)
    snapshot(express_entry, TODAY, sample=12)

    response = client.get(page_url())

    assert response.status_code == 200
    text = response.text
    assert "Latest processing times for every program" in text
    for program in Program.objects.all():
        assert f"?program={program.code}" in text
    row = re.search(r'\?program=study-permit".*?</tr>', text, re.S).group(0)
    assert "62 days" in row  # 61.2 rounded up
    assert "1,234" in row
    assert "About 8 months" in row  # 1234 / 150 = 8.2 months
    assert "99 days" not in text and "200 days" not in text
    express_row = re.search(r'\?program=express-entry-cec".*?</tr>', text, re.S).group(0)
    assert "Too few recent decisions to say" in express_row


def test_choosing_a_program_shows_its_latest_figures_projection_and_service_standard(client, study_permit):
    snapshot(study_permit, TODAY - datetime.timedelta(days=1), p50=10, p80=11, p90=12)
    snapshot(study_permit, TODAY, sample=812, p50=40.2, p80=61.2, p90=75.0, waiting=600, output=150.0)

    text = client.get(page_url(program="study-permit")).text

    assert '<h2 id="figures-heading">Study permit</h2>' in text
    assert "41 days" in text and "62 days" in text and "75 days" in text
    assert "about 2 months" in text.lower()
    assert "Based on 812 applications approved or refused in the past 16 weeks." in text
    assert "November 22, 2026" in text or "Nov. 22, 2026" in text
    assert "About 4 months" in text  # 600 waiting / 150 a month
    assert "600 applications are waiting" in text
    assert "about 150 decisions a month" in text
    assert "60 days" in text  # the service standard
    assert "taking longer than the service standard" in text
    assert "11 days" not in text


def test_choosing_a_country_shows_that_countrys_figures(client, study_permit):
    snapshot(study_permit, TODAY, p80=61.2)
    snapshot(study_permit, TODAY, country="IN", p80=88.5, p50=50, p90=95)
    snapshot(study_permit, TODAY, country="PH", p80=30.0, p50=20, p90=35)

    text = client.get(page_url(program="study-permit", country="IN")).text

    assert "For applicants living in India" in text
    assert "89 days" in text
    assert "62 days" not in text and "30 days" not in text


def test_only_countries_with_a_snapshot_are_offered_plus_all_countries(client, study_permit):
    snapshot(study_permit, TODAY)
    snapshot(study_permit, TODAY, country="IN")
    snapshot(study_permit, TODAY, country="PH")

    text = client.get(page_url(program="study-permit")).text

    select = re.search(r'<select name="country".*?</select>', text, re.S).group(0)
    assert re.findall(r'value="([A-Z]*)"', select) == ["", "IN", "PH"]
    assert "All countries" in select


def test_programs_published_overall_only_have_no_country_choice(client, express_entry):
    snapshot(express_entry, TODAY)

    response = client.get(page_url(program="express-entry-cec", country="FR"))

    assert response.status_code == 200
    assert 'name="country"' not in response.text
    assert "62 days" in response.text


def test_a_too_small_sample_says_so_instead_of_showing_numbers(client, study_permit):
    snapshot(study_permit, TODAY, sample=12, p50=5.0, p80=17.0, p90=23.0)

    text = client.get(page_url(program="study-permit")).text

    assert "Too few recent decisions to publish processing times" in text
    assert "Only 12 applications were decided in the past 16 weeks." in text
    assert "at least 30 decisions" in text
    assert "17 days" not in text and "23 days" not in text
    assert "8 in 10 applications decided within" not in text


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ({"program": "no-such-program"}, "program", "Choose a program from the list."),
        ({"program": "%00%27%3B--"}, "program", "Choose a program from the list."),
        ({"program": "x" * 5000}, "program", "Choose a program from the list."),
        ({"program": "study-permit", "country": "ZZ"}, "country", "Choose a country from the list"),
        ({"program": "study-permit", "country": "FR"}, "country", "Choose a country from the list"),
        ({"program": "study-permit", "country": "%00"}, "country", "Choose a country from the list"),
    ],
)
def test_invalid_choices_give_400_with_the_error_summary_and_field_error(client, study_permit, query, field, message):
    snapshot(study_permit, TODAY)
    snapshot(study_permit, TODAY, country="IN")

    response = client.get(page_url(**query))

    assert response.status_code == 400
    text = response.text
    assert "There is a problem" in text
    assert f'href="#id_{field}"' in text
    assert f'id="id_{field}-error"' in text
    assert 'aria-invalid="true"' in text
    assert message in text
    assert "<title>Error:" in text


def test_repeated_and_empty_parameters_never_fail(client, study_permit):
    snapshot(study_permit, TODAY)
    assert client.get(page_url() + "?program=&country=").status_code == 200
    assert client.get(page_url() + "?program=study-permit&program=study-permit&country=").status_code == 200
    assert client.get(page_url() + "?country=IN").status_code == 200


def test_a_program_without_snapshots_says_nothing_is_published_yet(client):
    text = client.get(page_url(program="citizenship-grant")).text
    assert "We have not published processing times for this program yet." in text
    assert "There are no processing-time figures for the last 12 months yet." in text


def test_posting_is_not_allowed(client):
    assert client.post(page_url()).status_code == 405


def trend_from_svg(text):
    svg = re.search(r"<svg .*?</svg>", text, re.S).group(0)
    return svg, {
        month: (int(p80), int(p50))
        for month, p80, p50 in re.findall(
            r'<g class="trend-chart__point" data-month="([\d-]+)" data-p80="(\d+)" data-p50="(\d+)">', svg
        )
    }


def trend_from_table(text):
    rows = re.findall(
        r'<tr class="pt-trend-row" data-month="([\d-]+)">\s*<th scope="row">([^<]+)</th>(.*?)</tr>', text, re.S
    )
    return {month: (label, re.findall(r"<td[^>]*>([^<]*)</td>", cells)) for month, label, cells in rows}


def test_the_trend_has_one_point_per_month_from_the_last_snapshot_of_that_month(client, study_permit):
    snapshot(study_permit, datetime.date(2026, 10, 10), p80=99.0, p50=50, p90=120)
    snapshot(study_permit, datetime.date(2026, 10, 31), p80=70.2, p50=45)
    snapshot(study_permit, datetime.date(2025, 11, 30), p80=33.0, p50=20)  # 12 months ago: too old
    snapshot(study_permit, TODAY, p80=61.2, p50=40)

    text = client.get(page_url(program="study-permit")).text

    table = trend_from_table(text)
    assert list(table) == [f"{year}-{month:02d}" for year, month in [(2025, 12)] + [(2026, m) for m in range(1, 12)]]
    assert table["2026-10"] == ("October 2026", ["71", "45", "120"])
    assert table["2026-11"] == ("November 2026", ["62", "40", "120"])
    _svg, points = trend_from_svg(text)
    assert points == {"2026-10": (71, 45), "2026-11": (62, 40)}


def test_the_chart_and_the_table_carry_the_same_numbers(client, study_permit):
    for index, day in enumerate(month_ends(11)):
        snapshot(study_permit, day, p50=30 + index, p80=50.5 + index * 2, p90=90 + index)
    snapshot(study_permit, TODAY, p80=61.2, p50=40)

    text = client.get(page_url(program="study-permit")).text

    _svg, points = trend_from_svg(text)
    table = trend_from_table(text)
    assert len(points) == len(table) == 12
    for month, (p80, p50) in points.items():
        assert table[month][1][:2] == [str(p80), str(p50)]
    assert points["2026-10"] == (51, 30)


def test_months_without_data_are_marked_no_data_and_left_as_gaps(client, study_permit):
    snapshot(study_permit, datetime.date(2026, 8, 31), p80=70.0)
    snapshot(study_permit, datetime.date(2026, 9, 30), p80=72.0)
    # October 2026 has no snapshot at all; November's has too few decisions; December 2025 has one.
    snapshot(study_permit, TODAY, sample=10, p80=20.0, p50=10.0, p90=25.0)
    snapshot(study_permit, datetime.date(2025, 12, 31), p80=60.0)

    text = client.get(page_url(program="study-permit")).text

    table = trend_from_table(text)
    assert table["2026-10"][1] == ["No data", "No data", "No data"]
    assert table["2026-03"][1] == ["No data", "No data", "No data"]
    assert table["2026-11"][1] == ["Too few decisions", "Too few decisions", "10"]
    svg, points = trend_from_svg(text)
    assert set(points) == {"2025-12", "2026-08", "2026-09"}
    # December 2025 stands alone, August and September are joined: one run of the 80th percentile line.
    assert len(re.findall(r'class="trend-chart__line trend-chart__line--p80"', svg)) == 1
    assert "Months without enough data are left as gaps in the lines." in svg


def test_the_chart_is_an_image_with_a_title_and_description_and_no_inline_style(client, study_permit):
    snapshot(study_permit, datetime.date(2026, 10, 31), p80=70.2)
    snapshot(study_permit, TODAY, p80=61.2)

    text = client.get(page_url(program="study-permit")).text

    svg, _points = trend_from_svg(text)
    assert 'role="img"' in svg
    assert 'aria-labelledby="trend-chart-title trend-chart-desc"' in svg
    assert '<title id="trend-chart-title">Processing times for Study permit, last 12 months</title>' in svg
    assert re.search(r'<desc id="trend-chart-desc">8 in 10 applications were decided within 71 days', svg)
    assert 'stroke-dasharray="' in svg  # the median line is dashed, not only a different colour
    assert "<title>October 2026: 8 in 10 decided within 71 days, half within 40 days</title>" in svg
    assert "style=" not in text
    assert "<script>" not in text and "<style" not in text
    assert '<caption id="trend-table-caption">' in text
    assert '<th scope="col">Month</th>' in text


def test_month_names_follow_the_language(client, study_permit):
    snapshot(study_permit, datetime.date(2026, 10, 31), p80=70.2)
    snapshot(study_permit, TODAY, p80=61.2)

    text = client.get(page_url("fr", program="study-permit")).text

    assert "octobre 2026" in text
    assert "novembre 2026" in text


@pytest.mark.parametrize("months", [2, 12])
def test_a_chosen_program_costs_the_same_queries_however_long_the_history(
    client, study_permit, django_assert_num_queries, months
):
    for country in ("", "IN", "PH"):
        for day in [TODAY, *month_ends(months - 1)]:
            snapshot(study_permit, day, country=country)
            snapshot(study_permit, day - datetime.timedelta(days=3), country=country)
    # programs, the program's latest day, its latest snapshots, the trend
    with django_assert_num_queries(4):
        response = client.get(page_url(program="study-permit", country="IN"))
    assert response.status_code == 200


def test_the_page_reads_what_the_nightly_job_wrote(client, study_permit):
    decisions = []
    for days in range(1, 41):
        application = ApplicationFactory(
            program=study_permit,
            client=ClientFactory(country_of_residence="IN"),
            submitted_on=TODAY - datetime.timedelta(days=days + 3),
        )
        decisions.append((application, "approved", TODAY - datetime.timedelta(days=3)))
    decisions_record(decisions=decisions)
    processing_times_snapshot(as_of=TODAY)

    text = client.get(page_url(program="study-permit", country="IN")).text

    # 40 decisions of 1 to 40 days: the 80th percentile is 32.2 days, shown as 33.
    assert "33 days" in text
    assert "Based on 40 applications approved or refused in the past 16 weeks." in text


def test_programs_are_listed_in_the_alphabetical_order_of_the_language(client):
    text = client.get(page_url("fr")).text
    select = re.search(r'<select name="program".*?</select>', text, re.S).group(0)
    names = re.findall(r'<option value="[a-z-]+"[^>]*>([^<]+)</option>', select)
    assert names[0] == "Attribution de la citoyenneté"
    assert names.index("Entrée express : catégorie de l&#x27;expérience canadienne") < names.index(
        "Permis d&#x27;études"
    )


def test_a_head_request_is_answered_like_a_get(client):
    assert client.head(page_url()).status_code == 200
