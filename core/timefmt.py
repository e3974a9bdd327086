"""How Baton writes a time for a person to read. One module, so every page, e-mail and
notification text says it the same way. Pure: no ORM, no settings, no "now".

- A time is on the 24-hour clock, "14:05", unless the reader chose the 12-hour clock
  ("2:05 pm"): teams' ViewerClockMiddleware sets that for a request (`hour12()`), and a text
  stored for someone else (a notification) is written `with clock(hour12=...)` of theirs.
- A day is "Wed 02 Dec"; a moment is "Wed 02 Dec 14:05" (with the year where records can be
  old: "Wed 02 Dec 2026 14:05").
- A zone is its IANA name with the UTC offset at that moment: "America/Los_Angeles
  (UTC−08:00)". Never an abbreviation: PST is both Manila and Los Angeles, CST both Shanghai
  and Chicago.

Every function takes the zone to show the time in (a name or a tzinfo); without one, the
datetime's own zone is used. Naive datetimes are taken as UTC (Baton stores UTC).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar, Token
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Protocol

from .zones import zoneinfo

MINUS = "\u2212"  # a real minus sign: "UTC−08:00" reads (and is read aloud) as minus


class HasZone(Protocol):
    time_zone: str


# Per request (and per task): a context variable, so threads and async tasks never see each
# other's choice.
_HOUR12: ContextVar[bool] = ContextVar("baton_hour12", default=False)


def set_hour12(on: bool) -> Token:
    """Use the 12-hour clock from now on in this context; reset with `reset_hour12(token)`."""
    return _HOUR12.set(bool(on))


def reset_hour12(token: Token) -> None:
    _HOUR12.reset(token)


def hour12() -> bool:
    return _HOUR12.get()


@contextmanager
def clock(*, hour12: bool) -> Iterator[None]:
    """Write times on the reader's clock inside the block (texts stored for someone else)."""
    token = set_hour12(hour12)
    try:
        yield
    finally:
        reset_hour12(token)


def reader_clock(profile):
    """`clock()` of the person a stored text is for (their Profile.clock: "12h" or "24h")."""
    return clock(hour12=getattr(profile, "clock", "") == "12h")


def _hm(wall: datetime) -> str:
    """'14:05', or '2:05 pm' on the 12-hour clock."""
    if not _HOUR12.get():
        return f"{wall:%H:%M}"
    return f"{wall.hour % 12 or 12}:{wall:%M} {'am' if wall.hour < 12 else 'pm'}"


def to_zone(zone: str | tzinfo | None) -> tzinfo:
    if zone is None or zone == "":
        return UTC
    if isinstance(zone, str):
        return zoneinfo(zone)
    return zone


def zone_name(zone: str | tzinfo | None) -> str:
    """The IANA name of a zone ('UTC' for datetime.UTC)."""
    if isinstance(zone, str):
        return zone or "UTC"
    if zone is None or zone is UTC:
        return "UTC"
    return getattr(zone, "key", None) or str(zone)


def local(dt: datetime, zone: str | tzinfo | None = None) -> datetime:
    """`dt` as a wall time in `zone` (or in its own zone when none is given)."""
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.astimezone(to_zone(zone)) if zone is not None else dt


def fmt_time(dt: datetime, zone: str | tzinfo | None = None) -> str:
    """'14:05'."""
    return _hm(local(dt, zone))


def fmt_weekday_time(dt: datetime, zone: str | tzinfo | None = None) -> str:
    """'Wed 14:05': a time close to now, where the weekday is enough."""
    wall = local(dt, zone)
    return f"{wall:%a} {_hm(wall)}"


def fmt_day(day: date) -> str:
    """'Wed 02 Dec' for a date (a local calendar day: no zone to convert)."""
    return f"{day:%a %d %b}"


def fmt_day_time(dt: datetime, zone: str | tzinfo | None = None, *, year: bool = False) -> str:
    """'Wed 02 Dec 14:05', or 'Wed 02 Dec 2026 14:05' with `year`."""
    wall = local(dt, zone)
    return f"{wall:%a %d %b %Y} {_hm(wall)}" if year else f"{wall:%a %d %b} {_hm(wall)}"


def fmt_span(
    start: datetime,
    end: datetime | None,
    zone: str | tzinfo | None = None,
    *,
    dates: bool = True,
    open_end: str = "onwards",
) -> str:
    """A range of time in one zone:
    'Wed 02 Dec 09:00–17:00' (one local day), 'Wed 02 Dec 16:00–24:00' (to midnight),
    'Wed 02 Dec 22:00 – Thu 03 Dec 06:00' (across days), 'Wed 02 Dec 09:00 onwards' (no end).
    `dates=False` leaves the dates out, for a weekly pattern: 'Wed 09:00–17:00'."""
    s = local(start, zone)
    head = fmt_day_time(s) if dates else fmt_weekday_time(s)
    if end is None:
        return f"{head} {open_end}"
    e = local(end, zone if zone is not None else s.tzinfo)
    if not dates and e - s >= timedelta(days=7):
        return f"all week from {head}"  # "Mon 00:00 – Mon 00:00" would read as nothing
    if e.date() == s.date():
        return f"{head}–{_hm(e)}"
    if e.time() == time(0) and e.date() == s.date() + timedelta(days=1):
        return f"{head}–{'midnight' if _HOUR12.get() else '24:00'}"
    return f"{head} – {fmt_day_time(e) if dates else fmt_weekday_time(e)}"


def fmt_offset(dt: datetime, zone: str | tzinfo | None = None) -> str:
    """'UTC+08:00', 'UTC−03:30', 'UTC+00:00': the offset in force at that moment."""
    offset = local(dt, zone).utcoffset() or timedelta(0)
    minutes = round(offset.total_seconds() / 60)
    sign = "+" if minutes >= 0 else MINUS
    hours, mins = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours:02d}:{mins:02d}"


def fmt_city(zone: str | tzinfo | None) -> str:
    """'Los Angeles' for America/Los_Angeles, 'Buenos Aires' for
    America/Argentina/Buenos_Aires; a zone that is not a place ('UTC', 'Etc/GMT+5') as is."""
    name = zone_name(zone)
    if "/" not in name or name.startswith("Etc/"):
        return name
    return name.rsplit("/", 1)[1].replace("_", " ")


def fmt_zone(zone: str | tzinfo | None, at: datetime) -> str:
    """'America/Los_Angeles (UTC−08:00)'; 'UTC' alone. The offset is the one at `at`."""
    name = zone_name(zone)
    if name == "UTC":
        return "UTC"
    return f"{name} ({fmt_offset(at, zone)})"


def fmt_local_for(person_profile: HasZone, dt: datetime, *, day: bool = False) -> str:
    """'03:12 in Manila' (or 'Thu 03:12 in Manila' with `day`): another person's local time."""
    zone = person_profile.time_zone or "UTC"
    when = fmt_weekday_time(dt, zone) if day else fmt_time(dt, zone)
    return f"{when} in {fmt_city(zone)}"


def fmt_your_span(start: datetime, end: datetime, zone: str | tzinfo) -> str:
    """A span in a stored text (a notification): 'Wed 02 Dec 09:00–17:00 your time,
    Pacific/Kiritimati (UTC+14:00)'. The zone is named so the text stays true when read
    after the person has moved."""
    return f"{fmt_span(start, end, zone)} your time, {fmt_zone(zone, start)}"


def fmt_minutes(minutes: int) -> str:
    """A lead time in words: '1 minute', '45 minutes', '1 hour', '3 hours' (90: '90 minutes')."""
    if minutes >= 120 and minutes % 60 == 0:
        return f"{minutes // 60} hours"
    if minutes == 60:
        return "1 hour"
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


def fmt_your_day_time(dt: datetime, zone: str | tzinfo) -> str:
    """A moment in a stored text: 'Wed 02 Dec 15:00 your time, Pacific/Kiritimati (UTC+14:00)'."""
    return f"{fmt_day_time(dt, zone)} your time, {fmt_zone(zone, dt)}"
