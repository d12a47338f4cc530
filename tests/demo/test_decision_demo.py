"""The demo's decided files have decisions, so the decision page shows something real; seeding stays idempotent."""

import io

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.urls import reverse

from applications.models import Application
from demo import people
from status_tracker.models import Decision

pytestmark = pytest.mark.django_db


def seed() -> None:
    # The command refuses to run without DEBUG, which pytest-django turns off.
    with override_settings(DEBUG=True):
        call_command("seed_demo", "--history", "0", stdout=io.StringIO())


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """Seed once for the module inside a transaction rolled back at the end (as tests/demo/test_seed_demo.py)."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            seed()
            yield
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def decisions_snapshot():
    return sorted(
        (
            decision.application.number,
            decision.outcome,
            decision.decided_at,
            decision.made_in_canada,
            decision.officer_notes,
            decision.updated_at,
            tuple(sorted(ground.code for ground in decision.grounds.all())),
        )
        for decision in Decision.objects.select_related("application").prefetch_related("grounds")
    )


def test_every_decided_demo_file_has_a_decision_with_its_outcome(seeded):
    closed = Application.objects.filter(status=Application.Status.CLOSED)
    assert closed.exists()
    for application in closed.select_related("decision"):
        assert application.decision.outcome == application.outcome
        refused = application.outcome == Application.Outcome.REFUSED
        assert application.decision.grounds.exists() == refused, application.number


def test_the_demo_applicants_refusal_has_two_grounds_and_redacted_notes(seeded):
    decision = Decision.objects.get(
        application__links__account__email=people.DEMO_EMAIL, outcome=Application.Outcome.REFUSED
    )
    assert decision.grounds.count() == 2
    assert "[REDACTED]" in decision.officer_notes
    assert "█" in decision.officer_notes
    assert "\n" in decision.officer_notes
    assert decision.made_in_canada is False  # decided by the visa office in Paris
    assert Decision.objects.filter(
        application__links__account__email=people.DEMO_EMAIL, outcome=Application.Outcome.APPROVED
    ).exists()


def test_running_the_seed_again_leaves_the_decisions_untouched(seeded):
    before = decisions_snapshot()
    seed()
    assert decisions_snapshot() == before


def test_the_demo_applicant_can_read_both_decisions(client, seeded):
    assert client.login(email=people.DEMO_EMAIL, password=people.DEMO_PASSWORD)
    for application in Application.objects.filter(
        links__account__email=people.DEMO_EMAIL, status=Application.Status.CLOSED
    ):
        response = client.get(reverse("applications:decision", kwargs={"number": application.number}))
        assert response.status_code == 200
        if application.outcome == Application.Outcome.REFUSED:
            assert "[REDACTED]" in response.text
            assert "so the law allows 60 days" in response.text
