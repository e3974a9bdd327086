"""Time helpers the app test worlds share: an instant in UTC, a stopped clock at an instant,
and a person's actor."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import UTC, datetime

import time_machine

from core.audit import Actor


def actor(user) -> Actor:
    return Actor(user=user, via="test")


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


@contextmanager
def at(instant: datetime):
    """The clock stopped at `instant` (UTC) for the block."""
    with time_machine.travel(instant, tick=False):
        yield
