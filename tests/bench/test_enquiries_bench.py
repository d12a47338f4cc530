"""The enquiries benchmark's loader and measurements, at a small scale: they run and their figures mean something.

The benchmark itself (bench/enquiries.py) loads 100,000 tickets in its own database and
takes minutes; here the same loader fills the test database with a few hundred, inside
the test's transaction, and one measurement of each kind runs against them.
"""

import pytest
from django.db.models import Count

from bench.enquiries_load import BENCH_CLIENT_EMAIL, enquiries_data_load, people_find
from bench.enquiries_measure import (
    marks_take,
    personas_prepare,
    query_counts_by_size,
    sample_pdf,
    submissions_measure,
    submissions_remove,
)
from enquiries import clock
from enquiries.models import Document, Ticket, TicketState
from enquiries.references import reference_normalize
from tests.enquiries.documents_support import stored_files, use_documents_root

pytestmark = pytest.mark.slow

TICKETS = 400
ACCOUNTS = 60
CLIENT_TICKETS = 12


@pytest.fixture
def loaded(db):
    return enquiries_data_load(tickets=TICKETS, accounts=ACCOUNTS, client_tickets=CLIENT_TICKETS, verbose=False)


def test_the_loader_writes_tickets_whose_story_holds_together(loaded):
    assert loaded.loaded
    assert Ticket.objects.count() == TICKETS
    assert Ticket.objects.filter(account__email=BENCH_CLIENT_EMAIL).count() == CLIENT_TICKETS
    states = dict(Ticket.objects.values_list("state").annotate(n=Count("pk")))
    # Most of a year's enquiries are closed; some are still in the queue.
    assert max(states, key=states.get) == TicketState.CLOSED
    assert states.get(TicketState.NEW, 0) + states.get(TicketState.OPEN, 0) > 0
    for ticket in Ticket.objects.exclude(state=TicketState.UNCONFIRMED).select_related("topic"):
        assert reference_normalize(ticket.reference) == ticket.reference
        assert ticket.due_on == clock.due_date(
            started_on=ticket.clock_started_on,
            standard_days=ticket.topic.service_standard_days,
            paused_days=ticket.paused_business_days,
            holidays=clock.holidays_from(ticket.clock_started_on, span_days=400),
        )
        if ticket.state in (TicketState.OPEN, TicketState.WAITING_ON_CLIENT, TicketState.CLOSED):
            assert ticket.assigned_to is not None and ticket.assigned_to.enquiry_topics.filter(pk=ticket.topic_id)
    # Every ticket has the client's first message.
    assert not Ticket.objects.filter(messages__isnull=True).exists()


def test_a_second_load_without_reload_keeps_the_data(loaded):
    first = list(Ticket.objects.order_by("pk").values_list("reference", flat=True)[:5])
    again = enquiries_data_load(tickets=TICKETS, accounts=ACCOUNTS, client_tickets=CLIENT_TICKETS, verbose=False)
    assert not again.loaded
    assert list(Ticket.objects.order_by("pk").values_list("reference", flat=True)[:5]) == first


def test_the_pages_are_counted_at_both_sizes_and_answer_each_person(loaded):
    personas = personas_prepare(people=people_find(), session_count=1)
    counts = query_counts_by_size(personas=personas, small=5)
    assert set(counts) == {"agent_queue", "supervisor_queue", "client_list"}
    for count in counts.values():
        assert count.loaded_tickets == TICKETS
        assert count.small_tickets == 5
        assert count.at_loaded > 3  # more than the session, the user and the page's own query
        assert count.constant, count
    # The deletion was rolled back.
    assert Ticket.objects.count() == TICKETS


def test_a_submission_with_a_pdf_is_timed_and_cleaned_up(loaded, settings, tmp_path):
    root = use_documents_root(settings, tmp_path)
    personas = personas_prepare(people=people_find(), session_count=1)
    marks = marks_take()
    result = submissions_measure(
        fixture=personas.client,
        application_number=personas.people.client_application_number,
        attachment=sample_pdf(target_bytes=30_000),
        repeat=2,
        warmup=1,
    ).as_dict()
    assert result["submissions"] == 2
    assert result["stored_bytes"] == result["file_bytes"]  # a clean PDF is kept as sent
    assert result["documents_check_ms"] > 0 and result["documents_save_ms"] > 0
    assert 0 < result["upload_pipeline_share"] < 1
    assert Ticket.objects.count() == TICKETS + 3
    assert len(stored_files(root)) == 3

    submissions_remove(marks=marks)
    assert Ticket.objects.count() == TICKETS
    assert not Document.objects.exists()
    assert stored_files(root) == []
