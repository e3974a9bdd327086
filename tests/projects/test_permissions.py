"""Role x action: who may do what with projects (projects/permissions.py), as a rule and as
the pages answer it (403 for a refused action; everyone signed in reads every project)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from core.permissions import rule_allows
from projects import services
from projects.models import Goal, OwnershipTransfer, Project, ProjectUpdate, TransferState
from teams import services as team_services
from tests.conftest import sign_in
from tests.factories import SYSTEM, PersonFactory, TeamFactory, add_member

ROLES = (
    "owner", "acting", "backup", "proposed", "proposer", "member", "lead", "outsider",
    "manager", "admin", "left",
)  # fmt: skip

TEAM_PEOPLE = {"owner", "acting", "backup", "proposed", "proposer", "member", "lead"}

# action -> (object it is checked against, roles allowed). The rule itself (rule_allows), as
# the pages check it: admins are superusers, for whom has_perm says yes to everything.
MATRIX = {
    "projects.view_project": (None, set(ROLES) - {"left"}),
    "projects.add_project": ("team", TEAM_PEOPLE | {"admin"}),
    "projects.add_project/other": ("other_team", {"outsider", "admin"}),
    "projects.assign_owner": ("team", {"lead", "admin"}),
    "projects.change_project": ("project", {"owner", "acting", "lead", "admin"}),
    "projects.delete_project": ("project", {"admin"}),
    "projects.post_update": ("project", {"acting"}),
    "projects.post_update/no_acting": ("plain", {"owner"}),
    "projects.propose_transfer": ("project", {"owner", "lead", "manager", "admin"}),
    "projects.set_acting_owner": ("project", {"owner", "lead", "admin"}),
    "projects.accept_transfer": ("transfer", {"proposed"}),
    "projects.cancel_transfer": ("transfer", {"owner", "lead", "manager", "admin", "proposer"}),
    "projects.view_map": (None, set(ROLES) - {"left"}),
    "projects.view_whole_map": (None, {"manager", "admin"}),
}  # fmt: skip


@pytest.fixture
def world(db):
    team = TeamFactory(name="Platform")
    other_team = TeamFactory(name="Payments")
    people = {}
    for role in ROLES:
        org_role = role if role in ("manager", "admin") else "member"
        people[role] = PersonFactory(username=f"{role}-person", org_role=org_role)
    for role in ("owner", "acting", "backup", "proposed", "proposer", "member", "left"):
        add_member(team, people[role])
    add_member(team, people["lead"], role="lead")
    add_member(other_team, people["outsider"])
    project = services.project_create(
        actor=SYSTEM, team=team, name="Relay", owner=people["owner"], backup_owner=people["backup"]
    )
    services.acting_set(
        actor=SYSTEM, project=project, acting_owner=people["acting"],
        until=timezone.now().date() + timedelta(days=5),
    )  # fmt: skip
    from core.audit import Actor

    transfer = services.transfer_propose(
        actor=Actor(user=people["proposer"], via="test"),
        project=project,
        to_person=people["proposed"],
        reason="Rebalance",
    )
    plain = services.project_create(actor=SYSTEM, team=team, name="Plain", owner=people["owner"])
    team_services.person_deactivate(actor=SYSTEM, person=people["left"])
    for person in people.values():
        person.refresh_from_db()
    project.refresh_from_db()
    return {
        "people": people,
        "team": team,
        "other_team": other_team,
        "project": project,
        "plain": plain,
        "transfer": transfer,
    }


@pytest.mark.parametrize("action", sorted(MATRIX))
@pytest.mark.parametrize("role", ROLES)
def test_role_action_matrix(world, role, action):
    target_kind, allowed = MATRIX[action]
    target = None if target_kind is None else world[target_kind]
    user = world["people"][role]
    assert rule_allows(user, action.split("/")[0], target) is (role in allowed), (role, action)


def test_anonymous_has_no_project_permissions(db):
    from django.contrib.auth.models import AnonymousUser

    for action in MATRIX:
        assert not rule_allows(AnonymousUser(), action.split("/")[0], None)


# --- the same table, as the pages answer it ------------------------------------------------------


def _client(world, role) -> Client:
    return sign_in(Client(), world["people"][role])


def _attempts(world) -> dict:
    """action -> (method, path, data) of a page request that performs it."""
    project, transfer = world["project"], world["transfer"]
    slug = project.slug
    goal = Goal.objects.get_or_create(project=project, title="Existing")[0]
    until = (timezone.now() + timedelta(days=9)).date().isoformat()
    other = world["people"]["member"].pk
    return {
        "edit page": ("get", f"/projects/{slug}/edit/", None),
        "edit": ("post", f"/projects/{slug}/edit/", {"name": "Relay 2", "slug": slug,
                 "status": "active", "priority": "0", "update_cadence_days": "7"}),
        "add goal": ("post", f"/projects/{slug}/goals/", {"title": "New goal"}),
        "finish goal": ("post", f"/projects/{slug}/goals/{goal.pk}/done/", {"done": "1"}),
        "post update": ("post", f"/projects/{slug}/updates/", {"health": "on_track"}),
        "name acting owner": ("post", f"/projects/{slug}/acting/",
                              {"acting_owner_username": f"{'member'}-person", "until": until}),
        "end acting": ("post", f"/projects/{slug}/acting/end/", {}),
        "answer transfer": ("post", f"/projects/transfers/{transfer.pk}/answer/",
                            {"action": "decline", "answer": "no"}),
        "cancel transfer": ("post", f"/projects/transfers/{transfer.pk}/cancel/", {}),
        "delete": ("post", f"/projects/{slug}/delete/", {"confirm": "nope"}),
        "propose (after cancel)": ("post", f"/projects/{world['plain'].slug}/transfer/",
                                   {"to_person": other, "reason": "r"}),
    }  # fmt: skip


PAGE_ALLOWED = {
    "edit page": {"owner", "acting", "lead", "admin"},
    "edit": {"owner", "acting", "lead", "admin"},
    "add goal": {"owner", "acting", "lead", "admin"},
    "finish goal": {"owner", "acting", "lead", "admin"},
    "post update": {"acting"},
    "name acting owner": {"owner", "lead", "admin"},
    "end acting": {"owner", "lead", "admin"},
    "answer transfer": {"proposed"},
    "cancel transfer": {"owner", "lead", "manager", "admin", "proposer"},
    "delete": {"admin"},
    "propose (after cancel)": {"owner", "lead", "manager", "admin"},
}


@pytest.mark.parametrize("role", [r for r in ROLES if r != "left"])
def test_pages_refuse_what_the_role_may_not_do(world, role):
    """Every action the role may not do answers 403 and writes nothing; the ones it may do
    get past the permission check (a redirect, a page, or a form error)."""
    client = _client(world, role)
    for action, (method, path, data) in _attempts(world).items():
        before = (
            Project.objects.get(pk=world["project"].pk).name,
            Goal.objects.count(),
            ProjectUpdate.objects.count(),
            OwnershipTransfer.objects.filter(state=TransferState.PENDING).count(),
        )
        response = getattr(client, method)(path, data or {})
        if role in PAGE_ALLOWED[action]:
            assert response.status_code in (200, 302, 400), (role, action, response.status_code)
            # Undo what it did, so the next action starts from the same world.
            _reset(world)
        else:
            assert response.status_code == 403, (role, action, response.status_code)
            after = (
                Project.objects.get(pk=world["project"].pk).name,
                Goal.objects.count(),
                ProjectUpdate.objects.count(),
                OwnershipTransfer.objects.filter(state=TransferState.PENDING).count(),
            )
            assert after == before, (role, action)


def _reset(world) -> None:
    """Put back the acting owner, the pending transfer and the project's name."""
    project = Project.objects.get(pk=world["project"].pk)
    people = world["people"]
    if project.name != "Relay":
        Project.objects.filter(pk=project.pk).update(name="Relay")
    if project.acting_owner_id != people["acting"].pk:
        services.acting_set(
            actor=SYSTEM, project=project, acting_owner=people["acting"],
            until=timezone.now().date() + timedelta(days=5),
        )  # fmt: skip
    transfer = OwnershipTransfer.objects.get(pk=world["transfer"].pk)
    if transfer.state != TransferState.PENDING:
        OwnershipTransfer.objects.filter(pk=transfer.pk).update(state=TransferState.PENDING)
    OwnershipTransfer.objects.filter(project=world["plain"]).delete()


def test_left_person_is_signed_out_of_everything(world):
    client = _client(world, "left")
    response = client.get(f"/projects/{world['project'].slug}/")
    assert response.status_code in (302, 403)
