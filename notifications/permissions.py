"""Who may do what with notifications and webhooks (rules predicates, object by object).

A person reads and changes only their own notifications and rules. A personal webhook belongs
to its owner; a team webhook is managed by that team's leads and org admins.
"""

from __future__ import annotations

import rules

from teams.models import TeamRole
from teams.permissions import is_org_admin, is_person, is_team_lead
from teams.selectors import team_ids_of


@rules.predicate
def owns_webhook(user, webhook) -> bool:
    return webhook is not None and webhook.owner_id == user.pk


@rules.predicate
def leads_webhook_team(user, webhook) -> bool:
    if webhook is None or webhook.team_id is None or not is_person(user):
        return False
    # By id: no need to load the team to compare it with the teams the user leads.
    return webhook.team_id in team_ids_of(user, role=TeamRole.LEAD)


@rules.predicate
def is_recipient(user, notification) -> bool:
    return notification is not None and notification.recipient_id == user.pk


rules.add_perm("notifications.use_inbox", is_person)
rules.add_perm("notifications.view_notification", is_person & is_recipient)
rules.add_perm(
    "notifications.manage_webhook",
    is_person & (owns_webhook | leads_webhook_team | is_org_admin),
)
# Object: the team.
rules.add_perm("notifications.manage_team_webhooks", is_person & (is_team_lead | is_org_admin))
