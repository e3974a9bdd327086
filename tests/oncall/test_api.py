"""The on-call API contract (issue 4, section 5), including every 400 case."""

from __future__ import annotations

import pytest

from oncall.models import Layer, LayerVersion, Override, Schedule
from tests.oncall.world import utc

pytestmark = pytest.mark.django_db

LAYER = {
    "name": "Follow the sun: Manila",
    "priority": 2,
    "time_zone": "Asia/Manila",
    "start": "2026-11-02T09:00",
    "shift_length": {"count": 1, "unit": "weeks"},
    "participants": [],
    "end": None,
    "restrictions": [{"days": [0, 1, 2, 3, 4], "start": "09:00", "end": "17:00"}],
    "fair": False,
}


def _layer(world, **changes):
    body = dict(LAYER, participants=[world.ana.pk, world.bo.pk])
    body.update(changes)
    return body


def test_create_schedule_returns_201_with_id(world):
    client = world.client(world.lead)
    response = client.post(
        "/api/v1/schedules/",
        {"name": "Secondary", "team": world.team.pk, "time_zone": "America/Santiago"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert Schedule.objects.get(pk=body["id"]).time_zone == "America/Santiago"


@pytest.mark.parametrize(
    "body, field",
    [
        ({"name": "X", "team": None, "time_zone": "UTC"}, "team"),
        ({"name": "", "team": "TEAM", "time_zone": "UTC"}, "name"),
        ({"name": "X", "team": "TEAM", "time_zone": "Mars/Olympus"}, "time_zone"),
        ({"name": "X", "team": "TEAM", "time_zone": "UTC", "colour": "red"}, "colour"),
    ],
)
def test_create_schedule_400_names_the_field(world, body, field):
    body = {k: (world.team.pk if v == "TEAM" else v) for k, v in body.items()}
    before = Schedule.objects.count()
    response = world.client(world.lead).post(
        "/api/v1/schedules/", body, content_type="application/json"
    )
    assert response.status_code == 400
    assert field in response.json()
    assert Schedule.objects.count() == before


def test_create_layer_returns_201_with_id(world):
    response = world.client(world.lead).post(
        f"/api/v1/schedules/{world.schedule.pk}/layers/",
        _layer(world),
        content_type="application/json",
    )
    assert response.status_code == 201, response.json()
    layer = Layer.objects.get(pk=response.json()["id"])
    version = layer.versions.get()
    assert version.participants == [world.ana.pk, world.bo.pk]
    assert response.json()["start"] == "2026-11-02T09:00"
    assert response.json()["shift_length"] == {"count": 1, "unit": "weeks"}


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"time_zone": "Nowhere/Land"}, "time_zone"),
        ({"time_zone": None}, "time_zone"),
        ({"shift_length": {"count": 0, "unit": "days"}}, "shift_length"),
        ({"shift_length": {"count": -3, "unit": "days"}}, "shift_length"),
        ({"shift_length": {"count": 1, "unit": "fortnights"}}, "shift_length"),
        ({"shift_length": {"count": "1", "unit": "days"}}, "shift_length"),
        ({"participants": []}, "participants"),
        ({"participants": "ana"}, "participants"),
        ({"participants": "GONE"}, "participants"),
        ({"restrictions": [{"days": [7], "start": "09:00", "end": "17:00"}]}, "restrictions"),
        ({"restrictions": [{"days": [], "start": "09:00", "end": "17:00"}]}, "restrictions"),
        ({"restrictions": [{"days": [1], "start": "25:00", "end": "17:00"}]}, "restrictions"),
        ({"restrictions": [{"days": [1], "start": "9am", "end": "17:00"}]}, "restrictions"),
        ({"restrictions": {"days": [1]}}, "restrictions"),
        ({"end": "2026-11-01T00:00:00Z"}, "end"),
        ({"end": "2026-11-02T09:00:00+08:00"}, "end"),
        ({"end": "2026-12-01T00:00"}, "end"),
        ({"end": "tomorrow"}, "end"),
        ({"start": "2026-11-02T09:00:00Z"}, "start"),
        ({"start": "not a date"}, "start"),
        ({"start": None}, "start"),
        ({"name": ""}, "name"),
        ({"priority": "high"}, "priority"),
        ({"fair": "yes"}, "fair"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_create_layer_400_names_the_field_and_saves_nothing(world, changes, field):
    if changes.get("participants") == "GONE":
        from teams.services import person_deactivate
        from tests.factories import SYSTEM

        person_deactivate(actor=SYSTEM, person=world.outsider)
        changes = {"participants": [world.ana.pk, world.outsider.pk, 999999]}
    before = (Layer.objects.count(), LayerVersion.objects.count())
    response = world.client(world.lead).post(
        f"/api/v1/schedules/{world.schedule.pk}/layers/",
        _layer(world, **changes),
        content_type="application/json",
    )
    assert response.status_code == 400, response.content
    assert field in response.json(), response.json()
    assert (Layer.objects.count(), LayerVersion.objects.count()) == before


def test_override_create_201_and_400s(world):
    client = world.client(world.lead)
    url = f"/api/v1/schedules/{world.schedule.pk}/overrides/"
    ok = {"person": world.cy.pk, "start": "2026-11-03T10:00:00Z", "end": "2026-11-03T12:00:00Z"}
    response = client.post(url, ok, content_type="application/json")
    assert response.status_code == 201, response.json()
    assert Override.objects.get(pk=response.json()["id"]).person == world.cy
    for bad, field in (
        ({**ok, "end": "2026-11-03T09:00:00Z"}, "end"),
        ({**ok, "end": ok["start"]}, "end"),
        ({**ok, "start": "2026-11-03T10:00"}, "start"),
        ({**ok, "start": "soon"}, "start"),
        ({**ok, "person": 999999}, "person"),
        ({**ok, "person": "cy"}, "person"),
    ):
        response = client.post(url, bad, content_type="application/json")
        assert response.status_code == 400, (bad, response.content)
        assert field in response.json()
    assert Override.objects.count() == 1
    # Anyone active may cover, not only the team (follow-the-sun borrows people).
    response = client.post(
        url, {**ok, "person": world.outsider.pk}, content_type="application/json"
    )
    assert response.status_code == 201


def test_oncall_at_and_final_contract(world):
    world.daily_layer()
    sid = world.schedule.pk
    client = world.client(world.ana)
    body = client.get(f"/api/v1/schedules/{sid}/oncall/?at=2026-11-03T12:00:00Z").json()
    # Daily 09:00 London (GMT in November): shift 1 (Bo) is 3 Nov 09:00 - 4 Nov 09:00 UTC.
    assert body == {
        "person": world.bo.pk,
        "start": "2026-11-03T09:00:00Z",
        "end": "2026-11-04T09:00:00Z",
    }
    # An offset sent without URL-encoding its "+" still means the same instant.
    same = client.get(f"/api/v1/schedules/{sid}/oncall/?at=2026-11-03T20:00:00+08:00").json()
    assert same == body
    before = client.get(f"/api/v1/schedules/{sid}/oncall/?at=2026-11-01T12:00:00Z").json()
    assert before["person"] is None and before["end"] == "2026-11-02T09:00:00Z"
    final = client.get(
        f"/api/v1/schedules/{sid}/final/?start=2026-11-02T00:00:00Z&end=2026-11-04T00:00:00Z"
    )
    assert final.status_code == 200
    assert final.json() == {
        "segments": [
            {"start": "2026-11-02T00:00:00Z", "end": "2026-11-02T09:00:00Z", "person": None},
            {
                "start": "2026-11-02T09:00:00Z",
                "end": "2026-11-03T09:00:00Z",
                "person": world.ana.pk,
            },
            {"start": "2026-11-03T09:00:00Z", "end": "2026-11-04T00:00:00Z", "person": world.bo.pk},
        ]
    }


# Refused, naming the parameter at fault: oncall/ needs one instant (`at`), final/ a range of
# at most 92 days.
BAD_AT = ["", "?at=", "?at=yesterday", "?at=2026-11-03T12:00"]
BAD_AT += ["?at=9999-12-31T23:59:59Z", "?at=0001-01-01T00:00:00Z"]
BAD_RANGES = [
    ("", "start"),
    ("?start=2026-11-02T00:00:00Z", "end"),
    ("?start=2026-11-02T00:00:00Z&end=2026-11-01T00:00:00Z", "end"),
    ("?start=2026-01-01T00:00:00Z&end=2026-04-03T00:00:01Z", "end"),
    ("?start=x&end=2026-11-01T00:00:00Z", "start"),
]


@pytest.mark.parametrize(
    "endpoint, query, field",
    [("oncall", query, "at") for query in BAD_AT] + [("final", *case) for case in BAD_RANGES],
)
def test_bad_times_are_400(world, endpoint, query, field):
    url = f"/api/v1/schedules/{world.schedule.pk}/{endpoint}/{query}"
    response = world.client(world.ana).get(url)
    assert response.status_code == 400
    assert field in response.json()


def test_final_allows_exactly_92_days(world):
    world.daily_layer()
    response = world.client(world.ana).get(
        f"/api/v1/schedules/{world.schedule.pk}/final/"
        "?start=2026-11-01T00:00:00Z&end=2027-02-01T00:00:00Z"
    )
    assert response.status_code == 200
    segments = response.json()["segments"]
    assert segments[0]["start"] == "2026-11-01T00:00:00Z"
    assert segments[-1]["end"] == "2027-02-01T00:00:00Z"
    for left, right in zip(segments, segments[1:], strict=False):
        assert left["end"] == right["start"] and left["person"] != right["person"]


def test_me_shifts(world):
    world.daily_layer()
    response = world.client(world.bo).get(
        "/api/v1/me/shifts/?start=2026-11-02T00:00:00Z&end=2026-11-06T00:00:00Z"
    )
    assert response.status_code == 200
    assert [(s["start"], s["end"]) for s in response.json()["results"]] == [
        ("2026-11-03T09:00:00Z", "2026-11-04T09:00:00Z"),
        ("2026-11-05T09:00:00Z", "2026-11-06T00:00:00Z"),
    ]
    bad = world.client(world.bo).get("/api/v1/me/shifts/?start=2026-11-02T00:00:00Z")
    assert bad.status_code == 400 and "end" in bad.json()


def test_schedule_list_retrieve_patch_delete(world):
    lead = world.client(world.lead)
    sid = world.schedule.pk
    assert [s["id"] for s in lead.get("/api/v1/schedules/").json()["results"]] == [sid]
    assert world.client(world.outsider).get("/api/v1/schedules/").json()["results"] == []
    response = lead.patch(
        f"/api/v1/schedules/{sid}/",
        {"name": "Primary (EU)", "requires_lead_approval_for_swaps": True},
        content_type="application/json",
    )
    assert response.status_code == 200 and response.json()["name"] == "Primary (EU)"
    bad = lead.patch(
        f"/api/v1/schedules/{sid}/", {"time_zone": "Bad/Zone"}, content_type="application/json"
    )
    assert bad.status_code == 400 and "time_zone" in bad.json()
    assert lead.delete(f"/api/v1/schedules/{sid}/").status_code == 204
    assert not Schedule.objects.filter(pk=sid).exists()


def test_layer_patch_and_delete_via_api(world, settings):
    import time_machine

    layer = world.daily_layer()
    url = f"/api/v1/schedules/{world.schedule.pk}/layers/{layer.pk}/"
    lead = world.client(world.lead)
    with time_machine.travel(utc(2026, 11, 10, 12), tick=False):
        response = lead.patch(
            url,
            {"participants": [world.cy.pk], "effective_from": "2026-11-12T09:00:00Z"},
            content_type="application/json",
        )
        assert response.status_code == 200, response.json()
        assert len(response.json()["history"]) == 2
        past = lead.patch(
            url,
            {"participants": [world.ana.pk], "effective_from": "2026-11-01T00:00:00Z"},
            content_type="application/json",
        )
        assert past.status_code == 400 and "effective_from" in past.json()
        bad = lead.patch(url, {"participants": []}, content_type="application/json")
        assert bad.status_code == 400 and "participants" in bad.json()
        assert lead.delete(url).status_code == 204
    assert Layer.objects.get(pk=layer.pk).removed_at == utc(2026, 11, 10, 12)


def test_oncall_now_lists_every_schedule_for_everyone(world):
    world.daily_layer()
    response = world.client(world.outsider).get("/api/v1/oncall/now/")
    assert response.status_code == 200
    rows = response.json()["results"]
    assert [r["schedule"] for r in rows] == [world.schedule.pk]
    assert set(rows[0]) >= {"person", "until", "local_time", "time_zone", "display_name"}


def test_participant_from_another_team_reads_and_sees_shifts(world):
    world.daily_layer(people=[world.ana, world.outsider])
    client = world.client(world.outsider)
    assert client.get(f"/api/v1/schedules/{world.schedule.pk}/").status_code == 200
    assert [s["id"] for s in client.get("/api/v1/schedules/").json()["results"]] == [
        world.schedule.pk
    ]
    shifts = client.get("/api/v1/me/shifts/?start=2026-11-02T00:00:00Z&end=2026-11-05T00:00:00Z")
    assert [s["start"] for s in shifts.json()["results"]] == ["2026-11-03T09:00:00Z"]


def test_token_needs_schedules_scope(world):
    from django.test import Client

    from accounts.services import api_token_create
    from tests.factories import SYSTEM

    _, people_only = api_token_create(
        actor=SYSTEM, user=world.lead, name="people", scopes=["people:read"]
    )
    _, read = api_token_create(
        actor=SYSTEM, user=world.lead, name="read", scopes=["schedules:read"]
    )
    _, write = api_token_create(
        actor=SYSTEM, user=world.lead, name="write", scopes=["schedules:write"]
    )
    url = f"/api/v1/schedules/{world.schedule.pk}/"
    assert Client().get(url, HTTP_AUTHORIZATION=f"Bearer {people_only}").status_code == 403
    assert Client().get(url, HTTP_AUTHORIZATION=f"Bearer {read}").status_code == 200
    body = {"name": "Renamed"}
    assert (
        Client()
        .patch(url, body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {read}")
        .status_code
        == 403
    )
    assert (
        Client()
        .patch(url, body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {write}")
        .status_code
        == 200
    )


def test_swap_note_of_another_type_is_a_400_not_a_500(world):
    """Issue 9: a note that was not a string reached .strip() in the service (a 500)."""
    import time_machine

    world.daily_layer()
    url = f"/api/v1/schedules/{world.schedule.pk}/swaps/"
    span = {"start": "2026-11-02T12:00:00Z", "end": "2026-11-02T18:00:00Z"}
    with time_machine.travel(utc(2026, 11, 1), tick=False):
        for note in (-1, 1.5, True, [1], {"a": 1}):
            response = world.client(world.ana).post(
                url, {**span, "note": note}, content_type="application/json"
            )
            assert response.status_code == 400 and "note" in response.json(), note
        ok = world.client(world.ana).post(
            url, {**span, "note": None}, content_type="application/json"
        )
        assert ok.status_code == 201 and ok.json()["note"] == ""


@pytest.mark.parametrize(
    "value, status",
    [
        ("5", 200),
        (" 7 ", 200),
        (5, 200),
        ("--5", 400),
        ("\u00b2", 400),
        ("1" * 5000, 400),
        (1.0, 400),
        (True, 400),
        ("true", 400),
        (None, 400),
    ],
)
def test_whole_numbers_may_be_digit_strings_but_nothing_else(world, value, status):
    """As specs.clean_int reads them: "5" is 5; "--5", "²" and huge strings were 500s."""
    response = world.client(world.ana).patch(
        "/api/v1/me/oncall-preferences/",
        {"shift_notice_minutes": value},
        content_type="application/json",
    )
    assert response.status_code == status, response.content
    if status == 400:
        assert "shift_notice_minutes" in response.json()


def test_bad_bodies_name_the_field_with_a_list_of_messages(world):
    client = world.client(world.lead)
    response = client.post(
        f"/api/v1/schedules/{world.schedule.pk}/overrides/",
        {"person": world.cy.pk, "start": "2026-11-03T10:00Z", "end": "2026-11-03T12:00Z", "x": 1},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json() == {"x": ["Unknown field; it cannot be set here."]}
    not_an_object = client.patch(
        f"/api/v1/schedules/{world.schedule.pk}/", [1], content_type="application/json"
    )
    assert not_an_object.status_code == 400
    assert not_an_object.json() == {"detail": ["Send a JSON object."]}


def test_a_malformed_body_from_someone_who_may_not_write_is_still_a_403(world):
    """Unknown keys (and, for a new schedule, the team) are checked before the permission;
    the values after it, as before the serializers."""
    member = world.client(world.ana)
    schedule = member.post(
        "/api/v1/schedules/",
        {"name": None, "team": world.team.pk, "time_zone": 5},
        content_type="application/json",
    )
    assert schedule.status_code == 403
    no_team = member.post(
        "/api/v1/schedules/", {"name": "X", "team": 999999}, content_type="application/json"
    )
    assert no_team.status_code == 400 and list(no_team.json()) == ["team"]
    override = member.post(
        f"/api/v1/schedules/{world.schedule.pk}/overrides/",
        {"person": "cy", "start": None, "end": None},
        content_type="application/json",
    )
    assert override.status_code == 403
    unknown = member.post(
        f"/api/v1/schedules/{world.schedule.pk}/overrides/",
        {"person": world.cy.pk, "colour": "red"},
        content_type="application/json",
    )
    assert unknown.status_code == 400 and "colour" in unknown.json()
