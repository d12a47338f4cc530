"""The hourly jobs: at-risk and breach alerts to the right people, once; answered tickets left quiet close."""

import datetime
import zoneinfo

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.urls import NoReverseMatch, reverse

from enquiries.alerts import at_risk_threshold, tickets_alert_due, tickets_close_quiet
from enquiries.models import Ticket, TicketChange, TicketMessage, TicketState, Topic
from enquiries.references import reference_new
from enquiries.services import ticket_transition
from notifications import content
from notifications.models import Channel, Kind, Notification, NotificationPreference
from notifications.selectors import centre_notifications_for_user
from tests.concurrency import in_parallel
from tests.enquiries.factories import make_ticket
from tests.factories import UserFactory

TORONTO = zoneinfo.ZoneInfo("America/Toronto")
# Wednesday 28 October 2026, 9 a.m. at the office. 12 October was Thanksgiving.
NOW = datetime.datetime(2026, 10, 28, 9, tzinfo=TORONTO)


def at(month, day, hour=10):
    return datetime.datetime(2026, month, day, hour, tzinfo=TORONTO)


@pytest.fixture
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


def queued(*, topic="status", on, assigned_to=None, **kwargs) -> Ticket:
    ticket = make_ticket(topic=topic, queued_at=on, **kwargs)
    if assigned_to is not None:
        ticket_transition(ticket=ticket, to_state=TicketState.OPEN, assigned_to=assigned_to, now=on)
    return ticket


def alerts(**filters):
    return Notification.objects.filter(kind=Kind.ENQUIRY_ALERT, **filters)


def told(ticket, kind):
    """Who was told about `ticket` (email addresses), on each channel."""
    rows = alerts(dedupe_key=f"enquiry_alert:{ticket.pk}:{kind}")
    return {
        channel: sorted(rows.filter(channel=channel).values_list("recipient__email", flat=True))
        for channel in (Channel.IN_APP, Channel.EMAIL)
    }


def test_the_threshold_is_the_share_of_the_standard_rounded_up(settings):
    settings.ENQUIRY_AT_RISK_SHARE = 0.8
    assert [at_risk_threshold(standard_days=days) for days in (1, 3, 5, 10, 12)] == [1, 3, 4, 8, 10]


@pytest.mark.django_db
def test_a_ticket_that_used_80_percent_is_flagged_to_its_agent_and_the_supervisors(
    frozen, agent, other_agent, supervisor, staff_user
):
    ticket = queued(on=at(10, 16), assigned_to=agent)  # Friday: 8 of 10 business days used by today

    assert tickets_alert_due() == 1

    ticket.refresh_from_db()
    assert ticket.at_risk_alerted_at == NOW
    assert ticket.breach_alerted_at is None
    expected = sorted([agent.email, supervisor.email])
    assert told(ticket, "at_risk") == {Channel.IN_APP: expected, Channel.EMAIL: expected}
    assert not alerts(recipient__in=[other_agent, staff_user]).exists()
    row = alerts(recipient=agent, channel=Channel.IN_APP).get()
    assert row.application_id is None
    assert row.about_label == ticket.reference
    assert row.link_path == f"agents/tickets/{ticket.reference}/"
    assert "has used 8 of its 10 business days" in row.message_en
    assert "October 30, 2026" in row.message_en
    assert ticket.reference in row.message_fr and "30 octobre 2026" in row.message_fr


@pytest.mark.django_db
def test_a_ticket_below_the_threshold_waits(frozen, agent, supervisor):
    queued(on=at(10, 19), assigned_to=agent)  # Monday: 7 of 10 used
    assert tickets_alert_due() == 0
    assert not alerts().exists()


@pytest.mark.django_db
def test_a_ticket_past_its_due_date_gets_the_breach_alert(frozen, agent, supervisor):
    ticket = queued(on=at(10, 13), assigned_to=agent)  # due Tuesday 27 October
    assert ticket.due_on == datetime.date(2026, 10, 27)

    assert tickets_alert_due() == 1

    ticket.refresh_from_db()
    assert ticket.breach_alerted_at == NOW
    assert ticket.at_risk_alerted_at is None  # never a stale "at risk" after the breach
    assert told(ticket, "breach")[Channel.IN_APP] == sorted([agent.email, supervisor.email])
    assert "is past the date by which it had to be answered" in alerts(recipient=agent).first().message_en


@pytest.mark.django_db
def test_an_unassigned_ticket_tells_the_supervisors_only_and_says_so(frozen, agent, supervisor):
    ticket = queued(on=at(10, 16))

    tickets_alert_due()

    assert told(ticket, "at_risk")[Channel.IN_APP] == [supervisor.email]
    assert "Nobody is assigned to it." in alerts(recipient=supervisor).first().message_en


@pytest.mark.django_db
def test_agents_of_other_topics_are_never_told(frozen, agent, other_agent, supervisor):
    technical = queued(topic="technical", on=at(10, 22), assigned_to=other_agent)  # 4 of 5 used
    # Assigned to the status agent, who does not work the technical queue (a transfer left it so).
    stray = queued(topic="technical", on=at(10, 22), assigned_to=agent)

    assert tickets_alert_due() == 2

    assert told(technical, "at_risk")[Channel.IN_APP] == sorted([other_agent.email, supervisor.email])
    assert told(stray, "at_risk")[Channel.IN_APP] == [supervisor.email]
    assert not alerts(recipient=agent).exists()


@pytest.mark.django_db
def test_tickets_waiting_on_the_client_are_not_alerted(frozen, agent, supervisor):
    ticket = queued(on=at(10, 13), assigned_to=agent)
    ticket_transition(ticket=ticket, to_state=TicketState.WAITING_ON_CLIENT, now=at(10, 27))

    assert tickets_alert_due() == 0
    assert not alerts().exists()


@pytest.mark.django_db
@pytest.mark.parametrize("state", [TicketState.ANSWERED, TicketState.CLOSED, TicketState.SPAM])
def test_finished_tickets_are_not_alerted(frozen, agent, supervisor, state):
    ticket = queued(on=at(10, 13), assigned_to=agent)
    if state == TicketState.CLOSED:
        ticket_transition(ticket=ticket, to_state=TicketState.ANSWERED, now=at(10, 14))
    ticket_transition(ticket=ticket, to_state=state, now=at(10, 15))

    assert tickets_alert_due() == 0


@pytest.mark.django_db
def test_running_twice_sends_nothing_new_and_a_later_breach_is_told_once_more(frozen, agent, supervisor, time_machine):
    ticket = queued(on=at(10, 16), assigned_to=agent)  # due Friday 30 October
    tickets_alert_due()
    first = alerts().count()

    assert tickets_alert_due() == 0
    assert alerts().count() == first

    time_machine.move_to(datetime.datetime(2026, 11, 2, 8, tzinfo=TORONTO), tick=False)  # Monday: past due
    assert tickets_alert_due() == 1
    assert tickets_alert_due() == 0
    assert told(ticket, "breach")[Channel.IN_APP] == sorted([agent.email, supervisor.email])
    assert alerts().count() == 2 * first


@pytest.mark.django_db
def test_inactive_supervisors_and_supervisors_without_staff_status_are_not_told(frozen, supervisor):
    gone = UserFactory(email="gone@example.com", is_staff=True, is_active=False)
    not_staff = UserFactory(email="notstaff@example.com", is_staff=False)
    for user in (gone, not_staff):
        user.groups.add(Group.objects.get(name="Supervisor"))
    ticket = queued(on=at(10, 16))

    tickets_alert_due()

    assert told(ticket, "at_risk")[Channel.IN_APP] == [supervisor.email]


@pytest.mark.django_db
def test_emails_follow_the_persons_preferences_and_language(frozen, agent, supervisor):
    NotificationPreference.objects.create(user=agent, email_enquiry_alert=False)
    supervisor.preferred_language = "fr"
    supervisor.save(update_fields=["preferred_language"])
    ticket = queued(on=at(10, 16), assigned_to=agent)

    tickets_alert_due()

    assert told(ticket, "at_risk") == {
        Channel.IN_APP: sorted([agent.email, supervisor.email]),
        Channel.EMAIL: [supervisor.email],
    }
    assert alerts(recipient=supervisor, channel=Channel.EMAIL).get().language == "fr"


@pytest.mark.django_db
def test_the_alert_shows_in_the_agents_notification_centre(frozen, agent, supervisor):
    queued(on=at(10, 16), assigned_to=agent)
    tickets_alert_due()
    assert [row.kind for row in centre_notifications_for_user(user=agent)] == [Kind.ENQUIRY_ALERT]


@pytest.fixture
def enquiries_list_url(monkeypatch):
    """The emails of enquiry kinds link to the client's enquiries page, which another part of the issue builds."""
    try:
        reverse("enquiries:list")
    except NoReverseMatch:
        real_reverse = content.reverse

        def reverse_or_stand_in(name, *args, **kwargs):
            return "/en/enquiries/" if name == "enquiries:list" else real_reverse(name, *args, **kwargs)

        monkeypatch.setattr(content, "reverse", reverse_or_stand_in)


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_email_and_text_message_name_the_ticket_and_link_to_the_workspace(
    frozen, agent, supervisor, enquiries_list_url, language
):
    supervisor.preferred_language = language
    supervisor.save(update_fields=["preferred_language"])
    ticket = queued(on=at(10, 16), assigned_to=agent)
    tickets_alert_due()
    row = alerts(recipient=supervisor, channel=Channel.EMAIL).get()

    email = content.message_render(notification=row)
    row.channel = Channel.SMS
    sms = content.message_render(notification=row)

    link = f"{settings.SITE_URL.rstrip('/')}/{language}/agents/tickets/{ticket.reference}/"
    assert ticket.reference in email.subject
    assert link in email.body and link in sms.body
    assert ticket.reference in email.body
    if language == "en":
        assert "has used 8 of its 10 business days" in email.body
        assert "you work the enquiry queues" in email.body
    else:
        # The French wording is message_fr (translated by the integrator); the date is already French.
        assert "30 octobre 2026" in email.body
    assert "{%" not in email.body + sms.body and "{{" not in email.body + sms.body


@pytest.mark.django_db
def test_the_task_and_the_beat_schedule(frozen, agent, supervisor):
    from enquiries.tasks import enquiries_alert_due, enquiries_close_quiet

    queued(on=at(10, 16), assigned_to=agent)
    assert enquiries_alert_due() == 1
    assert enquiries_close_quiet() == 0
    schedule = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"enquiries.tasks.enquiries_alert_due", "enquiries.tasks.enquiries_close_quiet"} <= schedule


@pytest.mark.django_db
def test_the_candidates_are_chosen_in_a_few_queries_whatever_their_number(
    frozen, agent, supervisor, django_assert_max_num_queries
):
    for day in (13, 14, 15, 16):
        for _ in range(5):
            queued(on=at(10, day), assigned_to=agent)
    # the horizon, the candidates, supervisors; then one transaction: lock, holidays, two flag
    # updates, assignees (2), preferences, insert.
    with django_assert_max_num_queries(14):
        assert tickets_alert_due() == 20


# --- Closing answered tickets left quiet ------------------------------------------------------


def answered_on(day: datetime.datetime, **kwargs) -> Ticket:
    ticket = queued(on=day - datetime.timedelta(days=1), **kwargs)
    # The client's first message was written when the enquiry was sent, not when the test runs.
    ticket.messages.update(created_at=day - datetime.timedelta(days=1))
    ticket_transition(ticket=ticket, to_state=TicketState.ANSWERED, now=day)
    return ticket


@pytest.mark.django_db
def test_an_answered_ticket_quiet_for_the_configured_days_closes_itself(frozen, settings):
    settings.ENQUIRY_AUTO_CLOSE_DAYS = 14
    quiet = answered_on(NOW - datetime.timedelta(days=15))
    recent = answered_on(NOW - datetime.timedelta(days=13))

    assert tickets_close_quiet() == 1

    quiet.refresh_from_db()
    recent.refresh_from_db()
    assert quiet.state == TicketState.CLOSED
    assert quiet.closed_at == NOW
    assert recent.state == TicketState.ANSWERED
    change = TicketChange.objects.filter(ticket=quiet).latest("id")
    assert (change.from_state, change.to_state, change.actor_label, change.actor) == (
        TicketState.ANSWERED,
        TicketState.CLOSED,
        "system",
        None,
    )
    assert "no message from the client in the 14 days" in change.note


@pytest.mark.django_db
def test_a_client_message_since_the_cutoff_keeps_the_ticket_open(frozen):
    ticket = answered_on(NOW - datetime.timedelta(days=30))
    message = TicketMessage.objects.create(ticket=ticket, author_kind=TicketMessage.Author.CLIENT, body="Thanks, but…")
    TicketMessage.objects.filter(pk=message.pk).update(created_at=NOW - datetime.timedelta(days=3))
    note = TicketMessage.objects.create(ticket=ticket, author_kind=TicketMessage.Author.NOTE, body="internal")
    TicketMessage.objects.filter(pk=note.pk).update(created_at=NOW - datetime.timedelta(days=1))

    assert tickets_close_quiet() == 0
    ticket.refresh_from_db()
    assert ticket.state == TicketState.ANSWERED


@pytest.mark.django_db
def test_closing_twice_closes_once(frozen):
    ticket = answered_on(NOW - datetime.timedelta(days=20))

    assert tickets_close_quiet() == 1
    assert tickets_close_quiet() == 0
    assert TicketChange.objects.filter(ticket=ticket, to_state=TicketState.CLOSED).count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("state", [TicketState.OPEN, TicketState.WAITING_ON_CLIENT])
def test_only_answered_tickets_close_themselves(frozen, state):
    ticket = answered_on(NOW - datetime.timedelta(days=20))
    ticket_transition(ticket=ticket, to_state=state, now=NOW - datetime.timedelta(days=19))
    assert tickets_close_quiet() == 0


# --- Two workers at once -----------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_never_double_an_alert_or_a_closure():
    topic, _ = Topic.objects.get_or_create(
        code="race", defaults={"name_en": "Race", "name_fr": "Course", "service_standard_days": 10}
    )
    boss = UserFactory(email="boss@example.com", is_staff=True)
    boss.groups.add(Group.objects.get_or_create(name="Supervisor")[0])
    tickets = []
    for index in range(30):
        ticket = Ticket.objects.create(
            reference=reference_new(),
            topic=topic,
            state=TicketState.UNCONFIRMED,
            language="en",
            contact_email="race@example.com",
            service_standard_days=10,
        )
        if index % 3 == 0:  # answered weeks ago: to close
            ticket_transition(ticket=ticket, to_state=TicketState.NEW, now=at(9, 28))
            ticket_transition(ticket=ticket, to_state=TicketState.ANSWERED, now=at(10, 1))
        else:  # at risk or past due: to alert
            ticket_transition(ticket=ticket, to_state=TicketState.NEW, now=at(10, 13 + index % 4))
        tickets.append(ticket)
    now = NOW
    expected_alerts = sum(1 for ticket in tickets if ticket.state == TicketState.NEW)
    expected_closed = sum(1 for ticket in tickets if ticket.state == TicketState.ANSWERED)

    alerted = in_parallel([lambda: tickets_alert_due(now=now)] * 4)
    closed = in_parallel([lambda: tickets_close_quiet(now=now)] * 4)

    assert not [result for result in alerted + closed if isinstance(result, Exception)], alerted + closed
    assert sum(alerted) == expected_alerts
    assert sum(closed) == expected_closed
    assert Notification.objects.filter(kind=Kind.ENQUIRY_ALERT, channel=Channel.IN_APP).count() == expected_alerts
    assert TicketChange.objects.filter(to_state=TicketState.CLOSED).count() == expected_closed
