"""Who may do what in chat: rules predicates, object by object.

* Read a room and post in it (object: the Room): the people in it (chat.selectors.can_read:
  a team room's team members; a project room's team members, owners and watchers; a private
  room's or direct conversation's members who have not left). Nobody else, managers and
  admins included: conversations are not an org-wide record.
* Edit a message: its author only.
* Delete a message: its author, or a lead of the room's team (moderation).
* Moderate a room's topics (resolve, rename, move; object: the Room): a lead of a team or
  project room's team; a private room's creator while in it; either person of a direct
  conversation. Moving a topic also needs moderating the room it goes to.
"""

from __future__ import annotations

import rules

from teams.permissions import is_person
from teams.selectors import team_ids_of

from . import selectors


@rules.predicate
def in_room(user, room) -> bool:
    return room is not None and selectors.can_read(user, room)


@rules.predicate
def wrote_it(user, message) -> bool:
    return message is not None and message.author_id == user.pk


@rules.predicate
def leads_the_rooms_team(user, message) -> bool:
    from teams.models import TeamRole

    if message is None:
        return False
    team_id = selectors.room_team_id(message.room)
    return team_id is not None and team_id in team_ids_of(user, role=TeamRole.LEAD)


rules.add_perm("chat.read_room", is_person & in_room)
rules.add_perm("chat.post", is_person & in_room)
rules.add_perm("chat.edit_message", is_person & wrote_it)
rules.add_perm("chat.delete_message", is_person & (wrote_it | leads_the_rooms_team))
rules.add_perm("chat.moderate", is_person & leads_the_rooms_team)


@rules.predicate
def moderates_room(user, room) -> bool:
    from teams.models import TeamRole

    if room is None:
        return False
    team_id = selectors.room_team_id(room)
    if team_id is not None:
        return team_id in team_ids_of(user, role=TeamRole.LEAD)
    if room.kind == "private" and room.created_by_id != user.pk:
        return False
    return selectors.can_read(user, room)


rules.add_perm("chat.moderate_room", is_person & moderates_room)
