"""The API documentation page: self-hosted Swagger UI that runs under the site's strict CSP."""

from playwright.sync_api import expect

from tests.browser.conftest import AXE_OPTIONS, BROWSER_TEST, _axe, _watch, assert_no_browser_errors, screenshot

pytestmark = BROWSER_TEST

OPERATIONS = ["/api/v1/events/", "/api/v1/applications/{number}/", "/api/v1/processing-times/"]
# Swagger UI's own markup and colours, which this page for upstream developers cannot change
# without restyling or patching Swagger UI: white on light-green method badges, a button holding
# a link, and its unlabelled media-type drop-down. Anything else fails the test.
KNOWN_SWAGGER_UI_VIOLATIONS = {"color-contrast", "nested-interactive", "select-name"}


def test_the_docs_page_renders_every_operation_without_csp_errors(page, live_server):
    requested = []
    page.on("request", lambda request: requested.append(request.url))

    response = page.goto("/api/v1/docs/")

    assert response is not None and response.status == 200
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "style-src 'self'" in csp and "unsafe-inline" not in csp
    for path in OPERATIONS:
        expect(page.locator(".opblock-summary-path", has_text=path).first).to_be_visible()
    expect(page.locator(".opblock-summary-method", has_text="POST")).to_have_count(1)
    expect(page.locator("html")).to_have_attribute("lang", "en")
    # Nothing fetched from anywhere but the portal itself (no CDN).
    assert requested and all(url.startswith(live_server.url) or url.startswith("data:") for url in requested), requested

    # Open an operation: its problem responses are documented too.
    page.locator(".opblock-summary-path", has_text="/api/v1/events/").first.click()
    expect(page.locator(".responses-table .response-col_status", has_text="422")).to_be_visible()

    violations = {violation["id"] for violation in _axe.run(page, options=AXE_OPTIONS).response["violations"]}
    assert violations <= KNOWN_SWAGGER_UI_VIOLATIONS, violations
    _watch(page).checked()
    assert_no_browser_errors(page)  # a CSP violation would be a console error

    screenshot(page, "api_docs")
