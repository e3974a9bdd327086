"""Who may do what with on-call schedules: rules predicates, checked object by object.

* Read a schedule (layers, overrides, final answer, swaps): members of its team, people who
  take part in one of its layers, org managers and admins. "Who is on call now" for the
  whole org is open to everyone signed in.
* Edit a schedule (its layers, overrides for anyone, approve swaps): leads of its team, admins.
* Overrides for oneself: any member or participant (taking the pager).
* Swap requests: members and participants ask and take; leads/admins approve or decline.
"""

from __future__ import annotations

from collections.abc import Callable

import rules

from teams.models import TeamRole
from teams.permissions import is_org_admin, is_org_manager, is_person
from teams.selectors import team_ids_of


def schedule_ids_of(user) -> set[int]:
    """The schedules `user` takes part in (any layer version), cached on the user object."""
    from .models import Participation

    cache = getattr(user, "_oncall_schedule_ids", None)
    if cache is None:
        cache = set(Participation.objects.filter(person=user).values_list("schedule_id", flat=True))
        user._oncall_schedule_ids = cache
    return cache


def _schedule_id(obj) -> int | None:
    if obj is None:
        return None
    if hasattr(obj, "schedule_id") and not hasattr(obj, "team_id"):
        return obj.schedule_id
    if hasattr(obj, "team_id"):  # a Schedule
        return obj.pk
    return None


def _team_id(obj) -> int | None:
    """The team id behind a Team, Schedule or anything with a `schedule`."""
    if obj is None:
        return None
    if hasattr(obj, "schedule_id") and not hasattr(obj, "team_id"):
        obj = obj.schedule
    if hasattr(obj, "team_id"):
        return obj.team_id
    return getattr(obj, "pk", None)


@rules.predicate
def is_team_member_of(user, obj) -> bool:
    team_id = _team_id(obj)
    return team_id is not None and is_person(user) and team_id in team_ids_of(user)


@rules.predicate
def is_participant_of(user, obj) -> bool:
    schedule_id = _schedule_id(obj)
    return schedule_id is not None and is_person(user) and schedule_id in schedule_ids_of(user)


@rules.predicate
def is_lead_of(user, obj) -> bool:
    team_id = _team_id(obj)  # by id: a schedule's team need not be loaded
    return (
        team_id is not None and is_person(user) and team_id in team_ids_of(user, role=TeamRole.LEAD)
    )


@rules.predicate
def is_swap_requester(user, swap) -> bool:
    return swap is not None and swap.requester_id == user.pk


@rules.predicate
def is_override_own(user, override) -> bool:
    return override is not None and override.person_id == user.pk


can_read = is_org_manager | is_team_member_of | is_participant_of
takes_part = is_team_member_of | is_participant_of
can_edit = is_person & (is_org_admin | is_lead_of)

rules.add_perm("oncall.view_oncall_now", is_person)
rules.add_perm("oncall.view_schedule", is_person & can_read)


def schedule_readability(user) -> Callable[[int, int], bool]:
    """oncall.view_schedule for a list of schedules, as a test on (schedule id, team id):
    the viewer's half of the rule (a person at all, a manager) is asked once, not once per
    row through has_perm and the predicate combinators (about a fifth of "on call now" did
    that). The schedules the viewer takes part in are read only if a row needs them.
    tests/oncall/test_permissions.py checks it agrees with the rule."""
    if not is_person(user):
        return lambda schedule_id, team_id: False
    if is_org_manager(user):
        return lambda schedule_id, team_id: True
    teams = team_ids_of(user)
    return lambda schedule_id, team_id: team_id in teams or schedule_id in schedule_ids_of(user)


# Object: the team the schedule belongs (or will belong) to.
rules.add_perm("oncall.add_schedule", can_edit)
rules.add_perm("oncall.change_schedule", can_edit)
rules.add_perm("oncall.delete_schedule", can_edit)
# Object: the schedule. Overrides for someone else need change_schedule (checked by the API).
rules.add_perm("oncall.add_own_override", is_person & (takes_part | can_edit))
rules.add_perm("oncall.delete_override", can_edit | (is_person & is_override_own))
# Swaps. Object: the schedule (request/take), the swap (cancel/decide).
rules.add_perm("oncall.request_swap", is_person & takes_part)
rules.add_perm("oncall.take_swap", is_person & takes_part)
rules.add_perm("oncall.cancel_swap", is_person & (is_swap_requester | can_edit))
rules.add_perm("oncall.decide_swap", can_edit)
