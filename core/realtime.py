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
