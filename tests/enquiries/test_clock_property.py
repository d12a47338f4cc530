"""The service clock checked against a plain day-by-day reference, on random inputs and on worked examples.

The reference walks the calendar one day at a time and asks of each day only "is it a
weekday that is not a holiday, and was the centre holding the ticket then?". The clock
(enquiries/clock.py) counts whole weeks at once, and ticket_transition keeps running
totals; both must agree with the walk whatever the time of day, the office's time zone,
daylight saving, the holidays, the standard and the order of pauses and answers.
"""

import datetime
import zoneinfo

import pytest
from django.db import transaction
from django.test import override_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.models import Holiday
from enquiries import clock
from enquiries.models import Ticket, TicketState, Topic
from enquiries.references import reference_new
from enquiries.services import ticket_business_days_used, ticket_transition

ONE_DAY = datetime.timedelta(days=1)
ZONES = ["America/Toronto", "America/Vancouver", "America/St_Johns", "America/Halifax"]
TORONTO = zoneinfo.ZoneInfo("America/Toronto")


# --- The reference: one day at a time -------------------------------------------------


def ref_is_business_day(day: datetime.date, holidays: set[datetime.date]) -> bool:
    return day.isoweekday() <= 5 and day not in holidays


def ref_business_days_between(start: datetime.date, end: datetime.date, holidays: set[datetime.date]) -> int:
    count, day = 0, start
    while day < end:
        day += ONE_DAY
        if ref_is_business_day(day, holidays):
            count += 1
    return count


def ref_add_business_days(start: datetime.date, days: int, holidays: set[datetime.date]) -> datetime.date:
    day = start
    while days > 0:
        day += ONE_DAY
        if ref_is_business_day(day, holidays):
            days -= 1
    return day


def ref_office_date(moment: datetime.datetime, zone: str) -> datetime.date:
    return moment.astimezone(zoneinfo.ZoneInfo(zone)).date()


class ReferenceTicket:
    """What the clock should say, kept as a list of stops rather than running totals.

    The centre holds a ticket while it is new or open. A stop from office date a to
    office date b takes the days a < d <= b off the clock (the day it stopped was worked;
    the day it came back is a fresh start, like the day it was queued).
    """

    RUNNING = {TicketState.NEW, TicketState.OPEN}

    def __init__(self, *, zone: str, standard: int, holidays: set[datetime.date], queued: datetime.datetime):
        self.zone, self.standard, self.holidays = zone, standard, holidays
        self.state = TicketState.NEW
        self.started_on = ref_office_date(queued, zone)
        self.stops: list[tuple[datetime.date, datetime.date | None]] = []
        self.first_answer_days: int | None = None

    def move(self, to_state: str, moment: datetime.datetime) -> None:
        day = ref_office_date(moment, self.zone)
        running_before, running_after = self.state in self.RUNNING, to_state in self.RUNNING
        if running_before and not running_after:
            self.stops.append((day, None))
        elif not running_before and running_after:
            stopped_on, _ = self.stops.pop()
            self.stops.append((stopped_on, day))
        self.state = to_state
        if to_state == TicketState.ANSWERED and self.first_answer_days is None:
            self.first_answer_days = self.used(day)

    def _stopped_on(self, day: datetime.date) -> bool:
        return any(start < day and (end is None or day <= end) for start, end in self.stops)

    def used(self, today: datetime.date) -> int:
        count, day = 0, self.started_on
        while day < today:
            day += ONE_DAY
            if ref_is_business_day(day, self.holidays) and not self._stopped_on(day):
                count += 1
        return count

    def paused_days(self) -> int:
        """Business days taken off by the stops that have ended."""
        total = 0
        for start, end in self.stops:
            if end is None:
                continue
            day = start
            while day < end:
                day += ONE_DAY
                if ref_is_business_day(day, self.holidays):
                    total += 1
        return total

    def due_on(self) -> datetime.date:
        return ref_add_business_days(self.started_on, self.standard + self.paused_days(), self.holidays)


# --- Strategies ---------------------------------------------------------------------------

FIRST_DAY, LAST_DAY = datetime.date(2025, 1, 1), datetime.date(2029, 6, 30)


def _dst_changes() -> list[datetime.datetime]:
    """The instants Toronto's clocks changed in the years tested (Vancouver and St. John's change the same days)."""
    changes = []
    for year in range(2025, 2030):
        for month, earliest, sunday_count in ((3, 8, 2), (11, 1, 1)):
            first = datetime.date(year, month, 1)
            sunday = first + datetime.timedelta(days=(6 - first.weekday()) % 7 + 7 * (sunday_count - 1))
            assert sunday.day >= earliest
            changes.append(datetime.datetime.combine(sunday, datetime.time(2), tzinfo=TORONTO))
    return changes


DST_CHANGES = _dst_changes()

any_instant = st.datetimes(
    min_value=datetime.datetime(2025, 1, 1),  # noqa: DTZ001 (hypothesis attaches the zone)
    max_value=datetime.datetime(2028, 12, 31),  # noqa: DTZ001
    timezones=st.just(datetime.UTC),
)
# Moments within three days of a daylight-saving change, to the minute: midnight at the office moves.
near_dst_change = st.builds(
    lambda change, minutes: change + datetime.timedelta(minutes=minutes),
    st.sampled_from(DST_CHANGES),
    st.integers(min_value=-3 * 24 * 60, max_value=3 * 24 * 60),
)
instants = st.one_of(any_instant, near_dst_change)
days = st.dates(min_value=FIRST_DAY, max_value=LAST_DAY)
holiday_sets = st.sets(days, max_size=40)
standards = st.integers(min_value=1, max_value=30)

# A step: how long after the previous one (minutes, up to about six weeks), and what happens.
ACTIONS = ["claim", "wait", "reply", "answer", "close", "reopen", "assign"]
steps = st.lists(
    st.tuples(st.integers(min_value=0, max_value=60 * 24 * 45), st.sampled_from(ACTIONS)), min_size=1, max_size=14
)
# Now and then a wait on the client of 10 to 14 months, to push the due date more than a year out.
long_gaps = st.lists(
    st.one_of(st.just(0), st.integers(min_value=60 * 24 * 300, max_value=60 * 24 * 430)), min_size=1, max_size=3
)


def _every(step: int, offset: int) -> set[datetime.date]:
    first = datetime.date(2024, 12, 1) + datetime.timedelta(days=offset)
    return {first + datetime.timedelta(days=day) for day in range(0, 7 * 365, step)}


# For tickets: a few random holidays, or holidays every few days for seven years, so that
# every stretch of the calendar (even a year or more after the start) has some.
service_holidays = st.one_of(
    st.sets(st.dates(min_value=datetime.date(2024, 12, 1), max_value=datetime.date(2031, 12, 31)), max_size=60),
    st.builds(_every, st.integers(min_value=3, max_value=40), st.integers(min_value=0, max_value=40)),
)


def target_state(state: str, action: str) -> str | None:
    """The state an action leads to from `state`, or None when it does not apply."""
    table = {
        "claim": {TicketState.NEW: TicketState.OPEN},
        "wait": {s: TicketState.WAITING_ON_CLIENT for s in (TicketState.NEW, TicketState.OPEN, TicketState.ANSWERED)},
        "reply": {s: TicketState.OPEN for s in (TicketState.WAITING_ON_CLIENT, TicketState.ANSWERED)},
        "answer": {s: TicketState.ANSWERED for s in (TicketState.NEW, TicketState.OPEN, TicketState.WAITING_ON_CLIENT)},
        "close": {TicketState.ANSWERED: TicketState.CLOSED},
        "reopen": {TicketState.CLOSED: TicketState.OPEN},
        "assign": {s: s for s in (TicketState.NEW, TicketState.OPEN, TicketState.WAITING_ON_CLIENT)},
    }
    return table[action].get(TicketState(state))


# --- Property tests of the pure functions ------------------------------------------------------


@settings(max_examples=400, deadline=None)
@given(start=days, end=days, holidays=holiday_sets)
def test_business_days_between_matches_the_day_by_day_walk(start, end, holidays):
    assert clock.business_days_between(start, end, holidays) == ref_business_days_between(start, end, holidays)


@settings(max_examples=300, deadline=None)
@given(start=days, count=st.integers(min_value=0, max_value=300), holidays=holiday_sets)
def test_add_business_days_matches_the_day_by_day_walk(start, count, holidays):
    result = clock.add_business_days(start, count, holidays)

    assert result == ref_add_business_days(start, count, holidays)
    # And the two functions are inverse: exactly `count` business days lie after the start up to the result.
    assert clock.business_days_between(start, result, holidays) == count


@settings(max_examples=300, deadline=None)
@given(start=days, standard=standards, paused=st.integers(min_value=0, max_value=200), holidays=holiday_sets)
def test_due_date_is_the_standard_plus_the_paused_days_counted_one_day_at_a_time(start, standard, paused, holidays):
    due = clock.due_date(started_on=start, standard_days=standard, paused_days=paused, holidays=holidays)

    assert due == ref_add_business_days(start, standard + paused, holidays)
    assert ref_is_business_day(due, holidays)


@settings(max_examples=300, deadline=None)
@given(
    start=days,
    elapsed=st.integers(min_value=0, max_value=120),
    pauses=st.lists(st.tuples(st.integers(0, 40), st.integers(0, 40)), max_size=4),
    open_pause=st.one_of(st.none(), st.integers(0, 40)),
    holidays=holiday_sets,
)
def test_business_days_used_leaves_out_every_pause(start, elapsed, pauses, open_pause, holidays):
    """Pauses laid end to end after the start; the running totals must equal the day-by-day count."""
    today = start + datetime.timedelta(days=elapsed)
    stops, cursor = [], start
    for gap, length in pauses:
        begin = cursor + datetime.timedelta(days=gap)
        end = begin + datetime.timedelta(days=length)
        if end > today:
            break
        stops.append((begin, end))
        cursor = end
    paused_since = None
    if open_pause is not None and cursor + datetime.timedelta(days=open_pause) <= today:
        paused_since = cursor + datetime.timedelta(days=open_pause)
    paused_days = sum(ref_business_days_between(begin, end, holidays) for begin, end in stops)

    def stopped(day):
        return any(begin < day <= end for begin, end in stops) or (paused_since is not None and day > paused_since)

    expected = sum(
        1
        for offset in range(1, elapsed + 1)
        if ref_is_business_day(start + datetime.timedelta(days=offset), holidays)
        and not stopped(start + datetime.timedelta(days=offset))
    )
    used = clock.business_days_used(
        started_on=start, today=today, paused_days=paused_days, paused_since=paused_since, holidays=holidays
    )
    assert used == expected


@settings(max_examples=200, deadline=None)
@given(moment=instants, zone=st.sampled_from(ZONES))
def test_the_office_date_is_the_calendar_date_on_the_office_wall(moment, zone):
    with override_settings(ENQUIRY_OFFICE_TIME_ZONE=zone):
        assert clock.office_date(moment) == ref_office_date(moment, zone)


# --- Property test of the clock inside ticket_transition ------------------------------------------


def _replace_holidays(holidays: set[datetime.date]) -> None:
    Holiday.objects.filter(date__gte=FIRST_DAY - datetime.timedelta(days=366)).delete()
    Holiday.objects.bulk_create([Holiday(date=day, name_en="Test", name_fr="Essai") for day in sorted(holidays)])


def _new_ticket(*, topic: Topic, standard: int) -> Ticket:
    return Ticket.objects.create(
        reference=reference_new(),
        topic=topic,
        state=TicketState.UNCONFIRMED,
        language="en",
        contact_email="someone@example.com",
        service_standard_days=standard,
    )


@pytest.mark.django_db
@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    queued=instants,
    zone=st.sampled_from(ZONES),
    standard=standards,
    holidays=service_holidays,
    plan=steps,
    long_waits=long_gaps,
)
def test_ticket_transition_keeps_the_clock_of_the_day_by_day_reference(
    queued, zone, standard, holidays, plan, long_waits, agent
):
    topic = Topic.objects.get(code="status")
    with transaction.atomic(), override_settings(ENQUIRY_OFFICE_TIME_ZONE=zone):
        _replace_holidays(holidays)
        ticket = _new_ticket(topic=topic, standard=standard)
        ticket_transition(ticket=ticket, to_state=TicketState.NEW, now=queued)
        reference = ReferenceTicket(zone=zone, standard=standard, holidays=holidays, queued=queued)
        moment = queued
        waits = iter(long_waits)
        for minutes, action in plan:
            to_state = target_state(ticket.state, action)
            if to_state is None:
                continue
            # Some time passes; sometimes months while the client holds the ticket.
            extra = next(waits, 0) if ticket.state == TicketState.WAITING_ON_CLIENT else 0
            moment += datetime.timedelta(minutes=minutes + extra)
            assigned = {"assigned_to": agent} if action in ("claim", "assign") else {}
            ticket_transition(ticket=ticket, to_state=to_state, now=moment, **assigned)
            reference.move(to_state, moment)

            assert ticket.clock_started_on == reference.started_on
            assert ticket.paused_business_days == reference.paused_days()
            assert (ticket.paused_since is not None) == (reference.state not in ReferenceTicket.RUNNING)
            assert ticket.due_on == reference.due_on()
            assert ticket.first_answer_business_days == reference.first_answer_days

        ticket.refresh_from_db()
        assert ticket.due_on == reference.due_on()
        for later in (0, 1, 3, 11, 40):
            today = ref_office_date(moment, zone) + datetime.timedelta(days=later)
            used = ticket_business_days_used(ticket=ticket, today=today)
            assert used == reference.used(today)
            if ticket.paused_since is None and ref_is_business_day(today, holidays):
                # The queue's due date and the count of days used never disagree about a breach.
                assert (used >= standard) == (today >= ticket.due_on)
        transaction.set_rollback(True)


# --- Worked examples ----------------------------------------------------------------------


@pytest.fixture
def christmas_holidays(db):
    """The federal holidays of the 2026 holiday season as the migration loads them (none invented)."""
    wanted = {datetime.date(2026, 12, 25), datetime.date(2026, 12, 28), datetime.date(2027, 1, 1)}
    assert wanted <= set(Holiday.objects.values_list("date", flat=True))
    return wanted


def at(year, month, day, hour=10, minute=0, zone=TORONTO):
    return datetime.datetime(year, month, day, hour, minute, tzinfo=zone)


def queued_ticket(*, when: datetime.datetime, standard: int = 10) -> Ticket:
    ticket = _new_ticket(topic=Topic.objects.get(code="status"), standard=standard)
    ticket_transition(ticket=ticket, to_state=TicketState.NEW, now=when)
    return ticket


@pytest.mark.django_db
def test_a_friday_evening_enquiry_starts_counting_on_monday():
    ticket = queued_ticket(when=at(2026, 10, 16, 21, 30), standard=5)  # Friday 9:30 p.m. in Toronto

    assert ticket.clock_started_on == datetime.date(2026, 10, 16)
    assert ticket_business_days_used(ticket=ticket, today=datetime.date(2026, 10, 18)) == 0  # Sunday
    assert ticket_business_days_used(ticket=ticket, today=datetime.date(2026, 10, 19)) == 1  # Monday
    assert ticket.due_on == datetime.date(2026, 10, 23)  # the next Friday


@pytest.mark.django_db
def test_a_friday_evening_in_vancouver_is_already_saturday_in_toronto_but_not_at_a_vancouver_office():
    moment = at(2026, 10, 16, 22, 30, zone=zoneinfo.ZoneInfo("America/Vancouver"))  # Saturday 1:30 a.m. in Toronto

    toronto = queued_ticket(when=moment, standard=5)
    with override_settings(ENQUIRY_OFFICE_TIME_ZONE="America/Vancouver"):
        vancouver = queued_ticket(when=moment, standard=5)

    assert toronto.clock_started_on == datetime.date(2026, 10, 17)
    assert vancouver.clock_started_on == datetime.date(2026, 10, 16)
    # Both are due the following Friday: Saturday and Friday evening both start counting on Monday.
    assert toronto.due_on == vancouver.due_on == datetime.date(2026, 10, 23)


@pytest.mark.django_db
def test_the_night_clocks_go_back_counts_once_in_st_johns():
    # 1 November 2026: Newfoundland falls back from -2:30 to -3:30 at 2 a.m. This moment is 11:45 p.m.
    # that Sunday; under summer time it would already be 0:45 a.m. on Monday.
    moment = datetime.datetime(2026, 11, 2, 3, 15, tzinfo=datetime.UTC)
    with override_settings(ENQUIRY_OFFICE_TIME_ZONE="America/St_Johns"):
        ticket = queued_ticket(when=moment, standard=1)

    assert ticket.clock_started_on == datetime.date(2026, 11, 1)
    assert ticket.due_on == datetime.date(2026, 11, 2)


@pytest.mark.django_db
def test_christmas_and_new_year_are_skipped(christmas_holidays):
    ticket = queued_ticket(when=at(2026, 12, 23, 15), standard=5)  # Wednesday 23 December

    # Thursday 24 (1), Christmas and the weekend skipped, Monday 28 observed Boxing Day skipped,
    # Tuesday 29 (2), Wednesday 30 (3), Thursday 31 (4), New Year's Day skipped, Monday 4 January (5).
    assert ticket.due_on == datetime.date(2027, 1, 4)
    assert ticket_business_days_used(ticket=ticket, today=datetime.date(2026, 12, 28)) == 1
    assert ticket_business_days_used(ticket=ticket, today=datetime.date(2027, 1, 3)) == 4


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("paused", "resumed"),
    [
        (at(2026, 10, 16, 16), at(2026, 10, 18, 20)),  # Friday afternoon to Sunday evening
        (at(2026, 10, 17, 9), at(2026, 10, 18, 9)),  # Saturday to Sunday
    ],
)
def test_a_pause_over_a_weekend_adds_no_business_day(paused, resumed):
    ticket = queued_ticket(when=at(2026, 10, 13), standard=10)  # Tuesday
    due_before = ticket.due_on

    ticket_transition(ticket=ticket, to_state=TicketState.WAITING_ON_CLIENT, now=paused)
    ticket_transition(ticket=ticket, to_state=TicketState.OPEN, now=resumed)

    assert ticket.paused_business_days == 0
    assert ticket.due_on == due_before


@pytest.mark.django_db
def test_a_pause_from_monday_to_wednesday_adds_two_business_days():
    ticket = queued_ticket(when=at(2026, 10, 13), standard=10)  # Tuesday; due Tuesday 27 October
    assert ticket.due_on == datetime.date(2026, 10, 27)

    ticket_transition(ticket=ticket, to_state=TicketState.WAITING_ON_CLIENT, now=at(2026, 10, 19, 11))  # Monday
    assert ticket_business_days_used(ticket=ticket, today=datetime.date(2026, 10, 21)) == 4  # Wed, Thu, Fri, Mon
    ticket_transition(ticket=ticket, to_state=TicketState.OPEN, now=at(2026, 10, 21, 14))  # Wednesday

    assert ticket.paused_business_days == 2
    assert ticket.due_on == datetime.date(2026, 10, 29)
    assert ticket_business_days_used(ticket=ticket, today=datetime.date(2026, 10, 22)) == 5


@pytest.mark.django_db
def test_a_reply_that_reopens_an_answered_ticket_does_not_count_the_days_it_sat_answered():
    ticket = queued_ticket(when=at(2026, 10, 13), standard=10)
    ticket_transition(ticket=ticket, to_state=TicketState.ANSWERED, now=at(2026, 10, 16))  # Friday: 3 days used
    assert ticket.first_answer_business_days == 3

    ticket_transition(ticket=ticket, to_state=TicketState.OPEN, now=at(2026, 11, 3))  # the client writes back

    assert ticket_business_days_used(ticket=ticket, today=datetime.date(2026, 11, 3)) == 3
    assert ticket_business_days_used(ticket=ticket, today=datetime.date(2026, 11, 4)) == 4
    assert ticket.due_on > datetime.date(2026, 11, 4)
    assert ticket.first_answer_business_days == 3


@pytest.mark.django_db
def test_a_long_wait_on_the_client_still_skips_the_holidays_of_the_following_years():
    ticket = queued_ticket(when=at(2026, 1, 5), standard=10)
    ticket_transition(ticket=ticket, to_state=TicketState.WAITING_ON_CLIENT, now=at(2026, 1, 6))
    ticket_transition(ticket=ticket, to_state=TicketState.OPEN, now=at(2027, 6, 1))

    holidays = set(Holiday.objects.values_list("date", flat=True))
    expected = ref_add_business_days(datetime.date(2026, 1, 5), 10 + ticket.paused_business_days, holidays)
    assert ticket.due_on == expected
