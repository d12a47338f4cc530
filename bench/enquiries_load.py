"""Fill the enquiries benchmark database: client accounts with their files, agents, and 100,000 tickets.

In one transaction, after emptying what an earlier load left (TRUNCATE … CASCADE):

- client accounts, each with a client record, one application (spread over the seeded
  programs) and the link that lets the account see it, all by INSERT … SELECT over
  generate_series; account 1 is the benchmark client, who wrote ~50 of the tickets;
- agents and a supervisor (staff, in the *Agent* / *Supervisor* groups, each agent on one
  to three topics, a TOTP authenticator for the ones the benchmark signs in), through the ORM;
- the tickets, generated in Python from a seeded random source (so every load is the same)
  and streamed in with COPY, the secondary indexes of the ticket and message tables dropped
  during the load and rebuilt from their catalog definitions after it (bench/indexes.py);
- one client message per ticket and an agent's answer for every answered one, by
  INSERT … SELECT from the tickets.

A ticket's story follows from when it was written (uniformly over the last year) and how
many business days its first answer took (mostly within the topic's standard, one in five
late): answered ones close themselves ENQUIRY_AUTO_CLOSE_DAYS later, the ones not answered
yet are the queue (new and unassigned, open with an agent, or waiting on the client with
the clock paused), some are spam or merged into the same person's earlier enquiry, and a
few recent ones from people without an account still wait for their email confirmation.
Due dates come from enquiries.clock (business days, the holiday table, pauses), so the
queue's flags (at risk, past due, paused) are true. With the defaults about 3 % of the
tickets are in the queue (new, open, waiting on the client), about 90 % closed.
"""

import datetime
import functools
import io
import random
import time
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth.models import Group, Permission
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection, transaction
from django.utils import timezone

from bench.indexes import secondary_indexes_drop, secondary_indexes_restore
from core.models import Holiday
from enquiries import clock
from enquiries.access import AGENT_GROUP, SUPERVISOR_GROUP
from enquiries.models import Ticket, TicketState, Topic
from enquiries.references import ALPHABET, BODY_LENGTH, _check_character
from portal.models import User

TICKET_COUNT = 100_000
ACCOUNT_COUNT = 30_000
BENCH_CLIENT_TICKETS = 50
OTHER_AGENT_COUNT = 22
SEED = 2026_10
HISTORY_DAYS = 365
GUEST_SHARE = 0.12  # written by people without an account (identified by their application)
NO_APPLICATION_SHARE = 0.25  # of account holders' enquiries: "no application yet"
SPAM_SHARE = 0.025
MERGED_SHARE = 0.015
LATE_SHARE = 0.2  # first answers after the standard
WAITING_SHARE = 0.3  # of open tickets: waiting on the client
TOPIC_WEIGHTS = {"status": 35, "document": 20, "contact": 10, "urgent": 8, "technical": 12, "other": 15}

ACCOUNT_EMAIL_DOMAIN = "enquiries.bench.example.com"
BENCH_CLIENT_EMAIL = "bench-enquirer@example.com"
BENCH_AGENT_EMAIL = "bench-agent@example.com"
BENCH_SUPERVISOR_EMAIL = "bench-supervisor@example.com"
# The benchmark agent works the two busiest queues, as tests/enquiries/conftest.py's agent does.
BENCH_AGENT_TOPICS = ("status", "document")
APPLICATION_NUMBER_BASE = 400_000_000  # E400000001 …
# A fixed secret for the benchmark's staff authenticators (never a real account).
BENCH_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"

# Emptied by a reload; CASCADE takes tickets, messages, documents, notifications, audit rows along.
DATA_TABLES = [
    "portal_user",
    "applications_client",
    "applications_application",
    "enquiries_ticket",
    "django_session",
]
BULK_TABLES = ["enquiries_ticket", "enquiries_ticketmessage"]

TICKET_COLUMNS = [
    "id",
    "reference",
    "account_id",
    "application_id",
    "topic_id",
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
    "first_answered_at",
    "first_answer_business_days",
    "answered_at",
    "closed_at",
    "created_at",
    "updated_at",
]


@dataclass(frozen=True)
class EnquiryLoadReport:
    loaded: bool
    seconds: float
    rows: dict[str, int]


@dataclass(frozen=True)
class People:
    client_id: int  # the benchmark client's account
    client_application_id: int
    client_application_number: str
    agent_id: int
    supervisor_id: int


def account_email(number: int) -> str:
    return BENCH_CLIENT_EMAIL if number == 1 else f"client{number}@{ACCOUNT_EMAIL_DOMAIN}"


def application_number(number: int) -> str:
    return f"E{APPLICATION_NUMBER_BASE + number}"


def row_counts() -> dict[str, int]:
    tables = {
        "accounts": "portal_user",
        "applications": "applications_application",
        "tickets": "enquiries_ticket",
        "messages": "enquiries_ticketmessage",
    }
    counts = {}
    with connection.cursor() as cursor:
        for name, table in tables.items():
            cursor.execute(f"SELECT count(*) FROM {table}")
            counts[name] = cursor.fetchone()[0]
        cursor.execute("SELECT state, count(*) FROM enquiries_ticket GROUP BY state ORDER BY count(*) DESC")
        counts.update({f"tickets_{state}": count for state, count in cursor.fetchall()})
    return counts


def people_find() -> People:
    client = User.objects.get(email=BENCH_CLIENT_EMAIL)
    number = application_number(1)
    from applications.models import Application

    application = Application.objects.only("id").get(number=number)
    return People(
        client_id=client.pk,
        client_application_id=application.pk,
        client_application_number=number,
        agent_id=User.objects.get(email=BENCH_AGENT_EMAIL).pk,
        supervisor_id=User.objects.get(email=BENCH_SUPERVISOR_EMAIL).pk,
    )


def _data_present(*, tickets: int, accounts: int) -> bool:
    if Ticket.objects.count() != tickets:
        return False
    if User.objects.filter(is_staff=False).count() != accounts:
        return False
    client = User.objects.filter(email=BENCH_CLIENT_EMAIL).first()
    return client is not None and User.objects.filter(email=BENCH_AGENT_EMAIL).exists()


def enquiries_data_load(
    *,
    tickets: int = TICKET_COUNT,
    accounts: int = ACCOUNT_COUNT,
    client_tickets: int = BENCH_CLIENT_TICKETS,
    reload: bool = False,
    seed: int = SEED,
    verbose: bool = True,
) -> EnquiryLoadReport:
    """Fill the database unless it already holds `tickets` tickets and `accounts` client accounts.

    Inside an outer transaction (a test), statistics are refreshed with ANALYZE only:
    VACUUM cannot run in a transaction.
    """
    if not reload and _data_present(tickets=tickets, accounts=accounts):
        return EnquiryLoadReport(loaded=False, seconds=0.0, rows=row_counts())
    if client_tickets > tickets:
        raise ValueError("The benchmark client cannot have written more tickets than there are.")
    started = time.perf_counter()

    def step(name: str, began: float) -> None:
        if verbose:
            print(f"  {name}: {time.perf_counter() - began:.1f} s", flush=True)

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT name FROM unnest(%s::text[]) AS name WHERE to_regclass(name) IS NOT NULL", [DATA_TABLES])
        cursor.execute(f"TRUNCATE {', '.join(row[0] for row in cursor.fetchall())} RESTART IDENTITY CASCADE")
        began = time.perf_counter()
        _accounts_insert(cursor, accounts=accounts)
        _sequences_reset(cursor, tables=["portal_user", "applications_client", "applications_application"])
        step("accounts, clients, applications, links", began)
        began = time.perf_counter()
        staff = _staff_create(seed=seed)
        step("agents and supervisor", began)
        # Check the rows so far now: a table with pending foreign-key checks cannot lose a constraint.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        dropped = secondary_indexes_drop(cursor, tables=BULK_TABLES)
        began = time.perf_counter()
        _tickets_copy(cursor, tickets=tickets, accounts=accounts, client_tickets=client_tickets, staff=staff, seed=seed)
        step(f"{tickets:,} tickets (generated and copied)", began)
        began = time.perf_counter()
        _messages_insert(cursor)
        step("messages", began)
        began = time.perf_counter()
        secondary_indexes_restore(cursor, dropped)
        step("indexes and foreign keys rebuilt", began)
        _sequences_reset(cursor, tables=["enquiries_ticket"])
    analysed = ["portal_user", "applications_client", "applications_application", "applications_applicationlink"]
    analysed += ["enquiries_ticket", "enquiries_ticketmessage", "enquiries_topic_agents"]
    with connection.cursor() as cursor:
        for table in analysed:
            # VACUUM also sets the visibility map, so index-only scans (the per-state counts) need no heap visits.
            cursor.execute(f"ANALYZE {table}" if connection.in_atomic_block else f"VACUUM (ANALYZE) {table}")
    return EnquiryLoadReport(loaded=True, seconds=time.perf_counter() - started, rows=row_counts())


def _sequences_reset(cursor, *, tables: list[str]) -> None:
    """Rows were inserted with their ids: the next id the ORM takes must come after them."""
    for table in tables:
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT coalesce(max(id), 0) + 1 FROM {table}), false)"
        )


def _accounts_insert(cursor, *, accounts: int) -> None:
    """Accounts 1..N, each with a client record, one application and the link; account 1 is the benchmark client."""
    parameters = {
        "accounts": accounts,
        "domain": ACCOUNT_EMAIL_DOMAIN,
        "bench_email": BENCH_CLIENT_EMAIL,
        "number_base": APPLICATION_NUMBER_BASE,
    }
    cursor.execute(
        """
        INSERT INTO portal_user (id, password, is_superuser, first_name, last_name, is_staff, is_active,
            date_joined, email, preferred_language)
        SELECT g, '!', false,
               (ARRAY['Marie','Jean','Aisha','Wei','Priya','Carlos','Fatima','Liam','Olga','Amir'])[1 + (g / 10) %% 10],
               (ARRAY['Tremblay','Gagnon','Roy','Singh','Nguyen','Smith','Chen','Garcia','Kaur','Martin'])[1 + g %% 10],
               false, true, now() - interval '2 years' + (g %% 600) * interval '1 day',
               CASE WHEN g = 1 THEN %(bench_email)s ELSE 'client' || g || '@' || %(domain)s END,
               CASE WHEN g %% 4 = 0 THEN 'fr' ELSE 'en' END
        FROM generate_series(1, %(accounts)s) g
        """,
        parameters,
    )
    cursor.execute(
        """
        INSERT INTO applications_client (id, uci, family_name, given_names, date_of_birth, country_of_birth,
            country_of_residence, preferred_language, email, account_id)
        SELECT u.id, (2000000000 + u.id)::text, u.last_name || '-' || u.id, u.first_name,
               date '1955-01-01' + ((u.id * 7919) %% 18000)::int,
               (ARRAY['IN','PH','CN','NG','FR','MX','BR','IR','PK','US','GB','VN'])[1 + (u.id * 31) %% 12],
               (ARRAY['CA','CA','CA','IN','PH','CN','NG','FR','MX','US'])[1 + (u.id * 17) %% 10],
               u.preferred_language, u.email, u.id
        FROM portal_user u
        """,
        parameters,
    )
    cursor.execute(
        """
        WITH programs AS (
            SELECT id, (row_number() OVER (ORDER BY id) - 1)::int AS slot, count(*) OVER ()::int AS total
            FROM applications_program
        )
        INSERT INTO applications_application (id, number, client_id, program_id, submitted_on, channel,
            processing_office, status, outcome, decided_on, last_updated_at, created_at)
        SELECT c.id, 'E' || (%(number_base)s + c.id), c.id, p.id,
               current_date - 30 - ((c.id * 37) %% 600)::int, 'online',
               (ARRAY['Ottawa','Sydney','Edmonton','Mississauga','Montréal','Vancouver'])[1 + c.id %% 6],
               'in_progress', '', NULL, now() - (c.id %% 30) * interval '1 day',
               now() - interval '30 days' - (c.id * 37 %% 600) * interval '1 day'
        FROM applications_client c JOIN programs p ON p.slot = c.id %% p.total
        """,
        parameters,
    )
    cursor.execute(
        """
        INSERT INTO applications_applicationlink (linked_at, account_id, application_id)
        SELECT now() - interval '20 days', a.client_id, a.id FROM applications_application a
        """,
        parameters,
    )


@dataclass(frozen=True)
class _Staff:
    agent_id: int
    supervisor_id: int
    by_topic: dict[int, list[int]]  # topic id -> the agents who work it (the supervisor never assigned here)


def _staff_create(*, seed: int) -> _Staff:
    """The benchmark agent and supervisor (with authenticators), and the other agents, spread over the topics."""
    from allauth.mfa.totp.internal.auth import TOTP

    rng = random.Random(seed + 1)
    agent_group = Group.objects.get(name=AGENT_GROUP)
    supervisor_group = Group.objects.get(name=SUPERVISOR_GROUP)
    view_application = Permission.objects.get(codename="view_application")
    topics = {topic.code: topic for topic in Topic.objects.all()}

    def worker(email: str, first: str, last: str, group: Group) -> User:
        user = User.objects.create(
            email=email, first_name=first, last_name=last, is_staff=True, password="!", preferred_language="en"
        )
        user.groups.add(group)
        user.user_permissions.add(view_application)
        return user

    agent = worker(BENCH_AGENT_EMAIL, "Bench", "Agent", agent_group)
    supervisor = worker(BENCH_SUPERVISOR_EMAIL, "Bench", "Supervisor", supervisor_group)
    for person in (agent, supervisor):
        TOTP.activate(person, BENCH_TOTP_SECRET)
    by_topic: dict[int, list[int]] = {topic.pk: [] for topic in topics.values()}
    for code in BENCH_AGENT_TOPICS:
        topics[code].agents.add(agent)
        by_topic[topics[code].pk].append(agent.pk)
    codes = sorted(TOPIC_WEIGHTS)
    for index in range(OTHER_AGENT_COUNT):
        other = worker(f"agent{index + 1}@{ACCOUNT_EMAIL_DOMAIN}", "Agent", f"Number {index + 1}", agent_group)
        # Every topic gets agents: the first pass covers each once, then one to three at random.
        works = {codes[index % len(codes)]} | set(rng.sample(codes, rng.randint(0, 2)))
        for code in works:
            topics[code].agents.add(other)
            by_topic[topics[code].pk].append(other.pk)
    return _Staff(agent_id=agent.pk, supervisor_id=supervisor.pk, by_topic=by_topic)


def _copy_value(value) -> str:
    if value is None:
        return r"\N"
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    return str(value)


def _tickets_copy(cursor, *, tickets: int, accounts: int, client_tickets: int, staff: _Staff, seed: int) -> None:
    rows = ticket_rows(tickets=tickets, accounts=accounts, client_tickets=client_tickets, staff=staff, seed=seed)
    buffer = io.StringIO()
    for row in rows:
        buffer.write("\t".join(_copy_value(row[column]) for column in TICKET_COLUMNS) + "\n")
    buffer.seek(0)
    cursor.copy_expert(f"COPY enquiries_ticket ({', '.join(TICKET_COLUMNS)}) FROM STDIN", buffer)


def _reference(rng: random.Random) -> str:
    """A reference as enquiries.references makes them (check character included), from the seeded source."""
    body = "".join(rng.choices(ALPHABET, k=BODY_LENGTH))
    raw = body + _check_character(body)
    return f"{raw[0:3]}-{raw[3:6]}-{raw[6:9]}"


def _office_moment(day: datetime.date, rng: random.Random) -> datetime.datetime:
    """A moment in office hours (9:00 to 16:30, office time) on `day`."""
    local = datetime.datetime.combine(day, datetime.time(9), tzinfo=clock.office_zone())
    return local + datetime.timedelta(minutes=rng.randint(0, 450))


def ticket_rows(
    *, tickets: int, accounts: int, client_tickets: int, staff: _Staff, seed: int, now: datetime.datetime | None = None
) -> Iterable[dict]:
    """The tickets' column values, oldest first (ids follow time, as in a live table)."""
    rng = random.Random(seed)
    now = now or timezone.now()
    today = clock.office_date(now)
    holidays = frozenset(Holiday.objects.values_list("date", flat=True))
    topics = list(Topic.objects.filter(code__in=TOPIC_WEIGHTS).order_by("pk"))
    weights = [TOPIC_WEIGHTS[topic.code] for topic in topics]
    auto_close = datetime.timedelta(days=settings.ENQUIRY_AUTO_CLOSE_DAYS)
    created = sorted(now - datetime.timedelta(seconds=rng.random() * HISTORY_DAYS * 86400) for _ in range(tickets))
    # The benchmark client's enquiries, spread over the year like everyone's.
    client_positions = set(rng.sample(range(tickets), client_tickets))
    references: set[str] = set()
    latest_by_account: dict[int, int] = {}

    @functools.cache
    def due(started_on: datetime.date, standard: int, paused: int) -> datetime.date:
        return clock.due_date(started_on=started_on, standard_days=standard, paused_days=paused, holidays=holidays)

    @functools.cache
    def business_day_after(start: datetime.date, days: int) -> datetime.date:
        return clock.add_business_days(start, days, holidays)

    for index, created_at in enumerate(created):
        ticket_id = index + 1
        reference = _reference(rng)
        while reference in references:
            reference = _reference(rng)
        references.add(reference)
        topic = rng.choices(topics, weights)[0]
        guest = index not in client_positions and rng.random() < GUEST_SHARE
        if index in client_positions:
            account = 1
        elif guest:
            account = None
        else:
            # A few people write often, most once or twice: skewed towards the low numbers.
            account = 2 + int((accounts - 1) * rng.random() ** 2) if accounts > 1 else 1
        if guest:
            application = 1 + int(accounts * rng.random())
            language = "fr" if rng.random() < 0.28 else "en"
            email, name = f"guest{ticket_id}@example.com", f"Guest Person {ticket_id}"
        else:
            application = account if rng.random() >= NO_APPLICATION_SHARE else None
            language = "fr" if account % 4 == 0 else "en"
            email, name = account_email(account), ""
        row = {
            "id": ticket_id,
            "reference": reference,
            "account_id": account,
            "application_id": application,
            "topic_id": topic.pk,
            "language": language,
            "contact_email": email,
            "contact_name": name,
            "priority": topic.priority,
            "service_standard_days": topic.service_standard_days,
            "created_at": created_at,
            "assigned_to_id": None,
            "merged_into_id": None,
            "email_confirmed_at": None,
            "queued_at": None,
            "clock_started_on": None,
            "paused_business_days": 0,
            "paused_since": None,
            "due_on": None,
            "first_answered_at": None,
            "first_answer_business_days": None,
            "answered_at": None,
            "closed_at": None,
        }
        confirm_delay = datetime.timedelta(minutes=rng.randint(2, 600)) if guest else datetime.timedelta(seconds=1)
        confirming = created_at + confirm_delay > now - datetime.timedelta(hours=1)
        recent = now - created_at < datetime.timedelta(days=2)
        if guest and (confirming or (recent and rng.random() < 0.3)):
            # Not confirmed (yet): no clock, not in the queue.
            row.update(state=TicketState.UNCONFIRMED, updated_at=created_at)
            yield row
            continue
        queued_at = created_at + confirm_delay
        started_on = clock.office_date(queued_at)
        row.update(
            email_confirmed_at=queued_at,
            queued_at=queued_at,
            clock_started_on=started_on,
        )
        agents = staff.by_topic[topic.pk] or [staff.agent_id]
        agent = rng.choice(agents)
        draw = rng.random()
        if draw < SPAM_SHARE + MERGED_SHARE:
            stopped = queued_at + datetime.timedelta(hours=rng.uniform(0.5, 30))
            stopped = min(stopped, now - datetime.timedelta(minutes=5))
            earlier = latest_by_account.get(account) if account is not None else None
            if draw >= SPAM_SHARE and (earlier or ticket_id > 1):
                row.update(state=TicketState.MERGED, merged_into_id=earlier or rng.randint(1, ticket_id - 1))
            else:
                row.update(state=TicketState.SPAM)
            row.update(
                assigned_to_id=agent,
                paused_since=stopped,
                closed_at=stopped,
                updated_at=stopped,
                due_on=due(started_on, topic.service_standard_days, 0),
            )
            yield row
            continue
        if account is not None:
            latest_by_account[account] = ticket_id
        # How many business days the first answer takes, and how many the client held the ticket before it.
        standard = topic.service_standard_days
        answer_days = standard + rng.randint(1, 6) if rng.random() < LATE_SHARE else rng.randint(0, standard)
        paused = rng.randint(1, 4) if rng.random() < 0.2 else 0
        answer_day = business_day_after(started_on, answer_days + paused)
        answered_at = max(_office_moment(answer_day, rng), queued_at + datetime.timedelta(minutes=20))
        row["due_on"] = due(started_on, standard, paused)
        if answered_at < now:
            row.update(
                assigned_to_id=agent,
                paused_business_days=paused,
                paused_since=answered_at,  # the clock stops when the answer goes out
                first_answered_at=answered_at,
                first_answer_business_days=answer_days,
                answered_at=answered_at,
            )
            if answered_at + auto_close < now:
                closed_at = answered_at + auto_close
                row.update(state=TicketState.CLOSED, closed_at=closed_at, updated_at=closed_at)
            else:
                row.update(state=TicketState.ANSWERED, updated_at=answered_at)
            yield row
            continue
        # Not answered yet: the queue. New ones wait for someone to claim them.
        business_days_in = clock.business_days_between(started_on, today, holidays)
        if business_days_in < 1 or rng.random() < 0.3:
            row.update(
                state=TicketState.NEW,
                due_on=due(started_on, standard, 0),
                updated_at=queued_at,
            )
        elif rng.random() < WAITING_SHARE:
            # Asked the client something; the clock stands still since then.
            asked = min(
                queued_at + datetime.timedelta(hours=rng.uniform(2, 24 * max(1, (now - queued_at).days))),
                now - datetime.timedelta(minutes=30),
            )
            row.update(
                state=TicketState.WAITING_ON_CLIENT,
                assigned_to_id=agent,
                paused_since=asked,
                due_on=due(started_on, standard, 0),
                updated_at=asked,
            )
        else:
            row.update(
                state=TicketState.OPEN,
                assigned_to_id=agent,
                paused_business_days=paused,
                updated_at=queued_at + datetime.timedelta(hours=1),
            )
        yield row


def _messages_insert(cursor) -> None:
    """The client's first message on every ticket, and the agent's answer on every answered one."""
    cursor.execute(
        """
        INSERT INTO enquiries_ticketmessage (ticket_id, author_kind, author_id, body, created_at)
        SELECT t.id, 'client', t.account_id,
               CASE WHEN t.language = 'fr'
                    THEN (ARRAY['Où en est mon dossier ? Je n''ai pas de nouvelles depuis des semaines.',
                                'J''ai envoyé le document demandé, pouvez-vous confirmer sa réception ?',
                                'Mon adresse a changé, voici la nouvelle.'])[1 + t.id % 3]
                    ELSE (ARRAY['Where is my application? I have not heard anything for weeks.',
                                'I sent the document you asked for; can you confirm you received it?',
                                'My address changed; here is the new one.'])[1 + t.id % 3] END,
               t.created_at
        FROM enquiries_ticket t
        """
    )
    cursor.execute(
        """
        INSERT INTO enquiries_ticketmessage (ticket_id, author_kind, author_id, body, created_at)
        SELECT t.id, 'agent', t.assigned_to_id,
               CASE WHEN t.language = 'fr'
                    THEN 'Bonjour, merci de votre message. Votre dossier suit son cours ; nous vous écrirons dès qu''il avance.'
                    ELSE 'Hello, thank you for writing. Your file is moving along; we will write as soon as it moves on.' END,
               t.first_answered_at
        FROM enquiries_ticket t
        WHERE t.first_answered_at IS NOT NULL
        """
    )


# --- signed-in sessions ---------------------------------------------------------------------------


def sessions_create(*, user: User, count: int, second_step: bool) -> list[str]:
    """`count` sessions of `user` signed in as tests/factories.py `sign_in_with_second_step` signs staff in.

    The auth keys of a login, and for staff allauth's records of both steps (password,
    then TOTP with the user's authenticator), which StaffSecondStepMiddleware and
    enquiries.access.agent_verified read. Several sessions per person so that concurrent
    requests never queue on one session row when the idle refresh rewrites it.
    """
    from allauth.mfa.models import Authenticator

    authenticator = None
    if second_step:
        authenticator = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)
    keys = []
    for _index in range(count):
        session = SessionStore()
        session[SESSION_KEY] = user._meta.pk.value_to_string(user)
        session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        if authenticator is not None:
            now = time.time()
            session["account_authentication_methods"] = [
                {"method": "password", "at": now, "email": user.email},
                {"method": "mfa", "at": now, "id": authenticator.pk, "type": "totp"},
            ]
            session["account_authentication_methods_user"] = str(user.pk)
        session.create()
        keys.append(session.session_key)
    return keys
