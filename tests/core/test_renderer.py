"""core.api.FastJSONRenderer, every API answer's renderer: the JSON DRF's own renderer writes,
written by orjson (the ownership map's answer was the first to use it)."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from django.utils.translation import gettext_lazy
from rest_framework.exceptions import ErrorDetail
from rest_framework.renderers import JSONRenderer

from core.api import FastJSONRenderer

PAYLOADS = [
    {
        "name": 'Zoë 東京 </script> "quoted" \\ tab\t',
        "rows": [[1, True, None, "é", 2.5, -0.1], []],
        "nested": {"a": [{"b": False}]},
    },
    {
        "at": datetime(2027, 3, 28, 1, 30, tzinfo=UTC),
        "at_ms": datetime(2027, 3, 28, 1, 30, 5, 123456, tzinfo=UTC),
        "day": date(2027, 3, 28),
        "clock": time(9, 5),
        "span": timedelta(hours=2, minutes=3),
        "team": [ErrorDetail("Not a team.", code="invalid")],
        "amount": Decimal("1.50"),
        "id": uuid.UUID("12345678-1234-5678-1234-567812345678"),
        "lazy": gettext_lazy("Not found."),
        "tuple": (1, 2),
    },
    {7: "seven", 8: {9: [10]}},  # number keys become strings, as with json.dumps
    [],
    "text",
    3,
]


def test_it_writes_the_json_drf_writes():
    for data in PAYLOADS:
        ours = FastJSONRenderer().render(data)
        drf = JSONRenderer().render(data)
        assert json.loads(ours) == json.loads(drf), data
        assert b", " not in ours and b'": ' not in ours  # compact


def test_same_bytes_for_plain_answers():
    data = {"results": [{"id": 1, "name": "Zoë", "until": "2027-03-28T01:30:00Z"}], "next": None}
    assert FastJSONRenderer().render(data) == JSONRenderer().render(data)


def test_dates_read_as_drf_writes_them():
    out = json.loads(FastJSONRenderer().render({"at": datetime(2027, 3, 28, 1, 30, tzinfo=UTC)}))
    assert out["at"] == "2027-03-28T01:30:00Z"


def test_indent_none_nan_and_huge_integers():
    data = {"a": [1, {"b": 2}]}
    indented = FastJSONRenderer().render(data, "application/json; indent=2")
    assert indented == JSONRenderer().render(data, "application/json; indent=2")
    assert FastJSONRenderer().render(None) == b""
    # JSON has no NaN: null, where DRF's strict renderer raised (a 500).
    assert FastJSONRenderer().render({"x": float("nan")}) == b'{"x":null}'
    # Beyond 64 bits orjson refuses; DRF's renderer writes it.
    assert FastJSONRenderer().render({"n": 2**70}) == JSONRenderer().render({"n": 2**70})


def test_api_answers_go_through_it(db):
    from django.test import Client

    from tests.conftest import sign_in
    from tests.factories import PersonFactory

    client = sign_in(Client(), PersonFactory(username="rena", display_name="Rena Ōta"))
    response = client.get("/api/v1/people/")
    assert response.status_code == 200
    assert isinstance(response.accepted_renderer, FastJSONRenderer)
    assert "Rena Ōta".encode() in response.content  # UTF-8, not \u escapes
    assert response.json()["results"][0]["display_name"] == "Rena Ōta"
