"""The submission services themselves: references, retries, the form key, replies and deflections."""

import re

import pytest

from enquiries import submission
from enquiries.models import Deflection, Ticket, TicketState, Topic
from enquiries.references import reference_normalize
from enquiries.services import ticket_transition
from enquiries.submission import (
    ReplyRefused,
    SubmissionKeyUsed,
    deflection_record,
    message_clean,
    submission_key_new,
    ticket_client_reply,
    ticket_submit,
)
from tests.enquiries.factories import make_ticket

REFERENCE_FORMAT = re.compile(r"^[0-9A-HJKMNP-TV-Y]{3}-[0-9A-HJKMNP-TV-Y]{3}-[0-9A-HJKMNP-TV-Y]{3}$")


@pytest.fixture
def status(db) -> Topic:
    return Topic.objects.get(code="status")


def submit(account, topic, **overrides):
    fields = {
        "account": account,
        "application": None,
        "topic": topic,
        "message": "Hello",
        "language": "en",
        "submission_key": submission_key_new(),
    }
    return ticket_submit(**{**fields, **overrides})


def test_references_are_unique_well_formed_and_carry_their_check_character(applicant, status):
    references = [submit(applicant, status).ticket.reference for _ in range(25)]
    assert len(set(references)) == 25
    for reference in references:
        assert REFERENCE_FORMAT.match(reference), reference
        assert reference_normalize(reference) == reference
        assert reference_normalize(reference[:-1] + ("0" if reference[-1] != "0" else "1")) is None


def test_a_reference_already_taken_is_drawn_again(applicant, status, monkeypatch):
    taken = submit(applicant, status).ticket.reference
    draws = iter([taken, taken, "Q7K-4M2-9XH"])
    monkeypatch.setattr(submission, "reference_new", lambda: next(draws))

    ticket = submit(applicant, status).ticket

    assert ticket.reference == "Q7K-4M2-9XH"
    assert Ticket.objects.count() == 2


def test_the_same_key_returns_the_first_ticket_and_makes_nothing(applicant, status):
    key = submission_key_new()
    first = submit(applicant, status, submission_key=key)
    again = submit(applicant, status, submission_key=key, message="Different words")
    assert (first.replayed, again.replayed) == (False, True)
    assert again.ticket == first.ticket
    assert Ticket.objects.count() == 1


def test_a_key_used_by_someone_else_is_refused(applicant, other_applicant, status):
    key = submission_key_new()
    submit(applicant, status, submission_key=key)
    with pytest.raises(SubmissionKeyUsed):
        submit(other_applicant, status, submission_key=key)


def test_messages_are_stored_as_plain_text_with_uniform_line_ends():
    assert message_clean("  \r\nOne\r\ntwo\rthree \n") == "One\ntwo\nthree"


def test_a_reply_to_a_finished_or_unconfirmed_ticket_is_refused(applicant, status):
    ticket = make_ticket(account=applicant)
    ticket_transition(ticket=ticket, to_state=TicketState.CLOSED)
    with pytest.raises(ReplyRefused):
        ticket_client_reply(ticket=ticket, account=applicant, message="Hello?")
    Ticket.objects.filter(pk=ticket.pk).update(state=TicketState.UNCONFIRMED)
    with pytest.raises(ReplyRefused):
        ticket_client_reply(ticket=ticket, account=applicant, message="Hello?")


def test_a_reply_hook_receives_the_new_message_inside_the_transaction(applicant):
    ticket = make_ticket(account=applicant)
    seen = []
    ticket_client_reply(ticket=ticket, account=applicant, message="With a file", on_message=seen.append)
    assert [message.body for message in seen] == ["With a file"]
    assert seen[0].pk is not None


def test_the_first_message_hook_runs_for_a_new_ticket(applicant, status):
    seen = []
    result = submit(applicant, status, on_message=seen.append)
    assert seen == [result.ticket.messages.get()]


def test_a_deflection_is_counted_once_per_key(applicant, status):
    key = submission_key_new()
    assert deflection_record(account=applicant, application=None, topic=status, submission_key=key) is True
    assert deflection_record(account=applicant, application=None, topic=status, submission_key=key) is False
    assert Deflection.objects.count() == 1
