from __future__ import annotations

import pytest
from django.test import Client

from accounts.verification import VERIFIED_KEY
from tests.factories import PersonFactory, TeamFactory

# Shared fixtures: channel layers and sockets (tests/ws.py), a browser (tests/browser.py).
pytest_plugins = ["tests.ws", "tests.browser"]
# Shared checks in helper modules report a failing assert as a test's own would.
pytest.register_assert_rewrite("tests.accounts.signin", "tests.csp")


def sign_in(client: Client, user) -> Client:
    """Sign a test client in as `user`, with MFA already completed in this session."""
    client.force_login(user, backend="accounts.backends.BatonAuthenticationBackend")
    session = client.session
    session[VERIFIED_KEY] = user.pk
    session.save()
    return client


@pytest.fixture
def make_person(db):
    return PersonFactory


@pytest.fixture
def make_team(db):
    return TeamFactory


@pytest.fixture
def member(db):
    return PersonFactory(username="mia", display_name="Mia Member")


@pytest.fixture
def admin_user(db):
    return PersonFactory(username="ada", display_name="Ada Admin", org_role="admin")


@pytest.fixture
def manager(db):
    return PersonFactory(username="max", display_name="Max Manager", org_role="manager")


@pytest.fixture
def member_client(member):
    return sign_in(Client(), member)


@pytest.fixture
def admin_client(admin_user):
    return sign_in(Client(), admin_user)


@pytest.fixture
def api_schema(member_client) -> dict:
    """The OpenAPI schema as the API serves it to a signed-in person (JSON)."""
    response = member_client.get("/api/schema/?format=json")
    assert response.status_code == 200
    return response.json()


def mark_reauthenticated(client: Client, user) -> Client:
    """Record a fresh password re-authentication in the client's session (as allauth does)."""
    import time

    from allauth.account.internal.flows.login import (
        _AUTHENTICATION_METHODS_USER_SESSION_KEY,
        AUTHENTICATION_METHODS_SESSION_KEY,
    )
    from allauth.account.internal.userkit import user_id_to_str

    session = client.session
    records = list(session.get(AUTHENTICATION_METHODS_SESSION_KEY) or [])
    records.append(
        {
            "method": "password",
            "at": time.time(),
            "reauthenticated": True,
            "username": user.get_username(),
        }
    )
    session[AUTHENTICATION_METHODS_SESSION_KEY] = records
    session[_AUTHENTICATION_METHODS_USER_SESSION_KEY] = user_id_to_str(user)
    session.save()
    return client


@pytest.fixture(autouse=True)
def _fresh_directory_caches():
    """Each test starts with fresh cached counts and pickers (core.caching). A version bump
    rather than cache.clear(): on Redis that would flush the database other workers use."""
    from core import caching
    from teams.selectors import PEOPLE_CACHE, TEAMS_CACHE

    caching.invalidate(PEOPLE_CACHE)
    caching.invalidate(TEAMS_CACHE)
    yield
