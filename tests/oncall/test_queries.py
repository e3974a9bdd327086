"""Fixed query counts: /api/v1/oncall/now/ costs the same for 10 or 300 schedules (<= 5)."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from oncall.demo import seed_schedules
from oncall.models import Layer, Override, Schedule
from tests.factories import SYSTEM, PersonFactory, TeamFactory, add_member
from tests.oncall.world import World

pytestmark = pytest.mark.django_db


def _org():
    zones = ["Asia/Manila", "Europe/London", "America/New_York", "Australia/Lord_Howe"]
    for t in range(4):
        team = TeamFactory(name=f"Team {t}")
        for p in range(4):
            add_member(team, PersonFactory(time_zone=zones[(t + p) % 4]))


def _now_queries(client) -> tuple[int, dict]:
    from django.core.cache import cache

    from oncall.selectors import NOW_CACHE_KEY

    client.get("/api/v1/oncall/now/")  # warm the session and per-process caches
    cache.delete(NOW_CACHE_KEY)  # measure the full computation, not the cached answer
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/api/v1/oncall/now/")
    assert response.status_code == 200
    return len(queries), response.json()


def test_oncall_now_fixed_queries_for_10_and_300_schedules(db, django_assert_max_num_queries):
    """With a token the whole request is 5 queries: the token, then schedules, layer
    versions, overrides and the people on call. A browser session adds the session, MFA and
    user-session bookkeeping of the middleware (the same for every page)."""
    from accounts.services import api_token_create

    _org()
    world = World()
    session = world.client(world.outsider)
    _, raw = api_token_create(
        actor=SYSTEM, user=world.outsider, name="now", scopes=["schedules:read"]
    )
    token = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    seed_schedules(actor=SYSTEM, count=10, seed=3)
    small, body = _now_queries(token)
    small_session, _ = _now_queries(session)
    assert len(body["results"]) == 11  # + the World's own schedule
    seed_schedules(actor=SYSTEM, count=290, seed=4)
    large, body = _now_queries(token)
    large_session, _ = _now_queries(session)
    assert len(body["results"]) == 301
    assert small == large <= 5
    assert small_session == large_session
    on_call = [r for r in body["results"] if r["person"] is not None]
    assert on_call and all(r["local_time"] and r["time_zone"] for r in on_call)
    with django_assert_max_num_queries(1):  # cached: the token only
        token.get("/api/v1/oncall/now/")


def test_oncall_now_cache_follows_writes_and_time(db, django_capture_on_commit_callbacks):
    import time_machine

    from tests.oncall.world import utc

    world = World()
    world.daily_layer(people=[world.ana, world.bo])
    client = world.client(world.cy)
    with time_machine.travel(utc(2026, 11, 3, 8), tick=False):
        row = client.get("/api/v1/oncall/now/").json()["results"][0]
        assert (row["person"], row["until"]) == (world.ana.pk, "2026-11-03T09:00:00Z")
        assert row["local_time"] == "2026-11-03T16:00+08:00"  # Ana is in Manila
        with django_capture_on_commit_callbacks(execute=True):  # the cache drops on commit
            world.override(world.cy, utc(2026, 11, 3, 7), utc(2026, 11, 3, 8, 30))
        row = client.get("/api/v1/oncall/now/").json()["results"][0]
        assert (row["person"], row["until"]) == (world.cy.pk, "2026-11-03T08:30:00Z")
    with time_machine.travel(utc(2026, 11, 3, 9), tick=False):
        row = client.get("/api/v1/oncall/now/").json()["results"][0]
        assert row["person"] == world.bo.pk


def busiest_participant():
    """Someone who takes part in the most demo schedules."""
    from django.contrib.auth import get_user_model
    from django.db.models import Count

    return (
        get_user_model()
        .objects.annotate(n=Count("oncall_participations"))
        .order_by("-n", "id")
        .first()
    )


def test_list_endpoints_fixed_queries(db):
    _org()
    world = World()
    seed_schedules(actor=SYSTEM, count=30, seed=3)
    client = world.client(world.admin)
    client.get("/api/v1/schedules/")  # the first request of a session does bookkeeping
    counts = []
    # Schedules with layers: one without skips the layer-version prefetch (a query fewer).
    for schedule in Schedule.objects.filter(layers__isnull=False).distinct().order_by("id")[:3]:
        with CaptureQueriesContext(connection) as queries:
            url = f"/api/v1/schedules/{schedule.pk}/final/"
            response = client.get(url + "?start=2026-11-01T00:00:00Z&end=2026-12-01T00:00:00Z")
            assert response.status_code == 200
            client.get(f"/api/v1/schedules/{schedule.pk}/layers/")
        counts.append(len(queries))
    assert len(set(counts)) == 1
    person = busiest_participant()
    week = "?start=2026-11-01T00:00:00Z&end=2026-11-08T00:00:00Z"
    me = world.client(person)
    me.get("/api/v1/me/shifts/" + week)  # the first request of a session does bookkeeping
    with CaptureQueriesContext(connection) as queries:
        client.get("/api/v1/schedules/?page_size=200")
    with CaptureQueriesContext(connection) as shifts:
        assert me.get("/api/v1/me/shifts/" + week).status_code == 200
    few, few_shifts = len(queries), len(shifts)
    seed_schedules(actor=SYSTEM, count=30, seed=5)
    with CaptureQueriesContext(connection) as queries:
        client.get("/api/v1/schedules/?page_size=200")
    with CaptureQueriesContext(connection) as shifts:
        me.get("/api/v1/me/shifts/" + week)
    assert len(queries) == few
    assert len(shifts) == few_shifts


def test_seed_demo_creates_schedules():
    out = io.StringIO()
    call_command(
        "seed_demo",
        people=60,
        teams=15,
        schedules=30,
        seed=2,
        no_progress=True,
        stdout=out,
        stderr=io.StringIO(),
    )
    assert "Created 30 on-call schedules" in out.getvalue()
    assert Schedule.objects.count() == 30
    assert Layer.objects.filter(name="APAC").count() == 10
    assert Override.objects.count() == 3


def test_oncall_now_answer_is_what_its_serializer_would_write(db):
    """The view builds the answer without DRF (oncall.serializers.oncall_now_data); the
    serializer, which is the API's schema, would have written exactly the same, for a row
    with someone on call and for a gap."""
    import time_machine

    from oncall import selectors
    from oncall.serializers import OncallNowSerializer, oncall_now_data
    from tests.oncall.world import utc

    world = World()
    world.daily_layer(people=[world.ana, world.bo])
    Schedule.objects.create(team=world.team, name="Nobody yet", time_zone="UTC")
    at = utc(2026, 11, 3, 8, 30, 15)
    with time_machine.travel(at, tick=False):
        rows = selectors.oncall_now(world.cy, at=at)
        assert {row.person_id is None for row in rows} == {True, False}
        expected = OncallNowSerializer({"at": at, "results": rows}).data
        assert oncall_now_data(at, rows) == expected
        assert world.client(world.cy).get("/api/v1/oncall/now/").json() == expected
