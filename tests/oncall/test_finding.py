"""Finding things (issue 8, item 7): filters and pages on "on call now" and the schedules
list, the team page's schedules and the dashboard's on-call card (through core.panels),
each with a fixed number of queries whatever the number of schedules."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from core import panels
from oncall import panels as oncall_panels
from oncall import services
from oncall.models import Schedule
from oncall.selectors import NOW_CACHE_KEY
from tests.conftest import sign_in
from tests.factories import SYSTEM, PersonFactory, TeamFactory, add_member
from tests.oncall.world import daily_layer, utc

pytestmark = pytest.mark.django_db

# Tue 03 Nov 2026 08:00 UTC: the World's daily layer (09:00 London, Ana then Bo) has Ana on
# call until 09:00 UTC, then Bo for a day.
MORNING = utc(2026, 11, 3, 8)


def _schedule(team, name, people=None, zone="UTC"):
    schedule = services.schedule_create(actor=SYSTEM, team=team, name=name, time_zone=zone)
    if people:
        daily_layer(schedule, people)
    return schedule


def _ids(html: str, table: str) -> list[int]:
    """The schedule ids listed in the table `table`, in order."""
    body = re.search(rf'<table id="{table}"[^>]*>.*?</table>', html, re.S).group(0)
    return [int(pk) for pk in re.findall(r'<tr[^>]*data-schedule="(\d+)"', body)]


@pytest.fixture
def org(world):
    """The World (team SRE, schedule Primary: Ana and Bo) plus team Payments with two
    schedules Dee takes part in, and an empty schedule of SRE."""
    payments = TeamFactory(name="Payments")
    dee = PersonFactory(username="dee", display_name="Dee Payments", time_zone="Asia/Tokyo")
    add_member(payments, dee)
    daily_layer(world.schedule, [world.ana, world.bo])
    world.payments = payments
    world.dee = dee
    world.cards = _schedule(payments, "Card processing", [dee])
    world.refunds = _schedule(payments, "Refunds", [dee])
    world.empty = _schedule(world.team, "SRE secondary")
    return world


# --- filters -------------------------------------------------------------------------------


def test_oncall_now_filters_by_team_name_person_and_mine(org):
    with time_machine.travel(MORNING, tick=False):
        client = org.client(org.cy)  # member of SRE, in no layer

        def listed(query: str) -> set[int]:
            response = client.get("/oncall/" + query)
            assert response.status_code == 200, query
            return set(_ids(response.content.decode(), "oncall-now"))

        everything = {org.schedule.pk, org.cards.pk, org.refunds.pk, org.empty.pk}
        assert listed("") == everything  # "on call now" is org-wide
        assert listed(f"?team={org.payments.pk}") == {org.cards.pk, org.refunds.pk}
        assert listed("?q=REF") == {org.refunds.pk}  # any case, any part of the name
        assert listed("?person=ana") == {org.schedule.pk}  # by username...
        assert listed("?person=dee+pay") == {org.cards.pk, org.refunds.pk}  # ...or name
        assert listed("?mine=on") == {org.schedule.pk, org.empty.pk}  # my team's schedules
        assert listed(f"?team={org.payments.pk}&q=card") == {org.cards.pk}  # all apply
        assert listed("?person=nobody-is-called-this") == set()


def test_mine_includes_schedules_i_take_part_in_or_hold_an_override_on(org):
    outsider = org.outsider
    org.override(outsider, utc(2026, 11, 4), utc(2026, 11, 5), schedule=org.refunds)
    with time_machine.travel(MORNING, tick=False):
        html = org.client(outsider).get("/oncall/?mine=1").content.decode()
        assert _ids(html, "oncall-now") == [org.refunds.pk]
        # The same person is found by name through the override.
        html = org.client(org.cy).get("/oncall/?person=olly").content.decode()
        assert _ids(html, "oncall-now") == [org.refunds.pk]
    with time_machine.travel(utc(2026, 11, 6), tick=False):  # the override is over
        html = org.client(outsider).get("/oncall/?mine=1").content.decode()
        assert _ids(html, "oncall-now") == []
        assert "No schedule matches these filters" in html


def test_schedule_list_filters_within_what_i_may_read(org):
    with time_machine.travel(MORNING, tick=False):
        admin = org.client(org.admin)
        html = admin.get(f"/schedules/?team={org.payments.pk}").content.decode()
        assert set(_ids(html, "schedule-list")) == {org.cards.pk, org.refunds.pk}
        html = admin.get("/schedules/?person=bo").content.decode()
        assert _ids(html, "schedule-list") == [org.schedule.pk]
        # Cy reads SRE's schedules only: Payments' are not there, even when asked for.
        cy = org.client(org.cy)
        html = cy.get("/schedules/").content.decode()
        assert set(_ids(html, "schedule-list")) == {org.schedule.pk, org.empty.pk}
        html = cy.get(f"/schedules/?team={org.payments.pk}").content.decode()
        assert _ids(html, "schedule-list") == []
        assert "No schedule you can see matches these filters" in html
        html = cy.get("/schedules/?q=secondary&mine=on").content.decode()
        assert _ids(html, "schedule-list") == [org.empty.pk]
        # Dee takes part in Payments' schedules: "mine" lists them.
        html = org.client(org.dee).get("/schedules/?mine=on").content.decode()
        assert set(_ids(html, "schedule-list")) == {org.cards.pk, org.refunds.pk}


@pytest.mark.parametrize("url", ["/oncall/", "/schedules/"])
@pytest.mark.parametrize(
    "query",
    [
        {"team": "abc"},
        {"team": "999999999999"},
        {"team": "-1"},
        {"q": "\x00' OR 1=1 --<script>"},
        {"person": "x" * 500},
        {"mine": "maybe"},
        {"page": "-1"},
        {"page": "abc"},
        {"page": "99999999999999999999"},
        {"team": ["1", "2"], "q": ["a", "b"]},
    ],
)
def test_bad_filter_values_are_shown_or_ignored_never_a_500(org, url, query):
    with time_machine.travel(MORNING, tick=False):
        response = org.client(org.admin).get(url, query)
    assert response.status_code == 200
    html = response.content.decode()
    assert "OR 1=1 --<script>" not in html  # shown back escaped, if at all
    if "team" in query and query["team"] != ["1", "2"]:
        assert "Select a valid choice" in html  # the team filter's error, shown at the field
    if "person" in query:
        assert "at most 100 characters" in html


def test_bad_filter_is_dropped_and_the_good_ones_still_apply(org):
    with time_machine.travel(MORNING, tick=False):
        html = org.client(org.admin).get("/oncall/?team=abc&q=refund").content.decode()
    assert _ids(html, "oncall-now") == [org.refunds.pk]
    assert "Select a valid choice" in html


def test_filter_form_shows_team_typeahead_and_keeps_values(org):
    with time_machine.travel(MORNING, tick=False):
        html = org.client(org.cy).get(f"/schedules/?team={org.payments.pk}&q=ca&mine=on").content
    html = html.decode()
    form = re.search(r'<form method="get"[^>]*id="schedule-filters".*?</form>', html, re.S)
    form = form.group(0)
    assert "data-typeahead" in form
    assert f'<option value="{org.payments.pk}" selected>Payments</option>' in form
    assert 'value="ca"' in form and "checked" in form
    assert "Clear" in form


# --- pages ---------------------------------------------------------------------------------


def test_lists_are_paginated_and_page_links_keep_the_filters(world):
    other = TeamFactory(name="Other")
    for i in range(60):
        Schedule.objects.create(team=world.team, name=f"Alpha {i:03d}", time_zone="UTC")
    for i in range(5):
        Schedule.objects.create(team=other, name=f"Beta {i:03d}", time_zone="UTC")
    client = world.client(world.admin)
    for url, table in (("/oncall/", "oncall-now"), ("/schedules/", "schedule-list")):
        html = client.get(url + "?q=alpha").content.decode()
        assert len(_ids(html, table)) == 50
        assert "60 schedules match" in html and "page 1 of 2" in html
        nav = re.search(r'<nav class="pagination".*?</nav>', html, re.S).group(0)
        assert 'href="?q=alpha&amp;page=2"' in nav  # the filter is kept
        html = client.get(url + "?q=alpha&page=2").content.decode()
        ids = _ids(html, table)
        assert len(ids) == 10
        names = set(Schedule.objects.filter(pk__in=ids).values_list("name", flat=True))
        assert names == {f"Alpha {i:03d}" for i in range(50, 60)}
        nav = re.search(r'<nav class="pagination".*?</nav>', html, re.S).group(0)
        assert 'href="?q=alpha&amp;page=1"' in nav and 'aria-current="page">2<' in nav
        # Junk is not carried into the links; valid filters are.
        html = client.get(url + "?q=alpha&team=abc&view=century").content.decode()
        nav = re.search(r'<nav class="pagination".*?</nav>', html, re.S).group(0)
        assert 'href="?q=alpha&amp;page=2"' in nav
        # A page past the end shows the last page.
        html = client.get(url + "?q=alpha&page=7").content.decode()
        assert len(_ids(html, table)) == 10
        # Unfiltered: 66 schedules (with the World's), two pages; a filter of 5: no links.
        assert len(_ids(client.get(url).content.decode(), table)) == 50
        html = client.get(url + "?q=beta").content.decode()
        assert len(_ids(html, table)) == 5 and 'class="pagination"' not in html


def test_new_schedule_is_the_first_thing_on_the_schedules_list(world):
    for i in range(60):
        Schedule.objects.create(team=world.team, name=f"S{i:03d}", time_zone="UTC")
    html = world.client(world.lead).get("/schedules/").content.decode()
    main = html.split('id="main"', 1)[1]
    assert main.index("New schedule") < main.index('id="schedule-filters"')
    assert main.index('id="schedule-form"') < main.index('id="schedule-list"')
    assert '<details class="new-schedule" id="new-schedule">' in main  # folded: a list to see
    # Asked for (the team page's link): open, with the team chosen.
    html = world.client(world.lead).get(f"/schedules/?team={world.team.pk}&new=1").content
    html = html.decode()
    assert '<details class="new-schedule" id="new-schedule" open>' in html
    form = re.search(r'<form method="post"[^>]*id="schedule-form".*?</form>', html, re.S).group(0)
    assert re.search(rf'<option value="{world.team.pk}" selected>', form)
    # A member cannot create: no button, no form.
    html = world.client(world.ana).get("/schedules/").content.decode()
    assert "New schedule" not in html and "schedule-form" not in html


def test_new_schedule_form_is_open_when_nothing_is_listed_or_it_failed(db):
    lead = PersonFactory(username="newlead")
    team = TeamFactory(name="Fresh")
    add_member(team, lead, role="lead")
    client = sign_in(Client(), lead)
    html = client.get("/schedules/").content.decode()
    assert '<details class="new-schedule" id="new-schedule" open>' in html
    response = client.post("/schedules/", {"name": "", "team": team.pk, "time_zone": "UTC"})
    assert response.status_code == 400
    assert '<details class="new-schedule" id="new-schedule" open>' in response.content.decode()


# --- the team page -------------------------------------------------------------------------


def test_team_page_lists_its_schedules_with_who_is_on_call(org):
    with time_machine.travel(MORNING, tick=False):
        html = org.client(org.cy).get(f"/teams/{org.team.slug}/").content.decode()
    section = re.search(r'<section id="team-schedules">.*?</section>', html, re.S).group(0)
    assert "On-call schedules (2)" in section
    assert f'href="/schedules/{org.schedule.pk}/">Primary</a>' in section
    assert f'href="/schedules/{org.empty.pk}/">SRE secondary</a>' in section
    assert "Card processing" not in section  # another team's
    primary = re.search(rf'data-schedule="{org.schedule.pk}".*?</li>', section, re.S).group(0)
    assert f'href="/people/{org.ana.pk}/">Ana</a>' in primary
    # Ana's shift ends at 09:00 London, which is Cy's zone (any order of day and time).
    assert "until Tue 09:00 your time" in primary or "until 09:00 Tue your time" in primary
    empty = re.search(rf'data-schedule="{org.empty.pk}".*?</li>', section, re.S).group(0)
    assert "Nobody on call (gap)" in empty
    assert f'href="/oncall/?team={org.team.pk}"' in section  # everyone may see that list
    assert "New schedule" not in section  # Cy is no lead


def test_team_page_links_only_schedules_the_viewer_may_read(org):
    with time_machine.travel(MORNING, tick=False):
        html = org.client(org.cy).get(f"/teams/{org.payments.slug}/").content.decode()
        section = re.search(r'<section id="team-schedules">.*?</section>', html, re.S).group(0)
        assert "Card processing" in section and "Refunds" in section  # names are org-wide
        assert f"/schedules/{org.cards.pk}/" not in section  # Cy may not read it
        assert f'href="/people/{org.dee.pk}/">Dee Payments</a>' in section
        lead = org.client(org.lead).get(f"/teams/{org.team.slug}/").content.decode()
        assert f'href="/schedules/?team={org.team.pk}&amp;new=1#new-schedule">New schedule' in lead
        empty_team = TeamFactory(name="Quiet")
        html = org.client(org.cy).get(f"/teams/{empty_team.slug}/").content.decode()
        assert "This team has no on-call schedules." in html


def test_team_page_shows_ten_schedules_and_links_to_the_rest(world):
    for i in range(12):
        Schedule.objects.create(team=world.team, name=f"Z{i:03d}", time_zone="UTC")
    html = world.client(world.cy).get(f"/teams/{world.team.slug}/").content.decode()
    section = re.search(r'<section id="team-schedules">.*?</section>', html, re.S).group(0)
    assert "On-call schedules (13)" in section  # with the World's Primary
    assert len(re.findall(r"<li data-schedule=", section)) == 10
    assert f'<a href="/oncall/?team={world.team.pk}">See all 13 schedules of SRE</a>' in section


# --- the dashboard card --------------------------------------------------------------------


def _card(client) -> str:
    html = client.get("/").content.decode()
    return re.search(r'<section class="card oncall-card".*?</section>', html, re.S).group(0)


def test_dashboard_card_on_call_now(org):
    with time_machine.travel(MORNING, tick=False):
        card = _card(org.client(org.ana))  # Ana is in Manila: 09:00 UTC is 17:00 there
    assert "You are on call now for" in card
    assert f'href="/schedules/{org.schedule.pk}/">Primary</a>' in card
    assert 'until <strong class="time">Tue 03 Nov 17:00</strong>' in card
    assert 'href="/me/shifts/"' in card and "Asia/Manila" in card


def test_dashboard_card_next_shift(org):
    with time_machine.travel(MORNING, tick=False):
        card = _card(org.client(org.bo))  # Bo in New York: 09:00 UTC is 04:00
    assert "Your next shift:" in card and ">Primary</a>" in card
    assert "Tue 03 Nov 04:00 – Wed 04 Nov 04:00" in card
    assert "(in 1 h)" in card and 'href="/me/shifts/"' in card


def test_dashboard_card_no_shift_within_14_days(org):
    with time_machine.travel(MORNING, tick=False):
        card = _card(org.client(org.cy))
        assert "No on-call shifts in the next 14 days." in card and 'href="/me/shifts/"' in card
        # A shift 15 days away is beyond the card's horizon; 13 days away is the next one.
        org.override(org.cy, utc(2026, 11, 18, 12), utc(2026, 11, 18, 14))
        assert "No on-call shifts" in _card(org.client(org.cy))
        org.override(org.cy, utc(2026, 11, 16, 12), utc(2026, 11, 16, 14))
        card = _card(org.client(org.cy))
    assert "Your next shift:" in card and "Mon 16 Nov 12:00–14:00" in card  # Cy: London


# --- query counts --------------------------------------------------------------------------


def _queries(client, url: str) -> int:
    client.get(url)  # warm up: the session's first request does bookkeeping
    cache.delete(NOW_CACHE_KEY)  # measure the whole computation, not the cached answer
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def _grow(team, people, start: int, count: int) -> None:
    for i in range(start, start + count):
        _schedule(team, f"Grown {i:03d}", people)


URLS = [
    "/oncall/",
    "/oncall/?q=grown&person=ana&mine=on",
    "/schedules/",
    "/schedules/?q=grown&person=ana&mine=on&page=1",
    "/",
    "/teams/{slug}/",
]


@pytest.mark.parametrize("url", URLS)
def test_query_count_is_the_same_for_3_and_30_schedules(world, url, django_assert_max_num_queries):
    url = url.format(slug=world.team.slug)
    people = [world.ana, world.bo]
    _grow(world.team, people, 0, 3)
    with time_machine.travel(MORNING, tick=False):
        client = world.client(world.ana)  # a member, on call, and in every schedule
        small = _queries(client, url)
    _grow(world.team, people, 3, 27)
    with time_machine.travel(MORNING, tick=False):
        client.get(url)
        cache.delete(NOW_CACHE_KEY)
        with django_assert_max_num_queries(small):
            response = client.get(url)
    assert response.status_code == 200
    assert small <= 25, small


def test_dashboard_card_costs_three_queries(world, django_assert_num_queries):
    daily_layer(world.schedule, [world.ana])
    with time_machine.travel(MORNING, tick=False):
        request = type("Request", (), {"user": world.ana})()
        world.ana.profile  # noqa: B018 (loaded with the user in a real request)
        with django_assert_num_queries(3):  # oncall's card (other apps' cards count their own)
            html = oncall_panels.my_next_shift(request)
    assert "You are on call now" in html


# --- layers --------------------------------------------------------------------------------


def test_teams_does_not_import_oncall():
    """teams sits below oncall: it gets on-call panels through core.panels only (the
    import-linter layers contract checks every app; tests/site/test_layers.py)."""
    root = Path(__file__).resolve().parents[2] / "teams"
    for path in root.rglob("*.py"):
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module or ""]
            else:
                continue
            for name in names:
                assert not name.startswith(("oncall", "projects", "escalations")), (path, name)


def test_panel_registry_refuses_an_unknown_slot_and_registers_once():
    with pytest.raises(ValueError, match="Unknown panel slot"):
        panels.register("sidebar", lambda request: None)
    before = len(panels._registry["team"])
    from oncall.panels import team_schedules

    panels.register("team", team_schedules)  # a second ready() adds nothing
    assert len(panels._registry["team"]) == before
