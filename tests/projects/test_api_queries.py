"""Every list of the projects API costs a fixed number of queries, whatever its length: the same
count for 5 rows as for 50 (DESIGN.md, performance rules)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.services import api_token_create
from projects import services
from projects.models import Project
from teams import services as team_services
from tests.factories import PersonFactory, add_member
from tests.projects.org import SYSTEM, actor, later

pytestmark = pytest.mark.django_db

# With a token: the token, the rows, and (at most once a minute) the token's last use.
MAX_QUERIES = 3


@pytest.fixture
def reader(org) -> Client:
    _, raw = api_token_create(
        actor=SYSTEM, user=org.outsider, name="q", scopes=["projects:read", "projects:write"]
    )
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def _grow(org, count: int) -> None:
    """Projects with every person field filled: a backup, an acting owner on every other one,
    updates, goals, history, transfers, owners from several teams."""
    start = Project.objects.count()
    for n in range(start, count):
        owner = PersonFactory(time_zone=("Asia/Manila", "America/Chicago")[n % 2])
        add_member(org.team, owner)
        project = org.project(owner=owner, backup_owner=org.member2, critical=n % 3 == 0)
        services.update_post(actor=actor(owner), project=project, health="at_risk")
        services.goal_create(actor=SYSTEM, project=project, title=f"Goal {n}")
        if n % 2:
            services.acting_set(
                actor=SYSTEM, project=project, acting_owner=org.member, until=later()
            )
        org.propose(project, org.outsider, by=org.lead, reason="Load")


def _count(client, url: str) -> tuple[int, dict]:
    client.get(url)  # warm per-process caches
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, response.content
    return len(queries), response.json()


def _project(org) -> Project:
    return Project.objects.order_by("id").first()


LISTS = {
    "projects": lambda org: "/api/v1/projects/?page_size=200",
    "filtered": lambda org: (
        "/api/v1/projects/?page_size=200&critical=false&orphaned=false"
        "&stale=false&health=at_risk&country=GB&q=project"
    ),
    "waiting_for_me": lambda org: "/api/v1/projects/transfers/?page_size=200",
    "owned_by_member": lambda org: f"/api/v1/people/{org.member.pk}/owned-projects/?page_size=200",
}


def _size(body: dict) -> int:
    return len(body["results"])


@pytest.mark.parametrize("name", sorted(LISTS))
def test_lists_cost_the_same_for_5_and_50_projects(
    org, reader, name, django_assert_max_num_queries
):
    url = LISTS[name](org)
    _grow(org, 5)
    small, body = _count(reader, url)
    small_rows = _size(body)
    _grow(org, 50)
    large, body = _count(reader, url)
    assert _size(body) > small_rows, name
    assert small == large, (name, small, large)
    with django_assert_max_num_queries(MAX_QUERIES):
        reader.get(url)


def test_a_projects_lists_cost_the_same_for_few_and_many_rows(org, reader):
    """Updates, history and transfers of one project; goals too."""
    project = org.project(owner=org.member)

    def urls():
        base = f"/api/v1/projects/{project.pk}/"
        return [base + "updates/", base + "history/", base + "transfers/", base + "goals/"]

    def add(n: int) -> None:
        for i in range(n):
            services.update_post(actor=actor(org.member), project=project, health="on_track")
            services.goal_create(actor=SYSTEM, project=project, title=f"G{i}")
            transfer = org.propose(project, org.member2, by=org.lead)
            services.transfer_decline(actor=actor(org.member2), transfer=transfer, answer="no")
            services.project_update(
                actor=actor(org.lead), project=project, status=("active", "paused")[i % 2]
            )

    add(2)
    small = [_count(reader, url)[0] for url in urls()]
    add(20)
    large = [_count(reader, url)[0] for url in urls()]
    assert small == large
    assert max(large) <= MAX_QUERIES


def test_a_deactivated_owners_projects_cost_the_same(org, reader):
    """The orphaned flag is computed in the same query, not per row."""
    _grow(org, 5)
    small, _ = _count(reader, "/api/v1/projects/?orphaned=true")
    for project in Project.objects.select_related("owner")[:3]:
        team_services.person_deactivate(actor=SYSTEM, person=project.owner)
    large, body = _count(reader, "/api/v1/projects/?orphaned=true")
    assert body["results"] and all(p["orphaned"] for p in body["results"])
    assert small == large
