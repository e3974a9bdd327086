"""The urgent updates list, raising one, an update's page (with the section that refreshes
live over /ws/events/) and its one-button actions: acknowledge, resolve, cancel."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from core.audit import Actor
from core.forms import form_write
from core.pages import paginate, service_action
from core.permissions import rule_allows
from teams.permissions import is_org_manager
from teams.selectors import team_choices, team_ids_of

from .. import presenters, selectors, services
from ..forms import NoteForm, RaiseForm, UpdateFilterForm, place_choices
from ..models import ACTIVE_STATES, UpdateState
from .common import allow, require_person, viewer_zone, visible_update

PAGE_SIZE = 50


# --- the list -------------------------------------------------------------------------------------


@require_safe
def update_list(request: HttpRequest) -> HttpResponse:
    require_person(request)
    user = request.user
    mine = team_ids_of(user)
    form = UpdateFilterForm(request.GET or None, teams=team_choices())
    updates = selectors.updates_for_list(
        user, team_ids=mine, sees_all=is_org_manager(user), **form.filters()
    )
    page, links = paginate(request, updates, PAGE_SIZE, form.query)
    now = timezone.now()
    zone = viewer_zone(request)
    context = {
        "form": form,
        "filtered": form.active,
        "page": page,
        "links": links,
        "rows": [presenters.update_row(u, now, zone) for u in page.object_list],
        "my_teams": mine,
        "can_raise": bool(mine),
    }
    partial = bool(request.htmx) and not request.htmx.history_restore_request
    template = "escalations/_list_results.html" if partial else "escalations/update_list.html"
    response = render(request, template, context)
    patch_vary_headers(response, ("HX-Request",))  # caches must not mix page and partial
    return response


# --- raising --------------------------------------------------------------------------------------


def _places(request: HttpRequest) -> list:
    """What the viewer may raise on: their teams and those teams' open projects."""
    mine = team_ids_of(request.user)
    teams = [(pk, name) for pk, name in team_choices() if pk in mine]
    return place_choices(teams, selectors.raisable_projects(mine))


def _preselected(request: HttpRequest) -> str | None:
    """?project=<id> or ?team=<id> (links from a project or a team) picks the place."""
    for kind in ("project", "team"):
        value = request.GET.get(kind, "")
        if value.isdigit():
            return f"{kind}-{value}"
    return None


def _raise(request: HttpRequest, form: RaiseForm):
    """Raise through the service; its errors about the team or project go on the picker."""

    def write(*, actor, place, title, severity, body):
        target = form.target()
        team_id = target.get("team")
        if team_id is None:
            project = selectors.project_by_id(target["project"])
            team = project.team if project is not None else None
        else:
            team = selectors.team_by_id(team_id)
        if team is None or not rule_allows(request.user, "escalations.raise_update", team):
            raise ValidationError({"place": "You can raise urgent updates on your teams only."})
        try:
            return services.update_raise(
                actor=actor, title=title, severity=severity, body=body, **target
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                errors = exc.message_dict
                for field in ("team", "project"):
                    if field in errors:
                        errors.setdefault("place", []).extend(errors.pop(field))
                raise ValidationError(errors) from None
            raise

    return form_write(request, form, write, None)


@require_http_methods(["GET", "POST"])
def update_raise(request: HttpRequest) -> HttpResponse:
    require_person(request)
    if not team_ids_of(request.user):
        raise PermissionDenied("You are in no team yet: an urgent update is raised on a team.")
    places = _places(request)
    status = 200
    if request.method == "GET":
        picked = _preselected(request)
        form = RaiseForm(places=places, initial={"place": picked} if picked else None)
    else:
        form = RaiseForm(request.POST, places=places)
        saved, update = _raise(request, form)
        if saved:
            messages.success(
                request, f"Urgent update raised: {update.title}. The escalation has started."
            )
            return redirect("urgent-update-detail", pk=update.pk)
        status = 400
    return render(request, "escalations/update_form.html", {"form": form}, status=status)


# --- an update's page -----------------------------------------------------------------------------


def detail_context(request: HttpRequest, update) -> dict:
    """What the page and its live section show (escalations/_live.html)."""
    user = request.user
    now = timezone.now()
    zone = viewer_zone(request)
    entries = [presenters.entry_row(e, zone) for e in selectors.timeline_of(update)]
    steps = presenters.step_rows(update, selectors.steps_of(update), entries, zone)
    snapshot = update.policy_snapshot or {}
    snapshot_steps = snapshot.get("steps") or []
    names = {
        "schedules": selectors.schedule_names(presenters.named_ids(snapshot_steps, "schedule_id")),
        "people": selectors.person_names(presenters.named_ids(snapshot_steps, "person_id")),
    }
    active = update.state in ACTIVE_STATES
    can_acknowledge = update.state == UpdateState.OPEN and rule_allows(
        user, "escalations.acknowledge_update", update
    )
    return {
        "update": update,
        "row": presenters.update_row(update, now, zone),
        "resolved": presenters.when(update.resolved_at, zone),
        "resolved_by": presenters.display_name(update.resolved_by),
        "cancelled": presenters.when(update.cancelled_at, zone),
        "cancelled_by": presenters.display_name(update.cancelled_by),
        "exhausted": presenters.when(update.exhausted_at, zone),
        "entries": entries,
        "steps": steps,
        "policy": {
            "name": snapshot.get("name", ""),
            "source": presenters.SNAPSHOT_SOURCES.get(snapshot.get("source"), ""),
            "repeat_count": snapshot.get("repeat_count") or 0,
            "steps": presenters.policy_steps(snapshot_steps, **names),
        },
        "paged_me": any(e["person_id"] == user.pk and e["kind"] == "notified" for e in entries),
        "can_acknowledge": can_acknowledge,
        "can_resolve": active and rule_allows(user, "escalations.resolve_update", update),
        "can_cancel": active and rule_allows(user, "escalations.cancel_update", update),
        "viewer_zone_name": zone.key,
    }


@require_safe
def update_detail(request: HttpRequest, pk: int) -> HttpResponse:
    update = visible_update(request, pk)
    return render(request, "escalations/update_detail.html", detail_context(request, update))


@require_safe
def update_live(request: HttpRequest, pk: int) -> HttpResponse:
    """The page's live section alone: static/js/live.js fetches it again when an
    "escalation" event for this update arrives on /ws/events/."""
    update = visible_update(request, pk)
    response = render(request, "escalations/_live.html", detail_context(request, update))
    response["Cache-Control"] = "no-store"
    return response


# --- actions --------------------------------------------------------------------------------------

ACTIONS = {
    "acknowledge": (
        "escalations.acknowledge_update",
        services.update_acknowledge,
        "Acknowledged: you have it, and the escalation stopped.",
    ),
    "resolve": ("escalations.resolve_update", services.update_resolve, "Resolved."),
    "cancel": (
        "escalations.cancel_update",
        services.update_cancel,
        "Cancelled: the escalation stopped.",
    ),
}


@require_POST
def update_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    update = visible_update(request, pk)
    perm, service, success = ACTIONS[action]
    allow(request, perm, update)
    form = NoteForm(request.POST)
    if not form.is_valid():
        messages.error(request, "A note has at most 300 characters.")
    else:
        service_action(
            request,
            lambda: service(
                actor=Actor.from_request(request), update=update, note=form.cleaned_data["note"]
            ),
            success,
        )
    return redirect(reverse("urgent-update-detail", args=[update.pk]))
