"""The decision page in a real browser: a refusal and an approval, in English and French, on screen and on paper."""

import datetime
import importlib
import os
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from applications.models import Program
from core.calendar import holidays_load
from core.models import Holiday
from status_tracker.models import RefusalGround
from status_tracker.refusal_grounds import refusal_grounds_load
from tests.browser.conftest import BROWSER_TEST, SCREENSHOTS, assert_accessible, sign_in, visit
from tests.factories import ApplicationFactory, UserFactory, link, record_decision

pytestmark = BROWSER_TEST

PASSWORD = "correct horse battery staple"  # tests.factories.UserFactory's password
# With the other browser tests' screenshots, unless DECISION_SHOTS_DIR says where (e.g. /tmp/shots).
SHOTS = Path(os.environ.get("DECISION_SHOTS_DIR") or SCREENSHOTS)
NOTES = (
    "PA, 28, single. Applying for a TRV to attend a wedding in Montréal.\n"
    "Funds: lump-sum deposit of [REDACTED] before the application; source not explained.\n"
    "Partner agency: ████████████\n"
    "\n"
    "Not satisfied the PA will leave Canada at the end of the stay. <b>Refused</b>."
)


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def decide(application, *, outcome, grounds=(), notes="", made_in_canada=None):
    decided_on = timezone.localdate() - datetime.timedelta(days=3)
    record_decision(
        application=application,
        outcome=outcome,
        decided_at=datetime.datetime.combine(decided_on, datetime.time(11), tzinfo=timezone.get_current_timezone()),
        grounds=grounds,
        notes=notes,
        made_in_canada=made_in_canada,
    )


@pytest.fixture
def decided(transactional_db):
    """A client with a refused visitor visa and an approved study permit.

    Live-server tests empty the database after each test, so the grounds, the holidays
    and the programs' next steps their migrations loaded are put back here.
    """
    refusal_grounds_load(ground_model=RefusalGround)
    holidays_load(holiday_model=Holiday, years=range(2024, 2031))
    next_steps = importlib.import_module("applications.migrations.0008_approved_next_steps").NEXT_STEPS
    for code, (steps_en, steps_fr) in next_steps.items():
        Program.objects.filter(code=code).update(approved_next_steps_en=steps_en, approved_next_steps_fr=steps_fr)

    user = UserFactory()
    refused = ApplicationFactory(number="V161803398", program=Program.objects.get(code="visitor-visa"))
    approved = ApplicationFactory(
        number="S271828459", program=Program.objects.get(code="study-permit"), client=refused.client
    )
    link(user=user, application=refused)
    link(user=user, application=approved)
    decide(refused, outcome="refused", grounds=["insufficient-funds", "leave-at-end-of-stay"], notes=NOTES)
    decide(approved, outcome="approved", made_in_canada=False)
    return user, refused, approved


def test_a_refusal_from_the_status_page_in_english_then_french_and_in_print(page, decided):
    user, refused, _approved = decided
    sign_in(page, email=user.email, password=PASSWORD)

    # From the status page, the decision section leads to the decision page.
    visit(page, f"/en/applications/{refused.number}/")
    expect(page.get_by_role("region", name="The decision on your application")).to_be_visible()
    shot(page, "status-page-with-decision-en")
    page.get_by_role("link", name="See the decision").click()
    page.wait_for_url(f"**/en/applications/{refused.number}/decision/")
    assert_accessible(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Decision on your application")
    grounds = page.locator("li.ground")
    expect(grounds).to_have_count(2)
    expect(grounds.nth(0).get_by_role("heading")).to_have_text(
        RefusalGround.objects.get(code="insufficient-funds").title_en
    )
    notes = page.locator(".officer-notes")
    # Exactly as released: line breaks, redactions, and markup shown as text.
    assert notes.inner_text() == NOTES
    assert notes.evaluate("element => getComputedStyle(element).whiteSpace") == "pre-wrap"
    expect(page.locator(".deadline__date")).to_be_visible()
    expect(page.locator(".deadline")).to_contain_text("If it was made outside Canada, you have 60 days instead.")
    shot(page, "decision-refused-en")

    # On paper: no header, navigation or footer, and the Federal Court's address is printed.
    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.locator(".site-footer")).to_be_hidden()
    expect(page.locator(".print-hint")).to_be_hidden()
    court_link = page.locator(".disclaimer a")
    printed = court_link.evaluate("element => getComputedStyle(element, '::after').content")
    assert "https://www.fct-cf.gc.ca/en/home" in printed
    shot(page, "decision-refused-en-print")
    page.emulate_media(media="screen")

    # The same page in French: the grounds in French.
    page.locator("header").get_by_role("button", name="Français").click()
    page.wait_for_url(f"**/fr/applications/{refused.number}/decision/")
    assert_accessible(page)
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(grounds.nth(1).get_by_role("heading")).to_have_text(
        RefusalGround.objects.get(code="leave-at-end-of-stay").title_fr
    )
    expect(page.locator(".disclaimer a")).to_have_attribute("href", "https://www.fct-cf.gc.ca/fr/accueil")
    assert page.locator(".officer-notes").inner_text() == NOTES
    shot(page, "decision-refused-fr")
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, "decision-refused-fr-narrow")


def test_an_approval_in_english_and_french(page, decided):
    user, _refused, approved = decided
    sign_in(page, email=user.email, password=PASSWORD)
    program = approved.program
    for language, steps_text in [("en", program.approved_next_steps_en), ("fr", program.approved_next_steps_fr)]:
        visit(page, f"/{language}/applications/{approved.number}/decision/")
        expect(page.locator("html")).to_have_attribute("lang", language)
        steps = page.locator("ol.next-steps > li")
        expected = [line for line in steps_text.splitlines() if line.strip()]
        expect(steps).to_have_count(len(expected))
        expect(steps.nth(0)).to_have_text(expected[0])
        expect(page.locator(".deadline")).to_have_count(0)
        shot(page, f"decision-approved-{language}")
    page.emulate_media(media="print")
    shot(page, "decision-approved-fr-print")
