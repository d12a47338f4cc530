"""What emails and text messages say: the application, what changed, a link; never a decision's reasons."""

import pytest
from django.core import signing
from django.utils import translation

from notifications.content import message_render, unsubscribe_user_id
from notifications.models import Channel, Kind
from status_tracker.models import RefusalGround
from tests.notifications_support import make_event, make_notification

SECRET_REASON = "insufficient proof of funds in the account"
SECRET_NOTE = "Officer: applicant's bank letter looks altered"


def french(message: str) -> str:
    with translation.override("fr"):
        text = translation.gettext(message)
    assert text != message, f"not translated into French yet: {message!r}"
    return text


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.SITE_URL = "https://portal.example.gc.ca"
    settings.ENQUIRY_URL = "https://example.gc.ca/enquiry"


@pytest.fixture
def refused(applicant_application):
    RefusalGround.objects.create(
        code="funds-test", title_en=SECRET_REASON, title_fr=SECRET_REASON, explanation_en="x", explanation_fr="x"
    )
    event = make_event(
        application=applicant_application,
        kind="decision",
        outcome="refused",
        grounds=("funds-test",),
        notes=SECRET_NOTE,
        message_en=f"Refused: {SECRET_REASON}",
        message_fr=f"Refusée : {SECRET_REASON}",
    )
    return event


@pytest.mark.parametrize("channel", [Channel.EMAIL, Channel.SMS])
@pytest.mark.parametrize("language", ["en", "fr"])
def test_a_decision_message_never_carries_the_reasons_or_the_notes(
    applicant, applicant_application, refused, channel, language
):
    applicant.preferred_language = language
    row = make_notification(
        recipient=applicant,
        application=applicant_application,
        event=refused,
        kind=Kind.DECISION,
        channel=channel,
        language=language,
    )
    message = message_render(notification=row)
    text = message.subject + message.body
    assert SECRET_REASON not in text
    assert SECRET_NOTE not in text
    assert "Refus" not in text
    assert applicant_application.number in text
    assert f"https://portal.example.gc.ca/{language}/applications/{applicant_application.number}/" in text


def test_a_status_change_email_in_english_names_the_file_says_what_changed_and_links(applicant, applicant_application):
    event = make_event(application=applicant_application)
    row = make_notification(recipient=applicant, application=applicant_application, event=event)
    message = message_render(notification=row)
    number = applicant_application.number
    assert message.subject == f"Update on your application {number}"
    assert message.body.startswith("Hello,")
    assert f"{number} ({applicant_application.program.name_en})" in message.body
    assert "We started the background check." in message.body
    assert f"https://portal.example.gc.ca/en/applications/{number}/" in message.body
    assert "https://portal.example.gc.ca/en/notifications/preferences/" in message.body
    # The last line is the one-click unsubscribe link, and it works for this person.
    last_line = message.body.splitlines()[-1]
    token = last_line.rsplit("/notifications/unsubscribe/", 1)[1].rstrip("/")
    assert last_line.startswith("Stop all emails from this service with one click: https://portal.example.gc.ca/en/")
    assert unsubscribe_user_id(token=token) == applicant.pk
    assert "\n\n\n" not in message.body


def test_a_status_change_email_in_french_is_all_french(applicant, applicant_application):
    event = make_event(application=applicant_application)
    row = make_notification(recipient=applicant, application=applicant_application, event=event, language="fr")
    message = message_render(notification=row)
    number = applicant_application.number
    assert message.subject == french("Update on your application %(number)s") % {"number": number}
    assert message.body.startswith(french("Hello,"))
    assert f"{number} ({applicant_application.program.name_fr})" in message.body
    assert "Nous avons commencé la vérification des antécédents." in message.body
    assert "We started" not in message.body
    assert f"https://portal.example.gc.ca/fr/applications/{number}/" in message.body
    assert "https://portal.example.gc.ca/fr/notifications/unsubscribe/" in message.body


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_overdue_email_says_how_to_send_an_enquiry(applicant, applicant_application, language):
    row = make_notification(
        recipient=applicant, application=applicant_application, kind=Kind.OVERDUE, language=language
    )
    message = message_render(notification=row)
    assert "https://example.gc.ca/enquiry" in message.body
    assert f"https://portal.example.gc.ca/{language}/applications/{applicant_application.number}/" in message.body
    expected = "Your application %(number)s is taking longer than usual"
    if language == "fr":
        expected = french(expected)
    assert message.subject == expected % {"number": applicant_application.number}


def test_an_sms_is_short_and_has_no_unsubscribe_link(applicant, applicant_application):
    event = make_event(application=applicant_application, message_en="x" * 400)
    row = make_notification(recipient=applicant, application=applicant_application, event=event, channel=Channel.SMS)
    message = message_render(notification=row)
    assert message.subject == ""
    assert "x" * 10 not in message.body  # the event's wording stays out of a text message
    assert len(message.body) < 160
    assert "unsubscribe" not in message.body


def test_a_tampered_or_foreign_token_is_refused():
    from notifications.content import unsubscribe_token

    token = unsubscribe_token(user_id=7)
    assert unsubscribe_user_id(token=token) == 7
    with pytest.raises(signing.BadSignature):
        unsubscribe_user_id(token=token[:-2] + ("AA" if not token.endswith("AA") else "BB"))
    with pytest.raises(signing.BadSignature):
        # Signed by this site for another purpose.
        unsubscribe_user_id(token=signing.dumps({"user": 7, "channel": "email"}))
