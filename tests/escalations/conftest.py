"""Fixtures for the escalations tests: the World (tests/escalations/world.py)."""

from __future__ import annotations

import pytest

from tests.escalations.world import World
from tests.factories import PersonFactory, add_member


@pytest.fixture
def world(db, django_capture_on_commit_callbacks):
    w = World()
    w.on_commit = lambda: django_capture_on_commit_callbacks(execute=True)
    return w


@pytest.fixture
def people(world):
    """The roles of the role x action tables, with Pat, a manager of another team whom a
    test's policy names (so Pat is paged without being a member)."""
    paged = PersonFactory(username="pat", display_name="Pat Paged", org_role="manager")
    add_member(world.other_team, paged)
    return {
        "lead": world.lead,
        "member": world.nia,
        "paged_outsider": paged,
        "outsider": world.outsider,
        "manager": world.manager,
        "admin": world.admin,
    }
