"""Celery tasks of chat: thin and idempotent (ids in)."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone


@shared_task(name="chat.sweep")
def sweep() -> dict[str, int]:
    """Every minute: send the held messages whose recipient's morning has come (each once,
    chat.services.held_send), and give every team and project a room (bulk imports write
    them without the post_save signal that usually does)."""
    from . import selectors, services

    sent = sum(
        1 for pk in selectors.held_due(timezone.now()) if services.held_send(held_id=pk) is not None
    )
    return {"held_sent": sent, "rooms_created": services.rooms_backfill()}
