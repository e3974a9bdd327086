"""How on-call timelines and the follow-the-sun preset present people and regions. Pure: no
ORM, no request; the views hand in plain values (ids, names, zones, instants).

- Person styles: a distinct colour per person in a view, from a colour-blind-safe palette,
  given in order of first appearance so that people next to each other differ; past the
  palette, the colours come back with a pattern (CSS classes in static/css/baton.css).
- Bar text: the label that fits, its ink (dark or light, by WCAG contrast) and the tooltip
  with the span in the view's zone and in the person's own zone, each with its UTC offset.
- Follow-the-sun defaults: the team's members grouped into at most three regions by UTC
  offset, with local windows that tile the 24-hour day.
- Timelines: a view's range and axis ticks, segments as SVG bars, week strips, gap rows.
- Page rows: what the on-call pages list (who is on call now, schedules, layers, overrides,
  shifts, swaps), from rows the selectors read; permission flags are added by the views.
"""

from __future__ import annotations

import calendar
import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from core.pages import work_badge
from core.timefmt import fmt_offset, fmt_span
from core.zones import zoneinfo

# --- palette -----------------------------------------------------------------------------------

# Paul Tol's "muted" qualitative scheme (Tol, "Colour Schemes", SRON/EPS/TN/09-002, 2021;
# https://personal.sron.nl/~pault/): nine colours told apart with any common colour-vision
# deficiency, and with no bright red, which stays the colour of gaps. Ordered so that each
# colour differs strongly in lightness and hue from the next (people next to each other in
# order of appearance get neighbouring entries).
MUTED = (
    ("indigo", "#332288"),
    ("sand", "#DDCC77"),
    ("teal", "#44AA99"),
    ("wine", "#882255"),
    ("cyan", "#88CCEE"),
    ("olive", "#999933"),
    ("purple", "#AA4499"),
    ("green", "#117733"),
    ("rose", "#CC6677"),
)
# Past nine people the colours repeat with a pattern over them (drawn by CSS, see baton.css):
# nine colours x four fills = 36 distinct styles, more than a readable view holds.
PATTERNS = ("", "stripes", "band", "dots")
STYLES = len(MUTED) * len(PATTERNS)

DARK_INK = "#111111"
LIGHT_INK = "#FFFFFF"


def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def luminance(hex_colour: str) -> float:
    """WCAG 2 relative luminance of '#RRGGBB'."""
    h = hex_colour.lstrip("#")
    r, g, b = (int(h[i : i + 2], 16) for i in (0, 2, 4))
    return 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)


def contrast(a: str, b: str) -> float:
    """WCAG 2 contrast ratio of two colours, 1 to 21."""
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def ink_for(background: str) -> str:
    """'dark' or 'light': the label colour with the higher contrast on `background`."""
    return "dark" if contrast(background, DARK_INK) >= contrast(background, LIGHT_INK) else "light"


@dataclass(frozen=True)
class Swatch:
    """A person's style in one view: colour, pattern over it, and the ink of text on it."""

    index: int  # 0 <= index < STYLES
    colour: int  # index into MUTED
    pattern: str  # "" (solid) or one of PATTERNS
    ink: str  # "dark" | "light"

    @property
    def hex(self) -> str:
        return MUTED[self.colour][1]

    @property
    def css(self) -> str:
        classes = f"c{self.colour} ink-{self.ink}"
        return f"{classes} pat-{self.pattern}" if self.pattern else classes

    def __str__(self) -> str:  # templates print a swatch as its classes
        return self.css


def swatch(index: int) -> Swatch:
    index %= STYLES
    colour = index % len(MUTED)
    return Swatch(index, colour, PATTERNS[index // len(MUTED)], ink_for(MUTED[colour][1]))


def assign_swatches(lanes: Iterable[Sequence]) -> dict[int, Swatch]:
    """A swatch per person in the view. `lanes` are lists of segments (objects with start,
    end and person; person None is a gap), each lane in time order.

    People are numbered by first appearance (earliest start, then lane order), not by id, so
    the people of one stretch of time get consecutive, strongly different entries; the first
    36 people all differ. Past that a style is reused, but never one a neighbour (the person
    just before or after in some lane) already has, when any is free."""
    first: dict[int, tuple] = {}
    neighbours: dict[int, set[int]] = {}
    for lane_no, lane in enumerate(lanes):
        previous = None
        for seg in lane:
            person = seg.person
            if person is None:
                continue
            key = (seg.start, lane_no)
            if person not in first or key < first[person]:
                first[person] = key
            neighbours.setdefault(person, set())
            if previous is not None and previous != person:
                neighbours[person].add(previous)
                neighbours[previous].add(person)
            previous = person
    order = sorted(first, key=lambda p: (first[p], str(p)))
    out: dict[int, Swatch] = {}
    used: Counter[int] = Counter()
    for n, person in enumerate(order):
        if n < STYLES:
            index = n
        else:
            taken = {out[p].index for p in neighbours[person] if p in out}
            free = [i for i in range(STYLES) if i not in taken] or list(range(STYLES))
            index = min(free, key=lambda i: (used[i], i))
        used[index] += 1
        out[person] = swatch(index)
    return out


# --- bar text ----------------------------------------------------------------------------------


def zone_label(zone: ZoneInfo, start: datetime, end: datetime | None = None) -> str:
    """'Asia/Manila, UTC+08:00'; with both offsets when a DST change falls inside the span
    ('Europe/London, UTC+01:00 then UTC+00:00'). Never an abbreviation: 'IST' or 'CST' each
    name several zones."""
    if zone.key == "UTC":
        return "UTC"
    first = fmt_offset(start, zone)
    if end is not None:
        last = fmt_offset(end, zone)
        if last != first:
            return f"{zone.key}, {first} then {last}"
    return f"{zone.key}, {first}"


def bar_tooltip(
    name: str | None,
    start: datetime,
    end: datetime | None,
    view_zone: ZoneInfo,
    person_zone: ZoneInfo | None = None,
) -> str:
    """The text of a bar's tooltip and aria-label: who (the full name), when in the view's
    zone and when in their own, each zone with its offset. `name` None is a gap."""
    here = f"{fmt_span(start, end, view_zone)} ({zone_label(view_zone, start, end)})"
    if name is None:
        return f"Nobody on call (gap): {here}"
    text = f"{name}: {here}"
    if person_zone is None:
        return text
    if person_zone.key == view_zone.key:
        return f"{text}, also their local time"
    theirs = f"{fmt_span(start, end, person_zone)} ({zone_label(person_zone, start, end)})"
    return f"{text} · their local time {theirs}"


CHAR_WIDTH = 7.0  # an 11px label character, in lane user units (a lane is 1000 wide)
LABEL_PADDING = 6.0


def bar_label(name: str, width: float, char_width: float = CHAR_WIDTH) -> str:
    """The most of `name` that fits a bar `width` units wide: the full name, else the first
    name and initials ('Ana Maria Souza' -> 'Ana M. S.'), else initials ('AMS'), else
    nothing (the tooltip always carries the full name)."""
    room = int((width - LABEL_PADDING) // char_width)
    words = name.split()
    if not words or room <= 0:
        return ""
    candidates = [name]
    if len(words) > 1:
        candidates.append(" ".join([words[0], *(w[0] + "." for w in words[1:])]))
    candidates.append("".join(w[0] for w in words))
    return next((c for c in candidates if len(c) <= room), "")


# --- follow-the-sun regions --------------------------------------------------------------------

# Regions by UTC offset (hours): west of UTC-1 is the Americas, UTC-1 to UTC+4 Europe and
# Africa (with the Gulf), UTC+4:30 and east Asia and the Pacific. Fixed bands keep the rule
# easy to predict and never give more than three regions.
REGION_BANDS = (
    ("Americas", -24.0, -1.0),
    ("Europe/Africa", -1.0, 4.5),
    ("Asia/Pacific", 4.5, 24.0),
)
WORKDAY_MIDDLE = 13.0  # the middle of a 09:00-17:00 day, local hours
ALL_DAYS = ("0", "1", "2", "3", "4", "5", "6")


@dataclass
class Region:
    name: str
    zone: str  # the region's most common zone among its members
    offset: float  # that zone's UTC offset in hours, at the time asked about
    usernames: list[str] = field(default_factory=list)
    zones: list[str] = field(default_factory=list)  # every member zone, most common first
    start: str = "09:00"  # local window in `zone`
    end: str = "17:00"
    on: bool = True

    @property
    def count(self) -> int:
        return len(self.usernames)


def offset_hours(zone: str, at: datetime) -> float:
    delta = at.astimezone(ZoneInfo(zone)).utcoffset() or timedelta(0)
    return delta.total_seconds() / 3600


def region_of(offset: float) -> str:
    return next(name for name, lo, hi in REGION_BANDS if lo <= offset < hi)


def group_regions(members: Iterable[tuple[str, str]], at: datetime) -> list[Region]:
    """The members (username, zone) as regions, each band of REGION_BANDS that has someone,
    with its most common zone (ties: the zone nearest the members' mean offset, then by
    name); east to west. Windows are left at 09:00-17:00: see tile_day."""
    by_band: dict[str, list[tuple[str, str, float]]] = {}
    offsets: dict[str, float] = {}
    for username, zone in members:
        if zone not in offsets:
            offsets[zone] = offset_hours(zone, at)
        by_band.setdefault(region_of(offsets[zone]), []).append((username, zone, offsets[zone]))
    regions = []
    for name, _lo, _hi in REGION_BANDS:
        people = by_band.get(name)
        if not people:
            continue
        counts = Counter(zone for _u, zone, _o in people)
        mean = sum(o for _u, _z, o in people) / len(people)
        zones = sorted(counts, key=lambda z: (-counts[z], abs(offsets[z] - mean), z))
        regions.append(
            Region(
                name=name,
                zone=zones[0],
                offset=offsets[zones[0]],
                usernames=sorted(u for u, _z, _o in people),
                zones=zones,
            )
        )
    return sorted(regions, key=lambda r: (-r.offset, r.name))


def _hhmm(hours: float) -> str:
    minutes = round(hours * 60) % (24 * 60)
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def tile_day(regions: list[Region]) -> list[Region]:
    """Give the regions local windows that tile the 24-hour day: contiguous, no overlap, no
    gap. Each region's working day is centred on 13:00 local; the handoff between two
    regions (next to each other in UTC) is halfway between their centres, at a whole UTC
    hour. A single region covers the whole day. A region squeezed to nothing by the rounding
    (two regions an hour apart or less) is switched off, its neighbours cover its time."""
    if not regions:
        return regions
    if len(regions) == 1:
        only = regions[0]
        only.start = only.end = _hhmm(WORKDAY_MIDDLE - 12)
        return regions
    centre = {id(r): (WORKDAY_MIDDLE - r.offset) % 24 for r in regions}
    ring = sorted(regions, key=lambda r: (centre[id(r)], r.name))
    handoffs = []  # UTC hour from which ring[i] is on call
    for i, region in enumerate(ring):
        before = centre[id(ring[i - 1])] - (24 if i == 0 else 0)
        handoffs.append(math.floor((before + centre[id(region)]) / 2 + 0.5) % 24)
    for i, region in enumerate(ring):
        begin, finish = handoffs[i], handoffs[(i + 1) % len(ring)]
        if begin == finish:
            region.on = False
            continue
        region.start = _hhmm(begin + region.offset)
        region.end = _hhmm(finish + region.offset)
    return regions


def default_regions(members: Iterable[tuple[str, str]], at: datetime) -> list[Region]:
    """The follow-the-sun preset's default: the members' regions with tiled windows."""
    return tile_day(group_regions(members, at))


# --- timelines ---------------------------------------------------------------------------------

WIDTH = 1000  # the SVG lanes' user units; CSS stretches them to the page width
VIEWS = ("day", "week", "month")
LOCAL_FORMAT = "%Y-%m-%dT%H:%M"  # datetime-local inputs (oncall.forms parses with it too)
DAY_CHOICES = [(0, "Mon"), (1, "Tue"), (2, "Wed"), (3, "Thu"), (4, "Fri"), (5, "Sat"), (6, "Sun")]


def display_name(person) -> str:
    """A person's display name (their username without a profile); "Nobody" for None."""
    if person is None:
        return "Nobody"
    profile = getattr(person, "profile", None)
    return profile.display_name if profile else person.get_username()


@dataclass
class Bar:
    x: float
    width: float
    css: str
    label: str
    tooltip: str
    pattern: str = ""  # "" or a PATTERNS fill drawn over the colour

    @property
    def x2(self) -> float:
        return round(self.x + self.width, 3)


def bars(
    segments,
    a: datetime,
    b: datetime,
    zone: ZoneInfo,
    people: Mapping,
    colours: Mapping[int, Swatch],
    *,
    gaps: bool,
) -> list[Bar]:
    """SVG geometry of segments over [a, b): x and width in user units, a tooltip with the
    span in `zone` and, for a person, their own local times (bar_tooltip). `people`: users
    by id, with their profiles loaded."""
    total = (b - a).total_seconds()
    out = []
    for seg in segments:
        lo, hi = max(seg.start, a), min(seg.end, b)
        if hi <= lo:
            continue
        x = (lo - a).total_seconds() / total * WIDTH
        width = (hi - lo).total_seconds() / total * WIDTH
        if seg.person is None:
            if not gaps:
                continue
            tooltip = bar_tooltip(None, seg.start, seg.end, zone)
            out.append(Bar(round(x, 3), round(width, 3), "gap", "", tooltip))  # red says it
            continue
        person = people.get(seg.person)
        name = display_name(person)
        profile = getattr(person, "profile", None)
        theirs = zoneinfo(profile.time_zone) if profile is not None else None
        tooltip = bar_tooltip(name, seg.start, seg.end, zone, theirs)
        style = colours.get(seg.person) or swatch(0)
        label = bar_label(name, width)
        out.append(Bar(round(x, 3), round(width, 3), style.css, label, tooltip, style.pattern))
    return out


def ticks(a: datetime, b: datetime, zone: ZoneInfo, view: str) -> list[dict]:
    """Axis ticks at local hours (day view) or local midnights, positioned in user units."""
    total = (b - a).total_seconds()
    first = a.astimezone(zone).date()
    last = (b - timedelta(microseconds=1)).astimezone(zone).date()
    marks: list[tuple[datetime, str]] = []
    day = first
    while day <= last:
        if view == "day":
            for hour in range(0, 24, 3):
                marks.append((datetime.combine(day, time(hour), tzinfo=zone), f"{hour:02d}:00"))
        elif view == "week":
            marks.append((datetime.combine(day, time(0), tzinfo=zone), f"{day:%a %d}"))
        else:
            label = f"{day:%d}" if day.day == 1 or day.weekday() == 0 else ""
            marks.append((datetime.combine(day, time(0), tzinfo=zone), label))
        day += timedelta(days=1)
    out = []
    for local, label in marks:
        instant = local.astimezone(UTC)
        if a <= instant < b:
            out.append(
                {"x": round((instant - a).total_seconds() / total * WIDTH, 3), "label": label}
            )
    return out


def view_range(view: str, anchor: date, zone: ZoneInfo) -> tuple[datetime, datetime, date, date]:
    """[a, b) of the view around `anchor` (local days in `zone`), and the prev/next anchors."""
    if view == "day":
        lo, hi = anchor, anchor + timedelta(days=1)
        prev, nxt = anchor - timedelta(days=1), hi
    elif view == "month":
        lo = anchor.replace(day=1)
        days = calendar.monthrange(lo.year, lo.month)[1]
        hi = lo + timedelta(days=days)
        prev = (lo - timedelta(days=1)).replace(day=1)
        nxt = hi
    else:
        lo = anchor - timedelta(days=anchor.weekday())
        hi = lo + timedelta(days=7)
        prev, nxt = lo - timedelta(days=7), hi
    a = datetime.combine(lo, time(0), tzinfo=zone).astimezone(UTC)
    b = datetime.combine(hi, time(0), tzinfo=zone).astimezone(UTC)
    return a, b, prev, nxt


def now_x(now: datetime, a: datetime, b: datetime) -> float | None:
    """The "now" line's x in user units, or None when now is outside [a, b)."""
    if not a <= now < b:
        return None
    return round((now - a).total_seconds() / (b - a).total_seconds() * WIDTH, 3)


def lane(one, a, b, zone: ZoneInfo, people: Mapping, colours, *, gaps: bool = False) -> dict:
    """A selectors.Lane as the schedule page draws it."""
    return {
        "title": one.title,
        "key": one.key,
        "bars": bars(one.segments, a, b, zone, people, colours, gaps=gaps),
    }


def legend(colours: Mapping[int, Swatch], people: Mapping) -> list[dict]:
    """The people of a view with their swatches, by name."""
    return [
        {"css": colours[pk], "name": display_name(people.get(pk)), "person": people.get(pk)}
        for pk in sorted(colours, key=lambda pk: display_name(people.get(pk)).lower())
    ]


def week_strip(segments, week_start: date, zone: ZoneInfo, people: Mapping) -> dict:
    """Seven rows (local days in `zone`), each the 24 hours of that day as bars."""
    colours = assign_swatches([segments])
    rows = []
    for offset in range(7):
        day = week_start + timedelta(days=offset)
        a = datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)
        b = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone).astimezone(UTC)
        rows.append(
            {
                "day": day,
                "bars": bars(segments, a, b, zone, people, colours, gaps=True),
                "ticks": ticks(a, b, zone, "day"),
            }
        )
    return {"rows": rows, "zone": zone.key}


def gap_rows(gaps, zone: ZoneInfo) -> list[dict]:
    """Each gap in `zone` and in UTC, its length, and its edges as datetime-local values (the
    "fill this gap" link prefills an override with them)."""
    return [
        {
            "yours": fmt_span(g.start, g.end, zone),
            "utc": fmt_span(g.start, g.end, ZoneInfo("UTC")),
            "hours": round((g.end - g.start).total_seconds() / 3600, 2),
            "fill_start": g.start.astimezone(zone).strftime(LOCAL_FORMAT),
            "fill_end": g.end.astimezone(zone).strftime(LOCAL_FORMAT),
        }
        for g in gaps
    ]


def gap_hours(gaps) -> float:
    """The gaps' total length in hours."""
    total = sum((g.end - g.start for g in gaps), timedelta(0))
    return round(total.total_seconds() / 3600, 2)


def next_monday(now: datetime, zone: ZoneInfo) -> date:
    """The Monday after today in `zone` (a preview's typical week)."""
    today = now.astimezone(zone).date()
    return today + timedelta(days=7 - today.weekday())


# --- layers ------------------------------------------------------------------------------------


def windows_text(restrictions) -> str:
    """A layer's restriction windows in a line ('Mon,Tue 09:00–17:00'); "always" for none."""
    names = dict(DAY_CHOICES)
    parts = []
    for w in restrictions or []:
        days = ",".join(names.get(d, str(d)) for d in w.get("days", []))
        parts.append(f"{days} {w.get('start')}–{w.get('end')}")
    return "; ".join(parts) or "always"


def layer_rows(layers: Iterable[tuple[object, list]]) -> list[dict]:
    """(layer, its versions oldest first) as the schedule page lists them, each by its latest
    version; a layer without versions is left out."""
    out = []
    for layer, versions in layers:
        if not versions:
            continue
        version = versions[-1]
        unit = version.shift_unit[:-1] if version.shift_count == 1 else version.shift_unit
        out.append(
            {
                "layer": layer,
                "version": version,
                "every": f"{version.shift_count} {unit}",
                "count": len(versions),
                "windows": windows_text(version.restrictions),
            }
        )
    return out


def fts_candidates(members: Iterable[tuple[str, str]], week: date, zone: ZoneInfo) -> list[dict]:
    """The follow-the-sun preset's default rows: the members' (username, zone) regions
    (default_regions) with windows that tile the day, every day. Offsets are taken mid-week
    of the previewed week, so the windows tile that week (a DST change inside it can still
    shift one by an hour)."""
    at = datetime.combine(week + timedelta(days=3), time(12), tzinfo=zone)
    return [
        {
            "zone": r.zone,
            "count": r.count,
            "usernames": "\n".join(r.usernames),
            "region": r.name,
            "zones": ", ".join(r.zones),
            "start": r.start,
            "end": r.end,
            "days": list(ALL_DAYS),
            "on": r.on,
        }
        for r in default_regions(members, at)
    ]


# --- people and rows of the lists --------------------------------------------------------------


def person_choices(people: Iterable) -> list[tuple[int, str]]:
    """(id, "Name (username, zone)") for a picker, by name; `people` have profiles."""
    rows = sorted(people, key=lambda u: display_name(u).lower())
    return [(u.pk, f"{display_name(u)} ({u.username}, {u.profile.time_zone})") for u in rows]


def _local(at: datetime | None, zone: ZoneInfo) -> datetime | None:
    return at.astimezone(zone) if at else None


def _spans(start: datetime, end: datetime, zone: ZoneInfo, person) -> dict:
    """A span in the viewer's zone ("span") and in `person`'s own ("theirs"; "" when they
    have no profile)."""
    profile = getattr(person, "profile", None)
    theirs = fmt_span(start, end, zoneinfo(profile.time_zone)) if profile else ""
    return {"span": fmt_span(start, end, zone), "theirs": theirs}


def now_rows(rows, clocks: Mapping, zone: ZoneInfo) -> list[dict]:
    """Rows of "who is on call now" (selectors.NowRow) with the person on call (a
    teams.selectors.PersonClock from `clocks`, None for a gap or someone without a profile),
    their local time and badge, and the end of the shift in the viewer's zone."""
    out = []
    for row in rows:
        clock = clocks.get(row.person_id)
        status = None
        if clock is not None:
            local = clock.status
            label, css = work_badge(local)
            status = {
                "local": local.local_time,
                "offset": local.utc_offset,
                "label": label,
                "css": css,
            }
        until = _local(row.until, zone)
        out.append({"row": row, "person": clock, "status": status, "until": until})
    return out


def schedule_rows(schedules, now_by_schedule: Mapping, zone: ZoneInfo) -> list[dict]:
    """Rows of the schedules list: each schedule with who is on call now (a NowRow, when
    known) and until when, in the viewer's zone."""
    rows = []
    for schedule in schedules:
        now_row = now_by_schedule.get(schedule.pk)
        until = _local(now_row.until, zone) if now_row else None
        rows.append({"schedule": schedule, "now": now_row, "until": until})
    return rows


def override_summary(override, zone: ZoneInfo) -> dict:
    """An override's span in the viewer's zone and in its person's own."""
    return {"override": override, **_spans(override.start, override.end, zone, override.person)}


def shift_rows(shifts, now: datetime, zone: ZoneInfo) -> list[dict]:
    """My shifts (selectors.MyShift) in the viewer's zone, with their length in hours."""
    return [
        {
            "shift": s,
            "start": s.start.astimezone(zone),
            "end": s.end.astimezone(zone),
            "hours": round((s.end - s.start).total_seconds() / 3600, 1),
            "now": s.start <= now < s.end,
        }
        for s in shifts
    ]


def shift_choices(shifts, now: datetime, zone: ZoneInfo) -> list[tuple[int, str]]:
    """The swap form's shifts: keyed by their start (a timestamp, stable between showing the
    form and posting it), shown from now on for one under way."""
    return [(int(s.start.timestamp()), fmt_span(max(s.start, now), s.end, zone)) for s in shifts]


def swap_list_rows(swaps, zone: ZoneInfo) -> list[dict]:
    """Swap requests as "my shifts" lists them: the span in the viewer's zone and who asks."""
    return [
        {
            "swap": swap,
            "span": fmt_span(swap.start, swap.end, zone),
            "who": display_name(swap.requester),
        }
        for swap in swaps
    ]


def swap_summary(swap, zone: ZoneInfo) -> dict:
    """A swap request's text: its span in the viewer's zone and the requester's, and who
    asks, took it and was asked."""
    return {
        "swap": swap,
        **_spans(swap.start, swap.end, zone, swap.requester),
        "requester": display_name(swap.requester),
        "taker": display_name(swap.taker) if swap.taker_id else "",
        "asked": display_name(swap.asked) if swap.asked_id else "",
    }
