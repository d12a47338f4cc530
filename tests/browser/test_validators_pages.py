"""Issue 13 in a real browser: our 404 and 500 pages, the processing-times pages at 320 px,
scroll boxes that are tab stops only when they scroll, and checkboxes that keep their size.

Each page visited here is also kept for the W3C Nu checker (scripts/check-html).
"""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from applications.models import Program
from processing_times.models import ProcessingTimeSnapshot
from tests.browser.conftest import BROWSER_TEST, allow_page_status, screenshot, visit

pytestmark = BROWSER_TEST

LANGUAGES = ["en", "fr"]


def snapshot_make(program: Program, computed_on: datetime.date) -> None:
    ProcessingTimeSnapshot.objects.create(
        program=program,
        country="",
        computed_on=computed_on,
        window_days=program.processing_window_days,
        sample_size=120,
        p50_days=40.0,
        p80_days=61.2,
        p90_days=73.4,
        waiting_count=300,
        monthly_output=150.0,
    )


@pytest.fixture
def published_times(transactional_db):
    today = timezone.localdate()
    for program in Program.objects.all():
        snapshot_make(program, today)
        # A year of month ends, so each program's page has its trend chart and table.
        day = today.replace(day=1) - datetime.timedelta(days=1)
        for _ in range(12):
            snapshot_make(program, day)
            day = day.replace(day=1) - datetime.timedelta(days=1)


@pytest.mark.parametrize("language", LANGUAGES)
def test_our_404_page_in_the_language_of_the_address(page, language):
    allow_page_status(page, 404)

    visit(page, f"/{language}/no-such-page/", status=404)

    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.locator("header.site-header")).to_be_visible()
    other = "fr" if language == "en" else "en"
    expect(page.locator("header .language-toggle a")).to_have_attribute("href", f"/{other}/")
    screenshot(page, f"validators-404-{language}")


@pytest.mark.parametrize("language", LANGUAGES)
def test_our_500_page_in_the_language_of_the_address(page, language, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("an unexpected failure")

    monkeypatch.setattr("portal.views.crisis_banners", broken)
    allow_page_status(page, 500)

    visit(page, f"/{language}/", status=500)

    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.locator("main h1")).to_be_visible()
    assert "an unexpected failure" not in page.content()
    screenshot(page, f"validators-500-{language}")


def test_processing_times_pages_in_both_languages_at_320_px(page, published_times):
    page.set_viewport_size({"width": 320, "height": 800})
    for language in LANGUAGES:
        visit(page, f"/{language}/processing-times/")
        box = page.locator(".pt-scroll").first
        expect(box).to_have_attribute("tabindex", "0")  # the table is wider than the screen: a tab stop
        caption = box.locator("caption")
        box.evaluate("box => { box.scrollLeft = box.scrollWidth; }")
        left, right = caption.evaluate(
            "caption => { const r = caption.getBoundingClientRect(); return [r.left, r.right]; }"
        )
        assert left >= 0 and right <= 320, (left, right)  # still in view after scrolling the table
        screenshot(page, f"validators-processing-times-320-{language}")

        visit(page, f"/{language}/processing-times/?program=study-permit")
        visit(page, f"/{language}/processing-times/methodology/")
        breadcrumb = page.locator("nav.breadcrumb")
        expect(breadcrumb.locator("ol > li")).to_have_count(1)
        assert breadcrumb.get_attribute("aria-label")


def test_a_scroll_box_that_does_not_scroll_is_no_tab_stop(page, published_times):
    page.set_viewport_size({"width": 1280, "height": 900})
    visit(page, "/en/processing-times/")
    box = page.locator(".pt-scroll").first
    assert box.evaluate("box => box.scrollWidth <= box.clientWidth + 1")
    expect(box).not_to_have_attribute("tabindex", "0")

    page.set_viewport_size({"width": 320, "height": 800})
    expect(box).to_have_attribute("tabindex", "0")


def test_checkboxes_keep_their_size_beside_long_labels(page):
    page.set_viewport_size({"width": 320, "height": 800})
    visit(page, "/en/accounts/login/")
    # The site's own checkbox markup (templates/includes/field.html) with a label far longer than the screen.
    width = page.evaluate(
        """() => {
            const field = document.createElement("div");
            field.className = "field__checkbox";
            field.innerHTML = '<input type="checkbox" id="long-label-check"><label for="long-label-check">'
                + "I have read and I accept every one of these long conditions, ".repeat(6) + "</label>";
            document.querySelector("main").append(field);
            return field.querySelector("input").getBoundingClientRect().width;
        }"""
    )
    assert width >= 24, width
