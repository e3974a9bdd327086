"""Weekly working hours in a person's local time. Pure logic: no ORM, no Django.

The canonical form is a dict from weekday key to a list of "HH:MM-HH:MM" intervals::

    {"mon": ["09:00-12:00", "13:00-17:30"], "tue": [...], ..., "sun": []}

An interval whose end is at or before its start crosses midnight into the next day
("22:00-06:00" on Friday ends Saturday 06:00); "24:00" is allowed as an end.
Internally every interval becomes a half-open range of minutes in the local week
(Monday 00:00 = 0, Sunday 24:00 = 10080), split at the week's end.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo

DAY_KEYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MINUTES_PER_DAY = 24 * 60
MINUTES_PER_WEEK = 7 * MINUTES_PER_DAY

_INTERVAL_RE = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")


class WorkingHoursError(ValueError):
    """Malformed working hours; the message says which day and interval, for a person."""


@dataclass(frozen=True)
class WeekRange:
    start: int  # minute of the local week, inclusive
    end: int  # exclusive


def _minute_of_day(hh: str, mm: str, *, allow_24: bool, where: str) -> int:
    h, m = int(hh), int(mm)
    if m > 59 or h > 24 or (h == 24 and (m != 0 or not allow_24)):
        raise WorkingHoursError(f"{where}: {hh}:{mm} is not a time of day (use 00:00 to 23:59).")
    return h * 60 + m


def parse_interval(text: str, *, where: str) -> tuple[int, int]:
    """'09:00-17:30' -> (540, 1050) minutes of the day; the end may be <= start (overnight)."""
    if not isinstance(text, str):
        raise WorkingHoursError(f"{where}: each interval must be a string like '09:00-17:00'.")
    match = _INTERVAL_RE.match(text)
    if not match:
        raise WorkingHoursError(f"{where}: '{text}' is not an interval like '09:00-17:00'.")
    start = _minute_of_day(match[1], match[2], allow_24=False, where=where)
    end = _minute_of_day(match[3], match[4], allow_24=True, where=where)
    return start, end


def _fmt(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


def normalize(value: object) -> dict[str, list[str]]:
    """Validate working hours from the API or a form and return the canonical dict.

    Raises WorkingHoursError with a message naming the day and the interval at fault.
    Overlapping intervals (within a day or spilling over midnight into the next) are refused,
    since they almost always mean a typo.
    """
    if not isinstance(value, Mapping):
        raise WorkingHoursError(
            "Working hours must be an object mapping weekday (mon..sun) to a list of intervals."
        )
    unknown = sorted(set(value) - set(DAY_KEYS))
    if unknown:
        raise WorkingHoursError(
            f"Unknown weekday key(s): {', '.join(map(str, unknown))}. Use mon, tue, wed, thu, "
            "fri, sat, sun."
        )
    result: dict[str, list[str]] = {}
    for index, key in enumerate(DAY_KEYS):
        raw = value.get(key, [])
        if raw is None:
            raw = []
        if isinstance(raw, str):
            raw = [part for part in raw.split(",") if part.strip()]
        if not isinstance(raw, list):
            raise WorkingHoursError(f"{DAY_NAMES[index]}: expected a list of intervals.")
        parsed = sorted(parse_interval(item, where=DAY_NAMES[index]) for item in raw)
        result[key] = [f"{_fmt(s)}-{_fmt(e)}" for s, e in parsed]
    _check_overlaps(result)
    return result


def _day_ranges(day_index: int, start: int, end: int) -> list[WeekRange]:
    base = day_index * MINUTES_PER_DAY
    length = (end - start) if end > start else (MINUTES_PER_DAY - start + end)
    absolute_start = base + start
    absolute_end = absolute_start + length
    if absolute_end <= MINUTES_PER_WEEK:
        return [WeekRange(absolute_start, absolute_end)]
    return [
        WeekRange(absolute_start, MINUTES_PER_WEEK),
        WeekRange(0, absolute_end - MINUTES_PER_WEEK),
    ]


def _raw_ranges(hours: Mapping[str, list[str]]) -> list[tuple[WeekRange, str]]:
    out = []
    for index, key in enumerate(DAY_KEYS):
        for item in hours.get(key, []):
            start, end = parse_interval(item, where=DAY_NAMES[index])
            for week_range in _day_ranges(index, start, end):
                out.append((week_range, f"{DAY_NAMES[index]} {item}"))
    return sorted(out, key=lambda pair: (pair[0].start, pair[0].end))


def _check_overlaps(hours: Mapping[str, list[str]]) -> None:
    ranges = _raw_ranges(hours)
    for (first, first_label), (second, second_label) in zip(ranges, ranges[1:], strict=False):
        if second.start < first.end:
            raise WorkingHoursError(f"{first_label} overlaps {second_label}.")


def week_ranges(hours: Mapping[str, list[str]]) -> list[WeekRange]:
    """Merged, sorted minute ranges of the local week (for storage and fast lookups).

    Remembered per distinct set of hours: a page that shows hundreds of people (on call now,
    a team, the directory) asked for them once per person and parsed the same few "09:00-17:00"
    strings thousands of times a second under load, while an org has only so many patterns."""
    try:
        key = tuple((day, tuple(hours.get(day, ()))) for day in DAY_KEYS)
        hash(key)
    except TypeError:  # not plain strings: parse (and report) as given, uncached
        return _merged_ranges(hours)
    return list(_week_ranges_of(key))


@lru_cache(maxsize=4096)
def _week_ranges_of(key: tuple[tuple[str, tuple[str, ...]], ...]) -> tuple[WeekRange, ...]:
    return tuple(_merged_ranges(dict(key)))


def _merged_ranges(hours: Mapping[str, list[str]]) -> list[WeekRange]:
    merged: list[WeekRange] = []
    for week_range, _label in _raw_ranges(hours):
        if merged and week_range.start <= merged[-1].end:
            last = merged[-1]
            merged[-1] = WeekRange(last.start, max(last.end, week_range.end))
        else:
            merged.append(week_range)
    return merged


# No stored WorkingInterval row is longer than this, so "working at minute m" only has to
# look at rows that start in (m - MAX_STORED_MINUTES, m]: about a seventh of a zone's rows
# instead of every row that starts before m.
MAX_STORED_MINUTES = MINUTES_PER_DAY


def storage_pieces(ranges: Iterable[WeekRange]) -> list[WeekRange]:
    """`ranges` with any range longer than MAX_STORED_MINUTES cut into consecutive pieces of
    at most that length (same minutes covered; nearly every working range is one piece)."""
    pieces = []
    for week_range in ranges:
        start = week_range.start
        while week_range.end - start > MAX_STORED_MINUTES:
            pieces.append(WeekRange(start, start + MAX_STORED_MINUTES))
            start += MAX_STORED_MINUTES
        pieces.append(WeekRange(start, week_range.end))
    return pieces


# The local night used to guess who is probably asleep (22:00 to 07:00).
NIGHT_START = time(22, 0)
NIGHT_END = time(7, 0)


def is_night(local: datetime) -> bool:
    """Is this local wall time inside the night (NIGHT_START to NIGHT_END)?"""
    wall = local.time()
    return wall >= NIGHT_START or wall < NIGHT_END


def week_minute(local: datetime) -> int:
    """Minute of the local week for an aware or naive local datetime (Monday 00:00 = 0)."""
    return local.weekday() * MINUTES_PER_DAY + local.hour * 60 + local.minute


def is_working(ranges: Iterable[WeekRange], zone: tzinfo, at: datetime) -> bool:
    """Is a person with these local-week ranges working at the aware instant `at`?"""
    return covers(ranges, week_minute(at.astimezone(zone)))


def covers(ranges: Iterable[WeekRange], minute: int) -> bool:
    """Does one of the ranges contain this minute of the local week?"""
    return any(r.start <= minute < r.end for r in ranges)


def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def day_strip(
    ranges: list[WeekRange],
    person_zone: tzinfo,
    viewer_zone: tzinfo,
    day: date,
    *,
    slot_minutes: int = 30,
) -> list[bool]:
    """Working or not for each slot of `day` in the viewer's zone (the team page's strip).

    Each slot is sampled at its start instant, converted to the person's zone, so DST in
    either zone is handled by zoneinfo; a 23- or 25-hour local day yields fewer or more slots.
    """
    start = datetime.combine(day, time(0), tzinfo=viewer_zone)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=viewer_zone)
    # Walk in UTC so a DST day in the viewer's zone has its real number of slots.
    cursor = start.astimezone(ZoneInfo("UTC"))
    stop = end.astimezone(ZoneInfo("UTC"))
    step = timedelta(minutes=slot_minutes)
    slots = []
    while cursor < stop:
        slots.append(is_working(ranges, person_zone, cursor))
        cursor += step
    return slots


def to_text(hours: Mapping[str, list[str]]) -> str:
    """One line per working day: 'mon 09:00-12:00, 13:00-17:00' (the form's text format)."""
    return "\n".join(f"{key} {', '.join(hours[key])}" for key in DAY_KEYS if hours.get(key))


_DAY_SPEC_RE = re.compile(r"^([a-z]{3})(?:-([a-z]{3}))?$")


def parse_text(text: str) -> dict[str, list[str]]:
    """Parse the form format: lines 'mon 09:00-17:00' or 'mon-fri 09:00-12:00, 13:00-17:00'."""
    days: dict[str, list[str]] = {key: [] for key in DAY_KEYS}
    for line_no, raw_line in enumerate(text.splitlines(), start=1):
        line = raw_line.strip().lower()
        if not line:
            continue
        spec, _, rest = line.partition(" ")
        match = _DAY_SPEC_RE.match(spec)
        if not match or match[1] not in DAY_KEYS or (match[2] and match[2] not in DAY_KEYS):
            raise WorkingHoursError(
                f"Line {line_no}: start with a day (mon..sun) or a range like mon-fri."
            )
        first = DAY_KEYS.index(match[1])
        last = DAY_KEYS.index(match[2]) if match[2] else first
        if last < first:
            raise WorkingHoursError(f"Line {line_no}: {spec} runs backwards.")
        intervals = [part.strip() for part in rest.split(",") if part.strip()]
        if not intervals:
            raise WorkingHoursError(f"Line {line_no}: give at least one interval after the day.")
        for key in DAY_KEYS[first : last + 1]:
            days[key].extend(intervals)
    return normalize(days)


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_SECOND = timedelta(seconds=1)
_WEEK = timedelta(weeks=1)
# The search goes a stride at a time, at most _SEARCH_STRIDES * _STRIDE_SECONDS (36 days):
# a weekly schedule with any range comes round within 8 days, or 15 if a DST gap swallows a
# whole range one week. Per stride, one offset lookup tells whether the zone changes offset
# (then bisected to the second). In tzdata no two offset changes since 1970 are under 6 days
# apart, so a change and its undoing never hide inside one 2-day stride.
_STRIDE_SECONDS = 2 * 86_400
_SEARCH_STRIDES = 18


def _offset_at(zone_: tzinfo, posix_seconds: int) -> timedelta | None:
    return datetime.fromtimestamp(posix_seconds, zone_).utcoffset()


def _first_mark(
    ranges: list[WeekRange],
    marks: list[timedelta],
    zone_: tzinfo,
    start: datetime,
    end: datetime,
    offset: timedelta,
    working: bool,
) -> datetime | None:
    """The first instant in [start, end), a stretch with one UTC offset, at which the wall
    clock reaches one of the marks (range edges, from local Monday 00:00) and
    is_working == working. With one offset the wall clock runs evenly, so each mark is
    reached at most once, at exact timedelta arithmetic (no float rounding to the minute)."""
    wall = (start + offset).replace(tzinfo=None)
    since_monday = wall - datetime.combine(wall.date() - timedelta(days=wall.weekday()), time(0))
    reached = sorted(start + (mark - since_monday) % _WEEK for mark in marks)
    for instant in reached:
        if instant >= end:
            break
        if is_working(ranges, zone_, instant) == working:
            return instant
    return None


def next_instant(
    ranges: Iterable[WeekRange], zone_: tzinfo, at: datetime, *, working: bool
) -> datetime | None:
    """The first instant t >= `at` with is_working(ranges, zone_, t) == working (in UTC), or
    None if there is none within a few weeks (no ranges, or working around the clock).

    is_working reads the local wall minute, which changes only when the wall clock reaches a
    new minute or the zone changes offset. So besides `at`, the answer is an instant at which
    the wall clock reaches a range edge under the offset then in force (each pass of the
    repeated hour when clocks go back), or an offset change itself: a range starting inside a
    DST gap begins at the end of the gap, not at its fold=0 conversion. Each candidate is
    checked with is_working, in time order, so is_working stays the definition.
    """
    ranges = list(ranges)
    if is_working(ranges, zone_, at) == working:
        return at.astimezone(UTC)
    if not ranges or ranges == [WeekRange(0, MINUTES_PER_WEEK)]:
        return None  # the answer never changes
    # Between offset changes the wall clock runs evenly, so working begins only as it reaches
    # a range start, and stops only at a range end (Sunday 24:00 is Monday 00:00).
    edges = {(r.start if working else r.end) % MINUTES_PER_WEEK for r in ranges}
    marks = [timedelta(minutes=m) for m in edges]
    start = at.astimezone(UTC)
    # Whole POSIX seconds: tzdata changes offsets on whole seconds, so `lo` has start's offset.
    lo = (start - _EPOCH) // _SECOND
    offset = _offset_at(zone_, lo)
    for _ in range(_SEARCH_STRIDES):
        hi = lo + _STRIDE_SECONDS
        hi_offset = _offset_at(zone_, hi)
        if hi_offset != offset:
            a = lo  # invariant: offset(a) == offset != offset(hi)
            while hi - a > 1:
                mid = (a + hi) // 2
                if _offset_at(zone_, mid) == offset:
                    a = mid
                else:
                    hi = mid
            hi_offset = _offset_at(zone_, hi)
        end = _EPOCH + hi * _SECOND
        found = _first_mark(ranges, marks, zone_, start, end, offset, working)
        if found is not None:
            return found
        # At an offset change the wall clock jumps, possibly straight into (or out of) a range.
        if hi_offset != offset and is_working(ranges, zone_, end) == working:
            return end
        start, lo, offset = end, hi, hi_offset
    return None


def next_start(ranges: Iterable[WeekRange], zone_: tzinfo, at: datetime) -> datetime | None:
    """The first instant at or after `at` at which the person is working (UTC; None if never)."""
    return next_instant(ranges, zone_, at, working=True)


def next_change(ranges: Iterable[WeekRange], zone_: tzinfo, at: datetime) -> datetime | None:
    """The next instant after `at` when the person starts or stops working (UTC; None if
    never), as is_working sees it: a range ending inside a DST gap stops at the gap, and the
    repeated hour when clocks go back is lived through twice."""
    return next_instant(ranges, zone_, at, working=not is_working(ranges, zone_, at))
