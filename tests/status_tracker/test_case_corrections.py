"""One writer of case status: admin cannot edit status or decisions; corrections go through ingestion."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from applications.models import Application
from core.models import AuditAction, AuditEvent
from notifications.models import Notification
from status_tracker.events import EventIn
from status_tracker.ingest import ItemResult, events_ingest
from status_tracker.models import Decision, EventKind, RefusalGround, StatusEvent
from tests.factories import ApplicationFactory, sign_in, sign_in_with_second_step
from tests.portal.test_admin import admin_url, posted_back


def correct_url(application) -> str:
    return reverse("admin:applications_application_correct", args=[application.pk])


def correction(**changes) -> dict:
    data = {
        "new_state": "approved",
        "occurred_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "reason": "The decision was recorded upstream but the event never arrived.",
        "notes": "",
        "made_in_canada": "unknown",
    }
    data.update(changes)
    return data


def test_the_application_change_form_cannot_close_a_file(admin_client, applicant_application):
    url = admin_url(Application, "change", applicant_application.pk)
    data = posted_back(
        admin_client.get(url), status="closed", outcome="approved", decided_on=timezone.localdate().isoformat()
    )
    assert admin_client.post(url, data).status_code == 302
    applicant_application.refresh_from_db()
    assert (applicant_application.status, applicant_application.outcome) == (Application.Status.RECEIVED, "")
    assert applicant_application.decided_on is None


def test_the_change_form_shows_status_and_decision_as_read_only(admin_client, applicant_application):
    response = admin_client.get(admin_url(Application, "change", applicant_application.pk))
    form_fields = response.context["adminform"].form.fields
    assert not {"status", "outcome", "decided_on"} & set(form_fields)
    assert correct_url(applicant_application) in response.content.decode()


def test_a_correction_is_an_event_that_tells_the_client_and_is_audited(admin_client, admin_user, applicant_application):
    response = admin_client.post(correct_url(applicant_application), correction(), REMOTE_ADDR="192.0.2.44")
    assert response.status_code == 302
    applicant_application.refresh_from_db()
    assert applicant_application.status == Application.Status.CLOSED
    assert applicant_application.outcome == Application.Outcome.APPROVED
    assert applicant_application.decided_on == timezone.localdate()
    assert applicant_application.status_since is not None
    event = StatusEvent.objects.get(application=applicant_application)
    assert event.kind == EventKind.DECISION and event.source_id.startswith("correction-")
    assert Decision.objects.get(application=applicant_application).event == event
    assert Notification.objects.filter(application=applicant_application, kind="decision").exists()
    audit = AuditEvent.objects.get(action=AuditAction.CASE_CORRECTED)
    assert audit.actor == admin_user
    assert audit.case_number == applicant_application.number
    assert audit.extra["reason"].startswith("The decision was recorded upstream")
    assert audit.extra["event_id"] == event.source_id
    assert audit.ip_address == "192.0.2.44"


def test_an_upstream_event_older_than_a_correction_does_not_reopen_the_file(admin_client, applicant_application):
    admin_client.post(correct_url(applicant_application), correction(new_state="refused"))
    older = EventIn(
        event_id="upstream-late-1",
        application_number=applicant_application.number,
        occurred_at=timezone.now() - datetime.timedelta(days=29),
        kind=EventKind.STATUS,
        status=Application.Status.IN_PROGRESS,
    )
    (item,) = events_ingest(events=[older])
    assert item.result == ItemResult.OUT_OF_ORDER
    applicant_application.refresh_from_db()
    assert applicant_application.status == Application.Status.CLOSED
    assert applicant_application.outcome == Application.Outcome.REFUSED


def test_a_refusal_correction_carries_grounds_and_notes(admin_client, applicant_application):
    ground = RefusalGround.objects.filter(active=True).order_by("code").first()
    data = correction(new_state="refused", grounds=[ground.code], notes="Notes as released [REDACTED].")
    assert admin_client.post(correct_url(applicant_application), data).status_code == 302
    decision = Decision.objects.get(application=applicant_application)
    assert list(decision.grounds.values_list("code", flat=True)) == [ground.code]
    assert decision.officer_notes == "Notes as released [REDACTED]."


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"reason": ""}, "reason"),
        ({"new_state": "closed"}, "new_state"),
        ({"occurred_at": "2999-01-01T10:00"}, "occurred_at"),
        ({"occurred_at": "2001-01-01T10:00"}, "occurred_at"),
        ({"new_state": "in_progress", "notes": "Some notes."}, "notes"),
    ],
)
def test_a_bad_correction_is_explained_and_changes_nothing(admin_client, applicant_application, changes, field):
    response = admin_client.post(correct_url(applicant_application), correction(**changes))
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not StatusEvent.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditAction.CASE_CORRECTED).exists()


def test_grounds_are_refused_for_an_approval(admin_client, applicant_application):
    ground = RefusalGround.objects.filter(active=True).first()
    response = admin_client.post(correct_url(applicant_application), correction(grounds=[ground.code]))
    assert response.status_code == 400
    assert "grounds" in response.context["form"].errors


def test_a_correction_dated_before_the_current_status_is_explained(admin_client, applicant_application):
    admin_client.post(correct_url(applicant_application), correction())
    earlier = (timezone.localtime() - datetime.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    response = admin_client.post(
        correct_url(applicant_application), correction(new_state="in_progress", occurred_at=earlier)
    )
    assert response.status_code == 400
    assert "last set at" in str(response.context["form"].errors["occurred_at"])


def test_staff_who_may_only_read_cannot_correct(client, staff_user, applicant_application):
    sign_in_with_second_step(client, staff_user)
    assert client.get(correct_url(applicant_application)).status_code == 403
    assert client.post(correct_url(applicant_application), correction()).status_code == 403
    applicant_application.refresh_from_db()
    assert applicant_application.status == Application.Status.RECEIVED


def test_the_admin_action_leads_to_the_correction_page_for_one_application(admin_client, applicant_application):
    other = ApplicationFactory()
    changelist = admin_url(Application, "changelist")
    one = admin_client.post(changelist, {"action": "correct_selected", "_selected_action": [applicant_application.pk]})
    assert one.status_code == 302 and one["Location"] == correct_url(applicant_application)
    two = admin_client.post(
        changelist, {"action": "correct_selected", "_selected_action": [applicant_application.pk, other.pk]}
    )
    assert two.status_code == 302 and two["Location"] != correct_url(applicant_application)


def test_decisions_are_read_only_in_admin(admin_client, applicant_application):
    admin_client.post(correct_url(applicant_application), correction(new_state="refused"))
    decision = Decision.objects.get(application=applicant_application)
    response = admin_client.get(admin_url(Decision, "change", decision.pk))
    assert response.status_code == 200
    assert not response.context["adminform"].form.fields
    assert correct_url(applicant_application) in response.content.decode()


@pytest.mark.parametrize("persona", ["anonymous", "applicant", "other_applicant"])
def test_people_who_are_not_staff_are_sent_to_sign_in_and_change_nothing(
    client, request, persona, applicant_application
):
    if persona != "anonymous":
        sign_in(client, request.getfixturevalue(persona))
    for response in (
        client.get(correct_url(applicant_application)),
        client.post(correct_url(applicant_application), correction()),
    ):
        assert response.status_code == 302
        assert "/login/" in response["Location"]
    applicant_application.refresh_from_db()
    assert applicant_application.status == Application.Status.RECEIVED
    assert not StatusEvent.objects.exists()


def test_a_correction_for_a_file_that_does_not_exist_is_a_404(admin_client):
    assert admin_client.get(reverse("admin:applications_application_correct", args=[999999])).status_code == 404


@pytest.mark.parametrize("object_id", ["not-a-number", "99999999999999999999999", "-1"])
def test_a_correction_address_that_is_not_a_file_id_is_a_404(admin_client, object_id):
    assert admin_client.get(f"/en/admin/applications/application/{object_id}/correct/").status_code == 404
