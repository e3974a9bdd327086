"""The ownership map's reads (issue 11, part 5): who owns what, where they are, what is
orphaned, stale, overloaded or at risk, and which hours of the day nobody can act.

Every function that queries says how many queries it runs; none depends on the size of the
org (no per-row query, no per-team query). What they compute from the rows is pure and lives
here too, so the page and the API cannot disagree:

* `map_data(viewer, filters)` -> `MapData`: the open projects the viewer may see, narrowed by
  the filters (team, country, health), as plain tuples, with the people and teams they name
  and the findings below. Four queries.
* `findings(...)` (pure): owner load and bus factor:
  - **overloaded owners**: people who own more than settings.PROJECTS_OVERLOAD_CRITICAL open
    critical projects;
  - **concentrated teams**: teams with at least BUS_FACTOR_MIN_CRITICAL open critical
    projects of which one person owns more than half;
  - **no hour apart**: projects whose backup owner works no hour of the week that the owner
    does not (`backup_adds_no_hour`): whenever the owner is off, asleep or away, the backup is
    too, so nobody can act for the project then.
* `map_counts(viewer, filters)`: the figures above the graph, one aggregate query.
* `table_projects(...)` / `export_rows(...)`: the table view's sorted rows (a page of them, or
  all of them for the CSV). Two queries (count, page) / one query.
* `sun_data(viewer, team=, zone=, now=)` -> `SunData`: for each team, the people who can act
  for it (accountable owners, backup owners, its schedules' final on-call answer) over the
  viewer's local day. Six queries, whatever the number of teams, projects or schedules.
  projects.map_presenters.sun_bands turns it into the 24-hour bands.
* `map_choices(viewer)`: the filters' pickers (the viewer's teams, the org's countries).
  One query (the team names come from teams' cached picker list).

Who sees what: managers and admins (projects.view_whole_map) every team; everyone else the
teams they belong to (teams.selectors.team_ids_of), in the API as on the pages. The map shows
open projects (planned, active, paused): what is done or cancelled has nobody to answer for.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from functools import lru_cache
from itertools import chain, compress
from operator import itemgetter
from typing import NamedTuple

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connections
from django.db.models import (
    BooleanField,
    Case,
    Count,
    Expression,
    F,
    Func,
    Q,
    QuerySet,
    TextField,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, NullIf
from django.utils import timezone

from core.zones import zoneinfo
from oncall.models import Schedule
from oncall.selectors import final_from_data, load_schedules
from teams import hours as hours_math
from teams.models import Profile, Team
from teams.selectors import team_choices, team_ids_of

from .models import OPEN_STATUSES, Health, Project
from .selectors import ORPHANED, stale_q, with_people

User = get_user_model()

# A team needs at least this many open critical projects before "one person owns most of
# them" says something about its bus factor (one critical project always has one owner).
BUS_FACTOR_MIN_CRITICAL = 2
HEALTH_FILTERS = (*Health.values, "none")  # "none": no status update yet

HOUR = timedelta(hours=1)
HALF_HOUR = timedelta(minutes=30)
HOURS_PER_WEEK = 7 * 24


# --- who sees what ----------------------------------------------------------------------------


def visible_team_ids(viewer) -> frozenset[int] | None:
    """None when `viewer` sees every team (managers and admins), else the ids of their teams
    (no query of its own beyond team_ids_of's memoised one)."""
    if viewer.has_perm("projects.view_whole_map"):
        return None
    return team_ids_of(viewer)


def sees_whole_org(viewer) -> bool:
    return visible_team_ids(viewer) is None


@dataclass(frozen=True)
class MapFilters:
    """What the map, its table, the CSV and the API filter on; blank: no filter. `country`:
    the accountable person's country (ISO 3166 alpha-2, as projects_filtered reads it);
    `health`: a Health value or "none" (no update yet)."""

    team: int | None = None
    country: str = ""
    health: str = ""

    def __bool__(self) -> bool:
        return bool(self.team or self.country or self.health)


def _filtered(viewer, filters: MapFilters) -> QuerySet:
    """Open projects of the teams `viewer` sees, narrowed by `filters` (as
    projects.selectors.projects_filtered reads them), with nothing joined: no query."""
    conditions = [Q(status__in=OPEN_STATUSES)]
    team_ids = visible_team_ids(viewer)
    if team_ids is not None:
        conditions.append(Q(team_id__in=team_ids))
    if filters.team:
        conditions.append(Q(team_id=filters.team))
    if filters.health == "none":
        conditions.append(Q(health=""))
    elif filters.health:
        conditions.append(Q(health=filters.health))
    if filters.country:
        # The accountable person's country, as projects_filtered reads it; as subqueries
        # over the profile's country index rather than joins to every project's profiles.
        there = Profile.objects.filter(country=filters.country.upper()).values("user_id")
        conditions.append(
            Q(acting_owner__isnull=True, owner_id__in=there) | Q(acting_owner_id__in=there)
        )
    return Project.objects.filter(*conditions)


def _visible_open(viewer, filters: MapFilters) -> QuerySet:
    """_filtered with projects.selectors.with_people's joins and `orphaned` / `is_stale`."""
    return with_people(_filtered(viewer, filters))


def map_counts(viewer, filters: MapFilters, *, now: datetime | None = None) -> dict[str, int]:
    """What map_presenters.summary counts, as one aggregate query (the graph page's figures;
    the graph itself comes from the API)."""
    now = now or timezone.now()
    qs = _filtered(viewer, filters)
    counts = qs.aggregate(
        projects=Count("id"),
        on_track=Count("id", filter=Q(health=Health.ON_TRACK)),
        at_risk=Count("id", filter=Q(health=Health.AT_RISK)),
        off_track=Count("id", filter=Q(health=Health.OFF_TRACK)),
        no_update=Count("id", filter=Q(health="")),
        orphaned=Count("id", filter=ORPHANED),
        stale=Count("id", filter=stale_q(now)),
        critical=Count("id", filter=Q(critical=True)),
        teams=Count("team_id", distinct=True),
        owners=Count("owner_id", distinct=True),
    )
    return {key: value or 0 for key, value in counts.items()}


# --- the map's data ---------------------------------------------------------------------------

# The columns of a project row (MapData.projects), in order: index constants below.
PROJECT_FIELDS = (
    "id",
    "name",
    "slug",
    "team_id",
    "owner_id",
    "backup_owner_id",
    "acting_owner_id",
    "acting_until",
    "status",
    "priority",
    "critical",
    "health",
    "orphaned",
    "is_stale",
    "last_update_at",
    "update_due_on",
    "target_date",
)
# How map_data has the database write each column, so that the cursor's rows are the API's
# rows as they come (no Python pass over 3,000 rows, no second tuple a row): instants as
# "YYYY-MM-DDTHH:MM:SSZ", dates as "YYYY-MM-DD", booleans as booleans (see _row_values).
_INSTANTS = ("acting_until", "last_update_at")
_DATES = ("update_due_on", "target_date")
_BOOLEANS = ("critical", "orphaned", "is_stale")
# SQLite stores an instant as "YYYY-MM-DD HH:MM:SS[.ffffff]" (in UTC): cut and pasted (NULL
# stays NULL), what strftime('%Y-%m-%dT%H:%M:%SZ', ...) writes, a tenth of the query faster.
_SQLITE_INSTANT = "(substr(%(expressions)s, 1, 10) || 'T' || substr(%(expressions)s, 12, 8) || 'Z')"
_POSTGRES_INSTANT = 'YYYY-MM-DD"T"HH24:MI:SS"Z"'  # to_char(), of the instant in UTC
_POSTGRES_DATE = "YYYY-MM-DD"


(P_ID, P_NAME, P_SLUG, P_TEAM, P_OWNER, P_BACKUP, P_ACTING, P_ACTING_UNTIL, P_STATUS,
 P_PRIORITY, P_CRITICAL, P_HEALTH, P_ORPHANED, P_STALE, P_LAST_UPDATE, P_DUE,
 P_TARGET) = range(len(PROJECT_FIELDS))  # fmt: skip


class MapPerson(NamedTuple):
    """A person the map names: the order of the values of a person tuple. people_for_map gives
    plain tuples in this order, read by index (M_ID, ...): Python's garbage collector stops
    tracking a plain tuple of plain values at its first collection, never a named tuple, and
    the 12,000 named tuples a request at 30,000 projects made lived through its collections
    into the oldest generation, so that every third request paid a full collection. A
    MapPerson is such a tuple too (the tests make them by name)."""

    id: int
    display_name: str
    country: str
    time_zone: str
    active: bool
    hours_json: str  # Profile.working_hours as stored (week masks are memoised by it)


M_ID, M_NAME, M_COUNTRY, M_ZONE, M_ACTIVE, M_HOURS = range(len(MapPerson._fields))


class MapTeam(NamedTuple):
    id: int
    name: str
    slug: str


@dataclass(frozen=True)
class Findings:
    # (owner id, [project ids]) of people owning more than `threshold` open critical projects,
    # most loaded first.
    overloaded: list[tuple[int, list[int]]]
    threshold: int
    # (team id, person id, their critical projects, the team's critical projects).
    concentrated: list[tuple[int, int, int, int]]
    # Project ids whose backup owner works no hour the owner does not (backup_adds_no_hour).
    no_hour_apart: list[int]


@dataclass
class MapData:
    whole_org: bool
    filters: MapFilters
    generated_at: datetime
    projects: list[tuple]  # PROJECT_FIELDS, by id
    people: dict[int, tuple]  # MapPerson's values
    teams: dict[int, MapTeam]
    findings: Findings = field(default_factory=lambda: Findings([], 0, [], []))


def map_data(viewer, filters: MapFilters, *, now: datetime | None = None) -> MapData:
    """The open projects `viewer` may see matching `filters`, the people they name (owners,
    backups, acting owners) and their teams, with the findings. Four queries: the viewer's
    teams (memoised for the request; none for managers), the projects, the people, the teams.

    The project rows are JSON-ready as the database writes them (project_rows): booleans,
    instants as "YYYY-MM-DDTHH:MM:SSZ", dates as "YYYY-MM-DD"."""
    now = now or timezone.now()
    whole_org = sees_whole_org(viewer)
    rows = project_rows(_filtered(viewer, filters), now=now)
    people = people_for_map(
        chain(
            map(itemgetter(P_OWNER), rows),
            map(itemgetter(P_BACKUP), rows),
            map(itemgetter(P_ACTING), rows),
        )
    )
    return MapData(
        whole_org=whole_org,
        filters=filters,
        generated_at=now,
        projects=rows,
        people=people,
        teams=teams_for_map(set(map(itemgetter(P_TEAM), rows))),
        findings=findings(rows, people, now=now),
    )


def project_rows(qs: QuerySet, *, now: datetime, vendor: str | None = None) -> list[tuple]:
    """One tuple of PROJECT_FIELDS a project of `qs`, by id, every value as the API writes it:
    one query. On SQLite and PostgreSQL the database writes the values so (_row_values) and
    the cursor's rows are the answer as they come: the drivers' and Django's converters
    (parsing every instant, date and boolean into an object, which Python then wrote back as
    text) and a Python pass building each row again were half of the map's time at 3,000
    projects. `vendor` (default: the database's) is for the tests of the generic path."""
    vendor = vendor or connections[qs.db].vendor
    native = vendor in ("sqlite", "postgresql")
    expressions = _row_values(vendor if native else "", now)
    select = []
    for name in PROJECT_FIELDS:
        if name in expressions and name not in ("orphaned", "is_stale"):
            select.append(f"{name}_value")  # an annotation may not take a field's name
            expressions[f"{name}_value"] = expressions.pop(name)
        else:
            select.append(name)
    # Unordered in SQL (a sort there was a tenth of the query; by id here, in a pass over
    # runs already in id order).
    qs = qs.order_by().annotate(**expressions)
    if native:
        query = qs.values_list(*select).query
        sql, params = query.get_compiler(using=qs.db).as_sql()
        if vendor == "sqlite":
            sql = _sqlite_booleans(sql, select, _BOOLEANS)
        with connections[qs.db].cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
    else:  # another database: Django's converters, then the API's forms in Python
        rows = [tuple(map(_json_value, row)) for row in qs.values_list(*select)]
    rows.sort(key=itemgetter(P_ID))
    return rows


def _row_values(vendor: str, now: datetime) -> dict[str, Expression]:
    """The expressions of the columns of a row the database computes (`orphaned`,
    `is_stale`) or, on SQLite and PostgreSQL (`vendor`), writes as the API does: instants
    and dates as text. SQLite has no booleans: _sqlite_booleans has its module convert them."""
    left = User.objects.filter(is_active=False).values("pk")
    values: dict[str, Expression] = {
        # projects.selectors.ORPHANED (the owner or the acting owner has left), as subqueries
        # over the people who have left rather than two joins to every project's people.
        "orphaned": Case(
            When(Q(owner_id__in=left) | Q(acting_owner_id__in=left), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        ),
        "is_stale": Case(
            When(stale_q(now), then=Value(True)), default=Value(False), output_field=BooleanField()
        ),
    }
    for name in _INSTANTS:
        if vendor == "sqlite":
            values[name] = Func(F(name), template=_SQLITE_INSTANT, output_field=TextField())
        elif vendor == "postgresql":
            utc = Func(F(name), template="(%(expressions)s AT TIME ZONE 'UTC')")
            values[name] = Func(
                utc, Value(_POSTGRES_INSTANT), function="to_char", output_field=TextField()
            )
    for name in _DATES:
        if vendor == "sqlite":  # stored as "YYYY-MM-DD"
            values[name] = Cast(name, TextField())
        elif vendor == "postgresql":
            values[name] = Func(
                F(name), Value(_POSTGRES_DATE), function="to_char", output_field=TextField()
            )
    return values


def _sqlite_booleans(sql: str, columns: list[str], booleans: Iterable[str]) -> str:
    """`sql`, a SELECT of `columns`, selected again so that the sqlite3 module itself turns
    the `booleans` columns (named without their "_value") into True and False: a column
    named "x [bool]" goes through the converter Django registers for "bool" (its SQLite
    connections read types from column names: PARSE_COLNAMES)."""
    wanted = set(booleans)
    outer = ", ".join(
        f'"{c}" AS "{c} [bool]"' if c.removesuffix("_value") in wanted else f'"{c}"'
        for c in columns
    )
    return f"SELECT {outer} FROM ({sql}) AS map_rows"


def _json_value(value):
    """A value as the API writes it: instants in UTC as "YYYY-MM-DDTHH:MM:SSZ" (naive: UTC),
    dates as "YYYY-MM-DD"."""
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        return value.isoformat(timespec="seconds") + "Z"
    if isinstance(value, date):
        return value.isoformat()
    return value


def _fetch(qs: QuerySet, fields: Iterable[str]) -> list[tuple]:
    """The rows of qs.values_list(*fields) straight from the database cursor, without
    Django's per-value converters (the callers select values that need none)."""
    query = qs.values_list(*fields).query
    sql, params = query.get_compiler(using=qs.db).as_sql()
    with connections[qs.db].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


# Past this many people, people_for_map reads everyone rather than naming them: a list of a
# thousand ids took Django longer to compile than the database to read every row.
PEOPLE_BY_ID_MAX = 300


def people_for_map(ids: Iterable[int | None]) -> dict[int, tuple]:
    """The people with these ids (with or without a profile), each a tuple of MapPerson's
    values as the database writes them (without a profile: their username, no country, UTC,
    no working hours): one query, none for no ids."""
    wanted = set(ids)
    wanted.discard(None)
    if not wanted:
        return {}
    everyone = len(wanted) > PEOPLE_BY_ID_MAX
    qs = User.objects.all() if everyone else User.objects.filter(pk__in=wanted)
    qs = qs.annotate(
        name_value=Coalesce(NullIf("profile__display_name", Value("")), "username"),
        country_value=Coalesce("profile__country", Value("")),
        zone_value=Coalesce(NullIf("profile__time_zone", Value("")), Value("UTC")),
        hours_value=Coalesce(
            NullIf(Cast("profile__working_hours", TextField()), Value("")),
            Value("{}"),
            output_field=TextField(),
        ),
    )
    fields = ("pk", "name_value", "country_value", "zone_value", "is_active", "hours_value")
    rows = _fetch(qs, fields)
    if everyone:
        return {row[M_ID]: row for row in rows if row[M_ID] in wanted}
    return {row[M_ID]: row for row in rows}


# Past this many teams, teams_for_map reads every team rather than naming them (as above).
TEAMS_BY_ID_MAX = 100


def teams_for_map(ids: set[int]) -> dict[int, MapTeam]:
    """The teams with these ids: one query, none for no ids."""
    if not ids:
        return {}
    qs = Team.objects.all() if len(ids) > TEAMS_BY_ID_MAX else Team.objects.filter(pk__in=ids)
    return {
        pk: MapTeam(pk, name, slug)
        for pk, name, slug in qs.values_list("pk", "name", "slug")
        if pk in ids
    }


# --- findings (pure) --------------------------------------------------------------------------


def findings(
    rows: list[tuple],
    people: dict[int, tuple],
    *,
    now: datetime,
    threshold: int | None = None,
) -> Findings:
    """Owner load and bus factor over `rows` (project rows of MapData). No queries."""
    threshold = settings.PROJECTS_OVERLOAD_CRITICAL if threshold is None else threshold
    critical_by_owner: dict[int, list[int]] = defaultdict(list)
    critical_by_team: dict[int, dict[int, int]] = defaultdict(dict)
    # The critical projects only (a sixth of them), picked without a Python step a row.
    critical = compress(rows, map(itemgetter(P_CRITICAL), rows))
    for pk, team, owner in map(itemgetter(P_ID, P_TEAM, P_OWNER), critical):
        critical_by_owner[owner].append(pk)
        counts = critical_by_team[team]
        counts[owner] = counts.get(owner, 0) + 1
    # Each person's week once (backup_adds_no_hour, unrolled).
    week = week_start(now)
    masks = {pk: week_mask(person, week) for pk, person in people.items()}
    no_hour_apart = []
    for pk, owner, backup in map(itemgetter(P_ID, P_OWNER, P_BACKUP), rows):
        if backup is not None:
            owner_hours, backup_hours = masks.get(owner), masks.get(backup)
            if owner_hours is not None and backup_hours is not None:
                if backup_hours & ~owner_hours == 0:
                    no_hour_apart.append(pk)
    overloaded = sorted(
        ((pk, ids) for pk, ids in critical_by_owner.items() if len(ids) > threshold),
        key=lambda item: (-len(item[1]), _name(people, item[0])),
    )
    concentrated = []
    for team_id, counts in critical_by_team.items():
        total = sum(counts.values())
        if total < BUS_FACTOR_MIN_CRITICAL:
            continue
        person, most = min(counts.items(), key=lambda item: (-item[1], _name(people, item[0])))
        if most * 2 > total:
            concentrated.append((team_id, person, most, total))
    concentrated.sort(key=lambda item: (-item[2] / item[3], -item[3], item[0]))
    return Findings(overloaded, threshold, concentrated, no_hour_apart)


def _name(people: dict[int, tuple], pk: int) -> str:
    person = people.get(pk)
    return person[M_NAME].lower() if person else ""


def week_start(now: datetime) -> datetime:
    """Monday 00:00 UTC of the week containing `now`: the week the findings look at."""
    day = now.astimezone(UTC).date()
    return datetime.combine(day - timedelta(days=day.weekday()), time(0), tzinfo=UTC)


@lru_cache(maxsize=4096)
def _ranges(hours_json: str) -> tuple[hours_math.WeekRange, ...]:
    try:
        return tuple(hours_math.week_ranges(json.loads(hours_json) or {}))
    except (ValueError, TypeError, hours_math.WorkingHoursError):
        return ()  # unreadable hours: never working (as teams reads them)


@lru_cache(maxsize=512)
def _zone_minutes(zone_name: str, instants: tuple[datetime, ...]) -> tuple[int, ...]:
    """The local minute of the week in `zone_name` at each instant."""
    zone = zoneinfo(zone_name)
    return tuple(hours_math.week_minute(t.astimezone(zone)) for t in instants)


class Instants(tuple):
    """A tuple of instants whose hash is computed once: it keys the memoised masks below,
    looked up once per person."""

    def __hash__(self) -> int:
        cached = self.__dict__.get("hash")
        if cached is None:
            cached = self.__dict__["hash"] = tuple.__hash__(self)
        return cached


@lru_cache(maxsize=8192)
def working_mask(zone_name: str, hours_json: str, instants: tuple[datetime, ...]) -> int:
    """Bit i set when a person with these hours in this zone works at instants[i]. Pure and
    memoised by its arguments (a handful of distinct schedules serve most people)."""
    ranges = _ranges(hours_json)
    if not ranges:
        return 0
    mask = 0
    for bit, minute in enumerate(_zone_minutes(zone_name, instants)):
        if hours_math.covers(ranges, minute):
            mask |= 1 << bit
    return mask


@lru_cache(maxsize=8)
def week_hour_midpoints(start: datetime) -> Instants:
    """The middle of each of the 168 UTC hours of the week from `start`."""
    return Instants(start + HOUR * h + HALF_HOUR for h in range(HOURS_PER_WEEK))


def week_mask(person: tuple, start: datetime) -> int:
    """The UTC hours of the week from `start` in which `person` works, as 168 bits: hour h is
    a working hour when they are working at its middle (h:30 UTC), in their zone, by their
    weekly hours (so a DST change in the week is where it falls)."""
    return working_mask(person[M_ZONE], person[M_HOURS], week_hour_midpoints(start))


def backup_adds_no_hour(owner: tuple, backup: tuple, start: datetime) -> bool:
    """True when the owner and the backup have **no working hour apart** in the week from
    `start`: every UTC hour of that week in which the backup works (week_mask: working at the
    hour's middle) is one in which the owner works too. Then whenever the owner cannot act
    (off work, asleep), neither can the backup: together they cover no hour the owner alone
    does not. Same hours in the same zone, a backup whose day sits inside the owner's, and a
    backup with no working hours on record are all flagged; a backup who covers even one hour
    of the owner's night is not. Not symmetric: an owner inside a wider backup's day is fine
    (the backup covers the rest)."""
    owner_hours = week_mask(owner, start)
    backup_hours = week_mask(backup, start)
    return backup_hours & ~owner_hours == 0


# --- the table and the CSV --------------------------------------------------------------------

# Sort keys the table offers: key -> ORM ordering (ties: project name, then id).
SORTS = {
    "project": ("name",),
    "team": ("team__name",),
    "owner": ("owner__profile__display_name",),
    "backup": ("backup_owner__profile__display_name",),
    "country": ("owner__profile__country",),
    "health": ("health",),
    "status": ("status",),
    "critical": ("-critical",),
    "updated": ("last_update_at",),
    "due": ("update_due_on",),
}
DEFAULT_SORT = "team"


def _ordering(sort: str) -> list[str]:
    descending = sort.startswith("-")
    key = sort.lstrip("-")
    fields = SORTS.get(key, SORTS[DEFAULT_SORT])
    if descending:
        fields = tuple(f[1:] if f.startswith("-") else f"-{f}" for f in fields)
    return [*fields, "name", "id"]


def table_projects(viewer, filters: MapFilters, *, sort: str = DEFAULT_SORT) -> QuerySet:
    """The table's projects, sorted (lazy: Paginator counts it and reads one page, two
    queries), with team, owner, backup and acting owner and their profiles joined, and
    `orphaned` / `is_stale` annotated."""
    return _visible_open(viewer, filters).order_by(*_ordering(sort))


def export_rows(viewer, filters: MapFilters, *, sort: str = DEFAULT_SORT) -> list[tuple]:
    """Every row of the CSV export, sorted as the table: one query."""
    return list(
        _visible_open(viewer, filters)
        .order_by(*_ordering(sort))
        .values_list(
            "name",
            "slug",
            "team__name",
            "status",
            "priority",
            "critical",
            "health",
            "orphaned",
            "is_stale",
            "owner__profile__display_name",
            "owner__profile__country",
            "owner__profile__time_zone",
            "acting_owner__profile__display_name",
            "acting_until",
            "backup_owner__profile__display_name",
            "backup_owner__profile__country",
            "backup_owner__profile__time_zone",
            "last_update_at",
            "update_due_on",
            "target_date",
        )
    )


# --- the filters' pickers ---------------------------------------------------------------------


def map_choices(viewer, *, countries: bool = True) -> tuple[list[tuple[int, str]], list[str]]:
    """(team id, name) of the teams the viewer may filter on, by name (teams' cached picker
    list, narrowed to the viewer's teams unless they see the whole org), and the countries
    people of the org are in, sorted (unless `countries` is False). People who left count:
    their orphaned projects are counted under their country, and a country whose only people
    left must still be pickable to find them. One query (the countries, over the profile's
    country index), none without the countries."""
    team_ids = visible_team_ids(viewer)
    teams = team_choices()
    if team_ids is not None:
        teams = [(pk, name) for pk, name in teams if pk in team_ids]
    if not countries:
        return teams, []
    codes = Profile.objects.order_by("country").values_list("country", flat=True).distinct()
    return teams, [c for c in codes if c]


# --- the sun map ------------------------------------------------------------------------------


@dataclass(frozen=True)
class SunSlot:
    start: datetime  # UTC; the slot is [start, end), an hour
    end: datetime
    middle: datetime  # where "can act" is sampled


@dataclass
class SunTeam:
    team: MapTeam
    owners: set[int]  # accountable people (the acting owner while one is named)
    backups: set[int]
    schedules: int  # how many schedules the team has
    # Per slot: the ids of the people on call then (final answers of the team's schedules).
    oncall: list[set[int]]


@dataclass
class SunData:
    zone: str
    day: date  # the viewer's local date the bands cover
    slots: list[SunSlot]
    teams: list[SunTeam]  # by name
    people: dict[int, tuple]  # MapPerson's values
    whole_org: bool
    now: datetime
    total_teams: int = 0  # how many teams match, of which `teams` is one page


def day_slots(day: date, zone: tzinfo) -> list[SunSlot]:
    """The hours of `day` in `zone`: from local midnight to the next, an hour at a time in
    real (UTC) time, so a day when clocks change has 23 or 25 slots."""
    start = datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone).astimezone(UTC)
    slots = []
    cursor = start
    while cursor < end:
        slot_end = min(cursor + HOUR, end)
        slots.append(SunSlot(cursor, slot_end, cursor + (slot_end - cursor) / 2))
        cursor = slot_end
    return slots


def sun_data(
    viewer,
    *,
    zone_name: str,
    team: int | None = None,
    now: datetime | None = None,
    offset: int = 0,
    limit: int | None = None,
) -> SunData:
    """Who can act for each team the viewer sees (or only `team`) in each hour of the
    viewer's local today; teams by name, `limit` of them from `offset` (all by default: the
    page shows a page of teams, so its work does not grow with the org). Six queries: teams,
    the open projects' people, those people, the teams' schedules, their layer versions and
    overrides (oncall.selectors.load_schedules); the final on-call answers are computed from
    them (oncall.selectors.final_from_data)."""
    now = now or timezone.now()
    zone = zoneinfo(zone_name)
    day = now.astimezone(zone).date()
    slots = day_slots(day, zone)
    team_ids = visible_team_ids(viewer)
    teams_qs = Team.objects.order_by("name", "pk")
    if team_ids is not None:
        teams_qs = teams_qs.filter(pk__in=team_ids)
    if team:
        teams_qs = teams_qs.filter(pk=team)
    all_teams = list(teams_qs.values_list("pk", "name", "slug"))
    chosen = all_teams[offset : None if limit is None else offset + limit]
    teams = {pk: MapTeam(pk, name, slug) for pk, name, slug in chosen}
    if not teams:
        return SunData(zone_name, day, slots, [], {}, team_ids is None, now, len(all_teams))
    by_team = {pk: SunTeam(t, set(), set(), 0, [set() for _ in slots]) for pk, t in teams.items()}
    project_people = Project.objects.filter(status__in=OPEN_STATUSES, team_id__in=list(teams))
    for team_id, owner, acting, backup in project_people.values_list(
        "team_id", "owner_id", "acting_owner_id", "backup_owner_id"
    ).distinct():
        entry = by_team[team_id]
        entry.owners.add(acting or owner)
        if backup is not None:
            entry.backups.add(backup)
    schedules = list(Schedule.objects.filter(team_id__in=list(teams)).only("pk", "team_id"))
    a, b = slots[0].start, slots[-1].end
    data = load_schedules(schedules, a, b)
    oncall_ids: set[int] = set()
    for schedule in schedules:
        entry = by_team[schedule.team_id]
        entry.schedules += 1
        segments = final_from_data(data[schedule.pk], a, b)
        index = 0
        for i, slot in enumerate(slots):
            while index < len(segments) and segments[index].end <= slot.middle:
                index += 1
            if index < len(segments) and segments[index].start <= slot.middle:
                person = segments[index].person
                if person is not None:
                    entry.oncall[i].add(person)
                    oncall_ids.add(person)
    ids = set(oncall_ids)
    for entry in by_team.values():
        ids |= entry.owners | entry.backups
    people = people_for_map(ids)
    return SunData(
        zone=zone_name,
        day=day,
        slots=slots,
        teams=[by_team[pk] for pk in teams],
        people=people,
        whole_org=team_ids is None,
        now=now,
        total_teams=len(all_teams),
    )
