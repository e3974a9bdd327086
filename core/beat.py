"""The periodic tasks Celery beat runs, registered by the apps that own them.

Beat schedules are code: each app registers its entries from its AppConfig.ready()::

    from core import beat

    beat.register("oncall-expire-swaps", "oncall.expire_swaps", 300)

config/celery.py hands `schedule()` to beat once Django is set up; django-celery-beat's
DatabaseScheduler (`celery -A config beat -S django`) copies it into its tables at start, and
the admin site shows those rows read-only (core/admin.py). So a schedule changes by a code
change and a deploy, never by an unaudited edit in the admin.
"""

from __future__ import annotations

from datetime import timedelta

from celery.schedules import BaseSchedule
from django.core.exceptions import ImproperlyConfigured

Schedule = float | timedelta | BaseSchedule  # seconds, a timedelta, or e.g. a crontab()

_entries: dict[str, dict] = {}


def register(name: str, task: str, every: Schedule, *, queue: str | None = None) -> None:
    """Run the task named `task` on `every` (seconds, a timedelta or a crontab), on the Celery
    queue `queue` (default: the default queue). Registering the same entry again is harmless
    (ready() can run more than once in tests); a different task, schedule or queue under a
    taken name is a programming error."""
    if isinstance(every, bool) or not isinstance(every, int | float | timedelta | BaseSchedule):
        raise ImproperlyConfigured(f"Beat entry {name!r}: {every!r} is not a schedule.")
    if isinstance(every, int | float):
        if every <= 0:
            raise ImproperlyConfigured(f"Beat entry {name!r} needs a positive interval.")
        every = float(every)
    entry = {"task": task, "schedule": every}
    if queue:
        entry["options"] = {"queue": queue}
    existing = _entries.get(name)
    if existing is not None and existing != entry:
        raise ImproperlyConfigured(f"Beat entry {name!r} is already registered.")
    _entries[name] = entry


def schedule() -> dict[str, dict]:
    """Every registered entry, in Celery's beat_schedule shape (a copy: beat may change it)."""
    return {
        name: {**entry, **({"options": dict(entry["options"])} if "options" in entry else {})}
        for name, entry in _entries.items()
    }
