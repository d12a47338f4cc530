"""core.calendar: business days skip weekends and the holidays in the table (editable in admin)."""

import datetime

import pytest

from core.calendar import SkipReason, add_business_days, next_business_day
from core.models import Holiday

pytestmark = pytest.mark.django_db

FRIDAY = datetime.date(2030, 6, 28)


@pytest.fixture
def canada_day():
    Holiday.objects.filter(date__year=2030).delete()
    return Holiday.objects.create(date=datetime.date(2030, 7, 1), name_en="Canada Day", name_fr="Fête du Canada")


def test_a_business_day_is_its_own_next_business_day(canada_day):
    assert next_business_day(day=FRIDAY) == (FRIDAY, ())


def test_a_weekend_before_a_holiday_moves_to_the_tuesday(canada_day, django_assert_num_queries):
    with django_assert_num_queries(1):
        day, skipped = next_business_day(day=FRIDAY + datetime.timedelta(days=1))
    assert day == datetime.date(2030, 7, 2)
    assert [item.reason for item in skipped] == [SkipReason.SATURDAY, SkipReason.SUNDAY, SkipReason.HOLIDAY]
    assert skipped[-1].holiday == canada_day


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        (FRIDAY, 0, FRIDAY),
        (FRIDAY, 1, datetime.date(2030, 7, 2)),  # over the weekend and Canada Day
        (FRIDAY, 5, datetime.date(2030, 7, 8)),
        (datetime.date(2030, 6, 29), 1, datetime.date(2030, 7, 2)),  # counting from a Saturday
        (datetime.date(2030, 6, 24), 10, datetime.date(2030, 7, 9)),
    ],
)
def test_business_days_are_counted_past_weekends_and_holidays(canada_day, start, days, expected):
    assert add_business_days(start=start, days=days) == expected


def test_a_negative_count_is_refused():
    with pytest.raises(ValueError):
        add_business_days(start=FRIDAY, days=-1)
