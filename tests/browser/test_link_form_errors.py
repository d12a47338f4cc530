"""The linking form sent back with errors: a focused summary whose links lead to each field, in both languages."""

from playwright.sync_api import expect

from applications.models import ApplicationLink
from tests.browser.conftest import (
    BROWSER_TEST,
    allow_page_status,
    assert_accessible,
    french,
    screenshot,
    sign_in,
    visit,
)
from tests.factories import ApplicationFactory, ClientFactory, UserFactory

pytestmark = BROWSER_TEST

PASSWORD = "correct horse battery staple"  # tests.factories.UserFactory's password
NUMBER = "E161803398"


def applicant_and_application():
    user = UserFactory()
    ApplicationFactory(number=NUMBER, client=ClientFactory(uci="27182818"))
    return user


def submit(page, label: str, **values: str) -> None:
    for field, value in values.items():
        page.locator(f"#id_{field}").fill(value)
    page.get_by_role("button", name=label).click()
    page.wait_for_load_state("load")


def assert_links_lead_to_fields(summary) -> list[str]:
    """Every link in the error summary points at a field on the page; returns their targets."""
    targets = []
    links = summary.get_by_role("link")
    for index in range(links.count()):
        target = links.nth(index).get_attribute("href")
        assert target and target.startswith("#id_"), target
        expect(summary.page.locator(target)).to_have_count(1)
        expect(summary.page.locator(target)).to_have_attribute("aria-invalid", "true")
        targets.append(target)
    return targets


def test_a_malformed_and_a_wrong_uci_in_english(page):
    user = applicant_and_application()
    sign_in(page, email=user.email, password=PASSWORD)
    visit(page, "/en/applications/link/")
    allow_page_status(page, 400)

    submit(page, "Link application", application_number=NUMBER, uci="12AB")
    assert_accessible(page)
    summary = page.get_by_role("alert")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    expect(summary.get_by_role("heading")).to_have_text("There is a problem")
    expect(page).to_have_title("Error: Link an application – Application status")
    link = summary.get_by_role("link", name="Unique client identifier (UCI): Enter your UCI as 8 or 10 digits.")
    expect(link).to_have_attribute("href", "#id_uci")
    assert assert_links_lead_to_fields(summary) == ["#id_uci"]
    uci = page.locator("#id_uci")
    expect(uci).to_have_attribute("aria-describedby", "id_uci-hint id_uci-error")
    expect(page.locator("#id_uci-error")).to_have_text("Error: Enter your UCI as 8 or 10 digits.")
    expect(uci).to_have_value("12AB")
    screenshot(page, "link-form-errors-en")
    link.click()
    expect(uci).to_be_focused()

    # A well-formed UCI that does not match: one generic message, nothing said about which part is wrong.
    # The summary takes the focus again, not the field the last link pointed to.
    submit(page, "Link application", application_number=NUMBER, uci="8765 4321")
    assert_accessible(page)
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("We could not link this application with the details you entered.")
    expect(summary.get_by_role("link")).to_have_count(0)
    assert not ApplicationLink.objects.exists()


def test_errors_are_in_french_on_the_french_form(page):
    user = applicant_and_application()
    sign_in(page, email=user.email, password=PASSWORD, language="fr")
    visit(page, "/fr/applications/link/")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    allow_page_status(page, 400)
    button = french("Link application")

    # No number and a malformed UCI: two errors, each linked to its field.
    submit(page, button, application_number="", uci="12AB")
    assert_accessible(page)
    summary = page.get_by_role("alert")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("heading")).to_have_text(french("There is a problem"))
    assert page.title().startswith(french("Error:"))
    assert assert_links_lead_to_fields(summary) == ["#id_application_number", "#id_uci"]
    links = summary.get_by_role("link")
    expect(links.nth(0)).to_contain_text(french("Application number"))
    expect(links.nth(0)).to_contain_text(french("This field is required."))
    expect(links.nth(1)).to_contain_text(french("Unique client identifier (UCI)"))
    expect(links.nth(1)).to_contain_text(french("Enter your UCI as 8 or 10 digits."))
    expect(page.locator("#id_uci-error")).to_contain_text(french("Enter your UCI as 8 or 10 digits."))
    expect(page.locator("main")).not_to_contain_text("There is a problem")
    screenshot(page, "link-form-errors-fr")

    # A number but neither the UCI nor the personal details: one error per missing detail.
    submit(page, button, application_number=NUMBER, uci="")
    assert_accessible(page)
    expect(summary).to_be_focused()
    assert assert_links_lead_to_fields(summary) == ["#id_family_name", "#id_date_of_birth", "#id_country_of_birth"]
    expect(links.nth(0)).to_contain_text(french("Enter your family name, or your UCI."))
    expect(links.nth(1)).to_contain_text(french("Enter your date of birth, or your UCI."))
    expect(links.nth(2)).to_contain_text(french("Choose your country of birth, or enter your UCI."))
    links.nth(2).click()
    expect(page.locator("#id_country_of_birth")).to_be_focused()

    # The generic refusal is in French too.
    submit(page, button, application_number=NUMBER, uci="87654321")
    assert_accessible(page)
    expect(summary).to_be_focused()
    expect(summary).to_contain_text(
        french(
            "We could not link this application with the details you entered. "
            "Check the application number and your identifiers, then try again."
        )
    )
    assert not ApplicationLink.objects.exists()
