"""Role x action: who may do what with people and teams (teams/permissions.py)."""

import pytest

from tests.factories import PersonFactory, TeamFactory, add_member

ROLES = ("member", "lead", "manager", "admin", "left")

# action -> (object it is checked against, roles allowed)
MATRIX = {
    "teams.view_directory": (None, {"member", "lead", "manager", "admin"}),
    "teams.view_person": ("other", {"member", "lead", "manager", "admin"}),
    "teams.view_contact/self": ("self", {"member", "lead", "manager", "admin"}),
    "teams.view_contact": ("other", {"admin"}),
    "teams.change_profile/self": ("self", {"member", "lead", "manager", "admin"}),
    "teams.change_profile": ("other", {"admin"}),
    "teams.add_person": (None, {"admin"}),
    "teams.change_org_role": ("other", {"admin"}),
    "teams.deactivate_person": ("other", {"admin"}),
    # Admins are Django superusers (for the admin site), so has_perm is True for them even on
    # themselves; teams.services.person_deactivate refuses self-deactivation instead.
    "teams.deactivate_person/self": ("self", {"admin"}),
    "teams.import_people": (None, {"admin"}),
    "teams.add_team": (None, {"manager", "admin"}),
    "teams.change_team": ("team", {"lead", "admin"}),
    "teams.change_team/other": ("other_team", {"admin"}),
    "teams.delete_team": ("team", {"admin"}),
    "teams.manage_memberships": ("team", {"lead", "admin"}),
    "teams.manage_memberships/other": ("other_team", {"admin"}),
    "teams.change_org_settings": (None, {"admin"}),
    "teams.view_audit": (None, {"admin"}),
}


@pytest.fixture
def world(db):
    team = TeamFactory(name="Payments")
    other_team = TeamFactory(name="Search")
    other = PersonFactory(username="olga")
    add_member(team, other)
    people = {}
    for role in ROLES:
        org_role = role if role in ("manager", "admin") else "member"
        person = PersonFactory(username=f"{role}-person", org_role=org_role)
        if role == "lead":
            add_member(team, person, role="lead")
        people[role] = person
    # Keep a second admin so the 'left' person can be an ex-admin without breaking the org.
    from teams import services
    from tests.factories import SYSTEM

    services.person_deactivate(actor=SYSTEM, person=people["left"])
    people["left"].refresh_from_db()
    return {"team": team, "other_team": other_team, "other": other, "people": people}


@pytest.mark.parametrize("action", sorted(MATRIX))
@pytest.mark.parametrize("role", ROLES)
def test_role_action_matrix(world, role, action):
    target_kind, allowed = MATRIX[action]
    user = world["people"][role]
    target = {
        None: None,
        "self": user,
        "other": world["other"],
        "team": world["team"],
        "other_team": world["other_team"],
    }[target_kind]
    perm = action.split("/")[0]
    assert user.has_perm(perm, target) is (role in allowed), (role, action)


@pytest.mark.parametrize("role", ROLES)
def test_contact_visibility_agrees_with_the_rule(world, role):
    """Lists use contact_visibility (the rule's viewer half asked once); it must answer as
    teams.view_contact does for each person shown."""
    from django.contrib.auth.models import AnonymousUser

    from teams.permissions import contact_visibility

    user = world["people"][role]
    visible = contact_visibility(user)
    for person in [world["other"], *world["people"].values()]:
        assert visible(person.pk) is user.has_perm("teams.view_contact", person), person
    assert contact_visibility(AnonymousUser())(user.pk) is False


@pytest.mark.parametrize("role", ROLES)
def test_person_visibility_agrees_with_the_rule(world, role):
    """Lists (on call now) use person_visibility (the rule's viewer half asked once); it must
    answer as teams.view_person does, for people still here and for one who left."""
    from django.contrib.auth.models import AnonymousUser

    from teams.permissions import person_visibility

    user = world["people"][role]
    visible = person_visibility(user)
    for person in [world["other"], *world["people"].values()]:
        assert visible(person) is user.has_perm("teams.view_person", person), person
    assert person_visibility(AnonymousUser())(user) is False


def test_anonymous_has_no_permissions(db):
    from django.contrib.auth.models import AnonymousUser

    anonymous = AnonymousUser()
    for action in MATRIX:
        assert not anonymous.has_perm(action.split("/")[0], None)


def test_rule_allows_keeps_not_on_yourself_for_superuser_admins(world):
    """has_perm lets a superuser admin do everything (the matrix above); pages offer actions
    by the rule itself, so an admin is not offered deactivating or resetting themselves."""
    from core.permissions import rule_allows

    admin, other = world["people"]["admin"], world["other"]
    for perm in ("teams.deactivate_person", "teams.reset_mfa"):
        assert admin.has_perm(perm, admin)
        assert not rule_allows(admin, perm, admin)
        assert rule_allows(admin, perm, other)
        assert not rule_allows(world["people"]["member"], perm, other)
