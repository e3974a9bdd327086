"""Default deny, proven for every route the project has.

The walk reads the live URL configuration (ours, allauth's, the admin's, the API's), builds a
concrete path for each pattern and checks what an anonymous visitor and a person who still
owes MFA get. There is no list of protected routes to keep up to date: a new route is walked
automatically, and the test fails if it answers a stranger. Only the explicit public allow-list
of accounts.middleware may answer, and that list is pinned below.
"""

from __future__ import annotations

import string
from dataclasses import dataclass

import pytest
from django.test import Client
from django.urls import Resolver404, URLPattern, URLResolver, get_resolver, resolve

from accounts.middleware import MFA_SETUP_URL_NAMES, PUBLIC_PREFIXES, PUBLIC_URL_NAMES

try:  # Python 3.11+: the regex parser lives here (sre_parse is deprecated)
    from re import _constants as sre
    from re import _parser as sre_parse
except ImportError:  # pragma: no cover
    import sre_constants as sre
    import sre_parse

# The whole public surface. Growing it is a security decision: change it here on purpose.
EXPECTED_PUBLIC_NAMES = {
    "account_login",
    "account_logout",
    "account_signup",  # only says that sign-up is closed
    "account_inactive",
    "account_reset_password",
    "account_reset_password_done",
    "account_reset_password_from_key",
    "account_reset_password_from_key_done",
    "mfa_authenticate",
    "healthz",
}
EXPECTED_PUBLIC_PREFIXES = {"/static/", "/ical/"}

# --- building a concrete path for a pattern ---------------------------------------------------

# Characters tried, in order, for a character class: "x" for names and slugs, "1" for ids.
_PREFERRED = "x1a0-_." + string.ascii_letters + string.digits

_CATEGORIES = {
    sre.CATEGORY_DIGIT: str.isdigit,
    sre.CATEGORY_NOT_DIGIT: lambda c: not c.isdigit(),
    sre.CATEGORY_WORD: lambda c: c.isalnum() or c == "_",
    sre.CATEGORY_NOT_WORD: lambda c: not (c.isalnum() or c == "_"),
    sre.CATEGORY_SPACE: str.isspace,
    sre.CATEGORY_NOT_SPACE: lambda c: not c.isspace(),
}


def _in_class(items, char: str) -> bool:
    negate, hit = False, False
    for op, arg in items:
        if op is sre.NEGATE:
            negate = True
        elif op is sre.LITERAL:
            hit |= ord(char) == arg
        elif op is sre.RANGE:
            hit |= arg[0] <= ord(char) <= arg[1]
        elif op is sre.CATEGORY:
            hit |= _CATEGORIES[arg](char)
    return hit != negate


def _sample(parsed) -> str:
    """The simplest string the parsed regex matches (first branch, fewest repeats >= 1)."""
    out = []
    for op, arg in parsed:
        if op is sre.LITERAL:
            out.append(chr(arg))
        elif op is sre.NOT_LITERAL:
            out.append(next(c for c in _PREFERRED if ord(c) != arg))
        elif op is sre.ANY:
            out.append("x")
        elif op is sre.IN:
            out.append(next(c for c in _PREFERRED if _in_class(arg, c)))
        elif op in (sre.MAX_REPEAT, sre.MIN_REPEAT, getattr(sre, "POSSESSIVE_REPEAT", None)):
            low, high, sub = arg
            count = low if low > 0 else min(1, high)
            out.append(_sample(sub) * count)
        elif op is sre.SUBPATTERN:
            out.append(_sample(arg[-1]))
        elif op is getattr(sre, "ATOMIC_GROUP", None):
            out.append(_sample(arg))
        elif op is sre.BRANCH:
            out.append(_sample(arg[1][0]))
        elif op in (sre.AT, sre.ASSERT, sre.ASSERT_NOT):
            continue  # anchors and look-arounds consume nothing
        else:
            raise AssertionError(f"the URL walk cannot build a path for regex op {op!r}")
    return "".join(out)


def _piece(pattern) -> str:
    return _sample(sre_parse.parse(pattern.regex.pattern))


@dataclass(frozen=True)
class Route:
    path: str
    name: str | None
    callback: object
    route: str  # the pattern text, for messages


def all_routes() -> list[Route]:
    """Every URLPattern reachable from the root URLconf, with a concrete path for it."""
    routes: list[Route] = []

    def walk(patterns, prefix: str, text: str) -> None:
        for entry in patterns:
            piece = prefix + _piece(entry.pattern)
            label = text + str(entry.pattern)
            if isinstance(entry, URLResolver):
                walk(entry.url_patterns, piece, label)
            elif isinstance(entry, URLPattern):
                routes.append(Route("/" + piece, entry.name, entry.callback, label))

    walk(get_resolver().url_patterns, "", "")
    return routes


def _is_public(route: Route) -> bool:
    return route.path.startswith(PUBLIC_PREFIXES) or route.name in PUBLIC_URL_NAMES


ROUTES = all_routes()


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
    assert set(PUBLIC_URL_NAMES) == EXPECTED_PUBLIC_NAMES
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
