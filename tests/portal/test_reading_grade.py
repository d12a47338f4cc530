"""Plain language: the main pages applicants read stay at grade 9 or lower in English (issue 13).

The grade is textstat's Flesch-Kincaid grade of the running text inside <main>: paragraphs,
list items and descriptions, each ended as a sentence. Headings, labels, table cells and
menus are left out (short fragments would make any page look easy), and so are the
officer's notes, which are the department's record, not our wording.
"""

import re
from html.parser import HTMLParser

import pytest
import textstat
from django.urls import reverse
from django.utils import timezone

from tests.factories import ApplicationFactory, UserFactory, link, record_decision, sign_in

pytestmark = pytest.mark.django_db

MAX_GRADE = 9.0
BLOCKS = {"p", "li", "h1", "h2", "h3", "h4", "dt", "dd", "td", "th", "caption", "label", "legend", "summary", "button"}
PROSE = {"p", "li", "dd"}
SKIPPED = {"script", "style", "svg", "time", "select", "textarea"}
SKIPPED_CLASSES = {"officer-notes", "visually-hidden"}


class MainText(HTMLParser):
    """The readable text of <main>, one sentence at least per block."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.in_main = False
        self.skip_depth = 0
        self.stack: list[tuple[str, bool]] = []
        self.blocks: list[str] = []
        self.current: list[str] = []
        self.current_block = ""

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "main":
            self.in_main = True
        if not self.in_main:
            return
        skipped = tag in SKIPPED or bool(SKIPPED_CLASSES & set((attributes.get("class") or "").split()))
        if tag in ("br", "img", "input", "meta", "link", "hr"):
            return
        self.stack.append((tag, skipped))
        if skipped:
            self.skip_depth += 1
        if tag in BLOCKS:
            self._flush()
            self.current_block = tag

    def handle_endtag(self, tag):
        if tag == "main":
            self._flush()
            self.in_main = False
            return
        while self.stack:
            open_tag, skipped = self.stack.pop()
            if skipped:
                self.skip_depth -= 1
            if open_tag == tag:
                break
        if tag in BLOCKS:
            self._flush()

    def handle_data(self, data):
        if self.in_main and not self.skip_depth:
            self.current.append(data)

    def _flush(self):
        text = re.sub(r"\s+", " ", "".join(self.current)).strip()
        self.current = []
        if text and self.current_block in PROSE:
            self.blocks.append(text if text[-1] in ".?!:" else text + ".")


def reading_grade(html: str) -> tuple[float, str]:
    parser = MainText()
    parser.feed(html)
    text = " ".join(parser.blocks)
    textstat.set_lang("en")
    return textstat.flesch_kincaid_grade(text), text


def longest_sentences(text: str, count: int = 3) -> list[str]:
    sentences = re.split(r"(?<=[.?!])\s+", text)
    return sorted(sentences, key=lambda sentence: len(sentence.split()), reverse=True)[:count]


@pytest.fixture
def refused_application():
    user = UserFactory()
    application = ApplicationFactory()
    link(user=user, application=application)
    record_decision(
        application=application,
        outcome="refused",
        decided_at=timezone.now(),
        grounds=["insufficient-funds", "purpose-of-visit"],
        notes="The applicant did not show enough funds for the stay.",
        made_in_canada=True,
    )
    return user, application


def _pages(client, refused_application) -> dict[str, str]:
    user, application = refused_application
    pages = {
        "home": reverse("home"),
        "processing times": reverse("processing_times:index"),
        "methodology": reverse("processing_times:methodology"),
        "check status": "/en/check-status/",
        "sign up": reverse("account_signup"),
    }
    found = {name: client.get(path).text for name, path in pages.items()}
    sign_in(client, user)
    found["application status"] = client.get(reverse("applications:detail", kwargs={"number": application.number})).text
    found["refused decision"] = client.get(reverse("applications:decision", kwargs={"number": application.number})).text
    found["my applications"] = client.get(reverse("applications:list")).text
    return found


def test_the_main_applicant_pages_read_at_grade_9_or_lower(client, refused_application):
    too_hard = []
    for name, html in _pages(client, refused_application).items():
        grade, text = reading_grade(html)
        print(f"reading grade {grade:5.1f}  {name}")  # shown with pytest -s: the counts for the record
        if grade > MAX_GRADE:
            too_hard.append(f"{name}: grade {grade:.1f}; longest sentences: {longest_sentences(text)}")
    assert not too_hard, "\n".join(too_hard)
