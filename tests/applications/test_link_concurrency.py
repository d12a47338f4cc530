"""Linking under parallel requests: the failure count, the lock and a client's account are each decided once.

Real threads, each with its own database connection, released together by a barrier.
"""

import datetime

import pytest

from applications.models import ApplicationLink, Client, LinkAttempt, LinkLock
from applications.services import LinkResult, application_link
from tests.concurrency import in_parallel
from tests.factories import ApplicationFactory, ClientFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

PARALLEL_ATTEMPTS = 30


@pytest.fixture(autouse=True)
def reference_data(transactional_db):
    """Transactional tests empty every table afterwards, the programs the migrations loaded included."""
    from applications.models import Program, ProgramStage, Stage
    from applications.reference_data import reference_data_load

    reference_data_load(stage_model=Stage, program_model=Program, program_stage_model=ProgramStage)


def test_thirty_simultaneous_wrong_guesses_evaluate_at_most_five(settings):
    settings.LINK_MAX_FAILURES_PER_APPLICATION = 5
    target = ApplicationFactory(number="E700000001", client=ClientFactory(uci="70000001"))
    accounts = [UserFactory() for _ in range(PARALLEL_ATTEMPTS)]

    def guess(account, attempt: int):
        return lambda: application_link(account=account, application_number=target.number, uci=f"{80000000 + attempt}")

    results = in_parallel([guess(account, attempt) for attempt, account in enumerate(accounts)])

    assert not [result for result in results if isinstance(result, Exception)], results
    outcomes = [result for result, _application in results]
    assert outcomes.count(LinkResult.MISMATCH) == 5
    assert outcomes.count(LinkResult.LOCKED) == PARALLEL_ATTEMPTS - 5
    assert LinkAttempt.objects.filter(result=LinkAttempt.Result.MISMATCH).count() == 5
    assert LinkLock.objects.filter(scope=LinkLock.Scope.APPLICATION, key=target.number).count() == 1


def test_the_right_identifiers_after_the_limit_do_not_link_even_when_raced(settings):
    settings.LINK_MAX_FAILURES_PER_APPLICATION = 5
    target = ApplicationFactory(number="E700000002", client=ClientFactory(uci="70000002"))
    accounts = [UserFactory() for _ in range(12)]
    calls = [
        (
            lambda account=account, index=index: application_link(
                account=account, application_number=target.number, uci=f"{81000000 + index}"
            )
        )
        for index, account in enumerate(accounts[:-1])
    ]
    results = in_parallel(calls)
    assert not [result for result in results if isinstance(result, Exception)], results

    result, _application = application_link(account=accounts[-1], application_number=target.number, uci="70000002")
    assert result == LinkResult.LOCKED
    assert not ApplicationLink.objects.filter(application=target).exists()


def test_one_account_linking_two_clients_at_once_links_one_and_records_both():
    account = UserFactory()
    first = ApplicationFactory(number="E700000003", client=ClientFactory(uci="70000003"))
    second = ApplicationFactory(number="E700000004", client=ClientFactory(uci="70000004"))

    results = in_parallel(
        [
            lambda: application_link(account=account, application_number=first.number, uci="70000003"),
            lambda: application_link(account=account, application_number=second.number, uci="70000004"),
        ]
    )

    assert not [result for result in results if isinstance(result, Exception)], results
    assert sorted(result.value for result, _application in results) == ["linked", "mismatch"]
    assert Client.objects.filter(account=account).count() == 1
    assert ApplicationLink.objects.filter(account=account).count() == 1
    attempts = LinkAttempt.objects.filter(account=account)
    assert sorted(attempts.values_list("result", flat=True)) == ["linked", "mismatch"]


def test_the_lock_window_is_still_counted_from_the_first_failure(settings):
    """Serialising attempts does not change what is counted: failures older than the window fall away."""
    settings.LINK_MAX_FAILURES_PER_APPLICATION = 2
    target = ApplicationFactory(number="E700000005", client=ClientFactory(uci="70000005"))
    old = LinkAttempt.objects.create(
        account=UserFactory(), application_number=target.number, result=LinkAttempt.Result.MISMATCH
    )
    LinkAttempt.objects.filter(pk=old.pk).update(
        created_at=old.created_at - datetime.timedelta(hours=settings.LINK_LOCK_HOURS + 1)
    )
    result, _application = application_link(account=UserFactory(), application_number=target.number, uci="99999999")
    assert result == LinkResult.MISMATCH
    assert not LinkLock.objects.exists()


def test_name_locks_need_a_transaction():
    from core.locks import names_lock

    with pytest.raises(RuntimeError):
        names_lock("link:number:E1")
