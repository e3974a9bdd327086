"""Every on-call endpoint answers exactly the fields its OpenAPI schema documents (issue 9).

The answers are rendered by the same output serializers that the schema is made from, so
they cannot drift apart again (before, a swap answered 12 fields and its schema listed 7;
lists answered {"results": [...]} and were documented as one object). This test makes a real
request to every on-call operation as a signed-in person and walks the JSON beside the
documented schema: every key is a documented property, every required property is there,
null only where nullable, and the JSON types match. Over the whole run every property of
every component met must have been seen at least once, so the documented properties equal
the fields actually returned.

A new on-call operation fails test_every_oncall_operation_is_checked until it gets a call
below.
"""

from __future__ import annotations

import re
from collections import defaultdict

import pytest
import time_machine
from drf_spectacular.generators import SchemaGenerator

from oncall import api_urls
from oncall.models import Layer, SwapRequest
from tests.oncall.world import utc

METHODS = {"get", "post", "put", "patch", "delete"}
JSON_TYPES = {
    "integer": int,
    "number": (int, float),
    "string": str,
    "boolean": bool,
    "array": list,
    "object": dict,
}


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def _oncall_paths() -> set[str]:
    """The schema paths of oncall/api_urls.py: "schedules/<id:schedule_id>/" becomes
    "/api/v1/schedules/{schedule_id}/"."""
    return {
        "/api/v1/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", str(pattern.pattern))
        for pattern in api_urls.urlpatterns
    }


def _oncall_operations(schema) -> set[tuple[str, str]]:
    return {
        (method, path)
        for path in _oncall_paths()
        for method in schema["paths"][path]
        if method in METHODS
    }


class Checker:
    """Walks answers beside their schemas; remembers which properties each component showed."""

    def __init__(self, schema):
        self.components = schema["components"]["schemas"]
        self.seen: dict[str, set[str]] = defaultdict(set)
        self.documented: dict[str, set[str]] = {}

    def check(self, value, node, where: str, component: str | None = None) -> None:
        if "$ref" in node:
            name = node["$ref"].rsplit("/", 1)[1]
            return self.check(value, self.components[name], where, name)
        if "allOf" in node and len(node["allOf"]) == 1:  # a nullable $ref
            if value is None:
                assert node.get("nullable"), f"{where}: null, but not documented as nullable"
                return None
            return self.check(value, node["allOf"][0], where)
        if value is None:
            assert node.get("nullable"), f"{where}: null, but not documented as nullable"
            return None
        kind = node.get("type")
        assert kind in JSON_TYPES, f"{where}: schema without a type: {node}"
        expected = JSON_TYPES[kind]
        assert isinstance(value, expected) and (kind == "boolean") == isinstance(value, bool), (
            f"{where}: {value!r} is not a JSON {kind}"
        )
        if kind == "array":
            for i, item in enumerate(value):
                self.check(item, node["items"], f"{where}[{i}]")
        elif kind == "object" and "properties" in node:
            properties = node["properties"]
            keys = set(value)
            assert keys <= set(properties), (
                f"{where}: returned but not documented: {sorted(keys - set(properties))}"
            )
            missing = set(node.get("required", [])) - keys
            assert not missing, f"{where}: documented as required but not returned: {missing}"
            if component is not None:
                self.documented[component] = set(properties)
                self.seen[component] |= keys
            for key in keys:
                self.check(value[key], properties[key], f"{where}.{key}")
        return None

    def response(self, schema, method: str, path: str, response) -> None:
        where = f"{method.upper()} {path} -> {response.status_code}"
        documented = schema["paths"][path][method]["responses"]
        assert str(response.status_code) in documented, f"{where}: status not documented"
        assert 200 <= response.status_code < 300, f"{where}: {response.content[:300]!r}"
        content = documented[str(response.status_code)].get("content")
        if content is None:
            assert response.content == b"", f"{where}: a body, but none is documented"
            return
        self.check(response.json(), content["application/json"]["schema"], where)

    def never_seen(self) -> dict[str, set[str]]:
        return {
            name: props - self.seen[name]
            for name, props in self.documented.items()
            if props - self.seen[name]
        }


def _calls(world) -> list[tuple[str, str, object, str, dict | None]]:
    """(method, schema path, client, URL, JSON body) for every on-call operation, in an order
    where each call finds what it needs. The clock stands at 2026-11-01 12:00 UTC."""
    lead, ana, cy = world.client(world.lead), world.client(world.ana), world.client(world.cy)
    sid = world.schedule.pk
    daily = world.daily_layer(people=[world.ana, world.bo])
    S = "/api/v1/schedules/{schedule_id}/"
    s = f"/api/v1/schedules/{sid}/"
    week = "?start=2026-11-02T00:00:00Z&end=2026-11-09T00:00:00Z"
    nights = {
        "name": "Weekend nights",
        "priority": -1,
        "time_zone": "Asia/Manila",
        "start": "2026-11-02T22:00",
        "shift_length": {"count": 1, "unit": "weeks"},
        "participants": [world.cy.pk],
        "end": "2027-01-01T00:00:00Z",
        "restrictions": [{"days": [5, 6], "start": "22:00", "end": "06:00"}],
        "fair": True,
    }
    later = dict(nights, name="Next month", start="2026-12-01T09:00", end=None, restrictions=[])

    def swap(start: str, end: str) -> dict:
        return {"start": start, "end": end, "asked": None, "note": "Dentist"}

    def last_swap() -> int:
        return SwapRequest.objects.latest("id").pk

    def layer_named(name: str) -> int:
        return Layer.objects.get(name=name).pk

    return [
        ("get", "/api/v1/schedules/", lead, "/api/v1/schedules/", None),
        (
            "post",
            "/api/v1/schedules/",
            lead,
            "/api/v1/schedules/",
            {"name": "Secondary", "team": world.team.pk, "time_zone": "UTC"},
        ),
        ("get", S, ana, s, None),
        ("patch", S, lead, s, {"requires_lead_approval_for_swaps": True}),
        ("post", S + "layers/", lead, s + "layers/", nights),
        ("post", S + "layers/", lead, s + "layers/", later),
        (
            "patch",
            S + "layers/{layer_id}/",
            lead,
            lambda: s + f"layers/{daily.pk}/",
            {"participants": [world.bo.pk, world.ana.pk], "effective_from": "2026-11-04T09:00Z"},
        ),
        # Ended before it began: no version is left, so its current rules are absent.
        (
            "delete",
            S + "layers/{layer_id}/",
            lead,
            lambda: s + f"layers/{layer_named('Next month')}/",
            None,
        ),
        ("get", S + "layers/", ana, s + "layers/", None),
        ("get", S + "layers/{layer_id}/", ana, s + f"layers/{daily.pk}/", None),
        (
            "post",
            S + "overrides/",
            lead,
            s + "overrides/",
            # Cy covers from now until Ana's first shift: someone is on call "now".
            {"person": world.cy.pk, "start": "2026-11-01T11:00:00Z", "end": "2026-11-02T09:00Z"},
        ),
        ("get", S + "overrides/", ana, s + "overrides/", None),
        (
            "get",
            S + "overrides/{override_id}/",
            ana,
            lambda: s + f"overrides/{world.schedule.overrides.latest('id').pk}/",
            None,
        ),
        ("get", S + "oncall/", ana, s + "oncall/?at=2026-11-03T12:00:00Z", None),
        ("get", S + "final/", ana, s + "final/" + week, None),
        # Three swaps given away by Ana: one approved, one declined, one cancelled.
        ("post", S + "swaps/", ana, s + "swaps/", swap("2026-11-02T12:00Z", "2026-11-02T13:00Z")),
        (
            "post",
            "/api/v1/swaps/{swap_id}/accept/",
            cy,
            lambda: f"/api/v1/swaps/{last_swap()}/accept/",
            None,
        ),
        (
            "post",
            "/api/v1/swaps/{swap_id}/approve/",
            lead,
            lambda: f"/api/v1/swaps/{last_swap()}/approve/",
            None,
        ),
        ("post", S + "swaps/", ana, s + "swaps/", swap("2026-11-02T14:00Z", "2026-11-02T15:00Z")),
        (
            "post",
            "/api/v1/swaps/{swap_id}/decline/",
            lead,
            lambda: f"/api/v1/swaps/{last_swap()}/decline/",
            None,
        ),
        ("post", S + "swaps/", ana, s + "swaps/", swap("2026-11-02T16:00Z", "2026-11-02T17:00Z")),
        (
            "post",
            "/api/v1/swaps/{swap_id}/cancel/",
            ana,
            lambda: f"/api/v1/swaps/{last_swap()}/cancel/",
            None,
        ),
        ("get", S + "swaps/", ana, s + "swaps/", None),
        ("get", "/api/v1/me/swaps/", ana, "/api/v1/me/swaps/", None),
        ("get", "/api/v1/me/shifts/", ana, "/api/v1/me/shifts/" + week, None),
        ("get", "/api/v1/oncall/now/", cy, "/api/v1/oncall/now/", None),
        ("get", "/api/v1/me/oncall-preferences/", ana, "/api/v1/me/oncall-preferences/", None),
        (
            "patch",
            "/api/v1/me/oncall-preferences/",
            ana,
            "/api/v1/me/oncall-preferences/",
            {"shift_notice_minutes": 30},
        ),
        ("post", "/api/v1/me/ical/", ana, "/api/v1/me/ical/", None),
        ("delete", "/api/v1/me/ical/", ana, "/api/v1/me/ical/", None),
        ("post", S + "ical/", ana, s + "ical/", None),
        ("delete", S + "ical/", ana, s + "ical/", None),
        (
            "delete",
            S + "overrides/{override_id}/",
            lead,
            lambda: s + f"overrides/{world.schedule.overrides.latest('id').pk}/",
            None,
        ),
        (
            "delete",
            S + "layers/{layer_id}/",
            lead,
            lambda: s + f"layers/{layer_named('Weekend nights')}/",
            None,
        ),
        ("delete", S, lead, s, None),
    ]


def test_every_oncall_operation_is_checked(schema, world):
    with time_machine.travel(utc(2026, 11, 1, 12), tick=False):
        calls = _calls(world)
    assert {(method, path) for method, path, *_ in calls} == _oncall_operations(schema)


@pytest.mark.django_db
def test_oncall_answers_are_exactly_what_the_schema_documents(schema, world):
    checker = Checker(schema)
    with time_machine.travel(utc(2026, 11, 1, 12), tick=False):
        for method, path, client, url, body in _calls(world):
            url = url() if callable(url) else url
            if body is None:
                response = getattr(client, method)(url)
            else:
                response = getattr(client, method)(url, body, content_type="application/json")
            checker.response(schema, method, path, response)
    assert checker.never_seen() == {}
    # The components the old documentation-only shapes got wrong are among those checked.
    for name in ("SwapRequest", "Layer", "LayerVersion", "Override", "PaginatedScheduleList"):
        assert name in checker.documented, name


def test_the_documented_swap_lists_every_field(schema):
    """The drift issue 9 found, pinned: a swap answers these 12 fields (7 were documented)."""
    swap = schema["components"]["schemas"]["SwapRequest"]
    assert set(swap["properties"]) == {
        "id",
        "schedule",
        "requester",
        "asked",
        "taker",
        "start",
        "end",
        "note",
        "status",
        "awaiting_approval",
        "override",
        "created_at",
    }
