"""Issue 12 in a real browser: the calibrated estimate on a status page and the published accuracy on the
methodology page, in English and French, each checked by axe (and kept for the W3C Nu checker)."""

import datetime
import itertools

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from applications.models import Application, Program
from processing_times.backtest import backtest_publish
from processing_times.figures import processing_times_snapshot
from tests.browser.conftest import BROWSER_TEST, screenshot, sign_in, visit
from tests.factories import ApplicationFactory, ClientFactory, UserFactory, decisions_record, link

pytestmark = BROWSER_TEST

PASSWORD = "correct horse battery staple"  # tests.factories.UserFactory's password
numbers = itertools.count(1)


@pytest.fixture
def waiting(transactional_db):
    """A PR card sent 5 days ago behind a steady line of one card a day, each decided after 40 days."""
    today = timezone.localdate()
    program = Program.objects.get(code="pr-card")
    sender = ClientFactory(country_of_residence="CA")
    line = Application.objects.bulk_create(
        Application(
            number=f"Q{next(numbers):09d}",
            client=sender,
            program=program,
            submitted_on=today - datetime.timedelta(days=400 - index),
        )
        for index in range(400)
    )
    decisions_record(
        decisions=[
            (item, "approved", item.submitted_on + datetime.timedelta(days=40))
            for item in line
            if item.submitted_on + datetime.timedelta(days=40) <= today
        ]
    )
    mine = ApplicationFactory(program=program, submitted_on=today - datetime.timedelta(days=5))
    user = UserFactory()
    link(user=user, application=mine)
    processing_times_snapshot(as_of=today)
    backtest_publish(as_of=today)
    return user, mine


def test_the_calibrated_estimate_and_its_accuracy_in_both_languages(page, waiting):
    user, mine = waiting
    likely = timezone.localdate() + datetime.timedelta(days=35)  # 34 files ahead at one a day, one day more
    sign_in(page, email=user.email, password=PASSWORD)
    for language, figure, accuracy in (
        ("en", f"Around {likely:%B} {likely.day}, {likely.year}", "How accurate is it?"),
        ("fr", "Vers le", "Quelle est sa précision"),
    ):
        visit(page, f"/{language}/applications/{mine.number}/")
        estimate = page.locator("section[aria-labelledby=estimate-heading]")
        expect(estimate.locator(".estimate__figure").nth(1)).to_contain_text(figure)
        expect(estimate).to_contain_text(accuracy)
        screenshot(page, f"estimate-status-{language}")

        visit(page, f"/{language}/processing-times/methodology/")
        table = page.locator("#accuracy ~ table")
        expect(table.locator("tbody tr")).to_have_count(1)  # only the program with checked files
        expect(table.locator("caption")).to_be_visible()
        screenshot(page, f"estimate-methodology-{language}")
