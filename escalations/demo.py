"""Demo urgent updates for seed_demo (core.demo), after projects: a few open, acknowledged and
resolved updates over the demo projects, each with a real timeline. They are raised through
the services at instants of the last day and their steps fired by the engine at the instants
they fell due (who was on call, working or asleep then), quietly: like the other apps' demo
data, they send no notices. The open ones ran through every step (flagged unacknowledged), so
none is left for the worker to page anyone about. Deterministic for a given database and clock.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from core.audit import Actor
from projects.models import OPEN_STATUSES, Project

from . import engine, services
from .models import EntryKind, StepStatus, UrgentUpdate

# (severity, title, body, how it ends, how many steps fire before it ends)
_PLAN = (
    ("critical", "Checkout error rate above 5%", "Payments time out since the **14:02** deploy.",
     "resolved", 1),
    ("high", "Nightly backup failed", "The `db-main` snapshot job exited with status 2.",
     "acknowledged", 2),
    ("high", "Search latency p95 over 2 s", "Started after the index rebuild.", "open", None),
    ("critical", "Login page returns 500", "Roll back first, then look.", "resolved", 2),
    ("high", "Disk 90% full on queue hosts", "Grows about 1% an hour.", "acknowledged", 1),
    ("critical", "Partner API rejecting every token", "Since their certificate rotation.",
     "open", None),
)  # fmt: skip


def seed(run) -> None:
    if UrgentUpdate.objects.exists():
        return
    projects = list(
        Project.objects.filter(status__in=OPEN_STATUSES, owner__is_active=True)
        .select_related("team")
        .order_by("id")[: len(_PLAN)]
    )
    now = timezone.now()
    counts = {"open": 0, "acknowledged": 0, "resolved": 0}
    for n, (project, plan) in enumerate(zip(projects, _PLAN, strict=False)):
        severity, title, body, end, steps = plan
        with transaction.atomic():
            _one(run, project, severity, title, body, end, steps, now - timedelta(hours=3 + 3 * n))
        counts[end] += 1
    if projects:
        run.say(
            f"Created {sum(counts.values())} urgent updates ({counts['open']} open and "
            f"unacknowledged, {counts['acknowledged']} acknowledged, {counts['resolved']} "
            "resolved) with their escalation timelines."
        )


def _one(run, project, severity, title, body, end, steps, raised_at) -> None:
    update = services.update_raise(
        actor=run.actor, project=project, severity=severity, title=title, body=body, at=raised_at
    )
    fired, at = 0, raised_at
    while steps is None or fired < steps:
        step = update.steps.filter(status=StepStatus.PENDING).order_by("id").first()
        if step is None:
            break
        at = max(at, step.due_at)
        engine.fire_step(step.pk, now=at, quiet=True)
        fired += 1
    if end == "open":
        return
    paged = (
        update.timeline.filter(kind=EntryKind.NOTIFIED, person__isnull=False)
        .select_related("person")
        .order_by("id")
        .first()
    )
    person = paged.person if paged is not None else None
    actor = Actor(user=person, via="demo") if person is not None else run.actor
    acknowledged_at = at + timedelta(minutes=3)
    services.update_acknowledge(actor=actor, update=update, at=acknowledged_at)
    if end == "resolved":
        services.update_resolve(
            actor=actor,
            update=update,
            note="Rolled back; watching it.",
            at=acknowledged_at + timedelta(minutes=25),
        )
