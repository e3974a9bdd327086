"""Who may do what through the projects API: the role x action table (projects/permissions.py)
asked over HTTP, plus token scopes and default deny.

Personas, on a project of Platform owned by Nia (member2) while Aki acts for her:
member (Mo, on Platform, not the owner), lead (Platform's lead), owner, acting (Aki, on no
team), outsider (on Payments), manager (org manager, on no team), admin."""

from __future__ import annotations

import pytest
from django.test import Client

from accounts.services import api_token_create
from projects import services
from projects.models import OwnershipTransfer, Project
from tests.factories import PersonFactory
from tests.projects.org import SYSTEM, later, send
from tests.projects.org import client_for as api

pytestmark = pytest.mark.django_db

PERSONAS = ("member", "lead", "owner", "acting", "outsider", "manager", "admin")


@pytest.fixture
def world(org):
    org.acting = PersonFactory(display_name="Aki Acting")
    org.target = PersonFactory(display_name="Tao Target")
    org.owner = org.member2
    project = org.project(owner=org.owner, name="Shared")
    services.acting_set(actor=SYSTEM, project=project, acting_owner=org.acting, until=later(20))
    org.shared = project
    return org


def _who(world, persona: str):
    return {
        "member": world.member,
        "lead": world.lead,
        "owner": world.owner,
        "acting": world.acting,
        "outsider": world.outsider,
        "manager": world.manager,
        "admin": world.admin,
    }[persona]


def _call(world, action: str, client):
    p = f"/api/v1/projects/{world.shared.pk}/"
    calls = {
        "read": lambda: client.get(p),
        "list": lambda: client.get("/api/v1/projects/"),
        "history": lambda: client.get(p + "history/"),
        "create": lambda: send(
            client, "post", "/api/v1/projects/", {"team": world.team.pk, "name": "New one"}
        ),
        "create_for_someone": lambda: send(
            client,
            "post",
            "/api/v1/projects/",
            {"team": world.team.pk, "name": "For Tao", "owner": world.target.pk},
        ),
        "change": lambda: send(client, "patch", p, {"priority": 1}),
        "delete": lambda: client.delete(p),
        "add_goal": lambda: send(client, "post", p + "goals/", {"title": "A goal"}),
        "post_update": lambda: send(client, "post", p + "updates/", {"health": "on_track"}),
        "propose": lambda: send(
            client, "post", p + "transfers/", {"to_person": world.target.pk, "reason": "x"}
        ),
        "set_acting": lambda: send(
            client, "put", p + "acting-owner/", {"acting_owner": world.target.pk, "until": later()}
        ),
        "end_acting": lambda: client.delete(p + "acting-owner/"),
        "watch": lambda: client.put(p + "watch/"),
    }
    return calls[action]()


# The table: which personas each action allows (every other persona gets a 403).
ALLOWED = {
    "read": set(PERSONAS),
    "list": set(PERSONAS),
    "history": set(PERSONAS),
    "watch": set(PERSONAS),
    "create": {"member", "lead", "owner", "admin"},
    "create_for_someone": {"lead", "admin"},
    "change": {"lead", "owner", "acting", "admin"},
    "add_goal": {"lead", "owner", "acting", "admin"},
    "delete": {"admin"},
    # Only the accountable person speaks for the project: the acting owner while one is named.
    "post_update": {"acting"},
    "propose": {"lead", "owner", "manager", "admin"},
    "set_acting": {"lead", "owner", "admin"},
    "end_acting": {"lead", "owner", "admin"},
}


@pytest.mark.parametrize("action", sorted(ALLOWED))
@pytest.mark.parametrize("persona", PERSONAS)
def test_role_by_action(world, persona, action):
    response = _call(world, action, api(_who(world, persona)))
    if persona in ALLOWED[action]:
        assert 200 <= response.status_code < 300, (persona, action, response.content)
    else:
        assert response.status_code == 403, (persona, action, response.status_code)


def _transfer(world) -> OwnershipTransfer:
    return world.propose(world.shared, world.target, reason="Rebalance")


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_the_proposed_owner_accepts_or_declines(world, persona):
    transfer = _transfer(world)
    client = api(_who(world, persona))
    for verb in ("accept", "decline"):
        response = client.post(f"/api/v1/projects/transfers/{transfer.pk}/{verb}/")
        assert response.status_code == 403, (persona, verb)
    transfer.refresh_from_db()
    assert transfer.state == "pending"
    accepted = api(world.target).post(f"/api/v1/projects/transfers/{transfer.pk}/accept/")
    assert accepted.status_code == 200
    assert Project.objects.get(pk=world.shared.pk).owner_id == world.target.pk


CANCEL_ALLOWED = {"lead", "owner", "manager", "admin"}


@pytest.mark.parametrize("persona", PERSONAS)
def test_who_may_cancel_a_proposal(world, persona):
    transfer = _transfer(world)
    response = api(_who(world, persona)).post(f"/api/v1/projects/transfers/{transfer.pk}/cancel/")
    expected = 200 if persona in CANCEL_ALLOWED else 403
    assert response.status_code == expected, (persona, response.content)


def test_whoever_proposed_may_cancel_their_proposal(world):
    # A lead proposes, then stops leading the team: as the proposer they may still withdraw.
    from tests.factories import add_member

    transfer = world.propose(world.shared, world.target, by=world.lead)
    add_member(world.team, world.lead, "member")
    response = api(world.lead).post(f"/api/v1/projects/transfers/{transfer.pk}/cancel/")
    assert response.status_code == 200
    assert not api(world.lead).get(f"/api/v1/projects/{world.shared.pk}/").json()["orphaned"]


def test_waiting_transfers_are_only_mine(world):
    transfer = _transfer(world)
    mine = api(world.target).get("/api/v1/projects/transfers/").json()["results"]
    assert [t["id"] for t in mine] == [transfer.pk]
    for persona in PERSONAS:
        body = api(_who(world, persona)).get("/api/v1/projects/transfers/").json()
        assert body["results"] == [], persona


def test_a_refused_write_changes_nothing(world):
    before = Project.objects.values().get(pk=world.shared.pk)
    for action in ("change", "delete", "set_acting", "end_acting", "propose", "add_goal"):
        assert _call(world, action, api(world.outsider)).status_code == 403
    assert Project.objects.values().get(pk=world.shared.pk) == before
    assert not world.shared.goals.exists() and not world.shared.transfers.exists()


# --- tokens and default deny ------------------------------------------------------------------


def _token_client(user, scopes) -> Client:
    _, raw = api_token_create(actor=SYSTEM, user=user, name="t", scopes=scopes)
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def test_a_read_token_reads_but_cannot_write(world):
    client = _token_client(world.owner, ["projects:read"])
    assert client.get("/api/v1/projects/").status_code == 200
    assert client.get(f"/api/v1/projects/{world.shared.pk}/").status_code == 200
    for response in (
        send(client, "post", "/api/v1/projects/", {"team": world.team.pk, "name": "No"}),
        send(client, "patch", f"/api/v1/projects/{world.shared.pk}/", {"name": "No"}),
        client.put(f"/api/v1/projects/{world.shared.pk}/watch/"),
        send(
            client,
            "post",
            f"/api/v1/projects/{world.shared.pk}/transfers/",
            {"to_person": world.target.pk, "reason": "x"},
        ),
    ):
        assert response.status_code == 403
        assert "projects:write" in response.json()["detail"]
    assert Project.objects.get(pk=world.shared.pk).name == "Shared"


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/projects/",
        "/api/v1/projects/transfers/",
        "/api/v1/projects/{pk}/",
        "/api/v1/projects/{pk}/goals/",
        "/api/v1/projects/{pk}/updates/",
        "/api/v1/projects/{pk}/history/",
        "/api/v1/people/{owner}/owned-projects/",
    ],
)
def test_a_token_without_a_projects_scope_is_refused(world, url):
    client = _token_client(world.owner, ["people:read", "schedules:write"])
    response = client.get(url.format(pk=world.shared.pk, owner=world.owner.pk))
    assert response.status_code == 403
    assert "projects:read" in response.json()["detail"]


def test_anonymous_is_refused(world):
    client = Client()
    assert client.get("/api/v1/projects/").status_code in (401, 403)
    response = send(client, "post", "/api/v1/projects/", {"team": world.team.pk, "name": "x"})
    assert response.status_code in (401, 403)
    assert Project.objects.count() == 1


def test_a_deactivated_persons_session_is_refused(world):
    from teams import services as team_services

    client = api(world.member)
    team_services.person_deactivate(actor=SYSTEM, person=world.member)
    assert client.get("/api/v1/projects/").status_code in (401, 403)
