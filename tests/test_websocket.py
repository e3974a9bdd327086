"""WebSockets are default-deny too: only a verified person's session connects to /ws/events/,
and ending a person's sessions closes their open sockets.

Each test runs against the in-memory channel layer and, when REDIS_URL is set (CI), against
channels-redis on a real Redis.
"""

from __future__ import annotations

import asyncio
import logging
import uuid

import pytest
from channels.db import database_sync_to_async
from channels.layers import InMemoryChannelLayer, get_channel_layer
from channels.testing import WebsocketCommunicator
from django.test import Client
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from config.asgi import application
from config.routing import websocket_urlpatterns
from teams import services
from teams.audit import Actor
from tests.conftest import sign_in
from tests.factories import PersonFactory
from tests.ws import REDIS_URL, cookie_headers

pytestmark = [
    pytest.mark.asyncio,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("close_worker_thread_connections"),
]


def _communicator(headers, path="/ws/events/") -> WebsocketCommunicator:
    return WebsocketCommunicator(application, path, headers=headers)


@pytest.fixture
def verified_member(db):
    person = PersonFactory()
    return person, sign_in(Client(), person)


async def test_anonymous_connection_is_refused(channel_layer):
    communicator = _communicator([(b"origin", b"http://testserver")])
    connected, _ = await communicator.connect()
    assert not connected
    await communicator.disconnect()


async def test_every_websocket_route_refuses_anonymous(channel_layer):
    # Walks the routing table, so a new consumer cannot be added without the default deny.
    for route in websocket_urlpatterns:
        path = "/" + str(route.pattern).lstrip("^").rstrip("$")
        communicator = _communicator([(b"origin", b"http://testserver")], path=path)
        connected, _ = await communicator.connect()
        assert not connected, path
        await communicator.disconnect()


async def test_verified_person_connects_and_gets_hello(channel_layer, verified_member):
    person, client = verified_member
    communicator = _communicator(cookie_headers(client))
    connected, _ = await communicator.connect()
    assert connected
    assert await communicator.receive_json_from() == {"type": "hello", "user": person.pk}
    await communicator.send_json_to({"type": "ping"})
    assert await communicator.receive_json_from() == {"type": "pong"}
    await communicator.disconnect()


async def test_foreign_origin_is_refused_even_with_a_valid_session(channel_layer, verified_member):
    _, client = verified_member
    communicator = _communicator(cookie_headers(client, origin=b"https://evil.example"))
    connected, _ = await communicator.connect()
    assert not connected
    await communicator.disconnect()


async def test_forged_session_cookie_is_refused(channel_layer, db):
    headers = [(b"cookie", b"sessionid=not-a-real-session"), (b"origin", b"http://testserver")]
    connected, _ = await _communicator(headers).connect()
    assert not connected


@pytest.fixture
def admin_owing_mfa_client(admin_user):
    client = Client()
    client.force_login(admin_user, backend="accounts.backends.BatonAuthenticationBackend")
    return client


async def test_admin_without_completed_mfa_is_refused(channel_layer, admin_owing_mfa_client):
    client = admin_owing_mfa_client
    communicator = _communicator(cookie_headers(client))
    connected, code = await communicator.connect()
    assert not connected
    assert code == 4401
    await communicator.disconnect()


async def test_deactivation_ends_the_open_socket(channel_layer, verified_member):
    person, client = verified_member
    communicator = _communicator(cookie_headers(client))
    connected, _ = await communicator.connect()
    assert connected
    await communicator.receive_json_from()  # hello

    # person_deactivate commits, then (on commit) ends every session and signals the socket.
    await database_sync_to_async(services.person_deactivate)(
        actor=Actor.system(via="test"), person=person
    )

    assert await communicator.receive_json_from(timeout=5) == {"type": "session.ended"}
    closed = await communicator.receive_output(timeout=5)
    assert closed["type"] == "websocket.close"
    assert closed["code"] == 4001

    # The ended session cannot open a new socket.
    again = _communicator(cookie_headers(client))
    connected, _ = await again.connect()
    assert not connected
    await again.disconnect()


# --- closing quietly -------------------------------------------------------------------------
# Leaving a page closes its socket; that must not put a traceback in the server log, while a
# channel-layer failure on an open socket must still surface.


def _errors(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]


async def test_connect_and_disconnect_logs_no_error(channel_layer, verified_member, caplog):
    caplog.set_level(logging.WARNING)
    _, client = verified_member
    for code in (1000, 1001):  # a plain close, and the browser's "going away" on navigation
        communicator = _communicator(cookie_headers(client))
        connected, _ = await communicator.connect()
        assert connected
        await communicator.receive_json_from()  # hello
        await communicator.disconnect(code=code)
    assert _errors(caplog) == []
    assert not [r for r in caplog.records if r.name == "accounts.consumers"]


class LayerFailingOnClose(InMemoryChannelLayer):
    """Fails the way channels-redis did on a closing socket: group_discard times out, and the
    cancelled receive loop surfaces as redis' TimeoutError instead of CancelledError."""

    async def group_discard(self, group, channel):
        raise RedisTimeoutError("Timeout reading from 127.0.0.1:6379")

    async def receive(self, channel):
        try:
            return await super().receive(channel)
        except asyncio.CancelledError:
            raise RedisTimeoutError("Timeout reading from 127.0.0.1:6379") from None


class LayerFailingWhileOpen(InMemoryChannelLayer):
    async def receive(self, channel):
        await asyncio.sleep(0.2)
        raise RedisConnectionError("Error 111 connecting to 127.0.0.1:6379.")


async def test_layer_failure_after_disconnect_is_one_warning(settings, verified_member, caplog):
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "tests.test_websocket.LayerFailingOnClose"}}
    caplog.set_level(logging.WARNING)
    _, client = verified_member
    communicator = _communicator(cookie_headers(client))
    connected, _ = await communicator.connect()
    assert connected
    await communicator.receive_json_from()
    await communicator.disconnect(code=1001)  # would raise if the consumer let it escape
    assert _errors(caplog) == []
    warnings = [r for r in caplog.records if r.name == "accounts.consumers"]
    assert len(warnings) == 1 and warnings[0].exc_info is None
    assert "Timeout reading" in warnings[0].getMessage()


async def test_layer_failure_on_an_open_socket_still_raises(settings, verified_member):
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "tests.test_websocket.LayerFailingWhileOpen"}}
    _, client = verified_member
    communicator = _communicator(cookie_headers(client))
    connected, _ = await communicator.connect()
    assert connected
    with pytest.raises(RedisConnectionError):
        await communicator.wait(timeout=2)


@pytest.mark.redis
@pytest.mark.skipif(not REDIS_URL, reason="REDIS_URL is not set: no Redis to test against")
async def test_redis_layer_reads_longer_than_it_blocks():
    """redis-py 8 gives sockets a 5 s read timeout, as long as channels-redis's BZPOPMIN wait:
    idle consumers then died with 'Timeout reading from ...'. The configured layer must wait
    longer than it blocks."""
    layer = get_channel_layer()
    for index in range(len(layer.hosts)):
        timeout = layer.create_pool(index).make_connection().socket_timeout
        assert timeout is None or timeout > layer.brpop_timeout


@pytest.mark.redis
@pytest.mark.skipif(not REDIS_URL, reason="REDIS_URL is not set: no Redis to test against")
async def test_socket_idle_past_a_redis_pop_stays_open(settings, verified_member, caplog):
    settings.CHANNEL_LAYERS = {
        "default": {
            **settings.CHANNEL_LAYERS["default"],
            "CONFIG": {
                **settings.CHANNEL_LAYERS["default"]["CONFIG"],
                "prefix": f"baton-ws-test-{uuid.uuid4().hex}",
            },
        }
    }
    caplog.set_level(logging.WARNING)
    _, client = verified_member
    communicator = _communicator(cookie_headers(client))
    connected, _ = await communicator.connect()
    assert connected
    await communicator.receive_json_from()
    # Idle across one whole BZPOPMIN wait (5 s), then the socket still answers.
    assert await communicator.receive_nothing(timeout=6.5)
    await communicator.send_json_to({"type": "ping"})
    assert await communicator.receive_json_from() == {"type": "pong"}
    await communicator.disconnect(code=1001)
    assert _errors(caplog) == []
