"""Bad input to the escalations API: a 400 whose body names the field (with a message a person
can act on), and nothing written: no update, step, timeline line, policy, key, audit event or
notification more than before (issue 12, "Checks that must pass": bad input)."""

from __future__ import annotations

import json

import pytest

from escalations.models import IntegrationKey, UpdateState
from tests.escalations.test_api import api, policy_body, send
from tests.escalations.world import MINUTE, SYDNEY_3AM, at, counts

HUGE = 2**64
HOSTILE_IDS = [1.5, True, False, HUGE, -1, 0, "1", "abc", [1], {"id": 1}]
DEEP = '{"a":' * 100 + "1" + "}" * 100


def _all_counts() -> dict:
    return {**counts(), "IntegrationKey": IntegrationKey.objects.count()}


def _refused(client, method, url, body, field, contains: str = "", raw: bool = False):
    client.get("/api/v1/urgent-updates/")  # any sign-in bookkeeping happens before the count
    before = _all_counts()
    if raw:
        response = getattr(client, method)(url, body, content_type="application/json")
    else:
        response = send(client, method, url, body)
    assert response.status_code == 400, (body, response.status_code, response.content)
    assert response["Content-Type"].startswith("application/json")
    errors = response.json()
    assert field in errors, (field, errors)
    if contains:
        assert contains in json.dumps(errors[field]), errors
    assert _all_counts() == before
    return errors


# --- raising ----------------------------------------------------------------------------------


def _raise(world, **fields) -> dict:
    return {"project": world.project.pk, "title": "Down", "severity": "high", **fields}


@pytest.mark.parametrize(
    "fields, field, contains",
    [
        ({"project": 987654321}, "project", "No such project"),
        ({"project": None, "team": 987654321}, "team", "No such team"),
        ({"project": None}, "team", "Give a project or a team"),
        ({"severity": "urgent"}, "severity", "'urgent' is not a severity (high, critical)"),
        ({"severity": 1}, "severity", "Must be a string"),
        ({"title": "   "}, "title", "A title is required"),
        ({"title": "x" * 201}, "title", "at most 200"),
        ({"title": 5}, "title", ""),
        ({"body": ["x"]}, "body", ""),
        ({"colour": "red"}, "colour", "Unknown field"),
    ],
    ids=[
        "unknown-project",
        "unknown-team",
        "neither",
        "unknown-severity",
        "severity-not-text",
        "blank-title",
        "long-title",
        "title-not-text",
        "body-not-text",
        "unknown-field",
    ],
)
def test_raise_refused(world, fields, field, contains):
    body = {k: v for k, v in _raise(world, **fields).items() if v is not None}
    _refused(api(world.nia), "post", "/api/v1/urgent-updates/", body, field, contains)


def test_a_team_and_a_project_of_another_team_are_refused(world):
    body = _raise(world, team=world.other_team.pk)
    _refused(api(world.lead), "post", "/api/v1/urgent-updates/", body, "project", "another team")


@pytest.mark.parametrize("value", HOSTILE_IDS, ids=repr)
@pytest.mark.parametrize("field", ["project", "team"])
def test_ids_must_be_json_integers_in_range(world, field, value):
    body = {"title": "x", "severity": "high", field: value}
    _refused(api(world.lead), "post", "/api/v1/urgent-updates/", body, field)


@pytest.mark.parametrize("raw", ["[]", '"text"', "1", DEEP, "{", '{"title": NaN}'])
def test_bodies_that_are_not_objects_or_not_json(world, raw):
    client = api(world.lead)
    client.get("/api/v1/urgent-updates/")
    before = _all_counts()
    response = client.post("/api/v1/urgent-updates/", raw, content_type="application/json")
    assert response.status_code == 400
    assert "detail" in response.json()
    assert _all_counts() == before


# --- actions ----------------------------------------------------------------------------------


def test_a_note_too_long_or_not_text_changes_nothing(world):
    update = world.raise_update()
    with at(SYDNEY_3AM + MINUTE):
        client = api(world.lou)
        url = f"/api/v1/urgent-updates/{update.pk}/acknowledge/"
        _refused(client, "post", url, {"note": "x" * 301}, "note", "at most 300")
        _refused(client, "post", url, {"note": 7}, "note")
        _refused(client, "post", url, {"notes": "typo"}, "notes", "Unknown field")
    update.refresh_from_db()
    assert update.state == UpdateState.OPEN


# --- policies ---------------------------------------------------------------------------------


def _steps(wait=5, targets=None) -> list:
    return [{"wait_minutes": wait, "targets": [{"kind": "lead"}] if targets is None else targets}]


@pytest.mark.parametrize(
    "change, contains",
    [
        ({"steps": []}, "at least one step"),
        ({"steps": _steps(targets=[{"kind": "boss"}])}, "not a target kind"),
        ({"steps": _steps(wait=-1)}, "the wait (minutes) is a whole number from 0 to 1440"),
        ({"steps": _steps(wait=10**30)}, "from 0 to 1440"),
        ({"steps": _steps(wait=1441)}, "from 0 to 1440"),
        ({"steps": _steps(wait=1.5)}, "valid integer"),
        ({"steps": _steps(wait=True)}, "valid integer"),
        ({"steps": _steps(wait="5")}, "valid integer"),
        ({"steps": _steps(targets=[])}, "needs at least one target"),
        ({"steps": _steps(targets=[{"kind": "person"}])}, "name the person"),
        ({"steps": _steps(targets=[{"kind": "oncall"}])}, "name the schedule"),
        ({"steps": _steps(targets=[{"kind": "oncall", "schedule_id": 987654}])}, "no such"),
        ({"steps": _steps(targets=[{"kind": "person", "person_id": 987654}])}, "no such"),
        ({"steps": _steps(targets=[{"kind": "person", "person_id": 1.5}])}, "person_id"),
        ({"steps": _steps(targets=[{"kind": "lead", "who": 1}])}, "Unknown field"),
        ({"steps": _steps(targets=[{"kind": "lead"}, {"kind": "lead"}])}, "same target twice"),
        ({"steps": _steps() * 11}, "at most 10 steps"),
        ({"steps": _steps(targets=[{"kind": "lead"}] * 11)}, "at most 10 targets"),
        ({"steps": "lead"}, ""),
        ({"steps": None}, ""),
    ],
    ids=[
        "empty",
        "unknown-target-kind",
        "negative-wait",
        "huge-wait",
        "wait-over-a-day",
        "float-wait",
        "bool-wait",
        "string-wait",
        "no-targets",
        "person-unnamed",
        "schedule-unnamed",
        "unknown-schedule",
        "unknown-person",
        "float-person",
        "unknown-target-field",
        "same-target-twice",
        "too-many-steps",
        "too-many-targets",
        "steps-not-a-list",
        "steps-null",
    ],
)
def test_policy_refused(world, change, contains):
    body = {**policy_body(world), **change}
    _refused(api(world.lead), "post", "/api/v1/escalation-policies/", body, "steps", contains)


def test_a_policy_naming_a_person_without_access_is_refused(world):
    body = policy_body(
        world, steps=_steps(targets=[{"kind": "person", "person_id": world.outsider.pk}])
    )
    _refused(
        api(world.lead),
        "post",
        "/api/v1/escalation-policies/",
        body,
        "steps",
        "Otto Outsider is not in the team Platform",
    )


@pytest.mark.parametrize(
    "change, field",
    [
        ({"repeat_count": 10}, "repeat_count"),
        ({"repeat_count": -1}, "repeat_count"),
        ({"repeat_count": 1.5}, "repeat_count"),
        ({"repeat_count": HUGE}, "repeat_count"),
        ({"name": "x" * 121}, "name"),
        ({"team": 987654321}, "team"),
        ({"team": "1"}, "team"),
        ({"team": None}, "team"),
    ],
    ids=["repeat-10", "repeat-negative", "repeat-float", "repeat-huge", "long-name", "no-team",
         "team-string", "team-null"],
)  # fmt: skip
def test_policy_fields_refused(world, change, field):
    body = {**policy_body(world), **change}
    _refused(api(world.lead), "post", "/api/v1/escalation-policies/", body, field)


def test_unknown_project_for_a_policy(world):
    body = {"project": 987654321, "steps": _steps()}
    _refused(
        api(world.lead), "post", "/api/v1/escalation-policies/", body, "project", "No such project"
    )


def test_replacing_a_policy_with_bad_steps_keeps_the_old_ones(world):
    policy = world.policy(_steps(wait=7))
    url = f"/api/v1/escalation-policies/{policy.pk}/"
    _refused(api(world.lead), "put", url, {"steps": _steps(wait=-5)}, "steps")
    _refused(api(world.lead), "put", url, {"steps": _steps(), "team": 1}, "team", "Unknown")
    assert [s.wait_minutes for s in policy.steps.all()] == [7]


# --- integration keys -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body, contains",
    [({}, "required"), ({"name": " "}, "A key name is required"), ({"name": "x" * 101}, "100"),
     ({"name": 3}, "")],
    ids=["missing", "blank", "long", "not-text"],
)  # fmt: skip
def test_key_names_refused(world, body, contains):
    url = f"/api/v1/teams/{world.team.pk}/integration-keys/"
    _refused(api(world.lead), "post", url, body, "name", contains)


def test_a_second_live_key_with_the_same_name_is_refused(world):
    url = f"/api/v1/teams/{world.team.pk}/integration-keys/"
    assert send(api(world.lead), "post", url, {"name": "Prom"}).status_code == 201
    _refused(api(world.lead), "post", url, {"name": "Prom"}, "name", "already has a key")


# --- query strings ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query, field",
    [("state=bogus", "state"), ("team=abc", "team"), ("team=1.5", "team"),
     (f"team={HUGE}", "team"), ("cursor=not-a-cursor", "cursor")],
)  # fmt: skip
def test_bad_filters_are_a_400_naming_them(world, query, field):
    response = api(world.nia).get(f"/api/v1/urgent-updates/?{query}")
    assert response.status_code == 400 and field in response.json()
    response = api(world.nia).get(f"/api/v1/escalation-policies/?{query}")
    if field != "state":  # the policy list has no state
        assert response.status_code == 400 and field in response.json()


def test_ids_too_big_for_the_database_are_404(world):
    client = api(world.admin)
    huge = "9" * 30
    for url in (
        f"/api/v1/urgent-updates/{huge}/",
        f"/api/v1/escalation-policies/{huge}/",
        f"/api/v1/teams/{huge}/integration-keys/",
    ):
        assert client.get(url).status_code == 404, url
    assert client.get(f"/api/v1/urgent-updates/{'9' * 18}/").status_code == 404
    assert client.delete(f"/api/v1/integration-keys/{'9' * 18}/").status_code == 404
