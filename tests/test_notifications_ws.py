"""A live notification reaches the person's open WebSocket on commit (in-memory channel layer,
and channels-redis on a real Redis when REDIS_URL is set, as in CI); a client that was away
fetches what it missed by id."""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client

from notifications import services
from tests.conftest import sign_in
from tests.factories import PersonFactory
from tests.ws import socket_for

ALWAYS = {day: ["00:00-24:00"] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}

pytestmark = [
    pytest.mark.asyncio,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("close_worker_thread_connections"),
]


@pytest.fixture
def signed_in(db):
    person = PersonFactory(working_hours=ALWAYS)
    return person, sign_in(Client(), person)


def _socket(client: Client) -> WebsocketCommunicator:
    return socket_for(client)


def _notify(person, key, **kwargs):
    return services.notify(
        recipients=[person],
        kind="chat.mention",
        title=f"Mention {key}",
        idempotency_key=key,
        **kwargs,
    )


async def test_live_notification_arrives_on_commit(channel_layer, signed_in):
    person, client = signed_in
    socket = _socket(client)
    connected, _ = await socket.connect()
    assert connected
    assert (await socket.receive_json_from())["type"] == "hello"

    (n,) = await database_sync_to_async(_notify)(person, "live-1", url="/teams/")

    event = await socket.receive_json_from(timeout=5)
    assert event["type"] == "notification"
    assert event["unread_count"] == 1
    assert event["notification"]["id"] == n.pk
    assert event["notification"]["title"] == "Mention live-1"
    assert event["notification"]["url"] == "/teams/"
    # Same key again: nothing new is pushed.
    await database_sync_to_async(_notify)(person, "live-1")
    assert await socket.receive_nothing(timeout=0.3)
    await socket.disconnect()


async def test_others_do_not_receive_it(channel_layer, signed_in):
    person, client = signed_in
    other = await database_sync_to_async(PersonFactory)(working_hours=ALWAYS)
    socket = _socket(client)
    assert (await socket.connect())[0]
    await socket.receive_json_from()  # hello
    await database_sync_to_async(_notify)(other, "theirs")
    assert await socket.receive_nothing(timeout=0.3)
    await socket.disconnect()


async def test_reconnecting_client_fetches_what_it_missed_by_id(channel_layer, signed_in):
    person, client = signed_in
    socket = _socket(client)
    assert (await socket.connect())[0]
    await socket.receive_json_from()
    (first,) = await database_sync_to_async(_notify)(person, "a")
    seen = (await socket.receive_json_from(timeout=5))["notification"]["id"]
    assert seen == first.pk
    await socket.disconnect()

    # While the socket is down, two more arrive; nothing is lost, the API has them by id.
    await database_sync_to_async(_notify)(person, "b")
    await database_sync_to_async(_notify)(person, "c")
    response = await database_sync_to_async(client.get)(f"/api/v1/notifications/?after_id={seen}")
    assert [n["title"] for n in response.json()["results"]] == ["Mention b", "Mention c"]

    again = _socket(client)
    assert (await again.connect())[0]
    await again.receive_json_from()
    (fourth,) = await database_sync_to_async(_notify)(person, "d")
    assert (await again.receive_json_from(timeout=5))["notification"]["id"] == fourth.pk
    await again.disconnect()
