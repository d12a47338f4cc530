"""core.dates: calendar months on dates, at month ends, in leap years and backwards."""

import datetime

import pytest

from core.dates import (
    DAYS_PER_MONTH,
    add_months,
    add_years,
    first_of_month,
    last_of_month,
    month_ends_before,
    month_starts,
)

D = datetime.date


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (D(2026, 11, 22), 0, D(2026, 11, 22)),
        (D(2026, 11, 22), 1, D(2026, 12, 22)),
        (D(2026, 11, 22), 2, D(2027, 1, 22)),
        (D(2026, 11, 22), -6, D(2026, 5, 22)),
        (D(2026, 1, 15), -1, D(2025, 12, 15)),
        (D(2026, 1, 31), 1, D(2026, 2, 28)),
        (D(2028, 1, 31), 1, D(2028, 2, 29)),
        (D(2026, 8, 31), -6, D(2026, 2, 28)),
        (D(2026, 3, 31), -1, D(2026, 2, 28)),
        (D(2026, 5, 31), 1, D(2026, 6, 30)),
        (D(2026, 2, 28), -18, D(2024, 8, 28)),
        (D(2024, 2, 29), 12, D(2025, 2, 28)),
        (D(2024, 2, 29), -48, D(2020, 2, 29)),
        (D(2026, 12, 31), -120, D(2016, 12, 31)),
    ],
)
def test_add_months_keeps_the_day_or_takes_the_last_of_a_shorter_month(day, months, expected):
    assert add_months(day, months=months) == expected


def test_add_months_is_not_reversible_past_a_short_month():
    there = add_months(D(2026, 1, 31), months=1)
    assert add_months(there, months=-1) == D(2026, 1, 28)


@pytest.mark.parametrize(
    ("day", "years", "expected"),
    [
        (D(2026, 5, 22), 5, D(2031, 5, 22)),
        (D(2024, 2, 29), 5, D(2029, 2, 28)),
        (D(2024, 2, 29), 4, D(2028, 2, 29)),
        (D(2024, 2, 29), -1, D(2023, 2, 28)),
    ],
)
def test_add_years_moves_29_february_to_the_28th_outside_leap_years(day, years, expected):
    assert add_years(day, years=years) == expected


@pytest.mark.parametrize(
    ("day", "first", "last"),
    [
        (D(2026, 2, 14), D(2026, 2, 1), D(2026, 2, 28)),
        (D(2024, 2, 1), D(2024, 2, 1), D(2024, 2, 29)),
        (D(2100, 2, 10), D(2100, 2, 1), D(2100, 2, 28)),
        (D(2000, 2, 10), D(2000, 2, 1), D(2000, 2, 29)),
        (D(2026, 4, 30), D(2026, 4, 1), D(2026, 4, 30)),
        (D(2026, 12, 31), D(2026, 12, 1), D(2026, 12, 31)),
    ],
)
def test_first_and_last_of_month(day, first, last):
    assert first_of_month(day) == first
    assert last_of_month(day) == last


def test_month_starts_run_oldest_first_through_the_given_month_across_a_year_end():
    assert month_starts(through=D(2026, 2, 17), count=4) == [
        D(2025, 11, 1),
        D(2025, 12, 1),
        D(2026, 1, 1),
        D(2026, 2, 1),
    ]


def test_month_starts_of_a_year_are_twelve_distinct_firsts():
    months = month_starts(through=D(2026, 12, 31), count=12)
    assert months[0] == D(2026, 1, 1)
    assert [day.month for day in months] == list(range(1, 13))


def test_month_ends_before_run_newest_first_and_leave_out_the_given_month():
    assert month_ends_before(D(2024, 3, 31), count=4) == [
        D(2024, 2, 29),
        D(2024, 1, 31),
        D(2023, 12, 31),
        D(2023, 11, 30),
    ]


def test_no_month_ends_when_none_are_asked_for():
    assert month_ends_before(D(2026, 11, 22), count=0) == []


def test_a_month_is_on_average_a_twelfth_of_a_julian_year():
    assert DAYS_PER_MONTH == pytest.approx(30.4375)
