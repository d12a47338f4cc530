"""How the processing-time history is drawn: per-program profiles, a queue per office, and the plan of every file.

The history is made by simulating how offices work through their files, day by day, so that the number of
files waiting ahead of an application matters for when it is decided, as it does in real life:

- Each program has its own queue; visitor visas, study and work permits have one per country of residence
  (the department publishes those times per country, and some countries take longer than others).
- Files arrive at random (a Poisson number a day) around the program's usual intake, more of them in its
  busy months (study permits peak in spring, visitor visas in summer). The total intake is set so that about
  `finalized` files are decided over the two years; it is not matched exactly.
- Each office starts as many files a day as its capacity allows, oldest first (first come, first served).
  Its capacity follows the usual intake, most of the seasonal rise, and works a backlog larger than usual
  off over about a year; the office's pace (1.0 as usual) multiplies all of it. The office keeps a standing
  backlog of about 70% of the program's median time's worth of intake, so a file usually waits that long
  before it is started, and the history begins with that backlog in place.
- A started file then takes its own processing time: skewed (lognormal), with a median of 30% of the
  program's median and the program's spread. At the usual pace, waiting plus processing comes to about the
  program's median, with a long tail for the programs that have one.
- Most decisions are approvals; each program has its own refusal rate. A few files are withdrawn at a random
  point of their wait (they never take the office's time). Decisions are made on weekdays.
- Files still waiting today are open. The simulation goes on past today until they have all been started, so
  that each open file has the day it will be decided (its stages are spread up to that day).

Scenarios (SCENARIOS) change the offices' pace over time, and in one case a program, to give histories an
estimate has to hold in:

- "backlog", the seeded demo's: offices slow to 60% of their pace from 480 to 300 days ago, catch up at 130%
  for four months, then work as usual. The backlog grows, then clears.
- "steady": the usual pace throughout.
- "slowdown": a sudden three-month slowdown to half the pace, 420 to 329 days ago, then 108% while the
  backlog slowly clears.
- "doubling": the decision rate doubles after a policy change 400 days ago: queues shorten, waits shrink.
- "small-program": steady, but the federal skilled trades program is made small (1% of the decisions,
  a median of 120 days, a tight spread), for an estimate with few decisions to learn from.

demo/history.py writes the plan to the database; `scenario_rows` gives a scenario's files as plain rows, for
checking estimates in memory without a database.
"""

import bisect
import datetime
import itertools
import math
import random
from collections import deque
from dataclasses import dataclass, replace

from applications.models import Application
from applications.reference_data import PROGRAMS

SEED = 20260502
DEFAULT_FINALIZED = 20_000
HISTORY_DAYS = 730  # decisions made in the last two years


@dataclass(frozen=True)
class Profile:
    """How one program's files arrive and are decided."""

    share: float  # of the intake, and so about as much of the decisions made over the two years
    median_days: float  # from submission to decision at the usual pace: waiting, then processing
    sigma: float  # lognormal spread of the processing time: 0.6 gives a long tail, 0.2 a tight one
    refusal_rate: float
    withdrawal_rate: float
    peak_month: int  # intake is highest in this month...
    seasonality: float  # ...by this much above the average (0.3 = +30%), and as much lower six months later
    residence: tuple[tuple[str, float], ...]  # countries of residence and their weights


ABROAD = (
    ("IN", 22),
    ("CN", 12),
    ("PH", 10),
    ("NG", 8),
    ("MX", 8),
    ("VN", 8),
    ("US", 8),
    ("BR", 7),
    ("FR", 6),
    ("GB", 6),
)
IN_CANADA = (("CA", 1),)

PROFILES: dict[str, Profile] = {
    "visitor-visa": Profile(0.27, 30, 0.60, 0.28, 0.01, 7, 0.35, ABROAD),
    "study-permit": Profile(0.14, 56, 0.45, 0.33, 0.02, 5, 0.45, ABROAD + (("CA", 6),)),
    "work-permit": Profile(0.15, 63, 0.50, 0.18, 0.02, 3, 0.15, ABROAD + (("CA", 15),)),
    "pr-card": Profile(0.09, 75, 0.35, 0.02, 0.01, 6, 0.10, IN_CANADA),
    "express-entry-cec": Profile(0.06, 195, 0.25, 0.08, 0.02, 1, 0.05, IN_CANADA),
    "express-entry-fsw": Profile(0.045, 215, 0.28, 0.10, 0.03, 1, 0.05, ABROAD),
    "express-entry-fst": Profile(0.015, 205, 0.28, 0.09, 0.03, 1, 0.05, (("CA", 2),) + ABROAD),
    "provincial-nominee": Profile(0.05, 330, 0.22, 0.07, 0.03, 2, 0.05, (("CA", 12),) + ABROAD),
    "spouse-sponsorship": Profile(0.07, 385, 0.22, 0.09, 0.03, 9, 0.10, (("CA", 25),) + ABROAD),
    "citizenship-grant": Profile(0.11, 470, 0.25, 0.04, 0.02, 10, 0.10, IN_CANADA),
}

# Visitor visas, study and work permits: how much longer than the median a country of residence takes.
COUNTRY_FACTORS = {
    "US": 0.55,
    "GB": 0.60,
    "FR": 0.65,
    "CA": 0.75,
    "BR": 0.85,
    "MX": 0.90,
    "CN": 1.00,
    "PH": 1.15,
    "VN": 1.25,
    "IN": 1.50,
    "NG": 1.90,
}


# The queue model's constants, as shares of a program's median time at the usual pace.
STANDING_WAIT = 0.7  # the backlog an office keeps: this many median times' worth of intake
PROCESSING_SHARE = 0.3  # the median of a started file's own processing time
SEASONAL_STAFFING = 0.8  # offices staff for this share of the seasonal rise (and fall) in intake
CATCH_UP_DAYS = 365.0  # a backlog beyond the standing one is worked off over about this many days
WARM_UP_DAYS = 200  # days simulated before the history's oldest decisions could have been submitted


@dataclass(frozen=True)
class Scenario:
    """One shape of the past: the offices' pace over time, and any program drawn otherwise than in PROFILES."""

    pace: tuple[tuple[float, float, float], ...]  # (from day, to day, pace) counted from today; 1.0 is usual
    programs: tuple[tuple[str, Profile], ...] = ()  # profiles replacing those of PROFILES

    def pace_on(self, day: int) -> float:
        for start, end, speed in self.pace:
            if start <= day < end:
                return speed
        raise ValueError(f"no pace on day {day}")

    def profiles(self) -> dict[str, Profile]:
        return PROFILES | dict(self.programs)


USUAL_PACE = ((-math.inf, math.inf, 1.0),)
SCENARIOS: dict[str, Scenario] = {
    "steady": Scenario(USUAL_PACE),
    "backlog": Scenario(
        ((-math.inf, -480.0, 1.0), (-480.0, -300.0, 0.6), (-300.0, -180.0, 1.3), (-180.0, math.inf, 1.0))
    ),
    "slowdown": Scenario(((-math.inf, -420.0, 1.0), (-420.0, -329.0, 0.5), (-329.0, math.inf, 1.08))),
    "doubling": Scenario(((-math.inf, -400.0, 1.0), (-400.0, math.inf, 2.0))),
    # An existing program made small, so that the database loader needs no new reference data.
    "small-program": Scenario(
        USUAL_PACE,
        (("express-entry-fst", replace(PROFILES["express-entry-fst"], share=0.01, median_days=120, sigma=0.3)),),
    ),
}
DEFAULT_SCENARIO = "backlog"  # the seeded demo's

# A stage's usual share of a file's time, before a random factor per file.
STAGE_WEIGHTS = {
    "completeness": 1.0,
    "sponsor_assessment": 3.0,
    "eligibility": 4.0,
    "nomination": 2.0,
    "biometrics": 1.5,
    "medical_exam": 2.0,
    "background_check": 5.0,
    "interview": 1.5,
    "citizenship_test": 2.0,
    "ceremony": 3.0,
    "passport_request": 1.0,
    "card_production": 2.5,
    "final_decision": 1.0,
}

NAMES = {
    "IN": (("Sharma", "Patel", "Singh", "Iyer"), ("Priya", "Arjun", "Ananya", "Rohan")),
    "CN": (("Wang", "Li", "Zhang", "Chen"), ("Wei", "Mei", "Jun", "Xiu")),
    "PH": (("Santos", "Reyes", "Cruz", "Bautista"), ("Maria", "Jose", "Angelica", "Mark")),
    "NG": (("Okafor", "Adeyemi", "Balogun", "Eze"), ("Chinedu", "Ngozi", "Tunde", "Amaka")),
    "MX": (("Hernández", "García", "Martínez", "López"), ("Luis", "Sofía", "Diego", "Valeria")),
    "VN": (("Nguyen", "Tran", "Le", "Pham"), ("Linh", "Minh", "Thao", "Duc")),
    "US": (("Smith", "Johnson", "Brown", "Miller"), ("Emily", "James", "Olivia", "Michael")),
    "BR": (("Silva", "Souza", "Oliveira", "Costa"), ("Ana", "João", "Beatriz", "Pedro")),
    "FR": (("Martin", "Bernard", "Dubois", "Lefèvre"), ("Camille", "Louis", "Chloé", "Hugo")),
    "GB": (("Taylor", "Davies", "Evans", "Wilson"), ("Charlotte", "Oliver", "Amelia", "Harry")),
    "IR": (("Hosseini", "Ahmadi", "Karimi", "Rahimi"), ("Sara", "Reza", "Maryam", "Ali")),
    "PK": (("Khan", "Ahmed", "Malik", "Hussain"), ("Ayesha", "Bilal", "Fatima", "Usman")),
}
BIRTH_COUNTRIES_IN_CANADA = ("IN", "CN", "PH", "IR", "PK", "NG", "MX", "VN", "US", "BR", "FR", "GB")

VISA_OFFICES = {
    "IN": "New Delhi",
    "CN": "Beijing",
    "PH": "Manila",
    "NG": "Dakar",
    "MX": "Mexico City",
    "VN": "Singapore",
    "US": "Los Angeles",
    "BR": "São Paulo",
    "FR": "Paris",
    "GB": "London",
    "CA": "Edmonton",
}
CANADIAN_OFFICES = ("Ottawa", "Mississauga", "Sydney", "Edmonton", "Vancouver", "Montréal")


@dataclass
class _File:
    """One planned application; days are counted from `today` (negative in the past)."""

    program: str
    submitted: int
    decided: int  # for an open file, the day it will be decided
    outcome: str  # "" while open
    country: str
    stages_reached: int
    stage_weights: list[float]


@dataclass(frozen=True)
class HistoryRow:
    """One file of a scenario's history as it stands today, for an estimate checked in memory."""

    program: str  # the program's code
    country: str  # of residence
    submitted_on: datetime.date
    decided_on: datetime.date | None  # None while open today
    outcome: str  # "approved", "refused" or "withdrawn"; "" while open


@dataclass(frozen=True)
class _Drawn:
    """One simulated file; days are counted from `today`, `decided` is in the future for an open file."""

    program: str
    country: str
    submitted: int
    started: int | None  # the day the office took it up; None for a withdrawn file
    decided: int  # the day it was (or will be) decided or withdrawn
    outcome: str  # the eventual outcome, even while open


def _poisson(rng: random.Random, mean: float) -> int:
    """A Poisson-distributed count (Knuth's method; the normal approximation for large means)."""
    if mean > 30:
        return max(0, round(rng.gauss(mean, math.sqrt(mean))))
    limit, count, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count


def _queue_draw(
    *,
    code: str,
    profile: Profile,
    residence: tuple[tuple[str, float], ...],
    rate: float,
    factor: float,
    scenario: Scenario,
    today: datetime.date,
    rng: random.Random,
) -> list[_Drawn]:
    """One office's queue, day by day: files submitted by today and decided in the history or later.

    `rate` is the average intake a day, `factor` how much longer than the program's median this queue takes
    (its country's factor, or 1), `residence` the countries its files come from.
    """
    median = profile.median_days * factor
    standing = rate * STANDING_WAIT * median  # the backlog the office keeps, in files
    first = -HISTORY_DAYS - math.ceil(3 * median) - WARM_UP_DAYS
    countries = [country for country, _weight in residence]
    cumulative = list(itertools.accumulate(weight for _country, weight in residence))
    intake_by_month = {
        month: rate * (1 + profile.seasonality * math.cos(2 * math.pi * (month - profile.peak_month) / 12))
        for month in range(1, 13)
    }
    ordinal, weekday = today.toordinal(), today.weekday()
    withdrawn = Application.Outcome.WITHDRAWN.value

    def arrival(day: int) -> tuple[int, str, str]:
        country = countries[bisect.bisect_right(cumulative, rng.random() * cumulative[-1])]
        draw = rng.random()
        if draw < profile.withdrawal_rate:
            outcome = withdrawn
        elif draw < profile.withdrawal_rate + profile.refusal_rate:
            outcome = Application.Outcome.REFUSED.value
        else:
            outcome = Application.Outcome.APPROVED.value
        return day, country, outcome

    # The history begins with the standing backlog, submitted evenly over the usual wait.
    waiting = deque(
        arrival(math.floor(first - STANDING_WAIT * median + index / rate)) for index in range(int(standing))
    )
    drawn: list[_Drawn] = []
    credit = 0.0
    day = first
    while True:
        intake = intake_by_month[datetime.date.fromordinal(ordinal + day).month]
        waiting.extend(arrival(day) for _ in range(_poisson(rng, intake)))
        capacity = rate + SEASONAL_STAFFING * (intake - rate) + (len(waiting) - standing) / CATCH_UP_DAYS
        credit += max(0.0, scenario.pace_on(day) * capacity)
        while waiting and (credit >= 1 or waiting[0][2] == withdrawn):
            submitted, country, outcome = waiting.popleft()
            if outcome == withdrawn:
                # Gone at some point of the wait it would have had: it takes none of the office's time.
                started, decided = None, submitted + math.floor(rng.random() * (day + 1 - submitted))
            else:
                credit -= 1
                processing = PROCESSING_SHARE * median * math.exp(rng.gauss(0, profile.sigma))
                started, decided = day, math.floor(day + rng.random() + processing)
            decided = max(submitted + 1, decided)
            if (weekday + decided) % 7 >= 5:
                decided += 7 - (weekday + decided) % 7  # offices decide on weekdays: the following Monday
            if submitted <= 0 and decided > -HISTORY_DAYS:
                drawn.append(_Drawn(code, country, submitted, started, decided, outcome))
        if not waiting:
            credit = min(credit, 1.0)  # an idle office cannot save up time
        if day >= 0 and (not waiting or waiting[0][0] > 0):
            return drawn  # every file submitted by today has been started (later ones keep the queue real)
        day += 1


def _draw(*, finalized: int, today: datetime.date, seed: int, scenario: str) -> list[_Drawn]:
    """Every queue of the scenario, each with its own random numbers (so scenarios differ only in what differs)."""
    try:
        chosen = SCENARIOS[scenario]
    except KeyError:
        raise ValueError(f"unknown scenario {scenario!r}; one of {', '.join(SCENARIOS)}") from None
    profiles = chosen.profiles()
    per_day = finalized / HISTORY_DAYS / sum(profile.share for profile in profiles.values())
    drawn: list[_Drawn] = []
    for code, profile in profiles.items():
        rate = per_day * profile.share
        if PROGRAMS[code]["times_by_country"]:
            total = sum(weight for _country, weight in profile.residence)
            queues: list[tuple[tuple[tuple[str, float], ...], float, float]] = [
                (((country, weight),), rate * weight / total, COUNTRY_FACTORS[country])
                for country, weight in profile.residence
            ]
        else:
            queues = [(profile.residence, rate, 1.0)]
        for residence, queue_rate, factor in queues:
            name = residence[0][0] if len(residence) == 1 else "all"
            drawn += _queue_draw(
                code=code,
                profile=profile,
                residence=residence,
                rate=queue_rate,
                factor=factor,
                scenario=chosen,
                today=today,
                rng=random.Random(f"{seed}:{code}:{name}"),  # noqa: S311  repeatable demo data, not secrets
            )
    drawn.sort(key=lambda item: (item.submitted, item.program, item.decided))
    return drawn


def _plan(
    *,
    finalized: int,
    today: datetime.date,
    seed: int,
    stage_counts: dict[str, int],
    scenario: str = DEFAULT_SCENARIO,
) -> list[_File]:
    """The scenario's files with their stages: those decided in the past two years and those open today.

    About `finalized` of them are decided (the intake is set for it; the exact count varies with the draw).
    The stages a file reached and their weights are drawn apart from the queues, so that the days of every
    file are the same whatever the programs' stages.
    """
    rng = random.Random(f"{seed}:stages")  # noqa: S311  repeatable demo data, not secrets
    files = []
    for item in _draw(finalized=finalized, today=today, seed=seed, scenario=scenario):
        stages = stage_counts[item.program]
        outcome = item.outcome if item.decided <= 0 else ""
        if outcome == Application.Outcome.WITHDRAWN:
            reached = rng.randint(1, max(1, stages - 1))
        elif outcome == Application.Outcome.REFUSED:
            reached = rng.randint(min(2, stages), stages)
        else:
            reached = stages  # approved, or open (its stages are scheduled up to its future decision)
        weights = [rng.uniform(0.5, 1.5) for _ in range(stages)]
        files.append(_File(item.program, item.submitted, item.decided, outcome, item.country, reached, weights))
    return files


def scenario_rows(
    scenario: str, *, today: datetime.date, finalized: int = DEFAULT_FINALIZED, seed: int = SEED
) -> list[HistoryRow]:
    """A scenario's history as plain rows, as the database would hold it on `today`, without a database.

    The same files, days and outcomes as `demo_history_load(scenario=...)` writes for the same arguments:
    those decided in the two years before `today` (about `finalized`) and those still open, in order of
    submission. An open file's future decision is not given. Raises ValueError for an unknown scenario.
    """
    rows = []
    for item in _draw(finalized=finalized, today=today, seed=seed, scenario=scenario):
        closed = item.decided <= 0
        rows.append(
            HistoryRow(
                program=item.program,
                country=item.country,
                submitted_on=today + datetime.timedelta(days=item.submitted),
                decided_on=today + datetime.timedelta(days=item.decided) if closed else None,
                outcome=item.outcome if closed else "",
            )
        )
    return rows


def _stage_schedule(item: _File, weights: dict[int, float], stage_ids: list[int]) -> list[tuple[int, float, float]]:
    """(stage, start, end) in days for each stage reached, end to end from just after submission to the decision.

    Open files are scheduled up to their future decision; the caller keeps what started before today.
    """
    start = item.submitted + 0.4 + min(5.0, 0.05 * (item.decided - item.submitted))
    end = item.decided + 0.6
    reached = stage_ids[: item.stages_reached]
    shares = [weights[stage_id] * factor for stage_id, factor in zip(reached, item.stage_weights, strict=False)]
    span, total = end - start, sum(shares)
    schedule = []
    for stage_id, share in zip(reached, shares, strict=True):
        finish = start + span * share / total
        schedule.append((stage_id, start, finish))
        start = finish
    return schedule
