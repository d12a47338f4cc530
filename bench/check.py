"""Prove the bulk load right: feed sampled histories to events_ingest one event at a time and compare.

The load replays its events through status_tracker.state in bulk (bench.replay);
here a twin of each sampled application receives the same events through the real
writer, as the upstream API would send them, and must end in the same state.
"""

import random

from django.db import connection, transaction

from applications.models import Application
from bench.load import APPLICATION_COUNT, BENCH_APPLICATION_NUMBER
from status_tracker.events import EventIn
from status_tracker.ingest import ItemResult, events_ingest
from status_tracker.models import Decision, StageProgress, StatusEvent

TWIN_PREFIX = "twin-"
# What events_ingest keeps of a file besides its history; status_source_id is compared apart (ids differ).
COMPARED_COLUMNS = (
    "status",
    "outcome",
    "decided_on",
    "status_since",
    "current_stage_id",
    "last_updated_at",
    "last_event_at",
)


def load_check(*, sample: int = 200, seed: int = 1) -> tuple[int, int]:
    """Replay the benchmark application and `sample` random ones through events_ingest and compare.

    The twin's status columns, StageProgress rows and Decision (outcome, time,
    event) must equal the loaded ones. Everything is rolled back. Returns
    (checked, mismatches).
    """
    chooser = random.Random(seed)
    with connection.cursor() as cursor:
        cursor.execute("SELECT id FROM applications_application WHERE number = %s", [BENCH_APPLICATION_NUMBER])
        ids = [cursor.fetchone()[0]]
    ids += chooser.sample(range(1, APPLICATION_COUNT + 1), sample)
    mismatches = 0
    with transaction.atomic():
        for application in Application.objects.filter(pk__in=ids):
            twin, rejections = _twin_replay(application)
            loaded, replayed = _kept_state(application), _kept_state(twin, id_prefix=TWIN_PREFIX)
            differences = [name for name in loaded if loaded[name] != replayed[name]] + rejections
            if differences:
                mismatches += 1
                print(f"  mismatch on {application.number}: {'; '.join(differences)}")
        transaction.set_rollback(True)
    return len(set(ids)), mismatches


def _twin_replay(application: Application) -> tuple[Application, list[str]]:
    """A new application fed the original's stored events, one call each, in arrival order; and any rejections."""
    twin = Application.objects.create(
        number=f"TWIN{application.pk}",
        client_id=application.client_id,
        program_id=application.program_id,
        submitted_on=application.submitted_on,
    )
    rejections = []
    for event in StatusEvent.objects.filter(application=application).select_related("stage").order_by("id"):
        incoming = EventIn(
            event_id=f"{TWIN_PREFIX}{event.source_id}",
            application_number=twin.number,
            occurred_at=event.occurred_at,
            kind=event.kind,
            stage=event.stage.code if event.stage else "",
            state=event.state,
            status=event.status,
            outcome=event.outcome,
            message_en=event.message_en,
            message_fr=event.message_fr,
            visible_to_client=event.visible_to_client,
        )
        (item,) = events_ingest(events=[incoming], notify=False)
        if item.result in (ItemResult.REJECTED, ItemResult.DUPLICATE):
            rejections.append(f"{event.source_id} {item.result}: {item.reason}")
    return twin, rejections


def _kept_state(application: Application, *, id_prefix: str = "") -> dict[str, object]:
    """The status columns, stage rows and decision of a file, with event ids stripped of `id_prefix`."""
    application.refresh_from_db()
    kept: dict[str, object] = {name: getattr(application, name) for name in COMPARED_COLUMNS}
    kept["status_source_id"] = application.status_source_id.removeprefix(id_prefix)
    kept["stage_progress"] = sorted(
        (stage_id, state, started_at, finished_at, state_since, source_id.removeprefix(id_prefix))
        for stage_id, state, started_at, finished_at, state_since, source_id in StageProgress.objects.filter(
            application=application
        ).values_list("stage_id", "state", "started_at", "finished_at", "state_since", "state_source_id")
    )
    decision = (
        Decision.objects.filter(application=application)
        .values_list("outcome", "decided_at", "event__source_id")
        .first()
    )
    kept["decision"] = decision and (decision[0], decision[1], (decision[2] or "").removeprefix(id_prefix))
    return kept
