"""My enquiries and one enquiry: who may see them, what they say in plain words, replies, query counts."""

import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from applications.services import application_unlink
from enquiries.models import Ticket, TicketMessage, TicketState
from enquiries.services import ticket_transition
from tests.enquiries.factories import make_ticket
from tests.factories import ApplicationFactory, ClientFactory, link, sign_in

PERSONAS = ["applicant", "other_applicant", "agent", "other_agent", "supervisor", "staff_user"]


@pytest.fixture
def ticket(applicant, applicant_application):
    return make_ticket(account=applicant, application=applicant_application, topic="status")


def detail_url(ticket: Ticket) -> str:
    return reverse("enquiries:detail", kwargs={"reference": ticket.reference})


# ---- Who may see what ------------------------------------------------------------------------


@pytest.mark.parametrize("url_name", ["enquiries:list", "enquiries:detail", "enquiries:sent"])
def test_anonymous_visitors_are_sent_to_sign_in(client, ticket, url_name):
    kwargs = {} if url_name == "enquiries:list" else {"reference": ticket.reference}
    response = client.get(reverse(url_name, kwargs=kwargs))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize(
    ("persona", "status"), [(persona, 200 if persona == "applicant" else 404) for persona in PERSONAS]
)
def test_only_the_client_sees_their_enquiry_on_the_client_pages(client, request, ticket, persona, status):
    sign_in(client, request.getfixturevalue(persona))
    assert client.get(detail_url(ticket)).status_code == status
    assert client.get(reverse("enquiries:sent", kwargs={"reference": ticket.reference})).status_code == status
    replied = client.post(detail_url(ticket), {"message": "Hello"})
    assert replied.status_code == (302 if status == 200 else 404)


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_list_shows_only_the_viewers_own_enquiries(client, request, ticket, persona):
    sign_in(client, request.getfixturevalue(persona))
    page = client.get(reverse("enquiries:list")).text
    assert (ticket.reference in page) is (persona == "applicant")


def test_a_malformed_or_unknown_reference_is_a_404(client, applicant, ticket):
    sign_in(client, applicant)
    assert client.get(reverse("enquiries:detail", kwargs={"reference": "not-a-ref"})).status_code == 404
    assert client.get(reverse("enquiries:detail", kwargs={"reference": "000-000-000"})).status_code == 404


def test_a_reference_typed_loosely_still_finds_it(client, applicant, ticket):
    sign_in(client, applicant)
    loose = ticket.reference.replace("-", " ").lower()
    assert client.get(reverse("enquiries:detail", kwargs={"reference": loose})).status_code == 200


def test_unlinking_the_application_hides_its_enquiries(client, applicant, applicant_application, ticket):
    about_nothing = make_ticket(account=applicant, topic="technical")
    application_unlink(account=applicant, application=applicant_application)
    sign_in(client, applicant)

    assert client.get(detail_url(ticket)).status_code == 404
    page = client.get(reverse("enquiries:list")).text
    assert ticket.reference not in page
    assert about_nothing.reference in page


def test_an_enquiry_waiting_for_email_confirmation_is_never_listed(client, applicant):
    guest = make_ticket(topic="status", contact_email="someone@example.com")
    Ticket.objects.filter(pk=guest.pk).update(state=TicketState.UNCONFIRMED, account=applicant)
    sign_in(client, applicant)
    assert guest.reference not in client.get(reverse("enquiries:list")).text
    assert client.get(detail_url(guest)).status_code == 404


# ---- The list: newest first, paginated, constant queries ----------------------------------------


def test_the_list_is_newest_first(client, applicant):
    older = make_ticket(account=applicant, topic="other")
    newer = make_ticket(account=applicant, topic="technical")
    sign_in(client, applicant)
    page = client.get(reverse("enquiries:list")).text
    assert page.index(newer.reference) < page.index(older.reference)


def test_the_list_is_paginated(client, applicant):
    tickets = [make_ticket(account=applicant, topic="other") for _ in range(22)]
    sign_in(client, applicant)
    first = client.get(reverse("enquiries:list")).text
    second = client.get(reverse("enquiries:list") + "?page=2").text
    assert tickets[-1].reference in first and tickets[0].reference not in first
    assert tickets[0].reference in second
    assert "Page 2 of 2" in second
    assert client.get(reverse("enquiries:list") + "?page=banana").status_code == 200


@pytest.mark.parametrize("size", [3, 30])
def test_the_list_costs_the_same_queries_whatever_the_number_of_enquiries(
    client, applicant, django_assert_num_queries, size
):
    own_client = ClientFactory()
    for index in range(size):
        application = ApplicationFactory(client=own_client) if index % 2 else None
        if application is not None:
            link(user=applicant, application=application)
        make_ticket(account=applicant, application=application, topic="other")
    sign_in(client, applicant)
    client.get(reverse("enquiries:list"))  # the session's first read may refresh it
    # session, user, unread count, count of tickets, one page of tickets with topics and applications
    with django_assert_num_queries(5):
        response = client.get(reverse("enquiries:list"))
    assert response.status_code == 200


@pytest.mark.parametrize("size", [2, 20])
def test_the_enquiry_page_costs_the_same_queries_whatever_the_length_of_the_conversation(
    client, applicant, ticket, django_assert_num_queries, size
):
    for index in range(size):
        TicketMessage.objects.create(ticket=ticket, author_kind="client" if index % 2 else "agent", body=f"m{index}")
    sign_in(client, applicant)
    client.get(detail_url(ticket))
    # session, user, unread count, the ticket (with its survey answer), its messages, the documents they carry,
    # its changes, the holidays for the due date
    with django_assert_num_queries(7):
        client.get(detail_url(ticket))


# ---- One enquiry in plain words ----------------------------------------------------------------


def test_the_conversation_never_shows_internal_notes(client, applicant, ticket, agent):
    TicketMessage.objects.create(
        ticket=ticket, author_kind="note", author=agent, body="Client sounds upset; check file"
    )
    TicketMessage.objects.create(ticket=ticket, author_kind="agent", author=agent, body="Your file is in review.")
    sign_in(client, applicant)
    page = client.get(detail_url(ticket)).text
    assert "Client sounds upset" not in page
    assert "Your file is in review." in page
    assert "The Client Support Centre wrote" in page
    assert agent.email not in page


def test_changes_are_told_in_plain_words_without_staff_notes_or_names(client, applicant, ticket, agent):
    ticket_transition(ticket=ticket, to_state=TicketState.OPEN, actor=agent, assigned_to=agent, note="escalate?")
    ticket_transition(ticket=ticket, to_state=TicketState.ANSWERED, actor=agent)
    sign_in(client, applicant)
    page = client.get(detail_url(ticket)).text
    assert "We received your enquiry and started the clock." in page
    assert "An agent started working on your enquiry." in page
    assert "We answered." in page
    assert "escalate?" not in page
    assert agent.email not in page
    assert "Answered" in page


def test_the_due_date_says_why_it_moved_after_waiting_on_the_client(client, applicant, applicant_application, agent):
    monday = datetime.datetime(2027, 3, 1, 15, 0, tzinfo=datetime.UTC)
    with time_machine.travel(monday, tick=False):
        ticket = make_ticket(account=applicant, application=applicant_application, topic="status")
        ticket_transition(ticket=ticket, to_state=TicketState.OPEN, assigned_to=agent)
    with time_machine.travel(monday + datetime.timedelta(days=1), tick=False):
        ticket_transition(ticket=ticket, to_state=TicketState.WAITING_ON_CLIENT, actor=agent)
        sign_in(client, applicant)
        paused = client.get(detail_url(ticket)).text
    with time_machine.travel(monday + datetime.timedelta(days=3), tick=False):
        sign_in(client, applicant)
        client.post(detail_url(ticket), {"message": "Here is my new address."})
        moved = client.get(detail_url(ticket)).text

    assert "The clock is paused while we wait for you, since" in paused
    assert '<time datetime="2027-03-02">' in paused
    ticket.refresh_from_db()
    assert ticket.state == TicketState.OPEN
    assert ticket.paused_business_days == 2
    assert ticket.due_on == datetime.date(2027, 3, 17)  # 10 business days from March 1, plus 2
    assert "The date moved by 2 business days because we waited for you." in moved
    assert "You replied, so the clock started again." in moved


def test_a_late_answer_is_owned_up_to(client, applicant, applicant_application):
    with time_machine.travel(timezone.now() - datetime.timedelta(days=40), tick=False):
        ticket = make_ticket(account=applicant, application=applicant_application, topic="status")
    sign_in(client, applicant)
    assert "We are late with our answer, and we are sorry." in client.get(detail_url(ticket)).text


# ---- Replies ---------------------------------------------------------------------------------


def test_a_reply_to_an_answered_enquiry_reopens_it(client, applicant, ticket, agent):
    ticket_transition(ticket=ticket, to_state=TicketState.OPEN, assigned_to=agent)
    ticket_transition(ticket=ticket, to_state=TicketState.ANSWERED, actor=agent)
    sign_in(client, applicant)

    response = client.post(detail_url(ticket), {"message": "That did not answer it."})

    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.state == TicketState.OPEN
    assert ticket.assigned_to == agent
    assert "You replied to our answer, so your enquiry is open again." in client.get(detail_url(ticket)).text


def test_a_reply_when_nobody_has_the_enquiry_puts_it_back_in_the_queue(client, applicant, ticket, agent):
    ticket_transition(ticket=ticket, to_state=TicketState.WAITING_ON_CLIENT, actor=agent)
    sign_in(client, applicant)
    client.post(detail_url(ticket), {"message": "Sent it."})
    ticket.refresh_from_db()
    assert ticket.state == TicketState.NEW
    assert ticket.paused_since is None


def test_a_reply_to_an_open_enquiry_adds_the_message_and_changes_nothing_else(client, applicant, ticket):
    sign_in(client, applicant)
    client.post(detail_url(ticket), {"message": "One more thing."})
    ticket.refresh_from_db()
    assert ticket.state == TicketState.NEW
    assert ticket.messages.last().body == "One more thing."
    assert ticket.changes.count() == 1


def test_the_same_reply_sent_twice_is_kept_once(client, applicant, ticket):
    sign_in(client, applicant)
    client.post(detail_url(ticket), {"message": "Twice?"})
    client.post(detail_url(ticket), {"message": "Twice?"})
    assert ticket.messages.filter(body="Twice?").count() == 1


@pytest.mark.parametrize("final_state", [TicketState.CLOSED, TicketState.SPAM])
def test_a_finished_enquiry_says_so_and_offers_a_new_one(client, applicant, ticket, final_state):
    ticket_transition(ticket=ticket, to_state=final_state)
    sign_in(client, applicant)

    page = client.get(detail_url(ticket)).text
    response = client.post(detail_url(ticket), {"message": "Hello?"})

    assert 'name="message"' not in page
    assert reverse("enquiries:new") in page
    assert response.status_code == 400
    assert "This enquiry is closed: send a new enquiry instead." in response.text
    assert ticket.messages.count() == 1


def test_a_merged_enquiry_points_to_the_one_it_joined(client, applicant, applicant_application, ticket):
    target = make_ticket(account=applicant, application=applicant_application)
    Ticket.objects.filter(pk=ticket.pk).update(state=TicketState.MERGED, merged_into=target)
    sign_in(client, applicant)
    page = client.get(detail_url(ticket)).text
    assert f"This enquiry was joined to enquiry {target.reference}" in page
    assert detail_url(target) in page


def test_an_empty_reply_is_explained(client, applicant, ticket):
    sign_in(client, applicant)
    response = client.post(detail_url(ticket), {"message": "  "})
    assert response.status_code == 400
    assert "Write your message." in response.text
