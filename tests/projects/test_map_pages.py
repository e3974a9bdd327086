"""The ownership map's pages: who sees what, the filters, the table's sorting and pages, the
CSV export, the findings and the sun map, with no inline script or style."""

from __future__ import annotations

import csv
import io

import pytest
from django.test import Client

from projects.models import Project
from teams import services as team_services
from tests.conftest import sign_in
from tests.csp import assert_csp_clean
from tests.factories import PersonFactory, TeamFactory, add_member
from tests.projects.org import actor

PAGES = (
    "/ownership-map/",
    "/ownership-map/table/",
    "/ownership-map/risks/",
    "/ownership-map/sun/",
)


@pytest.fixture
def world(org):
    """Platform (London) and Payments with an owner in Auckland; one orphaned, one critical
    overload, a backup with the same hours as its owner."""
    kiri = PersonFactory(
        display_name="Kiri Kiwi", time_zone="Pacific/Auckland", country="NZ", username="kiri"
    )
    add_member(org.other_team, kiri)
    org.p_ship = org.project(owner=org.member, name="Ship it", backup_owner=org.member2)
    org.p_kiwi = org.project(owner=kiri, team=org.other_team, name="Kiwi payments")
    org.p_gone = org.project(owner=org.member2, name="Left behind")
    for n in range(4):
        org.project(owner=org.lead, name=f"Critical {n}", critical=True)
    team_services.person_deactivate(actor=actor(org.admin), person=org.member2)
    org.kiri = kiri
    return org


def test_manager_sees_every_team_member_only_theirs(world):
    manager = sign_in(Client(), world.manager)
    body = manager.get("/ownership-map/table/").content.decode()
    assert "Ship it" in body and "Kiwi payments" in body
    assert "Every team&#x27;s open projects" in body or "Every team's open projects" in body

    outsider = sign_in(Client(), world.outsider)  # on Payments only
    body = outsider.get("/ownership-map/table/").content.decode()
    assert "Kiwi payments" in body and "Ship it" not in body
    assert "Open projects of your teams" in body
    # Asking for another team's projects by id gives none (the picker does not offer it).
    body = outsider.get(f"/ownership-map/table/?team={world.team.pk}").content.decode()
    assert "Ship it" not in body


def test_every_map_page_renders_without_inline_script_or_style(world):
    for user in (world.manager, world.member, world.admin, world.outsider):
        client = sign_in(Client(), user)
        for url in PAGES:
            response = client.get(url)
            assert response.status_code == 200, (user, url)
            assert_csp_clean(response.content.decode(), url)
    # The nav has the link, on every page.
    body = sign_in(Client(), world.member).get("/").content.decode()
    assert 'href="/ownership-map/">Ownership map</a>' in body


def test_graph_page_points_the_script_at_the_api_with_the_filters(world):
    client = sign_in(Client(), world.manager)
    body = client.get(f"/ownership-map/?country=nz&health=none&team={world.other_team.pk}")
    html = body.content.decode()
    assert (
        f'data-api="/api/v1/ownership-map/?team={world.other_team.pk}&amp;country=NZ&amp;health=none"'
        in html
    )
    assert "vendor/echarts/echarts.min.js" in html and "js/ownership-map.js" in html
    # The other pages do not load the chart library.
    assert "echarts" not in client.get("/ownership-map/table/").content.decode()


def test_filters_by_country_and_health(world):
    client = sign_in(Client(), world.manager)
    body = client.get("/ownership-map/table/?country=NZ").content.decode()
    assert "Kiwi payments" in body and "Ship it" not in body
    assert "New Zealand" in body
    body = client.get("/ownership-map/table/?health=none&country=GB").content.decode()
    assert "Ship it" in body and "Kiwi payments" not in body


def test_junk_filters_are_dropped_not_errors(world):
    client = sign_in(Client(), world.manager)
    for query in ("team=abc", "country=ZZ", "health=great", "sort=password", "page=-4", "team=0"):
        for url in PAGES:
            response = client.get(f"{url}?{query}")
            assert response.status_code == 200, (url, query)
    body = client.get("/ownership-map/table/?health=great").content.decode()
    assert "Ship it" in body and "Not a health" in body
    # A real country where nobody is: a valid filter that finds nothing (and the CSV agrees).
    body = client.get("/ownership-map/table/?country=IS").content.decode()
    assert "No open project matches these filters" in body and '"IS" selected' in body
    csv_text = b"".join(client.get("/ownership-map/export.csv?country=nz").streaming_content)
    assert csv_text.decode().count("\n") == 2  # the header and Kiwi payments


def test_table_sorts_by_each_column_both_ways(world):
    client = sign_in(Client(), world.manager)
    names = lambda body: [  # noqa: E731
        name for name in ("Critical 0", "Kiwi payments", "Left behind", "Ship it") if name in body
    ]
    body = client.get("/ownership-map/table/?sort=project").content.decode()
    order = [body.index(n) for n in names(body)]
    assert order == sorted(order)
    body = client.get("/ownership-map/table/?sort=-project").content.decode()
    order = [body.index(n) for n in names(body)]
    assert order == sorted(order, reverse=True)
    assert 'aria-sort="descending"' in body
    for key in ("team", "owner", "backup", "country", "health", "status", "critical", "updated"):
        for sort in (key, f"-{key}"):
            assert client.get(f"/ownership-map/table/?sort={sort}").status_code == 200


def test_table_pages_keep_filters_and_sort(world):
    for n in range(101):
        world.project(owner=world.lead, name=f"Bulk {n:03d}")
    client = sign_in(Client(), world.manager)
    body = client.get(f"/ownership-map/table/?team={world.team.pk}&sort=-project").content.decode()
    assert "page 1 of 2" in body
    assert f"?team={world.team.pk}&amp;sort=-project&amp;page=2" in body


def test_csv_export_has_every_row_with_the_filters(world):
    client = sign_in(Client(), world.manager)
    response = client.get(f"/ownership-map/export.csv?team={world.team.pk}&sort=project")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="ownership-map-')
    text = b"".join(response.streaming_content).decode()
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["project"] for r in rows][:2] == ["Critical 0", "Critical 1"]
    assert len(rows) == 6  # Platform's open projects
    gone = next(r for r in rows if r["project"] == "Left behind")
    assert (gone["orphaned"], gone["owner"]) == ("yes", "Nia Member")
    ship = next(r for r in rows if r["project"] == "Ship it")
    assert ship["backup_owner"] == "Nia Member" and ship["health"] == "none"
    # A member's CSV holds their teams only.
    outsider = sign_in(Client(), world.outsider)
    text = b"".join(outsider.get("/ownership-map/export.csv").streaming_content).decode()
    assert "Kiwi payments" in text and "Ship it" not in text


def test_table_links_to_the_json_and_csv_with_the_same_filters(world):
    client = sign_in(Client(), world.manager)
    body = client.get("/ownership-map/table/?country=NZ&sort=owner").content.decode()
    assert 'href="/ownership-map/export.csv?country=NZ&amp;sort=owner"' in body
    assert 'href="/api/v1/ownership-map/?country=NZ"' in body


def test_risks_page_lists_the_findings(world, settings):
    settings.PROJECTS_OVERLOAD_CRITICAL = 3
    client = sign_in(Client(), world.manager)
    body = client.get("/ownership-map/risks/").content.decode()
    overloaded = body[body.index('id="map-overloaded"') : body.index('id="map-concentrated"')]
    assert "Lena Lead" in overloaded and "Critical 3" in overloaded
    concentrated = body[body.index('id="map-concentrated"') : body.index('id="map-no-hour-apart"')]
    assert "Platform" in concentrated and "4 of 4" in concentrated
    apart = body[body.index('id="map-no-hour-apart"') :]
    assert "Ship it" in apart  # Mo and Nia: both London, default hours


def test_sun_map_marks_hours_nobody_covers(world):
    client = sign_in(Client(), world.kiri)  # the viewer in Auckland
    body = client.get("/ownership-map/sun/").content.decode()
    assert "Pacific/Auckland (UTC+1" in body  # +12 or +13 by the season
    assert "Payments" in body and "Platform" not in body  # her team only
    assert "sun-0" in body and "nobody can act" in body
    manager = sign_in(Client(), world.manager)
    body = manager.get(f"/ownership-map/sun/?team={world.team.pk}").content.decode()
    grid = body[body.index('id="sun-map"') :]
    assert "Platform" in grid and "Payments" not in grid


def test_anonymous_is_sent_to_sign_in():
    client = Client()
    for url in (*PAGES, "/ownership-map/export.csv"):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_only_open_projects_are_on_the_map(world):
    Project.objects.filter(pk=world.p_kiwi.pk).update(status="done")
    client = sign_in(Client(), world.manager)
    assert "Kiwi payments" not in client.get("/ownership-map/table/").content.decode()


def test_sun_map_shows_a_page_of_teams(world, settings):
    from projects.views import map as map_views

    for n in range(3):
        world.project(owner=world.lead, team=TeamFactory(name=f"Zeta {n}"), name=f"Z{n}")
    client = sign_in(Client(), world.manager)
    old, map_views.SUN_PAGE_SIZE = map_views.SUN_PAGE_SIZE, 2
    try:
        body = client.get("/ownership-map/sun/?page=2").content.decode()
        assert "5 teams · teams 3–4, page 2 of 3" in body
        assert 'href="?page=3"' in body and 'href="?page=1"' in body
        body = client.get("/ownership-map/sun/?page=99").content.decode()
        assert "page 3 of 3" in body and "Zeta 2" in body
    finally:
        map_views.SUN_PAGE_SIZE = old


def test_a_country_whose_only_people_left_can_still_be_picked(db):
    """Orphaned projects count under the leaver's country: the filter must offer it."""
    from projects.ownership import map_choices
    from teams import services as team_services

    manager = PersonFactory(org_role="manager")
    gone = PersonFactory(time_zone="America/Sao_Paulo", country="BR")
    team_services.person_deactivate(actor=actor(manager), person=gone)
    _teams, countries = map_choices(manager)
    assert "BR" in countries
