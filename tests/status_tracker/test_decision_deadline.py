"""The judicial-review deadline: 15 or 60 days, the shorter when unknown, moved past weekends and holidays."""

import datetime

import pytest

from core.calendar import SkipReason
from core.models import Holiday
from status_tracker.decisions import DeadlineRule, judicial_review_deadline

pytestmark = pytest.mark.django_db


def test_a_decision_made_in_canada_gives_15_days():
    # Monday 3 March 2025 + 15 days = Tuesday 18 March, an ordinary business day.
    deadline = judicial_review_deadline(decided_on=datetime.date(2025, 3, 3), made_in_canada=True)
    assert deadline.rule == DeadlineRule.IN_CANADA
    assert deadline.days == 15
    assert deadline.counted_to == deadline.deadline == datetime.date(2025, 3, 18)
    assert not deadline.moved
    assert deadline.skipped == ()


def test_a_decision_made_outside_canada_gives_60_days():
    deadline = judicial_review_deadline(decided_on=datetime.date(2025, 3, 3), made_in_canada=False)
    assert deadline.rule == DeadlineRule.OUTSIDE_CANADA
    assert deadline.days == 60
    assert deadline.deadline == datetime.date(2025, 5, 2)  # a Friday


def test_when_nobody_said_where_the_decision_was_made_it_gives_the_shorter_deadline():
    deadline = judicial_review_deadline(decided_on=datetime.date(2025, 3, 3), made_in_canada=None)
    assert deadline.rule == DeadlineRule.LOCATION_UNKNOWN
    assert deadline.days == 15
    assert deadline.deadline == datetime.date(2025, 3, 18)


def test_a_citizenship_decision_gives_30_days_wherever_it_was_made():
    for made_in_canada in (True, False, None):
        deadline = judicial_review_deadline(
            decided_on=datetime.date(2025, 3, 3), made_in_canada=made_in_canada, citizenship=True
        )
        assert deadline.rule == DeadlineRule.CITIZENSHIP
        assert deadline.deadline == datetime.date(2025, 4, 2)


def test_a_deadline_on_a_saturday_moves_to_the_monday():
    # Friday 7 March 2025 + 15 days = Saturday 22 March.
    deadline = judicial_review_deadline(decided_on=datetime.date(2025, 3, 7), made_in_canada=True)
    assert deadline.counted_to == datetime.date(2025, 3, 22)
    assert deadline.deadline == datetime.date(2025, 3, 24)
    assert deadline.moved
    assert [(day.date, day.reason) for day in deadline.skipped] == [
        (datetime.date(2025, 3, 22), SkipReason.SATURDAY),
        (datetime.date(2025, 3, 23), SkipReason.SUNDAY),
    ]


def test_a_deadline_on_canada_day_moves_to_the_next_business_day():
    # 16 June 2025 + 15 days = Tuesday 1 July 2025, Canada Day.
    deadline = judicial_review_deadline(decided_on=datetime.date(2025, 6, 16), made_in_canada=True)
    assert deadline.counted_to == datetime.date(2025, 7, 1)
    assert deadline.deadline == datetime.date(2025, 7, 2)
    (skipped,) = deadline.skipped
    assert skipped.reason == SkipReason.HOLIDAY
    assert skipped.holiday.name_en == "Canada Day"
    assert skipped.holiday.name_fr == "Fête du Canada"


def test_christmas_boxing_day_the_weekend_and_the_observed_holiday_are_all_skipped():
    # 10 December 2026 + 15 days = Friday 25 December; Boxing Day is a Saturday, observed on Monday 28.
    deadline = judicial_review_deadline(decided_on=datetime.date(2026, 12, 10), made_in_canada=True)
    assert deadline.deadline == datetime.date(2026, 12, 29)
    assert [day.reason for day in deadline.skipped] == [
        SkipReason.HOLIDAY,
        SkipReason.HOLIDAY,
        SkipReason.SUNDAY,
        SkipReason.HOLIDAY,
    ]


def test_a_holiday_added_in_admin_moves_the_deadline_too():
    Holiday.objects.create(date=datetime.date(2025, 3, 18), name_en="Special closure", name_fr="Fermeture spéciale")
    deadline = judicial_review_deadline(decided_on=datetime.date(2025, 3, 3), made_in_canada=True)
    assert deadline.deadline == datetime.date(2025, 3, 19)


def test_the_holidays_are_read_in_one_query(django_assert_num_queries):
    with django_assert_num_queries(1):
        judicial_review_deadline(decided_on=datetime.date(2026, 12, 10), made_in_canada=True)


def test_the_migration_seeded_the_federal_holidays_from_2024_to_2030():
    years = {day.year for day in Holiday.objects.values_list("date", flat=True)}
    assert set(range(2024, 2031)) <= years
    for year in range(2024, 2031):
        assert Holiday.objects.filter(date=datetime.date(year, 7, 1)).exists()
        assert Holiday.objects.filter(date=datetime.date(year, 12, 25)).exists()
    # The Government of Canada's French names, not the package's older ones.
    assert not Holiday.objects.filter(name_fr__in=["Boxing Day", "Fête de la Reine"]).exists()
    assert Holiday.objects.filter(name_fr="Fête de Victoria").count() == 7
