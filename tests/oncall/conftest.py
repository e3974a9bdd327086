"""Fixtures for the oncall tests: the shared world (tests/oncall/world.py) and a fresh
"on call now" cache for every test in this folder."""

from __future__ import annotations

import pytest

from tests.oncall.world import World


@pytest.fixture
def world(db):
    return World()


@pytest.fixture(autouse=True)
def fresh_oncall_cache():
    # The org-wide "on call now" answer is cached; tests must not see each other's.
    from django.core.cache import cache

    from oncall.selectors import NOW_CACHE_KEY

    cache.delete(NOW_CACHE_KEY)
    yield
    cache.delete(NOW_CACHE_KEY)
