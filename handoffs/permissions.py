"""Who may do what with handoff notes: rules predicates, checked object by object.

* Write a note for a team (object: the Team): the team's members (leads are members).
* Read a note (object: the HandoffNote): its author, its recipients, and the members of its
  team. Nobody else, managers included (least privilege: a note can carry an incident's
  details; the ownership map and dashboards do not need it).
* Edit a note: its author, until the first acknowledgement; after that nobody (services
  refuse it with a message) and a follow-up is appended instead.
* Append a follow-up: its author and its recipients.
* Acknowledge a note: its recipients only.
* Act on an item (object: the HandoffItem: acknowledge, mark done, hand back): its owner; an
  item without an owner, any recipient of its note (who then owns it).
"""

from __future__ import annotations

import rules

from teams.permissions import is_member_of_team, is_person

from . import selectors


@rules.predicate
def wrote_it(user, note) -> bool:
    return note is not None and note.author_id == user.pk


@rules.predicate
def received_it(user, note) -> bool:
    return note is not None and selectors.is_recipient(note, user)


@rules.predicate
def owns_item(user, item) -> bool:
    if item is None:
        return False
    if item.owner_id is not None:
        return item.owner_id == user.pk
    return selectors.is_recipient(item.note, user)


rules.add_perm("handoffs.write_note", is_person & is_member_of_team)
rules.add_perm("handoffs.view_note", is_person & (wrote_it | received_it | is_member_of_team))
rules.add_perm("handoffs.change_note", is_person & wrote_it)
rules.add_perm("handoffs.follow_up", is_person & (wrote_it | received_it))
rules.add_perm("handoffs.acknowledge_note", is_person & received_it)
rules.add_perm("handoffs.act_on_item", is_person & owns_item)
