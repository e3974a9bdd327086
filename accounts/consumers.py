"""/ws/events/: a person's live event stream (session ends, notifications).

The stream runs server to client. A client may send a JSON text `{"type": "ping"}`, answered
with `{"type": "pong"}`, and the frames apps register (core.realtime.register_frame: chat's
send, resync and read), answered by their handlers. Anything else is refused without a
traceback, and what happens depends on what arrived:

- text that is not JSON, JSON nested deeper than 32 levels, non-finite or overflowing
  numbers, a JSON value that is not an object, or an object of another type: the socket
  stays open and gets `{"type": "error", "detail": "<why>"}`;
- more than REFUSED_PER_MINUTE such frames within a minute: closed with 4008 (a client in a
  loop, or someone probing);
- a text frame larger than MAX_FRAME_BYTES (64 KiB, UTF-8): closed with 4009, unread (past
  uvicorn's --ws-max-size, 16 MiB, the server itself closes with 1009 first);
- a binary frame: closed with 4003. The protocol is JSON text and no Baton client sends
  binary, so it is a broken or foreign client (RFC 6455's 1003, "unsupported data").

Other codes: 4001 the person's session ended (do not reconnect); 4401 the handshake was
refused (accounts.ws_auth). A handshake the channel layer cannot serve (Redis down or out of
connections) is refused with a warning in the log; the client retries later.
"""

from __future__ import annotations

import asyncio
import collections
import logging
from time import monotonic

from channels.generic.websocket import AsyncJsonWebsocketConsumer
from redis.exceptions import RedisError

from core import metrics, presence
from core.parsers import loads_limited
from core.realtime import frame_handler, frame_types, user_group

from . import fanout

logger = logging.getLogger(__name__)

# What the channel layer raises when Redis is slow, unreachable or cut off mid-read.
LAYER_ERRORS = (RedisError, OSError, TimeoutError)

MAX_FRAME_BYTES = 64 * 1024  # a ping is 16 bytes; nothing a client sends comes close
REFUSED_PER_MINUTE = 20

CLOSE_BINARY = 4003
CLOSE_FLOOD = 4008
CLOSE_TOO_BIG = 4009

GROUP_CALLS_AT_ONCE = fanout.GROUP_CALLS_AT_ONCE
_group_call_slot = fanout.group_call_slot


class EventsConsumer(AsyncJsonWebsocketConsumer):
    # Set once the socket is gone (the client left or the server closed it).
    closing = False
    # Set when this consumer has closed the socket: frames still in flight are ignored.
    closed_here = False

    # Set while this socket counts in the open-connections gauge (core.metrics).
    counted = False

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
        finally:
            self._uncount()

    def _uncount(self) -> None:
        if self.counted:
            self.counted = False
            metrics.websocket_connections.dec()

    async def connect(self):
        self.user = self.scope["user"]  # set by VerifiedPersonMiddleware
        group = user_group(self.user.pk)
        try:
            async with _group_call_slot():
                await self.channel_layer.group_add(group, self.channel_name)
        except LAYER_ERRORS as exc:
            # Without the group the socket would never get an event; refuse the handshake
            # and let the client's back-off retry, rather than end in a traceback.
            logger.warning(
                "WebSocket %s refused: the channel layer failed: %s: %s",
                self.scope.get("path", ""),
                type(exc).__name__,
                exc,
            )
            await self.close()
            return
        self.group = group
        self.refused = collections.deque()
        await self.accept()
        self.counted = True
        metrics.websocket_connections.inc()
        fanout.register(self, self.user.pk)
        self.fanout_registered = True
        await self._mark_online()
        await self.send_json({"type": "hello", "user": self.user.pk})

    async def _mark_online(self) -> None:
        # Best effort (core.presence): a cache hiccup must not drop the socket.
        try:
            await presence.mark_online(self.user.pk)
        except LAYER_ERRORS as exc:
            logger.warning("presence not recorded: %s: %s", type(exc).__name__, exc)

    async def websocket_receive(self, message):
        # Replaces the JSON consumer's decoding, which let json.loads' errors (and
        # RecursionError on deep nesting) escape and drop the socket with a traceback.
        if self.closed_here:
            return
        text = message.get("text")
        if text is None:
            await self._close_for(CLOSE_BINARY, "a binary frame")
            return
        # Characters first, so a huge frame is never encoded just to be measured.
        if len(text) > MAX_FRAME_BYTES or len(text.encode()) > MAX_FRAME_BYTES:
            await self._close_for(CLOSE_TOO_BIG, "a frame over 64 KiB")
            return
        try:
            content = loads_limited(text)
        except ValueError as exc:
            await self.refuse(f"Frames must be JSON: {exc}.")
            return
        await self.receive_json(content)

    async def receive_json(self, content, **kwargs):
        # The stream is server-to-client; answer pings so clients can check liveness.
        if not isinstance(content, dict):
            await self.refuse("Frames must be JSON objects.")
        elif content.get("type") == "ping":
            await self._mark_online()
            await self.send_json({"type": "pong"})
        elif (handler := frame_handler(content.get("type"))) is not None:
            # An app's frame (core.realtime.register_frame): it answers on this socket.
            await handler(self, content)
        else:
            others = frame_types()
            also = f" and {', '.join(others)}" if others else ""
            await self.refuse(f"Only 'ping'{also} are accepted.")

    async def refuse(self, detail: str) -> None:
        """Answer a bad frame with an error event; close once they come too fast."""
        now = monotonic()
        self.refused.append(now)
        while now - self.refused[0] > 60:
            self.refused.popleft()
        if len(self.refused) > REFUSED_PER_MINUTE:
            await self._close_for(CLOSE_FLOOD, f"over {REFUSED_PER_MINUTE} bad frames a minute")
        else:
            await self.send_json({"type": "error", "detail": detail})

    async def _close_for(self, code: int, why: str) -> None:
        logger.info("WebSocket %s closed (%s): %s", self.scope.get("path", ""), code, why)
        self.closed_here = True
        await self.close(code=code)

    async def websocket_disconnect(self, message):
        self.closing = True
        await super().websocket_disconnect(message)

    async def disconnect(self, code):
        self._uncount()
        if getattr(self, "fanout_registered", False):
            self.fanout_registered = False
            await fanout.unregister(self, self.user.pk)
        if hasattr(self, "group"):
            async with _group_call_slot():
                await self.channel_layer.group_discard(self.group, self.channel_name)
            try:
                await presence.mark_offline(self.user.pk)
            except LAYER_ERRORS as exc:
                logger.warning("presence not cleared: %s: %s", type(exc).__name__, exc)

    async def dispatch(self, message):
        # Channels closes stale database connections before every handler, a hop onto the
        # one thread that runs sync code in this process; forwarding an event touches no
        # database, and that hop made every socket's copy of a chat message wait for the
        # sender's whole write (bench/chat_fanout.py).
        if message.get("type") == "event.forward":
            await self.event_forward(message)
            return
        await super().dispatch(message)

    async def session_ended(self, event):
        if self.closed_here:
            return
        await self.send_json({"type": "session.ended"})
        self.closed_here = True
        await self.close(code=4001)

    async def forward(self, payload: dict) -> None:
        """An event for this socket's person (accounts.fanout hands them out here)."""
        if not self.closed_here and not self.closing:
            await self.send_json(payload)

    async def event_forward(self, event):
        # After this side's close the server refuses any send (a RuntimeError), and events
        # can still be queued for the socket until its disconnect arrives.
        if not self.closed_here:
            await self.send_json(event.get("payload", {}))
