"""Shared WebSocket test helpers (a pytest plugin loaded by tests/conftest.py): both channel
layers, an authenticated socket, and what tests and benchmarks against a real server need
(sessions in bulk, a process's memory and Redis connections)."""

from __future__ import annotations

import datetime
import os
import socket
import subprocess
import uuid

import pytest
import pytest_asyncio
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.db import connections
from django.test import Client

from config.asgi import application

REDIS_URL = os.environ.get("REDIS_URL", "")

# How long a socket test waits for something to arrive (the handshake, a hello, an event, a
# close) before it fails. Not a pause: every wait ends as soon as what it waits for arrives.
# channels' defaults (1 s to connect, 1 s per message) were too short for a loaded machine
# (two test workers, the consumer's queries in a thread pool), where a hello or a live event
# now and then took longer and the test timed out.
WAIT = 10


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
        # The project's layer options (read timeout, pool, capacities), with a prefix of its
        # own so parallel test processes never share groups.
        config = settings.CHANNEL_LAYERS["default"].get("CONFIG", {"hosts": [REDIS_URL]})
        settings.CHANNEL_LAYERS = {
            "default": {
                "BACKEND": "channels_redis.core.RedisChannelLayer",
                "CONFIG": {**config, "prefix": f"baton-ws-test-{uuid.uuid4().hex}"},
            }
        }
    # overriding CHANNEL_LAYERS resets channels' cached layer (setting_changed signal)
    return request.param


def cookie_headers(client: Client, origin: bytes = b"http://testserver"):
    key = client.cookies["sessionid"].value
    return [(b"cookie", f"sessionid={key}".encode()), (b"origin", origin)]


def socket_for(client: Client, path: str = "/ws/events/") -> WebsocketCommunicator:
    return WebsocketCommunicator(application, path, headers=cookie_headers(client))


async def open_socket(client: Client) -> WebsocketCommunicator:
    """A connected /ws/events/ socket of `client`'s session whose hello has been read, so the
    next message is a live one."""
    socket = socket_for(client)
    connected, _ = await socket.connect(timeout=WAIT)
    assert connected
    assert (await socket.receive_json_from(timeout=WAIT))["type"] == "hello"
    return socket


# --- real servers (bench/ws_fanout.py, tests/accounts/test_websocket_scale.py) -------------------


def bulk_session_keys(users) -> list[str]:
    """A signed-in, MFA-verified session per person, as sign-in leaves it, written in one
    statement (a thousand force_login calls would take longer than what they set up)."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session
    from django.utils import timezone
    from django.utils.crypto import get_random_string

    from accounts.verification import VERIFIED_KEY

    backend = next(
        b for b in settings.AUTHENTICATION_BACKENDS if not b.startswith(("axes.", "rules."))
    )
    store = SessionStore()
    expires = timezone.now() + datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE)
    rows = [
        Session(
            session_key=get_random_string(32, "abcdefghijklmnopqrstuvwxyz0123456789"),
            session_data=store.encode(
                {
                    SESSION_KEY: str(user.pk),
                    BACKEND_SESSION_KEY: backend,
                    HASH_SESSION_KEY: user.get_session_auth_hash(),
                    VERIFIED_KEY: user.pk,
                }
            ),
            expire_date=expires,
        )
        for user in users
    ]
    Session.objects.bulk_create(rows)
    return [row.session_key for row in rows]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def stop_server(server: subprocess.Popen) -> None:
    """End a server a test started: terminate it, and kill it if it is still up after 15 s."""
    server.terminate()
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def rss_kib(pid: int) -> int:
    """A process's resident memory (no psutil needed)."""
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for process {pid}")


def tcp_connections_to(pid: int, port: int) -> int:
    """How many established TCP connections process `pid` holds to `port` (Linux /proc)."""
    inodes = set()
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:
            continue  # closed meanwhile
        if target.startswith("socket:["):
            inodes.add(target[len("socket:[") : -1])
    count = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        if not os.path.exists(table):
            continue
        with open(table) as rows:
            next(rows)
            for row in rows:
                fields = row.split()
                remote, state, inode = fields[2], fields[3], fields[9]
                established = state == "01"
                if established and int(remote.rsplit(":", 1)[1], 16) == port and inode in inodes:
                    count += 1
    return count
