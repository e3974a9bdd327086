"""Reads of people and teams, each with its joins so list pages use a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from zoneinfo import available_timezones

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Prefetch, Q, QuerySet

from . import hours as hours_math
from .models import Membership, MfaPolicy, OrgRole, OrgSettings, Profile, Team, WorkingInterval
from .zones import zoneinfo

User = get_user_model()


@dataclass(frozen=True)
class LocalStatus:
    """A person's local time and whether they are working, at one instant."""

    local_time: datetime
    working: bool
    zone_abbrev: str


def person_local_status(profile: Profile, *, at: datetime) -> LocalStatus:
    """No query: uses the profile's stored working hours and zone."""
    tz = zoneinfo(profile.time_zone)
    local = at.astimezone(tz)
    ranges = _ranges_for(profile)
    return LocalStatus(
        local_time=local,
        working=hours_math.is_working(ranges, tz, at),
        zone_abbrev=local.tzname() or "",
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


def _interval_q(at: datetime) -> Q:
    """Interval rows containing their zone's local week-minute at `at`. Zones that share a
    week-minute (about 40 groups worldwide) form one OR branch, and the (time_zone,
    start_minute, end_minute) index turns each zone into one index seek."""
    condition = Q(pk__in=[])
    for minute, zones in _zones_by_week_minute(at).items():
        condition |= Q(time_zone__in=zones, start_minute__lte=minute, end_minute__gt=minute)
    return condition


def working_profile_ids(at: datetime):
    """A subquery of the profile ids of everyone working at `at`."""
    return WorkingInterval.objects.filter(_interval_q(at)).values("profile_id")


def people_directory(
    *,
    q: str = "",
    team: Team | int | None = None,
    country: str = "",
    working_at: datetime | None = None,
    include_left: bool = False,
) -> QuerySet:
    """People for the directory and /api/v1/people/, each with profile and teams prefetched."""
    qs = User.objects.select_related("profile").filter(profile__isnull=False)
    if not include_left:
        qs = qs.filter(is_active=True)
    if q:
        qs = qs.filter(
            Q(profile__display_name__icontains=q)
            | Q(username__icontains=q)
            | Q(profile__title__icontains=q)
        )
    if team:
        qs = qs.filter(memberships__team=team)
    if country:
        qs = qs.filter(profile__country=country.upper())
    if working_at is not None:
        qs = qs.filter(profile__in=working_profile_ids(working_at))
    return qs.prefetch_related(
        Prefetch(
            "memberships",
            queryset=Membership.objects.select_related("team").order_by("team__name"),
        )
    ).order_by("profile__display_name", "pk")


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
    from django.db.models import Count

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


def lead_team_ids(user: AbstractBaseUser) -> set[int]:
    return set(
        Membership.objects.filter(person=user, role="lead").values_list("team_id", flat=True)
    )


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
    """people_directory plus the API's extra filters (zone, and "not working now")."""
    from django.utils import timezone

    at = at or timezone.now()
    qs = people_directory(
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
