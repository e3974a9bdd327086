"""Who may do what with urgent updates and escalation policies: rules predicates, checked
object by object.

* Read an update and its timeline: the team's members, anyone it paged, managers and admins
  (least privilege: an incident's details stay with the people working it).
* Raise an update on a team or one of its projects (object: the Team, or the Project): the
  team's members (leads are members). API tokens act as their person, within their scopes.
* Acknowledge or resolve (object: the update): anyone it paged, the team's members and leads.
* Cancel (raised by mistake): who raised it, the team's leads, admins.
* Set or delete a policy (object: the Team, the Project, or the EscalationPolicy): the
  team's leads and admins.
* List, create and revoke a team's integration keys (object: the Team, or the
  IntegrationKey): the team's leads and admins. A key is a credential that raises updates
  for the whole team, so members do not hold it (least privilege).
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

from . import selectors


@rules.predicate
def was_paged(user, update) -> bool:
    return update is not None and selectors.was_paged(update, user)


@rules.predicate
def raised_it(user, update) -> bool:
    return update is not None and update.raised_by_id == user.pk


rules.add_perm(
    "escalations.view_update", is_person & (is_member_of_team | was_paged | is_org_manager)
)
rules.add_perm("escalations.raise_update", is_person & is_member_of_team)
rules.add_perm("escalations.acknowledge_update", is_person & (is_member_of_team | was_paged))
rules.add_perm("escalations.resolve_update", is_person & (is_member_of_team | was_paged))
rules.add_perm(
    "escalations.cancel_update", is_person & (raised_it | is_lead_of_team | is_org_admin)
)
rules.add_perm("escalations.view_policy", is_person)
rules.add_perm("escalations.change_policy", is_person & (is_lead_of_team | is_org_admin))
rules.add_perm("escalations.manage_integration_keys", is_person & (is_lead_of_team | is_org_admin))
