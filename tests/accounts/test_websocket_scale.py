"""One ASGI process holds more WebSockets than redis-py's pool used to allow (issue 10, item 11).

At 200 sockets under one uvicorn, redis-py 8's asyncio pool (100 connections by default, and
refusing the 101st) failed every socket opening or closing in a burst with
MaxConnectionsError, and the channel layer's capacity of 100 queued messages per process
dropped events sent to many people at once. This starts one real uvicorn on the test
database, opens SOCKETS sockets (one person each), notifies every person once through
notify() and checks that every socket gets its notification, that closing them all at once
keeps the server's Redis connections near the consumer's group-call limit, and that the
server logged no traceback. bench/ws_fanout.py does the same with 1,000 and measures.

Needs REDIS_URL. The server runs config.test_settings, whose channel-layer prefix is
"baton-test-<server pid>": groups never mix with another test process's.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.db import connection

from accounts.consumers import GROUP_CALLS_AT_ONCE
from core.realtime import user_group
from notifications.models import Channel, NotificationRule
from notifications.services import notify
from tests.bulk import bulk_people
from tests.factories import ALWAYS
from tests.ws import REDIS_URL, bulk_session_keys, free_port, stop_server, tcp_connections_to

BASE_DIR = Path(__file__).resolve().parents[2]
SOCKETS = 250  # more than the 200 that failed, and than the pool's old 100

pytestmark = [
    pytest.mark.asyncio,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("close_worker_thread_connections"),
    pytest.mark.redis,
    pytest.mark.slow,
    pytest.mark.skipif(not REDIS_URL, reason="REDIS_URL is not set: no Redis to test against"),
]


def _database_url() -> str:
    """This test's database, for the server process (it sees the committed rows)."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    assert connection.vendor == "postgresql", connection.vendor
    auth = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        auth += ":" + quote(db["PASSWORD"], safe="")
    return f"postgres://{auth}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{db['NAME']}"


def _people():
    users = bulk_people(SOCKETS, prefix="wsscale", working_hours=ALWAYS)
    # In-app only: e-mail would double the deliveries notify() runs inline here.
    NotificationRule.objects.bulk_create(
        NotificationRule(person=user, channel=Channel.EMAIL, normal=False, urgent=False)
        for user in users
    )
    return users


async def _wait_until_listening(port: int, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert server.poll() is None, f"uvicorn exited with {server.returncode}"
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            await asyncio.sleep(0.1)
            continue
        writer.close()
        return
    raise AssertionError(f"uvicorn did not listen on {port} within 30 s")


async def test_one_process_holds_250_sockets_and_reaches_every_one(settings):
    from websockets.asyncio.client import connect

    users = await database_sync_to_async(_people)()
    keys = await database_sync_to_async(bulk_session_keys)(users)
    database_url = await database_sync_to_async(_database_url)()

    port = free_port()
    origin = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.test_settings",
        "DATABASE_URL": database_url,
        "LOG_LEVEL": "WARNING",
    }
    log = tempfile.TemporaryFile()
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "config.asgi:application", "--host", "127.0.0.1"]
        + ["--port", str(port), "--lifespan", "off", "--log-level", "warning", "--no-access-log"],
        cwd=BASE_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    sockets = []
    try:
        await _wait_until_listening(port, server)
        gate = asyncio.Semaphore(50)  # handshakes in flight, as a crowd of browsers would

        async def open_one(key):
            async with gate:
                ws = await connect(
                    f"ws://127.0.0.1:{port}/ws/events/",
                    additional_headers={"Cookie": f"sessionid={key}"},
                    origin=origin,
                    open_timeout=30,
                )
                sockets.append(ws)
                hello = json.loads(await asyncio.wait_for(ws.recv(), 10))
                assert hello["type"] == "hello", hello
                return hello["user"]

        opened = await asyncio.gather(*(open_one(key) for key in keys))
        assert sorted(opened) == sorted(u.pk for u in users)

        # Publish as the app does, into the server's layer (its prefix; see the docstring).
        config = settings.CHANNEL_LAYERS["default"]["CONFIG"]
        prefix = f"baton-test-{server.pid}"
        settings.CHANNEL_LAYERS = {
            "default": {
                **settings.CHANNEL_LAYERS["default"],
                "CONFIG": {**config, "prefix": prefix},
            }
        }
        from redis.asyncio import Redis

        async with Redis.from_url(REDIS_URL) as redis:
            group = f"{prefix}:group:user.{users[0].pk}"
            assert await redis.exists(group), (
                f"no {group} in Redis: has config/test_settings.py's channel prefix changed?"
            )

        key = f"scale-{uuid.uuid4().hex}"
        await database_sync_to_async(notify)(
            recipients=users, kind="chat.mention", title="Everyone", idempotency_key=key
        )

        async def notification(ws):
            event = json.loads(await asyncio.wait_for(ws.recv(), 20))
            assert event["type"] == "notification", event
            return event["notification"]["title"]

        titles = await asyncio.gather(*(notification(ws) for ws in sockets))
        assert titles == ["Everyone"] * SOCKETS

        # Then one event per person through the layer all at once, faster than the server
        # drains them: they wait in its one queue (whose old cap of 100 dropped the rest).
        layer = get_channel_layer()
        await asyncio.gather(
            *(
                layer.group_send(
                    user_group(user.pk),
                    {"type": "event.forward", "payload": {"type": "burst", "to": user.pk}},
                )
                for user in users
            )
        )

        async def burst(ws):
            return json.loads(await asyncio.wait_for(ws.recv(), 20))

        events = await asyncio.gather(*(burst(ws) for ws in sockets))
        assert sorted(e["to"] for e in events) == sorted(opened)

        # Every socket leaves at once: the group calls queue, the pool stays small.
        await asyncio.gather(*(ws.close() for ws in sockets))
        redis_port = urlsplit(REDIS_URL).port or 6379
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            await asyncio.sleep(0.5)
            held = tcp_connections_to(server.pid, redis_port)
            if held <= GROUP_CALLS_AT_ONCE + 4:  # + the receive loop and the cache
                break
        assert held <= GROUP_CALLS_AT_ONCE + 4, held
    finally:
        await asyncio.gather(*(ws.close() for ws in sockets), return_exceptions=True)
        stop_server(server)
        log.seek(0)
        output = log.read().decode(errors="replace")
        log.close()

    assert "Traceback" not in output, output[-3000:]
    assert "ERROR" not in output, output[-3000:]
    assert "cleanup failed" not in output, output[-3000:]
