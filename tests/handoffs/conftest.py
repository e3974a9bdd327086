"""Fixtures for the handoffs tests: the World (tests/handoffs/world.py)."""

from __future__ import annotations

import pytest

from tests.handoffs.world import World


@pytest.fixture
def world(db, django_capture_on_commit_callbacks):
    w = World()
    w.on_commit = lambda: django_capture_on_commit_callbacks(execute=True)
    return w
