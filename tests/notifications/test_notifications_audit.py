"""Changing notification preferences, on the page or by the unsubscribe link, is audited with the change."""

import pytest
from django.urls import reverse
from django.utils import translation

from core.models import AuditAction, AuditEvent
from notifications.content import unsubscribe_token
from notifications.models import NotificationPreference
from tests.factories import sign_in_with_second_step


def audits():
    return AuditEvent.objects.filter(action=AuditAction.PREFERENCES_CHANGED).order_by("id")


def unsubscribe_url(user):
    with translation.override("en"):
        return reverse("notifications:unsubscribe", args=[unsubscribe_token(user_id=user.pk)])


def test_saving_the_form_records_who_changed_which_fields(client, applicant):
    client.force_login(applicant)
    response = client.post(
        reverse("notifications:preferences"),
        {
            "email_status_change": "on",
            "email_action_required": "on",
            "email_overdue": "on",
            "email_enquiry_answered": "on",
            "phone_number": "613-555-0199",
            "sms_decision": "on",
        },
    )
    assert response.status_code == 302
    (audit,) = audits()
    assert (audit.actor, audit.subject_type, audit.subject_id) == (
        applicant,
        "notification_preference",
        str(applicant.pk),
    )
    assert sorted(audit.extra["changed"]) == ["email_decision", "phone_number", "sms_decision"]
    assert audit.ip_address == "127.0.0.1"


def test_saving_the_same_choices_again_records_nothing_new(client, applicant):
    client.force_login(applicant)
    choices = {"email_decision": "on", "daily_digest": "on"}
    client.post(reverse("notifications:preferences"), choices)
    client.post(reverse("notifications:preferences"), choices)
    assert audits().count() == 1


def test_a_refused_form_records_nothing(client, applicant):
    client.force_login(applicant)
    assert client.post(reverse("notifications:preferences"), {"sms_decision": "on"}).status_code == 400
    assert not audits().exists()


def test_the_preferences_and_their_audit_are_saved_together(client, applicant, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("audit store unavailable")

    monkeypatch.setattr("notifications.services.audit_record", broken)
    client.force_login(applicant)
    with pytest.raises(RuntimeError):
        client.post(reverse("notifications:preferences"), {"email_decision": "on"})
    assert not NotificationPreference.objects.filter(user=applicant).exists()


def test_the_unsubscribe_link_records_the_emails_it_turned_off_without_an_actor(client, applicant):
    NotificationPreference.objects.create(user=applicant, email_overdue=False, daily_digest=True)

    assert client.post(unsubscribe_url(applicant)).status_code == 200

    (audit,) = audits()
    assert (audit.actor, audit.subject_id) == (None, str(applicant.pk))
    assert sorted(audit.extra["changed"]) == [
        "daily_digest",
        "email_action_required",
        "email_decision",
        "email_enquiry_alert",
        "email_enquiry_answered",
        "email_status_change",
    ]
    client.post(unsubscribe_url(applicant))
    assert audits().count() == 1  # nothing left to turn off


def test_opening_the_unsubscribe_link_records_nothing(client, applicant):
    client.get(unsubscribe_url(applicant))
    assert not audits().exists()


def test_a_change_made_in_admin_is_audited_with_the_staff_member(client, admin_user, applicant):
    from django.urls import reverse

    from core.models import AuditAction, AuditEvent
    from notifications.models import NotificationPreference

    preference = NotificationPreference.objects.create(user=applicant)
    sign_in_with_second_step(client, admin_user)
    url = reverse("admin:notifications_notificationpreference_change", args=[preference.pk])
    data = {
        "user": applicant.pk,
        "email_status_change": "on",
        "email_action_required": "on",
        "email_decision": "on",
        "email_enquiry_answered": "on",
        "email_enquiry_alert": "on",
        "phone_number": "",
        "daily_digest": "on",
    }
    assert client.post(url, data).status_code == 302
    preference.refresh_from_db()
    assert preference.daily_digest and not preference.email_overdue
    event = AuditEvent.objects.get(action=AuditAction.PREFERENCES_CHANGED)
    assert event.actor == admin_user
    assert sorted(event.extra["changed"]) == ["daily_digest", "email_overdue"]
