"""The projects services end to end, briefly (each part has its own tests)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from notifications.models import Notification
from projects import selectors, services
from projects.models import HistoryKind, TransferState
from teams import services as team_services
from tests.projects.org import SYSTEM, actor


def test_project_life(org):
    project = org.project(owner=org.member, description="**Hi** <script>x()</script>")
    assert project.description_html == "<p><strong>Hi</strong> </p>"
    assert project.update_due_on is not None and project.remind_at is not None
    update = services.update_post(actor=actor(org.member), project=project, health="at_risk")
    project.refresh_from_db()
    assert project.health == "at_risk" and update.changes == []
    services.goal_create(actor=actor(org.member), project=project, title="Ship", target_value=10)
    second = services.update_post(actor=actor(org.member), project=project, health="on_track")
    assert [c["what"] for c in second.changes] == ["Health", "Goal “Ship”"]

    transfer = org.propose(project, org.member2, by=org.lead, reason="Rebalancing")
    with pytest.raises(ValidationError):
        org.propose(project, org.admin, by=org.lead, reason="Again")
    services.transfer_accept(actor=actor(org.member2), transfer=transfer)
    project.refresh_from_db()
    assert project.owner_id == org.member2.pk
    transfer.refresh_from_db()
    assert transfer.state == TransferState.ACCEPTED
    assert Notification.objects.filter(kind="projects.transfer", recipient=org.member).exists()

    today = timezone.now().date()
    services.acting_set(
        actor=actor(org.member2), project=project, acting_owner=org.member,
        until=today + timedelta(days=3),
    )  # fmt: skip
    assert services.acting_revert_due(now=timezone.now() + timedelta(days=5)) == 1
    assert services.acting_revert_due(now=timezone.now() + timedelta(days=5)) == 0
    project.refresh_from_db()
    assert project.acting_owner_id is None

    team_services.person_deactivate(actor=actor(org.admin), person=org.member2)
    assert selectors.projects_filtered(orphaned=True).get().pk == project.pk
    assert project.history.filter(kind=HistoryKind.ORPHANED).exists()
    assert Notification.objects.filter(kind="projects.orphaned", recipient=org.lead).exists()


def test_bad_transfers(org):
    project = org.project(owner=org.member)
    team_services.person_deactivate(actor=SYSTEM, person=org.outsider)
    for to, message in (
        (org.outsider, "deactivated"),
        (org.member, "already owns"),
        (org.lead, "yourself"),
        (10**9, "No such active person"),
    ):
        with pytest.raises(ValidationError) as exc:
            org.propose(project, to, by=org.lead)
        assert message in str(exc.value)
    assert not project.transfers.exists()


def test_a_team_with_projects_is_not_deleted(org):
    from teams.services import team_delete

    org.project(owner=org.member)
    with pytest.raises(ValidationError) as exc:
        team_delete(actor=SYSTEM, team=org.team)
    assert "projects" in str(exc.value)
    assert org.team.__class__.objects.filter(pk=org.team.pk).exists()
