"""/api/v1/people/ and /api/v1/me/: fields, filters, permissions, bad input, query counts."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from core.models import AuditEvent
from tests.bulk import bulk_people
from tests.conftest import sign_in
from tests.factories import PersonFactory, TeamFactory, add_member

User = get_user_model()

# Monday 23 November 2026, 10:00 UTC: 10:00 in London (working), 19:00 in Tokyo (not).
MONDAY_10_UTC = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
PERSON_KEYS = {
    "id",
    "username",
    "display_name",
    "title",
    "time_zone",
    "country",
    "country_name",
    "org_role",
    "is_active",
    "working_hours",
    "teams",
    "local_time",
    "working_now",
    "utc_offset",
}


@pytest.fixture
def tokyo(db):
    return PersonFactory(
        username="kenji", display_name="Kenji Tanaka", time_zone="Asia/Tokyo", country="JP"
    )


# --- shape and contact details ---------------------------------------------------------------


def test_list_shows_people_without_contact_details_to_a_member(member_client, member, tokyo):
    team = TeamFactory(name="Platform")
    add_member(team, tokyo, role="lead")
    response = member_client.get("/api/v1/people/")
    assert response.status_code == 200
    rows = {row["username"]: row for row in response.json()["results"]}
    kenji = rows["kenji"]
    assert set(kenji) == PERSON_KEYS  # no email, no phone
    assert kenji["teams"] == [
        {"id": team.pk, "name": "Platform", "slug": "platform", "role": "lead"}
    ]
    assert kenji["country_name"] == "Japan"
    assert kenji["utc_offset"] == "+09:00"
    assert kenji["local_time"].endswith("+09:00")
    # The viewer sees their own contact details.
    assert rows["mia"]["email"] == "mia@example.com"
    assert "phone" in rows["mia"]


def test_admin_sees_contact_details(admin_client, tokyo):
    response = admin_client.get(f"/api/v1/people/{tokyo.pk}/")
    assert response.status_code == 200
    assert response.json()["email"] == "kenji@example.com"
    assert set(response.json()) == PERSON_KEYS | {"email", "phone"}


def test_retrieve_hides_contact_from_other_member(member_client, tokyo):
    body = member_client.get(f"/api/v1/people/{tokyo.pk}/").json()
    assert "email" not in body and "phone" not in body


def test_me_includes_contact_details(member_client, member):
    body = member_client.get("/api/v1/me/").json()
    assert body["id"] == member.pk
    assert body["email"] == "mia@example.com"


def test_me_patch_changes_own_profile(member_client, member):
    response = member_client.patch(
        "/api/v1/me/",
        {"title": "SRE", "time_zone": "America/Sao_Paulo", "country": "br"},
        content_type="application/json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["time_zone"] == "America/Sao_Paulo"
    assert response.json()["country"] == "BR"
    member.profile.refresh_from_db()
    assert member.profile.title == "SRE"


def test_me_patch_cannot_raise_own_role(member_client, member):
    response = member_client.patch(
        "/api/v1/me/", {"org_role": "admin"}, content_type="application/json"
    )
    assert response.status_code == 403
    member.profile.refresh_from_db()
    assert member.profile.org_role == "member"


def test_unknown_person_is_404(member_client):
    assert member_client.get("/api/v1/people/999999/").status_code == 404
    assert member_client.get("/api/v1/people/abc/").status_code == 404
    assert member_client.get("/api/v1/people/99999999999999999999/").status_code == 404
    assert (
        member_client.patch(
            "/api/v1/people/999999/", {"title": "x"}, content_type="application/json"
        ).status_code
        == 404
    )


def test_anonymous_is_401(client, db):
    assert client.get("/api/v1/people/").status_code == 401
    assert client.get("/api/v1/me/").status_code == 401


def test_session_without_mfa_is_refused(admin_user):
    client = Client()
    client.force_login(admin_user, backend="accounts.backends.BatonAuthenticationBackend")
    assert client.get("/api/v1/people/").status_code == 403


# --- filters ---------------------------------------------------------------------------------


def test_filters(member_client, member, tokyo):
    team = TeamFactory(name="Tokyo ops")
    add_member(team, tokyo)
    PersonFactory(
        username="bia", display_name="Bia Souza", time_zone="America/Sao_Paulo", country="BR"
    )

    def names(**params):
        response = member_client.get("/api/v1/people/", params)
        assert response.status_code == 200, response.json()
        return sorted(row["username"] for row in response.json()["results"])

    assert names(q="tanaka") == ["kenji"]
    assert names(team=team.pk) == ["kenji"]
    assert names(country="br") == ["bia"]
    assert names(time_zone="Asia/Tokyo") == ["kenji"]
    with time_machine.travel(MONDAY_10_UTC, tick=False):
        assert names(working_now="true") == ["mia"]
        assert names(working_now="false") == ["bia", "kenji"]


def test_include_left_is_for_managers_and_admins_only(member_client, admin_client, tokyo):
    from teams.services import person_deactivate
    from tests.factories import SYSTEM

    person_deactivate(actor=SYSTEM, person=tokyo)

    def usernames(client):
        rows = client.get("/api/v1/people/", {"include_left": "true"}).json()["results"]
        return {row["username"] for row in rows}

    assert "kenji" not in usernames(member_client)
    assert "kenji" in usernames(admin_client)
    assert member_client.get(f"/api/v1/people/{tokyo.pk}/").status_code == 404
    assert admin_client.get(f"/api/v1/people/{tokyo.pk}/").json()["is_active"] is False


@pytest.mark.parametrize(
    "params, field",
    [
        ({"team": "abc"}, "team"),
        ({"team": 987654}, "team"),
        ({"country": "XX"}, "country"),
        ({"time_zone": "Mars/Olympus"}, "time_zone"),
        ({"working_now": "perhaps"}, "working_now"),
        ({"q": "a\x00b"}, "q"),
    ],
)
def test_bad_filters_are_400(member_client, params, field):
    response = member_client.get("/api/v1/people/", params)
    assert response.status_code == 400
    assert field in response.json()


# --- pagination and query counts -------------------------------------------------------------


def test_cursor_pagination_follows_next(member_client, db):
    bulk_people(7, prefix="page")
    seen, url, pages = [], "/api/v1/people/?page_size=3", 0
    while url:
        body = member_client.get(url).json()
        seen.extend(row["id"] for row in body["results"])
        url, pages = body["next"], pages + 1
    assert pages == 3  # 8 people (7 + the viewer) in pages of 3
    assert len(seen) == len(set(seen)) == User.objects.count()
    assert seen == sorted(seen)


def _list_queries(client, params=None) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/api/v1/people/", params or {})
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_people_list_query_count_is_fixed(db, django_assert_max_num_queries):
    team = TeamFactory(name="Everyone")
    viewer = PersonFactory(username="viewer")
    add_member(team, viewer)
    client = sign_in(Client(), viewer)
    client.get("/api/v1/me/")  # the first request of a session also records the session
    bulk_people(10, prefix="small", team=team)
    small = _list_queries(client)
    small_filtered = _list_queries(client, {"working_now": "true", "team": team.pk})
    bulk_people(990, prefix="large", team=team)
    large = _list_queries(client, {"page_size": 200})
    large_filtered = _list_queries(
        client, {"working_now": "true", "team": team.pk, "page_size": 200}
    )
    assert small == large
    assert small_filtered == large_filtered
    with django_assert_max_num_queries(small):
        client.get("/api/v1/people/", {"page_size": 200})


# --- writes: create, patch, role, deactivate -------------------------------------------------


def _person_payload(**overrides):
    payload = {
        "username": "ana",
        "email": "ana@example.com",
        "name": "Ana Lima",
        "time_zone": "Asia/Manila",
        "country": "PH",
        "working_hours": {"mon": ["09:00-12:00", "13:00-18:00"], "tue": ["22:00-06:00"]},
        "org_role": "member",
        "title": "Support",
    }
    payload.update(overrides)
    return payload


def test_admin_creates_person_with_name_alias(admin_client, admin_user):
    response = admin_client.post(
        "/api/v1/people/", _person_payload(), content_type="application/json"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["display_name"] == "Ana Lima"
    assert body["working_hours"]["tue"] == ["22:00-06:00"]
    assert body["email"] == "ana@example.com"  # admins see contact details
    person = User.objects.get(username="ana")
    assert person.profile.intervals.count() == 3
    event = AuditEvent.objects.get(action="person.create", target_id=str(person.pk))
    assert event.via == "api" and event.actor == admin_user


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"time_zone": "Mars/Olympus"}, "time_zone"),
        ({"working_hours": {"mon": ["9-5"]}}, "working_hours"),
        ({"working_hours": {"funday": ["09:00-17:00"]}}, "working_hours"),
        ({"working_hours": ["09:00-17:00"]}, "working_hours"),
        ({"working_hours": {"mon": ["09:00-12:00", "11:00-13:00"]}}, "working_hours"),
        ({"username": "ada"}, "username"),  # taken by the admin
        ({"country": "XX"}, "country"),
        ({"org_role": "emperor"}, "org_role"),
        ({"email": "not-an-email"}, "email"),
        ({"name": ""}, "name"),
        ({"name": None}, "name"),
        ({"phone": "1" * 41}, "phone"),
        ({"display_name": "Other"}, "name"),  # two different names
        ({"is_staff": True}, "is_staff"),  # unknown field
    ],
)
def test_create_person_bad_input_is_400_and_writes_nothing(admin_client, overrides, field):
    users, events = User.objects.count(), AuditEvent.objects.count()
    payload = _person_payload(**overrides)
    response = admin_client.post("/api/v1/people/", payload, content_type="application/json")
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert User.objects.count() == users
    assert AuditEvent.objects.count() == events


def test_create_person_without_any_name_is_400(admin_client):
    payload = _person_payload()
    del payload["name"]
    response = admin_client.post("/api/v1/people/", payload, content_type="application/json")
    assert response.status_code == 400
    assert "display_name" in response.json()


def test_create_person_body_that_is_not_an_object_is_400(admin_client):
    response = admin_client.post("/api/v1/people/", [1, 2], content_type="application/json")
    assert response.status_code == 400
    response = admin_client.post("/api/v1/people/", "{bad", content_type="application/json")
    assert response.status_code == 400


def test_admin_patches_profile_and_role_together(admin_client, tokyo, admin_user):
    response = admin_client.patch(
        f"/api/v1/people/{tokyo.pk}/",
        {
            "display_name": "Kenji T.",
            "org_role": "manager",
            "working_hours": {"sat": ["10:00-14:00"]},
        },
        content_type="application/json",
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["org_role"] == "manager" and body["display_name"] == "Kenji T."
    assert body["working_hours"]["mon"] == []
    actions = set(
        AuditEvent.objects.filter(target_id=str(tokyo.pk), via="api", actor=admin_user).values_list(
            "action", flat=True
        )
    )
    assert actions == {"person.update", "person.org_role"}


def test_patch_is_all_or_nothing(admin_client, tokyo):
    # The profile change is valid but the role is refused: nothing may be written.
    from teams.services import person_set_org_role
    from tests.factories import SYSTEM

    person_set_org_role(actor=SYSTEM, person=tokyo, org_role="manager")
    events = AuditEvent.objects.count()
    response = admin_client.patch(
        f"/api/v1/people/{tokyo.pk}/",
        {"title": "Changed", "org_role": "chief"},
        content_type="application/json",
    )
    assert response.status_code == 400 and "org_role" in response.json()
    tokyo.profile.refresh_from_db()
    assert tokyo.profile.title == ""
    assert AuditEvent.objects.count() == events


def test_last_admin_cannot_be_demoted(admin_client, admin_user):
    response = admin_client.patch(
        f"/api/v1/people/{admin_user.pk}/", {"org_role": "member"}, content_type="application/json"
    )
    assert response.status_code == 400
    assert "org_role" in response.json()


@pytest.mark.parametrize(
    "body, field",
    [
        ({"time_zone": "Nowhere/Land"}, "time_zone"),
        ({"working_hours": {"mon": ["25:00-26:00"]}}, "working_hours"),
        ({"country": "ZZ"}, "country"),
        ({"display_name": ""}, "display_name"),
        ({"username": "new"}, "username"),
        ({"title": "x" * 151}, "title"),
    ],
)
def test_patch_bad_input_is_400(member_client, member, body, field):
    response = member_client.patch(
        f"/api/v1/people/{member.pk}/", body, content_type="application/json"
    )
    assert response.status_code == 400
    assert field in response.json()
    member.profile.refresh_from_db()
    assert member.profile.time_zone == "Europe/London"


def test_deactivate(admin_client, member_client, tokyo, admin_user):
    assert member_client.post(f"/api/v1/people/{tokyo.pk}/deactivate/").status_code == 403
    response = admin_client.post(f"/api/v1/people/{tokyo.pk}/deactivate/")
    assert response.status_code == 200
    assert response.json()["is_active"] is False
    tokyo.refresh_from_db()
    assert not tokyo.is_active
    # Deactivating yourself is refused with a clear message.
    response = admin_client.post(f"/api/v1/people/{admin_user.pk}/deactivate/")
    assert response.status_code == 400 and "person" in response.json()
    assert admin_client.post("/api/v1/people/424242/deactivate/").status_code == 404


def test_put_and_delete_are_not_offered(admin_client, tokyo):
    assert admin_client.put(f"/api/v1/people/{tokyo.pk}/", {}).status_code == 405
    assert admin_client.delete(f"/api/v1/people/{tokyo.pk}/").status_code == 405


# --- permissions, table-style ----------------------------------------------------------------


@pytest.fixture
def world(db):
    team = TeamFactory(name="Core")
    people = {
        "member": PersonFactory(username="m1"),
        "lead": PersonFactory(username="l1"),
        "manager": PersonFactory(username="g1", org_role="manager"),
        "admin": PersonFactory(username="a1", org_role="admin"),
    }
    add_member(team, people["lead"], role="lead")
    target = PersonFactory(username="target")
    return {"team": team, "people": people, "target": target}


ACTIONS = ["create_person", "patch_other", "patch_own", "add_member", "create_team"]
EXPECTED = {
    # action:        member lead manager admin
    "create_person": (403, 403, 403, 201),
    "patch_other": (403, 403, 403, 200),
    "patch_own": (200, 200, 200, 200),
    "add_member": (403, 201, 403, 201),
    "create_team": (403, 403, 201, 201),
}
ROLES = ("member", "lead", "manager", "admin")


def _do(client, action, world, me):
    team, target = world["team"], world["target"]
    if action == "create_person":
        return client.post(
            "/api/v1/people/",
            _person_payload(username="new1", email="new1@example.com"),
            content_type="application/json",
        )
    if action == "patch_other":
        return client.patch(
            f"/api/v1/people/{target.pk}/", {"title": "Boss"}, content_type="application/json"
        )
    if action == "patch_own":
        return client.patch(
            f"/api/v1/people/{me.pk}/", {"title": "Me"}, content_type="application/json"
        )
    if action == "add_member":
        return client.post(
            f"/api/v1/teams/{team.pk}/members/",
            {"person": target.pk, "role": "member"},
            content_type="application/json",
        )
    return client.post("/api/v1/teams/", {"name": "New team"}, content_type="application/json")


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("role_index, role", list(enumerate(ROLES)))
def test_permission_table(world, action, role_index, role):
    me = world["people"][role]
    client = sign_in(Client(), me)
    response = _do(client, action, world, me)
    assert response.status_code == EXPECTED[action][role_index], (role, action, response.content)
