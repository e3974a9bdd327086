"""/api/v1/teams/ and /api/v1/teams/{id}/members/: reads, writes, permissions, bad input."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from core.models import AuditEvent
from teams.models import Membership, Team
from tests.bulk import bulk_people
from tests.conftest import sign_in
from tests.factories import PersonFactory, TeamFactory, add_member


@pytest.fixture
def eng(db):
    return TeamFactory(name="Engineering")


@pytest.fixture
def platform(eng):
    return TeamFactory(name="Platform", parent=eng)


@pytest.fixture
def lead(platform):
    person = PersonFactory(
        username="lea", display_name="Lea Lead", time_zone="Asia/Manila", country="PH"
    )
    add_member(platform, person, role="lead")
    return person


@pytest.fixture
def lead_client(lead):
    return sign_in(Client(), lead)


def test_list_shows_parent_and_member_count(member_client, eng, platform, lead, member):
    add_member(platform, member)
    response = member_client.get("/api/v1/teams/")
    assert response.status_code == 200
    rows = {row["slug"]: row for row in response.json()["results"]}
    assert rows["platform"]["parent"] == eng.pk
    assert rows["platform"]["parent_name"] == "Engineering"
    assert rows["platform"]["member_count"] == 2
    assert rows["engineering"]["parent"] is None
    assert rows["engineering"]["member_count"] == 0


def test_list_search_and_retrieve(member_client, eng, platform):
    body = member_client.get("/api/v1/teams/", {"q": "plat"}).json()
    assert [row["name"] for row in body["results"]] == ["Platform"]
    response = member_client.get(f"/api/v1/teams/{platform.pk}/")
    assert response.status_code == 200 and response.json()["slug"] == "platform"
    assert member_client.get("/api/v1/teams/987654/").status_code == 404


def test_teams_list_query_count_is_fixed(member_client, db):
    member_client.get("/api/v1/me/")  # the first request of a session records the session

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert member_client.get("/api/v1/teams/", {"page_size": 200}).status_code == 200
        return len(ctx.captured_queries)

    parent = TeamFactory(name="Root")
    for i in range(3):
        TeamFactory(name=f"Small {i}", parent=parent)
    small = count()
    Team.objects.bulk_create(
        Team(name=f"Bulk {i}", slug=f"bulk-{i}", parent=parent) for i in range(300)
    )
    assert count() == small


def test_members_list_shows_role_local_time_and_working(member_client, platform, lead, member):
    add_member(platform, member)
    response = member_client.get(f"/api/v1/teams/{platform.pk}/members/")
    assert response.status_code == 200
    rows = {row["username"]: row for row in response.json()["results"]}
    assert rows["lea"]["role"] == "lead"
    assert rows["lea"]["utc_offset"] == "+08:00"
    assert rows["lea"]["local_time"].endswith("+08:00")
    assert isinstance(rows["mia"]["working_now"], bool)
    assert rows["mia"]["role"] == "member"
    assert "email" not in rows["mia"]


def test_members_list_query_count_is_fixed(member_client, platform):
    member_client.get("/api/v1/me/")

    def count():
        url = f"/api/v1/teams/{platform.pk}/members/?page_size=200"
        with CaptureQueriesContext(connection) as ctx:
            assert member_client.get(url).status_code == 200
        return len(ctx.captured_queries)

    bulk_people(5, prefix="few", team=platform)
    small = count()
    bulk_people(400, prefix="many", team=platform)
    assert count() == small


def test_members_of_unknown_team_is_404(member_client, db):
    assert member_client.get("/api/v1/teams/424242/members/").status_code == 404
    assert member_client.delete("/api/v1/teams/424242/members/1/").status_code == 404


def test_lead_adds_changes_and_removes_member(lead_client, lead, platform, member):
    url = f"/api/v1/teams/{platform.pk}/members/"
    response = lead_client.post(url, {"person": member.pk}, content_type="application/json")
    assert response.status_code == 201, response.json()
    assert response.json()["role"] == "member"
    response = lead_client.post(
        url, {"person": member.pk, "role": "lead"}, content_type="application/json"
    )
    assert response.status_code == 200
    assert Membership.objects.get(team=platform, person=member).role == "lead"
    response = lead_client.patch(
        f"{url}{member.pk}/", {"role": "member"}, content_type="application/json"
    )
    assert response.status_code == 200 and response.json()["role"] == "member"
    assert lead_client.get(f"{url}{member.pk}/").json()["person"] == member.pk
    assert lead_client.delete(f"{url}{member.pk}/").status_code == 204
    assert not Membership.objects.filter(team=platform, person=member).exists()
    # Already removed: the membership no longer exists.
    assert lead_client.delete(f"{url}{member.pk}/").status_code == 404
    actions = list(
        AuditEvent.objects.filter(target_id=str(platform.pk), via="api", actor=lead)
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["membership.add", "membership.role", "membership.role", "membership.remove"]


def test_lead_of_another_team_cannot_manage(lead_client, eng, member):
    # Leading Platform gives no rights over its parent team.
    url = f"/api/v1/teams/{eng.pk}/members/"
    response = lead_client.post(url, {"person": member.pk}, content_type="application/json")
    assert response.status_code == 403
    add_member(eng, member)
    assert lead_client.delete(f"{url}{member.pk}/").status_code == 403
    assert (
        lead_client.patch(
            f"/api/v1/teams/{eng.pk}/", {"name": "X"}, content_type="application/json"
        ).status_code
        == 403
    )


def test_member_cannot_remove_members(member_client, platform, lead):
    url = f"/api/v1/teams/{platform.pk}/members/{lead.pk}/"
    assert member_client.delete(url).status_code == 403
    assert Membership.objects.filter(team=platform, person=lead).exists()


ME = object()  # stands for the member's id in the table below


@pytest.mark.parametrize(
    "body, field",
    [
        ({"person": 987654}, "person"),
        ({"person": "abc"}, "person"),
        ({"role": "member"}, "person"),
        ({"person": ME, "role": "boss"}, "role"),
        ({"person": ME, "role": "owner"}, "role"),
        ({"person": ME, "colour": "red"}, "colour"),
    ],
)
def test_add_member_bad_input(admin_client, platform, member, body, field):
    payload = {key: member.pk if value is ME else value for key, value in body.items()}
    before = Membership.objects.count()
    response = admin_client.post(
        f"/api/v1/teams/{platform.pk}/members/", payload, content_type="application/json"
    )
    assert response.status_code == 400
    assert field in response.json()
    assert Membership.objects.count() == before


def test_person_who_left_cannot_join(admin_client, platform, member):
    from teams.services import person_deactivate
    from tests.factories import SYSTEM

    person_deactivate(actor=SYSTEM, person=member)
    response = admin_client.post(
        f"/api/v1/teams/{platform.pk}/members/",
        {"person": member.pk},
        content_type="application/json",
    )
    assert response.status_code == 400 and "person" in response.json()


def test_create_team(admin_client, admin_user, eng):
    response = admin_client.post(
        "/api/v1/teams/",
        {"name": "Data", "parent": eng.pk, "description": "Pipelines"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["slug"] == "data" and body["parent"] == eng.pk and body["member_count"] == 0
    event = AuditEvent.objects.get(action="team.create", target_id=str(body["id"]))
    assert event.via == "api" and event.actor == admin_user


@pytest.mark.parametrize(
    "body, field",
    [
        ({"name": ""}, "name"),
        ({"name": "   "}, "name"),
        ({"name": "Eng", "parent": 987654}, "parent"),
        ({"name": "Eng", "slug": "engineering"}, "slug"),  # taken
        ({"name": "Eng", "slug": "!!!"}, "slug"),
        ({"name": "x" * 121}, "name"),
        ({"name": "Eng", "members": [1]}, "members"),
    ],
)
def test_create_team_bad_input(admin_client, eng, body, field):
    before = Team.objects.count()
    response = admin_client.post("/api/v1/teams/", body, content_type="application/json")
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert Team.objects.count() == before


def test_lead_renames_own_team(lead_client, platform, eng):
    url = f"/api/v1/teams/{platform.pk}/"
    response = lead_client.patch(url, {"name": "Platform Eng"}, content_type="application/json")
    assert response.status_code == 200 and response.json()["name"] == "Platform Eng"


def test_admin_moves_team_and_cycle_is_400(admin_client, platform, eng):
    response = admin_client.patch(
        f"/api/v1/teams/{eng.pk}/", {"parent": platform.pk}, content_type="application/json"
    )
    assert response.status_code == 400 and "parent" in response.json()
    response = admin_client.patch(
        f"/api/v1/teams/{platform.pk}/", {"parent": None}, content_type="application/json"
    )
    assert response.status_code == 200 and response.json()["parent"] is None
    response = admin_client.patch(
        f"/api/v1/teams/{platform.pk}/", {"slug": "new"}, content_type="application/json"
    )
    assert response.status_code == 400 and "slug" in response.json()


def test_delete_team(admin_client, member_client, eng, platform):
    assert member_client.delete(f"/api/v1/teams/{platform.pk}/").status_code == 403
    response = admin_client.delete(f"/api/v1/teams/{eng.pk}/")
    assert response.status_code == 400  # it still has a sub-team
    assert "team" in response.json()
    assert admin_client.delete(f"/api/v1/teams/{platform.pk}/").status_code == 204
    assert admin_client.delete(f"/api/v1/teams/{platform.pk}/").status_code == 404
    assert not Team.objects.filter(pk=platform.pk).exists()


def test_lead_cannot_delete_own_team(lead_client, platform):
    assert lead_client.delete(f"/api/v1/teams/{platform.pk}/").status_code == 403
