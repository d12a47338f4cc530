"""The whole journey in a real browser: sign up, confirm, link, read the timeline, switch to French."""

import datetime
import re
from urllib.parse import urlsplit

from django.utils import timezone
from playwright.sync_api import expect

from applications.models import Stage
from tests.browser.conftest import BROWSER_TEST, assert_accessible, screenshot, visit
from tests.factories import ApplicationFactory, ClientFactory, status_event_record

pytestmark = BROWSER_TEST

EMAIL = "nadia.haddad@example.com"
PASSWORD = "Maple-syrup-in-April-42"
UCI = "31415926"
NUMBER = "E271828182"


def application_with_history():
    client = ClientFactory(uci=UCI, family_name="Haddad")
    application = ApplicationFactory(number=NUMBER, client=client)
    now = timezone.now()
    events = [
        ("completeness", "in_progress", 40),
        ("completeness", "completed", 30),
        ("sponsor_assessment", "in_progress", 20),
        ("biometrics", "waiting_on_client", 3),
    ]
    for index, (stage_code, state, days_ago) in enumerate(events):
        status_event_record(
            application=application,
            stage=Stage.objects.get(code=stage_code),
            state=state,
            occurred_at=now - datetime.timedelta(days=days_ago),
            source_id=f"journey-{index}",
        )
    return application


def test_sign_up_confirm_link_read_timeline_then_switch_to_french(page, mailoutbox):
    application = application_with_history()

    # Sign up with an email address and a password.
    visit(page, "/en/accounts/signup/")
    page.locator("#id_email").fill(EMAIL)
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/en/accounts/confirm-email/")
    assert_accessible(page)

    # The confirmation email carries the link; open it and confirm.
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [EMAIL]
    match = re.search(r"https?://\S+/en/accounts/confirm-email/[^/\s]+/", mailoutbox[0].body)
    assert match, mailoutbox[0].body
    visit(page, match.group(0))
    expect(page.locator("main")).to_contain_text(EMAIL)
    page.locator("main form button[type=submit]").click()

    # Confirming signs the person in and lands on their (empty) list of applications.
    page.wait_for_url("**/en/applications/")
    assert_accessible(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("My applications")
    expect(page.get_by_role("navigation", name="Main menu").get_by_role("link", name="Sign out")).to_be_visible()

    # Link the application with its number and the UCI.
    page.get_by_role("navigation", name="Main menu").get_by_role("link", name="Link an application").click()
    page.wait_for_url("**/en/applications/link/")
    assert_accessible(page)
    page.get_by_label("Application number").fill(NUMBER.lower())
    page.get_by_label("Unique client identifier (UCI)").fill("3141-5926")
    page.get_by_role("button", name="Link application").click()

    # The status page: what is waiting on the client, every stage, the history.
    page.wait_for_url(f"**/en/applications/{NUMBER}/")
    assert_accessible(page)
    main = page.locator("main")
    expect(page.get_by_role("status")).to_contain_text(f"Application {NUMBER} is now linked to your account.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Spouse or partner sponsorship")
    expect(main.locator(".caption")).to_have_text(f"Application {NUMBER}")
    expect(main.locator(".summary-list")).to_contain_text(NUMBER)
    waiting = page.get_by_role("region", name="We are waiting on you")
    expect(waiting).to_be_visible()
    expect(waiting.get_by_role("heading", name="Biometrics")).to_be_visible()
    expect(waiting).to_contain_text("Book an appointment at a biometrics collection site")

    stages = page.get_by_role("region", name="Stages").locator("li.stage")
    expect(stages).to_have_count(application.program.stages.count())
    expect(stages.nth(0)).to_contain_text("Completeness check")
    expect(stages.nth(0).locator(".state")).to_have_text("Completed")
    expect(stages.nth(1).locator(".state")).to_have_text("In progress")
    expect(stages.nth(3)).to_contain_text("Biometrics")
    expect(stages.nth(3).locator(".state")).to_have_text("Waiting on you")
    expect(stages.nth(4).locator(".state")).to_have_text("Not started")

    history = page.get_by_role("region", name="History").locator("li")
    expect(history).to_have_count(4)
    expect(history.nth(0)).to_contain_text("Biometrics: waiting on you")
    expect(history.nth(3)).to_contain_text("Completeness check: in progress")
    screenshot(page, "status-page-en")
    page.set_viewport_size({"width": 390, "height": 844})  # a phone, to look at the reflow
    screenshot(page, "status-page-en-narrow")
    page.set_viewport_size({"width": 1280, "height": 900})

    # Switch to French with the toggle in the header: same application, in French.
    page.locator("header").get_by_role("button", name="Français").click()
    page.wait_for_url(f"**/fr/applications/{NUMBER}/")
    assert_accessible(page)
    assert urlsplit(page.url).path == f"/fr/applications/{NUMBER}/"
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(main.locator(".summary-list")).to_contain_text(NUMBER)
    expect(page.get_by_role("heading", level=2, name="Étapes")).to_be_visible()
    expect(page.get_by_role("heading", level=2, name="Historique")).to_be_visible()
    expect(page.locator("header").get_by_role("button", name="English")).to_be_visible()
    expect(page.get_by_role("region", name="Étapes")).to_contain_text("Données biométriques")
    expect(page.get_by_role("region", name="Historique").locator("li").first).to_contain_text("Données biométriques")
    expect(main).not_to_contain_text("We are waiting on you")
    screenshot(page, "status-page-fr")

    # The choice is remembered: the bare root address now sends this browser to French.
    visit(page, "/")
    assert urlsplit(page.url).path == "/fr/"
    expect(page.locator("html")).to_have_attribute("lang", "fr")
