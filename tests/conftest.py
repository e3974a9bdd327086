from __future__ import annotations

import pytest
from django.test import Client

from accounts.verification import VERIFIED_KEY
from tests.factories import PersonFactory, TeamFactory


def sign_in(client: Client, user) -> Client:
    """Sign a test client in as `user`, with MFA already completed in this session."""
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
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
