"""A schedule's layers: the layer form (new, edit) with its instant validation and the
coming week's coverage, deleting a layer, and the follow-the-sun preset."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from core.audit import Actor
from core.pages import service_action
from core.permissions import found_or_404
from core.zones import zoneinfo

from .. import presenters, selectors, services, specs
from ..forms import LayerForm, fts_rows, usernames_to_ids
from ..models import Layer, Schedule
from .common import editable_schedule, viewer_zone_name

FTS_PRIORITY = 10  # regional layers win over the 24/7 fallback (priority 0)


def _current_layer(schedule: Schedule, layer_id: int) -> Layer:
    return found_or_404(selectors.current_layer(schedule, layer_id), "layer")


def _layer_preview(form: LayerForm, schedule: Schedule) -> dict:
    """Validate like saving does and, when valid, the coming week's coverage of the layer."""
    spec = form.spec()
    cleaned = None
    if spec is not None:
        try:
            cleaned = specs.clean_layer_spec(spec, team_id=schedule.team_id)
        except ValidationError as exc:
            form.apply_service_errors(exc)
    zone = form.viewer_zone
    context = {"form": form, "valid": cleaned is not None}
    if cleaned is not None:
        week = presenters.next_monday(timezone.now(), zone)
        coverage = selectors.coverage_preview([cleaned], week_start=week, time_zone=zone.key)
        people = selectors.people_by_id(cleaned["participants"])
        context.update(
            {
                "strip": presenters.week_strip(coverage.segments, week, zone, people),
                "gaps": presenters.gap_rows(coverage.gaps, zone),
                "covered": round(coverage.covered_fraction * 100, 1),
            }
        )
    return context


def _layer_form_page(request, schedule, layer=None) -> HttpResponse:
    zone = zoneinfo(viewer_zone_name(request))
    version = None
    if layer is not None:
        version = selectors.latest_version(layer)
    status = 200
    if request.method == "POST":
        form = LayerForm(request.POST, viewer_zone=zone, editing=layer is not None)
        spec = form.spec()
        if spec is not None:
            actor = Actor.from_request(request)
            try:
                if layer is None:
                    services.layer_create(actor=actor, schedule=schedule, **spec)
                else:
                    services.layer_update(
                        actor=actor,
                        layer=layer,
                        effective_from=form.effective_from_instant(),
                        **spec,
                    )
            except ValidationError as exc:
                form.apply_service_errors(exc)
            else:
                messages.success(request, "Layer saved.")
                return redirect("oncall-schedule", pk=schedule.pk)
        status = 400
    else:
        if layer is not None:
            initial = LayerForm.initial_for(layer, version, zone)
        else:
            monday = timezone.now().astimezone(zoneinfo(schedule.time_zone)).date()
            monday -= timedelta(days=monday.weekday())
            initial = {
                "time_zone": schedule.time_zone,
                "start": f"{monday.isoformat()}T09:00",
                "shift_count": 1,
                "shift_unit": "weeks",
                "priority": 0,
            }
        form = LayerForm(initial=initial, viewer_zone=zone, editing=layer is not None)
    context = {
        "schedule": schedule,
        "layer": layer,
        "form": form,
        "day_choices": presenters.DAY_CHOICES,
        # After a failed save the form already carries its errors: show them, do not re-check.
        "preview": {"form": form, "valid": False} if form.is_bound else None,
    }
    return render(request, "oncall/layer_form.html", context, status=status)


@require_http_methods(["GET", "POST"])
def layer_new(request: HttpRequest, pk: int) -> HttpResponse:
    return _layer_form_page(request, editable_schedule(request, pk))


@require_http_methods(["GET", "POST"])
def layer_edit(request: HttpRequest, pk: int, layer_id: int) -> HttpResponse:
    schedule = editable_schedule(request, pk)
    return _layer_form_page(request, schedule, _current_layer(schedule, layer_id))


@require_POST
def layer_validate(request: HttpRequest, pk: int) -> HttpResponse:
    """htmx: the layer form's errors and the coming week's coverage, as the user types."""
    schedule = editable_schedule(request, pk)
    zone = zoneinfo(viewer_zone_name(request))
    form = LayerForm(request.POST, viewer_zone=zone, editing="effective_from" in request.POST)
    context = _layer_preview(form, schedule)
    return render(request, "oncall/_layer_preview.html", {"preview": context})


@require_POST
def layer_delete(request: HttpRequest, pk: int, layer_id: int) -> HttpResponse:
    schedule = editable_schedule(request, pk)
    layer = _current_layer(schedule, layer_id)
    service_action(
        request,
        lambda: services.layer_delete(actor=Actor.from_request(request), layer=layer),
        f"Layer {layer.name} deleted from now on; its past shifts stay in the record.",
    )
    return redirect("oncall-schedule", pk=pk)


# --- follow the sun ----------------------------------------------------------------------------


def _fts_specs(request: HttpRequest, schedule: Schedule, rows, *, check_people: bool):
    """Layer specs from the preset's rows: (cleaned specs, raw specs, errors found)."""
    data = request.POST if request.method == "POST" else None
    raw_specs, cleaned, ok = [], [], True
    last_week = timezone.now().date() - timedelta(days=7)
    monday = last_week - timedelta(days=last_week.weekday())
    team_id = schedule.team_id
    for row in rows:
        row["errors"] = []
        if not (row["on"] and row["zone"]):
            continue
        ids, unknown = usernames_to_ids(row["participants"])
        if unknown:
            row["errors"].append("Unknown usernames: " + ", ".join(unknown) + ".")
        days = sorted({int(d) for d in row["days"] if str(d).isdigit()})
        spec = {
            "name": f"{row['zone']} {row['start']}–{row['end']}",
            "priority": FTS_PRIORITY,
            "time_zone": row["zone"],
            "start": f"{monday.isoformat()}T00:00",
            "shift_length": {"count": 1, "unit": "weeks"},
            "participants": ids,
            "restrictions": [{"days": days, "start": row["start"], "end": row["end"]}],
            "fair": True,
        }
        ok = _clean_into(spec, row["errors"], raw_specs, cleaned, team_id, check_people) and ok
        ok = ok and not unknown
    fallback = {
        "on": bool(data.get("fallback_on")) if data is not None else False,
        "participants": (data.get("fallback_participants") or "") if data is not None else "",
        "errors": [],
    }
    if fallback["on"]:
        ids, unknown = usernames_to_ids(fallback["participants"])
        if unknown:
            fallback["errors"].append("Unknown usernames: " + ", ".join(unknown) + ".")
            ok = False
        spec = {
            "name": "24/7 fallback",
            "priority": 0,
            "time_zone": schedule.time_zone,
            "start": f"{monday.isoformat()}T09:00",
            "shift_length": {"count": 1, "unit": "weeks"},
            "participants": ids,
            "restrictions": [],
            "fair": False,
        }
        ok = _clean_into(spec, fallback["errors"], raw_specs, cleaned, team_id, check_people) and ok
    return cleaned, raw_specs, fallback, ok


def _clean_into(spec, errors, raw_specs, cleaned, team_id, check_people) -> bool:
    try:
        out = specs.clean_layer_spec(spec, team_id=team_id, check_people=check_people)
    except ValidationError as exc:
        for field, msgs in exc.message_dict.items():
            label = {"time_zone": "Zone", "restrictions": "Window", "participants": "People"}
            errors.extend(f"{label.get(field, field)}: {m}" for m in msgs)
        return False
    raw_specs.append(spec)
    cleaned.append(out)
    return True


def _fts_context(request: HttpRequest, schedule: Schedule, *, check_people=False) -> dict:
    data = request.POST if request.method == "POST" else None
    zone = zoneinfo(viewer_zone_name(request))
    week = presenters.next_monday(timezone.now(), zone)
    members = selectors.team_member_zones(schedule.team_id)
    rows = fts_rows(data, presenters.fts_candidates(members, week, zone))
    cleaned, raw_specs, fallback, ok = _fts_specs(
        request, schedule, rows, check_people=check_people
    )
    context = {
        "schedule": schedule,
        "rows": rows,
        "fallback": fallback,
        "day_choices": presenters.DAY_CHOICES,
        "ok": ok,
        "layer_count": len(cleaned),
        "raw_specs": raw_specs,
        "week": week,
        "covered": 0,
        "gap_hours": 7 * 24,
    }
    if cleaned:
        coverage = selectors.coverage_preview(cleaned, week_start=week, time_zone=zone.key)
        people = selectors.people_by_id({p for s in cleaned for p in s["participants"]})
        context.update(
            {
                "strip": presenters.week_strip(coverage.segments, week, zone, people),
                "gaps": presenters.gap_rows(coverage.gaps, zone),
                "covered": round(coverage.covered_fraction * 100, 1),
                "gap_hours": presenters.gap_hours(coverage.gaps),
            }
        )
    return context


@require_http_methods(["GET", "POST"])
def follow_the_sun(request: HttpRequest, pk: int) -> HttpResponse:
    schedule = editable_schedule(request, pk)
    status = 200
    context = _fts_context(request, schedule, check_people=request.method == "POST")
    if request.method == "POST":
        if context["ok"] and context["raw_specs"]:
            try:
                services.layers_create(
                    actor=Actor.from_request(request),
                    schedule=schedule,
                    specs=context["raw_specs"],
                )
            except ValidationError as exc:
                context["form_errors"] = exc.messages
            else:
                messages.success(request, f"{len(context['raw_specs'])} layers created.")
                return redirect("oncall-schedule", pk=schedule.pk)
        elif not context["raw_specs"]:
            context["form_errors"] = ["Choose at least one region or the fallback."]
        status = 400
    return render(request, "oncall/follow_the_sun.html", context, status=status)


@require_POST
def follow_the_sun_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """htmx: the typical week's coverage and gaps of the preset as it is filled in."""
    schedule = editable_schedule(request, pk)
    context = _fts_context(request, schedule)
    context["oob"] = True  # the coverage summary at the top of the page is refreshed too
    return render(request, "oncall/_fts_preview.html", context)
