"""What handoffs adds to other apps' pages through core.panels (registered in handoffs.apps):

- "dashboard": the notes waiting for me (delivered, not acknowledged), with who wrote them and
  their open items, and my notes still waiting for someone's acknowledgement;
- "project": the project's latest handoff notes (for those who may read them) and writing one.

Rendered without the request's context processors (they already ran for the page). Each keeps
a fixed number of queries, whatever the number of notes.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString

from core.zones import zoneinfo
from teams.selectors import team_ids_of

from . import presenters, selectors

DASHBOARD_ROWS = 5
PROJECT_ROWS = 3


def _zone(request: HttpRequest):
    profile = getattr(request.user, "profile", None)
    return zoneinfo(profile.time_zone if profile is not None else "UTC")


def my_handoffs(request: HttpRequest) -> SafeString | None:
    """The dashboard card; nothing when nothing waits for me or on my notes."""
    user, now = request.user, timezone.now()
    waiting = selectors.waiting_rows(user, now=now, limit=DASHBOARD_ROWS)
    pending = selectors.unacknowledged_rows(user, limit=DASHBOARD_ROWS)
    if not waiting and not pending:
        return None
    zone = _zone(request)
    context = {
        "waiting": [presenters.note_row(n, zone, now, viewer=user) for n in waiting],
        "pending": [presenters.note_row(n, zone, now, viewer=user) for n in pending],
    }
    return render_to_string("handoffs/_dashboard_card.html", context)


def project_handoffs(request: HttpRequest, *, project) -> SafeString | None:
    """The project page's card: its latest notes, for its team's members (who read them)."""
    user = request.user
    if project.team_id not in team_ids_of(user):
        return None
    now, zone = timezone.now(), _zone(request)
    notes = list(selectors.as_rows(selectors.notes_of_project(project.pk))[:PROJECT_ROWS])
    context = {
        "project": project,
        "rows": [presenters.note_row(n, zone, now, viewer=user) for n in notes],
    }
    return render_to_string("handoffs/_project_panel.html", context)


def schedule_handoffs(request: HttpRequest, *, schedule) -> SafeString | None:
    """A schedule page's card: its latest note, the way to its history and to writing one
    about the shift, for the members of its team."""
    user = request.user
    if schedule.team_id not in team_ids_of(user):
        return None
    now, zone = timezone.now(), _zone(request)
    latest = selectors.last_notes_of_schedules([schedule.pk], team_ids={schedule.team_id})
    note = latest.get(schedule.pk)
    context = {
        "schedule": schedule,
        "row": presenters.note_row(note, zone, now, viewer=user) if note else None,
    }
    return render_to_string("handoffs/_schedule_panel.html", context)


def oncall_now_handoffs(request: HttpRequest, *, schedule_ids) -> SafeString | None:
    """Under the on-call table: the latest note of each schedule shown that is one of my
    teams'; nothing when there is none."""
    user = request.user
    latest = selectors.last_notes_of_schedules(schedule_ids, team_ids=team_ids_of(user))
    if not latest:
        return None
    now, zone = timezone.now(), _zone(request)
    rows = [
        {"schedule": note.schedule, **presenters.note_row(note, zone, now, viewer=user)}
        for note in sorted(latest.values(), key=lambda n: n.schedule.name)
    ]
    return render_to_string("handoffs/_oncall_panel.html", {"rows": rows})
