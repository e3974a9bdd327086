"""seed_demo's projects (projects/demo.py): the mix a manager's map needs, and derived fields
that agree with what the services would have written."""

from __future__ import annotations

import io
from collections import Counter

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from core.markdown import render_markdown
from projects import selectors, services
from projects.models import (
    OPEN_STATUSES,
    Goal,
    HistoryKind,
    OwnershipTransfer,
    Project,
    ProjectHistory,
    ProjectUpdate,
    TransferState,
)
from teams.models import Profile


def _seed(**options) -> str:
    out = io.StringIO()
    call_command("seed_demo", no_progress=True, stdout=out, stderr=io.StringIO(), **options)
    return out.getvalue()


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """One small demo org for the whole module (seeding is the slow part), rolled back at the
    end; each test runs in a savepoint inside it."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield _seed(people=120, teams=15, schedules=0, projects=300, seed=3)
        transaction.set_rollback(True)


pytestmark = pytest.mark.django_db


def test_the_projects_and_the_summary(seeded):
    assert Project.objects.count() == 300
    assert "Created 300 projects" in seeded
    assert Goal.objects.exists() and ProjectUpdate.objects.exists()
    # Spread over the teams and owners, in many countries.
    assert Project.objects.values("team").distinct().count() >= 10
    assert Project.objects.values("owner").distinct().count() >= 60
    countries = set(Project.objects.values_list("owner__profile__country", flat=True))
    assert len(countries) >= 8


def test_the_mix_a_manager_should_see(seeded):
    now = timezone.now()
    assert selectors.projects_filtered(stale=True).count() >= 10
    orphaned = selectors.projects_filtered(orphaned=True)
    assert orphaned.count() >= 2
    for project in orphaned:
        assert project.history.filter(kind=HistoryKind.ORPHANED).exists()
    acting = Project.objects.filter(acting_owner__isnull=False)
    assert acting.filter(acting_owner__is_active=True, acting_until__gt=now).count() >= 3
    limit = settings.PROJECTS_OVERLOAD_CRITICAL
    critical = Counter(
        Project.objects.filter(
            critical=True, status__in=OPEN_STATUSES, owner__is_active=True
        ).values_list("owner_id", flat=True)
    )
    assert sum(1 for n in critical.values() if n > limit) >= 1
    pending = OwnershipTransfer.objects.filter(state=TransferState.PENDING)
    assert pending.count() >= 2
    for transfer in pending:
        assert transfer.to_person_id != transfer.from_owner_id
        assert transfer.to_person.is_active and transfer.expires_at > now
        assert transfer.from_owner_id == transfer.project.owner_id
    healths = Counter(Project.objects.values_list("health", flat=True))
    assert {"on_track", "at_risk", "off_track", ""} <= set(healths)
    assert len(set(Project.objects.values_list("status", flat=True))) == 5


def test_the_demo_sign_in_has_something_to_do(seeded):
    demo = Profile.objects.get(user__username="demo").user
    assert selectors.owned_by(demo).count() >= 3
    assert selectors.acting_for(demo).exists()
    assert selectors.transfers_waiting_for(demo).exists()


def test_derived_fields_match_what_the_services_write(seeded):
    now = timezone.now()
    projects = list(
        Project.objects.select_related(
            "owner__profile", "acting_owner__profile", "backup_owner"
        ).prefetch_related("updates")
    )
    for project in projects:
        assert project.description_html == render_markdown(project.description)
        updates = sorted(project.updates.all(), key=lambda u: (u.created_at, u.id))
        if updates:
            assert project.health == updates[-1].health
            assert project.last_update_at == updates[-1].created_at
        else:
            assert project.health == "" and project.last_update_at is None
        previous = None
        for update in updates:
            assert update.body_html == render_markdown(update.body)
            assert update.changes == services.update_changes(previous, update.snapshot)
            assert update.snapshot["health"] == update.health
            previous = update.snapshot
        expected = Project(
            status=project.status,
            owner=project.owner,
            acting_owner=project.acting_owner,
            update_cadence_days=project.update_cadence_days,
            last_update_at=project.last_update_at,
            created_at=project.created_at,
        )
        services._schedule_cadence(expected)
        assert project.update_due_on == expected.update_due_on, project.slug
        assert project.stale_at == expected.stale_at, project.slug
        if expected.remind_at is None or expected.remind_at <= now:
            assert project.remind_at is None  # sent already (or closed)
        else:
            assert project.remind_at == expected.remind_at
        assert project.backup_owner_id != project.owner_id
        if project.start_date and project.target_date:
            assert project.target_date >= project.start_date
    for goal in Goal.objects.select_related("project").filter(target_date__isnull=False):
        assert goal.project.start_date is None or goal.target_date >= goal.project.start_date


def test_every_project_has_its_history(seeded):
    created = Counter(
        Project.objects.filter(history__kind=HistoryKind.CREATED).values_list("pk", flat=True)
    )
    assert len(created) == Project.objects.count() and set(created.values()) == {1}
    for project in Project.objects.filter(acting_owner__isnull=False):
        assert project.history.filter(kind=HistoryKind.ACTING).exists()
    for transfer in OwnershipTransfer.objects.all():
        assert transfer.project.history.filter(kind=HistoryKind.TRANSFER_PROPOSED).exists()
    # Nothing happened to a project before it was created, nor after now.
    now = timezone.now()
    for model, field in (
        (ProjectHistory, "at"),
        (ProjectUpdate, "created_at"),
        (OwnershipTransfer, "created_at"),
        (Goal, "created_at"),
    ):
        assert not model.objects.filter(**{f"{field}__lt": F("project__created_at")}).exists()
        assert not model.objects.filter(**{f"{field}__gt": now}).exists()


def test_seeding_again_does_nothing(seeded):
    assert "Demo data already present" in _seed(people=10, teams=2, projects=50)
    assert Project.objects.count() == 300
