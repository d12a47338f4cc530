"""Browser tests: Playwright drives Debian's chromium against pytest-django's live server.

Every page a test loads must pass axe-core (WCAG 2.1 A and AA) and must not log a
console error (a Content-Security-Policy violation shows up as one) or throw. The HTML the
server sent for each checked page is kept in test-artifacts/html/, where scripts/check-html
runs the W3C Nu HTML checker over it after pytest.
"""

import hashlib
import os
import re

# Playwright's sync API keeps an asyncio loop running in this thread, so Django's
# async-safety guard would refuse ORM calls made by the test itself. Django reads
# this variable on every guarded call (django.utils.asyncio.async_unsafe), so
# setting it while pytest imports this conftest is early enough.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

from pathlib import Path  # noqa: E402
from urllib.parse import urldefrag  # noqa: E402

import pytest  # noqa: E402
from axe_playwright_python.sync_playwright import Axe  # noqa: E402
from django.utils import translation  # noqa: E402

from tests.totp import totp_code

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]}
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
HTML_PAGES = Path(__file__).resolve().parents[2] / "test-artifacts" / "html"

_axe = Axe()


class PageWatch:
    """What went wrong in one page's life, and whether axe checked each document it loaded."""

    def __init__(self, page):
        self.problems: list[str] = []
        self.documents: dict[str, int] = {}  # address -> status of each document (not sub-resource) fetched
        self.allowed_statuses: set[int] = set()
        self.current: str | None = None  # the document shown now, until axe has checked it
        self.last_document = None  # the response that brought the document shown now
        self.unchecked: list[str] = []  # documents left without an axe check
        page.on("console", self._on_console)
        page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))
        page.on("response", self._on_response)
        page.on("load", self._on_load)

    def _on_load(self, page):
        # One "load" per document (same-page #fragment jumps do not count), delivered
        # before page.wait_for_load_state() returns.
        if self.current is not None:
            self.unchecked.append(self.current)
        self.current = page.url

    def checked(self) -> None:
        self.current = None

    def _on_response(self, response):
        if response.request.resource_type == "document":
            self.documents[urldefrag(response.url).url] = response.status
            if response.request.frame.parent_frame is None:
                self.last_document = response

    def _on_console(self, message):
        if message.type != "error":
            return
        url = (message.location or {}).get("url", "")
        # Chromium logs a page answered with 4xx as "Failed to load resource"; a test that
        # expects such a page (a form sent back with errors is a 400) says so beforehand.
        status = self.documents.get(urldefrag(url).url)
        if message.text.startswith("Failed to load resource") and status in self.allowed_statuses:
            return
        self.problems.append(f"console error: {message.text} ({url or '?'})")


_WATCHES: dict[int, PageWatch] = {}


def _watch(page) -> PageWatch:
    return _WATCHES[id(page)]


def allow_page_status(page, status: int) -> None:
    """Expect pages answered with `status` (e.g. 400 for a form with errors): not a console error."""
    _watch(page).allowed_statuses.add(status)


def assert_no_browser_errors(page) -> None:
    problems = _watch(page).problems
    assert not problems, "The browser reported errors:\n" + "\n".join(problems)


def assert_accessible(page) -> None:
    """Run axe-core on the page as it stands; fail on any WCAG 2.1 A/AA violation or browser error."""
    page.wait_for_load_state("load")
    results = _axe.run(page, options=AXE_OPTIONS)
    violations = results.response["violations"]
    lines = []
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']} {violation['helpUrl']}")
        for node in violation["nodes"]:
            lines.append(f"    {', '.join(map(str, node['target']))}: {node['html'][:200]}")
            if node.get("failureSummary"):
                lines.append("      " + node["failureSummary"].replace("\n", "\n      "))
    assert not violations, f"axe found {len(violations)} WCAG violation(s) on {page.url}:\n" + "\n".join(lines)
    _watch(page).checked()
    assert_no_browser_errors(page)
    html_keep(page)


def html_keep(page) -> None:
    """Keep the HTML the server sent for the page shown now, for the W3C Nu checker (scripts/check-html).

    One file per distinct page and content: the address as a name, plus a hash of the body.
    """
    response = _watch(page).last_document
    if response is None or not (response.headers.get("content-type") or "").startswith("text/html"):
        return
    try:
        body = response.body()
    except Exception:  # noqa: BLE001 - a redirect or a body the browser no longer holds: nothing to keep
        return
    path = urldefrag(response.url).url.split("://", 1)[-1].split("/", 1)[-1]
    name = re.sub(r"[^A-Za-z0-9]+", "-", path).strip("-") or "root"
    HTML_PAGES.mkdir(parents=True, exist_ok=True)
    # Hashed without the CSRF token, so the same page seen twice is kept once.
    digest = hashlib.sha256(re.sub(rb'value="[A-Za-z0-9]{32,}"', b"", body)).hexdigest()[:8]
    (HTML_PAGES / f"{name[:120]}-{digest}.html").write_bytes(body)


def visit(page, path: str, *, status: int = 200):
    """Open `path` on the live server, check the final status, then check accessibility."""
    response = page.goto(path)
    assert response is not None, f"no response for {path}"
    assert response.status == status, f"{path} answered {response.status}, expected {status} ({response.url})"
    assert_accessible(page)
    return response


def screenshot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def french(message: str, **values) -> str:
    """The French text of a translatable string, failing plainly while it is still untranslated."""
    with translation.override("fr"):
        text = translation.gettext(message)
    assert text != message, f"not translated into French yet: {message!r}"
    return text % values if values else text


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args, live_server):
    return {
        **browser_context_args,
        "base_url": live_server.url,
        "locale": "en-CA",
        "viewport": {"width": 1280, "height": 900},
    }


@pytest.fixture
def page(context):
    """A fresh page in a fresh context that fails the test on console errors and unchecked pages."""
    context.set_default_timeout(10_000)
    page = context.new_page()
    watch = PageWatch(page)
    _WATCHES[id(page)] = watch
    yield page
    try:
        assert_no_browser_errors(page)
        unchecked = watch.unchecked + ([watch.current] if watch.current else [])
        assert not unchecked, "pages loaded but never checked with axe: " + ", ".join(unchecked)
    finally:
        del _WATCHES[id(page)]


# Every browser test module starts with `pytestmark = BROWSER_TEST`.
BROWSER_TEST = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def reference_data(transactional_db):
    """Live-server tests commit for real and the database is emptied after each one: reload the
    programs and stages the migrations put there.

    Not `serialized_rollback`: once Playwright's event loop runs in this thread, Django keeps
    its connections in a context variable instead of the thread-local, and the fresh
    connection object lacks the serialized copy, so the rollback would silently do nothing.
    """
    from applications.models import Program, ProgramStage, Stage
    from applications.reference_data import reference_data_load

    reference_data_load(stage_model=Stage, program_model=Program, program_stage_model=ProgramStage)


def sign_in_staff(page, *, user, password: str, language: str = "en", landing: str = "**/applications/") -> None:
    """Sign a staff member in as they must: password, then a code from their authenticator app."""
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP

    from tests.factories import STAFF_TOTP_SECRET

    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(user, STAFF_TOTP_SECRET)
    visit(page, f"/{language}/accounts/login/")
    page.locator("#id_login").fill(user.email)
    page.locator("#id_password").fill(password)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/accounts/2fa/authenticate/")
    assert_accessible(page)
    page.locator("#id_code").fill(totp_code(STAFF_TOTP_SECRET))
    # The code page has a second submit button (allauth's "Cancel", tied to another form).
    page.locator("main form button[type=submit]:not([form])").click()
    page.wait_for_url(landing)
    assert_accessible(page)


def sign_in(page, *, email: str, password: str, language: str = "en") -> None:
    """Sign in through the sign-in page; allauth then lands on the person's list of applications."""
    visit(page, f"/{language}/accounts/login/")
    page.locator("#id_login").fill(email)
    page.locator("#id_password").fill(password)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/applications/")
    assert_accessible(page)
