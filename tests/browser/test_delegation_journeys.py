"""Consent-based access in a real browser, once in English and once in French, with axe on every page.

The journey of issue 11: a client gives the office of their Member of Parliament status-only
access to one of their two applications (choose, read the consent, type their name, confirm); a
caseworker of that office signs in with a password and a code from an authenticator app, finds
the case under "Cases I can see", opens its status page (no decision, no notes) and books a
liaison appointment, with a calendar file; the client reads the caseworker's look in plain words
in the access log, then removes the access; the caseworker's next request is the 404 page and
the case is gone from their list.
"""

import datetime

import pytest
from django.utils import timezone, translation
from playwright.sync_api import expect

from applications.models import Grant, Stage
from delegations.access_log import access_log_page
from tests.browser.conftest import (
    _WATCHES,
    BROWSER_TEST,
    PageWatch,
    allow_page_status,
    assert_accessible,
    assert_no_browser_errors,
    screenshot,
    sign_in,
    visit,
)
from tests.browser.test_pages_in_both_languages import assert_page_language, in_language, sign_in_member
from tests.delegations.factories import MemberFactory, OrganisationFactory
from tests.delegations.liaison_support import liaison_officer, publish, tomorrow_at
from tests.factories import ApplicationFactory, UserFactory, link, status_event_record
from tests.notifications_support import running_fake_notify

pytestmark = BROWSER_TEST

LANGUAGES = ["en", "fr"]
PASSWORD = "correct horse battery staple"  # tests.factories.UserFactory's
SIGNATURE = "Marie Gagnon-Lévesque"


@pytest.fixture
def notify(settings):
    """The GC Notify stand-in: giving, using and removing access, and booking, all send news."""
    with running_fake_notify() as (base_url, store):
        settings.NOTIFY_BASE_URL = base_url
        yield store


@pytest.fixture
def second_page(browser, browser_context_args):
    """The caseworker's browser: its own context (its own cookies), watched like the `page` fixture."""
    context = browser.new_context(**browser_context_args)
    context.set_default_timeout(10_000)
    other = context.new_page()
    watch = PageWatch(other)
    _WATCHES[id(other)] = watch
    yield other
    try:
        assert_no_browser_errors(other)
        unchecked = watch.unchecked + ([watch.current] if watch.current else [])
        assert not unchecked, "pages loaded but never checked with axe: " + ", ".join(unchecked)
    finally:
        del _WATCHES[id(other)]
        context.close()


def people(language: str) -> dict:
    """The client with two open applications, a verified MP's office with a caseworker, a liaison officer."""
    client = UserFactory(
        email=f"marie.{language}@example.com",
        first_name="Marie",
        last_name="Gagnon-Lévesque",
        preferred_language=language,
    )
    first = ApplicationFactory(client__family_name="Gagnon-Lévesque", client__given_names="Marie")
    second = ApplicationFactory(client=first.client)
    for application in (first, second):
        link(user=client, application=application)
        status_event_record(
            application=application,
            stage=Stage.objects.get(code="completeness"),
            state="in_progress",
            occurred_at=timezone.now() - datetime.timedelta(days=20),
            source_id=f"delegation-journey-{application.number}",
        )
    office = OrganisationFactory(
        name_en="Office of the Member for Papineau",
        name_fr="Bureau du député de Papineau",
        member_name="Jeanne Exemple",
        riding_en="Papineau",
        riding_fr="Papineau",
    )
    caseworker = MemberFactory(
        organisation=office,
        account__first_name="Anne",
        account__last_name="Tremblay",
        account__email=f"anne.tremblay.{language}@parl.gc.ca",
        account__preferred_language=language,
    ).account
    officer = liaison_officer(email=f"lea.gagnon.{language}@example.com", preferred_language=language)
    publish(officer, start=tomorrow_at(10), hours=3)
    return {
        "client": client,
        "chosen": first,
        "other": second,
        "office": office,
        "caseworker": caseworker,
        "officer": officer,
    }


def shot(page, language: str, step: str) -> None:
    screenshot(page, f"delegation-{language}-{step}")


# ---- The steps -------------------------------------------------------------------------------


def client_gives_access(page, *, language: str, cast: dict) -> Grant:
    client, chosen, other, office = cast["client"], cast["chosen"], cast["other"], cast["office"]
    sign_in(page, email=client.email, password=PASSWORD, language=language)

    page.get_by_role("link", name=in_language(language, "Who can see my files")).click()
    page.wait_for_url(f"**/{language}/access/")
    assert_accessible(page)
    assert_page_language(page, language, in_language(language, "Who can see my files"))
    expect(page.locator("main")).to_contain_text(in_language(language, "Nobody else can see your applications."))
    shot(page, language, "01-access-empty")

    page.get_by_role("link", name=in_language(language, "Give access")).click()
    page.wait_for_url(f"**/{language}/access/give/")
    assert_accessible(page)
    assert_page_language(page, language, in_language(language, "Give access to your applications"))
    page.get_by_label(in_language(language, "The office of a Member of Parliament or a Senator")).check()
    office_label = f"{office.member_name} – Papineau ("  # the chamber's name follows, in the page's language
    select = page.get_by_label(in_language(language, "Office of a Member of Parliament or a Senator"), exact=True)
    option_text = select.locator("option", has_text=office_label).inner_text()
    select.select_option(label=option_text)
    page.get_by_label(chosen.number).check()
    expect(page.get_by_label(other.number)).not_to_be_checked()
    status_only = page.get_by_label(
        in_language(language, "The status, stages, dates and processing-time estimate only")
    )
    expect(status_only).to_be_checked()  # the least is the default
    expect(
        page.get_by_label(in_language(language, "They may also send enquiries and documents for me"))
    ).not_to_be_checked()
    shot(page, language, "02-give-form")
    page.get_by_role("button", name=in_language(language, "Continue to the consent")).click()
    page.wait_for_url(f"**/{language}/access/give/")
    assert_accessible(page)
    assert_page_language(page, language, in_language(language, "Read and sign the consent"))
    consent = page.locator("#consent-text")
    expect(consent).to_contain_text(chosen.number)
    expect(consent).not_to_contain_text(other.number)
    expect(consent).to_contain_text(office.name_en if language == "en" else office.name_fr)

    # Confirming without ticking the box is refused in the page's language, with the choices kept.
    allow_page_status(page, 400)
    page.get_by_label(in_language(language, "Type your full name to sign")).fill(SIGNATURE)
    page.get_by_role("button", name=in_language(language, "Sign and give access")).click()
    page.wait_for_load_state("load")
    assert_accessible(page)
    expect(page.locator("main")).to_contain_text(
        in_language(language, "Tick the box to confirm that you give this consent.")
    )
    assert not Grant.objects.exists()
    shot(page, language, "03-consent")

    page.get_by_label(in_language(language, "I have read this consent and I give it")).check()
    page.get_by_role("button", name=in_language(language, "Sign and give access")).click()
    page.wait_for_url(f"**/{language}/access/")
    assert_accessible(page)
    expect(page.get_by_role("status")).to_contain_text(
        in_language(language, "Access given. We told them, and we will tell you the first time they look.")
    )
    row = page.get_by_role("row").filter(has_text=chosen.number)
    expect(row).to_contain_text(office.name_en if language == "en" else office.name_fr)
    expect(row).to_contain_text(in_language(language, "In force"))
    shot(page, language, "04-access-given")

    grant = Grant.objects.get()
    assert grant.application_id == chosen.pk
    assert grant.organisation_id == office.pk
    assert grant.scope == Grant.Scope.STATUS and grant.may_act is False
    assert grant.state == Grant.State.ACTIVE
    assert grant.signed_name == SIGNATURE
    return grant


def caseworker_signs_in(page, *, language: str, caseworker) -> None:
    """The real sign-in page: the password, then a code from the authenticator app."""
    sign_in_member(
        page, account=caseworker, language=language, at_code=lambda page: shot(page, language, "05-caseworker-code")
    )
    expect(page.locator("html")).to_have_attribute("lang", language)
    shot(page, language, "06-caseworker-signed-in")


def caseworker_sees_the_case(page, *, language: str, cast: dict) -> str:
    chosen, other = cast["chosen"], cast["other"]
    page.locator("header").get_by_role("link", name=in_language(language, "Cases I can see")).click()
    page.wait_for_url(f"**/{language}/delegate/")
    assert_accessible(page)
    assert_page_language(page, language, in_language(language, "Cases I can see"))
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name=chosen.number))
    expect(row).to_contain_text("Marie Gagnon-Lévesque")
    with translation.override(language):
        expect(row).to_contain_text(str(Grant.Scope.STATUS.label))
    expect(page.locator("main")).not_to_contain_text(other.number)
    shot(page, language, "07-cases-i-can-see")

    row.get_by_role("link", name=chosen.number).click()
    page.wait_for_url(f"**/{language}/applications/{chosen.number}/")
    assert_accessible(page)
    status_url = page.url
    expect(page.get_by_role("heading", level=1)).to_have_text(
        chosen.program.name_en if language == "en" else chosen.program.name_fr
    )
    expect(page.locator(".callout--on-behalf")).to_contain_text("Marie Gagnon-Lévesque")
    # Status only: neither the decision nor the officer's notes are offered.
    expect(page.get_by_role("link", name=in_language(language, "See the decision"))).to_have_count(0)
    expect(page.locator(f'a[href*="/applications/{chosen.number}/decision/"]')).to_have_count(0)
    expect(page.locator("#notes-heading, #decision-heading")).to_have_count(0)
    shot(page, language, "08-status-page")
    # Nor does typing the decision page's address show it: out of scope is a 404.
    allow_page_status(page, 404)
    visit(page, f"/{language}/applications/{chosen.number}/decision/", status=404)
    page.go_back()
    page.wait_for_url(status_url)
    assert_accessible(page)
    return status_url


def caseworker_books_an_appointment(page, *, language: str, cast: dict) -> None:
    chosen = cast["chosen"]
    page.get_by_role("link", name=in_language(language, "Cases I can see")).first.click()
    page.wait_for_url(f"**/{language}/delegate/")
    assert_accessible(page)
    page.locator("main").get_by_role("link", name=in_language(language, "Liaison appointments")).click()
    page.wait_for_url(f"**/{language}/liaison/")
    assert_accessible(page)
    assert_page_language(page, language, in_language(language, "Liaison appointments"))
    expect(page.locator("main")).to_contain_text(in_language(language, "Your office has no appointment coming."))

    page.get_by_role("link", name=in_language(language, "Book an appointment")).click()
    page.wait_for_url(f"**/{language}/liaison/book/")
    assert_accessible(page)
    assert_page_language(page, language, in_language(language, "Book a liaison appointment"))
    page.locator("main select[name=application]").select_option(chosen.number)
    page.locator("main select[name=length]").select_option("30")
    page.get_by_role("button", name=in_language(language, "Show the free times")).click()
    page.wait_for_url(f"**/{language}/liaison/book/?**")
    assert_accessible(page)
    times = page.locator("main input[type=radio][name=slot]")
    expect(times.first).to_be_visible()
    assert times.count() >= 5, "three hours of availability in 30-minute appointments"
    times.first.check()
    page.locator("main select[name=topic]").select_option(index=1)
    page.get_by_label(in_language(language, "Note for the officer")).fill("Biometrics appointment missed in March.")
    shot(page, language, "09-book")
    page.get_by_role("button", name=in_language(language, "Book the appointment")).click()
    page.wait_for_url(f"**/{language}/liaison/appointments/*/")
    assert_accessible(page)
    expect(page.get_by_role("status")).to_contain_text(
        in_language(language, "Your appointment is booked. Both sides were told.")
    )
    summary = page.locator("main dl.summary-list")
    expect(summary).to_contain_text(chosen.number)
    expect(summary).to_contain_text("Gagnon")  # the officer, Léa Gagnon
    calendar = page.get_by_role("link", name=in_language(language, "Add to your calendar (.ics file)"))
    expect(calendar).to_be_visible()
    href = calendar.get_attribute("href")
    assert href and href.endswith("/calendar.ics") and href.startswith(f"/{language}/liaison/appointments/")
    answer = page.request.get(href)
    assert answer.status == 200
    assert answer.headers["content-type"].startswith("text/calendar")
    assert "BEGIN:VEVENT" in answer.text()
    shot(page, language, "10-booked")


def client_reads_the_log_and_revokes(page, *, language: str, cast: dict, grant: Grant) -> None:
    client, chosen = cast["client"], cast["chosen"]
    visit(page, f"/{language}/access/")
    log = page.locator("ol.access-log")
    with translation.override(language):
        _page, entries = access_log_page(account=client, page_number=1)
    looks = [entry.sentence for entry in entries if "A. Tremblay" in entry.sentence and chosen.number in entry.sentence]
    assert looks, [entry.sentence for entry in entries]
    for sentence in looks:
        expect(log).to_contain_text(sentence)
    if language == "en":
        expect(log).to_contain_text(
            "Caseworker A. Tremblay, Office of the Member for Papineau, looked at the status page of your "
            f"application {chosen.number} on "
        )
    else:
        expect(log).to_contain_text("Bureau du député de Papineau")
        expect(log).to_contain_text(chosen.number)
    shot(page, language, "11-access-log")

    row = page.get_by_role("row").filter(has_text=chosen.number)
    row.locator(f'a[href$="/access/{grant.pk}/revoke/"]').click()
    page.wait_for_url(f"**/{language}/access/{grant.pk}/revoke/")
    assert_accessible(page)
    shot(page, language, "12-revoke-confirm")
    page.get_by_role("button", name=in_language(language, "Yes, remove the access")).click()
    page.wait_for_url(f"**/{language}/access/")
    assert_accessible(page)
    grant.refresh_from_db()
    assert grant.state == Grant.State.REVOKED
    expect(page.get_by_role("status")).to_be_visible()
    shot(page, language, "13-revoked")


def caseworker_has_lost_the_case(page, *, language: str, cast: dict, status_url: str) -> None:
    chosen = cast["chosen"]
    allow_page_status(page, 404)
    response = page.goto(status_url)
    assert response is not None and response.status == 404
    assert_accessible(page)
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.locator("main")).not_to_contain_text("Gagnon-Lévesque")
    shot(page, language, "14-status-page-gone")

    visit(page, f"/{language}/delegate/")
    expect(page.locator("main")).not_to_contain_text(chosen.number)
    expect(page.locator("main")).to_contain_text(
        in_language(language, "No client has given this organisation consent that is in force.")
    )
    shot(page, language, "15-cases-after-revocation")


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_client_gives_an_mp_office_access_then_takes_it_back(page, second_page, notify, language):
    cast = people(language)

    grant = client_gives_access(page, language=language, cast=cast)

    caseworker_signs_in(second_page, language=language, caseworker=cast["caseworker"])
    status_url = caseworker_sees_the_case(second_page, language=language, cast=cast)
    caseworker_books_an_appointment(second_page, language=language, cast=cast)

    client_reads_the_log_and_revokes(page, language=language, cast=cast, grant=grant)

    caseworker_has_lost_the_case(second_page, language=language, cast=cast, status_url=status_url)
