"""Hand-written cases for oncall.rotation: DST in awkward zones, restrictions, overrides."""

from __future__ import annotations

import time as clock
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from oncall import rotation
from oncall.rotation import Layer, Override, Segment, ShiftLength, Window

DAILY = ShiftLength(1, "days")
HOURLY = ShiftLength(1, "hours")
WEEKLY = ShiftLength(1, "weeks")
WEEKDAYS = frozenset(range(5))


def naive(*args: int) -> datetime:
    """A naive local wall time (built without tripping the naive-datetime lint)."""
    return datetime(*args, tzinfo=UTC).replace(tzinfo=None)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def layer(zone: str, start: datetime, length=DAILY, people=("A", "B", "C"), **extra) -> Layer:
    return Layer(
        id=extra.pop("id", "L"),
        time_zone=zone,
        start=start,
        shift_length=length,
        participants=people,
        **extra,
    )


def hours(delta: timedelta) -> float:
    return delta.total_seconds() / 3600


def people_of(segments) -> list:
    return [s.person for s in segments]


# --- daily handoffs keep their wall time across DST ----------------------------------------

DST_DAYS = [
    # zone, local day a 09:00 shift starts on, its length in hours
    ("Europe/London", (2026, 3, 28), 23),
    ("Europe/London", (2026, 10, 24), 25),
    ("America/New_York", (2026, 3, 7), 23),
    ("America/New_York", (2026, 10, 31), 25),
    ("America/Santiago", (2026, 9, 5), 23),  # clocks jump at midnight: 00:00 -> 01:00
    ("America/Santiago", (2026, 4, 4), 25),
    ("Australia/Lord_Howe", (2026, 10, 3), 23.5),  # a 30-minute DST
    ("Australia/Lord_Howe", (2026, 4, 4), 24.5),
    ("Pacific/Chatham", (2026, 9, 26), 23),  # UTC+12:45 / +13:45
    ("Pacific/Chatham", (2026, 4, 4), 25),
    ("Africa/Casablanca", (2026, 3, 21), 23),  # back to +01 after Ramadan
    ("Africa/Casablanca", (2026, 2, 14), 25),  # to +00 for Ramadan
    ("Asia/Kathmandu", (2026, 3, 28), 24),  # UTC+05:45, no DST
]


@pytest.mark.parametrize(("zone", "day", "length"), DST_DAYS)
def test_daily_0900_handoff_stays_0900_local_across_dst(zone, day, length):
    tz = ZoneInfo(zone)
    daily = layer(zone, naive(*day, 9) - timedelta(days=3))
    for k in range(7):
        local = rotation.handoff_instant(daily, k).astimezone(tz)
        assert (local.hour, local.minute) == (9, 0)
    shift = rotation.shift_at(daily, datetime(*day, 12, tzinfo=tz))
    assert shift.k == 3
    assert hours(shift.end - shift.start) == length
    assert shift.person == "A"  # 3 mod 3


def test_kathmandu_hourly_handoffs_fall_at_quarter_past_utc():
    hourly = layer("Asia/Kathmandu", naive(2026, 6, 1, 0), HOURLY)
    starts = [s.start for s in rotation.layer_shifts(hourly, utc(2026, 6, 1), utc(2026, 6, 1, 5))]
    assert starts == [utc(2026, 5, 31, 23, 15) + timedelta(hours=h) for h in range(6)]


# --- hourly rotations through spring-forward and fall-back ---------------------------------


def test_hourly_rotation_spring_forward_skips_the_missing_hour():
    hourly = layer("America/New_York", naive(2026, 3, 8, 0), HOURLY, ("A", "B", "C", "D"))
    shifts = rotation.layer_shifts(hourly, utc(2026, 3, 8, 5), utc(2026, 3, 8, 9))
    assert [(s.k, s.start, s.end, s.person) for s in shifts] == [
        (0, utc(2026, 3, 8, 5), utc(2026, 3, 8, 6), "A"),  # 00:00 EST
        (1, utc(2026, 3, 8, 6), utc(2026, 3, 8, 7), "B"),  # 01:00 EST
        # 02:00 does not exist: shift 2 (C) is empty and skipped; the rotation keeps turning.
        (3, utc(2026, 3, 8, 7), utc(2026, 3, 8, 8), "D"),  # 03:00 EDT
        (4, utc(2026, 3, 8, 8), utc(2026, 3, 8, 9), "A"),  # 04:00 EDT
    ]
    final = rotation.final_segments([hourly], [], utc(2026, 3, 8, 5), utc(2026, 3, 8, 9))
    assert people_of(final) == ["A", "B", "D", "A"]


def test_hourly_rotation_fall_back_gives_the_repeated_hour_to_one_shift():
    hourly = layer("America/New_York", naive(2026, 11, 1, 0), HOURLY, ("A", "B", "C"))
    shifts = rotation.layer_shifts(hourly, utc(2026, 11, 1, 4), utc(2026, 11, 1, 8))
    assert [(s.k, s.start, s.end, s.person) for s in shifts] == [
        (0, utc(2026, 11, 1, 4), utc(2026, 11, 1, 5), "A"),  # 00:00 EDT
        # 01:00 is its first occurrence (EDT); 02:00 EST follows two hours later.
        (1, utc(2026, 11, 1, 5), utc(2026, 11, 1, 7), "B"),
        (2, utc(2026, 11, 1, 7), utc(2026, 11, 1, 8), "C"),
    ]


def test_hourly_rotation_over_lord_howe_half_hour_gap():
    hourly = layer("Australia/Lord_Howe", naive(2026, 10, 4, 0), HOURLY)
    shift = rotation.shift_at(hourly, utc(2026, 10, 3, 15, 45))
    # 02:00 falls in the 02:00-02:30 gap: it moves to 02:30 (+11), so shift 2 lasts 30 minutes.
    assert (shift.k, shift.start, shift.end) == (2, utc(2026, 10, 3, 15, 30), utc(2026, 10, 3, 16))


def test_hourly_rotation_over_casey_three_hour_gap_never_overlaps():
    # Antarctica/Casey jumped from 02:00 +08 to 05:00 +11 on 18 Oct 2009. Shifts 26-28
    # (02:00-05:00, which never happened) are empty; 05:00 keeps its owner.
    hourly = layer("Antarctica/Casey", naive(2009, 10, 17, 0), HOURLY, tuple(range(24)))
    shifts = rotation.layer_shifts(hourly, utc(2009, 10, 17, 15), utc(2009, 10, 17, 21))
    assert [(s.k, s.start.hour, s.end.hour) for s in shifts] == [
        (23, 15, 16),
        (24, 16, 17),
        (25, 17, 18),
        (29, 18, 19),
        (30, 19, 20),
        (31, 20, 21),
    ]


def test_samoa_skipped_day_yields_no_shifts_and_no_overlaps():
    # Pacific/Apia skipped 30 Dec 2011 (23:59:59 -10 -> 00:00 +14 on the 31st).
    hourly = layer("Pacific/Apia", naive(2011, 12, 29, 0), HOURLY, tuple(range(24)))
    shifts = rotation.layer_shifts(hourly, utc(2011, 12, 30, 8), utc(2011, 12, 30, 12))
    assert [s.k for s in shifts] == [22, 23, 48, 49]
    assert shifts[1].end == shifts[2].start == utc(2011, 12, 30, 10)
    at = rotation.shift_at(hourly, datetime(2011, 12, 31, 5, 30, tzinfo=ZoneInfo("Pacific/Apia")))
    assert (at.k, at.person) == (53, 5)  # 05:00 on the 31st is still "hour 5"
    daily = layer("Pacific/Apia", naive(2011, 12, 28, 9), DAILY, ("A", "B", "C", "D"))
    kept = rotation.layer_shifts(daily, utc(2011, 12, 28), utc(2012, 1, 2))
    assert [s.k for s in kept] == [0, 1, 3, 4, 5]  # the 30th's shift never happened
    assert all(one.end == two.start for one, two in zip(kept, kept[1:], strict=False))


# --- weekly shifts and starts inside a gap -------------------------------------------------


def test_weekly_rotation_keeps_monday_0900_and_stretches_over_dst():
    weekly = layer("America/New_York", naive(2026, 3, 2, 9), WEEKLY, ("A", "B"))
    first = rotation.shift_at(weekly, utc(2026, 3, 5))
    assert hours(first.end - first.start) == 167
    assert first.end.astimezone(ZoneInfo("America/New_York")).hour == 9
    autumn = rotation.shift_at(weekly, utc(2026, 11, 1, 12))
    assert hours(autumn.end - autumn.start) == 169
    assert autumn.person == ["A", "B"][autumn.k % 2]


def test_start_in_a_dst_gap_moves_forward_by_the_gap():
    daily = layer("America/New_York", naive(2026, 3, 8, 2, 30))
    assert rotation.handoff_instant(daily, 0) == utc(2026, 3, 8, 7, 30)  # 03:30 EDT
    assert rotation.handoff_instant(daily, 1) == utc(2026, 3, 9, 6, 30)  # 02:30 EDT
    assert rotation.shift_at(daily, utc(2026, 3, 8, 7, 29)) is None
    final = rotation.final_segments([daily], [], utc(2026, 3, 8), utc(2026, 3, 9))
    assert final == [
        Segment(utc(2026, 3, 8), utc(2026, 3, 8, 7, 30), None),
        Segment(utc(2026, 3, 8, 7, 30), utc(2026, 3, 9), "A"),
    ]
    # Hourly from 02:30: 03:30 EDT is the same instant, so shift 0 is empty and B starts.
    hourly = layer("America/New_York", naive(2026, 3, 8, 2, 30), HOURLY)
    assert rotation.shift_at(hourly, utc(2026, 3, 8, 7, 45)).person == "B"


# --- restrictions: follow the sun and weekday rotations ------------------------------------


def follow_the_sun() -> list[Layer]:
    nine_to_five = (Window(WEEKDAYS, time(9), time(17)),)
    return [
        layer("Asia/Tokyo", naive(2026, 1, 5), people=("Aiko", "Ren"), id="apac", order=0,
              restrictions=nine_to_five),
        layer("Europe/London", naive(2026, 1, 5), people=("Olu", "Kate"), id="emea", order=1,
              restrictions=nine_to_five),
        layer("America/New_York", naive(2026, 1, 5), people=("Sam", "Lee"), id="amer", order=2,
              restrictions=nine_to_five),
    ]  # fmt: skip


def test_follow_the_sun_in_winter_shows_the_gaps():
    tuesday = utc(2026, 11, 24)
    final = rotation.final_segments(follow_the_sun(), [], tuesday, tuesday + timedelta(days=1))
    assert [(s.start.hour, s.end.hour if s.end.day == 24 else 24, s.person) for s in final] == [
        (0, 8, "Ren"),  # Tokyo 09-17 JST; day 323 since 5 Jan -> odd -> second person
        (8, 9, None),  # gap between Tokyo and London
        (9, 17, "Kate"),  # London wins the 14-17 overlap: same priority, created first
        (17, 22, "Lee"),  # New York 09-17 EST
        (22, 24, None),
    ]


def test_follow_the_sun_in_summer_closes_the_morning_gap():
    tuesday = utc(2026, 7, 7)
    final = rotation.final_segments(follow_the_sun(), [], tuesday, tuesday + timedelta(days=1))
    assert [(s.start.hour, s.person is None) for s in final] == [
        (0, False),  # Tokyo 00-08 UTC
        (8, False),  # London 08-16 UTC (BST) meets Tokyo's end
        (16, False),  # New York until 21 UTC (EDT)
        (21, True),
    ]


def test_follow_the_sun_weekend_is_one_gap():
    saturday = utc(2026, 11, 28, 12)
    final = rotation.final_segments(follow_the_sun(), [], saturday, saturday + timedelta(days=1))
    assert final == [Segment(saturday, saturday + timedelta(days=1), None)]


SEVEN = tuple("ABCDEFG")
WEEKDAY_WINDOW = (Window(WEEKDAYS, time(0), time(0)),)  # whole weekdays


def weekday_people(fair: bool) -> list[str]:
    rota = layer("Europe/London", naive(2026, 1, 5), people=SEVEN,
                 restrictions=WEEKDAY_WINDOW, fair=fair)  # fmt: skip
    segments = rotation.layer_segments(rota, utc(2026, 1, 5), utc(2026, 2, 23))  # 7 weeks
    return [s.person for s in segments]


def test_daily_rotation_of_seven_restricted_to_weekdays_starves_two_people():
    turns = weekday_people(fair=False)
    assert len(turns) == 35
    assert set(turns) == set("ABCDE")  # F and G always land on the weekend


def test_fair_daily_rotation_of_seven_gives_everyone_a_turn():
    turns = weekday_people(fair=True)
    assert turns[:9] == list("ABCDEFGAB")
    assert {p: turns.count(p) for p in SEVEN} == dict.fromkeys(SEVEN, 5)


def test_restricted_layer_covers_only_the_window_part_of_a_shift():
    evenings = (Window({0}, time(22), time(6)),)  # Monday 22:00 -> Tuesday 06:00
    rota = layer("Europe/London", naive(2026, 11, 23, 0), people=("A", "B"),
                 restrictions=evenings)  # fmt: skip
    segments = rotation.layer_segments(rota, utc(2026, 11, 23), utc(2026, 11, 25))
    # The window spans the midnight handoff: A until 00:00, then B.
    assert segments == [
        Segment(utc(2026, 11, 23, 22), utc(2026, 11, 24), "A"),
        Segment(utc(2026, 11, 24), utc(2026, 11, 24, 6), "B"),
    ]


def test_fair_layer_far_from_start_is_fast_and_consistent():
    hourly_fair = layer("America/New_York", naive(2001, 1, 1), HOURLY, SEVEN,
                        restrictions=(Window(WEEKDAYS, time(9), time(17)),), fair=True)  # fmt: skip
    started = clock.perf_counter()
    shift = rotation.shift_at(hourly_fair, utc(2039, 6, 1, 15))
    segments = rotation.layer_segments(hourly_fair, utc(2039, 6, 1), utc(2039, 6, 2))
    assert clock.perf_counter() - started < 2  # 38 years of hourly shifts, counted not walked
    assert segments[2].person == shift.person  # 15:00 UTC = 11:00 EDT, third hour
    assert len(segments) == 8  # 09:00-17:00 EDT, one person per hour


# --- overrides, priorities, start and end --------------------------------------------------


def always(person: str, **extra) -> Layer:
    return layer("UTC", naive(2026, 1, 1), people=(person,), **extra)


def test_newest_override_wins():
    base = always("A")
    overrides = [
        Override("Y", utc(2026, 5, 1, 12), utc(2026, 5, 1, 16), order=2),
        Override("X", utc(2026, 5, 1, 10), utc(2026, 5, 1, 14), order=1),
        Override("Z", utc(2026, 5, 1, 11), utc(2026, 5, 1, 13), order=0),  # oldest: hidden
    ]
    final = rotation.final_segments([base], overrides, utc(2026, 5, 1, 8), utc(2026, 5, 1, 18))
    assert [(s.start.hour, s.person) for s in final] == [(8, "A"), (10, "X"), (12, "Y"), (16, "A")]


def test_override_beats_every_layer_and_can_fill_a_gap():
    rota = layer("Europe/London", naive(2026, 1, 5), people=("A",),
                 restrictions=(Window(WEEKDAYS, time(9), time(17)),))  # fmt: skip
    cover = Override("Night", utc(2026, 11, 24, 16), utc(2026, 11, 24, 20))
    final = rotation.final_segments([rota], [cover], utc(2026, 11, 24, 8), utc(2026, 11, 24, 22))
    assert [(s.start.hour, s.end.hour, s.person) for s in final] == [
        (8, 9, None),
        (9, 16, "A"),
        (16, 20, "Night"),
        (20, 22, None),
    ]


def test_priority_then_creation_order():
    a, b = utc(2026, 5, 1), utc(2026, 5, 2)
    older = always("Older", order=3, priority=1)
    newer = always("Newer", order=5, priority=1)
    assert people_of(rotation.final_segments([newer, older], [], a, b)) == ["Older"]
    top = always("Top", order=9, priority=2)
    assert people_of(rotation.final_segments([newer, older, top], [], a, b)) == ["Top"]
    twin = always("Twin", order=3, priority=1)  # same order: first in the list wins
    assert people_of(rotation.final_segments([older, twin], [], a, b)) == ["Older"]


def test_lower_layer_shows_through_restrictions():
    office = layer("UTC", naive(2026, 1, 5), people=("Desk",), priority=5,
                   restrictions=(Window(WEEKDAYS, time(9), time(17)),))  # fmt: skip
    fallback = always("Pager")
    final = rotation.final_segments([fallback, office], [], utc(2026, 11, 24), utc(2026, 11, 25))
    assert [(s.start.hour, s.person) for s in final] == [(0, "Pager"), (9, "Desk"), (17, "Pager")]


def test_end_is_respected_and_nothing_before_start():
    ends = utc(2026, 5, 3, 12)
    rota = layer("UTC", naive(2026, 5, 1, 9), people=("A", "B"), end=ends)
    final = rotation.final_segments([rota], [], utc(2026, 4, 30), utc(2026, 5, 5))
    assert final == [
        Segment(utc(2026, 4, 30), utc(2026, 5, 1, 9), None),
        Segment(utc(2026, 5, 1, 9), utc(2026, 5, 2, 9), "A"),
        Segment(utc(2026, 5, 2, 9), utc(2026, 5, 3, 9), "B"),
        Segment(utc(2026, 5, 3, 9), ends, "A"),
        Segment(ends, utc(2026, 5, 5), None),
    ]
    assert rotation.shift_at(rota, ends) is None
    assert rotation.shift_at(rota, ends - timedelta(microseconds=1)).end == ends
    assert rotation.shift_at(rota, utc(2026, 5, 1, 8, 59)) is None
    assert rotation.layer_segments(rota, utc(2026, 5, 4), utc(2026, 5, 5)) == []


def test_oncall_at_returns_the_merged_segment_around_t():
    rota = layer("Europe/London", naive(2026, 1, 1, 9), people=("A", "B"))
    segment = rotation.oncall_at([rota], [], utc(2026, 7, 1, 12))
    assert segment.start == utc(2026, 7, 1, 8)  # 09:00 BST
    assert segment.end == utc(2026, 7, 2, 8)
    alone = rotation.oncall_at([always("Solo")], [], utc(2026, 7, 1, 12))
    horizon = rotation.ONCALL_HORIZON
    assert (alone.start, alone.end) == (
        utc(2026, 7, 1, 12) - horizon,
        utc(2026, 7, 1, 12) + horizon,
    )
    gap = rotation.oncall_at([], [], utc(2026, 7, 1, 12), horizon=timedelta(days=1))
    assert gap.person is None


def test_final_segments_keep_the_callers_bounds_and_handle_empty_ranges():
    a = datetime(2026, 5, 1, 12, 0, 0, 500, tzinfo=ZoneInfo("Asia/Tokyo"))
    b = a + timedelta(hours=1, microseconds=3)
    final = rotation.final_segments([always("A")], [], a, b)
    assert final == [Segment(a, b, "A")]
    assert rotation.final_segments([always("A")], [], b, a) == []


@pytest.mark.parametrize(
    "build",
    [
        lambda: ShiftLength(0, "days"),
        lambda: ShiftLength(1, "months"),
        lambda: Window({7}, time(9), time(17)),
        lambda: layer("Mars/Olympus", naive(2026, 1, 1)),
        lambda: layer("UTC", utc(2026, 1, 1)),
        lambda: layer("UTC", naive(2026, 1, 1), people=()),
        lambda: layer("UTC", naive(2026, 1, 1), end=naive(2026, 2, 1)),
    ],
)
def test_bad_input_is_a_value_error(build):
    with pytest.raises(ValueError):
        build()
