"""Celery tasks of escalations, on their own queue ("escalations") so a flood of digests or
webhooks never delays a page. Thin: ids in; the engine re-reads the rows under a lock and
does nothing when there is nothing to do, so a task delivered twice (or racing the sweeper)
fires its step once."""

from __future__ import annotations

from celery import shared_task

from . import engine


# The queue is named where each task is sent (engine._send; beat's entry in apps.py),
# not on the task: Celery 6 drops the task attribute.
@shared_task(name="escalations.fire_step", acks_late=True, bind=True)
def fire_step(self, step_id: int) -> str:
    outcome = engine.fire_step(int(step_id))
    # Run in place (eager: no broker), a copy sent again would run at once, early again.
    if outcome == engine.Outcome.NOT_DUE and not self.request.is_eager:
        engine.send_again_if_early(int(step_id))
    return str(outcome)


@shared_task(name="escalations.sweep")
def sweep() -> int:
    return engine.sweep()
