"""The handoff sweepers: notes reach their recipients when their working day starts; who has
not acknowledged is reminded, then escalated past, after some of their working hours.

A recipient row carries `deliver_at` (their next working stretch when the note was sent; now
when it was urgent). `deliver_due` (beat, every minute) delivers every row that came due:
each row is locked (skipped when another sweep holds it) and re-read before it is delivered,
and the notification's idempotency key is per note and person, so two beats at once, or a
sweep that dies half-way and runs again, tell each person once. `remind_due` and
`escalate_due` (the same beat) work the same way on `remind_at` and `escalate_at`.
"""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from . import selectors, services

BATCH = 500


def deliver_due(*, now: datetime | None = None) -> int:
    """Deliver the notes whose recipients' mornings came; returns how many."""
    now = now or timezone.now()
    delivered = 0
    for recipient_id in selectors.deliveries_due(now=now, limit=BATCH):
        if services.recipient_deliver(recipient_id=recipient_id, now=now):
            delivered += 1
    return delivered


def remind_due(*, now: datetime | None = None) -> int:
    now = now or timezone.now()
    return sum(
        services.recipient_remind(recipient_id=pk, now=now)
        for pk in selectors.reminders_due(now=now, limit=BATCH)
    )


def escalate_due(*, now: datetime | None = None) -> int:
    now = now or timezone.now()
    return sum(
        services.recipient_escalate(recipient_id=pk, now=now)
        for pk in selectors.escalations_due(now=now, limit=BATCH)
    )


def sweep(*, now: datetime | None = None) -> dict[str, int]:
    """Every handoff sweep at one instant (the beat task)."""
    now = now or timezone.now()
    return {
        "delivered": deliver_due(now=now),
        "reminded": remind_due(now=now),
        "escalated": escalate_due(now=now),
    }
