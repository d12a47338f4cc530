"""The notification centre, the preferences page and the unsubscribe page in a real browser, in both languages."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from notifications.content import unsubscribe_token
from notifications.models import Channel, Kind, NotificationPreference
from tests.browser.conftest import (
    BROWSER_TEST,
    allow_page_status,
    assert_accessible,
    french,
    screenshot,
    sign_in,
    visit,
)
from tests.factories import ApplicationFactory, UserFactory, link
from tests.notifications_support import make_event, make_notification

pytestmark = BROWSER_TEST

PASSWORD = "correct horse battery staple"  # tests.factories.UserFactory's password


def shot(page, name: str) -> None:
    screenshot(page, f"notifications-{name}")


@pytest.fixture
def person(transactional_db):
    user = UserFactory()
    application = ApplicationFactory(number="E271828182")
    link(user=user, application=application)
    event = make_event(application=application)
    for kind, read in [(Kind.STATUS_CHANGE, True), (Kind.ACTION_REQUIRED, False), (Kind.DECISION, False)]:
        make_notification(
            recipient=user,
            application=application,
            event=event if kind == Kind.STATUS_CHANGE else None,
            channel=Channel.IN_APP,
            kind=kind,
            read_at=timezone.now() if read else None,
        )
    return user


def test_the_notification_centre_in_both_languages(page, person):
    sign_in(page, email=person.email, password=PASSWORD)
    nav = page.get_by_role("navigation", name="Main menu")
    expect(nav.get_by_role("link", name="Notifications unread: 2")).to_be_visible()

    visit(page, "/en/notifications/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Notifications")
    items = page.locator("li.notification")
    expect(items).to_have_count(3)
    expect(items.nth(0)).to_contain_text("A decision has been made.")
    expect(page.locator("li.notification--unread")).to_have_count(2)
    shot(page, "centre-en")
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, "centre-en-narrow")
    page.set_viewport_size({"width": 1280, "height": 900})

    items.nth(0).get_by_role("button", name="Mark as read").click()
    page.wait_for_url("**/en/notifications/")
    assert_accessible(page)
    expect(page.get_by_role("status")).to_contain_text("Notification marked as read.")
    expect(nav.get_by_role("link", name="Notifications unread: 1")).to_be_visible()

    visit(page, "/fr/notifications/")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.get_by_role("button", name=french("Mark all as read"))).to_be_visible()
    expect(page.locator("main")).to_contain_text(french("We need something from you to continue."))
    shot(page, "centre-fr")
    page.get_by_role("button", name=french("Mark all as read")).click()
    page.wait_for_url("**/fr/notifications/")
    assert_accessible(page)
    expect(page.locator("li.notification--unread")).to_have_count(0)
    expect(page.locator(".nav-badge")).to_have_count(0)


def test_the_preferences_page_in_both_languages(page, person):
    sign_in(page, email=person.email, password=PASSWORD)
    visit(page, "/en/notifications/preferences/")
    expect(page.get_by_role("heading", level=1)).to_have_text("How we contact you")
    expect(page.get_by_role("group", name=f"Email to {person.email}")).to_be_visible()
    shot(page, "preferences-en")

    # Text messages without a number: the error summary links to the field.
    allow_page_status(page, 400)
    sms = page.get_by_role("group", name="Text messages (SMS)")
    sms.get_by_label("Decisions").check()
    page.get_by_role("button", name="Save my choices").click()
    page.wait_for_load_state("load")
    assert_accessible(page)
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Enter a mobile number to get text messages")
    shot(page, "preferences-en-error")
    summary.get_by_role("link").click()
    expect(page.get_by_label("Mobile number")).to_be_focused()

    page.get_by_label("Mobile number").fill("(613) 555-0199")
    page.get_by_role("button", name="Save my choices").click()
    page.wait_for_url("**/en/notifications/preferences/")
    assert_accessible(page)
    expect(page.get_by_role("status")).to_contain_text("Your notification choices are saved.")
    expect(page.get_by_label("Mobile number")).to_have_value("+16135550199")
    assert NotificationPreference.objects.get(user=person).sms_decision is True

    visit(page, "/fr/notifications/preferences/")
    expect(page.get_by_role("heading", level=1)).to_have_text(french("How we contact you"))
    page.get_by_label(french("Mobile number")).fill("12")
    page.get_by_role("button", name=french("Save my choices")).click()
    page.wait_for_load_state("load")
    assert_accessible(page)
    expect(page.get_by_role("alert")).to_contain_text(
        french("Enter a mobile number such as 613-555-0199, or start with + and the country code.")
    )
    shot(page, "preferences-fr-error")


def test_the_unsubscribe_pages_without_signing_in(page, person):
    token = unsubscribe_token(user_id=person.pk)
    visit(page, f"/fr/notifications/unsubscribe/{token}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(french("Stop emails about your applications?"))
    shot(page, "unsubscribe-fr")
    page.get_by_role("button", name=french("Stop all emails")).click()
    page.wait_for_load_state("load")
    assert_accessible(page)
    expect(page.get_by_role("heading", level=1)).to_have_text(french("Emails stopped"))
    assert NotificationPreference.objects.get(user=person).email_status_change is False

    allow_page_status(page, 400)
    visit(page, f"/en/notifications/unsubscribe/{token}x/", status=400)
    expect(page.get_by_role("heading", level=1)).to_have_text("This link does not work")
    shot(page, "unsubscribe-invalid-en")
