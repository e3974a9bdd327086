"""Who is on call now, on every schedule of the org."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from core import panels
from core.permissions import require
from core.zones import zoneinfo
from teams.permissions import person_visibility
from teams.selectors import people_clocks

from .. import presenters, selectors
from .. import render as row_render
from ..permissions import schedule_readability
from .common import filter_form, paginate, viewer_zone_name


@require_safe
def oncall_now(request: HttpRequest) -> HttpResponse:
    """Every schedule org-wide (cached answer), filtered and paginated in Python: one query
    for the filter (when any), one for the statuses of the page's people."""
    require(request.user, "oncall.view_oncall_now")
    now = timezone.now()
    zone = zoneinfo(viewer_zone_name(request))
    form = filter_form(request)
    filters = form.filters()
    rows = selectors.oncall_now(request.user, at=now)
    if filters:
        ids = selectors.matching_schedule_ids(filters, viewer=request.user, at=now)
        rows = [r for r in rows if r.schedule_id in ids]
    page, links = paginate(request, rows, form)
    clocks = people_clocks((r.person_id for r in page.object_list), at=now)
    rows_shown = presenters.now_rows(page.object_list, clocks, zone)
    readable = schedule_readability(request.user)
    visible = person_visibility(request.user)
    rows_html = row_render.now_rows_html(
        rows_shown,
        # Who is on call is everyone's to see; a schedule's page and a person's (a leaver's,
        # say) only for those the rules let in. The viewer's teams are cached.
        schedule_readable=lambda row: readable(row.schedule_id, row.team_id),
        person_visible=lambda person: person is not None and visible(person),
    )
    context = {
        "rows": rows_shown,
        "rows_html": rows_html,
        "page": page,
        "links": links,
        "form": form,
        "filtered": bool(filters),
        "gap_count": sum(1 for r in rows if r.person_id is None),
        "now": now,
        # e.g. handoffs' latest note of each schedule shown (oncall never imports it).
        "panels": panels.render(
            "oncall_now", request, schedule_ids=[r.schedule_id for r in page.object_list]
        ),
    }
    return render(request, "oncall/oncall_now.html", context)
