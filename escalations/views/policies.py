"""Escalation policies: a team's default and a project's override. Everyone signed in reads
them (escalations.view_policy); the team's leads and admins edit and delete them
(escalations.change_policy). The form writes through escalations.services.policy_set, which
checks every rule and writes nothing on an error."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from core.audit import Actor
from core.forms import form_write
from core.pages import service_action
from core.permissions import found_or_404, rule_allows

from .. import presenters, routing, selectors, services
from ..forms import PolicyForm
from .common import allow, require_person


def _names_for(steps: list[dict]) -> dict:
    return {
        "schedules": selectors.schedule_names(presenters.named_ids(steps, "schedule_id")),
        "people": selectors.person_names(presenters.named_ids(steps, "person_id")),
    }


def _form(team, policy: dict | None, data=None, *, add_step: bool = False) -> PolicyForm:
    """The editor, offering the team's schedules and who may be paged by its policy (its
    members, the org's managers and admins), plus anyone the policy already names."""
    steps = policy["steps"] if policy else []
    schedules = selectors.schedule_choices(team.pk, also=presenters.named_ids(steps, "schedule_id"))
    people = [
        (p.pk, f"{presenters.display_name(p)} ({p.get_username()}, {p.profile.time_zone})")
        for p in selectors.pageable_people(team.pk)
    ]
    listed = {pk for pk, _ in people}
    missing = presenters.named_ids(steps, "person_id") - listed
    people += [
        (pk, f"{name} (may no longer be paged)")
        for pk, name in selectors.person_names(missing).items()
    ]
    return PolicyForm(data, policy=policy, schedules=schedules, people=people, add_step=add_step)


def _page(request: HttpRequest, *, team, project, status: int = 200, form=None) -> HttpResponse:
    """The policy page of `team` (project None) or of `project`'s override."""
    user = request.user
    own = selectors.project_policy(project.pk) if project else selectors.team_policy(team.pk)
    policy = selectors.policy_by_id(own.pk) if own is not None else None
    current = presenters.policy_dict(policy) if policy is not None else None
    can_edit = rule_allows(user, "escalations.change_policy", project or team)
    # What applies when this one is missing: the team's policy (for a project), or Baton's.
    fallback, fallback_label = None, ""
    if current is None:
        if project is not None:
            team_own = selectors.team_policy(team.pk)
            team_policy = selectors.policy_by_id(team_own.pk) if team_own else None
            fallback = presenters.policy_dict(team_policy) if team_policy else None
            fallback_label = f"{team.name}’s policy" if fallback else "Baton’s default"
        else:
            fallback_label = "Baton’s default"
        fallback = fallback or routing.default_snapshot()
    shown = current or fallback
    if can_edit and form is None:
        # Starting from what applies now; a policy of its own gets its own name.
        form = _form(team, current or {**fallback, "name": ""})
    overrides = []
    if project is None:
        overrides = [p for p in selectors.policies_of_team(team.pk) if p.project_id]
    context = {
        "team": team,
        "project": project,
        "policy": policy,
        "shown": {
            "name": shown.get("name", ""),
            "repeat_count": shown.get("repeat_count") or 0,
            "steps": presenters.policy_steps(shown["steps"], **_names_for(shown["steps"])),
        },
        "fallback_label": fallback_label,
        "overrides": overrides,
        "projects": selectors.project_links(team.pk) if project is None and can_edit else [],
        "can_edit": can_edit,
        "can_manage_keys": project is None
        and rule_allows(user, "escalations.manage_integration_keys", team),
        "form": form,
        "action": reverse("urgent-project-policy", args=[project.slug])
        if project
        else reverse("urgent-team-policy", args=[team.slug]),
        "delete_action": reverse("urgent-project-policy-delete", args=[project.slug])
        if project
        else reverse("urgent-team-policy-delete", args=[team.slug]),
    }
    return render(request, "escalations/policy.html", context, status=status)


def _post(request: HttpRequest, *, team, project) -> HttpResponse:
    allow(request, "escalations.change_policy", project or team)
    if "add_step" in request.POST:
        # Only more room on the form: nothing is written.
        form = _form(team, None, request.POST, add_step=True)
        return _page(request, team=team, project=project, form=form)
    form = _form(team, None, request.POST)
    target = {"project": project} if project else {"team": team}

    def save(*, actor, name, repeat_count, **_steps):
        return services.policy_set(
            actor=actor, steps=form.steps(), repeat_count=repeat_count, name=name, **target
        )

    saved, _ = form_write(request, form, save, "Escalation policy saved.")
    if not saved:
        return _page(request, team=team, project=project, status=400, form=form)
    if project:
        return redirect("urgent-project-policy", slug=project.slug)
    return redirect("urgent-team-policy", slug=team.slug)


def _team(request: HttpRequest, slug: str):
    require_person(request)
    return found_or_404(selectors.team_for_policy(slug), "team")


def _project(request: HttpRequest, slug: str):
    require_person(request)
    return found_or_404(selectors.project_for_policy(slug), "project")


@require_http_methods(["GET", "POST"])
def team_policy(request: HttpRequest, slug: str) -> HttpResponse:
    team = _team(request, slug)
    allow(request, "escalations.view_policy", team)
    if request.method == "POST":
        return _post(request, team=team, project=None)
    return _page(request, team=team, project=None)


@require_http_methods(["GET", "POST"])
def project_policy(request: HttpRequest, slug: str) -> HttpResponse:
    project = _project(request, slug)
    allow(request, "escalations.view_policy", project)
    if request.method == "POST":
        return _post(request, team=project.team, project=project)
    return _page(request, team=project.team, project=project)


def _delete(request: HttpRequest, *, team, project) -> None:
    allow(request, "escalations.change_policy", project or team)
    own = selectors.project_policy(project.pk) if project else selectors.team_policy(team.pk)
    if own is None:
        messages.info(request, "There was no policy of its own to remove.")
        return
    back_to = "the team’s policy" if project else "Baton’s default"
    service_action(
        request,
        lambda: services.policy_delete(actor=Actor.from_request(request), policy=own),
        f"Policy removed: new urgent updates follow {back_to}.",
    )


@require_POST
def team_policy_delete(request: HttpRequest, slug: str) -> HttpResponse:
    team = _team(request, slug)
    _delete(request, team=team, project=None)
    return redirect("urgent-team-policy", slug=team.slug)


@require_POST
def project_policy_delete(request: HttpRequest, slug: str) -> HttpResponse:
    project = _project(request, slug)
    _delete(request, team=project.team, project=project)
    return redirect("urgent-project-policy", slug=project.slug)
