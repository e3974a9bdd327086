"""Who may read and change schedules, overrides and swaps (issue 4, part 9)."""

from __future__ import annotations

import pytest
import time_machine

from tests.oncall.world import utc

pytestmark = pytest.mark.django_db

ROLES = ["lead", "member", "outsider", "admin"]


def _user(world, role):
    return {
        "lead": world.lead,
        "member": world.ana,
        "outsider": world.outsider,
        "admin": world.admin,
    }[role]


# (role, may read the schedule, may edit it)
TABLE = [
    ("lead", True, True),
    ("member", True, False),
    ("outsider", False, False),
    ("admin", True, True),
]


@pytest.mark.parametrize("role, reads, edits", TABLE)
def test_read_and_edit_table(world, role, reads, edits):
    world.daily_layer()
    client = world.client(_user(world, role))
    sid = world.schedule.pk
    read_urls = [
        f"/api/v1/schedules/{sid}/",
        f"/api/v1/schedules/{sid}/layers/",
        f"/api/v1/schedules/{sid}/overrides/",
        f"/api/v1/schedules/{sid}/swaps/",
        f"/api/v1/schedules/{sid}/oncall/?at=2026-11-03T00:00:00Z",
        f"/api/v1/schedules/{sid}/final/?start=2026-11-03T00:00:00Z&end=2026-11-04T00:00:00Z",
    ]
    for url in read_urls:
        assert client.get(url).status_code == (200 if reads else 404), url
    # Org-wide "on call now": everyone signed in.
    assert client.get("/api/v1/oncall/now/").status_code == 200
    patch = client.patch(
        f"/api/v1/schedules/{sid}/", {"name": "Renamed"}, content_type="application/json"
    )
    assert patch.status_code == (200 if edits else 403 if reads else 404)
    layer = client.post(
        f"/api/v1/schedules/{sid}/layers/",
        {
            "name": "L",
            "time_zone": "UTC",
            "start": "2026-11-02T00:00",
            "shift_length": {"count": 8, "unit": "hours"},
            "participants": [world.ana.pk],
        },
        content_type="application/json",
    )
    assert layer.status_code == (201 if edits else 403 if reads else 404)
    create = client.post(
        "/api/v1/schedules/",
        {"name": "New", "team": world.team.pk, "time_zone": "UTC"},
        content_type="application/json",
    )
    assert create.status_code == (201 if edits else 403)


def test_anonymous_is_refused(world, client):
    assert client.get("/api/v1/oncall/now/").status_code in (401, 403)
    assert client.get(f"/api/v1/schedules/{world.schedule.pk}/").status_code in (401, 403)


@pytest.mark.parametrize(
    "role, for_self, for_other",
    [
        ("lead", 201, 201),
        ("member", 201, 403),
        ("outsider", 404, 404),
        ("admin", 201, 201),
    ],
)
def test_overrides_for_self_and_others(world, role, for_self, for_other):
    user = _user(world, role)
    client = world.client(user)
    url = f"/api/v1/schedules/{world.schedule.pk}/overrides/"
    span = {"start": "2026-11-03T10:00:00Z", "end": "2026-11-03T12:00:00Z"}
    mine = client.post(url, {**span, "person": user.pk}, content_type="application/json")
    assert mine.status_code == for_self, mine.content
    other = world.cy if user != world.cy else world.bo
    theirs = client.post(url, {**span, "person": other.pk}, content_type="application/json")
    assert theirs.status_code == for_other


def test_member_deletes_only_own_override(world):

    mine = world.override(world.ana, utc(2026, 11, 3), utc(2026, 11, 4))
    theirs = world.override(world.bo, utc(2026, 11, 3), utc(2026, 11, 4))
    client = world.client(world.ana)
    base = f"/api/v1/schedules/{world.schedule.pk}/overrides/"
    assert client.delete(f"{base}{theirs.pk}/").status_code == 403
    assert client.delete(f"{base}{mine.pk}/").status_code == 204


def test_swap_permissions(world):
    world.daily_layer(people=[world.ana, world.bo])
    services_url = f"/api/v1/schedules/{world.schedule.pk}/swaps/"
    span = {"start": "2026-11-02T12:00:00Z", "end": "2026-11-02T18:00:00Z"}
    with time_machine.travel(utc(2026, 11, 1), tick=False):
        assert (
            world.client(world.outsider)
            .post(services_url, span, content_type="application/json")
            .status_code
            == 404
        )
        bo = world.client(world.bo).post(services_url, span, content_type="application/json")
        assert bo.status_code == 400 and "start" in bo.json()  # not Bo's shift
        created = world.client(world.ana).post(services_url, span, content_type="application/json")
        assert created.status_code == 201, created.content
        swap_id = created.json()["id"]
        assert (
            world.client(world.outsider).post(f"/api/v1/swaps/{swap_id}/accept/").status_code == 404
        )
        assert world.client(world.cy).post(f"/api/v1/swaps/{swap_id}/cancel/").status_code == 403
        assert world.client(world.cy).post(f"/api/v1/swaps/{swap_id}/decline/").status_code == 403
        taken = world.client(world.cy).post(f"/api/v1/swaps/{swap_id}/accept/")
        assert taken.status_code == 200 and taken.json()["override"] is not None
        mine = world.client(world.cy).get("/api/v1/me/swaps/").json()["results"]
        assert [s["id"] for s in mine] == [swap_id]


def test_swap_approval_via_api(world):
    from oncall import services
    from tests.factories import SYSTEM

    world.daily_layer(people=[world.ana, world.bo])
    services.schedule_update(
        actor=SYSTEM, schedule=world.schedule, requires_lead_approval_for_swaps=True
    )
    url = f"/api/v1/schedules/{world.schedule.pk}/swaps/"
    span = {"start": "2026-11-02T12:00:00Z", "end": "2026-11-02T18:00:00Z", "asked": None}
    with time_machine.travel(utc(2026, 11, 1), tick=False):
        swap = world.client(world.ana).post(url, span, content_type="application/json").json()
        taken = world.client(world.cy).post(f"/api/v1/swaps/{swap['id']}/accept/").json()
        assert taken["status"] == "accepted" and taken["awaiting_approval"] is True
        assert (
            world.client(world.cy).post(f"/api/v1/swaps/{swap['id']}/approve/").status_code == 403
        )
        approved = world.client(world.lead).post(f"/api/v1/swaps/{swap['id']}/approve/")
        assert approved.status_code == 200 and approved.json()["status"] == "approved"
        again = world.client(world.lead).post(f"/api/v1/swaps/{swap['id']}/decline/")
        assert again.status_code == 400 and "status" in again.json()
        # Asked of Bo by name: Bo may say no himself.
        asked = (
            world.client(world.ana)
            .post(
                url,
                {
                    "start": "2026-11-04T10:00:00Z",
                    "end": "2026-11-04T11:00:00Z",
                    "asked": world.bo.pk,
                },
                content_type="application/json",
            )
            .json()
        )
        assert (
            world.client(world.cy).post(f"/api/v1/swaps/{asked['id']}/accept/").status_code == 400
        )
        no = world.client(world.bo).post(f"/api/v1/swaps/{asked['id']}/decline/")
        assert no.status_code == 200 and no.json()["status"] == "declined"
    statuses = [s["status"] for s in world.client(world.ana).get(url).json()["results"]]
    assert sorted(statuses) == ["approved", "declined"]


def test_schedule_readability_agrees_with_the_rule(world):
    """Lists (on call now, the team panel) use schedule_readability: the rule's viewer half
    asked once. It must answer as oncall.view_schedule does for every schedule and viewer:
    members, leads, a participant from outside the team, managers, admins, a leaver, nobody."""
    from django.contrib.auth.models import AnonymousUser

    from oncall.permissions import schedule_readability
    from teams import services as team_services
    from tests.factories import SYSTEM, PersonFactory
    from tests.oncall.world import team_on_call

    guest = PersonFactory(username="gus", display_name="Guest participant")
    _team, other, _layer = team_on_call("Search", PersonFactory(username="sid"), [])
    world.daily_layer([world.ana, guest])  # a participant of SRE's schedule, member of nothing
    manager = PersonFactory(username="mia", org_role="manager")
    leaver = PersonFactory(username="lee")
    world.daily_layer([world.ana, leaver], name="Second")
    team_services.person_deactivate(actor=SYSTEM, person=leaver)
    leaver.refresh_from_db()
    viewers = [world.lead, world.ana, world.outsider, world.admin, guest, manager, leaver]
    for viewer in viewers:
        readable = schedule_readability(viewer)
        for schedule in (world.schedule, other):
            expected = viewer.has_perm("oncall.view_schedule", schedule)
            assert readable(schedule.pk, schedule.team_id) is expected, (viewer, schedule)
    assert schedule_readability(guest)(world.schedule.pk, world.schedule.team_id) is True
    assert schedule_readability(AnonymousUser())(world.schedule.pk, world.schedule.team_id) is False
