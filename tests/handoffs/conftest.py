"""Fixtures for the handoffs tests: the World (tests/handoffs/world.py), and `chat` for the
tests that post chat messages (its mentions are a source of the digest)."""

from __future__ import annotations

import pytest

from tests.handoffs.world import ChatPoster, World


@pytest.fixture
def world(db, django_capture_on_commit_callbacks):
    w = World()
    w.on_commit = lambda: django_capture_on_commit_callbacks(execute=True)
    return w


@pytest.fixture
def chat(world, settings):
    """Posts chat messages in the world's rooms. Chat's rate limit counts in the cache (Redis
    with REDIS_URL, shared by the test workers, whose people have the same ids): a cache of
    this test's own, and a limit the tests never reach, as tests/chat/conftest.py does."""
    import uuid

    from django.core.cache import cache

    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"handoffs-chat-test-{uuid.uuid4().hex}",
        }
    }
    settings.CHAT_RATE_MESSAGES = 10_000
    cache.clear()
    return ChatPoster(world)
