"""Who has Baton open now: a person is online while one of their tabs holds /ws/events/.

Each socket marks its person on connect and on every ping (the page pings every minute), in
the shared cache with a TTL of ONLINE_SECONDS, and unmarks them when it closes; a tab still
open elsewhere marks them again at its next ping. A crashed server's marks expire by
themselves. Good enough to say "online" beside a name; never used for a decision.

The sockets share one cache client per process: Django's `cache` is one per async context,
so each socket would open connections of its own (250 sockets held 282 Redis connections),
and its async methods queue on the one thread that runs sync code for the whole server.
Here one thread of its own marks, with one client.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor

from django.conf import settings
from django.core.cache import caches

ONLINE_SECONDS = 150

_shared = {"for": None, "cache": None}
# One thread does the marking: a Redis round trip is well under a millisecond, and one thread
# holds one Redis connection, however many sockets open or close at once.
_marker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="presence")


def _cache():
    # One client per process (rebuilt when the settings change, as tests do); its connection
    # pool is thread-safe.
    if _shared["for"] is not settings.CACHES:
        _shared["cache"] = caches.create_connection("default")
        _shared["for"] = settings.CACHES
    return _shared["cache"]


def _key(user_id: int) -> str:
    return f"presence:{int(user_id)}"


def _set(user_id: int) -> None:
    _cache().set(_key(user_id), 1, timeout=ONLINE_SECONDS)


def _delete(user_id: int) -> None:
    _cache().delete(_key(user_id))


async def mark_online(user_id: int) -> None:
    await asyncio.get_running_loop().run_in_executor(_marker, _set, user_id)


async def mark_offline(user_id: int) -> None:
    await asyncio.get_running_loop().run_in_executor(_marker, _delete, user_id)


def online_ids(user_ids: Iterable[int]) -> set[int]:
    """Which of these people have an open tab now (one cache round trip)."""
    keys = {_key(pk): int(pk) for pk in user_ids}
    if not keys:
        return set()
    return {keys[k] for k in _cache().get_many(list(keys))}
