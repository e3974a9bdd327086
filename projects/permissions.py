"""Who may do what with projects: rules predicates, checked object by object.

* Read a project (its goals, updates, history, transfers): everyone signed in (every team is
  visible to everyone signed in, teams.view_team).
* Create a project in a team: its members and leads, and admins. Members own what they create;
  leads and admins may name another owner (who is told).
* Edit a project and its goals: the owner, the acting owner, leads of its team, admins.
* Post a status update: the accountable person only (the acting owner while one is named, else
  the owner): the one who answers for it speaks for it.
* Propose a new owner: the owner, leads of its team, org managers and admins (managers read
  the ownership map and find orphaned or overloaded owners; fixing that is theirs too). The
  proposal changes nothing until the proposed owner accepts. Accept or decline: only the
  proposed owner. Cancel: whoever may propose, or who proposed.
* Name or end an acting owner: the owner, leads of its team, admins.
* Delete a project: admins only (everyone else closes it as done or cancelled).
* The ownership map: managers and admins see every team; members see their own teams.
"""

from __future__ import annotations

import rules

from teams.permissions import (
    is_lead_of_team,
    is_member_of_team,
    is_org_admin,
    is_org_manager,
    is_person,
)


def _project(obj):
    if obj is None:
        return None
    return obj.project if hasattr(obj, "project_id") and not hasattr(obj, "team_id") else obj


@rules.predicate
def is_owner(user, obj) -> bool:
    project = _project(obj)
    return project is not None and project.owner_id == user.pk


@rules.predicate
def is_acting_owner(user, obj) -> bool:
    project = _project(obj)
    return project is not None and project.acting_owner_id == user.pk


@rules.predicate
def is_accountable(user, obj) -> bool:
    project = _project(obj)
    return project is not None and (project.acting_owner_id or project.owner_id) == user.pk


@rules.predicate
def is_proposed_owner(user, transfer) -> bool:
    return transfer is not None and transfer.to_person_id == user.pk


@rules.predicate
def is_proposer(user, transfer) -> bool:
    return transfer is not None and transfer.proposed_by_id == user.pk


can_edit = is_person & (is_owner | is_acting_owner | is_lead_of_team | is_org_admin)
can_manage_owner = is_person & (is_owner | is_lead_of_team | is_org_admin)

rules.add_perm("projects.view_project", is_person)
# Object: the team the project will belong to.
rules.add_perm("projects.add_project", is_person & (is_member_of_team | is_org_admin))
rules.add_perm("projects.assign_owner", is_person & (is_lead_of_team | is_org_admin))
# Object: the project (goals: the project too).
rules.add_perm("projects.change_project", can_edit)
rules.add_perm("projects.delete_project", is_person & is_org_admin)
rules.add_perm("projects.post_update", is_person & is_accountable)
can_propose_owner = can_manage_owner | (is_person & is_org_manager)
rules.add_perm("projects.propose_transfer", can_propose_owner)
rules.add_perm("projects.set_acting_owner", can_manage_owner)
# Object: the transfer.
rules.add_perm("projects.accept_transfer", is_person & is_proposed_owner)
rules.add_perm("projects.cancel_transfer", can_propose_owner | (is_person & is_proposer))
# The map: everyone signed in opens it; what they see is filtered (selectors).
rules.add_perm("projects.view_map", is_person)
rules.add_perm("projects.view_whole_map", is_person & is_org_manager)
