"""Admin-only pages: org settings and the audit log."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from core.audit import Actor, audit_record
from core.models import AuditEvent
from teams.models import OrgSettings
from tests.conftest import sign_in
from tests.factories import PersonFactory


def test_member_and_manager_cannot_open_admin_pages(member_client, manager):
    manager_client = sign_in(Client(), manager)
    for client in (member_client, manager_client):
        for url in ("/audit/", "/settings/org/", "/people/new/"):
            response = client.get(url)
            assert response.status_code == 403, url
            assert 'id="error-403"' in response.content.decode()
    assert member_client.post("/settings/org/", {"mfa_required_for": "everyone"}).status_code == 403
    assert not OrgSettings.objects.filter(mfa_required_for="everyone").exists()


def test_org_settings_update(admin_client):
    response = admin_client.get("/settings/org/")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'value="privileged"' in html and 'value="everyone"' in html
    response = admin_client.post("/settings/org/", {"mfa_required_for": "everyone"})
    assert response.status_code == 302
    assert OrgSettings.objects.get(pk=1).mfa_required_for == "everyone"
    assert AuditEvent.objects.filter(action="org.settings").exists()


def test_org_settings_bad_value_writes_nothing(admin_client):
    response = admin_client.post("/settings/org/", {"mfa_required_for": "nobody"})
    assert response.status_code == 400
    assert "errorlist" in response.content.decode()
    assert not OrgSettings.objects.exists()


@pytest.fixture
def events(admin_user, member):
    actor_admin = Actor(user=admin_user, ip="10.0.0.1", via="web")
    actor_member = Actor(user=member, via="api")
    with time_machine.travel(datetime(2026, 3, 1, 12, 0, tzinfo=UTC), tick=False):
        audit_record(actor=actor_admin, action="team.create", target=member)
    with time_machine.travel(datetime(2026, 3, 5, 12, 0, tzinfo=UTC), tick=False):
        audit_record(actor=actor_member, action="token.create", target=member)
    with time_machine.travel(datetime(2026, 3, 9, 12, 0, tzinfo=UTC), tick=False):
        audit_record(actor=actor_admin, action="person.org_role", target=admin_user)


def _actions(response) -> list[str]:
    html = response.content.decode()
    found = []
    for action in ("team.create", "token.create", "person.org_role"):
        if f"<code>{action}</code>" in html:
            found.append(action)
    return found


def test_audit_log_filters(admin_client, events):
    response = admin_client.get("/audit/")
    assert response.status_code == 200
    assert _actions(response) == ["team.create", "token.create", "person.org_role"]
    assert _actions(admin_client.get("/audit/", {"action": "token"})) == ["token.create"]
    assert _actions(admin_client.get("/audit/", {"actor": "mia"})) == ["token.create"]
    assert _actions(admin_client.get("/audit/", {"target_type": "auth.user", "actor": "ada"})) == [
        "team.create",
        "person.org_role",
    ]
    response = admin_client.get("/audit/", {"date_from": "2026-03-04", "date_to": "2026-03-06"})
    assert _actions(response) == ["token.create"]
    response = admin_client.get("/audit/", {"date_from": "2026-03-09", "date_to": "2026-03-01"})
    assert response.status_code == 200
    assert "The end date is before the start date." in response.content.decode()


def test_audit_log_paginates(admin_client, admin_user):
    AuditEvent.objects.bulk_create(
        AuditEvent(actor=admin_user, actor_repr="ada", action=f"x.{n}") for n in range(60)
    )
    html = admin_client.get("/audit/").content.decode()
    assert "Page 1 of 2" in html and "page=2" in html


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_audit_log_query_count_is_fixed(admin_client, admin_user):
    people = [PersonFactory(username=f"actor{n}") for n in range(5)]
    admin_client.get("/audit/")
    small = _count(admin_client, "/audit/")
    AuditEvent.objects.bulk_create(
        AuditEvent(actor=people[n % 5], actor_repr=f"actor{n % 5}", action="bulk")
        for n in range(200)
    )
    assert _count(admin_client, "/audit/") == small


def test_admin_site_shows_everything_and_changes_nothing(admin_client, admin_user, member):
    """Writes belong to the services (validated, audited, derived rows kept in step)."""
    from django.contrib import admin as django_admin

    profile = member.profile
    response = admin_client.get(f"/admin/teams/profile/{profile.pk}/change/")
    assert response.status_code == 200
    html = response.content.decode()
    assert profile.display_name in html and 'name="_save"' not in html
    response = admin_client.post(
        f"/admin/teams/profile/{profile.pk}/change/",
        {"display_name": "Changed", "org_role": "admin", "time_zone": "UTC", "country": "GB"},
    )
    assert response.status_code == 403
    profile.refresh_from_db()
    assert profile.display_name == "Mia Member" and profile.org_role == "member"
    # Django's own user admin would flip superuser/active flags without the audit log.
    response = admin_client.post(
        f"/admin/auth/user/{member.pk}/change/", {"is_superuser": "on", "username": "mia"}
    )
    assert response.status_code == 403
    member.refresh_from_db()
    assert not member.is_superuser
    assert admin_client.get("/admin/auth/user/add/").status_code == 403
    # Every Baton model registered in the admin is read-only.
    request = type("Request", (), {"user": admin_user})()
    for model, model_admin in django_admin.site._registry.items():
        if model._meta.app_label in {
            *("core", "teams", "accounts", "oncall", "notifications", "auth"),
            *("account", "mfa", "usersessions"),  # allauth's
        }:
            assert model_admin.has_view_permission(request), model
            assert not model_admin.has_add_permission(request), model
            assert not model_admin.has_change_permission(request), model
            assert not model_admin.has_delete_permission(request), model


def test_admin_site_never_shows_a_second_factor_secret(admin_client, member):
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    secret = generate_totp_secret()
    authenticator = TOTP.activate(member, secret).instance
    response = admin_client.get(f"/admin/mfa/authenticator/{authenticator.pk}/change/")
    assert response.status_code == 200
    assert secret not in response.content.decode()


def test_admin_index_names_models_in_proper_plurals(admin_client):
    html = admin_client.get("/admin/").content.decode()
    for wrong in ("Deliverys", "settingss", "preferencess", "Api tokens", "Ical feeds"):
        assert wrong not in html, wrong
    for right in ("Deliveries", "Org settings", "On-call preferences", "API tokens"):
        assert right in html, right


def test_every_baton_model_has_a_plural_name():
    """Django adds an "s"; names ending in s or y need their own plural."""
    from django.apps import apps

    for model in apps.get_models():
        if model._meta.app_label not in {"core", "teams", "accounts", "oncall", "notifications"}:
            continue
        name, plural = str(model._meta.verbose_name), str(model._meta.verbose_name_plural)
        if name.endswith(("s", "y")):
            assert plural != f"{name}s", model


@pytest.fixture
def lockout(db):
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    common = {"ip_address": "10.0.0.9", "user_agent": "test", "path_info": "/accounts/login/"}
    return {
        "accessattempt": AccessAttempt.objects.create(
            username="mia", failures_since_start=5, get_data="", post_data="", **common
        ),
        "accesslog": AccessLog.objects.create(username="mia", **common),
        "accessfailurelog": AccessFailureLog.objects.create(
            username="mia", locked_out=True, **common
        ),
    }


def test_axes_records_are_view_only(admin_client, admin_user, lockout):
    """Lockouts are shown, never changed, added or deleted here: deleting an attempt would
    unlock someone without an audit record."""
    from django.contrib import admin as django_admin

    request = type("Request", (), {"user": admin_user})()
    for model_name, obj in lockout.items():
        model_admin = django_admin.site._registry[type(obj)]
        assert model_admin.has_view_permission(request), model_name
        assert not model_admin.has_add_permission(request), model_name
        assert not model_admin.has_change_permission(request, obj), model_name
        assert not model_admin.has_delete_permission(request, obj), model_name
        base = f"/admin/axes/{model_name}/"
        changelist = admin_client.get(base)
        assert changelist.status_code == 200
        # No bulk actions: not "delete selected", not axes' "clean up expired attempts".
        assert 'name="action"' not in changelist.content.decode(), model_name
        page = admin_client.get(f"{base}{obj.pk}/change/")
        assert page.status_code == 200
        html = page.content.decode()
        assert 'name="_save"' not in html and "deletelink" not in html, model_name
        assert admin_client.get(f"{base}add/").status_code == 403
        assert admin_client.post(f"{base}{obj.pk}/change/", {"username": "x"}).status_code == 403
        assert admin_client.get(f"{base}{obj.pk}/delete/").status_code == 403
        assert admin_client.post(f"{base}{obj.pk}/delete/", {"post": "yes"}).status_code == 403
        assert admin_client.post(
            base, {"action": "delete_selected", "_selected_action": [obj.pk], "post": "yes"}
        ).status_code in (200, 302)
        assert type(obj).objects.filter(pk=obj.pk).exists(), model_name
    assert lockout["accessattempt"].__class__.objects.get().username == "mia"
