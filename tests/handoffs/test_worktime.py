"""handoffs.worktime: when a note reaches someone, and N of their working hours later, exact
across DST (pure: no database)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from handoffs.worktime import (
    after_working_hours,
    delivery_at,
    is_at_work,
    next_day_start,
    working_day,
    working_time_between,
)
from teams.hours import WeekRange, week_ranges

OFFICE = week_ranges({d: ["09:00-17:00"] for d in ("mon", "tue", "wed", "thu", "fri")})
SPLIT = week_ranges(
    {d: ["08:00-12:00", "13:00-17:30"] for d in ("mon", "tue", "wed", "thu", "fri")}
)
NIGHTS = week_ranges({d: ["22:00-06:00"] for d in ("mon", "tue", "wed", "thu", "fri")})
LONDON = ZoneInfo("Europe/London")
SYDNEY = ZoneInfo("Australia/Sydney")
NEW_YORK = ZoneInfo("America/New_York")


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_delivery_now_while_working_else_the_next_working_stretch():
    # Friday 26 March 2027, 10:00 in London (GMT): working.
    assert delivery_at(OFFICE, LONDON, utc(2027, 3, 26, 10)) == utc(2027, 3, 26, 10)
    # 06:30: their day starts at 09:00.
    assert delivery_at(OFFICE, LONDON, utc(2027, 3, 26, 6, 30)) == utc(2027, 3, 26, 9)
    # Friday evening: Monday 09:00, and Monday is BST (clocks went forward on Sunday).
    assert delivery_at(OFFICE, LONDON, utc(2027, 3, 26, 18)) == utc(2027, 3, 29, 8)
    # Lunch: back at 13:00 (within their working day).
    assert delivery_at(SPLIT, LONDON, utc(2027, 3, 26, 12, 15)) == utc(2027, 3, 26, 13)
    # No hours on record: always at work.
    assert delivery_at([], LONDON, utc(2027, 3, 27, 3)) == utc(2027, 3, 27, 3)


def test_working_hours_later_skip_nights_weekends_and_the_lost_hour():
    # Friday 16:00 in Sydney (AEDT) + 2 working hours: Monday 10:00 AEDT.
    start = utc(2027, 3, 26, 5)
    assert start.astimezone(SYDNEY).hour == 16
    assert after_working_hours(OFFICE, SYDNEY, start, 2) == utc(2027, 3, 28, 23)
    # Friday 16:00 in London (GMT) + 2: Monday 10:00 BST = 09:00 UTC.
    assert after_working_hours(OFFICE, LONDON, utc(2027, 3, 26, 16), 2) == utc(2027, 3, 29, 9)
    # Within a stretch: plain addition.
    assert after_working_hours(OFFICE, LONDON, utc(2027, 3, 26, 10), 3) == utc(2027, 3, 26, 13)
    # Split day: 11:00 + 2 working hours skips lunch: 14:00.
    assert after_working_hours(SPLIT, LONDON, utc(2027, 3, 26, 11), 2) == utc(2027, 3, 26, 14)
    # Night shifts over midnight in New York (EDT): Monday 21:00 + 4 h: Tuesday 02:00.
    monday_9pm = datetime(2027, 3, 29, 21, tzinfo=NEW_YORK)
    assert after_working_hours(NIGHTS, NEW_YORK, monday_9pm, 4) == datetime(
        2027, 3, 30, 2, tzinfo=NEW_YORK
    )
    # No hours: clock hours.
    assert after_working_hours([], LONDON, utc(2027, 3, 27), 4) == utc(2027, 3, 27, 4)


def test_next_day_start_is_strictly_after_now():
    friday = utc(2027, 3, 26, 10)  # 10:00 London, working: the next day is Monday
    assert next_day_start(OFFICE, LONDON, friday) == utc(2027, 3, 29, 8)
    assert next_day_start(OFFICE, LONDON, utc(2027, 3, 26, 6)) == utc(2027, 3, 26, 9)
    # At lunch the day has begun: the next is tomorrow's.
    assert next_day_start(SPLIT, LONDON, utc(2027, 3, 25, 12, 30)) == utc(2027, 3, 26, 8)
    assert next_day_start([], LONDON, friday) is None


RANGES = st.sampled_from([OFFICE, SPLIT, NIGHTS, [WeekRange(0, 10080)]])
ZONES = st.sampled_from([LONDON, SYDNEY, NEW_YORK, ZoneInfo("Asia/Kolkata")])
INSTANTS = st.datetimes(
    # hypothesis wants naive bounds; the generated values are UTC-aware.
    min_value=datetime(2027, 1, 1),  # noqa: DTZ001
    max_value=datetime(2027, 12, 31),  # noqa: DTZ001
    timezones=st.just(UTC),
)


@settings(max_examples=150, deadline=None)
@given(ranges=RANGES, zone=ZONES, start=INSTANTS, minutes=st.integers(0, 60 * 60))
def test_working_time_between_undoes_after_working_hours(ranges, zone, start, minutes):
    end = after_working_hours(ranges, zone, start, minutes / 60)
    assert end >= start
    assert working_time_between(ranges, zone, start, end) == timedelta(minutes=minutes)


def test_a_working_day_runs_from_its_first_start_to_its_last_stretchs_end():
    from datetime import date

    # Friday 26 March 2027 in London (GMT) and Monday 29th (BST).
    assert working_day(OFFICE, LONDON, date(2027, 3, 26)) == (
        utc(2027, 3, 26, 9),
        utc(2027, 3, 26, 17),
    )
    assert working_day(OFFICE, LONDON, date(2027, 3, 29)) == (
        utc(2027, 3, 29, 8),
        utc(2027, 3, 29, 16),
    )
    # Lunch is inside the day; a weekend day is none; no hours on record: none.
    assert working_day(SPLIT, LONDON, date(2027, 3, 26)) == (
        utc(2027, 3, 26, 8),
        utc(2027, 3, 26, 17, 30),
    )
    assert working_day(OFFICE, LONDON, date(2027, 3, 27)) is None
    assert working_day([], LONDON, date(2027, 3, 26)) is None
    # A night stretch starting Monday 22:00 in New York ends Tuesday 06:00.
    assert working_day(NIGHTS, NEW_YORK, date(2027, 3, 29)) == (
        datetime(2027, 3, 29, 22, tzinfo=NEW_YORK),
        datetime(2027, 3, 30, 6, tzinfo=NEW_YORK),
    )


@settings(max_examples=150, deadline=None)
@given(ranges=RANGES, zone=ZONES, start=INSTANTS)
def test_a_working_day_is_worked_to_its_end_and_no_stretch_of_it_starts_later(ranges, zone, start):
    day = start.astimezone(zone).date()
    span = working_day(ranges, zone, day)
    if span is None:
        return
    begin, end = span
    assert begin < end and begin.astimezone(zone).date() == day
    assert is_at_work(ranges, zone, begin) and is_at_work(ranges, zone, end - timedelta(minutes=1))
    if end - begin < timedelta(days=1):
        assert not is_at_work(ranges, zone, end)
        # The next stretch starts on a later local date.
        again = delivery_at(ranges, zone, end)
        assert again.astimezone(zone).date() > day
