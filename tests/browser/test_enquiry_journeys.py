"""Enquiries in a real browser, in English and in French, with axe on every page:

- a client asks a question with a PDF attached, through the "answer first" step, gets a reference
  number and a receipt at the GC Notify stand-in; an agent signs in with a password and a code,
  claims the enquiry and answers it with a saved reply; the client reads the answer on the
  enquiry's page and in the application's history, and rates it;
- a *waiting on you* request answered with a photo sent from the status page;
- the public pages: the service dashboard and the form for people without an account.

French wording may still be partly untranslated, so French pages are checked by their structure
(lang, addresses, reference numbers, the data shown) rather than by their words.
"""

import datetime
import re
import time
from urllib.parse import urlsplit

import pytest
from django.contrib.auth.models import Group, Permission
from django.utils import formats, timezone, translation
from playwright.sync_api import expect

from applications.models import Stage
from enquiries.models import Document, SavedReply, SurveyResponse, Ticket, TicketMessage, TicketState, Topic
from tests.browser.conftest import (
    _WATCHES,
    BROWSER_TEST,
    PageWatch,
    assert_accessible,
    assert_no_browser_errors,
    screenshot,
    sign_in,
    visit,
)
from tests.enquiries.documents_support import jpeg_bytes, pdf_bytes, use_documents_root
from tests.factories import STAFF_TOTP_SECRET, ApplicationFactory, UserFactory, link, status_event_record
from tests.notifications_support import running_fake_notify
from tests.totp import totp_code

pytestmark = BROWSER_TEST

LANGUAGES = ["en", "fr"]
PASSWORD = "correct horse battery staple"  # tests.factories.UserFactory's
REFERENCE = re.compile(r"^[0-9A-Z]{3}-[0-9A-Z]{3}-[0-9A-Z]{3}$")
QUESTION = "I sent my medical exam results in March. Is anything else missing from my file?"


@pytest.fixture(autouse=True)
def enquiry_reference_data(reference_data):
    """The topics, saved replies and groups the migrations put there, emptied after each live test."""
    import importlib

    from django.apps import apps

    importlib.import_module("enquiries.migrations.0002_topics_and_roles").forwards(apps, None)


@pytest.fixture(autouse=True)
def documents_root(settings, tmp_path):
    """Documents go to a private store of this test (the live server thread reads the same settings)."""
    return use_documents_root(settings, tmp_path / "documents")


@pytest.fixture
def notify(settings):
    """The GC Notify stand-in; delivery runs in process (eager tasks) after each commit."""
    with running_fake_notify() as (base_url, store):
        settings.NOTIFY_BASE_URL = base_url
        yield store


@pytest.fixture
def second_page(browser, browser_context_args):
    """A page in a browser of its own (its own cookies), watched like the `page` fixture."""
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


# ---- Helpers ---------------------------------------------------------------------------------


def client_with_application(*, language: str, email: str):
    """A client whose application is in progress at the completeness check, linked to their account."""
    client = UserFactory(email=email, preferred_language=language)
    application = ApplicationFactory()
    link(user=client, application=application)
    status_event_record(
        application=application,
        stage=Stage.objects.get(code="completeness"),
        state="in_progress",
        occurred_at=timezone.now() - datetime.timedelta(days=20),
        source_id=f"enquiry-journey-{application.number}",
    )
    return client, application


def status_agent(*, language: str):
    """Staff in the Agent group working the status queue, allowed to read files (as agents are)."""
    agent = UserFactory(email=f"status.agent.{language}@example.com", is_staff=True, preferred_language=language)
    agent.groups.add(Group.objects.get(name="Agent"))
    agent.user_permissions.add(Permission.objects.get(codename="view_application"))
    Topic.objects.get(code="status").agents.add(agent)
    return agent


def sign_in_agent(page, *, user, language: str, landing: str) -> None:
    """Password, then the code from the authenticator app; axe on both sign-in pages and the landing one.

    (conftest's sign_in_staff clicks "main form button[type=submit]", which on the code page also
    finds allauth's Cancel button, tied to another form: this one clicks the form's own button.)
    """
    from allauth.mfa.totp.internal.auth import TOTP

    TOTP.activate(user, STAFF_TOTP_SECRET)
    visit(page, f"/{language}/accounts/login/?next={landing}")
    page.locator("#id_login").fill(user.email)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main form button[type=submit]:not([form])").click()
    page.wait_for_url("**/accounts/2fa/authenticate/**")
    assert_accessible(page)
    expect(page.locator("html")).to_have_attribute("lang", language)
    page.locator("#id_code").fill(totp_code(STAFF_TOTP_SECRET))
    page.locator("main form button[type=submit]:not([form])").click()
    page.wait_for_url(f"**{landing}")
    assert_accessible(page)


def local_date_text(moment: datetime.datetime, language: str) -> str:
    """A date as the templates write it (DATE_FORMAT in the page's language)."""
    with translation.override(language):
        return formats.date_format(timezone.localtime(moment), "DATE_FORMAT")


def emails_to(store, address: str, *, count: int, timeout: float = 5.0) -> list[dict]:
    """The emails sent to `address` through the GC Notify stand-in, oldest first, once there are `count`."""
    deadline = time.monotonic() + timeout
    while True:
        sent = [message for message in store.messages() if message.get("email_address") == address]
        if len(sent) >= count or time.monotonic() > deadline:
            assert len(sent) == count, f"expected {count} email(s) to {address}, got {sent}"
            return sent
        time.sleep(0.1)


# ---- 1. The client asks, with a PDF -------------------------------------------------------------


def client_sends_enquiry(page, *, language: str, application, notify, email: str) -> str:
    """From the menu to the receipt: choose, read what we know, write, attach, send. Returns the reference."""
    page.locator(f"nav.site-nav a[href='/{language}/enquiries/new/']").click()
    page.wait_for_url(f"**/{language}/enquiries/new/")
    assert_accessible(page)
    expect(page.locator("html")).to_have_attribute("lang", language)
    page.locator("#id_application").select_option(application.number)
    page.locator("#id_topic").select_option("status")
    screenshot(page, f"enquiry_choose_{language}")
    page.locator("main form[method=get] button[type=submit]").click()

    # Answer first: what the portal knows about this application and topic, before the message box.
    page.wait_for_url(re.compile(rf"/{language}/enquiries/new/\?application={application.number}&topic=status$"))
    assert_accessible(page)
    known = page.locator("section[aria-labelledby=known-heading]")
    expect(known).to_be_visible()
    expect(known.locator("time")).not_to_have_count(0)  # the date from which the file is outside normal time
    expect(known.locator(f"form[action='/{language}/enquiries/new/answered/'] button")).to_be_visible()
    expect(page.locator("main .summary-list")).to_contain_text(application.number)
    if language == "en":
        expect(known).to_contain_text("Your application is at the stage “Completeness check”.")
        expect(known).to_contain_text("Your application is within normal processing time.")
    screenshot(page, f"enquiry_answer_first_{language}")

    # Write anyway, with a PDF attached.
    write = page.locator("section[aria-labelledby=write-heading]")
    expect(write.locator("#id_language")).to_have_value(language)  # the account's language by default
    write.locator("#id_message").fill(QUESTION)
    write.locator("#id_attachments").set_input_files(
        [{"name": "medical-exam.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes(pages=2)}]
    )
    screenshot(page, f"enquiry_form_{language}")
    write.locator("button[type=submit]").click()

    # The confirmation: the reference number, the date of the answer.
    page.wait_for_url(re.compile(rf"/{language}/enquiries/[0-9A-Z-]+/sent/$"))
    assert_accessible(page)
    reference = urlsplit(page.url).path.split("/")[3]
    assert REFERENCE.match(reference), reference
    expect(page.locator("main section[aria-labelledby=reference-heading] .estimate__figure")).to_have_text(reference)
    expect(page.locator("main section[aria-labelledby=due-heading] time")).not_to_have_count(0)
    expect(page.locator("main")).to_contain_text(email)
    screenshot(page, f"enquiry_sent_{language}")

    ticket = Ticket.objects.get(reference=reference)
    assert (ticket.state, ticket.application_id, ticket.topic.code, ticket.language) == (
        TicketState.NEW,
        application.pk,
        "status",
        language,
    )
    (document,) = Document.objects.filter(ticket=ticket)
    assert (document.original_name, document.content_type) == ("medical-exam.pdf", "application/pdf")

    # The receipt reached GC Notify (its stand-in), with the reference and a copy of the message.
    (receipt,) = emails_to(notify, email, count=1)
    assert reference in receipt["subject"]
    assert QUESTION in receipt["body"]
    assert f"/{language}/enquiries/{reference}/" in receipt["body"]
    return reference


# ---- 2. An agent answers with a saved reply ------------------------------------------------------


def agent_answers_with_saved_reply(page, *, language: str, reference: str, application) -> str:
    """Queue, ticket, claim, saved reply, send. Returns the text sent."""
    agent = status_agent(language=language)
    sign_in_agent(page, user=agent, language=language, landing=f"/{language}/agents/")
    expect(page.locator("html")).to_have_attribute("lang", language)
    row = page.locator("main table tbody tr").filter(has=page.locator(f"a[href='/{language}/agents/{reference}/']"))
    expect(row).to_have_count(1)
    expect(row).to_contain_text(application.number)
    screenshot(page, f"agent_queue_{language}")

    row.locator("a").first.click()
    page.wait_for_url(f"**/{language}/agents/{reference}/")
    assert_accessible(page)
    expect(page.get_by_role("heading", level=1)).to_contain_text(reference)
    conversation = page.locator("section[aria-labelledby=conversation-heading]")
    expect(conversation).to_contain_text(QUESTION)
    expect(conversation.locator(".history__item a", has_text="medical-exam.pdf")).to_be_visible()
    # The status page as the client sees it, next to the question.
    expect(page.locator("section[aria-labelledby=client-view-heading]")).to_contain_text(application.number)
    screenshot(page, f"agent_ticket_{language}")

    page.locator(f"form[action='/{language}/agents/{reference}/claim/'] button[type=submit]").click()
    page.wait_for_url(f"**/{language}/agents/{reference}/")
    assert_accessible(page)
    expect(page.locator("main .notices")).to_contain_text(reference)
    assert Ticket.objects.get(reference=reference).assigned_to_id == agent.pk

    # Choose the saved reply: the page comes back with the reply box filled with this file's data.
    saved = SavedReply.objects.get(title_en="Within normal processing time")
    reply = page.locator("section[aria-labelledby=reply-heading]")
    reply.locator("#id_reply").select_option(str(saved.pk))
    reply.locator("form[method=get] button[type=submit]").click()
    page.wait_for_url(re.compile(rf"/{language}/agents/{reference}/\?reply={saved.pk}(#.*)?$"))
    assert_accessible(page)
    body = reply.locator("#id_reply-body")
    expected_start = (saved.body_fr if language == "fr" else saved.body_en).split("{number}")[0]
    expect(body).to_have_value(re.compile("^" + re.escape(expected_start)))
    text = body.input_value()
    assert application.number in text and "{number}" not in text and "{stage}" not in text
    screenshot(page, f"agent_saved_reply_{language}")

    reply.locator(f"form[action='/{language}/agents/{reference}/reply/'] button[type=submit]").click()
    page.wait_for_url(f"**/{language}/agents/{reference}/")
    assert_accessible(page)
    expect(page.locator("section[aria-labelledby=conversation-heading] .history__item")).to_have_count(2)
    screenshot(page, f"agent_replied_{language}")

    ticket = Ticket.objects.get(reference=reference)
    assert ticket.state == TicketState.ANSWERED
    answer = ticket.messages.get(author_kind=TicketMessage.Author.AGENT)
    assert answer.saved_reply_id == saved.pk
    return answer.body


# ---- 3. The client reads the answer and rates it -------------------------------------------------


def client_reads_answer_and_rates(page, *, language: str, reference: str, application, answer: str) -> None:
    visit(page, f"/{language}/enquiries/{reference}/")
    first_line = answer.splitlines()[0]
    conversation = page.locator("section[aria-labelledby=conversation-heading] .history__item")
    expect(conversation).to_have_count(2)
    expect(conversation.nth(1)).to_contain_text(first_line)
    expect(conversation.nth(1)).to_contain_text(application.number)
    offer = page.locator("main .survey-offer")
    expect(offer).to_be_visible()
    screenshot(page, f"enquiry_answered_{language}")

    # The application's history tells the same story: asked, then answered with the answer itself.
    page.locator(f"main .summary-list a[href='/{language}/applications/{application.number}/']").click()
    page.wait_for_url(f"**/{language}/applications/{application.number}/")
    assert_accessible(page)
    history = page.locator("section[aria-labelledby=history-heading] li.history__item")
    answered = history.filter(has=page.locator("blockquote.history__answer"))
    expect(answered).to_have_count(1)
    expect(answered).to_contain_text(application.number)
    expect(answered.locator(f"a[href='/{language}/enquiries/{reference}/']")).to_be_visible()
    asked = history.filter(has=page.locator(f"a[href='/{language}/enquiries/{reference}/']"))
    expect(asked).to_have_count(2)  # the question and the answer
    if language == "en":
        expect(answered).to_contain_text(f"We answered your enquiry {reference}")
    screenshot(page, f"status_page_with_answer_{language}")

    # Back to the enquiry, then the survey: one question, and "why" only for a low rating.
    page.go_back()
    page.wait_for_url(f"**/{language}/enquiries/{reference}/")
    assert_accessible(page)
    page.locator("main .survey-offer a").click()
    page.wait_for_url(f"**/{language}/survey/**")
    assert_accessible(page)
    expect(page.locator("main")).to_contain_text(reference)
    expect(page.locator("input[name=rating]")).to_have_count(5)
    screenshot(page, f"survey_question_{language}")
    ticket = Ticket.objects.get(reference=reference)

    if language == "en":
        page.locator("input[name=rating][value='4']").check()
        page.locator("#id_comment").fill("Clear and quick, thank you.")
        page.locator("main form button[type=submit]").click()
        page.wait_for_url("**/thanks/")
        assert_accessible(page)
        expect(page.locator("main")).to_contain_text(reference)
        screenshot(page, f"survey_thanks_{language}")
        response = SurveyResponse.objects.get(ticket=ticket)
        assert (response.rating, response.comment, response.reasons) == (4, "Clear and quick, thank you.", [])
    else:
        page.locator("input[name=rating][value='1']").check()
        page.locator("main form button[type=submit]").click()
        page.wait_for_url("**/why/")
        assert_accessible(page)
        expect(page.locator("input[name=reasons]")).to_have_count(5)
        page.locator("input[name=reasons][value=not_answered]").check()
        page.locator("#id_details").fill("La réponse répète la page de statut.")
        screenshot(page, f"survey_why_{language}")
        page.locator("main form button[type=submit]").click()
        page.wait_for_url("**/thanks/")
        assert_accessible(page)
        expect(page.locator("main")).to_contain_text(reference)
        screenshot(page, f"survey_thanks_{language}")
        response = SurveyResponse.objects.get(ticket=ticket)
        assert (response.rating, response.reasons, response.comment) == (
            1,
            ["not_answered"],
            "La réponse répète la page de statut.",
        )

    # The offer on the enquiry's page now thanks instead of asking again.
    visit(page, f"/{language}/enquiries/{reference}/")
    expect(page.locator("main .survey-offer a")).to_have_count(0)


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_client_asks_with_a_pdf_an_agent_answers_with_a_saved_reply_and_the_client_rates_it(
    page, second_page, notify, language
):
    email = f"amara.{language}@example.com"
    client, application = client_with_application(language=language, email=email)
    sign_in(page, email=email, password=PASSWORD, language=language)

    reference = client_sends_enquiry(page, language=language, application=application, notify=notify, email=email)
    answer = agent_answers_with_saved_reply(
        second_page, language=language, reference=reference, application=application
    )
    # The answer is emailed too, with the answer itself and the survey link.
    _receipt, answered = emails_to(notify, email, count=2)
    assert reference in answered["subject"]
    assert application.number in answered["body"]
    assert f"/{language}/survey/" in answered["body"]
    client_reads_answer_and_rates(page, language=language, reference=reference, application=application, answer=answer)


# ---- 4. A "waiting on you" request answered with a photo -----------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_client_answers_a_waiting_on_you_request_with_a_photo_from_the_status_page(page, language):
    email = f"jun.{language}@example.com"
    client, application = client_with_application(language=language, email=email)
    status_event_record(
        application=application,
        stage=Stage.objects.get(code="biometrics"),
        state="waiting_on_client",
        occurred_at=timezone.now() - datetime.timedelta(days=2),
        source_id=f"enquiry-journey-biometrics-{language}",
    )
    sign_in(page, email=email, password=PASSWORD, language=language)
    visit(page, f"/{language}/applications/{application.number}/")

    waiting = page.locator("section.callout--action")
    send = waiting.locator(f"a[href='/{language}/documents/send/{application.number}/biometrics/']")
    expect(send).to_be_visible()
    if language == "en":
        expect(send).to_contain_text("Send documents")
    screenshot(page, f"status_page_waiting_{language}")
    send.click()

    page.wait_for_url(f"**/{language}/documents/send/{application.number}/biometrics/")
    assert_accessible(page)
    expect(page.locator("html")).to_have_attribute("lang", language)
    page.locator("#id_documents").set_input_files(
        [{"name": "biometrics-letter.jpg", "mimeType": "image/jpeg", "buffer": jpeg_bytes(size=(640, 480))}]
    )
    page.locator("#id_note").fill("The appointment letter you asked for.")
    screenshot(page, f"documents_send_{language}")
    page.locator("main form[enctype='multipart/form-data'] button[type=submit]").click()

    page.wait_for_url(f"**/{language}/applications/{application.number}/")
    assert_accessible(page)
    expect(page.locator("main .notices")).to_be_visible()
    (document,) = Document.objects.filter(application=application)
    assert (document.original_name, document.content_type, document.uploaded_by_id) == (
        "biometrics-letter.jpg",
        "image/jpeg",
        client.pk,
    )
    sent = page.locator("section[aria-labelledby=history-heading] li.history__item").filter(
        has=page.locator("ul.history__documents")
    )
    expect(sent).to_have_count(1)
    expect(sent.locator(f"a[href='/{language}/documents/{document.pk}/download/']")).to_have_text(
        "biometrics-letter.jpg"
    )
    day = local_date_text(document.created_at, language)
    expect(sent.locator(".history__stage")).to_contain_text(day)
    if language == "en":
        expect(sent.locator(".history__stage")).to_have_text(f"You sent 1 document on {day}")
    screenshot(page, f"status_page_documents_sent_{language}")


# ---- Public pages --------------------------------------------------------------------------------


def answered_enquiries_for_the_dashboard() -> None:
    """A few answered and rated enquiries in the last months, and the nightly figures computed from them."""
    from enquiries.performance import service_snapshots_compute
    from enquiries.services import ticket_transition
    from tests.enquiries.factories import make_ticket

    now = timezone.now()
    for days_ago, took, rating in [(75, 2, 5), (70, 12, 2), (45, 3, 4), (40, 1, None), (20, 4, 3)]:
        ticket = make_ticket(topic="status", queued_at=now - datetime.timedelta(days=days_ago))
        ticket_transition(
            ticket=ticket, to_state=TicketState.ANSWERED, now=now - datetime.timedelta(days=days_ago - took)
        )
        if rating is not None:
            SurveyResponse.objects.create(ticket=ticket, rating=rating)
    service_snapshots_compute()


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_service_dashboard_and_the_guest_enquiry_form_pass_axe(page, language):
    answered_enquiries_for_the_dashboard()

    visit(page, f"/{language}/service-performance/")
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.locator("main .pt-chart svg")).to_be_visible()
    expect(page.locator("main table.service-table tbody tr")).not_to_have_count(0)
    screenshot(page, f"service_performance_{language}")

    visit(page, f"/{language}/enquiries/new/")
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.locator(f"main a[href^='/{language}/accounts/login/']")).to_be_visible()
    for field in ("#id_application_number", "#id_email", "#id_topic", "#id_message", "#id_attachments"):
        expect(page.locator(field)).to_be_visible()
    screenshot(page, f"enquiry_guest_form_{language}")
