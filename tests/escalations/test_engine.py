"""The escalation engine under time travel: who is paged or skipped (and why), steps moving
on, acknowledgements stopping them, snapshots, exhaustion, the sweeper, and exactly-once."""

from __future__ import annotations

from datetime import timedelta

import pytest

from escalations import engine, selectors, services, tasks
from escalations.models import EntryKind, StepStatus, UpdateState
from tests.escalations.world import MINUTE, SYDNEY_3AM, actor, at, pages, timeline


def test_high_at_3am_sydney_skips_the_owner_and_pages_london_on_call(world):
    update = world.raise_update(severity="high")
    lines = timeline(update)
    assert (EntryKind.SKIPPED, "Sam Sydney skipped: 03:00 in Sydney, asleep") in lines
    assert (
        EntryKind.NOTIFIED,
        "Lou London paged (on call: Primary): 16:00 in London, working",
    ) in lines
    assert (EntryKind.NOBODY, "Nobody to page: moved on") in lines
    assert pages(world.sam) == []
    (page,) = pages(world.lou)
    assert page.urgency == "urgent" and page.title == "[High] Checkout is down"
    steps = list(update.steps.order_by("id").values_list("step_index", "status", "due_at"))
    assert steps == [
        (0, StepStatus.SKIPPED, SYDNEY_3AM),  # the owner, asleep: on at once
        (1, StepStatus.DONE, SYDNEY_3AM),  # on call: Lou
        (2, StepStatus.PENDING, SYDNEY_3AM + 10 * MINUTE),  # the default's 10 minutes
    ]


def test_critical_at_3am_sydney_wakes_the_owner(world):
    update = world.raise_update(severity="critical")
    assert (
        EntryKind.NOTIFIED,
        "Sam Sydney paged (owner): 03:00 in Sydney, asleep",
    ) in timeline(update)
    (page,) = pages(world.sam)
    assert page.title == "[Critical] Checkout is down"
    assert pages(world.lou) == []  # the owner's 5 minutes first
    step = update.steps.get(status=StepStatus.PENDING)
    assert (step.step_index, step.due_at) == (1, SYDNEY_3AM + 5 * MINUTE)
    # The next step comes after the owner's wait, and pages on call.
    assert world.sweep(SYDNEY_3AM + 5 * MINUTE + engine.sweep_grace()) == 1
    assert len(pages(world.lou)) == 1


def test_the_acting_owner_is_paged_while_one_is_named(world):
    with at(SYDNEY_3AM - timedelta(days=1)):
        world_project = world.project
        from projects import services as project_services

        project_services.acting_set(
            actor=actor(world.sam),
            project=world_project,
            acting_owner=world.nia,
            until=(SYDNEY_3AM + timedelta(days=10)).date(),
        )
    update = world.raise_update(severity="high")
    assert (
        EntryKind.NOTIFIED,
        "Nia New York paged (acting owner): 11:00 in New York, working",
    ) in timeline(update)
    assert pages(world.sam) == [] and len(pages(world.nia)) == 1


def test_the_on_call_person_is_woken_for_high(world):
    # 03:00 in London: Lou is asleep but on call, so paged; Sam (14:00 Sydney) works.
    night = SYDNEY_3AM.replace(hour=3)
    world.policy([{"wait_minutes": 5, "targets": [{"kind": "team_oncall"}, {"kind": "lead"}]}])
    update = world.raise_update(severity="high", when=night)
    lines = timeline(update)
    assert (EntryKind.NOTIFIED, "Lou London paged (on call: Primary): 03:00 in London, asleep") in (
        lines
    )
    assert (EntryKind.SKIPPED, "Lena Lead skipped: 03:00 in London, asleep") in lines


def test_a_policy_edit_after_raising_changes_nothing_in_flight(world):
    world.policy(
        [
            {"wait_minutes": 5, "targets": [{"kind": "person", "person_id": world.nia.pk}]},
            {"wait_minutes": 5, "targets": [{"kind": "oncall", "schedule_id": world.schedule.pk}]},
        ]
    )
    update = world.raise_update(severity="high")
    assert len(pages(world.nia)) == 1
    with at(SYDNEY_3AM + MINUTE):
        world.policy([{"wait_minutes": 1, "targets": [{"kind": "lead"}]}])
    world.sweep(SYDNEY_3AM + 5 * MINUTE + engine.sweep_grace())
    assert len(pages(world.lou)) == 1  # the copied second step: on call
    assert pages(world.lead) == []
    assert update.policy_snapshot["steps"][1]["targets"] == [
        {"kind": "oncall", "schedule_id": world.schedule.pk}
    ]
    # A new update takes the new policy.
    second = world.raise_update(severity="high", when=SYDNEY_3AM + 10 * MINUTE)
    assert second.policy_snapshot["steps"] == [{"wait_minutes": 1, "targets": [{"kind": "lead"}]}]
    assert len(pages(world.lead)) == 1


def test_acknowledging_stops_the_next_step(world, monkeypatch):
    events = []
    monkeypatch.setattr(engine, "send_to_user", lambda uid, event: events.append((uid, event)))
    update = world.raise_update(severity="high")
    assert len(pages(world.lou)) == 1
    with at(SYDNEY_3AM + 2 * MINUTE), world.on_commit():
        update = services.update_acknowledge(actor=actor(world.lou), update=update)
    assert update.state == UpdateState.ACKNOWLEDGED
    assert update.acknowledged_by == world.lou
    assert not update.steps.filter(status=StepStatus.PENDING).exists()
    assert update.steps.filter(status=StepStatus.CANCELLED).count() == 1
    # The step that was due, its task, the sweeper: nothing more.
    step = update.steps.get(status=StepStatus.CANCELLED)
    with at(SYDNEY_3AM + 30 * MINUTE):
        assert engine.fire_step(step.pk) == engine.Outcome.ALREADY
    assert world.sweep(SYDNEY_3AM + 30 * MINUTE) == 0
    assert len(pages(world.lou)) == 1 and pages(world.nia) == [] and pages(world.lead) == []
    assert timeline(update)[-1] == (
        EntryKind.ACKNOWLEDGED,
        "Acknowledged by Lou London; the escalation stopped",
    )
    # Every team member's sockets heard of it: raised, the step, the acknowledgement.
    kinds = [(uid, e["payload"]["event"]) for uid, e in events]
    members = {world.lead.pk, world.sam.pk, world.lou.pk, world.nia.pk}
    assert {uid for uid, kind in kinds if kind == "acknowledged"} == members
    assert {uid for uid, kind in kinds if kind == "raised"} == members
    assert {uid for uid, kind in kinds if kind == "step_fired"} == members
    payload = next(e["payload"] for _, e in events if e["payload"]["event"] == "acknowledged")
    assert events[0][1]["type"] == "event.forward"
    assert payload["update"]["state"] == "acknowledged" and payload["type"] == "escalation"
    with pytest.raises(services.ValidationError):
        services.update_acknowledge(actor=actor(world.lead), update=update)
    with at(SYDNEY_3AM + 40 * MINUTE), world.on_commit():
        update = services.update_resolve(actor=actor(world.lou), update=update, note="Fixed")
    assert update.state == UpdateState.RESOLVED and update.acknowledged_by == world.lou


def test_a_team_update_with_no_owner_moves_on_at_once(world):
    update = world.raise_update(team=world.team, severity="critical")
    first = update.steps.get(step_index=0)
    assert first.status == StepStatus.SKIPPED and first.fired_at == SYDNEY_3AM
    assert update.steps.get(step_index=1).status == StepStatus.DONE
    assert (EntryKind.NOBODY, "Nobody to page: moved on") in timeline(update)
    assert len(pages(world.lou)) == 1


def test_every_step_and_repeat_spent_tells_managers_and_flags_it(world):
    world.policy(
        [{"wait_minutes": 5, "targets": [{"kind": "person", "person_id": world.nia.pk}]}],
        repeat_count=1,
    )
    update = world.raise_update(severity="high")
    grace = engine.sweep_grace()
    assert world.sweep(SYDNEY_3AM + 5 * MINUTE + grace) == 1  # the repeat
    assert len(pages(world.nia)) == 2  # once per (step, repeat)
    assert selectors.unacknowledged_for_teams([world.team.pk]).count() == 0
    assert pages(world.manager, "escalation.unacknowledged") == []
    # The repeat fired a grace late, so the wait after it ends a grace later.
    assert world.sweep(SYDNEY_3AM + 10 * MINUTE + 2 * grace) == 1  # every step spent
    update.refresh_from_db()
    assert update.unacknowledged and update.exhausted_at == SYDNEY_3AM + 10 * MINUTE + 2 * grace
    assert list(selectors.unacknowledged_for_teams([world.team.pk])) == [update]
    (told,) = pages(world.manager, "escalation.unacknowledged")
    assert told.urgency == "urgent"
    assert pages(world.admin, "escalation.unacknowledged") == []  # there is a manager
    assert (
        EntryKind.EXHAUSTED,
        "Every step spent and nobody acknowledged: the org's managers are told",
    ) in timeline(update)
    assert not update.steps.filter(status=StepStatus.PENDING).exists()
    assert world.sweep(SYDNEY_3AM + 60 * MINUTE) == 0
    # Acknowledging clears the flag.
    with at(SYDNEY_3AM + 61 * MINUTE), world.on_commit():
        services.update_acknowledge(actor=actor(world.manager), update=update)
    assert selectors.unacknowledged_for_teams([world.team.pk]).count() == 0


def test_a_deactivated_person_is_never_paged(world):
    from teams import services as team_services

    world.policy(
        [
            {
                "wait_minutes": 5,
                "targets": [
                    {"kind": "person", "person_id": world.nia.pk},
                    {"kind": "lead"},
                ],
            }
        ]
    )
    with at(SYDNEY_3AM - timedelta(days=1)):
        team_services.person_deactivate(actor=actor(world.admin), person=world.nia)
    update = world.raise_update(severity="critical")
    assert (EntryKind.SKIPPED, "Nia New York skipped: has left") in timeline(update)
    assert pages(world.nia) == [] and len(pages(world.lead)) == 1


# --- the sweeper and exactly once -----------------------------------------------------------


def test_the_sweeper_fires_a_step_whose_task_was_lost(world, monkeypatch):
    lost = []
    monkeypatch.setattr(engine, "_send", lambda step_id, due_at: lost.append(step_id))
    update = world.raise_update(severity="high")
    (first,) = update.steps.all()
    assert lost == [first.pk] and first.status == StepStatus.PENDING
    assert pages(world.lou) == []
    # Within the grace the task may still come; past it the sweeper fires the step.
    assert world.sweep(SYDNEY_3AM + timedelta(seconds=1)) == 0
    assert world.sweep(SYDNEY_3AM + timedelta(seconds=20)) == 1
    assert len(pages(world.lou)) == 1
    first.refresh_from_db()
    assert first.status == StepStatus.SKIPPED  # the owner asleep; on call paged next
    assert world.sweep(SYDNEY_3AM + timedelta(seconds=40)) == 0


def test_a_long_wait_gets_its_task_from_the_sweeper_as_it_comes_due(world, monkeypatch, settings):
    settings.ESCALATIONS_ETA_MAX_SECONDS = 60
    sent = []
    monkeypatch.setattr(engine, "_send", lambda step_id, due_at: sent.append((step_id, due_at)))
    world.policy(
        [
            {"wait_minutes": 120, "targets": [{"kind": "lead"}]},
            {"wait_minutes": 5, "targets": [{"kind": "managers"}]},
        ]
    )
    update = world.raise_update(severity="high")
    world.sweep(SYDNEY_3AM + 10 * MINUTE)
    assert len(pages(world.lead)) == 1
    second = update.steps.get(step_index=1)
    assert second.due_at == SYDNEY_3AM + 10 * MINUTE + 120 * MINUTE
    assert (second.pk, second.due_at) not in sent  # two hours off: no task yet
    world.sweep(second.due_at - 20 * timedelta(seconds=1))
    assert (second.pk, second.due_at) in sent  # now, with a short ETA


def test_the_step_task_twice_and_the_sweeper_notify_nobody_twice(world):
    update = world.raise_update(severity="high")
    step = update.steps.get(status=StepStatus.PENDING)
    due = step.due_at
    with at(due + MINUTE), world.on_commit():
        assert tasks.fire_step.apply(args=[step.pk]).result == "fired"
        assert tasks.fire_step.apply(args=[step.pk]).result == "already"
        assert engine.sweep() == 0
        assert engine.fire_step(step.pk, skip_locked=True) == engine.Outcome.ALREADY
    assert update.steps.filter(step_index=step.step_index).count() == 1
    paged = update.timeline.filter(kind=EntryKind.NOTIFIED, step=step)
    assert paged.count() == 3  # working now: the lead, Lou and Nia; Sam asleep
    for person in (world.lead, world.lou, world.nia):
        assert paged.filter(person=person).count() == 1
    assert len(pages(world.lou)) == 2  # on call (step 2), working now (step 3): one each
    assert len(pages(world.lead)) == 1 and len(pages(world.nia)) == 1


def test_a_step_not_yet_due_is_left_alone(world):
    update = world.raise_update(severity="high")
    step = update.steps.get(status=StepStatus.PENDING)
    with at(step.due_at - timedelta(seconds=1)):
        assert engine.fire_step(step.pk) == engine.Outcome.NOT_DUE
    assert engine.fire_step(10**9) == engine.Outcome.MISSING
    step.refresh_from_db()
    assert step.status == StepStatus.PENDING


def test_a_task_delivered_early_is_sent_again_for_its_time(world, monkeypatch):
    """Not left to the sweeper (seconds late): the task comes back at the step's due time."""
    update = world.raise_update(severity="high")
    step = update.steps.get(status=StepStatus.PENDING)
    sent = []
    monkeypatch.setattr(engine, "_send", lambda step_id, due_at: sent.append((step_id, due_at)))
    with at(step.due_at - timedelta(seconds=30)):
        assert engine.send_again_if_early(step.pk)
    assert sent == [(step.pk, step.due_at)]
    with at(step.due_at + timedelta(seconds=1)):  # due: nothing to send again
        assert not engine.send_again_if_early(step.pk)
    with at(step.due_at - engine.eta_max() - timedelta(seconds=1)):  # too far: the sweeper
        assert not engine.send_again_if_early(step.pk)
    assert len(sent) == 1


def test_the_tasks_and_beat_entry_go_to_the_escalations_queue(monkeypatch):
    from datetime import UTC, datetime

    from celery import current_app

    from core import beat
    from escalations import engine

    assert beat.schedule()["escalations-sweep"] == {
        "task": "escalations.sweep",
        "schedule": 15.0,
        "options": {"queue": "escalations"},
    }
    sent = []
    task = current_app.tasks["escalations.fire_step"]
    monkeypatch.setattr(task, "apply_async", lambda *args, **kwargs: sent.append((args, kwargs)))
    due = datetime(2027, 1, 1, tzinfo=UTC)
    engine._send(42, due)
    assert sent == [(((42,),), {"eta": due, "queue": "escalations"})]


def test_the_notification_kinds_are_registered_unmutable():
    from notifications import kinds

    for kind in ("escalation.page", "escalation.unacknowledged"):
        assert kinds.is_registered(kind) and kinds.KINDS[kind].unmutable
        assert kinds.is_unmutable(kind, "urgent")


def test_a_page_reaches_someone_who_muted_it(world):
    from notifications import services as notification_services

    notification_services.mute_add(actor=actor(world.lou), person=world.lou, kind="escalation.page")
    world.raise_update(severity="high")
    (page,) = pages(world.lou)
    assert not page.muted


# --- query counts -------------------------------------------------------------------------------


QUERIES: list = []


def _fire_queries(world, when) -> tuple[int, int]:
    """Raise at `when` and fire the policy's second step: (queries, people paged)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    update = world.raise_update(severity="critical", when=when)
    step = update.steps.get(status=StepStatus.PENDING)
    with at(step.due_at), CaptureQueriesContext(connection) as queries:
        assert engine.fire_step(step.pk) == engine.Outcome.FIRED
    QUERIES[:] = queries.captured_queries
    return len(queries), update.timeline.filter(step=step, kind=EntryKind.NOTIFIED).count()


def test_firing_a_step_costs_a_fixed_number_of_queries(world):
    from tests.factories import PersonFactory, add_member

    world.policy(
        [
            {"wait_minutes": 1, "targets": [{"kind": "lead"}]},
            {
                "wait_minutes": 5,
                "targets": [
                    {"kind": "working"},
                    {"kind": "team_oncall"},
                    {"kind": "managers"},
                    {"kind": "owner"},
                    {"kind": "backup_owner"},
                    {"kind": "oncall", "schedule_id": world.schedule.pk},
                    {"kind": "person", "person_id": world.nia.pk},
                ],
            },
        ]
    )
    few, paged_few = _fire_queries(world, SYDNEY_3AM)
    for n in range(12):
        add_member(world.team, PersonFactory(display_name=f"Extra {n}"))
    many, paged_many = _fire_queries(world, SYDNEY_3AM + 30 * MINUTE)
    assert paged_many == paged_few + 12
    # Nothing is per target or per person: the same count for 5 or 17 people paged.
    assert few == many
    # 4 to lock and claim, 5 for the team, its on call and the people named, 11 in notify(),
    # 4 writes (the step, the next one, the timeline, the audit event), 2 savepoints.
    assert many <= 26, "\n".join(q["sql"][:150] for q in QUERIES)
