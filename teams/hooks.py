"""What apps above teams do when teams changes something they keep derived data from.

teams may not import them (the layers point one way), so they register a function from their
AppConfig.ready()::

    from teams import hooks

    hooks.on_hours_changed(held_deliveries_reschedule)  # fn(*, profile) -> object
    hooks.on_person_deactivated(projects_orphan)  # fn(*, person) -> object

teams' services call every registered function inside the transaction that made the change,
in registration (INSTALLED_APPS) order.
"""

from __future__ import annotations

from collections.abc import Callable

HoursChanged = Callable[..., object]
_hours_changed: list[HoursChanged] = []
_deactivated: list[Callable[..., object]] = []


def on_hours_changed(fn: HoursChanged) -> None:
    """Call fn(profile=...) when a person's working hours or time zone change."""
    if fn not in _hours_changed:  # ready() can run more than once (tests)
        _hours_changed.append(fn)


def hours_changed(*, profile) -> None:
    for fn in _hours_changed:
        fn(profile=profile)


def on_person_deactivated(fn: Callable[..., object]) -> None:
    """Call fn(person=...) when a person is deactivated (what they owned needs a new owner)."""
    if fn not in _deactivated:
        _deactivated.append(fn)


def person_deactivated(*, person) -> None:
    for fn in _deactivated:
        fn(person=person)
