"""Celery tasks of handoffs: thin, idempotent (handoffs.engine)."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="handoffs.sweep")
def sweep() -> dict[str, int]:
    """Deliver, remind and escalate what came due (handoffs.engine.sweep); idempotent."""
    from . import engine

    return engine.sweep()
