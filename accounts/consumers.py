"""/ws/events/: a person's live event stream (session ends now; notifications later)."""

from __future__ import annotations

from channels.generic.websocket import AsyncJsonWebsocketConsumer

from .events import user_group


class EventsConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self):
        self.user = self.scope["user"]  # set by VerifiedPersonMiddleware
        self.group = user_group(self.user.pk)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        await self.send_json({"type": "hello", "user": self.user.pk})

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
