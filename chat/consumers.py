"""Chat's frames on the one /ws/events/ socket (registered with core.realtime in ready()).

* `{"type": "chat.send", "room": id, "body": text, "topic"?: text, "urgent"?: bool,
  "client_id"?: text}`: the message is written (membership, size and rate checked by
  chat.services.message_post), then published to the room's members on commit; this socket
  is answered `{"type": "chat.sent", "client_id", "room", "seq"}`, or `{"type": "chat.error",
  "client_id", "errors": {field: [messages]}}` with nothing written.
* `{"type": "chat.resync", "rooms": {"<room id>": last seq seen, ...}}`: for each room the
  person is in, every message after that seq, in order, as `chat.message` frames (at most
  MAX_PAGE a room; then `{"type": "chat.synced", "room", "last_seq", "more"}`: with `more`,
  ask again from the last seq received). The channel layer delivers at most once; this is
  how a client that reconnected, or missed an event, loses nothing.
* `{"type": "chat.read", "room": id, "seq": n}`: moves the read pointer (`chat.read` back).
"""

from __future__ import annotations

from channels.db import database_sync_to_async
from django.core.exceptions import ValidationError

from core.audit import Actor

from . import selectors, services, validation

SEND_KEYS = {"type", "room", "body", "topic", "urgent", "client_id"}
MAX_RESYNC_ROOMS = 200


def _client_id(frame: dict) -> str | None:
    value = frame.get("client_id")
    return value if isinstance(value, str) and len(value) <= 64 else None


def _room_of(user, value):
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 2**63:
        raise ValidationError({"room": validation.NO_ROOM})
    room = selectors.room_for_page(user, value)
    if room is None:
        raise ValidationError({"room": validation.NO_ROOM})
    return room


def _send(user, frame: dict):
    unknown = sorted(str(k) for k in set(frame) - SEND_KEYS)
    if unknown:
        raise ValidationError({"frame": f"Unknown field(s): {', '.join(unknown)[:100]}."})
    room = _room_of(user, frame.get("room"))
    return services.message_post(
        actor=Actor(user=user, via="websocket"),
        room=room,
        body=frame.get("body"),
        topic=frame.get("topic"),
        urgent=frame.get("urgent", False),
    )


async def send_frame(consumer, frame: dict) -> None:
    client_id = _client_id(frame)
    try:
        message = await database_sync_to_async(_send)(consumer.user, frame)
    except ValidationError as exc:
        errors = exc.message_dict if hasattr(exc, "error_dict") else {"frame": exc.messages}
        await consumer.send_json({"type": "chat.error", "client_id": client_id, "errors": errors})
        return
    await consumer.send_json(
        {"type": "chat.sent", "client_id": client_id, "room": message.room_id, "seq": message.seq}
    )


def _resync(user, rooms: dict) -> list[dict]:
    frames = []
    for key, last in list(rooms.items())[:MAX_RESYNC_ROOMS]:
        room_id = int(key) if isinstance(key, str) and key.isdecimal() and len(key) < 19 else None
        room = selectors.room_for_page(user, room_id) if room_id else None
        if room is None or isinstance(last, bool) or not isinstance(last, int) or last < 0:
            frames.append(
                {
                    "type": "chat.error",
                    "room": key[:20],
                    "errors": {
                        "room": [
                            validation.NO_ROOM
                            if room is None
                            else "A last seq is a whole number from 0."
                        ]
                    },
                }
            )
            continue
        messages = selectors.messages_after(room, last, limit=selectors.MAX_PAGE)
        frames += [services.message_event(m, "new") for m in messages]
        room.refresh_from_db(fields=["last_seq"])
        seen = messages[-1].seq if messages else last
        frames.append(
            {"type": "chat.synced", "room": room.pk, "last_seq": seen, "more": seen < room.last_seq}
        )
    return frames


async def resync_frame(consumer, frame: dict) -> None:
    rooms = frame.get("rooms")
    if not isinstance(rooms, dict):
        await consumer.send_json(
            {"type": "chat.error", "errors": {"rooms": ["Give {room id: last seq seen}."]}}
        )
        return
    for out in await database_sync_to_async(_resync)(consumer.user, rooms):
        await consumer.send_json(out)


def _read(user, frame: dict) -> int:
    room = _room_of(user, frame.get("room"))
    return services.room_mark_read(
        actor=Actor(user=user, via="websocket"), room=room, seq=frame.get("seq")
    )


async def read_frame(consumer, frame: dict) -> None:
    try:
        await database_sync_to_async(_read)(consumer.user, frame)
    except ValidationError as exc:
        errors = exc.message_dict if hasattr(exc, "error_dict") else {"frame": exc.messages}
        await consumer.send_json({"type": "chat.error", "errors": errors})
