"""The status check without an account: what it shows and hides, one answer for every mismatch,
the shared lockouts, the rate limit, the audit, and the same work for a number that does not exist."""

import datetime
import re
import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from applications.models import LinkAttempt, LinkLock, Stage
from applications.services import LinkResult, application_link
from applications.status_check import CheckResult, status_check_perform
from core.models import AuditAction, AuditEvent
from tests.concurrency import in_parallel
from tests.factories import (
    ApplicationFactory,
    ClientFactory,
    UserFactory,
    record_decision,
    status_event_record,
)

GENERIC_ERROR = "We could not find an application with the details you entered."
GENERIC_ERROR_FR = "Nous n'avons trouvé aucune demande correspondant aux renseignements que vous"
LOCKED_ERROR = "status checks are paused for 24 hours"
NOTES = "Officer wrote: the sponsor's letter contradicts the bank statements."
ADDRESS = "203.0.113.7"


def check_url(language: str = "en") -> str:
    with translation.override(language):
        return reverse("check_status:check")


def post_check(client, *, language: str = "en", address: str = ADDRESS, **data):
    return client.post(check_url(language), data, REMOTE_ADDR=address)


@pytest.fixture
def application(db):
    client = ClientFactory(
        uci="12345678", family_name="Côté-Nguyen", date_of_birth=datetime.date(1988, 7, 1), country_of_birth="VN"
    )
    return ApplicationFactory(number="E123456789", client=client, processing_office="Sydney CPC")


@pytest.fixture
def waiting_application(application):
    status_event_record(
        application=application,
        stage=Stage.objects.get(code="biometrics"),
        state="waiting_on_client",
        occurred_at=timezone.now() - datetime.timedelta(days=3),
        source_id="check-biometrics-1",
    )
    return application


# The form --------------------------------------------------------------------------------------


# New strings are translated when the integrator compiles the catalogue; the labels the form shares with linking already are.
@pytest.mark.parametrize(("language", "heading"), [("en", "Application number"), ("fr", "Numéro de demande")])
def test_it_shows_the_form_to_anyone_in_both_languages(client, db, language, heading):
    response = client.get(check_url(language))
    assert response.status_code == 200
    assert f'lang="{language}"' in response.text
    assert heading in response.text
    assert 'name="application_number"' in response.text
    assert 'autocomplete="bday"' in response.text


def test_the_home_page_links_to_it(client, db):
    assert check_url() in client.get(reverse("home")).text


@pytest.mark.parametrize(
    ("language", "required", "missing_details"),
    [
        ("en", "This field is required.", "Enter your family name, or your UCI."),
        ("fr", "Ce champ est obligatoire.", "Entrez votre nom de famille ou votre IUC."),
    ],
)
def test_it_explains_missing_fields_in_the_page_language(client, db, language, required, missing_details):
    response = post_check(client, language=language)
    assert response.status_code == 400
    assert required in response.text
    assert 'class="error-summary"' in response.text
    response = post_check(client, language=language, application_number="E123456789")
    assert response.status_code == 400
    assert missing_details in response.text
    assert not LinkAttempt.objects.exists()


@pytest.mark.parametrize(
    ("language", "message"),
    [("en", "Enter your UCI as 8 or 10 digits."), ("fr", "Entrez votre IUC de 8 ou 10 chiffres.")],
)
def test_it_explains_a_malformed_uci_in_the_page_language(client, db, language, message):
    response = post_check(client, language=language, application_number="E123456789", uci="12ab")
    assert response.status_code == 400
    assert message in response.text


def test_a_date_of_birth_in_the_future_is_explained(client, db):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = post_check(
        client, application_number="E1", family_name="X", date_of_birth=tomorrow.isoformat(), country_of_birth="CA"
    )
    assert response.status_code == 400
    assert "Your date of birth must be in the past." in response.text


# What it shows -----------------------------------------------------------------------------------


def test_it_shows_the_status_stages_and_what_is_waiting_with_the_uci(client, waiting_application):
    response = post_check(client, application_number="e123 456 789", uci="1234-5678")
    assert response.status_code == 200
    text = response.text
    assert "E123456789" in text
    assert waiting_application.program.name_en in text
    assert "We are waiting on you" in text
    biometrics = Stage.objects.get(code="biometrics")
    assert biometrics.name_en in text
    assert "Waiting on you" in text or "waiting" in text.lower()
    assert "Last updated" in text
    assert "When to expect a decision" in text
    assert "Create an account" in text
    # Nothing a status check must not show: the office, the history's messages, the decision page.
    assert "Sydney CPC" not in text
    assert "History" not in text
    assert reverse("applications:decision", kwargs={"number": "E123456789"}) not in text


def test_it_works_with_family_name_birth_date_and_country_in_french(client, application):
    response = post_check(
        client,
        language="fr",
        application_number="E123456789",
        family_name="cote nguyen",
        date_of_birth="1988-07-01",
        country_of_birth="VN",
    )
    assert response.status_code == 200
    assert 'lang="fr"' in response.text
    assert "Étapes" in response.text
    assert "Créer un compte" in response.text


def test_the_answer_is_private_and_never_stored(client, application):
    response = post_check(client, application_number="E123456789", uci="12345678")
    assert response.status_code == 200
    cache_control = response["Cache-Control"]
    assert "private" in cache_control
    assert "no-store" in cache_control
    failed = post_check(client, application_number="E123456789", uci="87654321")
    assert "no-store" in failed["Cache-Control"]
    assert "no-store" in client.get(check_url())["Cache-Control"]


def test_a_refused_application_shows_its_outcome_but_never_its_grounds_or_notes(client, application):
    record_decision(application=application, outcome="refused", grounds=["insufficient-funds"], notes=NOTES)
    response = post_check(client, application_number="E123456789", uci="12345678")
    assert response.status_code == 200
    text = response.text
    assert "Refused" in text or "refused" in text
    assert "A decision was made on this application" in text
    assert "insufficient" not in text.lower()
    assert "funds" not in text.lower()
    assert "IRPR" not in text
    assert "bank statements" not in text
    assert "Sydney CPC" not in text
    assert reverse("applications:decision", kwargs={"number": "E123456789"}) not in text


# Mismatches, lockouts and the rate limit ---------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        {"application_number": "E123456789", "uci": "87654321"},
        {"application_number": "E999999999", "uci": "12345678"},
        {
            "application_number": "E123456789",
            "family_name": "Côté-Nguyen",
            "date_of_birth": "1988-07-02",
            "country_of_birth": "VN",
        },
        {
            "application_number": "E123456789",
            "family_name": "Côté-Nguyen",
            "date_of_birth": "1988-07-01",
            "country_of_birth": "CA",
        },
    ],
)
def test_every_mismatch_gets_the_same_generic_answer_and_is_recorded(client, application, data):
    response = post_check(client, **data)
    assert response.status_code == 400
    assert GENERIC_ERROR in response.text
    assert "Stages" not in response.text
    attempt = LinkAttempt.objects.get()
    assert attempt.result == LinkAttempt.Result.MISMATCH
    assert attempt.account is None
    assert attempt.ip_address == ADDRESS
    assert not AuditEvent.objects.filter(action=AuditAction.STATUS_CHECKED).exists()


def test_the_generic_answer_is_in_french_too(client, application):
    response = post_check(client, language="fr", application_number="E999999999", uci="12345678")
    assert response.status_code == 400
    assert GENERIC_ERROR_FR in response.text.replace("&#x27;", "'")


def test_a_number_is_locked_after_the_limit_whoever_tries(client, application, settings):
    settings.LINK_MAX_FAILURES_PER_APPLICATION = 3
    for index in range(3):
        response = post_check(
            client, application_number="E123456789", uci=f"8765432{index}", address=f"198.51.100.{index}"
        )
        assert GENERIC_ERROR in response.text
    assert LinkLock.objects.filter(scope=LinkLock.Scope.APPLICATION, key="E123456789").exists()

    response = post_check(client, application_number="E123456789", uci="12345678", address="192.0.2.200")
    assert response.status_code == 400
    assert LOCKED_ERROR in response.text
    assert "Stages" not in response.text
    assert LinkAttempt.objects.filter(result=LinkAttempt.Result.LOCKED).count() == 1
    assert not AuditEvent.objects.filter(action=AuditAction.STATUS_CHECKED).exists()


def test_an_address_is_locked_after_the_limit_across_numbers(client, application, settings):
    settings.LINK_MAX_FAILURES_PER_ACCOUNT = 3
    for index in range(3):
        post_check(client, application_number=f"E99999999{index}", uci="12345678")
    assert LinkLock.objects.filter(scope=LinkLock.Scope.ACCOUNT, key=ADDRESS).exists()

    locked = post_check(client, application_number="E123456789", uci="12345678")
    assert LOCKED_ERROR in locked.text
    elsewhere = post_check(client, application_number="E123456789", uci="12345678", address="192.0.2.9")
    assert elsewhere.status_code == 200


def test_failed_links_by_signed_in_people_count_toward_the_same_lock(client, application, settings):
    settings.LINK_MAX_FAILURES_PER_APPLICATION = 2
    for _ in range(2):
        result, _found = application_link(account=UserFactory(), application_number="E123456789", uci="99999999")
        assert result is LinkResult.MISMATCH
    response = post_check(client, application_number="E123456789", uci="12345678")
    assert LOCKED_ERROR in response.text


def test_past_the_rate_limit_it_answers_a_clear_429(client, application, settings):
    settings.STATUS_CHECK_RATE_LIMIT = 2
    for _ in range(2):
        assert post_check(client, application_number="E123456789", uci="12345678").status_code == 200
    response = post_check(client, application_number="E123456789", uci="12345678")
    assert response.status_code == 429
    assert "Too many status checks" in response.text
    assert int(response["Retry-After"]) > 0
    assert "no-store" in response["Cache-Control"]
    # Refused before any look-up: nothing was tried, nothing recorded.
    assert LinkAttempt.objects.count() == 2
    french = post_check(client, language="fr", application_number="E123456789", uci="12345678")
    assert french.status_code == 429
    assert 'lang="fr"' in french.text
    # Another address still gets through, and showing the form is not counted.
    assert post_check(client, application_number="E123456789", uci="12345678", address="192.0.2.1").status_code == 200
    assert client.get(check_url()).status_code == 200


# The audit ---------------------------------------------------------------------------------------


def test_a_successful_check_is_audited_for_the_clients_access_log(client, application):
    post_check(client, application_number="E123456789", uci="12345678")
    event = AuditEvent.objects.get(action=AuditAction.STATUS_CHECKED)
    assert event.actor is None
    assert event.case_number == "E123456789"
    assert event.subject_type == "application"
    assert event.subject_id == str(application.pk)
    assert event.basis == "no_sign_in"
    assert event.ip_address == ADDRESS
    assert event.extra["identified_by"] == "uci"
    assert LinkAttempt.objects.get().result == LinkAttempt.Result.IDENTIFIED


# The same work whether the number exists or not --------------------------------------------------


def _statement_shapes(queries) -> list[str]:
    """Each statement with its values blanked out, so two runs compare by what they did, not with what."""
    values = re.compile(r"pg_advisory_xact_lock\([^)]*\)|'[^']*'|\"s\d+_x\d+\"|\b\d+\b|NULL")
    return [values.sub("?", query["sql"]) for query in queries]


def test_an_unknown_number_costs_the_same_queries_as_a_wrong_guess(client, application, settings):
    settings.LINK_MAX_FAILURES_PER_APPLICATION = 1000
    settings.LINK_MAX_FAILURES_PER_ACCOUNT = 1000
    # Warm up what is read once per process (content types, sessions, translations).
    post_check(client, application_number="E123456789", uci="87654321", address="192.0.2.50")
    post_check(client, application_number="E000000000", uci="87654321", address="192.0.2.51")

    with CaptureQueriesContext(connection) as existing:
        post_check(client, application_number="E123456789", uci="87654321")
    with CaptureQueriesContext(connection) as unknown:
        post_check(client, application_number="E000000001", uci="87654321")

    assert len(existing.captured_queries) == len(unknown.captured_queries)
    assert _statement_shapes(existing.captured_queries) == _statement_shapes(unknown.captured_queries)


@pytest.mark.parametrize("number", ["E123456789", "E000000001"])
def test_every_miss_is_held_back_to_the_floor(application, settings, number):
    settings.STATUS_CHECK_MISS_FLOOR_SECONDS = 0.2
    started = time.monotonic()
    check = status_check_perform(application_number=number, uci="87654321", ip_address=ADDRESS)
    assert check.result is CheckResult.MISMATCH
    assert time.monotonic() - started >= 0.2


def test_a_found_application_is_not_held_back(application, settings):
    settings.STATUS_CHECK_MISS_FLOOR_SECONDS = 5
    started = time.monotonic()
    check = status_check_perform(application_number="E123456789", uci="12345678", ip_address=ADDRESS)
    assert check.result is CheckResult.FOUND
    assert time.monotonic() - started < 5


def test_an_unknown_number_answers_the_same_page_as_a_wrong_guess(client, application):
    existing = post_check(client, application_number="E123456789", uci="87654321")
    unknown = post_check(client, application_number="E000000001", uci="87654321", address="192.0.2.60")
    assert existing.status_code == unknown.status_code == 400
    strip = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"|E123456789|E000000001')
    assert strip.sub("", existing.text) == strip.sub("", unknown.text)


# Under parallel requests -------------------------------------------------------------------------


@pytest.fixture
def reference_data(transactional_db):
    """Transactional tests empty every table afterwards, the programs the migrations loaded included."""
    from applications.models import Program, ProgramStage
    from applications.reference_data import reference_data_load

    reference_data_load(stage_model=Stage, program_model=Program, program_stage_model=ProgramStage)


@pytest.mark.django_db(transaction=True)
def test_thirty_simultaneous_wrong_guesses_evaluate_at_most_the_limit(reference_data, settings):
    settings.LINK_MAX_FAILURES_PER_APPLICATION = 5
    target = ApplicationFactory(number="E700000011", client=ClientFactory(uci="70000011"))

    def guess(attempt: int):
        return lambda: status_check_perform(
            application_number=target.number, uci=f"{80000000 + attempt}", ip_address=f"198.18.0.{attempt + 1}"
        )

    results = in_parallel([guess(attempt) for attempt in range(30)])

    assert not [result for result in results if isinstance(result, Exception)], results
    outcomes = [check.result for check in results]
    assert outcomes.count(CheckResult.MISMATCH) == 5
    assert outcomes.count(CheckResult.LOCKED) == 25
    assert LinkAttempt.objects.filter(result=LinkAttempt.Result.MISMATCH).count() == 5
    assert LinkLock.objects.filter(scope=LinkLock.Scope.APPLICATION, key=target.number).count() == 1
    assert not AuditEvent.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_thirty_simultaneous_guesses_from_one_address_lock_it_once(reference_data, settings):
    settings.LINK_MAX_FAILURES_PER_ACCOUNT = 10
    ApplicationFactory(number="E700000012", client=ClientFactory(uci="70000012"))

    def guess(attempt: int):
        return lambda: status_check_perform(
            application_number=f"E7100000{attempt:02d}", uci="70000012", ip_address="198.18.1.1"
        )

    results = in_parallel([guess(attempt) for attempt in range(30)])

    assert not [result for result in results if isinstance(result, Exception)], results
    outcomes = [check.result for check in results]
    assert outcomes.count(CheckResult.MISMATCH) == 10
    assert outcomes.count(CheckResult.LOCKED) == 20
    assert LinkLock.objects.filter(scope=LinkLock.Scope.ACCOUNT, key="198.18.1.1").count() == 1
