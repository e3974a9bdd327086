"""Panels that later apps add to teams' pages, so that teams never imports them.

The layers point one way (teams may not import oncall, projects, ...), yet the team page
should list the team's schedules and the dashboard should say when my next shift is. So a
later app registers a panel function in its AppConfig.ready()::

    from core import panels

    panels.register("team", team_schedules)  # fn(request, *, team) -> str | None
    panels.register("dashboard", my_next_shift)  # fn(request) -> str | None
    panels.register("person_admin", signin_lockout)  # fn(request, *, person) -> str | None
    panels.register("project", project_urgent)  # fn(request, *, project) -> str | None
    panels.register("schedule", last_handoff)  # fn(request, *, schedule) -> str | None
    panels.register("oncall_now", handoffs)  # fn(request, *, schedule_ids) -> str | None

A panel function returns its rendered HTML (a SafeString, e.g. from render_to_string) or
None to show nothing. `render(slot, request, **context)` calls every function registered
for the slot, in registration order (INSTALLED_APPS order), and the page prints the results:
"team" below the team's description and sub-teams, "dashboard" under the greeting,
"person_admin" in the person page's Admin section (e.g. accounts' sign-in lockout), "project"
at the top of a project page's side column (e.g. escalations' urgent updates), "schedule" on
a schedule's page and "oncall_now" under the on-call table (the ids of the schedules it
shows; e.g. handoffs' latest notes). A panel
makes its own reads through its app's selectors and checks its own permissions; it must keep
a fixed number of queries, since the page's count includes it.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest
from django.utils.safestring import SafeString

SLOTS = ("team", "dashboard", "person_admin", "project", "schedule", "oncall_now")
Panel = Callable[..., str | None]
_registry: dict[str, list[Panel]] = {slot: [] for slot in SLOTS}


def register(slot: str, fn: Panel) -> None:
    if slot not in _registry:
        raise ValueError(f"Unknown panel slot {slot!r}; slots: {', '.join(SLOTS)}.")
    if fn not in _registry[slot]:  # ready() can run more than once (tests)
        _registry[slot].append(fn)


def render(slot: str, request: HttpRequest, **context) -> list[SafeString]:
    """The HTML of every panel of `slot` that has something to show."""
    out = []
    for fn in _registry[slot]:
        html = fn(request, **context)
        if html:
            out.append(html)
    return out
