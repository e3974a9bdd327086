"""One channel-layer message per ASGI process for an event many people get (a chat message to a
room of 200): the process hands it to its own sockets of those people.

core.realtime.send_to_users puts {"type": "fanout", "users": [ids], "payload": {...}} into the
group FANOUT_GROUP once. In every ASGI process that holds sockets, one listener (a channel of
its own in that group, one per event loop and channel layer) receives it and gives the payload
to each local socket whose person is in `users`, as an `event.forward` would. Who gets it is
decided when it is sent (the room's members then), never by a subscription a socket made
earlier, so losing access loses the events at once. A listener starts with its process's
first socket and stops with its last.

The channel layer stays at-most-once: a listener that misses a message (Redis down, the
process busy past the layer's expiry) loses it for its sockets, and their clients' resync
finds it, as with any event. Sending one message per person instead cost the sender ~2.3 ms
of server CPU a person, serially (bench/chat_fanout.py: p95 ~500 ms for a room of 200).
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections import defaultdict
from contextlib import asynccontextmanager

from core.realtime import FANOUT_GROUP

logger = logging.getLogger(__name__)

# Group calls (join on open, leave on close) in flight at once per process. channels-redis
# takes a pool connection for each call and keeps every connection it ever opened: 1,000
# sockets closing together left 990 connections to Redis open, and past the pool's ceiling
# each call failed. Queued here, a burst of any size keeps the pool near this size.
GROUP_CALLS_AT_ONCE = 32
_gates: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


@asynccontextmanager
async def group_call_slot():
    # One semaphore per event loop: an asyncio primitive belongs to the loop it first waits
    # on, and tests run each case on a loop of its own.
    loop = asyncio.get_running_loop()
    gate = _gates.get(loop)
    if gate is None:
        gate = _gates[loop] = asyncio.Semaphore(GROUP_CALLS_AT_ONCE)
    async with gate:
        yield


# How often a listener renews its group membership (channels-redis forgets a member after
# its group_expiry, a day by default).
RENEW_SECONDS = 3600
RETRY_SECONDS = 1.0


class _Listener:
    def __init__(self, layer) -> None:
        self.layer = layer
        self.sockets: dict[int, set] = defaultdict(set)
        self.channel: str | None = None
        self.task: asyncio.Task | None = None

    def start(self) -> None:
        self.task = asyncio.get_running_loop().create_task(self.run(), name="realtime-fanout")

    async def run(self) -> None:
        while True:
            try:
                if self.channel is None:
                    # The default ("specific.") prefix: channels-redis reads every channel of
                    # a process through one list and one receive loop, keyed by that prefix;
                    # a channel of another prefix would never be read while a socket waits.
                    self.channel = await self.layer.new_channel()
                    async with group_call_slot():
                        await self.layer.group_add(FANOUT_GROUP, self.channel)
                    renewed = asyncio.get_running_loop().time()
                message = await self.layer.receive(self.channel)
                await self.deliver(message)
                if asyncio.get_running_loop().time() - renewed > RENEW_SECONDS:
                    await self.layer.group_add(FANOUT_GROUP, self.channel)
                    renewed = asyncio.get_running_loop().time()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - keep listening; resync covers the loss
                logger.warning("fan-out listener: %s: %s", type(exc).__name__, exc)
                self.channel = None
                await asyncio.sleep(RETRY_SECONDS)

    async def deliver(self, message: dict) -> None:
        if message.get("type") != "fanout":
            return
        payload = message.get("payload") or {}
        for user_id in message.get("users") or ():
            for socket in list(self.sockets.get(user_id, ())):
                try:
                    await socket.forward(payload)
                except Exception as exc:  # noqa: BLE001 - one closing socket stops no other
                    logger.info("fan-out to a closing socket: %s", type(exc).__name__)

    async def stop(self) -> None:
        if self.task is not None:
            self.task.cancel()
            try:
                await self.task
            except (asyncio.CancelledError, Exception):  # noqa: BLE001 - stopping anyway
                pass
        if self.channel is not None:
            try:
                async with group_call_slot():
                    await self.layer.group_discard(FANOUT_GROUP, self.channel)
            except Exception as exc:  # noqa: BLE001 - the membership expires by itself
                logger.warning("fan-out listener not removed: %s: %s", type(exc).__name__, exc)


# {event loop: {channel layer: listener}}
_listeners: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def register(socket, user_id: int) -> None:
    """A socket of `user_id` in this process gets the fan-out events meant for them."""
    loop = asyncio.get_running_loop()
    by_layer = _listeners.setdefault(loop, {})
    listener = by_layer.get(id(socket.channel_layer))
    if listener is None:
        listener = by_layer[id(socket.channel_layer)] = _Listener(socket.channel_layer)
        listener.start()
    listener.sockets[user_id].add(socket)


async def unregister(socket, user_id: int) -> None:
    loop = asyncio.get_running_loop()
    by_layer = _listeners.get(loop, {})
    listener = by_layer.get(id(socket.channel_layer))
    if listener is None:
        return
    mine = listener.sockets.get(user_id)
    if mine is not None:
        mine.discard(socket)
        if not mine:
            del listener.sockets[user_id]
    if not listener.sockets:
        del by_layer[id(socket.channel_layer)]
        await listener.stop()
