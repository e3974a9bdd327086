"""API token page (with re-authentication), sessions and the allauth pages in Baton's look."""

from __future__ import annotations

import pytest
from django.test import Client

from accounts.models import ApiToken
from accounts.services import api_token_create, hash_token
from core.audit import Actor
from tests.conftest import mark_reauthenticated, sign_in
from tests.factories import PersonFactory


def test_token_page_lists_my_tokens_only(member, member_client):
    api_token_create(actor=Actor.system(), user=member, name="CI", scopes=["people:read"])
    other = PersonFactory(username="other")
    api_token_create(actor=Actor.system(), user=other, name="Secret bot", scopes=["teams:read"])
    response = member_client.get("/tokens/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "CI" in html and "people:read" in html and "Secret bot" not in html
    assert 'value="schedules:write"' in html  # scope checkboxes
    assert response["Cache-Control"] == "no-store"


def test_creating_a_token_requires_recent_reauthentication(member, member_client):
    response = member_client.post(
        "/tokens/", {"name": "CI", "scopes": ["people:read"], "days": "30"}
    )
    assert response.status_code == 302
    assert "/accounts/reauthenticate/" in response["Location"]
    assert not ApiToken.objects.exists()


def test_create_token_shows_raw_once(member, member_client):
    mark_reauthenticated(member_client, member)
    response = member_client.post(
        "/tokens/", {"name": "CI", "scopes": ["people:read", "teams:write"], "days": "30"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    token = ApiToken.objects.get(user=member)
    assert token.scopes == ["people:read", "teams:write"]
    raw = html.split('id="raw-token">')[1].split("<")[0]
    assert raw.startswith("baton_") and hash_token(raw) == token.token_hash
    # Never again.
    assert raw not in member_client.get("/tokens/").content.decode()


@pytest.mark.parametrize(
    "data,message",
    [
        ({"name": "", "scopes": ["people:read"], "days": "30"}, "required"),
        ({"name": "CI", "scopes": [], "days": "30"}, "required"),
        ({"name": "CI", "scopes": ["root:all"], "days": "30"}, "Select a valid choice"),
        ({"name": "CI", "scopes": ["people:read"], "days": "9999"}, "less than or equal to 366"),
    ],
)
def test_create_token_bad_input(member, member_client, data, message):
    mark_reauthenticated(member_client, member)
    response = member_client.post("/tokens/", data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ApiToken.objects.exists()


def test_duplicate_token_name_error(member, member_client):
    api_token_create(actor=Actor.system(), user=member, name="CI", scopes=["people:read"])
    mark_reauthenticated(member_client, member)
    response = member_client.post(
        "/tokens/", {"name": "CI", "scopes": ["people:read"], "days": "5"}
    )
    assert response.status_code == 400
    assert "already have a token named" in response.content.decode()
    assert ApiToken.objects.count() == 1


def test_revoke_own_token_not_someone_elses(member, member_client):
    mine, _ = api_token_create(actor=Actor.system(), user=member, name="CI", scopes=["people:read"])
    other = PersonFactory(username="other")
    theirs, _ = api_token_create(actor=Actor.system(), user=other, name="X", scopes=["people:read"])
    response = member_client.post(f"/tokens/{mine.pk}/revoke/")
    assert "/accounts/reauthenticate/" in response["Location"]
    mark_reauthenticated(member_client, member)
    assert member_client.post(f"/tokens/{theirs.pk}/revoke/").status_code == 404
    assert member_client.post(f"/tokens/{mine.pk}/revoke/").status_code == 302
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.revoked_at is not None and theirs.revoked_at is None
    assert "Revoked" in member_client.get("/tokens/").content.decode()


def test_sessions_page_in_baton_layout(member_client):
    response = member_client.get("/accounts/sessions/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "css/baton.css" in html and 'class="site-nav"' in html
    assert "Sessions" in html


def test_mfa_pages_in_baton_layout(member, member_client):
    response = member_client.get("/accounts/2fa/")
    assert response.status_code == 200
    assert 'class="panel"' in response.content.decode()
    mark_reauthenticated(member_client, member)
    response = member_client.get("/accounts/2fa/totp/activate/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "css/baton.css" in html and "<img" in html


def test_sign_in_page_styled_without_menu(client, db):
    response = client.get("/accounts/login/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "css/baton.css" in html and "entrance-main" in html
    assert 'class="site-nav"' not in html


def test_password_reset_page_styled(client, db):
    response = client.get("/accounts/password/reset/")
    assert response.status_code == 200
    assert "entrance-main" in response.content.decode()


def test_reauthenticate_page_styled(member, db):
    client = sign_in(Client(), member)
    response = client.get("/accounts/reauthenticate/")
    assert response.status_code == 200
    assert "entrance-main" in response.content.decode()


def test_sign_in_mfa_step_and_recovery_codes_in_baton_layout(db, client):
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    user = PersonFactory(username="ada", org_role="admin")
    TOTP.activate(user, generate_totp_secret())
    RecoveryCodes.activate(user)
    response = client.post(
        "/accounts/login/", {"login": "ada", "password": "correct-horse-battery"}
    )
    assert response.status_code == 302 and "/accounts/2fa/authenticate/" in response["Location"]
    html = client.get(response["Location"]).content.decode()
    assert "css/baton.css" in html and "entrance-main" in html
    assert 'class="site-nav"' not in html

    signed_in = mark_reauthenticated(sign_in(Client(), user), user)
    response = signed_in.get("/accounts/2fa/recovery-codes/")
    assert response.status_code == 200
    assert "css/baton.css" in response.content.decode()
