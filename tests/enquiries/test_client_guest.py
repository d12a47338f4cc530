"""Enquiries without an account: identified as on the linking form, with the same counters and lockout,
one generic error, and an email address confirmed by a link before anything is queued."""

import datetime
import re

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone, translation

from applications.models import LinkAttempt, LinkLock
from applications.services import LinkResult, application_identify_guest, application_link
from enquiries.models import Ticket, TicketState
from enquiries.submission import confirm_token
from notifications.content import message_render
from notifications.models import Channel, Kind, Notification
from tests.enquiries.client_support import form_key
from tests.factories import ApplicationFactory, ClientFactory, UserFactory

GENERIC_ERROR = "We could not find an application with the details you entered."
LOCKED_ERROR = "are paused for 24 hours after too many tries"


@pytest.fixture
def application(db):
    client = ClientFactory(
        uci="12345678", family_name="Côté-Nguyen", date_of_birth=datetime.date(1988, 7, 1), country_of_birth="VN"
    )
    return ApplicationFactory(number="E123456789", client=client)


def guest_post(client, *, address: str = "203.0.113.7", **fields):
    key = fields.pop("submission_key", None) or form_key(client.get(reverse("enquiries:new")).text)
    data = {
        "application_number": "E123456789",
        "uci": "12345678",
        "name": "Minh Côté-Nguyen",
        "email": "minh@example.com",
        "topic": "status",
        "message": "Where is my file?",
        "language": "fr",
        "submission_key": key,
        **fields,
    }
    return client.post(reverse("enquiries:new"), data, REMOTE_ADDR=address)


def confirm_url(ticket: Ticket) -> str:
    return reverse("enquiries:confirm", kwargs={"token": confirm_token(ticket=ticket)})


# ---- The form --------------------------------------------------------------------------------


def test_without_an_account_the_same_address_offers_the_guest_form(client, db):
    page = client.get(reverse("enquiries:new")).text
    assert "Do you have an account?" in page
    assert 'name="application_number"' in page and 'name="email"' in page
    assert form_key(page)


def test_a_guest_identified_by_uci_gets_an_unconfirmed_ticket_and_a_confirmation_email(client, application):
    response = guest_post(client)

    assert response.status_code == 302
    assert response["Location"] == reverse("enquiries:guest_sent")
    ticket = Ticket.objects.get()
    assert ticket.state == TicketState.UNCONFIRMED
    assert (ticket.account, ticket.application) == (None, application)
    assert (ticket.contact_email, ticket.contact_name, ticket.language) == (
        "minh@example.com",
        "Minh Côté-Nguyen",
        "fr",
    )
    assert ticket.clock_started_on is None and ticket.due_on is None
    assert not ticket.changes.exists()
    assert LinkAttempt.objects.get().result == LinkAttempt.Result.IDENTIFIED

    email = Notification.objects.get()
    assert (email.kind, email.channel, email.recipient, email.address, email.language) == (
        Kind.ENQUIRY_CONFIRM,
        Channel.EMAIL,
        None,
        "minh@example.com",
        "fr",
    )
    assert email.application_id is None
    body = message_render(notification=email).body
    assert "/fr/enquiries/confirm/" in body
    assert "Where is my file?" not in body  # an address nobody confirmed is not sent what a stranger wrote


def test_a_guest_can_identify_with_name_birth_date_and_country(client, application):
    response = guest_post(client, uci="", family_name="cote nguyen", date_of_birth="1988-07-01", country_of_birth="VN")
    assert response.status_code == 302
    assert Ticket.objects.get().application == application


@pytest.mark.parametrize(
    "fields",
    [
        {"uci": "87654321"},
        {"application_number": "E999999999"},
        {"uci": "", "family_name": "Nguyen", "date_of_birth": "1988-07-01", "country_of_birth": "VN"},
        {"uci": "", "family_name": "Côté-Nguyen", "date_of_birth": "1988-07-02", "country_of_birth": "VN"},
    ],
)
def test_wrong_identifiers_get_one_generic_answer_and_nothing_is_made(client, application, fields):
    response = guest_post(client, **fields)
    assert response.status_code == 400
    assert GENERIC_ERROR in response.text
    assert not Ticket.objects.exists()
    assert not Notification.objects.exists()
    assert LinkAttempt.objects.get().result == LinkAttempt.Result.MISMATCH


def test_the_answer_is_the_same_whether_the_number_exists_or_not(client, application):
    def error_part(response) -> str:
        return re.search(r'<div class="error-summary".*?</div>', response.text, re.S).group(0)

    existing = guest_post(client, uci="87654321")
    missing = guest_post(client, application_number="E000000001", uci="87654321")
    assert existing.status_code == missing.status_code == 400
    assert error_part(existing) == error_part(missing)


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"email": "not an address"}, "Enter an email address like name@example.com."),
        ({"name": "   "}, "Enter your name."),
        ({"message": ""}, "Write your message."),
        ({"topic": "nope"}, "This topic is not offered any more."),
        ({"application_number": ""}, "Enter the application number."),
        ({"uci": "12"}, "Enter your UCI as 8 or 10 digits."),
        ({"date_of_birth": "01/07/1988", "uci": ""}, "Enter your date of birth as year, month and day"),
        ({"submission_key": "x" * 100}, "Ensure this value has at most 64 characters"),
    ],
)
def test_guest_form_mistakes_are_explained_without_a_500(client, application, fields, expected):
    response = guest_post(client, **fields)
    assert response.status_code == 400
    assert expected in response.text
    assert not LinkAttempt.objects.exists()  # nothing is tried before the form is right


def test_guest_form_errors_show_on_the_french_page(client, application):
    with translation.override("fr"):
        url = reverse("enquiries:new")
    response = client.post(url, {"email": "nope"})
    assert response.status_code == 400
    assert '<html lang="fr">' in response.text
    assert "Il y a un problème" in response.text


# ---- Counters and lockout, shared with linking -------------------------------------------------


def test_guest_failures_lock_the_number_for_linking_too(client, application, settings):
    settings.LINK_MAX_FAILURES_PER_APPLICATION = 3
    for attempt in range(3):
        guest_post(client, uci=f"{80000000 + attempt}", address=f"198.51.100.{attempt}")

    result, _ = application_link(account=UserFactory(), application_number="E123456789", uci="12345678")

    assert result == LinkResult.LOCKED
    assert LinkLock.objects.filter(scope=LinkLock.Scope.APPLICATION, key="E123456789").exists()


def test_linking_failures_lock_the_number_for_guests_too(client, application, settings):
    settings.LINK_MAX_FAILURES_PER_APPLICATION = 3
    for attempt in range(3):
        application_link(account=UserFactory(), application_number="E123456789", uci=f"{80000000 + attempt}")

    response = guest_post(client)  # the right identifiers, too late

    assert response.status_code == 400
    assert LOCKED_ERROR in response.text
    assert not Ticket.objects.exists()
    assert LinkAttempt.objects.filter(result=LinkAttempt.Result.LOCKED, account=None).count() == 1


def test_one_address_is_locked_after_too_many_failures_on_any_numbers(client, application, settings):
    settings.LINK_MAX_FAILURES_PER_ACCOUNT = 4
    for attempt in range(4):
        guest_post(client, application_number=f"E55500000{attempt}", uci="87654321")

    from_there = guest_post(client)
    from_elsewhere = guest_post(client, address="192.0.2.99")

    assert LOCKED_ERROR in from_there.text
    assert LinkLock.objects.filter(scope=LinkLock.Scope.ACCOUNT, key="203.0.113.7").exists()
    assert from_elsewhere.status_code == 302


def test_a_lock_ends_after_its_hours(client, application, settings):
    settings.LINK_MAX_FAILURES_PER_APPLICATION = 1
    guest_post(client, uci="87654321")
    assert LOCKED_ERROR in guest_post(client).text
    with time_machine.travel(timezone.now() + datetime.timedelta(hours=settings.LINK_LOCK_HOURS + 1)):
        assert guest_post(client).status_code == 302


def test_the_identification_service_records_every_try(application):
    assert application_identify_guest(application_number="e123 456 789", uci="87654321")[0] == LinkResult.MISMATCH
    result, found = application_identify_guest(application_number="e123 456 789", uci="12345678", ip_address="::1")
    assert (result, found) == (LinkResult.IDENTIFIED, application)
    attempts = LinkAttempt.objects.order_by("created_at", "id")
    assert [(attempt.result, attempt.ip_address, attempt.account) for attempt in attempts] == [
        ("mismatch", None, None),
        ("identified", "::1", None),
    ]


# ---- Confirmation ----------------------------------------------------------------------------


@pytest.fixture
def unconfirmed(client, application) -> Ticket:
    guest_post(client)
    return Ticket.objects.get()


def test_opening_the_link_shows_a_button_and_queues_nothing(client, unconfirmed):
    response = client.get(confirm_url(unconfirmed))
    assert response.status_code == 200
    assert "Confirm and send" in response.text
    unconfirmed.refresh_from_db()
    assert unconfirmed.state == TicketState.UNCONFIRMED


def test_confirming_queues_the_ticket_and_sends_the_receipt(client, unconfirmed):
    url = confirm_url(unconfirmed)
    response = client.post(url)

    assert response.status_code == 302 and response["Location"] == url
    unconfirmed.refresh_from_db()
    assert unconfirmed.state == TicketState.NEW
    assert unconfirmed.email_confirmed_at is not None
    assert unconfirmed.clock_started_on is not None and unconfirmed.due_on is not None
    page = client.get(url).text
    assert unconfirmed.reference in page

    receipt = Notification.objects.get(kind=Kind.ENQUIRY_RECEIPT)
    assert (receipt.recipient, receipt.address, receipt.language, receipt.application_id) == (
        None,
        "minh@example.com",
        "fr",
        None,
    )
    rendered = message_render(notification=receipt)
    assert unconfirmed.reference in rendered.subject
    assert "Where is my file?" in rendered.body
    assert "/fr/enquiries/new/" in rendered.body


def test_confirming_twice_is_harmless(client, unconfirmed):
    url = confirm_url(unconfirmed)
    client.post(url)
    again = client.post(url)
    assert again.status_code == 302
    assert Notification.objects.filter(kind=Kind.ENQUIRY_RECEIPT).count() == 1
    assert unconfirmed.changes.count() == 1


@pytest.mark.parametrize("tamper", ["expired", "altered", "garbage"])
def test_a_bad_or_expired_link_explains_and_confirms_nothing(client, unconfirmed, tamper):
    token = confirm_token(ticket=unconfirmed)
    if tamper == "altered":
        token = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    elif tamper == "garbage":
        token = "not-a-token"
    when = timezone.now() + datetime.timedelta(days=4 if tamper == "expired" else 0)
    with time_machine.travel(when):
        url = reverse("enquiries:confirm", kwargs={"token": token})
        shown = client.get(url)
        posted = client.post(url)
    assert shown.status_code == posted.status_code == 404
    assert "This link does not work" in shown.text
    unconfirmed.refresh_from_db()
    assert unconfirmed.state == TicketState.UNCONFIRMED


def test_a_signed_in_clients_ticket_cannot_be_confirmed_by_token(client, applicant):
    from tests.enquiries.factories import make_ticket

    ticket = make_ticket(account=applicant)
    assert client.get(reverse("enquiries:confirm", kwargs={"token": confirm_token(ticket=ticket)})).status_code == 404


def test_sending_the_guest_form_twice_makes_one_ticket_and_one_email(client, application):
    key = form_key(client.get(reverse("enquiries:new")).text)
    first = guest_post(client, submission_key=key)
    second = guest_post(client, submission_key=key)
    assert first.status_code == second.status_code == 302
    assert Ticket.objects.count() == 1
    assert Notification.objects.count() == 1


def test_the_confirmation_email_reaches_the_gc_notify_stand_in(client, application, settings):
    from notifications.services import notifications_deliver_many
    from tests.notifications_support import running_fake_notify

    guest_post(client)
    email = Notification.objects.get()
    with running_fake_notify() as (base_url, store):
        settings.NOTIFY_BASE_URL = base_url
        notifications_deliver_many(notification_ids=[email.pk])
        (sent,) = store.messages()
    assert sent["email_address"] == "minh@example.com"
    assert "/fr/enquiries/confirm/" in str(sent["personalisation"])


def test_a_form_key_reused_by_someone_else_never_swallows_their_enquiry(client, application):
    key = form_key(client.get(reverse("enquiries:new")).text)
    guest_post(client, submission_key=key)

    response = guest_post(client, submission_key=key, email="someone.else@example.com")

    assert response.status_code == 400
    assert "This form was already used." in response.text
    assert Ticket.objects.count() == 1


def test_pages_with_a_form_key_or_a_token_are_never_cached(client, unconfirmed):
    for url in (reverse("enquiries:new"), confirm_url(unconfirmed)):
        assert "no-store" in client.get(url)["Cache-Control"]
