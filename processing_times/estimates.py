"""The personal estimate on a status page, read from the nightly snapshots (at most two queries)."""

import datetime
import math
from dataclasses import dataclass

from django.db.models import JSONField, OuterRef, Q, Subquery
from django.utils import timezone

from applications.models import Application, Program, ProgramStage
from core.dates import DAYS_PER_MONTH
from processing_times.figures import (  # noqa: F401 (estimates_generation_with: for the status page)
    ALL_COUNTRIES,
    MINIMUM_SAMPLE,
    estimates_generation_with,
)
from processing_times.models import (
    BacktestReport,
    ProcessingTimeSnapshot,
    QueueForecast,
    QueuePosition,
    StageDurationSnapshot,
)
from status_tracker.models import StageProgress


@dataclass(frozen=True)
class NormalProcessingTime:
    days: int
    from_percentile: bool  # False: too few recent decisions, so the service standard applies


def normal_processing_time(*, program: Program, snapshot: ProcessingTimeSnapshot | None) -> NormalProcessingTime:
    """The rule for "outside normal processing time", shared by the status page and the alerts.

    Normal is the published 80th percentile when it rests on enough decisions;
    otherwise the program's service standard.
    """
    if snapshot is not None and snapshot.sample_size >= MINIMUM_SAMPLE and snapshot.p80_days is not None:
        return NormalProcessingTime(days=math.ceil(snapshot.p80_days), from_percentile=True)
    return NormalProcessingTime(days=program.service_standard_days, from_percentile=False)


@dataclass(frozen=True)
class StageEstimate:
    snapshot: StageDurationSnapshot
    started_on: datetime.date | None = None  # when the file's current stage began
    today: datetime.date | None = None

    @property
    def enough_data(self) -> bool:
        return self.snapshot.sample_size >= MINIMUM_SAMPLE

    @property
    def days_in_stage(self) -> int | None:
        if self.started_on is None or self.today is None:
            return None
        return max(0, (self.today - self.started_on).days)

    @property
    def days_left(self) -> int | None:
        """Of the stages that had already lasted as long as this one, half were done within this many more days.

        The same question as for the whole file, asked of the stage: it takes the time already
        spent into account, so a stage past its usual length still gets an honest figure.
        """
        if not self.enough_data or self.days_in_stage is None:
            return None
        left = self.snapshot.days_left(spent=self.days_in_stage)
        if left is None and not self.snapshot.quantiles and self.snapshot.p50_days is not None:
            left = max(0.0, self.snapshot.p50_days - self.days_in_stage)  # a snapshot from before the percentiles
        return None if left is None else max(1, math.ceil(left))

    @property
    def longer_than_usual(self) -> bool:
        days = self.days_in_stage
        return (
            self.enough_data
            and days is not None
            and self.snapshot.p80_days is not None
            and (days > self.snapshot.p80_days)
        )


@dataclass(frozen=True)
class QueueEstimate:
    """The queue-aware, calibrated decision dates (processing_times.estimator) for one open file."""

    forecast: QueueForecast
    ahead: int
    likely_on: datetime.date  # median
    eight_in_ten_by: datetime.date  # 80th percentile
    nine_in_ten_by: datetime.date  # 90th percentile
    reach_final_stage_on: datetime.date | None  # likely start of the decision stage

    @property
    def widened(self) -> bool:
        return self.forecast.widened


@dataclass(frozen=True)
class Estimate:
    snapshot: ProcessingTimeSnapshot | None
    by_country: bool
    normal: NormalProcessingTime
    outside_normal_from: datetime.date
    overdue: bool
    window_start: datetime.date | None
    window_end: datetime.date | None
    people_ahead: int | None
    people_ahead_on: datetime.date | None
    projected_on: datetime.date | None
    stage: StageEstimate | None
    queue: QueueEstimate | None = None
    accuracy_on: datetime.date | None = None  # the latest backtest's date
    accuracy: dict | None = None  # its row for this file's program

    @property
    def enough_data(self) -> bool:
        return self.normal.from_percentile


FORECAST_FIELDS = (
    "computed_on",
    "pace_per_day",
    "factor_p50",
    "factor_p80",
    "factor_p90",
    "errors",
    "widened",
)


def _published_country(application: Application) -> str:
    """The country whose figures and line the file belongs to: its client's where times are per country."""
    return str(application.client.country_of_residence) if application.program.times_by_country else ALL_COUNTRIES


def _latest_time_snapshot(*, application: Application) -> tuple[ProcessingTimeSnapshot | None, bool]:
    """The latest snapshot for the client's country when it has enough decisions, else overall.

    The same query brings the file's place in its queue, its queue's latest forecast and
    the latest backtest's figures per program, as annotations.
    """
    country = _published_country(application)
    # The file's place in the queue comes with the snapshots (the nightly job writes both).
    position = QueuePosition.objects.filter(
        program_id=application.program_id, country=country, submitted_on=application.submitted_on
    )
    latest_forecast = QueueForecast.objects.filter(program_id=application.program_id, country=country).order_by(
        "-computed_on"
    )
    latest_report = BacktestReport.objects.order_by("-computed_on")
    forecast_fields = {f"forecast_{name}": Subquery(latest_forecast.values(name)[:1]) for name in FORECAST_FIELDS}
    candidates = list(
        ProcessingTimeSnapshot.objects.filter(program_id=application.program_id, country__in={country, ALL_COUNTRIES})
        .annotate(
            queue_ahead=Subquery(position.values("ahead")[:1]),
            queue_counted_on=Subquery(position.values("computed_on")[:1]),
            report_on=Subquery(latest_report.values("computed_on")[:1]),
            report_programs=Subquery(latest_report.values("programs")[:1], output_field=JSONField()),
            **forecast_fields,
        )
        .order_by("-computed_on")[:2]
    )
    if not candidates:
        return None, False
    latest_day = candidates[0].computed_on
    today = {snapshot.country: snapshot for snapshot in candidates if snapshot.computed_on == latest_day}
    own = today.get(country)
    if country and own is not None and own.sample_size >= MINIMUM_SAMPLE:
        return own, True
    return today.get(ALL_COUNTRIES) or candidates[0], False


def _stage_snapshots(*, application: Application) -> dict[int, StageDurationSnapshot]:
    """The latest durations of the file's current stage and of its program's last (decision) stage, one query.

    Each carries `started_at`: when this file began that stage, if it did.
    """
    final_stage = ProgramStage.objects.filter(program_id=application.program_id).order_by("-position")
    rows = list(
        StageDurationSnapshot.objects.filter(program_id=application.program_id)
        .filter(Q(stage_id=application.current_stage_id) | Q(stage_id=Subquery(final_stage.values("stage_id")[:1])))
        .annotate(
            started_at=Subquery(
                StageProgress.objects.filter(application_id=application.pk, stage_id=OuterRef("stage_id")).values(
                    "started_at"
                )[:1]
            ),
            final_stage_id=Subquery(final_stage.values("stage_id")[:1]),
        )
        .order_by("-computed_on")[:2]
    )
    if not rows:
        return {}
    latest = rows[0].computed_on
    return {row.stage_id: row for row in rows if row.computed_on == latest}


def _queue_estimate(
    *, snapshot: ProcessingTimeSnapshot | None, application: Application, today: datetime.date, final_stage_days
) -> QueueEstimate | None:
    """The calibrated decision dates, when the file's queue has a forecast and the file a count of files ahead."""
    if snapshot is None or getattr(snapshot, "forecast_pace_per_day", None) is None:
        return None
    ahead = getattr(snapshot, "queue_ahead", None)
    if ahead is None:
        return None
    forecast = QueueForecast(
        program_id=application.program_id,
        country=_published_country(application),
        **{name: getattr(snapshot, f"forecast_{name}") for name in FORECAST_FIELDS},
    )
    # Days count from the night the figures were made; a date already past becomes today.
    likely, eight_in_ten, nine_in_ten = (
        max(today, forecast.computed_on + datetime.timedelta(days=math.ceil(days)))
        for days in forecast.days_left(ahead=ahead)
    )
    reach_final = None
    if final_stage_days is not None and application.current_stage_id is not None:
        reach_final = max(today, likely - datetime.timedelta(days=math.floor(final_stage_days)))
    return QueueEstimate(
        forecast=forecast,
        ahead=ahead,
        likely_on=likely,
        eight_in_ten_by=max(likely, eight_in_ten),
        nine_in_ten_by=max(likely, nine_in_ten),
        reach_final_stage_on=reach_final,
    )


def estimate_for_application(*, application: Application) -> Estimate | None:
    """What we can honestly say about when this open application will be decided (at most two queries)."""
    if application.status == Application.Status.CLOSED:
        return None
    today = timezone.localdate()
    snapshot, by_country = _latest_time_snapshot(application=application)
    normal = normal_processing_time(program=application.program, snapshot=snapshot)
    outside_from = application.submitted_on + datetime.timedelta(days=normal.days)

    window_start = window_end = None
    if normal.from_percentile and snapshot.p50_days is not None and snapshot.p90_days is not None:
        window_start = max(today, application.submitted_on + datetime.timedelta(days=math.floor(snapshot.p50_days)))
        window_end = max(today, application.submitted_on + datetime.timedelta(days=math.ceil(snapshot.p90_days)))

    people_ahead = getattr(snapshot, "queue_ahead", None)
    people_ahead_on = getattr(snapshot, "queue_counted_on", None)
    projected_on = None
    if snapshot is not None and snapshot.monthly_output > 0 and people_ahead is not None:
        months = people_ahead / snapshot.monthly_output
        projected_on = (people_ahead_on or today) + datetime.timedelta(days=math.ceil(months * DAYS_PER_MONTH))

    stage = None
    final_stage_days = None
    if application.current_stage_id is not None:
        stages = _stage_snapshots(application=application)
        current = stages.get(application.current_stage_id)
        if current is not None:
            started = getattr(current, "started_at", None)
            stage = StageEstimate(
                snapshot=current,
                started_on=timezone.localtime(started).date() if started else None,
                today=today,
            )
        final = next((row for row in stages.values() if row.stage_id == getattr(row, "final_stage_id", None)), None)
        if final is not None and final.sample_size >= MINIMUM_SAMPLE and final.stage_id != application.current_stage_id:
            final_stage_days = final.p50_days

    queue = _queue_estimate(snapshot=snapshot, application=application, today=today, final_stage_days=final_stage_days)
    if queue is not None:
        window_start, window_end = queue.likely_on, queue.nine_in_ten_by
    report_programs = getattr(snapshot, "report_programs", None) or []
    accuracy = next((row for row in report_programs if row.get("code") == application.program.code), None)

    return Estimate(
        snapshot=snapshot,
        by_country=by_country,
        normal=normal,
        outside_normal_from=outside_from,
        overdue=today > outside_from,
        window_start=window_start,
        window_end=window_end,
        people_ahead=people_ahead,
        people_ahead_on=people_ahead_on,
        projected_on=projected_on,
        stage=stage,
        queue=queue,
        accuracy_on=getattr(snapshot, "report_on", None),
        accuracy=accuracy,
    )
