"""Versioned cache entries for org-wide values that many pages need but that change rarely
(teams': the count of active people and the team picker's (id, name) list).

Values that go stale together form a Group: the owning app's namespace (the key prefix, so
apps never collide) and a name, e.g. `Group("teams", "people")`. Services bump a group's
version on commit of every write that can change its values, which makes the old entries
unreachable at once; a short timeout bounds staleness after writes that bypass the services
(the Django admin site, raw SQL).
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from django.core.cache import cache
from django.db import transaction

T = TypeVar("T")

TIMEOUT_SECONDS = 60


@dataclass(frozen=True)
class Group:
    """Cached values that go stale together: `namespace` is the owning app's (e.g. "teams"),
    `name` the group's within it."""

    namespace: str
    name: str

    @property
    def version_key(self) -> str:
        return f"{self.namespace}:version:{self.name}"

    def value_key(self, version: int, key: str) -> str:
        return f"{self.namespace}:{self.name}:{version}:{key}"


def invalidate(group: Group) -> None:
    """Make everything cached under `group` unreachable, now."""
    try:
        cache.incr(group.version_key)
    except ValueError:  # not there yet (or evicted): any new value differs from old keys
        cache.set(group.version_key, _fresh_version(), None)


def bump(group: Group) -> None:
    """Invalidate `group` now, and again when the current transaction commits, so a value that
    another request cached from the not-yet-committed state is dropped too."""
    invalidate(group)
    transaction.on_commit(lambda: invalidate(group))


def _fresh_version() -> int:
    # Random, not the clock: a version that repeats would serve another cache's values from
    # this process's copies (_local) - tests that stop the clock at the same instant, each
    # with a fresh cache, got the previous test's team list.
    return secrets.randbits(62)


# This process's copies of recent values, by versioned key: the team list of a big org is
# 1,500 pairs, and fetching and unpickling it from the shared cache on every request cost more
# than the version check. A copy is served only while its version is current, and for a few
# seconds, so the timeout still bounds staleness after writes that bypass the services.
_local: dict[str, tuple[float, object]] = {}
_LOCAL_MAX = 64
_LOCAL_SECONDS = 10


def cached(group: Group, key: str, compute: Callable[[], T]) -> T:
    """The value of `compute()` cached under `group` (all such values go stale together when
    bump(group) runs) and `key`, for at most TIMEOUT_SECONDS. Treat it as read-only."""
    version = cache.get(group.version_key)
    if version is None:
        version = _fresh_version()
        cache.add(group.version_key, version, None)
        version = cache.get(group.version_key, version)
    full_key = group.value_key(version, key)
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
