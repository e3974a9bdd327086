"""How the people and team pages present hours and days. Pure: no ORM, no request; the views
hand in plain values (a profile's zone and working hours, the viewer's zone, instants).

- A person's week: each working range as a weekly pattern in their zone and in the viewer's.
- A team's day strip: the axis labels (the viewer's hours) and which slot "now" falls in.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from core.timefmt import fmt_span
from core.zones import zoneinfo

from . import hours as hours_math

# A team page's day strip: one slot per half hour of the viewer's day.
STRIP_SLOT_MINUTES = 30


def week_in_zones(profile, viewer_zone: ZoneInfo, *, now: datetime) -> list[dict]:
    """This week's working ranges in the person's zone and the same instants in the viewer's.
    `profile` is anything with time_zone and working_hours (a Profile)."""
    person_zone = zoneinfo(profile.time_zone)
    local_now = now.astimezone(person_zone)
    monday = datetime.combine(local_now.date() - timedelta(days=local_now.weekday()), time(0))
    rows = []
    for week_range in hours_math.week_ranges(profile.working_hours or {}):
        # Naive local wall times, then attach the zone (fold=0), as the rotation rules do.
        start = (monday + timedelta(minutes=week_range.start)).replace(tzinfo=person_zone)
        end = (monday + timedelta(minutes=week_range.end)).replace(tzinfo=person_zone)
        rows.append(
            {
                # A weekly pattern: 'Mon 09:00–17:00', no dates.
                "theirs": fmt_span(start, end, dates=False),
                "yours": fmt_span(start, end, viewer_zone, dates=False),
            }
        )
    return rows


def strip_axis(viewer_zone: ZoneInfo, day: date, slots: int) -> list[str]:
    """One label per slot: the viewer's local hour every 3 hours, empty otherwise."""
    start = datetime.combine(day, time(0), tzinfo=viewer_zone).astimezone(UTC)
    labels = []
    for index in range(slots):
        instant = (start + timedelta(minutes=STRIP_SLOT_MINUTES * index)).astimezone(viewer_zone)
        labels.append(f"{instant:%H}" if index % 6 == 0 else "")
    return labels


def now_slot(viewer_zone: ZoneInfo, day: date, now: datetime) -> int:
    """The index of the strip slot `now` falls in, for the viewer's `day`."""
    start = datetime.combine(day, time(0), tzinfo=viewer_zone)
    return int((now - start).total_seconds() // (STRIP_SLOT_MINUTES * 60))


# --- the directory's result count and pages --------------------------------------------------


def people_count(count: int) -> str:
    """'1 person', '0 people', '1200 people': the count and the pluralize filter's word."""
    return f"{count} {'person' if count == 1 else 'people'}"


def directory_pager(*, count: int, number: int, num_pages: int, query: str) -> dict:
    """What the directory's result line and page links show: `count` people, page `number` of
    `num_pages`, and the previous/next links ("?<query>&page=N", empty when there is none)
    keeping the filters in `query` (urlencoded, without page). The template escapes them."""

    def link(page: int) -> str:
        return f"?{query}&page={page}" if query else f"?page={page}"

    return {
        "count": count,
        "people": people_count(count),
        "number": number,
        "num_pages": num_pages,
        "previous": link(number - 1) if number > 1 else "",
        "next": link(number + 1) if number < num_pages else "",
    }
