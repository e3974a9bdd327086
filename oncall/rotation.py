"""On-call rotation time math. Pure logic: stdlib zoneinfo + dataclasses, no Django, no ORM.

The schedule models turn their rows into the plain dataclasses below; everything here answers
"who is on call when" from them. The contract is DESIGN.md, "Rotation semantics":

* A layer's handoff k is at local wall time ``L_k = start + k * shift_length``, computed on the
  naive local time (hours: ``k*count`` hours added to the wall clock; days: ``k*count`` days;
  weeks: ``7*k*count`` days), so a daily 09:00 handoff stays at 09:00 across DST.
* Local -> instant uses fold=0. zoneinfo then uses the pre-transition offset, which moves a local
  time inside a DST gap forward by the gap (02:30 on a New York spring-forward day becomes
  03:30 EDT) and picks the first occurrence of an ambiguous local time.
* Shift k covers ``[instant(L_k), instant(L_k+1))`` and belongs to ``participants[k mod n]``;
  empty shifts are skipped; nobody is on call before ``instant(start)`` or from ``end`` on.
* A restricted layer covers shift ∩ windows only; with ``fair`` the rotation only advances on
  shifts that overlap a window.
* Final answer at t: the newest override covering t, else the highest-priority layer covering t
  (equal priority: the layer created first), else nobody (a gap).

Decisions taken where the contract leaves room (the tests pin them down):

* Monotone handoffs. Because a gap time is moved forward by the whole gap, a handoff inside a
  gap longer than the shift (hourly shifts on a 2-hour or 24-hour jump, e.g. Antarctica/Casey
  2009 or Pacific/Apia skipping 30 Dec 2011) can land *after* a later handoff. The effective
  handoff is therefore ``E_k = max(instant(L_0), min(instant(L_j) for j >= k))``: the shifts whose
  wall times never existed become empty and are skipped, the real hours keep their owners, and
  shifts never overlap. For every handoff outside such a gap ``E_k == instant(L_k)``.
* Whether a shift "overlaps a window" (fair counting) is decided on instants: the shift
  ``[E_k, E_k+1)`` and a window occurrence mapped to instants with the same fold=0 rule must share
  a positive length of time. That is exactly "this shift had some coverage".
* A window occurrence whose end maps at or before its start (only possible inside a gap) is
  empty. Windows of one layer may overlap; their union counts.

Speed: instants are integer microseconds since the Unix epoch, local wall times integer
microseconds since 1970-01-01 00:00 wall clock. A per-zone table marks each local day as
"regular" (one fixed offset for the whole day) or not, cached per process; regular days convert
wall time <-> instant with one subtraction, the few irregular days (DST changes) ask zoneinfo.
The table assumes no zone changes its offset and back again within 4 days; in tzdata's whole
history (checked against pytz's transition lists) the closest such pair is 6.96 days apart
(Brazil, October 2000). Fair counting uses the
weekly period of the wall-clock pattern plus an exact correction around each DST change (see
``_FairCounter``).
"""

from __future__ import annotations

import threading
from bisect import bisect_left
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from functools import lru_cache
from math import gcd
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = [
    "ONCALL_HORIZON",
    "UNITS",
    "Layer",
    "Override",
    "Segment",
    "Shift",
    "ShiftLength",
    "Window",
    "final_segments",
    "handoff_instant",
    "layer_segments",
    "layer_shifts",
    "oncall_at",
    "shift_at",
]

_US = 1_000_000
_HOUR = 3600 * _US
_DAY = 24 * _HOUR
_WEEK = 7 * _DAY
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_EPOCH_WALL = _EPOCH.replace(tzinfo=None)
_EPOCH_WEEKDAY = 3  # 1970-01-01 was a Thursday; Monday = 0 like datetime.weekday()
_BLOCK_DAYS = 64  # zone table granularity: one cached list per 64 local days
_CHUNK_DAYS = 4  # coarse sampling step inside a block (see _ZoneMap.block)
# Around a DST change, wall-clock and instant decisions may differ; beyond this distance from
# an irregular day they provably agree (windows are <= 24 h, offsets change by <= 24 h).
_MARGIN = 3 * _DAY
_GAP_LOOKAHEAD_LIMIT = 10_000  # handoffs inside one gap; 24 for hourly shifts on Samoa's jump

UNITS = {"hours": _HOUR, "days": _DAY, "weeks": _WEEK}

# oncall_at looks this far around t for the edges of the segment containing t.
ONCALL_HORIZON = timedelta(days=92)


# --- conversions -------------------------------------------------------------------------


def _td_us(td: timedelta) -> int:
    return (td.days * 86400 + td.seconds) * _US + td.microseconds


def _instant_us(dt: datetime, what: str = "instant") -> int:
    if dt.tzinfo is None or dt.utcoffset() is None:
        raise ValueError(f"{what} must be an aware datetime (a point in time), got {dt!r}.")
    return _td_us(dt - _EPOCH)


def _wall_us(dt: datetime) -> int:
    return _td_us(dt - _EPOCH_WALL)


def _to_datetime(us: int) -> datetime:
    return _EPOCH + timedelta(microseconds=us)


def _time_us(t: time) -> int:
    return ((t.hour * 60 + t.minute) * 60 + t.second) * _US + t.microsecond


# --- public value types ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ShiftLength:
    count: int
    unit: str  # "hours" | "days" | "weeks"

    def __post_init__(self) -> None:
        if isinstance(self.count, bool) or not isinstance(self.count, int) or self.count < 1:
            raise ValueError("Shift length must be a whole number of at least 1.")
        if self.unit not in UNITS:
            raise ValueError(f"Shift unit must be one of {', '.join(UNITS)}, got {self.unit!r}.")

    @property
    def step(self) -> timedelta:
        """The naive wall-clock step between handoffs."""
        return timedelta(microseconds=self.count * UNITS[self.unit])


@dataclass(frozen=True, slots=True)
class Window:
    """A weekly restriction window in the layer's local time.

    It starts on each of ``days`` (Monday = 0) at ``start`` and ends the same day at ``end``, or
    the next day when ``end <= start`` (so ``start == end`` is a full 24 hours).
    """

    days: frozenset[int]
    start: time
    end: time

    def __post_init__(self) -> None:
        days = frozenset(self.days)
        if any(isinstance(d, bool) or not isinstance(d, int) or not 0 <= d <= 6 for d in days):
            raise ValueError("Window days must be weekday numbers 0 (Monday) to 6 (Sunday).")
        for value in (self.start, self.end):
            if not isinstance(value, time) or value.tzinfo is not None:
                raise ValueError("Window start and end must be naive local times of day.")
        object.__setattr__(self, "days", days)

    @property
    def duration(self) -> timedelta:
        return timedelta(microseconds=self._duration_us())

    def _duration_us(self) -> int:
        start, end = _time_us(self.start), _time_us(self.end)
        return end - start if end > start else _DAY - start + end


@dataclass(frozen=True, slots=True)
class Layer:
    """One rotation layer. ``start`` is a naive local wall time in ``time_zone``."""

    id: object
    time_zone: str
    start: datetime
    shift_length: ShiftLength
    participants: tuple
    end: datetime | None = None
    priority: int = 0
    order: int = 0  # creation order: with equal priority, the lower order wins
    restrictions: tuple[Window, ...] = ()
    fair: bool = False

    def __post_init__(self) -> None:
        try:
            ZoneInfo(self.time_zone)
        except (ZoneInfoNotFoundError, ValueError, TypeError) as exc:
            raise ValueError(f"Unknown time zone {self.time_zone!r}.") from exc
        if not isinstance(self.start, datetime) or self.start.tzinfo is not None:
            raise ValueError("Layer start must be a naive local wall time.")
        if not isinstance(self.shift_length, ShiftLength):
            raise ValueError("Layer shift_length must be a ShiftLength.")
        participants = tuple(self.participants)
        if not participants:
            raise ValueError("A layer needs at least one participant.")
        if self.end is not None:
            _instant_us(self.end, "Layer end")
        object.__setattr__(self, "participants", participants)
        object.__setattr__(self, "restrictions", tuple(self.restrictions))


@dataclass(frozen=True, slots=True)
class Override:
    """``person`` is on call over ``[start, end)``; the highest ``order`` (newest) wins."""

    person: object
    start: datetime
    end: datetime
    order: int = 0


@dataclass(frozen=True, slots=True)
class Segment:
    """``person`` (None for a gap) is on call over ``[start, end)``; instants in UTC."""

    start: datetime
    end: datetime
    person: object


@dataclass(frozen=True, slots=True)
class Shift:
    """Shift ``k`` of a layer's rotation, before restrictions: ``[start, end)`` for ``person``."""

    k: int
    start: datetime
    end: datetime
    person: object


# --- per-zone offset table ---------------------------------------------------------------


class _ZoneMap:
    """Wall time <-> instant for one zone, with a cached per-local-day offset table."""

    __slots__ = ("zone", "blocks", "irregular")

    def __init__(self, name: str) -> None:
        self.zone = ZoneInfo(name)
        self.blocks: dict[int, list[int | None]] = {}
        self.irregular: dict[int, list[int]] = {}  # block -> local days with an offset change

    def exact(self, wall: int) -> tuple[int, int]:
        """(fold=0 offset, fold=1 offset) in microseconds at a wall time, from zoneinfo."""
        local = _EPOCH_WALL + timedelta(microseconds=wall)
        zone = self.zone
        return _td_us(zone.utcoffset(local)), _td_us(zone.utcoffset(local.replace(fold=1)))

    def _midnight_offset(self, day: int) -> int:
        return _td_us(self.zone.utcoffset(_EPOCH_WALL + timedelta(days=day)))

    def block(self, index: int) -> list[int | None]:
        """Offsets of 64 local days; None for a day in which the offset changes.

        A day is regular when the fold=0 offsets at its two midnights agree: every offset
        change moves the fold=0 offset from the old value to the new one, and a gap or fold
        touching a day shows up as a different offset at one of its midnights. Midnights are
        sampled every 4 days and only intervals whose ends differ are refined day by day, which
        assumes no zone changes its offset and back again within 4 days (true in all of
        tzdata's history; the closest such pair is 6.96 days apart).
        """
        table = self.blocks.get(index)
        if table is None:
            first = index * _BLOCK_DAYS
            offset_at = self._midnight_offset
            table, irregular = [], []
            left = offset_at(first)
            for chunk in range(first, first + _BLOCK_DAYS, _CHUNK_DAYS):
                right = offset_at(chunk + _CHUNK_DAYS)
                if left == right:
                    table.extend([left] * _CHUNK_DAYS)
                else:
                    before = left
                    for day in range(chunk, chunk + _CHUNK_DAYS):
                        after = offset_at(day + 1) if day + 1 < chunk + _CHUNK_DAYS else right
                        if before == after:
                            table.append(before)
                        else:
                            table.append(None)
                            irregular.append(day)
                        before = after
                left = right
            self.irregular[index] = irregular
            self.blocks[index] = table
        return table

    def to_instant(self, wall: int) -> tuple[int, bool]:
        """fold=0 instant of a wall time, and whether the wall time is inside a gap."""
        day = wall // _DAY
        table = self.blocks.get(day // _BLOCK_DAYS) or self.block(day // _BLOCK_DAYS)
        offset = table[day % _BLOCK_DAYS]
        if offset is not None:
            return wall - offset, False
        before, after = self.exact(wall)
        # In a gap fold=1 gives the later (larger) offset; in a fold the earlier one is larger.
        return wall - before, after > before

    def to_wall(self, instant: int) -> int:
        return instant + _td_us(_to_datetime(instant).astimezone(self.zone).utcoffset())


_zone_maps: dict[str, _ZoneMap] = {}


def _zone_map(name: str) -> _ZoneMap:
    zone_map = _zone_maps.get(name)
    if zone_map is None:
        zone_map = _zone_maps.setdefault(name, _ZoneMap(name))
    return zone_map


# --- compiled layer ----------------------------------------------------------------------


class _Compiled:
    """A layer turned into integers, with its handoff arithmetic."""

    def __init__(self, layer: Layer) -> None:
        self.layer = layer
        self.zm = _zone_map(layer.time_zone)
        self.S = _wall_us(layer.start)
        self.step = layer.shift_length.count * UNITS[layer.shift_length.unit]
        self.people = layer.participants
        self.n = len(layer.participants)
        self.end = None if layer.end is None else _instant_us(layer.end)
        self.raw0 = self.zm.to_instant(self.S)[0]
        self.restricted = bool(layer.restrictions)
        self.by_weekday: list[list[tuple[int, int]]] = [[] for _ in range(7)]
        for window in layer.restrictions:
            for day in window.days:
                self.by_weekday[day].append((_time_us(window.start), window._duration_us()))
        # Unrestricted, every shift overlaps "a window", so fair counting changes nothing.
        self.fair = layer.fair and self.restricted
        self._counter: _FairCounter | None = None

    def handoff(self, k: int) -> int:
        """Effective handoff instant E_k (see the module docstring)."""
        if k <= 0:
            return self.raw0
        wall = self.S + k * self.step
        instant, in_gap = self.zm.to_instant(wall)
        steps = 0
        # Only a handoff inside a gap can land after a later one: look ahead to the first
        # handoff outside the gap; later ones are in order again.
        while in_gap and steps < _GAP_LOOKAHEAD_LIMIT:
            steps += 1
            wall += self.step
            later, in_gap = self.zm.to_instant(wall)
            if later < instant:
                instant = later
        return instant if instant > self.raw0 else self.raw0

    def index_at(self, instant: int) -> int:
        """The shift k with E_k <= instant < E_k+1, or -1 before the layer starts."""
        if instant < self.raw0:
            return -1
        k = max(0, (self.zm.to_wall(instant) - self.S) // self.step)
        while k > 0 and self.handoff(k) > instant:
            k -= 1
        while self.handoff(k + 1) <= instant:
            k += 1
        return k

    def shifts(self, lo: int, hi: int) -> list[tuple[int, int, int]]:
        """Non-empty shifts (k, E_k, E_k+1) that intersect [lo, hi), unclipped."""
        k = self.index_at(lo)
        if k < 0:
            k = 0
        out = []
        start = self.handoff(k)
        S, step, raw0, zm = self.S, self.step, self.raw0, self.zm
        cached_block, table = None, None
        while start < hi:
            nxt_k = k + 1
            wall = S + nxt_k * step
            day = wall // _DAY
            block = day // _BLOCK_DAYS
            if block != cached_block:
                cached_block, table = block, zm.block(block)
            offset = table[day % _BLOCK_DAYS]
            if offset is None:
                nxt = self.handoff(nxt_k)
            else:
                nxt = wall - offset
                if nxt < raw0:
                    nxt = raw0
            if nxt > start:
                out.append((k, start, nxt))
            k, start = nxt_k, nxt
        return out

    def windows(self, lo: int, hi: int) -> list[tuple[int, int]]:
        """Union of window occurrences (as instants) that intersect [lo, hi), sorted."""
        to_instant = self.zm.to_instant
        # Offsets differ by at most a day and windows last at most a day: three days of slack.
        first_day = (self.zm.to_wall(lo) - 2 * _DAY) // _DAY - 1
        last_day = (self.zm.to_wall(hi) + _DAY) // _DAY + 1
        found = []
        by_weekday = self.by_weekday
        for day in range(first_day, last_day + 1):
            for start_us, duration in by_weekday[(day + _EPOCH_WEEKDAY) % 7]:
                wall = day * _DAY + start_us
                start = to_instant(wall)[0]
                end = to_instant(wall + duration)[0]
                if end > start and end > lo and start < hi:
                    found.append((start, end))
        found.sort()
        merged: list[tuple[int, int]] = []
        for start, end in found:
            if merged and start <= merged[-1][1]:
                if end > merged[-1][1]:
                    merged[-1] = (merged[-1][0], end)
            else:
                merged.append((start, end))
        return merged

    def overlaps_window(self, k: int) -> bool:
        """Does shift k share a positive length of time with some window? (instants)"""
        start, end = self.handoff(k), self.handoff(k + 1)
        return end > start and bool(self.windows(start, end))

    def counter(self) -> _FairCounter:
        counter = self._counter
        if counter is None:
            # Two threads may both build one; either is complete and correct.
            counter = self._counter = _FairCounter(self)
        return counter

    def turn(self, k: int) -> int:
        """Index into participants of shift k."""
        if self.fair:
            return self.counter().count(k) % self.n
        return k % self.n


class _FairCounter:
    """Counts the shifts before k that overlap a window, without walking from k = 0.

    On wall-clock times the pattern is periodic: shift j starts at week position
    ``(S + j*step) mod 1 week``, which repeats every ``p = week / gcd(step, week)`` shifts, so
    the wall-clock count is ``(k // p) * per_period + prefix[k % p]``. Instants differ from wall
    clock only near a DST change: a shift at least ``_MARGIN`` away from every irregular local
    day sees one fixed offset for itself and every window that could touch it, so the instant
    decision equals the wall-clock one. Shifts near an irregular day (and the first few shifts)
    are decided exactly on instants, and the difference is kept as a sparse correction. Zones
    are scanned lazily block by block and the result is cached with the compiled layer.
    """

    def __init__(self, compiled: _Compiled) -> None:
        self.c = compiled
        step = compiled.step
        self.period = _WEEK // gcd(step, _WEEK)
        self.week_windows = [
            (day * _DAY + start_us, duration)
            for day in range(7)
            for start_us, duration in compiled.by_weekday[day]
        ]
        self.prefix = [0]
        for j in range(self.period):
            self.prefix.append(self.prefix[-1] + self.wall_overlap(j))
        self.diffs: dict[int, int] = {}
        self.corr_j: list[int] = []
        self.corr_cum: list[int] = []
        # Web and worker threads share compiled layers; scanning mutates this object.
        self.lock = threading.Lock()
        first_day = (compiled.S - _MARGIN) // _DAY
        self.next_block = first_day // _BLOCK_DAYS
        for j in range(0, _MARGIN // step + 2):
            self._add(j)
        self._rebuild()

    def wall_overlap(self, j: int) -> int:
        step = self.c.step
        x = (self.c.S + j * step + _EPOCH_WEEKDAY * _DAY) % _WEEK
        for start, duration in self.week_windows:
            # Copies of the weekly window that could meet [x, x + step).
            for m in range(-1, step // _WEEK + 2):
                s = start + m * _WEEK
                if s < x + step and s + duration > x:
                    return 1
        return 0

    def _add(self, j: int) -> None:
        if j not in self.diffs:
            self.diffs[j] = int(self.c.overlaps_window(j)) - self.wall_overlap(j % self.period)

    def _rebuild(self) -> None:
        self.corr_j, self.corr_cum, total = [], [], 0
        for j in sorted(self.diffs):
            if self.diffs[j]:
                total += self.diffs[j]
                self.corr_j.append(j)
                self.corr_cum.append(total)

    def _scan_to(self, wall: int) -> None:
        last_block = (wall // _DAY) // _BLOCK_DAYS
        if self.next_block > last_block:
            return
        c = self.c
        zm, S, step = c.zm, c.S, c.step
        while self.next_block <= last_block:
            zm.block(self.next_block)
            for day in zm.irregular[self.next_block]:
                lo = day * _DAY - _MARGIN
                hi = (day + 1) * _DAY + _MARGIN
                j_lo = max(0, (lo - S) // step)
                j_hi = (hi - S + step - 1) // step - 1
                for j in range(j_lo, j_hi + 1):
                    self._add(j)
            self.next_block += 1
        self._rebuild()

    def count(self, k: int) -> int:
        """Number of shifts j in [0, k) that overlap a window."""
        if k <= 0:
            return 0
        c = self.c
        q, r = divmod(k, self.period)
        base = q * self.prefix[-1] + self.prefix[r]
        with self.lock:
            self._scan_to(c.S + k * c.step + _MARGIN)
            i = bisect_left(self.corr_j, k)
            return base + (self.corr_cum[i - 1] if i else 0)


@lru_cache(maxsize=4096)  # a 10x org has ~3,000 schedules of ~2 layers
def _compile(layer: Layer) -> _Compiled:
    return _Compiled(layer)


# --- coverage ----------------------------------------------------------------------------


def _layer_cover(c: _Compiled, lo: int, hi: int) -> list[tuple[int, int, object]]:
    """Coverage (start, end, person) of one layer inside [lo, hi), merged per person."""
    if lo < c.raw0:
        lo = c.raw0
    if c.end is not None and hi > c.end:
        hi = c.end
    if lo >= hi:
        return []
    shifts = c.shifts(lo, hi)
    if not shifts:
        return []
    out: list[tuple[int, int, object]] = []

    def emit(start: int, end: int, person: object) -> None:
        if out and out[-1][1] == start and out[-1][2] == person:
            out[-1] = (out[-1][0], end, person)
        else:
            out.append((start, end, person))

    people, n = c.people, c.n
    if not c.restricted:
        for k, start, end in shifts:
            emit(max(start, lo), min(end, hi), people[k % n])
        return out

    # Windows over the full first and last shifts, so fair counting sees whole shifts.
    windows = c.windows(shifts[0][1], shifts[-1][2])
    count = c.counter().count(shifts[0][0]) if c.fair else 0
    wi, nw = 0, len(windows)
    for k, start, end in shifts:
        person = people[count % n] if c.fair else people[k % n]
        while wi < nw and windows[wi][1] <= start:
            wi += 1
        j, hit = wi, False
        while j < nw and windows[j][0] < end:
            hit = True
            s = max(start, windows[j][0], lo)
            e = min(end, windows[j][1], hi)
            if e > s:
                emit(s, e, person)
            j += 1
        if hit:
            count += 1
    return out


def _take(
    uncovered: list[tuple[int, int]],
    segs: list[tuple[int, int, object]],
    pieces: list[tuple[int, int, object]],
) -> list[tuple[int, int]]:
    """Give ``segs`` whatever of ``uncovered`` they cover (into pieces); return what is left.

    Both lists are sorted and disjoint, so this is one linear merge.
    """
    remaining: list[tuple[int, int]] = []
    i, n = 0, len(segs)
    for u_start, u_end in uncovered:
        cur = u_start
        while i < n and segs[i][1] <= cur:
            i += 1
        j = i
        while j < n and segs[j][0] < u_end:
            s, e, person = segs[j]
            if s > cur:
                remaining.append((cur, s))
                cur = s
            top = e if e < u_end else u_end
            if top > cur:
                pieces.append((cur, top, person))
                cur = top
            if e > u_end:
                break  # this segment continues into the next uncovered interval
            j += 1
        i = j
        if cur < u_end:
            remaining.append((cur, u_end))
    return remaining


def _final(layers, overrides, lo: int, hi: int) -> list[tuple[int, int, object]]:
    """Final answer over [lo, hi) as merged (start, end, person) tuples, None for gaps."""
    pieces: list[tuple[int, int, object]] = []
    uncovered = [(lo, hi)]
    ranked_overrides = sorted(
        enumerate(overrides), key=lambda pair: (pair[1].order, pair[0]), reverse=True
    )
    for _index, override in ranked_overrides:
        if not uncovered:
            break
        start = max(_instant_us(override.start, "Override start"), lo)
        end = min(_instant_us(override.end, "Override end"), hi)
        if end > start:
            uncovered = _take(uncovered, [(start, end, override.person)], pieces)
    ranked_layers = sorted(
        enumerate(layers), key=lambda pair: (-pair[1].priority, pair[1].order, pair[0])
    )
    for _index, layer in ranked_layers:
        if not uncovered:
            break  # lower layers cannot show through
        cover = _layer_cover(_compile(layer), uncovered[0][0], uncovered[-1][1])
        uncovered = _take(uncovered, cover, pieces)
    for start, end in uncovered:
        pieces.append((start, end, None))
    pieces.sort(key=lambda p: p[0])
    merged: list[tuple[int, int, object]] = []
    for start, end, person in pieces:
        if merged and merged[-1][2] == person and merged[-1][1] == start:
            merged[-1] = (merged[-1][0], end, person)
        else:
            merged.append((start, end, person))
    return merged


def _segments(raw: list[tuple[int, int, object]], a: datetime, b: datetime) -> list[Segment]:
    """Tuples to Segments; the ends keep the caller's own a and b (and their tzinfo)."""
    out = []
    start_dt = a
    last = len(raw) - 1
    for i, (_start, end, person) in enumerate(raw):
        end_dt = b if i == last else _to_datetime(end)
        out.append(Segment(start_dt, end_dt, person))
        start_dt = end_dt  # the final segments tile: one datetime per boundary
    return out


# --- public API --------------------------------------------------------------------------


def handoff_instant(layer: Layer, k: int) -> datetime:
    """Instant (UTC) of handoff k: instant(L_k) by the fold=0 rule, made monotone."""
    if k < 0:
        raise ValueError("Handoff index must be >= 0.")
    return _to_datetime(_compile(layer).handoff(k))


def shift_at(layer: Layer, t: datetime) -> Shift | None:
    """The rotation shift containing t (restrictions not applied), or None.

    None before the layer starts and from its ``end`` on. The shift's end is clipped to
    ``end``. For a fair layer the person is the one the fair count gives, even if t is
    outside every window. O(1) for a layer of any age once its zone is cached.
    """
    c = _compile(layer)
    instant = _instant_us(t)
    if c.end is not None and instant >= c.end:
        return None
    k = c.index_at(instant)
    if k < 0:
        return None
    end = c.handoff(k + 1)
    if c.end is not None and end > c.end:
        end = c.end
    return Shift(k, _to_datetime(c.handoff(k)), _to_datetime(end), c.people[c.turn(k)])


def layer_shifts(layer: Layer, a: datetime, b: datetime) -> list[Shift]:
    """Non-empty rotation shifts meeting [a, b), unclipped except by the layer's end."""
    c = _compile(layer)
    lo, hi = _instant_us(a, "a"), _instant_us(b, "b")
    if c.end is not None:
        hi = min(hi, c.end)
    if hi <= max(lo, c.raw0):
        return []
    out = []
    for k, start, end in c.shifts(max(lo, c.raw0), hi):
        if c.end is not None:
            end = min(end, c.end)
        out.append(Shift(k, _to_datetime(start), _to_datetime(end), c.people[c.turn(k)]))
    return out


def layer_segments(layer: Layer, a: datetime, b: datetime) -> list[Segment]:
    """Coverage of one layer over [a, b): restrictions applied, fair counting, no gaps listed.

    Adjacent pieces with the same person are merged.
    """
    lo, hi = _instant_us(a, "a"), _instant_us(b, "b")
    raw = _layer_cover(_compile(layer), lo, hi)
    return [Segment(_to_datetime(s), _to_datetime(e), p) for s, e, p in raw]


def final_segments(
    layers: list[Layer] | tuple[Layer, ...],
    overrides: list[Override] | tuple[Override, ...],
    a: datetime,
    b: datetime,
) -> list[Segment]:
    """Who is on call over [a, b): segments tiling [a, b) exactly, person None for gaps.

    Newest override first, then layers by priority (higher wins; equal priority: lower
    ``order``, then earlier in the list). Adjacent segments always differ in person.
    """
    lo, hi = _instant_us(a, "a"), _instant_us(b, "b")
    if hi <= lo:
        return []
    return _segments(_final(layers, overrides, lo, hi), a, b)


def oncall_at(
    layers: list[Layer] | tuple[Layer, ...],
    overrides: list[Override] | tuple[Override, ...],
    t: datetime,
    horizon: timedelta = ONCALL_HORIZON,
) -> Segment:
    """The merged final segment containing t (person None for a gap).

    The edges are looked for within ``horizon`` either side of t (92 days by default): a
    segment that runs further is cut at ``t - horizon`` / ``t + horizon``. Small spans are
    tried first, so the usual answer costs a day or a week of computation.
    """
    at = _instant_us(t)
    limit = _td_us(horizon)
    if limit <= 0:
        raise ValueError("horizon must be positive.")
    for span in (_DAY, 8 * _DAY, limit):
        span = min(span, limit)
        raw = _final(layers, overrides, at - span, at + span)
        for start, end, person in raw:
            if start <= at < end:
                inside = start > at - span and end < at + span
                if inside or span == limit:
                    return Segment(_to_datetime(start), _to_datetime(end), person)
                break
    raise AssertionError("unreachable: the final segments tile the horizon")
