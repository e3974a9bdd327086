"""Held notifications wait until the first instant the person is working, by is_working, even
when the clocks jump (a gap) or repeat an hour (a fold). next_change follows the same rule."""

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo, available_timezones

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from notifications import services
from teams import hours

MINUTE = timedelta(minutes=1)
WALK_LIMIT = timedelta(days=8)


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def quiet_until(zone: str, working_hours: dict, at: datetime) -> datetime | None:
    profile = SimpleNamespace(time_zone=zone, working_hours=working_hours)
    return services.quiet_until(profile, at=at)


def walk_to_flip(ranges, zone: ZoneInfo, at: datetime) -> datetime | None:
    """Reference: the first whole minute after `at` whose is_working differs from at's, found
    minute by minute (None within WALK_LIMIT). Exact because every zone changes offset on
    whole minutes in 2025-2035, so is_working only changes on minute boundaries."""
    state = hours.is_working(ranges, zone, at)
    t = at + MINUTE
    while t <= at + WALK_LIMIT:
        if hours.is_working(ranges, zone, t) != state:
            return t
        t += MINUTE
    return None


# --- the reported cases ----------------------------------------------------------------------


def test_london_fold_starts_on_the_second_pass_of_the_repeated_hour():
    # 27 Oct 2030: BST ends at 01:00 UTC, so 01:38 UTC is 01:38 GMT, the second 01:38.
    schedule = {"sun": ["01:45-10:45"]}
    at = utc(2030, 10, 27, 1, 38)
    assert quiet_until("Europe/London", schedule, at) == utc(2030, 10, 27, 1, 45)


def test_casablanca_after_the_jump_waits_for_next_saturday():
    # 14 Mar 2027 02:00 UTC Casablanca goes from +00 to +01; 02:14 UTC is Sunday 03:14, after
    # the shift Sat 17:30-02:30 ended (its end fell in the gap). The old answer, 02:30 UTC
    # (03:30 local), is not working time; the next start is Saturday 20 March 17:30 local.
    zone = ZoneInfo("Africa/Casablanca")
    schedule = {"sat": ["17:30-02:30"]}
    ranges = hours.week_ranges(schedule)
    at = utc(2027, 3, 14, 2, 14)
    assert not hours.is_working(ranges, zone, utc(2027, 3, 14, 2, 30))
    expected = datetime(2027, 3, 20, 17, 30, tzinfo=zone)
    assert quiet_until("Africa/Casablanca", schedule, at) == expected == utc(2027, 3, 20, 16, 30)
    assert walk_to_flip(ranges, zone, at) == expected


def test_havana_start_inside_the_gap_begins_when_the_gap_ends():
    # 14 Mar 2027 05:00 UTC Havana jumps from 00:00 to 01:00: 00:30 never happens, and the
    # shift Sun 00:30-09:30 is under way from 01:00 CDT (05:00 UTC), not 01:30 (05:30 UTC).
    schedule = {"sun": ["00:30-09:30"]}
    at = utc(2027, 3, 14, 2, 14)
    assert quiet_until("America/Havana", schedule, at) == utc(2027, 3, 14, 5, 0)
    assert quiet_until("America/Havana", schedule, utc(2027, 3, 14, 5, 0)) is None


def test_fold_inside_a_range_restarts_work_when_the_clocks_go_back():
    # Sun 00:30-01:30 in London, 27 Oct 2030: off at 01:45 BST, then at 01:00 UTC the clocks
    # read 01:00 GMT again, inside the range; no range start is crossed.
    schedule = {"sun": ["00:30-01:30"]}
    assert quiet_until("Europe/London", schedule, utc(2030, 10, 27, 0, 45)) == utc(
        2030, 10, 27, 1, 0
    )


def test_instants_inside_a_minute_count_as_that_minute():
    schedule = {"sun": ["00:30-09:30"]}
    at = utc(2027, 3, 14, 4, 59, 59, 999_999)
    assert quiet_until("America/Havana", schedule, at) == utc(2027, 3, 14, 5, 0)


# --- the property: every zone with DST, against the minute walk --------------------------------

SPAN_START, SPAN_END = utc(2025, 1, 1), utc(2036, 1, 1)


def _offset(zone: ZoneInfo, posix: int) -> timedelta:
    return datetime.fromtimestamp(posix, zone).utcoffset()


def _transitions(zone: ZoneInfo) -> list[datetime]:
    """Offset changes in 2025-2035, sampled every 14 days (none are closer than 35 days apart
    in these years) and bisected to the second."""
    found = []
    lo = int(SPAN_START.timestamp())
    end = int(SPAN_END.timestamp())
    while lo < end:
        hi = lo + 14 * 86_400
        if _offset(zone, hi) != _offset(zone, lo):
            a, b = lo, hi
            while b - a > 1:
                mid = (a + b) // 2
                a, b = (mid, b) if _offset(zone, mid) == _offset(zone, a) else (a, mid)
            found.append(datetime.fromtimestamp(b, UTC))
        lo = hi
    return found


TRANSITIONS = {
    name: changes
    for name in sorted(available_timezones())
    if (changes := _transitions(ZoneInfo(name)))
}


def test_the_property_covers_the_tricky_zones():
    for name in ("Europe/London", "Africa/Casablanca", "America/Havana", "Australia/Lord_Howe"):
        assert name in TRANSITIONS
    assert all(t.second == 0 for changes in TRANSITIONS.values() for t in changes)


# Most DST changes happen between 00:00 and 04:00 local, so favour those hours.
clock_hour = st.one_of(st.integers(0, 4), st.integers(0, 23))
clock_minute = st.one_of(st.sampled_from([0, 15, 30, 45]), st.integers(0, 59))
clock = st.builds(lambda h, m: f"{h:02d}:{m:02d}", clock_hour, clock_minute)
interval = st.one_of(
    st.builds(lambda s, e: f"{s}-{e}", clock, clock),
    st.builds(lambda s: f"{s}-24:00", clock),
)
day_intervals = st.lists(st.tuples(st.sampled_from(hours.DAY_KEYS), interval), max_size=5)


def _schedule(pairs) -> dict[str, list[str]]:
    """Add the intervals one by one, dropping any that would overlap the ones kept (the
    form refuses overlaps; rejecting whole examples instead wastes half of them)."""
    schedule = hours.normalize({})
    for day, text in pairs:
        candidate = {**schedule, day: [*schedule[day], text]}
        try:
            schedule = hours.normalize(candidate)
        except hours.WorkingHoursError:
            continue
    return schedule


schedules = day_intervals.map(_schedule)


@st.composite
def zone_and_instant(draw):
    name = draw(st.sampled_from(sorted(TRANSITIONS)))
    if draw(st.integers(0, 9)) < 8:  # mostly within days of a transition
        transition = draw(st.sampled_from(TRANSITIONS[name]))
        minutes = draw(
            st.one_of(
                st.integers(-240, 240), st.integers(-3 * 1440, 1440), st.integers(-8 * 1440, 0)
            )
        )
        at = transition + minutes * MINUTE
    else:
        total = int((SPAN_END - SPAN_START) / MINUTE)
        at = SPAN_START + draw(st.integers(0, total - 1)) * MINUTE
    return name, at


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    zone_at=zone_and_instant(),
    schedule=schedules,
    within_minute=st.one_of(
        st.just(timedelta(0)), st.timedeltas(timedelta(0), MINUTE - MINUTE / 60_000_000)
    ),
)
def test_quiet_until_and_next_change_match_the_minute_walk(zone_at, schedule, within_minute):
    name, at = zone_at
    zone = ZoneInfo(name)
    ranges = hours.week_ranges(schedule)
    flip = walk_to_flip(ranges, zone, at)
    working = hours.is_working(ranges, zone, at)
    # An instant inside the minute `at` begins behaves as that minute.
    fine = at + within_minute
    quiet = quiet_until(name, schedule, fine)
    change = hours.next_change(ranges, zone, fine)
    if not ranges:
        assert quiet is None and change is None
        return
    if flip is None:  # nothing within 8 days (e.g. working around the clock)
        assert change is None or change > at + WALK_LIMIT
        assert working or quiet is None or quiet > at + WALK_LIMIT
        return
    assert change == flip
    assert quiet == (None if working else flip)
