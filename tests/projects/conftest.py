"""Fixtures for the projects tests: a small org (tests/projects/org.py) every test can use."""

from __future__ import annotations

import pytest

from tests.projects.org import Org


@pytest.fixture
def org(db):
    return Org()
