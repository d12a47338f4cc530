"""Each page in English and in French: right language, working toggle, and no accessibility violation."""

from urllib.parse import urlsplit

import pytest
from django.utils import translation
from playwright.sync_api import expect

from applications.models import ApplicationLink
from tests.browser.conftest import BROWSER_TEST, assert_accessible, french, sign_in, visit
from tests.factories import ApplicationFactory, UserFactory, link
from tests.totp import totp_code

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


# ---- The pages of consent-based access (issue 11) ----------------------------------------------


def sign_in_member(page, *, account, language: str, landing: str = "/applications/", at_code=None) -> None:
    """An organisation's member signs in as they must: their password, then a code from their app.

    `at_code(page)`, if given, is called on the page asking for the code (to take its picture).
    """
    from allauth.mfa.totp.internal.auth import TOTP

    from tests.factories import STAFF_TOTP_SECRET

    TOTP.activate(account, STAFF_TOTP_SECRET)
    visit(page, f"/{language}/accounts/login/")
    page.locator("#id_login").fill(account.email)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main form button[type=submit]:not([form])").click()
    page.wait_for_url("**/accounts/2fa/authenticate/**")
    assert_accessible(page)
    expect(page.locator("html")).to_have_attribute("lang", language)
    if at_code is not None:
        at_code(page)
    page.locator("#id_code").fill(totp_code(STAFF_TOTP_SECRET))
    page.locator("main form button[type=submit]:not([form])").click()
    page.wait_for_url(f"**/{language}{landing}")
    assert_accessible(page)


@pytest.fixture
def office_following_a_case(transactional_db):
    """A client's application followed by a verified MP's office (manager and caseworker), a liaison
    officer with availability tomorrow and one appointment booked with them."""
    from delegations.liaison import appointment_book
    from delegations.liaison_models import Appointment
    from tests.delegations.factories import GrantFactory, ManagerFactory, MemberFactory, OrganisationFactory
    from tests.delegations.liaison_support import liaison_officer, publish, tomorrow_at

    client = UserFactory(email="client.sweep@example.com")
    application = ApplicationFactory(number="E271828182", client__family_name="Ouellet")
    link(user=client, application=application)
    office = OrganisationFactory(
        name_en="Office of the Member for Laurier—Sainte-Marie",
        name_fr="Bureau de la députée de Laurier—Sainte-Marie",
        member_name="Claire Exemple",
        riding_en="Laurier—Sainte-Marie",
        riding_fr="Laurier—Sainte-Marie",
    )
    GrantFactory(application=application, organisation=office)
    manager = ManagerFactory(organisation=office, account__first_name="Paul", account__last_name="Roy").account
    caseworker = MemberFactory(organisation=office).account
    officer = liaison_officer(email="liaison.sweep@example.com")
    publish(officer, start=tomorrow_at(9), hours=2)
    appointment = appointment_book(
        member=caseworker,
        number=application.number,
        officer=officer,
        starts_at=tomorrow_at(9),
        length=30,
        topic=Appointment.Topic.STATUS,
        note="Travel in two weeks.",
    )
    return {
        "client": client,
        "application": application,
        "office": office,
        "manager": manager,
        "officer": officer,
        "appointment": appointment,
        "day": tomorrow_at(0).date(),
    }


def test_public_pages_of_delegation(page, office_following_a_case):
    office = office_following_a_case["office"]
    for language in LANGUAGES:
        visit(page, f"/{language}/parliamentary-offices/")
        assert_page_language(page, language, in_language(language, "Directory of parliamentary offices"))
        expect(page.locator("main")).to_contain_text(office.name_en if language == "en" else office.name_fr)
        visit(page, f"/{language}/check-status/")
        assert_page_language(
            page, language, in_language(language, "Check the status of an application without an account")
        )
        expect(page.locator("main form")).to_be_visible()


def test_not_found_page(page):
    """The site's own 404 page, in the language of the address, signed in or not."""
    from tests.browser.conftest import allow_page_status

    allow_page_status(page, 404)
    for language in LANGUAGES:
        visit(page, f"/{language}/no-such-page/", status=404)
        expect(page.locator("html")).to_have_attribute("lang", language)
        expect(page.get_by_role("heading", level=1)).to_have_text(in_language(language, "We cannot find that page"))
        expect(
            page.get_by_role("link", name=in_language(language, "Check the status of your application"))
        ).to_be_visible()


def test_client_pages_of_consent(page, office_following_a_case):
    client = office_following_a_case["client"]
    number = office_following_a_case["application"].number
    sign_in(page, email=client.email, password=PASSWORD)
    for language in LANGUAGES:
        visit(page, f"/{language}/access/")
        assert_page_language(page, language, in_language(language, "Who can see my files"))
        expect(page.get_by_role("row").filter(has_text=number)).to_be_visible()
        visit(page, f"/{language}/access/give/")
        assert_page_language(page, language, in_language(language, "Give access to your applications"))
        expect(page.get_by_label(number)).to_be_visible()


def test_office_member_pages(page, office_following_a_case):
    cast = office_following_a_case
    number = cast["application"].number
    sign_in_member(page, account=cast["manager"], language="en")
    for language in LANGUAGES:
        visit(page, f"/{language}/delegate/")
        assert_page_language(page, language, in_language(language, "Cases I can see"))
        expect(page.get_by_role("link", name=number)).to_be_visible()

        visit(page, f"/{language}/delegate/organisation/{cast['office'].pk}/")
        expect(page.locator("html")).to_have_attribute("lang", language)
        expect(page.get_by_role("heading", level=1)).to_contain_text(
            cast["office"].name_en if language == "en" else cast["office"].name_fr
        )

        visit(page, f"/{language}/liaison/")
        assert_page_language(page, language, in_language(language, "Liaison appointments"))
        expect(page.locator("main table")).to_contain_text(number)

        visit(page, f"/{language}/liaison/book/")
        assert_page_language(page, language, in_language(language, "Book a liaison appointment"))
        day = cast["day"].isoformat()
        visit(page, f"/{language}/liaison/book/?application={number}&officer=&day={day}&length=30")
        assert_page_language(page, language, in_language(language, "Book a liaison appointment"))
        expect(page.locator("main input[type=radio][name=slot]").first).to_be_visible()

        visit(page, f"/{language}/liaison/appointments/{cast['appointment'].pk}/")
        expect(page.locator("html")).to_have_attribute("lang", language)
        expect(page.locator("main dl")).to_contain_text(number)


def test_liaison_officer_pages(page, office_following_a_case):
    from tests.browser.conftest import sign_in_staff

    cast = office_following_a_case
    officer = cast["officer"]
    sign_in_staff(page, user=officer, password=PASSWORD)
    day = cast["day"].isoformat()
    for language in LANGUAGES:
        visit(page, f"/{language}/liaison/officer/?day={day}")
        assert_page_language(page, language, in_language(language, "My liaison appointments"))
        expect(page.locator("main table")).to_contain_text(cast["application"].number)
        visit(page, f"/{language}/liaison/officer/availability/")
        expect(page.locator("html")).to_have_attribute("lang", language)
        visit(page, f"/{language}/liaison/appointments/{cast['appointment'].pk}/")
        expect(page.locator("main dl")).to_contain_text(cast["application"].number)
