"""How the processing-time history is drawn: per-program profiles and the plan of every file, as plain data.

So that the figures and the monthly trend move as they would in real life:

- Each program has its own skewed (lognormal) processing time: visitor visas take a few weeks with a long
  tail, citizenship more than a year. Visitor visas, study and work permits also depend on the country of
  residence (the department publishes those times per country).
- Intake follows the seasons (study permits peak in spring, visitor visas in summer).
- Offices slow down for six months in the middle of the period (to 60% of their usual pace), then catch up
  faster than usual for four months: files in progress during the slowdown take longer, decisions per
  month drop, the backlog grows and then shrinks.
- Most decisions are approvals; each program has its own refusal rate, and a few files are withdrawn.

demo/history.py writes the plan to the database.
"""

import bisect
import datetime
import itertools
import math
import random
from dataclasses import dataclass

from applications.models import Application
from applications.reference_data import PROGRAMS

SEED = 20260502
DEFAULT_FINALIZED = 20_000
HISTORY_DAYS = 730  # decisions made in the last two years


@dataclass(frozen=True)
class Profile:
    """How one program's files arrive and are decided."""

    share: float  # of the decisions made over the two years
    median_days: float  # at the usual pace
    sigma: float  # lognormal spread: 0.6 gives a long tail, 0.2 a tight one
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

# The pace of the offices relative to usual, by days before `today`: a slowdown, then a catch-up.
PACE = (
    (-math.inf, -480.0, 1.0),
    (-480.0, -300.0, 0.6),
    (-300.0, -180.0, 1.3),
    (-180.0, math.inf, 1.0),
)
SLOWEST_PACE = min(speed for _start, _end, speed in PACE)

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


def _quotas(total: int) -> dict[str, int]:
    """Split `total` decisions between programs by share (largest remainder), at least one each."""
    raw = {code: profile.share * total for code, profile in PROFILES.items()}
    quotas = {code: max(1, math.floor(value)) for code, value in raw.items()}
    by_remainder = sorted(raw, key=lambda code: raw[code] - math.floor(raw[code]), reverse=True)
    index = 0
    while sum(quotas.values()) < total:
        quotas[by_remainder[index % len(by_remainder)]] += 1
        index += 1
    return quotas


def _decision_day(submitted: float, work_days: float) -> float:
    """The day on which `work_days` of work at the usual pace are done, given the offices' pace over time."""
    moment = submitted
    for start, end, speed in PACE:
        if moment >= end:
            continue
        moment = max(moment, start)
        capacity = (end - moment) * speed
        if work_days <= capacity:
            return moment + work_days / speed
        work_days -= capacity
        moment = end
    raise AssertionError("the last pace never ends")  # pragma: no cover


def _plan(*, finalized: int, today: datetime.date, seed: int, stage_counts: dict[str, int]) -> list[_File]:
    """Draw files program by program until each has its quota of decisions in the past two years.

    Submission days go back far enough that even slow files decided two years ago are covered; files decided
    before the two years are dropped, files not decided by today form the backlog.
    """
    rng = random.Random(seed)  # noqa: S311  repeatable demo data, not secrets
    files: list[_File] = []
    for code, quota in _quotas(finalized).items():
        profile = PROFILES[code]
        by_country = PROGRAMS[code]["times_by_country"]
        slowest = max(COUNTRY_FACTORS.values()) if by_country else 1.0
        lookback = HISTORY_DAYS + math.ceil(profile.median_days * math.exp(3 * profile.sigma) * slowest / SLOWEST_PACE)
        # Chance that a file drawn on a given day is kept: intake relative to the peak month.
        months = [(today - datetime.timedelta(days=back)).month for back in range(lookback + 1)]
        keep = [
            (1 + profile.seasonality * math.cos(2 * math.pi * (month - profile.peak_month) / 12))
            / (1 + profile.seasonality)
            for month in months
        ]
        countries = [country for country, _weight in profile.residence]
        cumulative = list(itertools.accumulate(weight for _country, weight in profile.residence))
        stages = stage_counts[code]
        decided_count = 0
        while decided_count < quota:
            submitted = -rng.randint(0, lookback)
            if rng.random() > keep[-submitted]:
                continue  # fewer files arrive in the quiet months
            country = countries[bisect.bisect_right(cumulative, rng.random() * cumulative[-1])]
            work = profile.median_days * math.exp(rng.gauss(0, profile.sigma))
            if by_country:
                work *= COUNTRY_FACTORS[country]
            draw = rng.random()
            if draw < profile.withdrawal_rate:
                outcome = Application.Outcome.WITHDRAWN.value
                work *= rng.uniform(0.1, 0.8)
                reached = rng.randint(1, max(1, stages - 1))
            elif draw < profile.withdrawal_rate + profile.refusal_rate:
                outcome = Application.Outcome.REFUSED.value
                reached = rng.randint(min(2, stages), stages)
            else:
                outcome = Application.Outcome.APPROVED.value
                reached = stages
            decided = max(submitted + 1, math.floor(_decision_day(submitted + 0.5, work)))
            weekday = (today + datetime.timedelta(days=decided)).weekday()
            if weekday >= 5:
                decided += 7 - weekday  # offices decide on weekdays: the following Monday
            if decided <= -HISTORY_DAYS:
                continue  # decided before the history starts
            if decided > 0:
                outcome, reached = "", stages  # still open today
            else:
                decided_count += 1
            weights = [rng.uniform(0.5, 1.5) for _ in range(stages)]
            files.append(_File(code, submitted, decided, outcome, country, reached, weights))
    files.sort(key=lambda item: (item.submitted, item.program, item.decided))
    return files


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
