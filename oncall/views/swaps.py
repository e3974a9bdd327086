"""Swap requests of a schedule: the list and the request form, one request's page, and
taking, approving, declining or cancelling one."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from core.audit import Actor
from core.forms import form_write
from core.pages import service_action
from core.permissions import found_or_404, require
from core.zones import zoneinfo

from .. import presenters, selectors, services
from ..forms import SwapForm
from ..models import Schedule, SwapRequest
from .common import (
    MY_SHIFTS_DAYS,
    get_schedule,
    schedule_people_choices,
    viewer_zone_name,
)


def _my_upcoming(request: HttpRequest, schedule: Schedule) -> list:
    """My shifts on `schedule`, over a window that starts at the hour: the shifts (and so the
    form's choice values) stay the same between showing the form and posting it."""
    now = timezone.now()
    a = now.replace(minute=0, second=0, microsecond=0)
    return [
        s
        for s in selectors.my_shifts(request.user, a, a + timedelta(days=MY_SHIFTS_DAYS))
        if s.schedule.pk == schedule.pk and s.end > now
    ]


def _swap_form(request, schedule, data=None) -> tuple[SwapForm, list]:
    zone = zoneinfo(viewer_zone_name(request))
    shifts = _my_upcoming(request, schedule)
    choices = presenters.shift_choices(shifts, timezone.now(), zone)
    people = [p for p in schedule_people_choices(schedule) if p[0] != request.user.pk]
    return SwapForm(data, shifts=choices, people=people), shifts


def _swap_row(request, swap: SwapRequest, zone: ZoneInfo) -> dict:
    """A swap's text (presenters.swap_summary) and what the viewer may do with it."""
    user = request.user
    is_open = swap.status == "requested"
    return {
        **presenters.swap_summary(swap, zone),
        "can_accept": is_open
        and swap.requester_id != user.pk
        and swap.asked_id in (None, user.pk)
        and user.has_perm("oncall.take_swap", swap.schedule),
        "can_approve": swap.awaiting_approval and user.has_perm("oncall.decide_swap", swap),
        "can_decline": (is_open or swap.awaiting_approval)
        and swap.override_id is None
        and (user.has_perm("oncall.decide_swap", swap) or (swap.asked_id == user.pk and is_open)),
        "can_cancel": (is_open or swap.awaiting_approval)
        and swap.override_id is None
        and user.has_perm("oncall.cancel_swap", swap),
    }


def _swaps_page(request, schedule, *, form=None, status=200) -> HttpResponse:
    zone = zoneinfo(viewer_zone_name(request))
    can_request = request.user.has_perm("oncall.request_swap", schedule)
    if form is None and can_request:
        form, _ = _swap_form(request, schedule)
    swaps = list(selectors.schedule_swaps(schedules=[schedule])[:200])
    open_rows, history = [], []
    for swap in swaps:
        row = _swap_row(request, swap, zone)
        (open_rows if swap.status in ("requested",) or swap.awaiting_approval else history).append(
            row
        )
    context = {
        "schedule": schedule,
        "form": form if can_request else None,
        "open_rows": open_rows,
        "history": history,
    }
    return render(request, "oncall/swaps.html", context, status=status)


@require_http_methods(["GET", "POST"])
def swaps(request: HttpRequest, pk: int) -> HttpResponse:
    schedule = get_schedule(request, pk)
    if request.method == "GET":
        return _swaps_page(request, schedule)
    require(request.user, "oncall.request_swap", schedule)
    form, shifts = _swap_form(request, schedule, request.POST)

    def give_away(*, shift, **request_fields):
        chosen = next((s for s in shifts if int(s.start.timestamp()) == shift), None)
        if chosen is None:
            raise ValidationError({"shift": "That shift is no longer yours; choose again."})
        # A shift under way is given away from now on.
        start = max(chosen.start, timezone.now())
        return services.swap_request_create(
            schedule=schedule, start=start, end=chosen.end, **request_fields
        )

    sent, swap = form_write(request, form, give_away, "Swap request sent.")
    if sent:
        return redirect("oncall-swap", pk=pk, swap_id=swap.pk)
    return _swaps_page(request, schedule, form=form, status=400)


@require_safe
def swap_detail(request: HttpRequest, pk: int, swap_id: int) -> HttpResponse:
    schedule = get_schedule(request, pk)
    swap = found_or_404(selectors.swap_for_page(schedule, swap_id), "swap request")
    zone = zoneinfo(viewer_zone_name(request))
    return render(
        request,
        "oncall/swap_detail.html",
        {"schedule": schedule, "row": _swap_row(request, swap, zone)},
    )


SWAP_ACTIONS = {
    "accept": ("oncall.take_swap", services.swap_request_accept, "You took the swap."),
    "approve": ("oncall.decide_swap", services.swap_request_approve, "Swap approved."),
    "decline": ("oncall.decide_swap", services.swap_request_decline, "Swap declined."),
    "cancel": ("oncall.cancel_swap", services.swap_request_cancel, "Swap request cancelled."),
}


@require_POST
def swap_action(request: HttpRequest, pk: int, swap_id: int, action: str) -> HttpResponse:
    schedule = get_schedule(request, pk)
    swap = found_or_404(selectors.schedule_swap(schedule, swap_id), "swap request")
    if action not in SWAP_ACTIONS:
        raise Http404("No such action.")
    perm, service, success = SWAP_ACTIONS[action]
    if action == "accept":
        require(request.user, perm, schedule)
    elif action == "decline" and swap.asked_id == request.user.pk and swap.status == "requested":
        pass  # the person asked may say no to a request addressed to them
    else:
        require(request.user, perm, swap)
    service_action(request, lambda: service(actor=Actor.from_request(request), swap=swap), success)
    return redirect("oncall-swap", pk=pk, swap_id=swap_id)
