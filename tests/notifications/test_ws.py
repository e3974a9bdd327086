"""A live notification reaches the person's open WebSocket on commit (in-memory channel layer,
and channels-redis on a real Redis when REDIS_URL is set, as in CI); a client that was away
fetches what it missed by id."""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async
from django.test import Client

from notifications import services
from tests.conftest import sign_in
from tests.factories import ALWAYS, PersonFactory
from tests.ws import WAIT, open_socket

pytestmark = [
    pytest.mark.asyncio,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("close_worker_thread_connections"),
]


@pytest.fixture
def signed_in(db):
    person = PersonFactory(working_hours=ALWAYS)
    return person, sign_in(Client(), person)


def _notify(person, key, **kwargs):
    return services.notify(
        recipients=[person],
        kind="chat.mention",
        title=f"Mention {key}",
        idempotency_key=key,
        **kwargs,
    )


async def _next_is_the_last(socket, person, key: str, *, unread: int) -> None:
    """Notify `person` once more (`key`): that is the next event on `socket`, with `unread`
    unread, and nothing comes after it. Then the socket closes."""
    (marker,) = await database_sync_to_async(_notify)(person, key)
    event = await socket.receive_json_from(timeout=WAIT)
    assert event["notification"]["id"] == marker.pk
    assert event["unread_count"] == unread
    assert await socket.receive_nothing()
    await socket.disconnect(timeout=WAIT)


async def test_live_notification_arrives_on_commit(channel_layer, signed_in):
    person, client = signed_in
    socket = await open_socket(client)

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
    await _next_is_the_last(socket, person, "live-2", unread=2)


async def test_others_do_not_receive_it(channel_layer, signed_in):
    person, client = signed_in
    other = await database_sync_to_async(PersonFactory)(working_hours=ALWAYS)
    socket = await open_socket(client)
    await database_sync_to_async(_notify)(other, "theirs")
    # A marker of the person's own after it: the first event they get is the marker.
    await _next_is_the_last(socket, person, "mine", unread=1)


async def test_reconnecting_client_fetches_what_it_missed_by_id(channel_layer, signed_in):
    person, client = signed_in
    socket = await open_socket(client)
    (first,) = await database_sync_to_async(_notify)(person, "a")
    seen = (await socket.receive_json_from(timeout=WAIT))["notification"]["id"]
    assert seen == first.pk
    await socket.disconnect(timeout=WAIT)

    # While the socket is down, two more arrive; nothing is lost, the API has them by id.
    await database_sync_to_async(_notify)(person, "b")
    await database_sync_to_async(_notify)(person, "c")
    response = await database_sync_to_async(client.get)(f"/api/v1/notifications/?after_id={seen}")
    assert [n["title"] for n in response.json()["results"]] == ["Mention b", "Mention c"]

    again = await open_socket(client)
    (fourth,) = await database_sync_to_async(_notify)(person, "d")
    assert (await again.receive_json_from(timeout=WAIT))["notification"]["id"] == fourth.pk
    await again.disconnect(timeout=WAIT)
