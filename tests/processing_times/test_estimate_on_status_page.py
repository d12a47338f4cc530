"""The queue-aware estimate and its published accuracy on the status page, in both languages."""

import datetime
import itertools
import math

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from applications.models import Application, ProgramStage
from processing_times.backtest import backtest_publish
from processing_times.figures import processing_times_snapshot
from processing_times.models import QueueForecast, StageDurationSnapshot
from tests.factories import ApplicationFactory, ClientFactory, decisions_record, sign_in, status_event_record

numbers = itertools.count(1)


def detail(client, application, language="en"):
    with translation.override(language):
        return client.get(reverse("applications:detail", kwargs={"number": application.number})).text


def first_come_first_served(program, *, days: int, today: datetime.date):
    """One file a day for `days` days before `today`, each decided 40 days after it was sent, in order."""
    client = ClientFactory(country_of_residence="CA")
    created = Application.objects.bulk_create(
        Application(
            number=f"Q{next(numbers):09d}",
            client=client,
            program=program,
            submitted_on=today - datetime.timedelta(days=days - index),
        )
        for index in range(days)
    )
    decided = [item for item in created if item.submitted_on + datetime.timedelta(days=40) <= today]
    decisions_record(
        decisions=[(item, "approved", item.submitted_on + datetime.timedelta(days=40)) for item in decided]
    )


@pytest.fixture
def queued_application(applicant, applicant_application):
    """The applicant's spouse sponsorship, sent 5 days ago behind a steady line of one file a day."""
    today = timezone.localdate()
    Application.objects.filter(pk=applicant_application.pk).update(submitted_on=today - datetime.timedelta(days=5))
    applicant_application.refresh_from_db()
    first_come_first_served(applicant_application.program, days=400, today=today)
    return applicant_application


def test_the_status_page_gives_the_calibrated_dates_and_their_accuracy(client, applicant, queued_application):
    today = timezone.localdate()
    processing_times_snapshot(as_of=today)
    report = backtest_publish(as_of=today)
    sign_in(client, applicant)
    # 34 files sent before it are still waiting (those of the last 39 days, less the 5 since it was sent);
    # one a day is decided; each took one day more than the files ahead of it: 35 days from today.
    likely = today + datetime.timedelta(days=35)
    forecast = QueueForecast.objects.get(program=queued_application.program, country="")
    assert forecast.pace_per_day == 1
    # Each took 40 days where the queue part said 39: a ratio of 41/40, kept to the hundredth of its log.
    assert (forecast.factor_p50, forecast.factor_p80, forecast.factor_p90) == pytest.approx((math.exp(0.02),) * 3)
    english = detail(client, queued_application)
    assert f"Around {likely:%B} {likely.day}, {likely.year}" in english
    # Every file of this line took exactly one day more than its files ahead: one date for all.
    assert f"9 in 10 applications like this one are decided by {likely:%B} {likely.day}, {likely.year}." in english
    assert "Applications ahead of yours</dt>" in english and '<p class="estimate__figure">34</p>' in english
    assert "our recent pace in this line: about 7 decisions a week." in english
    assert "they would all be decided by" not in english  # the queue estimate replaces the plain projection
    assert "How accurate is it? In our check of" in english
    [row] = report.programs
    share = round(row["share_within_p80"] * 100)
    assert f"{share}% of past applications to this program were decided by the “8 in 10” date" in english
    assert "made the range wider" not in english
    french = detail(client, queued_application, "fr")
    assert "9 demandes sur 10 comme celle-ci sont tranchées au plus tard le" in french
    assert f"{share}\u00a0%" in french


def test_with_few_past_decisions_the_range_is_widened_and_the_page_says_so(client, applicant, applicant_application):
    today = timezone.localdate()
    Application.objects.filter(pk=applicant_application.pk).update(submitted_on=today - datetime.timedelta(days=2))
    # Decisions begin 60 days ago; a pace exists once they cover two weeks (from 47 days ago), and the files
    # sent from then until 40 days ago are decided: 8, fewer than 30.
    first_come_first_served(applicant_application.program, days=100, today=today)
    processing_times_snapshot(as_of=today)
    forecast = QueueForecast.objects.get(program=applicant_application.program, country="")
    assert forecast.widened
    assert forecast.errors == 8
    sign_in(client, applicant)
    page = detail(client, applicant_application)
    assert "We have few recent decisions to check this estimate against, so we made the range wider." in page
    assert "9 in 10 applications like this one are decided by" in page  # a line where every wait is exact


def test_the_stage_shows_the_days_left_then_that_it_is_taking_longer(client, applicant, queued_application):
    today = timezone.localdate()
    program = queued_application.program
    stages = [
        row.stage for row in ProgramStage.objects.filter(program=program).select_related("stage").order_by("position")
    ]
    current, final = stages[0], stages[-1]
    for stage, p50, p80 in ((current, 10.0, 20.0), (final, 6.0, 9.0)):
        StageDurationSnapshot.objects.create(
            program=program, stage=stage, computed_on=today, window_days=183, sample_size=40, p50_days=p50, p80_days=p80
        )
    status_event_record(
        application=queued_application,
        stage=current,
        state="in_progress",
        occurred_at=timezone.now() - datetime.timedelta(days=3),
        source_id="stage-start",
    )
    processing_times_snapshot(as_of=today)
    # The nightly job replaced today's stage rows from the (empty) stage history: put ours back.
    # The current stage took anything from 0 to 20 days, evenly; the decision stage about 6.
    for stage, p50, p80, quantiles in ((current, 10.0, 16.0, list(range(21))), (final, 6.0, 9.0, [])):
        StageDurationSnapshot.objects.update_or_create(
            program=program,
            stage=stage,
            computed_on=today,
            defaults={"window_days": 183, "sample_size": 40, "p50_days": p50, "p80_days": p80, "quantiles": quantiles},
        )
    sign_in(client, applicant)
    page = detail(client, queued_application)
    # 3 days in: 15 % of such stages were done; half of the rest were done by 11.5 days, 8.5 more.
    assert "About 9 days left in this stage." in page
    assert "taking longer than usual" not in page
    reach = today + datetime.timedelta(days=35 - 6)
    assert f"Likely to reach the final decision stage around {reach:%B} {reach.day}, {reach.year}." in page

    other = ApplicationFactory(client=queued_application.client, program=program)
    status_event_record(
        application=other,
        stage=current,
        state="in_progress",
        occurred_at=timezone.now() - datetime.timedelta(days=25),
        source_id="stage-start-2",
    )
    from tests.factories import link

    link(user=applicant, application=other)
    longer = detail(client, other)
    assert "This stage began 25 days ago. It is taking longer than usual." in longer
    assert "days left in this stage" not in longer  # longer than every completed one: no figure to give


def test_three_dates_when_the_line_is_not_exact(client, applicant, applicant_application):
    """Forecast rows as the nightly job writes them: 120 ahead at 4 a day (30 days), then scaled to 32, 39 and 50."""
    from processing_times.models import ProcessingTimeSnapshot, QueuePosition

    today = timezone.localdate()
    program = applicant_application.program
    ProcessingTimeSnapshot.objects.create(
        program=program, computed_on=today, window_days=183, sample_size=400, p50_days=200, p80_days=300, p90_days=350
    )
    QueuePosition.objects.create(
        program=program, submitted_on=applicant_application.submitted_on, computed_on=today, ahead=120
    )
    QueueForecast.objects.create(
        program=program,
        computed_on=today,
        pace_per_day=4.0,
        factor_p50=32.5 / 31,  # (30 + 1) x factor - 1 = 31.5 days, a date 32 days on
        factor_p80=39.5 / 31,
        factor_p90=50.5 / 31,
        errors=500,
    )
    likely, eight, nine = (today + datetime.timedelta(days=days) for days in (32, 39, 50))
    sign_in(client, applicant)
    page = detail(client, applicant_application)
    assert (
        f"Half of applications like this one are decided by {likely:%B} {likely.day}, {likely.year}, "
        f"8 in 10 by {eight:%B} {eight.day}, {eight.year} and 9 in 10 by {nine:%B} {nine.day}, {nine.year}."
    ) in page
    assert "about 28 decisions a week" in page
