"""The status check without an account in a browser: the form, the generic error and the result pass axe in both languages."""

import datetime

from django.utils import timezone
from playwright.sync_api import expect

from applications.models import Stage
from tests.browser.conftest import BROWSER_TEST, allow_page_status, assert_accessible, screenshot, visit
from tests.factories import ApplicationFactory, ClientFactory, status_event_record

pytestmark = BROWSER_TEST

NUMBER = "E314159265"


def waiting_application():
    application = ApplicationFactory(number=NUMBER, client=ClientFactory(uci="31415926"))
    status_event_record(
        application=application,
        stage=Stage.objects.get(code="biometrics"),
        state="waiting_on_client",
        occurred_at=timezone.now() - datetime.timedelta(days=2),
        source_id="browser-check-1",
    )
    return application


def test_a_person_without_an_account_checks_a_status_in_english_and_in_french(page):
    application = waiting_application()
    visit(page, "/en/")
    page.get_by_role("link", name="Check a status without an account").click()
    page.wait_for_load_state("load")
    assert_accessible(page)
    allow_page_status(page, 400)

    page.locator("#id_application_number").fill(NUMBER)
    page.locator("#id_uci").fill("27182818")
    page.get_by_role("button", name="Check the status").click()
    page.wait_for_load_state("load")
    assert_accessible(page)
    expect(page.get_by_role("alert")).to_be_focused()
    screenshot(page, "check-status-mismatch-en")

    page.locator("#id_uci").fill("31415926")
    page.get_by_role("button", name="Check the status").click()
    page.wait_for_load_state("load")
    assert_accessible(page)
    assert "?" not in page.url
    expect(page.get_by_role("heading", name="We are waiting on you")).to_be_visible()
    screenshot(page, "check-status-result-en")

    visit(page, "/fr/check-status/")
    page.locator("#id_application_number").fill(NUMBER)
    page.locator("#id_family_name").fill(application.client.family_name)
    page.locator("#id_date_of_birth").fill("1990-03-27")
    page.locator("#id_country_of_birth").select_option("FR")
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state("load")
    assert_accessible(page)
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    screenshot(page, "check-status-result-fr")
