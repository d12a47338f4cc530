"""Staff correct a file from its admin page: the correction form, its errors, and the result, in both languages."""

import pytest
from playwright.sync_api import expect

from applications.models import Application
from core.models import AuditAction, AuditEvent
from tests.browser.conftest import (
    AXE_OPTIONS,
    BROWSER_TEST,
    _axe,
    _watch,
    allow_page_status,
    assert_accessible,
    assert_no_browser_errors,
    french,
    screenshot,
    sign_in_staff,
)
from tests.factories import ApplicationFactory, UserFactory, link

pytestmark = BROWSER_TEST

PASSWORD = "correct horse battery staple"
# axe-core's own script (injected by the test, no source file) sets an inline style while it checks
# Django's application change form, which the portal's CSP reports; the page itself sets none.
AXE_OWN_STYLE = "Applying inline style violates"


def check_django_admin_page(page) -> None:
    """axe on a page of Django's own admin: no WCAG violation; CSP reports caused by axe itself set aside."""
    page.wait_for_load_state("load")
    watch = _watch(page)
    before = len(watch.problems)
    violations = _axe.run(page, options=AXE_OPTIONS).response["violations"]
    assert not violations, [violation["id"] for violation in violations]
    watch.problems[before:] = [
        problem for problem in watch.problems[before:] if not (AXE_OWN_STYLE in problem and problem.endswith("(?)"))
    ]
    watch.checked()
    assert_no_browser_errors(page)


@pytest.mark.parametrize("language", ["en", "fr"])
def test_an_administrator_corrects_a_decision_through_the_form(page, language):
    admin = UserFactory(email=f"admin-{language}@example.com", is_staff=True, is_superuser=True)
    application = ApplicationFactory()
    link(user=UserFactory(email=f"client-{language}@example.com"), application=application)
    sign_in_staff(page, user=admin, password=PASSWORD, language=language)

    page.goto(f"/{language}/admin/applications/application/{application.pk}/change/")
    check_django_admin_page(page)
    link_text = "Correct status or decision" if language == "en" else french("Correct status or decision")
    page.get_by_role("link", name=link_text).click()
    page.wait_for_url(f"**/admin/applications/application/{application.pk}/correct/")
    assert_accessible(page)
    screenshot(page, f"case_correction_form_{language}")

    # Sent without a reason: the error summary names the field and nothing changes.
    allow_page_status(page, 400)
    page.locator("#id_new_state").select_option("refused")
    page.locator("#id_notes").fill("Notes as released [REDACTED].")
    page.locator("input[type=submit]").click()
    expect(page.locator("#error-summary")).to_be_visible()
    assert_accessible(page)
    screenshot(page, f"case_correction_error_{language}")
    application.refresh_from_db()
    assert application.status == Application.Status.RECEIVED

    page.locator("#id_reason").fill("The refusal was recorded upstream but its event never arrived.")
    page.locator("input[type=submit]").click()
    page.wait_for_url(f"**/admin/applications/application/{application.pk}/change/")
    check_django_admin_page(page)
    screenshot(page, f"case_correction_done_{language}")
    application.refresh_from_db()
    assert (application.status, application.outcome) == (Application.Status.CLOSED, Application.Outcome.REFUSED)
    assert AuditEvent.objects.filter(action=AuditAction.CASE_CORRECTED, actor=admin).count() == 1
