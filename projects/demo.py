"""Demo projects for seed_demo (core.demo): ~3,000 projects over the demo teams, written in bulk.

Owners are spread over each team's members (so over every region the teams span), with
backups, goals, watchers, and status updates of mixed health, and the mix a manager's map should
show: some stale projects (no update for weeks), a few leavers (teams' demo has none, so a
few plain members are deactivated here, as teams.services.person_deactivate would, and their
projects get the ORPHANED history row projects' hook writes; one of them was an acting
owner), some overloaded owners (more than settings.PROJECTS_OVERLOAD_CRITICAL critical
projects), acting owners and pending transfers. The `demo` sign-in owns a few projects, acts
for one and has a transfer waiting. Like the other apps' demo data, it sends no notices.

Rows are written with bulk_create, bypassing the services, but the fields the services derive
are computed the same way: description_html and body_html by core.markdown, health and
last_update_at from the latest update, the update's `changes` by services.update_changes,
update_due_on / remind_at / stale_at by projects.cadence in the accountable person's zone and
hours (remind_at cleared when its instant has passed: beat would have sent it). Deterministic
for a given seed (and clock).
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from core import caching
from core.audit import Actor, audit_record
from core.markdown import render_markdown
from core.zones import zoneinfo
from teams import hours as hours_math
from teams.models import Membership, OrgRole, Profile, Team, TeamRole
from teams.selectors import PEOPLE_CACHE

from . import cadence, services
from .models import (
    OPEN_STATUSES,
    Goal,
    Health,
    HistoryKind,
    OwnershipTransfer,
    Project,
    ProjectHistory,
    ProjectStatus,
    ProjectUpdate,
    Watch,
)
from .services import stale_working_days, transfer_expiry, update_changes
from .validation import RESERVED_SLUGS

User = get_user_model()

_HOUR = timedelta(hours=1)
_SIGN_INS = ("admin", "demo")

_SUBJECTS = (
    "Billing",
    "Checkout",
    "Search",
    "Onboarding",
    "Payments",
    "Mobile app",
    "Data platform",
    "Identity",
    "Notifications",
    "Reporting",
    "Pricing",
    "Support portal",
    "Warehouse sync",
    "Partner API",
    "Fraud detection",
    "Status page",
    "Design system",
    "Localization",
    "Audit trail",
    "Customer portal",
    "Invoicing",
    "Ledger",
    "Recommendations",
    "Analytics",
    "Inventory",
    "Shipping",
    "Access reviews",
    "Incident tooling",
    "Release train",
    "Observability",
    "Cost controls",
    "Compliance",
    "Data retention",
    "Backups",
    "CDN",
    "Accessibility",
    "Trial funnel",
    "Referral program",
    "Hiring pipeline",
    "Knowledge base",
)
_ACTIONS = (
    "revamp",
    "migration",
    "v2",
    "latency cut",
    "rollout",
    "hardening",
    "cleanup",
    "launch",
    "redesign",
    "automation",
    "consolidation",
    "expansion",
    "pilot",
    "audit",
    "rewrite",
    "self-service",
    "EU region",
    "APAC region",
    "scale-out",
    "deprecation",
)
_DESCRIPTIONS = (
    "Why: customers keep asking for it.\n\n**Scope**\n\n- design review\n- rollout by region"
    "\n- retire the old path\n\nSee the runbook before changing anything.",
    "Make it **faster** and cheaper to run.\n\n1. measure the baseline\n2. fix the top three"
    " hot spots\n3. report the new numbers",
    "A small, *focused* project: one owner, one goal, done in a quarter.",
    "Moves the service to the new platform.\n\n> Rollback plan: keep the old deployment warm"
    " for two weeks.",
    "",
)
_UPDATE_BODIES = {
    Health.ON_TRACK: (
        "All milestones on schedule. Next: the **beta** with two pilot customers.",
        "Shipped the first slice; feedback is good.",
        "Quiet week: reviews done, nothing blocked.",
    ),
    Health.AT_RISK: (
        "Waiting on the platform team for the new queue; *two weeks* of slack left.",
        "One engineer out sick; the date holds only if review turnaround improves.",
        "Vendor contract still unsigned.",
    ),
    Health.OFF_TRACK: (
        "**Blocked**: the migration failed in staging, root cause unknown.\n\n- rollback done"
        "\n- new date next week",
        "Scope grew by a third; we need a decision on what to drop.",
    ),
}
_GOALS = (
    ("Beta with pilot customers", "customers", 5),
    ("p95 latency under target", "ms", 200),
    ("Migrate services", "services", 40),
    ("Cut monthly cost", "kUSD", 50),
    ("Close open incidents", "incidents", 12),
    ("Docs published", "", None),
    ("Security review passed", "", None),
    ("Adoption", "%", 100),
    ("Regions live", "regions", 6),
    ("Runbook written", "", None),
)
_REASONS = (
    "Moving to another team next month",
    "Better fit with the new owner's roadmap",
    "Rebalancing critical work",
    "The owner left the company",
)
_LEAVE_NOTES = ("Parental leave", "Vacation", "Conference and a week off", "Sabbatical", "")
_STATUS_WEIGHTS = (
    (ProjectStatus.ACTIVE, 56),
    (ProjectStatus.PLANNED, 14),
    (ProjectStatus.PAUSED, 7),
    (ProjectStatus.DONE, 16),
    (ProjectStatus.CANCELLED, 7),
)
_HEALTH_WEIGHTS = ((Health.ON_TRACK, 60), (Health.AT_RISK, 26), (Health.OFF_TRACK, 14))
# Each value as often as its weight: rng.choice on these is much cheaper than rng.choices.
_STATUS_POOL = tuple(value for value, weight in _STATUS_WEIGHTS for _ in range(weight))
_HEALTH_POOL = tuple(value for value, weight in _HEALTH_WEIGHTS for _ in range(weight))


@dataclass
class SeedResult:
    projects: int = 0
    goals: int = 0
    updates: int = 0
    stale: int = 0
    orphaned: int = 0
    acting: int = 0
    transfers: int = 0
    overloaded: int = 0
    leavers: list[str] = field(default_factory=list)


@contextmanager
def _timestamps_as_given(*models) -> Iterator[None]:
    """Let bulk_create keep the created_at/updated_at we set (demo history lies in the past):
    auto_now(_add) would stamp every row with now. Set every such field on every row."""
    fields = [
        f for model in models for f in model._meta.concrete_fields if getattr(f, "auto_now", None)
        or getattr(f, "auto_now_add", None)
    ]  # fmt: skip
    saved = [(f, f.auto_now, f.auto_now_add) for f in fields]
    for f in fields:
        f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, auto_now, auto_now_add in saved:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add


@dataclass
class _Person:
    pk: int
    name: str
    zone_name: str
    working_hours: dict
    username: str
    _ranges: list | None = None

    @property
    def ranges(self) -> list:
        if self._ranges is None:
            self._ranges = hours_math.week_ranges(self.working_hours or {})
        return self._ranges

    @property
    def zone(self):
        return zoneinfo(self.zone_name)


def _history_row(
    project_id: int,
    *,
    at: datetime,
    kind: str,
    actor_id: int | None = None,
    before: str = "",
    after: str = "",
    note: str = "",
) -> ProjectHistory:
    # Every field given: a model's __init__ looking up defaults is most of a bulk row's cost.
    return ProjectHistory(
        project_id=project_id, at=at, actor_id=actor_id, kind=kind, before=before[:200],
        after=after[:200], note=note[:300],
    )  # fmt: skip


def _after_creation(project: Project, at: datetime) -> datetime:
    """`at`, or just after the project was created if that is later (no event before it)."""
    return max(at, project.created_at + timedelta(minutes=30))


def _owner_row(project: Project, kind: str, at: datetime, **text: str) -> ProjectHistory:
    """A change the owner made at `at` (or just after the project was created, if later)."""
    return _history_row(
        project.pk, at=_after_creation(project, at), actor_id=project.owner_id, kind=kind, **text
    )


def _decimal(value: float) -> Decimal:
    return Decimal(str(round(value, 2))).quantize(Decimal("0.01"))


@transaction.atomic
def seed_projects(
    *, actor: Actor, count: int = 3000, seed: int = 1, now: datetime | None = None
) -> SeedResult:
    """Create `count` demo projects over the teams that have active members."""
    result = SeedResult()
    if count <= 0 or Project.objects.exists():
        return result
    rng = random.Random(seed)
    now = now or timezone.now()
    overload = int(getattr(settings, "PROJECTS_OVERLOAD_CRITICAL", 3))
    stale_days = stale_working_days()

    people: dict[int, _Person] = {
        pk: _Person(pk, name, zone, hours or {}, username)
        for pk, name, zone, hours, username in Profile.objects.filter(
            user__is_active=True
        ).values_list("user_id", "display_name", "time_zone", "working_hours", "user__username")
    }
    plain_members: set[int] = set(
        Profile.objects.filter(user__is_active=True, org_role=OrgRole.MEMBER).values_list(
            "user_id", flat=True
        )
    )
    members: dict[int, list[int]] = defaultdict(list)
    leads: dict[int, list[int]] = defaultdict(list)
    for team_id, person_id, role in (
        Membership.objects.filter(person_id__in=people.keys())
        .values_list("team_id", "person_id", "role")
        .order_by("team_id", "person_id")
    ):
        members[team_id].append(person_id)
        if role == TeamRole.LEAD:
            leads[team_id].append(person_id)
    admin_pk = next((p.pk for p in people.values() if p.username == "admin"), None)
    demo_pk = next((p.pk for p in people.values() if p.username == "demo"), None)
    for team_id in list(members):
        members[team_id] = [pk for pk in members[team_id] if pk != admin_pk]
    team_ids = sorted(t for t, ms in members.items() if len(ms) >= 2)
    if not team_ids:
        return result
    team_names = dict(Team.objects.filter(pk__in=team_ids).values_list("pk", "name"))
    lead_ids = {pk for ls in leads.values() for pk in ls}

    # Who leaves (orphans their projects), who is overloaded with critical work.
    candidates = sorted(
        pk
        for pk in plain_members
        if pk not in lead_ids
        and people[pk].username not in _SIGN_INS
        and any(pk in members[t] for t in team_ids)
    )
    home_team = {}
    for team_id in team_ids:
        for pk in members[team_id]:
            home_team.setdefault(pk, team_id)
    leavers = rng.sample(candidates, min(len(candidates), max(2, count // 500)))
    rest = [pk for pk in candidates if pk not in set(leavers)]
    overloaded = set(rng.sample(rest, min(len(rest), max(1, count // 300))))

    # --- plan each project's owner and team --------------------------------------------------
    plan: list[tuple[int, int, bool]] = []  # (team, owner, critical)
    for pk in sorted(overloaded):
        for _ in range(overload + rng.randint(1, 3)):
            plan.append((home_team[pk], pk, True))
    for pk in leavers:
        for _ in range(rng.randint(2, 4)):
            plan.append((home_team[pk], pk, rng.random() < 0.3))
    if demo_pk is not None and demo_pk in home_team:
        for _ in range(3):
            plan.append((home_team[demo_pk], demo_pk, False))
    critical_count: dict[int, int] = defaultdict(int)  # nobody else overloaded by chance
    while len(plan) < count:
        # Every team gets its share, then some teams more than others.
        team_id = team_ids[len(plan) % len(team_ids)] if rng.random() < 0.5 else None
        team_id = team_id or rng.choice(team_ids)
        owner = rng.choice(members[team_id])
        critical = rng.random() < 0.08 and critical_count[owner] < overload
        if critical:
            critical_count[owner] += 1
        plan.append((team_id, owner, critical))
    plan = plan[:count]

    # --- projects ----------------------------------------------------------------------------
    names_taken: set[str] = set()
    slugs_taken: set[str] = set(RESERVED_SLUGS)
    rendered: dict[str, str] = {}
    projects: list[Project] = []
    extras: list[dict] = []  # per project: what the next steps need
    for team_id, owner, critical in plan:
        name = f"{rng.choice(_SUBJECTS)} {rng.choice(_ACTIONS)}"
        if name in names_taken:
            name = f"{name} ({team_names[team_id]})"
        k = 2
        base = name
        while name in names_taken:
            name, k = f"{base} {k}", k + 1
        names_taken.add(name)
        slug = slugify(name)[:110] or "project"
        base_slug, k = slug, 2
        while slug in slugs_taken:
            slug, k = f"{base_slug}-{k}", k + 1
        slugs_taken.add(slug)
        overloaded_owner = owner in overloaded
        status = ProjectStatus.ACTIVE if overloaded_owner else rng.choice(_STATUS_POOL)
        if owner in leavers or owner == demo_pk:
            status = rng.choice((ProjectStatus.ACTIVE, ProjectStatus.PLANNED))
        created = now - timedelta(days=rng.randint(1, 300), minutes=rng.randint(0, 1439))
        start = (created + timedelta(days=rng.randint(-10, 20))).date()
        target = start + timedelta(days=rng.randint(30, 300)) if rng.random() < 0.8 else None
        description = rng.choice(_DESCRIPTIONS)
        if description not in rendered:
            rendered[description] = render_markdown(description)
        others = [pk for pk in members[team_id] if pk != owner]
        backup = rng.choice(others) if others and rng.random() < 0.6 else None
        projects.append(
            Project(
                name=name,
                slug=slug,
                team_id=team_id,
                owner_id=owner,
                backup_owner_id=backup,
                description=description,
                description_html=rendered[description],
                status=status,
                priority=rng.choice((1, 2) if critical else (0, 1, 2, 2, 3, 3, 3, 4)),
                critical=critical,
                start_date=start,
                target_date=target,
                links=(
                    [{"title": "Design doc", "url": f"https://docs.example.com/{slug}"}]
                    if rng.random() < 0.4
                    else []
                ),
                update_cadence_days=rng.choice((7, 7, 7, 7, 7, 14, 14, 3, 30)),
                created_at=created,
                updated_at=created,
                # Set below; given here so __init__ need not look up defaults.
                acting_owner_id=None,
                acting_until=None,
                acting_note="",
                health="",
                last_update_at=None,
                update_due_on=None,
                remind_at=None,
                stale_at=None,
            )
        )
        extras.append({"others": others})
        result.projects += 1

    # Acting owners: about 2% of open projects, plus one the demo sign-in acts for.
    open_idx = [i for i, p in enumerate(projects) if p.status in OPEN_STATUSES]
    acting_idx = set(rng.sample(open_idx, min(len(open_idx), max(1, count // 50))))
    if demo_pk is not None:
        demo_teams = {t for t in team_ids if demo_pk in members[t]}
        cover = next(
            (
                i
                for i in open_idx
                if projects[i].team_id in demo_teams
                and projects[i].owner_id != demo_pk
                and i not in acting_idx
            ),
            None,
        )
        if cover is not None:
            acting_idx.add(cover)
            extras[cover]["acting"] = demo_pk
    leaver_acts = False  # one leaver was acting for someone: that project is orphaned too
    for i in sorted(acting_idx):
        project = projects[i]
        candidates_ = [pk for pk in extras[i]["others"] if pk not in leavers]
        acting = extras[i].get("acting") or (rng.choice(candidates_) if candidates_ else None)
        if not leaver_acts and project.owner_id not in leavers and "acting" not in extras[i]:
            leaving = [pk for pk in extras[i]["others"] if pk in leavers]
            if leaving:
                acting, leaver_acts = leaving[0], True
        if acting is None:
            continue
        owner_zone = people[project.owner_id].zone
        until = now.astimezone(owner_zone).date() + timedelta(days=rng.randint(1, 21))
        project.acting_owner_id = acting
        project.acting_until = datetime.combine(until, time(0), tzinfo=owner_zone)
        project.acting_note = rng.choice(_LEAVE_NOTES)
        if project.backup_owner_id == acting:
            project.backup_owner_id = None
        result.acting += 1

    # Updates: when the last one was posted (fresh, late, or stale), how many before it.
    update_plan: list[list[tuple[datetime, str]]] = []
    for project in projects:
        cadence_days = project.update_cadence_days
        roll = rng.random()
        if project.status == ProjectStatus.PLANNED and roll < 0.5:
            # Planned lately, no update yet (due soon, or just overdue; not stale).
            project.created_at = project.updated_at = now - timedelta(
                days=rng.randint(1, 12), minutes=rng.randint(0, 1439)
            )
            update_plan.append([])
            continue
        if roll < 0.12:  # stale: weeks without an update
            age = timedelta(days=rng.randint(25, 70), hours=rng.randint(0, 23))
        elif roll < 0.3:  # late
            age = timedelta(days=cadence_days + rng.randint(0, 4), hours=rng.randint(0, 23))
        else:
            age = timedelta(days=rng.uniform(0, cadence_days * 0.9))
        last = now - age
        if last <= project.created_at:
            last = project.created_at + (now - project.created_at) / 2
        times = [last]
        for _ in range(rng.choice((0, 0, 0, 1, 1, 2))):
            earlier = times[-1] - timedelta(days=cadence_days, hours=rng.randint(-12, 36))
            if earlier <= project.created_at:
                break
            times.append(earlier)
        health = rng.choice(_HEALTH_POOL)
        rows = []
        for at in reversed(times):
            if rng.random() < 0.3:
                health = rng.choice(_HEALTH_POOL)
            rows.append((at, health))
        update_plan.append(rows)

    with _timestamps_as_given(Project, Goal, ProjectUpdate, OwnershipTransfer):
        for project, rows in zip(projects, update_plan, strict=True):
            if rows:
                project.last_update_at, project.health = rows[-1]
            _schedule(project, people, now=now, stale_days=stale_days)
            if project.stale_at is not None and project.stale_at <= now:
                result.stale += 1
        Project.objects.bulk_create(projects, batch_size=500)

        # --- goals -----------------------------------------------------------------------
        goals: list[Goal] = []
        goals_of: list[list[tuple[Goal, float]]] = []
        for project in projects:
            mine = []
            for position, (title, unit, target) in enumerate(
                rng.sample(_GOALS, rng.choice((0, 1, 1, 1, 2, 3)))
            ):
                progress = rng.random()
                goal = Goal(
                    project_id=project.pk,
                    title=title,
                    unit=unit,
                    target_value=None if target is None else _decimal(target),
                    current_value=None if target is None else _decimal(target * progress),
                    done=target is None and progress > 0.6,
                    target_date=(
                        project.start_date + timedelta(days=rng.randint(14, 200))
                        if project.start_date and rng.random() < 0.7
                        else None
                    ),
                    position=position,
                    created_at=project.created_at,
                    updated_at=project.created_at,
                )
                goals.append(goal)
                mine.append((goal, progress))
            goals_of.append(mine)
        Goal.objects.bulk_create(goals, batch_size=1000)
        result.goals = len(goals)

        # --- status updates (snapshots and "what changed" as update_post computes them) ----
        updates: list[ProjectUpdate] = []
        for project, rows, mine in zip(projects, update_plan, goals_of, strict=True):
            previous = None
            for k, (at, health) in enumerate(rows):
                share = (k + 1) / len(rows)  # goals move towards their current value
                snapshot = services.snapshot(
                    project,
                    health,
                    {
                        str(goal.pk): services.goal_snapshot(
                            goal,
                            None
                            if goal.current_value is None
                            else _decimal(float(goal.current_value) * share),
                            goal.done and k == len(rows) - 1,
                        )
                        for goal, _progress in mine
                    },
                )
                body = rng.choice(_UPDATE_BODIES[health])
                if body not in rendered:
                    rendered[body] = render_markdown(body)
                updates.append(
                    ProjectUpdate(
                        project_id=project.pk,
                        author_id=project.acting_owner_id or project.owner_id,
                        health=health,
                        body=body,
                        body_html=rendered[body],
                        snapshot=snapshot,
                        changes=update_changes(previous, snapshot),
                        created_at=at,
                    )
                )
                previous = snapshot
        ProjectUpdate.objects.bulk_create(updates, batch_size=1000)
        result.updates = len(updates)

        # --- pending transfers: ~0.5%, two for leavers' projects, one for the demo sign-in --
        transfers: list[OwnershipTransfer] = []
        history: list[ProjectHistory] = []
        chosen = rng.sample(open_idx, min(len(open_idx), max(1, count // 200)))
        leaver_projects = [i for i in open_idx if projects[i].owner_id in leavers][:2]
        demo_target = None
        if demo_pk is not None:
            demo_target = next(
                (
                    i
                    for i in open_idx
                    if demo_pk in extras[i]["others"]
                    and i not in chosen
                    and i not in leaver_projects
                ),
                None,
            )
        expiry = transfer_expiry()
        for i in dict.fromkeys(
            [*chosen, *leaver_projects, *([demo_target] if demo_target is not None else [])]
        ):
            project = projects[i]
            if i == demo_target:
                to_person = demo_pk
            else:
                pool = [
                    pk
                    for pk in extras[i]["others"]
                    if pk not in leavers and pk != project.acting_owner_id
                ]
                if not pool:
                    continue
                to_person = rng.choice(pool)
            team_leads = [pk for pk in leads.get(project.team_id, []) if pk != to_person]
            proposer = (
                team_leads[0] if project.owner_id in leavers and team_leads else project.owner_id
            )
            created = _after_creation(
                project, now - timedelta(hours=rng.randint(1, int(expiry / _HOUR) - 1))
            )
            reason = _REASONS[3] if project.owner_id in leavers else rng.choice(_REASONS[:3])
            transfers.append(
                OwnershipTransfer(
                    project=project,
                    from_owner_id=project.owner_id,
                    to_person_id=to_person,
                    proposed_by_id=proposer,
                    reason=reason,
                    created_at=created,
                    expires_at=created + expiry,
                )
            )
            history.append(
                _history_row(
                    project.pk,
                    at=created,
                    actor_id=proposer,
                    kind=HistoryKind.TRANSFER_PROPOSED,
                    before=people[project.owner_id].name,
                    after=people[to_person].name,
                    note=reason,
                )
            )
        OwnershipTransfer.objects.bulk_create(transfers)
        result.transfers = len(transfers)

    # --- history (the project page), watchers ------------------------------------------------
    watches: list[Watch] = []
    for project in projects:
        history.append(
            _history_row(
                project.pk,
                at=project.created_at,
                kind=HistoryKind.CREATED,
                after=people[project.owner_id].name,
            )
        )
        if project.acting_owner_id:
            until = project.acting_until.astimezone(people[project.owner_id].zone).date()
            note = f"until {until:%a %d %b %Y}" + (
                f": {project.acting_note}" if project.acting_note else ""
            )
            acted = now - timedelta(days=rng.randint(1, 10))
            acting = people[project.acting_owner_id].name
            history.append(_owner_row(project, HistoryKind.ACTING, acted, after=acting, note=note))
        if project.status in (ProjectStatus.DONE, ProjectStatus.CANCELLED):
            closed = now - timedelta(days=rng.randint(1, 30))
            history.append(
                _owner_row(
                    project,
                    HistoryKind.STATUS,
                    closed,
                    before=ProjectStatus.ACTIVE,
                    after=project.status,
                )
            )
        team_pool = members[project.team_id]
        for person in rng.sample(team_pool, min(len(team_pool), rng.choice((0, 0, 0, 0, 1, 2)))):
            if person != project.owner_id:
                watches.append(Watch(project_id=project.pk, person_id=person))
    left_at = now - timedelta(hours=2)
    gone = set(leavers)
    for project in projects:
        if project.status in OPEN_STATUSES and (
            project.owner_id in gone or project.acting_owner_id in gone
        ):
            name = people[
                project.owner_id if project.owner_id in gone else project.acting_owner_id
            ].name
            history.append(
                _history_row(
                    project.pk,
                    at=left_at,
                    kind=HistoryKind.ORPHANED,
                    before=name,
                    note=f"{name} was deactivated.",
                )
            )
            result.orphaned += 1
    ProjectHistory.objects.bulk_create(history, batch_size=1000)
    Watch.objects.bulk_create(watches, batch_size=1000, ignore_conflicts=True)

    # Overloaded: owners of more critical open projects than the threshold.
    critical_open = defaultdict(int)
    for project in projects:
        if project.critical and project.status in OPEN_STATUSES:
            critical_open[project.owner_id] += 1
    result.overloaded = sum(1 for n in critical_open.values() if n > overload)

    audit_record(
        actor=actor,
        action="project.seed_demo",
        changes={
            "projects": result.projects,
            "goals": result.goals,
            "updates": result.updates,
            "transfers": result.transfers,
        },
    )

    # The leavers leave: what teams.services.person_deactivate writes (inactive, left_at, an
    # audit event each, the people cache bumped), in bulk and without notices, like the rest
    # of the demo. Their projects' ORPHANED rows went in with the history above.
    User.objects.filter(pk__in=leavers).update(is_active=False)
    Profile.objects.filter(user_id__in=leavers).update(left_at=left_at)
    for pk in sorted(leavers):
        audit_record(
            actor=actor,
            action="person.deactivate",
            target=User(pk=pk, username=people[pk].username),
        )
        result.leavers.append(people[pk].name)
    caching.bump(PEOPLE_CACHE)
    return result


def _schedule(project: Project, people: dict[int, _Person], *, now: datetime, stale_days: int):
    """services._schedule_cadence, on rows not saved yet, plus what beat would have done:
    a reminder whose instant has passed was sent (remind_at cleared)."""
    if project.status not in OPEN_STATUSES:
        project.update_due_on = project.remind_at = project.stale_at = None
        return
    person = people[project.acting_owner_id or project.owner_id]
    ranges, zone = person.ranges, person.zone
    since = project.last_update_at or project.created_at
    last_local = since.astimezone(zone).date()
    project.update_due_on = cadence.update_due_on(last_local, project.update_cadence_days)
    remind = cadence.reminder_at(ranges, zone, project.update_due_on)
    project.remind_at = remind if remind > now else None
    project.stale_at = cadence.stale_at(ranges, zone, last_local, stale_days)


# --- seed_demo (registered in projects.apps through core.demo) -------------------------------


PROJECTS_PER_PERSON = 2.5  # 3,000 projects for the default 1,200 people


def add_arguments(parser) -> None:
    parser.add_argument(
        "--projects",
        type=int,
        default=None,
        help=f"projects (default {PROJECTS_PER_PERSON:g} per person: 3000 for 1200 people)",
    )


def seed(run) -> None:
    """After teams (people, teams) and oncall: projects over the demo teams."""
    count = run.options.get("projects")
    if count is None:
        count = round(PROJECTS_PER_PERSON * run.options.get("people", 1200))
    result = seed_projects(actor=run.actor, count=max(0, count), seed=run.options["seed"])
    if result.projects:
        run.say(
            f"Created {result.projects} projects ({result.goals} goals, {result.updates} "
            f"status updates): {result.stale} stale, {result.orphaned} orphaned by "
            f"{len(result.leavers)} leavers, {result.acting} with an acting owner, "
            f"{result.overloaded} overloaded owners, {result.transfers} pending transfers."
        )
