"""Who has Baton open now: a person is online while one of their tabs holds /ws/events/.

Each socket marks its person on connect and on every frame (the page pings every minute),
in the shared cache with a TTL of ONLINE_SECONDS, and unmarks them when it closes; a tab
still open elsewhere marks them again at its next ping. A crashed server's marks expire by
themselves. Good enough to say "online" beside a name; never used for a decision.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.cache import cache

ONLINE_SECONDS = 150


def _key(user_id: int) -> str:
    return f"presence:{int(user_id)}"


async def mark_online(user_id: int) -> None:
    await cache.aset(_key(user_id), 1, timeout=ONLINE_SECONDS)


async def mark_offline(user_id: int) -> None:
    await cache.adelete(_key(user_id))


def online_ids(user_ids: Iterable[int]) -> set[int]:
    """Which of these people have an open tab now (one cache round trip)."""
    keys = {_key(pk): int(pk) for pk in user_ids}
    if not keys:
        return set()
    return {keys[k] for k in cache.get_many(list(keys))}
