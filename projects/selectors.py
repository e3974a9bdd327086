"""Every read of projects that is more than a `get`, with its joins (views never query).

`orphaned` is computed, never stored: an open project is orphaned while its owner or its acting
owner is deactivated (teams.services.person_deactivate tells the team's leads). `stale`:
stale_at has passed (projects.cadence says when, in the owner's working days).
"""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import (
    BooleanField,
    Case,
    Exists,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
)
from django.utils import timezone

from core.compiled import CompiledQuery
from teams.models import TeamRole
from teams.selectors import team_ids_of

from .models import (
    OPEN_STATUSES,
    Goal,
    OwnershipTransfer,
    Project,
    ProjectHistory,
    ProjectUpdate,
    TransferState,
    Watch,
)

# The owner left, or the acting owner did (DESIGN: "the projects they own (or act for) become
# orphaned"): an active acting owner covers only until a date, so a project whose owner left
# needs a new owner all the same.
ORPHANED = Q(owner__is_active=False) | Q(acting_owner__is_active=False)


def stale_q(now: datetime) -> Q:
    return Q(stale_at__lte=now, status__in=OPEN_STATUSES)


def with_people(queryset: QuerySet, *, now: datetime | None = None) -> QuerySet:
    """Projects with their team, owner, backup and acting owner (and profiles) joined, and
    `orphaned` / `is_stale` annotated (stale at `now`, by default the present)."""
    now = now or timezone.now()
    return queryset.select_related(
        "team",
        "owner__profile",
        "backup_owner__profile",
        "acting_owner__profile",
    ).annotate(
        orphaned=Case(
            When(ORPHANED & Q(status__in=OPEN_STATUSES), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        ),
        is_stale=Case(
            When(stale_q(now), then=Value(True)), default=Value(False), output_field=BooleanField()
        ),
    )


def project_by_slug(slug: str) -> Project | None:
    return with_people(Project.objects.filter(slug=slug)).first()


def project_by_id(pk: int) -> Project | None:
    return with_people(Project.objects.filter(pk=pk)).first()


def projects_filtered(
    *,
    q: str = "",
    team_id: int | None = None,
    status: str = "",
    health: str = "",
    owner_id: int | None = None,
    country: str = "",
    critical: bool | None = None,
    orphaned: bool | None = None,
    stale: bool | None = None,
    open_only: bool = False,
) -> QuerySet:
    """Every project matching the filters (everyone signed in reads every project)."""
    qs = Project.objects.all()
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(slug__icontains=q))
    if team_id:
        qs = qs.filter(team_id=team_id)
    if status:
        qs = qs.filter(status=status)
    if open_only:
        qs = qs.filter(status__in=OPEN_STATUSES)
    if health == "none":
        qs = qs.filter(health="")
    elif health:
        qs = qs.filter(health=health)
    if owner_id:
        qs = qs.filter(Q(owner_id=owner_id) | Q(acting_owner_id=owner_id))
    if country:
        qs = qs.filter(
            Q(acting_owner__isnull=True, owner__profile__country=country)
            | Q(acting_owner__profile__country=country)
        )
    if critical is not None:
        qs = qs.filter(critical=critical)
    if orphaned is not None:
        condition = ORPHANED & Q(status__in=OPEN_STATUSES)
        qs = qs.filter(condition) if orphaned else qs.exclude(condition)
    if stale is not None:
        condition = stale_q(timezone.now())
        qs = qs.filter(condition) if stale else qs.exclude(condition)
    return with_people(qs)


def goals_of(project: Project) -> list[Goal]:
    return list(project.goals.order_by("position", "id"))


def updates_of(project: Project, *, limit: int = 20) -> list[ProjectUpdate]:
    return list(
        project.updates.select_related("author__profile").order_by("-created_at", "-id")[:limit]
    )


def history_of(project: Project, *, limit: int = 50) -> list[ProjectHistory]:
    return list(project.history.select_related("actor__profile").order_by("-at", "-id")[:limit])


def pending_transfer(project: Project) -> OwnershipTransfer | None:
    return (
        project.transfers.filter(state=TransferState.PENDING)
        .select_related("to_person__profile", "from_owner__profile", "proposed_by__profile")
        .first()
    )


def transfer_by_id(pk: int) -> OwnershipTransfer | None:
    return (
        OwnershipTransfer.objects.filter(pk=pk)
        .select_related(
            "project__team",
            "project__owner__profile",
            "to_person__profile",
            "from_owner__profile",
            "proposed_by__profile",
            "decided_by__profile",
        )
        .first()
    )


def transfers_of(project: Project, *, limit: int = 20) -> list[OwnershipTransfer]:
    return list(
        project.transfers.select_related(
            "to_person__profile", "from_owner__profile", "proposed_by__profile"
        ).order_by("-created_at", "-id")[:limit]
    )


def transfers_waiting_for(person: AbstractBaseUser) -> QuerySet:
    return (
        OwnershipTransfer.objects.filter(to_person=person, state=TransferState.PENDING)
        .select_related("project__team", "from_owner__profile", "proposed_by__profile")
        .order_by("expires_at", "id")
    )


def is_watching(project: Project, person: AbstractBaseUser) -> bool:
    return Watch.objects.filter(project=project, person=person).exists()


def watchers_of(project: Project) -> QuerySet:
    return (
        Watch.objects.filter(project=project)
        .select_related("person__profile")
        .order_by("person__profile__display_name")
    )


def owned_by(person: AbstractBaseUser, *, open_only: bool = True) -> QuerySet:
    """Projects `person` owns (acting for someone else's excluded)."""
    qs = Project.objects.filter(owner=person)
    if open_only:
        qs = qs.filter(status__in=OPEN_STATUSES)
    return with_people(qs).order_by("update_due_on", "name")


def acting_for(person: AbstractBaseUser) -> QuerySet:
    return with_people(Project.objects.filter(acting_owner=person)).order_by("acting_until")


def orphaned_by(person: AbstractBaseUser) -> QuerySet:
    """Open projects `person` owns or acts for: orphaned once they are deactivated (the
    deactivation page lists them first)."""
    return with_people(
        Project.objects.filter(status__in=OPEN_STATUSES).filter(
            Q(owner=person) | Q(acting_owner=person)
        )
    ).order_by("name")


def stale_in_teams_led_by(person: AbstractBaseUser, *, limit: int = 20) -> list[Project]:
    team_ids = team_ids_of(person, role=TeamRole.LEAD)
    if not team_ids:
        return []
    return list(
        with_people(
            Project.objects.filter(team_id__in=team_ids).filter(stale_q(timezone.now()))
        ).order_by("stale_at")[:limit]
    )


def watched_by(person: AbstractBaseUser) -> QuerySet:
    return with_people(
        Project.objects.filter(Exists(Watch.objects.filter(project=OuterRef("pk"), person=person)))
    )


def projects_of_team(team_id: int) -> QuerySet:
    return with_people(Project.objects.filter(team_id=team_id)).order_by("name")


def goals_prefetch() -> Prefetch:
    return Prefetch("goals", queryset=Goal.objects.order_by("position", "id"))


# --- page reads -------------------------------------------------------------------------------
# What the project pages and panels read (projects.views, projects.panels), each a fixed number
# of queries whatever the number of projects.


def open_goals_count():
    """An annotation: how many of the project's goals are not done (a subquery, so it adds no
    GROUP BY over the joined people)."""
    from django.db.models import Count, IntegerField, Subquery
    from django.db.models.functions import Coalesce

    counts = (
        Goal.objects.filter(project=OuterRef("pk"), done=False)
        .order_by()
        .values("project")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counts, output_field=IntegerField()), Value(0))


def listed_projects(**filters) -> QuerySet:
    """projects_filtered(**filters) with `open_goals`, by name: the projects list (one query a
    page, one to count)."""
    return (
        projects_filtered(**filters).annotate(open_goals=open_goals_count()).order_by("name", "id")
    )


def team_people(team_ids) -> dict[int, list[AbstractBaseUser]]:
    """The active members (with profiles) of each team, by name: the owner pickers. One query
    whatever the number of teams."""
    from teams.models import Membership

    out: dict[int, list[AbstractBaseUser]] = {pk: [] for pk in team_ids}
    if not out:
        return out
    memberships = (
        Membership.objects.filter(team_id__in=out, person__is_active=True)
        .select_related("person__profile")
        .order_by("person__profile__display_name", "person_id")
    )
    for membership in memberships:
        if hasattr(membership.person, "profile"):
            out[membership.team_id].append(membership.person)
    return out


def person_for_username(username: str) -> AbstractBaseUser | None:
    """The person with this username (any case), with their profile, or None: one query.
    Deactivated people are returned too (the services say why they cannot own)."""
    from django.contrib.auth import get_user_model

    return (
        get_user_model()
        .objects.filter(username__iexact=username.strip(), profile__isnull=False)
        .select_related("profile")
        .first()
    )


def goal_of(project: Project, goal_id: int) -> Goal | None:
    return Goal.objects.filter(project=project, pk=goal_id).first()


# The dashboard's reads, compiled once (core.compiled): the same shape on every request.
_ACCOUNTABLE_FOR = CompiledQuery(
    lambda person_id, now: (
        with_people(
            Project.objects.filter(status__in=OPEN_STATUSES).filter(
                Q(owner_id=person_id) | Q(acting_owner_id=person_id)
            ),
            now=now,
        )
        .annotate(open_goals=open_goals_count())
        .order_by("update_due_on", "name", "id")[:50]
    )
)


def accountable_for(person: AbstractBaseUser) -> list[Project]:
    """The open projects `person` owns or acts for, with open_goals, the soonest update due
    first: the dashboard's "my projects" and "I act for" (one query)."""
    return _ACCOUNTABLE_FOR.fetch(person_id=person.pk, now=timezone.now())


_TEAM_PROJECTS = CompiledQuery(
    lambda team_id, now, limit: (
        with_people(Project.objects.filter(team_id=team_id, status__in=OPEN_STATUSES), now=now)
        .annotate(open_goals=open_goals_count())
        .order_by("name", "id")[:limit]
    )
)


def team_projects_page(team_id: int, *, limit: int) -> tuple[list[Project], int]:
    """The first `limit` open projects of a team by name and how many it has (two queries)."""
    rows = _TEAM_PROJECTS.fetch(team_id=team_id, now=timezone.now(), fixed={"limit": limit})
    return rows, Project.objects.filter(team_id=team_id, status__in=OPEN_STATUSES).count()


# --- API reads --------------------------------------------------------------------------------
# The REST API's reads (projects/api.py): querysets it paginates, with every join its output
# serializers follow, so each list costs the same number of queries whatever its length.

_TRANSFER_JOINS = (
    "project",
    "from_owner__profile",
    "to_person__profile",
    "proposed_by__profile",
    "decided_by__profile",
)


def projects_by_ids(ids) -> dict[int, Project]:
    """{id: project} of the given ids that exist (one query, people joined)."""
    return {p.pk: p for p in with_people(Project.objects.filter(pk__in=set(ids)))}


def project_updates(project: Project) -> QuerySet:
    return project.updates.select_related("author__profile")


def project_update_by_id(pk: int) -> ProjectUpdate | None:
    return ProjectUpdate.objects.filter(pk=pk).select_related("author__profile").first()


def project_history(project: Project) -> QuerySet:
    return project.history.select_related("actor__profile")


def project_transfers(project: Project) -> QuerySet:
    return project.transfers.select_related(*_TRANSFER_JOINS)


def transfers_waiting(person: AbstractBaseUser) -> QuerySet:
    """Transfers proposed to `person` that wait for their answer."""
    return OwnershipTransfer.objects.filter(
        to_person=person, state=TransferState.PENDING
    ).select_related(*_TRANSFER_JOINS)


def transfers_by_ids(ids) -> list[OwnershipTransfer]:
    return list(
        OwnershipTransfer.objects.filter(pk__in=list(ids))
        .select_related(*_TRANSFER_JOINS)
        .order_by("id")
    )


def transfer_for_api(pk: int) -> OwnershipTransfer | None:
    return OwnershipTransfer.objects.filter(pk=pk).select_related(*_TRANSFER_JOINS).first()


def person_by_id(pk: int) -> AbstractBaseUser | None:
    """A Baton person (with a profile), active or deactivated, or None (one query)."""
    from django.contrib.auth import get_user_model

    return (
        get_user_model()
        .objects.filter(pk=pk, profile__isnull=False)
        .select_related("profile")
        .first()
    )


def team_by_id(pk: int):
    from teams.models import Team

    return Team.objects.filter(pk=pk).first()


def pending_transfers_for(project_ids) -> dict[int, OwnershipTransfer]:
    """The pending transfer of each of these projects that has one (one query)."""
    ids = list(project_ids)
    if not ids:
        return {}
    return {
        t.project_id: t
        for t in OwnershipTransfer.objects.filter(
            project_id__in=ids, state=TransferState.PENDING
        ).select_related("to_person__profile", "from_owner__profile", "proposed_by__profile")
    }


_TRANSFERS_WAITING = CompiledQuery(
    lambda person_id, limit: (
        OwnershipTransfer.objects.filter(to_person_id=person_id, state=TransferState.PENDING)
        .select_related(
            "project__team", "to_person__profile", "from_owner__profile", "proposed_by__profile"
        )
        .order_by("expires_at", "id")[:limit]
    )
)


def transfers_waiting_page(person: AbstractBaseUser, *, limit: int) -> list[OwnershipTransfer]:
    """The first `limit` transfers waiting for `person`'s answer, soonest to expire first,
    with everyone they name (one query)."""
    return _TRANSFERS_WAITING.fetch(person_id=person.pk, fixed={"limit": limit})
