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

# How long a step may take before the test fails. Not a pause: every wait below ends as soon
# as what it waits for arrives. channels' defaults (1 s to connect, 1 s per message) were too
# short for a loaded machine (two workers, the consumer's queries in a thread pool), where a
# hello or a live event now and then took longer and the test timed out.
WAIT = 10

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


async def _open(client: Client) -> WebsocketCommunicator:
    """A connected socket whose hello has been read, so the next message is a live one."""
    socket = socket_for(client)
    connected, _ = await socket.connect(timeout=WAIT)
    assert connected
    assert (await socket.receive_json_from(timeout=WAIT))["type"] == "hello"
    return socket


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
    socket = await _open(client)

    (n,) = await database_sync_to_async(_notify)(person, "live-1", url="/teams/")

    event = await socket.receive_json_from(timeout=WAIT)
    assert event["type"] == "notification"
    assert event["unread_count"] == 1
    assert event["notification"]["id"] == n.pk
    assert event["notification"]["title"] == "Mention live-1"
    assert event["notification"]["url"] == "/teams/"
    # Same key again: nothing new is pushed. Rather than wait a while and see nothing come,
    # send a marker after it: events arrive in order, so the next one is the marker.
    assert [d.pk for d in await database_sync_to_async(_notify)(person, "live-1")] == [n.pk]
    (marker,) = await database_sync_to_async(_notify)(person, "live-2")
    event = await socket.receive_json_from(timeout=WAIT)
    assert event["notification"]["id"] == marker.pk
    assert event["unread_count"] == 2
    assert await socket.receive_nothing()
    await socket.disconnect(timeout=WAIT)


async def test_others_do_not_receive_it(channel_layer, signed_in):
    person, client = signed_in
    other = await database_sync_to_async(PersonFactory)(working_hours=ALWAYS)
    socket = await _open(client)
    await database_sync_to_async(_notify)(other, "theirs")
    # A marker of the person's own after it: the first event they get is the marker.
    (mine,) = await database_sync_to_async(_notify)(person, "mine")
    event = await socket.receive_json_from(timeout=WAIT)
    assert event["notification"]["id"] == mine.pk
    assert event["unread_count"] == 1
    assert await socket.receive_nothing()
    await socket.disconnect(timeout=WAIT)


async def test_reconnecting_client_fetches_what_it_missed_by_id(channel_layer, signed_in):
    person, client = signed_in
    socket = await _open(client)
    (first,) = await database_sync_to_async(_notify)(person, "a")
    seen = (await socket.receive_json_from(timeout=WAIT))["notification"]["id"]
    assert seen == first.pk
    await socket.disconnect(timeout=WAIT)

    # While the socket is down, two more arrive; nothing is lost, the API has them by id.
    await database_sync_to_async(_notify)(person, "b")
    await database_sync_to_async(_notify)(person, "c")
    response = await database_sync_to_async(client.get)(f"/api/v1/notifications/?after_id={seen}")
    assert [n["title"] for n in response.json()["results"]] == ["Mention b", "Mention c"]

    again = await _open(client)
    (fourth,) = await database_sync_to_async(_notify)(person, "d")
    assert (await again.receive_json_from(timeout=WAIT))["notification"]["id"] == fourth.pk
    await again.disconnect(timeout=WAIT)
