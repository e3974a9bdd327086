"""Reads of people and teams, each with its joins so list pages use a fixed number of queries."""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from zoneinfo import available_timezones

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.contrib.auth.models import AbstractBaseUser
from django.db import connection, connections
from django.db.models import Count, F, Prefetch, Q, QuerySet, TextField
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast

from core import caching
from core.compiled import CompiledQuery
from core.models import AuditEvent
from core.timefmt import fmt_offset
from core.zones import zoneinfo

from . import hours as hours_math
from .models import (
    Membership,
    MfaPolicy,
    OrgRole,
    OrgSettings,
    Profile,
    Team,
    TeamRole,
    WorkingInterval,
)

User = get_user_model()

# Cached org-wide values (core.caching; the keys keep teams' "teams:" prefix): the services
# bump a group on every write that changes it.
PEOPLE_CACHE = caching.Group("teams", "people")  # who is active
TEAMS_CACHE = caching.Group("teams", "teams")  # team names


@dataclass(frozen=True)
class LocalStatus:
    """A person's local time and whether they are working, at one instant."""

    local_time: datetime
    working: bool
    utc_offset: str  # "UTC+08:00" (timefmt.fmt_offset); abbreviations are ambiguous

    @property
    def probably_asleep(self) -> bool:
        """Off working hours and inside the local night (hours.NIGHT_START to NIGHT_END): who
        not to wake unless they are the one on call. A guess; nobody's sleep is recorded."""
        return not self.working and hours_math.is_night(self.local_time)


def person_local_status(profile: Profile, *, at: datetime) -> LocalStatus:
    """No query: uses the profile's stored working hours and zone."""
    tz = zoneinfo(profile.time_zone)
    local = at.astimezone(tz)
    ranges = _ranges_for(profile)
    return LocalStatus(
        local_time=local,
        working=hours_math.is_working(ranges, tz, at),
        utc_offset=fmt_offset(local),
    )


def person_is_working(profile: Profile, *, at: datetime) -> bool:
    return hours_math.is_working(_ranges_for(profile), zoneinfo(profile.time_zone), at)


def _ranges_for(profile: Profile) -> list[hours_math.WeekRange]:
    cached = getattr(profile, "_week_ranges", None)
    if cached is None:
        cached = hours_math.week_ranges(profile.working_hours or {})
        profile._week_ranges = cached
    return cached


@lru_cache(maxsize=1)
def _all_zone_names() -> tuple[str, ...]:
    return tuple(sorted(z for z in available_timezones() if z != "localtime"))


def _zones_by_week_minute(at: datetime) -> dict[int, tuple[str, ...]]:
    """Group every zone by its local minute-of-week at `at` (about 40 groups worldwide).
    Offsets are whole minutes, so the grouping only changes from one minute to the next."""
    return _zones_by_week_minute_cached(at.replace(second=0, microsecond=0))


@lru_cache(maxsize=8)
def _zones_by_week_minute_cached(minute_start: datetime) -> dict[int, tuple[str, ...]]:
    groups: dict[int, list[str]] = {}
    for name in _all_zone_names():
        minute = hours_math.week_minute(minute_start.astimezone(zoneinfo(name)))
        groups.setdefault(minute, []).append(name)
    return {minute: tuple(zones) for minute, zones in groups.items()}


def working_intervals_sql(
    at: datetime, zones_in_use: frozenset[str] | None = None
) -> tuple[str, list]:
    """SQL (and its parameters) selecting the profile_id of every interval row that contains
    its zone's local week-minute at `at`. Zones that share a week-minute (about 40 groups
    worldwide) form one OR branch, and the (time_zone, start_minute, end_minute) index turns
    each zone into one short index range: the rows that start in the last
    MAX_STORED_MINUTES (no stored row is longer). Given the zones that have intervals at
    all, the others (most of the ~600) are left out.

    Written as SQL because the ORM took longer to build these forty branches than the
    database took to run them."""
    quote = connection.ops.quote_name
    table = quote(WorkingInterval._meta.db_table)
    # Qualified: as a subquery of the people query, "time_zone" is also a profile column.
    zone, start, end = (
        f"{table}.{quote(name)}" for name in ("time_zone", "start_minute", "end_minute")
    )
    branches: list[str] = []
    params: list = []
    for minute, zones in _zones_by_week_minute(at).items():
        if zones_in_use is not None:
            zones = tuple(name for name in zones if name in zones_in_use)
            if not zones:
                continue
        placeholders = ", ".join(["%s"] * len(zones))
        branches.append(
            f"({zone} IN ({placeholders}) AND {start} > %s AND {start} <= %s AND {end} > %s)"
        )
        params += [*zones, minute - hours_math.MAX_STORED_MINUTES, minute, minute]
    where = " OR ".join(branches) or "1 = 0"
    return f"SELECT {table}.{quote('profile_id')} FROM {table} WHERE {where}", params


def interval_zones_in_use() -> frozenset[str]:
    """The distinct zones of teams_workinginterval, read fresh (never cached, so never stale)
    but cheaply: a recursive query that hops the (time_zone, ...) index from one zone to the
    next, one seek per zone, where DISTINCT would scan every interval."""
    table = connection.ops.quote_name(WorkingInterval._meta.db_table)
    column = connection.ops.quote_name(WorkingInterval._meta.get_field("time_zone").column)
    sql = (
        f"WITH RECURSIVE zones(name) AS ("
        f"SELECT MIN({column}) FROM {table} "
        f"UNION ALL SELECT (SELECT MIN({column}) FROM {table} WHERE {column} > zones.name) "
        f"FROM zones WHERE zones.name IS NOT NULL"
        f") SELECT name FROM zones WHERE name IS NOT NULL"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return frozenset(name for (name,) in cursor.fetchall())


def working_profile_ids(at: datetime):
    """A subquery of the profile ids of everyone working at `at`. Runs one small query now
    (the zones in use), which takes more off the subquery than it costs."""
    return RawSQL(*working_intervals_sql(at, interval_zones_in_use()))


def people_filtered(
    *,
    q: str = "",
    team: Team | int | None = None,
    country: str = "",
    working_at: datetime | None = None,
    include_left: bool = False,
    not_signed_in: bool = False,
) -> QuerySet:
    """People with a profile matching the directory's filters, in directory order (display
    name, then id), with no joins or prefetches chosen: person_rows() reads a page of it as
    dicts; people_directory() adds the model instances' joins. One filter() call: every
    queryset clone is paid for on each request of the directory and the people API."""
    conditions = [Q(profile__isnull=False)]
    if not include_left:
        conditions.append(Q(is_active=True))
    if q:
        conditions.append(
            Q(profile__display_name__icontains=q)
            | Q(username__icontains=q)
            | Q(profile__title__icontains=q)
        )
    if team:
        conditions.append(Q(memberships__team=team))
    if country:
        conditions.append(Q(profile__country=country.upper()))
    if working_at is not None:
        conditions.append(Q(profile__in=working_profile_ids(working_at)))
    if not_signed_in:
        # Never chose a password: what an invitation is for.
        conditions.append(Q(password__startswith=UNUSABLE_PASSWORD_PREFIX))
    return User.objects.filter(*conditions).order_by("profile__display_name", "pk")


def people_directory(**filters) -> QuerySet:
    """people_filtered(**filters) as User instances, each with profile and teams prefetched."""
    qs = people_filtered(**filters)
    return qs.select_related("profile").prefetch_related(
        Prefetch(
            "memberships",
            queryset=Membership.objects.select_related("team").order_by("team__name"),
        )
    )


def people_directory_count() -> int:
    """How many people the unfiltered directory lists (active, with a profile). The same
    number as people_directory().count(); cached until a person is created, leaves or comes
    back (core.caching), since counting 12,000 rows was a tenth of the page's time."""
    return caching.cached(
        PEOPLE_CACHE,
        "active-count",
        lambda: User.objects.filter(
            is_active=True, pk__in=Profile.objects.values("user_id")
        ).count(),
    )


def team_choices() -> list[tuple[int, str]]:
    """(id, name) of every team by name, for pickers; cached until a team changes."""
    return caching.cached(
        TEAMS_CACHE,
        "choices",
        lambda: list(Team.objects.order_by("name", "pk").values_list("pk", "name")),
    )


def invitation_sent_at(person: AbstractBaseUser) -> datetime | None:
    """When `person` was last sent an invitation (from the audit log), or None."""
    return (
        AuditEvent.objects.filter(
            action="person.invite",
            target_type=person._meta.label_lower,
            target_id=str(person.pk),
        )
        .order_by("-created_at")
        .values_list("created_at", flat=True)
        .first()
    )


def second_factors(user: AbstractBaseUser) -> list[str]:
    """The kinds of second factor a person has set up ("totp", "recovery_codes", ...)."""
    from allauth.mfa.models import Authenticator

    return sorted(Authenticator.objects.filter(user=user).values_list("type", flat=True))


# --- a person's teams ------------------------------------------------------------------------

# The memo's key: a new number after every write that changes memberships (see team_ids_of).
# Numbers are never reused, so a memo taken before a write never matches again.
_generations = itertools.count(1)
_generation = next(_generations)
_MEMO_ATTR = "_team_ids_memo"


def memberships_changed() -> None:
    """Retire every team_ids_of memo in this process. Called by each write that adds, removes
    or re-roles a membership or deletes a team (teams.services, teams.importing), right when
    it writes."""
    global _generation
    _generation = next(_generations)


# Compiled once (core.compiled): nearly every request asks, and building the query cost more
# than running it.
_TEAM_ROLES = CompiledQuery(
    lambda person_id: Membership.objects.filter(person_id=person_id).values_list("team_id", "role")
)


def team_ids_of(user: AbstractBaseUser, *, role: str | None = None) -> frozenset[int]:
    """The ids of the teams `user` belongs to (role None), or has `role` in (TeamRole.LEAD:
    the teams they lead). The one place Baton computes "this person's teams".

    One query for every role: the (team, role) pairs are memoised on the user object, so a
    page that asks for every row of a list, or asks for both members and leads, reads the
    memberships once. A user object lives for one request (request.user), a task or a test.

    Staleness: the memo is keyed by a process-wide generation that memberships_changed()
    moves on every membership write. A key rather than dropping the memo from the user
    objects a service touches, because the object a service is given is rarely the one a
    permission check holds (a view loads the person it changes; request.user is another
    object for the same row), and a team's deletion or an import changes memberships of
    people whose objects the writer never sees. So a request that changes memberships, its
    own or anyone's, reads them again on its next check. Writes by other processes are seen by
    the next request (or a fresh user object), as with any other read; a write rolled back
    after this request read it is not seen as undone until the next write or request.
    """
    if role is not None and role not in TeamRole.values:
        raise ValueError(f"{role!r} is not a team role ({', '.join(TeamRole.values)}).")
    pk = getattr(user, "pk", None)
    if pk is None:  # anonymous
        return frozenset()
    memo = getattr(user, _MEMO_ATTR, None)
    if memo is None or memo[0] != _generation or memo[1] != pk:
        roles = _TEAM_ROLES.fetch(person_id=pk)
        by_role: dict[str | None, frozenset[int]] = {None: frozenset(t for t, _ in roles)}
        for value in TeamRole.values:
            by_role[value] = frozenset(t for t, r in roles if r == value)
        memo = (_generation, pk, by_role)
        setattr(user, _MEMO_ATTR, memo)
    return memo[2][role]


# Compiled once per number of teams (core.compiled): the dashboard lists the viewer's teams.
_TEAMS_COUNTED = CompiledQuery(
    lambda ids: (
        Team.objects.filter(pk__in=ids).annotate(member_count=Count("memberships")).order_by("name")
    )
)


def teams_of(*, person: AbstractBaseUser) -> list[Team]:
    """The person's teams by name, each with member_count and my_role (their role in it)."""
    by_role = {value: team_ids_of(person, role=value) for value in TeamRole.values}
    team_ids = team_ids_of(person)
    if not team_ids:
        return []
    teams = _TEAMS_COUNTED.fetch(ids=sorted(team_ids))
    for team in teams:
        team.my_role = next(value for value, ids in by_role.items() if team.pk in ids)
    return teams


# Compiled once per number of teams (core.compiled); the dashboard asks on every visit.
_TEAMMATE_IDS = CompiledQuery(
    lambda team_ids, person_id: (
        Membership.objects.filter(team_id__in=team_ids)
        .exclude(person_id=person_id)
        .values_list("person_id", flat=True)
        .distinct()
    )
)
_PEOPLE_WITH_PROFILES = CompiledQuery(
    lambda ids: User.objects.filter(pk__in=ids).select_related("profile")
)


def teammates_working(*, person: AbstractBaseUser, at: datetime, limit: int) -> list:
    """Up to `limit` people who share a team with `person` and work at `at`, in directory
    order, with their profiles. Who works is working_person_ids(at), the directory's list
    (cached per minute, and kept in each process for seconds): the teammates are ranked by
    their place in it and only the first `limit` are loaded. Two queries (the teammates' ids,
    the people shown) once that list is cached; checking each teammate's hours in Python
    loaded up to a hundred people with their profiles to show eight."""
    team_ids = team_ids_of(person)
    if not team_ids:
        return []
    teammate_ids = _TEAMMATE_IDS.fetch(team_ids=sorted(team_ids), person_id=person.pk)
    if not teammate_ids:
        return []
    rank = _working_rank(working_person_ids(at))
    placed = sorted((rank[pk], pk) for pk in teammate_ids if pk in rank)
    chosen = [pk for _, pk in placed[:limit]]
    if not chosen:
        return []
    by_id = {user.pk: user for user in _PEOPLE_WITH_PROFILES.fetch(ids=chosen)}
    return [by_id[pk] for pk in chosen if pk in by_id]


# The last working list seen and each id's place in it. working_person_ids hands out the same
# list object while this process keeps its copy (core.caching), so the places are worked out
# once per copy, not per dashboard (47,000 ids at 100,000 people).
_rank_memo: tuple[list[int], dict[int, int]] | None = None


def _working_rank(ids: list[int]) -> dict[int, int]:
    global _rank_memo
    memo = _rank_memo
    if memo is None or memo[0] is not ids:
        memo = _rank_memo = (ids, {pk: place for place, pk in enumerate(ids)})
    return memo[1]


def person_detail(*, person_id: int) -> AbstractBaseUser:
    return (
        User.objects.select_related("profile")
        .prefetch_related(
            Prefetch(
                "memberships",
                queryset=Membership.objects.select_related("team").order_by("team__name"),
            )
        )
        .get(pk=person_id, profile__isnull=False)
    )


def team_list(*, q: str = "") -> QuerySet:
    qs = Team.objects.select_related("parent").annotate(
        member_count=Count("memberships", filter=Q(memberships__person__is_active=True))
    )
    if q:
        qs = qs.filter(name__icontains=q)
    return qs.order_by("name")


def team_tree() -> list[tuple[Team, int]]:
    """All teams in depth-first order with their depth, from one query."""
    teams = list(team_list())
    children: dict[int | None, list[Team]] = {}
    for team in teams:
        children.setdefault(team.parent_id, []).append(team)
    ordered: list[tuple[Team, int]] = []

    def walk(parent_id: int | None, depth: int) -> None:
        for child in children.get(parent_id, []):
            ordered.append((child, depth))
            walk(child.pk, depth + 1)

    walk(None, 0)
    return ordered


def team_members(*, team: Team) -> QuerySet:
    return (
        Membership.objects.filter(team=team, person__is_active=True)
        .select_related("person__profile")
        .order_by("-role", "person__profile__display_name")
    )


def team_ancestors(team: Team) -> list[Team]:
    chain, node, seen = [], team.parent, set()
    while node is not None and node.pk not in seen:
        seen.add(node.pk)
        chain.append(node)
        node = node.parent
    return list(reversed(chain))


def org_settings() -> OrgSettings:
    org = OrgSettings.objects.filter(pk=1).first()
    return org or OrgSettings(pk=1)


def mfa_required(user: AbstractBaseUser, *, org: OrgSettings | None = None) -> bool:
    profile = getattr(user, "profile", None)
    role = profile.org_role if profile is not None else OrgRole.MEMBER
    if user.is_superuser or role in (OrgRole.MANAGER, OrgRole.ADMIN):
        return True
    org = org or org_settings()
    return org.mfa_required_for == MfaPolicy.EVERYONE


def people_search(
    *,
    q: str = "",
    team: Team | int | None = None,
    country: str = "",
    time_zone: str = "",
    working_now: bool | None = None,
    at: datetime | None = None,
    include_left: bool = False,
) -> QuerySet:
    """people_filtered plus the API's extra filters (zone, and "not working now")."""
    from django.utils import timezone

    at = at or timezone.now()
    qs = people_filtered(
        q=q,
        team=team,
        country=country,
        working_at=at if working_now is True else None,
        include_left=include_left,
    )
    if time_zone:
        qs = qs.filter(profile__time_zone=time_zone)
    if working_now is False:
        qs = qs.exclude(profile__in=working_profile_ids(at))
    return qs


# --- list rows as plain dicts ------------------------------------------------------------------
# The directory page and /api/v1/people/ show 50 people at a time. Building User, Profile,
# Membership and Team instances for them (about 250 objects) cost more than the queries, so
# the list paths read plain dicts instead; the single-person paths keep the models.

PERSON_ROW_FIELDS = {
    "display_name": F("profile__display_name"),
    "title": F("profile__title"),
    "time_zone": F("profile__time_zone"),
    "country": F("profile__country"),
    "phone": F("profile__phone"),
    # As its JSON text: complete_rows() decodes each distinct schedule once.
    "working_hours_json": Cast("profile__working_hours", TextField()),
    "org_role": F("profile__org_role"),
}


def person_rows(queryset: QuerySet) -> QuerySet:
    """A people_filtered/people_search queryset as dicts (id, username, email, is_active and
    the profile fields above). Slice or paginate it, then pass the page to complete_rows()."""
    return queryset.values("id", "username", "email", "is_active", **PERSON_ROW_FIELDS)


def person_ids(queryset: QuerySet) -> list[int]:
    """The ids of a people_filtered/people_search queryset, in its order."""
    return list(queryset.values_list("pk", flat=True))


def person_rows_in_order(ids: list[int]) -> list[dict]:
    """person_rows for these people, in the order given (anyone deleted since is left out)."""
    by_id = {row["id"]: row for row in person_rows(User.objects.filter(pk__in=ids))}
    return [by_id[pk] for pk in ids if pk in by_id]


class DirectoryRows:
    """The whole directory, person_rows(people_filtered()) with no filter, as a sequence a
    Paginator can page: its length is people_directory_count() (cached) and each slice is one
    query. That query's SQL has no parameter but the slice's LIMIT and OFFSET, so it is
    compiled from the ORM once per database connection (_directory_plan) instead of on every
    request: building and compiling it took three times as long as running it, and it is the
    list everyone opening the directory sees. A filtered list pages a person_rows() queryset.
    """

    def count(self) -> int:
        return people_directory_count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index: slice) -> list[dict]:
        if not isinstance(index, slice) or index.step not in (None, 1):
            raise TypeError("DirectoryRows only takes slices, as Paginator asks for a page.")
        start, stop = index.start or 0, index.stop
        if start < 0 or (stop is not None and stop < 0):
            raise ValueError("Negative indexing is not supported.")
        if stop is not None and stop <= start:
            return []
        return directory_page_rows(start, None if stop is None else stop - start)


def directory_page_rows(offset: int, limit: int | None) -> list[dict]:
    """The same rows as list(person_rows(people_filtered())[offset:offset + limit]), from the
    SQL _directory_plan() compiled once (tests/teams/test_directory_fast_paths.py compares)."""
    wrapper = connections[connection.alias]
    sql, params, names, converters = _directory_plan(wrapper)
    high_mark = None if limit is None else offset + limit
    limits = wrapper.ops.limit_offset_sql(offset, high_mark)
    with wrapper.cursor() as cursor:
        cursor.execute(f"{sql} {limits}" if limits else sql, params)
        rows = cursor.fetchall()
    if converters:  # what Django applies to these columns (e.g. SQLite's 0/1 to a bool)
        rows = [list(row) for row in rows]
        for row in rows:
            for position, (functions, expression) in converters:
                value = row[position]
                for function in functions:
                    value = function(value, expression, wrapper)
                row[position] = value
    return [dict(zip(names, row, strict=True)) for row in rows]


# The unfiltered directory's compiled rows query, memoised on each database connection (each
# thread has its own, and Django's converters are bound to it, as team_ids_of memoises on the
# user object): SQL text, parameters, column names and the converters Django applies to those
# columns (see DirectoryRows).
_PLAN_ATTR = "_teams_directory_plan"


def _directory_plan(wrapper) -> tuple[str, tuple, list[str], list]:
    plan = getattr(wrapper, _PLAN_ATTR, None)
    if plan is None:
        query = person_rows(people_filtered()).query
        compiler = query.get_compiler(connection=wrapper)
        sql, params = compiler.as_sql()
        # As ValuesIterable names a row's values, and results_iter converts them.
        names = [*query.extra_select, *query.values_select, *query.annotation_select]
        columns = [column for column, _sql, _alias in compiler.select[: compiler.col_count]]
        converters = list(compiler.get_converters(columns).items())
        plan = (sql, tuple(params), names, converters)
        setattr(wrapper, _PLAN_ATTR, plan)
    return plan


def complete_rows(rows: list[dict]) -> list[dict]:
    """Finish a page of person_rows: "working_hours" decoded (once per distinct schedule in
    the page; rows sharing one share the dict, so treat it as read-only), "week_ranges" for
    LocalStatusCache, and "teams": the memberships ordered by team name, as dicts with
    team_id, name, slug and role (one query for the whole page)."""
    decoded: dict[str, object] = {}
    by_person: dict[int, list[dict]] = {}
    for row in rows:
        text = row.pop("working_hours_json")
        if text not in decoded:
            decoded[text] = json.loads(text)
        row["working_hours"] = decoded[text]
        row["week_ranges"] = _ranges_for_json(text)
        row["teams"] = by_person[row["id"]] = []
    if by_person:
        for person_id, team_id, name, slug, role in _page_memberships(list(by_person)):
            by_person[person_id].append(
                {"team_id": team_id, "name": name, "slug": slug, "role": role}
            )
    return rows


def _page_memberships(person_ids: list[int]) -> list[tuple]:
    """(person_id, team_id, team name, team slug, role) of these people's memberships, by team
    name. Written as SQL: for a page of 50 people, building this join through the ORM took
    four times as long as running it (tests/teams/test_directory_fast_paths.py compares the two)."""
    quote = connection.ops.quote_name
    membership, team = quote(Membership._meta.db_table), quote(Team._meta.db_table)
    placeholders = ", ".join(["%s"] * len(person_ids))
    sql = (
        f"SELECT m.{quote('person_id')}, m.{quote('team_id')}, t.{quote('name')}, "
        f"t.{quote('slug')}, m.{quote('role')} FROM {membership} m "
        f"INNER JOIN {team} t ON t.{quote('id')} = m.{quote('team_id')} "
        f"WHERE m.{quote('person_id')} IN ({placeholders}) "
        f"ORDER BY t.{quote('name')}, t.{quote('id')}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, person_ids)
        return cursor.fetchall()


@lru_cache(maxsize=4096)
def _ranges_for_json(text: str) -> tuple[hours_math.WeekRange, ...]:
    """week_ranges() of a stored schedule, memoised by its JSON text: most people share a
    handful of schedules, and parsing them was a large part of a list's time. Pure, so the
    cache cannot go stale."""
    return tuple(hours_math.week_ranges(json.loads(text) or {}))


# fmt_offset's text by UTC offset: it depends on nothing else, and the world has about 40.
_OFFSET_TEXT: dict[timedelta | None, str] = {}


class LocalStatusCache:
    """person_local_status for many rows at one instant: one zone conversion per zone, and
    per zone each answer (working or not) built once and shared by its rows (LocalStatus is
    frozen), so a row costs a dict lookup and hours.covers()."""

    def __init__(self, at: datetime):
        self.at = at
        # zone name -> [local week-minute, local time, offset text, off status, on status]
        self._zones: dict[str, list] = {}

    def status(self, time_zone: str, week_ranges) -> LocalStatus:
        """`week_ranges` as complete_rows() gives them."""
        zone = self._zones.get(time_zone)
        if zone is None:
            local = self.at.astimezone(zoneinfo(time_zone))
            utcoffset = local.utcoffset()
            offset = _OFFSET_TEXT.get(utcoffset)
            if offset is None:
                offset = _OFFSET_TEXT[utcoffset] = fmt_offset(local)
            zone = self._zones[time_zone] = [
                hours_math.week_minute(local),
                local,
                offset,
                None,
                None,
            ]
        working = hours_math.covers(week_ranges, zone[0])
        index = 4 if working else 3
        status = zone[index]
        if status is None:
            status = zone[index] = LocalStatus(
                local_time=zone[1], working=working, utc_offset=zone[2]
            )
        return status


@dataclass(frozen=True)
class PersonClock:
    """Someone shown beside a row of another list (who is on call): still here or not, their
    zone, and their local time and state at one instant."""

    pk: int
    is_active: bool
    time_zone: str
    status: LocalStatus


# Compiled once per page length (core.compiled): building the query was most of its cost.
_PEOPLE_CLOCKS = CompiledQuery(
    lambda ids: Profile.objects.filter(user_id__in=ids).values_list(
        "user_id", "user__is_active", "time_zone", Cast("working_hours", TextField())
    )
)


def people_clocks(person_ids, *, at: datetime) -> dict[int, PersonClock]:
    """PersonClock of each of these people who has a profile, at `at`: one query of four
    columns and LocalStatusCache, no model instances (a page of fifty people as users with
    their profiles took ten times as long). Ids of None are skipped; past core.compiled's
    MAX_LIST ids the query is built as usual."""
    ids = {pk for pk in person_ids if pk is not None}
    if not ids:
        return {}
    statuses = LocalStatusCache(at)
    rows = _PEOPLE_CLOCKS.fetch(ids=sorted(ids))
    return {
        pk: PersonClock(pk, active, zone, statuses.status(zone, _ranges_for_json(hours)))
        for pk, active, zone, hours in rows
    }


# --- what the pages read (teams.views) ---------------------------------------------------------


def team_by_slug(slug: str) -> Team | None:
    """The team with its parent (one query); None when there is none."""
    try:
        return Team.objects.select_related("parent").get(slug=slug)
    except Team.DoesNotExist:
        return None


def team_children(team: Team) -> QuerySet:
    """The team's child teams by name, each with member_count (one query, when read)."""
    return team.children.annotate(member_count=Count("memberships")).order_by("name")


def person_by_username(username: str) -> AbstractBaseUser | None:
    """The person with this username (any case) and a profile, or None: one query."""
    return User.objects.filter(username__iexact=username, profile__isnull=False).first()


def team_member(team: Team, person_id: int) -> AbstractBaseUser | None:
    """The person, with their profile, if they are a member of `team`: one query."""
    membership = (
        Membership.objects.select_related("person__profile")
        .filter(team=team, person_id=person_id)
        .first()
    )
    return membership.person if membership is not None else None


def audit_events(
    *,
    action: str = "",
    actor: str = "",
    target_type: str = "",
    since: datetime | None = None,
    until: datetime | None = None,
) -> QuerySet:
    """The audit log, newest first, with each actor's profile; narrowed by part of the
    action or target type, the actor's name as recorded, and [since, until)."""
    events = AuditEvent.objects.select_related("actor__profile").order_by("-created_at", "-id")
    if action:
        events = events.filter(action__icontains=action)
    if actor:
        events = events.filter(actor_repr__iexact=actor)
    if target_type:
        events = events.filter(target_type__icontains=target_type)
    if since is not None:
        events = events.filter(created_at__gte=since)
    if until is not None:
        events = events.filter(created_at__lt=until)
    return events


def working_person_ids(at: datetime) -> list[int]:
    """The ids of everyone (active, with a profile) working at `at`, in directory order: the
    directory's "working now" list and the dashboard's count. Who works changes only on the
    minute (working hours are kept to the minute), so the list is cached per UTC minute, and
    dropped with the people cache whenever someone's hours, zone or name changes, or someone
    joins, leaves or comes back. At 100,000 people it is 47,000 ids that took 200 ms to read
    in order; every directory request asked for them (docs/benchmarks.md)."""
    minute = at.astimezone(UTC).replace(second=0, microsecond=0)
    return caching.cached(
        PEOPLE_CACHE,
        f"working:{minute:%Y%m%d%H%M}",
        lambda: person_ids(people_filtered(working_at=minute)),
    )


def people_working_count(at: datetime) -> int:
    """How many people (active, with a profile) work at `at` (the dashboard's number).
    Cached apart from the list it counts, so a dashboard does not fetch 47,000 ids from the
    cache to count them."""
    minute = at.astimezone(UTC).replace(second=0, microsecond=0)
    return caching.cached(
        PEOPLE_CACHE, f"working-count:{minute:%Y%m%d%H%M}", lambda: len(working_person_ids(at))
    )
