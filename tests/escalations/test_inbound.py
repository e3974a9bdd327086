"""Inbound alerts (issue 12, part 6): a monitoring system raises urgent updates with
POST /api/v1/integrations/{key}/updates/, the team's integration key in the path and no other
credential. Both body shapes (Alertmanager's webhook, a generic one), the dedup repeat, an
Alertmanager "resolved", revoked and wrong keys, the rate limits and oversized bodies."""

from __future__ import annotations

import itertools
import json

import pytest
from django.test import Client

from accounts.middleware import PUBLIC_URL_NAMES
from core.models import AuditEvent
from escalations import selectors, services
from escalations.models import (
    EntryKind,
    EscalationStep,
    IntegrationKey,
    RaisedVia,
    StepStatus,
    UpdateState,
    UrgentUpdate,
)
from tests.escalations.world import actor, counts

_ADDRESSES = itertools.count(1)


@pytest.fixture
def sender() -> Client:
    """An anonymous client from an address of its own: the rate limits count per address, and
    the cache outlives a test."""
    n = next(_ADDRESSES)
    return Client(REMOTE_ADDR=f"10.77.{n // 250}.{n % 250 + 1}")


@pytest.fixture
def key(world):
    row, raw = services.integration_key_create(
        actor=actor(world.lead), team=world.team, name="Alertmanager prod"
    )
    row.raw = raw
    return row


def _url(raw: str) -> str:
    return f"/api/v1/integrations/{raw}/updates/"


def post(client: Client, raw: str, body, **extra):
    data = body if isinstance(body, str) else json.dumps(body)
    return client.post(_url(raw), data, content_type="application/json", **extra)


def alertmanager(status="firing", *, severity="critical", group='{}:{alertname="DiskFull"}'):
    return {
        "version": "4",
        "groupKey": group,
        "truncatedAlerts": 0,
        "status": status,
        "receiver": "baton",
        "groupLabels": {"alertname": "DiskFull"},
        "commonLabels": {"alertname": "DiskFull", "severity": severity},
        "commonAnnotations": {"summary": "Disk 95% full on db-1"},
        "externalURL": "https://alertmanager.example",
        "alerts": [
            {
                "status": status,
                "labels": {"alertname": "DiskFull", "instance": "db-1", "severity": severity},
                "annotations": {
                    "summary": "Disk 95% full on db-1",
                    "description": "Grows 1% an hour",
                },
                "startsAt": "2026-12-01T10:00:00Z",
                "endsAt": "0001-01-01T00:00:00Z",
                "generatorURL": "https://prometheus.example/graph?g0.expr=disk",
                "fingerprint": "c0ffee",
            }
        ],
    }


# --- the generic body -------------------------------------------------------------------------


def test_a_generic_alert_raises_an_update_on_the_keys_team(world, key, sender):
    with world.on_commit():
        response = post(
            sender,
            key.raw,
            {
                "title": "Checkout 5xx over 5%",
                "body": "See *dashboard*",
                "severity": "critical",
                "dedup_key": "checkout-5xx",
                "project": world.project.slug,
            },
        )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["action"] == "created"
    update = UrgentUpdate.objects.get()
    assert body["update"] == {
        "id": update.pk,
        "title": "Checkout 5xx over 5%",
        "severity": "critical",
        "state": "open",
        "dedup_key": "checkout-5xx",
    }
    assert update.team == world.team and update.project == world.project
    assert update.raised_via == RaisedVia.INTEGRATION and update.raised_by is None
    assert update.raised_by_label == "Alertmanager prod"
    assert "<em>dashboard</em>" in update.body_html
    first = update.timeline.order_by("at", "id").first()
    assert first.text.startswith("Raised by Alertmanager prod (critical)")
    # The escalation started: the first step fired on commit.
    assert EscalationStep.objects.filter(update=update, status=StepStatus.DONE).exists()
    event = AuditEvent.objects.get(action="escalation.raise")
    assert event.via == "integration" and event.actor is None
    key.refresh_from_db()
    assert key.last_used_at is not None


def test_the_smallest_generic_alert_is_a_high_team_update(world, key, sender):
    response = post(sender, key.raw, {"title": "Queue stuck"})
    assert response.status_code == 201
    update = UrgentUpdate.objects.get()
    assert update.severity == "high" and update.project is None and update.dedup_key == ""


def test_the_project_may_be_named_by_id(world, key, sender):
    response = post(sender, key.raw, {"title": "x", "project": world.project.pk})
    assert response.status_code == 201
    assert UrgentUpdate.objects.get().project == world.project


def test_a_repeat_with_the_same_dedup_key_adds_to_the_open_update(world, key, sender):
    alert = {"title": "Disk full", "dedup_key": "disk-db-1"}
    first = post(sender, key.raw, alert).json()
    again = post(sender, key.raw, {**alert, "title": "Disk full (still)"})
    assert again.status_code == 200
    assert again.json()["action"] == "repeated"
    assert again.json()["update"]["id"] == first["update"]["id"]
    assert UrgentUpdate.objects.count() == 1
    update = UrgentUpdate.objects.get()
    repeats = update.timeline.filter(kind=EntryKind.REPEATED)
    assert [e.text for e in repeats] == ["Repeated by Alertmanager prod"]

    # Acknowledged is still active: repeats still land there.
    services.update_acknowledge(actor=actor(world.lou), update=update)
    assert post(sender, key.raw, alert).json()["action"] == "repeated"
    assert update.timeline.filter(kind=EntryKind.REPEATED).count() == 2

    # Once resolved, the same key opens a new update.
    services.update_resolve(actor=actor(world.lou), update=update)
    response = post(sender, key.raw, alert)
    assert response.status_code == 201 and response.json()["action"] == "created"
    assert UrgentUpdate.objects.count() == 2


def test_a_twin_that_commits_first_becomes_a_repeat(world, key, sender, monkeypatch):
    """Two deliveries of one alert at once: the one that loses the race (its check saw no
    update, then the insert or the raise's own check found one) repeats the winner's."""
    winner = services.inbound_receive(
        actor=actor(None), key=key, data={"title": "x", "dedup_key": "twin"}
    )[1]
    real = selectors.active_update_for_dedup_key
    calls = {"n": 0}

    def blind_once(**kwargs):
        calls["n"] += 1
        return None if calls["n"] == 1 else real(**kwargs)

    monkeypatch.setattr(selectors, "active_update_for_dedup_key", blind_once)
    response = post(sender, key.raw, {"title": "x", "dedup_key": "twin"})
    assert response.status_code == 200, response.json()
    assert response.json()["action"] == "repeated"
    assert response.json()["update"]["id"] == winner.pk
    assert UrgentUpdate.objects.count() == 1


def test_dedup_keys_are_per_team(world, key, sender):
    other, raw = services.integration_key_create(
        actor=actor(world.admin), team=world.other_team, name="Other"
    )
    post(sender, key.raw, {"title": "x", "dedup_key": "same"})
    response = post(sender, raw, {"title": "x", "dedup_key": "same"})
    assert response.json()["action"] == "created"
    assert UrgentUpdate.objects.filter(team=world.other_team).count() == 1


# --- Alertmanager -----------------------------------------------------------------------------


def test_alertmanager_firing_then_repeat_then_resolved(world, key, sender):
    response = post(sender, key.raw, alertmanager())
    assert response.status_code == 201, response.json()
    update = UrgentUpdate.objects.get()
    assert update.title == "Disk 95% full on db-1" and update.severity == "critical"
    assert update.dedup_key == '{}:{alertname="DiskFull"}'
    assert "Grows 1% an hour" in update.body and "instance=db-1" in update.body
    assert 'href="https://prometheus.example/graph?g0.expr=disk"' in update.body_html

    again = post(sender, key.raw, alertmanager())
    assert again.status_code == 200 and again.json()["action"] == "repeated"

    resolved = post(sender, key.raw, alertmanager("resolved"))
    assert resolved.status_code == 200, resolved.json()
    assert resolved.json()["action"] == "resolved"
    assert resolved.json()["update"]["state"] == "resolved"
    update.refresh_from_db()
    assert update.state == UpdateState.RESOLVED and update.resolved_by is None
    assert not EscalationStep.objects.filter(update=update, status=StepStatus.PENDING).exists()
    last = update.timeline.order_by("at", "id").last()
    assert last.kind == EntryKind.RESOLVED and "the alert resolved (Alertmanager prod)" in last.text

    # Resolved again (Alertmanager repeats itself): nothing to do, nothing written.
    before = counts()
    ignored = post(sender, key.raw, alertmanager("resolved"))
    assert ignored.status_code == 200
    assert ignored.json() == {"action": "ignored", "update": None}
    assert counts() == before


def test_alertmanager_severity_title_and_project(world, key, sender):
    body = alertmanager(severity="warning", group="")
    body["commonAnnotations"] = {}
    body["commonLabels"] = {"baton_project": world.project.slug}
    body["alerts"][0]["annotations"] = {}
    second = json.loads(json.dumps(body["alerts"][0]))
    second["labels"]["instance"] = "db-2"
    body["alerts"].append(second)
    response = post(sender, key.raw, body)
    assert response.status_code == 201, response.json()
    update = UrgentUpdate.objects.get()
    assert update.severity == "high"  # "warning" is not one that wakes people
    assert update.title == "DiskFull (2 alerts)"
    assert update.dedup_key == "c0ffee"  # no groupKey: the first alert's fingerprint
    assert update.project == world.project


def test_a_long_group_key_is_hashed_to_fit(world, key, sender):
    response = post(sender, key.raw, alertmanager(group="g" * 500))
    assert response.status_code == 201
    assert UrgentUpdate.objects.get().dedup_key.startswith("sha256:")
    assert post(sender, key.raw, alertmanager(group="g" * 500)).json()["action"] == "repeated"


def test_a_resolved_alert_with_no_update_is_ignored(world, key, sender):
    response = post(sender, key.raw, alertmanager("resolved"))
    assert response.status_code == 200 and response.json()["action"] == "ignored"
    assert not UrgentUpdate.objects.exists()


# --- bad bodies -------------------------------------------------------------------------------


def _bad_alertmanager(**change):
    body = alertmanager()
    body.update(change)
    return body


@pytest.mark.parametrize(
    "body, field, contains",
    [
        (_bad_alertmanager(version="3"), "version", "Only version"),
        (_bad_alertmanager(status="pending"), "status", "not an alert status"),
        (_bad_alertmanager(alerts=[]), "alerts", "non-empty list"),
        (_bad_alertmanager(alerts="x"), "alerts", "non-empty list"),
        (_bad_alertmanager(alerts=[1]), "alerts", "Alert 1 is not an object"),
        (
            _bad_alertmanager(alerts=[{"labels": {"a": 1}}]),
            "alerts",
            "Alert 1: labels is an object of text values",
        ),
        (_bad_alertmanager(commonLabels=[]), "commonLabels", "object of text values"),
        (_bad_alertmanager(groupKey=5), "groupKey", "is text"),
        ({"body": "no title"}, "title", "A title is required"),
        ({"title": 5}, "title", "Must be a string"),
        ({"title": "x", "severity": "urgent"}, "severity", "not a severity"),
        ({"title": "x", "colour": "red"}, "colour", "Unknown field"),
        ({"title": "x" * 201}, "title", "at most 200"),
        ({"title": "x", "dedup_key": "k" * 201}, "dedup_key", "at most 200"),
        ({"title": "x", "project": True}, "project", "slug or id"),
        ({"title": "x", "project": 2**70}, "project", "No such project"),
        ({"title": "x", "project": "nope"}, "project", "No such project in the team Platform"),
        ({"title": "a\x00b"}, "title", "Null characters"),
        ([1, 2], "detail", "Send a JSON object"),
    ],
    ids=[
        "am-version",
        "am-status",
        "am-no-alerts",
        "am-alerts-not-list",
        "am-alert-not-object",
        "am-labels-not-text",
        "am-common-labels",
        "am-group-key",
        "no-title",
        "title-not-text",
        "severity",
        "unknown-field",
        "long-title",
        "long-dedup-key",
        "project-bool",
        "project-huge",
        "project-unknown",
        "nul",
        "not-an-object",
    ],
)
def test_bad_bodies_are_a_clear_400_and_write_nothing(world, key, sender, body, field, contains):
    before = counts()
    response = post(sender, key.raw, body)
    assert response.status_code == 400, response.content
    assert response["Content-Type"].startswith("application/json")
    errors = response.json()
    assert field in errors, errors
    assert contains in json.dumps(errors[field]), errors
    assert counts() == before


def test_a_project_of_another_team_is_refused(world, key, sender):
    from projects import services as project_services

    theirs = project_services.project_create(
        actor=actor(world.outsider), team=world.other_team, name="Theirs", owner=world.outsider
    )
    response = post(sender, key.raw, {"title": "x", "project": theirs.slug})
    assert response.status_code == 400 and "project" in response.json()
    assert not UrgentUpdate.objects.exists()


@pytest.mark.parametrize(
    "raw", ["{", "not json", '{"a":' * 100 + "1" + "}" * 100, '{"title": NaN}', ""]
)
def test_bodies_that_are_not_json_objects(world, key, sender, raw):
    response = post(sender, key.raw, raw)
    assert response.status_code == 400
    assert "detail" in response.json() or "title" in response.json()
    assert not UrgentUpdate.objects.exists()


def test_only_json_is_read(world, key, sender):
    response = sender.post(_url(key.raw), {"title": "form"})
    assert response.status_code == 415
    assert not UrgentUpdate.objects.exists()


def test_an_oversized_body_is_refused(world, key, sender, settings):
    settings.INTEGRATION_MAX_BODY_BYTES = 2_000
    response = post(sender, key.raw, {"title": "x", "body": "y" * 5_000})
    assert response.status_code == 413
    assert response["Content-Type"].startswith("application/json")
    assert "larger than 2000 bytes" in response.json()["detail"]
    assert not UrgentUpdate.objects.exists()
    assert post(sender, key.raw, {"title": "x", "body": "y" * 500}).status_code == 201


def test_an_oversized_body_without_a_length_is_refused_by_the_parser(settings):
    """A body sent without Content-Length (chunked) is cut off by the parser at the limit."""
    from io import BytesIO

    from core.parsers import RequestTooLarge
    from escalations.api import InboundJSONParser

    settings.INTEGRATION_MAX_BODY_BYTES = 100
    with pytest.raises(RequestTooLarge):
        InboundJSONParser().parse(BytesIO(b'{"title": "' + b"x" * 200 + b'"}'))
    assert InboundJSONParser().parse(BytesIO(b'{"title": "x"}')) == {"title": "x"}


# --- keys -------------------------------------------------------------------------------------


def test_a_revoked_key_and_a_wrong_key_answer_the_same_404(world, key, sender):
    wrong = post(sender, "baton_ik_" + "x" * 43, {"title": "x"})
    services.integration_key_revoke(actor=actor(world.lead), key=key)
    revoked = post(sender, key.raw, {"title": "x"})
    prefix_only = post(sender, key.prefix, {"title": "x"})
    for response in (wrong, revoked, prefix_only):
        assert response.status_code == 404
        assert response.json() == {"detail": "Not found."}
    assert not UrgentUpdate.objects.exists()


def test_the_key_is_looked_up_by_its_hash(world, key):
    stored = IntegrationKey.objects.get()
    assert stored.key_hash != key.raw and key.raw not in stored.prefix + stored.key_hash
    assert selectors.live_integration_key(key.raw) == stored
    assert selectors.live_integration_key(key.raw + "x") is None
    assert selectors.live_integration_key("x" * 5000) is None


def test_no_session_or_token_is_read(world, key, sender):
    """A Bearer header (a person's token, or junk) is ignored: the key is the credential, and
    the update is the integration's, not the token holder's."""
    from tests.escalations.test_api import token_client

    token = token_client(world.lead, ["escalations:write"])
    header = token.defaults["HTTP_AUTHORIZATION"]
    response = post(sender, key.raw, {"title": "x"}, HTTP_AUTHORIZATION=header)
    assert response.status_code == 201
    assert UrgentUpdate.objects.get().raised_by is None
    response = post(sender, key.raw, {"title": "y"}, HTTP_AUTHORIZATION="Bearer junk")
    assert response.status_code == 201


# --- rate limits ------------------------------------------------------------------------------


def test_requests_per_key_are_limited(world, key, sender, settings):
    settings.INTEGRATION_RATE_PER_KEY = "3/min"
    codes = [post(sender, key.raw, {"title": f"x{n}"}).status_code for n in range(4)]
    assert codes == [201, 201, 201, 429]
    other = Client(REMOTE_ADDR="10.78.0.1")  # another address: the key's budget is spent
    response = post(other, key.raw, {"title": "y"})
    assert response.status_code == 429 and int(response["Retry-After"]) > 0
    assert UrgentUpdate.objects.count() == 3


def test_requests_per_address_are_limited(world, key, sender, settings):
    settings.INTEGRATION_RATE_PER_ADDRESS = "2/min"
    codes = [post(sender, key.raw, {"title": f"x{n}"}).status_code for n in range(3)]
    assert codes == [201, 201, 429]


def test_guessing_keys_from_one_address_is_stopped(world, key, sender, settings):
    """After API_TOKEN_FAILURES wrong keys, the address gets 429s, for the right key too: a
    guesser cannot tell a hit from a miss."""
    settings.API_TOKEN_FAILURES = "3/min"
    codes = [post(sender, f"baton_ik_guess{n}", {"title": "x"}).status_code for n in range(3)]
    assert codes == [404, 404, 404]
    response = post(sender, key.raw, {"title": "x"})
    assert response.status_code == 429
    assert not UrgentUpdate.objects.exists()
    other = Client(REMOTE_ADDR="10.79.0.1")
    assert post(other, key.raw, {"title": "x"}).status_code == 201


# --- the default deny middleware ----------------------------------------------------------------


def test_the_default_deny_middleware_lets_monitoring_systems_in():
    # The key in the path is the credential (hashed, revocable, rate-limited).
    assert "api-integration-inbound" in PUBLIC_URL_NAMES
