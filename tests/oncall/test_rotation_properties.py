"""Property tests for oncall.rotation against a brute-force reference, over every IANA zone.

The reference below re-derives the contract with nothing but zoneinfo and loops: handoff k at
``start + k*step`` (fold=0), made monotone by taking the minimum over later handoffs, windows
per local date, fair counts by walking every shift from k = 0. The module under test uses a
cached offset table, a periodic fair count and sweeps; both must agree everywhere.
"""

from __future__ import annotations

import os
from bisect import bisect_right
from datetime import UTC, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo, available_timezones

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from oncall import rotation
from oncall.rotation import Layer, Override, ShiftLength, Window

ALL_ZONES = sorted(available_timezones())
# Zones with unusual transitions, sampled more often than their share of ALL_ZONES.
AWKWARD_ZONES = [
    "America/New_York",
    "Europe/London",
    "America/Santiago",
    "Australia/Lord_Howe",
    "Pacific/Chatham",
    "Asia/Kathmandu",
    "Africa/Casablanca",
    "Pacific/Apia",
    "Pacific/Fakaofo",
    "Antarctica/Casey",
    "Antarctica/Troll",
    "Africa/Cairo",
    "America/Sao_Paulo",
    "Asia/Gaza",
    "Europe/Dublin",
]
zones = st.one_of(st.sampled_from(AWKWARD_ZONES), st.sampled_from(ALL_ZONES))
# Offsets in 2000-2040 span at most 26 hours, so no handoff further on can be earlier.
MAX_SPREAD = timedelta(hours=27)


def naive(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC).replace(tzinfo=None)


class Reference:
    """Brute-force answers for one layer up to `until` (an instant)."""

    def __init__(self, layer: Layer, until: datetime) -> None:
        self.layer = layer
        self.zone = ZoneInfo(layer.time_zone)
        step = layer.shift_length.step
        self.step = step
        first = self.raw(0)
        count = 0
        while self.raw(count) <= until + MAX_SPREAD:
            count += 1
        count += 2  # so the shift containing `until` and the next one are both known
        look = MAX_SPREAD // step + 2
        raws = [self.raw(k) for k in range(count + look)]
        # Suffix minimum: a handoff is never later than any handoff after it.
        suffix = raws[:]
        for k in range(len(suffix) - 2, -1, -1):
            suffix[k] = min(suffix[k], suffix[k + 1])
        self.handoffs = [max(first, value) for value in suffix[:count]]
        self.windows = sorted(self._windows(until))
        self.window_starts = [s for s, _e in self.windows]
        self.covered_shift = []
        for k in range(count - 1):
            start, end = self.handoffs[k], self.handoffs[k + 1]
            hit = end > start and any(s < end and e > start for s, e in self.near(start, end))
            self.covered_shift.append(hit)
        self.fair_count = [0]
        for hit in self.covered_shift:
            self.fair_count.append(self.fair_count[-1] + hit)

    def raw(self, k: int) -> datetime:
        local = self.layer.start + k * self.step
        return local.replace(tzinfo=self.zone).astimezone(UTC)

    def _windows(self, until: datetime) -> list[tuple[datetime, datetime]]:
        out = []
        day = self.layer.start.date() - timedelta(days=2)
        last = until.astimezone(self.zone).date() + timedelta(days=3)
        while day <= last:
            for window in self.layer.restrictions:
                if day.weekday() in window.days:
                    start = datetime.combine(day, window.start)
                    end_day = day if window.end > window.start else day + timedelta(days=1)
                    end = datetime.combine(end_day, window.end)
                    s = start.replace(tzinfo=self.zone).astimezone(UTC)
                    e = end.replace(tzinfo=self.zone).astimezone(UTC)
                    if e > s:
                        out.append((s, e))
            day += timedelta(days=1)
        return out

    def near(self, start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
        """Window occurrences that may meet [start, end) (each lasts < 49 h as instants)."""
        lo = bisect_right(self.window_starts, start - timedelta(hours=49))
        hi = bisect_right(self.window_starts, end)
        return self.windows[lo:hi]

    def shift_index(self, t: datetime) -> int:
        return bisect_right(self.handoffs, t) - 1

    def person_of_shift(self, k: int) -> object:
        n = len(self.layer.participants)
        if self.layer.fair and self.layer.restrictions:
            return self.layer.participants[self.fair_count[k] % n]
        return self.layer.participants[k % n]

    def covers(self, t: datetime) -> tuple[bool, object]:
        layer = self.layer
        if t < self.handoffs[0] or (layer.end is not None and t >= layer.end):
            return False, None
        k = self.shift_index(t)
        inside = any(s <= t < e for s, e in self.near(t, t + timedelta(microseconds=1)))
        if layer.restrictions and not inside:
            return False, None
        return True, self.person_of_shift(k)


def reference_answer(layers, overrides, references, t):
    for override in sorted(enumerate(overrides), key=lambda p: (p[1].order, p[0]), reverse=True):
        if override[1].start <= t < override[1].end:
            return override[1].person
    ranked = sorted(range(len(layers)), key=lambda i: (-layers[i].priority, layers[i].order, i))
    for i in ranked:
        covered, person = references[i].covers(t)
        if covered:
            return person
    return None


# --- strategies ----------------------------------------------------------------------------

shift_lengths = st.one_of(
    st.builds(ShiftLength, st.integers(1, 12), st.just("hours")),
    st.builds(ShiftLength, st.integers(1, 3), st.just("days")),
    st.builds(ShiftLength, st.integers(1, 2), st.just("weeks")),
)
times_of_day = st.builds(time, st.integers(0, 23), st.sampled_from([0, 15, 30, 45]))
windows = st.builds(
    Window,
    st.frozensets(st.integers(0, 6), min_size=1, max_size=7),
    times_of_day,
    times_of_day,
)
starts = st.builds(
    naive,
    st.integers(2000, 2039),
    st.integers(1, 12),
    st.integers(1, 28),
    st.integers(0, 23),
    st.sampled_from([0, 15, 30, 45]),
)


@cache
def offset_changes(zone: str, year: int) -> tuple[datetime, ...]:
    """Local wall times (naive, to 15 minutes) in `year` at which `zone` changes its offset."""
    tz = ZoneInfo(zone)
    out = []
    day = naive(year, 1, 1)
    before = day.replace(tzinfo=tz).utcoffset()
    while day.year == year:
        after = (day + timedelta(days=1)).replace(tzinfo=tz).utcoffset()
        if after != before:
            moment = day
            while moment.replace(tzinfo=tz).utcoffset() == before and moment < day + timedelta(
                days=1
            ):
                moment += timedelta(minutes=15)
            # The gap or fold starts where fold=1 first disagrees, up to a day earlier.
            while (moment - timedelta(minutes=15)).replace(tzinfo=tz, fold=1).utcoffset() != (
                moment - timedelta(minutes=15)
            ).replace(tzinfo=tz).utcoffset() and moment > day - timedelta(days=1):
                moment -= timedelta(minutes=15)
            out.append(moment)
        day, before = day + timedelta(days=1), after
    return tuple(out)


@st.composite
def zone_and_start(draw):
    """A zone and a local start, half the time within days of one of its offset changes."""
    zone = draw(zones)
    start = draw(starts)
    if draw(st.booleans()):
        changes = offset_changes(zone, start.year)
        if changes:
            start = draw(st.sampled_from(changes)) + timedelta(
                minutes=15 * draw(st.integers(-4 * 24 * 3, 4 * 24))
            )
    return zone, start


@st.composite
def change_and_window(draw):
    """A zone, one of its offset changes, and a window whose edges sit near that change."""
    zone = draw(st.sampled_from(AWKWARD_ZONES))
    year = draw(st.integers(2000, 2039))
    changes = offset_changes(zone, year) or offset_changes("America/New_York", year)
    if not offset_changes(zone, year):
        zone = "America/New_York"
    moment = draw(st.sampled_from(changes))
    near = st.integers(-8, 8).map(lambda q: moment + timedelta(minutes=15 * q))
    first, second = draw(near), draw(near)
    days = {first.weekday(), second.weekday()} | draw(st.frozensets(st.integers(0, 6)))
    return zone, moment, Window(days, first.time(), second.time())


@st.composite
def layers(draw, index: int = 0, start=None, zone=None):
    picked_zone, picked_start = draw(zone_and_start())
    return Layer(
        id=f"layer{index}",
        time_zone=zone or picked_zone,
        start=start if start is not None else picked_start,
        shift_length=draw(shift_lengths),
        participants=tuple(draw(st.lists(st.sampled_from("ABCDEFG"), min_size=1, max_size=5))),
        priority=draw(st.integers(0, 2)),
        order=draw(st.integers(0, 3)),
        restrictions=tuple(draw(st.lists(windows, max_size=2))),
        fair=draw(st.booleans()),
    )


@st.composite
def schedules(draw):
    """1-3 layers starting near each other, 0-3 overrides, and a range [a, b) around them."""
    main_zone, base = draw(zone_and_start())
    count = draw(st.integers(1, 3))
    built = []
    for i in range(count):
        offset = timedelta(hours=draw(st.integers(-72, 72)))
        layer = draw(layers(i, base + offset, main_zone if i == 0 else None))
        if draw(st.booleans()):
            end = layer.start.replace(tzinfo=UTC) + timedelta(hours=draw(st.integers(1, 900)))
            layer = Layer(**{**_fields(layer), "end": end})
        built.append(layer)
    a = base.replace(tzinfo=UTC) + timedelta(hours=draw(st.integers(-96, 24 * 10)))
    b = a + timedelta(hours=draw(st.integers(1, 24 * 12)), minutes=draw(st.integers(0, 59)))
    overrides = []
    for i in range(draw(st.integers(0, 3))):
        start = a + timedelta(hours=draw(st.integers(-24, 24 * 12)))
        end = start + timedelta(hours=draw(st.integers(0, 72)))
        overrides.append(
            Override(person=f"O{i}", start=start, end=end, order=draw(st.integers(0, 3)))
        )
    return built, overrides, a, b


def _fields(layer: Layer) -> dict:
    return {name: getattr(layer, name) for name in Layer.__dataclass_fields__}


def assert_tiles(segments, a, b):
    assert segments[0].start == a
    assert segments[-1].end == b
    for first, second in zip(segments, segments[1:], strict=False):
        assert first.end == second.start  # no gap, no overlap
        assert first.person != second.person  # merged
    assert all(s.end > s.start for s in segments)


# --- properties ----------------------------------------------------------------------------

# ROTATION_EXAMPLES=20 multiplies every example count, for a deeper run before a release.
SCALE = int(os.environ.get("ROTATION_EXAMPLES", "1"))
FAST = settings(
    max_examples=60 * SCALE, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


@FAST
@given(schedules())
def test_final_segments_tile_and_match_reference(schedule):
    layers_, overrides, a, b = schedule
    segments = rotation.final_segments(layers_, overrides, a, b)
    assert_tiles(segments, a, b)
    references = [Reference(layer, b) for layer in layers_]
    for segment in segments:
        length = segment.end - segment.start
        probes = {
            segment.start,
            segment.end - timedelta(microseconds=1),
            segment.start + length / 2,
        }
        for t in probes:
            assert reference_answer(layers_, overrides, references, t) == segment.person, (
                t,
                segment,
            )


@FAST
@given(layers(), st.integers(0, 3000))
def test_handoffs_land_on_local_wall_time_or_gap_rule(layer, k):
    zone = ZoneInfo(layer.time_zone)
    local = layer.start + k * layer.shift_length.step
    handoff = rotation.handoff_instant(layer, k)
    following = rotation.handoff_instant(layer, k + 1)
    assert following >= handoff  # monotone
    as_local = handoff.astimezone(zone)
    round_trip = local.replace(tzinfo=zone).astimezone(UTC).astimezone(zone)
    exists = round_trip.replace(tzinfo=None) == local
    if exists:
        assert as_local.replace(tzinfo=None) == local
        assert as_local.fold == 0  # the first occurrence of an ambiguous time
    elif handoff < following:
        # Inside a gap: moved forward by the gap, i.e. read with the pre-transition offset.
        before = local.replace(tzinfo=zone).utcoffset()
        assert handoff == (local - before).replace(tzinfo=UTC)
        assert as_local.replace(tzinfo=None) > local


@FAST
@given(layers(), st.integers(0, 2000), st.integers(0, 10**6))
def test_shift_at_matches_reference(layer, k, fraction):
    start = rotation.handoff_instant(layer, k)
    end = rotation.handoff_instant(layer, k + 1)
    t = start + (end - start) * (fraction / 10**6) if end > start else start
    reference = Reference(layer, t)
    shift = rotation.shift_at(layer, t)
    expected_k = reference.shift_index(t)
    assert shift is not None
    assert shift.k == expected_k
    assert shift.start == reference.handoffs[expected_k] <= t < shift.end
    assert shift.end == reference.handoffs[expected_k + 1]
    assert shift.person == reference.person_of_shift(expected_k)
    assert rotation.shift_at(layer, reference.handoffs[0] - timedelta(microseconds=1)) is None


night_times = st.builds(time, st.integers(0, 4), st.sampled_from([0, 15, 30, 45]))
window_times = st.one_of(times_of_day, night_times)  # DST changes happen at night
weekdays = st.frozensets(st.integers(0, 6), min_size=1, max_size=6)


@settings(max_examples=60 * SCALE, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    case=change_and_window(),
    extra=st.lists(st.builds(Window, weekdays, window_times, window_times), max_size=1),
    count=st.integers(1, 3),
    unit=st.sampled_from(["hours", "hours", "days"]),
    minute=st.sampled_from([0, 15, 30, 45]),
    before_days=st.integers(0, 40),
    after_days=st.integers(1, 40),
)
def test_fair_count_matches_walk_for_every_shift(
    case, extra, count, unit, minute, before_days, after_days
):
    zone, moment, window = case
    start = (moment - timedelta(days=before_days)).replace(minute=minute)
    fair = Layer(
        id="fair",
        time_zone=zone,
        start=start,
        shift_length=ShiftLength(count, unit),
        participants=tuple(range(5)),
        restrictions=(window, *extra),
        fair=True,
    )
    until = moment.replace(tzinfo=UTC) + timedelta(days=after_days)
    reference = Reference(fair, until)
    counter = rotation._compile(fair).counter()
    last = reference.shift_index(until)
    assert [counter.count(k) for k in range(last + 1)] == reference.fair_count[: last + 1]
    # The sweep in layer_segments counts on its own; it must agree with the counter.
    a = start.replace(tzinfo=UTC) + timedelta(days=before_days // 2)
    for segment in rotation.layer_segments(fair, a, until):
        k = reference.shift_index(segment.start)
        assert segment.person == reference.person_of_shift(k)


@settings(max_examples=15 * SCALE, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    zone_start=zone_and_start(),
    length=st.sampled_from(
        [ShiftLength(1, "hours"), ShiftLength(5, "hours"), ShiftLength(1, "days")]
    ),
    days=weekdays,
    window_start=window_times,
    window_end=window_times,
    years=st.integers(1, 3),
)
def test_fair_count_years_after_start_matches_walk(
    zone_start, length, days, window_start, window_end, years
):
    zone, start = zone_start
    fair = Layer(
        id="fair",
        time_zone=zone,
        start=start,
        shift_length=length,
        participants=tuple(range(1, 6)),
        restrictions=(Window(days, window_start, window_end),),
        fair=True,
    )
    t = start.replace(tzinfo=UTC) + timedelta(days=365 * years)
    reference = Reference(fair, t)
    k = reference.shift_index(t)
    assert rotation._compile(fair).counter().count(k) == reference.fair_count[k]
    assert rotation.shift_at(fair, t).person == reference.person_of_shift(k)


@settings(max_examples=25 * SCALE, deadline=None)
@given(layer=layers(), weeks=st.integers(1, 8))
def test_fair_rotation_spreads_turns_within_one(layer, weeks):
    participants = tuple(range(len(set(layer.participants)) + 1))
    fair = Layer(
        **{
            **_fields(layer),
            "participants": participants,
            "restrictions": layer.restrictions or (Window({0, 2, 4}, time(9), time(17)),),
            "fair": True,
        }
    )
    a = fair.start.replace(tzinfo=UTC) + timedelta(days=30)
    b = a + timedelta(weeks=weeks)
    compiled = rotation._compile(fair)
    turns = []
    for shift in rotation.layer_shifts(fair, a, b):
        if compiled.overlaps_window(shift.k):
            turns.append(participants.index(shift.person))
    # Consecutive covered shifts go round the list in order...
    for first, second in zip(turns, turns[1:], strict=False):
        assert second == (first + 1) % len(participants)
    # ...so over any stretch, everyone's number of turns is within one of everyone else's.
    counts = [turns.count(i) for i in range(len(participants))]
    if turns:
        assert max(counts) - min(counts) <= 1


@settings(max_examples=30 * SCALE, deadline=None)
@given(layer=layers(), a_hours=st.integers(-48, 24 * 400), span=st.integers(1, 24 * 20))
def test_layer_segments_are_sorted_disjoint_and_inside(layer, a_hours, span):
    a = layer.start.replace(tzinfo=UTC) + timedelta(hours=a_hours)
    b = a + timedelta(hours=span)
    segments = rotation.layer_segments(layer, a, b)
    first = rotation.handoff_instant(layer, 0)
    for segment in segments:
        assert a <= segment.start < segment.end <= b
        assert segment.start >= first
    for one, two in zip(segments, segments[1:], strict=False):
        assert one.end <= two.start
        if one.end == two.start:
            assert one.person != two.person


@settings(max_examples=40 * SCALE, deadline=None)
@given(zone=zones, wall=starts)
def test_zone_table_matches_zoneinfo(zone, wall):
    zone_map = rotation._zone_map(zone)
    for minutes in range(0, 24 * 60, 37):
        local = wall + timedelta(minutes=minutes)
        expected = local.replace(tzinfo=ZoneInfo(zone)).astimezone(UTC)
        instant, _gap = zone_map.to_instant(rotation._wall_us(local))
        assert rotation._to_datetime(instant) == expected
