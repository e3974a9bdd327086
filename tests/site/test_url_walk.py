"""Default deny, proven for every route the project has.

The walk (tests/routes.py) reads the live URL configuration (ours, allauth's, the admin's, the
API's) and builds a concrete path for each pattern; these tests check what an anonymous visitor
and a person who still owes MFA get. There is no list of protected routes to keep up to date: a
new route is walked automatically, and the test fails if it answers a stranger. Only the
explicit public allow-list of accounts.middleware may answer, and that list is pinned below.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import Resolver404, resolve

from accounts.middleware import MFA_SETUP_URL_NAMES, PUBLIC_PREFIXES, PUBLIC_URL_NAMES
from tests.routes import ROUTES, Route

# The whole public surface, each with the reason it is public. Growing it is a security
# decision: change it here on purpose.
EXPECTED_PUBLIC_NAMES = {
    "account_login": "signing in",
    "account_logout": "signing out",
    "account_signup": "only says that sign-up is closed",
    "account_inactive": "tells a deactivated person why they cannot sign in",
    "account_reset_password": "password reset (an invitation is a reset link)",
    "account_reset_password_done": "password reset",
    "account_reset_password_from_key": "password reset: the link in the e-mail",
    "account_reset_password_from_key_done": "password reset",
    "mfa_authenticate": "the second step of signing in",
    "healthz": "the load balancer's health check",
    "metrics": "Prometheus; its view requires a scrape token or an allow-listed address and "
    "answers anyone else with a plain 404",
    "readyz": "the balancer's or orchestrator's readiness check: ok/error per check, no details",
    "api-integration-inbound": "monitoring systems raise urgent updates; the key in the path "
    "is the credential",
}
EXPECTED_PUBLIC_PREFIXES = {"/static/", "/ical/"}


def _is_public(route: Route) -> bool:
    return route.path.startswith(PUBLIC_PREFIXES) or route.name in PUBLIC_URL_NAMES


def _ids(routes):
    return [f"{r.name or '-'}:{r.path}" for r in routes]


# --- the checks -------------------------------------------------------------------------------


def test_the_walk_sees_every_part_of_the_project():
    paths = {r.path for r in ROUTES}
    names = {r.name for r in ROUTES}
    assert any(p.startswith("/admin/") for p in paths)
    assert any(p.startswith("/api/v1/") for p in paths)
    assert {"account_login", "mfa_activate_totp", "healthz", "dashboard"} <= names
    assert len(ROUTES) > 50


def test_every_built_path_resolves_to_its_own_pattern():
    wrong = []
    for route in ROUTES:
        try:
            match = resolve(route.path)
        except Resolver404:
            wrong.append(f"{route.route} -> {route.path} does not resolve (teach _sample)")
            continue
        if match.func is not route.callback and match.url_name != route.name:
            wrong.append(f"{route.route} -> {route.path} resolved to {match.route}")
    assert not wrong, "\n".join(wrong)


def test_public_allow_list_is_exactly_the_documented_one():
    assert set(PUBLIC_URL_NAMES) == set(EXPECTED_PUBLIC_NAMES)
    assert set(PUBLIC_PREFIXES) == EXPECTED_PUBLIC_PREFIXES


def _assert_refused_anonymous(response, route: Route, method: str) -> None:
    where = f"anonymous {method} {route.path} ({route.route}, name={route.name})"
    if route.path.startswith("/api/"):
        assert response.status_code in (401, 403), f"{where}: {response.status_code}"
    else:
        assert response.status_code == 302, f"{where}: {response.status_code}"
        assert response["Location"].startswith("/accounts/login/"), (
            f"{where}: redirected to {response['Location']}"
        )


PROTECTED = [r for r in ROUTES if not _is_public(r)]


@pytest.mark.django_db
@pytest.mark.parametrize("route", PROTECTED, ids=_ids(PROTECTED))
def test_anonymous_is_refused(route):
    client = Client()
    _assert_refused_anonymous(client.get(route.path), route, "GET")
    _assert_refused_anonymous(client.post(route.path, {"x": "1"}), route, "POST")
    if route.path.startswith("/api/"):
        response = client.post(route.path, "{}", content_type="application/json")
        _assert_refused_anonymous(response, route, "POST json")


PUBLIC = [r for r in ROUTES if _is_public(r)]


@pytest.mark.django_db
@pytest.mark.parametrize("route", PUBLIC, ids=_ids(PUBLIC))
def test_public_routes_answer_without_error(route):
    client = Client()
    assert client.get(route.path).status_code < 500
    assert client.post(route.path, {"x": "1"}).status_code < 500


@pytest.mark.django_db
def test_person_owing_mfa_reaches_only_mfa_setup_and_sign_out(admin_user):
    client = Client()
    client.force_login(admin_user, backend="accounts.backends.BatonAuthenticationBackend")
    allowed = MFA_SETUP_URL_NAMES | PUBLIC_URL_NAMES
    leaks = []
    for route in ROUTES:
        if route.path.startswith(PUBLIC_PREFIXES):
            continue
        response = client.get(route.path)
        assert response.status_code < 500, f"GET {route.path}: {response.status_code}"
        if route.name in allowed:
            continue
        if route.path.startswith("/api/"):
            ok = response.status_code in (401, 403)
        else:
            location = response.get("Location", "") if response.status_code == 302 else ""
            ok = location.startswith(("/accounts/2fa/totp/activate/", "/accounts/login/"))
        if not ok:
            leaks.append(f"{route.path} ({route.name}): {response.status_code}")
        # Nothing above may have signed the client out, or the rest would be anonymous.
        assert client.session.get("_auth_user_id") == str(admin_user.pk), route.path
    assert not leaks, "reachable without MFA:\n" + "\n".join(leaks)
    # ...and the set-up pages and sign-out really are reachable.
    # (force_login records no sign-in step, so allauth may first ask for the password again.)
    response = client.get("/accounts/2fa/totp/activate/")
    assert response.status_code == 200 or response["Location"].startswith(
        "/accounts/reauthenticate/"
    )
    assert client.get("/accounts/logout/").status_code == 200


@pytest.mark.django_db
def test_the_walk_would_catch_a_route_that_answers_strangers(settings):
    # Without the default-deny middleware some views answer anonymous visitors; the check
    # used above must notice them, or it proves nothing.
    settings.MIDDLEWARE = [
        m for m in settings.MIDDLEWARE if not m.endswith("DefaultDenyMiddleware")
    ]
    client = Client(raise_request_exception=False)
    caught = 0
    for route in PROTECTED:
        try:
            _assert_refused_anonymous(client.get(route.path), route, "GET")
        except AssertionError:
            caught += 1
    assert caught > 0
