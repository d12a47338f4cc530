"""The personal estimate on a status page, read from the nightly snapshots (at most two queries)."""

import datetime
import math
from dataclasses import dataclass

from django.db.models import Subquery
from django.utils import timezone

from applications.models import Application, Program
from core.dates import DAYS_PER_MONTH
from processing_times.figures import ALL_COUNTRIES, MINIMUM_SAMPLE, estimates_generation  # noqa: F401 (for pages)
from processing_times.models import ProcessingTimeSnapshot, QueuePosition, StageDurationSnapshot


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

    @property
    def enough_data(self) -> bool:
        return self.snapshot.sample_size >= MINIMUM_SAMPLE


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

    @property
    def enough_data(self) -> bool:
        return self.normal.from_percentile


def _latest_time_snapshot(*, application: Application) -> tuple[ProcessingTimeSnapshot | None, bool]:
    """The latest snapshot for the client's country when it has enough decisions, else overall."""
    country = str(application.client.country_of_residence) if application.program.times_by_country else ALL_COUNTRIES
    # The file's place in the queue comes with the snapshots (the nightly job writes both).
    position = QueuePosition.objects.filter(program_id=application.program_id, submitted_on=application.submitted_on)
    candidates = list(
        ProcessingTimeSnapshot.objects.filter(program_id=application.program_id, country__in={country, ALL_COUNTRIES})
        .annotate(
            queue_ahead=Subquery(position.values("ahead")[:1]),
            queue_counted_on=Subquery(position.values("computed_on")[:1]),
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


def estimate_for_application(*, application: Application) -> Estimate | None:
    """What we can honestly say about when this open application will be decided."""
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
    if application.current_stage_id is not None:
        stage_snapshot = (
            StageDurationSnapshot.objects.filter(
                program_id=application.program_id, stage_id=application.current_stage_id
            )
            .order_by("-computed_on")
            .first()
        )
        if stage_snapshot is not None:
            stage = StageEstimate(snapshot=stage_snapshot)

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
    )
