"""The enquiries admin: topics and their agents, saved replies, crisis channels; tickets and documents read-mostly."""

import datetime

import pytest
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone

from core.models import AuditAction, AuditEvent
from enquiries.models import (
    CrisisChannel,
    Deflection,
    Document,
    ServiceSnapshot,
    SurveyResponse,
    Ticket,
    TicketState,
    Topic,
)
from enquiries.services import ticket_transition
from tests.enquiries.factories import make_ticket
from tests.factories import sign_in


def admin_url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.fixture
def admin_client(client, admin_user):
    sign_in(client, admin_user)
    return client


@pytest.fixture
def ticket(applicant, applicant_application, agent):
    ticket = make_ticket(account=applicant, application=applicant_application, body="Where is my file?")
    ticket_transition(ticket=ticket, to_state=TicketState.OPEN, actor=agent, assigned_to=agent)
    Document.objects.create(
        ticket=ticket,
        message=ticket.messages.first(),
        original_name="letter.pdf",
        content_type="application/pdf",
        size=1000,
        sha256="a" * 64,
        file="documents/2026/01/01/abc",
    )
    return ticket


def test_state_clock_and_assignee_cannot_be_edited_in_admin(admin_client, ticket, supervisor):
    response = admin_client.get(admin_url(Ticket, "change", ticket.pk))
    assert response.status_code == 200
    form_fields = set(response.context["adminform"].form.fields)
    assert form_fields == {"contact_name", "contact_email", "language"}
    # Posting the read-only fields anyway changes nothing.
    admin_client.post(
        admin_url(Ticket, "change", ticket.pk),
        {
            "contact_name": "Corrected Name",
            "contact_email": ticket.contact_email,
            "language": "fr",
            "state": "closed",
            "assigned_to": supervisor.pk,
            "due_on": "2000-01-01",
            "messages-TOTAL_FORMS": "0",
            "messages-INITIAL_FORMS": "0",
            "documents-TOTAL_FORMS": "0",
            "documents-INITIAL_FORMS": "0",
            "changes-TOTAL_FORMS": "0",
            "changes-INITIAL_FORMS": "0",
        },
    )
    before_due = ticket.due_on
    ticket.refresh_from_db()
    assert (ticket.contact_name, ticket.language) == ("Corrected Name", "fr")
    assert ticket.state == TicketState.OPEN
    assert ticket.assigned_to != supervisor
    assert ticket.due_on == before_due


def test_tickets_are_neither_added_nor_deleted_in_admin(admin_client, ticket):
    assert admin_client.get(admin_url(Ticket, "add")).status_code == 403
    assert admin_client.get(admin_url(Ticket, "delete", ticket.pk)).status_code == 403


def test_the_ticket_page_shows_messages_changes_and_documents_read_only(admin_client, ticket):
    response = admin_client.get(admin_url(Ticket, "change", ticket.pk))
    page = response.text
    assert "Where is my file?" in page
    assert "letter.pdf" in page
    assert "documents/2026/01/01/abc" not in page  # never the stored file
    for formset in response.context["inline_admin_formsets"]:
        assert not formset.has_add_permission
        assert not formset.has_change_permission
        assert not formset.has_delete_permission


def test_opening_a_ticket_in_admin_is_audited(admin_client, admin_user, ticket):
    admin_client.get(admin_url(Ticket, "change", ticket.pk))
    (event,) = AuditEvent.objects.filter(action=AuditAction.TICKET_READ)
    assert (event.actor, event.basis, event.subject_id) == (admin_user, "admin", str(ticket.pk))
    assert event.case_number == ticket.application.number


@pytest.mark.parametrize("typed", ["{reference}", "{lower}", "{spaced}"])
def test_a_ticket_is_found_by_its_reference_however_it_is_typed(admin_client, ticket, typed):
    make_ticket()
    term = typed.format(
        reference=ticket.reference, lower=ticket.reference.lower(), spaced=ticket.reference.replace("-", " ")
    )
    response = admin_client.get(admin_url(Ticket, "changelist"), {"q": term})
    assert [found.reference for found in response.context["cl"].result_list] == [ticket.reference]


def test_a_ticket_is_found_by_email_and_application_number(admin_client, ticket, applicant):
    make_ticket()
    for term in (applicant.email, ticket.application.number):
        response = admin_client.get(admin_url(Ticket, "changelist"), {"q": term})
        assert [found.reference for found in response.context["cl"].result_list] == [ticket.reference], term


def test_documents_are_listed_without_their_file(admin_client, ticket):
    document = Document.objects.get()
    response = admin_client.get(admin_url(Document, "change", document.pk))
    assert response.status_code == 200
    assert "letter.pdf" in response.text
    assert "documents/2026/01/01/abc" not in response.text
    assert admin_client.get(admin_url(Document, "add")).status_code == 403


@pytest.fixture
def crisis(db):
    return CrisisChannel.objects.create(
        name_en="Wildfires in the North",
        name_fr="Feux de forêt dans le Nord",
        keyword_en="wildfire",
        keyword_fr="feux",
        banner_en="Affected by the wildfires? Tell us.",
        banner_fr="Touché par les feux? Dites-le-nous.",
        opens_at=timezone.now() - datetime.timedelta(days=1),
    )


def test_a_crisis_channel_is_switched_off_and_on_at_once(admin_client, crisis):
    changelist = admin_url(CrisisChannel, "changelist")
    admin_client.post(changelist, {"action": "switch_off", "_selected_action": [crisis.pk]})
    crisis.refresh_from_db()
    assert crisis.is_active is False
    admin_client.post(changelist, {"action": "switch_on", "_selected_action": [crisis.pk]})
    crisis.refresh_from_db()
    assert crisis.is_active is True


def test_only_agents_and_supervisors_are_offered_as_a_topics_agents(admin_client, agent, supervisor, staff_user):
    topic = Topic.objects.get(code="status")
    response = admin_client.get(admin_url(Topic, "change", topic.pk))
    offered = set(response.context["adminform"].form.fields["agents"].queryset)
    assert offered == {agent, supervisor}
    assert staff_user not in offered


@pytest.mark.parametrize("model", [Deflection, SurveyResponse, ServiceSnapshot, Document], ids=lambda m: m.__name__)
def test_figures_and_answers_are_read_only(admin_user, rf, model):
    request = rf.get("/")
    request.user = admin_user
    model_admin = admin.site._registry[model]
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)


def test_the_ticket_changelist_costs_the_same_queries_for_2_or_20_tickets(admin_client, agent):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries() -> int:
        admin_client.get(admin_url(Ticket, "changelist"))
        with CaptureQueriesContext(connection) as captured:
            assert admin_client.get(admin_url(Ticket, "changelist")).status_code == 200
        return len(captured)

    for _index in range(2):
        make_ticket()
    with_two = queries()
    for _index in range(18):
        ticket_transition(ticket=make_ticket(), to_state=TicketState.OPEN, assigned_to=agent)
    assert queries() == with_two
