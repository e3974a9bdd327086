"""Who may do what with people and teams: rules predicates, checked object by object.

Roles: org member / manager / admin (Profile.org_role), team member / lead (Membership.role).
"""

from __future__ import annotations

from collections.abc import Callable

import rules

from .models import OrgRole, TeamRole
from .selectors import team_ids_of


def _role(user) -> str | None:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    profile = getattr(user, "profile", None)
    return profile.org_role if profile is not None else None


@rules.predicate
def is_person(user) -> bool:
    return _role(user) is not None


@rules.predicate
def is_org_admin(user) -> bool:
    return _role(user) == OrgRole.ADMIN


@rules.predicate
def is_org_manager(user) -> bool:
    return _role(user) in (OrgRole.MANAGER, OrgRole.ADMIN)


@rules.predicate
def is_self(user, person) -> bool:
    return person is not None and getattr(person, "pk", None) == user.pk


@rules.predicate
def is_team_lead(user, team) -> bool:
    if team is None or not is_person(user):
        return False
    return team.pk in team_ids_of(user, role=TeamRole.LEAD)


def team_id_of(obj) -> int | None:
    """The team behind `obj`: a Team, anything with a `team_id` (an urgent update, a policy),
    or anything with only a `project` (a goal, an update): the apps above share these rules."""
    if obj is None:
        return None
    if hasattr(obj, "project_id") and not hasattr(obj, "team_id"):
        obj = obj.project
    if hasattr(obj, "team_id"):
        return obj.team_id
    return getattr(obj, "pk", None)


@rules.predicate
def is_member_of_team(user, obj) -> bool:
    """A member (or lead) of the team behind `obj` (team_id_of)."""
    team_id = team_id_of(obj)
    return team_id is not None and team_id in team_ids_of(user)


@rules.predicate
def is_lead_of_team(user, obj) -> bool:
    """A lead of the team behind `obj` (team_id_of)."""
    team_id = team_id_of(obj)
    return team_id is not None and team_id in team_ids_of(user, role=TeamRole.LEAD)


@rules.predicate
def is_active_person(user, person) -> bool:
    return person is None or bool(getattr(person, "is_active", False))


# People who left: managers and admins (marked as having left); for anyone else they are gone.
sees_people_who_left = is_org_manager

# Directory: everyone signed in reads people and teams.
rules.add_perm("teams.view_directory", is_person)
rules.add_perm("teams.view_person", is_person & (is_active_person | sees_people_who_left))
rules.add_perm("teams.view_team", is_person)
# Contact details (email, phone): yourself, or an admin. Split in two so that lists can ask
# the viewer-only half once (contact_visibility below) instead of the whole rule per row.
sees_every_contact = is_person & is_org_admin
rules.add_perm("teams.view_contact", sees_every_contact | (is_person & is_self))
# Profile and working hours: yourself, or an admin.
rules.add_perm("teams.change_profile", is_person & (is_self | is_org_admin))
# People and roles: admins only.
rules.add_perm("teams.add_person", is_org_admin)
rules.add_perm("teams.invite_person", is_org_admin)
rules.add_perm("teams.change_org_role", is_org_admin)
rules.add_perm("teams.deactivate_person", is_org_admin & ~is_self)
# Removing someone's second factors (lost phone): admins, never for themselves.
rules.add_perm("teams.reset_mfa", is_org_admin & ~is_self)
# Clearing someone's failed sign-ins (locked out by too many wrong passwords): admins.
rules.add_perm("teams.unlock_signin", is_org_admin)
rules.add_perm("teams.import_people", is_org_admin)
# Teams: admins and managers create; leads edit their team and its memberships.
rules.add_perm("teams.add_team", is_org_manager)
rules.add_perm("teams.change_team", is_org_admin | is_team_lead)
rules.add_perm("teams.delete_team", is_org_admin)
rules.add_perm("teams.manage_memberships", is_org_admin | is_team_lead)
# Org settings and the audit log: admins.
rules.add_perm("teams.change_org_settings", is_org_admin)
rules.add_perm("teams.view_audit", is_org_admin)


def person_visibility(user) -> Callable[[object], bool]:
    """teams.view_person for a list of people, as a test on a person (with `is_active`): the
    viewer's half of the rule is asked once. tests/teams/test_permissions.py checks it agrees
    with the rule."""
    if not is_person(user):
        return lambda person: False
    if sees_people_who_left(user):
        return lambda person: True
    return lambda person: person is None or bool(getattr(person, "is_active", False))


def contact_visibility(user) -> Callable[[int], bool]:
    """teams.view_contact for a list of people, as a test on a person's id: the rule's
    viewer-only half (admin) is asked once, not once per row; otherwise only the viewer's own
    row qualifies. tests/teams/test_permissions.py checks it agrees with the rule."""
    if sees_every_contact(user):
        return lambda person_id: True
    if not is_person(user):
        return lambda person_id: False
    own_id = user.pk
    return lambda person_id: person_id == own_id
