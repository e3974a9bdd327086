"""What the project pages share: the viewer's zone, finding a project or a transfer (404),
checking a rule (403), and the people the owner pickers offer. (Forms posted through a
service: core.forms.form_write; one-button service calls: core.pages.service_action.)"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from django.http import HttpRequest

from core.permissions import found_or_404, require_rule, rule_allows
from core.zones import zoneinfo
from teams.selectors import team_choices, team_ids_of

from .. import presenters, selectors
from ..forms import ActingForm, TransferForm
from ..models import OwnershipTransfer, Project


def viewer_zone(request: HttpRequest) -> ZoneInfo:
    profile = getattr(request.user, "profile", None)
    return zoneinfo(profile.time_zone if profile is not None else "UTC")


def allow(request: HttpRequest, perm: str, obj=None) -> None:
    """403 unless the rule itself allows it. The rule, not has_perm: admins are superusers,
    and has_perm would let them post another owner's update or accept someone else's
    transfer, which only the owner or the proposed owner may."""
    require_rule(request.user, perm, obj)


def get_project(request: HttpRequest, slug: str) -> Project:
    """The project with its people; 404 when there is none. Everyone signed in reads every
    project (projects.view_project)."""
    allow(request, "projects.view_project")
    return found_or_404(selectors.project_by_slug(slug), "project")


def editable_project(request: HttpRequest, slug: str) -> Project:
    project = get_project(request, slug)
    allow(request, "projects.change_project", project)
    return project


def get_transfer(request: HttpRequest, pk: int) -> OwnershipTransfer:
    allow(request, "projects.view_project")
    return found_or_404(selectors.transfer_by_id(pk), "transfer")


def creatable_teams(request: HttpRequest) -> list[tuple[int, str]]:
    """(id, name) of the teams the viewer may create projects in: an admin's every team,
    anyone else's own teams (the cached team list, filtered: no query but the memo)."""
    user = request.user
    if rule_allows(user, "projects.add_project", None):  # admins: every team
        return team_choices()
    mine = team_ids_of(user)
    return [(pk, name) for pk, name in team_choices() if pk in mine]


def _pickable(project: Project, people_by_team: dict, *, exclude=()) -> list:
    """(id, label) choices of the project's team's active people, without `exclude`."""
    return presenters.person_choices(people_by_team.get(project.team_id, []), exclude=exclude)


def transfer_form(request: HttpRequest, project: Project, people_by_team: dict, data=None):
    """The form proposing a new owner: the team's people but the owner and the viewer."""
    exclude = [project.owner, request.user]
    return TransferForm(data, people=_pickable(project, people_by_team, exclude=exclude))


def acting_form(project: Project, people_by_team: dict, data=None) -> ActingForm:
    """The form naming an acting owner: the team's people but the owner."""
    return ActingForm(data, people=_pickable(project, people_by_team, exclude=[project.owner]))
