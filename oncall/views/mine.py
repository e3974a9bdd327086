"""My shifts across every schedule, with the swaps I can take or approve, my shift notice
and my own iCal feed."""

from __future__ import annotations

from datetime import timedelta
from functools import partial

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from core.forms import form_write
from core.permissions import require
from core.zones import zoneinfo

from .. import presenters, selectors, services
from ..forms import NoticeForm
from .common import MY_SHIFTS_DAYS, feed_action, pop_feed_url, viewer_zone_name


def _my_shifts_page(request: HttpRequest, *, notice_form=None, status=200) -> HttpResponse:
    now = timezone.now()
    zone = zoneinfo(viewer_zone_name(request))
    shifts = selectors.my_shifts(request.user, now, now + timedelta(days=MY_SHIFTS_DAYS))
    context = {
        "rows": presenters.shift_rows(shifts, now, zone),
        "swaps_to_take": presenters.swap_list_rows(
            selectors.swaps_i_can_take(request.user)[:20], zone
        ),
        "swaps_to_approve": presenters.swap_list_rows(
            selectors.swaps_awaiting_approval(request.user)[:20], zone
        ),
        "days": MY_SHIFTS_DAYS,
        "feeds": [f for f in selectors.ical_feeds(request.user) if f.schedule_id is None],
        "new_feed_url": pop_feed_url(request),
        "notice_form": notice_form
        or NoticeForm(
            initial={"shift_notice_minutes": selectors.shift_notice_minutes(request.user)}
        ),
    }
    return render(request, "oncall/my_shifts.html", context, status=status)


@require_safe
def my_shifts(request: HttpRequest) -> HttpResponse:
    require(request.user, "oncall.view_oncall_now")
    return _my_shifts_page(request)


@require_POST
def my_feed(request: HttpRequest) -> HttpResponse:
    require(request.user, "oncall.view_oncall_now")
    feed_action(request, None)
    return redirect(reverse("oncall-my-shifts") + "#feed")


@require_POST
def my_notice(request: HttpRequest) -> HttpResponse:
    require(request.user, "oncall.view_oncall_now")
    form = NoticeForm(request.POST)
    update = partial(services.preferences_update, user=request.user)
    saved, _ = form_write(request, form, update, "Shift notice saved.")
    if saved:
        return redirect("oncall-my-shifts")
    return _my_shifts_page(request, notice_form=form, status=400)
