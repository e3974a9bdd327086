"""A project's goals, added, edited, marked done and removed in place: with htmx each action
answers the goals section (templates/projects/_goals.html), without it the whole page."""

from __future__ import annotations

from functools import partial

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from core.audit import Actor
from core.forms import form_write
from core.permissions import found_or_404

from .. import selectors, services
from ..forms import GoalForm
from .common import editable_project
from .pages import detail_page, detail_post, goals_context


def _section(request: HttpRequest, project, **kwargs) -> HttpResponse:
    """The goals section for htmx (200 even with a form's errors: htmx swaps only 2xx)."""
    return render(request, "projects/_goals.html", goals_context(request, project, **kwargs))


def _back(slug: str, anchor: str = "goals") -> HttpResponse:
    return redirect(reverse("project-detail", args=[slug]) + f"#{anchor}")


def _goal(project, goal_id: int):
    return found_or_404(selectors.goal_of(project, goal_id), "goal")


@require_POST
def goal_add(request: HttpRequest, slug: str) -> HttpResponse:
    project = editable_project(request, slug)
    form = GoalForm(request.POST, prefix_id="new-goal")
    write = partial(services.goal_create, project=project)
    if request.htmx:
        added, _ = form_write(request, form, write, None)
        return _section(request, project, add_form=None if added else form)
    return detail_post(
        request, project, "goal_form", form, write, "Goal added.", lambda goal: f"goal-{goal.pk}"
    )


@require_http_methods(["GET", "POST"])
def goal_edit(request: HttpRequest, slug: str, goal_id: int) -> HttpResponse:
    """GET: the goal as a form in its place (?cancel: back to the list); POST: save it."""
    project = editable_project(request, slug)
    goal = _goal(project, goal_id)
    if request.method == "GET":
        editing = None if "cancel" in request.GET else goal
        if request.htmx:
            return _section(request, project, editing=editing)
        return detail_page(request, project, editing_goal=editing)
    form = GoalForm(request.POST, prefix_id=f"goal-{goal.pk}")
    saved, _ = form_write(
        request,
        form,
        partial(services.goal_update, goal=goal),
        None if request.htmx else "Goal saved.",
    )
    if saved:
        return _section(request, project) if request.htmx else _back(slug, f"goal-{goal.pk}")
    if request.htmx:
        return _section(request, project, editing=goal, edit_form=form)
    return detail_page(request, project, editing_goal=goal, goal_edit_form=form, status=400)


@require_POST
def goal_done(request: HttpRequest, slug: str, goal_id: int) -> HttpResponse:
    """Mark the goal done, or open again (POST done=1 / done=0)."""
    project = editable_project(request, slug)
    goal = _goal(project, goal_id)
    services.goal_update(
        actor=Actor.from_request(request), goal=goal, done=request.POST.get("done") == "1"
    )
    if request.htmx:
        return _section(request, project)
    return _back(slug, f"goal-{goal.pk}")


@require_POST
def goal_delete(request: HttpRequest, slug: str, goal_id: int) -> HttpResponse:
    project = editable_project(request, slug)
    goal = _goal(project, goal_id)
    services.goal_delete(actor=Actor.from_request(request), goal=goal)
    if request.htmx:
        return _section(request, project)
    messages.success(request, f"Goal “{goal.title}” removed.")
    return _back(slug)
