"""The demo's year of enquiries: believable figures, lives the service clock agrees with, and staff who can sign in.

Seeded once for the module (a smaller year: SEEDED enquiries over a small history) on a fixed day, inside a
transaction rolled back at the end; each test runs in its own savepoint.
"""

import datetime
import io
import random
import re
import time
import zoneinfo
from collections import Counter

import pytest
import time_machine
from allauth.mfa.models import Authenticator
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Q
from django.test import override_settings
from django.urls import reverse

from applications.models import ApplicationLink
from demo import people
from demo.enquiries import demo_enquiries_load, demo_enquiries_plan
from demo.enquiries_plan import CLIENT_EMAIL_DOMAIN, UNCHANGED
from demo.history import demo_history_load
from demo.seed import demo_seed
from enquiries import clock
from enquiries.access import agent_verified, tickets_for_client
from enquiries.models import (
    CrisisChannel,
    Deflection,
    SurveyResponse,
    Ticket,
    TicketChange,
    TicketMessage,
    TicketState,
    Topic,
)
from enquiries.references import reference_new
from enquiries.services import ALLOWED, ticket_locked, ticket_transition

pytestmark = pytest.mark.django_db

SEEDED = 600
HISTORY = 300
# A Wednesday in November: the autumn's busy month and the crisis both fall inside the year before it.
SEED_DAY = datetime.date(2026, 11, 18)
SEED_MOMENT = datetime.datetime(2026, 11, 18, 10, 30, tzinfo=zoneinfo.ZoneInfo("America/Toronto"))
CLOCK_FIELDS = [
    "state",
    "assigned_to_id",
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
]


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """Demo files, a small history and SEEDED enquiries, as they were on SEED_DAY; the load's result and time."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            with override_settings(DEBUG=True), time_machine.travel(SEED_MOMENT, tick=True):
                demo_seed()
                demo_history_load(finalized=HISTORY, today=SEED_DAY)
                started = time.perf_counter()
                result = demo_enquiries_load(count=SEEDED, today=SEED_DAY)
                yield result, time.perf_counter() - started
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def result(seeded):
    return seeded[0]


def demo_tickets():
    return Ticket.objects.filter(
        Q(contact_email__endswith=f"@{CLIENT_EMAIL_DOMAIN}") | Q(account__email=people.DEMO_EMAIL)
    )


def answered_tickets():
    return demo_tickets().filter(first_answered_at__isnull=False)


def late(tickets) -> list[Ticket]:
    return [ticket for ticket in tickets if clock.office_date(ticket.first_answered_at) > ticket.due_on]


def test_it_loads_the_number_asked_for_all_sent_in_the_year_before_the_day(result):
    assert result.created == result.tickets
    assert SEEDED * 0.98 <= demo_tickets().count() <= SEEDED
    midnight = datetime.datetime.combine(SEED_DAY, datetime.time(), tzinfo=clock.office_zone())
    year_ago = midnight - datetime.timedelta(days=366)
    assert not demo_tickets().filter(Q(created_at__gte=midnight) | Q(created_at__lt=year_ago)).exists()
    assert not TicketChange.objects.filter(ticket__in=demo_tickets(), created_at__gte=midnight).exists()
    assert not TicketMessage.objects.filter(ticket__in=demo_tickets(), created_at__gte=midnight).exists()


def test_status_questions_are_the_most_frequent_and_every_topic_has_enquiries(result):
    by_topic = Counter(demo_tickets().values_list("topic__code", flat=True))
    # The parliamentary offices' queue is fed only by offices writing under a grant, which the history does not make.
    clients_topics = Topic.objects.exclude(kind=Topic.Kind.PARLIAMENTARY).values_list("code", flat=True)
    assert set(by_topic) == set(clients_topics)
    assert by_topic.most_common(1)[0][0] == "status"
    assert 0.3 < by_topic["status"] / sum(by_topic.values()) < 0.55


def test_about_one_in_four_is_in_french(result):
    languages = Counter(demo_tickets().values_list("language", flat=True))
    assert 0.17 < languages["fr"] / sum(languages.values()) < 0.35


def test_each_enquiry_is_worded_in_its_own_language_with_every_placeholder_filled(result):
    signatures = {"en": "Client Support Centre", "fr": "Centre de soutien à la clientèle"}
    answers = TicketMessage.objects.filter(ticket__in=demo_tickets(), author_kind=TicketMessage.Author.AGENT)
    for body, language in answers.values_list("body", "ticket__language"):
        assert signatures[language] in body
    for body in TicketMessage.objects.filter(ticket__in=demo_tickets()).values_list("body", flat=True):
        assert not re.search(r"\{[a-z_]+\}", body), body
    # Clients who wrote about a file quote its number.
    about_files = TicketMessage.objects.filter(
        ticket__in=demo_tickets().exclude(application=None).exclude(state=TicketState.SPAM),
        author_kind=TicketMessage.Author.CLIENT,
    ).select_related("ticket__application")
    quoting = [message for message in about_files if message.ticket.application.number in message.body]
    assert len(quoting) > len(about_files) / 2


def test_about_one_answer_in_ten_is_late_and_more_in_the_busy_autumn_month(result):
    answered = list(answered_tickets())
    overall = len(late(answered)) / len(answered)
    assert 0.05 < overall < 0.16
    october = [ticket for ticket in answered if clock.office_date(ticket.queued_at).month == 10]
    assert len(late(october)) / len(october) > 1.8 * overall


def test_some_waited_on_the_client_and_came_back_with_a_later_due_date(result):
    paused = demo_tickets().filter(paused_business_days__gt=0)
    assert paused.count() > SEEDED * 0.05
    for ticket in paused[:30]:
        standard_due = clock.add_business_days(
            ticket.clock_started_on, ticket.service_standard_days, clock.holidays_from(ticket.clock_started_on)
        )
        assert ticket.due_on > standard_due
        # The clock stopped while the client held the ticket: waiting on them, or answered until they wrote back.
        states = list(ticket.changes.values_list("to_state", flat=True))
        assert {TicketState.WAITING_ON_CLIENT, TicketState.ANSWERED, TicketState.CLOSED} & set(states)


def test_about_a_third_of_answered_enquiries_are_rated_mostly_satisfied_and_bad_ratings_say_why(result):
    answers = SurveyResponse.objects.filter(ticket__in=demo_tickets())
    assert 0.25 < answers.count() / answered_tickets().count() < 0.45
    ratings = Counter(answers.values_list("rating", flat=True))
    assert ratings[4] + ratings[5] > 0.55 * answers.count()
    assert ratings[1] + ratings[2] > 0
    for response in answers.filter(rating__lte=2):
        assert response.reasons
        assert response.created_at > response.ticket.first_answered_at
    assert answers.exclude(comment="").exists()


def test_the_queue_has_work_due_around_the_day_some_at_risk_and_some_late(result):
    active = demo_tickets().filter(state__in=[TicketState.NEW, TicketState.OPEN])
    assert active.count() > SEEDED * 0.03
    due = [ticket.due_on for ticket in active]
    assert any(day < SEED_DAY for day in due)
    assert any(day >= SEED_DAY for day in due)
    assert all(abs((day - SEED_DAY).days) <= 45 for day in due)
    assert active.filter(state=TicketState.NEW, assigned_to=None).exists()
    assert active.filter(assigned_to__email=people.AGENT_EMAIL).exists()
    breached = active.filter(due_on__lt=SEED_DAY - datetime.timedelta(days=1))
    assert breached.exclude(breach_alerted_at=None).exists()


def test_every_ticket_went_through_changes_the_transition_rules_allow(result):
    changes: dict[int, list] = {}
    for row in (
        TicketChange.objects.filter(ticket__in=demo_tickets())
        .order_by("created_at", "id")
        .values_list("ticket_id", "from_state", "to_state", "created_at")
    ):
        changes.setdefault(row[0], []).append(row[1:])
    for ticket in demo_tickets():
        chain = changes.get(ticket.pk, [])
        previous = TicketState.UNCONFIRMED
        for from_state, to_state, _at in chain:
            assert from_state == previous, ticket.reference
            assert to_state == from_state or to_state in ALLOWED[TicketState(from_state)], ticket.reference
            previous = to_state
        assert previous == ticket.state, ticket.reference
        if chain:
            assert chain[0][0:2] == (TicketState.UNCONFIRMED, TicketState.NEW)
            assert chain[0][2] == ticket.queued_at


def test_spam_and_duplicates_merged_into_the_first_question(result):
    assert demo_tickets().filter(state=TicketState.SPAM).exists()
    merged = demo_tickets().filter(state=TicketState.MERGED).select_related("merged_into")
    assert merged.exists()
    for ticket in merged:
        assert ticket.merged_into.contact_email == ticket.contact_email
        assert ticket.merged_into.created_at < ticket.created_at


def _replay(planned, *, topics, users) -> Ticket:
    """The planned ticket made again from scratch by the real ticket_transition, move by move."""
    topic = topics[planned.topic]
    ticket = Ticket.objects.create(
        reference=reference_new(),
        account=users.get(planned.person.email) if planned.person.has_account else None,
        application_id=planned.application_id,
        topic=topic,
        state=TicketState.UNCONFIRMED,
        language=planned.language,
        contact_email="replay@example.org",
        priority=topic.priority,
        service_standard_days=topic.service_standard_days,
    )
    for move in planned.moves:
        assignee = {} if move.assign == UNCHANGED else {"assigned_to": users[move.assign] if move.assign else None}
        with transaction.atomic():
            locked = ticket_locked(ticket_id=ticket.pk)
            if move.to_state == TicketState.MERGED:
                # Merging is the caller's to record; the transition only moves the state.
                locked.merged_into = Ticket.objects.get(reference=planned.merged_into)
            ticket_transition(
                ticket=locked,
                to_state=move.to_state,
                actor=users[move.actor] if move.actor else None,
                actor_label=move.actor_label,
                note=move.note,
                now=move.at,
                **assignee,
            )
    ticket.refresh_from_db()
    return ticket


def _sample(plan, size: int) -> list:
    """`size` planned tickets covering every kind of life: paused, reopened, late, merged, spam, guests."""
    tickets = sorted(plan.tickets, key=lambda ticket: ticket.reference)
    kinds = [
        lambda t: any(move.to_state == TicketState.WAITING_ON_CLIENT for move in t.moves),
        lambda t: sum(move.to_state == TicketState.ANSWERED for move in t.moves) > 1,
        lambda t: any(move.to_state == TicketState.MERGED for move in t.moves),
        lambda t: any(move.to_state == TicketState.SPAM for move in t.moves),
        lambda t: any(
            move.assign not in (UNCHANGED, None) and move.to_state == TicketState.OPEN for move in t.moves[2:]
        ),
        lambda t: not t.person.has_account,
        lambda t: t.crisis,
        lambda t: t.moves and t.moves[-1].to_state in (TicketState.NEW, TicketState.OPEN),
    ]
    chosen = []
    for kind in kinds:
        chosen += [ticket for ticket in tickets if kind(ticket) and ticket not in chosen][:5]
    rest = [ticket for ticket in tickets if ticket not in chosen]
    chosen += random.Random(SEED_DAY.toordinal()).sample(rest, size - len(chosen))  # noqa: S311
    return chosen


def test_replaying_fifty_planned_tickets_through_ticket_transition_gives_the_same_fields_and_changes(result):
    plan = demo_enquiries_plan(count=SEEDED, today=SEED_DAY)
    users = {user.email: user for user in get_user_model().objects.all()}
    topics = {topic.code: topic for topic in Topic.objects.all()}
    seeded = {ticket.reference: ticket for ticket in demo_tickets()}
    sample = _sample(plan, 50)
    assert len(sample) == 50
    for planned in sample:
        replayed = _replay(planned, topics=topics, users=users)
        loaded = seeded[planned.reference]
        for field in CLOCK_FIELDS:
            assert getattr(replayed, field) == getattr(loaded, field), (planned.reference, field)
        columns = ("from_state", "to_state", "assigned_to_id", "actor_id", "actor_label", "note")
        assert list(replayed.changes.order_by("id").values_list(*columns)) == list(
            loaded.changes.order_by("created_at", "id").values_list(*columns)
        ), planned.reference
        # The demo dates each change when it happened (the service stamps the time it runs).
        assert list(loaded.changes.order_by("created_at", "id").values_list("created_at", flat=True)) == [
            move.at for move in planned.moves
        ]


def test_the_demo_applicant_has_an_answered_and_rated_enquiry_one_waiting_on_her_and_one_open(result):
    applicant = get_user_model().objects.get(email=people.DEMO_EMAIL)
    own = tickets_for_client(viewer=applicant)
    assert 2 <= own.count() <= 4
    states = Counter(own.values_list("state", flat=True))
    assert {TicketState.ANSWERED, TicketState.WAITING_ON_CLIENT, TicketState.OPEN} <= set(states)
    answered = own.get(state=TicketState.ANSWERED)
    assert answered.survey.rating >= 4
    assert own.get(state=TicketState.WAITING_ON_CLIENT).paused_since is not None
    assert own.get(state=TicketState.OPEN).assigned_to.email == people.AGENT_EMAIL
    linked = set(ApplicationLink.objects.filter(account=applicant).values_list("application_id", flat=True))
    assert set(own.values_list("application_id", flat=True)) <= linked


def test_no_account_holder_has_an_enquiry_about_a_file_they_cannot_see(result):
    with_files = demo_tickets().exclude(account=None).exclude(application=None)
    assert with_files.filter(contact_email__endswith=f"@{CLIENT_EMAIL_DOMAIN}").exists()
    links = set(ApplicationLink.objects.values_list("account_id", "application_id"))
    for account_id, application_id in with_files.values_list("account_id", "application_id"):
        assert (account_id, application_id) in links
    # And through the client's own gate: every enquiry of an account shows in its list.
    accounts = get_user_model().objects.filter(enquiries__in=with_files).distinct().order_by("email")[:40]
    for account in accounts:
        sent = Ticket.objects.filter(account=account).exclude(state=TicketState.UNCONFIRMED)
        assert tickets_for_client(viewer=account).count() == sent.count() > 0


def test_made_up_clients_linked_their_file_after_applying_and_before_writing_about_it(result):
    first_enquiry = {}
    for account_id, created_at in demo_tickets().exclude(account=None).values_list("account_id", "created_at"):
        first_enquiry[account_id] = min(first_enquiry.get(account_id, created_at), created_at)
    links = ApplicationLink.objects.filter(account__email__endswith=f"@{CLIENT_EMAIL_DOMAIN}").select_related(
        "application", "account"
    )
    assert links.exists()
    for link in links:
        assert clock.office_date(link.linked_at) > link.application.submitted_on
        assert link.account.date_joined == link.linked_at
        if link.account_id in first_enquiry:
            assert link.linked_at < first_enquiry[link.account_id]


def test_guests_confirmed_their_address_before_their_enquiry_was_queued(result):
    guests = demo_tickets().filter(account=None).exclude(state=TicketState.UNCONFIRMED)
    assert guests.count() > SEEDED * 0.15
    assert not guests.filter(Q(email_confirmed_at=None) | Q(queued_at=None)).exists()
    for confirmed_at, queued_at, created_at in guests.values_list("email_confirmed_at", "queued_at", "created_at"):
        assert created_at < confirmed_at == queued_at


def test_the_past_crisis_channel_closed_two_months_ago_with_its_own_urgent_queue(result):
    channel = CrisisChannel.objects.get(name_en=result.crisis_channel)
    assert not channel.is_active
    assert channel.name_fr and channel.keyword_en and channel.keyword_fr and channel.banner_fr
    assert 55 <= (SEED_DAY - clock.office_date(channel.closes_at)).days <= 65
    topic = channel.topic
    assert topic.kind == Topic.Kind.CRISIS and topic.service_standard_days == 2 and not topic.is_active
    assert topic.priority > max(Topic.objects.exclude(pk=topic.pk).values_list("priority", flat=True))
    tickets = demo_tickets().filter(topic=topic)
    assert tickets.count() > SEEDED * 0.03
    assert not tickets.exclude(crisis_channel=channel).exists()
    assert not tickets.exclude(created_at__range=(channel.opens_at, channel.closes_at)).exists()
    assert set(tickets.values_list("priority", flat=True)) == {topic.priority}


def test_every_crisis_enquiry_quotes_the_channel_keyword_in_its_language(result):
    channel = CrisisChannel.objects.get(name_en=result.crisis_channel)
    keywords = {"en": channel.keyword_en, "fr": channel.keyword_fr}
    for ticket in demo_tickets().filter(crisis_channel=channel).prefetch_related("messages"):
        first = ticket.messages.all()[0]
        assert first.author_kind == TicketMessage.Author.CLIENT
        assert keywords[ticket.language] in first.body.lower(), ticket.reference


def test_a_few_hundred_questions_per_three_thousand_were_answered_by_the_page(result):
    deflections = Deflection.objects.filter(account__email__endswith=f"@{CLIENT_EMAIL_DOMAIN}")
    assert SEEDED * 0.08 <= deflections.count() <= SEEDED * 0.15
    by_topic = Counter(deflections.values_list("topic__code", flat=True))
    assert by_topic.most_common(1)[0][0] == "status"


def _counts() -> dict[str, int]:
    return {
        "tickets": Ticket.objects.count(),
        "changes": TicketChange.objects.count(),
        "messages": TicketMessage.objects.count(),
        "surveys": SurveyResponse.objects.count(),
        "deflections": Deflection.objects.count(),
        "users": get_user_model().objects.count(),
        "links": ApplicationLink.objects.count(),
        "authenticators": Authenticator.objects.count(),
        "channels": CrisisChannel.objects.count(),
    }


def test_running_it_again_the_same_day_changes_nothing(result):
    before = _counts()
    references = set(demo_tickets().values_list("reference", "state", "due_on"))
    again = demo_enquiries_load(count=SEEDED, today=SEED_DAY)
    assert again.created == 0
    assert _counts() == before
    assert set(demo_tickets().values_list("reference", "state", "due_on")) == references


def test_a_later_day_brings_a_fresh_year_without_piling_up_accounts(result):
    later = SEED_DAY + datetime.timedelta(days=30)
    accounts_before = get_user_model().objects.filter(email__endswith=f"@{CLIENT_EMAIL_DOMAIN}").count()
    fresh = demo_enquiries_load(count=SEEDED, today=later)
    assert fresh.created == fresh.tickets >= SEEDED * 0.98
    assert demo_tickets().count() == fresh.tickets
    midnight = datetime.datetime.combine(later, datetime.time(), tzinfo=clock.office_zone())
    assert demo_tickets().filter(created_at__gte=midnight - datetime.timedelta(days=14)).count() > 10
    accounts_after = get_user_model().objects.filter(email__endswith=f"@{CLIENT_EMAIL_DOMAIN}").count()
    assert accounts_after < accounts_before * 1.5
    assert CrisisChannel.objects.filter(name_en=fresh.crisis_channel).count() == 1


@pytest.mark.parametrize(
    ("email", "group", "topics"),
    [
        (people.AGENT_EMAIL, "Agent", {"status", "document", "contact"}),
        (people.SUPERVISOR_EMAIL, "Supervisor", set()),
    ],
)
def test_the_demo_staff_are_staff_in_their_group_with_the_permission_to_read_files(result, email, group, topics):
    user = get_user_model().objects.get(email=email)
    assert user.is_staff and user.is_active and not user.is_superuser
    assert set(user.groups.values_list("name", flat=True)) == {group}
    assert user.has_perm("applications.view_application")
    assert set(user.enquiry_topics.values_list("code", flat=True)) == topics
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).count() == 1


def _current_code(email: str) -> str:
    """The code `demo_totp` prints, waiting for the next period when this one is about to end."""
    for _ in range(2):
        out, err = io.StringIO(), io.StringIO()
        call_command("demo_totp", email, stdout=out, stderr=err)
        seconds = int(re.search(r"(\d+) more seconds", err.getvalue()).group(1))
        if seconds > 3:
            return out.getvalue().strip()
        time.sleep(seconds + 0.5)
    raise AssertionError("no stable code")


@pytest.mark.parametrize(
    ("email", "password"),
    [(people.AGENT_EMAIL, people.AGENT_PASSWORD), (people.SUPERVISOR_EMAIL, people.SUPERVISOR_PASSWORD)],
)
def test_the_demo_staff_sign_in_with_their_password_and_the_code_demo_totp_prints(
    client, result, settings, email, password
):
    settings.DEBUG = True
    response = client.post(reverse("account_login"), {"login": email, "password": password})
    assert response.status_code == 302
    assert response.url == reverse("mfa_authenticate")
    code = _current_code(email)
    assert re.fullmatch(r"[0-9]{6}", code)
    response = client.post(reverse("mfa_authenticate"), {"code": code})
    assert response.status_code == 302
    assert response.wsgi_request.user.email == email
    assert agent_verified(response.wsgi_request)


def test_demo_totp_gives_the_administrator_a_code_too(result, settings):
    settings.DEBUG = True
    out = io.StringIO()
    call_command("demo_totp", people.ADMIN_EMAIL, stdout=out, stderr=io.StringIO())
    assert re.search(r"\b[0-9]{6}\b", out.getvalue())


def test_a_wrong_code_does_not_sign_the_agent_in(client, result):
    response = client.post(reverse("account_login"), {"login": people.AGENT_EMAIL, "password": people.AGENT_PASSWORD})
    assert response.url == reverse("mfa_authenticate")
    wrong = f"{(int(_current_code(people.AGENT_EMAIL)) + 1) % 1_000_000:06d}"
    response = client.post(reverse("mfa_authenticate"), {"code": wrong})
    assert response.status_code == 200
    assert not response.wsgi_request.user.is_authenticated


@pytest.mark.parametrize("email", [people.DEMO_EMAIL, "stranger@example.org"])
def test_demo_totp_refuses_accounts_that_are_not_demo_staff(result, settings, email):
    settings.DEBUG = True
    with pytest.raises(CommandError, match="not a demo account"):
        call_command("demo_totp", email, stdout=io.StringIO(), stderr=io.StringIO())


def test_demo_totp_refuses_once_the_authenticator_was_replaced(result, settings):
    settings.DEBUG = True
    Authenticator.objects.filter(user__email=people.AGENT_EMAIL, type=Authenticator.Type.TOTP).update(
        data={"secret": "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"}
    )
    with pytest.raises(CommandError, match="seed_demo"):
        call_command("demo_totp", people.AGENT_EMAIL, stdout=io.StringIO(), stderr=io.StringIO())
    demo_enquiries_load(count=SEEDED, today=SEED_DAY)
    assert re.fullmatch(r"[0-9]{6}", _current_code(people.AGENT_EMAIL))


def test_seed_demo_prints_the_staff_sign_ins_and_how_to_get_a_code(result, settings):
    settings.DEBUG = True
    output = io.StringIO()
    call_command("seed_demo", "--history", "0", "--enquiries", "40", stdout=output)
    text = output.getvalue()
    assert f"{people.AGENT_EMAIL} / {people.AGENT_PASSWORD}" in text
    assert f"{people.SUPERVISOR_EMAIL} / {people.SUPERVISOR_PASSWORD}" in text
    assert "manage.py demo_totp" in text
    assert people.DEMO_TOTP_SECRETS[people.AGENT_EMAIL] in text
    assert re.search(r"Enquiries: \d+ over the past year", text)


def test_replacing_the_history_takes_its_enquiries_along_and_the_next_load_makes_new_ones(result):
    next_day = SEED_DAY + datetime.timedelta(days=1)
    about_history = demo_tickets().filter(application__number__startswith="H")
    assert about_history.exists()
    demo_history_load(finalized=HISTORY, today=next_day)
    assert not about_history.exists()
    fresh = demo_enquiries_load(count=SEEDED, today=next_day)
    assert fresh.created >= SEEDED * 0.98
    assert about_history.exists()
