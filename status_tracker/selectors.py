"""Reads for the status page and the list of my applications; constant query counts."""

import datetime
from dataclasses import dataclass

from django.db.models import QuerySet

from applications.models import Application, ProgramStage, Stage
from status_tracker.models import StageProgress, StageState, StatusEvent


@dataclass(frozen=True)
class StageRow:
    stage: Stage
    position: int
    state: str
    state_label: str
    started_at: datetime.datetime | None
    finished_at: datetime.datetime | None

    @property
    def waiting_on_client(self) -> bool:
        return self.state == StageState.WAITING_ON_CLIENT


def stages_for_application(*, application: Application) -> list[StageRow]:
    """Every stage of the program in order, with its current state (two queries)."""
    progress = {row.stage_id: row for row in StageProgress.objects.filter(application=application)}
    rows = []
    for program_stage in ProgramStage.objects.filter(program_id=application.program_id).select_related("stage"):
        current = progress.get(program_stage.stage_id)
        state = current.state if current else StageState.NOT_STARTED
        rows.append(
            StageRow(
                stage=program_stage.stage,
                position=program_stage.position,
                state=state,
                state_label=str(StageState(state).label),
                started_at=current.started_at if current else None,
                finished_at=current.finished_at if current else None,
            )
        )
    return rows


def timeline_for_application(*, application: Application) -> QuerySet[StatusEvent]:
    """The client-visible history, newest first (one query)."""
    return (
        StatusEvent.objects.filter(application=application, visible_to_client=True)
        .select_related("stage")
        .order_by("-occurred_at", "-id")
    )
