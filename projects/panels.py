"""What projects adds to teams' pages through core.panels (registered in projects.apps):

- "dashboard": my projects (health, when the next update is due, open goals), the projects I
  act for, transfers waiting for my answer, and for team leads the stale projects of their
  teams;
- "team": the team's open projects;
- "person_admin": on a person's page, for admins, the open projects the person owns or acts
  for, first in the Admin section (before the deactivate button), with a one-step form that
  proposes a new owner for each (projects.views.transfers.handover).

Rendered without the request (the page's context processors already ran and would query
again); a form's CSRF token is passed in. Each keeps a fixed number of queries.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString

from core.permissions import rule_allows
from core.zones import zoneinfo
from teams.models import TeamRole
from teams.permissions import is_org_admin
from teams.selectors import team_ids_of

from . import presenters, selectors
from .forms import HandoverForm

TEAM_PANEL_ROWS = 10
DASHBOARD_ROWS = 10


def _zone(request: HttpRequest):
    profile = getattr(request.user, "profile", None)
    return zoneinfo(profile.time_zone if profile is not None else "UTC")


def my_projects(request: HttpRequest) -> SafeString:
    """The dashboard card. Queries: my projects (owned and acting, one query), transfers
    waiting for me (one), and for leads the stale projects of their teams (one)."""
    user = request.user
    now = timezone.now()
    zone = _zone(request)
    mine = selectors.accountable_for(user)
    owned = [p for p in mine if p.owner_id == user.pk]
    acting = [p for p in mine if p.acting_owner_id == user.pk]
    waiting = selectors.transfers_waiting_page(user, limit=DASHBOARD_ROWS)
    leads = bool(team_ids_of(user, role=TeamRole.LEAD))
    stale = selectors.stale_in_teams_led_by(user, limit=DASHBOARD_ROWS) if leads else []
    context = {
        "owned": presenters.project_rows(owned[:DASHBOARD_ROWS], now, zone),
        "owned_total": len(owned),
        "acting": presenters.project_rows(acting[:DASHBOARD_ROWS], now, zone),
        "waiting": [presenters.transfer_row(t, now, zone) for t in waiting],
        "stale": presenters.project_rows(stale, now, zone),
        "leads": leads,
        "viewer_id": user.pk,
        "viewer_zone": zone.key,
    }
    return render_to_string("projects/_dashboard_card.html", context)


def team_projects(request: HttpRequest, *, team) -> SafeString:
    """The team page's open projects, each with who answers for it and their local time.
    Two queries (the rows, and the count when there are more)."""
    now = timezone.now()
    zone = _zone(request)
    projects, total = selectors.team_projects_page(team.pk, limit=TEAM_PANEL_ROWS)
    context = {
        "team": team,
        "rows": presenters.project_rows(projects, now, zone),
        "total": total,
        "can_add": rule_allows(request.user, "projects.add_project", team),
    }
    return render_to_string("projects/_team_panel.html", context)


def person_projects(request: HttpRequest, *, person) -> SafeString | None:
    """For admins on a person's page: the open projects the person owns or acts for (orphaned
    once they are deactivated), with the one-step handover form. Three queries, admins only."""
    viewer = request.user
    if not is_org_admin(viewer):
        return None
    projects = list(selectors.orphaned_by(person))
    if not projects:
        return None
    now = timezone.now()
    zone = _zone(request)
    pending = selectors.pending_transfers_for(p.pk for p in projects)
    people = selectors.team_people({p.team_id for p in projects})
    rows = presenters.handover_rows(viewer, person, projects, pending, people, now, zone)
    context = {
        "person": person,
        "display_name": presenters.display_name(person),
        "rows": rows,
        "form": HandoverForm.for_rows(rows),
        "csrf_token": get_token(request),
        "compact": True,
    }
    return render_to_string("projects/_person_panel.html", context)
