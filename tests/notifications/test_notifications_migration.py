"""notifications 0002-0004: rows that pointed at a status event get its key and wording, and back again."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests.factories import ApplicationFactory, UserFactory
from tests.notifications_support import make_event

BEFORE = [("notifications", "0001_initial")]
AFTER = [("notifications", "0004_notification_once_per_key")]


@pytest.fixture
def reference_data(transactional_db):
    """A transactional test empties the tables after each test: load the programs and stages again."""
    from applications.models import Program, ProgramStage, Stage
    from applications.reference_data import reference_data_load

    reference_data_load(stage_model=Stage, program_model=Program, program_stage_model=ProgramStage)


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_old_rows_are_filled_from_their_event_and_can_go_back(reference_data):
    person = UserFactory()
    application = ApplicationFactory()
    stage = make_event(application=application, message_en="Started.", message_fr="Commencé.")
    decision = make_event(application=application, kind="decision", outcome="refused", message_en="Refused: x")
    old = migrate(BEFORE)
    Notification = old.get_model("notifications", "Notification")

    def row(**fields):
        return Notification.objects.create(recipient_id=person.pk, application_id=application.pk, **fields).pk

    by_stage = row(event_id=stage.pk, kind="status_change", channel="email")
    by_decision = row(event_id=decision.pk, kind="decision", channel="email")
    overdue = row(kind="overdue", channel="in_app")
    plain = row(kind="status_change", channel="in_app")
    try:
        new = migrate(AFTER)
        rows = new.get_model("notifications", "Notification").objects.in_bulk()
        assert (rows[by_stage].dedupe_key, rows[by_stage].message_en, rows[by_stage].message_fr) == (
            f"status_event:{stage.pk}",
            "Started.",
            "Commencé.",
        )
        assert rows[by_stage].message_in_email is True
        assert (rows[by_decision].message_en, rows[by_decision].message_in_email) == ("Refused: x", False)
        assert rows[overdue].dedupe_key == f"overdue:{application.pk}"
        assert (rows[plain].dedupe_key, rows[plain].message_en) == ("", "")

        back = migrate(BEFORE).get_model("notifications", "Notification").objects.in_bulk()
        assert (back[by_stage].event_id, back[by_decision].event_id, back[overdue].event_id) == (
            stage.pk,
            decision.pk,
            None,
        )
    finally:
        migrate(AFTER)
