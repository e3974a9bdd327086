"""Every read of escalations that is more than a `get`, with its joins.

The engine's reads: `policy_snapshot(team_id=, project_id=)` (the policy in force, copied at
raise time) and `firing_context(update, at=)` + `resolve_targets(context, update, targets)`:
who a step's targets are at one instant. A firing costs the same handful of queries whatever
the number of targets or of steps it runs through (a step that reaches nobody moves on at
once, in the same firing): the team's members, its schedules and who is on call on them, and
the other people the snapshot names.

The pages' and API's reads: `update_for_page`, `timeline_of`, `steps_of`, `updates_for_list`,
`open_updates_for_teams` (the cards), `unacknowledged_for_teams` (the dashboard's flag),
`policies_of_team`, the integration keys' (`live_integration_key`: by hash, in constant time).
"""

from __future__ import annotations

import hmac
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.db.models import Case, F, IntegerField, Prefetch, Q, QuerySet, Value, When
from django.utils import timezone

from core.compiled import CompiledQuery
from oncall.models import Schedule
from oncall.rotation import ONCALL_HORIZON
from oncall.selectors import load_schedules, oncall_from_data
from teams.models import Membership, OrgRole, TeamRole
from teams.selectors import person_local_status

from . import routing, validation
from .models import (
    ACTIVE_STATES,
    EntryKind,
    EscalationPolicy,
    EscalationStep,
    IntegrationKey,
    PolicyStep,
    PolicyTarget,
    StepStatus,
    TargetKind,
    TimelineEntry,
    UpdateState,
    UrgentUpdate,
)

User = get_user_model()

_UPDATE_JOINS = (
    "team",
    "project",
    "raised_by__profile",
    "acknowledged_by__profile",
    "resolved_by__profile",
    "cancelled_by__profile",
)
_ACTIVE_UPDATE_JOINS = ("team", "project", "raised_by__profile", "acknowledged_by__profile")


# --- policies ---------------------------------------------------------------------------------


def _with_steps(queryset: QuerySet) -> QuerySet:
    return queryset.prefetch_related(
        Prefetch(
            "steps",
            queryset=PolicyStep.objects.order_by("position").prefetch_related(
                Prefetch("targets", queryset=PolicyTarget.objects.order_by("position"))
            ),
        )
    )


def policy_in_force(*, team_id: int, project_id: int | None) -> EscalationPolicy | None:
    """The project's override, else the team's default, with steps and targets (three
    queries); None when the team has neither (routing.DEFAULT_STEPS then)."""
    condition = Q(team_id=team_id, project__isnull=True)
    if project_id is not None:
        condition |= Q(project_id=project_id)
    policies = list(_with_steps(EscalationPolicy.objects.filter(condition)))
    # The project's own first.
    policies.sort(key=lambda p: p.project_id is None)
    return policies[0] if policies else None


def snapshot_of(policy: EscalationPolicy) -> dict:
    """The policy as the update keeps it (steps and targets prefetched; no query)."""
    steps = []
    for step in policy.steps.all():
        targets = []
        for target in step.targets.all():
            item = {"kind": target.kind}
            if target.kind == TargetKind.ONCALL:
                item["schedule_id"] = target.schedule_id
            elif target.kind == TargetKind.PERSON:
                item["person_id"] = target.person_id
            targets.append(item)
        steps.append({"wait_minutes": step.wait_minutes, "targets": targets})
    return {
        "version": routing.SNAPSHOT_VERSION,
        "source": "project" if policy.project_id else "team",
        "policy_id": policy.pk,
        "name": policy.name,
        "repeat_count": policy.repeat_count,
        "steps": steps,
    }


def policy_snapshot(*, team_id: int, project_id: int | None) -> dict:
    policy = policy_in_force(team_id=team_id, project_id=project_id)
    return snapshot_of(policy) if policy is not None else routing.default_snapshot()


def policy_by_id(pk: int) -> EscalationPolicy | None:
    return _with_steps(
        EscalationPolicy.objects.filter(pk=pk).select_related("team", "project")
    ).first()


def policies_of_team(team_id: int) -> list[EscalationPolicy]:
    """The team's default first, then its projects' overrides by project name."""
    return list(
        _with_steps(
            EscalationPolicy.objects.filter(team_id=team_id).select_related("project")
        ).order_by(F("project__name").asc(nulls_first=True), "id")
    )


def team_policy(team_id: int) -> EscalationPolicy | None:
    return EscalationPolicy.objects.filter(team_id=team_id, project__isnull=True).first()


def project_policy(project_id: int) -> EscalationPolicy | None:
    return EscalationPolicy.objects.filter(project_id=project_id).first()


# --- who may be named ---------------------------------------------------------------------------


def people_with_team_access(team_id: int, person_ids) -> dict[int, bool]:
    """{id: may be paged by this team's policy} for each of `person_ids` that is an active
    person (with a profile): true for the team's members and the org's managers and admins.
    Missing ids are not in the answer (one query)."""
    ids = {int(pk) for pk in person_ids}
    if not ids:
        return {}
    rows = (
        User.objects.filter(pk__in=ids, is_active=True, profile__isnull=False)
        .values_list("pk", "profile__org_role")
        .order_by()
    )
    roles = dict(rows)
    members = set(
        Membership.objects.filter(team_id=team_id, person_id__in=roles).values_list(
            "person_id", flat=True
        )
    )
    return {
        pk: pk in members or role in (OrgRole.MANAGER, OrgRole.ADMIN) for pk, role in roles.items()
    }


def person_names(person_ids) -> dict[int, str]:
    return dict(
        User.objects.filter(pk__in=set(person_ids), profile__isnull=False).values_list(
            "pk", "profile__display_name"
        )
    )


def existing_schedule_ids(schedule_ids) -> set[int]:
    return set(Schedule.objects.filter(pk__in=set(schedule_ids)).values_list("pk", flat=True))


def team_member_ids(team_id: int) -> list[int]:
    """Active members of the team: who gets its updates' live events."""
    return list(
        Membership.objects.filter(team_id=team_id, person__is_active=True)
        .order_by("person_id")
        .values_list("person_id", flat=True)
    )


# --- the firing -------------------------------------------------------------------------------


@dataclass
class FiringContext:
    """What a firing reads once, for every step it runs through."""

    at: datetime
    members: dict[int, object] = field(default_factory=dict)  # person id -> User (profile)
    leads: list[int] = field(default_factory=list)
    schedules: dict[int, str] = field(default_factory=dict)  # schedule id -> name
    team_schedules: list[int] = field(default_factory=list)
    oncall: dict[int, int | None] = field(default_factory=dict)  # schedule id -> person id
    people: dict[int, object] = field(default_factory=dict)  # everyone else named, by id
    managers: list[int] = field(default_factory=list)

    @property
    def oncall_ids(self) -> set[int]:
        return {pk for pk in self.oncall.values() if pk is not None}

    def person(self, pk: int | None):
        if pk is None:
            return None
        return self.members.get(pk) or self.people.get(pk)


def _named(snapshot: dict, key: str) -> set[int]:
    return {
        target[key]
        for step in snapshot.get("steps", [])
        for target in step.get("targets", [])
        if key in target
    }


def _uses(snapshot: dict, kind: str) -> bool:
    return any(
        target.get("kind") == kind
        for step in snapshot.get("steps", [])
        for target in step.get("targets", [])
    )


def managers_among(people) -> list[int]:
    """The org's managers among `people` (users with profiles), by id; its admins when it has
    no manager, so an exhausted escalation always reaches someone."""
    active = [p for p in people if p.is_active and hasattr(p, "profile")]
    managers = sorted(p.pk for p in active if p.profile.org_role == OrgRole.MANAGER)
    return managers or sorted(p.pk for p in active if p.profile.org_role == OrgRole.ADMIN)


def firing_context(update: UrgentUpdate, *, at: datetime, managers: bool = False) -> FiringContext:
    """Everything the snapshot's targets can reach at `at` (update.project loaded): the team's
    active members (one query), its schedules and the ones the snapshot names, who is on call
    on them (three queries, none without schedules), and the other people named, with the
    org's managers when the snapshot (or `managers`) needs them (one query)."""
    snapshot = update.policy_snapshot
    context = FiringContext(at=at)
    for membership in Membership.objects.filter(
        team_id=update.team_id, person__is_active=True
    ).select_related("person__profile"):
        if hasattr(membership.person, "profile"):
            context.members[membership.person_id] = membership.person
            if membership.role == TeamRole.LEAD:
                context.leads.append(membership.person_id)
    context.leads.sort()

    named_schedules = _named(snapshot, "schedule_id")
    schedules = list(
        Schedule.objects.filter(Q(team_id=update.team_id) | Q(pk__in=named_schedules))
        .only("id", "name", "team_id")
        .order_by("name", "id")
    )
    context.schedules = {s.pk: s.name for s in schedules}
    context.team_schedules = [s.pk for s in schedules if s.team_id == update.team_id]
    if schedules:
        data = load_schedules(schedules, at, at + ONCALL_HORIZON)
        context.oncall = {
            pk: oncall_from_data(d, at, need_start=False).person for pk, d in data.items()
        }

    wanted = set(_named(snapshot, "person_id")) | context.oncall_ids
    project = update.project
    if project is not None:
        wanted |= {project.owner_id, project.acting_owner_id, project.backup_owner_id}
    wanted = {pk for pk in wanted if pk is not None and pk not in context.members}
    need_managers = managers or _uses(snapshot, TargetKind.MANAGERS)
    if wanted or need_managers:
        condition = Q(pk__in=wanted)
        if need_managers:
            condition |= Q(is_active=True, profile__org_role__in=[OrgRole.MANAGER, OrgRole.ADMIN])
        people = list(User.objects.filter(condition).select_related("profile"))
        context.people = {p.pk: p for p in people if hasattr(p, "profile")}
        if need_managers:
            context.managers = managers_among(context.people.values())
    return context


def _candidate(context: FiringContext, person, via: str) -> routing.Candidate:
    profile = person.profile
    status = person_local_status(profile, at=context.at)
    return routing.Candidate(
        person_id=person.pk,
        name=profile.display_name,
        time_zone=profile.time_zone,
        active=person.is_active,
        via=via,
        oncall=person.pk in context.oncall_ids,
        local_time=status.local_time,
        working=status.working,
        probably_asleep=status.probably_asleep,
    )


def resolve_targets(
    context: FiringContext, update: UrgentUpdate, targets: list[dict]
) -> list[routing.Candidate]:
    """The people `targets` reach at the context's instant, in target order (no query). A
    person named directly (owner, backup, on call, a named person) who has left is returned
    (inactive) so the timeline says why they were not paged; groups (working now, leads,
    managers) hold active people only."""
    out: list[routing.Candidate] = []

    def add(pk: int | None, via: str) -> None:
        person = context.person(pk)
        if person is not None:
            out.append(_candidate(context, person, via))

    project = update.project
    for target in targets:
        kind = target.get("kind")
        if kind == TargetKind.OWNER and project is not None:
            add(project.accountable_id, "acting owner" if project.acting_owner_id else "owner")
        elif kind == TargetKind.BACKUP_OWNER and project is not None:
            add(project.backup_owner_id, "backup owner")
        elif kind == TargetKind.ONCALL:
            schedule_id = target.get("schedule_id")
            if schedule_id in context.schedules:
                add(context.oncall.get(schedule_id), f"on call: {context.schedules[schedule_id]}")
        elif kind == TargetKind.TEAM_ONCALL:
            for schedule_id in context.team_schedules:
                add(context.oncall.get(schedule_id), f"on call: {context.schedules[schedule_id]}")
        elif kind == TargetKind.WORKING:
            for pk, person in sorted(context.members.items()):
                if person_local_status(person.profile, at=context.at).working:
                    add(pk, "working now")
        elif kind == TargetKind.LEAD:
            for pk in context.leads:
                add(pk, "team lead")
        elif kind == TargetKind.PERSON:
            add(target.get("person_id"), "named")
        elif kind == TargetKind.MANAGERS:
            for pk in context.managers:
                add(pk, "manager")
    return out


# --- the sweeper ------------------------------------------------------------------------------


def overdue_step_ids(*, now: datetime, grace: timedelta, limit: int) -> list[int]:
    """Pending steps due before now - grace, oldest first: their task was lost or late (the
    (status, due_at) index)."""
    return list(
        EscalationStep.objects.filter(status=StepStatus.PENDING, due_at__lte=now - grace)
        .order_by("due_at", "id")
        .values_list("pk", flat=True)[:limit]
    )


def oldest_overdue_step_age(*, now: datetime | None = None) -> float:
    """Seconds the oldest pending step is past its due time (0: none overdue). One query on
    the (status, due_at) index; core.metrics reads it at each scrape."""
    now = now or timezone.now()
    due_at = (
        EscalationStep.objects.filter(status=StepStatus.PENDING, due_at__lte=now)
        .order_by("due_at")
        .values_list("due_at", flat=True)
        .first()
    )
    return max(0.0, (now - due_at).total_seconds()) if due_at else 0.0


def upcoming_unscheduled_steps(
    *, now: datetime, horizon: timedelta, eta_max: timedelta, limit: int
) -> list[tuple[int, datetime]]:
    """(id, due_at) of pending steps due in (now, now + horizon] that got no task when they
    were written (their wait was longer than eta_max): the sweeper gives them one now, with
    a short ETA that never outlives a broker's visibility timeout."""
    return list(
        EscalationStep.objects.filter(
            status=StepStatus.PENDING,
            due_at__gt=now,
            due_at__lte=now + horizon,
            created_at__lt=F("due_at") - eta_max,
        )
        .order_by("due_at", "id")
        .values_list("pk", "due_at")[:limit]
    )


# --- updates: what the pages, API and dashboard will read ----------------------------------------


def update_for_page(pk: int) -> UrgentUpdate | None:
    return UrgentUpdate.objects.filter(pk=pk).select_related(*_UPDATE_JOINS).first()


def timeline_of(update: UrgentUpdate) -> list[TimelineEntry]:
    return list(
        update.timeline.select_related("person__profile", "actor__profile", "step").order_by(
            "at", "id"
        )
    )


def steps_of(update: UrgentUpdate) -> list[EscalationStep]:
    return list(update.steps.order_by("repeat_index", "step_index"))


def unacknowledged_for_teams(team_ids) -> QuerySet:
    """Open updates of these teams whose every step was spent: flagged on the dashboards."""
    return (
        UrgentUpdate.objects.filter(
            team_id__in=list(team_ids), state=UpdateState.OPEN, exhausted_at__isnull=False
        )
        .select_related(*_UPDATE_JOINS)
        .order_by("exhausted_at", "id")
    )


def was_paged(update: UrgentUpdate, person) -> bool:
    """Was `person` paged for this update (so may acknowledge it)?"""
    pk = getattr(person, "pk", None)
    if pk is None:
        return False
    return TimelineEntry.objects.filter(
        update=update, person_id=pk, kind=EntryKind.NOTIFIED
    ).exists()


def paged_people(update: UrgentUpdate) -> list[int]:
    return sorted(
        set(
            TimelineEntry.objects.filter(update=update, kind=EntryKind.NOTIFIED).values_list(
                "person_id", flat=True
            )
        )
        - {None}
    )


def active_update_for_dedup_key(*, team_id: int, dedup_key: str) -> UrgentUpdate | None:
    """The open or acknowledged update of the team with this dedup key (inbound repeats)."""
    if not dedup_key:
        return None
    return UrgentUpdate.objects.filter(
        team_id=team_id, dedup_key=dedup_key, state__in=ACTIVE_STATES
    ).first()


def project_by_id(pk: int):
    from projects.models import Project

    return Project.objects.filter(pk=pk).select_related("team").first()


def team_by_id(pk: int):
    from teams.models import Team

    return Team.objects.filter(pk=pk).first()


# --- the pages' reads (escalations.views, escalations.panels) ------------------------------------


def _list_rank(team_ids) -> Case:
    """0: my teams' open updates, 1: my teams' acknowledged ones, 2: other active ones, 3:
    closed. An empty `team_ids` leaves its branches out (Case skips an empty IN)."""
    mine = list(team_ids)
    return Case(
        When(team_id__in=mine, state=UpdateState.OPEN, then=Value(0)),
        When(team_id__in=mine, state=UpdateState.ACKNOWLEDGED, then=Value(1)),
        When(state__in=ACTIVE_STATES, then=Value(2)),
        default=Value(3),
        output_field=IntegerField(),
    )


def updates_for_list(
    person, *, team_ids, sees_all: bool, team_id: int | None = None, state: str = ""
) -> QuerySet:
    """The urgent updates list: every update for managers and admins (`sees_all`), else those
    of `team_ids` (the person's teams) and those that paged the person (the same rule as
    escalations.view_update). Optional team and state filters ("active": open or
    acknowledged). My teams' open updates first, then newest first. Rows carry their team,
    project and people (one query a page, plus the paginator's count)."""
    qs = UrgentUpdate.objects.select_related(
        "team", "project", "raised_by__profile", "acknowledged_by__profile"
    )
    if not sees_all:
        paged = TimelineEntry.objects.filter(
            person_id=getattr(person, "pk", None), kind=EntryKind.NOTIFIED
        ).values("update_id")
        qs = qs.filter(Q(team_id__in=list(team_ids)) | Q(pk__in=paged))
    if team_id is not None:
        qs = qs.filter(team_id=team_id)
    if state == "active":
        qs = qs.filter(state__in=ACTIVE_STATES)
    elif state:
        qs = qs.filter(state=state)
    return qs.annotate(list_rank=_list_rank(team_ids)).order_by("list_rank", "-created_at", "-id")


def open_updates_for_teams(
    team_ids, *, limit: int, project_id: int | None = None
) -> list[UrgentUpdate]:
    """The dashboard card's rows (or a project page's, with `project_id`): active updates of
    these teams, open before acknowledged, those whose every step was spent first, newest
    first (one query)."""
    return _OPEN_UPDATES.fetch(
        team_ids=list(team_ids), project_id=project_id, fixed={"limit": limit}
    )


def _open_updates(team_ids, project_id, limit) -> QuerySet:
    open_first = Case(
        When(state=UpdateState.OPEN, then=Value(0)), default=Value(1), output_field=IntegerField()
    )
    updates = UrgentUpdate.objects.filter(team_id__in=team_ids, state__in=ACTIVE_STATES)
    if project_id is not None:
        updates = updates.filter(project_id=project_id)
    return (
        # Active updates have nobody who resolved or cancelled them: four relations fewer cut
        # the planning of a query PostgreSQL plans afresh each time from 4.2 to 1.25 ms.
        updates.select_related(*_ACTIVE_UPDATE_JOINS)
        .annotate(open_first=open_first)
        .order_by("open_first", F("exhausted_at").desc(nulls_last=True), "-created_at", "-id")[
            :limit
        ]
    )


# Compiled once per shape (core.compiled): the dashboard asks on every request.
_OPEN_UPDATES = CompiledQuery(_open_updates)


def people_entries_for(update_ids) -> dict[int, list[TimelineEntry]]:
    """{update id: its paged and skipped lines, in order} for these updates, with each
    person's profile (one query)."""
    ids = list(update_ids)
    out: dict[int, list[TimelineEntry]] = {pk: [] for pk in ids}
    if not ids:
        return out
    entries = (
        TimelineEntry.objects.filter(
            update_id__in=ids, kind__in=[EntryKind.NOTIFIED, EntryKind.SKIPPED]
        )
        .select_related("person__profile")
        .order_by("update_id", "at", "id")
    )
    for entry in entries:
        out[entry.update_id].append(entry)
    return out


def raisable_projects(team_ids) -> list[tuple[int, str, int]]:
    """(id, name, team id) of the open projects of these teams, by name (one query)."""
    from projects.models import OPEN_STATUSES, Project

    ids = list(team_ids)
    if not ids:
        return []
    return list(
        Project.objects.filter(team_id__in=ids, status__in=OPEN_STATUSES)
        .order_by("name", "id")
        .values_list("pk", "name", "team_id")
    )


def pageable_people(team_id: int) -> list:
    """Who a team's policy may name: its active members and the org's managers and admins,
    with profiles, by name (one query)."""
    return list(
        User.objects.filter(
            Q(memberships__team_id=team_id)
            | Q(profile__org_role__in=[OrgRole.MANAGER, OrgRole.ADMIN]),
            is_active=True,
            profile__isnull=False,
        )
        .select_related("profile")
        .distinct()
        .order_by("profile__display_name", "pk")
    )


def schedule_choices(team_id: int, also=()) -> list[tuple[int, str]]:
    """(id, name) of the team's schedules and of `also` (schedules a policy already names)."""
    return list(
        Schedule.objects.filter(Q(team_id=team_id) | Q(pk__in=list(also)))
        .order_by("name", "id")
        .values_list("pk", "name")
    )


def schedule_names(schedule_ids) -> dict[int, str]:
    ids = set(schedule_ids)
    if not ids:
        return {}
    return dict(Schedule.objects.filter(pk__in=ids).values_list("pk", "name"))


def project_for_policy(slug: str):
    """A project by slug with its team (the per-project policy page)."""
    from projects.models import Project

    return Project.objects.filter(slug=slug).select_related("team").first()


def team_for_policy(slug: str):
    from teams.models import Team

    return Team.objects.filter(slug=slug).first()


# --- the API's reads ------------------------------------------------------------------------------


def updates_visible_to(user, *, team_id: int | None = None, state: str = "") -> QuerySet:
    """The updates `user` may read (escalations.permissions.view_update, as one query): every
    one for the org's managers and admins; else their teams' and the ones they were paged
    for. Filtered by team and state; people and places joined for the list."""
    from teams.selectors import team_ids_of

    queryset = UrgentUpdate.objects.select_related(*_UPDATE_JOINS)
    profile = getattr(user, "profile", None)
    if profile is None or profile.org_role not in (OrgRole.MANAGER, OrgRole.ADMIN):
        paged = TimelineEntry.objects.filter(person_id=user.pk, kind=EntryKind.NOTIFIED).values(
            "update_id"
        )
        queryset = queryset.filter(Q(team_id__in=list(team_ids_of(user))) | Q(pk__in=paged))
    if team_id is not None:
        queryset = queryset.filter(team_id=team_id)
    if state:
        queryset = queryset.filter(state=state)
    return queryset


def steps_and_timeline(update: UrgentUpdate) -> tuple[list[EscalationStep], list[TimelineEntry]]:
    """An update's step rows and its timeline, people joined (two queries, whatever their
    number)."""
    return steps_of(update), timeline_of(update)


def _with_steps_and_names(queryset: QuerySet) -> QuerySet:
    """Policies with their steps and targets, and the people and schedules targets name."""
    targets = PolicyTarget.objects.order_by("position").select_related(
        "person__profile", "schedule"
    )
    return queryset.select_related("team", "project", "updated_by__profile").prefetch_related(
        Prefetch(
            "steps",
            queryset=PolicyStep.objects.order_by("position").prefetch_related(
                Prefetch("targets", queryset=targets)
            ),
        )
    )


def policies_filtered(*, team_id: int | None = None) -> QuerySet:
    """Every policy (everyone signed in reads them), or one team's: three queries a page."""
    queryset = EscalationPolicy.objects.all()
    if team_id is not None:
        queryset = queryset.filter(team_id=team_id)
    return _with_steps_and_names(queryset)


def policy_for_api(pk: int) -> EscalationPolicy | None:
    return _with_steps_and_names(EscalationPolicy.objects.filter(pk=pk)).first()


def project_in_team(team_id: int, ref) -> object | None:
    """The team's project named by `ref`: its slug, or its id (an int or a digit string)."""
    from projects.models import Project

    projects = Project.objects.filter(team_id=team_id).select_related("team")
    if isinstance(ref, str):
        text = ref.strip()
        found = projects.filter(slug=text).first()
        if found is not None or not re.fullmatch(r"[0-9]{1,18}", text):
            return found
        ref = int(text)
    if isinstance(ref, bool) or not isinstance(ref, int) or not 1 <= ref <= 2**63 - 1:
        return None
    return projects.filter(pk=ref).first()


# --- integration keys ---------------------------------------------------------------------------


def integration_keys_of_team(team_id: int) -> QuerySet:
    """A team's integration keys, live ones first, newest first, with who made and revoked
    them (one query): for the key management page and API."""
    return (
        IntegrationKey.objects.filter(team_id=team_id)
        .select_related("team", "created_by__profile", "revoked_by__profile")
        .order_by(F("revoked_at").desc(nulls_first=True), "-created_at", "-id")
    )


def integration_key_by_id(pk: int) -> IntegrationKey | None:
    return (
        IntegrationKey.objects.filter(pk=pk)
        .select_related("team", "created_by__profile", "revoked_by__profile")
        .first()
    )


def live_integration_key(raw: str) -> IntegrationKey | None:
    """The live key whose secret is `raw`, or None (unknown or revoked alike). Looked up by
    its hash, then the hashes compared in constant time, so the answer's timing says nothing
    about how much of a guess was right."""
    if not isinstance(raw, str) or not raw or len(raw) > validation.INTEGRATION_KEY_MAX:
        return None
    digest = validation.integration_key_hash(raw)
    key = IntegrationKey.objects.filter(key_hash=digest).select_related("team").first()
    if key is None or not hmac.compare_digest(key.key_hash, digest) or key.revoked:
        return None
    return key


def live_key_names(team_id: int) -> set[str]:
    return set(
        IntegrationKey.objects.filter(team_id=team_id, revoked_at__isnull=True).values_list(
            "name", flat=True
        )
    )


def project_links(team_id: int, *, limit: int = 100) -> list[tuple[str, str]]:
    """(slug, name) of the team's open projects without a policy of their own, by name."""
    from projects.models import OPEN_STATUSES, Project

    return list(
        Project.objects.filter(team_id=team_id, status__in=OPEN_STATUSES)
        .exclude(escalation_policies__isnull=False)
        .order_by("name", "id")
        .values_list("slug", "name")[:limit]
    )
