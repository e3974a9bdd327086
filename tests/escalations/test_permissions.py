"""Who may raise, acknowledge, resolve and cancel urgent updates, edit policies and manage
integration keys (escalations.permissions): the role x action table."""

from __future__ import annotations

import pytest

from core.permissions import rule_allows
from escalations import services
from escalations.models import EscalationPolicy
from tests.escalations.world import actor

ROLES = ("lead", "member", "paged_outsider", "outsider", "manager", "admin")
# Expected answers per role, for each (perm, object).
TABLE = {
    ("raise_update", "team"): {"lead", "member"},
    ("raise_update", "project"): {"lead", "member"},
    ("acknowledge_update", "update"): {"lead", "member", "paged_outsider"},
    ("resolve_update", "update"): {"lead", "member", "paged_outsider"},
    ("cancel_update", "update"): {"lead", "admin"},
    ("change_policy", "team"): {"lead", "admin"},
    ("change_policy", "project"): {"lead", "admin"},
    ("change_policy", "policy"): {"lead", "admin"},
    ("view_update", "update"): {"lead", "member", "paged_outsider", "manager", "admin"},
    ("view_policy", "team"): set(ROLES),
    ("manage_integration_keys", "team"): {"lead", "admin"},
    ("manage_integration_keys", "key"): {"lead", "admin"},
}


@pytest.fixture
def objects(world, people):
    world.policy(
        [
            {
                "wait_minutes": 5,
                "targets": [{"kind": "person", "person_id": people["paged_outsider"].pk}],
            }
        ]
    )
    update = world.raise_update(severity="critical", by=world.sam)
    key, _ = services.integration_key_create(actor=actor(world.lead), team=world.team, name="Prod")
    return {
        "key": key,
        "team": world.team,
        "project": world.project,
        "update": update,
        "policy": EscalationPolicy.objects.get(team=world.team),
    }


@pytest.mark.parametrize("perm, obj", list(TABLE), ids=[f"{p}-{o}" for p, o in TABLE])
def test_role_by_action(people, objects, perm, obj):
    allowed = {
        role
        for role, person in people.items()
        if rule_allows(person, f"escalations.{perm}", objects[obj])
    }
    assert allowed == TABLE[(perm, obj)]


def test_who_raised_it_may_cancel_it(world, people, objects):
    assert rule_allows(world.sam, "escalations.cancel_update", objects["update"])
    assert not rule_allows(world.lou, "escalations.cancel_update", objects["update"])
