"""Reads of on-call data: every query is here, with a fixed count whatever the size.

The pattern: load the rows for a set of schedules in a few bulk queries (`load_schedules`),
turn them into plain `rotation` objects (`ScheduleData`), and compute in Python. Helpers for
the pages:

* `schedule_final_segments(schedule, a, b)` -> [rotation.Segment] tiling [a, b)
* `oncall_at(schedule, t)` -> `OncallAt` (person id or None, start, end or None)
* `oncall_now(viewer, at=None)` -> [`NowRow`] for every schedule (org-wide, cached);
  `team_oncall_now(team_id, limit=)` the same for one team's schedules (and their count)
* `filter_schedules(qs, ScheduleFilter(...), viewer=, at=)`, `matching_schedule_ids(...)`: the
  schedule lists' filters (team, name, person, mine)
* `my_shifts(person, a, b)` -> [`MyShift`] across every schedule
* `layer_lanes(schedule, a, b)` -> `Lanes` (one lane per layer, the overrides, the final lane)
* `coverage_preview(specs, week_start, zone)` -> `Coverage` for unsaved layer specs (pure)
* `visible_schedules(user)`, `people_by_id(ids)`
* swaps: `schedule_swaps(schedules=..., user=...)`, `swaps_i_can_take(user)`,
  `swaps_awaiting_approval(lead)`; feeds: `ical_feeds(user)`; `shift_notice_minutes(user)`
* the rest the pages read (views never query; see the last section): `schedule_for_page`,
  `listed_schedules`, `creatable_teams`, `schedule_people`, `team_member_zones`,
  `current_layers`, `page_overrides`, `swap_for_page`, ... (None where a view answers 404)

Writes are in services.py; validate form input for layers with
`specs.clean_layer_spec(data, team_id=schedule.team_id)` (the same messages as the API) and,
for the unsaved follow-the-sun preview, with `check_people=False` before `coverage_preview`.

Layer history: each LayerVersion becomes a rotation.Layer with the version's rules, the
layer's creation order and `end` clipped to the version's `effective_to`. The start clip is
done by splitting [a, b) at every version boundary and asking `rotation.final_segments` about
each piece with the versions in force there, then merging equal neighbours. Because a version
keeps the layer's original `start`, the rotation phase carries across an edit.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from core.compiled import CompiledQuery
from teams.models import Membership, Team, TeamRole
from teams.selectors import team_ids_of

from . import rotation
from .models import IcalFeed, Layer, LayerVersion, Override, Participation, Schedule, SwapRequest
from .specs import spec_to_rotation_layer

User = get_user_model()

MAX_RANGE = timedelta(days=92)
_SPANS = (timedelta(days=1), timedelta(days=8), rotation.ONCALL_HORIZON)


# --- loading ----------------------------------------------------------------------------------


@dataclass
class VersionLayer:
    """One version as a rotation layer in force over [effective_from, effective_to)."""

    layer_id: int
    layer_name: str
    effective_from: datetime
    effective_to: datetime | None
    layer: rotation.Layer


@dataclass
class ScheduleData:
    schedule: Schedule
    versions: list[VersionLayer] = field(default_factory=list)
    overrides: list[Override] = field(default_factory=list)

    def rotation_overrides(self) -> list[rotation.Override]:
        return [rotation.Override(o.person_id, o.start, o.end, order=o.pk) for o in self.overrides]


_VERSION_FIELDS = (
    "layer_id",
    "layer__schedule_id",
    "layer__name",
    "effective_from",
    "effective_to",
    "priority",
    "time_zone",
    "start_date",
    "start_time",
    "shift_count",
    "shift_unit",
    "participants",
    "end",
    "restrictions",
    "fair",
)
# Built rotation layers by their full row (rows change only by being rewritten, which changes
# the key), so a busy process does not rebuild 600 dataclasses per cache miss.
_BUILT: dict[tuple, rotation.Layer] = {}
_BUILT_MAX = 20_000


def _rotation_layer(row: tuple) -> rotation.Layer:
    (layer_id, _sid, _name, _from, eff_to, priority, zone, start_date, start_time, count, unit,
     participants, end, restrictions, fair) = row  # fmt: skip
    key = (
        layer_id, eff_to, priority, zone, start_date, start_time, count, unit,
        tuple(participants), end, repr(restrictions), fair,
    )  # fmt: skip
    layer = _BUILT.get(key)
    if layer is None:
        spec = {
            "priority": priority,
            "time_zone": zone,
            "start": datetime.combine(start_date, start_time),
            "shift_length": (count, unit),
            "participants": participants,
            "end": end,
            "restrictions": restrictions,
            "fair": fair,
        }
        layer = spec_to_rotation_layer(spec, layer_id=layer_id, order=layer_id, end=eff_to)
        if len(_BUILT) >= _BUILT_MAX:
            _BUILT.clear()
        _BUILT[key] = layer
    return layer


def load_schedules(
    schedules: list[Schedule], a: datetime | None = None, b: datetime | None = None
) -> dict[int, ScheduleData]:
    """Versions and overrides of `schedules` meeting [a, b) (all when None): two queries."""
    data = {s.pk: ScheduleData(s) for s in schedules}
    if not data:
        return data
    versions = LayerVersion.objects.filter(layer__schedule_id__in=data)
    overrides = Override.objects.filter(schedule_id__in=data)
    if a is not None:
        versions = versions.filter(Q(effective_to__isnull=True) | Q(effective_to__gt=a))
        versions = versions.filter(Q(end__isnull=True) | Q(end__gt=a))
        overrides = overrides.filter(end__gt=a)
    if b is not None:
        versions = versions.filter(effective_from__lt=b)
        overrides = overrides.filter(start__lt=b)
    rows = versions.order_by("layer_id", "effective_from", "id").values_list(*_VERSION_FIELDS)
    for row in rows:
        data[row[1]].versions.append(
            VersionLayer(
                layer_id=row[0],
                layer_name=row[2],
                effective_from=row[3],
                effective_to=row[4],
                layer=_rotation_layer(row),
            )
        )
    for override in overrides.order_by("id"):
        data[override.schedule_id].overrides.append(override)
    return data


# --- the final answer -------------------------------------------------------------------------


def final_from_data(data: ScheduleData, a: datetime, b: datetime) -> list[rotation.Segment]:
    """Final segments tiling [a, b), version history respected. Pure (no queries)."""
    if b <= a:
        return []
    cuts = {a, b}
    for v in data.versions:
        for edge in (v.effective_from, v.effective_to):
            if edge is not None and a < edge < b:
                cuts.add(edge)
    edges = sorted(cuts)
    overrides = data.rotation_overrides()
    out: list[rotation.Segment] = []
    for lo, hi in zip(edges, edges[1:], strict=False):
        active = [
            v.layer
            for v in data.versions
            if v.effective_from <= lo and (v.effective_to is None or v.effective_to > lo)
        ]
        for seg in rotation.final_segments(active, overrides, lo, hi):
            if out and out[-1].person == seg.person and out[-1].end == seg.start:
                out[-1] = rotation.Segment(out[-1].start, seg.end, seg.person)
            else:
                out.append(seg)
    return out


def schedule_final_segments(schedule: Schedule, a: datetime, b: datetime) -> list[rotation.Segment]:
    """Who is on call over [a, b) (person ids; None for a gap). Two queries."""
    data = load_schedules([schedule], a, b)[schedule.pk]
    return final_from_data(data, a, b)


@dataclass(frozen=True)
class OncallAt:
    person: int | None
    start: datetime  # cut at t - 92 days when the segment began earlier
    end: datetime | None  # None: no change within 92 days


def oncall_from_data(data: ScheduleData, t: datetime, *, need_start: bool = True) -> OncallAt:
    """The final segment around t; its edges are looked for up to 92 days away. Pure."""
    for span in _SPANS:
        lo = t - span if need_start else t
        segments = final_from_data(data, lo, t + span)
        for seg in segments:
            if seg.start <= t < seg.end:
                start_known = seg.start > lo or not need_start
                end_known = seg.end < t + span
                if (start_known and end_known) or span == _SPANS[-1]:
                    return OncallAt(seg.person, seg.start, seg.end if end_known else None)
                break
    raise AssertionError("unreachable: final segments tile the span")


def oncall_at(schedule: Schedule, t: datetime) -> OncallAt:
    """Who is on call on `schedule` at instant t. Two queries."""
    horizon = rotation.ONCALL_HORIZON
    data = load_schedules([schedule], t - horizon, t + horizon)[schedule.pk]
    return oncall_from_data(data, t)


# --- people -----------------------------------------------------------------------------------


def people_by_id(ids) -> dict[int, User]:
    """Users with their profiles, one query."""
    ids = {i for i in ids if i is not None}
    if not ids:
        return {}
    return {u.pk: u for u in User.objects.filter(pk__in=ids).select_related("profile")}


def person_local_time(person, at: datetime) -> datetime | None:
    profile = getattr(person, "profile", None)
    if profile is None:
        return None
    return at.astimezone(ZoneInfo(profile.time_zone))


# --- lists ------------------------------------------------------------------------------------


def visible_schedules(user) -> QuerySet:
    """Schedules whose details `user` may read (same rule as oncall.view_schedule)."""
    qs = Schedule.objects.select_related("team")
    if _is_manager(user):
        return qs
    return qs.filter(
        Q(team_id__in=team_ids_of(user))
        | Q(pk__in=Participation.objects.filter(person=user).values("schedule_id"))
    )


def _is_manager(user) -> bool:
    from teams.permissions import is_org_manager

    return bool(is_org_manager(user))


@dataclass(frozen=True)
class NowRow:
    schedule_id: int
    schedule_name: str
    team_id: int
    team_name: str
    schedule_time_zone: str
    person_id: int | None  # None: nobody (a gap)
    display_name: str | None
    time_zone: str | None  # the person's zone
    until: datetime | None  # None: no change within 92 days
    local_time: datetime | None  # the person's wall clock now


NOW_CACHE_KEY = "oncall:now:v1"
NOW_CACHE_MAX_AGE = timedelta(minutes=5)  # bounds staleness of names and zones


def _now_answers(heads, now: datetime) -> dict[int, tuple]:
    """{schedule id: (person id, display name, zone, until)}: three queries."""
    schedules = [Schedule(pk=h[0], name=h[1], team_id=h[2]) for h in heads]
    data = load_schedules(schedules, now, now + rotation.ONCALL_HORIZON)
    answers = {pk: oncall_from_data(d, now, need_start=False) for pk, d in data.items()}
    people = people_by_id(a.person for a in answers.values())
    out = {}
    for pk, answer in answers.items():
        person = people.get(answer.person)
        profile = getattr(person, "profile", None) if person is not None else None
        out[pk] = (
            answer.person,
            profile.display_name if profile else (person.get_username() if person else None),
            profile.time_zone if profile else None,
            answer.end,
        )
    return out


def invalidate_oncall_now() -> None:
    """Forget the cached org-wide answer (services call it on commit of every change)."""
    cache.delete(NOW_CACHE_KEY)


def _cached_now(now: datetime) -> tuple[list, dict] | None:
    """The cached org-wide (heads, answers) when they still hold at `now`; no query."""
    cached = cache.get(NOW_CACHE_KEY)
    if cached is not None and cached["from"] <= now < cached["until"]:
        return cached["heads"], cached["answers"]
    return None


def _now_rows(heads, answers: dict[int, tuple], now: datetime) -> list[NowRow]:
    local: dict[str, datetime] = {}  # many people share a zone
    rows = []
    for h in heads:
        person_id, name, zone, until = answers[h[0]]
        if zone and zone not in local:
            local[zone] = now.astimezone(ZoneInfo(zone))
        rows.append(
            NowRow(
                schedule_id=h[0],
                schedule_name=h[1],
                team_id=h[2],
                team_name=h[3],
                schedule_time_zone=h[4],
                person_id=person_id,
                display_name=name,
                time_zone=zone,
                until=until,
                local_time=local[zone] if zone else None,
            )
        )
    return rows


_HEAD_FIELDS = ("id", "name", "team_id", "team__name", "time_zone")


def oncall_now(viewer=None, *, at: datetime | None = None) -> list[NowRow]:
    """Who is on call right now on every schedule (org-wide: everyone signed in sees it).

    Cached (Django cache, shared by the web processes) until the earliest "until" among the
    answers, at most 5 minutes; every service that changes a schedule, its layers or its
    overrides drops the cache on commit. A hit costs no query; a miss four (schedules, layer
    versions, overrides, the people on call) and the rotation math for every schedule.
    Writes that bypass the services (the admin site, raw SQL) show within 5 minutes; the
    local times are always computed now.
    """
    now = at or timezone.now()
    cached = _cached_now(now)
    if cached is not None:
        heads, answers = cached
    else:
        heads = list(Schedule.objects.order_by("name", "id").values_list(*_HEAD_FIELDS))
        answers = _now_answers(heads, now)
        ends = [a[3] for a in answers.values() if a[3] is not None]
        valid_until = min([*ends, now + NOW_CACHE_MAX_AGE])
        cache.set(
            NOW_CACHE_KEY,
            {
                "from": now,
                "until": valid_until,
                "heads": heads,
                "answers": answers,
            },
            timeout=int(NOW_CACHE_MAX_AGE.total_seconds()),
        )
    return _now_rows(heads, answers, now)


def team_oncall_now(
    team_id: int, *, at: datetime | None = None, limit: int | None = None
) -> tuple[list[NowRow], int]:
    """oncall_now() for the first `limit` of a team's schedules by name, and how many the team
    has. Taken from the cached org-wide answer when there is one (no query); otherwise
    computed for those schedules alone (four queries) and not cached, so a team page never
    pays for the whole org's rotation math."""
    now = at or timezone.now()
    cached = _cached_now(now)
    if cached is not None:
        heads, answers = cached
        heads = [h for h in heads if h[2] == team_id]
    else:
        heads = list(
            Schedule.objects.filter(team_id=team_id)
            .order_by("name", "id")
            .values_list(*_HEAD_FIELDS)
        )
        answers = None
    total = len(heads)
    heads = heads[:limit] if limit is not None else heads
    if answers is None:
        answers = _now_answers(heads, now)
    return _now_rows(heads, answers, now), total


# --- finding schedules ------------------------------------------------------------------------


@dataclass(frozen=True)
class ScheduleFilter:
    """What the schedule lists filter on (oncall.forms.ScheduleFilterForm); blank: no filter.

    `person` matches a display name or username; a schedule matches when such a person takes
    part in it (any layer version, oncall.Participation) or holds an override not yet over.
    `mine`: schedules of the viewer's teams, ones they take part in or hold such an override on.
    """

    team: int | None = None
    q: str = ""  # part of the schedule's name
    person: str = ""
    mine: bool = False

    def __bool__(self) -> bool:
        return bool(self.team or self.q or self.person or self.mine)


def filter_schedules(qs: QuerySet, filters: ScheduleFilter, *, viewer, at: datetime) -> QuerySet:
    """`qs` (Schedules) narrowed by `filters`: subqueries only, so no query of its own (but
    the viewer's team ids, team_ids_of, memoised for the request). Participation (person,
    schedule) and Override (person, end) have the indexes used."""
    conditions = []
    if filters.team:
        conditions.append(Q(team_id=filters.team))
    if filters.q:
        conditions.append(Q(name__icontains=filters.q))
    if filters.person:
        people = User.objects.filter(
            Q(profile__display_name__icontains=filters.person)
            | Q(username__icontains=filters.person)
        ).values("pk")
        conditions.append(
            Q(pk__in=Participation.objects.filter(person__in=people).values("schedule_id"))
            | Q(pk__in=Override.objects.filter(person__in=people, end__gt=at).values("schedule_id"))
        )
    if filters.mine:
        conditions.append(
            Q(team_id__in=team_ids_of(viewer))
            | Q(pk__in=Participation.objects.filter(person=viewer).values("schedule_id"))
            | Q(pk__in=Override.objects.filter(person=viewer, end__gt=at).values("schedule_id"))
        )
    return qs.filter(*conditions) if conditions else qs


def listed_schedules(viewer, filters: ScheduleFilter, *, at: datetime) -> QuerySet:
    """The schedules list: those `viewer` may read, narrowed by `filters`, by name (lazy:
    the page counts and slices it)."""
    return filter_schedules(visible_schedules(viewer), filters, viewer=viewer, at=at).order_by(
        "name", "id"
    )


def matching_schedule_ids(filters: ScheduleFilter, *, viewer, at: datetime) -> set[int]:
    """Ids of every schedule (org-wide, as on "who is on call now") matching: one query."""
    qs = filter_schedules(Schedule.objects.all(), filters, viewer=viewer, at=at)
    return set(qs.values_list("pk", flat=True))


@dataclass(frozen=True)
class MyShift:
    schedule: Schedule
    start: datetime
    end: datetime


# Compiled once (core.compiled): the dashboard asks on every visit, and building the query
# with its two subqueries cost more than running it.
_MY_SCHEDULES = CompiledQuery(
    lambda person_id, a, b: (
        Schedule.objects.filter(
            Q(pk__in=Participation.objects.filter(person_id=person_id).values("schedule_id"))
            | Q(
                pk__in=Override.objects.filter(person_id=person_id, end__gt=a, start__lt=b).values(
                    "schedule_id"
                )
            )
        )
        .select_related("team")
        .order_by("name", "id")
    )
)


def my_shifts(person, a: datetime, b: datetime) -> list[MyShift]:
    """`person`'s final shifts over [a, b) across all schedules, by start. Three queries.

    Candidates are the schedules the person takes part in (oncall.Participation) and any
    schedule where they hold an override meeting [a, b).
    """
    schedules = _MY_SCHEDULES.fetch(person_id=person.pk, a=a, b=b)
    data = load_schedules(schedules, a, b)
    out = []
    for schedule in schedules:
        for seg in final_from_data(data[schedule.pk], a, b):
            if seg.person == person.pk:
                out.append(MyShift(schedule, seg.start, seg.end))
    out.sort(key=lambda s: (s.start, s.schedule.name))
    return out


# --- lanes for the schedule page --------------------------------------------------------------


@dataclass
class Lane:
    key: str  # "layer:<id>", "overrides", "final"
    title: str
    segments: list[rotation.Segment]  # person None only in the final lane (gaps)


@dataclass
class Lanes:
    layers: list[Lane]
    overrides: Lane
    final: Lane
    people: dict[int, User]


def lanes_from_data(data: ScheduleData, a: datetime, b: datetime) -> Lanes:
    """Pure: per-layer coverage (its versions, each clipped to its interval), overrides, final."""
    by_layer: dict[int, list[VersionLayer]] = defaultdict(list)
    names: dict[int, str] = {}
    for v in data.versions:
        by_layer[v.layer_id].append(v)
        names[v.layer_id] = v.layer_name
    layer_lanes = []
    for layer_id in sorted(by_layer):
        segments: list[rotation.Segment] = []
        for v in by_layer[layer_id]:
            lo = max(a, v.effective_from)
            hi = b if v.effective_to is None else min(b, v.effective_to)
            if lo < hi:
                for seg in rotation.layer_segments(v.layer, lo, hi):
                    if (
                        segments
                        and segments[-1].person == seg.person
                        and segments[-1].end == seg.start
                    ):
                        segments[-1] = rotation.Segment(segments[-1].start, seg.end, seg.person)
                    else:
                        segments.append(seg)
        layer_lanes.append(Lane(f"layer:{layer_id}", names[layer_id], segments))
    override_segments = [
        rotation.Segment(max(o.start, a), min(o.end, b), o.person_id)
        for o in sorted(data.overrides, key=lambda o: (o.start, o.pk))
        if o.end > a and o.start < b
    ]
    final = final_from_data(data, a, b)
    return Lanes(
        layers=layer_lanes,
        overrides=Lane("overrides", "Overrides", override_segments),
        final=Lane("final", "Final", final),
        people={},
    )


def layer_lanes(schedule: Schedule, a: datetime, b: datetime) -> Lanes:
    """Everything the schedule page draws over [a, b), with the people in it. Three queries."""
    data = load_schedules([schedule], a, b)[schedule.pk]
    lanes = lanes_from_data(data, a, b)
    ids = {
        s.person for lane in (*lanes.layers, lanes.overrides, lanes.final) for s in lane.segments
    }
    lanes.people = people_by_id(ids)
    return lanes


# --- follow-the-sun preview (pure) ------------------------------------------------------------


@dataclass(frozen=True)
class Coverage:
    start: datetime
    end: datetime
    segments: list[rotation.Segment]  # the final answer over the week (person None = gap)
    gaps: list[rotation.Segment]  # just the gaps
    covered_fraction: float
    layer_segments: dict[object, list[rotation.Segment]]  # per spec index


def coverage_preview(specs: list[dict], *, week_start: date, time_zone: str = "UTC") -> Coverage:
    """A typical week's coverage of unsaved layer specs (cleaned with
    specs.clean_layer_spec(spec, team_id=None)), and its gaps. No queries.

    The week runs from `week_start` 00:00 in `time_zone` for 7 days. Spec order is creation
    order (the first wins a priority tie).
    """
    zone = ZoneInfo(time_zone)
    a = datetime.combine(week_start, datetime.min.time(), tzinfo=zone).astimezone(UTC)
    b = datetime.combine(week_start + timedelta(days=7), datetime.min.time(), tzinfo=zone)
    b = b.astimezone(UTC)
    layers = [spec_to_rotation_layer(spec, layer_id=i, order=i) for i, spec in enumerate(specs)]
    segments = rotation.final_segments(layers, [], a, b)
    gaps = [s for s in segments if s.person is None]
    gap_seconds = sum((g.end - g.start).total_seconds() for g in gaps)
    total = (b - a).total_seconds()
    return Coverage(
        start=a,
        end=b,
        segments=segments,
        gaps=gaps,
        covered_fraction=(1 - gap_seconds / total) if total else 0.0,
        layer_segments={i: rotation.layer_segments(layer, a, b) for i, layer in enumerate(layers)},
    )


# --- swaps and feeds --------------------------------------------------------------------------


def schedule_swaps(*, schedules: QuerySet | list | None = None, user=None) -> QuerySet:
    """Swap requests (newest first) of `schedules`, or those involving `user`."""
    qs = SwapRequest.objects.select_related(
        "schedule", "requester__profile", "taker__profile", "asked__profile"
    )
    if schedules is not None:
        qs = qs.filter(schedule__in=schedules)
    if user is not None:
        qs = qs.filter(Q(requester=user) | Q(taker=user) | Q(asked=user))
    return qs.order_by("-created_at", "-id")


def swaps_i_can_take(user) -> QuerySet:
    """Open requests (not mine) on schedules I belong to or take part in, soonest first."""
    from .models import SwapStatus

    schedules = Schedule.objects.filter(
        Q(team_id__in=team_ids_of(user))
        | Q(pk__in=Participation.objects.filter(person=user).values("schedule_id"))
    )
    return (
        schedule_swaps(schedules=schedules)
        .filter(status=SwapStatus.REQUESTED, end__gt=timezone.now())
        .filter(Q(asked__isnull=True) | Q(asked=user))
        .exclude(requester=user)
        .order_by("start", "id")
    )


def swaps_awaiting_approval(user) -> QuerySet:
    """Taken swaps waiting for `user` as lead of the schedule's team (all of them for admins)."""
    from teams.permissions import is_org_admin

    from .models import SwapStatus

    qs = schedule_swaps().filter(status=SwapStatus.ACCEPTED, override__isnull=True)
    if not is_org_admin(user):
        qs = qs.filter(schedule__team_id__in=team_ids_of(user, role=TeamRole.LEAD))
    return qs.order_by("start", "id")


def ical_feeds(user) -> QuerySet:
    """`user`'s active feeds (schedule None: their own shifts). The raw tokens are not kept."""
    from .models import IcalFeed

    return (
        IcalFeed.objects.filter(owner=user, revoked_at__isnull=True)
        .select_related("schedule")
        .order_by("schedule_id", "-created_at")
    )


def shift_notice_minutes(user) -> int:
    """The person's lead time for "you go on call in N minutes" (default 60)."""
    from .models import DEFAULT_SHIFT_NOTICE_MINUTES, OncallPreferences

    value = (
        OncallPreferences.objects.filter(user=user)
        .values_list("shift_notice_minutes", flat=True)
        .first()
    )
    return DEFAULT_SHIFT_NOTICE_MINUTES if value is None else value


# --- what the pages read (oncall.views) -------------------------------------------------------


def _one(qs: QuerySet, **lookup):
    """qs.get(**lookup), or None when there is no such row (the view answers 404)."""
    try:
        return qs.get(**lookup)
    except qs.model.DoesNotExist:
        return None


def schedule_for_page(pk: int) -> Schedule | None:
    """The schedule with its team (one query); None when there is none."""
    return _one(Schedule.objects.select_related("team"), pk=pk)


def creatable_teams(user) -> list[Team]:
    """The teams `user` may add a schedule to, by name: every team for an org admin, else
    the teams they lead."""
    from teams.permissions import is_org_admin

    if is_org_admin(user):
        return list(Team.objects.order_by("name"))
    led = team_ids_of(user, role=TeamRole.LEAD)
    return list(Team.objects.filter(pk__in=led).order_by("name"))


def schedule_people(schedule: Schedule) -> list[User]:
    """Active people with a profile who are on the schedule's team or take part in it, with
    their profiles: one query (the override and swap pickers offer them)."""
    return list(
        User.objects.filter(is_active=True, profile__isnull=False)
        .filter(
            Q(pk__in=Membership.objects.filter(team_id=schedule.team_id).values("person_id"))
            | Q(pk__in=Participation.objects.filter(schedule=schedule).values("person_id"))
        )
        .select_related("profile")
    )


def team_member_zones(team_id: int) -> list[tuple[str, str]]:
    """(username, zone) of the team's active members with a profile, by username: one query
    (the follow-the-sun preset groups them into regions)."""
    members = (
        Membership.objects.filter(team_id=team_id, person__is_active=True)
        .select_related("person__profile")
        .order_by("person__username")
    )
    return [
        (m.person.username, m.person.profile.time_zone)
        for m in members
        if getattr(m.person, "profile", None) is not None
    ]


def current_layers(schedule: Schedule) -> list[tuple[Layer, list[LayerVersion]]]:
    """The layers not deleted, each with its versions oldest first: two queries."""
    layers = Layer.objects.filter(schedule=schedule, removed_at__isnull=True).prefetch_related(
        Prefetch("versions", queryset=LayerVersion.objects.order_by("effective_from", "id"))
    )
    return [(layer, list(layer.versions.all())) for layer in layers]


def current_layer(schedule: Schedule, layer_id: int) -> Layer | None:
    """One of the schedule's layers, unless deleted: one query."""
    return _one(schedule.layers.filter(removed_at__isnull=True), pk=layer_id)


def latest_version(layer: Layer) -> LayerVersion | None:
    """The version in force last (what the edit form starts from): one query."""
    return layer.versions.order_by("-effective_from", "-id").first()


def page_overrides(
    schedule: Schedule, *, now: datetime, a: datetime, b: datetime, limit: int = 200
) -> list[Override]:
    """The schedule page's overrides, by start, with their people: those not over yet and
    those meeting [a, b) (a past one can be seen and removed there). One query."""
    return list(
        schedule.overrides.filter(Q(end__gt=now) | Q(end__gt=a, start__lt=b))
        .select_related("person__profile")
        .order_by("start")[:limit]
    )


def schedule_override(schedule: Schedule, override_id: int) -> Override | None:
    return _one(schedule.overrides.select_related("schedule"), pk=override_id)


def schedule_feeds(user, schedule: Schedule) -> list[IcalFeed]:
    """`user`'s active feeds of this schedule: one query."""
    return list(ical_feeds(user).filter(schedule=schedule))


def swap_for_page(schedule: Schedule, swap_id: int) -> SwapRequest | None:
    """A swap request of the schedule with its people and who decided it: one query."""
    return _one(
        schedule_swaps(schedules=[schedule]).select_related("decided_by__profile"), pk=swap_id
    )


def schedule_swap(schedule: Schedule, swap_id: int) -> SwapRequest | None:
    """A swap request of the schedule, with the schedule's team (its permission rules ask)."""
    return _one(SwapRequest.objects.select_related("schedule__team"), pk=swap_id, schedule=schedule)
