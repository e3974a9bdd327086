"""GET /api/v1/ownership-map/ and /api/v1/ownership-map/sun/: who sees what (tokens too), the
filters, bad input, and the JSON agreeing with the documented serializers."""

from __future__ import annotations

import pytest
from django.test import Client

from accounts.services import api_token_create
from projects import map_api
from teams import services as team_services
from tests.conftest import sign_in
from tests.factories import PersonFactory, add_member
from tests.projects.org import SYSTEM, actor

URL = "/api/v1/ownership-map/"


@pytest.fixture
def world(org):
    kiri = PersonFactory(display_name="Kiri", time_zone="Pacific/Auckland", country="NZ")
    add_member(org.other_team, kiri)
    org.kiri = kiri
    org.p_ship = org.project(owner=org.member, name="Ship it", backup_owner=org.member2)
    org.p_kiwi = org.project(owner=kiri, team=org.other_team, name="Kiwi payments", critical=True)
    org.p_gone = org.project(owner=org.member2, name="Left behind")
    team_services.person_deactivate(actor=actor(org.admin), person=org.member2)
    return org


def token_client(user, scopes=("projects:read",)) -> Client:
    name = f"map {'+'.join(scopes)}"
    _, raw = api_token_create(actor=SYSTEM, user=user, name=name, scopes=list(scopes))
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def test_manager_gets_every_team_with_people_and_findings(world):
    body = sign_in(Client(), world.manager).get(URL).json()
    assert body["scope"] == "org"
    names = {p["name"] for p in rows(body)}
    assert names == {"Ship it", "Kiwi payments", "Left behind"}
    gone = next(p for p in rows(body) if p["name"] == "Left behind")
    assert gone["orphaned"] is True and gone["owner"] == world.member2.pk
    people = {p["id"]: p for p in body["people"]}
    assert people[world.member2.pk]["active"] is False
    assert people[world.kiri.pk]["time_zone"] == "Pacific/Auckland"
    assert {t["name"]: t["projects"] for t in body["teams"]} == {"Platform": 2, "Payments": 1}
    assert body["summary"]["projects"] == 3 and body["summary"]["orphaned"] == 1
    assert body["findings"]["no_hour_apart"] == [world.p_ship.pk]
    assert body["generated_at"].endswith("Z")


def test_members_get_their_own_teams_with_a_session_or_a_token(world):
    for client in (sign_in(Client(), world.member), token_client(world.member)):
        body = client.get(URL).json()
        assert body["scope"] == "my_teams"
        assert {p["name"] for p in rows(body)} == {"Ship it", "Left behind"}
        assert world.kiri.pk not in {p["id"] for p in body["people"]}
        # Another team by id: nothing, not an error.
        body = client.get(f"{URL}?team={world.other_team.pk}").json()
        assert body["projects"] == [] and body["teams"] == []


def test_a_token_needs_the_projects_scope(world):
    response = token_client(world.manager, scopes=("people:read",)).get(URL)
    assert response.status_code == 403
    assert "projects:read" in response.json()["detail"]
    assert token_client(world.manager, ("projects:write",)).get(f"{URL}sun/").status_code == 200


def test_filters(world):
    client = sign_in(Client(), world.manager)
    body = client.get(f"{URL}?country=nz").json()
    assert [p["name"] for p in rows(body)] == ["Kiwi payments"]
    assert body["filters"] == {"team": None, "country": "NZ", "health": ""}
    body = client.get(f"{URL}?team={world.team.pk}&health=none").json()
    assert {p["name"] for p in rows(body)} == {"Ship it", "Left behind"}
    assert client.get(f"{URL}?health=on_track").json()["projects"] == []


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("team=abc", "team"),
        ("team=0", "team"),
        ("team=99999999999999999999999", "team"),
        ("country=ZZ", "country"),
        ("country=NZL", "country"),
        ("health=great", "health"),
    ],
)
def test_bad_filters_are_a_400_naming_them(world, query, field):
    response = sign_in(Client(), world.manager).get(f"{URL}?{query}")
    assert response.status_code == 400
    assert field in response.json()


def test_sun_map_api(world):
    client = sign_in(Client(), world.kiri)
    body = client.get(f"{URL}sun/").json()
    assert body["time_zone"] == "Pacific/Auckland"
    assert len(body["hours"]) in (23, 24, 25)
    (team,) = body["teams"]
    assert team["name"] == "Payments" and len(team["hours"]) == len(body["hours"])
    assert team["gap_hours"] == sum(1 for h in team["hours"] if h["people"] == 0)
    body = client.get(f"{URL}sun/?tz=UTC").json()
    assert body["hours"][0]["start"].endswith("T00:00:00Z")
    response = client.get(f"{URL}sun/?tz=Mars/Base")
    assert response.status_code == 400 and "tz" in response.json()


def rows(body) -> list[dict]:
    return [dict(zip(body["project_columns"], row, strict=True)) for row in body["projects"]]


def test_the_json_is_what_the_serializers_document(world):
    client = sign_in(Client(), world.manager)
    body = client.get(URL).json()
    assert map_api.OwnershipMapSerializer(body).data == body
    columns = list(map_api.ProjectRowSerializer().fields)
    assert body["project_columns"] == columns
    for row in rows(body):
        assert map_api.ProjectRowSerializer(row).data == row
    sun = client.get(f"{URL}sun/").json()
    assert map_api.SunMapSerializer(sun).data == sun


def test_schema_documents_both_operations(api_schema):
    paths = api_schema["paths"]
    operation = paths["/api/v1/ownership-map/"]["get"]
    assert operation["operationId"] == "ownership_map"
    assert {p["name"] for p in operation["parameters"]} >= {"team", "country", "health"}
    assert "200" in operation["responses"]
    schema = api_schema["components"]["schemas"]["OwnershipMap"]["properties"]["projects"]
    assert "orphaned (boolean): The accountable person has left." in schema["description"]
    assert paths["/api/v1/ownership-map/sun/"]["get"]["operationId"] == "ownership_map_sun"


def test_row_values_have_their_documented_types(world):
    import re
    from datetime import timedelta

    from django.utils import timezone

    from projects import selectors, services

    services.update_post(actor=actor(world.kiri), project=world.p_kiwi, health="at_risk")
    services.acting_set(
        actor=actor(world.member),
        project=world.p_ship,
        acting_owner=world.lead,
        until=timezone.now().date() + timedelta(days=3),
    )
    body = sign_in(Client(), world.manager).get(URL).json()
    by_name = {row["name"]: row for row in rows(body)}
    kiwi, ship = by_name["Kiwi payments"], by_name["Ship it"]
    instant = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
    assert instant.match(kiwi["last_update_at"]) and kiwi["health"] == "at_risk"
    assert kiwi["critical"] is True and ship["critical"] is False
    assert instant.match(ship["acting_until"]) and ship["acting_owner"] == world.lead.pk
    assert re.match(r"^\d{4}-\d\d-\d\d$", kiwi["update_due_on"])
    assert ship["target_date"] is None and ship["stale"] is False
    # Orphaned as the rest of Baton has it (projects.selectors).
    orphaned = {p.pk for p in selectors.projects_filtered(orphaned=True)}
    assert {row["id"] for row in rows(body) if row["orphaned"]} == orphaned == {world.p_gone.pk}


def test_a_bad_filter_is_a_json_400_through_the_map_renderer(world):
    response = sign_in(Client(), world.manager).get(f"{URL}?team=1.5&country=%C3%96%E2%80%A8")
    assert response.status_code == 400
    body = response.json()
    assert {"team", "country"} <= set(body), body
