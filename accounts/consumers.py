"""/ws/events/: a person's live event stream (session ends now; notifications later)."""

from __future__ import annotations

import asyncio
import logging

from channels.generic.websocket import AsyncJsonWebsocketConsumer
from redis.exceptions import RedisError

from .events import user_group

logger = logging.getLogger(__name__)

# What the channel layer raises when Redis is slow, unreachable or cut off mid-read.
LAYER_ERRORS = (RedisError, OSError, TimeoutError)


class EventsConsumer(AsyncJsonWebsocketConsumer):
    # Set once the socket is gone (the client left or the server closed it).
    closing = False

    async def __call__(self, scope, receive, send):
        try:
            await super().__call__(scope, receive, send)
        except (*LAYER_ERRORS, asyncio.CancelledError) as exc:
            # While the socket is open these are real failures: the server logs them. Once it
            # is closed, the only work left is leaving the group and stopping the layer
            # receive loop, and a layer hiccup (or the server cancelling a finished socket)
            # there loses nothing: the group membership expires by itself.
            if not self.closing:
                raise
            logger.warning(
                "WebSocket %s closed; its channel-layer cleanup failed: %s: %s",
                scope.get("path", ""),
                type(exc).__name__,
                exc,
            )

    async def connect(self):
        self.user = self.scope["user"]  # set by VerifiedPersonMiddleware
        self.group = user_group(self.user.pk)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        await self.send_json({"type": "hello", "user": self.user.pk})

    async def websocket_disconnect(self, message):
        self.closing = True
        await super().websocket_disconnect(message)

    async def disconnect(self, code):
        if hasattr(self, "group"):
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive_json(self, content, **kwargs):
        # The stream is server-to-client; answer pings so clients can check liveness.
        if isinstance(content, dict) and content.get("type") == "ping":
            await self.send_json({"type": "pong"})
        else:
            await self.send_json({"type": "error", "detail": "Only 'ping' is accepted."})

    async def session_ended(self, event):
        await self.send_json({"type": "session.ended"})
        await self.close(code=4001)

    async def event_forward(self, event):
        await self.send_json(event.get("payload", {}))
