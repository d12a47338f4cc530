"""The queue-aware estimate on hand-made histories where the right answer is known."""

import datetime
import math
from collections import deque

import pytest

from processing_times.backtest import HistoryRow, ProgramRules, backtest, queue_histories
from processing_times.estimator import (
    MINIMUM_CALIBRATION,
    PACE_WINDOW_DAYS,
    QueueCounts,
    forecast,
    kaplan_meier_quantiles,
)

D0 = datetime.date(2025, 1, 1)
PROGRAMS = {
    "pr-card": ProgramRules(code="pr-card", name="PR card", window_days=183, times_by_country=False),
    "visitor-visa": ProgramRules(code="visitor-visa", name="Visitor visa", window_days=56, times_by_country=True),
}


def day(number: int) -> datetime.date:
    return D0 + datetime.timedelta(days=number)


def first_come_first_served(*, arrivals, decisions_per_day, days, backlog=0, program="pr-card", country="CA"):
    """An office that decides the oldest waiting files, `decisions_per_day(d)` of them on day d.

    `arrivals(d)` files arrive on day d. A file is never decided the day it arrives. `backlog`
    files are waiting on day 0, sent on the days before it, one a day.
    """
    waiting: deque[datetime.date] = deque(day(-backlog + index) for index in range(backlog))
    rows = []
    for number in range(days):
        today = day(number)
        for _ in range(decisions_per_day(number)):
            if not waiting or waiting[0] >= today:
                break
            submitted = waiting.popleft()
            rows.append(HistoryRow(program, country, submitted, today, "approved"))
        waiting.extend([today] * arrivals(number))
    rows.extend(HistoryRow(program, country, submitted, None, "") for submitted in waiting)
    return rows


def test_counts_give_the_files_ahead_and_the_pace_as_known_on_a_day():
    counts = QueueCounts(
        arrivals={day(0): 3, day(1): 2, day(5): 1},
        departures={day(2): 1, day(3): 1, day(6): 2},
    )
    assert counts.ahead(day(1)) == 3  # sent on day 0, none decided yet
    assert counts.ahead(day(3)) == 3  # five sent before day 3, two decided by its end
    assert counts.ahead(day(6)) == 2  # six sent before day 6, four decided by its end
    assert counts.ahead(day(5)) == 3  # the file sent on day 5 is not ahead of the others sent that day
    assert counts.pace(day(6)) == 0  # decisions are on record from day 2 only: not a whole window yet
    full = day(1 + PACE_WINDOW_DAYS)  # the first day whose window lies within the records
    assert counts.pace(full) == pytest.approx(4 / PACE_WINDOW_DAYS)
    assert counts.pace(day(6 + PACE_WINDOW_DAYS)) == 0  # nothing decided in the window
    assert counts.queue_days(day(100)) is None  # no pace: no queue estimate


def test_a_steady_office_gets_every_date_exactly_right():
    """One file a day, one decision a day: each file waits for the 39 ahead of it, then one more day."""
    rows = first_come_first_served(arrivals=lambda d: 1, decisions_per_day=lambda d: 1, days=500, backlog=40)
    assert {row.decided_on - row.submitted_on for row in rows if row.decided_on} == {datetime.timedelta(days=40)}
    [history] = queue_histories(rows, PROGRAMS).values()
    found = forecast(history, day(400))
    assert found.pace_per_day == 1
    # Each took 40 days where the queue part said 39: log(41/40), kept to the hundredth.
    assert found.calibration.factors == pytest.approx((math.exp(0.02),) * 3)
    assert history.counts.ahead(day(400)) == 39
    assert found.days_left(ahead=39) == pytest.approx((39.8,) * 3, abs=0.05)  # 40 days once rounded up

    result = backtest(rows=rows, programs=PROGRAMS, start=day(400), end=day(440))
    assert result.evaluated == 41
    assert result.share_within_p80 == 1
    assert result.median_abs_error_days < 0.5


def test_a_growing_backlog_moves_the_date_at_once_where_the_published_percentile_lags():
    """Twice as many files arrive from day 300; the office still decides one a day, in order.

    A file's wait is then exactly the files ahead of it plus one day: the queue estimate stays right while the
    backward-looking percentile keeps announcing the old 40 days.
    """
    rows = first_come_first_served(
        arrivals=lambda d: 1 if d < 300 else 2, decisions_per_day=lambda d: 1, days=700, backlog=40
    )
    start, end = day(320), day(380)
    queue = backtest(rows=rows, programs=PROGRAMS, start=start, end=end, method="queue")
    published = backtest(rows=rows, programs=PROGRAMS, start=start, end=end, method="percentile")
    assert queue.evaluated == published.evaluated == 122
    # Two files sent the same day are not ahead of each other but are decided a day apart, and the ratio
    # learnt in steady times is kept to the hundredth: a day and a half off at most.
    assert max(abs(error) for error in queue.overall.errors) <= 1.5
    assert published.share_within_p80 < 0.2
    assert published.overall.median_bias_days > 40  # files took far longer than the percentile said


def test_when_the_office_slows_down_the_pace_falls_and_the_dates_move_out():
    rows = first_come_first_served(
        arrivals=lambda d: 2, decisions_per_day=lambda d: 2 if d < 300 else 1, days=600, backlog=80
    )
    [history] = queue_histories(rows, PROGRAMS).values()
    before, after = forecast(history, day(299)), forecast(history, day(300 + PACE_WINDOW_DAYS))
    assert before.pace_per_day == 2
    assert after.pace_per_day == 1
    assert history.counts.ahead(day(342)) > history.counts.ahead(day(299))
    assert after.days_left(ahead=history.counts.ahead(day(342)))[0] > 2 * before.days_left(ahead=80)[0]


def test_no_estimate_uses_anything_that_happened_after_its_day():
    """Cut the history at day 300 as it stood then: the forecast of day 300 is the same."""
    rows = first_come_first_served(
        arrivals=lambda d: 1 + d % 3, decisions_per_day=lambda d: 2 if d % 5 else 1, days=600, backlog=60
    )
    cut = day(300)
    as_known = [
        HistoryRow(
            row.program,
            row.country,
            row.submitted_on,
            row.decided_on if row.decided_on and row.decided_on <= cut else None,
            row.outcome if row.decided_on and row.decided_on <= cut else "",
        )
        for row in rows
        if row.submitted_on <= cut
    ]
    [full] = queue_histories(rows, PROGRAMS).values()
    [known] = queue_histories(as_known, PROGRAMS).values()
    assert forecast(full, cut) == forecast(known, cut)
    assert full.counts.ahead(cut) == known.counts.ahead(cut)


def test_files_still_waiting_count_as_later_than_their_age():
    """Three files decided a day late, three still waiting at 5 days late: the median is 1, the 80th unknown."""
    quantiles, known = kaplan_meier_quantiles([(1.0, True, 3, 1), (5.0, False, 3, 1)], (0.5, 0.8, 0.9))
    assert known == 3
    assert quantiles == [1.0, None, None]  # ignoring the waiting files would have said 1 day for all three
    everything, known = kaplan_meier_quantiles([(float(value), True, 1, 1) for value in range(1, 11)], (0.5, 0.8, 0.9))
    assert (everything, known) == ([5.0, 8.0, 9.0], 10)
    # One waiting at 2 days: of the three left after it, one is decided at 3 (survival 3/4 x 1/2).
    halfway, _known = kaplan_meier_quantiles(
        [(1.0, True, 1, 1), (2.0, False, 1, 1), (3.0, True, 1, 1), (4.0, True, 1, 1)], (0.6,)
    )
    assert halfway == [3.0]


def steady_queue(*, days: int, backlog: int = 40):
    rows = first_come_first_served(arrivals=lambda d: 1, decisions_per_day=lambda d: 1, days=days, backlog=backlog)
    [history] = queue_histories(rows, PROGRAMS).values()
    return history


def test_with_few_decided_files_the_range_is_widened_and_says_so():
    history = steady_queue(days=80)
    found = forecast(history, day(79))
    assert found.calibration.widened
    assert found.calibration.errors < MINIMUM_CALIBRATION
    assert forecast(steady_queue(days=24), day(23)) is None  # no pace yet: decisions on record for 10 days only


def test_calibration_uses_the_files_sent_in_the_last_year_or_further_back_when_they_are_still_waiting():
    history = steady_queue(days=800)
    errors = history.errors_known_on(day(700))
    assert sum(count for _error, _known, count, _weight in errors) == 364  # sent in the year before day 700
    assert sum(count for _error, known, count, _weight in errors if known) == 364 - 39  # the last 39 still wait
    assert forecast(history, day(700)).calibration.errors == 325

    # A queue where every file waits 500 days: none sent in the past year is decided yet.
    slow = first_come_first_served(arrivals=lambda d: 1, decisions_per_day=lambda d: 1, days=1400, backlog=500)
    [history] = queue_histories(slow, PROGRAMS).values()
    found = forecast(history, day(1300))
    assert not found.calibration.widened
    assert found.calibration.factors == pytest.approx((1, 1, 1))  # log(501/500) is 0.00 to the hundredth
    assert found.days_left(ahead=499) == pytest.approx((499, 499, 499))  # a day short of the 500 it takes


def test_each_country_is_its_own_line_where_the_program_publishes_times_per_country():
    fast = first_come_first_served(
        arrivals=lambda d: 1, decisions_per_day=lambda d: 1, days=400, backlog=10, program="visitor-visa", country="US"
    )
    slow = first_come_first_served(
        arrivals=lambda d: 1, decisions_per_day=lambda d: 1, days=400, backlog=60, program="visitor-visa", country="IN"
    )
    histories = queue_histories(fast + slow, PROGRAMS)
    assert set(histories) == {("visitor-visa", "US"), ("visitor-visa", "IN")}
    assert round(forecast(histories[("visitor-visa", "US")], day(300)).days_left(ahead=9)[0]) == 10
    assert round(forecast(histories[("visitor-visa", "IN")], day(300)).days_left(ahead=59)[0]) == 60


def test_the_time_left_in_a_stage_counts_the_time_already_spent():
    from processing_times.models import StageDurationSnapshot

    evenly = StageDurationSnapshot(quantiles=[float(days) for days in range(21)])  # 0 to 20 days, evenly spread
    assert evenly.days_left(spent=0) == pytest.approx(10)
    assert evenly.days_left(spent=10) == pytest.approx(5)  # half of those still going at 10 days were done by 15
    assert evenly.days_left(spent=10, share=0.8) == pytest.approx(8)
    assert evenly.days_left(spent=25) is None  # longer than every completed stage
    assert StageDurationSnapshot(quantiles=[]).days_left(spent=3) is None


def test_files_sent_in_the_same_weeks_of_an_earlier_year_count_more():
    from processing_times.estimator import SEASON_SPAN_DAYS, SEASON_WEIGHT, seasonal_weight

    assert [seasonal_weight(age) for age in (0, 30, 200, 365 - SEASON_SPAN_DAYS - 1)] == [1, 1, 1, 1]
    assert [seasonal_weight(age) for age in (365 - SEASON_SPAN_DAYS, 365, 365 + SEASON_SPAN_DAYS, 730)] == [
        SEASON_WEIGHT
    ] * 4
    assert seasonal_weight(365 + SEASON_SPAN_DAYS + 1) == 1
    # Weighted, a tenth of the files can carry the median; the count of decided files stays unweighted.
    quantiles, known = kaplan_meier_quantiles([(0.0, True, 9, 1), (5.0, True, 1, SEASON_WEIGHT)], (0.5,))
    assert (quantiles, known) == ([5.0], 10)
