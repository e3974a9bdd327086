"""How on-call timelines and the follow-the-sun preset present people and regions. Pure: no
ORM, no request; the views hand in plain values (ids, names, zones, instants).

- Person styles: a distinct colour per person in a view, from a colour-blind-safe palette,
  given in order of first appearance so that people next to each other differ; past the
  palette, the colours come back with a pattern (CSS classes in static/css/baton.css).
- Bar text: the label that fits, its ink (dark or light, by WCAG contrast) and the tooltip
  with the span in the view's zone and in the person's own zone, each with its UTC offset.
- Follow-the-sun defaults: the team's members grouped into at most three regions by UTC
  offset, with local windows that tile the 24-hour day.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from core.timefmt import fmt_offset, fmt_span

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
