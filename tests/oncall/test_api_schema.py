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

import pytest
import time_machine
from drf_spectacular.generators import SchemaGenerator

from oncall import api_urls
from oncall.models import Layer, SwapRequest
from tests.oncall.world import utc
from tests.schema_check import Checker, operations


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


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

    def layer_url(name: str):
        return lambda: s + f"layers/{Layer.objects.get(name=name).pk}/"

    def latest_override_url() -> str:
        return s + f"overrides/{world.schedule.overrides.latest('id').pk}/"

    def swap_action(action: str, who) -> tuple:
        path = f"/api/v1/swaps/{{swap_id}}/{action}/"
        return ("post", path, who, lambda: f"/api/v1/swaps/{last_swap()}/{action}/", None)

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
        ("delete", S + "layers/{layer_id}/", lead, layer_url("Next month"), None),
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
        ("get", S + "overrides/{override_id}/", ana, latest_override_url, None),
        ("get", S + "oncall/", ana, s + "oncall/?at=2026-11-03T12:00:00Z", None),
        ("get", S + "final/", ana, s + "final/" + week, None),
        # Three swaps given away by Ana: one approved, one declined, one cancelled.
        ("post", S + "swaps/", ana, s + "swaps/", swap("2026-11-02T12:00Z", "2026-11-02T13:00Z")),
        swap_action("accept", cy),
        swap_action("approve", lead),
        ("post", S + "swaps/", ana, s + "swaps/", swap("2026-11-02T14:00Z", "2026-11-02T15:00Z")),
        swap_action("decline", lead),
        ("post", S + "swaps/", ana, s + "swaps/", swap("2026-11-02T16:00Z", "2026-11-02T17:00Z")),
        swap_action("cancel", ana),
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
        ("delete", S + "overrides/{override_id}/", lead, latest_override_url, None),
        ("delete", S + "layers/{layer_id}/", lead, layer_url("Weekend nights"), None),
        ("delete", S, lead, s, None),
    ]


def test_every_oncall_operation_is_checked(schema, world):
    with time_machine.travel(utc(2026, 11, 1, 12), tick=False):
        calls = _calls(world)
    checked = {(method, path) for method, path, *_ in calls}
    assert checked == operations(schema, api_urls.urlpatterns)


@pytest.mark.django_db
def test_oncall_answers_are_exactly_what_the_schema_documents(schema, world):
    checker = Checker(schema)
    with time_machine.travel(utc(2026, 11, 1, 12), tick=False):
        checker.walk(schema, _calls(world))
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
