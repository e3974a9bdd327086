"""seed_demo: a realistic, deterministic demo org, written in bulk, once."""

from __future__ import annotations

import io
from collections import Counter

import pytest
import pytz
from django.contrib.auth import get_user_model
from django.core.management import call_command

from core.models import AuditEvent
from teams import hours as hours_math
from teams.demo_data import COUNTRIES, REGION_NAMES, SUN_THU_COUNTRIES, build_plan, zones_for
from teams.models import Membership, Profile, Team, WorkingInterval

User = get_user_model()
COMMON = set(pytz.common_timezones)


def _seed(**options) -> str:
    out = io.StringIO()
    call_command("seed_demo", no_progress=True, stdout=out, stderr=io.StringIO(), **options)
    return out.getvalue()


@pytest.fixture
def seeded(db):
    return _seed(people=120, teams=15, seed=7)


def test_small_seed_creates_people_in_many_countries_with_real_zones(seeded):
    profiles = list(Profile.objects.all())
    assert len(profiles) == 122  # 120 + admin + demo
    assert len({p.country for p in profiles}) >= 10
    for profile in profiles:
        assert profile.time_zone in COMMON
        assert profile.time_zone in pytz.country_timezones[profile.country]
    assert Team.objects.count() == 15
    assert "122 people" in seeded
    assert "admin / baton-demo-admin" in seeded
    assert "TOTP" in seeded


def test_names_come_from_the_countrys_region(seeded):
    region_of = {code: region for code, _weight, region in COUNTRIES}
    for profile in Profile.objects.exclude(user__username__in=["admin", "demo"]):
        first_names, last_names = REGION_NAMES[region_of[profile.country]]
        assert any(profile.display_name.startswith(f"{first} ") for first in first_names)
        assert any(profile.display_name.endswith(f" {last}") for last in last_names)


def test_teams_form_a_hierarchy_of_at_most_three_levels_each_with_a_lead(seeded):
    teams = {t.pk: t for t in Team.objects.all()}
    assert any(t.parent_id is None for t in teams.values())
    for team in teams.values():
        depth, node = 1, team
        while node.parent_id is not None:
            node, depth = teams[node.parent_id], depth + 1
        assert depth <= 3
    leads = Counter(
        Membership.objects.filter(role="lead").values_list("team_id", flat=True).distinct()
    )
    assert set(leads) == set(teams)
    per_person = Counter(Membership.objects.values_list("person_id", flat=True))
    assert max(per_person.values()) <= 4
    assert len(per_person) == User.objects.count()  # everyone is in a team


def test_roles_and_sign_ins(seeded):
    roles = Counter(Profile.objects.values_list("org_role", flat=True))
    assert 3 <= roles["manager"] <= 12  # about 5% of 120
    assert roles["admin"] == 3  # two demo admins plus the `admin` sign-in
    admin = User.objects.get(username="admin")
    assert admin.check_password("baton-demo-admin")
    assert admin.is_staff and admin.is_superuser and admin.profile.org_role == "admin"
    demo = User.objects.get(username="demo")
    assert demo.check_password("baton-demo-member")
    assert not demo.is_staff and demo.profile.org_role == "member"
    others = User.objects.exclude(username__in=["admin", "demo"])
    assert not any(u.has_usable_password() for u in others)
    event = AuditEvent.objects.get(action="demo.seed")
    assert event.changes["people"] == 122 and event.changes["teams"] == 15


def test_working_intervals_mirror_the_canonical_hours(seeded, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        profiles = list(Profile.objects.prefetch_related("intervals"))
    for profile in profiles:
        assert hours_math.normalize(profile.working_hours) == profile.working_hours
        stored = sorted((i.start_minute, i.end_minute) for i in profile.intervals.all())
        expected = [
            (r.start, r.end)
            for r in hours_math.storage_pieces(hours_math.week_ranges(profile.working_hours))
        ]
        assert stored == expected
    assert WorkingInterval.objects.count() >= 120


def test_second_run_does_nothing(seeded):
    counts = (User.objects.count(), Team.objects.count(), Membership.objects.count())
    out = _seed(people=50, teams=5, seed=2)
    assert "Demo data already present" in out
    assert "admin / baton-demo-admin" in out  # the sign-ins are repeated while they work
    assert (User.objects.count(), Team.objects.count(), Membership.objects.count()) == counts
    assert AuditEvent.objects.filter(action="demo.seed").count() == 1


def test_seeded_usernames_and_zones_follow_the_plan(seeded):
    plan = build_plan(people=120, teams=15, seed=7)
    stored = dict(
        Profile.objects.exclude(user__username__in=["admin", "demo"]).values_list(
            "user__username", "time_zone"
        )
    )
    assert stored == {row["username"]: row["time_zone"] for row in plan.people}


def test_plan_is_deterministic():
    first = build_plan(people=300, teams=40, seed=3)
    again = build_plan(people=300, teams=40, seed=3)
    other = build_plan(people=300, teams=40, seed=4)

    def key(plan):
        return [
            (r["username"], r["time_zone"], r["working_hours"], r["teams"]) for r in plan.people
        ]

    assert key(first) == key(again)
    assert [t.slug for t in first.teams] == [t.slug for t in again.teams]
    assert key(first) != key(other)


def test_default_size_plan_is_realistic():
    plan = build_plan(people=1200, teams=150, seed=1)
    assert len(plan.teams) == 150
    assert len({r["country"] for r in plan.people}) >= 50
    assert len({r["username"] for r in plan.people}) == 1200
    assert {t.level for t in plan.teams} == {1, 2, 3}
    top = {t.name for t in plan.teams if t.level == 1}
    assert {"Engineering", "Operations", "Support", "Sales", "Product", "People"} <= top
    roles = Counter(r["org_role"] for r in plan.people)
    assert 50 <= roles["manager"] <= 70 and roles["admin"] == 2
    hours = [r["working_hours"] for r in plan.people]
    mon = Counter(tuple(h["mon"]) for h in hours)
    assert mon[("09:00-17:00",)] + mon[("08:00-16:30",)] > 600  # mostly regular days
    assert any(len(h["mon"]) == 2 for h in hours)  # split days
    assert any(h["mon"] == ["22:00-06:00"] for h in hours)  # night shifts
    sun_thu = [r for r in plan.people if r["country"] in SUN_THU_COUNTRIES]
    assert sun_thu and all(
        r["working_hours"]["sun"] and not r["working_hours"]["fri"] for r in sun_thu
    )
    for row in plan.people:
        hours_math.normalize(row["working_hours"])  # all valid
        assert row["time_zone"] in dict(zones_for(row["country"]))
