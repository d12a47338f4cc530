"""The status page's history: documents sent (per submission) and enquiries asked, answered and closed."""

import datetime
import html

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from applications.models import Stage
from enquiries.models import TicketMessage, TicketState
from enquiries.selectors import case_timeline_extras
from enquiries.services import ticket_transition
from enquiries.uploads import documents_save
from processing_times.figures import estimates_generation_bump, processing_times_snapshot
from tests.enquiries.documents_support import checked, jpeg_bytes, pdf_bytes, use_documents_root
from tests.enquiries.factories import make_ticket
from tests.factories import UserFactory, link, status_event_record

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def documents_root(settings, tmp_path):
    return use_documents_root(settings, tmp_path / "documents")


def detail_url(application) -> str:
    return reverse("applications:detail", kwargs={"number": application.number})


def days_ago(days: int) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=days)


def send(*, applicant, application, files, when, note=""):
    with time_machine.travel(when, tick=False):
        return documents_save(
            checked=checked(*files),
            uploaded_by=applicant,
            application=application,
            stage=Stage.objects.get(code="biometrics"),
            note=note,
        )


def answered_enquiry(*, applicant, application, asked, answer="Your file is with an officer.", close=None):
    with time_machine.travel(asked, tick=False):
        ticket = make_ticket(account=applicant, application=application, topic="status")
    with time_machine.travel(asked + datetime.timedelta(days=1), tick=False):
        TicketMessage.objects.create(ticket=ticket, author_kind=TicketMessage.Author.NOTE, body="Internal: call GCMS")
        TicketMessage.objects.create(ticket=ticket, author_kind=TicketMessage.Author.AGENT, body=answer)
        ticket_transition(ticket=ticket, to_state=TicketState.ANSWERED)
    if close is not None:
        with time_machine.travel(close, tick=False):
            ticket_transition(ticket=ticket, to_state=TicketState.CLOSED)
    return ticket


def test_documents_sent_together_are_one_entry_with_their_names(applicant, applicant_application):
    send(
        applicant=applicant,
        application=applicant_application,
        files=[("front.jpg", jpeg_bytes()), ("back.pdf", pdf_bytes())],
        when=days_ago(3),
        note="Front and back.",
    )
    send(
        applicant=applicant,
        application=applicant_application,
        files=[("later.pdf", pdf_bytes(pages=2))],
        when=days_ago(1),
    )

    entries = case_timeline_extras(application=applicant_application)

    assert [(entry.kind, entry.document_count) for entry in entries] == [("documents_sent", 1), ("documents_sent", 2)]
    assert [document.name for document in entries[1].documents] == ["front.jpg", "back.pdf"]
    assert (entries[1].stage_name, entries[1].note) == ("Biometrics", "Front and back.")


def test_the_history_shows_enquiries_asked_answered_and_closed_in_date_order(client, applicant, applicant_application):
    status_event_record(
        application=applicant_application,
        stage=Stage.objects.get(code="eligibility"),
        state="in_progress",
        occurred_at=days_ago(20),
        source_id="e-1",
    )
    ticket = answered_enquiry(
        applicant=applicant, application=applicant_application, asked=days_ago(10), close=days_ago(5)
    )
    send(applicant=applicant, application=applicant_application, files=[("a.pdf", pdf_bytes())], when=days_ago(7))

    client.force_login(applicant)
    page = html.unescape(client.get(detail_url(applicant_application)).text)
    history = page[page.index('id="history-heading"') :]

    newest_first = [
        f"Your enquiry {ticket.reference} was closed",  # 5 days ago
        "You sent 1 document on",  # 7 days ago
        f"We answered your enquiry {ticket.reference}",  # 9 days ago
        "Your file is with an officer.",
        "You sent an enquiry: Status of my application",  # 10 days ago
        "We started working on Eligibility.",  # 20 days ago
    ]
    positions = [history.index(text) for text in newest_first]
    assert positions == sorted(positions)
    assert "Internal: call GCMS" not in page


def test_an_enquiry_by_an_account_no_longer_linked_or_unconfirmed_does_not_show(applicant, applicant_application):
    from applications.models import ApplicationLink

    former = UserFactory()
    link(user=former, application=applicant_application)
    theirs = answered_enquiry(applicant=former, application=applicant_application, asked=days_ago(4))
    ApplicationLink.objects.filter(account=former).delete()
    unconfirmed = make_ticket(account=applicant, application=applicant_application)
    unconfirmed.state = TicketState.UNCONFIRMED
    unconfirmed.save()
    mine = answered_enquiry(applicant=applicant, application=applicant_application, asked=days_ago(2))

    references = {entry.reference for entry in case_timeline_extras(application=applicant_application)}
    assert references == {mine.reference}
    assert theirs.reference not in references


def history_of(*, applicant, application, size: int) -> None:
    """`size` submissions of two documents and `size` answered and closed enquiries, plus status events."""
    stages = list(application.program.stages.order_by("program_stages__position"))
    for index in range(size):
        status_event_record(
            application=application,
            stage=stages[index % len(stages)],
            state="in_progress",
            occurred_at=days_ago(3 * size - index),
            source_id=f"{application.number}-{index}",
        )
        send(
            applicant=applicant,
            application=application,
            files=[
                (f"page-{index}.pdf", pdf_bytes(pages=index + 1)),
                (f"photo-{index}.jpg", jpeg_bytes(size=(10 + index, 10))),
            ],
            when=days_ago(2 * size - index),
        )
        answered_enquiry(
            applicant=applicant,
            application=application,
            asked=days_ago(2 * size - index),
            close=days_ago(size - index),
        )


@pytest.mark.parametrize("size", [1, 12])
def test_the_status_page_costs_the_same_queries_whatever_the_history(
    client, applicant, applicant_application, size, django_assert_num_queries
):
    history_of(applicant=applicant, application=applicant_application, size=size)
    processing_times_snapshot(as_of=timezone.localdate())
    client.force_login(applicant)
    url = detail_url(applicant_application)
    client.get(url)
    estimates_generation_bump()  # the first reader of this version of the file
    # As tests/applications/test_application_detail.py counts them: session, user, application,
    # unread count, and the documents sent with the enquiries (one query, never cached); plus,
    # for the first reader of this version of the file, the stages with their progress, the
    # status events and two estimate snapshots.
    with django_assert_num_queries(5 + 4):
        client.get(url)
    with django_assert_num_queries(5):
        response = client.get(url)
    text = html.unescape(response.text)
    assert text.count('class="history__item"') == size * 5  # status event, submission, asked, answered, closed
    assert text.count("You sent 2 documents on") == size


def test_each_file_gets_its_own_enquiries_and_documents_from_the_compiled_queries(applicant, applicant_application):
    # The history's query is compiled once per process with stand-in ids
    # (enquiries.selectors._timeline_rows): two files read one after the other must not share rows.
    from tests.factories import ApplicationFactory

    second = ApplicationFactory(client=applicant_application.client)
    link(user=applicant, application=second)
    history_of(applicant=applicant, application=applicant_application, size=2)
    history_of(applicant=applicant, application=second, size=1)
    first_entries = case_timeline_extras(application=applicant_application)
    second_entries = case_timeline_extras(application=second)
    assert len(first_entries) == 2 * 4  # per round: a submission, asked, answered, closed
    assert len(second_entries) == 1 * 4
    assert {entry.reference for entry in second_entries if entry.reference}.isdisjoint(
        {entry.reference for entry in first_entries if entry.reference}
    )


def test_a_cached_status_page_shows_a_new_enquiry_answer_closing_and_documents_at_once(
    client, applicant, applicant_application
):
    """The page body is cached per version of the file; the enquiries and documents are part of its key."""
    client.force_login(applicant)
    url = detail_url(applicant_application)

    def history() -> str:
        page = html.unescape(client.get(url).text)
        return page[page.index('id="history-heading"') :]

    assert history().count('class="history__item"') == 0
    assert history().count('class="history__item"') == 0  # read from the cache

    ticket = make_ticket(account=applicant, application=applicant_application, topic="status")
    assert "You sent an enquiry: Status of my application" in history()

    TicketMessage.objects.create(ticket=ticket, author_kind=TicketMessage.Author.AGENT, body="It is with an officer.")
    ticket_transition(ticket=ticket, to_state=TicketState.ANSWERED)
    assert "It is with an officer." in history()

    ticket_transition(ticket=ticket, to_state=TicketState.CLOSED)
    assert f"Your enquiry {ticket.reference} was closed" in history()

    send(applicant=applicant, application=applicant_application, files=[("a.pdf", pdf_bytes())], when=days_ago(0))
    page = history()
    assert "You sent 1 document on" in page
    assert "a.pdf" in page
    assert page.count('class="history__item"') == 4


def test_the_history_queries_are_prepared_once_per_connection_and_then_executed(applicant, applicant_application):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    case_timeline_extras(application=applicant_application)  # prepared on this connection if not yet
    history_of(applicant=applicant, application=applicant_application, size=1)
    with CaptureQueriesContext(connection) as queries:
        entries = case_timeline_extras(application=applicant_application)
    # Documents and enquiries in one statement, for the client's page in English, documents included.
    assert [query["sql"].split("(")[0] for query in queries] == ["EXECUTE timeline_en_client_1"]
    assert len(entries) == 4
