"""Two-step verification with real TOTP codes, allauth's rate limits, and the security headers."""

import html
import re

import pytest
from allauth.mfa.models import Authenticator
from django.urls import reverse

from tests.totp import totp_code

PASSWORD = "correct horse battery staple"


def sign_in(client, user):
    return client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})


def activate_totp(client, user) -> str:
    sign_in(client, user)
    # Turning on a second step asks for the password again.
    assert client.get(reverse("mfa_activate_totp"))["Location"].startswith(reverse("account_reauthenticate"))
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    response = client.get(reverse("mfa_activate_totp"))
    assert response.status_code == 200
    secret = response.context["form"].secret
    response = client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret)})
    assert response.status_code == 302
    return secret


def test_an_applicant_can_turn_on_totp_and_then_needs_a_code_to_sign_in(client, applicant):
    secret = activate_totp(client, applicant)
    assert Authenticator.objects.filter(user=applicant, type=Authenticator.Type.TOTP).exists()
    assert Authenticator.objects.filter(user=applicant, type=Authenticator.Type.RECOVERY_CODES).exists()
    client.logout()

    response = sign_in(client, applicant)
    assert response["Location"] == reverse("mfa_authenticate")
    assert client.get(reverse("applications:list")).status_code == 302  # not signed in yet

    response = client.post(reverse("mfa_authenticate"), {"code": "000000"})
    assert response.status_code == 200
    assert client.get(reverse("applications:list")).status_code == 302

    response = client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})
    assert response.status_code == 302
    assert client.get(reverse("applications:list")).status_code == 200


def test_a_recovery_code_signs_in_once(client, applicant):
    activate_totp(client, applicant)
    codes = Authenticator.objects.get(user=applicant, type=Authenticator.Type.RECOVERY_CODES).wrap().get_unused_codes()
    client.logout()
    sign_in(client, applicant)
    assert client.post(reverse("mfa_authenticate"), {"code": codes[0]}).status_code == 302
    client.logout()
    sign_in(client, applicant)
    assert client.post(reverse("mfa_authenticate"), {"code": codes[0]}).status_code == 200


def test_the_admin_sign_in_goes_through_allauth_and_its_second_step(client, admin_user):
    response = client.get("/en/admin/login/?next=/en/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    secret = activate_totp(client, admin_user)
    client.logout()
    sign_in(client, admin_user)
    assert client.get("/en/admin/").status_code == 302
    client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})
    assert client.get("/en/admin/").status_code == 200


def test_repeated_wrong_passwords_are_rate_limited(client, applicant):
    pages = [
        client.post(reverse("account_login"), {"login": applicant.email, "password": "wrong password"}).text
        for _ in range(6)
    ]
    assert "Too many failed login attempts" not in pages[0]
    assert "Too many failed login attempts" in pages[-1]
    # Even the right password is refused while the limit holds.
    assert sign_in(client, applicant).status_code == 200


@pytest.mark.django_db
def test_pages_carry_a_strict_content_security_policy(client):
    response = client.get(reverse("home"))
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "style-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.django_db
def test_no_template_contains_inline_script_or_style(client):
    from pathlib import Path

    for template in Path("templates").rglob("*.html"):
        text = template.read_text()
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text), template
        assert "<style" not in text, template
        assert not re.search(r"\sstyle=\"", text), template
        assert not re.search(r"\son[a-z]+=\"", text), template


def test_password_reset_sends_a_link_that_works(client, applicant, mailoutbox):
    response = client.post(reverse("account_reset_password"), {"email": applicant.email})
    assert response.status_code == 302
    assert len(mailoutbox) == 1
    link = re.search(r"http://\S+/password/reset/key/\S+", mailoutbox[0].body).group(0)
    path = html.unescape(link.split("testserver", 1)[1])
    response = client.get(path, follow=True)
    form_url = response.redirect_chain[-1][0] if response.redirect_chain else path
    response = client.post(form_url, {"password1": "a brand new passphrase", "password2": "a brand new passphrase"})
    assert response.status_code == 302
    client.logout()
    assert client.login(email=applicant.email, password="a brand new passphrase")
