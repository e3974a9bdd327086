"""The escalations REST API (issue 12, parts 6 and 8): every endpoint's happy path and the shape
of its answers, and every answer walked beside the OpenAPI schema. Permissions:
test_api_permissions.py; bad input: test_api_bad_input.py; query counts: test_api_queries.py;
the inbound webhook: test_inbound.py."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from drf_spectacular.generators import SchemaGenerator

from accounts.services import api_token_create
from escalations import api_urls, selectors, services
from escalations import serializers as s
from escalations.models import (
    EscalationPolicy,
    EscalationStep,
    IntegrationKey,
    RaisedVia,
    StepStatus,
    UpdateState,
    UrgentUpdate,
)
from tests.conftest import sign_in
from tests.escalations.world import MINUTE, SYDNEY_3AM, SYSTEM, actor, at
from tests.schema_check import Checker, operations

ISO_Z = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")


# --- helpers (imported by the other test_api_*.py files and test_inbound.py) -------------------


def api(user) -> Client:
    """A test client signed in (MFA done) as `user`."""
    return sign_in(Client(), user)


def token_client(user, scopes) -> Client:
    _, raw = api_token_create(actor=SYSTEM, user=user, name=f"t{len(scopes)}", scopes=scopes)
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def send(client: Client, method: str, url: str, body=None):
    """A JSON request (`body` None: no body)."""
    if body is None:
        return getattr(client, method)(url)
    return getattr(client, method)(url, body, content_type="application/json")


def policy_body(world, **extra) -> dict:
    return {
        "team": world.team.pk,
        "steps": [
            {
                "wait_minutes": 5,
                "targets": [{"kind": "lead"}, {"kind": "person", "person_id": world.lou.pk}],
            },
            {"wait_minutes": 10, "targets": [{"kind": "oncall", "schedule_id": world.schedule.pk}]},
        ],
        **extra,
    }


# --- urgent updates ---------------------------------------------------------------------------


def test_member_raises_an_update_and_the_escalation_starts(world):
    client = api(world.nia)
    with world.on_commit():
        response = send(
            client,
            "post",
            "/api/v1/urgent-updates/",
            {
                "project": world.project.pk,
                "title": "Checkout returns 500",
                "body": "**Every** payment fails",
                "severity": "critical",
            },
        )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["state"] == "open" and body["severity"] == "critical"
    assert body["project"] == {
        "id": world.project.pk,
        "slug": world.project.slug,
        "name": "Checkout",
    }
    assert body["team"] == {"id": world.team.pk, "name": "Platform"}
    assert body["raised_by"]["id"] == world.nia.pk and body["raised_via"] == "person"
    assert "<strong>Every</strong>" in body["body_html"]
    assert body["policy"]["source"] == "default" and body["policy"]["steps"] == 5
    assert ISO_Z.match(body["created_at"])
    assert [e["kind"] for e in body["timeline"]] == ["raised"]
    assert body["steps"][0]["status"] == "pending" and body["steps"][0]["step"] == 1

    # On commit the first step fired: the owner (Sam) was paged, awake or not (critical).
    detail = client.get(f"/api/v1/urgent-updates/{body['id']}/").json()
    first = detail["steps"][0]
    assert first["status"] == "done" and first["fired_at"] is not None
    assert [t["person"]["id"] for t in first["notified"]] == [world.sam.pk]
    assert first["notified"][0]["via"] == "owner" and first["skipped"] == []
    assert detail["steps"][1]["status"] == "pending"
    assert {"raised", "step_fired", "notified"} <= {e["kind"] for e in detail["timeline"]}


def test_a_token_raises_on_a_team(world):
    client = token_client(world.lead, ["escalations:write"])
    response = send(
        client,
        "post",
        "/api/v1/urgent-updates/",
        {"team": world.team.pk, "title": "Pager test", "severity": "high"},
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["project"] is None and body["raised_via"] == RaisedVia.TOKEN
    assert body["raised_by"]["id"] == world.lead.pk
    assert body["raised_by_label"] == "API token t1"


def test_detail_says_who_was_paged_and_who_was_skipped_and_why(world):
    # 03:00 in Sydney: the owner (Sam) is asleep and skipped (high); on call (Lou) is paged.
    update = world.raise_update(severity="high")
    detail = api(world.lead).get(f"/api/v1/urgent-updates/{update.pk}/").json()
    owner, oncall, working = detail["steps"][:3]
    assert owner["status"] == "skipped" and owner["notified"] == []
    skipped = owner["skipped"][0]
    assert skipped["person"]["id"] == world.sam.pk and skipped["reason"] == "asleep"
    assert skipped["asleep"] is True and skipped["time_zone"] == "Australia/Sydney"
    assert "03:00 in Sydney, asleep" in skipped["text"]
    assert skipped["local_time"].startswith("2027-03-02T03:00")
    assert oncall["status"] == "done" and oncall["label"] == "step 2 of 5"
    paged = oncall["notified"][0]
    assert paged["person"]["id"] == world.lou.pk and paged["oncall"] is True
    assert paged["via"] == "on call: Primary" and paged["reason"] == ""
    assert working["status"] == "pending" and working["fired_at"] is None
    assert ISO_Z.match(working["due_at"])
    kinds = [e["kind"] for e in detail["timeline"]]
    assert kinds[0] == "raised" and "skipped" in kinds and "notified" in kinds
    entry = next(e for e in detail["timeline"] if e["kind"] == "notified")
    assert entry["person"]["id"] == world.lou.pk and entry["step"] == oncall["id"]


def test_list_is_what_i_may_read_filtered_by_team_and_state(world):
    open_one = world.raise_update(title="One")
    acked = world.raise_update(title="Two")
    services.update_acknowledge(actor=actor(world.lou), update=acked, at=SYDNEY_3AM + MINUTE)
    world.raise_update(title="Elsewhere", team=world.other_team, by=world.outsider)

    def titles(user, query=""):
        response = api(user).get(f"/api/v1/urgent-updates/{query}")
        assert response.status_code == 200, response.json()
        return [u["title"] for u in response.json()["results"]]

    assert titles(world.nia) == ["Two", "One"]  # newest first; not the other team's
    assert titles(world.nia, "?state=open") == ["One"]
    assert titles(world.nia, f"?team={world.other_team.pk}") == []
    assert titles(world.manager) == ["Elsewhere", "Two", "One"]
    assert titles(world.outsider) == ["Elsewhere"]
    assert open_one.pk in [
        u["id"] for u in api(world.lead).get("/api/v1/urgent-updates/").json()["results"]
    ]


def test_acknowledge_then_resolve_and_cancel(world):
    update = world.raise_update(severity="critical")
    with at(SYDNEY_3AM + MINUTE):  # acknowledged after it was raised (a database check)
        _acknowledge_resolve_cancel(world, update)


def _acknowledge_resolve_cancel(world, update):
    client = api(world.lou)
    url = f"/api/v1/urgent-updates/{update.pk}/"
    response = send(client, "post", url + "acknowledge/", {"note": "On it"})
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["state"] == "acknowledged" and body["acknowledged_by"]["id"] == world.lou.pk
    assert ISO_Z.match(body["acknowledged_at"])
    assert body["timeline"][-1]["kind"] == "acknowledged"
    assert "On it" in body["timeline"][-1]["text"]
    assert not EscalationStep.objects.filter(update=update, status=StepStatus.PENDING).exists()

    again = send(client, "post", url + "acknowledge/", {})
    assert again.status_code == 400 and "state" in again.json()

    response = client.post(url + "resolve/")  # no body: the note is optional
    assert response.status_code == 200
    assert response.json()["state"] == "resolved"
    assert response.json()["resolved_by"]["id"] == world.lou.pk

    other = world.raise_update(title="Mistake")
    response = send(api(world.lead), "post", f"/api/v1/urgent-updates/{other.pk}/cancel/", {})
    assert response.status_code == 200 and response.json()["state"] == UpdateState.CANCELLED


# --- policies ---------------------------------------------------------------------------------


def test_policy_crud(world):
    lead = api(world.lead)
    response = send(lead, "post", "/api/v1/escalation-policies/", policy_body(world))
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["project"] is None and body["team"]["id"] == world.team.pk
    assert body["name"] == "Platform default policy" and body["repeat_count"] == 0
    first, second = body["steps"]
    assert first["wait_minutes"] == 5
    assert first["targets"][0] == {"kind": "lead", "person": None, "schedule": None}
    assert first["targets"][1]["person"]["id"] == world.lou.pk
    assert second["targets"][0]["schedule"] == {"id": world.schedule.pk, "name": "Primary"}
    assert body["updated_by"]["id"] == world.lead.pk

    # Posting again for the same team replaces it (200).
    again = send(
        lead,
        "post",
        "/api/v1/escalation-policies/",
        policy_body(world, repeat_count=2, name="Night"),
    )
    assert again.status_code == 200 and again.json()["id"] == body["id"]
    assert again.json()["repeat_count"] == 2 and again.json()["name"] == "Night"

    override = {
        "project": world.project.pk,
        "steps": [{"wait_minutes": 0, "targets": [{"kind": "owner"}]}],
    }
    response = send(lead, "post", "/api/v1/escalation-policies/", override)
    assert response.status_code == 201
    project_policy = response.json()
    assert project_policy["project"]["slug"] == world.project.slug

    listed = api(world.nia).get(f"/api/v1/escalation-policies/?team={world.team.pk}").json()
    assert [p["id"] for p in listed["results"]] == [project_policy["id"], body["id"]]
    assert (
        api(world.nia)
        .get(f"/api/v1/escalation-policies/?team={world.other_team.pk}")
        .json()["results"]
        == []
    )

    url = f"/api/v1/escalation-policies/{body['id']}/"
    assert api(world.outsider).get(url).json()["name"] == "Night"
    replaced = send(
        lead,
        "put",
        url,
        {"steps": [{"wait_minutes": 3, "targets": [{"kind": "working"}]}], "repeat_count": 1},
    )
    assert replaced.status_code == 200, replaced.json()
    assert [t["kind"] for t in replaced.json()["steps"][0]["targets"]] == ["working"]
    assert replaced.json()["team"]["id"] == world.team.pk

    assert lead.delete(url).status_code == 204
    assert not EscalationPolicy.objects.filter(pk=body["id"]).exists()
    assert lead.get(url).status_code == 404


def test_a_policy_set_through_the_api_reaches_new_updates_only(world):
    before = world.raise_update(title="Before")
    send(api(world.lead), "post", "/api/v1/escalation-policies/", policy_body(world))
    after = world.raise_update(title="After")
    client = api(world.lead)
    assert client.get(f"/api/v1/urgent-updates/{before.pk}/").json()["policy"]["source"] == (
        "default"
    )
    assert client.get(f"/api/v1/urgent-updates/{after.pk}/").json()["policy"]["source"] == "team"


# --- integration keys -------------------------------------------------------------------------


def test_integration_keys_are_shown_once_and_stored_hashed(world):
    lead = api(world.lead)
    url = f"/api/v1/teams/{world.team.pk}/integration-keys/"
    response = send(lead, "post", url, {"name": "Alertmanager prod"})
    assert response.status_code == 201, response.json()
    created = response.json()
    raw = created["key"]
    assert raw.startswith("baton_ik_") and len(raw) > 40
    assert created["prefix"] == raw[:15] and created["revoked"] is False
    assert created["inbound_path"] == f"/api/v1/integrations/{raw}/updates/"
    row = IntegrationKey.objects.get()
    stored = [str(v) for v in IntegrationKey.objects.values_list().get()]
    assert all(raw not in value for value in stored)  # only a hash is kept
    assert row.key_hash != raw and len(row.key_hash) == 64

    listed = lead.get(url).json()["results"]
    assert [k["name"] for k in listed] == ["Alertmanager prod"]
    assert "key" not in listed[0] and listed[0]["created_by"]["id"] == world.lead.pk

    assert lead.delete(f"/api/v1/integration-keys/{row.pk}/").status_code == 204
    after = lead.get(url).json()["results"][0]
    assert after["revoked"] is True and after["revoked_by"]["id"] == world.lead.pk
    assert ISO_Z.match(after["revoked_at"])
    assert lead.delete(f"/api/v1/integration-keys/{row.pk}/").status_code == 204  # idempotent


def test_integration_keys_of_team_selector_lists_live_first(world):
    """For the key management page (another helper's): live keys first, newest first."""
    old, _ = services.integration_key_create(actor=actor(world.lead), team=world.team, name="A")
    services.integration_key_create(actor=actor(world.lead), team=world.team, name="B")
    services.integration_key_revoke(actor=actor(world.lead), key=old)
    services.integration_key_create(actor=actor(world.lead), team=world.team, name="A")
    keys = list(selectors.integration_keys_of_team(world.team.pk))
    assert [(k.name, k.revoked) for k in keys] == [("A", False), ("B", False), ("A", True)]


# --- the schema -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def _calls(world):
    """(method, schema path, client, URL or a callable giving it, JSON body), in an order
    where each call finds what it needs."""
    lead, nia, lou = api(world.lead), api(world.nia), api(world.lou)
    anonymous = Client(REMOTE_ADDR="10.9.9.9")
    high = world.raise_update(severity="high")  # a skipped person and a paged one
    services.update_repeat(actor=SYSTEM, update=high, source="Prometheus")
    U = "/api/v1/urgent-updates/{update_id}/"
    P = "/api/v1/escalation-policies/{policy_id}/"
    keys = f"/api/v1/teams/{world.team.pk}/integration-keys/"

    def newest() -> str:
        return f"/api/v1/urgent-updates/{UrgentUpdate.objects.latest('id').pk}/"

    def policy() -> str:
        return f"/api/v1/escalation-policies/{EscalationPolicy.objects.latest('id').pk}/"

    def key() -> str:
        return f"/api/v1/integration-keys/{IntegrationKey.objects.latest('id').pk}/"

    raw = {}

    def inbound() -> str:
        if "key" not in raw:
            _, raw["key"] = services.integration_key_create(
                actor=SYSTEM, team=world.team, name="Schema"
            )
        return f"/api/v1/integrations/{raw['key']}/updates/"

    alertmanager = {
        "version": "4",
        "status": "firing",
        "groupKey": '{}:{alertname="DiskFull"}',
        "commonLabels": {"alertname": "DiskFull", "severity": "critical"},
        "commonAnnotations": {"summary": "Disk full on db-1"},
        "alerts": [
            {
                "status": "firing",
                "labels": {"alertname": "DiskFull", "instance": "db-1"},
                "annotations": {"summary": "Disk full on db-1"},
                "fingerprint": "abc123",
                "generatorURL": "https://prometheus.example/graph",
            }
        ],
    }
    return [
        ("get", "/api/v1/urgent-updates/", nia, "/api/v1/urgent-updates/", None),
        ("get", U, lead, f"/api/v1/urgent-updates/{high.pk}/", None),
        (
            "post",
            "/api/v1/urgent-updates/",
            nia,
            "/api/v1/urgent-updates/",
            {"project": world.project.pk, "title": "T", "body": "*b*", "severity": "critical"},
        ),
        ("post", U + "acknowledge/", lou, lambda: newest() + "acknowledge/", {"note": "Mine"}),
        ("post", U + "resolve/", lou, lambda: newest() + "resolve/", {}),
        ("post", U + "cancel/", lead, f"/api/v1/urgent-updates/{high.pk}/cancel/", None),
        ("get", U, lead, newest, None),  # acknowledged, resolved: every person field set
        (
            "post",
            "/api/v1/escalation-policies/",
            lead,
            "/api/v1/escalation-policies/",
            policy_body(world, name="Day"),
        ),
        ("get", "/api/v1/escalation-policies/", nia, "/api/v1/escalation-policies/", None),
        ("get", P, nia, policy, None),
        (
            "put",
            P,
            lead,
            policy,
            {"steps": [{"wait_minutes": 1, "targets": [{"kind": "managers"}]}]},
        ),
        ("delete", P, lead, policy, None),
        ("post", "/api/v1/teams/{team_id}/integration-keys/", lead, keys, {"name": "CI"}),
        ("get", "/api/v1/teams/{team_id}/integration-keys/", lead, keys, None),
        ("post", "/api/v1/integrations/{key}/updates/", anonymous, inbound, alertmanager),
        ("post", "/api/v1/integrations/{key}/updates/", anonymous, inbound, alertmanager),
        (
            "post",
            "/api/v1/integrations/{key}/updates/",
            anonymous,
            inbound,
            {**alertmanager, "status": "resolved"},
        ),
        ("delete", "/api/v1/integration-keys/{key_id}/", lead, key, None),
        ("get", "/api/v1/teams/{team_id}/integration-keys/", lead, keys, None),  # revoked
    ]


def test_every_escalations_operation_is_checked(schema, world):
    checked = {(method, path) for method, path, *_ in _calls(world)}
    assert checked == operations(schema, api_urls.urlpatterns)


def test_escalations_answers_are_exactly_what_the_schema_documents(schema, world):
    checker = Checker(schema)
    checker.walk(schema, _calls(world))
    assert checker.never_seen() == {}
    for name in ("UrgentUpdateDetail", "EscalationStep", "EscalationPolicy", "InboundResult"):
        assert name in checker.documented, name


def test_the_json_is_what_the_serializers_document(world):
    update = world.raise_update(severity="high")
    body = api(world.lead).get(f"/api/v1/urgent-updates/{update.pk}/").json()
    fresh = selectors.update_for_page(update.pk)
    steps, entries = selectors.steps_and_timeline(fresh)
    rendered = s.UrgentUpdateDetailSerializer(s.with_escalation(fresh, steps, entries)).data
    assert rendered == body
    assert set(body) == set(s.UrgentUpdateDetailSerializer().fields)
    assert set(body["steps"][0]) == set(s.StepSerializer().fields)
    assert set(body["steps"][0]["skipped"][0]) == set(s.StepTargetSerializer().fields)
