"""Two agents claiming the same ticket at the same moment: one wins, the other is told who did.

Real threads, each with its own database connection and transaction, released together
by a barrier; the first claim holds the row lock a little longer so the second surely
waits on it.
"""

import time

import pytest
from django.contrib.auth.models import Group

from enquiries import workspace
from enquiries.models import Ticket, TicketChange, TicketState, Topic
from enquiries.workspace import WorkspaceRefused, ticket_claim
from tests.concurrency import in_parallel
from tests.enquiries.factories import make_ticket
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def queue_with_two_agents(transactional_db):
    """A transactional test empties every table afterwards, the migrations' topics and groups included: make them."""
    topic, _created = Topic.objects.get_or_create(
        code="status",
        defaults={"kind": "status", "name_en": "Status", "name_fr": "Statut", "service_standard_days": 10},
    )
    group, _created = Group.objects.get_or_create(name="Agent")
    agents = [
        UserFactory(email="ada@example.com", first_name="Ada", last_name="Lovelace", is_staff=True),
        UserFactory(email="grace@example.com", first_name="Grace", last_name="Hopper", is_staff=True),
    ]
    for agent in agents:
        agent.groups.add(group)
        topic.agents.add(agent)
    return topic, agents


def test_two_agents_claiming_at_once_one_wins_and_the_other_is_told(queue_with_two_agents, monkeypatch):
    topic, (ada, grace) = queue_with_two_agents
    ticket = make_ticket(topic=topic)
    real_transition = workspace.ticket_transition

    def slow_transition(**kwargs):
        time.sleep(0.3)  # the row stays locked meanwhile
        return real_transition(**kwargs)

    monkeypatch.setattr(workspace, "ticket_transition", slow_transition)

    results = in_parallel(
        [
            lambda: ticket_claim(ticket_id=ticket.pk, agent=ada),
            lambda: ticket_claim(ticket_id=ticket.pk, agent=grace),
        ]
    )

    winners = [result for result in results if isinstance(result, Ticket)]
    refusals = [result for result in results if isinstance(result, WorkspaceRefused)]
    assert len(winners) == 1 and len(refusals) == 1, results
    winner = winners[0].assigned_to
    assert refusals[0].message == f"This enquiry was already claimed by {winner.get_full_name()}."
    ticket.refresh_from_db()
    assert (ticket.state, ticket.assigned_to) == (TicketState.OPEN, winner)
    claims = TicketChange.objects.filter(ticket=ticket, to_state=TicketState.OPEN)
    assert [(change.actor, change.assigned_to) for change in claims] == [(winner, winner)]
