"""Guessing API tokens is rate-limited per client address: 401 until the limit, then 429 (with
Retry-After) for every Bearer request from there, never a 500."""

from __future__ import annotations

import secrets

import pytest
from django.test import Client

from accounts.services import api_token_create
from tests.factories import SYSTEM

pytestmark = pytest.mark.django_db


@pytest.fixture
def five_a_minute(settings):
    settings.API_TOKEN_FAILURES = "5/min"


def _get(raw: str, ip: str):
    return Client().get("/api/v1/me/", HTTP_AUTHORIZATION=f"Bearer {raw}", REMOTE_ADDR=ip)


def test_guesses_get_429_after_the_limit_even_with_a_right_token(member, five_a_minute):
    ip = f"203.0.113.{secrets.randbelow(250) + 1}"
    _token, raw = api_token_create(actor=SYSTEM, user=member, name="ci", scopes="people:read")
    codes = [_get("baton_" + secrets.token_urlsafe(32), ip).status_code for _ in range(5)]
    assert codes == [401] * 5
    refused = _get("baton_" + secrets.token_urlsafe(32), ip)
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) >= 1
    assert refused.json()["detail"].startswith("Too many failed token authentications")
    # A hit looks like a miss from there; from another address the token works.
    assert _get(raw, ip).status_code == 429
    assert _get(raw, "198.51.100.9").status_code == 200


def test_many_random_tokens_never_500(five_a_minute):
    ip = "203.0.113.251"
    codes = {
        _get(secrets.token_urlsafe(secrets.randbelow(60) + 1), ip).status_code for _ in range(300)
    }
    assert codes <= {401, 429} and 429 in codes


@pytest.mark.parametrize(
    "header",
    ["Bearer", "Bearer   ", "   ", "Bearer a b", "Bearer " + "x" * 5000, "Bearer \x00", "bearer é"],
)
def test_odd_authorization_headers_are_401_not_500(header, member):
    response = Client().get("/api/v1/me/", HTTP_AUTHORIZATION=header, REMOTE_ADDR="192.0.2.77")
    assert response.status_code in (401, 403)


def test_schema_and_docs_need_a_session_not_a_token(member, member_client):
    _token, raw = api_token_create(actor=SYSTEM, user=member, name="reader", scopes="people:read")
    for url in ("/api/schema/", "/api/docs/"):
        response = Client().get(url, HTTP_AUTHORIZATION=f"Bearer {raw}")
        assert response.status_code in (401, 403), url
        assert member_client.get(url).status_code == 200
