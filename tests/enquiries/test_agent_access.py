"""Who gets into the agent workspace: the permission matrix of the queue and of a ticket, and the second step."""

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from core.models import AuditAction, AuditEvent
from tests.enquiries.agent_support import agent_client, signed_in_without_code, totp_secret_for
from tests.enquiries.factories import make_ticket
from tests.factories import UserFactory, sign_in_with_second_step
from tests.totp import totp_code

SIGN_IN = "sign in"
SET_UP_2FA = "set up two-step verification"
ENTER_CODE = "enter the code"


@pytest.fixture
def ticket(applicant, applicant_application):
    return make_ticket(account=applicant, application=applicant_application, topic="status")


@pytest.fixture
def agent_without_second_step(db):
    user = UserFactory(email="new.agent@example.com", is_staff=True)
    user.groups.add(Group.objects.get(name="Agent"))
    return user


def as_persona(client, request, persona: str):
    """The client as `persona` would use it; "<agent>-no-code" signs in without the second step."""
    if persona == "anonymous":
        return client
    if persona == "agent_without_second_step":
        return signed_in_without_code(client, request.getfixturevalue(persona))
    if persona.endswith("-no-code"):
        user = request.getfixturevalue(persona.removesuffix("-no-code"))
        totp_secret_for(user)  # has two-step verification, did not use it this time
        return signed_in_without_code(client, user)
    user = request.getfixturevalue(persona)
    if persona in ("agent", "other_agent", "supervisor"):
        return agent_client(client, user)
    if user.is_staff:
        # Staff outside the groups, with their second step: the workspace itself must refuse them.
        sign_in_with_second_step(client, user)
        return client
    return signed_in_without_code(client, user)


def outcome(response) -> object:
    if response.status_code == 302:
        location = response["Location"]
        if location.startswith(reverse("account_login")):
            return SIGN_IN
        if location == reverse("mfa_activate_totp"):
            return SET_UP_2FA
        if location.startswith(reverse("mfa_reauthenticate") + "?next="):
            return ENTER_CODE
        return location
    return response.status_code


MATRIX = [
    # persona, queue, ticket of the status topic
    ("anonymous", SIGN_IN, SIGN_IN),
    ("applicant", 404, 404),  # the client who wrote the enquiry
    ("other_applicant", 404, 404),
    ("agent", 200, 200),  # works the status queue
    ("other_agent", 200, 404),  # works only the technical queue
    ("supervisor", 200, 200),
    ("staff_user", 404, 404),  # staff who may read files, not in the Agent or Supervisor group
    ("agent_without_second_step", SET_UP_2FA, SET_UP_2FA),
    ("agent-no-code", ENTER_CODE, ENTER_CODE),
    ("supervisor-no-code", ENTER_CODE, ENTER_CODE),
]


@pytest.mark.parametrize(("persona", "queue", "ticket_page"), MATRIX, ids=[row[0] for row in MATRIX])
def test_the_permission_matrix_of_the_queue_and_a_ticket(client, request, ticket, persona, queue, ticket_page):
    client = as_persona(client, request, persona)
    assert outcome(client.get(reverse("agents:queue"))) == queue
    assert outcome(client.get(reverse("agents:ticket", kwargs={"reference": ticket.reference}))) == ticket_page


@pytest.mark.parametrize("action", ["claim", "assign", "transfer", "note", "reply", "merge", "spam"])
@pytest.mark.parametrize("persona", ["applicant", "other_agent", "staff_user"])
def test_actions_are_404_for_anyone_who_may_not_open_the_ticket(client, request, ticket, persona, action):
    client = as_persona(client, request, persona)
    response = client.post(reverse(f"agents:{action}", kwargs={"reference": ticket.reference}), {})
    assert response.status_code == 404
    ticket.refresh_from_db()
    assert ticket.state == "new"
    assert ticket.assigned_to is None


def test_actions_send_anonymous_visitors_to_sign_in(client, ticket):
    response = client.post(reverse("agents:claim", kwargs={"reference": ticket.reference}))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_an_action_answers_405_to_a_get(client, agent, ticket):
    agent_client(client, agent)
    assert client.get(reverse("agents:claim", kwargs={"reference": ticket.reference})).status_code == 405


def test_an_agent_without_two_step_verification_is_told_why_and_where_to_set_it_up(client, agent_without_second_step):
    client.force_login(agent_without_second_step)
    response = client.get(reverse("agents:queue"), follow=True)
    assert response.redirect_chain[0] == (reverse("mfa_activate_totp"), 302)
    assert "Staff accounts must use two-step verification" in response.text


def test_an_agent_who_skipped_the_code_can_enter_it_and_then_get_in(client, agent):
    secret = totp_secret_for(agent)
    client.force_login(agent)
    response = client.get(reverse("agents:queue"))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('mfa_reauthenticate')}?next=%2Fen%2Fagents%2F"

    client.post(reverse("mfa_reauthenticate"), {"code": totp_code(secret)})
    assert client.get(reverse("agents:queue")).status_code == 200


def test_a_real_sign_in_with_password_and_code_lets_an_agent_in(client, agent):
    agent_client(client, agent)
    assert client.get(reverse("agents:queue")).status_code == 200


def test_the_workspace_is_in_french_too(client, agent, ticket):
    agent_client(client, agent)
    response = client.get(f"/fr/agents/{ticket.reference}/")
    assert response.status_code == 200
    assert '<html lang="fr"' in response.text


def test_an_unknown_or_malformed_reference_is_a_404(client, agent):
    agent_client(client, agent)
    assert client.get(reverse("agents:ticket", kwargs={"reference": "not-a-reference"})).status_code == 404
    assert client.get(reverse("agents:ticket", kwargs={"reference": "000-000-000"})).status_code == 404


def test_every_ticket_view_is_audited_with_who_and_on_what_basis(client, agent, supervisor, ticket):
    agent_client(client, agent)
    client.get(reverse("agents:ticket", kwargs={"reference": ticket.reference}))
    client.get(reverse("agents:ticket", kwargs={"reference": ticket.reference.lower()}))
    reads = AuditEvent.objects.filter(action=AuditAction.TICKET_READ, subject_id=str(ticket.pk))
    assert [(event.actor, event.basis) for event in reads] == [(agent, "agent"), (agent, "agent")]
    assert {event.extra["reference"] for event in reads} == {ticket.reference}


def test_a_refused_view_leaves_no_audit_of_a_read(client, other_agent, ticket):
    agent_client(client, other_agent)
    client.get(reverse("agents:ticket", kwargs={"reference": ticket.reference}))
    assert not AuditEvent.objects.filter(action=AuditAction.TICKET_READ).exists()


def test_agents_and_supervisors_may_read_files_through_their_group(db):
    """The migration gives both groups the staff basis of applications.access."""
    for name in ("Agent", "Supervisor"):
        user = UserFactory(is_staff=True)
        user.groups.add(Group.objects.get(name=name))
        assert user.has_perm("applications.view_application"), name


def test_should_the_middleware_be_bypassed_the_workspace_still_refuses_a_session_without_the_code(rf, agent):
    from django.contrib.sessions.backends.db import SessionStore

    from enquiries.views.agents import queue

    request = rf.get(reverse("agents:queue"))
    request.user = agent
    request.session = SessionStore()
    with pytest.raises(PermissionDenied):
        queue(request)
