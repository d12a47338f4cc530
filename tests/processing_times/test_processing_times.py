"""Nightly processing-time figures: hand-checked percentiles, SQL and Python agreeing, reruns harmless."""

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from applications.models import Program, Stage
from processing_times import figures as processing_times
from processing_times.estimates import estimate_for_application
from processing_times.figures import percentile_cont, processing_times_snapshot
from processing_times.models import ProcessingTimeSnapshot, QueuePosition, StageDurationSnapshot
from tests.factories import ApplicationFactory, ClientFactory, decisions_record, status_event_record

AS_OF = datetime.date(2026, 11, 1)


def decided(program, *, days, decided_on, outcome="approved", country="IN"):
    application = ApplicationFactory(
        program=program,
        client=ClientFactory(country_of_residence=country),
        submitted_on=decided_on - datetime.timedelta(days=days),
    )
    decisions_record(decisions=[(application, outcome, decided_on)])
    return application


@pytest.fixture
def study_permits(db):
    """40 decisions of 1 to 40 days in the window, split between two countries, plus noise."""
    program = Program.objects.get(code="study-permit")
    for days in range(1, 41):
        decided(
            program, days=days, decided_on=AS_OF - datetime.timedelta(days=days % 7), country="IN" if days % 2 else "PH"
        )
    decided(program, days=500, decided_on=AS_OF - datetime.timedelta(days=200))  # outside the 112-day window
    decided(
        program, days=3, decided_on=AS_OF - datetime.timedelta(days=1), outcome="withdrawn"
    )  # not a decision on merit
    decided(program, days=10, decided_on=AS_OF + datetime.timedelta(days=5))  # still open on AS_OF
    for weeks in range(10):
        ApplicationFactory(program=program, submitted_on=AS_OF - datetime.timedelta(weeks=weeks))
    ApplicationFactory(program=program, submitted_on=AS_OF + datetime.timedelta(days=1))  # not yet submitted
    return program


def test_percentile_cont_interpolates_like_postgresql():
    assert percentile_cont([1, 2, 3, 4], 0.5) == 2.5
    assert percentile_cont([10], 0.9) == 10
    assert percentile_cont(list(range(1, 41)), 0.8) == pytest.approx(32.2)


def test_it_computes_percentiles_queue_and_pace_by_hand(study_permits):
    figures = {
        item.country: item
        for item in processing_times.processing_figures(as_of=AS_OF)
        if item.program_id == study_permits.pk
    }
    overall = figures[""]
    assert overall.sample_size == 40
    assert overall.percentiles == pytest.approx((20.5, 32.2, 36.1))
    assert overall.waiting_count == 11  # ten open files and the one decided after AS_OF
    # 40 decisions and one withdrawal in the last 91 days.
    assert overall.decided_recently == 41
    assert overall.monthly_output == pytest.approx(41 / (91 / (365.25 / 12)))
    assert figures["IN"].sample_size == 20
    assert figures["PH"].sample_size == 20
    assert figures["IN"].percentiles == pytest.approx((20.0, 31.4, 35.2))


def test_postgresql_and_the_python_fallback_agree(study_permits):
    express = Program.objects.get(code="express-entry-cec")
    for days in (90, 120, 150, 200, 260):
        decided(express, days=days, decided_on=AS_OF - datetime.timedelta(days=days // 10), country="FR")

    def as_dict(items):
        return {
            (item.program_id, item.country): (
                item.sample_size,
                item.percentiles,
                item.waiting_count,
                item.decided_recently,
            )
            for item in items
        }

    sql = as_dict(processing_times._postgres_figures(as_of=AS_OF))
    python = as_dict(processing_times._python_figures(as_of=AS_OF))
    assert sql.keys() == python.keys()
    for key in sql:
        sample, percentiles, waiting, recent = sql[key]
        assert python[key][0] == sample
        assert python[key][2:] == (waiting, recent)
        if percentiles is None:
            assert python[key][1] is None
        else:
            assert python[key][1] == pytest.approx(percentiles)
    # Express Entry is published overall only, never per country.
    assert (express.pk, "FR") not in sql
    assert (express.pk, "") in sql


def test_stage_durations_use_completed_stages_in_the_window(db):
    program = Program.objects.get(code="spouse-sponsorship")
    biometrics = Stage.objects.get(code="biometrics")
    now = timezone.now()
    for index, days in enumerate([10, 20, 30, 40]):
        application = ApplicationFactory(program=program)
        start = now - datetime.timedelta(days=days + 5)
        status_event_record(
            application=application, stage=biometrics, state="in_progress", occurred_at=start, source_id=f"b{index}s"
        )
        status_event_record(
            application=application,
            stage=biometrics,
            state="completed",
            occurred_at=start + datetime.timedelta(days=days),
            source_id=f"b{index}c",
        )
    for compute in (processing_times.stage_figures,):
        rows = [row for row in compute(as_of=timezone.localdate()) if row.stage_id == biometrics.pk]
        assert len(rows) == 1
        assert rows[0].sample_size == 4
        assert rows[0].p50 == pytest.approx(25)
        assert rows[0].p80 == pytest.approx(34)
        # Every 5th percentile, from the shortest (10 days) to the longest (40), for the time left in a stage.
        assert len(rows[0].quantiles) == 21
        assert (rows[0].quantiles[0], rows[0].quantiles[10], rows[0].quantiles[-1]) == pytest.approx((10, 25, 40))


def test_a_rerun_replaces_the_days_snapshots_and_keeps_older_ones(study_permits):
    processing_times_snapshot(as_of=AS_OF - datetime.timedelta(days=1), refresh_queue=False)
    first = processing_times_snapshot(as_of=AS_OF, refresh_queue=False)
    second = processing_times_snapshot(as_of=AS_OF, refresh_queue=False)
    assert first == second
    assert (
        ProcessingTimeSnapshot.objects.filter(computed_on=AS_OF).count()
        + StageDurationSnapshot.objects.filter(computed_on=AS_OF).count()
        == second
    )
    assert ProcessingTimeSnapshot.objects.filter(computed_on=AS_OF - datetime.timedelta(days=1)).exists()
    overall = ProcessingTimeSnapshot.objects.get(program=study_permits, country="", computed_on=AS_OF)
    assert (overall.p50_days, overall.p80_days) == pytest.approx((20.5, 32.2))
    assert overall.projection_days == pytest.approx(11 / overall.monthly_output * 365.25 / 12)


def test_people_ahead_counts_open_files_of_the_same_program_submitted_earlier(db):
    program = Program.objects.get(code="work-permit")
    today = timezone.localdate()
    oldest, same_day, newest = (
        ApplicationFactory(program=program, submitted_on=today - datetime.timedelta(days=30)),
        ApplicationFactory(program=program, submitted_on=today - datetime.timedelta(days=30)),
        ApplicationFactory(program=program, submitted_on=today - datetime.timedelta(days=2)),
    )
    ApplicationFactory(
        program=Program.objects.get(code="study-permit"), submitted_on=today - datetime.timedelta(days=90)
    )
    decided(program, days=40, decided_on=today - datetime.timedelta(days=1))
    processing_times_snapshot(as_of=today)
    # One row per program and submission day (processing_times.models.QueuePosition), read by the estimate.
    estimates = [estimate_for_application(application=application) for application in (oldest, same_day, newest)]
    assert [estimate.people_ahead for estimate in estimates] == [0, 0, 2]
    assert estimates[2].people_ahead_on == today
    assert QueuePosition.objects.filter(program=program).count() == 2  # two submission days with open files


def test_the_command_backfills_month_ends_for_the_trend(study_permits, capsys):
    call_command("compute_processing_times", "--as-of", AS_OF.isoformat(), "--backfill-months", "3")
    dates = set(ProcessingTimeSnapshot.objects.values_list("computed_on", flat=True))
    assert dates == {AS_OF, datetime.date(2026, 10, 31), datetime.date(2026, 9, 30), datetime.date(2026, 8, 31)}
    assert "snapshot rows for 4 dates" in capsys.readouterr().out


def test_the_nightly_task_writes_todays_snapshot(study_permits):
    from processing_times.tasks import processing_times_nightly

    assert processing_times_nightly.delay().get() > 0
    assert ProcessingTimeSnapshot.objects.filter(computed_on=timezone.localdate()).exists()


def test_the_queue_forecasts_agree_between_postgresql_and_the_python_fallback(db):
    from demo.history import demo_history_load
    from processing_times.queue_figures import queue_forecasts

    today = datetime.date(2026, 11, 1)
    demo_history_load(finalized=3000, today=today)

    def figures(rows):
        return [
            (row.program_id, row.country, row.pace_per_day, row.factor_p50, row.factor_p80)
            + (row.factor_p90, row.errors, row.widened)
            for row in rows
        ]

    in_sql = figures(queue_forecasts(as_of=today, vendor="postgresql"))
    in_python = figures(queue_forecasts(as_of=today, vendor="sqlite"))
    assert len(in_sql) > 20  # most queues of the demo history have a forecast
    assert any(row[-1] for row in in_sql)  # and the small ones a widened one
    assert in_sql == pytest.approx(in_python)


@pytest.mark.django_db(transaction=True)
def test_the_nightly_job_computes_the_forecasts_on_a_second_connection_with_the_same_result(monkeypatch):
    """Outside a transaction, on PostgreSQL, the forecasts run on another thread's connection while the rest runs."""
    import threading

    from demo.history import demo_history_load
    from processing_times.models import QueueForecast
    from processing_times.queue_figures import queue_forecasts

    today = datetime.date(2026, 11, 1)
    demo_history_load(finalized=1500, today=today)
    expected = sorted(
        (row.program_id, str(row.country), row.factor_p50, row.factor_p80, row.factor_p90)
        for row in queue_forecasts(as_of=today)
    )
    threads = []
    real = processing_times.queue_forecasts

    def recorded(**kwargs):
        threads.append(threading.current_thread())
        return real(**kwargs)

    monkeypatch.setattr(processing_times, "queue_forecasts", recorded)
    processing_times_snapshot(as_of=today)

    assert threads and threads[0] is not threading.main_thread()
    written = sorted(
        (program_id, str(country), p50, p80, p90)
        for program_id, country, p50, p80, p90 in QueueForecast.objects.filter(computed_on=today).values_list(
            "program_id", "country", "factor_p50", "factor_p80", "factor_p90"
        )
    )
    assert expected and written == pytest.approx(expected)
    assert QueuePosition.objects.exists()


def test_inside_a_transaction_the_forecasts_are_computed_on_the_same_connection(study_permits, monkeypatch):
    """A second connection would not see uncommitted rows: within a transaction, the job does it all itself."""
    import threading

    threads = []
    real = processing_times.queue_forecasts

    def recorded(**kwargs):
        threads.append(threading.current_thread())
        return real(**kwargs)

    monkeypatch.setattr(processing_times, "queue_forecasts", recorded)
    processing_times_snapshot(as_of=timezone.localdate())
    assert threads == [threading.main_thread()]
