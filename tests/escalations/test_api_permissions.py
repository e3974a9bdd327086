"""Who may do what through the escalations API: the role x action table
(escalations/permissions.py) asked over HTTP, plus token scopes.

Personas, around an update raised on Platform's project (by Sam, a member) whose policy pages
Pat, a manager on another team: lead (Platform's lead), member (Nia, on Platform), paged_outsider
(Pat), outsider (Otto, on Payments), manager (Maya, on no team), admin (Ada). An update the
persona may not read answers 404; one they may read but not act on, 403 (and a team, project
or policy, which everyone may read, 403). Admins are superusers, so the API's checks (Django's
has_perm, as every Baton API) let them act everywhere; the rules table
(tests/escalations/test_permissions.py) asks the rules without that shortcut."""

from __future__ import annotations

import pytest

from escalations import services
from escalations.models import EscalationPolicy
from tests.escalations.test_api import api, send, token_client
from tests.escalations.world import MINUTE, SYDNEY_3AM, actor, at
from tests.factories import PersonFactory, add_member

PERSONAS = ("lead", "member", "paged_outsider", "outsider", "manager", "admin")


@pytest.fixture
def setup(world):
    world.pat = PersonFactory(display_name="Pat Paged", org_role="manager")
    add_member(world.other_team, world.pat)
    world.policy([{"wait_minutes": 5, "targets": [{"kind": "person", "person_id": world.pat.pk}]}])
    world.update = world.raise_update(severity="critical", by=world.sam)
    world.the_policy = EscalationPolicy.objects.get(team=world.team)
    world.key, _ = services.integration_key_create(
        actor=actor(world.lead), team=world.team, name="Prom"
    )
    return world


def _who(world, persona: str):
    return {
        "lead": world.lead,
        "member": world.nia,
        "paged_outsider": world.pat,
        "outsider": world.outsider,
        "manager": world.manager,
        "admin": world.admin,
    }[persona]


def _call(world, action: str, client):
    u = f"/api/v1/urgent-updates/{world.update.pk}/"
    policy = f"/api/v1/escalation-policies/{world.the_policy.pk}/"
    keys = f"/api/v1/teams/{world.team.pk}/integration-keys/"
    steps = [{"wait_minutes": 1, "targets": [{"kind": "lead"}]}]
    calls = {
        "read": lambda: client.get(u),
        "list": lambda: client.get("/api/v1/urgent-updates/"),
        "raise_on_project": lambda: send(
            client,
            "post",
            "/api/v1/urgent-updates/",
            {"project": world.project.pk, "title": "x", "severity": "high"},
        ),
        "raise_on_team": lambda: send(
            client,
            "post",
            "/api/v1/urgent-updates/",
            {"team": world.team.pk, "title": "x", "severity": "high"},
        ),
        "acknowledge": lambda: send(client, "post", u + "acknowledge/", {}),
        "resolve": lambda: send(client, "post", u + "resolve/", {}),
        "cancel": lambda: send(client, "post", u + "cancel/", {}),
        "read_policy": lambda: client.get(policy),
        "list_policies": lambda: client.get("/api/v1/escalation-policies/"),
        "set_team_policy": lambda: send(
            client,
            "post",
            "/api/v1/escalation-policies/",
            {"team": world.team.pk, "steps": steps},
        ),
        "set_project_policy": lambda: send(
            client,
            "post",
            "/api/v1/escalation-policies/",
            {"project": world.project.pk, "steps": steps},
        ),
        "replace_policy": lambda: send(client, "put", policy, {"steps": steps}),
        "delete_policy": lambda: client.delete(policy),
        "list_keys": lambda: client.get(keys),
        "create_key": lambda: send(client, "post", keys, {"name": "New"}),
        "revoke_key": lambda: client.delete(f"/api/v1/integration-keys/{world.key.pk}/"),
    }
    return calls[action]()


EVERYONE = set(PERSONAS)
TEAM = {"lead", "member", "admin"}
# Which personas each action allows; `HIDDEN` who get a 404 (the rest get a 403).
ALLOWED = {
    "read": {"lead", "member", "paged_outsider", "manager", "admin"},
    "list": EVERYONE,
    "raise_on_project": TEAM,
    "raise_on_team": TEAM,
    "acknowledge": {"lead", "member", "paged_outsider", "admin"},
    "resolve": {"lead", "member", "paged_outsider", "admin"},
    "cancel": {"lead", "admin"},  # and who raised it (below)
    "read_policy": EVERYONE,
    "list_policies": EVERYONE,
    "set_team_policy": {"lead", "admin"},
    "set_project_policy": {"lead", "admin"},
    "replace_policy": {"lead", "admin"},
    "delete_policy": {"lead", "admin"},
    "list_keys": {"lead", "admin"},
    "create_key": {"lead", "admin"},
    "revoke_key": {"lead", "admin"},
}
UPDATE_ACTIONS = ("read", "acknowledge", "resolve", "cancel")
HIDDEN = {action: {"outsider"} for action in UPDATE_ACTIONS}
HIDDEN["revoke_key"] = EVERYONE - ALLOWED["revoke_key"]  # a credential: unseen by others


@pytest.mark.parametrize("action", sorted(ALLOWED))
@pytest.mark.parametrize("persona", PERSONAS)
def test_role_by_action(setup, persona, action):
    with at(SYDNEY_3AM + MINUTE):  # after the update was raised
        response = _call(setup, action, api(_who(setup, persona)))
    if persona in ALLOWED[action]:
        assert 200 <= response.status_code < 300, (persona, action, response.content)
    elif persona in HIDDEN.get(action, ()):
        assert response.status_code == 404, (persona, action, response.status_code)
        assert response.json() == {"detail": "No such urgent update."} or action == "revoke_key"
    else:
        assert response.status_code == 403, (persona, action, response.status_code)


def test_who_raised_it_may_cancel_it(setup):
    with at(SYDNEY_3AM + MINUTE):
        response = _call(setup, "cancel", api(setup.sam))
    assert response.status_code == 200 and response.json()["state"] == "cancelled"


def test_the_list_holds_only_what_each_may_read(setup):
    with at(SYDNEY_3AM + MINUTE):
        seen = {
            persona: [u["id"] for u in _call(setup, "list", api(_who(setup, persona))).json()[
                "results"
            ]]
            for persona in PERSONAS
        }  # fmt: skip
    pk = setup.update.pk
    assert {p for p, ids in seen.items() if pk in ids} == ALLOWED["read"]


# --- tokens -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "scopes, read, write",
    [
        (["escalations:read"], 200, 403),
        (["escalations:write"], 200, 201),
        (["escalations:read", "escalations:write"], 200, 201),
        (["projects:read", "projects:write", "people:read"], 403, 403),
    ],
    ids=["read", "write", "both", "other-scopes"],
)
def test_tokens_are_held_to_their_scopes(setup, scopes, read, write):
    with at(SYDNEY_3AM + MINUTE):
        client = token_client(setup.lead, scopes)
        assert client.get(f"/api/v1/urgent-updates/{setup.update.pk}/").status_code == read
        assert client.get("/api/v1/escalation-policies/").status_code == read
        assert client.get(f"/api/v1/teams/{setup.team.pk}/integration-keys/").status_code == read
        raised = _call(setup, "raise_on_team", client)
        assert raised.status_code == write, raised.content
        key = _call(setup, "create_key", client)
        assert key.status_code == write, key.content
        if write == 403:
            assert "escalations:write" in key.json()["detail"]


def test_a_token_acts_as_its_person(setup):
    """A token carries its person's rights, never more: Otto's token with every escalations
    scope still cannot see Platform's update."""
    with at(SYDNEY_3AM + MINUTE):
        client = token_client(setup.outsider, ["escalations:read", "escalations:write"])
        assert client.get(f"/api/v1/urgent-updates/{setup.update.pk}/").status_code == 404
        assert _call(setup, "acknowledge", client).status_code == 404
        assert _call(setup, "raise_on_project", client).status_code == 403
        assert _call(setup, "set_team_policy", client).status_code == 403


def test_anonymous_is_refused_everywhere(setup, client):
    u = f"/api/v1/urgent-updates/{setup.update.pk}/"
    for url in (u, "/api/v1/urgent-updates/", "/api/v1/escalation-policies/"):
        assert client.get(url).status_code == 401
    assert client.post(u + "acknowledge/", {}, content_type="application/json").status_code == 401
