"""Hostile JSON against every API operation that takes a body (found in the OpenAPI schema, so
new endpoints are covered without editing this file): nesting thousands of levels deep, numbers
that overflow (1e309, 10**30), floats, booleans and strings where an integer belongs, and
oversized bodies. Nothing may answer 5xx, nothing hostile may be accepted, and errors are JSON.
"""

from __future__ import annotations

import json
import re

import pytest
from django.test import Client
from drf_spectacular.generators import SchemaGenerator

from notifications import services as notification_services
from projects import services as project_services
from tests.conftest import mark_reauthenticated, sign_in
from tests.factories import SYSTEM, PersonFactory
from tests.oncall.world import team_on_call

pytestmark = pytest.mark.django_db

DEEP_LISTS = "[" * 5000 + "]" * 5000
DEEP_OBJECTS = '{"a":' * 3000 + "1" + "}" * 3000
DEEP_BUT_PARSEABLE = '{"a":' * 100 + "1" + "}" * 100
# Digit strings ("1") are read as numbers on purpose, as DRF and the page forms do.
HOSTILE_INTEGERS = ["1.5", "1e309", "-1e309", "100000000000000000000000000000", "true"]


def _operations() -> list[tuple[str, str, dict]]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    found = []
    for path, ops in schema["paths"].items():
        for method, op in ops.items():
            if method in ("post", "put", "patch") and "requestBody" in op:
                body = op["requestBody"]["content"].get("application/json", {}).get("schema", {})
                if "$ref" in body:
                    body = schema["components"]["schemas"][body["$ref"].rsplit("/", 1)[1]]
                found.append((method, path, body))
    return found


OPERATIONS = _operations()


@pytest.fixture
def world(settings):
    settings.NOTIFICATIONS_WEBHOOK_ALLOW_PRIVATE = True
    admin = PersonFactory(username="root", org_role="admin")
    member = PersonFactory(username="mem")
    team, schedule, layer = team_on_call("Hostile", admin, [member])
    hook = notification_services.webhook_create(
        actor=SYSTEM, owner=admin, name="h", url="http://127.0.0.1:9/hook"
    )
    # A project the admin owns (its goals, updates, acting owner, transfers) and a transfer
    # proposed to the admin (accept, decline, cancel): every projects write reads its body.
    project = project_services.project_create(actor=SYSTEM, team=team, name="P", owner=admin)
    goal = project_services.goal_create(actor=SYSTEM, project=project, title="G")
    transfer = project_services.transfer_propose(
        actor=SYSTEM,
        project=project_services.project_create(actor=SYSTEM, team=team, name="Q", owner=member),
        to_person=admin,
        reason="r",
    )
    ids = {
        "people": member.pk,
        "teams": team.pk,
        "team_id": team.pk,
        "person_id": member.pk,
        "schedule_id": schedule.pk,
        "layer_id": layer.pk,
        "webhooks": hook.pk,
        "project_id": project.pk,
        "goal_id": goal.pk,
        "transfer_id": transfer.pk,
    }
    from escalations import services as escalation_services

    update = escalation_services.update_raise(
        actor=SYSTEM, project=project, title="U", severity="high"
    )
    policy = escalation_services.policy_set(
        actor=SYSTEM, team=team, steps=[{"wait_minutes": 5, "targets": [{"kind": "lead"}]}]
    )
    key, raw_key = escalation_services.integration_key_create(actor=SYSTEM, team=team, name="k")
    ids.update({"update_id": update.pk, "policy_id": policy.pk, "key_id": key.pk, "key": raw_key})
    from core.audit import Actor
    from handoffs import services as handoff_services

    note = handoff_services.handoff_send(
        actor=Actor(user=admin, via="test"),
        team=team,
        title="N",
        summary="s",
        recipients="people",
        people=[member.pk],
        items=[{"text": "i"}],
    )
    ids.update({"note_id": note.pk, "item_id": note.items.get().pk})
    from chat import selectors as chat_selectors
    from chat import services as chat_services

    room = chat_selectors.team_room(team.pk)
    chat_services.message_post(actor=Actor(user=admin, via="test"), room=room, body="m")
    from django.utils import timezone

    from chat.models import HeldMessage, Topic

    held = HeldMessage.objects.create(
        room=room,
        author=admin,
        recipient=member,
        topic="t",
        body="later",
        created_at=timezone.now(),
        send_at=timezone.now(),
    )
    ids.update(
        {
            "room_id": room.pk,
            "seq": 1,
            "topic_id": Topic.objects.get(room=room).pk,
            "held_id": held.pk,
        }
    )
    # Recently re-authenticated: token creation reads its body instead of asking first.
    return mark_reauthenticated(sign_in(Client(), admin), admin), ids


def _url(path: str, ids: dict) -> str:
    def fill(match):
        name = match.group(1)
        if name == "id":
            collection = path.split("/")[3]
            return str(ids[collection])
        assert name in ids, f"{path}: give the world an object for {{{name}}} (ids above)"
        return str(ids[name])

    return re.sub(r"\{(\w+)\}", fill, path)


def _send(client, method: str, url: str, raw: str):
    return getattr(client, method)(url, data=raw, content_type="application/json")


@pytest.mark.parametrize("body", [DEEP_LISTS, DEEP_OBJECTS, DEEP_BUT_PARSEABLE])
def test_deep_nesting_is_a_400_everywhere(world, body):
    client, ids = world
    assert OPERATIONS
    for method, path, _schema in OPERATIONS:
        response = _send(client, method, _url(path, ids), body)
        assert response.status_code == 400, (method, path, response.status_code)
        assert response["Content-Type"].startswith("application/json")
        assert "nested more than 32 levels" in json.dumps(response.json())


def _integer_fields(schema: dict) -> list[str]:
    props = schema.get("properties", {})
    return [
        name
        for name, prop in props.items()
        if not prop.get("readOnly")
        and (
            prop.get("type") == "integer"
            or (prop.get("type") == "array" and prop.get("items", {}).get("type") == "integer")
        )
    ]


def test_hostile_numbers_in_integer_fields_are_refused(world):
    client, ids = world
    tried = 0
    for method, path, schema in OPERATIONS:
        for field in _integer_fields(schema):
            array = schema["properties"][field].get("type") == "array"
            for number in HOSTILE_INTEGERS:
                value = f"[{number}]" if array else number
                response = _send(client, method, _url(path, ids), f'{{"{field}": {value}}}')
                tried += 1
                assert 400 <= response.status_code < 500, (method, path, field, number)
                assert response["Content-Type"].startswith("application/json")
    assert tried > 20  # the schema documents its integer fields


def test_a_float_is_not_read_as_a_person_id(world):
    client, ids = world
    response = _send(client, "post", f"/api/v1/teams/{ids['teams']}/members/", '{"person": 1.5}')
    assert response.status_code == 400
    assert "person" in response.json()


def test_nan_and_infinity_are_not_json(world):
    client, ids = world
    for raw in ('{"person": NaN}', '{"person": Infinity}', '{"person": -Infinity}'):
        response = _send(client, "post", f"/api/v1/teams/{ids['teams']}/members/", raw)
        assert response.status_code == 400


def test_an_oversized_body_is_a_json_413(world, settings):
    client, ids = world
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    raw = json.dumps({"name": "x" * 20_000})
    response = _send(client, "post", "/api/v1/teams/", raw)
    assert response.status_code == 413
    assert response["Content-Type"].startswith("application/json")


@pytest.mark.parametrize("path", ["/api/v1/people/1234567890123456789/", "/api/v1/nowhere/"])
def test_unknown_addresses_under_api_are_json_404(member_client, path):
    response = member_client.get(path)
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")


def test_a_server_error_under_api_is_json(member, monkeypatch):
    from teams import api as teams_api

    def broken(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(teams_api.selectors, "person_detail", broken)
    client = sign_in(Client(raise_request_exception=False), member)
    response = client.get(f"/api/v1/people/{member.pk}/")
    assert response.status_code == 500
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == {"detail": "Server error."}
