"""Who is in the demo: the demo applicant and about fifty other people, each with what their files should show.

Plain data, no database: demo/plan.py turns it into dated histories.
"""

import dataclasses
import datetime
import enum

# Published on purpose: the run script prints them. Never run this against a production database.
DEMO_EMAIL = "demo@example.com"
DEMO_PASSWORD = "demo-portal-2026"  # noqa: S105
ADMIN_EMAIL = "admin@example.com"
ADMIN_PASSWORD = "admin-portal-2026"  # noqa: S105
# The Client Support Centre's demo staff sign in with a password and a code from an authenticator app set up
# with the published secret below (or the code `manage.py demo_totp <email>` prints).
AGENT_EMAIL = "agent@example.com"
AGENT_PASSWORD = "agent-portal-2026"  # noqa: S105
SUPERVISOR_EMAIL = "supervisor@example.com"
SUPERVISOR_PASSWORD = "supervisor-portal-2026"  # noqa: S105
# Delegates: an MP's office (a manager and a caseworker), a law firm's representative, a family member.
OFFICE_MANAGER_EMAIL = "office.manager@parl.gc.ca"
CASEWORKER_EMAIL = "caseworker@parl.gc.ca"
REPRESENTATIVE_EMAIL = "representative@okafor-law.example.com"
DESIGNATED_EMAIL = "sister@example.com"
LIAISON_EMAIL = "liaison@example.com"
DELEGATE_PASSWORD = "delegate-portal-2026"  # noqa: S105
LIAISON_PASSWORD = "liaison-portal-2026"  # noqa: S105
DEMO_TOTP_SECRETS = {
    # Every staff account needs a second step (portal.middleware.StaffSecondStepMiddleware), the administrator too,
    # and so does every member of an organisation.
    ADMIN_EMAIL: "DEMOADMINPORTALTOTPSECRETXQ7K4M2",
    AGENT_EMAIL: "DEMOAGENTPORTALTOTPSECRETQ7K4M2X",
    SUPERVISOR_EMAIL: "DEMOSUPERVISORPORTALTOTPSECRET4M",
    OFFICE_MANAGER_EMAIL: "DEMOOFFICEMANAGERTOTPSECRETK4M2X",
    CASEWORKER_EMAIL: "DEMOCASEWORKERPORTALTOTPSECRETQ7",
    REPRESENTATIVE_EMAIL: "DEMOREPRESENTATIVETOTPSECRETM2XQ",
    LIAISON_EMAIL: "DEMOLIAISONPORTALTOTPSECRETX7K4M",
}

# The applicant behind the demo account; fixed so that instructions can quote them.
DEMO_CLIENT_UCI = "1093847562"
DEMO_CLIENT_GIVEN_NAMES = "Nour"
DEMO_CLIENT_FAMILY_NAME = "Khoury"
DEMO_CLIENT_DATE_OF_BIRTH = datetime.date(1996, 4, 18)
DEMO_CLIENT_COUNTRY_OF_BIRTH = "LB"
# The demo client's application left for a newcomer to link through the form.
DEMO_UNLINKED_NUMBER = "W313920468"

# Ages are counted from a fixed year so that dates of birth do not move between runs.
REFERENCE_YEAR = 2026
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

# Offices abroad decide outside Canada (the longer judicial-review deadline); the others inside.
OFFICES_ABROAD = {"New Delhi", "Manila", "Paris"}


@dataclasses.dataclass(frozen=True)
class StaffMember:
    """Someone of the Client Support Centre: an agent of some queues, or a supervisor of all."""

    email: str
    given_names: str
    family_name: str
    language: str
    topics: tuple[str, ...]  # topic codes of the queues they work; CRISIS_TOPIC_CODE for the crisis channel's
    supervisor: bool = False
    password: str = ""  # empty: nobody signs in as them, their work is history


CRISIS_TOPIC_CODE = "crisis-wildfires"

STAFF = [
    StaffMember(AGENT_EMAIL, "Sam", "Gagnon", "en", ("status", "document", "contact"), password=AGENT_PASSWORD),
    StaffMember(SUPERVISOR_EMAIL, "Dana", "Whitfield", "en", (), supervisor=True, password=SUPERVISOR_PASSWORD),
    StaffMember("chantal.roy@support.example.com", "Chantal", "Roy", "fr", ("status", "other")),
    StaffMember(
        "imran.siddiqui@support.example.com", "Imran", "Siddiqui", "en", ("status", "urgent", CRISIS_TOPIC_CODE)
    ),
    StaffMember(
        "marie-eve.lavoie@support.example.com", "Marie-Ève", "Lavoie", "fr", ("document", "contact", CRISIS_TOPIC_CODE)
    ),
    StaffMember("daniel.cohen@support.example.com", "Daniel", "Cohen", "en", ("technical", "other")),
    StaffMember("aisha.bello@support.example.com", "Aisha", "Bello", "en", ("urgent", "status", CRISIS_TOPIC_CODE)),
    StaffMember("pierre.nguyen@support.example.com", "Pierre", "Nguyen", "fr", ("technical", "contact")),
]
