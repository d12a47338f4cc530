"""Reads for the status page and the list of my applications; constant query counts."""

import datetime
from dataclasses import dataclass

from django.db.models import OuterRef, QuerySet, Subquery

from applications.models import Application, ProgramStage, Stage
from status_tracker.models import Decision, StageProgress, StageState, StatusEvent


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
    """Every stage of the program in order, with its current state (one query).

    The file's progress on each stage is read with the program's stages, through its
    unique (application, stage) index.
    """
    progress = StageProgress.objects.filter(application_id=application.pk, stage_id=OuterRef("stage_id"))
    rows = []
    program_stages = (
        ProgramStage.objects.filter(program_id=application.program_id)
        .select_related("stage")
        .annotate(
            progress_state=Subquery(progress.values("state")[:1]),
            progress_started_at=Subquery(progress.values("started_at")[:1]),
            progress_finished_at=Subquery(progress.values("finished_at")[:1]),
        )
    )
    for program_stage in program_stages:
        state = program_stage.progress_state or StageState.NOT_STARTED
        rows.append(
            StageRow(
                stage=program_stage.stage,
                position=program_stage.position,
                state=state,
                state_label=str(StageState(state).label),
                started_at=program_stage.progress_started_at,
                finished_at=program_stage.progress_finished_at,
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


@dataclass(frozen=True)
class ClientStatus:
    """The overall status as the client may see it: a decision not yet released does not show."""

    status: str
    outcome: str = ""
    decided_on: datetime.date | None = None
    decision: Decision | None = None  # the released decision, when there is one

    @property
    def closed(self) -> bool:
        return self.status == Application.Status.CLOSED

    @property
    def status_label(self) -> str:
        return str(Application.Status(self.status).label)

    @property
    def outcome_label(self) -> str:
        return str(Application.Outcome(self.outcome).label) if self.outcome else ""


def client_status_for(*, application: Application) -> ClientStatus:
    """What the client's pages show as the file's status, outcome and decision date.

    A file closed by an unreleased decision shows as still in progress, with no outcome
    and no date, until a visible decision event releases it. Reads the decision of a
    closed file once (none when it came with `select_related("decision")`).
    """
    if application.status != Application.Status.CLOSED:
        return ClientStatus(status=application.status)
    try:
        decision: Decision | None = application.decision
    except Decision.DoesNotExist:
        # Closed before the portal kept decisions: the file's own outcome is all there is.
        decision = None
    if decision is not None and not decision.released:
        return ClientStatus(status=Application.Status.IN_PROGRESS)
    return ClientStatus(
        status=application.status, outcome=application.outcome, decided_on=application.decided_on, decision=decision
    )
