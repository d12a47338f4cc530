"""One ticket in the workspace: the conversation, attachments, notes, the client's status page, other enquiries,
the history, saved replies filled in; audited reads and a fixed number of queries."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core.models import AuditAction, AuditEvent
from enquiries import agent_selectors
from enquiries.agent_selectors import fill_placeholders, saved_reply_text
from enquiries.models import Document, SavedReply, Ticket, TicketMessage, TicketState
from enquiries.services import ticket_transition
from tests.enquiries.agent_support import agent_client, bulk_tickets
from tests.enquiries.factories import make_ticket
from tests.factories import ApplicationFactory, status_event_record


@pytest.fixture
def ticket(applicant, applicant_application):
    return make_ticket(
        account=applicant, application=applicant_application, topic="status", body="Is my file moving at all?"
    )


@pytest.fixture
def signed_in_agent(client, agent):
    return agent_client(client, agent)


def ticket_url(ticket: Ticket, **params) -> str:
    url = reverse("agents:ticket", kwargs={"reference": ticket.reference})
    if params:
        url += "?" + "&".join(f"{key}={value}" for key, value in params.items())
    return url


def add_document(ticket: Ticket, message: TicketMessage | None = None, name: str = "passport.pdf") -> Document:
    return Document.objects.create(
        ticket=ticket,
        message=message,
        application=ticket.application,
        original_name=name,
        content_type="application/pdf",
        size=2_400_000,
        sha256="0" * 64,
    )


def test_it_shows_the_clients_message_and_attachments_by_name_and_size(signed_in_agent, ticket):
    first = ticket.messages.get()
    add_document(ticket, first)
    page = signed_in_agent.get(ticket_url(ticket)).text
    assert "Is my file moving at all?" in page
    assert "passport.pdf" in page
    assert "2.3\xa0MB" in page
    assert "application/pdf" in page


def test_an_attachment_links_to_its_download_page(signed_in_agent, ticket):
    document = add_document(ticket, ticket.messages.get())
    page = signed_in_agent.get(ticket_url(ticket)).text
    assert f'<a href="/en/documents/{document.pk}/download/">passport.pdf</a>' in page


def test_a_deleted_attachment_is_listed_without_a_link(ticket):
    document = add_document(ticket)
    assert agent_selectors.document_download_url(document=document)
    document.deleted_at = timezone.now()
    assert agent_selectors.document_download_url(document=document) == ""


def test_internal_notes_are_shown_apart_from_the_conversation(client, agent, ticket):
    TicketMessage.objects.create(ticket=ticket, author_kind="note", author=agent, body="Called the office: on hold.")
    response = agent_client(client, agent).get(ticket_url(ticket))
    workspace = response.context["workspace"]
    assert [item.message.body for item in workspace.conversation] == ["Is my file moving at all?"]
    assert [note.body for note in workspace.notes] == ["Called the office: on hold."]


def test_it_shows_the_status_page_as_the_client_sees_it_and_records_the_read(
    signed_in_agent, agent, ticket, applicant_application
):
    stage = applicant_application.program.stages.first()
    status_event_record(
        application=applicant_application,
        stage=stage,
        state="in_progress",
        occurred_at=timezone.now() - datetime.timedelta(days=3),
        source_id="visible-1",
        message_en="We started the completeness check.",
        message_fr="Nous avons commencé la vérification.",
    )
    status_event_record(
        application=applicant_application,
        stage=stage,
        state="in_progress",
        occurred_at=timezone.now() - datetime.timedelta(days=2),
        source_id="hidden-1",
        message_en="Internal only.",
        message_fr="Interne seulement.",
        visible_to_client=False,
    )
    response = signed_in_agent.get(ticket_url(ticket))
    page = response.text
    assert "The status page as the client sees it" in page
    assert "We started the completeness check." in page
    assert "Internal only." not in page
    assert "When to expect a decision" in page
    reads = AuditEvent.objects.filter(action=AuditAction.CASE_READ, case_number=applicant_application.number)
    assert [(event.actor, event.basis) for event in reads] == [(agent, "staff")]


def test_without_the_file_permission_the_ticket_shows_but_not_the_file(signed_in_agent, agent, ticket):
    # The group carries the permission; an agent in no group with it would not see files.
    agent.groups.get(name="Agent").permissions.clear()
    agent.user_permissions.clear()
    response = signed_in_agent.get(ticket_url(ticket))
    assert response.status_code == 200
    assert "You may not read this application's file" in response.text
    assert not AuditEvent.objects.filter(action=AuditAction.CASE_READ).exists()


def test_it_lists_other_enquiries_of_the_same_client_that_the_agent_may_open(
    signed_in_agent, ticket, applicant, applicant_application, other_applicant
):
    same_account = make_ticket(account=applicant, topic="document")
    same_file = make_ticket(application=applicant_application, topic="status", contact_email="guest@example.com")
    other_queue = make_ticket(account=applicant, topic="technical")
    stranger = make_ticket(account=other_applicant, topic="status")
    earlier = signed_in_agent.get(ticket_url(ticket)).context["workspace"].earlier
    references = {other.reference for other in earlier}
    assert references == {same_account.reference, same_file.reference}
    assert other_queue.reference not in references
    assert stranger.reference not in references


def test_a_guest_without_a_file_is_matched_by_address(signed_in_agent):
    first = make_ticket(contact_email="Guest@Example.com")
    second = make_ticket(contact_email="guest@example.com")
    make_ticket(contact_email="someone.else@example.com")
    earlier = signed_in_agent.get(ticket_url(second)).context["workspace"].earlier
    assert [other.reference for other in earlier] == [first.reference]


def test_it_shows_the_history_of_changes_with_who_and_what(signed_in_agent, agent, ticket):
    ticket_transition(ticket=ticket, to_state=TicketState.OPEN, actor=agent, assigned_to=agent)
    page = signed_in_agent.get(ticket_url(ticket)).text
    assert "History of changes" in page
    assert "New to Open" in page
    assert agent.email in page


def test_tickets_merged_into_this_one_are_listed(signed_in_agent, agent, ticket, applicant):
    duplicate = make_ticket(account=applicant, topic="status")
    duplicate.merged_into = ticket
    ticket_transition(ticket=duplicate, to_state=TicketState.MERGED, actor=agent)
    response = signed_in_agent.get(ticket_url(ticket))
    assert [merged.reference for merged in response.context["workspace"].merged] == [duplicate.reference]


# --- saved replies ------------------------------------------------------------------------------


@pytest.fixture
def reply_with_everything(status_topic):
    return SavedReply.objects.create(
        title_en="Everything",
        title_fr="Tout",
        body_en="{client_name}: {reference} about {number} ({program}) at {stage}; by {estimate_date}; due {due_date}.",
        body_fr="{client_name} : {reference} pour {number} ({program}) à {stage}; d'ici {estimate_date}; le {due_date}.",
        topic=status_topic,
    )


def test_a_saved_reply_fills_in_the_applications_own_data(
    signed_in_agent, ticket, applicant_application, reply_with_everything
):
    stage = applicant_application.program.stages.first()
    Ticket.objects.filter(pk=ticket.pk).update(contact_name="Ana Silva")
    type(applicant_application).objects.filter(pk=applicant_application.pk).update(current_stage=stage)
    response = signed_in_agent.get(ticket_url(ticket, reply=reply_with_everything.pk))
    body = response.context["reply_form"].initial["body"]
    ticket.refresh_from_db()
    assert body.startswith(f"Ana Silva: {ticket.reference} about {applicant_application.number} (")
    assert applicant_application.program.name_en in body
    assert f"at {stage.name_en};" in body
    assert "{" not in body
    assert response.context["reply_form"].initial["saved_reply"] == reply_with_everything.pk


def test_a_saved_reply_is_in_the_tickets_language_whatever_the_agents(
    client, agent, applicant, applicant_application, reply_with_everything
):
    ticket = make_ticket(account=applicant, application=applicant_application, language="fr")
    agent_client(client, agent)
    response = client.get(ticket_url(ticket, reply=reply_with_everything.pk))
    body = response.context["reply_form"].initial["body"]
    assert body.startswith(f"{applicant_application.client.given_names}")
    assert " pour " in body
    assert applicant_application.program.name_fr in body
    # The date is written the French way.
    assert ticket.due_on.strftime("%Y") in body
    french_months = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"]  # fmt: skip
    assert any(month in body for month in french_months)


def test_unknown_and_missing_placeholders_stay_visible_and_nothing_crashes(signed_in_agent, status_topic):
    ticket = make_ticket(topic="status")  # no application: no number, program, stage or estimate
    odd = SavedReply.objects.create(
        title_en="Odd",
        title_fr="Bizarre",
        body_en="Ref {reference}, file {number}, {unknown}, {0}, {reference.__class__}, { lone brace, }}{{",
        body_fr="x",
        topic=None,
    )
    response = signed_in_agent.get(ticket_url(ticket, reply=odd.pk))
    assert response.status_code == 200
    assert response.context["reply_form"].initial["body"] == (
        f"Ref {ticket.reference}, file {{number}}, {{unknown}}, {{0}}, {{reference.__class__}}, {{ lone brace, }}}}{{{{"
    )


def test_fill_placeholders_replaces_only_known_names():
    assert fill_placeholders("{a} {b} {a}", {"a": "1"}) == "1 {b} 1"


def test_a_saved_reply_of_another_topic_or_switched_off_is_not_offered(signed_in_agent, ticket, technical_topic):
    elsewhere = SavedReply.objects.create(
        title_en="Tech", title_fr="Tech", body_en="x", body_fr="x", topic=technical_topic
    )
    off = SavedReply.objects.create(title_en="Off", title_fr="Off", body_en="x", body_fr="x", is_active=False)
    everywhere = SavedReply.objects.create(title_en="All", title_fr="Tous", body_en="All queues", body_fr="Toutes")
    response = signed_in_agent.get(ticket_url(ticket))
    offered = {reply.pk for reply in response.context["replies"]}
    assert everywhere.pk in offered
    assert not offered & {elsewhere.pk, off.pk}
    chosen = signed_in_agent.get(ticket_url(ticket, reply=elsewhere.pk))
    assert chosen.status_code == 200
    assert "Select a valid choice" in chosen.text
    assert chosen.context["reply_form"].initial == {}


def test_saved_reply_text_prefers_english_when_the_french_is_empty(ticket):
    reply = SavedReply(title_en="t", title_fr="t", body_en="Hello {reference}", body_fr="")
    ticket.language = "fr"
    assert saved_reply_text(reply=reply, ticket=ticket, client_view=None) == f"Hello {ticket.reference}"


# --- queries --------------------------------------------------------------------------------------


def ticket_page_queries(client, ticket: Ticket) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(ticket_url(ticket, reply=SavedReply.objects.order_by("pk").first().pk))
    assert response.status_code == 200
    return len(queries)


def grow(ticket: Ticket, *, agent, applicant, size: int) -> None:
    """Give the ticket `size` of everything the page lists."""
    for index in range(size):
        message = TicketMessage.objects.create(ticket=ticket, author_kind="client", author=applicant, body=f"m{index}")
        TicketMessage.objects.create(ticket=ticket, author_kind="agent", author=agent, body=f"a{index}")
        TicketMessage.objects.create(ticket=ticket, author_kind="note", author=agent, body=f"n{index}")
        add_document(ticket, message, name=f"doc{index}.pdf")
        ticket_transition(ticket=ticket, to_state=TicketState.OPEN if index % 2 else TicketState.NEW, actor=agent)
        status_event_record(
            application=ticket.application,
            stage=ticket.application.program.stages.first(),
            state="in_progress",
            occurred_at=timezone.now() - datetime.timedelta(days=size - index),
            source_id=f"grow-{ticket.pk}-{index}",
        )
    bulk_tickets(count=size, account=applicant, application=ticket.application)
    for duplicate in bulk_tickets(count=size, account=applicant):
        Ticket.objects.filter(pk=duplicate.pk).update(state=TicketState.MERGED, merged_into=ticket)


def test_the_ticket_page_costs_the_same_queries_for_a_short_or_long_story(
    signed_in_agent, agent, applicant, applicant_application, django_assert_num_queries
):
    small = make_ticket(account=applicant, application=applicant_application)
    large = make_ticket(account=applicant, application=ApplicationFactory(program=applicant_application.program))
    grow(small, agent=agent, applicant=applicant, size=1)
    grow(large, agent=agent, applicant=applicant, size=25)
    signed_in_agent.get(ticket_url(small))  # warm the per-process caches
    with_one = ticket_page_queries(signed_in_agent, small)
    assert with_one <= 40
    with django_assert_num_queries(with_one):
        response = signed_in_agent.get(ticket_url(large, reply=SavedReply.objects.order_by("pk").first().pk))
    workspace = response.context["workspace"]
    assert len(workspace.conversation) == 51
    assert len(workspace.documents) == 25
    assert len(workspace.merged) == 25
