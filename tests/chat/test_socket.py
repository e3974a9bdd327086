"""Chat over the one /ws/events/ socket (issue 14, part 3), against the in-memory channel
layer and, with REDIS_URL (CI), channels-redis: a message sent on a socket is written, then
reaches the room's members' sockets (not others'); bad frames are answered with an error and
write nothing; a client that reconnects resyncs from its last seq and gets exactly what it
missed, in order, even when the channel layer dropped every live event on purpose."""

from __future__ import annotations

import asyncio

import pytest
from channels.db import database_sync_to_async
from django.test import override_settings

from chat.models import Message
from tests.chat.test_messages import rows
from tests.clock import actor
from tests.ws import WAIT, open_socket

pytestmark = [
    pytest.mark.asyncio,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("close_worker_thread_connections"),
]


async def _next(socket, wanted: str, *, skip=("hello",)) -> dict:
    while True:
        frame = await socket.receive_json_from(timeout=WAIT)
        if frame.get("type") == wanted:
            return frame
        assert frame.get("type") in skip or frame.get("type", "").startswith("notification"), frame


@pytest.fixture
def clients(world):
    return {name: world.client(getattr(world, name)) for name in ("sam", "lou", "otto")}


async def test_a_message_sent_on_a_socket_reaches_the_rooms_members_only(
    channel_layer, world, clients
):
    sam = await open_socket(clients["sam"])
    lou = await open_socket(clients["lou"])
    otto = await open_socket(clients["otto"])
    await sam.send_json_to(
        {"type": "chat.send", "room": world.room.pk, "body": "Deploy done", "client_id": "c1"}
    )
    sent = await _next(sam, "chat.sent", skip=("hello", "chat.message"))
    assert sent == {"type": "chat.sent", "client_id": "c1", "room": world.room.pk, "seq": 1}
    live = await _next(lou, "chat.message")
    assert (live["room"], live["seq"], live["topic"]) == (world.room.pk, 1, "general")
    assert live["body_html"] == "<p>Deploy done</p>"
    assert live["author"]["display_name"] == "Sam Sydney"
    assert live["author"]["time_zone"] == "Australia/Sydney"
    assert await otto.receive_nothing(timeout=0.5)
    for socket in (sam, lou, otto):
        await socket.disconnect()


@pytest.mark.parametrize(
    "frame, field",
    [
        ({"type": "chat.send", "room": "ROOM", "body": ""}, "body"),
        ({"type": "chat.send", "room": "ROOM", "body": "x" * 4001}, "body"),
        ({"type": "chat.send", "room": "ROOM", "body": "hi", "extra": 1}, "frame"),
        ({"type": "chat.send", "room": "1", "body": "hi"}, "room"),
        ({"type": "chat.send", "room": 99999999, "body": "hi"}, "room"),
        ({"type": "chat.send", "room": True, "body": "hi"}, "room"),
        ({"type": "chat.send", "room": "OTHER", "body": "hi"}, "room"),
        ({"type": "chat.send", "room": "ROOM", "body": ["hi"]}, "body"),
        ({"type": "chat.read", "room": "ROOM", "seq": "x"}, "seq"),
        ({"type": "chat.resync", "rooms": [1]}, "rooms"),
    ],
)
async def test_bad_frames_are_answered_and_write_nothing(
    channel_layer, world, clients, frame, field
):
    from chat import services

    other = await database_sync_to_async(services.private_room_create)(
        actor=actor(world.lou), name="Lou's"
    )
    values = {"ROOM": world.room.pk, "OTHER": other.pk}
    frame = {k: values.get(v, v) if isinstance(v, str) else v for k, v in frame.items()}
    before = await database_sync_to_async(rows)()
    sam = await open_socket(clients["sam"])
    await sam.send_json_to(frame)
    answer = await _next(sam, "chat.error")
    assert field in answer["errors"], answer
    assert await database_sync_to_async(rows)() == before
    await sam.send_json_to({"type": "ping"})  # the socket stays open
    assert (await sam.receive_json_from(timeout=WAIT))["type"] == "pong"
    await sam.disconnect()


# A window of about 11 days: the test never straddles one (a fixed window restarts the count).
@override_settings(CHAT_RATE_MESSAGES=3, CHAT_RATE_SECONDS=10**6)
async def test_sending_too_fast_is_refused(channel_layer, world, clients):
    from django.core.cache import cache

    await database_sync_to_async(cache.clear)()
    sam = await open_socket(clients["sam"])
    for n in range(3):
        await sam.send_json_to({"type": "chat.send", "room": world.room.pk, "body": f"m{n}"})
        await _next(sam, "chat.sent", skip=("hello", "chat.message"))
    await sam.send_json_to({"type": "chat.send", "room": world.room.pk, "body": "flood"})
    answer = await _next(sam, "chat.error", skip=("hello", "chat.message"))
    assert "too fast" in answer["errors"]["body"][0]
    assert await database_sync_to_async(Message.objects.count)() == 3
    await sam.disconnect()


async def _post_many(world, n: int) -> None:
    from chat import services

    def post() -> None:
        for i in range(n):
            services.message_post(actor=actor(world.lou), room=world.room, body=f"missed {i}")

    await database_sync_to_async(post)()


async def _resync(socket, room_id: int, last: int) -> list[dict]:
    await socket.send_json_to({"type": "chat.resync", "rooms": {str(room_id): last}})
    got = []
    while True:
        frame = await socket.receive_json_from(timeout=WAIT)
        if frame["type"] == "chat.synced":
            assert frame["more"] is False
            return got
        if frame["type"] == "chat.message":
            got.append(frame)


async def test_a_reconnecting_client_resyncs_exactly_what_it_missed(channel_layer, world, clients):
    sam = await open_socket(clients["sam"])
    await sam.send_json_to({"type": "chat.send", "room": world.room.pk, "body": "before"})
    await _next(sam, "chat.sent", skip=("hello", "chat.message"))
    await sam.disconnect()
    await _post_many(world, 50)
    again = await open_socket(clients["sam"])
    missed = await _resync(again, world.room.pk, 1)
    assert [f["seq"] for f in missed] == list(range(2, 52))
    assert [f["body_html"] for f in missed] == [f"<p>missed {i}</p>" for i in range(50)]
    await again.disconnect()


async def test_resync_covers_what_the_channel_layer_dropped(
    channel_layer, world, clients, monkeypatch
):
    from channels.layers import get_channel_layer

    sam = await open_socket(clients["sam"])
    dropped = []

    async def lose(group, message):
        dropped.append(group)

    # The layer is at-most-once: here it loses every event on purpose (per person or fanned
    # out to the processes alike).
    monkeypatch.setattr(get_channel_layer(), "group_send", lose)
    await _post_many(world, 50)
    assert await sam.receive_nothing(timeout=0.5)
    assert dropped
    missed = await _resync(sam, world.room.pk, 0)
    assert [f["seq"] for f in missed] == list(range(1, 51))
    await sam.disconnect()


async def test_reading_on_one_tab_tells_the_others(channel_layer, world, clients):
    await _post_many(world, 3)
    tab1 = await open_socket(clients["sam"])
    tab2 = await open_socket(clients["sam"])
    await tab1.send_json_to({"type": "chat.read", "room": world.room.pk, "seq": 2})
    frame = await _next(tab2, "chat.read")
    assert frame == {"type": "chat.read", "room": world.room.pk, "seq": 2}
    await asyncio.gather(tab1.disconnect(), tab2.disconnect())


async def test_a_room_message_is_one_channel_layer_message_however_many_members(
    channel_layer, world, clients, monkeypatch
):
    """accounts.fanout: one message for the room, handed out by the process to its sockets."""
    from channels.layers import get_channel_layer

    layer = get_channel_layer()
    real = layer.group_send
    groups = []

    async def counting(group, message):
        groups.append(group)
        return await real(group, message)

    monkeypatch.setattr(layer, "group_send", counting)
    sam = await open_socket(clients["sam"])
    lou = await open_socket(clients["lou"])
    otto = await open_socket(clients["otto"])
    await _post_many(world, 1)
    assert (await _next(sam, "chat.message"))["seq"] == 1
    assert (await _next(lou, "chat.message"))["seq"] == 1
    assert await otto.receive_nothing(timeout=0.5)
    assert groups == ["realtime.fanout"]  # four people in Support: one message, not four
    for socket in (sam, lou, otto):
        await socket.disconnect()
