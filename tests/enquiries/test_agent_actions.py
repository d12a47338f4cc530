"""What agents do to a ticket from its page: claim, give, move, note, reply (and tell the client), merge, spam."""

import datetime

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.urls import NoReverseMatch, reverse

from applications.models import ApplicationLink
from enquiries.models import SavedReply, Ticket, TicketMessage, TicketState, Topic
from enquiries.services import ticket_locked, ticket_transition
from enquiries.workspace import WorkspaceRefused, ticket_mark_spam, ticket_reply
from notifications.content import message_render
from notifications.models import Channel, Kind, Notification
from tests.enquiries.agent_support import agent_client, signed_in_without_code
from tests.enquiries.factories import make_ticket
from tests.factories import UserFactory


@pytest.fixture
def ticket(applicant, applicant_application):
    return make_ticket(account=applicant, application=applicant_application, topic="status")


@pytest.fixture
def colleague(db):
    """A second agent of the status queue, with a name."""
    user = UserFactory(email="colleague@example.com", first_name="Jeanne", last_name="Roy", is_staff=True)
    user.groups.add(Group.objects.get(name="Agent"))
    Topic.objects.get(code="status").agents.add(user)
    return user


@pytest.fixture
def signed_in_agent(client, agent):
    return agent_client(client, agent)


def post(client, ticket: Ticket, action: str, data: dict | None = None, **extra):
    return client.post(reverse(f"agents:{action}", kwargs={"reference": ticket.reference}), data or {}, **extra)


def shown_messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


# --- claim ---------------------------------------------------------------------------------------


def test_claiming_assigns_the_ticket_opens_it_and_records_who(signed_in_agent, agent, ticket):
    response = post(signed_in_agent, ticket, "claim")
    assert response.status_code == 302
    assert response["Location"] == reverse("agents:ticket", kwargs={"reference": ticket.reference})
    ticket.refresh_from_db()
    assert (ticket.state, ticket.assigned_to) == (TicketState.OPEN, agent)
    change = ticket.changes.last()
    assert (change.from_state, change.to_state, change.actor, change.assigned_to) == ("new", "open", agent, agent)


def test_claiming_twice_changes_nothing_the_second_time(signed_in_agent, ticket):
    post(signed_in_agent, ticket, "claim")
    post(signed_in_agent, ticket, "claim")
    assert ticket.changes.count() == 2  # queued, then claimed once


def test_a_second_agent_is_told_who_claimed_it_and_nothing_is_overwritten(client, colleague, agent, ticket):
    agent_client(client, colleague)
    post(client, ticket, "claim")
    other = client.__class__()
    agent_client(other, agent)
    response = post(other, ticket, "claim", follow=True)
    assert "This enquiry was already claimed by Jeanne Roy." in shown_messages(response)
    ticket.refresh_from_db()
    assert ticket.assigned_to == colleague


def test_a_closed_ticket_cannot_be_claimed(signed_in_agent, ticket):
    ticket_transition(ticket=ticket, to_state=TicketState.CLOSED)
    response = post(signed_in_agent, ticket, "claim", follow=True)
    assert "This enquiry is closed: nothing more can be done on it." in shown_messages(response)
    ticket.refresh_from_db()
    assert ticket.assigned_to is None


# --- assign and transfer ----------------------------------------------------------------------------


def test_an_agent_gives_their_ticket_to_a_colleague_of_the_queue(signed_in_agent, agent, colleague, ticket):
    post(signed_in_agent, ticket, "claim")
    response = post(signed_in_agent, ticket, "assign", {"assign-assignee": colleague.pk, "assign-note": "Her file"})
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.assigned_to == colleague
    assert ticket.state == TicketState.OPEN
    assert ticket.changes.last().note == "Her file"


def test_an_agent_cannot_give_away_a_colleagues_ticket(signed_in_agent, agent, colleague, supervisor, ticket):
    ticket_transition(ticket=ticket, to_state=TicketState.OPEN, assigned_to=colleague)
    page = signed_in_agent.get(reverse("agents:ticket", kwargs={"reference": ticket.reference}))
    assert "Give the enquiry" not in page.text
    assert "Jeanne Roy is working on this enquiry." in page.text
    response = post(signed_in_agent, ticket, "assign", {"assign-assignee": ""}, follow=True)
    assert "This enquiry was already claimed by Jeanne Roy." in shown_messages(response)
    ticket.refresh_from_db()
    assert ticket.assigned_to == colleague


def test_a_supervisor_reassigns_anyones_ticket(client, supervisor, agent, colleague, ticket):
    ticket_transition(ticket=ticket, to_state=TicketState.OPEN, assigned_to=colleague)
    agent_client(client, supervisor)
    post(client, ticket, "assign", {"assign-assignee": agent.pk})
    ticket.refresh_from_db()
    assert ticket.assigned_to == agent
    assert ticket.changes.last().actor == supervisor


def test_only_agents_of_the_queue_can_be_given_a_ticket(signed_in_agent, other_agent, ticket):
    response = post(signed_in_agent, ticket, "assign", {"assign-assignee": other_agent.pk})
    assert response.status_code == 400
    assert "Select a valid choice" in response.text
    assert 'class="error-summary"' in response.text
    ticket.refresh_from_db()
    assert ticket.assigned_to is None


def test_back_to_the_queue_unassigns_and_makes_it_new_again(signed_in_agent, ticket):
    post(signed_in_agent, ticket, "claim")
    post(signed_in_agent, ticket, "assign", {"assign-assignee": ""})
    ticket.refresh_from_db()
    assert (ticket.state, ticket.assigned_to) == (TicketState.NEW, None)


def test_moving_to_another_queue_keeps_the_promised_date(client, agent, other_agent, ticket):
    agent_client(client, agent)
    due_on = ticket.due_on
    post(client, ticket, "claim")
    technical = Topic.objects.get(code="technical")
    response = post(client, ticket, "transfer", {"transfer-topic": technical.pk, "transfer-note": "Portal bug"})
    assert response["Location"] == reverse("agents:queue")
    ticket.refresh_from_db()
    assert (ticket.topic, ticket.state, ticket.assigned_to) == (technical, TicketState.NEW, None)
    assert ticket.priority == technical.priority
    assert ticket.due_on == due_on
    assert ticket.changes.last().note == "status → technical. Portal bug"
    # It left the agent's queues, and reached the other one.
    assert client.get(reverse("agents:ticket", kwargs={"reference": ticket.reference})).status_code == 404
    other = client.__class__()
    agent_client(other, other_agent)
    assert other.get(reverse("agents:ticket", kwargs={"reference": ticket.reference})).status_code == 200


def test_moving_needs_a_queue(signed_in_agent, ticket):
    response = post(signed_in_agent, ticket, "transfer", {"transfer-topic": ""})
    assert response.status_code == 400
    assert "Choose the queue to move the enquiry to." in response.text


# --- notes ----------------------------------------------------------------------------------------------


def test_a_note_is_added_once_even_if_sent_twice(signed_in_agent, agent, ticket):
    for _attempt in range(2):
        post(signed_in_agent, ticket, "note", {"note-body": "  Asked the office for an update.  "})
    notes = TicketMessage.objects.filter(ticket=ticket, author_kind=TicketMessage.Author.NOTE)
    assert [(note.body, note.author) for note in notes] == [("Asked the office for an update.", agent)]
    assert not Notification.objects.exists()


def test_an_empty_or_too_long_note_is_explained(signed_in_agent, ticket, settings):
    empty = post(signed_in_agent, ticket, "note", {"note-body": "   "})
    assert empty.status_code == 400
    assert "Write a message before sending." in empty.text
    assert 'href="#id_note-body"' in empty.text
    too_long = post(signed_in_agent, ticket, "note", {"note-body": "x" * (settings.ENQUIRY_MESSAGE_MAX_CHARS + 1)})
    assert too_long.status_code == 400
    assert "Keep the message under" in too_long.text
    assert not TicketMessage.objects.filter(author_kind="note").exists()


# --- replies and the client's notification --------------------------------------------------------------


def answered_rows(ticket: Ticket):
    return Notification.objects.filter(kind=Kind.ENQUIRY_ANSWERED, about_label=ticket.reference)


def test_a_reply_answers_the_ticket_and_tells_the_client_once(signed_in_agent, agent, applicant, ticket):
    for _attempt in range(2):  # a double click
        response = post(signed_in_agent, ticket, "reply", {"reply-body": "Your file is with an officer."})
        assert response.status_code == 302
    ticket.refresh_from_db()
    assert (ticket.state, ticket.assigned_to) == (TicketState.ANSWERED, agent)
    assert ticket.first_answered_at is not None
    (reply,) = TicketMessage.objects.filter(ticket=ticket, author_kind=TicketMessage.Author.AGENT)
    rows = answered_rows(ticket)
    assert {row.channel for row in rows} == {Channel.IN_APP, Channel.EMAIL}
    for row in rows:
        assert row.recipient == applicant
        assert row.application == ticket.application
        assert row.dedupe_key == f"enquiry_answered:{reply.pk}"
        assert row.message_en == row.message_fr == "Your file is with an officer."
        assert row.message_in_email
        assert row.link_path.startswith("survey/")


def test_the_survey_link_in_the_notification_is_for_this_ticket(signed_in_agent, ticket):
    from enquiries.survey import survey_ticket_id

    post(signed_in_agent, ticket, "reply", {"reply-body": "Done."})
    token = answered_rows(ticket).first().link_path.removeprefix("survey/").rstrip("/")
    assert survey_ticket_id(token=token) == ticket.pk


def test_a_guest_gets_the_answer_by_email_in_the_tickets_language(signed_in_agent, applicant_application):
    ticket = make_ticket(application=applicant_application, language="fr", contact_email="invite@example.com")
    post(signed_in_agent, ticket, "reply", {"reply-body": "Votre dossier avance."})
    (row,) = answered_rows(ticket)
    assert (row.recipient, row.address, row.language, row.channel) == (None, "invite@example.com", "fr", Channel.EMAIL)
    assert row.message_in_email
    # Not tied to the file: an address-only email would otherwise be withdrawn for want of an account on it.
    assert row.application is None


def test_a_client_who_lost_access_to_the_file_is_written_to_at_their_address(
    signed_in_agent, applicant, applicant_application, ticket
):
    ApplicationLink.objects.filter(account=applicant, application=applicant_application).delete()
    post(signed_in_agent, ticket, "reply", {"reply-body": "Answer."})
    (row,) = answered_rows(ticket)
    assert (row.recipient, row.address, row.language) == (None, ticket.contact_email, ticket.language)


def test_a_closed_account_is_written_to_at_the_tickets_address(signed_in_agent, applicant, ticket):
    applicant.is_active = False
    applicant.save(update_fields=["is_active"])
    post(signed_in_agent, ticket, "reply", {"reply-body": "Answer."})
    (row,) = answered_rows(ticket)
    assert row.recipient is None and row.address == ticket.contact_email


def test_the_clients_preferences_decide_the_channels(signed_in_agent, applicant, ticket):
    from notifications.models import NotificationPreference

    NotificationPreference.objects.create(user=applicant, email_enquiry_answered=False)
    post(signed_in_agent, ticket, "reply", {"reply-body": "Answer."})
    assert {row.channel for row in answered_rows(ticket)} == {Channel.IN_APP}


def test_waiting_for_the_client_pauses_the_clock_and_their_answer_moves_the_due_date(client, agent, ticket):
    # Queued on a Monday with a 10-day standard; the agent asks a question on Wednesday.
    monday = datetime.datetime(2030, 3, 4, 15, 0, tzinfo=datetime.UTC)
    Ticket.objects.filter(pk=ticket.pk).update(clock_started_on=monday.date(), due_on=datetime.date(2030, 3, 18))
    with time_machine.travel(monday + datetime.timedelta(days=2), tick=False):
        agent_client(client, agent)
        post(client, ticket, "reply", {"reply-body": "Which address?", "reply-wait_for_client": "on"})
    ticket.refresh_from_db()
    assert ticket.state == TicketState.WAITING_ON_CLIENT
    assert ticket.paused_since is not None
    (row, *_rest) = answered_rows(ticket)  # still news: the client must act
    assert row.message_en == "Which address?"
    # The client answers the next Monday: Thursday, Friday and Monday were theirs.
    with time_machine.travel(monday + datetime.timedelta(days=7), tick=False):
        locked = ticket_locked(ticket_id=ticket.pk)
        ticket_transition(ticket=locked, to_state=TicketState.OPEN)
    ticket.refresh_from_db()
    assert ticket.paused_since is None
    assert ticket.paused_business_days == 3
    assert ticket.due_on == datetime.date(2030, 3, 21)


def test_a_reply_remembers_the_saved_reply_used(signed_in_agent, ticket):
    saved = SavedReply.objects.filter(topic__code="status").first()
    post(signed_in_agent, ticket, "reply", {"reply-body": "Edited text", "reply-saved_reply": saved.pk})
    assert TicketMessage.objects.get(ticket=ticket, author_kind="agent").saved_reply == saved


def test_a_saved_reply_of_another_queue_is_not_recorded(signed_in_agent, ticket, technical_topic):
    foreign = SavedReply.objects.create(title_en="T", title_fr="T", body_en="x", body_fr="x", topic=technical_topic)
    post(signed_in_agent, ticket, "reply", {"reply-body": "Text", "reply-saved_reply": foreign.pk})
    assert TicketMessage.objects.get(ticket=ticket, author_kind="agent").saved_reply is None


def test_nobody_replies_on_a_colleagues_ticket_but_a_supervisor(client, agent, colleague, supervisor, ticket):
    ticket_transition(ticket=ticket, to_state=TicketState.OPEN, assigned_to=colleague)
    with pytest.raises(WorkspaceRefused, match="already claimed by Jeanne Roy"):
        ticket_reply(ticket_id=ticket.pk, agent=agent, body="Hi")
    ticket_reply(ticket_id=ticket.pk, agent=supervisor, body="Hi from the supervisor")
    ticket.refresh_from_db()
    assert ticket.state == TicketState.ANSWERED
    assert ticket.assigned_to == colleague


def test_a_closed_ticket_cannot_be_answered(signed_in_agent, ticket):
    ticket_transition(ticket=ticket, to_state=TicketState.CLOSED)
    page = signed_in_agent.get(reverse("agents:ticket", kwargs={"reference": ticket.reference})).text
    assert "Send the reply" not in page
    response = post(signed_in_agent, ticket, "reply", {"reply-body": "Late answer"}, follow=True)
    assert "This enquiry is closed: it can no longer be answered." in shown_messages(response)
    assert not answered_rows(ticket).exists()


def test_an_empty_reply_is_explained_and_the_page_keeps_working(signed_in_agent, ticket):
    response = post(signed_in_agent, ticket, "reply", {"reply-body": ""})
    assert response.status_code == 400
    assert "Write a message before sending." in response.text
    assert response.context["reply_form"].is_bound
    ticket.refresh_from_db()
    assert ticket.state == TicketState.NEW


@pytest.fixture
def enquiry_list_url(monkeypatch):
    """The emails link to the client's list of enquiries (enquiries:list), which the client part builds."""
    from notifications import content

    real_reverse = content.reverse

    def reverse_or_stand_in(name, *args, **kwargs):
        try:
            return real_reverse(name, *args, **kwargs)
        except NoReverseMatch:
            if name != "enquiries:list":
                raise
            return "/en/enquiries/"

    monkeypatch.setattr(content, "reverse", reverse_or_stand_in)


def test_a_guest_gets_the_answer_quoted_in_french_with_the_survey_link(
    signed_in_agent, applicant_application, settings, enquiry_list_url
):
    ticket = make_ticket(application=applicant_application, language="fr", contact_email="invite@example.com")
    post(signed_in_agent, ticket, "reply", {"reply-body": "Votre dossier avance."})
    message = message_render(notification=answered_rows(ticket).get())
    assert ticket.reference in message.subject
    assert "Votre dossier avance." in message.body
    assert f"{settings.SITE_URL.rstrip('/')}/fr/survey/" in message.body
    # Nothing to unsubscribe from and no list of enquiries without an account.
    assert "unsubscribe" not in message.body.lower()
    assert "/enquiries/" not in message.body


def test_an_account_holder_gets_the_answer_with_their_enquiries_and_the_usual_footer(
    signed_in_agent, ticket, settings, enquiry_list_url
):
    post(signed_in_agent, ticket, "reply", {"reply-body": "Your file is with an officer."})
    message = message_render(notification=answered_rows(ticket).get(channel=Channel.EMAIL))
    assert message.subject == f"Your enquiry {ticket.reference} has been answered"
    assert "Your file is with an officer." in message.body
    assert "/en/survey/" in message.body
    assert "/en/enquiries/" in message.body
    assert "Stop all emails from this service with one click" in message.body


def test_the_text_message_names_the_enquiry_but_never_quotes_the_answer(
    signed_in_agent, applicant, ticket, enquiry_list_url
):
    from notifications.models import NotificationPreference

    NotificationPreference.objects.create(user=applicant, sms_enquiry_answered=True, phone_number="+16135550123")
    post(signed_in_agent, ticket, "reply", {"reply-body": "Your file is with an officer."})
    message = message_render(notification=answered_rows(ticket).get(channel=Channel.SMS))
    assert ticket.reference in message.body
    assert "officer" not in message.body


# --- merge and spam ------------------------------------------------------------------------------------


def test_a_duplicate_is_merged_into_the_clients_other_enquiry(signed_in_agent, agent, applicant, ticket):
    duplicate = make_ticket(account=applicant, topic="status", body="Same question again")
    response = post(signed_in_agent, duplicate, "merge", {"merge-into": ticket.reference})
    assert response["Location"] == reverse("agents:ticket", kwargs={"reference": ticket.reference})
    duplicate.refresh_from_db()
    assert (duplicate.state, duplicate.merged_into) == (TicketState.MERGED, ticket)
    assert duplicate.closed_at is not None
    assert duplicate.messages.get().body == "Same question again"
    assert duplicate.changes.last().actor == agent


def test_only_the_same_clients_open_enquiries_are_offered_for_merging(
    signed_in_agent, applicant, other_applicant, ticket
):
    stranger = make_ticket(account=other_applicant, topic="status")
    closed = make_ticket(account=applicant, topic="status")
    ticket_transition(ticket=closed, to_state=TicketState.CLOSED)
    page = signed_in_agent.get(reverse("agents:ticket", kwargs={"reference": ticket.reference}))
    offered = {target.reference for target in page.context["merge_form"].fields["into"].queryset}
    assert offered == set()
    assert "This client has no other open enquiry to merge this one into." in page.text
    response = post(signed_in_agent, ticket, "merge", {"merge-into": stranger.reference})
    assert response.status_code == 400
    assert response.context["merge_form"].errors["into"] == ["Choose one of the client's open enquiries from the list."]
    assert 'href="#id_merge-into"' in response.text
    stranger.refresh_from_db()
    assert stranger.state == TicketState.NEW


def test_spam_leaves_the_queue(signed_in_agent, ticket):
    response = post(signed_in_agent, ticket, "spam")
    assert response["Location"] == reverse("agents:queue")
    ticket.refresh_from_db()
    assert ticket.state == TicketState.SPAM
    queue = signed_in_agent.get(reverse("agents:queue"))
    assert ticket.reference not in [row.ticket.reference for row in queue.context["rows"]]


def test_an_answered_ticket_cannot_be_marked_spam(agent, ticket):
    ticket_reply(ticket_id=ticket.pk, agent=agent, body="Answer")
    with pytest.raises(WorkspaceRefused, match="cannot be marked as spam"):
        ticket_mark_spam(ticket_id=ticket.pk, agent=agent)


def test_a_stale_page_cannot_act_after_the_ticket_left_the_queue(client, agent, ticket):
    """The page was opened before someone moved the ticket away; the action finds it gone (404)."""
    agent_client(client, agent)
    Ticket.objects.filter(pk=ticket.pk).update(topic=Topic.objects.get(code="technical"))
    assert post(client, ticket, "reply", {"reply-body": "Hello"}).status_code == 404
    assert not answered_rows(ticket).exists()


def test_without_the_second_step_no_action_goes_through(client, agent, ticket):
    from tests.enquiries.agent_support import totp_secret_for

    totp_secret_for(agent)
    signed_in_without_code(client, agent)
    response = post(client, ticket, "claim")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_reauthenticate"))
    ticket.refresh_from_db()
    assert ticket.assigned_to is None
