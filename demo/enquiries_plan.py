"""How a year of demo enquiries is drawn: who writes, about what, when, and what then happens, as plain data.

`enquiries_plan()` needs no database: it takes the applications the demo may talk about, the holidays and the
day, and returns every ticket with its dated moves (the arguments of each `ticket_transition` call), its
messages and its satisfaction answer. The same inputs give the same plan. demo/enquiries.py writes it.

So that the figures look like a real help desk's:

- About 3,000 enquiries over the twelve months before today, fewer at weekends and on holidays; status
  questions are the most frequent; about one in four is in French.
- Most are answered within the topic's standard; about one in ten is late, many more in one busy autumn
  month. Some wait on the client for a while; a few are reopened by a follow-up question.
- A wildfire evacuation channel ran for three months and closed two months ago, with its own 2-day queue.
- The centre is behind right now: the last weeks' enquiries are not all answered, some of them late.
"""

import dataclasses
import datetime
import functools
import itertools
import math
import random
import string
import zlib
from collections.abc import Set

from django.conf import settings

from core.text import fold
from demo import enquiries_wording as wording
from demo.history_plan import NAMES
from demo.people import CRISIS_TOPIC_CODE, STAFF
from enquiries import clock
from enquiries.models import TicketMessage, TicketState
from enquiries.references import ALPHABET, BODY_LENGTH, _check_character

SEED = 20261010
DEFAULT_COUNT = 3000
# Every address the demo makes up for clients ends with it: that is how a later run finds them again.
CLIENT_EMAIL_DOMAIN = "clients.example.com"
WINDOW_DAYS = 365
# Clients with an account but no application chosen ("no application yet"): always the same people.
NO_FILE_PEOPLE = 200
NO_FILE_SEED = 20260917

# Topic codes, their service standards (business days, as in the enquiries migration) and their share.
# The service standards of the topics (business days), as the enquiries migration sets them; the plan is
# given the database's, which an administrator may have changed.
STANDARDS = {"status": 10, "document": 5, "contact": 5, "urgent": 3, "technical": 5, "other": 10, CRISIS_TOPIC_CODE: 2}
TOPIC_SHARES = {"status": 0.44, "document": 0.17, "contact": 0.10, "urgent": 0.07, "technical": 0.09, "other": 0.13}
# Where the wording for each topic lives.
WORDS_FOR = {**{code: code for code in TOPIC_SHARES}, CRISIS_TOPIC_CODE: "crisis"}
# Chance that the client has not chosen an application, by topic.
NO_FILE_ODDS = {"status": 0.04, "document": 0.03, "contact": 0.08, "urgent": 0.0, "technical": 0.6, "other": 0.35}
# Chance that the agent needs something from the client first (the clock pauses), by topic.
PAUSE_ODDS = {
    "status": 0.08,
    "document": 0.30,
    "contact": 0.25,
    "urgent": 0.25,
    "technical": 0.15,
    "other": 0.10,
    CRISIS_TOPIC_CODE: 0.10,
}
ACCOUNT_SHARE = 0.6  # of the people writing about a history file: the others write as guests
CRISIS_SHARE = 0.06
CRISIS_OPENED_DAYS_AGO = 150
CRISIS_CLOSED_DAYS_AGO = 61
BREACH_ODDS = 0.055
BUSY_BREACH_ODDS = 0.26
BUSY_VOLUME = 1.5
SURGE_BREACH_ODDS = 0.25  # the crisis channel's first ten days
BACKLOG_BUSINESS_DAYS = 15  # the centre is behind on what came in during these last business days...
BACKLOG_VOLUME = 2.2  # ...because more came in than usual
NO_REPLY_ODDS = 0.12
FOLLOW_UP_ODDS = 0.12
DUPLICATE_ODDS = 0.025
SPAM_ODDS = 0.015
REOPEN_ODDS = 0.06
TRANSFER_ODDS = 0.05
NOTE_ODDS = 0.12
SURVEY_ODDS = 0.35
DEFLECTION_SHARE = 0.12  # deflections, per enquiry
OTHER_LANGUAGE_ODDS = 0.05
AUTO_CLOSE_DAYS = 14  # unless ENQUIRY_AUTO_CLOSE_DAYS says otherwise

UNCHANGED = "unchanged"  # a move that leaves the assignee as it is
# When clients write (office time): evenings are busier than mornings. Cumulative weights.
CLIENT_HOURS = range(7, 23)
CLIENT_HOUR_WEIGHTS = list(itertools.accumulate([2, 3, 4, 4, 4, 4, 4, 4, 4, 4, 5, 6, 6, 6, 5, 3]))


@dataclasses.dataclass(frozen=True)
class FileFacts:
    """What an enquiry may say about one application: the client, the program, the dates, the stage."""

    application_id: int
    number: str
    program_en: str
    program_fr: str
    submitted_on: datetime.date
    decided_on: datetime.date | None
    stage_en: str
    stage_fr: str
    stage_since: datetime.date | None  # the stage is quoted only in enquiries written after this day
    client_id: int
    uci: str
    given_names: str
    family_name: str
    language: str
    linkable: bool  # a history client: the demo may give them an account linked to this file


@dataclasses.dataclass(frozen=True)
class Person:
    given_names: str
    family_name: str
    language: str
    email: str  # the account's, or the one a guest confirmed
    has_account: bool
    file: FileFacts | None = None

    @property
    def full_name(self) -> str:
        return f"{self.given_names} {self.family_name}"

    @property
    def first_name(self) -> str:
        return self.given_names.split()[0] if self.given_names else self.family_name


@dataclasses.dataclass(frozen=True)
class Move:
    """One `ticket_transition` call: when, to which state, by whom (an email or None), why, and who is assigned."""

    at: datetime.datetime
    to_state: str
    actor: str | None = None
    actor_label: str = ""
    note: str = ""
    assign: str | None = UNCHANGED


@dataclasses.dataclass(frozen=True)
class Said:
    at: datetime.datetime
    author_kind: str
    author: str | None
    body: str
    saved_reply: str = ""  # English title of the saved reply the agent started from


@dataclasses.dataclass(frozen=True)
class Rating:
    at: datetime.datetime
    rating: int
    reasons: tuple[str, ...] = ()
    comment: str = ""


@dataclasses.dataclass
class PlannedTicket:
    reference: str
    topic: str
    language: str
    person: Person
    created_at: datetime.datetime
    email_confirmed_at: datetime.datetime | None = None
    crisis: bool = False
    merged_into: str = ""
    moves: list[Move] = dataclasses.field(default_factory=list)
    said: list[Said] = dataclasses.field(default_factory=list)
    rating: Rating | None = None

    @property
    def application_id(self) -> int | None:
        return self.person.file.application_id if self.person.file else None

    @property
    def queued_at(self) -> datetime.datetime | None:
        return self.moves[0].at if self.moves else None


@dataclasses.dataclass(frozen=True)
class Deflection:
    at: datetime.datetime
    topic: str
    person: Person


@dataclasses.dataclass
class Plan:
    today: datetime.date
    anchor: datetime.datetime  # midnight at the office today: everything planned happened before it
    tickets: list[PlannedTicket]
    deflections: list[Deflection]
    people: list[Person]  # everyone with an account the plan uses
    crisis_opens_at: datetime.datetime
    crisis_closes_at: datetime.datetime
    busy_month: datetime.date
    standards: dict[str, int]  # business days, by topic code


def _ascii(text: str) -> str:
    return "".join(char for char in fold(text) if char in string.ascii_lowercase + string.digits)


def client_email(given_names: str, family_name: str, suffix: str) -> str:
    return f"{_ascii(given_names.split()[0])}.{_ascii(family_name)}.{suffix}@{CLIENT_EMAIL_DOMAIN}"


def no_file_people() -> list[Person]:
    """The fixed pool of account holders who write without choosing an application."""
    rng = random.Random(NO_FILE_SEED)
    countries = sorted(NAMES)
    people = []
    for index in range(NO_FILE_PEOPLE):
        language = "fr" if rng.random() < 0.25 else "en"
        country = "FR" if language == "fr" and rng.random() < 0.6 else rng.choice(countries)
        family_names, given_names = NAMES[country]
        given, family = rng.choice(given_names), rng.choice(family_names)
        people.append(Person(given, family, language, client_email(given, family, f"{index:03d}"), True))
    return people


def person_for_file(file: FileFacts) -> Person:
    """The person behind a file: history clients often have an account, other demo clients write as guests."""
    has_account = file.linkable and zlib.crc32(file.number.encode()) % 100 < ACCOUNT_SHARE * 100
    # Six digits of the UCI keep the addresses of the history's clients apart (their UCIs are consecutive).
    email = client_email(file.given_names or file.family_name, file.family_name, file.uci[-6:])
    return Person(file.given_names, file.family_name, file.language, email, has_account, file)


def _busy_month(today: datetime.date) -> datetime.date:
    """A whole autumn month inside the window (October if it can be, else November or September)."""
    window_start = today - datetime.timedelta(days=WINDOW_DAYS)
    for month in (10, 11, 9):
        for year in (today.year, today.year - 1):
            first = datetime.date(year, month, 1)
            last = (first + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)
            if first >= window_start and last < today:
                return first
    raise AssertionError("a year always holds a whole autumn month")  # pragma: no cover


class _Planner:
    def __init__(
        self,
        *,
        count: int,
        today: datetime.date,
        seed: int,
        files: list[FileFacts],
        demo_files: dict[str, FileFacts],
        holidays: Set[datetime.date],
        saved_replies: dict[str, tuple[str, wording.Pair]],
        standards: dict[str, int],
    ) -> None:
        self.saved_replies = saved_replies
        self.standards = {**STANDARDS, **standards}
        self.auto_close_days = getattr(settings, "ENQUIRY_AUTO_CLOSE_DAYS", AUTO_CLOSE_DAYS)
        self.rng = random.Random(f"{seed}-{today.isoformat()}-{count}")
        self.count = count
        self.today = today
        self.holidays = holidays
        self.zone = clock.office_zone()
        self.anchor = self.at(today, 0)
        self.files = sorted(files, key=lambda file: (file.submitted_on, file.number))
        self.demo_files = demo_files
        self.no_file = no_file_people()
        self.references: set[str] = set()
        self.busy_month = _busy_month(today)
        self.crisis_opens = today - datetime.timedelta(days=CRISIS_OPENED_DAYS_AGO)
        self.crisis_closes = today - datetime.timedelta(days=CRISIS_CLOSED_DAYS_AGO)
        self.agents = {
            code: [member for member in STAFF if code in member.topics and not member.supervisor] for code in STANDARDS
        }
        self.supervisors = [member for member in STAFF if member.supervisor]
        self.staff_by_email = {member.email: member for member in STAFF}
        self.backlog_from = self.business_day_before(today, BACKLOG_BUSINESS_DAYS)
        self.days = [today - datetime.timedelta(days=back) for back in range(1, WINDOW_DAYS + 1)]
        self.day_weights = list(itertools.accumulate(self.day_weight(day) for day in self.days))
        self.topic_codes = list(TOPIC_SHARES)
        self.topic_weights = list(itertools.accumulate(TOPIC_SHARES.values()))
        self.business_days: dict[tuple[datetime.date, int], datetime.date] = {}

    # Time ----------------------------------------------------------------------------------------------------

    def at(self, day: datetime.date, minutes: int) -> datetime.datetime:
        """`minutes` after midnight at the office on `day`, on the wall clock."""
        return datetime.datetime.combine(day, datetime.time(), tzinfo=self.zone) + datetime.timedelta(minutes=minutes)

    def business_day(self, start: datetime.date, days: int) -> datetime.date:
        key = (start, days)
        if key not in self.business_days:
            self.business_days[key] = clock.add_business_days(start, days, self.holidays)
        return self.business_days[key]

    def business_day_before(self, day: datetime.date, days: int) -> datetime.date:
        while days > 0:
            day -= datetime.timedelta(days=1)
            if clock.is_business_day(day, self.holidays):
                days -= 1
        return day

    def after(self, earlier: datetime.datetime, candidate: datetime.datetime) -> datetime.datetime:
        """`candidate`, or a few minutes after `earlier` when it would not come after it."""
        if candidate > earlier:
            return candidate
        return earlier + datetime.timedelta(minutes=self.rng.randint(4, 50))

    def working_moment_between(self, start: datetime.datetime, end: datetime.datetime) -> datetime.datetime | None:
        """A moment in office hours strictly between `start` and `end`, or None when there is none."""
        first, last = clock.office_date(start), clock.office_date(end)
        days = [first + datetime.timedelta(days=offset) for offset in range((last - first).days + 1)]
        candidates = [self.office_hours(day) for day in days if clock.is_business_day(day, self.holidays)]
        candidates = [moment for moment in candidates if start < moment < end]
        return self.rng.choice(candidates) if candidates else None

    def office_hours(self, day: datetime.date) -> datetime.datetime:
        return self.at(day, self.rng.randint(8 * 60 + 30, 16 * 60 + 30))

    def client_hours(self, day: datetime.date) -> datetime.datetime:
        # Evenings are busier than mornings.
        hour = self.rng.choices(CLIENT_HOURS, cum_weights=CLIENT_HOUR_WEIGHTS)[0]
        return self.at(day, hour * 60 + self.rng.randint(0, 59))

    def day_weight(self, day: datetime.date) -> float:
        weight = 1.0 if day.weekday() < 5 else 0.3
        if day in self.holidays:
            weight *= 0.4
        if (day.year, day.month) == (self.busy_month.year, self.busy_month.month):
            weight *= BUSY_VOLUME
        if day.month in (7, 8):
            weight *= 0.85
        if day >= self.backlog_from:
            weight *= BACKLOG_VOLUME
        return weight

    # Words ---------------------------------------------------------------------------------------------------

    def values(
        self, person: Person, language: str, day: datetime.date, agent: str = "", *, stage_any_time: bool = False
    ) -> dict[str, str]:
        """What the placeholders stand for in a text written on `day` in `language`; unknown facts are absent."""
        member = self.staff_by_email.get(agent)
        values = {
            "name": person.first_name,
            "full_name": person.full_name,
            "agent": member.given_names if member else "",
        }
        file = person.file
        if file is None:
            return values
        french = language == "fr"
        values |= {
            "number": file.number,
            "submitted": _long_date(file.submitted_on, language),
            "program": file.program_fr if french else file.program_en,
        }
        if file.decided_on and file.decided_on < day:
            values["decided"] = _long_date(file.decided_on, language)
        # The current stage is only what the file showed then if nothing has happened since.
        if file.stage_en and (stage_any_time or (file.stage_since and file.stage_since < day)):
            values["stage"] = file.stage_fr if french else file.stage_en
        return values

    def choose(self, pairs: list[wording.Pair], values: dict[str, str]) -> wording.Pair:
        """One of the texts whose placeholders are all known."""
        return self.rng.choice([pair for pair in pairs if _placeholders(pair[0]) <= values.keys()])

    def client_text(self, ticket: PlannedTicket, kind: str, day: datetime.date) -> str:
        person, language = ticket.person, ticket.language
        words = wording.TOPIC_WORDS[WORDS_FOR[ticket.topic]]
        if kind == "ask":
            if person.file is None:
                pairs = words.get("ask_no_file") or wording.TOPIC_WORDS["other"]["ask_no_file"]
            elif ticket.topic == "status" and person.file.decided_on and person.file.decided_on < day:
                pairs = words["ask_decided"]
            else:
                pairs = words["ask"]
        else:
            pairs = {"reply": wording.CLIENT_REPLIES, "follow_up": wording.CLIENT_FOLLOW_UPS}[kind]
        values = self.values(person, language, day)
        core = self.choose(pairs, values)
        greeting = self.rng.choice(wording.CLIENT_GREETINGS)
        sign_off = self.rng.choice(wording.CLIENT_SIGN_OFFS)
        index = 1 if language == "fr" else 0
        parts = [greeting[index], core[index], sign_off[index]] if kind == "ask" else [core[index], sign_off[index]]
        return "\n\n".join(part for part in parts if part).format(**values)

    def agent_text(self, ticket: PlannedTicket, kind: str, day: datetime.date, agent: str) -> str:
        person, language = ticket.person, ticket.language
        words = wording.TOPIC_WORDS[WORDS_FOR[ticket.topic]]
        if kind == "answer":
            if person.file is None:
                pairs = words.get("answer_no_file") or wording.TOPIC_WORDS["other"]["answer_no_file"]
            elif ticket.topic == "status" and person.file.decided_on and person.file.decided_on < day:
                pairs = words["answer_decided"]
            else:
                pairs = words["answer"]
        elif kind == "again":
            pairs = wording.AGENT_SECOND_ANSWERS if person.file else wording.AGENT_SECOND_ANSWERS_NO_FILE
        else:
            pairs = words["request"]
        values = self.values(person, language, day, agent)
        core = self.choose(pairs, values)
        index = 1 if language == "fr" else 0
        greeting = ("Bonjour {name}," if language == "fr" else "Hello {name},") if self.rng.random() < 0.85 else ""
        parts = [greeting, core[index], wording.AGENT_SIGN_OFF[index]]
        return "\n\n".join(part for part in parts if part).format(**values)

    # People --------------------------------------------------------------------------------------------------

    def reference(self) -> str:
        while True:
            body = "".join(self.rng.choice(ALPHABET) for _ in range(BODY_LENGTH))
            raw = body + _check_character(body)
            reference = f"{raw[0:3]}-{raw[3:6]}-{raw[6:9]}"
            if reference not in self.references:
                self.references.add(reference)
                return reference

    def file_for(self, day: datetime.date, *, open_only: bool) -> FileFacts | None:
        """A file that existed on `day` and, for most questions, was not long decided (open, if asked)."""
        if not self.files:
            return None
        for _ in range(60):
            file = self.rng.choice(self.files)
            if file.submitted_on >= day:
                continue
            if open_only and file.decided_on is not None and file.decided_on < day:
                continue
            if file.decided_on is not None and file.decided_on < day - datetime.timedelta(days=45):
                continue
            return file
        return None

    def person_for(self, topic: str, day: datetime.date) -> Person:
        if self.rng.random() >= NO_FILE_ODDS.get(topic, 0.05):
            file = self.file_for(day, open_only=topic in ("status", "document", "urgent") and self.rng.random() < 0.85)
            if file is not None:
                return person_for_file(file)
        return self.rng.choice(self.no_file)

    def language_for(self, person: Person, *, crisis: bool = False) -> str:
        other = "en" if person.language == "fr" else "fr"
        odds = 0.3 if crisis and person.language == "en" else OTHER_LANGUAGE_ODDS
        return other if self.rng.random() < odds else person.language

    # Lives ---------------------------------------------------------------------------------------------------

    def agent_for(self, topic: str, exclude: str = "") -> str:
        members = [member for member in self.agents[topic] if member.email != exclude] or self.agents[topic]
        # The demo agent carries a fair share of the three queues it works.
        weights = [1.6 if member.password else 1.0 for member in members]
        return self.rng.choices(members, weights=weights)[0].email

    def queue(self, ticket: PlannedTicket) -> datetime.datetime:
        """The first message, then the queueing: at once from an account, after the confirmation for a guest."""
        person, created = ticket.person, ticket.created_at
        day = created.date()
        ticket.said.append(
            Said(
                created,
                TicketMessage.Author.CLIENT,
                person.email if person.has_account else None,
                self.client_text(ticket, "ask", day),
            )
        )
        if person.has_account:
            queued = created
            ticket.moves.append(Move(queued, TicketState.NEW, actor=person.email))
        else:
            delay = self.rng.choice([3, 5, 10, 25, 60, 180, 600, 1200])
            queued = created + datetime.timedelta(minutes=delay + self.rng.randint(0, 5))
            ticket.email_confirmed_at = queued
            ticket.moves.append(Move(queued, TicketState.NEW, actor_label=person.email, note=wording.CONFIRMED_NOTE))
        return queued

    def used_at_answer(self, standard: int, *, breach_odds: float, behind: bool) -> int:
        """Business days of the standard used when the first answer goes out."""
        if self.rng.random() < breach_odds:
            return standard + self.rng.randint(1, max(2, standard // 2 + 1))
        if behind:
            return self.rng.randint(standard // 2, standard + 2)
        return min(standard, int(self.rng.triangular(0.0, 1.0, 0.3) * (standard + 1)))

    def breach_odds(self, ticket: PlannedTicket, day: datetime.date) -> float:
        if ticket.crisis:
            return SURGE_BREACH_ODDS if (day - self.crisis_opens).days < 10 else 0.05
        if (day.year, day.month) == (self.busy_month.year, self.busy_month.month):
            return BUSY_BREACH_ODDS
        return BREACH_ODDS

    def live(self, ticket: PlannedTicket) -> None:
        """Everything that happens to a ticket from its first message, cut off at the anchor later."""
        person = ticket.person
        client = person.email if person.has_account else None
        client_label = "" if person.has_account else person.email
        standard = self.standards[ticket.topic]
        queued = self.queue(ticket)
        start = clock.office_date(queued)
        behind = start >= self.backlog_from
        used = self.used_at_answer(standard, breach_odds=self.breach_odds(ticket, start), behind=behind)
        # Behind, tickets wait in the queue before anyone picks them up.
        claimed_after = self.rng.randint(0, used if behind else min(used, 0 if standard <= 3 else 2))
        agent = self.agent_for(ticket.topic)
        moment = self.after(queued, self.office_hours(self.business_day(start, claimed_after)))
        ticket.moves.append(Move(moment, TicketState.OPEN, actor=agent, assign=agent))
        paused = 0
        if self.rng.random() < PAUSE_ODDS[ticket.topic]:
            pause_day = self.business_day(start, self.rng.randint(claimed_after, used))
            moment = self.after(moment, self.office_hours(pause_day))
            ticket.said.append(
                Said(moment, TicketMessage.Author.AGENT, agent, self.agent_text(ticket, "request", pause_day, agent))
            )
            ticket.moves.append(Move(moment, TicketState.WAITING_ON_CLIENT, actor=agent))
            if self.rng.random() < NO_REPLY_ODDS:
                close_day = self.business_day(pause_day, 15)
                closing = self.after(moment, self.office_hours(close_day))
                ticket.moves.append(Move(closing, TicketState.CLOSED, actor=agent, note=wording.NO_REPLY_CLOSE_NOTE))
                return
            paused = self.rng.choice([1, 1, 2, 2, 3, 3, 4, 5, 7, 9])
            reply_day = self.business_day(pause_day, paused)
            moment = self.after(moment, self.client_hours(reply_day))
            ticket.said.append(
                Said(moment, TicketMessage.Author.CLIENT, client, self.client_text(ticket, "reply", reply_day))
            )
            ticket.moves.append(Move(moment, TicketState.OPEN, actor=client, actor_label=client_label))
        answer_day = self.business_day(start, used + paused)
        answer = self.after(moment, self.office_hours(answer_day))
        transfer_at = self.working_moment_between(moment, answer) if self.rng.random() < TRANSFER_ODDS else None
        if transfer_at is not None:
            by = self.rng.choice([self.supervisors[0].email, agent])
            new_agent = self.agent_for(ticket.topic, exclude=agent)
            moment = transfer_at
            pair = self.rng.choice(wording.TRANSFER_NOTES)
            ticket.moves.append(Move(moment, TicketState.OPEN, actor=by, note=pair[0], assign=new_agent))
            agent = new_agent
        note_at = self.working_moment_between(moment, answer) if self.rng.random() < NOTE_ODDS else None
        if note_at is not None:
            pair = self.rng.choice(wording.AGENT_NOTES)
            member = self.staff_by_email[agent]
            ticket.said.append(
                Said(note_at, TicketMessage.Author.NOTE, agent, pair[1] if member.language == "fr" else pair[0])
            )
        answer = self.after(moment, answer)
        body, saved_reply = self.agent_text(ticket, "answer", answer_day, agent), ""
        if ticket.topic in self.saved_replies and person.file is not None and self.rng.random() < 0.4:
            saved_reply, texts = self.saved_replies[ticket.topic]
            values = self.values(person, ticket.language, answer_day, agent)
            text = texts[1 if ticket.language == "fr" else 0]
            if _placeholders(text) <= values.keys():
                body = text.format(**values)
            else:
                saved_reply = ""
        ticket.said.append(Said(answer, TicketMessage.Author.AGENT, agent, body, saved_reply))
        ticket.moves.append(Move(answer, TicketState.ANSWERED, actor=agent))
        self.rate(ticket, answer, late=used > standard)
        if self.rng.random() < REOPEN_ODDS:
            reopened = answer + datetime.timedelta(hours=self.rng.randint(6, 24 * 6))
            ticket.said.append(
                Said(
                    reopened,
                    TicketMessage.Author.CLIENT,
                    client,
                    self.client_text(ticket, "follow_up", reopened.date()),
                )
            )
            ticket.moves.append(Move(reopened, TicketState.OPEN, actor=client, actor_label=client_label))
            again_day = self.business_day(clock.office_date(reopened), self.rng.randint(1, 3))
            answer = self.after(reopened, self.office_hours(again_day))
            ticket.said.append(
                Said(answer, TicketMessage.Author.AGENT, agent, self.agent_text(ticket, "again", again_day, agent))
            )
            ticket.moves.append(Move(answer, TicketState.ANSWERED, actor=agent))
        closing_day = clock.office_date(answer) + datetime.timedelta(days=self.auto_close_days + 1)
        note = wording.AUTO_CLOSE_NOTE.format(days=self.auto_close_days)
        ticket.moves.append(Move(self.at(closing_day, 5 * 60 + self.rng.randint(0, 20)), TicketState.CLOSED, note=note))

    def rate(self, ticket: PlannedTicket, answered: datetime.datetime, *, late: bool) -> None:
        if self.rng.random() >= SURVEY_ODDS:
            return
        weights = [20, 25, 20, 20, 15] if late else [6, 8, 12, 32, 42]
        rating = self.rng.choices([1, 2, 3, 4, 5], weights=weights)[0]
        reasons: tuple[str, ...] = ()
        comment = ""
        index = 1 if ticket.language == "fr" else 0
        if rating <= 2:
            picked = set(self.rng.sample(wording.SURVEY_REASONS[1:], self.rng.randint(1, 2)))
            if late:
                picked.add("too_slow")
            reasons = tuple(code for code in wording.SURVEY_REASONS if code in picked)
            if self.rng.random() < 0.6:
                comment = self.rng.choice(wording.SURVEY_COMPLAINTS)[index]
        elif rating >= 4 and self.rng.random() < 0.35:
            comment = self.rng.choice(wording.SURVEY_PRAISE)[index]
        at = answered + datetime.timedelta(minutes=self.rng.randint(20, 4 * 24 * 60))
        ticket.rating = Rating(at, rating, reasons, comment)

    def spam(self, ticket: PlannedTicket) -> None:
        created = ticket.created_at
        ticket.said.append(
            Said(created, TicketMessage.Author.CLIENT, ticket.person.email, self.rng.choice(wording.SPAM_MESSAGES))
        )
        ticket.moves.append(Move(created, TicketState.NEW, actor=ticket.person.email))
        agent = self.agent_for(ticket.topic)
        day = self.business_day(clock.office_date(created), self.rng.randint(0, 1))
        ticket.moves.append(
            Move(self.after(created, self.office_hours(day)), TicketState.SPAM, actor=agent, note=wording.SPAM_NOTE)
        )

    def duplicate_of(self, original: PlannedTicket) -> PlannedTicket:
        """The same question sent again a little later; the agent merges it into the first."""
        created = original.created_at + datetime.timedelta(minutes=self.rng.randint(20, 20 * 60))
        copy = PlannedTicket(
            self.reference(), original.topic, original.language, original.person, created, crisis=original.crisis
        )
        queued = self.queue(copy)
        claims = [move for move in original.moves if move.to_state == TicketState.OPEN and move.assign != UNCHANGED]
        agent = claims[0].assign if claims else self.agent_for(original.topic)
        base = max(queued, claims[0].at) if claims else queued
        day = self.business_day(clock.office_date(base), self.rng.randint(0, 1))
        note = wording.MERGE_NOTE.format(reference=original.reference)
        copy.moves.append(Move(self.after(base, self.office_hours(day)), TicketState.MERGED, actor=agent, note=note))
        copy.merged_into = original.reference
        return copy

    # The whole year ------------------------------------------------------------------------------------------

    def created_on(self, day: datetime.date) -> datetime.datetime:
        return self.client_hours(day)

    def ordinary(self, total: int) -> list[PlannedTicket]:
        tickets: list[PlannedTicket] = []
        while len(tickets) < total:
            day = self.rng.choices(self.days, cum_weights=self.day_weights)[0]
            topic = self.rng.choices(self.topic_codes, cum_weights=self.topic_weights)[0]
            if self.rng.random() < SPAM_ODDS:
                person = self.rng.choice(self.no_file)
                ticket = PlannedTicket(self.reference(), topic, person.language, person, self.created_on(day))
                self.spam(ticket)
                tickets.append(ticket)
                continue
            person = self.person_for(topic, day)
            ticket = PlannedTicket(self.reference(), topic, self.language_for(person), person, self.created_on(day))
            self.live(ticket)
            tickets.append(ticket)
            if self.rng.random() < DUPLICATE_ODDS:
                tickets.append(self.duplicate_of(ticket))
            if self.rng.random() < FOLLOW_UP_ODDS:
                later = day + datetime.timedelta(days=self.rng.randint(7, 90))
                if later < self.today:
                    if self.rng.random() < 0.5:
                        topic = self.rng.choices(self.topic_codes, cum_weights=self.topic_weights)[0]
                    follow = PlannedTicket(self.reference(), topic, ticket.language, person, self.created_on(later))
                    self.live(follow)
                    tickets.append(follow)
        return tickets[:total]

    def crisis(self, total: int) -> list[PlannedTicket]:
        span = (self.crisis_closes - self.crisis_opens).days
        days = [self.crisis_opens + datetime.timedelta(days=offset) for offset in range(span)]
        # Most people write in the first days of the evacuation.
        weights = [math.exp(-offset / 12) * (1.0 if day.weekday() < 5 else 0.7) for offset, day in enumerate(days)]
        cumulative = list(itertools.accumulate(weights))
        tickets = []
        for _ in range(total):
            day = self.rng.choices(days, cum_weights=cumulative)[0]
            person = self.person_for("other" if self.rng.random() < 0.15 else "status", day)
            created = self.created_on(day)
            if day == self.crisis_opens:
                created = max(created, self.at(day, 9 * 60 + 5))
            ticket = PlannedTicket(
                self.reference(),
                CRISIS_TOPIC_CODE,
                self.language_for(person, crisis=True),
                person,
                created,
                crisis=True,
            )
            self.live(ticket)
            tickets.append(ticket)
        return tickets

    def deflections(self, total: int) -> list[Deflection]:
        topics = ["status", "document", "contact", "technical", "other"]
        made = []
        for _ in range(total):
            day = self.rng.choices(self.days, cum_weights=self.day_weights)[0]
            topic = self.rng.choices(topics, weights=[72, 14, 5, 4, 5])[0]
            file = self.file_for(day, open_only=True) if self.rng.random() < 0.9 else None
            person = person_for_file(file) if file is not None else None
            if person is None or not person.has_account:
                person = self.rng.choice(self.no_file)
            made.append(Deflection(self.created_on(day), topic, person))
        return made

    def demo_applicant(self, email: str, given: str, family: str) -> list[PlannedTicket]:
        """Nour's own enquiries: one closed long ago, one answered and rated, one waiting on her, one open."""
        files = self.demo_files
        if not {"refused", "waiting"} <= set(files):
            return []
        agent = next(member.email for member in STAFF if member.password and not member.supervisor)
        other_agent = self.agents["other"][0].email

        def person(key: str) -> Person:
            return Person(given, family, "en", email, True, files[key])

        def words(key: str, who: Person, day: datetime.date, agent_email: str = "") -> str:
            values = self.values(who, "en", day, agent_email, stage_any_time=True)
            return wording.DEMO_APPLICANT_WORDS[key][0].format(**values)

        def day(business_days_ago: int) -> datetime.date:
            return self.business_day_before(self.today, business_days_ago)

        tickets = []
        # Long ago: why was the visitor visa refused? Answered, then closed by itself.
        refused = person("refused")
        asked = self.at(day(140), 20 * 60 + 14)
        ticket = PlannedTicket(self.reference(), "other", "en", refused, asked)
        ticket.said.append(
            Said(asked, TicketMessage.Author.CLIENT, email, words("refusal_question", refused, asked.date()))
        )
        ticket.moves.append(Move(asked, TicketState.NEW, actor=email))
        claimed = self.at(day(138), 10 * 60 + 2)
        ticket.moves.append(Move(claimed, TicketState.OPEN, actor=other_agent, assign=other_agent))
        answered = self.at(day(136), 14 * 60 + 40)
        ticket.said.append(
            Said(
                answered,
                TicketMessage.Author.AGENT,
                other_agent,
                words("refusal_answer", refused, answered.date(), other_agent),
            )
        )
        ticket.moves.append(Move(answered, TicketState.ANSWERED, actor=other_agent))
        closing = self.at(answered.date() + datetime.timedelta(days=self.auto_close_days + 1), 5 * 60 + 3)
        note = wording.AUTO_CLOSE_NOTE.format(days=self.auto_close_days)
        ticket.moves.append(Move(closing, TicketState.CLOSED, note=note))
        tickets.append(ticket)
        # Last week: is anything else needed after the medical exam? Answered four days ago and rated.
        waiting = person("waiting")
        asked = self.at(day(7), 21 * 60 + 37)
        ticket = PlannedTicket(self.reference(), "status", "en", waiting, asked)
        ticket.said.append(
            Said(asked, TicketMessage.Author.CLIENT, email, words("status_question", waiting, asked.date()))
        )
        ticket.moves.append(Move(asked, TicketState.NEW, actor=email))
        claimed = self.at(day(5), 9 * 60 + 12)
        ticket.moves.append(Move(claimed, TicketState.OPEN, actor=agent, assign=agent))
        answered = self.at(day(4), 11 * 60 + 25)
        ticket.said.append(
            Said(answered, TicketMessage.Author.AGENT, agent, words("status_answer", waiting, answered.date(), agent))
        )
        ticket.moves.append(Move(answered, TicketState.ANSWERED, actor=agent))
        ticket.rating = Rating(answered + datetime.timedelta(hours=26), 5, (), "Clear and quick, thank you.")
        tickets.append(ticket)
        # This week: should she send the clinic's sheet? The agent asked for it: waiting on her.
        asked = self.at(day(4), 19 * 60 + 48)
        ticket = PlannedTicket(self.reference(), "document", "en", waiting, asked)
        ticket.said.append(
            Said(asked, TicketMessage.Author.CLIENT, email, words("document_question", waiting, asked.date()))
        )
        ticket.moves.append(Move(asked, TicketState.NEW, actor=email))
        claimed = self.at(day(2), 9 * 60 + 40)
        ticket.moves.append(Move(claimed, TicketState.OPEN, actor=agent, assign=agent))
        requested = self.at(day(2), 10 * 60 + 5)
        ticket.said.append(
            Said(
                requested,
                TicketMessage.Author.AGENT,
                agent,
                words("document_request", waiting, requested.date(), agent),
            )
        )
        ticket.moves.append(Move(requested, TicketState.WAITING_ON_CLIENT, actor=agent))
        tickets.append(ticket)
        # Yesterday: a new address; claimed by the demo agent, still open.
        moving = person("waiting")
        asked = self.at(day(2), 18 * 60 + 30)
        ticket = PlannedTicket(self.reference(), "contact", "en", moving, asked)
        ticket.said.append(
            Said(asked, TicketMessage.Author.CLIENT, email, words("contact_question", moving, asked.date()))
        )
        ticket.moves.append(Move(asked, TicketState.NEW, actor=email))
        claimed = self.at(day(1), 14 * 60 + 10)
        ticket.moves.append(Move(claimed, TicketState.OPEN, actor=agent, assign=agent))
        ticket.said.append(
            Said(claimed + datetime.timedelta(minutes=6), TicketMessage.Author.NOTE, agent, wording.DEMO_APPLICANT_NOTE)
        )
        tickets.append(ticket)
        return tickets


@functools.cache
def _placeholders(text: str) -> frozenset[str]:
    return frozenset(name for _literal, name, _spec, _conversion in string.Formatter().parse(text) if name)


def _long_date(day: datetime.date, language: str) -> str:
    month = wording.MONTHS[language][day.month - 1]
    return f"{day.day} {month} {day.year}" if language == "fr" else f"{month} {day.day}, {day.year}"


def _cut(ticket: PlannedTicket, anchor: datetime.datetime) -> PlannedTicket | None:
    """The ticket as it stands at the anchor: only what happened before it; None if it was not sent yet."""
    if ticket.created_at >= anchor:
        return None
    ticket.moves = [move for move in ticket.moves if move.at < anchor]
    ticket.said = [said for said in ticket.said if said.at < anchor]
    if ticket.rating and (
        ticket.rating.at >= anchor or not any(m.to_state == TicketState.ANSWERED for m in ticket.moves)
    ):
        ticket.rating = None
    if ticket.email_confirmed_at and ticket.email_confirmed_at >= anchor:
        ticket.email_confirmed_at = None
    if ticket.merged_into and not any(move.to_state == TicketState.MERGED for move in ticket.moves):
        ticket.merged_into = ""
    return ticket


def enquiries_plan(
    *,
    count: int,
    today: datetime.date,
    files: list[FileFacts],
    demo_files: dict[str, FileFacts],
    demo_applicant: tuple[str, str, str],
    holidays: Set[datetime.date],
    saved_replies: dict[str, tuple[str, wording.Pair]] | None = None,
    standards: dict[str, int] | None = None,
    seed: int = SEED,
) -> Plan:
    """`count` enquiries over the year before `today` (the demo applicant's own among them), and deflections.

    `files` are the applications guests and account holders may write about; `demo_files` the demo
    applicant's (keys "refused", "waiting", "approved_work"); `demo_applicant` her (email, given names,
    family name); `saved_replies` by topic code, the saved reply an agent may start from (title, texts).
    """
    planner = _Planner(
        count=count,
        today=today,
        seed=seed,
        files=files,
        demo_files=demo_files,
        holidays=holidays,
        saved_replies=saved_replies or {},
        standards=standards or {},
    )
    own = planner.demo_applicant(*demo_applicant) if count >= 20 else []
    crisis_total = round(count * CRISIS_SHARE)
    tickets = own + planner.crisis(crisis_total) + planner.ordinary(count - len(own) - crisis_total)
    kept = [cut for ticket in tickets if (cut := _cut(ticket, planner.anchor)) is not None]
    # A duplicate that was not merged yet has no original to point at.
    references = {ticket.reference for ticket in kept}
    kept = [ticket for ticket in kept if not ticket.merged_into or ticket.merged_into in references]
    deflections = [item for item in planner.deflections(round(count * DEFLECTION_SHARE)) if item.at < planner.anchor]
    people = {ticket.person.email: ticket.person for ticket in kept if ticket.person.has_account}
    people |= {item.person.email: item.person for item in deflections}
    people |= {person.email: person for person in planner.no_file}
    people.pop(demo_applicant[0], None)
    return Plan(
        today=today,
        anchor=planner.anchor,
        tickets=kept,
        deflections=deflections,
        people=sorted(people.values(), key=lambda person: person.email),
        crisis_opens_at=planner.at(planner.crisis_opens, 9 * 60),
        crisis_closes_at=planner.at(planner.crisis_closes, 17 * 60),
        busy_month=planner.busy_month,
        standards=planner.standards,
    )
