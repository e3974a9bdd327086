"""The handoff sweepers: notes reach their recipients when their working day starts; who has
not acknowledged is reminded, then escalated past, after some of their working hours.

A recipient row carries `deliver_at` (their next working stretch when the note was sent; now
when it was urgent). `deliver_due` (beat, every minute) delivers every row that came due:
each row is locked (skipped when another sweep holds it) and re-read before it is delivered,
and the notification's idempotency key is per note and person, so two beats at once, or a
sweep that dies half-way and runs again, tell each person once. `remind_due` and
`escalate_due` (the same beat) work the same way on `remind_at` and `escalate_at`.
`prompt_due` asks the outgoing on-call person, and people with open items near the end of
their working day, to write a note (handoffs.models.HandoffPrompt: once per key).
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


def prompt_due(*, now: datetime | None = None) -> int:
    """Ask for the notes that are due: on-call people whose shift ends soon (first), then
    people with open items whose working day ends soon. Each prompt once (its key)."""
    now = now or timezone.now()
    sent = 0
    for due in selectors.shift_prompts_due(now=now):
        sent += _prompt(due, now)
    for due in selectors.day_prompts_due(now=now):
        sent += _prompt(due, now)
    return sent


def _prompt(due: selectors.DuePrompt, now: datetime) -> int:
    prompt = services.prompt_send(
        person=due.person,
        kind=due.kind,
        schedule=due.schedule,
        period_start=due.period_start,
        period_end=due.period_end,
        key=due.key,
        urgent=due.urgent,
        open_items=due.open_items,
        now=now,
    )
    return 1 if prompt is not None else 0


def sweep(*, now: datetime | None = None) -> dict[str, int]:
    """Every handoff sweep at one instant (the beat task)."""
    now = now or timezone.now()
    return {
        "delivered": deliver_due(now=now),
        "reminded": remind_due(now=now),
        "escalated": escalate_due(now=now),
        "prompted": prompt_due(now=now),
    }
