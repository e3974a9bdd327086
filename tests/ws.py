"""Shared WebSocket test helpers (a pytest plugin loaded by tests/conftest.py): both channel
layers, and an authenticated socket."""

from __future__ import annotations

import os
import uuid

import pytest
import pytest_asyncio
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.db import connections
from django.test import Client

from config.asgi import application

REDIS_URL = os.environ.get("REDIS_URL", "")


@pytest_asyncio.fixture
async def close_worker_thread_connections():
    # The consumers' ORM calls run in asgiref's worker thread, whose PostgreSQL connection
    # (CONN_MAX_AGE) would otherwise stay open and block dropping the test database.
    yield
    await database_sync_to_async(connections.close_all)()


@pytest.fixture(
    params=[
        "memory",
        pytest.param(
            "redis",
            marks=[
                pytest.mark.redis,
                pytest.mark.skipif(
                    not REDIS_URL, reason="REDIS_URL is not set: no Redis to test against"
                ),
            ],
        ),
    ]
)
def channel_layer(request, settings):
    """Run the test on the in-memory layer and, when REDIS_URL is set, on channels-redis."""
    if request.param == "memory":
        settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    else:
        # The project's host options (its read timeout), with a prefix of its own so parallel
        # test processes never share groups.
        hosts = settings.CHANNEL_LAYERS["default"].get("CONFIG", {}).get("hosts", [REDIS_URL])
        settings.CHANNEL_LAYERS = {
            "default": {
                "BACKEND": "channels_redis.core.RedisChannelLayer",
                "CONFIG": {"hosts": hosts, "prefix": f"baton-ws-test-{uuid.uuid4().hex}"},
            }
        }
    # overriding CHANNEL_LAYERS resets channels' cached layer (setting_changed signal)
    return request.param


def cookie_headers(client: Client, origin: bytes = b"http://testserver"):
    key = client.cookies["sessionid"].value
    return [(b"cookie", f"sessionid={key}".encode()), (b"origin", origin)]


def socket_for(client: Client, path: str = "/ws/events/") -> WebsocketCommunicator:
    return WebsocketCommunicator(application, path, headers=cookie_headers(client))
