"""The notification centre asks applications.access: losing a file hides its notifications at once."""

import pytest
from django.urls import reverse

from applications.services import application_unlink
from notifications.models import Channel, Kind, Notification
from notifications.selectors import unread_count_for_user
from tests.factories import ApplicationFactory, link
from tests.notifications_support import make_notification


def in_app(user, application, **fields):
    return make_notification(recipient=user, application=application, channel=Channel.IN_APP, **fields)


@pytest.fixture
def second_application(applicant, applicant_application):
    """Another file of the same client, also linked to the applicant."""
    application = ApplicationFactory(client=applicant_application.client)
    link(user=applicant, application=application)
    return application


@pytest.fixture
def unlinked(applicant, applicant_application, second_application):
    """Notifications about both files, then the first one unlinked."""
    hidden = in_app(applicant, applicant_application, kind=Kind.DECISION)
    kept = in_app(applicant, second_application, kind=Kind.STATUS_CHANGE)
    application_unlink(account=applicant, application=applicant_application)
    return hidden, kept


def test_the_centre_stops_listing_an_unlinked_files_notifications(
    client, applicant, applicant_application, second_application, unlinked
):
    client.force_login(applicant)
    page = client.get(reverse("notifications:centre")).text
    assert page.count('class="notification ') == 1
    assert applicant_application.number not in page
    assert second_application.number in page


def test_the_unread_count_leaves_them_out(client, applicant, unlinked):
    assert unread_count_for_user(user=applicant) == 1
    client.force_login(applicant)
    page = client.get(reverse("applications:list")).text
    assert '<span class="visually-hidden">unread: </span>1</span>' in page


def test_reading_a_hidden_one_by_id_is_a_404(client, applicant, unlinked):
    hidden, kept = unlinked
    client.force_login(applicant)
    assert client.post(reverse("notifications:read", args=[hidden.pk])).status_code == 404
    assert client.post(reverse("notifications:read", args=[kept.pk])).status_code == 302
    hidden.refresh_from_db()
    assert hidden.read_at is None


def test_marking_all_as_read_leaves_the_hidden_ones_alone(client, applicant, unlinked):
    hidden, kept = unlinked
    client.force_login(applicant)
    client.post(reverse("notifications:read_all"))
    hidden.refresh_from_db()
    kept.refresh_from_db()
    assert (hidden.read_at, kept.read_at is not None) == (None, True)


def test_they_come_back_when_the_person_links_the_file_again(client, applicant, applicant_application, unlinked):
    link(user=applicant, application=applicant_application)
    assert unread_count_for_user(user=applicant) == 2
    client.force_login(applicant)
    page = client.get(reverse("notifications:centre")).text
    assert applicant_application.number in page


def test_notifications_about_no_file_stay_visible(client, applicant, unlinked):
    general = in_app(applicant, None, kind=Kind.STATUS_CHANGE)
    assert unread_count_for_user(user=applicant) == 2
    client.force_login(applicant)
    assert f"/notifications/{general.pk}/read/" in client.get(reverse("notifications:centre")).text


def test_another_person_still_linked_keeps_seeing_theirs(
    client, applicant, applicant_application, other_applicant, unlinked
):
    link(user=other_applicant, application=applicant_application)
    theirs = in_app(other_applicant, applicant_application)
    client.force_login(other_applicant)
    assert f"/notifications/{theirs.pk}/read/" in client.get(reverse("notifications:centre")).text
    assert Notification.objects.filter(recipient=other_applicant).count() == 1


@pytest.fixture
def fake(settings):
    from tests.notifications_support import running_fake_notify

    with running_fake_notify() as (base_url, store):
        settings.NOTIFY_BASE_URL = base_url
        yield store


def test_an_email_written_before_an_unlink_is_withdrawn_not_sent(fake, applicant, applicant_application):
    from notifications.models import State
    from notifications.services import Outcome, notification_deliver, notifications_deliver_many

    waiting = make_notification(recipient=applicant, application=applicant_application)
    also_waiting = make_notification(recipient=applicant, application=applicant_application, kind=Kind.DECISION)
    application_unlink(account=applicant, application=applicant_application)

    assert notification_deliver(notification_id=waiting.pk) == Outcome.WITHDRAWN
    assert notifications_deliver_many(notification_ids=[also_waiting.pk]) == {Outcome.WITHDRAWN: 1}
    assert fake.messages() == []
    waiting.refresh_from_db()
    assert waiting.state == State.WITHDRAWN and waiting.attempts == 0


def test_an_email_to_an_address_without_an_account_is_not_withdrawn_for_want_of_a_link(fake, applicant_application):
    from notifications.models import State
    from notifications.outbox import OutboundMessage, outbox_write
    from notifications.services import Outcome, notification_deliver

    (row_id,) = outbox_write(
        messages=[
            OutboundMessage(
                recipient=None,
                address="guest@example.com",
                language="fr",
                kind=Kind.ENQUIRY_RECEIPT,
                dedupe_key="enquiry_receipt:test",
                application_id=applicant_application.pk,
                about_label="Q7K-4M2-9XH",
                link_path="enquiries/new/",
            )
        ]
    )

    assert notification_deliver(notification_id=row_id) == Outcome.SENT
    assert Notification.objects.get(pk=row_id).state == State.SENT
    (message,) = fake.messages()
    assert "Q7K-4M2-9XH" in message["personalisation"]["subject"]


def test_a_held_email_leaves_the_digest_when_its_file_is_unlinked(
    fake, applicant, applicant_application, second_application
):
    from notifications.models import State
    from notifications.services import digests_create

    gone = make_notification(recipient=applicant, application=applicant_application, state=State.HELD)
    kept = make_notification(recipient=applicant, application=second_application, state=State.HELD)
    application_unlink(account=applicant, application=applicant_application)

    (digest_id,) = digests_create()
    gone.refresh_from_db()
    kept.refresh_from_db()
    assert gone.state == State.WITHDRAWN
    assert (kept.state, kept.digest_id) == (State.DIGESTED, digest_id)
