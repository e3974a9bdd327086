"""What escalations adds to teams' pages through core.panels (registered in escalations.apps):

- "dashboard": the open urgent updates of my teams, each with its severity, its age, who was
  paged or skipped with their local time then and whether they were asleep, and those whose
  every step was spent flagged "unacknowledged" (selectors.unacknowledged_for_teams);
- "team": the team's open urgent updates, with the way to its escalation policy and to
  raising one;
- "project": the same for a project, its policy (its own or its team's) and raising one on it.

Rendered without the request's context processors (they already ran for the page). Each keeps
a fixed number of queries, whatever the number of updates or people paged.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString

from core.permissions import rule_allows
from core.zones import zoneinfo
from projects.models import OPEN_STATUSES
from teams.permissions import is_org_manager
from teams.selectors import team_ids_of

from . import presenters, selectors

DASHBOARD_ROWS = 10
TEAM_ROWS = 5


def _zone(request: HttpRequest):
    profile = getattr(request.user, "profile", None)
    return zoneinfo(profile.time_zone if profile is not None else "UTC")


def _rows(updates, now, zone) -> list[dict]:
    entries = selectors.people_entries_for(u.pk for u in updates)
    return [
        {
            **presenters.update_row(update, now, zone),
            "people": presenters.notified_people(entries.get(update.pk, [])),
        }
        for update in updates
    ]


def my_urgent_updates(request: HttpRequest) -> SafeString | None:
    """The dashboard card; nothing when my teams have no open update. Queries: the rows
    (one), then their paged people (one) and the unacknowledged flag (one)."""
    mine = team_ids_of(request.user)
    if not mine:
        return None
    updates = selectors.open_updates_for_teams(mine, limit=DASHBOARD_ROWS)
    if not updates:
        return None
    now = timezone.now()
    zone = _zone(request)
    flagged = list(selectors.unacknowledged_for_teams(mine)[:DASHBOARD_ROWS])
    context = {
        "rows": _rows(updates, now, zone),
        "flagged": [presenters.update_row(u, now, zone) for u in flagged],
        "viewer_zone": zone.key,
    }
    return render_to_string("escalations/_dashboard_card.html", context)


def team_urgent_updates(request: HttpRequest, *, team) -> SafeString | None:
    """The team page's card: its open updates (for those who may read them: its members,
    managers and admins), its policy, and raising one. Two queries at most."""
    user = request.user
    # escalations.view_update without "was paged" (that is per update): members, managers.
    reads = team.pk in team_ids_of(user) or is_org_manager(user)
    updates = selectors.open_updates_for_teams([team.pk], limit=TEAM_ROWS) if reads else []
    now = timezone.now()
    zone = _zone(request)
    context = {
        "team": team,
        "rows": _rows(updates, now, zone) if updates else [],
        "reads": reads,
        "can_raise": rule_allows(user, "escalations.raise_update", team),
        "can_edit_policy": rule_allows(user, "escalations.change_policy", team),
        "can_manage_keys": rule_allows(user, "escalations.manage_integration_keys", team),
    }
    return render_to_string("escalations/_team_panel.html", context)


def project_urgent_updates(request: HttpRequest, *, project) -> SafeString | None:
    """The project page's card: the project's open updates (for its team's members, managers
    and admins), the policy in force, and raising one on it. One query at most."""
    user = request.user
    reads = project.team_id in team_ids_of(user) or is_org_manager(user)
    updates = (
        selectors.open_updates_for_teams([project.team_id], limit=TEAM_ROWS, project_id=project.pk)
        if reads
        else []
    )
    context = {
        "project": project,
        "rows": _rows(updates, timezone.now(), _zone(request)) if updates else [],
        "reads": reads,
        "can_raise": project.status in OPEN_STATUSES
        and rule_allows(user, "escalations.raise_update", project),
    }
    return render_to_string("escalations/_project_panel.html", context)
