"""Starting Celery tasks from services: after the write commits, and never failing it.

The database is the source of truth and a task is only a signal (DESIGN.md, "Reliability
rules"): a broker outage must not turn a committed write into a server error. The row the task
would handle stays in the database, and a sweeper (or a person pressing "Resend") catches up.

`task` is a Celery task or its registered name ("notifications.deliver"): a service may name a
task of its own app whose module imports that service (the task calls back into it), which an
import would make a cycle. Celery registers tasks by name when their module is imported (each
app's ready() imports its tasks.py, workers autodiscover them).
"""

from __future__ import annotations

import logging

from celery import Task, current_app
from django.db import transaction

log = logging.getLogger(__name__)


def _resolve(task: Task | str) -> Task:
    return current_app.tasks[task] if isinstance(task, str) else task


def enqueue(task: Task | str, *args, **kwargs) -> bool:
    """task.delay(*args, **kwargs) now; False (and a warning) when the broker refused it."""
    try:
        _resolve(task).delay(*args, **kwargs)
    except Exception:  # noqa: BLE001 - logged; the database row lets it be sent again
        name = task if isinstance(task, str) else task.name
        log.warning(
            "could not enqueue %s%r; it waits for its sweeper or a retry",
            name,
            args,
            exc_info=True,
        )
        return False
    return True


def enqueue_on_commit(task: Task | str, *args, **kwargs) -> None:
    """enqueue() once the current transaction commits (at once outside a transaction); never
    if it rolls back."""
    transaction.on_commit(lambda: enqueue(task, *args, **kwargs))
