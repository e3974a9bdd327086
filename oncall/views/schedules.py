"""The schedules list (and the new-schedule form), a schedule's page with its lanes, its
settings, deleting it, and its iCal feed."""

from __future__ import annotations

from datetime import date
from functools import partial

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from core import panels
from core.audit import Actor
from core.forms import form_write
from core.permissions import require
from core.timefmt import fmt_span
from core.zones import is_valid_zone, zoneinfo

from .. import presenters, selectors, services
from ..forms import OverrideForm, ScheduleForm, ScheduleSettingsForm
from ..models import Schedule
from .common import (
    editable_schedule,
    feed_action,
    filter_form,
    get_schedule,
    override_people,
    paginate,
    pop_feed_url,
    viewer_zone_name,
)


@require_http_methods(["GET", "POST"])
def schedule_list(request: HttpRequest) -> HttpResponse:
    require(request.user, "oncall.view_oncall_now")
    teams = selectors.creatable_teams(request.user)
    status = 200
    form = ScheduleForm(teams=teams, initial={"time_zone": viewer_zone_name(request)})
    if request.method == "POST":
        form = ScheduleForm(request.POST, teams=teams)

        def create(*, team, follow_the_sun, **fields):
            chosen = next((t for t in teams if t.pk == team), None)
            if chosen is None:
                raise PermissionDenied
            require(request.user, "oncall.add_schedule", chosen)
            return services.schedule_create(team=chosen, **fields)

        created, schedule = form_write(
            request, form, create, lambda schedule: f"Schedule {schedule.name} created."
        )
        if created:
            if form.cleaned_data["follow_the_sun"]:
                return redirect("oncall-follow-the-sun", pk=schedule.pk)
            return redirect("oncall-schedule", pk=schedule.pk)
        status = 400
    zone = zoneinfo(viewer_zone_name(request))
    now = timezone.now()
    filters_form = filter_form(request)
    filters = filters_form.filters()
    schedules = selectors.listed_schedules(request.user, filters, at=now)
    page, links = paginate(request, schedules, filters_form)
    now_rows = {r.schedule_id: r for r in selectors.oncall_now(request.user, at=now)}
    rows = presenters.schedule_rows(page.object_list, now_rows, zone)
    if request.method == "GET" and filters.team in {t.pk for t in teams}:
        form.initial["team"] = filters.team  # "New schedule" from a team's list: that team
    context = {
        "rows": rows,
        "page": page,
        "links": links,
        "filter_form": filters_form,
        "filtered": bool(filters),
        "form": form if teams else None,
        # The form opens by itself after a failed post, when asked (?new=1, the team page's
        # link) or when there is nothing to list yet.
        "form_open": status == 400
        or "new" in request.GET
        or (not filters and not page.paginator.count),
    }
    return render(request, "oncall/schedule_list.html", context, status=status)


def _anchor(request: HttpRequest, today: date) -> date:
    """The ?date= the view is around; today for a missing or junk one."""
    try:
        anchor = date.fromisoformat(request.GET.get("date") or "")
        if not 1900 < anchor.year < 2200:
            raise ValueError
    except ValueError:
        return today
    return anchor


def schedule_page(
    request: HttpRequest, schedule: Schedule, *, override_form=None, status=200
) -> HttpResponse:
    """The schedule's page; override_add renders it again with its form's errors."""
    user = request.user
    now = timezone.now()
    viewer_zone = zoneinfo(viewer_zone_name(request))
    use_schedule_zone = request.GET.get("tz") == "schedule" and is_valid_zone(schedule.time_zone)
    zone = zoneinfo(schedule.time_zone) if use_schedule_zone else viewer_zone
    view = request.GET.get("view") if request.GET.get("view") in presenters.VIEWS else "week"
    anchor = _anchor(request, now.astimezone(zone).date())
    a, b, prev, nxt = presenters.view_range(view, anchor, zone)
    lanes = selectors.layer_lanes(schedule, a, b)
    every = (*lanes.layers, lanes.overrides, lanes.final)
    # One style per person across the lanes, by first appearance.
    colours = presenters.assign_swatches(one.segments for one in every)
    final_gaps = [s for s in lanes.final.segments if s.person is None]
    can_edit = user.has_perm("oncall.change_schedule", schedule)
    can_own_override = user.has_perm("oncall.add_own_override", schedule)
    if override_form is None and (can_edit or can_own_override):
        initial = {"person": user.pk}
        if request.GET.get("fill_start"):
            initial["start"] = request.GET["fill_start"]
        if request.GET.get("fill_end"):
            initial["end"] = request.GET["fill_end"]
        override_form = OverrideForm(
            initial=initial, people=override_people(request, schedule), viewer_zone=viewer_zone
        )
    overrides = selectors.page_overrides(schedule, now=now, a=a, b=b)
    query = {"view": view, "date": anchor.isoformat()}
    if use_schedule_zone:
        query["tz"] = "schedule"
    context = {
        "schedule": schedule,
        "view": view,
        "views": presenters.VIEWS,
        "anchor": anchor,
        "prev": prev.isoformat(),
        "next": nxt.isoformat(),
        "today": now.astimezone(zone).date().isoformat(),
        "tz_param": "schedule" if use_schedule_zone else "",
        "zone": zone.key,
        "use_schedule_zone": use_schedule_zone,
        "range_text": fmt_span(a, b, zone),
        "ticks": presenters.ticks(a, b, zone, view),
        "now_x": presenters.now_x(now, a, b),
        "layer_lanes": [
            presenters.lane(item, a, b, zone, lanes.people, colours) for item in lanes.layers
        ],
        "override_lane": presenters.lane(lanes.overrides, a, b, zone, lanes.people, colours),
        "final_lane": presenters.lane(lanes.final, a, b, zone, lanes.people, colours, gaps=True),
        "gaps": presenters.gap_rows(final_gaps, zone),
        "fill_query": "&".join(f"{k}={v}" for k, v in query.items()),
        "legend": presenters.legend(colours, lanes.people),
        "layers": presenters.layer_rows(selectors.current_layers(schedule)),
        "overrides": [
            {
                **presenters.override_summary(o, viewer_zone),
                "can_delete": user.has_perm("oncall.delete_override", o),
            }
            for o in overrides
        ],
        "override_form": override_form,
        "swaps": list(selectors.schedule_swaps(schedules=[schedule])[:10]),
        "feeds": selectors.schedule_feeds(user, schedule),
        "new_feed_url": pop_feed_url(request),
        "can_edit": can_edit,
        "width": presenters.WIDTH,
        "viewer_zone_name": viewer_zone.key,
        "panels": panels.render("schedule", request, schedule=schedule),  # e.g. handoffs
    }
    return render(request, "oncall/schedule_detail.html", context, status=status)


@require_safe
def schedule_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return schedule_page(request, get_schedule(request, pk))


@require_POST
def schedule_feed(request: HttpRequest, pk: int) -> HttpResponse:
    schedule = get_schedule(request, pk)
    feed_action(request, schedule)
    return redirect(reverse("oncall-schedule", kwargs={"pk": pk}) + "#feed")


def schedule_settings(request: HttpRequest, pk: int) -> HttpResponse:
    """Rename a schedule, change its zone or its swap-approval rule."""
    schedule = editable_schedule(request, pk)
    initial = {
        "name": schedule.name,
        "time_zone": schedule.time_zone,
        "requires_lead_approval_for_swaps": schedule.requires_lead_approval_for_swaps,
    }
    form = ScheduleSettingsForm(initial=initial)
    status = 200
    if request.method == "POST":
        form = ScheduleSettingsForm(request.POST)
        update = partial(services.schedule_update, schedule=schedule)
        saved, _ = form_write(request, form, update, "Schedule settings saved.")
        if saved:
            return redirect("oncall-schedule", pk=schedule.pk)
        status = 400
    context = {
        "schedule": schedule,
        "form": form,
        "can_delete": request.user.has_perm("oncall.delete_schedule", schedule),
    }
    return render(request, "oncall/schedule_settings.html", context, status=status)


@require_POST
def schedule_delete(request: HttpRequest, pk: int) -> HttpResponse:
    schedule = get_schedule(request, pk)
    require(request.user, "oncall.delete_schedule", schedule)
    if request.POST.get("confirm") != schedule.name:
        messages.error(request, "Type the schedule's name to confirm deleting it.")
        return redirect("oncall-schedule-settings", pk=pk)
    name = schedule.name
    services.schedule_delete(actor=Actor.from_request(request), schedule=schedule)
    messages.success(request, f"Schedule {name} deleted.")
    return redirect("oncall-schedules")
