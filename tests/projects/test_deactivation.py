"""A person is deactivated (teams.services.person_deactivate -> teams.hooks ->
projects.services.person_deactivated): the open projects they own or act for are orphaned,
recorded on each project, their teams' leads told once, and the transfers waiting for their
answer cancelled so a new owner can be proposed at once."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from notifications.models import Notification
from projects import selectors, services
from projects.models import HistoryKind, Project, TransferState
from teams import services as team_services
from tests.factories import PersonFactory, TeamFactory, add_member
from tests.projects.org import SYSTEM, actor


def orphaned_ids() -> set[int]:
    return set(selectors.projects_filtered(orphaned=True).values_list("pk", flat=True))


def orphan_notices(person) -> list[Notification]:
    return list(Notification.objects.filter(kind="projects.orphaned", recipient=person))


def test_owned_projects_are_orphaned_recorded_and_the_lead_told_once(org):
    mine = [org.project(owner=org.member) for _ in range(3)]
    closed = org.project(owner=org.member, status="done")
    backup_only = org.project(owner=org.member2, backup_owner=org.member)
    others = org.project(owner=org.member2)
    assert orphaned_ids() == set()

    team_services.person_deactivate(actor=actor(org.admin), person=org.member)

    assert orphaned_ids() == {p.pk for p in mine}
    for project in mine:
        [row] = project.history.filter(kind=HistoryKind.ORPHANED)
        assert row.before == "Mo Member" and row.note == "Mo Member was deactivated."
        assert row.actor_id is None
        assert selectors.project_by_id(project.pk).orphaned
    for project in (closed, backup_only, others):
        assert not project.history.filter(kind=HistoryKind.ORPHANED).exists()
        assert not selectors.project_by_id(project.pk).orphaned
    [notice] = orphan_notices(org.lead)
    assert notice.title == "3 project(s) of Platform have no owner"
    assert "Mo Member was deactivated: Project 001, Project 002, Project 003" in notice.body
    assert notice.url == f"/projects/?team={org.team.pk}&orphaned=1"
    assert Notification.objects.filter(kind="projects.orphaned").count() == 1
    assert set(selectors.projects_filtered(orphaned=False).values_list("pk", flat=True)) == {
        closed.pk,
        backup_only.pk,
        others.pk,
    }
    # Deactivating again changes nothing and tells nobody again.
    team_services.person_deactivate(actor=actor(org.admin), person=org.member)
    assert len(orphan_notices(org.lead)) == 1
    assert Project.objects.get(pk=mine[0].pk).history.filter(kind=HistoryKind.ORPHANED).count() == 1


def test_an_acting_owner_who_leaves_hands_the_project_back_to_its_owner(org):
    project = org.project(owner=org.member)
    org.name_acting(project, org.member2, by=org.member)
    team_services.person_deactivate(actor=SYSTEM, person=org.member2)
    project.refresh_from_db()
    assert project.acting_owner_id is None and project.acting_until is None
    assert orphaned_ids() == set() and orphan_notices(org.lead) == []
    assert project.history.filter(kind=HistoryKind.ACTING, note="Nia Member was deactivated")
    [told] = Notification.objects.filter(kind="projects.acting", recipient=org.member).filter(
        title__contains="accountable for"
    )
    assert "Nia Member no longer acts as owner (Nia Member was deactivated)" in told.body
    assert list(selectors.orphaned_by(org.member2)) == []


def test_projects_someone_acts_for_whose_owner_left_too_are_orphaned(org):
    project = org.project(owner=org.member)
    org.name_acting(project, org.member2, by=org.member)
    team_services.person_deactivate(actor=SYSTEM, person=org.member)
    team_services.person_deactivate(actor=SYSTEM, person=org.member2)
    assert orphaned_ids() == {project.pk}
    assert project.history.filter(kind=HistoryKind.ORPHANED, before="Nia Member").exists()
    assert [p.pk for p in selectors.orphaned_by(org.member2)] == [project.pk]


def test_an_owner_who_leaves_while_someone_acts_still_orphans_the_project(org):
    """The acting owner covers until a date; the project needs a new owner all the same."""
    project = org.project(owner=org.member)
    org.name_acting(project, org.member2, by=org.member)
    team_services.person_deactivate(actor=SYSTEM, person=org.member)
    assert orphaned_ids() == {project.pk}
    assert len(orphan_notices(org.lead)) == 1


def test_each_teams_leads_are_told_about_their_own_projects(org):
    other_lead = PersonFactory(display_name="Olga Lead")
    add_member(org.other_team, other_lead, "lead")
    co_lead = PersonFactory(display_name="Cora Lead")
    add_member(org.team, co_lead, "lead")
    org.project(owner=org.member)
    org.project(owner=org.member, team=org.other_team, name="Ledger")
    team_services.person_deactivate(actor=SYSTEM, person=org.member)
    assert len(orphan_notices(org.lead)) == len(orphan_notices(co_lead)) == 1
    [olga] = orphan_notices(other_lead)
    assert olga.title == "1 project(s) of Payments have no owner" and "Ledger" in olga.body


def test_a_lead_who_leaves_is_not_told_and_a_team_without_leads_is_skipped(org):
    org.project(owner=org.lead)
    lonely = TeamFactory(name="Lonely")
    add_member(lonely, org.member2)
    org.project(owner=org.member2, team=lonely)
    team_services.person_deactivate(actor=SYSTEM, person=org.lead)
    team_services.person_deactivate(actor=SYSTEM, person=org.member2)
    assert not Notification.objects.filter(kind="projects.orphaned").exists()
    assert len(orphaned_ids()) == 2


def test_a_long_list_is_cut_in_the_notice(org):
    for _ in range(7):
        org.project(owner=org.member)
    team_services.person_deactivate(actor=SYSTEM, person=org.member)
    [notice] = orphan_notices(org.lead)
    assert notice.body.endswith("Project 005 and 2 more. Propose new owners.")


def test_transfers_waiting_for_the_leaver_are_cancelled_and_a_new_owner_proposed(org):
    """Bug fixed: a pending transfer to someone who left could never be accepted, and it
    blocked proposing anyone else until someone found and cancelled it by hand."""
    project = org.project(owner=org.member)
    transfer = org.propose(project, org.member2, by=org.member, reason="Handover")
    team_services.person_deactivate(actor=SYSTEM, person=org.member2)
    transfer.refresh_from_db()
    assert transfer.state == TransferState.CANCELLED
    assert transfer.answer == "Nia Member was deactivated."
    assert project.history.filter(kind=HistoryKind.TRANSFER_CANCELLED).exists()
    assert Notification.objects.filter(
        kind="projects.transfer", recipient=org.member, title__contains="was cancelled"
    ).exists()
    org.propose(project, org.lead, by=org.member, reason="Handover")


def test_a_transfer_from_the_leaver_stays_open(org):
    """The lead proposed a new owner for the leaver's project: that proposal is the way out
    of the orphan state, it is kept."""
    project = org.project(owner=org.member)
    transfer = org.propose(project, org.member2, by=org.lead, reason="Mo leaves")
    team_services.person_deactivate(actor=SYSTEM, person=org.member)
    transfer.refresh_from_db()
    assert transfer.state == TransferState.PENDING
    services.transfer_accept(actor=actor(org.member2), transfer=transfer)
    assert orphaned_ids() == set()


def test_orphans_are_fixed_by_a_transfer_from_the_lead(org):
    project = org.project(owner=org.member)
    team_services.person_deactivate(actor=SYSTEM, person=org.member)
    transfer = org.propose(project, org.member2, by=org.lead, reason="Mo left")
    assert transfer.from_owner_id == org.member.pk
    services.transfer_accept(actor=actor(org.member2), transfer=transfer)
    assert orphaned_ids() == set()
    # The leaver was told nothing (inactive people get no notices).
    assert not Notification.objects.filter(recipient=org.member, kind="projects.transfer")


def test_reactivating_ends_the_orphan_state(org):
    project = org.project(owner=org.member)
    team_services.person_deactivate(actor=SYSTEM, person=org.member)
    assert orphaned_ids() == {project.pk}
    team_services.person_reactivate(actor=SYSTEM, person=org.member)
    assert orphaned_ids() == set()


def _deactivation_queries(person) -> int:
    with CaptureQueriesContext(connection) as ctx:
        team_services.person_deactivate(actor=SYSTEM, person=person)
    return len(ctx.captured_queries)


@pytest.mark.parametrize("teams", [1, 2])
def test_deactivation_costs_the_same_for_two_projects_or_forty(org, teams):
    """One history INSERT for all the projects and one leads query for all the teams: the
    cost depends on the number of teams (one notice each), not of projects."""
    few, many = PersonFactory(), PersonFactory()
    for person, n in ((few, 2), (many, 40)):
        for i in range(n):
            org.project(owner=person, team=org.team if i % teams == 0 else org.other_team)
    add_member(org.other_team, PersonFactory(), "lead")
    few_cost, many_cost = _deactivation_queries(few), _deactivation_queries(many)
    assert few_cost == many_cost
    assert Project.objects.filter(owner=many).count() == 40
    assert orphaned_ids() == set(
        Project.objects.filter(owner__in=[few, many]).values_list("pk", flat=True)
    )
