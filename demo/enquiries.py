"""A year of demo enquiries in the database: tickets, messages, every change, satisfaction answers, deflections.

`demo_enquiries_load()` writes the plan of demo/enquiries_plan.py. Each ticket's life is a list of moves,
exactly the arguments of `enquiries.services.ticket_transition` calls; rather than calling it some 20,000
times (a save, a change row and up to three holiday queries each), `TicketReplica` applies the same rules with
the pure functions of enquiries/clock.py and a holiday set read once, and the rows go in with bulk inserts
dated when each thing happened. tests/demo/test_enquiries_seed.py replays planned tickets through
`ticket_transition` and checks that it writes the same fields and the same change rows.

The same seed, day and size give the same enquiries, so running it again the same day changes nothing;
another day replaces the demo's enquiries (and the client accounts it made up) with a fresh year. Demo
enquiries are the ones whose contact address ends with @clients.example.com, plus the demo applicant's.
"""

import dataclasses
import datetime
import json
import math

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from applications.models import Application, ApplicationLink, Client
from core.models import Holiday
from demo import enquiries_wording as wording
from demo.enquiries_plan import (
    CLIENT_EMAIL_DOMAIN,
    DEFAULT_COUNT,
    SEED,
    STANDARDS,
    UNCHANGED,
    WINDOW_DAYS,
    FileFacts,
    Move,
    Plan,
    PlannedTicket,
    enquiries_plan,
)
from demo.history import NUMBER_PREFIX, rows_insert
from demo.people import CRISIS_TOPIC_CODE, DEMO_CLIENT_UCI, DEMO_EMAIL, DEMO_PERSON, Kind
from demo.staff import demo_staff_ensure
from enquiries import clock
from enquiries.models import (
    CrisisChannel,
    Deflection,
    SavedReply,
    SurveyResponse,
    Ticket,
    TicketChange,
    TicketMessage,
    TicketState,
    Topic,
)
from enquiries.services import ALLOWED, CLOCK_RUNNING_STATES, TransitionRefused

CRISIS_PRIORITY = 10  # above every other topic's
# The demo applicant's files the plan writes about, by what they are.
DEMO_FILE_KINDS = {"refused": Kind.REFUSED, "waiting": Kind.WAITING}


@dataclasses.dataclass(frozen=True)
class DemoEnquiriesResult:
    tickets: int
    created: int  # 0 when the same enquiries were already there
    by_state: dict[str, int]
    deflections: int
    survey_responses: int
    crisis_channel: str
    seconds: float = 0.0


class TicketReplica:
    """A ticket's state, assignee and service clock, changed by the rules of `ticket_transition`.

    Same order of operations, same clock functions; the holidays come from a set read once instead of a
    query per call. Each `move` returns the change row `ticket_transition` would record.
    """

    def __init__(
        self,
        *,
        standard_days: int,
        holidays: frozenset[datetime.date],
        due_dates: dict[tuple[datetime.date, int], datetime.date] | None = None,
    ) -> None:
        self.holidays = holidays
        # Due dates already worked out, shared between replicas: a pure function of the start and the days.
        self.due_dates = {} if due_dates is None else due_dates
        self.state: str = TicketState.UNCONFIRMED
        self.assigned_to: str | None = None
        self.service_standard_days = standard_days
        self.queued_at: datetime.datetime | None = None
        self.clock_started_on: datetime.date | None = None
        self.paused_business_days = 0
        self.paused_since: datetime.datetime | None = None
        self.due_on: datetime.date | None = None
        self.first_answered_at: datetime.datetime | None = None
        self.first_answer_business_days: int | None = None
        self.answered_at: datetime.datetime | None = None
        self.closed_at: datetime.datetime | None = None

    def business_days_used(self, today: datetime.date) -> int:
        if self.clock_started_on is None:
            return 0
        paused_since = clock.office_date(self.paused_since) if self.paused_since else None
        return clock.business_days_used(
            started_on=self.clock_started_on,
            today=today,
            paused_days=self.paused_business_days,
            paused_since=paused_since,
            holidays=self.holidays,
        )

    def move(self, move: Move) -> dict:
        now, to_state = move.at, move.to_state
        from_state = self.state
        if to_state != from_state and to_state not in ALLOWED[TicketState(from_state)]:
            raise TransitionRefused(f"{from_state} → {to_state}")
        # The clock, as services._clock_for.
        running = to_state in CLOCK_RUNNING_STATES
        if self.clock_started_on is None and running:
            self.queued_at = now
            self.clock_started_on = clock.office_date(now)
        if self.clock_started_on is not None:
            if not running and self.paused_since is None:
                self.paused_since = now
            elif running and self.paused_since is not None:
                start, end = clock.office_date(self.paused_since), clock.office_date(now)
                self.paused_business_days += clock.business_days_between(start, end, self.holidays)
                self.paused_since = None
        if self.clock_started_on is None:
            self.due_on = None
        else:
            key = (self.clock_started_on, self.service_standard_days + self.paused_business_days)
            if key not in self.due_dates:
                self.due_dates[key] = clock.due_date(
                    started_on=self.clock_started_on,
                    standard_days=self.service_standard_days,
                    paused_days=self.paused_business_days,
                    holidays=self.holidays,
                )
            self.due_on = self.due_dates[key]
        self.state = to_state
        if move.assign != UNCHANGED:
            self.assigned_to = move.assign
        if to_state == TicketState.ANSWERED:
            self.answered_at = now
            if self.first_answered_at is None:
                self.first_answered_at = now
                self.first_answer_business_days = self.business_days_used(clock.office_date(now))
        if to_state in (TicketState.CLOSED, TicketState.MERGED, TicketState.SPAM):
            self.closed_at = now
        elif from_state in (TicketState.CLOSED, TicketState.SPAM):
            self.closed_at = None
        return {
            "from_state": from_state,
            "to_state": to_state,
            "assigned_to": self.assigned_to,
            "actor": move.actor,
            "actor_label": move.actor_label or (move.actor[:160] if move.actor else "system"),
            "note": move.note[:500],
            "created_at": now,
        }


def replay(
    ticket: PlannedTicket,
    *,
    standard_days: int,
    holidays: frozenset[datetime.date],
    due_dates: dict[tuple[datetime.date, int], datetime.date] | None = None,
) -> tuple[TicketReplica, list[dict]]:
    """The planned ticket's fields after all its moves, and its change rows (emails for people)."""
    replica = TicketReplica(standard_days=standard_days, holidays=holidays, due_dates=due_dates)
    return replica, [replica.move(move) for move in ticket.moves]


# Reading what the plan needs -----------------------------------------------------------------------------------


def _files(today: datetime.date) -> tuple[list[FileFacts], dict[str, FileFacts]]:
    """The applications the demo's clients write about, and the demo applicant's own (by what they are)."""
    pool_accounts = Q(client__account__isnull=True) | Q(client__account__email__endswith=f"@{CLIENT_EMAIL_DOMAIN}")
    # Files decided long before the year of enquiries are never written about.
    oldest = today - datetime.timedelta(days=WINDOW_DAYS + 60)
    applications = Application.objects.filter(
        Q(decided_on__isnull=True) | Q(decided_on__gte=oldest) | Q(client__uci=DEMO_CLIENT_UCI)
    )
    rows = applications.annotate(linkable=Q(number__startswith=NUMBER_PREFIX) & pool_accounts).values_list(
        "id",
        "number",
        "program__name_en",
        "program__name_fr",
        "submitted_on",
        "decided_on",
        "current_stage__name_en",
        "current_stage__name_fr",
        "last_event_at",
        "client_id",
        "client__uci",
        "client__given_names",
        "client__family_name",
        "client__preferred_language",
        "linkable",
    )
    demo_numbers = {
        key: next(scenario.number for scenario in DEMO_PERSON.scenarios if scenario.kind == kind)
        for key, kind in DEMO_FILE_KINDS.items()
    }
    files, demo_files = [], {}
    for row in rows:
        (pk, number, program_en, program_fr, submitted_on, decided_on, stage_en, stage_fr, last_event_at) = row[:9]
        client_id, uci, given, family, language, linkable = row[9:]
        facts = FileFacts(
            application_id=pk,
            number=number,
            program_en=program_en,
            program_fr=program_fr,
            submitted_on=submitted_on,
            decided_on=decided_on,
            stage_en=stage_en or "",
            stage_fr=stage_fr or "",
            stage_since=clock.office_date(last_event_at) if last_event_at else None,
            client_id=client_id,
            uci=uci,
            given_names=given,
            family_name=family,
            language=language,
            linkable=bool(linkable),
        )
        if uci == DEMO_CLIENT_UCI:
            for key, demo_number in demo_numbers.items():
                if number == demo_number:
                    demo_files[key] = facts
            continue
        files.append(facts)
    return files, demo_files


def _holidays(today: datetime.date) -> frozenset[datetime.date]:
    start = today - datetime.timedelta(days=2 * clock.HOLIDAY_HORIZON_DAYS)
    end = today + datetime.timedelta(days=clock.HOLIDAY_HORIZON_DAYS)
    return frozenset(Holiday.objects.filter(date__gte=start, date__lte=end).values_list("date", flat=True))


def _demo_tickets():
    return Ticket.objects.filter(Q(contact_email__endswith=f"@{CLIENT_EMAIL_DOMAIN}") | Q(contact_email=DEMO_EMAIL))


def _demo_deflections():
    return Deflection.objects.filter(account__email__endswith=f"@{CLIENT_EMAIL_DOMAIN}")


def _already_loaded(plan: Plan) -> bool:
    """True when the demo enquiries in the database are this plan's (whatever was done with them since)."""
    expected = {(ticket.reference, ticket.created_at) for ticket in plan.tickets}
    existing = set(_demo_tickets().values_list("reference", "created_at"))
    return existing == expected and _demo_deflections().count() == len(plan.deflections)


# Writing ----------------------------------------------------------------------------------------------------------


def crisis_channel_ensure(*, opens_at: datetime.datetime, closes_at: datetime.datetime) -> tuple[CrisisChannel, Topic]:
    """The past wildfire channel, switched off, and its topic (no longer offered), dated for this plan."""
    words = wording.CRISIS_CHANNEL
    channel, _created = CrisisChannel.objects.update_or_create(
        name_en=words["name_en"],
        defaults={**words, "is_active": False, "opens_at": opens_at, "closes_at": closes_at},
    )
    topic, _created = Topic.objects.update_or_create(
        code=CRISIS_TOPIC_CODE,
        defaults={
            **wording.CRISIS_TOPIC,
            "kind": Topic.Kind.CRISIS,
            "service_standard_days": STANDARDS[CRISIS_TOPIC_CODE],
            "priority": CRISIS_PRIORITY,
            "position": 99,
            "is_active": False,
            "crisis_channel": channel,
        },
    )
    return channel, topic


def _clear() -> None:
    """Remove the demo's enquiries, deflections and made-up clients' links (not their accounts)."""
    tickets = _demo_tickets()
    # Duplicates point at the ticket they were merged into, which is protected: they go first.
    Ticket.objects.filter(merged_into__in=tickets).delete()
    tickets.delete()
    _demo_deflections().delete()
    ApplicationLink.objects.filter(account__email__endswith=f"@{CLIENT_EMAIL_DOMAIN}").delete()
    Client.objects.filter(account__email__endswith=f"@{CLIENT_EMAIL_DOMAIN}").update(account=None)


def _joined(plan: Plan) -> dict[str, datetime.datetime]:
    """When each made-up client signed up (and linked their file): a few days before they first used the portal."""
    first: dict[str, datetime.datetime] = {}
    for ticket in plan.tickets:
        email = ticket.person.email
        first[email] = min(first.get(email, ticket.created_at), ticket.created_at)
    for item in plan.deflections:
        email = item.person.email
        first[email] = min(first.get(email, item.at), item.at)
    year_before = plan.anchor - datetime.timedelta(days=WINDOW_DAYS + 30)
    joined = {}
    for person in plan.people:
        earliest = first.get(person.email, year_before)
        moment = earliest - datetime.timedelta(days=3)
        if person.file is not None:
            submitted = datetime.datetime.combine(
                person.file.submitted_on, datetime.time(12), tzinfo=clock.office_zone()
            )
            moment = max(moment, min(submitted + datetime.timedelta(days=1), earliest - datetime.timedelta(minutes=10)))
        joined[person.email] = moment
    return joined


def _accounts_ensure(plan: Plan) -> dict[str, int]:
    """The made-up clients' accounts (verified, no usable password) and their links; ids by email."""
    user_model = get_user_model()
    wanted = {person.email: person for person in plan.people}
    existing = dict(user_model.objects.filter(email__endswith=f"@{CLIENT_EMAIL_DOMAIN}").values_list("email", "pk"))
    stale = sorted(existing[email] for email in set(existing) - set(wanted))
    for start in range(0, len(stale), 500):
        user_model.objects.filter(pk__in=stale[start : start + 500]).delete()
    joined = _joined(plan)
    missing = [person for email, person in wanted.items() if email not in existing]
    created = user_model.objects.bulk_create(
        [
            user_model(
                email=person.email,
                first_name=person.given_names[:150],
                last_name=person.family_name[:150],
                preferred_language=person.language,
                password=make_password(None),
                date_joined=joined[person.email],
            )
            for person in missing
        ],
        batch_size=500,
    )
    EmailAddress.objects.bulk_create(
        [EmailAddress(user=user, email=user.email, verified=True, primary=True) for user in created], batch_size=500
    )
    ids = dict(user_model.objects.filter(email__endswith=f"@{CLIENT_EMAIL_DOMAIN}").values_list("email", "pk"))
    # (account id, file, when linked) of every made-up client with a file.
    linked = [(ids[person.email], person.file, joined[person.email]) for person in plan.people if person.file]
    # Rows rather than bulk_create, so that each link is dated before the account's first enquiry.
    rows_insert(
        ApplicationLink,
        ("account_id", "application_id", "linked_at"),
        [(account_id, file.application_id, linked_at) for account_id, file, linked_at in linked],
    )
    # One prepared statement for all (bulk_update's CASE expressions take seconds at this size).
    table, column = Client._meta.db_table, Client._meta.get_field("account").column
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {connection.ops.quote_name(table)} SET {connection.ops.quote_name(column)} = %s WHERE id = %s",  # noqa: S608
            [(account_id, file.client_id) for account_id, file, _linked_at in linked],
        )
    return ids


TICKET_COLUMNS = (
    "reference",
    "account_id",
    "application_id",
    "topic_id",
    "crisis_channel_id",
    "state",
    "language",
    "contact_email",
    "contact_name",
    "email_confirmed_at",
    "assigned_to_id",
    "priority",
    "merged_into_id",
    "queued_at",
    "clock_started_on",
    "service_standard_days",
    "paused_business_days",
    "paused_since",
    "due_on",
    "at_risk_alerted_at",
    "breach_alerted_at",
    "first_answered_at",
    "first_answer_business_days",
    "answered_at",
    "closed_at",
    "created_at",
    "updated_at",
)
CHANGE_COLUMNS = (
    "ticket_id",
    "from_state",
    "to_state",
    "assigned_to_id",
    "actor_id",
    "actor_label",
    "note",
    "created_at",
)
MESSAGE_COLUMNS = ("ticket_id", "author_kind", "author_id", "body", "saved_reply_id", "created_at")
SURVEY_COLUMNS = ("ticket_id", "rating", "reasons", "comment", "created_at")
DEFLECTION_COLUMNS = ("topic_id", "application_id", "account_id", "created_at")


class _Writer:
    def __init__(
        self, *, plan: Plan, holidays: frozenset[datetime.date], users: dict[str, int], channel: CrisisChannel
    ):
        self.plan = plan
        self.holidays = holidays
        self.users = users
        self.channel = channel
        self.topics = {topic.code: topic for topic in Topic.objects.all()}
        self.at_risk_share = settings.ENQUIRY_AT_RISK_SHARE
        self.ids: dict[str, int] = {}

    def user(self, email: str | None) -> int | None:
        return self.users[email] if email else None

    def alerts(self, replica: TicketReplica) -> tuple[datetime.datetime | None, datetime.datetime | None]:
        """The at-risk and breach alerts an active ticket has had by today (sent at 06:00 on the day)."""
        if replica.state not in (TicketState.NEW, TicketState.OPEN) or replica.clock_started_on is None:
            return None, None
        today = self.plan.today
        threshold = math.ceil(replica.service_standard_days * self.at_risk_share)
        at_risk_day = clock.add_business_days(
            replica.clock_started_on, threshold + replica.paused_business_days, self.holidays
        )
        breach_day = clock.add_business_days(replica.due_on, 1, self.holidays) if replica.due_on else None

        queued_at = replica.queued_at or self.plan.anchor

        def sent(day: datetime.date | None) -> datetime.datetime | None:
            if day is None or day >= today:
                return None
            moment = datetime.datetime.combine(day, datetime.time(6), tzinfo=clock.office_zone())
            return max(moment, queued_at + datetime.timedelta(minutes=1))

        return sent(at_risk_day), sent(breach_day)

    def ticket_row(self, ticket: PlannedTicket, replica: TicketReplica, merged_into: int | None) -> tuple:
        topic = self.topics[ticket.topic]
        person = ticket.person
        at_risk, breach = self.alerts(replica)
        last = max([ticket.created_at, *(move.at for move in ticket.moves)])
        values = {
            "reference": ticket.reference,
            "account_id": self.user(person.email) if person.has_account else None,
            "application_id": ticket.application_id,
            "topic_id": topic.pk,
            "crisis_channel_id": self.channel.pk if ticket.crisis else None,
            "state": replica.state,
            "language": ticket.language,
            "contact_email": person.email,
            "contact_name": person.full_name[:200],
            "email_confirmed_at": ticket.email_confirmed_at,
            "assigned_to_id": self.user(replica.assigned_to),
            "priority": topic.priority,
            "merged_into_id": merged_into,
            "queued_at": replica.queued_at,
            "clock_started_on": replica.clock_started_on,
            "service_standard_days": replica.service_standard_days,
            "paused_business_days": replica.paused_business_days,
            "paused_since": replica.paused_since,
            "due_on": replica.due_on,
            "at_risk_alerted_at": at_risk,
            "breach_alerted_at": breach,
            "first_answered_at": replica.first_answered_at,
            "first_answer_business_days": replica.first_answer_business_days,
            "answered_at": replica.answered_at,
            "closed_at": replica.closed_at,
            "created_at": ticket.created_at,
            "updated_at": last,
        }
        return tuple(values[column] for column in TICKET_COLUMNS)

    def write(self) -> None:
        due_dates: dict[tuple[datetime.date, int], datetime.date] = {}
        replicas = {
            ticket.reference: replay(
                ticket,
                standard_days=self.plan.standards[ticket.topic],
                holidays=self.holidays,
                due_dates=due_dates,
            )
            for ticket in self.plan.tickets
        }
        # Tickets merged into another need its id: the others go in first.
        first = [ticket for ticket in self.plan.tickets if not ticket.merged_into]
        then = [ticket for ticket in self.plan.tickets if ticket.merged_into]
        rows_insert(Ticket, TICKET_COLUMNS, [self.ticket_row(t, replicas[t.reference][0], None) for t in first])
        self.ids = dict(_demo_tickets().values_list("reference", "pk"))
        rows_insert(
            Ticket,
            TICKET_COLUMNS,
            [self.ticket_row(t, replicas[t.reference][0], self.ids[t.merged_into]) for t in then],
        )
        self.ids = dict(_demo_tickets().values_list("reference", "pk"))
        changes, messages, surveys = [], [], []
        saved_replies = dict(SavedReply.objects.values_list("title_en", "pk"))
        for ticket in self.plan.tickets:
            ticket_id = self.ids[ticket.reference]
            for change in replicas[ticket.reference][1]:
                changes.append(
                    (
                        ticket_id,
                        change["from_state"],
                        change["to_state"],
                        self.user(change["assigned_to"]),
                        self.user(change["actor"]),
                        change["actor_label"],
                        change["note"],
                        change["created_at"],
                    )
                )
            for said in ticket.said:
                reply = saved_replies.get(said.saved_reply) if said.saved_reply else None
                messages.append((ticket_id, said.author_kind, self.user(said.author), said.body, reply, said.at))
            if ticket.rating:
                rating = ticket.rating
                surveys.append((ticket_id, rating.rating, json.dumps(list(rating.reasons)), rating.comment, rating.at))
        rows_insert(TicketChange, CHANGE_COLUMNS, changes)
        rows_insert(TicketMessage, MESSAGE_COLUMNS, messages)
        rows_insert(SurveyResponse, SURVEY_COLUMNS, surveys)
        rows_insert(
            Deflection,
            DEFLECTION_COLUMNS,
            [
                (
                    self.topics[item.topic].pk,
                    item.person.file.application_id if item.person.file else None,
                    self.users[item.person.email],
                    item.at,
                )
                for item in self.plan.deflections
            ],
        )


def _result(*, created: int, channel: CrisisChannel) -> DemoEnquiriesResult:
    by_state: dict[str, int] = {}
    for state in _demo_tickets().values_list("state", flat=True):
        by_state[state] = by_state.get(state, 0) + 1
    return DemoEnquiriesResult(
        tickets=sum(by_state.values()),
        created=created,
        by_state=by_state,
        deflections=_demo_deflections().count(),
        survey_responses=SurveyResponse.objects.filter(ticket__in=_demo_tickets()).count(),
        crisis_channel=channel.name_en,
    )


def demo_enquiries_plan(*, count: int = DEFAULT_COUNT, today: datetime.date | None = None, seed: int = SEED) -> Plan:
    """The plan for the database as it is: its applications, holidays and demo applicant."""
    today = today or timezone.localdate()
    files, demo_files = _files(today)
    holidays = _holidays(today)
    given, family = DEMO_PERSON.given_names, DEMO_PERSON.family_name
    # Agents answering "we received your document" start from the saved reply of that name.
    saved_replies = {
        code: (title_en, (body_en, body_fr))
        for code, title_en, body_en, body_fr in SavedReply.objects.filter(
            title_en="Document received", topic__isnull=False
        ).values_list("topic__code", "title_en", "body_en", "body_fr")
    }
    standards = dict(Topic.objects.values_list("code", "service_standard_days"))
    # The crisis topic is (re)made with the demo's standard.
    standards[CRISIS_TOPIC_CODE] = STANDARDS[CRISIS_TOPIC_CODE]
    return enquiries_plan(
        saved_replies=saved_replies,
        standards=standards,
        count=count,
        today=today,
        files=files,
        demo_files=demo_files,
        demo_applicant=(DEMO_EMAIL, given, family),
        holidays=holidays,
        seed=seed,
    )


def demo_enquiries_load(
    *, count: int = DEFAULT_COUNT, today: datetime.date | None = None, seed: int = SEED
) -> DemoEnquiriesResult:
    """The demo staff, the past crisis channel and `count` enquiries over the year before `today`; safe to repeat.

    Run it after the demo applications and the processing-time history: the enquiries are about them.
    """
    today = today or timezone.localdate()
    with transaction.atomic():
        staff = demo_staff_ensure()
        plan = demo_enquiries_plan(count=count, today=today, seed=seed)
        channel, _topic = crisis_channel_ensure(opens_at=plan.crisis_opens_at, closes_at=plan.crisis_closes_at)
        if _already_loaded(plan):
            return _result(created=0, channel=channel)
        _clear()
        users = _accounts_ensure(plan)
        users |= {email: user.pk for email, user in staff.items()}
        applicant = get_user_model().objects.filter(email=DEMO_EMAIL).values_list("pk", flat=True).first()
        if applicant is not None:
            users[DEMO_EMAIL] = applicant
        _Writer(plan=plan, holidays=_holidays(today), users=users, channel=channel).write()
    return _result(created=len(plan.tickets), channel=channel)
