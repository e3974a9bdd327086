"""Fixed query counts (issue 11): the ownership map's API and pages run the same number of
queries at 100 and at 3,000 projects, at most 10 of their own.

"Their own": beyond what every signed-in request costs whatever it shows (the session, the user,
the user-session bookkeeping, the inbox bell, an API token's lookup), measured with the same
client (`_shell`). With an API token the whole request is counted too."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.services import api_token_create
from bench.ownership_map import bulk_projects
from oncall.demo import seed_schedules
from projects.models import Project
from teams.models import Membership
from tests.bulk import bulk_people
from tests.conftest import sign_in
from tests.factories import SYSTEM, TeamFactory

pytestmark = pytest.mark.django_db

URLS = (
    "/api/v1/ownership-map/",
    "/api/v1/ownership-map/?country=GB&health=on_track",
    "/api/v1/ownership-map/sun/",
    "/ownership-map/",
    "/ownership-map/?country=GB",
    "/ownership-map/table/?sort=owner",
    "/ownership-map/table/?sort=-updated&page=2",
    "/ownership-map/risks/",
    "/ownership-map/sun/",
    "/ownership-map/export.csv",
)


def _queries(client, url) -> int:
    client.get(url)  # warm the per-process caches and the session
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
        if response.streaming:
            b"".join(response.streaming_content)
    return len(queries), response.status_code


def _shell(client, url) -> int:
    """What every signed-in request of this kind costs whatever it shows (session, user,
    user-session bookkeeping, MFA policy, an API token's lookup; a page's inbox bell): a
    request the map refuses before reading anything (a bad filter: 400) or, for an HTML
    page, a page that does not exist (the 404 page has the same frame)."""
    html = not url.startswith("/api/") and ".csv" not in url
    probe = "/no-such-page/" if html else "/api/v1/ownership-map/?team=abc"
    count, status = _queries(client, probe)
    assert status in (400, 404)
    return count


def _count(client, url) -> tuple[int, int]:
    """(every query of the request, the map's own)."""
    total, status = _queries(client, url)
    assert status == 200, (url, status)
    return total, total - _shell(client, url)


def _org():
    teams = [TeamFactory(name=f"Team {n:02d}") for n in range(30)]
    people = bulk_people(150, prefix="mapq")
    Membership.objects.bulk_create(
        Membership(team=teams[n % len(teams)], person=person) for n, person in enumerate(people)
    )
    seed_schedules(actor=SYSTEM, count=12, seed=3)
    manager = bulk_people(1, prefix="mapmanager", org_role="manager")[0]
    member = people[0]  # on Team 00
    Membership.objects.create(team=teams[1], person=member)
    return manager, member


def test_map_api_and_pages_fixed_queries_at_100_and_3000_projects():
    manager, member = _org()
    _, raw = api_token_create(actor=SYSTEM, user=manager, name="q", scopes=["projects:read"])
    clients = {
        "manager": sign_in(Client(), manager),
        "member": sign_in(Client(), member),
        "token": Client(HTTP_AUTHORIZATION=f"Bearer {raw}"),
    }
    bulk_projects(100, seed=1, prefix="small")
    counts = {}
    for who, client in clients.items():
        for url in URLS:
            if who == "token" and not url.startswith("/api/"):
                continue
            counts[who, url] = _count(client, url)
    bulk_projects(2900, seed=2, prefix="large")
    assert Project.objects.count() == 3000
    for who, client in clients.items():
        for url in URLS:
            if who == "token" and not url.startswith("/api/"):
                continue
            small, large = counts[who, url], _count(client, url)
            print(f"{who:8} {url:52} queries (all, own): {large}")
            assert small == large, f"{who} {url}: {small} queries at 100, {large} at 3,000"
            total, own = large
            assert own <= 10, f"{who} {url}: {own} queries of its own"
            if who == "token":
                assert total <= 10, f"{url} with a token: {total} queries in all"
    # The figures the docs quote: the whole request with a token, the map's own with a session.
    assert counts["token", "/api/v1/ownership-map/"][0] <= 5
    assert counts["manager", "/ownership-map/"][1] <= 4
