"""Working hours: parsing, validation and 'is working at t' across zones and DST."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from teams import hours

NINE_TO_FIVE = {k: ["09:00-17:00"] for k in ("mon", "tue", "wed", "thu", "fri")}


def test_normalize_sorts_and_fills_days():
    result = hours.normalize({"mon": ["13:00-17:00", "09:00-12:00"]})
    assert result["mon"] == ["09:00-12:00", "13:00-17:00"]
    assert result["sun"] == []


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ([], "must be an object"),
        ({"monday": ["09:00-17:00"]}, "Unknown weekday"),
        ({"mon": "nine to five"}, "not an interval"),
        ({"mon": ["25:00-26:00"]}, "not a time of day"),
        ({"mon": ["09:60-10:00"]}, "not a time of day"),
        ({"mon": ["24:00-02:00"]}, "not a time of day"),
        ({"mon": ["09:00-12:00", "11:00-13:00"]}, "overlaps"),
        ({"mon": ["22:00-06:00"], "tue": ["05:00-09:00"]}, "overlaps"),
        ({"mon": [9]}, "must be a string"),
    ],
)
def test_normalize_rejects_malformed(value, message):
    with pytest.raises(hours.WorkingHoursError, match=message):
        hours.normalize(value)


def test_overnight_interval_crosses_midnight_and_week_end():
    ranges = hours.week_ranges(hours.normalize({"sun": ["22:00-06:00"]}))
    assert ranges == [hours.WeekRange(0, 360), hours.WeekRange(6 * 1440 + 1320, 10080)]


def test_end_at_2400_allowed():
    assert hours.normalize({"fri": ["18:00-24:00"]})["fri"] == ["18:00-24:00"]


def test_is_working_in_manila_at_night_utc():
    manila = ZoneInfo("Asia/Manila")
    ranges = hours.week_ranges(hours.normalize(NINE_TO_FIVE))
    # Tuesday 02:00 UTC is Tuesday 10:00 in Manila.
    assert hours.is_working(ranges, manila, datetime(2026, 11, 24, 2, 0, tzinfo=UTC))
    assert not hours.is_working(ranges, manila, datetime(2026, 11, 24, 12, 0, tzinfo=UTC))


def test_is_working_follows_dst_in_new_york():
    new_york = ZoneInfo("America/New_York")
    ranges = hours.week_ranges(hours.normalize(NINE_TO_FIVE))
    # 13:30 UTC is 09:30 EDT in July but 08:30 EST in January.
    assert hours.is_working(ranges, new_york, datetime(2026, 7, 7, 13, 30, tzinfo=UTC))
    assert not hours.is_working(ranges, new_york, datetime(2026, 1, 6, 13, 30, tzinfo=UTC))


def test_day_strip_has_real_slot_count_on_dst_days():
    london = ZoneInfo("Europe/London")
    ranges = hours.week_ranges(hours.normalize(NINE_TO_FIVE))
    # 29 March 2026: clocks go forward, a 23-hour day -> 46 half-hour slots.
    assert len(hours.day_strip(ranges, london, london, date(2026, 3, 29))) == 46
    assert len(hours.day_strip(ranges, london, london, date(2026, 10, 25))) == 50
    monday = hours.day_strip(ranges, london, london, date(2026, 11, 23))
    assert len(monday) == 48
    assert monday[18:34] == [True] * 16 and not monday[17] and not monday[34]


def test_day_strip_converts_between_zones():
    ranges = hours.week_ranges(hours.normalize(NINE_TO_FIVE))
    tokyo, london = ZoneInfo("Asia/Tokyo"), ZoneInfo("Europe/London")
    # Tokyo 09:00-17:00 is 00:00-08:00 in London in winter (UTC+9 vs UTC+0).
    strip = hours.day_strip(ranges, tokyo, london, date(2026, 11, 24))
    assert strip[:16] == [True] * 16 and not any(strip[16:])


def test_text_round_trip():
    text = "mon-fri 09:00-12:00, 13:00-17:00\nsat 22:00-06:00"
    parsed = hours.parse_text(text)
    assert parsed["wed"] == ["09:00-12:00", "13:00-17:00"]
    assert hours.parse_text(hours.to_text(parsed)) == parsed


@pytest.mark.parametrize("text", ["funday 09:00-17:00", "fri-mon 09:00-17:00", "mon"])
def test_text_errors_name_the_line(text):
    with pytest.raises(hours.WorkingHoursError, match="Line 1"):
        hours.parse_text(text)


def test_next_change():
    london = ZoneInfo("Europe/London")
    ranges = hours.week_ranges(hours.normalize(NINE_TO_FIVE))
    friday_noon = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
    assert hours.next_change(ranges, london, friday_noon) == datetime(
        2026, 11, 27, 17, 0, tzinfo=london
    )
    friday_evening = datetime(2026, 11, 27, 18, 0, tzinfo=UTC)
    assert hours.next_change(ranges, london, friday_evening) == datetime(
        2026, 11, 30, 9, 0, tzinfo=london
    )


def test_next_change_when_a_range_ends_inside_a_dst_gap():
    # 29 Mar 2026 London skips 01:00-02:00 GMT: Sun 00:00-01:30 stops at the jump (01:00
    # UTC), not at 01:30 read with fold=0 (01:30 UTC, when it is already 02:30 BST).
    london = ZoneInfo("Europe/London")
    ranges = hours.week_ranges(hours.normalize({"sun": ["00:00-01:30"]}))
    at = datetime(2026, 3, 29, 0, 30, tzinfo=UTC)
    assert hours.next_change(ranges, london, at) == datetime(2026, 3, 29, 1, 0, tzinfo=UTC)


def test_next_change_ignores_the_week_seam_and_round_the_clock_hours():
    london = ZoneInfo("Europe/London")
    overnight = hours.week_ranges(hours.normalize({"sun": ["22:00-06:00"]}))
    sunday_night = datetime(2026, 11, 29, 23, 0, tzinfo=UTC)
    # Monday 00:00 splits the range in two but changes nothing: they stop at 06:00.
    assert hours.next_change(overnight, london, sunday_night) == datetime(
        2026, 11, 30, 6, 0, tzinfo=UTC
    )
    always = hours.week_ranges({day: ["00:00-24:00"] for day in hours.DAY_KEYS})
    assert hours.next_change(always, london, sunday_night) is None
    assert hours.next_change([], london, sunday_night) is None


interval = st.tuples(st.integers(0, 23), st.sampled_from([0, 15, 30, 45])).map(
    lambda hm: f"{hm[0]:02d}:{hm[1]:02d}"
)


@given(
    day=st.sampled_from(hours.DAY_KEYS),
    start=interval,
    end=interval,
    zone=st.sampled_from(["Europe/London", "Asia/Kathmandu", "Australia/Lord_Howe", "UTC"]),
    at=st.datetimes(
        # hypothesis wants naive bounds; the generated values are UTC-aware.
        min_value=datetime(2000, 1, 1),  # noqa: DTZ001
        max_value=datetime(2040, 1, 1),  # noqa: DTZ001
        timezones=st.just(UTC),
    ),
)
def test_ranges_agree_with_local_wall_clock(day, start, end, zone, at):
    """is_working equals a direct reading of the person's local wall clock."""
    normalized = hours.normalize({day: [f"{start}-{end}"]})
    ranges = hours.week_ranges(normalized)
    local = at.astimezone(ZoneInfo(zone))
    minute_of_day = local.hour * 60 + local.minute
    s = int(start[:2]) * 60 + int(start[3:])
    e = int(end[:2]) * 60 + int(end[3:])
    index = hours.DAY_KEYS.index(day)
    today, yesterday = local.weekday(), (local.weekday() - 1) % 7
    if e > s:
        expected = today == index and s <= minute_of_day < e
    else:  # overnight (or a full 24 hours when e == s)
        expected = (today == index and minute_of_day >= s) or (
            yesterday == index and minute_of_day < e
        )
    assert hours.is_working(ranges, ZoneInfo(zone), at) == expected


week_range = st.tuples(st.integers(0, hours.MINUTES_PER_WEEK - 1), st.integers(1, 10080)).map(
    lambda se: hours.WeekRange(se[0], min(hours.MINUTES_PER_WEEK, se[0] + se[1]))
)


@given(ranges=st.lists(week_range, max_size=4), minute=st.integers(0, hours.MINUTES_PER_WEEK - 1))
def test_storage_pieces_cover_the_same_minutes_in_short_pieces(ranges, minute):
    pieces = hours.storage_pieces(ranges)
    assert all(0 < p.end - p.start <= hours.MAX_STORED_MINUTES for p in pieces)
    assert hours.covers(pieces, minute) == hours.covers(ranges, minute)
    # What the SQL filter relies on: a covering piece starts within the last day.
    assert hours.covers(pieces, minute) == any(
        minute - hours.MAX_STORED_MINUTES < p.start <= minute < p.end for p in pieces
    )


def test_storage_pieces_leave_ordinary_days_whole():
    week = hours.week_ranges(hours.normalize({"mon": ["22:00-06:00"], "wed": ["09:00-17:00"]}))
    assert hours.storage_pieces(week) == week
    always = hours.week_ranges({d: ["00:00-24:00"] for d in hours.DAY_KEYS})
    assert always == [hours.WeekRange(0, hours.MINUTES_PER_WEEK)]
    assert hours.storage_pieces(always) == [
        hours.WeekRange(day * 1440, (day + 1) * 1440) for day in range(7)
    ]


def test_probably_asleep_is_off_hours_at_local_night():
    from teams.selectors import LocalStatus

    manila = ZoneInfo("Asia/Manila")

    def status(hour, minute=0, working=False):
        return LocalStatus(datetime(2026, 1, 7, hour, minute, tzinfo=manila), working, "UTC+08:00")

    assert status(22, 0).probably_asleep and status(3).probably_asleep
    assert status(6, 59).probably_asleep and not status(7, 0).probably_asleep
    assert not status(21, 59).probably_asleep and not status(12).probably_asleep
    assert not status(3, working=True).probably_asleep  # a night shift is awake


def test_week_ranges_remembered_per_pattern_are_fresh_lists_and_errors_still_raise():
    office = {"mon": ["09:00-17:00"], "sun": ["22:00-06:00"]}
    first = hours.week_ranges(office)
    first.append(hours.WeekRange(0, 1))  # a caller's list is its own
    assert hours.week_ranges(dict(office)) == first[:-1]
    assert hours.week_ranges({"mon": ["09:00-17:00"]}) != first[:-1]
    for _ in range(2):  # a bad pattern is reported every time, never remembered
        with pytest.raises(hours.WorkingHoursError):
            hours.week_ranges({"mon": ["25:00-26:00"]})
    # Values that cannot be a cache key are parsed as given.
    with pytest.raises(hours.WorkingHoursError):
        hours.week_ranges({"mon": [["09:00-17:00"]]})
