"""The notification centre, the preferences page and the one-click unsubscribe page."""

import datetime
import html

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone, translation

from notifications.content import UNSUBSCRIBE_MAX_AGE_SECONDS, unsubscribe_token
from notifications.forms import NotificationPreferenceForm, normalize_phone_number
from notifications.models import Channel, Kind, NotificationPreference
from tests.factories import ApplicationFactory, link, sign_in_with_second_step
from tests.notifications_support import make_event, make_notification


def french(message: str) -> str:
    with translation.override("fr"):
        text = translation.gettext(message)
    assert text != message, f"not translated into French yet: {message!r}"
    return text


def in_app(user, application, **fields):
    return make_notification(recipient=user, application=application, channel=Channel.IN_APP, **fields)


# ---- the notification centre ---------------------------------------------------------------


def test_anonymous_people_are_sent_to_sign_in(client):
    for url in (reverse("notifications:centre"), reverse("notifications:preferences")):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))


def test_the_owner_sees_their_notifications_newest_first_and_nobody_elses(
    client, applicant, applicant_application, other_applicant, other_application
):
    older = in_app(
        applicant, applicant_application, kind=Kind.STATUS_CHANGE, event=make_event(application=applicant_application)
    )
    newer = in_app(applicant, applicant_application, kind=Kind.DECISION)
    in_app(other_applicant, other_application)
    make_notification(recipient=applicant, application=applicant_application)  # an email: not in the centre

    client.force_login(applicant)
    page = html.unescape(client.get(reverse("notifications:centre")).text)

    assert page.count('class="notification ') == 2
    assert page.index(f"/notifications/{newer.pk}/read/") < page.index(f"/notifications/{older.pk}/read/")
    assert other_application.number not in page
    assert "We started the background check." in page
    assert "A decision has been made." in page
    # The unread count in the header.
    assert '<span class="visually-hidden">unread: </span>2</span>' in page


def test_the_header_shows_no_badge_when_everything_is_read(client, applicant, applicant_application):
    in_app(applicant, applicant_application, read_at=timezone.now())
    client.force_login(applicant)
    page = client.get(reverse("applications:list")).text
    assert 'href="/en/notifications/"' in page
    assert "nav-badge" not in page


def test_marking_one_as_read(client, applicant, applicant_application):
    notification = in_app(applicant, applicant_application)
    client.force_login(applicant)
    response = client.post(reverse("notifications:read", args=[notification.pk]), {"next": "/en/notifications/?page=1"})
    assert response.status_code == 302
    assert response["Location"] == "/en/notifications/?page=1"
    notification.refresh_from_db()
    assert notification.read_at is not None
    page = client.get(response["Location"]).text
    assert "Notification marked as read." in page
    assert "nav-badge" not in page


def test_marking_reads_refuse_get_and_foreign_redirects(client, applicant, applicant_application):
    notification = in_app(applicant, applicant_application)
    client.force_login(applicant)
    assert client.get(reverse("notifications:read", args=[notification.pk])).status_code == 405
    response = client.post(reverse("notifications:read", args=[notification.pk]), {"next": "https://evil.example/"})
    assert response["Location"] == reverse("notifications:centre")


def test_nobody_can_mark_someone_elses_notification(client, applicant, other_applicant, other_application):
    theirs = in_app(other_applicant, other_application)
    client.force_login(applicant)
    assert client.post(reverse("notifications:read", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("notifications:read", args=[999999])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_marking_all_as_read_touches_only_my_own(
    client, applicant, applicant_application, other_applicant, other_application
):
    mine = [in_app(applicant, applicant_application) for _ in range(3)]
    theirs = in_app(other_applicant, other_application)
    client.force_login(applicant)
    response = client.post(reverse("notifications:read_all"))
    assert response.status_code == 302
    for notification in mine:
        notification.refresh_from_db()
        assert notification.read_at is not None
    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert "All notifications marked as read." in client.get(response["Location"]).text


def test_marking_requires_the_csrf_token(applicant, applicant_application):
    from django.test import Client

    notification = in_app(applicant, applicant_application)
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(applicant)
    assert strict.post(reverse("notifications:read", args=[notification.pk])).status_code == 403
    assert strict.post(reverse("notifications:read_all")).status_code == 403


@pytest.mark.parametrize("count", [5, 50])
def test_the_centre_costs_the_same_queries_however_many_notifications(
    client, applicant, applicant_application, count, django_assert_num_queries
):
    applications = [applicant_application] + [ApplicationFactory(client=applicant_application.client) for _ in range(2)]
    for application in applications[1:]:
        link(user=applicant, application=application)
    for index in range(count):
        application = applications[index % 3]
        in_app(applicant, application, event=make_event(application=application))
    client.force_login(applicant)
    url = reverse("notifications:centre")
    client.get(url)  # warm the session
    # session, user, unread count, page count, the page's rows (with application, program and event)
    with django_assert_num_queries(5):
        response = client.get(url)
    assert response.text.count('class="notification ') == min(count, 20)


def test_the_centre_pages_through_older_notifications(client, applicant, applicant_application):
    for _ in range(25):
        in_app(applicant, applicant_application)
    client.force_login(applicant)
    second = client.get(reverse("notifications:centre") + "?page=2").text
    assert second.count('class="notification ') == 5
    assert "Page 2 of 2" in second
    # Nonsense page numbers show a page rather than an error.
    assert client.get(reverse("notifications:centre") + "?page=abc").status_code == 200
    assert client.get(reverse("notifications:centre") + "?page=999").status_code == 200


def test_the_centre_in_french(client, applicant, applicant_application):
    in_app(applicant, applicant_application, kind=Kind.ACTION_REQUIRED)
    client.force_login(applicant)
    with translation.override("fr"):
        url = reverse("notifications:centre")
    page = html.unescape(client.get(url).text)
    assert '<html lang="fr">' in page
    assert french("Mark as read") in page
    assert french("We need something from you to continue.") in page
    assert french("Mark all as read") in page


# ---- preferences -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("(613) 555-0199", "+16135550199"),
        ("613-555-0199", "+16135550199"),
        ("613.555.0199", "+16135550199"),
        ("1 613 555 0199", "+16135550199"),
        ("+1 (613) 555-0199", "+16135550199"),
        ("+33 6 12 34 56 78", "+33612345678"),
        ("0033 6 12 34 56 78", "+33612345678"),
        ("", ""),
    ],
)
def test_phone_numbers_in_common_formats_are_stored_as_e164(typed, stored):
    assert normalize_phone_number(typed) == stored


@pytest.mark.parametrize(
    "typed", ["555-0199", "613-555-019", "(013) 555-0199", "613 055 0199", "call me", "+1 613 555 01999", "+44"]
)
def test_impossible_phone_numbers_are_refused(typed):
    with pytest.raises(ValueError):
        normalize_phone_number(typed)


def test_the_preferences_page_shows_the_defaults_then_saves_choices(client, applicant):
    client.force_login(applicant)
    url = reverse("notifications:preferences")
    page = client.get(url).text
    assert 'id="id_email_status_change" checked' in page
    assert 'id="id_sms_status_change">' in page
    assert "<legend>" in page

    response = client.post(
        url,
        {"email_decision": "on", "phone_number": "(613) 555-0199", "sms_action_required": "on", "daily_digest": "on"},
    )
    assert response.status_code == 302
    preference = NotificationPreference.objects.get(user=applicant)
    assert preference.phone_number == "+16135550199"
    assert preference.sms_action_required and preference.email_decision and preference.daily_digest
    assert not preference.email_status_change and not preference.sms_decision
    assert "Your notification choices are saved." in client.get(url).text


def test_text_messages_need_a_number(client, applicant):
    client.force_login(applicant)
    response = client.post(reverse("notifications:preferences"), {"sms_decision": "on"})
    assert response.status_code == 400
    page = html.unescape(response.text)
    message = "Enter a mobile number to get text messages, or untick the text message choices."
    assert f'<a href="#id_phone_number">Mobile number: {message}</a>' in page
    assert 'aria-invalid="true"' in page
    assert not NotificationPreference.objects.filter(user=applicant).exists()


def test_errors_are_in_french_on_the_french_page(client, applicant):
    client.force_login(applicant)
    with translation.override("fr"):
        url = reverse("notifications:preferences")
    page = html.unescape(client.post(url, {"phone_number": "12", "sms_status_change": "on"}).text)
    assert french("Enter a mobile number such as 613-555-0199, or start with + and the country code.") in page
    assert french("There is a problem") in page


def test_the_form_in_french_directly():
    with translation.override("fr"):
        form = NotificationPreferenceForm(data={"sms_overdue": "on"})
        assert not form.is_valid()
        assert form.errors["phone_number"] == [
            french("Enter a mobile number to get text messages, or untick the text message choices.")
        ]


# ---- one-click unsubscribe -----------------------------------------------------------------------


def unsubscribe_url(user, language="en"):
    with translation.override(language):
        return reverse("notifications:unsubscribe", args=[unsubscribe_token(user_id=user.pk)])


def test_opening_the_link_changes_nothing(client, applicant):
    response = client.get(unsubscribe_url(applicant))
    assert response.status_code == 200
    assert response.text.count("<button") == 2  # the language toggle and the one button
    assert "Stop all emails" in response.text
    assert not NotificationPreference.objects.filter(user=applicant).exists()


def test_pressing_the_button_stops_every_email_without_signing_in(client, applicant):
    NotificationPreference.objects.create(
        user=applicant, phone_number="+16135550199", sms_decision=True, daily_digest=True
    )
    response = client.post(unsubscribe_url(applicant))
    assert response.status_code == 200
    assert "Emails stopped" in response.text
    preference = NotificationPreference.objects.get(user=applicant)
    for kind in ("status_change", "action_required", "decision", "overdue"):
        assert getattr(preference, f"email_{kind}") is False
    assert preference.daily_digest is False
    assert preference.sms_decision is True  # text messages are another choice


def test_a_mail_provider_one_click_post_needs_no_csrf_token(applicant):
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post(unsubscribe_url(applicant), {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert NotificationPreference.objects.get(user=applicant).email_decision is False


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_tampered_token_gets_a_clear_page_not_an_error(client, applicant, method):
    url = unsubscribe_url(applicant)
    token = url.rstrip("/").rsplit("/", 1)[1]
    bad = url.replace(token, token[:-3] + ("xyz" if not token.endswith("xyz") else "abc"))
    response = getattr(client, method)(bad)
    assert response.status_code == 400
    assert "This link does not work" in response.text
    assert getattr(client, method)("/en/notifications/unsubscribe/nonsense/").status_code == 400
    assert not NotificationPreference.objects.filter(user=applicant).exists()


def test_an_expired_token_gets_the_page_in_french(client, applicant):
    url = unsubscribe_url(applicant, "fr")
    later = timezone.now() + datetime.timedelta(seconds=UNSUBSCRIBE_MAX_AGE_SECONDS + 60)
    with time_machine.travel(later, tick=False):
        response = client.post(url)
    assert response.status_code == 400
    assert '<html lang="fr">' in response.text
    assert html.escape(french("This link does not work")) in response.text or french(
        "This link does not work"
    ) in html.unescape(response.text)
    assert not NotificationPreference.objects.filter(user=applicant).exists()


def test_a_token_for_a_deleted_account_is_refused(client, applicant):
    url = unsubscribe_url(applicant)
    applicant.delete()
    assert client.post(url).status_code == 400


def test_the_centre_quotes_notes_and_decisions_that_emails_leave_out(client, applicant, applicant_application):
    note = make_event(
        application=applicant_application,
        kind="note",
        message_en="We received your police certificate.",
        message_fr="Nous avons reçu votre certificat de police.",
    )
    in_app(applicant, applicant_application, kind=Kind.STATUS_CHANGE, event=note)
    client.force_login(applicant)
    page = client.get("/en/notifications/").content.decode()
    assert "We received your police certificate." in page
    page = client.get("/fr/notifications/").content.decode()
    assert "Nous avons reçu votre certificat de police." in page


def test_staff_see_only_their_own_notifications_even_with_case_access(
    client, staff_user, applicant, applicant_application
):
    mine = in_app(applicant, applicant_application, kind=Kind.STATUS_CHANGE)
    sign_in_with_second_step(client, staff_user)
    page = client.get(reverse("notifications:centre")).text
    assert 'class="notification ' not in page
    assert applicant_application.number not in page
    assert client.post(reverse("notifications:read", kwargs={"notification_id": mine.pk})).status_code == 404
    mine.refresh_from_db()
    assert mine.read_at is None
