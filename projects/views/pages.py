"""A project's page (what it is, who answers for it and where they are now, its goals, status
updates, the pending transfer, history), its edit page, deleting it, watching it and posting a
status update."""

from __future__ import annotations

from functools import partial

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from core import panels
from core.audit import Actor
from core.forms import form_write
from core.pages import service_action
from core.permissions import rule_allows

from .. import presenters, selectors, services
from ..forms import AnswerForm, GoalForm, ProjectForm, UpdateForm
from ..models import Health
from . import common
from .common import allow, editable_project, get_project, viewer_zone
from .map import back_to_map

UPDATES_SHOWN = 20
HISTORY_SHOWN = 50


def goals_context(request: HttpRequest, project, *, add_form=None, editing=None, edit_form=None):
    """What templates/projects/_goals.html shows (the page and the htmx answers)."""
    can_edit = rule_allows(request.user, "projects.change_project", project)
    rows = [presenters.goal_row(goal) for goal in selectors.goals_of(project)]
    if editing is not None and edit_form is None:
        edit_form = GoalForm(
            prefix_id=f"goal-{editing.pk}",
            initial={
                "title": editing.title,
                "target_date": editing.target_date,
                "current_value": presenters.number(editing.current_value),
                "target_value": presenters.number(editing.target_value),
                "unit": editing.unit,
                "done": editing.done,
            },
        )
    return {
        "project": project,
        "goals": rows,
        "open_goals": sum(1 for row in rows if not row["done"]),
        "can_edit": can_edit,
        "goal_form": (add_form or GoalForm(prefix_id="new-goal")) if can_edit else None,
        "editing": editing.pk if editing is not None else None,
        "edit_form": edit_form,
    }


def detail_page(
    request: HttpRequest,
    project,
    *,
    status: int = 200,
    update_form=None,
    transfer_form=None,
    acting_form=None,
    goal_form=None,
    editing_goal=None,
    goal_edit_form=None,
) -> HttpResponse:
    """The project's page; the POST views render it again with their form's errors."""
    user = request.user
    now = timezone.now()
    zone = viewer_zone(request)
    can_edit = rule_allows(user, "projects.change_project", project)
    can_post = rule_allows(user, "projects.post_update", project)
    can_propose = rule_allows(user, "projects.propose_transfer", project)
    can_acting = rule_allows(user, "projects.set_acting_owner", project)
    pending = selectors.pending_transfer(project)
    people = selectors.team_people([project.team_id]) if can_propose or can_acting else {}
    if can_post and update_form is None:
        update_form = UpdateForm(initial={"health": project.health or Health.ON_TRACK})
    if can_propose and pending is None and transfer_form is None:
        transfer_form = common.transfer_form(request, project, people)
    if can_acting and acting_form is None:
        acting_form = common.acting_form(project, people)
    row = presenters.project_row(project, now, zone)
    context = {
        "project": project,
        # Opened from the ownership map: the way back to it, filtered as it was.
        "back_to_map": (
            back_to_map(request.GET) if rule_allows(user, "projects.view_map") else None
        ),
        "row": row,
        "backup": presenters.person_badge(project.backup_owner, now),
        "acting_until": presenters.acting_until(project, zone),
        "links": presenters.links(project),
        "start_date": presenters.fmt_date(project.start_date),
        "target_date": presenters.fmt_date(project.target_date),
        "updates": [
            presenters.update_row(u, now, zone)
            for u in selectors.updates_of(project, limit=UPDATES_SHOWN)
        ],
        "history": [
            presenters.history_row(h, zone)
            for h in selectors.history_of(project, limit=HISTORY_SHOWN)
        ],
        "pending": presenters.transfer_row(pending, now, zone) if pending else None,
        "can_answer": pending is not None
        and rule_allows(user, "projects.accept_transfer", pending),
        "can_cancel": pending is not None
        and rule_allows(user, "projects.cancel_transfer", pending),
        "answer_form": AnswerForm() if pending is not None else None,
        "watching": selectors.is_watching(project, user),
        "can_edit": can_edit,
        "can_post": can_post,
        "can_propose": can_propose,
        "can_acting": can_acting,
        "update_form": update_form,
        "transfer_form": transfer_form if pending is None else None,
        "acting_form": acting_form,
        # A form with errors opens its section; so does the orphaned note's link (?propose=1).
        "transfer_open": transfer_form is not None
        and (transfer_form.is_bound or request.GET.get("propose") == "1"),
        "acting_open": acting_form is not None and acting_form.is_bound,
        # e.g. escalations' open urgent updates and "raise one" (projects never imports it).
        "panels": panels.render("project", request, project=project),
        **goals_context(
            request, project, add_form=goal_form, editing=editing_goal, edit_form=goal_edit_form
        ),
    }
    return render(request, "projects/project_detail.html", context, status=status)


@require_safe
def project_detail(request: HttpRequest, slug: str) -> HttpResponse:
    return detail_page(request, get_project(request, slug))


# --- editing -------------------------------------------------------------------------------------


def _edit_form(project, people, data=None) -> ProjectForm:
    backups = presenters.person_choices(people, exclude=[project.owner])
    if project.backup_owner_id and project.backup_owner_id not in {pk for pk, _ in backups}:
        backups = [
            (project.backup_owner_id, presenters.display_name(project.backup_owner)),
            *backups,
        ]
    initial = {
        "name": project.name,
        "slug": project.slug,
        "description": project.description,
        "status": project.status,
        "priority": project.priority,
        "critical": project.critical,
        "start_date": project.start_date,
        "target_date": project.target_date,
        "links": presenters.links_text(project),
        "update_cadence_days": project.update_cadence_days,
        "backup_owner": project.backup_owner_id,
    }
    return ProjectForm(data, initial=initial, backups=backups, editing=True)


@require_http_methods(["GET", "POST"])
def project_edit(request: HttpRequest, slug: str) -> HttpResponse:
    project = editable_project(request, slug)
    people = selectors.team_people([project.team_id])[project.team_id]
    status = 200
    if request.method == "GET":
        form = _edit_form(project, people)
    else:
        form = _edit_form(project, people, request.POST)

        def save(*, actor, **_fields):
            return services.project_update(actor=actor, project=project, **form.service_fields())

        saved, updated = form_write(request, form, save, "Project saved.")
        if saved:
            return redirect("project-detail", slug=updated.slug)
        status = 400
    context = {
        "project": project,
        "form": form,
        "can_delete": rule_allows(request.user, "projects.delete_project", project),
    }
    return render(request, "projects/project_edit.html", context, status=status)


@require_POST
def project_delete(request: HttpRequest, slug: str) -> HttpResponse:
    project = get_project(request, slug)
    allow(request, "projects.delete_project", project)
    if request.POST.get("confirm", "").strip() != project.name:
        messages.error(request, "Type the project's name to confirm deleting it.")
        return redirect("project-edit", slug=slug)
    name = project.name
    if not service_action(
        request,
        lambda: services.project_delete(actor=Actor.from_request(request), project=project),
        f"Project {name} deleted.",
    ):
        return redirect("project-edit", slug=slug)
    return redirect("project-list")


# --- watching and status updates --------------------------------------------------------------


@require_POST
def project_watch(request: HttpRequest, slug: str) -> HttpResponse:
    project = get_project(request, slug)
    watching = services.watch_set(
        actor=Actor.from_request(request),
        project=project,
        person=request.user,
        watching=request.POST.get("watch") == "1",
    )
    if request.htmx:
        return render(request, "projects/_watch.html", {"project": project, "watching": watching})
    messages.success(request, "You watch this project." if watching else "You stopped watching.")
    return redirect("project-detail", slug=slug)


@require_POST
def update_post(request: HttpRequest, slug: str) -> HttpResponse:
    project = get_project(request, slug)
    allow(request, "projects.post_update", project)
    return detail_post(
        request,
        project,
        "update_form",
        UpdateForm(request.POST),
        partial(services.update_post, project=project),
        "Status update posted.",
        lambda update: f"update-{update.pk}",
    )


def detail_post(
    request: HttpRequest, project, form_name: str, form, write, success, anchor
) -> HttpResponse:
    """A form of the project's page posted through its service (core.forms.form_write): back
    to the page at #anchor (or #anchor(what write returned)) with the message `success`, or
    the page again (400) with `form` (detail_page's `form_name`) showing why not."""
    saved, result = form_write(request, form, write, success)
    if not saved:
        return detail_page(request, project, status=400, **{form_name: form})
    anchor = anchor(result) if callable(anchor) else anchor
    return redirect(reverse("project-detail", args=[project.slug]) + f"#{anchor}")
