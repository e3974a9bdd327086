"""WebSockets are default-deny too: only a verified person's session connects to /ws/events/,
and ending a person's sessions closes their open sockets.

Each test runs against the in-memory channel layer and, when REDIS_URL is set (CI), against
channels-redis on a real Redis.
"""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client

from config.asgi import application
from config.routing import websocket_urlpatterns
from teams import services
from teams.audit import Actor
from tests.conftest import sign_in
from tests.factories import PersonFactory
from tests.ws import cookie_headers

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
