"""Admin for notifications: failed rows are easy to find and can be retried; everything else is read-only."""

from django.urls import reverse

from notifications.models import Notification, NotificationPreference, State
from tests.factories import sign_in_with_second_step
from tests.notifications_support import make_notification

CHANGELIST = "admin:notifications_notification_changelist"


def test_failed_rows_are_one_filter_away(client, admin_user, applicant, applicant_application):
    failed = make_notification(
        recipient=applicant, application=applicant_application, state=State.FAILED, last_error="400 bad address"
    )
    make_notification(recipient=applicant, application=applicant_application, state=State.SENT)
    sign_in_with_second_step(client, admin_user)
    page = client.get(reverse(CHANGELIST), {"state__exact": "failed"}).text
    assert page.count('name="_selected_action"') == 1
    assert f'value="{failed.pk}"' in page


def test_search_by_reference_email_or_number_and_nonsense_is_harmless(
    client, admin_user, applicant, applicant_application
):
    row = make_notification(recipient=applicant, application=applicant_application)
    sign_in_with_second_step(client, admin_user)
    for term in (str(row.reference), "applicant@example", applicant_application.number):
        page = client.get(reverse(CHANGELIST), {"q": term}).text
        assert page.count('name="_selected_action"') == 1, term
    response = client.get(reverse(CHANGELIST), {"q": "not-a-uuid'"})
    assert response.status_code == 200
    assert 'name="_selected_action"' not in response.text


def test_retry_now_resets_failed_rows_only_and_enqueues_after_commit(
    client, admin_user, applicant, applicant_application, django_capture_on_commit_callbacks, monkeypatch
):
    from notifications import dispatch

    enqueued = []
    monkeypatch.setattr(dispatch, "delivery_enqueue", lambda *, notification_ids: enqueued.extend(notification_ids))
    failed = make_notification(
        recipient=applicant, application=applicant_application, state=State.FAILED, attempts=12, last_error="503"
    )
    sent = make_notification(recipient=applicant, application=applicant_application, state=State.SENT)
    sign_in_with_second_step(client, admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse(CHANGELIST), {"action": "retry_now", "_selected_action": [failed.pk, sent.pk]}, follow=True
        )
    assert "Notifications to send again: 1." in response.text
    assert enqueued == [failed.pk]
    failed.refresh_from_db()
    sent.refresh_from_db()
    assert (failed.state, failed.next_attempt_at, failed.attempts) == (State.PENDING, None, 12)
    assert sent.state == State.SENT


def test_rows_cannot_be_added_or_edited_in_admin(client, admin_user, applicant, applicant_application):
    row = make_notification(recipient=applicant, application=applicant_application)
    sign_in_with_second_step(client, admin_user)
    assert client.get(reverse("admin:notifications_notification_add")).status_code == 403
    url = reverse("admin:notifications_notification_change", args=[row.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert 'name="state"' not in page.text
    client.post(url, {"state": "sent"})
    assert Notification.objects.get(pk=row.pk).state == State.PENDING


def test_preferences_are_listed_and_searchable(client, admin_user, applicant):
    NotificationPreference.objects.create(user=applicant, daily_digest=True)
    sign_in_with_second_step(client, admin_user)
    page = client.get(reverse("admin:notifications_notificationpreference_changelist"), {"q": "applicant@"}).text
    assert "applicant@example.com" in page
