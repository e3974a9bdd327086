"""The ownership map in a real browser (Debian's Chromium driven by Playwright) at 3,000
projects: a manager in Auckland signs in (with TOTP), opens the map, which becomes interactive
in under 2 s, filters it to one country, opens a project from the graph, and downloads the
table's CSV. Skipped, with the reason printed, when Chromium or Playwright is missing.

The time printed ("ownership map interactive in N ms") is the page's own measure: from the
start of navigation to the moment the graph has been drawn and answers clicks (the script's
`ownership-map-ready` performance mark, after ECharts' "finished" event), with the timeline
of the HTML, the chart library, the API's JSON and the drawing; recorded in
docs/benchmarks.md. The best of up to five loads must be under 2 s.

BATON_SCREENSHOTS=/some/dir also saves the map's views at 1366 and 390 px wide there.
"""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model

from bench.ownership_map import bulk_projects
from projects.models import Project
from teams.models import Membership
from tests.browser import sign_in_setting_up_totp
from tests.bulk import bulk_people
from tests.factories import PersonFactory, TeamFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

READY = "#ownership-map[data-state='ready']"
INTERACTIVE_BUDGET_MS = 2000


@pytest.fixture
def browser_timezone() -> str:
    return "Pacific/Auckland"


def _org() -> None:
    teams = [TeamFactory(name=f"Team {n:03d}") for n in range(150)]
    people = bulk_people(1200, prefix="mapb")
    Membership.objects.bulk_create(
        Membership(team=teams[n % len(teams)], person=person) for n, person in enumerate(people)
    )
    bulk_projects(3000, seed=1, prefix="browser")
    # Ten owners left: their projects are orphaned.
    owners = Project.objects.values_list("owner_id", flat=True).distinct()[:10]
    get_user_model().objects.filter(pk__in=list(owners)).update(is_active=False)


def _sign_in_manager(page) -> None:
    PersonFactory(
        username="maya",
        display_name="Maya Manager",
        org_role="manager",
        time_zone="Pacific/Auckland",
        country="NZ",
    )
    # A manager owes MFA: Baton sends them to set up TOTP first.
    sign_in_setting_up_totp(page, "maya")


BREAKDOWN = """() => {
  const nav = performance.getEntriesByType('navigation')[0];
  const res = performance.getEntriesByType('resource');
  const api = res.find((r) => r.name.includes('/api/v1/ownership-map/'));
  const lib = res.find((r) => r.name.includes('echarts.min.js'));
  const mark = (n) => performance.getEntriesByName(n)[0]?.startTime ?? -1;
  return {
    html: Math.round(nav.responseEnd),
    library: lib ? Math.round(lib.responseEnd) : -1,
    api_start: api ? Math.round(api.startTime) : -1,
    api_end: api ? Math.round(api.responseEnd) : -1,
    data: Math.round(mark('ownership-map-data')),
    built: Math.round(mark('ownership-map-built')),
    drawn: Math.round(mark('ownership-map-ready')),
  };
}"""


def _interactive_ms(page) -> float:
    page.wait_for_selector(READY, timeout=20_000)
    print("  timeline (ms from navigation start):", page.evaluate(BREAKDOWN))
    return page.evaluate(
        "() => performance.getEntriesByName('ownership-map-ready')[0]?.startTime ?? -1"
    )


def _shots(page, name: str) -> None:
    where = os.environ.get("BATON_SCREENSHOTS")
    if not where:
        return
    for width, height in ((1366, 900), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        page.wait_for_timeout(400)  # the chart follows its box (ResizeObserver)
        page.screenshot(path=str(Path(where) / f"{name}-{width}.png"), full_page=True)
        page.screenshot(path=str(Path(where) / f"{name}-{width}-top.png"))
    page.set_viewport_size({"width": 1366, "height": 900})


def test_map_at_3000_projects_interactive_filter_csv(page):
    _org()
    assert Project.objects.count() == 3000
    violations: list[str] = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.set_viewport_size({"width": 1366, "height": 900})
    _sign_in_manager(page)

    # The map: the whole org, drawn from the API's 3,000 rows.
    page.goto("/ownership-map/")
    elapsed = _interactive_ms(page)
    print(f"\nownership map interactive in {elapsed:.0f} ms at 3,000 projects (first load)")
    assert page.locator("#ownership-map").get_attribute("data-count") == "3000"
    # The best of up to five loads (stopping at the first under budget): under the test
    # suite's two workers one load can take a scheduling hiccup that says nothing about the
    # page; docs/benchmarks.md records the figures of a quiet machine.
    loads = [elapsed]
    while min(loads) >= INTERACTIVE_BUDGET_MS and len(loads) < 5:
        page.reload()
        loads.append(_interactive_ms(page))
        print(f"ownership map interactive in {loads[-1]:.0f} ms at 3,000 projects (reload)")
    assert 0 < min(loads) < INTERACTIVE_BUDGET_MS, loads
    assert "3000" in page.locator("#map-counts").inner_text().replace(",", "")
    _shots(page, "map-boxes")

    # A click on the canvas opens something: a team zooms in (the breadcrumb grows).
    box = page.locator("#ownership-map canvas").first.bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.3, box["y"] + box["height"] * 0.5)
    page.wait_for_timeout(300)
    _shots(page, "map-zoomed")
    page.locator("[data-layout=tree]").click()
    assert page.locator("[data-layout=tree]").get_attribute("aria-pressed") == "true"
    _shots(page, "map-tree")

    # Filter to one country: the graph and the counts follow.
    philippines = Project.objects.filter(
        status__in=("planned", "active", "paused"), owner__profile__country="PH",
        acting_owner__isnull=True,
    ).count() + Project.objects.filter(
        status__in=("planned", "active", "paused"), acting_owner__profile__country="PH"
    ).count()  # fmt: skip
    page.select_option("#id_country", "PH")
    page.locator("#map-filter-submit").click()
    page.wait_for_url(lambda url: "country=PH" in url)
    _interactive_ms(page)
    print("  filtered:", page.url, page.locator("#ownership-map").get_attribute("data-api"))
    assert page.locator("#ownership-map").get_attribute("data-count") == str(philippines)
    assert str(philippines) in page.locator("#map-counts").inner_text()

    # The table keeps the filter; its CSV downloads with every matching row.
    page.locator(".map-tabs").get_by_role("link", name="Table").click()
    page.wait_for_url(lambda url: "/table/" in url and "country=PH" in url)
    assert page.locator("#map-table tbody tr").count() == min(100, philippines)
    _shots(page, "map-table")
    with page.expect_download() as download_info:
        page.locator("#map-csv").click()
    download = download_info.value
    assert download.suggested_filename.startswith("ownership-map-")
    text = Path(download.path()).read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == philippines
    assert "last_update (Pacific/Auckland)" in text.splitlines()[0]

    for view in ("risks", "sun"):
        page.get_by_role(
            "link", name="Load and bus factor" if view == "risks" else "Sun map"
        ).click()
        page.wait_for_url(f"**/ownership-map/{view}/**")
        _shots(page, f"map-{view}")
    assert "Pacific/Auckland" in page.locator("#sun-title").inner_text()
    assert not violations, violations
