"""When a project's status update falls due, when its owner is reminded and when it turns stale.
Pure logic over the owner's weekly working hours (teams.hours): no ORM, no Django.

* A working day is a local date on which the owner has a working minute (as
  teams.hours.is_working sees it, so a range that a DST gap swallows on that date does not make
  it one); someone with no working hours on record is taken to work Monday to Friday from 09:00.
* The start of a working day is the first working instant of that local date (so it follows
  the owner's wall clock across DST: 09:00 in Auckland stays 09:00 when the offset moves).
* An update falls due `cadence_days` after the local date of the last one (or of the start).
  The owner is reminded at the start of their first working day on or after that date.
* A project is stale once N of the owner's working days have passed with no update: from the
  start of the working day after the N-th.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from functools import lru_cache

from teams.hours import MINUTES_PER_DAY, WeekRange, next_start

DEFAULT_DAY_START = time(9, 0)
DEFAULT_WORKING_WEEKDAYS = frozenset(range(5))  # Monday to Friday
# A weekly schedule with any range has a working day within 8 days, or 15 when a DST gap
# swallows a whole day's ranges once; the searches below stop well after that.
_SEARCH_DAYS = 40
_DAY = timedelta(days=1)


def working_weekdays(ranges: Iterable[WeekRange]) -> frozenset[int]:
    """The weekdays (Monday = 0) with at least one working minute; Monday to Friday if none."""
    return _working_weekdays(tuple(ranges))


@lru_cache(maxsize=4096)  # asked for every day of every project: people share few schedules
def _working_weekdays(ranges: tuple[WeekRange, ...]) -> frozenset[int]:
    days = set()
    for week_range in ranges:
        first = week_range.start // MINUTES_PER_DAY
        last = (week_range.end - 1) // MINUTES_PER_DAY
        days.update(day % 7 for day in range(first, last + 1))
    return frozenset(days) or DEFAULT_WORKING_WEEKDAYS


def first_working_instant(ranges: Iterable[WeekRange], zone: tzinfo, day: date) -> datetime | None:
    """The instant (UTC) the owner's working day `day` (their local date) starts: their first
    working instant that date; None when they do not work that date. With no working hours on
    record: DEFAULT_DAY_START, Monday to Friday."""
    return _first_working_instant(tuple(ranges), zone, day)


# Pure, and asked for the same few (schedule, zone, date) over and over (every day a stale
# count walks, for every project of people who share a schedule): cached.
@lru_cache(maxsize=32_768)
def _first_working_instant(
    ranges: tuple[WeekRange, ...], zone: tzinfo, day: date
) -> datetime | None:
    if not ranges:
        if day.weekday() not in DEFAULT_WORKING_WEEKDAYS:
            return None
        return datetime.combine(day, DEFAULT_DAY_START, tzinfo=zone).astimezone(UTC)
    weekday = day.weekday()
    if weekday not in _working_weekdays(ranges):
        return None
    # fold=0: the first instant of the local date (a midnight inside a DST gap is the gap's
    # end, the first instant that reads as `day`).
    midnight = datetime.combine(day, time(0), tzinfo=zone)
    if midnight.utcoffset() == datetime.combine(day + _DAY, time(0), tzinfo=zone).utcoffset():
        # No offset change that day (tzdata never changes twice within a day): every wall
        # minute of it occurs once, so the first working one is the weekday's first covered
        # minute, read straight off the ranges.
        day_begins = weekday * MINUTES_PER_DAY
        day_ends = day_begins + MINUTES_PER_DAY
        first_minute = min(
            max(r.start, day_begins) - day_begins
            for r in ranges
            if r.start < day_ends and r.end > day_begins
        )
        wall = time(first_minute // 60, first_minute % 60)
        return datetime.combine(day, wall, tzinfo=zone).astimezone(UTC)
    first = next_start(ranges, zone, midnight)
    if first is None or first.astimezone(zone).date() != day:
        return None  # this date's ranges fell into a DST gap
    return first.astimezone(UTC)


def is_working_day(ranges: Iterable[WeekRange], zone: tzinfo, day: date) -> bool:
    return first_working_instant(ranges, zone, day) is not None


def working_day_start(ranges: Iterable[WeekRange], zone: tzinfo, on_or_after: date) -> datetime:
    """The start (UTC) of the owner's first working day on or after `on_or_after`."""
    ranges = list(ranges)
    day = on_or_after
    for _ in range(_SEARCH_DAYS):
        start = first_working_instant(ranges, zone, day)
        if start is not None:
            return start
        day += _DAY
    # Unreachable with a weekly schedule (teams.hours); a safe answer all the same.
    return datetime.combine(on_or_after, DEFAULT_DAY_START, tzinfo=zone).astimezone(UTC)


def update_due_on(last_local_date: date, cadence_days: int) -> date:
    return last_local_date + timedelta(days=cadence_days)


def reminder_at(ranges: Iterable[WeekRange], zone: tzinfo, due_on: date) -> datetime:
    """When to remind the owner that an update falls due on `due_on` (their local date): the
    start of their first working day on or after it."""
    return working_day_start(ranges, zone, due_on)


def stale_at(
    ranges: Iterable[WeekRange], zone: tzinfo, last_local_date: date, working_days: int
) -> datetime:
    """The instant a project last updated on `last_local_date` (the owner's local date) turns
    stale: the start of the owner's working day after `working_days` working days without an
    update (the update's own day does not count)."""
    ranges = list(ranges)
    day, counted, misses = last_local_date, 0, 0
    while counted < working_days:
        day += _DAY
        if is_working_day(ranges, zone, day):
            counted, misses = counted + 1, 0
        else:
            misses += 1
            if misses > _SEARCH_DAYS:  # unreachable with a weekly schedule
                break
    return working_day_start(ranges, zone, day + _DAY)
