"""API tokens: /api/v1/tokens/ (session only), Bearer auth and scopes on the other endpoints,
throttling, the create_api_token command, and the audit trail of API writes."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.test import Client, override_settings
from django.utils import timezone

from accounts.models import ApiToken
from accounts.services import api_token_create, hash_token
from core.audit import Actor
from core.models import AuditEvent
from tests.conftest import mark_reauthenticated
from tests.factories import PersonFactory, TeamFactory


def make_token(user, scopes, *, name="t", days=30) -> str:
    _token, raw = api_token_create(
        actor=Actor.system(via="test"), user=user, name=name, scopes=scopes, days=days
    )
    return raw


def bearer(raw: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def patch_person(client, raw: str, person, body: dict, **headers):
    """PATCH /api/v1/people/<person>/ with the token `raw`."""
    return client.patch(
        f"/api/v1/people/{person.pk}/",
        body,
        content_type="application/json",
        **headers,
        **bearer(raw),
    )


# --- Bearer tokens on the API ----------------------------------------------------------------


def test_valid_token_reads_people(client, member):
    raw = make_token(member, ["people:read"])
    response = client.get("/api/v1/people/", **bearer(raw))
    assert response.status_code == 200
    assert client.get("/api/v1/me/", **bearer(raw)).json()["username"] == "mia"
    assert ApiToken.objects.get(token_hash=hash_token(raw)).last_used_at is not None


@pytest.mark.parametrize(
    "scopes, method, url, expected",
    [
        (["people:read"], "get", "/api/v1/people/", 200),
        (["people:write"], "get", "/api/v1/people/", 200),  # write implies read
        (["teams:read"], "get", "/api/v1/people/", 403),
        (["people:read"], "patch", "/api/v1/me/", 403),
        (["people:write"], "patch", "/api/v1/me/", 200),
        (["people:read"], "get", "/api/v1/teams/", 403),
        (["teams:read"], "get", "/api/v1/teams/", 200),
        (["teams:read"], "post", "/api/v1/teams/", 403),
        (["teams:write"], "post", "/api/v1/teams/", 201),
        (["teams:read"], "get", "/api/v1/teams/{team}/members/", 200),
        (["people:read"], "get", "/api/v1/teams/{team}/members/", 403),
        (["schedules:read", "people:write"], "get", "/api/v1/tokens/", 403),
    ],
)
def test_token_scopes(client, manager, scopes, method, url, expected):
    team = TeamFactory(name="Scoped")
    raw = make_token(manager, scopes)
    body = {"title": "Via token"} if method == "patch" else {"name": "Made by token"}
    kwargs = {"content_type": "application/json"} if method != "get" else {}
    response = getattr(client, method)(
        url.format(team=team.pk), body if method != "get" else None, **kwargs, **bearer(raw)
    )
    assert response.status_code == expected, response.content


def test_expired_revoked_and_unknown_tokens_are_401(client, member):
    raw = make_token(member, ["people:read"], name="expired")
    ApiToken.objects.filter(name="expired").update(expires_at=timezone.now() - timedelta(seconds=1))
    response = client.get("/api/v1/people/", **bearer(raw))
    assert response.status_code == 401
    assert "expired" in response.json()["detail"]

    raw = make_token(member, ["people:read"], name="revoked")
    ApiToken.objects.filter(name="revoked").update(revoked_at=timezone.now())
    assert client.get("/api/v1/people/", **bearer(raw)).status_code == 401

    assert client.get("/api/v1/people/", **bearer("baton_nope")).status_code == 401
    assert client.get("/api/v1/people/", HTTP_AUTHORIZATION="Bearer a b").status_code == 401


def test_token_of_person_who_left_is_401(client, member):
    from teams.services import person_deactivate
    from tests.factories import SYSTEM

    raw = make_token(member, ["people:read"])
    person_deactivate(actor=SYSTEM, person=member)
    assert client.get("/api/v1/people/", **bearer(raw)).status_code == 401


def test_token_acts_with_the_persons_rights_only(client, member):
    # people:write does not make a member an admin.
    raw = make_token(member, ["people:write"])
    other = PersonFactory(username="other")
    assert patch_person(client, raw, other, {"title": "x"}).status_code == 403
    assert "email" not in client.get(f"/api/v1/people/{other.pk}/", **bearer(raw)).json()


def test_api_write_with_token_is_audited(client, admin_user):
    raw = make_token(admin_user, ["people:write"])
    target = PersonFactory(username="target")
    response = patch_person(
        client, raw, target, {"time_zone": "Asia/Tokyo"}, HTTP_USER_AGENT="deploy-bot/1.0"
    )
    assert response.status_code == 200
    event = AuditEvent.objects.get(action="person.update", target_id=str(target.pk))
    assert event.via == "api"
    assert event.actor == admin_user
    assert event.user_agent == "deploy-bot/1.0"
    assert event.changes["time_zone"] == {"from": "Europe/London", "to": "Asia/Tokyo"}


# --- /api/v1/tokens/ ---------------------------------------------------------------------------


def test_create_token_needs_recent_reauthentication(member_client, member):
    body = {"name": "laptop", "scopes": ["people:read"], "days": 7}
    response = member_client.post("/api/v1/tokens/", body, content_type="application/json")
    assert response.status_code == 403
    assert "Re-authenticate" in response.json()["detail"]
    assert not ApiToken.objects.exists()


def test_create_list_and_revoke_own_tokens(member_client, member, client):
    mark_reauthenticated(member_client, member)
    response = member_client.post(
        "/api/v1/tokens/",
        {"name": "laptop", "scopes": ["people:read", "teams:read"], "days": 7},
        content_type="application/json",
    )
    assert response.status_code == 201, response.json()
    created = response.json()
    raw = created["token"]
    assert raw.startswith("baton_") and created["prefix"] == raw[: len(created["prefix"])]
    assert created["scopes"] == ["people:read", "teams:read"]
    assert ApiToken.objects.get(pk=created["id"]).token_hash == hash_token(raw)
    assert client.get("/api/v1/people/", **bearer(raw)).status_code == 200

    listed = member_client.get("/api/v1/tokens/").json()["results"]
    assert [row["name"] for row in listed] == ["laptop"]
    assert "token" not in listed[0] and "token_hash" not in listed[0]
    assert raw not in member_client.get(f"/api/v1/tokens/{created['id']}/").content.decode()

    response = member_client.post(f"/api/v1/tokens/{created['id']}/revoke/")
    assert response.status_code == 200
    assert response.json()["revoked_at"] is not None and response.json()["is_usable"] is False
    assert client.get("/api/v1/people/", **bearer(raw)).status_code == 401
    actions = set(
        AuditEvent.objects.filter(actor=member, via="api").values_list("action", flat=True)
    )
    assert actions == {"token.create", "token.revoke"}


def test_tokens_endpoint_refuses_tokens(client, member):
    raw = make_token(member, ["people:write", "teams:write"])
    assert client.get("/api/v1/tokens/", **bearer(raw)).status_code == 403
    response = client.post(
        "/api/v1/tokens/",
        {"name": "minted", "scopes": ["people:read"]},
        content_type="application/json",
        **bearer(raw),
    )
    assert response.status_code == 403
    token_id = ApiToken.objects.get(user=member).pk
    assert client.post(f"/api/v1/tokens/{token_id}/revoke/", **bearer(raw)).status_code == 403
    assert ApiToken.objects.filter(user=member).count() == 1


def test_other_peoples_tokens_are_404(member_client, admin_user):
    make_token(admin_user, ["people:read"], name="admins")
    token = ApiToken.objects.get(user=admin_user)
    assert member_client.get(f"/api/v1/tokens/{token.pk}/").status_code == 404
    assert member_client.post(f"/api/v1/tokens/{token.pk}/revoke/").status_code == 404
    assert member_client.get("/api/v1/tokens/").json()["results"] == []
    token.refresh_from_db()
    assert token.revoked_at is None


def test_anonymous_tokens_endpoint_is_401(client, db):
    assert client.get("/api/v1/tokens/").status_code == 401


@pytest.mark.parametrize(
    "body, field",
    [
        ({"name": "x", "scopes": ["people:admin"]}, "scopes"),
        ({"name": "x", "scopes": []}, "scopes"),
        ({"name": "x", "scopes": "people:read"}, "scopes"),
        ({"name": "", "scopes": ["people:read"]}, "name"),
        ({"name": "x" * 101, "scopes": ["people:read"]}, "name"),
        ({"name": "x", "scopes": ["people:read"], "days": 0}, "days"),
        ({"name": "x", "scopes": ["people:read"], "days": 367}, "days"),
        ({"name": "x", "scopes": ["people:read"], "days": "soon"}, "days"),
        ({"name": "x", "scopes": ["people:read"], "user": 1}, "user"),
        ({"name": "dup", "scopes": ["people:read"]}, "name"),  # already used
    ],
)
def test_create_token_bad_input(member_client, member, body, field):
    mark_reauthenticated(member_client, member)
    make_token(member, ["people:read"], name="dup")
    response = member_client.post("/api/v1/tokens/", body, content_type="application/json")
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert ApiToken.objects.filter(user=member).count() == 1


# --- throttling --------------------------------------------------------------------------------


@pytest.fixture
def low_rates(monkeypatch):
    from rest_framework.throttling import SimpleRateThrottle

    rates = {"person": "3/min", "token": "2/min"}
    cache.clear()
    with override_settings(
        REST_FRAMEWORK={
            **__import__("django.conf").conf.settings.REST_FRAMEWORK,
            "DEFAULT_THROTTLE_RATES": rates,
        }
    ):
        # DRF copies the rates onto the class when it is imported, so point it at the new ones.
        monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", rates)
        yield rates
    cache.clear()


def test_person_throttle_gives_429(member_client, low_rates):
    codes = [member_client.get("/api/v1/me/").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    response = member_client.get("/api/v1/me/")
    assert response.status_code == 429 and "Retry-After" in response


def test_token_throttle_gives_429(client, member, low_rates):
    raw = make_token(member, ["people:read"])
    codes = [client.get("/api/v1/me/", **bearer(raw)).status_code for _ in range(3)]
    assert codes == [200, 200, 429]


# --- the create_api_token command ---------------------------------------------------------------


def test_command_prints_only_the_token(member):
    out, err = StringIO(), StringIO()
    call_command(
        "create_api_token",
        "mia",
        "--name",
        "ci",
        "--scopes",
        "people:read,teams:write",
        "--days",
        "30",
        stdout=out,
        stderr=err,
    )
    raw = out.getvalue().strip()
    assert "\n" not in raw and raw.startswith("baton_")
    token = ApiToken.objects.get(user=member, name="ci")
    assert token.token_hash == hash_token(raw)
    assert token.scopes == ["people:read", "teams:write"]
    assert timedelta(days=29) < token.expires_at - timezone.now() <= timedelta(days=30)
    event = AuditEvent.objects.get(action="token.create")
    assert event.via == "cli" and event.actor is None
    assert Client().get("/api/v1/teams/", **bearer(raw)).status_code == 200


@pytest.mark.parametrize(
    "args, message",
    [
        (["nobody", "--name", "ci", "--scopes", "people:read"], "nobody"),
        (["mia", "--name", "ci", "--scopes", "people:fly"], "people:fly"),
        (["mia", "--name", "ci", "--scopes", ""], "scope"),
        (["mia", "--name", "ci", "--scopes", "people:read", "--days", "0"], "days"),
        (["mia", "--name", "ci", "--scopes", "people:read", "--days", "9999"], "days"),
        (["mia", "--name", "ci", "--scopes", "people:read", "--days", "soon"], "days"),
        (["mia", "--name", " ", "--scopes", "people:read"], "name"),
    ],
)
def test_command_bad_input(member, args, message):
    out = StringIO()
    with pytest.raises(CommandError) as excinfo:
        call_command("create_api_token", *args, stdout=out)
    assert message in str(excinfo.value)
    assert out.getvalue() == ""
    assert not ApiToken.objects.exists()
    assert not AuditEvent.objects.filter(action="token.create").exists()


def test_command_refuses_person_who_left(member):
    from teams.services import person_deactivate
    from tests.factories import SYSTEM

    person_deactivate(actor=SYSTEM, person=member)
    with pytest.raises(CommandError, match="left"):
        call_command("create_api_token", "mia", "--name", "ci", "--scopes", "people:read")
    assert not ApiToken.objects.exists()
