"""projects.services: every write, its history row, audit event and notices, and the rules that
hold whoever asks (an owner is an active person, one pending transfer, no owner edits)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.models import AuditEvent
from notifications import kinds
from notifications.models import Notification
from projects import selectors, services
from projects.models import (
    Goal,
    HistoryKind,
    Project,
    ProjectHistory,
    TransferState,
    Watch,
)
from teams import services as team_services
from tests.factories import PersonFactory, add_member
from tests.projects.org import SYSTEM, actor, counts

# Monday 1 March 2027, 10:00 in London (GMT; BST starts on 28 March).
MONDAY = datetime(2027, 3, 1, 10, 0, tzinfo=UTC)


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def notices(kind: str, person) -> list[Notification]:
    return list(Notification.objects.filter(kind=kind, recipient=person).order_by("id"))


def history(project, kind: str) -> list[ProjectHistory]:
    return list(project.history.filter(kind=kind).order_by("at", "id"))


@pytest.fixture
def monday():
    with time_machine.travel(MONDAY, tick=False) as traveller:
        yield traveller


# --- create ----------------------------------------------------------------------------------


def test_create_renders_records_and_schedules(org, monday):
    project = org.project(
        owner=org.member,
        by=org.lead,
        name="Billing revamp",
        description="We **ship** it.",
        critical=True,
        priority=2,
        links=[{"title": "Doc", "url": "https://example.com/doc"}],
    )
    assert project.slug == "billing-revamp"
    assert project.description_html == "<p>We <strong>ship</strong> it.</p>"
    assert project.critical and project.priority == 2
    assert project.links == [{"title": "Doc", "url": "https://example.com/doc"}]
    # Weekly: due on Monday 8 March, reminded at 09:00 London that day; stale after ten of
    # the owner's working days (Tue 2 .. Mon 15) from the start of Tuesday 16 March.
    assert project.update_due_on == date(2027, 3, 8)
    assert project.remind_at == utc(2027, 3, 8, 9)
    assert project.stale_at == utc(2027, 3, 16, 9)
    assert project.health == "" and project.last_update_at is None
    [created] = history(project, HistoryKind.CREATED)
    assert created.after == "Mo Member" and created.actor_id == org.lead.pk
    assert AuditEvent.objects.filter(action="project.create", target_id=str(project.pk)).exists()
    [notice] = notices("projects.ownership", org.member)
    assert notice.url == f"/projects/{project.slug}/"


def test_creating_your_own_project_tells_nobody(org):
    org.project(owner=org.member, by=org.member)
    assert not Notification.objects.exists()


def test_slugs_are_unique_and_avoid_reserved_words(org):
    assert org.project(name="Alpha").slug == "alpha"
    assert org.project(name="Alpha").slug == "alpha-2"
    assert org.project(name="New").slug == "new-2"  # /projects/new/ is a page
    assert org.project(name="!!!").slug == "project"
    before = counts()
    for slug, message in (("alpha", "already taken"), ("map", "reserved"), ("Not A Slug!", "slug")):
        with pytest.raises(ValidationError) as exc:
            org.project(name="Other", slug=slug)
        assert message in " ".join(exc.value.message_dict["slug"])
    assert counts() == before


def test_create_names_every_bad_field_at_once_and_writes_nothing(org):
    before = counts()
    with pytest.raises(ValidationError) as exc:
        org.project(
            name=" ",
            owner=org.member,
            priority=9,
            update_cadence_days=0,
            status="finished",
            links="javascript:alert(1)",
            backup_owner=10**9,
        )
    assert set(exc.value.message_dict) == {
        "name",
        "priority",
        "update_cadence_days",
        "status",
        "links",
        "backup_owner",
    }
    assert counts() == before


def test_the_backup_cannot_be_the_owner(org):
    with pytest.raises(ValidationError) as exc:
        org.project(owner=org.member, backup_owner=org.member)
    assert "backup_owner" in exc.value.message_dict
    assert not Project.objects.exists()


def test_a_closed_project_has_no_cadence(org):
    project = org.project(status="done")
    assert project.update_due_on is None and project.remind_at is None
    assert project.stale_at is None


# --- update ----------------------------------------------------------------------------------


def test_update_records_status_and_backup_history_and_tells_the_backup(org):
    project = org.project(owner=org.member)
    services.project_update(
        actor=actor(org.lead), project=project, status="active", backup_owner=org.member2
    )
    project.refresh_from_db()
    assert project.status == "active" and project.backup_owner_id == org.member2.pk
    [status] = history(project, HistoryKind.STATUS)
    assert (status.before, status.after) == ("planned", "active")
    [backup] = history(project, HistoryKind.BACKUP)
    assert (backup.before, backup.after) == ("", "Nia Member")
    assert len(notices("projects.ownership", org.member2)) == 1
    event = AuditEvent.objects.get(action="project.update")
    assert event.changes == {"status": "active", "backup_owner": org.member2.pk}


def test_an_update_that_changes_nothing_writes_nothing(org):
    project = org.project(owner=org.member, priority=2)
    before = counts()
    services.project_update(actor=actor(org.lead), project=project, priority="2", name=project.name)
    assert counts() == before


def test_the_owner_is_not_edited(org):
    project = org.project(owner=org.member)
    with pytest.raises(ValidationError) as exc:
        services.project_update(actor=actor(org.lead), project=project, owner=org.member2)
    assert "owner" in exc.value.message_dict
    with pytest.raises(ValueError):
        services.project_update(actor=actor(org.lead), project=project, acting_owner=org.lead)
    project.refresh_from_db()
    assert project.owner_id == org.member.pk


def test_update_refuses_the_owner_as_backup_and_dates_out_of_order(org):
    project = org.project(owner=org.member, start_date=date(2027, 3, 1))
    before = counts()
    with pytest.raises(ValidationError) as exc:
        services.project_update(actor=actor(org.lead), project=project, backup_owner=org.member)
    assert "backup_owner" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.project_update(
            actor=actor(org.lead), project=project, target_date=date(2027, 2, 1)
        )
    assert "target_date" in exc.value.message_dict
    assert counts() == before


def test_the_start_cannot_move_after_a_goals_date(org):
    """Bug fixed: goal_create refuses a goal due before the project starts, but moving the
    start past an existing goal's date was accepted, making the same state the other way."""
    project = org.project(start_date=date(2027, 3, 1))
    services.goal_create(actor=SYSTEM, project=project, title="Beta", target_date="2027-04-01")
    before = counts()
    with pytest.raises(ValidationError) as exc:
        services.project_update(actor=SYSTEM, project=project, start_date="2027-04-02")
    assert exc.value.message_dict == {
        "start_date": ["The goal “Beta” is due 2027-04-01, before this start date; move it first."]
    }
    assert counts() == before
    services.project_update(actor=SYSTEM, project=project, start_date="2027-04-01")


def test_renaming_re_renders_the_description_and_keeps_the_slug(org):
    project = org.project(name="Alpha", description="one")
    project = services.project_update(
        actor=SYSTEM, project=project, name="Beta", description="*two*"
    )
    assert project.slug == "alpha" and project.description_html == "<p><em>two</em></p>"


def test_closing_clears_the_cadence_and_reopening_restores_it(org, monday):
    project = org.project(owner=org.member)
    project = services.project_update(actor=SYSTEM, project=project, status="done")
    assert (project.update_due_on, project.remind_at, project.stale_at) == (None, None, None)
    project = services.project_update(actor=SYSTEM, project=project, status="active")
    assert project.update_due_on == date(2027, 3, 8) and project.remind_at == utc(2027, 3, 8, 9)


def test_a_new_cadence_moves_the_due_date(org, monday):
    project = org.project(owner=org.member)
    project = services.project_update(actor=SYSTEM, project=project, update_cadence_days=14)
    assert project.update_due_on == date(2027, 3, 15)
    assert project.remind_at == utc(2027, 3, 15, 9)


def test_the_due_date_of_a_project_without_updates_stays_put_when_it_is_rescheduled(org):
    """Bug fixed: a project with no update yet was re-anchored on *now* whenever its cadence
    was recomputed (its owner's hours changed, an acting owner was named), so its first update
    kept slipping away."""
    with time_machine.travel(MONDAY, tick=False):
        project = org.project(owner=org.member)
    with time_machine.travel(MONDAY + timedelta(days=3), tick=False):
        team_services.person_update(
            actor=SYSTEM,
            person=org.member,
            working_hours={k: ["08:00-16:00"] for k in ("mon", "tue", "wed", "thu", "fri")},
        )
        project.refresh_from_db()
        assert project.update_due_on == date(2027, 3, 8)
        assert project.remind_at == utc(2027, 3, 8, 8)
        services.acting_set(
            actor=actor(org.member),
            project=project,
            acting_owner=org.member2,
            until=date(2027, 3, 20),
        )
        project.refresh_from_db()
        assert project.update_due_on == date(2027, 3, 8)
        assert project.remind_at == utc(2027, 3, 8, 9)  # Nia's hours: 09:00 London


def test_delete_is_audited(org):
    project = org.project()
    services.project_delete(actor=actor(org.admin), project=project)
    assert not Project.objects.exists()
    assert AuditEvent.objects.filter(action="project.delete").exists()


def test_watch_and_unwatch(org):
    project = org.project()
    assert services.watch_set(actor=SYSTEM, project=project, person=org.lead, watching=True)
    assert services.watch_set(actor=SYSTEM, project=project, person=org.lead, watching=True)
    assert Watch.objects.filter(project=project).count() == 1
    assert selectors.is_watching(project, org.lead)
    assert not services.watch_set(actor=SYSTEM, project=project, person=org.lead, watching=False)
    assert not selectors.is_watching(project, org.lead)


# --- goals -----------------------------------------------------------------------------------


def test_goals_are_created_in_order_updated_and_deleted(org):
    project = org.project(start_date=date(2027, 3, 1))
    first = services.goal_create(actor=SYSTEM, project=project, title="Ship v1")
    second = services.goal_create(
        actor=SYSTEM,
        project=project,
        title="Sign customers",
        target_value="20",
        current_value="4",
        unit="customers",
        target_date="2027-06-30",
    )
    assert (first.position, second.position) == (0, 1)
    assert second.target_value == Decimal("20") and second.target_date == date(2027, 6, 30)
    services.goal_update(actor=SYSTEM, goal=second, current_value="7.5", done="true")
    second.refresh_from_db()
    assert second.current_value == Decimal("7.5") and second.done is True
    services.goal_delete(actor=SYSTEM, goal=first)
    assert [g.title for g in selectors.goals_of(project)] == ["Sign customers"]
    assert AuditEvent.objects.filter(action__startswith="project.goal_").count() == 4


def test_a_new_goal_goes_after_the_last_even_after_a_delete(org):
    """Bug fixed: a new goal took the goal count as its position, so after deleting an
    earlier goal two goals shared a position (and the order depended on ids)."""
    project = org.project()
    first, second, third = (
        services.goal_create(actor=SYSTEM, project=project, title=t) for t in "ABC"
    )
    services.goal_delete(actor=SYSTEM, goal=first)
    fourth = services.goal_create(actor=SYSTEM, project=project, title="D")
    assert (second.position, third.position, fourth.position) == (1, 2, 3)
    assert [g.title for g in selectors.goals_of(project)] == ["B", "C", "D"]


def test_bad_goals_name_the_field_and_write_nothing(org):
    project = org.project(start_date=date(2027, 3, 1))
    goal = services.goal_create(actor=SYSTEM, project=project, title="Ship")
    before = counts()
    cases = [
        ({"title": ""}, "title"),
        ({"title": "x", "target_date": "2027-02-28"}, "target_date"),  # before the start
        ({"title": "x", "target_date": "next week"}, "target_date"),
        ({"title": "x", "current_value": "3"}, "target_value"),  # current of what?
        ({"title": "x", "target_value": "1.234"}, "target_value"),
        ({"title": "x", "target_value": "lots"}, "target_value"),
        ({"title": "x", "done": "maybe"}, "done"),
        ({"title": "x", "unit": "u" * 25}, "unit"),
    ]
    for fields, field in cases:
        with pytest.raises(ValidationError) as exc:
            services.goal_create(actor=SYSTEM, project=project, **fields)
        assert field in exc.value.message_dict, fields
    with pytest.raises(ValidationError) as exc:
        services.goal_update(actor=SYSTEM, goal=goal, target_date=date(2027, 1, 1))
    assert "target_date" in exc.value.message_dict
    assert counts() == before


def test_a_project_has_at_most_fifty_goals(org):
    project = org.project()
    Goal.objects.bulk_create(
        [Goal(project=project, title=f"G{n}", position=n) for n in range(services.MAX_GOALS)]
    )
    with pytest.raises(ValidationError) as exc:
        services.goal_create(actor=SYSTEM, project=project, title="One too many")
    assert "title" in exc.value.message_dict
    assert project.goals.count() == services.MAX_GOALS


# --- status updates --------------------------------------------------------------------------


def test_posting_an_update_sets_health_and_the_next_due_date(org, monday):
    project = org.project(owner=org.member)
    with time_machine.travel(utc(2027, 3, 4, 15), tick=False):  # Thursday
        update = services.update_post(
            actor=actor(org.member), project=project, health="at_risk", body="Slipping <b>x</b>"
        )
    project.refresh_from_db()
    assert project.health == "at_risk"
    assert project.last_update_at == update.created_at == utc(2027, 3, 4, 15)
    assert project.update_due_on == date(2027, 3, 11)
    assert project.remind_at == utc(2027, 3, 11, 9)
    assert project.stale_at == utc(2027, 3, 19, 9)  # Fri 5 .. Thu 18 are ten working days
    assert update.body_html == "<p>Slipping <b>x</b></p>".replace("<b>x</b>", "x")
    assert update.author_id == org.member.pk
    assert AuditEvent.objects.filter(action="project.update_post").exists()


def test_watchers_get_each_update_but_not_the_author_or_leavers(org):
    project = org.project(owner=org.member)
    for person in (org.lead, org.member, org.outsider, org.member2):
        services.watch_set(actor=SYSTEM, project=project, person=person, watching=True)
    team_services.person_deactivate(actor=SYSTEM, person=org.outsider)
    update = services.update_post(actor=actor(org.member), project=project, health="on_track")
    got = Notification.objects.filter(kind="projects.update")
    assert sorted(got.values_list("recipient_id", flat=True)) == sorted(
        [org.lead.pk, org.member2.pk]
    )
    assert {n.idempotency_key for n in got} == {f"projects:update:{update.pk}"}
    assert got.first().url.endswith(f"#update-{update.pk}")


def test_an_update_needs_a_person_and_a_known_health(org):
    project = org.project()
    before = counts()
    with pytest.raises(ValidationError) as exc:
        services.update_post(actor=SYSTEM, project=project, health="on_track")
    assert "author" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.update_post(
            actor=actor(org.member), project=project, health="great", body="x" * 20_001
        )
    assert set(exc.value.message_dict) == {"health", "body"}
    assert counts() == before


def test_what_changed_since_the_previous_update(org):
    project = org.project(owner=org.member, start_date=date(2027, 3, 1))
    ship = services.goal_create(
        actor=SYSTEM, project=project, title="Ship", target_value="10", unit="km"
    )
    docs = services.goal_create(actor=SYSTEM, project=project, title="Docs")
    drop = services.goal_create(actor=SYSTEM, project=project, title="Drop me")
    first = services.update_post(actor=actor(org.member), project=project, health="on_track")
    assert first.changes == []
    assert first.snapshot["goals"][str(ship.pk)]["target"] == "10"

    services.project_update(
        actor=SYSTEM, project=project, status="active", target_date=date(2027, 9, 30)
    )
    services.goal_update(actor=SYSTEM, goal=ship, current_value="2.50")
    services.goal_update(actor=SYSTEM, goal=docs, done=True, target_date=date(2027, 4, 1))
    services.goal_delete(actor=SYSTEM, goal=drop)
    services.goal_create(actor=SYSTEM, project=project, title="Hire", target_value="100")
    second = services.update_post(actor=actor(org.member), project=project, health="at_risk")
    assert second.changes == [
        {"what": "Health", "before": "on_track", "after": "at_risk"},
        {"what": "Status", "before": "planned", "after": "active"},
        {"what": "Target date", "before": "—", "after": "2027-09-30"},
        {"what": "Goal “Ship”", "before": "0 of 10 km", "after": "2.5 of 10 km"},
        {"what": "Goal “Docs”", "before": "open", "after": "done"},
        {"what": "Goal “Docs” date", "before": "—", "after": "2027-04-01"},
        {"what": "Goal “Hire”", "before": "new", "after": "0 of 100"},
        {"what": "Goal “Drop me”", "before": "open", "after": "removed"},
    ]
    third = services.update_post(actor=actor(org.member), project=project, health="at_risk")
    assert third.changes == []


def test_goal_numbers_are_shown_as_people_write_them():
    """Bug fixed: Decimal.normalize() wrote 10 as '1E+1' and 1200 as '1.2E+3'."""
    snapshot = {"title": "x", "done": False, "unit": "", "date": None}
    for target, shown in (
        (Decimal("10.00"), "10"),
        (Decimal("1200"), "1200"),
        (Decimal("0.50"), "0.5"),
    ):
        assert services._decimal_text(target) == shown
        text = services._goal_text({**snapshot, "target": shown, "current": None})
        assert text == f"0 of {shown}"


# --- transfers -------------------------------------------------------------------------------


def test_a_transfer_is_proposed_accepted_and_recorded(org, monday):
    project = org.project(owner=org.member, backup_owner=org.member2)
    transfer = services.transfer_propose(
        actor=actor(org.lead),
        project=project,
        to_person=org.member2,
        reason="Mo moves to Payments",
        note="Handover doc attached",
    )
    assert transfer.state == TransferState.PENDING and transfer.from_owner_id == org.member.pk
    assert transfer.expires_at - transfer.created_at == timedelta(days=7)
    project.refresh_from_db()
    assert project.owner_id == org.member.pk  # still accountable until accepted
    [proposed] = notices("projects.transfer", org.member2)
    assert proposed.url == f"/projects/transfers/{transfer.pk}/"
    assert selectors.pending_transfer(project).pk == transfer.pk
    assert list(selectors.transfers_waiting_for(org.member2)) == [transfer]

    services.transfer_accept(actor=actor(org.member2), transfer=transfer)
    project.refresh_from_db()
    transfer.refresh_from_db()
    assert project.owner_id == org.member2.pk
    assert project.backup_owner_id is None  # the new owner was the backup
    assert transfer.state == TransferState.ACCEPTED and transfer.decided_by_id == org.member2.pk
    [owner] = history(project, HistoryKind.OWNER)
    assert (owner.before, owner.after, owner.note) == (
        "Mo Member",
        "Nia Member",
        "Mo moves to Payments",
    )
    assert history(project, HistoryKind.BACKUP)[-1].before == "Nia Member"
    # The old owner and the proposer are told; the one who accepted is not told again.
    assert len(notices("projects.transfer", org.member)) == 1
    assert len(notices("projects.transfer", org.lead)) == 1
    assert len(notices("projects.transfer", org.member2)) == 1
    assert selectors.pending_transfer(project) is None


def test_accepting_ends_an_acting_owner(org):
    project = org.project(owner=org.member)
    org.name_acting(project, org.lead, by=org.member)
    transfer = org.propose(project, org.member2, by=org.member, reason="Leaving")
    services.transfer_accept(actor=actor(org.member2), transfer=transfer)
    project.refresh_from_db()
    assert (project.acting_owner_id, project.acting_until) == (None, None)


def test_decline_and_cancel_keep_the_owner(org):
    project = org.project(owner=org.member)
    transfer = org.propose(project, org.member2, by=org.member, reason="Busy")
    services.transfer_decline(actor=actor(org.member2), transfer=transfer, answer="No time")
    transfer.refresh_from_db()
    assert (transfer.state, transfer.answer) == (TransferState.DECLINED, "No time")
    [declined] = history(project, HistoryKind.TRANSFER_DECLINED)
    assert declined.note == "No time"
    assert notices("projects.transfer", org.member)[-1].body == "No time"

    again = org.propose(project, org.lead, by=org.member, reason="Busy")
    services.transfer_cancel(actor=actor(org.member), transfer=again)
    again.refresh_from_db()
    assert again.state == TransferState.CANCELLED
    assert history(project, HistoryKind.TRANSFER_CANCELLED)
    project.refresh_from_db()
    assert project.owner_id == org.member.pk
    for decided in (transfer, again):
        for service in (services.transfer_accept, services.transfer_decline):
            with pytest.raises(ValidationError) as exc:
                service(actor=actor(decided.to_person), transfer=decided)
            assert "no longer waiting" in str(exc.value)


def test_accepting_an_expired_transfer_expires_it_for_good(org):
    """Bug fixed: transfer_accept marked the transfer expired and then raised, which rolled
    the expiry (and its notices) back: the transfer stayed pending."""
    project = org.project(owner=org.member)
    with time_machine.travel(MONDAY, tick=False):
        transfer = org.propose(project, org.member2, by=org.member)
    with time_machine.travel(MONDAY + timedelta(days=8), tick=False):
        with pytest.raises(ValidationError) as exc:
            services.transfer_accept(actor=actor(org.member2), transfer=transfer)
    assert "expired" in str(exc.value)
    transfer.refresh_from_db()
    assert transfer.state == TransferState.EXPIRED
    project.refresh_from_db()
    assert project.owner_id == org.member.pk
    assert history(project, HistoryKind.TRANSFER_EXPIRED)
    assert len(notices("projects.transfer", org.member)) == 1  # told of the expiry


def test_a_proposed_owner_who_left_cannot_accept(org):
    project = org.project(owner=org.member)
    transfer = org.propose(project, org.member2, by=org.member)
    # Marked inactive behind the services' back (e.g. by an admin tool).
    type(org.member2).objects.filter(pk=org.member2.pk).update(is_active=False)
    org.member2.refresh_from_db()
    with pytest.raises(ValidationError) as exc:
        services.transfer_accept(actor=actor(org.member2), transfer=transfer)
    assert "to_person" in exc.value.message_dict
    project.refresh_from_db()
    assert project.owner_id == org.member.pk


# --- acting owners ---------------------------------------------------------------------------


def test_an_acting_owner_is_accountable_until_the_date(org, monday):
    project = org.project(owner=org.member)
    services.acting_set(
        actor=actor(org.member),
        project=project,
        acting_owner=org.member2,
        until="2027-03-15",
        note="Parental leave",
    )
    project.refresh_from_db()
    assert project.acting_owner_id == org.member2.pk and project.accountable_id == org.member2.pk
    assert project.acting_until == utc(2027, 3, 15, 0)  # midnight in London (GMT)
    [acting] = history(project, HistoryKind.ACTING)
    assert acting.after == "Nia Member" and "Mon 15 Mar 2027: Parental leave" in acting.note
    assert len(notices("projects.acting", org.member2)) == 1
    assert not notices("projects.acting", org.member)  # they did it themselves
    assert list(selectors.acting_for(org.member2)) == [project]


def test_bad_acting_owners_name_the_field_and_write_nothing(org, monday):
    project = org.project(owner=org.member)
    team_services.person_deactivate(actor=SYSTEM, person=org.outsider)
    before = counts()
    cases = [
        ({"acting_owner": org.member, "until": "2027-03-10"}, "acting_owner"),
        ({"acting_owner": org.outsider, "until": "2027-03-10"}, "acting_owner"),
        ({"acting_owner": org.member2, "until": "2027-03-01"}, "until"),  # today
        ({"acting_owner": org.member2, "until": "2028-03-10"}, "until"),  # over a year
        ({"acting_owner": org.member2, "until": None}, "until"),
        ({"acting_owner": org.member2, "until": "2027-03-10", "note": "n" * 301}, "note"),
    ]
    for fields, field in cases:
        with pytest.raises(ValidationError) as exc:
            services.acting_set(actor=actor(org.member), project=project, **fields)
        assert field in exc.value.message_dict, fields
    with pytest.raises(ValidationError):
        services.acting_end(actor=actor(org.member), project=project)
    assert counts() == before


def test_ending_early_tells_both(org):
    project = org.project(owner=org.member)
    org.name_acting(project, org.member2, by=org.lead, days=5)
    services.acting_end(actor=actor(org.lead), project=project)
    project.refresh_from_db()
    assert project.acting_owner_id is None and project.acting_note == ""
    assert len(notices("projects.acting", org.member)) == 2  # named, then ended
    assert len(notices("projects.acting", org.member2)) == 2
    assert history(project, HistoryKind.ACTING)[-1].note == "ended early"


def test_a_replaced_acting_owner_is_told(org):
    project = org.project(owner=org.member)
    until = timezone.now().date() + timedelta(days=5)
    services.acting_set(
        actor=actor(org.member), project=project, acting_owner=org.member2, until=until
    )
    services.acting_set(
        actor=actor(org.member), project=project, acting_owner=org.lead, until=until
    )
    assert len(notices("projects.acting", org.member2)) == 2
    last = history(project, HistoryKind.ACTING)[-1]
    assert (last.before, last.after) == ("Nia Member", "Lena Lead")


# --- notification kinds and idempotency keys -------------------------------------------------


def test_every_kind_the_services_send_is_registered_and_mutable():
    source = Path(services.__file__).read_text()
    sent = set(re.findall(r'kind="(projects\.[a-z_]+)"', source))
    # Exactly the kinds projects registers (tests/notifications/test_kinds.py names them).
    assert sent == {kind for kind in kinds.KINDS if kind.startswith("projects.")}
    for kind in sent:
        assert not kinds.KINDS[kind].unmutable  # none is urgent: people may mute them
        assert kind in dict(kinds.mutable_choices())


def test_idempotency_keys_are_unique_per_event(org):
    """Bug fixed: keys built from a person and a date (acting owners) or a second (backups,
    orphans) swallowed the notice of a later event that looked the same: naming the same
    acting owner until the same date again, after ending it early, told nobody."""
    project = org.project(owner=org.member)
    until = timezone.now().date() + timedelta(days=5)
    with time_machine.travel(datetime.now(UTC), tick=False):  # everything in one second
        for _ in range(2):
            services.acting_set(
                actor=actor(org.lead), project=project, acting_owner=org.member2, until=until
            )
            services.acting_end(actor=actor(org.lead), project=project)
        for person in (org.lead, org.member2, org.lead):
            services.project_update(actor=SYSTEM, project=project, backup_owner=person)
            services.project_update(actor=SYSTEM, project=project, backup_owner=None)
        for _ in range(2):
            team_services.person_deactivate(actor=SYSTEM, person=org.member)
            team_services.person_reactivate(actor=SYSTEM, person=org.member)
    # Each event its own notice: named, ended, named, ended.
    assert len(notices("projects.acting", org.member2)) == 4
    assert len(notices("projects.acting", org.member)) == 4
    assert len(notices("projects.ownership", org.lead)) == 2
    assert len(notices("projects.orphaned", org.lead)) == 2
    keys = list(Notification.objects.values_list("recipient_id", "idempotency_key"))
    assert len(keys) == len(set(keys))


# --- queries ---------------------------------------------------------------------------------


def _queries(fn) -> int:
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


def test_rescheduling_a_persons_projects_takes_a_fixed_number_of_queries(org):
    """teams calls cadence_reschedule inside person_update: one owner with 3 or 30 projects
    costs the same number of queries (it used to save each project on its own)."""
    few, many = PersonFactory(), PersonFactory()
    for person, n in ((few, 3), (many, 30)):
        add_member(org.team, person)
        for _ in range(n):
            org.project(owner=person)
    costs = {}
    for person in (few, many):
        person.refresh_from_db()
        costs[person.pk] = _queries(
            lambda person=person: services.cadence_reschedule(profile=person.profile)
        )
    assert costs[few.pk] == costs[many.pk]
    assert Project.objects.filter(owner=many).count() == 30
