"""Reads for the decision page: the decision with its grounds, the judicial-review deadline, next steps.

Also holds the starting library of refusal grounds and the federal holidays, loaded by a
data migration (and by the demo) through functions that take the model classes, so that a
migration can pass its historical models.
"""

import datetime
import enum
import re
from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.utils import timezone

from applications.models import Application, Program
from core.calendar import SkippedDay, next_business_day
from core.dates import add_years
from core.i18n import active_language
from status_tracker.models import Decision, RefusalGround
from status_tracker.refusal_grounds import MISREPRESENTATION_CODE

# IRPA s.72(2)(b): the application for leave is filed within 15 days for a matter arising
# in Canada and within 60 days for one arising outside Canada.
DAYS_IN_CANADA = 15
DAYS_OUTSIDE_CANADA = 60
# Citizenship Act s.22.1(2)(a): 30 days, wherever the decision was made.
DAYS_CITIZENSHIP = 30
# IRPA s.40(2)(a): after a finding of misrepresentation, five years without admission.
MISREPRESENTATION_BAR_YEARS = 5


class DeadlineRule(enum.StrEnum):
    IN_CANADA = "in_canada"
    OUTSIDE_CANADA = "outside_canada"
    LOCATION_UNKNOWN = "location_unknown"  # upstream did not say: the shorter deadline, to be safe
    CITIZENSHIP = "citizenship"


@dataclass(frozen=True)
class JudicialReviewDeadline:
    """The last day to ask the Federal Court for leave, and how it was counted."""

    decided_on: datetime.date
    rule: DeadlineRule
    days: int
    counted_to: datetime.date  # decided_on + days, before moving past weekends and holidays
    deadline: datetime.date
    skipped: tuple[SkippedDay, ...] = field(default_factory=tuple)

    @property
    def moved(self) -> bool:
        return self.deadline != self.counted_to

    @property
    def has_passed(self) -> bool:
        return self.deadline < timezone.localdate()


def judicial_review_deadline(
    *, decided_on: datetime.date, made_in_canada: bool | None, citizenship: bool = False
) -> JudicialReviewDeadline:
    """Count the days after the decision, then move past Saturdays, Sundays and federal holidays.

    A time limit that ends on a holiday runs to the next day that is not one (Interpretation
    Act s.26); we treat Saturdays the same way, since the Federal Court's registry is closed
    then. When we do not know
    where the decision was made we give the shorter, in-Canada deadline: a client who acts
    by it is never late. Reads the holidays in one query.
    """
    if citizenship:
        rule, days = DeadlineRule.CITIZENSHIP, DAYS_CITIZENSHIP
    elif made_in_canada is None:
        rule, days = DeadlineRule.LOCATION_UNKNOWN, DAYS_IN_CANADA
    elif made_in_canada:
        rule, days = DeadlineRule.IN_CANADA, DAYS_IN_CANADA
    else:
        rule, days = DeadlineRule.OUTSIDE_CANADA, DAYS_OUTSIDE_CANADA
    counted_to = decided_on + datetime.timedelta(days=days)
    deadline, skipped = next_business_day(day=counted_to)
    return JudicialReviewDeadline(
        decided_on=decided_on,
        rule=rule,
        days=days,
        counted_to=counted_to,
        deadline=deadline,
        skipped=skipped,
    )


def decision_for_application(*, application: Application) -> Decision | None:
    """The application's released decision with its refusal grounds (two queries), or None.

    An unreleased decision is None here: the client sees nothing of it until it is released.
    """
    return (
        Decision.objects.filter(application=application, released=True)
        .prefetch_related(Prefetch("grounds", queryset=RefusalGround.objects.order_by("code")))
        .first()
    )


def next_steps_for_program(*, program: Program) -> list[str]:
    """The program's steps after approval, in the page's language: one per non-empty line."""
    text = program.localized("approved_next_steps")
    return [line.strip() for line in text.splitlines() if line.strip()]


# The French names of the Act and the Regulations, for legal references stored in English.
FRENCH_LEGAL_ABBREVIATIONS = {"IRPA ": "LIPR ", "IRPR ": "RIPR "}


@dataclass(frozen=True)
class GroundShown:
    """One refusal ground as the page shows it, in the page's language."""

    code: str
    title: str
    explanation: str
    legal_reference: str


def french_legal_reference(reference: str) -> str:
    """French style for provisions: a paragraph's letter is followed by a parenthesis only.

    "179(b), 200(1)(b)" becomes "179b), 200(1)b)"; numbered subsections keep both parentheses.
    """
    return re.sub(r"\(([a-z])\)", r"\1)", reference)


def _ground_shown(ground: RefusalGround) -> GroundShown:
    reference = ground.legal_reference
    if active_language() == "fr":
        for english, french in FRENCH_LEGAL_ABBREVIATIONS.items():
            reference = reference.replace(english, french)
        reference = french_legal_reference(reference)
    return GroundShown(code=ground.code, title=ground.title, explanation=ground.explanation, legal_reference=reference)


@dataclass(frozen=True)
class DecisionSummary:
    """Everything the decision page shows, read in a constant number of queries."""

    application: Application
    decision: Decision
    decided_on: datetime.date
    grounds: list[GroundShown]
    deadline: JudicialReviewDeadline | None
    next_steps: list[str]
    barred_until: datetime.date | None  # no new application before this date (misrepresentation)

    @property
    def outcome(self) -> str:
        return self.decision.outcome

    @property
    def has_legal_references(self) -> bool:
        return any(ground.legal_reference for ground in self.grounds)

    @property
    def can_reapply_now(self) -> bool:
        return self.barred_until is None or self.barred_until <= timezone.localdate()


def decision_summary_for_application(*, application: Application) -> DecisionSummary | None:
    """The decision page's content; None when the application has no released decision yet.

    Queries: the decision, its grounds, and (for a refusal) the holidays near the deadline.
    `application` must come with its program (as application_for_viewer gives it).
    """
    decision = decision_for_application(application=application)
    if decision is None:
        return None
    # The date on the status page; the decision's own timestamp only when the file has none.
    decided_on = application.decided_on or timezone.localdate(decision.decided_at)
    grounds = list(decision.grounds.all())
    deadline = None
    barred_until = None
    next_steps: list[str] = []
    if decision.outcome == Application.Outcome.REFUSED:
        deadline = judicial_review_deadline(
            decided_on=decided_on,
            made_in_canada=decision.made_in_canada,
            citizenship=application.program.category == Program.Category.CITIZENSHIP,
        )
        if any(ground.code == MISREPRESENTATION_CODE for ground in grounds):
            barred_until = add_years(decided_on, years=MISREPRESENTATION_BAR_YEARS)
    elif decision.outcome == Application.Outcome.APPROVED:
        next_steps = next_steps_for_program(program=application.program)
    return DecisionSummary(
        application=application,
        decision=decision,
        decided_on=decided_on,
        grounds=[_ground_shown(ground) for ground in grounds],
        deadline=deadline,
        next_steps=next_steps,
        barred_until=barred_until,
    )
