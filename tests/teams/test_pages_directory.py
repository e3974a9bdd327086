"""The people directory: filters, htmx partial, pagination, contact privacy, fixed queries."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from core import caching
from teams.selectors import PEOPLE_CACHE, TEAMS_CACHE
from tests.bulk import bulk_people
from tests.conftest import sign_in
from tests.factories import PersonFactory, TeamFactory, add_member, person

# A Wednesday: 10:00 in London (working), 18:00 in Manila (off), 05:00 in New York (off).
WEDNESDAY_10_UTC = datetime(2026, 1, 7, 10, 0, tzinfo=UTC)


@pytest.fixture
def people(db, member):
    team = TeamFactory(name="Platform")
    ana = person("ana", "Ana Reyes", ("Asia/Manila", "PH"), title="SRE")
    bob = person("bob", "Bob Stone", ("America/New_York", "US"))
    cat = person("cat", "Cat Lee", ("Europe/London", "GB"))
    add_member(team, ana)
    add_member(team, cat, "lead")
    return {"team": team, "ana": ana, "bob": bob, "cat": cat}


def _names(response) -> set[str]:
    html = response.content.decode()
    return {name for name in ("Ana Reyes", "Bob Stone", "Cat Lee", "Mia Member") if name in html}


def test_directory_lists_people_with_local_time_and_badge(member_client, people):
    with time_machine.travel(WEDNESDAY_10_UTC, tick=False):
        response = member_client.get("/people/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="directory-filters"' in html
    assert 'id="directory-results"' in html
    assert 'name="working_now"' in html and 'for="id_working_now"' in html
    assert _names(response) == {"Ana Reyes", "Bob Stone", "Cat Lee", "Mia Member"}
    # Zones by UTC offset: "PST" would be Manila and Los Angeles alike.
    assert "Wed 18:00" in html and "UTC+08:00" in html and "PST" not in html  # Ana in Manila
    assert "Wed 05:00" in html and "UTC−05:00" in html and "EST" not in html  # Bob in NY
    assert "Working" in html and "Off" in html
    assert "Platform" in html


def test_directory_search_q(member_client, people):
    response = member_client.get("/people/", {"q": "reyes"})
    assert _names(response) == {"Ana Reyes"}
    response = member_client.get("/people/", {"q": "sre"})  # title
    assert _names(response) == {"Ana Reyes"}


def test_directory_filter_team_and_country(member_client, people):
    response = member_client.get("/people/", {"team": people["team"].pk})
    assert _names(response) == {"Ana Reyes", "Cat Lee"}
    response = member_client.get("/people/", {"country": "US"})
    assert _names(response) == {"Bob Stone"}
    response = member_client.get("/people/", {"team": people["team"].pk, "country": "GB"})
    assert _names(response) == {"Cat Lee"}


def test_directory_working_now(member_client, people):
    with time_machine.travel(WEDNESDAY_10_UTC, tick=False):
        response = member_client.get("/people/", {"working_now": "on"})
    # London people (Cat, and Mia from the factory default) work at 10:00.
    assert _names(response) == {"Cat Lee", "Mia Member"}
    with time_machine.travel(datetime(2026, 1, 7, 2, 0, tzinfo=UTC), tick=False):
        response = member_client.get("/people/", {"working_now": "on"})
    assert _names(response) == {"Ana Reyes"}  # 10:00 in Manila


def test_directory_bad_filter_value_is_not_a_500(member_client, people):
    response = member_client.get("/people/", {"team": "abc", "page": "zzz"})
    assert response.status_code == 200


def test_htmx_request_returns_only_the_results_partial(member_client, people):
    response = member_client.get("/people/", {"q": "bob"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="directory-results-region">')
    assert "<html" not in html and 'id="directory-filters"' not in html
    assert 'id="directory-results"' in html
    assert _names(response) == {"Bob Stone"}


def test_email_only_for_self_or_admin(member_client, admin_client, people):
    html = member_client.get("/people/").content.decode()
    assert "mia@example.com" in html  # yourself
    assert "ana@example.com" not in html
    html = admin_client.get("/people/").content.decode()
    assert "ana@example.com" in html


def test_directory_paginates_50_per_page(member_client, db):
    bulk_people(120, prefix="pg")
    html = member_client.get("/people/").content.decode()
    assert html.count("<tr data-person=") == 50
    assert "page=2" in html
    html = member_client.get("/people/", {"page": 3}).content.decode()
    assert html.count("<tr data-person=") == 121 - 100


def _count_queries(client, url, params=None) -> int:
    # Cold caches: the worst case, and the same whatever the previous request left behind.
    caching.invalidate(PEOPLE_CACHE)
    caching.invalidate(TEAMS_CACHE)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("params", [{}, {"working_now": "on", "q": "bulk"}])
def test_directory_query_count_is_fixed_10_vs_1000(db, params, django_assert_max_num_queries):
    viewer = PersonFactory(username="viewer", org_role="admin")
    team = TeamFactory(name="Big")
    client = sign_in(Client(), viewer)
    bulk_people(10, prefix="bulk", team=team)
    with time_machine.travel(WEDNESDAY_10_UTC, tick=False):
        client.get("/people/")  # warm up: the first request records the user session
        small = _count_queries(client, "/people/", params)
        bulk_people(990, prefix="bulkx", team=team)
        large = _count_queries(client, "/people/", params)
        with django_assert_max_num_queries(small):
            client.get("/people/", {**params, "team": team.pk, "page": 2})
    assert small == large


def test_directory_bad_team_keeps_other_filters_and_shows_error(member_client, people):
    response = member_client.get("/people/", {"team": "999999", "q": "bob"})
    assert response.status_code == 200
    assert _names(response) == {"Bob Stone"}
    assert "Select a valid choice" in response.content.decode()


def test_dashboard_query_count_is_fixed_10_vs_1000_teammates(db):
    viewer = PersonFactory(username="viewer")
    team = TeamFactory(name="Big")
    add_member(team, viewer)
    client = sign_in(Client(), viewer)
    bulk_people(10, prefix="bulk", team=team, zones=[("Europe/London", "GB")])
    with time_machine.travel(WEDNESDAY_10_UTC, tick=False):  # London works 09:00-17:00
        client.get("/")  # warm up: the first request records the user session
        small = _count_queries(client, "/")
        bulk_people(990, prefix="bulkx", team=team, zones=[("Europe/London", "GB")])
        large = _count_queries(client, "/")
        html = client.get("/").content.decode()
    assert small == large
    assert '<span class="value" id="working-count">1001</span>' in html  # viewer too
    assert html.count('<span class="badge badge-on">Working</span>') == 8  # the first eight
