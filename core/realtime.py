"""Signals to a person's open WebSockets through the channel layer (after commit only)."""

from __future__ import annotations

import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

log = logging.getLogger(__name__)


def user_group(user_id: int) -> str:
    return f"user.{user_id}"


def send_to_user(user_id: int, event: dict) -> None:
    """Best effort: the database already holds the truth; a lost signal only delays a client."""
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(user_group(user_id), event)
    except Exception:  # noqa: BLE001 - a down channel layer must not fail the write
        log.warning("channel layer unavailable; event for user %s not pushed", user_id)


# The group every ASGI process's fan-out listener is in (accounts.fanout).
FANOUT_GROUP = "realtime.fanout"
# Up to this many people get a per-person message; more get one fan-out message per process.
FANOUT_FROM = 4


def send_to_users(user_ids, payload: dict) -> None:
    """Best effort, like send_to_user: `payload` to the open sockets of each of `user_ids`.
    Many people (a chat room) cost one channel-layer message, handed out by each ASGI
    process to its own sockets (accounts.fanout), not one message per person."""
    ids = sorted({int(pk) for pk in user_ids})
    if len(ids) < FANOUT_FROM:
        for user_id in ids:
            send_to_user(user_id, {"type": "event.forward", "payload": payload})
        return
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(
            FANOUT_GROUP, {"type": "fanout", "users": ids, "payload": payload}
        )
    except Exception:  # noqa: BLE001 - a down channel layer must not fail the write
        log.warning("channel layer unavailable; an event for %s people not pushed", len(ids))


# --- frames a client sends on /ws/events/ ---------------------------------------------------------

# {frame type: async handler(consumer, frame)}. The socket (accounts.consumers) answers "ping"
# itself and hands every other registered type to its handler; apps above accounts register
# theirs in ready() (chat's "chat.send", "chat.resync", "chat.read"), so the one socket per
# tab carries them all and accounts imports none of them.
_frame_handlers: dict[str, object] = {}


def register_frame(frame_type: str, handler) -> None:
    _frame_handlers[frame_type] = handler


def frame_handler(frame_type: object):
    return _frame_handlers.get(frame_type) if isinstance(frame_type, str) else None


def frame_types() -> list[str]:
    """The registered app frames (besides "ping")."""
    return sorted(_frame_handlers)
