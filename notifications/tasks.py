"""Celery tasks for notifications: thin wrappers, ids in; the work is notifications.engine."""

from __future__ import annotations

from celery import shared_task

from . import engine


@shared_task(bind=True, max_retries=None, acks_late=True, name=engine.DELIVER_TASK)
def deliver(self, delivery_id: int) -> str:
    def retry(countdown: int, exc: Exception) -> str:
        if self.request.is_eager:
            # Eager (tests, no broker): EAGER_PROPAGATES would raise Retry out of .delay();
            # returning it makes Celery's apply() run the retry inline instead.
            return self.retry(countdown=countdown, exc=exc, throw=False)
        raise self.retry(countdown=countdown, exc=exc) from exc

    return engine.deliver(delivery_id, retry=retry)


@shared_task(name="notifications.sweep")
def sweep(batch: int = 500) -> int:
    """Re-enqueue deliveries whose signal was lost (engine.sweep)."""
    return engine.sweep(batch)


@shared_task(name="notifications.release_digests")
def release_digests(batch: int = 5000) -> int:
    """Send the quiet-hours digests that are due (engine.release_digests)."""
    return engine.release_digests(batch)
