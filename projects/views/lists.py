"""The projects list with its filters, and the new-project form (with the owner pickers of
the chosen team, fetched by htmx when the team changes)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_http_methods, require_safe

from core.audit import Actor
from core.forms import apply_errors
from core.pages import paginate
from core.permissions import rule_allows
from teams.models import TeamRole
from teams.selectors import team_choices, team_ids_of

from .. import presenters, selectors, services
from ..forms import ProjectFilterForm, ProjectForm
from .common import allow, creatable_teams, viewer_zone

PAGE_SIZE = 50
TYPEAHEAD_FROM = 15  # a team picker with more options gets the type-ahead box


@require_safe
def project_list(request: HttpRequest) -> HttpResponse:
    allow(request, "projects.view_project")
    now = timezone.now()
    zone = viewer_zone(request)
    form = ProjectFilterForm(request.GET or None, teams=team_choices())
    filters = form.filters()
    owner = form.owner_username()
    if owner:
        person = request.user if owner.lower() == "me" else None
        if person is None:
            person = selectors.person_for_username(owner)
        if person is None:
            form.add_error("owner", f"Nobody has the username '{owner}'.")
        else:
            filters["owner_id"] = person.pk
    page, links = paginate(request, selectors.listed_projects(**filters), PAGE_SIZE, form.query)
    context = {
        "form": form,
        "filtered": form.active,
        "page": page,
        "links": links,
        "rows": presenters.project_rows(page.object_list, now, zone),
        "can_create": bool(creatable_teams(request)),
    }
    partial = bool(request.htmx) and not request.htmx.history_restore_request
    template = "projects/_list_results.html" if partial else "projects/project_list.html"
    response = render(request, template, context)
    patch_vary_headers(response, ("HX-Request",))  # caches must not mix page and partial
    return response


# --- new project -----------------------------------------------------------------------------


def _may_assign(request: HttpRequest, team_ids) -> bool:
    """May the viewer name another owner in any of these teams (a lead there, or an admin)?"""
    user = request.user
    if rule_allows(user, "projects.assign_owner", None):  # admins
        return True
    return bool(team_ids_of(user, role=TeamRole.LEAD) & set(team_ids))


def _chosen_team(request: HttpRequest, teams: list[tuple[int, str]]) -> int | None:
    source = request.POST if request.method == "POST" else request.GET
    try:
        team_id = int(source.get("team") or 0)
    except (TypeError, ValueError):
        return None
    return team_id if team_id in {pk for pk, _ in teams} else None


def _people_choices(request: HttpRequest, team_id: int | None) -> tuple[list, list]:
    """(owners, backups): the viewer first, then the chosen team's active people."""
    me = request.user
    people = selectors.team_people([team_id])[team_id] if team_id else []
    owners = [(me.pk, f"Me ({presenters.display_name(me)})")]
    owners += presenters.person_choices(people, exclude=[me])
    backups = presenters.person_choices(people)
    return owners, backups


def _form(request: HttpRequest, teams, data=None) -> ProjectForm:
    team_id = _chosen_team(request, teams)
    owners, backups = _people_choices(request, team_id)
    can_assign = _may_assign(request, [pk for pk, _ in teams])
    initial = {"team": team_id} if team_id and data is None else None
    form = ProjectForm(
        data,
        initial=initial,
        teams=teams,
        owners=owners if can_assign else None,
        backups=backups,
    )
    attrs = form.fields["team"].widget.attrs
    attrs.update(
        {
            "hx-get": reverse("project-create-people"),
            "hx-target": "#owner-fields",
            "hx-swap": "outerHTML",
            "hx-trigger": "change",
        }
    )
    if len(teams) >= TYPEAHEAD_FROM:
        attrs["data-typeahead"] = ""
    return form


@require_http_methods(["GET", "POST"])
def project_create(request: HttpRequest) -> HttpResponse:
    allow(request, "projects.view_project")
    teams = creatable_teams(request)
    if not teams:
        raise PermissionDenied("You are in no team yet: a project belongs to one of your teams.")
    status = 200
    if request.method == "GET":
        form = _form(request, teams)
    else:
        form = _form(request, teams, request.POST)
        project = _create(request, form) if form.is_valid() else None
        if project is not None:
            messages.success(request, f"Project {project.name} created.")
            return redirect("project-detail", slug=project.slug)
        status = 400
    return render(request, "projects/project_form.html", {"form": form}, status=status)


def _create(request: HttpRequest, form: ProjectForm):
    user = request.user
    team_id = form.cleaned_data["team"]
    team = selectors.team_by_id(team_id)
    if team is None or not rule_allows(user, "projects.add_project", team):
        form.add_error("team", "You cannot create projects in this team.")
        return None
    owner = form.cleaned_data.get("owner") or user.pk
    if owner != user.pk and not rule_allows(user, "projects.assign_owner", team):
        form.add_error(
            "owner",
            f"Only a lead of {team.name} or an admin names someone else as owner; "
            "you own what you create.",
        )
        return None
    try:
        return services.project_create(
            actor=Actor.from_request(request), team=team, owner=owner, **form.service_fields()
        )
    except ValidationError as exc:
        apply_errors(form, exc)
        return None


@require_safe
def project_create_people(request: HttpRequest) -> HttpResponse:
    """htmx: the owner and backup pickers for the team just chosen on the new-project form."""
    allow(request, "projects.view_project")
    teams = creatable_teams(request)
    if not teams:
        raise PermissionDenied
    return render(request, "projects/_owner_fields.html", {"form": _form(request, teams)})
