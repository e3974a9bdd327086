"""Versioned cache entries for org-wide numbers that every directory view needs but that change
rarely: the count of active people and the team picker's (id, name) list.

Services bump a version on commit of every write that can change them, which makes the old
entries unreachable at once; a short timeout bounds staleness after writes that bypass the
services (the Django admin site, raw SQL).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache
from django.db import transaction

T = TypeVar("T")

PEOPLE = "people"
TEAMS = "teams"
TIMEOUT_SECONDS = 60


def _version_key(name: str) -> str:
    return f"teams:version:{name}"


def invalidate(name: str) -> None:
    """Make everything cached under `name` unreachable, now."""
    try:
        cache.incr(_version_key(name))
    except ValueError:  # not there yet (or evicted): any new value differs from old keys
        cache.set(_version_key(name), _fresh_version(), None)


def bump(name: str) -> None:
    """Invalidate `name` now, and again when the current transaction commits, so a value that
    another request cached from the not-yet-committed state is dropped too."""
    invalidate(name)
    transaction.on_commit(lambda: invalidate(name))


def _fresh_version() -> int:
    return int(time.time() * 1000)


# This process's copies of recent values, by versioned key: the team list of a big org is
# 1,500 pairs, and fetching and unpickling it from the shared cache on every request cost more
# than the version check. A copy is served only while its version is current, and for a few
# seconds, so the timeout still bounds staleness after writes that bypass the services.
_local: dict[str, tuple[float, object]] = {}
_LOCAL_MAX = 64
_LOCAL_SECONDS = 10


def cached(name: str, key: str, compute: Callable[[], T]) -> T:
    """The value of `compute()` cached under `name` (all such values go stale together when
    bump(name) runs) and `key`, for at most TIMEOUT_SECONDS. Treat it as read-only."""
    version = cache.get(_version_key(name))
    if version is None:
        version = _fresh_version()
        cache.add(_version_key(name), version, None)
        version = cache.get(_version_key(name), version)
    full_key = f"teams:{name}:{version}:{key}"
    now = time.monotonic()
    local = _local.get(full_key)
    if local is not None and local[0] > now:
        return local[1]
    value = cache.get(full_key)
    if value is None:
        value = compute()
        cache.set(full_key, value, TIMEOUT_SECONDS)
    if len(_local) >= _LOCAL_MAX:
        _local.clear()
    _local[full_key] = (now + _LOCAL_SECONDS, value)
    return value
