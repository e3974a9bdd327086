"""What on-call adds to teams' pages through core.panels (registered in oncall.apps): the
team page's schedules with who is on call now, and the dashboard's "your next shift" card.

Rendered without the request (render_to_string(request=None)): the context processors, the
notification bell among them, already ran for the page and would query again.
"""

from __future__ import annotations

from datetime import timedelta

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString

from core.timefmt import fmt_day_time, fmt_span
from core.zones import zoneinfo

from . import selectors
from .permissions import schedule_readability

DASHBOARD_DAYS = 14
TEAM_PANEL_ROWS = 10  # more are a link to the schedules list, filtered by the team


def _zone_name(request: HttpRequest) -> str:
    profile = getattr(request.user, "profile", None)
    return profile.time_zone if profile is not None else "UTC"


def _in(delta: timedelta) -> str:
    """'in 40 min', 'in 5 h 20 min', 'in 3 days': how far off a shift is, roughly."""
    minutes = max(1, int(delta.total_seconds() // 60))
    if minutes < 60:
        return f"in {minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"in {hours} h {minutes} min" if minutes else f"in {hours} h"
    days = round(hours / 24)
    return f"in {days} day{'s' if days != 1 else ''}"


def team_schedules(request: HttpRequest, *, team) -> SafeString:
    """The team's schedules, who is on call on each now and until when (viewer's time).

    Who is on call is org-wide knowledge (the "on call now" page); a schedule's own page is
    linked only for those who may read it. Queries: none when the org-wide answer is cached,
    else four; plus the viewer's teams, schedules and lead roles, once per request.
    """
    now = timezone.now()
    zone = zoneinfo(_zone_name(request))
    user = request.user
    items = []
    rows, total = selectors.team_oncall_now(team.pk, at=now, limit=TEAM_PANEL_ROWS)
    readable = schedule_readability(user)
    for row in rows:
        items.append(
            {
                "row": row,
                "readable": readable(row.schedule_id, row.team_id),
                "until": row.until.astimezone(zone) if row.until else None,
            }
        )
    context = {
        "team": team,
        "items": items,
        "total": total,
        "can_add": user.has_perm("oncall.add_schedule", team),
        "viewer_zone": zone.key,
    }
    return render_to_string("oncall/_team_panel.html", context)


def my_next_shift(request: HttpRequest) -> SafeString:
    """The dashboard card: on call now (until when), else the next shift within 14 days,
    else none; times in the viewer's zone. Three queries (oncall.selectors.my_shifts)."""
    now = timezone.now()
    zone = zoneinfo(_zone_name(request))
    horizon = now + timedelta(days=DASHBOARD_DAYS)
    shifts = selectors.my_shifts(request.user, now, horizon)
    current = [
        {
            "shift": s,
            # A shift cut at the horizon goes on beyond it: say so rather than a false end.
            "until": None if s.end >= horizon else fmt_day_time(s.end, zone),
        }
        for s in shifts
        if s.start <= now < s.end
    ]
    upcoming = next((s for s in shifts if s.start > now), None)
    nxt = None
    if upcoming is not None:
        nxt = {
            "shift": upcoming,
            "span": f"{fmt_day_time(upcoming.start, zone)} onwards"
            if upcoming.end >= horizon
            else fmt_span(upcoming.start, upcoming.end, zone),
            "in": _in(upcoming.start - now),
        }
    context = {
        "current": current,
        "next": nxt,
        "days": DASHBOARD_DAYS,
        "viewer_zone": zone.key,
    }
    return render_to_string("oncall/_dashboard_card.html", context)
