"""The beat tasks of projects, under time travel: update reminders at the owner's own 09:00
across DST changes (Auckland leaves daylight time on 4 April 2027, Los Angeles enters it on
14 March 2027), exactly once per due update however often and concurrently beat runs; acting
owners reverting at their date; transfers nobody answers expiring; projects turning stale after
N of the owner's working days."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from celery import current_app
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core import beat
from notifications.models import Notification
from projects import selectors, services, tasks
from projects.models import HistoryKind, Project, TransferState
from teams import services as team_services
from tests.factories import PersonFactory, add_member
from tests.projects.org import SYSTEM, actor
from tests.threads import run_at_once

AUCKLAND = ZoneInfo("Pacific/Auckland")
LOS_ANGELES = ZoneInfo("America/Los_Angeles")
SECOND = timedelta(seconds=1)


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def at(instant: datetime):
    return time_machine.travel(instant, tick=False)


def beat_once(task) -> int:
    """One run of a beat entry, the way the worker runs it (eager in tests; result.get() is
    refused on other threads, so the outcome is read off the eager result)."""
    result = task.apply()
    if result.failed():
        raise result.result
    return result.result


def due_once_at(task, when: datetime) -> None:
    """A beat of `task` finds nothing a second before `when`, one at `when`, and nothing when
    beat runs again."""
    with at(when - SECOND):
        assert beat_once(task) == 0
    with at(when):
        assert beat_once(task) == 1
        assert beat_once(task) == 0


def reminders(person) -> list[Notification]:
    return list(
        Notification.objects.filter(kind="projects.update_due", recipient=person).order_by("id")
    )


@pytest.fixture
def kiri(org):
    person = PersonFactory(display_name="Kiri Auckland", time_zone="Pacific/Auckland", country="NZ")
    add_member(org.team, person)
    return person


@pytest.fixture
def lou(org):
    person = PersonFactory(
        display_name="Lou Angeles", time_zone="America/Los_Angeles", country="US"
    )
    add_member(org.team, person)
    return person


def project_updated_at(org, owner, instant: datetime, **fields) -> Project:
    """A project of `owner` whose last update was posted at `instant`."""
    with at(instant):
        project = org.project(owner=owner, **fields)
        services.update_post(actor=actor(owner), project=project, health="on_track")
    project.refresh_from_db()
    return project


# --- registration ----------------------------------------------------------------------------


def test_the_beat_entries_and_tasks_are_registered():
    entries = beat.schedule()
    assert entries["projects-remind-updates"] == {
        "task": "projects.remind_updates",
        "schedule": 60.0,
    }
    assert entries["projects-expire-transfers"]["task"] == "projects.expire_transfers"
    assert entries["projects-revert-acting"] == {
        "task": "projects.revert_acting_owners",
        "schedule": 60.0,
    }
    for name in (
        "projects.remind_updates",
        "projects.expire_transfers",
        "projects.revert_acting_owners",
    ):
        assert name in current_app.tasks


# --- update reminders ------------------------------------------------------------------------


def test_reminders_reach_auckland_and_los_angeles_at_their_nine_across_dst(org, kiri, lou):
    # Lou posts on Mon 8 Mar 2027, 10:00 PST; the next is due Mon 15 Mar, after the US moved
    # to PDT: 09:00 PDT is 16:00 UTC (it was 17:00 UTC the week before).
    la = project_updated_at(org, lou, utc(2027, 3, 8, 18))
    assert la.update_due_on == date(2027, 3, 15)
    assert la.remind_at == utc(2027, 3, 15, 16)
    # Kiri posts on Mon 29 Mar 2027, 10:00 NZDT; the next is due Mon 5 Apr, after NZ left
    # daylight time: 09:00 NZST is 21:00 UTC the day before (it was 20:00 UTC).
    nz = project_updated_at(org, kiri, utc(2027, 3, 28, 21))
    assert nz.update_due_on == date(2027, 4, 5)
    assert nz.remind_at == utc(2027, 4, 4, 21)

    # A second before 09:00 PDT: nothing yet.
    due_once_at(tasks.remind_updates, utc(2027, 3, 15, 16))
    [notice] = reminders(lou)
    local = notice.created_at.astimezone(LOS_ANGELES)
    assert (local.date(), local.hour, local.minute) == (date(2027, 3, 15), 9, 0)
    assert notice.idempotency_key == f"projects:{la.pk}:update_due:2027-03-15"
    assert notice.url == f"/projects/{la.slug}/#post-update"

    with at(utc(2027, 4, 4, 20)):  # 09:00 under the old NZDT offset
        assert beat_once(tasks.remind_updates) == 0
    with at(utc(2027, 4, 4, 21) - SECOND):
        assert beat_once(tasks.remind_updates) == 0
    with at(utc(2027, 4, 4, 21)):
        assert beat_once(tasks.remind_updates) == 1
    [notice] = reminders(kiri)
    local = notice.created_at.astimezone(AUCKLAND)
    assert (local.date(), local.hour, local.minute) == (date(2027, 4, 5), 9, 0)

    # Beat keeps running all week: still one reminder each.
    instant = utc(2027, 4, 4, 21)
    for _ in range(7 * 24):
        instant += timedelta(hours=1)
        with at(instant):
            beat_once(tasks.remind_updates)
    assert len(reminders(kiri)) == len(reminders(lou)) == 1


def test_each_due_update_is_reminded_once_and_the_next_one_again(org, lou):
    project = project_updated_at(org, lou, utc(2027, 3, 8, 18))
    with at(utc(2027, 3, 15, 16)):
        beat_once(tasks.remind_updates)
    with at(utc(2027, 3, 16, 20)):  # Lou posts a day late
        services.update_post(actor=actor(lou), project=project, health="at_risk")
    project.refresh_from_db()
    assert project.update_due_on == date(2027, 3, 23)
    with at(utc(2027, 3, 23, 16)):
        assert beat_once(tasks.remind_updates) == 1
        assert beat_once(tasks.remind_updates) == 0
    assert [n.idempotency_key for n in reminders(lou)] == [
        f"projects:{project.pk}:update_due:2027-03-15",
        f"projects:{project.pk}:update_due:2027-03-23",
    ]


def test_a_re_run_after_a_lost_clear_still_notifies_once(org, lou):
    """If the row's remind_at survived (a crash between notify and the clear), the next beat
    finds it again; the idempotency key keeps it to one notice."""
    project = project_updated_at(org, lou, utc(2027, 3, 8, 18))
    with at(utc(2027, 3, 15, 16)):
        beat_once(tasks.remind_updates)
        Project.objects.filter(pk=project.pk).update(remind_at=utc(2027, 3, 15, 16))
        assert beat_once(tasks.remind_updates) == 1
    assert len(reminders(lou)) == 1


def beats_at_once(task, n: int, when: datetime) -> list:
    """`n` beats running `task` at the same moment `when`: what each returned."""
    with at(when):
        return run_at_once([lambda: beat_once(task)] * n)


@pytest.mark.django_db(transaction=True)
def test_two_beats_at_once_remind_once(org, kiri, lou):
    projects = [project_updated_at(org, lou, utc(2027, 3, 8, 18)) for _ in range(3)]
    projects.append(project_updated_at(org, kiri, utc(2027, 3, 7, 21)))  # due Mon 15 (NZ)
    results = beats_at_once(tasks.remind_updates, 4, utc(2027, 3, 15, 16))
    assert sum(results) == 4  # every project handled by exactly one of the runs
    assert len(reminders(lou)) == 3 and len(reminders(kiri)) == 1
    assert not Project.objects.filter(pk__in=[p.pk for p in projects], remind_at__isnull=False)


def test_the_reminder_moves_with_the_owners_hours_and_zone(org, lou):
    project = project_updated_at(org, lou, utc(2027, 3, 8, 18))
    weekdays = ("mon", "tue", "wed", "thu", "fri")
    with at(utc(2027, 3, 10, 18)):
        team_services.person_update(
            actor=SYSTEM, person=lou, working_hours={k: ["07:00-15:00"] for k in weekdays}
        )
    project.refresh_from_db()
    assert project.update_due_on == date(2027, 3, 15)
    assert project.remind_at == utc(2027, 3, 15, 14)  # 07:00 PDT

    # Lou moves to Auckland: the last update (Mon 8 Mar 18:00 UTC) was Tue 9 Mar there, so
    # the next is due Tue 16 Mar, at 07:00 NZDT = Mon 15 Mar 18:00 UTC.
    with at(utc(2027, 3, 11, 18)):
        team_services.person_update(actor=SYSTEM, person=lou, time_zone="Pacific/Auckland")
    project.refresh_from_db()
    assert project.update_due_on == date(2027, 3, 16)
    assert project.remind_at == utc(2027, 3, 15, 18)
    with at(utc(2027, 3, 15, 14)):  # the old reminder time: nothing
        assert beat_once(tasks.remind_updates) == 0
    with at(utc(2027, 3, 15, 18)):
        assert beat_once(tasks.remind_updates) == 1

    # Once reminded, moving again does not remind a second time for the same due update.
    with at(utc(2027, 3, 15, 19)):
        team_services.person_update(actor=SYSTEM, person=lou, time_zone="America/Los_Angeles")
    project.refresh_from_db()
    assert project.remind_at is None and project.update_due_on == date(2027, 3, 15)
    with at(utc(2027, 3, 16, 16)):
        assert beat_once(tasks.remind_updates) == 0
    assert len(reminders(lou)) == 1


def test_an_acting_owner_is_reminded_in_their_own_morning(org, kiri, lou):
    project = project_updated_at(org, lou, utc(2027, 3, 8, 18))
    with at(utc(2027, 3, 9, 18)):
        services.acting_set(
            actor=actor(lou), project=project, acting_owner=kiri, until=date(2027, 3, 30)
        )
    project.refresh_from_db()
    # Lou's last update was Tue 9 Mar in Auckland: due Tue 16 Mar at 09:00 NZDT.
    assert project.remind_at == utc(2027, 3, 15, 20)
    # Lou's own hours no longer move it (Kiri is accountable).
    with at(utc(2027, 3, 10, 18)):
        team_services.person_update(actor=SYSTEM, person=lou, time_zone="Europe/London")
    project.refresh_from_db()
    assert project.remind_at == utc(2027, 3, 15, 20)
    with at(utc(2027, 3, 15, 20)):
        assert beat_once(tasks.remind_updates) == 1
    assert len(reminders(kiri)) == 1 and not reminders(lou)


def test_a_sent_reminder_is_not_sent_again_when_someone_else_becomes_accountable(org, lou):
    """Naming an acting owner, their return, a status change or a transfer re-computes the
    cadence; within the same due update a reminder already sent stays sent (it used to be
    scheduled again, for the acting owner or the new owner: two reminders for one update)."""
    project = project_updated_at(org, lou, utc(2027, 3, 8, 18))
    with at(utc(2027, 3, 15, 16)):
        assert beat_once(tasks.remind_updates) == 1
    with at(utc(2027, 3, 15, 17)):
        services.acting_set(
            actor=actor(lou), project=project, acting_owner=org.member, until="2027-03-17"
        )
        services.project_update(actor=SYSTEM, project=project, status="active")
    project.refresh_from_db()
    assert project.remind_at is None and project.update_due_on is not None
    with at(utc(2027, 3, 17, 8)):
        assert beat_once(tasks.revert_acting_owners) == 1
    with at(utc(2027, 3, 17, 9)):
        transfer = org.propose(project, org.member2, by=lou, reason="Moving on")
        services.transfer_accept(actor=actor(org.member2), transfer=transfer)
    project.refresh_from_db()
    assert project.remind_at is None
    with at(utc(2027, 3, 20)):
        assert beat_once(tasks.remind_updates) == 0
    assert Notification.objects.filter(kind="projects.update_due").count() == 1
    # The next update starts a new due update, reminded in the new owner's morning.
    with at(utc(2027, 3, 18, 10)):
        services.update_post(actor=actor(org.member2), project=project, health="on_track")
    project.refresh_from_db()
    assert project.remind_at == utc(2027, 3, 25, 9)  # 09:00 in London (GMT)


def test_a_new_cadence_is_a_new_due_update(org, lou):
    project = project_updated_at(org, lou, utc(2027, 3, 8, 18))
    with at(utc(2027, 3, 15, 16)):
        assert beat_once(tasks.remind_updates) == 1
        services.project_update(actor=SYSTEM, project=project, update_cadence_days=14)
    project.refresh_from_db()
    assert project.update_due_on == date(2027, 3, 22)
    with at(utc(2027, 3, 22, 16)):
        assert beat_once(tasks.remind_updates) == 1
    assert len(reminders(lou)) == 2


def test_closed_projects_and_people_who_left_are_not_reminded(org, lou):
    done = project_updated_at(org, lou, utc(2027, 3, 8, 18))
    services.project_update(actor=SYSTEM, project=done, status="done")
    left = project_updated_at(org, org.member2, utc(2027, 3, 8, 18))
    team_services.person_deactivate(actor=SYSTEM, person=org.member2)
    with at(utc(2027, 3, 20)):
        assert beat_once(tasks.remind_updates) == 1  # the leaver's row, cleared unsent
    assert not Notification.objects.filter(kind="projects.update_due").exists()
    left.refresh_from_db()
    assert left.remind_at is None


def test_reminders_cost_a_fixed_number_of_queries_per_project(org):
    """update_reminders_send loops over due projects (one notify each, with its own key); each
    costs the same queries, whatever the number (no query per row besides the notice)."""
    owners = [PersonFactory() for _ in range(9)]
    for owner in owners:
        add_member(org.team, owner)
        project_updated_at(org, owner, utc(2027, 3, 8, 12))
    due = Project.objects.order_by("id")
    costs = []
    for n in (3, 6, 9):
        Project.objects.update(remind_at=None)
        Project.objects.filter(pk__in=list(due.values_list("pk", flat=True)[:n])).update(
            remind_at=utc(2027, 3, 15, 9)
        )
        Notification.objects.filter(kind="projects.update_due").delete()
        with at(utc(2027, 3, 15, 9)), CaptureQueriesContext(connection) as ctx:
            assert services.update_reminders_send() == n
        costs.append(len(ctx.captured_queries))
    assert costs[1] - costs[0] == costs[2] - costs[1]
    assert (costs[1] - costs[0]) / 3 <= 12  # per project: the notify() of one notice


def test_reverts_and_expiries_cost_a_fixed_number_of_queries_per_row(org):
    owners = [PersonFactory() for _ in range(9)]
    projects = []
    for owner in owners:
        add_member(org.team, owner)
        projects.append(org.project(owner=owner))
    costs = {"revert": [], "expire": []}
    for n in (3, 6, 9):
        with at(utc(2027, 3, 1, 12)):
            for project in projects[:n]:
                services.acting_set(
                    actor=SYSTEM, project=project, acting_owner=org.member, until="2027-03-05"
                )
                org.propose(project, org.member2)
        with at(utc(2027, 3, 10)), CaptureQueriesContext(connection) as ctx:
            assert services.acting_revert_due() == n
        costs["revert"].append(len(ctx.captured_queries))
        with at(utc(2027, 3, 10)), CaptureQueriesContext(connection) as ctx:
            assert services.transfers_expire() == n
        costs["expire"].append(len(ctx.captured_queries))
    for name, (three, six, nine) in costs.items():
        assert six - three == nine - six, name


# --- acting owners revert --------------------------------------------------------------------


def test_the_acting_owner_reverts_at_the_date_once_and_both_are_told(org, lou):
    project = project_updated_at(org, lou, utc(2027, 3, 8, 18))
    with at(utc(2027, 3, 8, 19)):
        services.acting_set(
            actor=actor(lou), project=project, acting_owner=org.member, until="2027-03-14"
        )
    project.refresh_from_db()
    # Back on Sunday 14 March, the day LA enters daylight time: midnight PST is 08:00 UTC.
    assert project.acting_until == utc(2027, 3, 14, 8)
    due_once_at(tasks.revert_acting_owners, utc(2027, 3, 14, 8))
    with at(utc(2027, 3, 20)):
        assert beat_once(tasks.revert_acting_owners) == 0
    project.refresh_from_db()
    assert (project.acting_owner_id, project.acting_until, project.acting_note) == (None, None, "")
    assert project.accountable_id == lou.pk
    # The reminder is Lou's again: Mon 15 Mar 09:00 PDT.
    assert project.remind_at == utc(2027, 3, 15, 16)
    for person in (lou, org.member):
        back = Notification.objects.filter(
            kind="projects.acting", recipient=person, title__contains="accountable"
        )
        assert back.count() == 1, person
    reverted = project.history.filter(kind=HistoryKind.ACTING, note="the owner is back")
    assert reverted.count() == 1 and reverted.get().actor_id is None


@pytest.mark.django_db(transaction=True)
def test_two_beats_at_once_revert_once(org, lou):
    project = project_updated_at(org, lou, utc(2027, 3, 8, 18))
    with at(utc(2027, 3, 8, 19)):
        services.acting_set(
            actor=actor(lou), project=project, acting_owner=org.member, until="2027-03-14"
        )
    results = beats_at_once(tasks.revert_acting_owners, 3, utc(2027, 3, 14, 9))
    assert sorted(results) == [0, 0, 1]
    assert project.history.filter(kind=HistoryKind.ACTING).count() == 2  # named, reverted
    assert Notification.objects.filter(kind="projects.acting", recipient=lou).count() == 1


# --- transfers expire ------------------------------------------------------------------------


def test_a_transfer_nobody_answers_expires_and_both_are_told(org, lou, settings):
    settings.PROJECTS_TRANSFER_EXPIRY_DAYS = 3
    project = project_updated_at(org, lou, utc(2027, 3, 8, 18))
    with at(utc(2027, 3, 8, 19)):
        transfer = org.propose(project, org.member, by=lou, reason="I move teams")
    assert transfer.expires_at == utc(2027, 3, 11, 19)
    due_once_at(tasks.expire_transfers, utc(2027, 3, 11, 19))
    transfer.refresh_from_db()
    assert transfer.state == TransferState.EXPIRED
    assert transfer.decided_at == utc(2027, 3, 11, 19)
    project.refresh_from_db()
    assert project.owner_id == lou.pk
    for person in (lou, org.member):
        expired = Notification.objects.filter(
            kind="projects.transfer", recipient=person, title__startswith="Nobody answered"
        )
        assert expired.count() == 1, person
    assert project.history.filter(kind=HistoryKind.TRANSFER_EXPIRED).count() == 1
    # A new proposal is possible now.
    with at(utc(2027, 3, 12)):
        org.propose(project, org.member2, by=lou, reason="Again")


# --- staleness -------------------------------------------------------------------------------


def test_stale_after_n_of_the_owners_working_days(org, lou, settings):
    settings.PROJECTS_STALE_WORKING_DAYS = 3
    # Updated Thu 4 Mar 2027 in LA: Fri 5, Mon 8, Tue 9 are three working days without an
    # update; stale from Wed 10 Mar 09:00 PST (17:00 UTC). The weekend does not count.
    project = project_updated_at(org, lou, utc(2027, 3, 4, 18))
    assert project.stale_at == utc(2027, 3, 10, 17)
    with at(utc(2027, 3, 10, 17) - SECOND):
        assert not selectors.projects_filtered(stale=True).filter(pk=project.pk).exists()
        assert not selectors.project_by_id(project.pk).is_stale
        assert selectors.projects_filtered(stale=False).filter(pk=project.pk).exists()
    with at(utc(2027, 3, 10, 17)):
        assert selectors.projects_filtered(stale=True).get().pk == project.pk
        assert selectors.project_by_id(project.pk).is_stale
        assert [p.pk for p in selectors.stale_in_teams_led_by(org.lead)] == [project.pk]
        assert selectors.stale_in_teams_led_by(org.member) == []
        # An update makes it fresh again.
        services.update_post(actor=actor(lou), project=project, health="on_track")
        assert not selectors.projects_filtered(stale=True).exists()


def test_stale_counts_a_sunday_to_thursday_week(org, settings):
    settings.PROJECTS_STALE_WORKING_DAYS = 2
    owner = PersonFactory(
        time_zone="Asia/Riyadh",
        country="SA",
        working_hours={k: ["08:00-16:00"] for k in ("sun", "mon", "tue", "wed", "thu")},
    )
    add_member(org.team, owner)
    # Updated Thu 4 Mar 2027 (Riyadh, +03): Sun 7 and Mon 8 are the two working days; stale
    # from Tue 9 Mar 08:00 local = 05:00 UTC.
    project = project_updated_at(org, owner, utc(2027, 3, 4, 9))
    assert project.stale_at == utc(2027, 3, 9, 5)


def test_closed_projects_are_never_stale(org, lou, settings):
    settings.PROJECTS_STALE_WORKING_DAYS = 1
    project = project_updated_at(org, lou, utc(2027, 3, 4, 18))
    Project.objects.filter(pk=project.pk).update(status="done")  # stale_at left behind
    with at(utc(2027, 4, 1)):
        assert not selectors.projects_filtered(stale=True).exists()
        assert selectors.projects_filtered(stale=False).filter(pk=project.pk).exists()
