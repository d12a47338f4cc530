"""Every staff account must sign in with two-step verification; applicants choose for themselves."""

import pytest
from django.urls import reverse

from tests.factories import STAFF_TOTP_SECRET, UserFactory, sign_in_with_second_step
from tests.totp import totp_code

PASSWORD = "correct horse battery staple"


@pytest.fixture
def staff_member(db):
    return UserFactory(email="officer@example.com", is_staff=True, is_superuser=True)


def test_staff_without_a_second_step_are_sent_to_set_one_up(client, staff_member):
    client.force_login(staff_member)

    response = client.get(reverse("admin:index"))

    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")


def test_staff_with_a_second_step_that_this_session_did_not_use_are_asked_for_a_code(client, staff_member):
    sign_in_with_second_step(client, staff_member)
    client.logout()
    client.force_login(staff_member)  # a session signed in with the password alone

    response = client.get(reverse("admin:index") + "?o=1")

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_reauthenticate"))
    assert "next=%2Fen%2Fadmin%2F%3Fo%3D1" in response["Location"]


@pytest.mark.parametrize("page", ["admin:index", "applications:list", "home"])
def test_every_page_needs_it_not_only_the_admin(client, staff_member, page):
    client.force_login(staff_member)
    assert client.get(reverse(page)).status_code == 302


def test_staff_who_signed_in_with_their_code_get_in(client, staff_member):
    sign_in_with_second_step(client, staff_member)
    assert client.get(reverse("admin:index")).status_code == 200


def test_the_real_sign_in_with_password_and_code_opens_the_admin(client, staff_member):
    from allauth.mfa.totp.internal.auth import TOTP

    TOTP.activate(staff_member, STAFF_TOTP_SECRET)
    response = client.post(reverse("account_login"), {"login": staff_member.email, "password": PASSWORD})
    assert response["Location"] == reverse("mfa_authenticate")
    client.post(reverse("mfa_authenticate"), {"code": totp_code(STAFF_TOTP_SECRET)})

    assert client.get(reverse("admin:index")).status_code == 200


def test_the_pages_that_set_it_up_and_sign_out_stay_open(client, staff_member):
    client.force_login(staff_member)
    # Activating asks for the password again (allauth's own rule), not for the missing second step.
    activate = client.get(reverse("mfa_activate_totp"))
    assert activate.status_code == 302 and activate["Location"].startswith(reverse("account_reauthenticate"))
    assert client.get(reverse("account_logout")).status_code == 200


def test_an_applicant_without_a_second_step_is_not_concerned(client, applicant):
    client.force_login(applicant)
    assert client.get(reverse("applications:list")).status_code == 200
