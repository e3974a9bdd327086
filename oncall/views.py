"""HTML pages of on-call: who is on call now, schedules with their lanes, layer forms with
instant validation, the follow-the-sun preset, my shifts, swaps and overrides.

Thin: reads through oncall.selectors, writes through oncall.services, permissions checked
object by object with request.user.has_perm (oncall/permissions.py). A schedule the viewer may
not read answers 404 (like the API); one they may read but not change answers 403 to a write.
Every time is shown in the viewer's zone (or the schedule's with ?tz=schedule), every person
with their own local time.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import Prefetch, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from core.audit import Actor
from core.forms import apply_errors
from core.permissions import require
from core.timefmt import fmt_span
from core.zones import is_valid_zone, zoneinfo
from teams.models import Membership, Team
from teams.permissions import is_org_admin
from teams.selectors import lead_team_ids, person_local_status, team_choices

from . import presenters, selectors, services, specs
from .forms import (
    DAY_CHOICES,
    LOCAL_FORMAT,
    LayerForm,
    NoticeForm,
    OverrideForm,
    ScheduleFilterForm,
    ScheduleForm,
    ScheduleSettingsForm,
    SwapForm,
    fts_rows,
    usernames_to_ids,
)
from .ical import feed_url
from .models import Layer, LayerVersion, Participation, Schedule, SwapRequest

User = get_user_model()
WIDTH = 1000  # the SVG lanes' user units; CSS stretches them to the page width
VIEWS = ("day", "week", "month")
FEED_SESSION_KEY = "oncall_new_feed_url"
MY_SHIFTS_DAYS = 30
LIST_PAGE_SIZE = 50  # rows a page on "on call now" and the schedules list
FTS_PRIORITY = 10  # regional layers win over the 24/7 fallback (priority 0)


# --- helpers -----------------------------------------------------------------------------------


def _viewer_zone_name(request: HttpRequest) -> str:
    profile = getattr(request.user, "profile", None)
    return profile.time_zone if profile is not None else "UTC"


def _get_schedule(request: HttpRequest, pk: int) -> Schedule:
    schedule = get_object_or_404(Schedule.objects.select_related("team"), pk=pk)
    if not request.user.has_perm("oncall.view_schedule", schedule):
        raise Http404("No such schedule.")  # not yours to see: as if it did not exist
    return schedule


def _name(person) -> str:
    if person is None:
        return "Nobody"
    profile = getattr(person, "profile", None)
    return profile.display_name if profile else person.get_username()


def _service_action(request: HttpRequest, call, success: str) -> bool:
    """Run a service for a one-button form; refusals become messages (nothing written)."""
    try:
        call()
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return False
    messages.success(request, success)
    return True


def _colours(lanes) -> dict[int, presenters.Swatch]:
    """A style per person in one view (lists of segments, e.g. a page's lanes): distinct
    colours by order of first appearance, so people next to each other differ."""
    return presenters.assign_swatches(lanes)


@dataclass
class Bar:
    x: float
    width: float
    css: str
    label: str
    tooltip: str
    pattern: str = ""  # "" or a presenters.PATTERNS fill drawn over the colour

    @property
    def x2(self) -> float:
        return round(self.x + self.width, 3)


def _bars(segments, a, b, zone: ZoneInfo, people, colours, *, gaps: bool) -> list[Bar]:
    """SVG geometry of segments over [a, b): x and width in user units, a tooltip with the
    span in `zone` and, for a person, their own local times (presenters.bar_tooltip)."""
    total = (b - a).total_seconds()
    bars = []
    for seg in segments:
        lo, hi = max(seg.start, a), min(seg.end, b)
        if hi <= lo:
            continue
        x = (lo - a).total_seconds() / total * WIDTH
        width = (hi - lo).total_seconds() / total * WIDTH
        if seg.person is None:
            if not gaps:
                continue
            tooltip = presenters.bar_tooltip(None, seg.start, seg.end, zone)
            bars.append(Bar(round(x, 3), round(width, 3), "gap", "", tooltip))  # red says it
            continue
        person = people.get(seg.person)
        name = _name(person)
        profile = getattr(person, "profile", None)
        theirs = zoneinfo(profile.time_zone) if profile is not None else None
        tooltip = presenters.bar_tooltip(name, seg.start, seg.end, zone, theirs)
        style = colours.get(seg.person) or presenters.swatch(0)
        label = presenters.bar_label(name, width)
        bars.append(Bar(round(x, 3), round(width, 3), style.css, label, tooltip, style.pattern))
    return bars


def _ticks(a: datetime, b: datetime, zone: ZoneInfo, view: str) -> list[dict]:
    """Axis ticks at local hours (day view) or local midnights, positioned in user units."""
    total = (b - a).total_seconds()
    first = a.astimezone(zone).date()
    last = (b - timedelta(microseconds=1)).astimezone(zone).date()
    marks: list[tuple[datetime, str]] = []
    day = first
    while day <= last:
        if view == "day":
            for hour in range(0, 24, 3):
                marks.append((datetime.combine(day, time(hour), tzinfo=zone), f"{hour:02d}:00"))
        elif view == "week":
            marks.append((datetime.combine(day, time(0), tzinfo=zone), f"{day:%a %d}"))
        else:
            label = f"{day:%d}" if day.day == 1 or day.weekday() == 0 else ""
            marks.append((datetime.combine(day, time(0), tzinfo=zone), label))
        day += timedelta(days=1)
    ticks = []
    for local, label in marks:
        instant = local.astimezone(UTC)
        if a <= instant < b:
            ticks.append(
                {"x": round((instant - a).total_seconds() / total * WIDTH, 3), "label": label}
            )
    return ticks


def _range(view: str, anchor: date, zone: ZoneInfo) -> tuple[datetime, datetime, date, date]:
    """[a, b) of the view around `anchor` (local days in `zone`), and the prev/next anchors."""
    if view == "day":
        lo, hi = anchor, anchor + timedelta(days=1)
        prev, nxt = anchor - timedelta(days=1), hi
    elif view == "month":
        lo = anchor.replace(day=1)
        days = calendar.monthrange(lo.year, lo.month)[1]
        hi = lo + timedelta(days=days)
        prev = (lo - timedelta(days=1)).replace(day=1)
        nxt = hi
    else:
        lo = anchor - timedelta(days=anchor.weekday())
        hi = lo + timedelta(days=7)
        prev, nxt = lo - timedelta(days=7), hi
    a = datetime.combine(lo, time(0), tzinfo=zone).astimezone(UTC)
    b = datetime.combine(hi, time(0), tzinfo=zone).astimezone(UTC)
    return a, b, prev, nxt


def _week_strip(segments, week_start: date, zone: ZoneInfo, people) -> dict:
    """Seven rows (local days in `zone`), each the 24 hours of that day as bars."""
    colours = _colours([segments])
    rows = []
    for offset in range(7):
        day = week_start + timedelta(days=offset)
        a = datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)
        b = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone).astimezone(UTC)
        rows.append(
            {
                "day": day,
                "bars": _bars(segments, a, b, zone, people, colours, gaps=True),
                "ticks": _ticks(a, b, zone, "day"),
            }
        )
    return {"rows": rows, "zone": zone.key}


def _gap_rows(gaps, zone: ZoneInfo) -> list[dict]:
    return [
        {
            "yours": fmt_span(g.start, g.end, zone),
            "utc": fmt_span(g.start, g.end, ZoneInfo("UTC")),
            "hours": round((g.end - g.start).total_seconds() / 3600, 2),
            "fill_start": g.start.astimezone(zone).strftime(LOCAL_FORMAT),
            "fill_end": g.end.astimezone(zone).strftime(LOCAL_FORMAT),
        }
        for g in gaps
    ]


def _next_monday(zone: ZoneInfo) -> date:
    today = timezone.now().astimezone(zone).date()
    return today + timedelta(days=7 - today.weekday())


def _pop_feed_url(request: HttpRequest) -> str | None:
    return request.session.pop(FEED_SESSION_KEY, None)


def _feed_action(request: HttpRequest, schedule: Schedule | None) -> None:
    actor = Actor.from_request(request)
    if request.POST.get("action") == "revoke":
        count = services.ical_token_revoke(actor=actor, owner=request.user, schedule=schedule)
        messages.success(request, "Feed revoked." if count else "There was no feed to revoke.")
        return
    _feed, raw = services.ical_token_regenerate(actor=actor, owner=request.user, schedule=schedule)
    # The raw token is shown once (only its hash is kept): carried to the next page.
    request.session[FEED_SESSION_KEY] = feed_url(raw)
    messages.success(request, "A new feed URL was made; any older one no longer works.")


def _schedule_people(schedule: Schedule) -> list[tuple[int, str]]:
    """(id, label) of the schedule's team members and participants, by name: one query."""
    rows = sorted(
        User.objects.filter(is_active=True, profile__isnull=False)
        .filter(
            Q(pk__in=Membership.objects.filter(team_id=schedule.team_id).values("person_id"))
            | Q(pk__in=Participation.objects.filter(schedule=schedule).values("person_id"))
        )
        .select_related("profile"),
        key=lambda u: _name(u).lower(),
    )
    return [(u.pk, f"{_name(u)} ({u.username}, {u.profile.time_zone})") for u in rows]


# --- who is on call now ------------------------------------------------------------------------


def _status(person, now: datetime) -> dict | None:
    profile = getattr(person, "profile", None)
    if profile is None:
        return None
    status = person_local_status(profile, at=now)
    if status.working:
        label, css = "Working", "badge-on"
    elif status.probably_asleep:
        label, css = "Probably asleep", "badge-asleep"
    else:
        label, css = "Off hours", "badge-off"
    return {"local": status.local_time, "offset": status.utc_offset, "label": label, "css": css}


def _filter_form(request: HttpRequest) -> ScheduleFilterForm:
    """The lists' filters from the query string; the team picker lists every team (all are
    visible to everyone signed in), from the cached choices."""
    return ScheduleFilterForm(request.GET or None, teams=team_choices())


def _paginate(request: HttpRequest, items, form: ScheduleFilterForm) -> tuple[Page, dict]:
    """A page of `items` (a junk ?page= gives the first or last page, never an error) and its
    links, each keeping the valid filters."""
    page = Paginator(items, LIST_PAGE_SIZE).get_page(request.GET.get("page"))

    def url(number: int) -> str:
        return "?" + form.query(page=number)

    numbers = page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)
    links = {
        "numbers": [
            {
                "number": n,
                "url": None if n == Paginator.ELLIPSIS else url(n),
                "current": n == page.number,
            }
            for n in numbers
        ],
        "previous": url(page.previous_page_number()) if page.has_previous() else None,
        "next": url(page.next_page_number()) if page.has_next() else None,
    }
    return page, links


@require_safe
def oncall_now(request: HttpRequest) -> HttpResponse:
    """Every schedule org-wide (cached answer), filtered and paginated in Python: one query
    for the filter (when any), one for the statuses of the page's people."""
    require(request.user, "oncall.view_oncall_now")
    now = timezone.now()
    zone = zoneinfo(_viewer_zone_name(request))
    form = _filter_form(request)
    filters = form.filters()
    rows = selectors.oncall_now(request.user, at=now)
    if filters:
        ids = selectors.matching_schedule_ids(filters, viewer=request.user, at=now)
        rows = [r for r in rows if r.schedule_id in ids]
    page, links = _paginate(request, rows, form)
    people = selectors.people_by_id(r.person_id for r in page.object_list)
    out = []
    for row in page.object_list:
        person = people.get(row.person_id)
        out.append(
            {
                "row": row,
                "person": person,
                "status": _status(person, now) if person is not None else None,
                "until": row.until.astimezone(zone) if row.until else None,
            }
        )
    context = {
        "rows": out,
        "page": page,
        "links": links,
        "form": form,
        "filtered": bool(filters),
        "gap_count": sum(1 for r in rows if r.person_id is None),
        "now": now,
    }
    return render(request, "oncall/oncall_now.html", context)


# --- schedules ---------------------------------------------------------------------------------


def _creatable_teams(user) -> list[Team]:
    if is_org_admin(user):
        return list(Team.objects.order_by("name"))
    return list(Team.objects.filter(pk__in=lead_team_ids(user)).order_by("name"))


@require_http_methods(["GET", "POST"])
def schedule_list(request: HttpRequest) -> HttpResponse:
    require(request.user, "oncall.view_oncall_now")
    teams = _creatable_teams(request.user)
    status = 200
    form = ScheduleForm(teams=teams, initial={"time_zone": _viewer_zone_name(request)})
    if request.method == "POST":
        form = ScheduleForm(request.POST, teams=teams)
        if form.is_valid():
            team = next((t for t in teams if t.pk == form.cleaned_data["team"]), None)
            if team is None:
                raise PermissionDenied
            require(request.user, "oncall.add_schedule", team)
            try:
                schedule = services.schedule_create(
                    actor=Actor.from_request(request),
                    team=team,
                    name=form.cleaned_data["name"],
                    time_zone=form.cleaned_data["time_zone"],
                    requires_lead_approval_for_swaps=form.cleaned_data[
                        "requires_lead_approval_for_swaps"
                    ],
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, f"Schedule {schedule.name} created.")
                if form.cleaned_data["follow_the_sun"]:
                    return redirect("oncall-follow-the-sun", pk=schedule.pk)
                return redirect("oncall-schedule", pk=schedule.pk)
        status = 400
    zone = zoneinfo(_viewer_zone_name(request))
    now = timezone.now()
    filter_form = _filter_form(request)
    filters = filter_form.filters()
    schedules = selectors.filter_schedules(
        selectors.visible_schedules(request.user), filters, viewer=request.user, at=now
    ).order_by("name", "id")
    page, links = _paginate(request, schedules, filter_form)
    now_rows = {r.schedule_id: r for r in selectors.oncall_now(request.user, at=now)}
    rows = []
    for schedule in page.object_list:
        now_row = now_rows.get(schedule.pk)
        rows.append(
            {
                "schedule": schedule,
                "now": now_row,
                "until": now_row.until.astimezone(zone) if now_row and now_row.until else None,
            }
        )
    if request.method == "GET" and filters.team in {t.pk for t in teams}:
        form.initial["team"] = filters.team  # "New schedule" from a team's list: that team
    context = {
        "rows": rows,
        "page": page,
        "links": links,
        "filter_form": filter_form,
        "filtered": bool(filters),
        "form": form if teams else None,
        # The form opens by itself after a failed post, when asked (?new=1, the team page's
        # link) or when there is nothing to list yet.
        "form_open": status == 400
        or "new" in request.GET
        or (not filters and not page.paginator.count),
    }
    return render(request, "oncall/schedule_list.html", context, status=status)


def _current_layers(schedule: Schedule) -> list[dict]:
    """Layers not deleted, each with its latest version: two queries."""
    layers = Layer.objects.filter(schedule=schedule, removed_at__isnull=True).prefetch_related(
        Prefetch("versions", queryset=LayerVersion.objects.order_by("effective_from", "id"))
    )
    out = []
    for layer in layers:
        versions = list(layer.versions.all())
        if versions:
            version = versions[-1]
            unit = version.shift_unit[:-1] if version.shift_count == 1 else version.shift_unit
            out.append(
                {
                    "layer": layer,
                    "version": version,
                    "every": f"{version.shift_count} {unit}",
                    "count": len(versions),
                    "windows": _windows_text(version.restrictions),
                }
            )
    return out


def _schedule_page(
    request: HttpRequest, schedule: Schedule, *, override_form=None, status=200
) -> HttpResponse:
    user = request.user
    now = timezone.now()
    viewer_zone = zoneinfo(_viewer_zone_name(request))
    use_schedule_zone = request.GET.get("tz") == "schedule" and is_valid_zone(schedule.time_zone)
    zone = zoneinfo(schedule.time_zone) if use_schedule_zone else viewer_zone
    view = request.GET.get("view") if request.GET.get("view") in VIEWS else "week"
    try:
        anchor = date.fromisoformat(request.GET.get("date") or "")
        if not 1900 < anchor.year < 2200:
            raise ValueError
    except ValueError:
        anchor = now.astimezone(zone).date()
    a, b, prev, nxt = _range(view, anchor, zone)
    lanes = selectors.layer_lanes(schedule, a, b)
    every = (*lanes.layers, lanes.overrides, lanes.final)
    colours = _colours(one.segments for one in every)  # first appearance across the lanes

    def lane(one, gaps=False):
        return {
            "title": one.title,
            "key": one.key,
            "bars": _bars(one.segments, a, b, zone, lanes.people, colours, gaps=gaps),
        }

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
            initial=initial, people=_override_people(request, schedule), viewer_zone=viewer_zone
        )
    overrides = list(
        # Upcoming ones, and those in view (a past one can be seen and removed there).
        schedule.overrides.filter(Q(end__gt=now) | Q(end__gt=a, start__lt=b))
        .select_related("person__profile")
        .order_by("start")[:200]
    )
    query = {"view": view, "date": anchor.isoformat()}
    if use_schedule_zone:
        query["tz"] = "schedule"
    legend = [
        {"css": colours[pk], "name": _name(lanes.people.get(pk)), "person": lanes.people.get(pk)}
        for pk in sorted(colours, key=lambda pk: _name(lanes.people.get(pk)).lower())
    ]
    context = {
        "schedule": schedule,
        "view": view,
        "views": VIEWS,
        "anchor": anchor,
        "prev": prev.isoformat(),
        "next": nxt.isoformat(),
        "today": now.astimezone(zone).date().isoformat(),
        "tz_param": "schedule" if use_schedule_zone else "",
        "zone": zone.key,
        "use_schedule_zone": use_schedule_zone,
        "range_text": fmt_span(a, b, zone),
        "ticks": _ticks(a, b, zone, view),
        "now_x": round((now - a).total_seconds() / (b - a).total_seconds() * WIDTH, 3)
        if a <= now < b
        else None,
        "layer_lanes": [lane(item) for item in lanes.layers],
        "override_lane": lane(lanes.overrides),
        "final_lane": lane(lanes.final, gaps=True),
        "gaps": _gap_rows(final_gaps, zone),
        "fill_query": "&".join(f"{k}={v}" for k, v in query.items()),
        "legend": legend,
        "layers": _current_layers(schedule),
        "overrides": [
            {
                "override": o,
                "span": fmt_span(o.start, o.end, viewer_zone),
                "theirs": fmt_span(o.start, o.end, zoneinfo(o.person.profile.time_zone))
                if getattr(o.person, "profile", None)
                else "",
                "can_delete": user.has_perm("oncall.delete_override", o),
            }
            for o in overrides
        ],
        "override_form": override_form,
        "swaps": list(selectors.schedule_swaps(schedules=[schedule])[:10]),
        "feeds": list(selectors.ical_feeds(user).filter(schedule=schedule)),
        "new_feed_url": _pop_feed_url(request),
        "can_edit": can_edit,
        "width": WIDTH,
        "viewer_zone_name": viewer_zone.key,
    }
    return render(request, "oncall/schedule_detail.html", context, status=status)


def _override_people(request: HttpRequest, schedule: Schedule) -> list[tuple[int, str]]:
    if request.user.has_perm("oncall.change_schedule", schedule):
        return _schedule_people(schedule)
    return [(request.user.pk, f"{_name(request.user)} (me)")]


@require_safe
def schedule_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _schedule_page(request, _get_schedule(request, pk))


@require_POST
def override_add(request: HttpRequest, pk: int) -> HttpResponse:
    schedule = _get_schedule(request, pk)
    if not (
        request.user.has_perm("oncall.change_schedule", schedule)
        or request.user.has_perm("oncall.add_own_override", schedule)
    ):
        raise PermissionDenied
    zone = zoneinfo(_viewer_zone_name(request))
    form = OverrideForm(request.POST, people=_override_people(request, schedule), viewer_zone=zone)
    if form.is_valid():
        person = form.cleaned_data["person"]
        if person != request.user.pk:
            require(request.user, "oncall.change_schedule", schedule)
        try:
            services.override_create(
                actor=Actor.from_request(request),
                schedule=schedule,
                person=person,
                start=form.cleaned_data["start"],
                end=form.cleaned_data["end"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, "Override added.")
            start = form.cleaned_data["start"].astimezone(zone).date().isoformat()
            return redirect(reverse("oncall-schedule", kwargs={"pk": pk}) + f"?date={start}")
    return _schedule_page(request, schedule, override_form=form, status=400)


@require_POST
def override_delete(request: HttpRequest, pk: int, override_id: int) -> HttpResponse:
    schedule = _get_schedule(request, pk)
    override = get_object_or_404(schedule.overrides.select_related("schedule"), pk=override_id)
    require(request.user, "oncall.delete_override", override)
    services.override_delete(actor=Actor.from_request(request), override=override)
    messages.success(request, "Override removed.")
    return redirect("oncall-schedule", pk=pk)


@require_POST
def schedule_feed(request: HttpRequest, pk: int) -> HttpResponse:
    schedule = _get_schedule(request, pk)
    _feed_action(request, schedule)
    return redirect(reverse("oncall-schedule", kwargs={"pk": pk}) + "#feed")


def schedule_settings(request: HttpRequest, pk: int) -> HttpResponse:
    """Rename a schedule, change its zone or its swap-approval rule."""
    schedule = _editable_schedule(request, pk)
    initial = {
        "name": schedule.name,
        "time_zone": schedule.time_zone,
        "requires_lead_approval_for_swaps": schedule.requires_lead_approval_for_swaps,
    }
    form = ScheduleSettingsForm(initial=initial)
    status = 200
    if request.method == "POST":
        form = ScheduleSettingsForm(request.POST)
        if form.is_valid():
            try:
                services.schedule_update(
                    actor=Actor.from_request(request), schedule=schedule, **form.cleaned_data
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, "Schedule settings saved.")
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
    schedule = _get_schedule(request, pk)
    require(request.user, "oncall.delete_schedule", schedule)
    if request.POST.get("confirm") != schedule.name:
        messages.error(request, "Type the schedule's name to confirm deleting it.")
        return redirect("oncall-schedule-settings", pk=pk)
    name = schedule.name
    services.schedule_delete(actor=Actor.from_request(request), schedule=schedule)
    messages.success(request, f"Schedule {name} deleted.")
    return redirect("oncall-schedules")


# --- layers ------------------------------------------------------------------------------------


def _editable_schedule(request: HttpRequest, pk: int) -> Schedule:
    schedule = _get_schedule(request, pk)
    require(request.user, "oncall.change_schedule", schedule)
    return schedule


def _windows_text(restrictions) -> str:
    names = dict(DAY_CHOICES)
    parts = []
    for w in restrictions or []:
        days = ",".join(names.get(d, str(d)) for d in w.get("days", []))
        parts.append(f"{days} {w.get('start')}–{w.get('end')}")
    return "; ".join(parts) or "always"


def _layer_preview(request: HttpRequest, form: LayerForm, schedule: Schedule) -> dict:
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
        week = _next_monday(zone)
        coverage = selectors.coverage_preview([cleaned], week_start=week, time_zone=zone.key)
        people = selectors.people_by_id(cleaned["participants"])
        context.update(
            {
                "strip": _week_strip(coverage.segments, week, zone, people),
                "gaps": _gap_rows(coverage.gaps, zone),
                "covered": round(coverage.covered_fraction * 100, 1),
            }
        )
    return context


def _layer_form_page(request, schedule, layer=None) -> HttpResponse:
    zone = zoneinfo(_viewer_zone_name(request))
    version = None
    if layer is not None:
        version = layer.versions.order_by("-effective_from", "-id").first()
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
        "day_choices": DAY_CHOICES,
        # After a failed save the form already carries its errors: show them, do not re-check.
        "preview": {"form": form, "valid": False} if form.is_bound else None,
    }
    return render(request, "oncall/layer_form.html", context, status=status)


@require_http_methods(["GET", "POST"])
def layer_new(request: HttpRequest, pk: int) -> HttpResponse:
    return _layer_form_page(request, _editable_schedule(request, pk))


@require_http_methods(["GET", "POST"])
def layer_edit(request: HttpRequest, pk: int, layer_id: int) -> HttpResponse:
    schedule = _editable_schedule(request, pk)
    layer = get_object_or_404(schedule.layers.filter(removed_at__isnull=True), pk=layer_id)
    return _layer_form_page(request, schedule, layer)


@require_POST
def layer_validate(request: HttpRequest, pk: int) -> HttpResponse:
    """htmx: the layer form's errors and the coming week's coverage, as the user types."""
    schedule = _editable_schedule(request, pk)
    zone = zoneinfo(_viewer_zone_name(request))
    form = LayerForm(request.POST, viewer_zone=zone, editing="effective_from" in request.POST)
    context = _layer_preview(request, form, schedule)
    return render(request, "oncall/_layer_preview.html", {"preview": context})


@require_POST
def layer_delete(request: HttpRequest, pk: int, layer_id: int) -> HttpResponse:
    schedule = _editable_schedule(request, pk)
    layer = get_object_or_404(schedule.layers.filter(removed_at__isnull=True), pk=layer_id)
    _service_action(
        request,
        lambda: services.layer_delete(actor=Actor.from_request(request), layer=layer),
        f"Layer {layer.name} deleted from now on; its past shifts stay in the record.",
    )
    return redirect("oncall-schedule", pk=pk)


# --- follow the sun ----------------------------------------------------------------------------


def _team_zones(schedule: Schedule) -> list[tuple[str, str]]:
    """(username, zone) of the team's active members with a profile, by username (one query)."""
    members = (
        Membership.objects.filter(team_id=schedule.team_id, person__is_active=True)
        .select_related("person__profile")
        .order_by("person__username")
    )
    return [
        (m.person.username, m.person.profile.time_zone)
        for m in members
        if getattr(m.person, "profile", None) is not None
    ]


def _fts_candidates(schedule: Schedule, week: date, zone: ZoneInfo) -> list[dict]:
    """The preset's default rows: the team's regions (presenters.default_regions) with windows
    that tile the day, every day. Offsets are taken mid-week of the previewed week, so the
    windows tile that week (a DST change inside it can still shift one by an hour)."""
    at = datetime.combine(week + timedelta(days=3), time(12), tzinfo=zone)
    regions = presenters.default_regions(_team_zones(schedule), at)
    return [
        {
            "zone": r.zone,
            "count": r.count,
            "usernames": "\n".join(r.usernames),
            "region": r.name,
            "zones": ", ".join(r.zones),
            "start": r.start,
            "end": r.end,
            "days": list(presenters.ALL_DAYS),
            "on": r.on,
        }
        for r in regions
    ]


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
    zone = zoneinfo(_viewer_zone_name(request))
    week = _next_monday(zone)
    rows = fts_rows(data, _fts_candidates(schedule, week, zone))
    cleaned, raw_specs, fallback, ok = _fts_specs(
        request, schedule, rows, check_people=check_people
    )
    context = {
        "schedule": schedule,
        "rows": rows,
        "fallback": fallback,
        "day_choices": DAY_CHOICES,
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
        gap_hours = sum((g.end - g.start for g in coverage.gaps), timedelta(0))
        context.update(
            {
                "strip": _week_strip(coverage.segments, week, zone, people),
                "gaps": _gap_rows(coverage.gaps, zone),
                "covered": round(coverage.covered_fraction * 100, 1),
                "gap_hours": round(gap_hours.total_seconds() / 3600, 2),
            }
        )
    return context


@require_http_methods(["GET", "POST"])
def follow_the_sun(request: HttpRequest, pk: int) -> HttpResponse:
    schedule = _editable_schedule(request, pk)
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
    schedule = _editable_schedule(request, pk)
    context = _fts_context(request, schedule)
    context["oob"] = True  # the coverage summary at the top of the page is refreshed too
    return render(request, "oncall/_fts_preview.html", context)


# --- my shifts ---------------------------------------------------------------------------------


def _my_shifts_page(request: HttpRequest, *, notice_form=None, status=200) -> HttpResponse:
    now = timezone.now()
    zone = zoneinfo(_viewer_zone_name(request))
    shifts = selectors.my_shifts(request.user, now, now + timedelta(days=MY_SHIFTS_DAYS))
    rows = [
        {
            "shift": s,
            "start": s.start.astimezone(zone),
            "end": s.end.astimezone(zone),
            "hours": round((s.end - s.start).total_seconds() / 3600, 1),
            "now": s.start <= now < s.end,
        }
        for s in shifts
    ]
    swap_rows = [
        {"swap": swap, "span": fmt_span(swap.start, swap.end, zone), "who": _name(swap.requester)}
        for swap in selectors.swaps_i_can_take(request.user)[:20]
    ]
    approval_rows = [
        {"swap": swap, "span": fmt_span(swap.start, swap.end, zone), "who": _name(swap.requester)}
        for swap in selectors.swaps_awaiting_approval(request.user)[:20]
    ]
    context = {
        "rows": rows,
        "swaps_to_take": swap_rows,
        "swaps_to_approve": approval_rows,
        "days": MY_SHIFTS_DAYS,
        "feeds": [f for f in selectors.ical_feeds(request.user) if f.schedule_id is None],
        "new_feed_url": _pop_feed_url(request),
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
    _feed_action(request, None)
    return redirect(reverse("oncall-my-shifts") + "#feed")


@require_POST
def my_notice(request: HttpRequest) -> HttpResponse:
    require(request.user, "oncall.view_oncall_now")
    form = NoticeForm(request.POST)
    if form.is_valid():
        try:
            services.preferences_update(
                actor=Actor.from_request(request),
                user=request.user,
                shift_notice_minutes=form.cleaned_data["shift_notice_minutes"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, "Shift notice saved.")
            return redirect("oncall-my-shifts")
    return _my_shifts_page(request, notice_form=form, status=400)


# --- swaps -------------------------------------------------------------------------------------


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
    zone = zoneinfo(_viewer_zone_name(request))
    shifts = _my_upcoming(request, schedule)
    now = timezone.now()
    choices = [(int(s.start.timestamp()), fmt_span(max(s.start, now), s.end, zone)) for s in shifts]
    people = [p for p in _schedule_people(schedule) if p[0] != request.user.pk]
    return SwapForm(data, shifts=choices, people=people), shifts


def _swaps_page(request, schedule, *, form=None, status=200) -> HttpResponse:
    zone = zoneinfo(_viewer_zone_name(request))
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


def _swap_row(request, swap: SwapRequest, zone: ZoneInfo) -> dict:
    user = request.user
    requester_profile = getattr(swap.requester, "profile", None)
    is_open = swap.status == "requested"
    return {
        "swap": swap,
        "span": fmt_span(swap.start, swap.end, zone),
        "theirs": fmt_span(swap.start, swap.end, zoneinfo(requester_profile.time_zone))
        if requester_profile
        else "",
        "requester": _name(swap.requester),
        "taker": _name(swap.taker) if swap.taker_id else "",
        "asked": _name(swap.asked) if swap.asked_id else "",
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


@require_http_methods(["GET", "POST"])
def swaps(request: HttpRequest, pk: int) -> HttpResponse:
    schedule = _get_schedule(request, pk)
    if request.method == "GET":
        return _swaps_page(request, schedule)
    require(request.user, "oncall.request_swap", schedule)
    form, shifts = _swap_form(request, schedule, request.POST)
    if form.is_valid():
        chosen = next(
            (s for s in shifts if int(s.start.timestamp()) == form.cleaned_data["shift"]), None
        )
        if chosen is None:
            form.add_error("shift", "That shift is no longer yours; choose again.")
        else:
            try:
                swap = services.swap_request_create(
                    actor=Actor.from_request(request),
                    schedule=schedule,
                    # A shift under way is given away from now on.
                    start=max(chosen.start, timezone.now()),
                    end=chosen.end,
                    asked=form.cleaned_data["asked"],
                    note=form.cleaned_data["note"],
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, "Swap request sent.")
                return redirect("oncall-swap", pk=pk, swap_id=swap.pk)
    return _swaps_page(request, schedule, form=form, status=400)


@require_safe
def swap_detail(request: HttpRequest, pk: int, swap_id: int) -> HttpResponse:
    schedule = _get_schedule(request, pk)
    swap = get_object_or_404(
        selectors.schedule_swaps(schedules=[schedule]).select_related("decided_by__profile"),
        pk=swap_id,
    )
    zone = zoneinfo(_viewer_zone_name(request))
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
    schedule = _get_schedule(request, pk)
    swap = get_object_or_404(
        SwapRequest.objects.select_related("schedule__team"), pk=swap_id, schedule=schedule
    )
    if action not in SWAP_ACTIONS:
        raise Http404("No such action.")
    perm, service, success = SWAP_ACTIONS[action]
    if action == "accept":
        require(request.user, perm, schedule)
    elif action == "decline" and swap.asked_id == request.user.pk and swap.status == "requested":
        pass  # the person asked may say no to a request addressed to them
    else:
        require(request.user, perm, swap)
    _service_action(request, lambda: service(actor=Actor.from_request(request), swap=swap), success)
    return redirect("oncall-swap", pk=pk, swap_id=swap_id)
