"""No 500s: junk in every field of every on-call endpoint is a 400 (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest

from oncall.specs import LAYER_FIELDS

JUNK = [
    None,
    "",
    "x",
    0,
    -1,
    1.5,
    True,
    [],
    {},
    [1],
    {"a": 1},
    "2026-11-02T09:00",
    "2026-11-02T09:00:00Z",
    "9999-99-99",
    "\x00",
    "a" * 5000,
    10**30,
]


@pytest.mark.django_db
def test_junk_input_never_500s(world):
    layer = world.daily_layer()
    c = world.client(world.lead)
    sid = world.schedule.pk
    posts = {
        "/api/v1/schedules/": ["name", "team", "time_zone", "requires_lead_approval_for_swaps"],
        f"/api/v1/schedules/{sid}/layers/": list(LAYER_FIELDS),
        f"/api/v1/schedules/{sid}/overrides/": ["person", "start", "end"],
        f"/api/v1/schedules/{sid}/swaps/": ["start", "end", "asked", "note"],
    }
    bad = []
    for url, fields in posts.items():
        for f in fields:
            for j in JUNK:
                body = {k: j for k in fields}
                body[f] = j
                r = c.post(url, body, content_type="application/json")
                if r.status_code >= 500:
                    bad.append((url, f, j))
    for f in [*LAYER_FIELDS, "effective_from"]:
        for j in JUNK + [
            {"count": 10**12, "unit": "hours"},
            [{"days": [0], "start": "00:00", "end": "00:00"}],
        ]:
            r = c.patch(
                f"/api/v1/schedules/{sid}/layers/{layer.pk}/",
                {f: j},
                content_type="application/json",
            )
            if r.status_code >= 500:
                bad.append(("patch", f, j))
    for q in ["at", "start", "end"]:
        for j in ["", "x", "2026", "2026-13-45T99:99Z", "%00", "2026-11-02T09:00:00-25:00"]:
            for u in [
                f"/api/v1/schedules/{sid}/oncall/?{q}={j}",
                f"/api/v1/schedules/{sid}/final/?start=2026-11-01T00:00:00Z&{q}={j}",
                f"/api/v1/me/shifts/?{q}={j}&end=2026-11-02T00:00:00Z",
                f"/api/v1/schedules/{sid}/overrides/?{q}={j}",
            ]:
                r = c.get(u)
                if r.status_code >= 500:
                    bad.append(u)
    for j in JUNK:
        r = c.patch(
            "/api/v1/me/oncall-preferences/",
            {"shift_notice_minutes": j},
            content_type="application/json",
        )
        if r.status_code >= 500:
            bad.append(("prefs", j))
        r = c.post(f"/api/v1/schedules/{sid}/layers/", [j], content_type="application/json")
        if r.status_code >= 500:
            bad.append(("list body", j))
    r = c.delete(f"/api/v1/schedules/{sid}/layers/{layer.pk}/?effective_from=garbage")
    if r.status_code >= 500:
        bad.append("delete")
    assert bad == []
