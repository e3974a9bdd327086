"""Every read of handoffs that is more than a `get`, with its joins.

Resolving recipients (at the moment a note is sent): `next_oncall(schedule, at=, shift_end=)`
(the person who takes over the schedule, by oncall's final schedule) and
`team_next_day_people(team_id, at=, exclude=)` (the team's people whose working day starts
next). Checks the services make against rows: `team_for(team_id)`, `people_with_access`,
`schedule_of_team`, `projects_of_team`, `updates_of_team`, `items_to_carry`. The pages' and
API's reads: `note_for_page`, `waiting_for`, `sent_by`, `notes_of_schedule`,
`notes_of_project`. The sweeper's: `deliveries_due`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth import get_user_model
from django.db.models import Prefetch, Q, QuerySet

from escalations.models import UrgentUpdate
from escalations.selectors import people_with_team_access
from oncall import rotation
from oncall.models import Schedule
from oncall.selectors import load_schedules, oncall_from_data
from projects.models import Project
from teams.models import Membership, Team
from teams.selectors import person_local_status

from . import worktime
from .models import (
    OPEN_ITEM_STATUSES,
    HandoffFollowUp,
    HandoffItem,
    HandoffNote,
    HandoffRecipient,
)

User = get_user_model()

# People whose next working day starts within this much of the earliest one's are "next"
# together (one region's morning: Sydney and Melbourne, London and Lisbon).
SAME_MORNING_MINUTES = 90


def team_for(team_id) -> Team | None:
    return Team.objects.filter(pk=team_id).first() if isinstance(team_id, int) else None


def people_with_access(team_id: int, person_ids) -> dict[int, bool]:
    """{id: may receive the team's notes}: its active members and the org's managers and
    admins, as for being paged by its escalation policy (one query per table)."""
    return people_with_team_access(team_id, person_ids)


def people_by_id(ids) -> dict[int, object]:
    ids = {pk for pk in ids if pk is not None}
    if not ids:
        return {}
    return {u.pk: u for u in User.objects.filter(pk__in=ids).select_related("profile")}


def is_team_member(team_id: int, person_id: int) -> bool:
    return Membership.objects.filter(
        team_id=team_id, person_id=person_id, person__is_active=True
    ).exists()


def schedule_by_id(pk: int) -> Schedule | None:
    return Schedule.objects.filter(pk=pk).select_related("team").first()


def schedule_of_team(team_id: int, schedule_id: int) -> Schedule | None:
    return Schedule.objects.filter(pk=schedule_id, team_id=team_id).first()


def projects_of_team(team_id: int, ids: list[int]) -> list[Project]:
    return list(Project.objects.filter(team_id=team_id, pk__in=ids))


def updates_of_team(team_id: int, ids: list[int]) -> list[UrgentUpdate]:
    return list(UrgentUpdate.objects.filter(team_id=team_id, pk__in=ids))


# --- resolving recipients ---------------------------------------------------------------------


@dataclass(frozen=True)
class NextOncall:
    person_id: int
    start: datetime  # when their shift starts (may be now or past when it already began)


def next_oncall(schedule: Schedule, *, at: datetime, shift_end: datetime | None = None):
    """Who takes over `schedule` next, by its final schedule (layers, overrides, swaps): the
    person on call at `shift_end` when the note is about a shift of this schedule, else the
    person of the first segment with someone on call after the one running at `at`. None when
    the schedule has nobody within oncall's horizon. Two queries."""
    horizon = rotation.ONCALL_HORIZON
    data = load_schedules([schedule], at - horizon, at + 2 * horizon)[schedule.pk]
    if shift_end is not None:
        current = oncall_from_data(data, shift_end, need_start=True)
        if current.person is not None:
            return NextOncall(current.person, current.start)
        look_from = current.end
    else:
        look_from = oncall_from_data(data, at, need_start=False).end
    for _ in range(50):  # past gaps
        if look_from is None or look_from > at + 2 * horizon:
            return None
        segment = oncall_from_data(data, look_from, need_start=False)
        if segment.person is not None:
            return NextOncall(segment.person, look_from)
        look_from = segment.end
    return None


@dataclass(frozen=True)
class NextDayPerson:
    person: object  # a User with its profile
    starts: datetime | None  # their next working day's start; None: at work now


def team_next_day_people(team_id: int, *, at: datetime, exclude=()) -> list[NextDayPerson]:
    """The team's active people (but `exclude`) whose working day starts next after `at`: the
    earliest next day start, and everyone whose start is within SAME_MORNING_MINUTES of it.
    When nobody has a next day ahead (everyone works around the clock or has no hours on
    record), those at work now. One query."""
    rows = (
        Membership.objects.filter(team_id=team_id, person__is_active=True)
        .exclude(person_id__in=list(exclude))
        .select_related("person__profile")
        .order_by("person__profile__display_name", "person_id")
    )
    starts, at_work = [], []
    for membership in rows:
        person = membership.person
        profile = getattr(person, "profile", None)
        if profile is None:
            continue
        ranges, zone = worktime.hours_of(profile)
        start = worktime.next_day_start(ranges, zone, at)
        if start is None:
            at_work.append(NextDayPerson(person, None))
        else:
            starts.append(NextDayPerson(person, start))
    if not starts:
        return at_work
    first = min(p.starts for p in starts)
    window = first.timestamp() + SAME_MORNING_MINUTES * 60
    return [p for p in starts if p.starts.timestamp() <= window]


# --- carrying open items ------------------------------------------------------------------------


def items_to_carry(*, team_id: int, schedule_id: int | None, project_ids) -> list[HandoffItem]:
    """Open items of the team's earlier notes about the same schedule or any of the same
    projects that no later note carried yet, oldest first (one query)."""
    about = Q()
    if schedule_id is not None:
        about |= Q(note__schedule_id=schedule_id)
    project_ids = list(project_ids)
    if project_ids:
        about |= Q(note__projects__in=project_ids)
    if not about:
        return []
    return list(
        HandoffItem.objects.filter(
            about,
            note__team_id=team_id,
            status__in=OPEN_ITEM_STATUSES,
            carried_to__isnull=True,
        )
        .select_related("note", "owner__profile")
        .distinct()
        .order_by("note__sent_at", "note_id", "position")
    )


def items_by_id(ids) -> dict[int, HandoffItem]:
    ids = [pk for pk in ids if pk is not None]
    if not ids:
        return {}
    return {
        item.pk: item
        for item in HandoffItem.objects.filter(pk__in=ids).select_related("note", "carried_to")
    }


# --- pages and API ------------------------------------------------------------------------------

_NOTE_JOINS = ("team", "author__profile", "schedule", "recipients_schedule", "recipients_team")


def _with_everything(queryset: QuerySet) -> QuerySet:
    return queryset.select_related(*_NOTE_JOINS).prefetch_related(
        Prefetch(
            "recipients",
            queryset=HandoffRecipient.objects.select_related("person__profile").order_by("id"),
        ),
        Prefetch(
            "items",
            queryset=HandoffItem.objects.select_related(
                "owner__profile", "acted_by__profile", "carried_from__note"
            ).order_by("position", "id"),
        ),
        Prefetch(
            "follow_ups",
            queryset=HandoffFollowUp.objects.select_related("author__profile").order_by(
                "created_at", "id"
            ),
        ),
        "projects",
        "urgent_updates",
    )


def note_for_page(pk: int) -> HandoffNote | None:
    """A note with its recipients, items, follow-ups and context (a fixed number of queries)."""
    return _with_everything(HandoffNote.objects.filter(pk=pk)).first()


def note_locked(pk: int) -> HandoffNote:
    """The note, locked until the transaction ends (acknowledgements, edits and the sweepers
    take this lock first, so they never cross)."""
    return HandoffNote.objects.select_for_update(of=("self",)).select_related("team").get(pk=pk)


def recipient_of(note: HandoffNote, person) -> HandoffRecipient | None:
    return HandoffRecipient.objects.filter(
        note=note, person_id=getattr(person, "pk", person)
    ).first()


def is_recipient(note: HandoffNote, user) -> bool:
    cached = getattr(note, "_prefetched_objects_cache", {}).get("recipients")
    if cached is not None:
        return any(r.person_id == user.pk for r in cached)
    return HandoffRecipient.objects.filter(note=note, person_id=user.pk).exists()


def waiting_for(user, *, now: datetime) -> QuerySet:
    """Notes delivered to `user` (their morning came) that they have not acknowledged, oldest
    first."""
    return _with_everything(
        HandoffNote.objects.filter(
            recipients__person_id=user.pk,
            recipients__deliver_at__lte=now,
            recipients__acknowledged_at__isnull=True,
        )
    ).order_by("sent_at", "id")


def sent_by(user) -> QuerySet:
    return _with_everything(HandoffNote.objects.filter(author_id=user.pk)).order_by(
        "-sent_at", "-id"
    )


def notes_of_schedule(schedule_id: int) -> QuerySet:
    return _with_everything(HandoffNote.objects.filter(schedule_id=schedule_id)).order_by(
        "-sent_at", "-id"
    )


def notes_of_project(project_id: int) -> QuerySet:
    return _with_everything(HandoffNote.objects.filter(projects=project_id)).order_by(
        "-sent_at", "-id"
    )


# --- the sweeper ----------------------------------------------------------------------------------


def deliveries_due(*, now: datetime, limit: int) -> list[int]:
    """Ids of recipients whose note is due to reach them and has not, oldest first."""
    return list(
        HandoffRecipient.objects.filter(delivered_at__isnull=True, deliver_at__lte=now)
        .order_by("deliver_at", "id")
        .values_list("pk", flat=True)[:limit]
    )


def reminders_due(*, now: datetime, limit: int) -> list[int]:
    """Ids of delivered, unacknowledged recipients whose reminder time came, oldest first."""
    return list(
        HandoffRecipient.objects.filter(
            delivered_at__isnull=False,
            acknowledged_at__isnull=True,
            reminded_at__isnull=True,
            remind_at__lte=now,
        )
        .order_by("remind_at", "id")
        .values_list("pk", flat=True)[:limit]
    )


def escalations_due(*, now: datetime, limit: int) -> list[int]:
    """Ids of delivered, unacknowledged recipients whose escalation time came, oldest first."""
    return list(
        HandoffRecipient.objects.filter(
            delivered_at__isnull=False,
            acknowledged_at__isnull=True,
            escalated_at__isnull=True,
            escalate_at__lte=now,
        )
        .order_by("escalate_at", "id")
        .values_list("pk", flat=True)[:limit]
    )


def recipient_locked(pk: int, **still) -> HandoffRecipient | None:
    """The recipient row, locked (None when another sweep holds it, or it no longer matches
    `still`: acknowledged, delivered, reminded or escalated meanwhile)."""
    return (
        HandoffRecipient.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(pk=pk, **still)
        .select_related("note__team", "note__author__profile", "person__profile")
        .first()
    )


@dataclass(frozen=True)
class EscalationTargets:
    people: list  # Users with profiles
    reason: str  # for the timeline of the note: who and why
    wake: bool  # nobody is awake: these are woken (an urgent notification)


def _leads(team_ids, *, exclude) -> list:
    rows = (
        Membership.objects.filter(team_id__in=list(team_ids), role="lead", person__is_active=True)
        .exclude(person_id__in=list(exclude))
        .select_related("person__profile", "team")
        .order_by("team_id", "person__profile__display_name", "person_id")
    )
    return [m for m in rows if getattr(m.person, "profile", None) is not None]


def escalation_targets(note: HandoffNote, *, at: datetime, exclude=()) -> EscalationTargets:
    """Who hears that a recipient left a note unacknowledged, never someone asleep unless
    nobody is awake: the note's team's leads who are working; else the leads, working now, of
    the teams next to it (its parent, its sub-teams, its sibling teams: the next region's
    team); else the team's leads who are not asleep; else, as nobody is awake, the team's
    leads all the same (woken). Three queries."""
    exclude = set(exclude)
    own = _leads([note.team_id], exclude=exclude)
    working = [m.person for m in own if person_local_status(m.person.profile, at=at).working]
    if working:
        return EscalationTargets(working, f"{note.team.name}'s leads at work", wake=False)
    team = note.team
    related = Team.objects.filter(
        Q(pk=team.parent_id)
        | Q(parent_id=team.pk)
        | Q(parent_id=team.parent_id, parent__isnull=False)
    ).exclude(pk=team.pk)
    others = _leads(related.values_list("pk", flat=True), exclude=exclude)
    next_team = [m for m in others if person_local_status(m.person.profile, at=at).working]
    if next_team:
        names = sorted({m.team.name for m in next_team})
        return EscalationTargets(
            [m.person for m in next_team], f"the leads of {', '.join(names)}, at work", wake=False
        )
    awake = [
        m.person for m in own if not person_local_status(m.person.profile, at=at).probably_asleep
    ]
    if awake:
        return EscalationTargets(awake, f"{note.team.name}'s leads (awake)", wake=False)
    return EscalationTargets(
        [m.person for m in own], f"{note.team.name}'s leads (nobody is awake)", wake=True
    )


# --- the composer's choices -----------------------------------------------------------------------


def composer_choices(user) -> dict[str, list[tuple[int, str]]]:
    """What the composer offers `user`: their teams, the people of those teams (but them),
    those teams' schedules and open projects, and every team (for "a team's next working
    day"). Five queries."""
    from projects.models import OPEN_STATUSES
    from teams.selectors import team_choices, team_ids_of

    mine = sorted(team_ids_of(user))
    teams = [(pk, name) for pk, name in team_choices() if pk in set(mine)]
    people = (
        User.objects.filter(memberships__team_id__in=mine, is_active=True, profile__isnull=False)
        .exclude(pk=user.pk)
        .distinct()
        .order_by("profile__display_name", "pk")
        .values_list("pk", "profile__display_name", "profile__time_zone")
    )
    schedules = Schedule.objects.filter(team_id__in=mine).order_by("name", "pk")
    projects = Project.objects.filter(team_id__in=mine, status__in=OPEN_STATUSES).order_by(
        "name", "pk"
    )
    return {
        "teams": teams,
        "people": [(pk, f"{name} ({zone})") for pk, name, zone in people],
        "schedules": list(schedules.values_list("pk", "name")),
        "projects": list(projects.values_list("pk", "name")),
        "all_teams": team_choices(),
    }


def received_by(user) -> QuerySet:
    """Every note sent to `user` (delivered or not yet), newest first."""
    return _with_everything(HandoffNote.objects.filter(recipients__person_id=user.pk)).order_by(
        "-sent_at", "-id"
    )


def notes_of_teams(team_ids) -> QuerySet:
    return _with_everything(HandoffNote.objects.filter(team_id__in=list(team_ids))).order_by(
        "-sent_at", "-id"
    )


def sent_unacknowledged(user) -> QuerySet:
    """My notes that someone has not acknowledged yet (delivered or not), newest first."""
    return _with_everything(
        HandoffNote.objects.filter(
            author_id=user.pk, recipients__acknowledged_at__isnull=True
        ).distinct()
    ).order_by("-sent_at", "-id")


def last_notes_of_schedules(schedule_ids, *, team_ids) -> dict[int, HandoffNote]:
    """{schedule id: its latest note} for those of `schedule_ids` whose team is one of
    `team_ids` (the reader's: notes stay within their team). Two queries."""
    from django.db.models import Max

    ids = list(schedule_ids)
    if not ids or not team_ids:
        return {}
    latest = (
        HandoffNote.objects.filter(schedule_id__in=ids, team_id__in=list(team_ids))
        .values("schedule_id")
        .annotate(last=Max("id"))
        .values("last")
    )
    notes = (
        HandoffNote.objects.filter(pk__in=latest)
        .select_related("author__profile", "schedule", "team")
        .prefetch_related(
            Prefetch(
                "recipients", queryset=HandoffRecipient.objects.select_related("person__profile")
            ),
            "items",
        )
    )
    return {note.schedule_id: note for note in notes}


def project_by_slug(slug: str) -> Project | None:
    return Project.objects.filter(slug=slug).first()
