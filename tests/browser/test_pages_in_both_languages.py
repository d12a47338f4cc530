"""Each page in English and in French: right language, working toggle, and no accessibility violation."""

from urllib.parse import urlsplit

import pytest
from django.utils import translation
from playwright.sync_api import expect

from applications.models import ApplicationLink
from tests.browser.conftest import BROWSER_TEST, assert_accessible, french, sign_in, visit
from tests.factories import ApplicationFactory, UserFactory, link

pytestmark = BROWSER_TEST

PASSWORD = "correct horse battery staple"  # tests.factories.UserFactory's password
LANGUAGES = ["en", "fr"]


def in_language(language: str, message: str, **values) -> str:
    if language == "fr":
        return french(message, **values)
    # English has its own wording for some of allauth's phrases (locale/en): "Sign In" shows as "Sign in".
    with translation.override("en"):
        text = translation.gettext(message)
    return text % values if values else text


def assert_page_language(page, language: str, heading: str) -> None:
    expect(page.locator("html")).to_have_attribute("lang", language)
    assert urlsplit(page.url).path.startswith(f"/{language}/"), page.url
    toggle = page.locator("header form.language-toggle button")
    expect(toggle).to_have_text("Français" if language == "en" else "English")
    expect(toggle).to_have_attribute("lang", "fr" if language == "en" else "en")
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)


@pytest.fixture
def applicant_with_application(transactional_db):
    user = UserFactory()
    application = ApplicationFactory(number="E141421356")
    link(user=user, application=application)
    return user, application


def test_public_pages(page):
    for language in LANGUAGES:
        visit(page, f"/{language}/")
        assert_page_language(page, language, in_language(language, "Check the status of your application"))
        visit(page, f"/{language}/accounts/login/")
        assert_page_language(page, language, in_language(language, "Sign In"))
        visit(page, f"/{language}/accounts/signup/")
        assert_page_language(page, language, in_language(language, "Sign Up"))


def test_signed_in_pages_then_unlink(page, applicant_with_application):
    user, application = applicant_with_application
    number = application.number
    sign_in(page, email=user.email, password=PASSWORD, language="fr")

    for language in LANGUAGES:
        visit(page, f"/{language}/")
        assert_page_language(page, language, in_language(language, "Check the status of your application"))
        expect(page.get_by_role("link", name=in_language(language, "Go to my applications"))).to_be_visible()

        visit(page, f"/{language}/applications/")
        assert_page_language(page, language, in_language(language, "My applications"))
        row = page.get_by_role("row").filter(has=page.get_by_role("link", name=number))
        expect(row).to_contain_text(application.program.name_en if language == "en" else application.program.name_fr)
        expect(row.get_by_role("link", name=number)).to_have_attribute("href", f"/{language}/applications/{number}/")

        visit(page, f"/{language}/applications/link/")
        assert_page_language(page, language, in_language(language, "Link an application to your account"))
        expect(page.get_by_label(in_language(language, "Country of birth"))).to_be_visible()

        visit(page, f"/{language}/applications/{number}/")
        assert_page_language(
            page, language, application.program.name_en if language == "en" else application.program.name_fr
        )

        visit(page, f"/{language}/applications/{number}/unlink/")
        assert_page_language(page, language, in_language(language, "Unlink application %(number)s?", number=number))
        expect(page.get_by_role("button", name=in_language(language, "Unlink application"))).to_be_visible()
        expect(page.get_by_role("link", name=in_language(language, "Cancel"))).to_have_attribute(
            "href", f"/{language}/applications/{number}/"
        )

    # Unlinking from the French confirmation page comes back to the French list, with a French notice.
    page.get_by_role("button", name=french("Unlink application")).click()
    page.wait_for_url("**/fr/applications/")
    assert_accessible(page)
    expect(page.get_by_role("status")).to_have_text(
        french("Application %(number)s is no longer linked to your account.", number=number)
    )
    expect(page.locator("main")).to_contain_text(french("No application is linked to your account yet."))
    assert not ApplicationLink.objects.filter(account=user).exists()


ACCOUNT_PAGES = [
    ("/accounts/email/", "Email Addresses"),
    ("/accounts/password/change/", "Change Password"),
    ("/accounts/2fa/", "Two-Factor Authentication"),
    ("/accounts/logout/", "Sign Out"),
]


def test_account_pages(page, applicant_with_application):
    user, _application = applicant_with_application
    sign_in(page, email=user.email, password=PASSWORD)
    for language in LANGUAGES:
        for path, heading in ACCOUNT_PAGES:
            visit(page, f"/{language}{path}")
            assert_page_language(page, language, in_language(language, heading))


@pytest.mark.parametrize("language", LANGUAGES)
def test_keyboard_skip_link_and_language_toggle(page, language):
    visit(page, f"/{language}/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name=in_language(language, "Skip to main content"))
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()

    # The toggle is a real button: reachable and usable from the keyboard.
    toggle = page.locator("header form.language-toggle button")
    toggle.focus()
    page.keyboard.press("Enter")
    other = "fr" if language == "en" else "en"
    page.wait_for_url(f"**/{other}/")
    assert_accessible(page)
    expect(page.locator("html")).to_have_attribute("lang", other)
