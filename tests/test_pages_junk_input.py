"""Every page of Baton, given nonsense, answers without a server error (the API has
tests/test_api_fuzz.py). The routes come from the same walk as tests/test_url_walk.py, so a
new page is covered without editing this file."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.conftest import sign_in
from tests.factories import PersonFactory, TeamFactory, add_member
from tests.test_url_walk import ROUTES

OUR_APPS = ("teams.", "accounts.", "oncall.", "notifications.")
JUNK = {
    "page": "-1",
    "q": "\x00' OR 1=1 --<script>",
    "team": "abc",
    "country": "ZZZZ",
    "working_now": "maybe",
    "start": "not-a-date",
    "end": "2026-13-45T99:99",
    "at": "yesterday",
    "view": "century",
    "zone": "Mars/Base",
    "tz": "\x00",
    "kind": "../../etc/passwd",
    "unread": "2",
    "date_from": "2026-02-31",
    "date_to": "0000-00-00",
    "action": "x" * 500,
    "actor": "\x00",
    "cursor": "%%%",
    "name": "",
    "time_zone": "Not/AZone",
    "working_hours": "mon 25:00-26:00",
    "role": "emperor",
    "org_role": "root",
    "participants": "x,y",
    "shift_length": "-5",
}
PAGES = [
    r
    for r in ROUTES
    if getattr(r.callback, "__module__", "").startswith(OUR_APPS) and not r.path.startswith("/api/")
]


@pytest.fixture
def admin_client(db):
    admin = PersonFactory(username="junk-admin", org_role="admin")
    team = TeamFactory(name="Junk team", slug="x")
    add_member(team, admin, role="lead")
    return sign_in(Client(), admin)


@pytest.mark.parametrize("route", PAGES, ids=[f"{r.name}:{r.path}" for r in PAGES])
def test_page_survives_nonsense(admin_client, route):
    response = admin_client.get(route.path, JUNK)
    assert response.status_code < 500, (route.path, response.status_code)
    response = admin_client.post(route.path, JUNK)
    assert response.status_code < 500, (route.path, response.status_code)
