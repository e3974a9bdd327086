"""The Content-Security-Policy forbids inline scripts and styles: no page may carry a
<script> with a body, a style="..." attribute, an on*= handler or a <style> block."""

from __future__ import annotations

import json
import re

import pytest
from django.test import Client

from tests.conftest import mark_reauthenticated, sign_in
from tests.csp import assert_csp_clean
from tests.factories import PersonFactory, TeamFactory, add_member


@pytest.fixture
def world(db, admin_user, member):
    team = TeamFactory(name="Platform", description="Line one\nline two")
    TeamFactory(name="SRE", parent=team)
    ana = PersonFactory(username="ana", display_name="Ana", time_zone="Asia/Manila", country="PH")
    add_member(team, member, "lead")
    add_member(team, ana)
    return {"team": team, "ana": ana}


def test_pages_have_no_inline_script_or_style(world, admin_user, member):
    ana = world["ana"]
    admin = mark_reauthenticated(sign_in(Client(), admin_user), admin_user)
    mia = sign_in(Client(), member)
    pages = [
        (admin, "/"),
        (admin, "/people/"),
        (admin, "/people/?working_now=on&q=a"),
        (admin, f"/people/{ana.pk}/"),
        (admin, f"/people/{ana.pk}/edit/"),
        (admin, "/people/new/"),
        (admin, "/me/"),
        (admin, "/teams/"),
        (admin, "/teams/platform/"),
        (admin, "/teams/platform/edit/"),
        (admin, "/settings/org/"),
        (admin, "/audit/"),
        (admin, "/tokens/"),
        (admin, "/accounts/sessions/"),
        (admin, "/accounts/2fa/"),
        (admin, "/accounts/2fa/totp/activate/"),
        (mia, "/audit/"),  # the 403 page
        (mia, "/people/999999/"),  # the 404 page
        (mia, "/teams/platform/"),
        (Client(), "/accounts/login/"),
        (Client(), "/accounts/password/reset/"),
        (mia, "/accounts/reauthenticate/"),
    ]
    for client, url in pages:
        response = client.get(url)
        assert response.status_code in (200, 403, 404), (url, response.status_code)
        assert_csp_clean(response.content.decode(), url)
    # Error responses of forms too.
    response = admin.post("/me/", {"time_zone": "Bad/Zone", "working_hours": "mon 9-5"})
    assert response.status_code == 400
    assert_csp_clean(response.content.decode(), "POST /me/")
    response = admin.post("/tokens/", {"name": "t", "scopes": ["people:read"], "days": "3"})
    assert "raw-token" in response.content.decode()
    assert_csp_clean(response.content.decode(), "POST /tokens/")


def test_mfa_sign_in_step_has_no_inline_script_or_style(db, client):
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    user = PersonFactory(username="ada", org_role="admin")
    TOTP.activate(user, generate_totp_secret())
    response = client.post(
        "/accounts/login/", {"login": "ada", "password": "correct-horse-battery"}
    )
    html = client.get(response["Location"]).content.decode()
    assert_csp_clean(html, "/accounts/2fa/authenticate/")


def test_base_loads_htmx_and_baton_assets(member_client, db):
    html = member_client.get("/").content.decode()
    assert "/static/django_htmx/htmx-2.min.js" in html
    assert "/static/js/baton.js" in html and "/static/css/baton.css" in html
    # No inline styles under the CSP: htmx injects no indicator styles, settles no style.
    config = re.search(r'<meta name="htmx-config" content=\'([^\']*)\'>', html)
    assert json.loads(config.group(1)) == {
        "includeIndicatorStyles": False,
        "attributesToSettle": ["class", "width", "height"],
    }
    assert 'name="viewport"' in html


def test_static_assets_are_served(member_client, db):
    for path in (
        "/static/css/baton.css",
        "/static/js/baton.js",
        "/static/django_htmx/htmx-2.min.js",
    ):
        response = member_client.get(path)
        assert response.status_code == 200, path
