"""Adding an override on a schedule's page, and removing one."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from core.audit import Actor
from core.forms import form_write
from core.permissions import found_or_404, require
from core.zones import zoneinfo

from .. import selectors, services
from ..forms import OverrideForm
from .common import get_schedule, override_people, viewer_zone_name
from .schedules import schedule_page


@require_POST
def override_add(request: HttpRequest, pk: int) -> HttpResponse:
    schedule = get_schedule(request, pk)
    if not (
        request.user.has_perm("oncall.change_schedule", schedule)
        or request.user.has_perm("oncall.add_own_override", schedule)
    ):
        raise PermissionDenied
    zone = zoneinfo(viewer_zone_name(request))
    form = OverrideForm(request.POST, people=override_people(request, schedule), viewer_zone=zone)

    def add(*, person, **span):
        if person != request.user.pk:
            require(request.user, "oncall.change_schedule", schedule)
        return services.override_create(schedule=schedule, person=person, **span)

    saved, _ = form_write(request, form, add, "Override added.")
    if saved:
        start = form.cleaned_data["start"].astimezone(zone).date().isoformat()
        return redirect(reverse("oncall-schedule", kwargs={"pk": pk}) + f"?date={start}")
    return schedule_page(request, schedule, override_form=form, status=400)


@require_POST
def override_delete(request: HttpRequest, pk: int, override_id: int) -> HttpResponse:
    schedule = get_schedule(request, pk)
    override = found_or_404(selectors.schedule_override(schedule, override_id), "override")
    require(request.user, "oncall.delete_override", override)
    services.override_delete(actor=Actor.from_request(request), override=override)
    messages.success(request, "Override removed.")
    return redirect("oncall-schedule", pk=pk)
