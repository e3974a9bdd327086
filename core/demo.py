"""Demo seeding, asked of every app in layer order (`manage.py seed_demo`).

Core may not import the apps, so each app registers its demo.py seeding from its
AppConfig.ready()::

    from core import demo

    demo.register(demo.layer_of("oncall"), seed, arguments=add_arguments)

`order` is the app's layer counted from core (LAYERS below, the order of the import-linter
contract in pyproject.toml), so people and teams exist before the schedules that need them.
`seed(run)` gets a DemoRun: the command's options, an Actor, the output streams, `say()` for a
line printed at once and `finish()` for the closing summary. It raises AlreadySeeded (with
what to print instead) when the demo data is there already, which stops the whole run.
`arguments(parser)` adds the app's command-line options.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import IO, Any

from .audit import Actor

# Baton's apps from the bottom layer up; siblings (accounts, oncall) share a layer.
LAYERS = (
    ("core",),
    ("teams",),
    ("notifications",),
    ("accounts", "oncall"),
    ("projects",),
    ("escalations",),
    ("chat",),
    ("handoffs",),
)


def layer_of(app_label: str) -> int:
    for n, apps in enumerate(LAYERS):
        if app_label in apps:
            return n
    raise ValueError(f"{app_label!r} is in no layer of core.demo.LAYERS.")


class AlreadySeeded(Exception):
    """The demo data is there already: nothing is seeded; `message` is printed instead."""

    def __init__(self, message: str = ""):
        super().__init__(message)
        self.message = message


@dataclass
class DemoRun:
    options: dict[str, Any]
    actor: Actor
    stdout: Any  # Django's OutputWrapper
    stderr: Any
    summaries: list[str] = field(default_factory=list)
    closing: list[str] = field(default_factory=list)

    @property
    def raw_stderr(self) -> IO[str]:
        # Progress bars write carriage returns: the raw stream, not Django's line wrapper.
        return getattr(self.stderr, "_out", self.stderr)

    def say(self, line: str) -> None:
        """Print a line now."""
        self.stdout.write(line)

    def finish(self, summary: str, *, closing: str = "") -> None:
        """`summary` ("Created 1200 people ...") is printed, with the run's time, after every
        app has seeded; `closing` (e.g. the sign-ins) after all the summaries."""
        self.summaries.append(summary)
        if closing:
            self.closing.append(closing)


Seed = Callable[[DemoRun], None]


@dataclass(frozen=True)
class Seeder:
    order: int
    seed: Seed
    arguments: Callable[[Any], None] | None = None


_seeders: list[Seeder] = []


def register(order: int, seed: Seed, *, arguments: Callable[[Any], None] | None = None) -> None:
    seeder = Seeder(order, seed, arguments)
    if seeder not in _seeders:  # ready() can run more than once (tests)
        _seeders.append(seeder)


def seeders() -> list[Seeder]:
    """In layer order; registration order (INSTALLED_APPS) within a layer."""
    return sorted(_seeders, key=lambda seeder: seeder.order)
