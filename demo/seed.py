"""Demo data for trying the portal: about fifty applications at every stage, a demo applicant and an administrator.

Generated from a fixed seed and keyed on application numbers, UCIs and upstream event ids, so running it
again changes nothing. History goes through `status_event_record`, the same path real upstream events take.
"""

import dataclasses
import datetime
import enum
import random
import unicodedata
from collections.abc import Callable

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from applications.models import Application, ApplicationLink, Client, Program, ProgramStage, Stage
from applications.reference_data import PROGRAMS, reference_data_load
from status_tracker.decisions import refusal_grounds_load
from status_tracker.models import Decision, RefusalGround, StageState, StatusEvent
from status_tracker.services import application_close, status_event_record

# Published on purpose: the run script prints them. Never run this against a production database.
DEMO_EMAIL = "demo@example.com"
DEMO_PASSWORD = "demo-portal-2026"  # noqa: S105
ADMIN_EMAIL = "admin@example.com"
ADMIN_PASSWORD = "admin-portal-2026"  # noqa: S105

# The applicant behind the demo account; fixed so that instructions can quote them.
DEMO_CLIENT_UCI = "1093847562"
DEMO_CLIENT_GIVEN_NAMES = "Nour"
DEMO_CLIENT_FAMILY_NAME = "Khoury"
DEMO_CLIENT_DATE_OF_BIRTH = datetime.date(1996, 4, 18)
DEMO_CLIENT_COUNTRY_OF_BIRTH = "LB"
# The demo client's application left for a newcomer to link through the form.
DEMO_UNLINKED_NUMBER = "W313920468"

SEED = 20260415
# Ages are counted from a fixed year so that dates of birth do not move between runs.
REFERENCE_YEAR = 2026
SOURCE_ID_PREFIX = "demo-"
# Ten-digit UCIs starting with 70 belong to the processing-time history (demo/history.py),
# which deletes its clients by that range; ours must never fall in it.
RESERVED_UCI_PREFIX = "70"


class Kind(enum.StrEnum):
    RECEIVED = "received"
    IN_PROGRESS = "in_progress"
    WAITING = "waiting"  # the current stage waits on the client
    SILENT = "silent"  # in progress, but nothing has happened for months
    APPROVED = "approved"
    REFUSED = "refused"
    WITHDRAWN = "withdrawn"


CLOSED_KINDS = {Kind.APPROVED, Kind.REFUSED, Kind.WITHDRAWN}


@dataclasses.dataclass(frozen=True)
class Scenario:
    program: str
    kind: Kind
    number: str = ""  # empty: drawn from the seed
    submitted_days_ago: int | None = None  # None: follows the program's service standard
    open_stage: str = ""  # for open applications: the stage where things stand now
    exempt: frozenset[str] = frozenset()
    exempt_by_chance: bool = True  # False: only the stages in `exempt` are exempted
    office: str = ""
    own_words: bool = False  # always use our own wording where we have some
    linked: bool = False  # linked to the demo account


@dataclasses.dataclass(frozen=True)
class Person:
    given_names: str
    family_name: str
    country_of_birth: str
    language: str
    scenarios: tuple[Scenario, ...]


def _one(given_names: str, family_name: str, country: str, language: str, program: str, kind: Kind) -> Person:
    return Person(given_names, family_name, country, language, (Scenario(program=program, kind=kind),))


PEOPLE = [
    _one("Maria Luisa", "Santos", "PH", "en", "spouse-sponsorship", Kind.RECEIVED),
    _one("Thi Lan", "Nguyen", "VN", "fr", "spouse-sponsorship", Kind.IN_PROGRESS),
    _one("Oluwaseun", "Adeyemi", "NG", "en", "spouse-sponsorship", Kind.WAITING),
    _one("Amira", "Haddad", "SY", "fr", "spouse-sponsorship", Kind.SILENT),
    _one("Carlos Andrés", "Gutiérrez", "CO", "en", "spouse-sponsorship", Kind.APPROVED),
    _one("Priya", "Raghunathan", "IN", "en", "express-entry-cec", Kind.IN_PROGRESS),
    _one("Wei", "Zhang", "CN", "en", "express-entry-cec", Kind.WAITING),
    _one("Léa", "Dubois", "FR", "fr", "express-entry-cec", Kind.APPROVED),
    _one("Farhan", "Chowdhury", "BD", "en", "express-entry-cec", Kind.REFUSED),
    _one("Olena", "Kovalenko", "UA", "en", "express-entry-fsw", Kind.RECEIVED),
    _one("Hiroshi", "Tanaka", "JP", "en", "express-entry-fsw", Kind.IN_PROGRESS),
    _one("Reza", "Hosseini", "IR", "en", "express-entry-fsw", Kind.SILENT),
    _one("Siobhan", "O'Connor", "IE", "en", "express-entry-fsw", Kind.APPROVED),
    _one("Rahul", "Mehta", "IN", "en", "express-entry-fsw", Kind.WITHDRAWN),
    _one("Mateo", "Rossi", "IT", "en", "express-entry-fst", Kind.IN_PROGRESS),
    _one("Kwame", "Mensah", "GH", "en", "express-entry-fst", Kind.WAITING),
    _one("Juan Pablo", "Herrera", "PE", "en", "express-entry-fst", Kind.APPROVED),
    _one("Taras", "Bondarenko", "UA", "en", "express-entry-fst", Kind.REFUSED),
    _one("Gurpreet", "Kaur", "IN", "en", "provincial-nominee", Kind.RECEIVED),
    _one("Mamadou", "Diallo", "SN", "fr", "provincial-nominee", Kind.IN_PROGRESS),
    _one("Elif", "Yılmaz", "TR", "en", "provincial-nominee", Kind.WAITING),
    _one("Grace", "Wanjiru", "KE", "en", "provincial-nominee", Kind.APPROVED),
    _one("Zainab", "Qureshi", "PK", "en", "provincial-nominee", Kind.REFUSED),
    _one("Jean-Baptiste", "Mukendi", "CD", "fr", "study-permit", Kind.RECEIVED),
    _one("Min-jun", "Park", "KR", "en", "study-permit", Kind.WAITING),
    _one("Yasmine", "Benali", "DZ", "fr", "study-permit", Kind.APPROVED),
    _one("Chidinma", "Eze", "NG", "en", "study-permit", Kind.REFUSED),
    _one("Sofía", "Ramírez", "MX", "en", "work-permit", Kind.IN_PROGRESS),
    _one("Hannah", "Schmidt", "DE", "en", "work-permit", Kind.APPROVED),
    _one("Lucas", "Martin", "FR", "fr", "work-permit", Kind.WITHDRAWN),
    _one("Fatima Zahra", "El Amrani", "MA", "fr", "visitor-visa", Kind.RECEIVED),
    _one("Samuel", "Tesfaye", "ET", "en", "visitor-visa", Kind.WAITING),
    _one("Isabel", "Cruz", "PH", "en", "visitor-visa", Kind.APPROVED),
    _one("Rosa", "Fernandes", "BR", "en", "visitor-visa", Kind.APPROVED),
    _one("Ahmad", "Rahimi", "AF", "en", "visitor-visa", Kind.REFUSED),
    _one("Widline", "Joseph", "HT", "fr", "pr-card", Kind.RECEIVED),
    _one("Aigerim", "Bekova", "KZ", "en", "pr-card", Kind.IN_PROGRESS),
    _one("Daniel", "Okonkwo", "NG", "en", "pr-card", Kind.APPROVED),
    _one("Ana", "Popescu", "RO", "fr", "pr-card", Kind.APPROVED),
    _one("Linh", "Tran", "VN", "en", "pr-card", Kind.REFUSED),
    _one("Valentina", "Morales", "CL", "en", "citizenship-grant", Kind.IN_PROGRESS),
    _one("Kofi", "Asante", "GH", "en", "citizenship-grant", Kind.WAITING),
    _one("Sara", "Tesfamariam", "ER", "en", "citizenship-grant", Kind.SILENT),
    _one("Jia Hui", "Lim", "MY", "en", "citizenship-grant", Kind.APPROVED),
    _one("Bich Ngoc", "Pham", "VN", "fr", "citizenship-grant", Kind.WITHDRAWN),
]

# Nour came to study, was once refused a visitor visa to come back after a trip home, got a
# post-graduation work permit, and is now applying for permanent residence.
DEMO_PERSON = Person(
    DEMO_CLIENT_GIVEN_NAMES,
    DEMO_CLIENT_FAMILY_NAME,
    DEMO_CLIENT_COUNTRY_OF_BIRTH,
    "en",
    (
        Scenario(
            "study-permit",
            Kind.APPROVED,
            "S309418275",
            690,
            exempt_by_chance=False,
            office="Paris",
            own_words=True,
            linked=True,
        ),
        Scenario(
            "visitor-visa",
            Kind.REFUSED,
            "V310572846",
            480,
            exempt=frozenset({"biometrics"}),
            exempt_by_chance=False,
            office="Paris",
            own_words=True,
            linked=True,
        ),
        Scenario(
            "work-permit",
            Kind.APPROVED,
            "W311846092",
            330,
            exempt=frozenset({"biometrics"}),
            exempt_by_chance=False,
            office="Edmonton",
            own_words=True,
            linked=True,
        ),
        Scenario(
            "express-entry-cec",
            Kind.WAITING,
            "E312507731",
            75,
            open_stage="medical_exam",
            exempt=frozenset({"biometrics"}),
            exempt_by_chance=False,
            office="Ottawa",
            own_words=True,
            linked=True,
        ),
        Scenario("work-permit", Kind.RECEIVED, DEMO_UNLINKED_NUMBER, 4, office="Edmonton"),
    ),
)

NUMBER_PREFIXES = {"study-permit": "S", "work-permit": "W", "visitor-visa": "V", "citizenship-grant": "C"}

VISA_OFFICES = {
    **dict.fromkeys(["IN", "BD", "PK", "AF"], "New Delhi"),
    **dict.fromkeys(["PH", "VN", "CN", "KR", "MY", "JP"], "Manila"),
    **dict.fromkeys(["FR", "BE", "MA", "DZ", "SN", "CD", "HT", "LB", "SY", "RO"], "Paris"),
}
INLAND_OFFICES = {
    "spouse-sponsorship": ("Mississauga", "Montréal"),
    "express-entry-cec": ("Ottawa", "Edmonton"),
    "express-entry-fsw": ("Ottawa", "Edmonton"),
    "express-entry-fst": ("Ottawa", "Edmonton"),
    "provincial-nominee": ("Ottawa", "Edmonton"),
    "study-permit": ("Edmonton",),
    "work-permit": ("Edmonton", "Montréal"),
    "visitor-visa": ("Ottawa",),
    "pr-card": ("Sydney (Nova Scotia)",),
    "citizenship-grant": ("Sydney (Nova Scotia)", "Montréal", "Mississauga"),
}
# Programs whose applicants usually apply from abroad; the others apply from inside Canada.
APPLIED_FROM_ABROAD = {"study-permit", "visitor-visa", "express-entry-fsw"}
APPLIED_FROM_EITHER = {"spouse-sponsorship", "work-permit"}

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

# Our own plain-language wording for a few events; the rest use the portal's default sentences.
OWN_WORDS: dict[tuple[str, str], tuple[str, str]] = {
    ("completeness", StageState.WAITING_ON_CLIENT): (
        "Your application is missing a document. Please upload a copy of the identity page of your passport "
        "within 30 days so that we can continue.",
        "Il manque un document à votre demande. Veuillez téléverser une copie de la page d'identité de votre "
        "passeport dans les 30 jours pour que nous puissions poursuivre le traitement de votre dossier.",
    ),
    ("eligibility", StageState.WAITING_ON_CLIENT): (
        "The officer reviewing your file needs more information about your work history. Read the letter we "
        "sent you by email and reply by the date it gives.",
        "L'agent qui examine votre dossier a besoin de plus de renseignements sur vos antécédents professionnels. "
        "Lisez la lettre que nous vous avons envoyée par courriel et répondez avant la date indiquée.",
    ),
    ("biometrics", StageState.WAITING_ON_CLIENT): (
        "We sent you a biometrics instruction letter by email. Please give your fingerprints and photo at a "
        "collection site within 30 days.",
        "Nous vous avons envoyé par courriel une lettre d'instructions pour les données biométriques. Veuillez "
        "fournir vos empreintes digitales et votre photo dans un point de service d'ici 30 jours.",
    ),
    ("biometrics", StageState.EXEMPTED): (
        "You gave your fingerprints and photo to us in the last 10 years, so you do not need to give them again.",
        "Vous nous avez fourni vos empreintes digitales et votre photo au cours des 10 dernières années. Vous "
        "n'avez donc pas à les fournir de nouveau.",
    ),
    ("medical_exam", StageState.WAITING_ON_CLIENT): (
        "You need a medical exam. Book it with a panel physician within 30 days and bring the instructions we "
        "sent you by email.",
        "Vous devez passer un examen médical. Prenez rendez-vous avec un médecin désigné d'ici 30 jours et "
        "apportez les instructions que nous vous avons envoyées par courriel.",
    ),
    ("background_check", StageState.IN_PROGRESS): (
        "Your background check has started. It often takes several months and we may have no news for a while. "
        "This is normal and you do not need to do anything.",
        "La vérification de vos antécédents a commencé. Elle prend souvent plusieurs mois et nous n'aurons "
        "peut-être pas de nouvelles pendant un certain temps. C'est normal et vous n'avez rien à faire.",
    ),
    ("passport_request", StageState.WAITING_ON_CLIENT): (
        "Please send your passport to the visa application centre named in our email, so that we can place "
        "your visa in it.",
        "Veuillez envoyer votre passeport au centre de réception des demandes de visa indiqué dans notre "
        "courriel, afin que nous puissions y apposer votre visa.",
    ),
    ("citizenship_test", StageState.WAITING_ON_CLIENT): (
        "We invited you to take the citizenship test online. The invitation is in your email; please take the "
        "test within 30 days.",
        "Nous vous avons invité à passer l'examen pour la citoyenneté en ligne. L'invitation se trouve dans vos "
        "courriels. Veuillez passer l'examen d'ici 30 jours.",
    ),
    ("ceremony", StageState.WAITING_ON_CLIENT): (
        "Your citizenship ceremony is booked. Please confirm that you will attend with the link in our email.",
        "Votre cérémonie de citoyenneté est prévue. Veuillez confirmer votre présence au moyen du lien qui se "
        "trouve dans notre courriel.",
    ),
    ("ceremony", StageState.COMPLETED): (
        "You took the Oath of Citizenship. Welcome, and keep your citizenship certificate in a safe place.",
        "Vous avez prêté le serment de citoyenneté. Bienvenue! Conservez votre certificat de citoyenneté en lieu sûr.",
    ),
}
DECISION_WORDS = {
    Application.Outcome.APPROVED: (
        "Good news: your application is approved. We sent you a letter by email that explains the next steps.",
        "Bonne nouvelle\u00a0: votre demande est approuvée. Nous vous avons envoyé par courriel une lettre qui "
        "explique les prochaines étapes.",
    ),
    Application.Outcome.REFUSED: (
        "We refused your application. Your decision letter, in your account, explains why and what you can do "
        "next, such as applying again.",
        "Nous avons refusé votre demande. Votre lettre de décision, dans votre compte, explique pourquoi et ce "
        "que vous pouvez faire ensuite, par exemple présenter une nouvelle demande.",
    ),
}
# The refusal grounds of each program's refused demo files, from the library in status_tracker.decisions.
REFUSAL_GROUNDS_BY_PROGRAM = {
    "spouse-sponsorship": ["relationship-not-genuine"],
    "express-entry-cec": ["program-requirements"],
    "express-entry-fsw": ["program-requirements"],
    "express-entry-fst": ["program-requirements"],
    "provincial-nominee": ["program-requirements", "documents-or-biometrics-not-provided"],
    "study-permit": ["insufficient-funds", "employment-or-study-plan"],
    "work-permit": ["employment-or-study-plan"],
    "visitor-visa": ["leave-at-end-of-stay", "purpose-of-visit"],
    "pr-card": ["program-requirements"],
    "citizenship-grant": ["program-requirements"],
}
REFUSAL_NOTES = (
    "Reviewed the application, the supporting documents and the applicant's replies.\n"
    "The requirements set out in the grounds listed were not met on the evidence provided.\n"
    "Application refused."
)
# The demo applicant's refused visitor visa: notes as an officer writes them, with what was withheld.
DEMO_REFUSED_GROUNDS = ["insufficient-funds", "leave-at-end-of-stay"]
DEMO_REFUSED_NOTES = """PA, 28, single, no dependants. Applying for a TRV to visit Canada for 4 weeks to attend a friend's
wedding in Montréal and see former classmates.
Previously held a study permit in Canada; complied with its conditions.
Employment: letter from employer in Beirut, hired [REDACTED]. Letter does not confirm approved leave or
that the position will be held on return.
Funds: bank statement shows a lump-sum deposit of [REDACTED] two weeks before the application; source not
explained. Balance before the deposit insufficient for the stated trip.
Information from partner agency: ████████████████

Weighing all factors, I am not satisfied that the PA has the means for the trip or that she will leave
Canada at the end of the authorized stay (R179(b)).
Application refused."""
# Offices abroad decide outside Canada (the longer judicial-review deadline); the others inside.
OFFICES_ABROAD = {"New Delhi", "Manila", "Paris"}

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


@dataclasses.dataclass(frozen=True)
class DemoSeedResult:
    applications_created: int
    events_created: int
    applications: int
    events: int
    clients: int
    links: int
    programs: int
    stages: int
    demo_client: Client
    demo_linked_numbers: list[str]
    demo_unlinked_number: str


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


def _plan_application(
    scenario: Scenario, *, number: str, residence: str, birth_country: str, rng: random.Random
) -> PlannedApplication:
    program = PROGRAMS[scenario.program]
    standard = program["service_standard_days"]
    full_weight = _full_weight(scenario.program)
    steps, open_index = _history(scenario, rng=rng)
    outcome = scenario.kind.value if scenario.kind in CLOSED_KINDS else ""

    # Elapsed time follows the share of the program's usual work already done, scaled to its service standard.
    weight = sum(step.weight for step in steps)
    span = max(len(steps), round(standard * weight / full_weight * rng.uniform(0.7, 1.25)))
    decided: int | None = None
    if scenario.kind == Kind.RECEIVED:
        first_weight = STAGE_STEPS["completeness"][0][1]
        days_ago = scenario.submitted_days_ago or max(
            1, round(standard * first_weight / full_weight * rng.uniform(0.3, 2))
        )
    elif outcome:
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
        events=tuple(events),
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


def _account_ensure(*, email: str, password: str, administrator: bool = False):
    """Create the account or put it back as documented: known password, verified email, right flags."""
    user_model = get_user_model()
    user, created = user_model.objects.get_or_create(
        email=email, defaults={"is_staff": administrator, "is_superuser": administrator}
    )
    changed = created
    # Hashing is slow on purpose, so only check and set the password when it may differ.
    if created or not user.check_password(password):
        user.set_password(password)
        changed = True
    if (user.is_staff, user.is_superuser, user.is_active) != (administrator, administrator, True):
        user.is_staff = user.is_superuser = administrator
        user.is_active = True
        changed = True
    if changed:
        user.save()
    EmailAddress.objects.update_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
    return user


def _occurred_at(submitted_on: datetime.date, event: PlannedEvent) -> datetime.datetime:
    day = submitted_on + datetime.timedelta(days=event.days_after_submission)
    return datetime.datetime.combine(
        day, datetime.time(event.hour, event.minute), tzinfo=timezone.get_current_timezone()
    )


def _decision_ensure(
    *, application: Application, planned: PlannedApplication, is_demo_client: bool, grounds: dict[str, RefusalGround]
) -> None:
    """Give a closed demo file its Decision row, writing only what differs from the plan."""
    refused = planned.outcome == Application.Outcome.REFUSED
    last = planned.events[-1] if planned.events else None
    wanted = {
        "outcome": planned.outcome,
        "decided_at": datetime.datetime.combine(
            application.decided_on,
            datetime.time(last.hour, last.minute) if last else datetime.time(12, 0),
            tzinfo=timezone.get_current_timezone(),
        ),
        "made_in_canada": application.processing_office not in OFFICES_ABROAD,
        "officer_notes": (DEMO_REFUSED_NOTES if is_demo_client else REFUSAL_NOTES) if refused else "",
    }
    codes = (DEMO_REFUSED_GROUNDS if is_demo_client else REFUSAL_GROUNDS_BY_PROGRAM[planned.program]) if refused else []
    decision = Decision.objects.filter(application=application).first()
    if decision is None:
        decision = Decision.objects.create(application=application, **wanted)
    elif any(getattr(decision, name) != value for name, value in wanted.items()):
        for name, value in wanted.items():
            setattr(decision, name, value)
        decision.save(update_fields=[*wanted, "updated_at"])
    wanted_grounds = {grounds[code].pk for code in codes if code in grounds}
    if set(decision.grounds.values_list("pk", flat=True)) != wanted_grounds:
        decision.grounds.set(wanted_grounds)


def demo_seed() -> DemoSeedResult:
    """Load the demo data into the database, or bring it back to the plan; safe to repeat."""
    plan = demo_plan()
    today = timezone.localdate()
    applications_created = events_created = 0
    with transaction.atomic():
        reference_data_load(stage_model=Stage, program_model=Program, program_stage_model=ProgramStage)
        stages = {stage.code: stage for stage in Stage.objects.all()}
        programs = {program.code: program for program in Program.objects.all()}
        recorded = set(
            StatusEvent.objects.filter(source_id__startswith=SOURCE_ID_PREFIX).values_list("source_id", flat=True)
        )
        refusal_grounds_load(ground_model=RefusalGround)
        grounds = {ground.code: ground for ground in RefusalGround.objects.all()}
        demo_user = _account_ensure(email=DEMO_EMAIL, password=DEMO_PASSWORD)
        _account_ensure(email=ADMIN_EMAIL, password=ADMIN_PASSWORD, administrator=True)

        for planned_client in plan:
            client, _created = Client.objects.update_or_create(
                uci=planned_client.uci,
                defaults={
                    "given_names": planned_client.given_names,
                    "family_name": planned_client.family_name,
                    "date_of_birth": planned_client.date_of_birth,
                    "country_of_birth": planned_client.country_of_birth,
                    "country_of_residence": planned_client.country_of_residence,
                    "preferred_language": planned_client.language,
                    "email": planned_client.email,
                },
            )
            for planned in planned_client.applications:
                application, created = Application.objects.get_or_create(
                    number=planned.number,
                    defaults={
                        "client": client,
                        "program": programs[planned.program],
                        "submitted_on": today - datetime.timedelta(days=planned.submitted_days_ago),
                        "channel": planned.channel,
                        "processing_office": planned.office,
                    },
                )
                applications_created += created
                # Dates count from the stored submission date, so a later run lands on the same history.
                for index, event in enumerate(planned.events):
                    source_id = f"{SOURCE_ID_PREFIX}{planned.number}-{index:02d}"
                    if source_id in recorded:
                        continue
                    status_event_record(
                        application=application,
                        stage=stages[event.stage],
                        state=event.state,
                        occurred_at=_occurred_at(application.submitted_on, event),
                        source_id=source_id,
                        message_en=event.message_en,
                        message_fr=event.message_fr,
                    )
                    events_created += 1
                if planned.outcome and application.status != Application.Status.CLOSED:
                    decided_on = application.submitted_on + datetime.timedelta(
                        days=planned.decided_days_after_submission or 0
                    )
                    application_close(application=application, outcome=planned.outcome, decided_on=decided_on)
                if planned.outcome:
                    _decision_ensure(
                        application=application,
                        planned=planned,
                        is_demo_client=planned_client.uci == DEMO_CLIENT_UCI,
                        grounds=grounds,
                    )
                if planned.linked:
                    ApplicationLink.objects.get_or_create(account=demo_user, application=application)

        demo_client = Client.objects.get(uci=DEMO_CLIENT_UCI)
        if demo_client.account_id != demo_user.pk:
            demo_client.account = demo_user
            demo_client.save(update_fields=["account"])

    demo_linked = [
        planned.number
        for client in plan
        if client.uci == DEMO_CLIENT_UCI
        for planned in client.applications
        if planned.linked
    ]
    return DemoSeedResult(
        applications_created=applications_created,
        events_created=events_created,
        applications=Application.objects.count(),
        events=StatusEvent.objects.count(),
        clients=Client.objects.count(),
        links=ApplicationLink.objects.count(),
        programs=Program.objects.count(),
        stages=Stage.objects.count(),
        demo_client=demo_client,
        demo_linked_numbers=demo_linked,
        demo_unlinked_number=DEMO_UNLINKED_NUMBER,
    )
