"""Delivery of email and SMS rows through the real GC Notify client to the local fake, over HTTP."""

import datetime
import json
import time
import urllib.request

import pytest
import time_machine
from django.utils import timezone

from notifications import provider
from notifications.models import Channel, Kind, Notification, State
from notifications.services import (
    Outcome,
    claim_lease,
    digests_create,
    notification_deliver,
    notifications_due,
    retry_delay,
)
from tests.notifications_support import make_event, make_notification, running_fake_notify


@pytest.fixture(scope="module")
def fake_server():
    with running_fake_notify() as running:
        yield running


@pytest.fixture
def fake(fake_server, settings):
    base_url, store = fake_server
    store.reset()
    settings.NOTIFY_BASE_URL = base_url
    settings.SITE_URL = "https://portal.example.gc.ca"
    return store


@pytest.fixture
def email_row(applicant, applicant_application):
    event = make_event(application=applicant_application)
    return make_notification(recipient=applicant, application=applicant_application, event=event)


def test_an_email_reaches_the_provider_once_and_the_row_is_sent(fake, email_row):
    assert notification_deliver(notification_id=email_row.pk) == Outcome.SENT

    email_row.refresh_from_db()
    (message,) = fake.messages()
    assert email_row.state == State.SENT
    assert email_row.provider_id == message["id"]
    assert email_row.sent_at is not None
    assert email_row.attempts == 1
    assert message["reference"] == str(email_row.reference)
    assert message["email_address"] == "applicant@example.com"
    assert email_row.application.number in message["subject"]
    assert "https://portal.example.gc.ca/en/applications/" in message["body"]
    # The fake renders HTML from the text, as GC Notify does.
    assert '<a href="https://portal.example.gc.ca/en/applications/' in message["html"]


def test_delivering_the_same_row_twice_sends_one_message(fake, email_row):
    assert notification_deliver(notification_id=email_row.pk) == Outcome.SENT
    assert notification_deliver(notification_id=email_row.pk) == Outcome.SKIPPED
    assert len(fake.messages()) == 1


def test_a_row_left_sending_after_its_message_got_through_is_marked_sent_without_a_second_send(fake, email_row):
    # A worker sent the message, then died before recording it.
    provider_id = provider.send_email(
        address=email_row.address, subject="s", body="b", language="en", reference=str(email_row.reference)
    )
    stale = timezone.now() - claim_lease() - datetime.timedelta(seconds=1)
    Notification.objects.filter(pk=email_row.pk).update(state=State.SENDING, claimed_at=stale, attempts=1)

    assert email_row.pk in notifications_due()
    assert notification_deliver(notification_id=email_row.pk) == Outcome.SENT

    email_row.refresh_from_db()
    assert email_row.state == State.SENT
    assert email_row.provider_id == provider_id
    assert len(fake.messages()) == 1


def test_a_row_left_sending_whose_message_never_arrived_is_sent(fake, email_row):
    stale = timezone.now() - claim_lease() - datetime.timedelta(seconds=1)
    Notification.objects.filter(pk=email_row.pk).update(state=State.SENDING, claimed_at=stale, attempts=1)

    assert notification_deliver(notification_id=email_row.pk) == Outcome.SENT
    assert len(fake.messages()) == 1


def test_a_row_another_worker_is_sending_right_now_is_left_alone(fake, email_row):
    Notification.objects.filter(pk=email_row.pk).update(state=State.SENDING, claimed_at=timezone.now(), attempts=1)

    assert notification_deliver(notification_id=email_row.pk) == Outcome.SKIPPED
    assert fake.messages() == []
    assert email_row.pk not in notifications_due()


def test_a_server_error_schedules_a_retry_that_looks_up_the_reference_first(fake, email_row):
    fake.fail_next(status=500, count=1)
    before = timezone.now()
    assert notification_deliver(notification_id=email_row.pk) == Outcome.RETRY

    email_row.refresh_from_db()
    assert email_row.state == State.PENDING
    assert email_row.attempts == 1
    assert "500" in email_row.last_error
    # First retry after about 30 seconds (±20 % jitter).
    assert before + datetime.timedelta(seconds=23) < email_row.next_attempt_at < before + datetime.timedelta(seconds=37)
    # Not due yet: neither a worker nor the sweeper touches it.
    assert notification_deliver(notification_id=email_row.pk) == Outcome.SKIPPED
    assert email_row.pk not in notifications_due()

    with time_machine.travel(email_row.next_attempt_at + datetime.timedelta(seconds=1), tick=False):
        assert email_row.pk in notifications_due()
        assert notification_deliver(notification_id=email_row.pk) == Outcome.SENT
    email_row.refresh_from_db()
    assert email_row.attempts == 2
    assert email_row.last_error == ""
    assert len(fake.messages()) == 1


def test_rate_limiting_and_time_outs_are_temporary(fake, email_row, settings):
    fake.fail_next(status=429, count=1)
    assert notification_deliver(notification_id=email_row.pk) == Outcome.RETRY

    # The fake answers after 1.5 s; the client gives up after 0.5 s.
    settings.NOTIFY_TIMEOUT_SECONDS = 0.5
    fake.fail_next(status=201, count=1, delay=1.5)
    Notification.objects.filter(pk=email_row.pk).update(next_attempt_at=None)
    assert notification_deliver(notification_id=email_row.pk) == Outcome.RETRY
    email_row.refresh_from_db()
    assert email_row.state == State.PENDING
    assert "503" in email_row.last_error  # the client reports no answer as a 503


def test_the_backoff_doubles_up_to_half_an_hour():
    for attempts, expected in [(1, 30), (2, 60), (3, 120), (5, 480), (7, 1800), (12, 1800)]:
        delay = retry_delay(attempts=attempts).total_seconds()
        assert expected * 0.8 <= delay <= expected * 1.2, (attempts, delay)


def test_temporary_failures_turn_into_a_failure_after_four_hours(fake, email_row):
    fake.fail_next(status=503, count=100)
    created = email_row.created_at
    attempts_seen = 0
    now = created
    # Follow the schedule: every attempt at its due time, until the row gives up.
    while True:
        with time_machine.travel(now, tick=False):
            outcome = notification_deliver(notification_id=email_row.pk)
        attempts_seen += 1
        email_row.refresh_from_db()
        if outcome == Outcome.FAILED:
            break
        assert outcome == Outcome.RETRY
        assert email_row.next_attempt_at - now <= datetime.timedelta(minutes=36)
        now = email_row.next_attempt_at
        assert attempts_seen < 40
    assert email_row.state == State.FAILED
    assert now - created >= datetime.timedelta(hours=4)
    assert now - created < datetime.timedelta(hours=4, minutes=40)
    assert "503" in email_row.last_error
    assert 10 <= attempts_seen <= 20
    assert fake.messages() == []
    assert email_row.pk not in notifications_due(now=now + datetime.timedelta(days=1))


def test_a_request_the_provider_rejects_fails_at_once(fake, applicant, applicant_application):
    row = make_notification(recipient=applicant, application=applicant_application, address="not-an-address")
    assert notification_deliver(notification_id=row.pk) == Outcome.FAILED
    row.refresh_from_db()
    assert row.state == State.FAILED
    assert row.attempts == 1
    assert "Not a valid email address" in row.last_error
    assert fake.messages() == []


def test_a_wrong_api_key_is_refused_by_the_fake_like_gc_notify(fake, email_row, settings):
    settings.NOTIFY_API_KEY = "portal_dev-11111111-1111-4111-8111-111111111111-99999999-2222-4222-8222-222222222222"
    assert notification_deliver(notification_id=email_row.pk) == Outcome.FAILED
    email_row.refresh_from_db()
    assert email_row.last_error.startswith("403")
    assert "Invalid token" in email_row.last_error


def test_the_fake_checks_the_token_age_and_shape(fake_server):
    import jwt

    base_url, _store = fake_server
    secret = "22222222-2222-4222-8222-222222222222"
    service = "11111111-1111-4111-8111-111111111111"
    old = jwt.encode({"iss": service, "iat": int(time.time()) - 120}, secret, algorithm="HS256")
    body = json.dumps({"email_address": "a@example.com", "template_id": "aaaaaaaa-0000-4000-8000-000000000001"})
    for header, status, message in [
        (None, 401, "authentication token must be provided"),
        ("Basic abc", 401, "bearer scheme must be used"),
        (f"Bearer {old}", 403, "system clock must be accurate to within 30 seconds"),
    ]:
        request = urllib.request.Request(f"{base_url}/v2/notifications/email", data=body.encode(), method="POST")  # noqa: S310
        if header:
            request.add_header("Authorization", header)
        with pytest.raises(urllib.error.HTTPError) as caught:
            urllib.request.urlopen(request, timeout=5)  # noqa: S310
        answer = json.loads(caught.value.read())
        assert caught.value.code == status
        assert answer["status_code"] == status
        assert message in answer["errors"][0]["message"]
        assert answer["errors"][0]["error"] == "AuthError"


def test_the_fake_wants_the_personalisation_its_template_needs(fake):
    client = provider._client()
    with pytest.raises(provider.APIError) as caught:
        client.send_email_notification(
            email_address="a@example.com",
            template_id="aaaaaaaa-0000-4000-8000-000000000001",
            personalisation={"body": "no subject"},
        )
    assert caught.value.status_code == 400
    assert caught.value.message == [{"error": "BadRequestError", "message": "Missing personalisation: subject"}]
    with pytest.raises(provider.APIError) as caught:
        client.send_sms_notification(phone_number="+16135550199", template_id="aaaaaaaa-0000-4000-8000-00000000dead")
    assert caught.value.message[0]["message"] == "Template not found"


def test_an_sms_goes_to_the_number_with_the_sms_template_of_the_language(fake, applicant, applicant_application):
    applicant.preferred_language = "fr"
    applicant.save(update_fields=["preferred_language"])
    row = make_notification(
        recipient=applicant, application=applicant_application, channel=Channel.SMS, kind=Kind.ACTION_REQUIRED
    )
    assert notification_deliver(notification_id=row.pk) == Outcome.SENT
    (message,) = fake.messages()
    assert message["type"] == "sms"
    assert message["phone_number"] == "+16135550199"
    assert message["template_id"] == "aaaaaaaa-0000-4000-8000-000000000004"  # French SMS template
    assert set(message["personalisation"]) == {"body"}
    assert "/fr/applications/" in message["body"]
    assert len(message["body"]) <= 300


def test_the_sweeper_finds_forgotten_rows_due_retries_and_abandoned_claims(applicant, applicant_application):
    now = timezone.now()
    fresh = make_notification(recipient=applicant, application=applicant_application)
    forgotten = make_notification(recipient=applicant, application=applicant_application)
    due = make_notification(recipient=applicant, application=applicant_application, attempts=1)
    later = make_notification(recipient=applicant, application=applicant_application, attempts=1)
    abandoned = make_notification(recipient=applicant, application=applicant_application, attempts=1)
    in_flight = make_notification(recipient=applicant, application=applicant_application, attempts=1)
    sent = make_notification(recipient=applicant, application=applicant_application, state=State.SENT)
    held = make_notification(recipient=applicant, application=applicant_application, state=State.HELD)
    Notification.objects.filter(pk=forgotten.pk).update(created_at=now - datetime.timedelta(minutes=1))
    Notification.objects.filter(pk=due.pk).update(next_attempt_at=now - datetime.timedelta(seconds=1))
    Notification.objects.filter(pk=later.pk).update(next_attempt_at=now + datetime.timedelta(minutes=5))
    Notification.objects.filter(pk=abandoned.pk).update(
        state=State.SENDING, claimed_at=now - datetime.timedelta(minutes=3)
    )
    Notification.objects.filter(pk=in_flight.pk).update(
        state=State.SENDING, claimed_at=now - datetime.timedelta(seconds=5)
    )

    found = set(notifications_due(now=now))

    assert found == {forgotten.pk, due.pk, abandoned.pk}
    assert not found & {fresh.pk, later.pk, in_flight.pk, sent.pk, held.pk}
    assert len(notifications_due(now=now, limit=2)) == 2


def test_the_sweep_task_hands_due_rows_to_the_workers(applicant, applicant_application, enqueued):
    from notifications.tasks import notifications_sweep_task

    row = make_notification(recipient=applicant, application=applicant_application)
    Notification.objects.filter(pk=row.pk).update(created_at=timezone.now() - datetime.timedelta(minutes=2))
    assert notifications_sweep_task() == 1
    assert enqueued == [row.pk]


@pytest.fixture
def enqueued(monkeypatch):
    """Record what would go to the broker instead of sending it."""
    from notifications import dispatch

    ids: list[int] = []
    monkeypatch.setattr(dispatch, "delivery_enqueue", lambda *, notification_ids: ids.extend(notification_ids))
    return ids


def test_the_daily_digest_folds_held_emails_into_one_message_once(
    fake, applicant, applicant_application, other_applicant, django_capture_on_commit_callbacks, enqueued
):
    second = make_event(application=applicant_application, kind="action_required", state="waiting_on_client")
    held = [
        make_notification(recipient=applicant, application=applicant_application, state=State.HELD),
        make_notification(
            recipient=applicant,
            application=applicant_application,
            event=second,
            kind=Kind.ACTION_REQUIRED,
            state=State.HELD,
        ),
    ]
    not_mine = make_notification(recipient=other_applicant, state=State.PENDING)
    today = timezone.localdate()

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        created = digests_create(today=today)
    assert len(created) == 1
    assert len(callbacks) == 1

    assert enqueued == created
    digest = Notification.objects.get(pk=created[0])
    assert (digest.kind, digest.channel, digest.digest_on, digest.recipient) == (
        Kind.DIGEST,
        Channel.EMAIL,
        today,
        applicant,
    )
    assert digest.state == State.PENDING
    assert notification_deliver(notification_id=digest.pk) == Outcome.SENT
    for row in held:
        row.refresh_from_db()
        assert row.state == State.DIGESTED
        assert row.digest_id == digest.pk
    not_mine.refresh_from_db()
    assert not_mine.state == State.PENDING
    (message,) = fake.messages()
    assert message["body"].count(applicant_application.number) == 2
    assert "We need something from you" in message["body"]

    # Twice the same day: nothing new. A row held after today's digest waits for tomorrow.
    with django_capture_on_commit_callbacks(execute=True):
        assert digests_create(today=today) == []
        late = make_notification(recipient=applicant, application=applicant_application, state=State.HELD)
        assert digests_create(today=today) == []
    late.refresh_from_db()
    assert late.state == State.HELD
    assert Notification.objects.filter(kind=Kind.DIGEST).count() == 1
    assert len(fake.messages()) == 1


def test_a_row_that_cannot_be_rendered_is_retried_then_fails_instead_of_looping(fake, email_row, monkeypatch):
    from notifications import services

    def broken(*, notification):
        raise KeyError("no template for this kind")

    monkeypatch.setattr(services, "message_render", broken)
    assert notification_deliver(notification_id=email_row.pk) == Outcome.RETRY
    email_row.refresh_from_db()
    assert email_row.state == State.PENDING
    assert "no template for this kind" in email_row.last_error
    with time_machine.travel(email_row.created_at + datetime.timedelta(hours=4, minutes=1), tick=False):
        assert notification_deliver(notification_id=email_row.pk) == Outcome.FAILED
    assert fake.messages() == []
