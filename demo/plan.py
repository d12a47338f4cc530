"""The demo's applications as plain data: every file's dated history, drawn from a fixed seed.

`demo_plan()` gives the same result on every call; demo/seed.py writes it to the database.
"""

import dataclasses
import datetime
import random
import unicodedata
from collections.abc import Callable

from applications.models import Application
from applications.reference_data import PROGRAMS
from demo.people import (
    APPLIED_FROM_ABROAD,
    APPLIED_FROM_EITHER,
    CLOSED_KINDS,
    DEMO_CLIENT_DATE_OF_BIRTH,
    DEMO_CLIENT_UCI,
    DEMO_PERSON,
    INLAND_OFFICES,
    NUMBER_PREFIXES,
    PEOPLE,
    REFERENCE_YEAR,
    RESERVED_UCI_PREFIX,
    VISA_OFFICES,
    Kind,
    Scenario,
)
from demo.wording import DECISION_WORDS, OWN_WORDS
from status_tracker.models import StageState

SEED = 20260415

# For each stage, the events a full pass through it produces, each with the relative time it
# usually takes to get there from the event before. Background checks are the long wait.
STAGE_STEPS: dict[str, list[tuple[str, float]]] = {
    "completeness": [(StageState.IN_PROGRESS, 1.0), (StageState.COMPLETED, 2.0)],
    "sponsor_assessment": [(StageState.IN_PROGRESS, 0.5), (StageState.COMPLETED, 5.0)],
    "eligibility": [(StageState.IN_PROGRESS, 0.5), (StageState.COMPLETED, 6.0)],
    "nomination": [(StageState.IN_PROGRESS, 0.5), (StageState.COMPLETED, 3.0)],
    "biometrics": [(StageState.WAITING_ON_CLIENT, 0.5), (StageState.COMPLETED, 2.0)],
    "medical_exam": [(StageState.WAITING_ON_CLIENT, 0.5), (StageState.IN_PROGRESS, 3.0), (StageState.COMPLETED, 2.0)],
    "background_check": [(StageState.IN_PROGRESS, 0.5), (StageState.COMPLETED, 10.0)],
    "interview": [(StageState.WAITING_ON_CLIENT, 1.0), (StageState.COMPLETED, 2.0)],
    "citizenship_test": [(StageState.WAITING_ON_CLIENT, 1.0), (StageState.COMPLETED, 1.5)],
    "ceremony": [(StageState.WAITING_ON_CLIENT, 2.0), (StageState.COMPLETED, 1.0)],
    "passport_request": [(StageState.WAITING_ON_CLIENT, 0.5), (StageState.COMPLETED, 1.5)],
    "card_production": [(StageState.IN_PROGRESS, 0.5), (StageState.COMPLETED, 3.0)],
    "final_decision": [(StageState.IN_PROGRESS, 0.5), (StageState.COMPLETED, 1.5)],
}
# Stages where an officer may stop to ask the client for a document or more information.
REQUEST_STAGES = {"completeness", "eligibility"}
REQUEST_ODDS = 0.12
# Stages where an officer can find a reason to refuse.
REFUSING_STAGES = {
    "sponsor_assessment",
    "eligibility",
    "nomination",
    "medical_exam",
    "background_check",
    "interview",
    "citizenship_test",
}
EXEMPTION_ODDS = {"biometrics": 0.15, "medical_exam": 0.15, "interview": 0.5}
OWN_WORDS_ODDS = 0.2

# Always in our own words: the default sentence cannot say what is missing.
ALWAYS_OWN_WORDS = {(code, StageState.WAITING_ON_CLIENT) for code in REQUEST_STAGES}


@dataclasses.dataclass(frozen=True)
class PlannedEvent:
    stage: str
    state: str
    days_after_submission: int
    hour: int
    minute: int
    message_en: str = ""
    message_fr: str = ""


@dataclasses.dataclass(frozen=True)
class PlannedApplication:
    number: str
    program: str
    submitted_days_ago: int
    channel: str
    office: str
    events: tuple[PlannedEvent, ...]
    outcome: str  # empty while open
    decided_days_after_submission: int | None
    linked: bool


@dataclasses.dataclass(frozen=True)
class PlannedClient:
    uci: str
    given_names: str
    family_name: str
    date_of_birth: datetime.date
    country_of_birth: str
    country_of_residence: str
    language: str
    email: str
    applications: tuple[PlannedApplication, ...]


@dataclasses.dataclass
class _Step:
    stage: str
    state: str
    weight: float


def _ascii(text: str) -> str:
    # The Turkish dotless i has no decomposition; everything else loses only its accents.
    decomposed = unicodedata.normalize("NFKD", text.replace("ı", "i"))
    return "".join(char for char in decomposed if char.isascii() and (char.isalnum() or char == " "))


def _email(given_names: str, family_name: str) -> str:
    return f"{_ascii(given_names).split()[0]}.{_ascii(family_name).replace(' ', '')}@example.com".lower()


class _Identifiers:
    """Draw unique application numbers and UCIs from the seeded generator."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.taken = {DEMO_CLIENT_UCI, *(scenario.number for scenario in DEMO_PERSON.scenarios)}

    def _draw(self, make: Callable[[], str]) -> str:
        while (value := make()) in self.taken or (len(value) == 10 and value.startswith(RESERVED_UCI_PREFIX)):
            pass
        self.taken.add(value)
        return value

    def number(self, program: str) -> str:
        prefix = NUMBER_PREFIXES.get(program, "E")
        return self._draw(lambda: f"{prefix}{self.rng.randint(100_000_000, 999_999_999)}")

    def uci(self) -> str:
        length = self.rng.choice([8, 10])
        return self._draw(lambda: str(self.rng.randint(10 ** (length - 1), 10**length - 1)))


def _stage_steps(stage: str, *, rng: random.Random, exempt: bool, asks_for_more: bool) -> list[_Step]:
    if exempt:
        return [_Step(stage, StageState.EXEMPTED, 0.3)]
    steps = [_Step(stage, state, weight) for state, weight in STAGE_STEPS[stage]]
    if asks_for_more:
        # Work stops while the client gathers what was asked for, then resumes.
        steps[1:1] = [_Step(stage, StageState.WAITING_ON_CLIENT, 1.5), _Step(stage, StageState.IN_PROGRESS, 2.5)]
    return steps


def _open_stage_steps(stage: str, *, kind: Kind) -> list[_Step]:
    """The events of the stage where an open application stands now, stopping at the wanted state."""
    wanted = StageState.WAITING_ON_CLIENT if kind == Kind.WAITING else StageState.IN_PROGRESS
    if kind == Kind.WAITING and stage in REQUEST_STAGES:
        return [_Step(stage, StageState.IN_PROGRESS, 1.0), _Step(stage, StageState.WAITING_ON_CLIENT, 2.0)]
    steps = []
    for state, weight in STAGE_STEPS[stage]:
        steps.append(_Step(stage, state, weight))
        if state == wanted:
            return steps
    raise ValueError(f"Stage {stage} never reaches {wanted}.")


def _can_stand_at(stage: str, kind: Kind) -> bool:
    states = {state for state, _weight in STAGE_STEPS[stage]}
    if kind == Kind.WAITING:
        return StageState.WAITING_ON_CLIENT in states or stage in REQUEST_STAGES
    return StageState.IN_PROGRESS in states


def _full_weight(program: str) -> float:
    return sum(weight for stage in PROGRAMS[program]["stages"] for _state, weight in STAGE_STEPS[stage])


def _history(scenario: Scenario, *, rng: random.Random) -> tuple[list[_Step], int | None]:
    """The steps of one application in order, and the index of its open stage (None when closed)."""
    stages: list[str] = PROGRAMS[scenario.program]["stages"]
    last = len(stages) - 1
    exempt = set(scenario.exempt)
    if scenario.exempt_by_chance:
        exempt |= {stage for stage in stages if stage in EXEMPTION_ODDS and rng.random() < EXEMPTION_ODDS[stage]}
    kind = scenario.kind
    if kind == Kind.RECEIVED:
        return [], None

    open_index: int | None = None
    finished: list[str]
    if kind == Kind.APPROVED:
        finished = stages
    elif kind == Kind.REFUSED:
        # The officer finds the problem at some stage, then goes straight to the decision.
        refusing = rng.choice([index for index, stage in enumerate(stages) if stage in REFUSING_STAGES])
        exempt.discard(stages[refusing])
        finished = stages[: refusing + 1]
        if stages[-1] == "final_decision":
            finished = [*finished, "final_decision"]
    elif kind == Kind.WITHDRAWN:
        finished = stages[: rng.randint(1, last - 1)]
    else:
        if scenario.open_stage:
            open_index = stages.index(scenario.open_stage)
        elif kind == Kind.SILENT:
            open_index = stages.index("background_check" if "background_check" in stages else "eligibility")
        else:
            open_index = rng.choice([index for index, stage in enumerate(stages) if _can_stand_at(stage, kind)])
        finished = stages[:open_index]
        exempt.discard(stages[open_index])

    steps: list[_Step] = []
    for stage in finished:
        asks_for_more = stage in REQUEST_STAGES and rng.random() < REQUEST_ODDS
        steps += _stage_steps(stage, rng=rng, exempt=stage in exempt, asks_for_more=asks_for_more)
    if open_index is not None:
        steps += _open_stage_steps(stages[open_index], kind=kind)
    for step in steps:
        step.weight *= rng.uniform(0.6, 1.5)
    if len(steps) > 4 and rng.random() < 0.2:
        # Now and then a file sits untouched for a long time between two steps.
        rng.choice(steps[2:]).weight *= 4
    return steps, open_index


def _message(step: _Step, *, scenario: Scenario, outcome: str, is_last: bool, rng: random.Random) -> tuple[str, str]:
    odds = 1.0 if scenario.own_words else OWN_WORDS_ODDS
    if is_last and step.stage == "final_decision" and outcome in DECISION_WORDS:
        if rng.random() < (1.0 if scenario.own_words else 0.4):
            return DECISION_WORDS[outcome]
        return "", ""
    words = OWN_WORDS.get((step.stage, step.state))
    if words is None:
        return "", ""
    if (step.stage, step.state) in ALWAYS_OWN_WORDS or rng.random() < odds:
        return words
    return "", ""


def _timing(
    scenario: Scenario, *, steps: list[_Step], open_index: int | None, closed: bool, rng: random.Random
) -> tuple[int, int, int | None]:
    """(days from submission to the last event, days since submission, days from submission to the decision)."""
    standard = PROGRAMS[scenario.program]["service_standard_days"]
    full_weight = _full_weight(scenario.program)
    # Elapsed time follows the share of the program's usual work already done, scaled to its service standard.
    weight = sum(step.weight for step in steps)
    span = max(len(steps), round(standard * weight / full_weight * rng.uniform(0.7, 1.25)))
    decided: int | None = None
    if scenario.kind == Kind.RECEIVED:
        first_weight = STAGE_STEPS["completeness"][0][1]
        days_ago = scenario.submitted_days_ago or max(
            1, round(standard * first_weight / full_weight * rng.uniform(0.3, 2))
        )
    elif closed:
        decided = span + (rng.randint(2, 21) if scenario.kind == Kind.WITHDRAWN else 0)
        if scenario.submitted_days_ago:
            days_ago = max(scenario.submitted_days_ago, decided + 2)
        else:
            # Spread closed files over the past two years.
            days_ago = decided + rng.randint(2, max(2, 720 - decided))
    else:
        if scenario.kind == Kind.SILENT:
            quiet = round(standard * rng.uniform(0.35, 0.7))
        else:
            stage = PROGRAMS[scenario.program]["stages"][open_index]
            next_weight = STAGE_STEPS[stage][-1][1]
            quiet = round(standard * next_weight / full_weight * rng.uniform(0.1, 0.8))
        quiet = max(1, quiet)
        if scenario.submitted_days_ago:
            span = max(len(steps), scenario.submitted_days_ago - quiet)
        days_ago = span + quiet
    return span, days_ago, decided


def _planned_events(
    steps: list[_Step], *, span: int, scenario: Scenario, outcome: str, rng: random.Random
) -> tuple[PlannedEvent, ...]:
    weight = sum(step.weight for step in steps)
    events = []
    done = 0.0
    slack = span - len(steps)
    for index, step in enumerate(steps):
        done += step.weight
        # One day at least between events, so every step has its own date and the order is unambiguous.
        offset = 1 + index + round(slack * done / weight)
        message_en, message_fr = _message(
            step, scenario=scenario, outcome=outcome, is_last=index == len(steps) - 1, rng=rng
        )
        events.append(
            PlannedEvent(
                stage=step.stage,
                state=step.state,
                days_after_submission=offset,
                hour=rng.randint(8, 16),
                minute=rng.randint(0, 59),
                message_en=message_en,
                message_fr=message_fr,
            )
        )
    return tuple(events)


def _plan_application(
    scenario: Scenario, *, number: str, residence: str, birth_country: str, rng: random.Random
) -> PlannedApplication:
    program = PROGRAMS[scenario.program]
    steps, open_index = _history(scenario, rng=rng)
    outcome = scenario.kind.value if scenario.kind in CLOSED_KINDS else ""
    span, days_ago, decided = _timing(scenario, steps=steps, open_index=open_index, closed=bool(outcome), rng=rng)
    events = _planned_events(steps, span=span, scenario=scenario, outcome=outcome, rng=rng)
    if scenario.office:
        office = scenario.office
    elif residence != "CA" and (program["category"] == "temporary" or scenario.program == "spouse-sponsorship"):
        office = VISA_OFFICES.get(birth_country, "Ottawa")
    else:
        office = rng.choice(INLAND_OFFICES[scenario.program])
    paper_odds = 0.25 if scenario.program in {"pr-card", "citizenship-grant"} else 0.05
    return PlannedApplication(
        number=number,
        program=scenario.program,
        submitted_days_ago=days_ago,
        channel=Application.Channel.PAPER if rng.random() < paper_odds else Application.Channel.ONLINE,
        office=office,
        events=events,
        outcome=outcome,
        decided_days_after_submission=decided,
        linked=scenario.linked,
    )


def _age_range(program: str) -> tuple[int, int]:
    if program == "study-permit":
        return 18, 29
    if program in {"citizenship-grant", "pr-card"}:
        return 24, 66
    return 21, 52


def demo_plan() -> list[PlannedClient]:
    """Everything the demo contains, as plain data; the same on every call."""
    rng = random.Random(SEED)  # noqa: S311  repeatable demo data, not secrets
    identifiers = _Identifiers(rng)
    clients = []
    for person in [*PEOPLE, DEMO_PERSON]:
        is_demo = person is DEMO_PERSON
        program = person.scenarios[0].program
        if is_demo or program not in APPLIED_FROM_ABROAD | APPLIED_FROM_EITHER:
            residence = "CA"
        elif program in APPLIED_FROM_ABROAD:
            residence = person.country_of_birth
        else:
            residence = rng.choice(["CA", person.country_of_birth])
        if is_demo:
            uci, date_of_birth = DEMO_CLIENT_UCI, DEMO_CLIENT_DATE_OF_BIRTH
        else:
            uci = identifiers.uci()
            youngest, oldest = _age_range(program)
            birth_year = REFERENCE_YEAR - rng.randint(youngest, oldest)
            date_of_birth = datetime.date(birth_year, 1, 1) + datetime.timedelta(days=rng.randint(0, 364))
        applications = tuple(
            _plan_application(
                scenario,
                number=scenario.number or identifiers.number(scenario.program),
                residence=residence,
                birth_country=person.country_of_birth,
                rng=rng,
            )
            for scenario in person.scenarios
        )
        clients.append(
            PlannedClient(
                uci=uci,
                given_names=person.given_names,
                family_name=person.family_name,
                date_of_birth=date_of_birth,
                country_of_birth=person.country_of_birth,
                country_of_residence=residence,
                language=person.language,
                email=_email(person.given_names, person.family_name),
                applications=applications,
            )
        )
    return clients
