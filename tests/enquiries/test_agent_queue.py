"""The agent queue: what each person sees, the filters, the counts per state, the order, pages and flags."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core.models import Holiday
from enquiries import clock
from enquiries.agent_selectors import Flag, ticket_flag
from enquiries.models import Ticket, TicketState, Topic
from tests.enquiries.agent_support import agent_client, bulk_tickets
from tests.enquiries.factories import make_ticket


def listed(response) -> list[str]:
    return [row.ticket.reference for row in response.context["rows"]]


@pytest.fixture
def signed_in_agent(client, agent):
    return agent_client(client, agent)


@pytest.fixture
def signed_in_supervisor(client, supervisor):
    return agent_client(client, supervisor)


def test_an_agent_sees_only_the_queues_of_their_topics(signed_in_agent):
    status = make_ticket(topic="status")
    document = make_ticket(topic="document")
    technical = make_ticket(topic="technical")
    references = listed(signed_in_agent.get(reverse("agents:queue")))
    assert set(references) == {status.reference, document.reference}
    assert technical.reference not in references


def test_a_supervisor_sees_every_queue(signed_in_supervisor):
    tickets = [make_ticket(topic=code) for code in ("status", "technical", "other")]
    assert set(listed(signed_in_supervisor.get(reverse("agents:queue")))) == {t.reference for t in tickets}


def test_by_default_it_lists_what_still_needs_work(signed_in_agent, agent):
    new, opened, waiting, answered, closed = bulk_tickets(count=5)
    for ticket, state in [
        (opened, TicketState.OPEN),
        (waiting, TicketState.WAITING_ON_CLIENT),
        (answered, TicketState.ANSWERED),
        (closed, TicketState.CLOSED),
    ]:
        Ticket.objects.filter(pk=ticket.pk).update(state=state)
    references = listed(signed_in_agent.get(reverse("agents:queue")))
    assert set(references) == {new.reference, opened.reference, waiting.reference}


def test_unconfirmed_enquiries_are_not_in_the_queue(signed_in_supervisor):
    (unconfirmed,) = bulk_tickets(count=1, state=TicketState.UNCONFIRMED)
    response = signed_in_supervisor.get(reverse("agents:queue"), {"state": "new"})
    assert unconfirmed.reference not in listed(response)


def test_it_sorts_by_priority_then_the_soonest_due(signed_in_supervisor):
    today = clock.office_date(timezone.now())
    late = make_ticket(topic="status")
    soon = make_ticket(topic="status")
    urgent = make_ticket(topic="urgent")  # priority 2
    Ticket.objects.filter(pk=late.pk).update(due_on=today + datetime.timedelta(days=9))
    Ticket.objects.filter(pk=soon.pk).update(due_on=today + datetime.timedelta(days=2))
    Ticket.objects.filter(pk=urgent.pk).update(due_on=today + datetime.timedelta(days=20))
    assert listed(signed_in_supervisor.get(reverse("agents:queue"))) == [
        urgent.reference,
        soon.reference,
        late.reference,
    ]


def test_it_filters_by_topic(signed_in_agent):
    status = make_ticket(topic="status")
    make_ticket(topic="document")
    response = signed_in_agent.get(reverse("agents:queue"), {"topic": Topic.objects.get(code="status").pk})
    assert listed(response) == [status.reference]


def test_an_agent_cannot_filter_on_a_topic_they_do_not_work(signed_in_agent):
    mine = make_ticket(topic="status")
    make_ticket(topic="technical")
    response = signed_in_agent.get(reverse("agents:queue"), {"topic": Topic.objects.get(code="technical").pk})
    assert response.status_code == 400
    assert "Select a valid choice" in response.text
    # The rest of the page still works, without that filter.
    assert listed(response) == [mine.reference]


def test_it_filters_by_language(signed_in_agent):
    english = make_ticket(language="en")
    french = make_ticket(language="fr")
    assert listed(signed_in_agent.get(reverse("agents:queue"), {"language": "fr"})) == [french.reference]
    assert listed(signed_in_agent.get(reverse("agents:queue"), {"language": "en"})) == [english.reference]


def test_it_filters_on_who_has_the_ticket(signed_in_agent, agent, supervisor):
    mine, theirs, nobodys = bulk_tickets(count=3)
    Ticket.objects.filter(pk=mine.pk).update(assigned_to=agent, state=TicketState.OPEN)
    Ticket.objects.filter(pk=theirs.pk).update(assigned_to=supervisor, state=TicketState.OPEN)
    queue = reverse("agents:queue")
    assert listed(signed_in_agent.get(queue, {"assigned": "me"})) == [mine.reference]
    assert listed(signed_in_agent.get(queue, {"assigned": "unassigned"})) == [nobodys.reference]
    assert len(listed(signed_in_agent.get(queue, {"assigned": "anyone"}))) == 3


def test_it_filters_on_the_due_date(signed_in_agent):
    today = clock.office_date(timezone.now())
    soon, later = bulk_tickets(count=2)
    Ticket.objects.filter(pk=soon.pk).update(due_on=today + datetime.timedelta(days=2))
    Ticket.objects.filter(pk=later.pk).update(due_on=today + datetime.timedelta(days=10))
    cutoff = (today + datetime.timedelta(days=5)).isoformat()
    assert listed(signed_in_agent.get(reverse("agents:queue"), {"due_by": cutoff})) == [soon.reference]


def test_a_malformed_due_date_is_explained_not_a_crash(signed_in_agent):
    bulk_tickets(count=2)
    response = signed_in_agent.get(reverse("agents:queue"), {"due_by": "next tuesday"})
    assert response.status_code == 400
    assert "Enter the date as year, month and day" in response.text
    assert len(listed(response)) == 2


def test_it_filters_on_one_state(signed_in_agent):
    answered, _new = bulk_tickets(count=2)
    Ticket.objects.filter(pk=answered.pk).update(state=TicketState.ANSWERED)
    assert listed(signed_in_agent.get(reverse("agents:queue"), {"state": "answered"})) == [answered.reference]


def test_counts_per_state_follow_the_other_filters_but_not_the_state(signed_in_agent):
    bulk_tickets(count=3, language="en")
    bulk_tickets(count=2, state=TicketState.ANSWERED, language="en")
    bulk_tickets(count=4, state=TicketState.CLOSED, language="fr")
    bulk_tickets(count=5, topic="technical")  # not one of the agent's queues
    response = signed_in_agent.get(reverse("agents:queue"), {"state": "new"})
    counts = {link["state"].value: link["count"] for link in response.context["state_links"]}
    assert counts == {
        "new": 3,
        "open": 0,
        "waiting_on_client": 0,
        "answered": 2,
        "closed": 4,
        "merged": 0,
        "spam": 0,
    }
    french = signed_in_agent.get(reverse("agents:queue"), {"language": "fr"})
    assert {link["state"].value: link["count"] for link in french.context["state_links"]}["closed"] == 4
    assert {link["state"].value: link["count"] for link in french.context["state_links"]}["answered"] == 0


def test_state_links_keep_the_other_filters(signed_in_agent):
    response = signed_in_agent.get(reverse("agents:queue"), {"language": "fr", "page": "2"})
    assert 'href="?language=fr&amp;state=answered"' in response.text


def test_it_pages_by_25_and_the_page_links_keep_the_filters(signed_in_agent):
    bulk_tickets(count=30, language="en")
    queue = reverse("agents:queue")
    first = signed_in_agent.get(queue, {"language": "en"})
    assert len(listed(first)) == 25
    assert 'aria-label="Pages of the queue"' in first.text
    assert 'href="?language=en&amp;page=2"' in first.text
    second = signed_in_agent.get(queue, {"language": "en", "page": "2"})
    assert len(listed(second)) == 5
    assert set(listed(first)).isdisjoint(listed(second))
    # Nonsense page numbers show a page, not an error.
    assert signed_in_agent.get(queue, {"page": "many"}).status_code == 200
    assert len(listed(signed_in_agent.get(queue, {"page": "999"}))) == 5


def test_the_table_is_captioned_with_headers_scoped(signed_in_agent):
    bulk_tickets(count=1)
    page = signed_in_agent.get(reverse("agents:queue")).text
    assert "<caption>Enquiries 1 to 1 of 1" in page
    assert '<th scope="col">Reference</th>' in page
    assert '<th scope="row" class="reference">' in page


def test_each_row_shows_the_due_date_assignee_client_and_application(
    signed_in_agent, agent, applicant, applicant_application
):
    ticket = make_ticket(account=applicant, application=applicant_application)
    Ticket.objects.filter(pk=ticket.pk).update(assigned_to=agent, state=TicketState.OPEN)
    response = signed_in_agent.get(reverse("agents:queue"))
    (row,) = response.context["rows"]
    client = applicant_application.client
    assert row.client_name == f"{client.given_names} {client.family_name}"
    page = response.text
    assert applicant_application.number in page
    assert f'<time datetime="{ticket.due_on:%Y-%m-%d}">' in page
    assert ">Me</td>" in page


def test_past_due_and_at_risk_enquiries_are_flagged_in_words(signed_in_agent):
    today = clock.office_date(timezone.now())
    late, close, fine = bulk_tickets(count=3)
    Ticket.objects.filter(pk=late.pk).update(due_on=today - datetime.timedelta(days=1))
    Ticket.objects.filter(pk=close.pk).update(due_on=today)
    Ticket.objects.filter(pk=fine.pk).update(due_on=today + datetime.timedelta(days=30))
    response = signed_in_agent.get(reverse("agents:queue"))
    flags = {row.ticket.reference: row.flag for row in response.context["rows"]}
    assert flags == {late.reference: Flag.BREACHED, close.reference: Flag.AT_RISK, fine.reference: Flag.NONE}
    assert "Past due" in response.text
    assert "At risk" in response.text


def make_flag_ticket(**fields) -> Ticket:
    defaults = {"state": TicketState.OPEN, "service_standard_days": 10, "due_on": datetime.date(2030, 7, 12)}
    return Ticket(**{**defaults, **fields})


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (datetime.date(2030, 7, 1), Flag.NONE),  # 9 business days left: 1 used
        (datetime.date(2030, 7, 9), Flag.NONE),  # 3 left: 7 of 10 used
        (datetime.date(2030, 7, 10), Flag.AT_RISK),  # 2 left: 8 of 10 used, the 80 % mark
        (datetime.date(2030, 7, 12), Flag.AT_RISK),  # due today
        (datetime.date(2030, 7, 13), Flag.BREACHED),
    ],
)
def test_the_flag_counts_business_days_left(today, expected):
    # 2030-07-12 is a Friday; with no holiday, 2030-07-10 (Wednesday) leaves two business days.
    assert ticket_flag(ticket=make_flag_ticket(), today=today, holidays=frozenset()) == expected


def test_a_holiday_is_not_a_day_left():
    # With Thursday a holiday, Wednesday the 10th leaves one business day (Friday): at risk a day sooner.
    ticket = make_flag_ticket()
    assert ticket_flag(ticket=ticket, today=datetime.date(2030, 7, 9), holidays=frozenset()) == Flag.NONE
    holiday = frozenset({datetime.date(2030, 7, 11)})
    assert ticket_flag(ticket=ticket, today=datetime.date(2030, 7, 9), holidays=holiday) == Flag.AT_RISK


def test_a_ticket_waiting_on_the_client_is_paused_and_finished_ones_have_no_flag():
    today = datetime.date(2030, 8, 1)
    waiting = make_flag_ticket(state=TicketState.WAITING_ON_CLIENT)
    answered = make_flag_ticket(state=TicketState.ANSWERED)
    assert ticket_flag(ticket=waiting, today=today, holidays=frozenset()) == Flag.PAUSED
    assert ticket_flag(ticket=answered, today=today, holidays=frozenset()) == Flag.NONE


def queue_queries(client, params: dict) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("agents:queue"), params)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    "params",
    [{}, {"assigned": "unassigned", "language": "en"}, {"state": "new", "page": "2"}],
    ids=["default", "filtered", "second-page"],
)
def test_the_queue_costs_the_same_queries_for_10_or_1000_tickets(
    signed_in_agent, agent, applicant, applicant_application, django_assert_num_queries, params
):
    Holiday.objects.create(
        date=clock.office_date(timezone.now()) + datetime.timedelta(days=3), name_en="H", name_fr="F"
    )
    bulk_tickets(count=5, account=applicant, application=applicant_application)
    bulk_tickets(count=3, assigned_to=agent, state=TicketState.OPEN)
    bulk_tickets(count=2, topic="document", state=TicketState.WAITING_ON_CLIENT)
    signed_in_agent.get(reverse("agents:queue"))  # warm the per-process caches (content types, translations)
    with_ten = queue_queries(signed_in_agent, params)
    assert with_ten <= 14

    bulk_tickets(count=600, account=applicant, application=applicant_application)
    bulk_tickets(count=200, assigned_to=agent, state=TicketState.OPEN)
    bulk_tickets(count=190, topic="document", state=TicketState.ANSWERED)
    assert Ticket.objects.count() == 1000
    with django_assert_num_queries(with_ten):
        response = signed_in_agent.get(reverse("agents:queue"), params)
    assert response.status_code == 200


def test_the_header_links_agents_to_their_queue_and_nobody_else(client, agent, applicant, staff_user):
    from tests.factories import sign_in

    queue_link = f'href="{reverse("agents:queue")}"'
    agent_client(client, agent)
    assert queue_link in client.get(reverse("enquiries:list")).text
    for person in (applicant, staff_user):
        client.logout()
        sign_in(client, person)
        assert queue_link not in client.get(reverse("enquiries:list")).text
