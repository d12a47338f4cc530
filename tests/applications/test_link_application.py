"""Linking an application to an account: identifiers, one generic error, lockouts, audit."""

import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone, translation

from applications.models import ApplicationLink, LinkAttempt, LinkLock
from tests.factories import ApplicationFactory, ClientFactory, UserFactory, sign_in_with_second_step

GENERIC_ERROR = "We could not link this application with the details you entered."
LOCKED_ERROR = "linking is paused for 24 hours"


@pytest.fixture
def unlinked_application(db):
    client = ClientFactory(
        uci="12345678", family_name="Côté-Nguyen", date_of_birth=datetime.date(1988, 7, 1), country_of_birth="VN"
    )
    return ApplicationFactory(number="E123456789", client=client)


def post_link(client, **data):
    return client.post(reverse("applications:link"), data)


def test_it_sends_anonymous_visitors_to_sign_in(client):
    response = client.get(reverse("applications:link"))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_it_links_with_the_uci(client, applicant, unlinked_application):
    client.force_login(applicant)
    response = post_link(client, application_number="e123 456 789", uci="1234-5678")
    assert response.status_code == 302
    assert response["Location"] == reverse("applications:detail", kwargs={"number": "E123456789"})
    assert ApplicationLink.objects.filter(account=applicant, application=unlinked_application).exists()
    unlinked_application.client.refresh_from_db()
    assert unlinked_application.client.account == applicant
    assert LinkAttempt.objects.get().result == LinkAttempt.Result.LINKED


def test_it_links_with_name_birth_date_and_country_ignoring_case_and_accents(client, applicant, unlinked_application):
    client.force_login(applicant)
    response = post_link(
        client,
        application_number="E123456789",
        family_name="cote nguyen",
        date_of_birth="1988-07-01",
        country_of_birth="VN",
    )
    assert response.status_code == 302
    assert ApplicationLink.objects.filter(account=applicant).count() == 1


@pytest.mark.parametrize(
    "data",
    [
        {"application_number": "E123456789", "uci": "87654321"},
        {"application_number": "E123456780", "uci": "12345678"},
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
        {
            "application_number": "E123456789",
            "family_name": "Nguyen",
            "date_of_birth": "1988-07-01",
            "country_of_birth": "VN",
        },
    ],
    ids=["wrong-uci", "unknown-number", "wrong-birth-date", "wrong-country", "wrong-name"],
)
def test_it_answers_every_mismatch_with_the_same_generic_message(client, applicant, unlinked_application, data):
    client.force_login(applicant)
    response = post_link(client, **data)
    assert response.status_code == 400
    assert GENERIC_ERROR in response.text
    assert not ApplicationLink.objects.exists()
    attempt = LinkAttempt.objects.get()
    assert attempt.result == LinkAttempt.Result.MISMATCH
    assert attempt.account == applicant


def test_it_explains_missing_identifiers_field_by_field(client, applicant):
    client.force_login(applicant)
    response = post_link(client, application_number="E123456789")
    assert response.status_code == 400
    assert "Enter your family name, or your UCI." in response.text
    assert "Enter your date of birth, or your UCI." in response.text
    assert 'href="#id_family_name"' in response.text
    assert 'aria-invalid="true"' in response.text
    assert not LinkAttempt.objects.exists()


def test_it_rejects_a_malformed_uci_and_a_future_birth_date(client, applicant):
    client.force_login(applicant)
    response = post_link(client, application_number="E1", uci="12ab")
    assert "Enter your UCI as 8 or 10 digits." in response.text
    future = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    response = post_link(client, application_number="E1", family_name="X", date_of_birth=future, country_of_birth="FR")
    assert "Your date of birth must be in the past." in response.text
    assert not LinkAttempt.objects.exists()


def test_it_explains_errors_in_french(client, applicant):
    client.force_login(applicant)
    with translation.override("fr"):
        url = reverse("applications:link")
    response = client.post(url, {"application_number": "E123456789", "uci": "1"})
    assert response.status_code == 400
    assert "Il y a un problème" in response.text
    assert "Entrez votre IUC de 8 ou 10 chiffres." in response.text


def test_it_locks_an_application_number_after_five_failures_for_24_hours(client, unlinked_application):
    users = UserFactory.create_batch(5)
    for user in users:
        client.force_login(user)
        post_link(client, application_number="E123456789", uci="99999999")
    owner = UserFactory()
    client.force_login(owner)
    response = post_link(client, application_number="E123456789", uci="12345678")
    assert LOCKED_ERROR in response.text
    assert not ApplicationLink.objects.exists()
    assert LinkAttempt.objects.filter(result=LinkAttempt.Result.LOCKED).count() == 1
    with time_machine.travel(timezone.now() + datetime.timedelta(hours=24, minutes=1)):
        client.force_login(owner)  # the old session has long expired
        response = post_link(client, application_number="E123456789", uci="12345678")
    assert response["Location"] == reverse("applications:detail", kwargs={"number": "E123456789"})
    assert ApplicationLink.objects.filter(account=owner).exists()


def test_it_locks_an_account_after_ten_failures_across_applications(client, applicant, unlinked_application):
    client.force_login(applicant)
    for attempt in range(10):
        post_link(client, application_number=f"E00000000{attempt}", uci="99999999")
    assert LinkLock.objects.filter(scope=LinkLock.Scope.ACCOUNT, key=str(applicant.pk)).exists()
    response = post_link(client, application_number="E123456789", uci="12345678")
    assert LOCKED_ERROR in response.text
    assert not ApplicationLink.objects.exists()


def test_four_failures_do_not_lock(client, applicant, unlinked_application):
    client.force_login(applicant)
    for _ in range(4):
        post_link(client, application_number="E123456789", uci="99999999")
    assert post_link(client, application_number="E123456789", uci="12345678").status_code == 302


def test_it_never_links_an_application_of_another_client(
    client, applicant, applicant_application, unlinked_application
):
    # The applicant's account already speaks for their own client.
    client.force_login(applicant)
    response = post_link(client, application_number="E123456789", uci="12345678")
    assert GENERIC_ERROR in response.text
    assert not ApplicationLink.objects.filter(application=unlinked_application).exists()


def test_it_never_links_a_client_already_claimed_by_another_account(client, other_applicant, unlinked_application):
    first = UserFactory()
    client.force_login(first)
    assert post_link(client, application_number="E123456789", uci="12345678").status_code == 302
    client.force_login(other_applicant)
    response = post_link(client, application_number="E123456789", uci="12345678")
    assert GENERIC_ERROR in response.text
    assert not ApplicationLink.objects.filter(account=other_applicant).exists()


def test_unlinking_removes_access_records_it_and_frees_the_client(client, applicant, applicant_application):
    client.force_login(applicant)
    url = reverse("applications:unlink", kwargs={"number": applicant_application.number})
    assert client.get(url).status_code == 200
    response = client.post(url)
    assert response.status_code == 302
    assert not ApplicationLink.objects.exists()
    assert LinkAttempt.objects.get().result == LinkAttempt.Result.UNLINKED
    applicant_application.client.refresh_from_db()
    assert applicant_application.client.account is None
    detail = reverse("applications:detail", kwargs={"number": applicant_application.number})
    assert client.get(detail).status_code == 404


def test_nobody_can_unlink_someone_elses_application(client, other_applicant, applicant_application):
    client.force_login(other_applicant)
    url = reverse("applications:unlink", kwargs={"number": applicant_application.number})
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    assert ApplicationLink.objects.filter(application=applicant_application).exists()


def test_staff_are_sent_back_to_the_status_page_instead_of_unlinking(client, staff_user, applicant_application):
    sign_in_with_second_step(client, staff_user)
    url = reverse("applications:unlink", kwargs={"number": applicant_application.number})
    response = client.post(url)
    assert response.status_code == 302
    assert ApplicationLink.objects.filter(application=applicant_application).exists()
