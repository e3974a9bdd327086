"""Every read of handoffs that is more than a `get`, with its joins.

Resolving recipients (at the moment a note is sent): `next_oncall(schedule, at=, shift_end=)`
(the person who takes over the schedule, by oncall's final schedule) and
`team_next_day_people(team_id, at=, exclude=)` (the team's people whose working day starts
next). Checks the services make against rows: `team_for(team_id)`, `people_with_access`,
`schedule_of_team`, `projects_of_team`, `updates_of_team`, `items_to_carry`. The pages' and
API's reads: `note_for_page`, `waiting_for`, `sent_by`, `notes_of_schedule`,
`notes_of_project`. The sweeper's: `deliveries_due`, `reminders_due`, `escalations_due`,
`shift_prompts_due`, `day_prompts_due`.

The composer's digest: `digest_for(user, start=, end=, schedule_id=)` asks every registered
source (urgent updates, project status changes and updates, open items to carry, mentions of
me in chat). Chat sits below handoffs (DESIGN.md's layers), so its mentions are read here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth import get_user_model
from django.db.models import Max, Prefetch, Q, QuerySet

from core.compiled import CompiledQuery
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
    DEFAULT_PROMPT_MINUTES,
    OPEN_ITEM_STATUSES,
    HandoffFollowUp,
    HandoffItem,
    HandoffNote,
    HandoffPreferences,
    HandoffPrompt,
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


def as_rows(queryset: QuerySet) -> QuerySet:
    """A notes queryset (waiting_for, sent_by, ...) with only the joins a list row reads
    (presenters.note_row: team, author, recipients, items): the dashboard, the inbox and the
    history lists. The eleven joins and five prefetches of a whole note cost PostgreSQL more
    to plan than to run, for rows that show a title and two counts."""
    return (
        queryset.select_related(None)
        .prefetch_related(None)
        .select_related("team", "author__profile")
        .prefetch_related(
            Prefetch(
                "recipients",
                queryset=HandoffRecipient.objects.select_related("person__profile").order_by("id"),
            ),
            Prefetch("items", queryset=HandoffItem.objects.order_by("position", "id")),
        )
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


def _waiting(person_id: int, now: datetime) -> QuerySet:
    return HandoffNote.objects.filter(
        recipients__person_id=person_id,
        recipients__deliver_at__lte=now,
        recipients__acknowledged_at__isnull=True,
    ).order_by("sent_at", "id")


def waiting_for(user, *, now: datetime) -> QuerySet:
    """Notes delivered to `user` (their morning came) that they have not acknowledged, oldest
    first."""
    return _with_everything(_waiting(user.pk, now))


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


def _unacknowledged(author_id: int) -> QuerySet:
    return (
        HandoffNote.objects.filter(author_id=author_id, recipients__acknowledged_at__isnull=True)
        .distinct()
        .order_by("-sent_at", "-id")
    )


def sent_unacknowledged(user) -> QuerySet:
    """My notes that someone has not acknowledged yet (delivered or not), newest first."""
    return _with_everything(_unacknowledged(user.pk))


# The dashboard card's two lists as rows (as_rows), compiled once (core.compiled).
_WAITING_ROWS = CompiledQuery(
    lambda person_id, now, limit: as_rows(_waiting(person_id, now))[:limit]
)
_UNACKNOWLEDGED_ROWS = CompiledQuery(
    lambda author_id, limit: as_rows(_unacknowledged(author_id))[:limit]
)


def waiting_rows(user, *, now: datetime, limit: int) -> list[HandoffNote]:
    """The first `limit` of waiting_for(user) as list rows (as_rows)."""
    return _WAITING_ROWS.fetch(person_id=user.pk, now=now, fixed={"limit": limit})


def unacknowledged_rows(user, *, limit: int) -> list[HandoffNote]:
    """The first `limit` of sent_unacknowledged(user) as list rows (as_rows)."""
    return _UNACKNOWLEDGED_ROWS.fetch(author_id=user.pk, fixed={"limit": limit})


def last_notes_of_schedules(schedule_ids, *, team_ids) -> dict[int, HandoffNote]:
    """{schedule id: its latest note} for those of `schedule_ids` whose team is one of
    `team_ids` (the reader's: notes stay within their team). Two queries."""
    ids = list(schedule_ids)
    if not ids or not team_ids:
        return {}
    notes = _LAST_NOTES.fetch(schedule_ids=ids, team_ids=sorted(team_ids))
    return {note.schedule_id: note for note in notes}


def _last_notes(schedule_ids, team_ids) -> QuerySet:
    latest = (
        HandoffNote.objects.filter(schedule_id__in=schedule_ids, team_id__in=team_ids)
        .values("schedule_id")
        .annotate(last=Max("id"))
        .values("last")
    )
    return (
        HandoffNote.objects.filter(pk__in=latest)
        .select_related("author__profile", "schedule", "team")
        .prefetch_related(
            Prefetch(
                "recipients", queryset=HandoffRecipient.objects.select_related("person__profile")
            ),
            "items",
        )
    )


# On call now asks on every request, for a page of schedules (core.compiled).
_LAST_NOTES = CompiledQuery(_last_notes)


def project_by_slug(slug: str) -> Project | None:
    return Project.objects.filter(slug=slug).first()


# --- the digest the composer opens with -----------------------------------------------------------


@dataclass(frozen=True)
class DigestEntry:
    """Something of a shift or working day the next person may need. Ticked in the composer,
    it becomes one of the note's open items (an earlier note's open item is carried:
    `carried_from`), and its project or urgent update joins the note's context when it is of
    the note's team. `carries`: an open item of the schedule the note is about, which the note
    carries anyway (handoff_send's carry-over)."""

    key: str  # "update-12", "status-7", "projectupdate-3", "item-40": the checkbox value
    kind: str  # "urgent", "project", "item" (and what apps register: "mention")
    text: str  # the item's text when ticked
    detail: str  # a line for the composer; times are the presenter's (`at`)
    at: datetime
    url: str
    team_id: int | None = None
    carried_from: int | None = None
    project_id: int | None = None
    update_id: int | None = None
    carries: bool = False


DIGEST_LIMIT = 30  # per source: a week-long shift still fits beside the composer

# A source: (user, start, end, schedule_id) -> entries, one query each. The apps below
# handoffs are read by sources defined here (chat's mentions among them); apps above it
# (none yet) could add theirs with register_digest_source.
DigestSource = Callable[[object, datetime, datetime, int | None], list[DigestEntry]]
_digest_sources: list[DigestSource] = []


def register_digest_source(source: DigestSource) -> DigestSource:
    if source not in _digest_sources:
        _digest_sources.append(source)
    return source


def digest_for(
    user, *, start: datetime, end: datetime, schedule_id: int | None = None
) -> list[DigestEntry]:
    """What happened in [start, end) that the next person may need: every registered source's
    entries, each source's newest first, at most DIGEST_LIMIT each. One query per source."""
    entries: list[DigestEntry] = []
    for source in _digest_sources:
        entries.extend(source(user, start, end, schedule_id))
    return entries


def _who(user) -> str:
    profile = getattr(user, "profile", None) if user is not None else None
    if profile is not None and profile.display_name:
        return profile.display_name
    return "someone"


@register_digest_source
def _urgent_updates(user, start, end, schedule_id) -> list[DigestEntry]:
    """Urgent updates of my teams raised, acknowledged or resolved in the window."""
    from escalations.models import UpdateState
    from teams.selectors import team_ids_of

    teams = list(team_ids_of(user))
    if not teams:
        return []
    touched = (
        UrgentUpdate.objects.filter(team_id__in=teams)
        .filter(
            Q(created_at__gte=start, created_at__lt=end)
            | Q(acknowledged_at__gte=start, acknowledged_at__lt=end)
            | Q(resolved_at__gte=start, resolved_at__lt=end)
        )
        .select_related("project", "team", "raised_by__profile")
        .order_by("-created_at", "-id")[:DIGEST_LIMIT]
    )
    out = []
    for update in touched:
        where = update.project.name if update.project_id else update.team.name
        state = update.get_state_display().lower()
        if update.state == UpdateState.OPEN:
            state = "open, nobody has it yet"
        out.append(
            DigestEntry(
                key=f"update-{update.pk}",
                kind="urgent",
                text=f"Urgent update “{update.title}” ({where}): {state}"[:500],
                detail=f"{update.get_severity_display()} · raised by {_who(update.raised_by)}",
                at=update.created_at,
                url=f"/urgent/{update.pk}/",
                team_id=update.team_id,
                update_id=update.pk,
                project_id=update.project_id,
            )
        )
    return out


def _my_projects(user) -> QuerySet:
    from projects.models import Watch

    return Project.objects.filter(
        Q(owner_id=user.pk)
        | Q(acting_owner_id=user.pk)
        | Q(pk__in=Watch.objects.filter(person_id=user.pk).values("project_id"))
    ).values("pk")


@register_digest_source
def _project_status_changes(user, start, end, schedule_id) -> list[DigestEntry]:
    """Status changes of the projects I own, act for or watch."""
    from projects.models import HistoryKind, ProjectHistory

    changes = (
        ProjectHistory.objects.filter(
            project_id__in=_my_projects(user),
            kind=HistoryKind.STATUS,
            at__gte=start,
            at__lt=end,
        )
        .select_related("project", "actor__profile")
        .order_by("-at", "-id")[:DIGEST_LIMIT]
    )
    from projects.models import ProjectStatus

    label = dict(ProjectStatus.choices)

    def status(value: str) -> str:
        return label.get(value, value or "—").lower()

    return [
        DigestEntry(
            key=f"status-{change.pk}",
            kind="project",
            text=f"{change.project.name}: {status(change.before)} → {status(change.after)}"[:500],
            detail=f"{change.project.name} · status changed by {_who(change.actor)}",
            at=change.at,
            url=f"/projects/{change.project.slug}/",
            team_id=change.project.team_id,
            project_id=change.project_id,
        )
        for change in changes
    ]


@register_digest_source
def _project_updates(user, start, end, schedule_id) -> list[DigestEntry]:
    """Status updates posted on the projects I own, act for or watch."""
    from projects.models import ProjectUpdate

    posted = (
        ProjectUpdate.objects.filter(
            project_id__in=_my_projects(user), created_at__gte=start, created_at__lt=end
        )
        .select_related("project", "author__profile")
        .order_by("-created_at", "-id")[:DIGEST_LIMIT]
    )
    return [
        DigestEntry(
            key=f"projectupdate-{update.pk}",
            kind="project",
            text=f"{update.project.name}: {update.get_health_display().lower()} "
            f"(update by {_who(update.author)})"[:500],
            detail=f"{update.project.name} · update by {_who(update.author)} · "
            f"{update.get_health_display().lower()}",
            at=update.created_at,
            url=f"/projects/{update.project.slug}/",
            team_id=update.project.team_id,
            project_id=update.project_id,
        )
        for update in posted
    ]


@register_digest_source
def _open_items(user, start, end, schedule_id) -> list[DigestEntry]:
    """Open items that would carry over: those of my teams' notes about `schedule_id` or about
    projects I own or act for, and every open item that is mine, whenever it was written (an
    open item is news until it is done)."""
    from teams.selectors import team_ids_of

    teams = list(team_ids_of(user))
    if not teams:
        return []
    owned_projects = Project.objects.filter(
        Q(owner_id=user.pk) | Q(acting_owner_id=user.pk)
    ).values("pk")
    about = Q(owner_id=user.pk) | Q(note__projects__in=owned_projects)
    if schedule_id is not None:
        about |= Q(note__schedule_id=schedule_id)
    items = (
        HandoffItem.objects.filter(
            about,
            note__team_id__in=teams,
            status__in=OPEN_ITEM_STATUSES,
            carried_to__isnull=True,
            note__sent_at__lt=end,
        )
        .select_related("note", "owner__profile")
        .distinct()
        .order_by("-note__sent_at", "-note_id", "position")[:DIGEST_LIMIT]
    )
    out = []
    for item in items:
        owner = f" · {_who(item.owner)} has it" if item.owner_id else " · nobody has it yet"
        out.append(
            DigestEntry(
                key=f"item-{item.pk}",
                kind="item",
                text=item.text,
                detail=f"Open item of “{item.note.title}”{owner}",
                at=item.note.sent_at,
                url=f"/handoffs/{item.note_id}/#item-{item.pk}",
                team_id=item.note.team_id,
                carried_from=item.pk,
                carries=schedule_id is not None and item.note.schedule_id == schedule_id,
            )
        )
    return out


# How long a mention's message is quoted in the digest (plain text, on one line).
MENTION_SNIPPET = 140


def _chat_url(room_id: int, seq: int) -> str:
    # The message on its room's page, the address chat's mention notifications link to.
    from django.urls import reverse

    return reverse("chat-room", kwargs={"pk": room_id}) + f"#m{seq}"


def _chat_room_title(room, author_name: str) -> str:
    """The room as the digest names it: "#Support", "#Payments API", "#war-room", or
    "Direct message from Sam"."""
    from chat.models import RoomKind
    from chat.presenters import room_title

    if room.kind == RoomKind.DIRECT:
        return f"Direct message from {author_name}"
    return room_title(room)


def _snippet(message, names: dict[str, str]) -> str:
    """The message as plain text on one line (its rendered markdown without the markup),
    people's @usernames written as their names, cut after a word within MENTION_SNIPPET
    characters."""
    from html import unescape

    from django.utils.html import strip_tags

    from chat.mentions import replace_names

    text = unescape(strip_tags(message.body_html)) if message.body_html else message.body
    text = " ".join(replace_names(text, names).split())
    if len(text) > MENTION_SNIPPET:
        cut = text[: MENTION_SNIPPET - 1]
        if text[MENTION_SNIPPET - 1] != " " and " " in cut[MENTION_SNIPPET // 2 :]:
            cut = cut.rsplit(" ", 1)[0]  # not inside a word (unless it is a very long one)
        text = cut.rstrip() + "…"
    return text


@register_digest_source
def _chat_mentions(user, start, end, schedule_id) -> list[DigestEntry]:
    """Where I was mentioned in chat (messages not deleted since): chat's own read, which
    joins the rooms' teams and projects the titles need (one query)."""
    from chat.models import RoomKind
    from chat.selectors import mentions_of
    from core.timefmt import fmt_local_for

    mentions = mentions_of(user, start=start, end=end, limit=DIGEST_LIMIT)
    me = _who(user)
    out = []
    for mention in mentions:
        message = mention.message
        room, author = message.room, message.author
        who = _who(author)
        profile = getattr(author, "profile", None) if author is not None else None
        when = f" ({fmt_local_for(profile, mention.created_at, day=True)})" if profile else ""
        # The author's @username and mine are written as our names (anyone else's stays as
        # written: naming them would cost the source a second query).
        names = {user.get_username().lower(): me}
        if author is not None:
            names[author.get_username().lower()] = who
        title = _chat_room_title(room, who)
        topic = message.topic.name
        snippet = _snippet(message, names)
        project = room.project if room.project_id else None
        if room.kind == RoomKind.DIRECT:
            text = f"{title} › {topic}: “{snippet}”"
            detail = f"Direct message from {who}{when} › {topic}"
        else:
            text = f"Mentioned by {who} in {title} › {topic}: “{snippet}”"
            detail = f"{who}{when} in {title} › {topic}"
        out.append(
            DigestEntry(
                key=f"mention-{mention.pk}",
                kind="mention",
                text=text[:500],
                detail=detail,
                at=mention.created_at,
                url=_chat_url(room.pk, message.seq),
                team_id=project.team_id if project is not None else room.team_id,
                project_id=project.pk if project is not None else None,
            )
        )
    return out


# --- prompts ------------------------------------------------------------------------------------


def prompt_minutes_of(person_ids) -> dict[int, int]:
    """{person id: minutes before the end they are asked}, for those with a preference."""
    return dict(
        HandoffPreferences.objects.filter(user_id__in=list(person_ids)).values_list(
            "user_id", "prompt_minutes"
        )
    )


def prompt_minutes(user) -> int:
    return prompt_minutes_of([user.pk]).get(user.pk, DEFAULT_PROMPT_MINUTES)


def longest_prompt_minutes() -> int:
    longest = HandoffPreferences.objects.aggregate(m=Max("prompt_minutes"))["m"]
    return max(longest or 0, DEFAULT_PROMPT_MINUTES)


def prompt_of(user, pk: int) -> HandoffPrompt | None:
    """`user`'s own prompt `pk` (nobody opens another's), with its schedule."""
    return HandoffPrompt.objects.filter(pk=pk, person_id=user.pk).select_related("schedule").first()


def prompts_of(user, *, since: datetime) -> list[HandoffPrompt]:
    return list(
        HandoffPrompt.objects.filter(person_id=user.pk, created_at__gte=since).order_by(
            "-created_at", "-id"
        )[:100]
    )


def latest_open_prompt(user, *, now: datetime) -> HandoffPrompt | None:
    """`user`'s newest prompt of the last day that no note answered yet."""
    from datetime import timedelta

    return (
        HandoffPrompt.objects.filter(
            person_id=user.pk, note__isnull=True, created_at__gte=now - timedelta(days=1)
        )
        .select_related("schedule")
        .order_by("-created_at", "-id")
        .first()
    )


def existing_prompt_keys(keys) -> set[str]:
    return set(HandoffPrompt.objects.filter(key__in=list(keys)).values_list("key", flat=True))


def people_with_open_items() -> list:
    """Active people who own an open item, or received a note with an open item nobody owns
    (two queries; with their profiles)."""
    owners = HandoffItem.objects.filter(
        status__in=OPEN_ITEM_STATUSES, carried_to__isnull=True, owner__isnull=False
    ).values("owner_id")
    unowned_notes = HandoffItem.objects.filter(
        status__in=OPEN_ITEM_STATUSES, carried_to__isnull=True, owner__isnull=True
    ).values("note_id")
    receivers = HandoffRecipient.objects.filter(
        note_id__in=unowned_notes, delivered_at__isnull=False
    ).values("person_id")
    return list(
        User.objects.filter(Q(pk__in=owners) | Q(pk__in=receivers), is_active=True)
        .exclude(profile__isnull=True)
        .select_related("profile")
    )


def noted_shifts(pairs) -> set[tuple[int, int, datetime]]:
    """Of (author, schedule, shift end) triples, those a note already covers."""
    pairs = list(pairs)
    if not pairs:
        return set()
    about = Q()
    for author, schedule, end in pairs:
        about |= Q(author_id=author, schedule_id=schedule, shift_end=end)
    return set(
        HandoffNote.objects.filter(about).values_list("author_id", "schedule_id", "shift_end")
    )


@dataclass(frozen=True)
class DuePrompt:
    person: object  # a User with its profile
    kind: str
    period_start: datetime
    period_end: datetime
    key: str
    schedule: Schedule | None = None
    urgent: bool = False
    open_items: int = 0


# A beat or worker restart delays a prompt, never drops it: it is still sent this long after
# the end it is about.
PROMPT_CATCH_UP_MINUTES = 30


def _iso(instant: datetime) -> str:
    from datetime import UTC

    return instant.astimezone(UTC).isoformat().replace("+00:00", "Z")


def shift_prompts_due(*, now: datetime) -> list[DuePrompt]:
    """The on-call people whose shift ends within their prompt lead (or ended within the
    catch-up), not prompted for it yet and with no note about that shift: one per schedule,
    person and end instant. The shift's true edges come from oncall's final schedule (layers,
    overrides, swaps), read in a window around now; only edges strictly inside it count."""
    from datetime import timedelta

    from oncall.selectors import final_from_data

    catch_up = timedelta(minutes=PROMPT_CATCH_UP_MINUTES)
    a = now - catch_up - timedelta(minutes=1)
    b = now + timedelta(minutes=longest_prompt_minutes() + 1)
    schedules = list(Schedule.objects.all())
    data = load_schedules(schedules, a, b)
    ending = []
    for schedule in schedules:
        for seg in final_from_data(data[schedule.pk], a, b):
            if seg.person is not None and a < seg.end < b and now - catch_up <= seg.end:
                ending.append((schedule, seg))
    if not ending:
        return []
    people = {
        p.pk: p
        for p in User.objects.filter(
            pk__in={seg.person for _, seg in ending}, is_active=True, profile__isnull=False
        ).select_related("profile")
    }
    leads = prompt_minutes_of(people)
    keys = {
        (s.pk, seg.person, seg.end): f"prompt:shift:{s.pk}:{seg.person}:{_iso(seg.end)}"
        for s, seg in ending
    }
    sent = existing_prompt_keys(keys.values())
    covered = noted_shifts((seg.person, s.pk, seg.end) for s, seg in ending)
    due = []
    for schedule, seg in ending:
        person = people.get(seg.person)
        lead = leads.get(seg.person, DEFAULT_PROMPT_MINUTES)
        key = keys[(schedule.pk, seg.person, seg.end)]
        if person is None or lead == 0 or seg.end - now > timedelta(minutes=lead):
            continue
        if key in sent or (seg.person, schedule.pk, seg.end) in covered:
            continue
        start = seg.start
        if start <= a:  # begun before the window: its true start, 14 days back at most
            whole = load_schedules([schedule])[schedule.pk]
            start = oncall_from_data(whole, seg.end - timedelta(seconds=1)).start
        start = max(start, seg.end - timedelta(days=14))
        ranges, zone = worktime.hours_of(person.profile)
        at_work = worktime.is_at_work(ranges, zone, now)
        due.append(
            DuePrompt(
                person=person,
                kind="shift_end",
                schedule=schedule,
                period_start=start,
                period_end=seg.end,
                key=key,
                urgent=not at_work,
            )
        )
    return due


def day_prompts_due(*, now: datetime) -> list[DuePrompt]:
    """People with open items whose working day ends within their prompt lead (or ended
    within the catch-up): once per person and local date, unless they wrote a note or were
    prompted (a shift end) since that day began. People without working hours on record have
    no day's end and are not asked."""
    from datetime import timedelta

    catch_up = timedelta(minutes=PROMPT_CATCH_UP_MINUTES)
    people = people_with_open_items()
    if not people:
        return []
    leads = prompt_minutes_of(p.pk for p in people)
    candidates = []
    for person in people:
        lead = leads.get(person.pk, DEFAULT_PROMPT_MINUTES)
        if lead == 0:
            continue
        ranges, zone = worktime.hours_of(person.profile)
        today = now.astimezone(zone).date()
        for day in (today - timedelta(days=1), today):
            span = worktime.working_day(ranges, zone, day)
            if span is None:
                continue
            start, end = span
            if end - timedelta(minutes=lead) <= now <= end + catch_up:
                key = f"prompt:day:{person.pk}:{day.isoformat()}"
                candidates.append((person, start, end, key))
    if not candidates:
        return []
    sent = existing_prompt_keys(key for *_, key in candidates)
    earliest = min(start for _, start, _, _ in candidates)
    ids = [person.pk for person, *_ in candidates]
    wrote = _sent_notes_at(ids, earliest)
    prompted = _prompts_at(ids, earliest)
    counts = open_item_counts(ids)
    due = []
    for person, start, end, key in candidates:
        if key in sent:
            continue
        if any(t >= start for t in wrote.get(person.pk, ())) or any(
            t >= start for t in prompted.get(person.pk, ())
        ):
            continue
        due.append(
            DuePrompt(
                person=person,
                kind="day_end",
                period_start=start,
                period_end=end,
                key=key,
                open_items=counts.get(person.pk, 0),
            )
        )
    return due


def _sent_notes_at(person_ids, since: datetime) -> dict[int, list[datetime]]:
    out: dict[int, list[datetime]] = {}
    for author, at in HandoffNote.objects.filter(
        author_id__in=person_ids, sent_at__gte=since
    ).values_list("author_id", "sent_at"):
        out.setdefault(author, []).append(at)
    return out


def _prompts_at(person_ids, since: datetime) -> dict[int, list[datetime]]:
    out: dict[int, list[datetime]] = {}
    for person, at in HandoffPrompt.objects.filter(
        person_id__in=person_ids, created_at__gte=since
    ).values_list("person_id", "created_at"):
        out.setdefault(person, []).append(at)
    return out


def open_item_counts(person_ids) -> dict[int, int]:
    """{person: their open items}: owned by them, or unowned on a note they received."""
    ids = list(person_ids)
    counts: dict[int, set[int]] = {pk: set() for pk in ids}
    base = HandoffItem.objects.filter(status__in=OPEN_ITEM_STATUSES, carried_to__isnull=True)
    for item, owner in base.filter(owner_id__in=ids).values_list("pk", "owner_id"):
        counts[owner].add(item)
    for item, person in base.filter(
        owner__isnull=True,
        note__recipients__person_id__in=ids,
        note__recipients__delivered_at__isnull=False,
    ).values_list("pk", "note__recipients__person_id"):
        counts[person].add(item)
    return {pk: len(items) for pk, items in counts.items()}
