"""The directory's and people API's fast list paths: rows rendered in Python must escape like
the template engine, memoised pickers and schedules must never serve old data, and "working
now" must see a zone the moment its first person is saved."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

import time_machine

from core.audit import Actor
from teams import hours, selectors
from teams.models import Membership, WorkingInterval
from teams.services import person_update, team_update
from tests.bulk import bulk_people
from tests.factories import PersonFactory, TeamFactory, add_member

SYSTEM = Actor.system(via="test")
WEDNESDAY_10_UTC = datetime(2026, 1, 7, 10, 0, tzinfo=UTC)


def test_rows_escape_names_titles_and_team_names(member_client, db):
    team = TeamFactory(name="R&D <core>")
    person = PersonFactory(
        username="eve", display_name='Eve <script>alert("x")</script>', title="A & B"
    )
    add_member(team, person, "lead")
    html = member_client.get("/people/").content.decode()
    assert "<script>alert" not in html
    assert "Eve &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert '<td data-label="Title">A &amp; B</td>' in html
    assert (
        f'<a href="/teams/{team.slug}/">R&amp;D &lt;core&gt;</a> '
        '<span class="badge badge-role">lead</span>'
    ) in html
    assert f'<tr data-person="{person.pk}">' in html
    assert f'<a href="/people/{person.pk}/">' in html


def test_team_picker_shows_renamed_team_and_selection(member_client, db):
    team = TeamFactory(name="Platform")
    html = member_client.get("/people/").content.decode()
    assert f'<option value="{team.pk}">Platform</option>' in html
    team_update(actor=SYSTEM, team=team, name="Platform Ops")
    html = member_client.get("/people/", {"team": team.pk}).content.decode()
    assert f'<option value="{team.pk}" selected>Platform Ops</option>' in html
    assert ">Platform</option>" not in html
    assert '<option value="" selected>All countries</option>' in html


def test_memoised_ranges_match_week_ranges():
    schedule = {"mon": ["09:00-12:00", "13:00-17:30"], "fri": ["22:00-06:00"], "sun": []}
    text = json.dumps(schedule)
    assert list(selectors._ranges_for_json(text)) == hours.week_ranges(schedule)
    assert selectors._ranges_for_json("{}") == selectors._ranges_for_json("null") == ()


def test_rows_decode_each_schedule_once_and_keep_the_api_shape(member_client, db):
    schedule = {"mon": ["08:00-16:00"], "tue": [], "wed": [], "thu": [], "fri": []}
    for name in ("sam", "sol"):
        person = PersonFactory(username=name)
        person_update(actor=SYSTEM, person=person, working_hours=schedule)
    rows = selectors.complete_rows(list(selectors.person_rows(selectors.people_directory())))
    by_name = {row["username"]: row for row in rows}
    assert by_name["sam"]["working_hours"] is by_name["sol"]["working_hours"]
    with time_machine.travel(WEDNESDAY_10_UTC, tick=False):  # one "now" for both requests
        body = member_client.get("/api/v1/people/").json()
        detail = member_client.get(f"/api/v1/people/{by_name['sam']['id']}/").json()
    listed = {row["username"]: row for row in body["results"]}
    assert listed["sam"] == detail
    assert listed["sam"]["working_hours"]["mon"] == ["08:00-16:00"]


def test_zones_in_use_are_read_fresh(db):
    PersonFactory(time_zone="Asia/Manila")
    expected = set(WorkingInterval.objects.values_list("time_zone", flat=True).distinct())
    assert selectors.interval_zones_in_use() == expected
    assert "Asia/Manila" in expected
    PersonFactory(time_zone="Pacific/Auckland")
    assert "Pacific/Auckland" in selectors.interval_zones_in_use()


def test_working_now_sees_a_new_zone_at_once(member_client, db):
    with time_machine.travel(WEDNESDAY_10_UTC, tick=False):
        member_client.get("/api/v1/people/", {"working_now": "true"})  # warm any caches
        # 10:00 UTC is 08:00 in Lagos (Monday-Friday 07:00-15:00 below).
        person = PersonFactory(username="ngozi", time_zone="Africa/Lagos")
        person_update(
            actor=SYSTEM,
            person=person,
            working_hours={d: ["07:00-15:00"] for d in ("mon", "tue", "wed", "thu", "fri")},
        )
        body = member_client.get("/api/v1/people/", {"working_now": "true"}).json()
        assert "ngozi" in {row["username"] for row in body["results"]}
        html = member_client.get("/people/", {"working_now": "on"}).content.decode()
        assert "@ngozi" in html


def test_working_intervals_sql_with_zones_in_use_selects_the_same_rows(db):
    from django.db import connection

    def profile_ids(sql_and_params):
        with connection.cursor() as cursor:
            cursor.execute(*sql_and_params)
            return sorted(row[0] for row in cursor.fetchall())

    for zone in ("Asia/Manila", "America/New_York", "Europe/London", "Asia/Kolkata"):
        PersonFactory(time_zone=zone)
    seen = set()
    for hour in range(0, 24, 3):
        at = datetime(2026, 1, 7, hour, 30, tzinfo=UTC)
        every_zone = profile_ids(selectors.working_intervals_sql(at))
        in_use = profile_ids(selectors.working_intervals_sql(at, selectors.interval_zones_in_use()))
        assert every_zone == in_use
        seen.update(in_use)
    assert len(seen) == 4  # each of them works at one of these hours
    assert profile_ids(selectors.working_intervals_sql(WEDNESDAY_10_UTC, frozenset())) == []


def test_working_now_pages_and_counts_from_one_id_list(member_client, db):
    # Default hours (weekdays 09:00-17:00): at 10:00 UTC on a Wednesday London works, Tokyo not.
    bulk_people(60, prefix="wk", zones=[("Europe/London", "GB")])
    bulk_people(5, prefix="off", zones=[("Asia/Tokyo", "JP")])
    with time_machine.travel(WEDNESDAY_10_UTC, tick=False):
        first = member_client.get("/people/", {"working_now": "on"}).content.decode()
        second = member_client.get("/people/", {"working_now": "on", "page": 2}).content.decode()
    assert "61 people · page 1 of 2" in first  # the 60 and Mia Member, the viewer
    assert first.count("<tr data-person=") == 50 and second.count("<tr data-person=") == 11
    assert "@off" not in first + second
    shown = [int(pk) for pk in re.findall(r'<tr data-person="(\d+)">', first + second)]
    expected = selectors.people_directory(working_at=WEDNESDAY_10_UTC).values_list("pk", flat=True)
    assert shown == list(expected)  # the directory's order, across both pages


def test_page_memberships_sql_matches_the_orm(db):
    teams = [TeamFactory(name=name) for name in ("Zeta", "alpha", "Mid", "Beta")]
    people = [PersonFactory(username=f"m{i}") for i in range(3)]
    for i, person in enumerate(people):
        for team in teams[i:]:
            add_member(team, person, "lead" if team.name == "Mid" else "member")
    ids = [person.pk for person in people]
    expected = list(
        Membership.objects.filter(person_id__in=ids)
        .order_by("team__name", "team_id")
        .values_list("person_id", "team_id", "team__name", "team__slug", "role")
    )
    assert [tuple(row) for row in selectors._page_memberships(ids)] == expected
    assert [tuple(row) for row in selectors._page_memberships([people[2].pk])] == [
        (people[2].pk, teams[3].pk, "Beta", teams[3].slug, "member"),
        (people[2].pk, teams[2].pk, "Mid", teams[2].slug, "lead"),
    ]


def test_cached_values_follow_the_version_and_expire_locally(db, monkeypatch):
    from django.core.cache import cache

    from core import caching
    from teams.selectors import TEAMS_CACHE

    calls = []

    def compute():
        calls.append(1)
        return len(calls)

    def drop_shared_value():
        cache.delete(f"teams:teams:{cache.get('teams:version:teams')}:probe")

    assert caching.cached(TEAMS_CACHE, "probe", compute) == 1
    drop_shared_value()
    assert caching.cached(TEAMS_CACHE, "probe", compute) == 1  # this process's copy
    caching.bump(TEAMS_CACHE)  # a write: the version moves on, the copy is unreachable
    assert caching.cached(TEAMS_CACHE, "probe", compute) == 2
    drop_shared_value()
    later = caching.time.monotonic() + caching._LOCAL_SECONDS + 1
    monkeypatch.setattr(caching.time, "monotonic", lambda: later)
    assert caching.cached(TEAMS_CACHE, "probe", compute) == 3  # the copy expired too


def test_working_now_sql_agrees_with_python_for_long_and_overnight_ranges(db):
    schedules = {
        "always": {d: ["00:00-24:00"] for d in hours.DAY_KEYS},
        "long-weekend": {"fri": ["18:00-24:00"], "sat": ["00:00-24:00"], "sun": ["00:00-24:00"]},
        "nights": {d: ["22:00-06:00"] for d in ("mon", "tue", "wed", "thu", "fri")},
        "office": {d: ["09:00-17:00"] for d in ("mon", "tue", "wed", "thu", "fri")},
    }
    people = {}
    for name, schedule in schedules.items():
        for zone in ("Pacific/Kiritimati", "America/Santiago", "Asia/Kathmandu"):
            person = PersonFactory(username=f"{name}-{zone.split('/')[1].lower()}", time_zone=zone)
            person_update(actor=SYSTEM, person=person, working_hours=schedule)
            people[person.pk] = selectors.person_detail(person_id=person.pk)
    assert WorkingInterval.objects.filter(profile__user__username="always-kathmandu").count() == 7
    for hour in range(0, 7 * 24, 5):
        at = datetime(2026, 3, 30, 0, 17, tzinfo=UTC) + timedelta(hours=hour)
        expected = {
            pk
            for pk, person in people.items()
            if selectors.person_is_working(person.profile, at=at)
        }
        found = set(
            selectors.people_filtered(working_at=at)
            .filter(pk__in=list(people))
            .values_list("pk", flat=True)
        )
        assert found == expected, at


def test_migration_splits_long_rows_and_joins_them_back(db):
    from importlib import import_module

    from django.apps import apps

    migration = import_module("teams.migrations.0003_working_interval_pieces")
    person = PersonFactory(username="nonstop")
    person_update(
        actor=SYSTEM, person=person, working_hours={d: ["00:00-24:00"] for d in hours.DAY_KEYS}
    )
    rows = WorkingInterval.objects.filter(profile=person.profile)
    pieces = sorted(rows.values_list("start_minute", "end_minute"))
    migration.join_pieces(apps, None)
    assert list(rows.values_list("start_minute", "end_minute")) == [(0, 10080)]
    migration.split_long_intervals(apps, None)
    assert sorted(rows.values_list("start_minute", "end_minute")) == pieces
    assert pieces == [(day * 1440, (day + 1) * 1440) for day in range(7)]


def test_directory_rows_match_the_orm_page_by_page(db, django_assert_num_queries):
    from django.contrib.auth import get_user_model

    bulk_people(23, prefix="dr")
    PersonFactory(username="same-a", display_name="Same Name")  # a tie: broken by id
    PersonFactory(username="same-b", display_name="Same Name")
    leaver = PersonFactory(username="left", display_name="Aaron Left")
    get_user_model().objects.filter(pk=leaver.pk).update(is_active=False)
    get_user_model().objects.create_user("noprofile", "np@example.com")  # not in the directory
    orm = selectors.person_rows(selectors.people_filtered())
    rows = selectors.DirectoryRows()
    assert len(rows) == rows.count() == orm.count() == 25
    for start, stop in ((0, 10), (10, 20), (20, 30), (0, 25), (25, 50), (3, 3)):
        with django_assert_num_queries(0 if stop <= start else 1):
            page = rows[start:stop]
        assert page == list(orm[start:stop]), (start, stop)
    assert rows[5:] == list(orm[5:])
    usernames = [row["username"] for row in rows[0:25]]
    assert "left" not in usernames and "noprofile" not in usernames
    assert all(row["is_active"] is True for row in rows[0:25])  # a bool, as the ORM gives


def test_directory_rows_page_through_the_paginator_like_the_queryset(db):
    from django.core.paginator import Paginator

    bulk_people(12, prefix="pp")
    orm = Paginator(selectors.person_rows(selectors.people_filtered()), 5)
    sql = Paginator(selectors.DirectoryRows(), 5)
    assert (sql.count, sql.num_pages) == (orm.count, orm.num_pages) == (12, 3)
    for number in (1, 2, 3, "3", "last", 99, "x"):
        expected, page = orm.get_page(number), sql.get_page(number)
        assert page.number == expected.number
        assert list(page.object_list) == list(expected.object_list)


def test_local_status_cache_agrees_with_person_local_status(db):
    schedules = {
        "office": {d: ["09:00-17:00"] for d in ("mon", "tue", "wed", "thu", "fri")},
        "nights": {d: ["22:00-06:00"] for d in ("mon", "tue", "wed", "thu", "fri")},
        "none": {},
    }
    zones = ("Asia/Kathmandu", "America/St_Johns", "Europe/London", "Pacific/Chatham", "UTC")
    for name, schedule in schedules.items():
        for zone in zones:
            person = PersonFactory(username=f"{name}-{zone.split('/')[-1].lower()}", time_zone=zone)
            person_update(actor=SYSTEM, person=person, working_hours=schedule)
    rows = selectors.complete_rows(list(selectors.person_rows(selectors.people_filtered())))
    profiles = {p.user_id: p for p in selectors.Profile.objects.all()}
    for hour in range(0, 7 * 24, 7):
        at = WEDNESDAY_10_UTC + timedelta(hours=hour, minutes=13)
        cache = selectors.LocalStatusCache(at)
        for row in rows:
            status = cache.status(row["time_zone"], row["week_ranges"])
            assert status == selectors.person_local_status(profiles[row["id"]], at=at), row
            # Rows of one zone with the same answer share one (frozen) status.
            assert cache.status(row["time_zone"], row["week_ranges"]) is status


def test_the_working_now_list_cached_for_the_minute_follows_every_change(member_client, db):
    """working_person_ids keeps the minute's list; each change of who works, or of the order
    they are listed in, is seen by the next request of the same minute."""
    from teams.services import person_deactivate, person_reactivate

    weekdays = ("mon", "tue", "wed", "thu", "fri")

    def listed() -> list[str]:
        html = member_client.get("/people/", {"working_now": "on"}).content.decode()
        return re.findall(r"@(ngozi|ada)\b", html)

    def counted() -> int:
        html = member_client.get("/").content.decode()
        return int(re.search(r'id="working-count">(\d+)<', html).group(1))

    with time_machine.travel(WEDNESDAY_10_UTC, tick=False):
        ngozi = PersonFactory(username="ngozi", display_name="Ngozi", time_zone="Africa/Lagos")
        ada = PersonFactory(username="ada", display_name="Ada", time_zone="Africa/Lagos")
        for person in (ngozi, ada):
            person_update(actor=SYSTEM, person=person, working_hours={d: [] for d in weekdays})
        base = counted()
        assert listed() == []
        # 10:00 UTC is 11:00 in Lagos.
        person_update(
            actor=SYSTEM, person=ngozi, working_hours={d: ["07:00-15:00"] for d in weekdays}
        )
        assert listed() == ["ngozi"] and counted() == base + 1
        person_update(
            actor=SYSTEM, person=ada, working_hours={d: ["10:00-12:00"] for d in weekdays}
        )
        assert listed() == ["ada", "ngozi"] and counted() == base + 2
        person_update(actor=SYSTEM, person=ada, display_name="Zara")  # listed by name
        assert listed() == ["ngozi", "ada"]
        person_update(actor=SYSTEM, person=ngozi, time_zone="Asia/Tokyo")  # 19:00 there
        assert listed() == ["ada"] and counted() == base + 1
        person_deactivate(actor=SYSTEM, person=ada)
        assert listed() == [] and counted() == base
        person_reactivate(actor=SYSTEM, person=ada)
        assert listed() == ["ada"]


def test_people_clocks_agree_with_person_local_status(db, django_assert_num_queries):
    """people_clocks (on call now's people): one query, each person's status as
    person_local_status gives it, leavers marked, no profile or no id left out."""
    from django.contrib.auth import get_user_model

    from teams.services import person_deactivate

    office = {d: ["09:00-17:00"] for d in ("mon", "tue", "wed", "thu", "fri")}
    people = []
    for n, zone in enumerate(("Asia/Kathmandu", "America/St_Johns", "Pacific/Chatham", "UTC")):
        person = PersonFactory(username=f"clock{n}", time_zone=zone)
        person_update(actor=SYSTEM, person=person, working_hours=office if n % 2 else {})
        people.append(person)
    person_deactivate(actor=SYSTEM, person=people[3])
    bare = get_user_model().objects.create_user(username="no-profile")
    ids = [p.pk for p in people] + [bare.pk, None]
    for hour in range(0, 7 * 24, 11):
        at = WEDNESDAY_10_UTC + timedelta(hours=hour, minutes=7)
        with django_assert_num_queries(1):
            clocks = selectors.people_clocks(ids, at=at)
        assert set(clocks) == {p.pk for p in people}
        for person in people:
            profile = selectors.Profile.objects.get(user=person)
            clock = clocks[person.pk]
            assert clock.status == selectors.person_local_status(profile, at=at)
            assert clock.time_zone == profile.time_zone
            assert clock.is_active is (person is not people[3])
    assert selectors.people_clocks([None], at=WEDNESDAY_10_UTC) == {}
