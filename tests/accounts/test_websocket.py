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
import pytest_asyncio
from channels.db import database_sync_to_async
from channels.layers import InMemoryChannelLayer, get_channel_layer
from channels.testing import WebsocketCommunicator
from django.test import Client
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from accounts.consumers import GROUP_CALLS_AT_ONCE, REFUSED_PER_MINUTE
from config.asgi import application
from config.routing import websocket_urlpatterns
from core.audit import Actor
from teams import services
from tests.conftest import sign_in
from tests.factories import PersonFactory
from tests.ws import REDIS_URL, WAIT, cookie_headers, open_socket, socket_for

pytestmark = [
    pytest.mark.asyncio,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("close_worker_thread_connections"),
]


ANONYMOUS = [(b"origin", b"http://testserver")]


async def _refused(headers, path: str = "/ws/events/") -> int | None:
    """Connect to `path` with `headers`: the socket must be refused. Its close code."""
    communicator = WebsocketCommunicator(application, path, headers=headers)
    connected, code = await communicator.connect(timeout=WAIT)
    assert not connected, path
    await communicator.disconnect()
    return code


@pytest.fixture
def verified_member(db):
    person = PersonFactory()
    return person, sign_in(Client(), person)


async def test_anonymous_connection_is_refused(channel_layer):
    await _refused(ANONYMOUS)


async def test_every_websocket_route_refuses_anonymous(channel_layer):
    # Walks the routing table, so a new consumer cannot be added without the default deny.
    for route in websocket_urlpatterns:
        await _refused(ANONYMOUS, "/" + str(route.pattern).lstrip("^").rstrip("$"))


async def test_verified_person_connects_and_gets_hello(channel_layer, verified_member):
    person, client = verified_member
    communicator = socket_for(client)
    connected, _ = await communicator.connect(timeout=WAIT)
    assert connected
    assert await communicator.receive_json_from(timeout=WAIT) == {
        "type": "hello",
        "user": person.pk,
    }
    await _answers_ping(communicator)
    await communicator.disconnect()


async def test_foreign_origin_is_refused_even_with_a_valid_session(channel_layer, verified_member):
    _, client = verified_member
    await _refused(cookie_headers(client, origin=b"https://evil.example"))


async def test_forged_session_cookie_is_refused(channel_layer, db):
    await _refused([(b"cookie", b"sessionid=not-a-real-session"), *ANONYMOUS])


@pytest.fixture
def admin_owing_mfa_client(admin_user):
    client = Client()
    client.force_login(admin_user, backend="accounts.backends.BatonAuthenticationBackend")
    return client


async def test_admin_without_completed_mfa_is_refused(channel_layer, admin_owing_mfa_client):
    assert await _refused(cookie_headers(admin_owing_mfa_client)) == 4401


async def test_deactivation_ends_the_open_socket(channel_layer, verified_member):
    person, client = verified_member
    communicator = await open_socket(client)

    # person_deactivate commits, then (on commit) ends every session and signals the socket.
    await database_sync_to_async(services.person_deactivate)(
        actor=Actor.system(via="test"), person=person
    )

    assert await communicator.receive_json_from(timeout=WAIT) == {"type": "session.ended"}
    closed = await communicator.receive_output(timeout=WAIT)
    assert closed["type"] == "websocket.close"
    assert closed["code"] == 4001

    # The ended session cannot open a new socket.
    await _refused(cookie_headers(client))


# --- closing quietly -------------------------------------------------------------------------
# Leaving a page closes its socket; that must not put a traceback in the server log, while a
# channel-layer failure on an open socket must still surface.


def _errors(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]


def _consumer_logs(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "accounts.consumers"]


def _use_layer(settings, layer: type) -> None:
    """Run the test on `layer`, a channel layer of this module."""
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": f"{__name__}.{layer.__name__}"}}


async def test_connect_and_disconnect_logs_no_error(channel_layer, verified_member, caplog):
    caplog.set_level(logging.WARNING)
    _, client = verified_member
    for code in (1000, 1001):  # a plain close, and the browser's "going away" on navigation
        communicator = await open_socket(client)
        await communicator.disconnect(code=code)
    assert _errors(caplog) == []
    assert not _consumer_logs(caplog)


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
    _use_layer(settings, LayerFailingOnClose)
    caplog.set_level(logging.WARNING)
    _, client = verified_member
    communicator = await open_socket(client)
    await communicator.disconnect(code=1001)  # would raise if the consumer let it escape
    assert _errors(caplog) == []
    warnings = _consumer_logs(caplog)
    assert len(warnings) == 1 and warnings[0].exc_info is None
    assert "Timeout reading" in warnings[0].getMessage()


async def test_layer_failure_on_an_open_socket_still_raises(settings, verified_member):
    _use_layer(settings, LayerFailingWhileOpen)
    _, client = verified_member
    communicator = socket_for(client)
    connected, _ = await communicator.connect(timeout=WAIT)
    assert connected
    with pytest.raises(RedisConnectionError):
        await communicator.wait(timeout=WAIT)


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
async def test_redis_layer_pool_and_queue_fit_many_sockets(settings):
    """redis-py 8's pool held 100 connections and refused the 101st; the queue all of a
    process's sockets share held 100 messages. Both come from the environment now, sized
    well past what one process's sockets need at once."""
    layer = get_channel_layer()
    host = settings.CHANNEL_LAYERS["default"]["CONFIG"]["hosts"][0]
    pool = layer.create_pool(0)
    assert pool.max_connections == host["max_connections"]
    # The consumer's group calls plus the one receive loop must fit under the ceiling.
    assert pool.max_connections > GROUP_CALLS_AT_ONCE + 1
    process_queue = await layer.new_channel()
    assert layer.get_capacity(process_queue) >= 1000
    assert layer.get_capacity("other.channel") == layer.capacity


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
    communicator = await open_socket(client)
    # Idle across one whole BZPOPMIN wait (5 s), then the socket still answers.
    assert await communicator.receive_nothing(timeout=6.5)
    await _answers_ping(communicator)
    await communicator.disconnect(code=1001)
    assert _errors(caplog) == []


# --- junk frames -------------------------------------------------------------------------------
# A client may only send {"type": "ping"}. Junk text gets an error event and the socket stays;
# binary, oversized and floods close with a 4xxx code. Never a traceback.


@pytest_asyncio.fixture
async def member_socket(channel_layer, verified_member, caplog) -> WebsocketCommunicator:
    """An open socket of the verified member, its hello read; the log is captured from INFO
    up from its opening on (the tests check it holds no traceback)."""
    caplog.set_level(logging.INFO)
    _, client = verified_member
    return await open_socket(client)


async def _answers_ping(communicator: WebsocketCommunicator) -> None:
    await communicator.send_json_to({"type": "ping"})
    assert await communicator.receive_json_from(timeout=WAIT) == {"type": "pong"}


async def _refused_junk(communicator: WebsocketCommunicator) -> None:
    await communicator.send_to(text_data="junk")
    assert (await communicator.receive_json_from(timeout=WAIT))["type"] == "error"


async def _closed_with(communicator: WebsocketCommunicator) -> int:
    closed = await communicator.receive_output(timeout=WAIT)
    assert closed["type"] == "websocket.close", closed
    await communicator.disconnect()
    return closed["code"]


def _tracebacks(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]


JUNK_TEXT = {
    "not JSON": ("hello there", "must be JSON"),
    "empty frame": ("", "must be JSON"),
    "truncated JSON": ('{"type": "ping"', "must be JSON"),
    # json recursed once per level: RecursionError, the socket dropped with a traceback.
    "5,000 levels of nesting": ("[" * 5000 + "]" * 5000, "nested more than 32"),
    "40 levels of nesting": ('{"a":' * 40 + "1" + "}" * 40, "nested more than 32"),
    "NaN": ('{"type": "ping", "n": NaN}', "must be JSON"),
    "overflowing number": ('{"type": "ping", "n": 1e999}', "too large"),
    "a JSON list": ('["ping"]', "JSON objects"),
    "a JSON string": ('"ping"', "JSON objects"),
    "another type": ('{"type": "subscribe", "group": "user.1"}', "Only 'ping'"),
}


@pytest.mark.parametrize("frame,reason", JUNK_TEXT.values(), ids=JUNK_TEXT.keys())
async def test_junk_text_gets_an_error_and_the_socket_stays(member_socket, caplog, frame, reason):
    communicator = member_socket
    # The raw ASGI event: send_to() refuses an empty frame.
    await communicator.send_input({"type": "websocket.receive", "text": frame})
    error = await communicator.receive_json_from(timeout=WAIT)
    assert error["type"] == "error"
    assert reason in error["detail"]
    # Still open and answering.
    await _answers_ping(communicator)
    await communicator.disconnect()
    assert _tracebacks(caplog) == []


async def test_a_binary_frame_closes_with_4003(member_socket, caplog):
    communicator = member_socket
    await communicator.send_to(bytes_data=b'{"type": "ping"}')
    assert await _closed_with(communicator) == 4003
    assert _tracebacks(caplog) == []


@pytest.mark.parametrize(
    "frame",
    [
        '{"type": "ping", "pad": "' + "x" * (64 * 1024) + '"}',
        # Under 64 Ki characters, over 64 KiB once encoded (3 bytes each).
        '{"type": "ping", "pad": "' + "\u20ac" * 30_000 + '"}',
    ],
    ids=["ascii", "multi-byte"],
)
async def test_a_frame_over_64_kib_closes_with_4009(member_socket, caplog, frame):
    communicator = member_socket
    await communicator.send_to(text_data=frame)
    assert await _closed_with(communicator) == 4009
    assert _tracebacks(caplog) == []


async def test_a_frame_just_under_the_limit_is_read(member_socket):
    communicator = member_socket
    frame = '{"type": "ping", "pad": "' + "x" * (64 * 1024 - 40) + '"}'
    await communicator.send_to(text_data=frame)
    assert await communicator.receive_json_from(timeout=WAIT) == {"type": "pong"}
    await communicator.disconnect()


async def test_a_flood_of_junk_closes_with_4008(member_socket, caplog):
    communicator = member_socket
    for _ in range(REFUSED_PER_MINUTE):
        await _refused_junk(communicator)
    await communicator.send_to(text_data="junk")
    assert await _closed_with(communicator) == 4008
    assert _tracebacks(caplog) == []


async def test_junk_spread_over_minutes_is_not_a_flood(member_socket, monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr("accounts.consumers.monotonic", lambda: clock[0])
    communicator = member_socket
    for _ in range(3 * REFUSED_PER_MINUTE):
        clock[0] += 5  # twelve a minute
        await _refused_junk(communicator)
    await _answers_ping(communicator)
    await communicator.disconnect()


async def test_frames_after_a_close_are_ignored(member_socket, caplog):
    communicator = member_socket
    await communicator.send_to(bytes_data=b"\x00")
    await communicator.send_to(text_data="junk")  # already closing: no answer, no error
    assert await _closed_with(communicator) == 4003
    assert _tracebacks(caplog) == []


# --- the channel layer at open and close --------------------------------------------------------


class LayerFailingOnConnect(InMemoryChannelLayer):
    async def group_add(self, group, channel):
        raise RedisConnectionError("Error 111 connecting to 127.0.0.1:6379.")


async def test_layer_failure_at_connect_refuses_with_a_warning(settings, verified_member, caplog):
    _use_layer(settings, LayerFailingOnConnect)
    caplog.set_level(logging.WARNING)
    _, client = verified_member
    await _refused(cookie_headers(client))
    assert _tracebacks(caplog) == []
    warnings = _consumer_logs(caplog)
    assert len(warnings) == 1 and "refused" in warnings[0].getMessage()


class LayerCountingGroupCalls(InMemoryChannelLayer):
    """Notes how many group calls are in flight at once (channels-redis holds a Redis
    connection for each)."""

    in_flight = 0
    most = 0

    async def _call(self, method, *args):
        cls = LayerCountingGroupCalls
        cls.in_flight += 1
        cls.most = max(cls.most, cls.in_flight)
        try:
            await asyncio.sleep(0.01)
            return await method(*args)
        finally:
            cls.in_flight -= 1

    async def group_add(self, group, channel):
        return await self._call(super().group_add, group, channel)

    async def group_discard(self, group, channel):
        return await self._call(super().group_discard, group, channel)


async def test_a_burst_of_closes_queues_its_group_calls(settings, verified_member):
    _use_layer(settings, LayerCountingGroupCalls)
    LayerCountingGroupCalls.most = 0
    _, client = verified_member
    sockets = [await open_socket(client) for _ in range(GROUP_CALLS_AT_ONCE + 8)]
    await asyncio.gather(*(s.disconnect(code=1001) for s in sockets))
    assert LayerCountingGroupCalls.in_flight == 0
    assert LayerCountingGroupCalls.most == GROUP_CALLS_AT_ONCE
