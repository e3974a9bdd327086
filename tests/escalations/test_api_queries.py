"""Every list and read of the escalations API costs a fixed number of queries, whatever its
length: the same count for 2 rows as for 20 (DESIGN.md, performance rules)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from escalations import services
from tests.escalations.test_api import token_client
from tests.escalations.world import MINUTE, SYDNEY_3AM, actor
from tests.factories import PersonFactory, add_member

# With a token: the token, the caller's teams (visibility, permission), the rows; a read of
# one update adds its steps and its timeline; a policy page its steps and their targets.
MAX_QUERIES = {"updates": 3, "update": 5, "policies": 4, "keys": 4}


@pytest.fixture
def reader(world) -> Client:
    return token_client(world.lead, ["escalations:read", "escalations:write"])


def _count(client, url: str) -> tuple[int, dict]:
    client.get(url)  # warm per-process caches (and the token's last use)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, response.content
    return len(queries), response.json()


def _people(world, n: int) -> list:
    people = []
    for i in range(n):
        person = PersonFactory(time_zone=("Asia/Manila", "America/Chicago")[i % 2])
        add_member(world.team, person)
        people.append(person)
    return people


def test_the_update_list_costs_the_same_for_2_and_20(world, reader):
    people = _people(world, 20)

    def grow(to: int) -> None:
        from escalations.models import UrgentUpdate

        for n in range(UrgentUpdate.objects.count(), to):
            update = world.raise_update(title=f"U{n}", by=people[n], severity="critical")
            if n % 2:
                services.update_acknowledge(
                    actor=actor(people[n]), update=update, at=SYDNEY_3AM + MINUTE
                )
            if n % 3 == 0:
                services.update_resolve(
                    actor=actor(world.lead), update=update, at=SYDNEY_3AM + 2 * MINUTE
                )

    url = "/api/v1/urgent-updates/?page_size=200"
    grow(2)
    small, body = _count(reader, url)
    assert len(body["results"]) == 2
    grow(20)
    large, body = _count(reader, url)
    assert len(body["results"]) == 20
    assert small == large <= MAX_QUERIES["updates"], (small, large)
    filtered, _ = _count(reader, f"/api/v1/urgent-updates/?team={world.team.pk}&state=open")
    assert filtered == large


def test_an_update_costs_the_same_with_2_and_20_timeline_rows(world, reader):
    people = _people(world, 20)
    update = world.raise_update(severity="critical")  # owner paged; next step pending
    url = f"/api/v1/urgent-updates/{update.pk}/"
    small, body = _count(reader, url)
    assert 2 <= len(body["timeline"]) < 10
    for n, person in enumerate(people):
        services.update_repeat(
            actor=actor(person), update=update, source=f"Probe {n}", at=SYDNEY_3AM + MINUTE
        )
    for minutes in range(3, 100, 3):  # every step fires, then the managers are told
        world.sweep(SYDNEY_3AM + minutes * MINUTE)
    large, body = _count(reader, url)
    assert len(body["timeline"]) >= 30 and len(body["steps"]) == 6
    assert small == large <= MAX_QUERIES["update"], (small, large)


def test_policies_and_keys_cost_the_same_for_2_and_20(world, reader):
    people = _people(world, 20)

    def grow(to: int) -> None:
        from escalations.models import EscalationPolicy, IntegrationKey

        for n in range(EscalationPolicy.objects.count(), to):
            project = world.project if n == 0 else None
            if n > 0:
                from projects import services as project_services

                project = project_services.project_create(
                    actor=actor(world.lead), team=world.team, name=f"P{n}", owner=people[n]
                )
            world.policy(
                [
                    {
                        "wait_minutes": 5,
                        "targets": [
                            {"kind": "person", "person_id": people[n].pk},
                            {"kind": "oncall", "schedule_id": world.schedule.pk},
                            {"kind": "lead"},
                        ],
                    },
                    {"wait_minutes": 5, "targets": [{"kind": "person", "person_id": world.lou.pk}]},
                ],
                project=project,
            )
        for n in range(IntegrationKey.objects.count(), to):
            key, _ = services.integration_key_create(
                actor=actor(people[n]), team=world.team, name=f"K{n}"
            )
            if n % 2:
                services.integration_key_revoke(actor=actor(world.lead), key=key)

    policies = f"/api/v1/escalation-policies/?page_size=200&team={world.team.pk}"
    keys = f"/api/v1/teams/{world.team.pk}/integration-keys/?page_size=200"
    grow(2)
    small = [_count(reader, policies)[0], _count(reader, keys)[0]]
    grow(20)
    large_policies, body = _count(reader, policies)
    assert len(body["results"]) == 20
    large_keys, body = _count(reader, keys)
    assert len(body["results"]) == 20
    assert small == [large_policies, large_keys]
    assert large_policies <= MAX_QUERIES["policies"] and large_keys <= MAX_QUERIES["keys"]
