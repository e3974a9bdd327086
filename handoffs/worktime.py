"""Working time for handoffs: when a recipient's working day starts, and the instant after N of
their working hours. Pure logic over teams.hours' week ranges (no ORM), exact across DST
because it walks the instants at which the person starts and stops working (teams.hours
finds those in UTC) and adds real durations between them.

A person without working hours on record is treated as always at work: nothing of theirs is
held for a morning, and N working hours are N hours (as notifications treats them: never in
quiet hours).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta, tzinfo

from core.zones import zoneinfo
from projects.cadence import first_working_instant, working_day_start
from teams.hours import WeekRange, is_working, next_change, next_start, week_ranges

# A weekly schedule has a working minute within a week (two around a DST gap); the walk stops
# well after that, so bad data can never loop for ever.
_MAX_SEGMENTS = 400


def hours_of(profile) -> tuple[list[WeekRange], tzinfo]:
    """A profile's working hours as week ranges, and its zone."""
    return week_ranges(profile.working_hours or {}), zoneinfo(profile.time_zone or "UTC")


def next_day_start(ranges: Iterable[WeekRange], zone: tzinfo, now: datetime) -> datetime | None:
    """The start of the person's next working day strictly after `now` (a day already begun,
    lunch break or evening, does not count); None without working hours (always at work)."""
    ranges = list(ranges)
    if not ranges:
        return None
    today = now.astimezone(zone).date()
    start = working_day_start(ranges, zone, today)
    if start <= now:
        start = working_day_start(ranges, zone, today + timedelta(days=1))
    return start


def delivery_at(ranges: Iterable[WeekRange], zone: tzinfo, now: datetime) -> datetime:
    """When a normal note reaches someone: now if they are working (their day has started,
    a lunch break included: they are back within the hour), else the start of their next
    working stretch, which is their next working day's start when it is evening or the
    weekend."""
    ranges = list(ranges)
    if not ranges:
        return now.astimezone(UTC)
    return next_start(ranges, zone, now) or now.astimezone(UTC)


def after_working_hours(
    ranges: Iterable[WeekRange], zone: tzinfo, start: datetime, hours: float
) -> datetime:
    """The instant at which `hours` of the person's working time have passed since `start`
    (UTC). Time outside their working hours does not count: a note delivered at 17:00 with
    two working hours to go before a reminder is reminded at 10:00 the next working morning
    for someone working 09:00-18:00."""
    ranges = list(ranges)
    left = timedelta(hours=hours)
    at = start.astimezone(UTC)
    if not ranges or left <= timedelta(0):
        return at + max(left, timedelta(0))
    for _ in range(_MAX_SEGMENTS):
        if is_working(ranges, zone, at):
            stops = next_change(ranges, zone, at)
            if stops is None:  # working around the clock
                return at + left
            if stops - at >= left:
                return at + left
            left -= stops - at
            at = stops
        else:
            starts = next_start(ranges, zone, at)
            if starts is None:
                return at + left
            at = starts
    return at + left  # unreachable with a weekly schedule


def working_time_between(
    ranges: Iterable[WeekRange], zone: tzinfo, start: datetime, end: datetime
) -> timedelta:
    """How much of [start, end) the person was at work (all of it without working hours)."""
    ranges = list(ranges)
    if end <= start:
        return timedelta(0)
    if not ranges:
        return end - start
    total = timedelta(0)
    at = start.astimezone(UTC)
    for _ in range(_MAX_SEGMENTS):
        if at >= end:
            break
        change = next_change(ranges, zone, at) or end
        upto = min(change, end)
        if is_working(ranges, zone, at):
            total += upto - at
        at = upto
    return total


def working_day(
    ranges: Iterable[WeekRange], zone: tzinfo, day: date
) -> tuple[datetime, datetime] | None:
    """(start, end) of the person's working day `day` (their local date), UTC: from its first
    working instant to the end of its last working stretch that starts that date (a lunch
    break is inside the day; a night stretch starting that evening ends the next morning).
    None when they do not work that date or have no working hours on record."""
    ranges = list(ranges)
    if not ranges:
        return None
    start = first_working_instant(ranges, zone, day)
    if start is None:
        return None
    at = start
    for _ in range(_MAX_SEGMENTS):
        stops = next_change(ranges, zone, at)
        if stops is None:  # working around the clock
            return start, start + timedelta(days=1)
        again = next_start(ranges, zone, stops)
        if again is None or again.astimezone(zone).date() != day:
            return start, stops
        at = again
    return start, at  # unreachable with a weekly schedule


def is_at_work(ranges: Iterable[WeekRange], zone: tzinfo, at: datetime) -> bool:
    """Whether the person is working at `at` (always, without working hours on record)."""
    ranges = list(ranges)
    return not ranges or is_working(ranges, zone, at)
