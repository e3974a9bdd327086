"""The ownership map's pages: the graph (org -> teams -> owners -> projects, drawn in the
browser by Apache ECharts from /api/v1/ownership-map/), the table with its CSV export, owner
load and bus factor, and the sun map.

Every view of the map takes the same filters (team, country, health) from the query string,
and its tabs carry them from one view to the next. Managers and admins see every team; others
their own teams (projects.ownership decides, for the API too). Thin: reads through
projects.ownership (views never query), shaping through projects.map_presenters. Every time
is in the viewer's zone, on their 12/24-hour clock (core.timefmt).
"""

from __future__ import annotations

import csv

import pytz
from django import forms
from django.conf import settings
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe

from core.api import MAX_ID
from core.permissions import require
from core.zones import zoneinfo

from .. import map_presenters as present
from .. import ownership
from ..models import Health

TABLE_PAGE_SIZE = 100
SUN_PAGE_SIZE = 40  # teams a page of the sun map

HEALTH_CHOICES = [("", "Any health"), *Health.choices, ("none", "No update yet")]


class CountryField(forms.CharField):
    """A country code Baton knows (pytz's catalogue), in any case ("nz" is NZ). The picker
    offers the countries people of the org are in; any known code filters (to nothing,
    when nobody accountable for a project is there)."""

    def to_python(self, value):
        return super().to_python(value).strip().upper()

    def validate(self, value):
        super().validate(value)
        if value and value not in pytz.country_names:
            raise forms.ValidationError("Not a country code.")


class MapFilterForm(forms.Form):
    """The map's filters; a value that is not valid is left out (and said so), never an
    error page."""

    team = forms.TypedChoiceField(required=False, coerce=int, empty_value=None)
    country = CountryField(required=False, max_length=2)
    health = forms.ChoiceField(required=False, choices=HEALTH_CHOICES)

    def __init__(self, data, *, teams, countries):
        super().__init__(data)
        self.fields["team"].choices = [("", "Every team" if teams else "No team"), *teams]
        self.country_choices = [
            ("", "Every country"),
            *((code, present.country_label(code)) for code in countries),
        ]

    def options(self, name: str) -> list[dict]:
        """A select's options with the valid current value selected. The template writes the
        <option>s itself: Django's widget templates took 40 ms for 150 teams and 60
        countries, more than the rest of the page."""
        filters = self.filters()
        current = {"team": filters.team, "country": filters.country, "health": filters.health}
        value = "" if current[name] is None else str(current[name])
        choices = self.country_choices if name == "country" else self.fields[name].choices
        if value and value not in {str(key) for key, _label in choices}:
            choices = [*choices, (value, present.country_label(value))]  # valid, nobody there
        return [
            {"value": str(key), "label": label, "selected": str(key) == value}
            for key, label in choices
        ]

    def filters(self) -> ownership.MapFilters:
        if not self.is_bound:
            return ownership.MapFilters()
        self.is_valid()  # once: a bound form keeps its cleaned_data
        data = self.cleaned_data  # only the fields that passed
        return ownership.MapFilters(
            team=data.get("team"),
            country=data.get("country") or "",
            health=data.get("health") or "",
        )


def _viewer_zone(request: HttpRequest) -> str:
    profile = getattr(request.user, "profile", None)
    return profile.time_zone if profile is not None else "UTC"


def _setup(
    request: HttpRequest, *, countries: bool = True
) -> tuple[MapFilterForm, ownership.MapFilters]:
    require(request.user, "projects.view_map")
    teams, country_codes = ownership.map_choices(request.user, countries=countries)
    form = MapFilterForm(request.GET or None, teams=teams, countries=country_codes)
    return form, form.filters()


# The map's views, by the `from_map` value their links to a project carry (the project page
# links back to the view, filtered as it was).
TABS = {
    "graph": ("ownership-map", "Graph"),
    "table": ("ownership-map-table", "Table"),
    "risks": ("ownership-map-risks", "Load and bus factor"),
    "sun": ("ownership-map-sun", "Sun map"),
}


def project_link_query(tab: str, filters: ownership.MapFilters) -> str:
    """What a link from the map's view `tab` to a project adds to the project's URL."""
    return "?" + present.filter_query(filters, from_map=tab)


def back_to_map(params) -> dict | None:
    """{"url", "label"} of the map view a project page was opened from (project_link_query's
    parameters), filtered as it was; None when it was not. The parameters come from the
    address bar: each is checked and the URL is built again from the checked values, never
    copied, and one that is not valid is left out."""
    tab = params.get("from_map")
    if tab not in TABS:
        return None
    team = params.get("team", "")
    team_id = int(team) if team.isascii() and team.isdigit() else 0
    country = params.get("country", "").strip().upper()
    health = params.get("health", "")
    filters = ownership.MapFilters(
        team=team_id if 1 <= team_id <= MAX_ID else None,
        country=country if country in pytz.country_names else "",
        health=health if health in dict(HEALTH_CHOICES) else "",
    )
    name, label = TABS[tab]
    query = present.filter_query(filters)
    return {
        "url": reverse(name) + (f"?{query}" if query else ""),
        "label": f"Ownership map: {label.lower()}" + (" (filtered)" if filters else ""),
    }


def _tabs(current: str, filters: ownership.MapFilters) -> list[dict]:
    query = present.filter_query(filters)
    tabs = TABS.values()
    return [
        {
            "label": label,
            "url": reverse(name) + (f"?{query}" if query else ""),
            "current": name == current,
        }
        for name, label in tabs
    ]


def _context(request, name: str, form, filters, **extra) -> dict:
    whole_org = ownership.sees_whole_org(request.user)
    return {
        "form": form,
        "team_options": form.options("team"),
        "country_options": form.options("country"),
        "health_options": form.options("health"),
        "filters": filters,
        "filtered": bool(filters),
        "tabs": _tabs(name, filters),
        "action": reverse(name),
        "whole_org": whole_org,
        "query": present.filter_query(filters),
        **extra,
    }


@require_safe
def ownership_map(request: HttpRequest) -> HttpResponse:
    """The graph. The page holds the filters and the counts; the browser draws the graph
    from the API's JSON (the same filters)."""
    form, filters = _setup(request)
    query = present.filter_query(filters)
    api_url = reverse("api-ownership-map") + (f"?{query}" if query else "")
    counts = ownership.map_counts(request.user, filters)
    context = _context(
        request,
        "ownership-map",
        form,
        filters,
        counts=counts,
        overload_threshold=settings.PROJECTS_OVERLOAD_CRITICAL,
        api_url=api_url,
        project_query=project_link_query("graph", filters),
        table_url=reverse("ownership-map-table") + (f"?{query}" if query else ""),
    )
    return render(request, "projects/map.html", context)


@require_safe
def ownership_map_table(request: HttpRequest) -> HttpResponse:
    """The table: sortable (each header a link), a page of TABLE_PAGE_SIZE rows at a time;
    CSV and JSON exports of every row with the same filters."""
    form, filters = _setup(request)
    sort = request.GET.get("sort", ownership.DEFAULT_SORT)
    if sort.lstrip("-") not in ownership.SORTS:
        sort = ownership.DEFAULT_SORT
    page = Paginator(
        ownership.table_projects(request.user, filters, sort=sort), TABLE_PAGE_SIZE
    ).get_page(request.GET.get("page"))
    zone = _viewer_zone(request)

    def page_url(number: int) -> str:
        return "?" + present.filter_query(filters, sort=sort, page=number)

    query = present.filter_query(filters)
    csv_query = present.filter_query(filters, sort=sort)
    context = _context(
        request,
        "ownership-map-table",
        form,
        filters,
        page=page,
        rows=present.table_rows(
            page.object_list, zone=zone, urls=_urls(project_link_query("table", filters))
        ),
        headers=present.sort_links(filters, sort),
        sort=sort,
        previous_url=page_url(page.previous_page_number()) if page.has_previous() else None,
        next_url=page_url(page.next_page_number()) if page.has_next() else None,
        csv_url=reverse("ownership-map-csv") + (f"?{csv_query}" if csv_query else ""),
        json_url=reverse("api-ownership-map") + (f"?{query}" if query else ""),
    )
    return render(request, "projects/map_table.html", context)


def _urls(project_query: str) -> present.Urls:
    """The table's link patterns, reversed once a request (not once a row)."""
    marker = "0000000000"
    return present.Urls(
        project=reverse("project-detail", args=[marker]).replace(marker, "{}") + project_query,
        person=reverse("person-detail", args=[marker]).replace(marker, "{}"),
        team=reverse("team-detail", args=[marker]).replace(marker, "{}"),
    )


class _Echo:
    def write(self, value: str) -> str:
        return value


@require_safe
def ownership_map_csv(request: HttpRequest) -> StreamingHttpResponse:
    """Every row of the table (same filters and order) as CSV, instants in the viewer's
    zone. One query."""
    _form, filters = _setup(request, countries=False)
    sort = request.GET.get("sort", ownership.DEFAULT_SORT)
    if sort.lstrip("-") not in ownership.SORTS:
        sort = ownership.DEFAULT_SORT
    rows = ownership.export_rows(request.user, filters, sort=sort)
    writer = csv.writer(_Echo())
    zone = _viewer_zone(request)
    lines = (writer.writerow(line) for line in present.csv_rows(rows, zone=zone))
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    stamp = timezone.now().astimezone(zoneinfo(zone)).strftime("%Y-%m-%d")
    response["Content-Disposition"] = f'attachment; filename="ownership-map-{stamp}.csv"'
    return response


@require_safe
def ownership_map_risks(request: HttpRequest) -> HttpResponse:
    """Owner load and bus factor over the projects the filters select."""
    form, filters = _setup(request)
    now = timezone.now()
    data = ownership.map_data(request.user, filters, now=now)
    context = _context(
        request,
        "ownership-map-risks",
        form,
        filters,
        counts=present.summary(data),
        findings=present.finding_rows(data, now=now),
        project_query=project_link_query("risks", filters),
    )
    return render(request, "projects/map_risks.html", context)


@require_safe
def ownership_map_sun(request: HttpRequest) -> HttpResponse:
    """For each team (the team filter applies), the hours of the viewer's today with how
    many owners, backups and on-call people can act; hours with nobody in red."""
    form, filters = _setup(request)
    zone = _viewer_zone(request)
    try:
        number = max(1, int(request.GET.get("page", 1)))
    except ValueError:
        number = 1

    def sun_page(n: int) -> ownership.SunData:
        return ownership.sun_data(
            request.user,
            zone_name=zone,
            team=filters.team,
            offset=(n - 1) * SUN_PAGE_SIZE,
            limit=SUN_PAGE_SIZE,
        )

    sun = sun_page(number)
    pages = max(1, -(-sun.total_teams // SUN_PAGE_SIZE))
    if number > pages:  # past the end: the last page
        number = pages
        sun = sun_page(number)
    bands = present.sun_bands(sun)

    def page_url(n: int) -> str:
        return "?" + present.filter_query(filters, page=n)

    context = _context(
        request,
        "ownership-map-sun",
        form,
        filters,
        sun=sun,
        bands=bands,
        axis=present.sun_axis(sun),
        day_label=present.sun_day_label(sun),
        slot_count=len(sun.slots),
        gap_teams=sum(1 for band in bands if band["gaps"] and not band["empty"]),
        page_number=number,
        page_count=pages,
        first_team=(number - 1) * SUN_PAGE_SIZE + 1,
        last_team=(number - 1) * SUN_PAGE_SIZE + len(bands),
        previous_url=page_url(number - 1) if number > 1 else None,
        next_url=page_url(number + 1) if number < pages else None,
        sun_filters_only_team=bool(filters.country or filters.health),
    )
    return render(request, "projects/map_sun.html", context)
