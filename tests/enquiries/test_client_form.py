"""The enquiry form for signed-in clients: choose, read what we know, write; receipts; duplicates; deflection."""

import datetime
import re

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone, translation

from applications.models import Stage
from enquiries.models import Deflection, Ticket, TicketChange, TicketMessage, TicketState, Topic
from enquiries.references import reference_normalize
from enquiries.services import ticket_transition
from notifications.content import message_render
from notifications.models import Channel, Kind, Notification
from tests.enquiries.client_support import compose_url, form_key, send
from tests.enquiries.factories import make_ticket
from tests.factories import ApplicationFactory, link, status_event_record

# A Wednesday with no holiday in the next three weeks.
WEDNESDAY = datetime.datetime(2027, 3, 3, 10, 0, tzinfo=datetime.UTC)


@pytest.fixture
def signed_in(client, applicant):
    client.force_login(applicant)
    return client


# ---- Step one: what it is about ---------------------------------------------------------------


def test_step_one_offers_the_clients_own_applications_and_the_topics_on_offer(
    signed_in, applicant_application, other_application
):
    Topic.objects.filter(code="urgent").update(is_active=False)
    page = signed_in.get(reverse("enquiries:new")).text
    assert applicant_application.number in page
    assert other_application.number not in page
    assert "Status of my application" in page
    assert "Urgent processing" not in page
    assert "No application yet" in page


def test_another_clients_application_cannot_be_chosen(signed_in, other_application):
    response = signed_in.get(compose_url(application=other_application))
    assert response.status_code == 400
    assert "Choose one of your applications from the list." in response.text
    assert "What we already know" not in response.text


def test_a_topic_no_longer_offered_is_refused_politely(signed_in, applicant_application):
    Topic.objects.filter(code="status").update(is_active=False)
    response = signed_in.get(compose_url(application=applicant_application))
    assert response.status_code == 400
    assert "This topic is not offered any more." in response.text


def test_the_change_link_goes_back_to_step_one_with_the_choices_kept(signed_in, applicant_application):
    response = signed_in.get(compose_url(application=applicant_application, topic="contact", change=1))
    assert response.status_code == 200
    assert "What we already know" not in response.text
    assert re.search(r'<option value="contact" selected>', response.text)


# ---- Answer first ------------------------------------------------------------------------------


def test_a_status_question_within_normal_processing_time_is_told_so_with_the_date(signed_in, applicant):
    application = ApplicationFactory(submitted_on=timezone.localdate() - datetime.timedelta(days=30))
    link(user=applicant, application=application)
    # No published figures: the program's service standard (365 days) is the normal time.
    outside_from = application.submitted_on + datetime.timedelta(days=365)

    page = signed_in.get(compose_url(application=application, topic="status")).text

    assert "Your application is within normal processing time." in page
    assert f'<time datetime="{outside_from.isoformat()}">' in page
    assert "You may still send one." in page
    assert 'name="message"' in page  # and it may still be sent


def test_a_late_file_is_told_since_when_it_is_outside_normal_processing_time(signed_in, applicant):
    application = ApplicationFactory(submitted_on=timezone.localdate() - datetime.timedelta(days=400))
    link(user=applicant, application=application)
    outside_from = application.submitted_on + datetime.timedelta(days=365)

    page = signed_in.get(compose_url(application=application, topic="status")).text

    assert "has been outside normal processing time since" in page
    assert f'<time datetime="{outside_from.isoformat()}">' in page
    assert "within normal processing time." not in page


def test_another_topic_gets_the_date_without_the_status_warning(signed_in, applicant_application):
    page = signed_in.get(compose_url(application=applicant_application, topic="contact")).text
    assert "is within normal processing time until" in page
    assert "an enquiry cannot make it go faster" not in page
    assert "Tell us your new address" in page  # the topic's own description


def test_the_current_stage_and_what_is_waiting_on_the_client_are_shown(signed_in, applicant_application):
    biometrics = Stage.objects.get(code="biometrics")
    status_event_record(
        application=applicant_application,
        stage=biometrics,
        state="waiting_on_client",
        occurred_at=timezone.now() - datetime.timedelta(days=2),
        source_id="bio-wait",
    )
    page = signed_in.get(compose_url(application=applicant_application, topic="document")).text
    assert "We are waiting for something from you:" in page
    assert biometrics.name_en in page
    assert biometrics.client_action_en in page


def test_without_an_application_the_page_says_only_what_the_topic_says(signed_in, applicant_application):
    page = signed_in.get(compose_url(application=None, topic="technical")).text
    assert "Something on this site does not work" in page
    assert applicant_application.number not in page.split("What we already know")[1]


def test_this_answered_my_question_is_counted_once_per_page(signed_in, applicant, applicant_application):
    page = signed_in.get(compose_url(application=applicant_application)).text
    data = {"application": applicant_application.number, "topic": "status", "submission_key": form_key(page)}

    first = signed_in.post(reverse("enquiries:deflect"), data)
    again = signed_in.post(reverse("enquiries:deflect"), data)

    assert first.status_code == again.status_code == 200
    assert "We are glad the page answered your question." in first.text
    deflection = Deflection.objects.get()
    assert (deflection.account, deflection.application, deflection.topic.code) == (
        applicant,
        applicant_application,
        "status",
    )
    fresh = form_key(signed_in.get(compose_url(application=applicant_application)).text)
    signed_in.post(reverse("enquiries:deflect"), {**data, "submission_key": fresh})
    assert Deflection.objects.count() == 2
    assert not Ticket.objects.exists()


def test_a_deflection_from_a_stale_page_starts_again_instead_of_failing(signed_in, other_application):
    data = {"application": other_application.number, "topic": "status", "submission_key": "k" * 20}
    response = signed_in.post(reverse("enquiries:deflect"), data)
    assert response.status_code == 302
    assert response["Location"] == reverse("enquiries:new")
    assert not Deflection.objects.exists()


# ---- Sending ---------------------------------------------------------------------------------


@pytest.fixture
def on_a_wednesday(client, applicant):
    """Signed in on a known Wednesday (the session starts then too, so it has not expired)."""
    with time_machine.travel(WEDNESDAY, tick=False):
        client.force_login(applicant)
        yield client


def test_sending_queues_a_ticket_with_a_reference_and_a_due_date(on_a_wednesday, applicant, applicant_application):
    signed_in = on_a_wednesday
    response = send(signed_in, application=applicant_application, message="  Where is my file?\r\nThanks.  ")

    ticket = Ticket.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("enquiries:sent", kwargs={"reference": ticket.reference})
    assert reference_normalize(ticket.reference) == ticket.reference
    assert (ticket.account, ticket.application, ticket.topic.code) == (applicant, applicant_application, "status")
    assert ticket.state == TicketState.NEW
    assert ticket.clock_started_on == datetime.date(2027, 3, 3)
    assert ticket.due_on == datetime.date(2027, 3, 17)  # 10 business days
    assert ticket.contact_email == applicant.email
    assert ticket.messages.get().body == "Where is my file?\nThanks."
    assert list(ticket.changes.values_list("from_state", "to_state")) == [("unconfirmed", "new")]

    page = signed_in.get(response["Location"]).text
    assert ticket.reference in page
    assert '<time datetime="2027-03-17">March 17, 2027</time>' in page


def test_the_receipt_quotes_the_message_and_gives_the_due_date_and_the_reference(
    on_a_wednesday, applicant, applicant_application
):
    send(on_a_wednesday, application=applicant_application, message="Has my medical exam arrived?")
    ticket = Ticket.objects.get()

    email = Notification.objects.get(kind=Kind.ENQUIRY_RECEIPT, channel=Channel.EMAIL)
    assert (email.recipient, email.address, email.about_label) == (applicant, applicant.email, ticket.reference)
    assert email.link_path == f"enquiries/{ticket.reference}/"
    assert Notification.objects.filter(kind=Kind.ENQUIRY_RECEIPT, channel=Channel.IN_APP).count() == 1

    rendered = message_render(notification=email)
    assert ticket.reference in rendered.subject
    assert "Has my medical exam arrived?" in rendered.body
    assert "We will answer by March 17, 2027." in rendered.body
    assert f"/en/enquiries/{ticket.reference}/" in rendered.body

    email.language = "fr"
    with translation.override("fr"):
        french = message_render(notification=email)
    assert "17 mars 2027" in french.body
    assert "Has my medical exam arrived?" in french.body


def test_sending_the_same_form_twice_makes_one_ticket_and_one_receipt(signed_in, applicant_application):
    key = form_key(signed_in.get(compose_url(application=applicant_application)).text)

    first = send(signed_in, application=applicant_application, key=key)
    second = send(signed_in, application=applicant_application, key=key)

    assert Ticket.objects.count() == 1
    assert first["Location"] == second["Location"]
    assert Notification.objects.filter(kind=Kind.ENQUIRY_RECEIPT, channel=Channel.EMAIL).count() == 1
    assert TicketMessage.objects.count() == 1


def test_another_persons_form_key_is_not_theirs_to_replay(client, applicant, other_applicant, applicant_application):
    client.force_login(applicant)
    key = form_key(client.get(compose_url(application=applicant_application)).text)
    send(client, application=applicant_application, key=key)

    client.force_login(other_applicant)
    response = send(client, application=None, key=key)

    assert response.status_code == 400
    assert "This form was already used." in response.text
    assert Ticket.objects.count() == 1


def test_the_reply_language_defaults_to_the_accounts_and_can_be_changed(client, applicant, applicant_application):
    applicant.preferred_language = "fr"
    applicant.save(update_fields=["preferred_language"])
    client.force_login(applicant)
    page = client.get(compose_url(application=applicant_application)).text
    assert '<option value="fr" selected>' in page

    send(client, application=applicant_application, language="fr")
    assert Ticket.objects.get().language == "fr"


def test_an_enquiry_without_an_application(signed_in):
    response = send(signed_in, application=None, topic="technical", message="The page will not load.")
    assert response.status_code == 302
    ticket = Ticket.objects.get()
    assert ticket.application is None
    assert ticket.topic.code == "technical"
    assert Notification.objects.get(channel=Channel.EMAIL).application_id is None


# ---- Validation: explained, in both languages, never a 500 --------------------------------------


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("", "Write your message."),
        ("   \n\t ", "Write your message."),
        ("x" * 5001, "Your message is 5001 characters long."),
    ],
)
def test_a_message_that_cannot_be_sent_is_explained(signed_in, applicant_application, message, expected):
    response = send(signed_in, application=applicant_application, message=message)
    assert response.status_code == 400
    assert expected in response.text
    assert 'aria-invalid="true"' in response.text
    assert not Ticket.objects.exists()


def test_the_length_limit_follows_the_setting(signed_in, applicant_application, settings):
    settings.ENQUIRY_MESSAGE_MAX_CHARS = 20
    response = send(signed_in, application=applicant_application, message="x" * 21)
    assert response.status_code == 400
    assert "Shorten it to 20 characters or fewer." in response.text


def test_errors_are_explained_on_the_french_page(client, applicant, applicant_application):
    client.force_login(applicant)
    with translation.override("fr"):
        url = reverse("enquiries:new")
    key = form_key(client.get(url + f"?application={applicant_application.number}&topic=status").text)
    response = client.post(
        url,
        {
            "application": applicant_application.number,
            "topic": "status",
            "message": "",
            "language": "fr",
            "submission_key": key,
        },
    )
    assert response.status_code == 400
    assert '<html lang="fr">' in response.text
    assert "Il y a un problème" in response.text
    assert 'aria-invalid="true"' in response.text


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"application": "none"},
        {"application": "none", "topic": "nope", "message": "Hi", "language": "en", "submission_key": "k"},
        {"application": "E" * 5000, "topic": "status", "message": "Hi", "language": "en", "submission_key": "k"},
        {"application": "none", "topic": "status", "message": "Hi\x00there", "language": "en", "submission_key": "k"},
        {"application": "none", "topic": "status", "message": "Hi", "language": "de", "submission_key": "k"},
        {"application": "none", "topic": "status", "message": "Hi", "language": "en", "submission_key": "k" * 65},
        {"application": "none", "topic": "status", "message": "Hi", "language": "en"},
    ],
)
def test_malformed_submissions_are_refused_without_a_500(signed_in, data):
    response = signed_in.post(reverse("enquiries:new"), data)
    assert response.status_code == 400
    assert "There is a problem" in response.text
    assert not Ticket.objects.exists()


# ---- Duplicates ------------------------------------------------------------------------------


def test_an_open_enquiry_on_the_same_application_and_topic_is_offered(signed_in, applicant, applicant_application):
    open_one = make_ticket(account=applicant, application=applicant_application, topic="status")
    other_topic = make_ticket(account=applicant, application=applicant_application, topic="contact")

    page = signed_in.get(compose_url(application=applicant_application, topic="status")).text

    assert "You already have an open enquiry about this" in page
    assert f"Add my message to enquiry {open_one.reference}" in page
    assert other_topic.reference not in page
    assert "Open a new enquiry anyway" in page


def test_a_closed_enquiry_is_not_offered_for_adding(signed_in, applicant, applicant_application):
    ticket = make_ticket(account=applicant, application=applicant_application)
    ticket_transition(ticket=ticket, to_state=TicketState.CLOSED)
    page = signed_in.get(compose_url(application=applicant_application)).text
    assert "You already have an open enquiry about this" not in page


def test_adding_to_the_open_enquiry_adds_a_message_and_no_ticket(signed_in, applicant, applicant_application):
    open_one = make_ticket(account=applicant, application=applicant_application)

    response = send(signed_in, application=applicant_application, message="Also: I moved.", add_to=open_one.reference)

    assert response.status_code == 302
    assert response["Location"] == reverse("enquiries:detail", kwargs={"reference": open_one.reference})
    assert Ticket.objects.count() == 1
    assert list(open_one.messages.values_list("body", flat=True)) == ["Where is my application?", "Also: I moved."]


def test_adding_to_an_enquiry_waiting_on_the_client_restarts_its_clock(
    signed_in, applicant, applicant_application, agent
):
    ticket = make_ticket(account=applicant, application=applicant_application)
    ticket_transition(ticket=ticket, to_state=TicketState.OPEN, assigned_to=agent)
    ticket_transition(ticket=ticket, to_state=TicketState.WAITING_ON_CLIENT)

    send(signed_in, application=applicant_application, message="Here it is.", add_to=ticket.reference)

    ticket.refresh_from_db()
    assert ticket.state == TicketState.OPEN
    assert ticket.paused_since is None
    assert TicketChange.objects.filter(ticket=ticket).last().actor == applicant


def test_opening_a_new_one_anyway_makes_a_second_ticket(signed_in, applicant, applicant_application):
    make_ticket(account=applicant, application=applicant_application)
    send(signed_in, application=applicant_application, add_to="new")
    assert Ticket.objects.count() == 2


def test_another_clients_ticket_is_never_added_to(
    signed_in, applicant, applicant_application, other_applicant, other_application
):
    mine = make_ticket(account=applicant, application=applicant_application)
    theirs = make_ticket(account=other_applicant, application=other_application)

    response = send(signed_in, application=applicant_application, add_to=theirs.reference)

    assert response.status_code == 400
    assert "That enquiry is no longer open." in response.text
    assert theirs.messages.count() == 1
    assert mine.messages.count() == 1
