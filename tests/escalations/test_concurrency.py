"""Exactly once under concurrency: step tasks and sweepers running at the same moment, each
in a thread with a database connection of its own, fire each step once and page nobody twice."""

from __future__ import annotations

import pytest

from escalations import engine, services, tasks
from escalations.models import EntryKind, EscalationStep, StepStatus
from tests.escalations.world import MINUTE, SYDNEY_3AM, World, actor, at, pages
from tests.threads import run_at_once


@pytest.mark.django_db(transaction=True)
def test_two_tasks_and_two_sweepers_at_once_fire_the_step_once():
    world = World()
    with at(SYDNEY_3AM):
        update = services.update_raise(
            actor=actor(world.lead), project=world.project, severity="high", title="Down"
        )
    step = update.steps.get(status=StepStatus.PENDING)
    assert len(pages(world.lou)) == 1
    with at(step.due_at + MINUTE):
        results = run_at_once(
            [
                lambda: tasks.fire_step.apply(args=[step.pk]).result,
                lambda: tasks.fire_step.apply(args=[step.pk]).result,
                lambda: engine.sweep(),
                lambda: engine.sweep(),
            ]
        )
    fired = [r for r in results if r in ("fired", 1)]
    assert len(fired) == 1, results
    assert EscalationStep.objects.filter(update=update, step_index=step.step_index).count() == 1
    assert EscalationStep.objects.filter(update=update, step_index=step.step_index + 1).count() == 1
    paged = update.timeline.filter(kind=EntryKind.NOTIFIED, step=step)
    assert sorted(paged.values_list("person_id", flat=True)) == sorted(
        [world.lead.pk, world.lou.pk, world.nia.pk]
    )
    assert len(pages(world.nia)) == 1 and len(pages(world.lead)) == 1
