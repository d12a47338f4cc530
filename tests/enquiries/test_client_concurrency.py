"""The client's side under parallel requests: guesses share the linking lockout, and a form sent
twice at the same moment still makes one ticket and one receipt.

Real threads, each with its own database connection, released together by a barrier.
"""

import importlib

import pytest
from django.apps import apps as django_apps

from applications.models import LinkAttempt, LinkLock
from applications.services import LinkResult, application_identify_guest
from enquiries.models import Ticket, Topic
from enquiries.submission import submission_key_new, ticket_submit
from notifications.models import Kind, Notification
from tests.concurrency import in_parallel
from tests.factories import ApplicationFactory, ClientFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

PARALLEL_ATTEMPTS = 30


@pytest.fixture(autouse=True)
def reference_data(transactional_db):
    """Transactional tests empty every table afterwards: load the programs and the topics again."""
    from applications.models import Program, ProgramStage, Stage
    from applications.reference_data import reference_data_load

    reference_data_load(stage_model=Stage, program_model=Program, program_stage_model=ProgramStage)
    importlib.import_module("enquiries.migrations.0002_topics_and_roles").forwards(django_apps, None)


def test_thirty_simultaneous_wrong_guest_guesses_evaluate_at_most_five(settings):
    settings.LINK_MAX_FAILURES_PER_APPLICATION = 5
    target = ApplicationFactory(number="E710000001", client=ClientFactory(uci="71000001"))

    def guess(attempt: int):
        return lambda: application_identify_guest(
            application_number=target.number, uci=f"{80000000 + attempt}", ip_address=f"198.51.100.{attempt}"
        )

    results = in_parallel([guess(attempt) for attempt in range(PARALLEL_ATTEMPTS)])

    assert not [result for result in results if isinstance(result, Exception)], results
    outcomes = [result for result, _application in results]
    assert outcomes.count(LinkResult.MISMATCH) == 5
    assert outcomes.count(LinkResult.LOCKED) == PARALLEL_ATTEMPTS - 5
    assert LinkAttempt.objects.filter(result=LinkAttempt.Result.MISMATCH).count() == 5
    assert LinkLock.objects.filter(scope=LinkLock.Scope.APPLICATION, key=target.number).count() == 1


def test_one_address_guessing_many_numbers_at_once_is_stopped_at_its_limit(settings):
    settings.LINK_MAX_FAILURES_PER_ACCOUNT = 4
    calls = [
        (
            lambda index=index: application_identify_guest(
                application_number=f"E72000000{index % 10}{index // 10}", uci="99999999", ip_address="203.0.113.50"
            )
        )
        for index in range(12)
    ]
    results = in_parallel(calls)

    assert not [result for result in results if isinstance(result, Exception)], results
    assert [result for result, _application in results].count(LinkResult.MISMATCH) == 4
    assert LinkLock.objects.filter(scope=LinkLock.Scope.ACCOUNT, key="203.0.113.50").count() == 1


def test_the_same_form_sent_twice_at_once_makes_one_ticket_and_one_receipt():
    account = UserFactory()
    topic = Topic.objects.get(code="status")
    key = submission_key_new()

    def submit():
        return ticket_submit(
            account=account, application=None, topic=topic, message="Hello", language="en", submission_key=key
        )

    results = in_parallel([submit, submit, submit])

    assert not [result for result in results if isinstance(result, Exception)], results
    assert Ticket.objects.count() == 1
    assert {result.ticket.pk for result in results} == {Ticket.objects.get().pk}
    assert sorted(result.replayed for result in results) == [False, True, True]
    assert Notification.objects.filter(kind=Kind.ENQUIRY_RECEIPT, channel="email").count() == 1
