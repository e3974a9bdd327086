"""The escalation engine: a state machine in the database (escalations.models).

* `start(update, now=)` (inside the raising service's transaction) writes the first step row,
  due at once, and schedules its task on commit.
* `fire_step(step_id)` (the `escalations.fire_step` task, and the sweeper) locks the update,
  re-reads the step and does nothing unless the step is pending, due and its update still
  open; otherwise it claims the step, pages the people its targets reach (or records why
  each was skipped), marks it done and writes the next row, all in one transaction. A step
  that pages nobody moves on at once: the next is fired in the same transaction. The next
  row's task is scheduled on commit, with an ETA at its due time.
* `sweep()` (beat, every 15 s) fires every pending step whose due time passed a few seconds
  ago: its task was lost (a killed worker, a Redis restart), or never sent (the broker was
  down at commit). It also sends the task of a step due within the next sweep whose wait
  was too long to give it an ETA when written (ESCALATIONS_ETA_MAX_SECONDS): a task with a
  long ETA sits unacknowledged in Redis and is redelivered after the visibility timeout, so
  the engine never relies on one; the sweeper is the guarantee.
* `stop(update)` cancels every pending step (acknowledge, resolve, cancel).

Exactly once: every path to a step goes through the update's row lock (select_for_update on
PostgreSQL; SQLite runs one writing transaction at a time) and a compare-and-set of the step's
status, so a task delivered twice, a sweeper racing a task, or two beats fire a step once. The
notifications carry the idempotency key "escalation:<update>:<step>:<repeat>" (notify() keeps
one per recipient and key) and the timeline one line per (step, person) (a unique constraint):
a re-run after a crash between commit and acknowledgement notifies nobody twice.

Lock order: the update row first, then its steps (the services take the same order), so a
firing and an acknowledgement never deadlock.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from enum import StrEnum

from celery import current_app
from django.conf import settings
from django.db import connection, transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from core import metrics
from core.audit import Actor, audit_record
from core.realtime import send_to_user
from notifications.services import notify

from . import routing, selectors
from .models import (
    EntryKind,
    EscalationStep,
    Severity,
    StepStatus,
    TimelineEntry,
    UpdateState,
    UrgentUpdate,
)

log = logging.getLogger(__name__)

FIRE_TASK = "escalations.fire_step"
QUEUE = "escalations"
PAGE_KIND = "escalation.page"
UNACKNOWLEDGED_KIND = "escalation.unacknowledged"
ENGINE = Actor.system(via="escalations")


class Outcome(StrEnum):
    FIRED = "fired"
    NOT_DUE = "not_due"
    ALREADY = "already"  # done, skipped or cancelled before this run
    CLOSED = "closed"  # the update is no longer open
    MISSING = "missing"
    BUSY = "busy"  # another firing holds the update (the sweeper skips it)


def _seconds(name: str, default: float) -> timedelta:
    return timedelta(seconds=float(getattr(settings, name, default)))


def eta_max() -> timedelta:
    return _seconds("ESCALATIONS_ETA_MAX_SECONDS", 1800)


def sweep_grace() -> timedelta:
    return _seconds("ESCALATIONS_SWEEP_GRACE_SECONDS", 5)


def sweep_every() -> timedelta:
    return _seconds("ESCALATIONS_SWEEP_SECONDS", 15)


def sweep_batch() -> int:
    return int(getattr(settings, "ESCALATIONS_SWEEP_BATCH", 200))


# --- links and live events ----------------------------------------------------------------------


def update_url(update: UrgentUpdate) -> str:
    """The update's page once the pages exist (URL name "urgent-update-detail"); until then
    its project's page, or its team's."""
    try:
        return reverse("urgent-update-detail", args=[update.pk])
    except NoReverseMatch:
        pass
    try:
        if update.project_id is not None:
            return reverse("project-detail", args=[update.project.slug])
        return reverse("team-detail", args=[update.team.slug])
    except NoReverseMatch:  # pragma: no cover - a site without those pages
        return "/"


def event_payload(update: UrgentUpdate, event: str, **extra) -> dict:
    """What a socket receives: {"type": "escalation", "event": ..., "update": {...}}."""
    return {
        "type": "escalation",
        "event": event,
        "update": {
            "id": update.pk,
            "title": update.title,
            "severity": update.severity,
            "state": update.state,
            "team_id": update.team_id,
            "project_id": update.project_id,
            "unacknowledged": update.unacknowledged,
            "url": update_url(update),
        },
        **extra,
    }


def announce(update: UrgentUpdate, event: str, *, people=None, also=(), **extra) -> None:
    """After commit, tell the open sockets of the team's members (`people`, read if not given)
    and of `also` (people paged from outside the team) over /ws/events/."""
    recipients = sorted(
        set(selectors.team_member_ids(update.team_id) if people is None else people) | set(also)
    )
    message = {"type": "event.forward", "payload": event_payload(update, event, **extra)}

    def send() -> None:
        for user_id in recipients:
            send_to_user(user_id, message)

    transaction.on_commit(send)


# --- scheduling -------------------------------------------------------------------------------


def _send(step_id: int, due_at: datetime) -> None:
    try:
        # The queue named here too: Celery 6 drops the task attribute (escalations.tasks).
        current_app.tasks[FIRE_TASK].apply_async((step_id,), eta=due_at, queue=QUEUE)
    except Exception:  # noqa: BLE001 - the row waits for the sweeper
        log.warning("could not enqueue %s(%s); the sweeper fires it", FIRE_TASK, step_id)


def send_again_if_early(step_id: int, *, now: datetime | None = None) -> bool:
    """A task that came before its step's time (another host's clock, an early redelivery)
    sends itself again for that time, rather than leave the step to the sweeper (seconds
    late). Whether it did."""
    now = now or timezone.now()
    due_at = (
        EscalationStep.objects.filter(pk=step_id, status=StepStatus.PENDING)
        .values_list("due_at", flat=True)
        .first()
    )
    if due_at is None or due_at <= now or due_at - now > eta_max():
        return False
    _send(step_id, due_at)
    return True


def schedule(step: EscalationStep, *, now: datetime) -> None:
    """On commit, a task for `step` with an ETA at its due time, unless that is further off
    than ESCALATIONS_ETA_MAX_SECONDS (the sweeper sends it when it comes near)."""
    if step.due_at - now > eta_max():
        return
    step_id, due_at = step.pk, step.due_at
    transaction.on_commit(lambda: _send(step_id, due_at))


def _new_step(update: UrgentUpdate, position: tuple[int, int], due_at, now) -> EscalationStep:
    return EscalationStep.objects.create(
        update=update,
        step_index=position[0],
        repeat_index=position[1],
        due_at=due_at,
        created_at=now,
    )


def start(update: UrgentUpdate, *, now: datetime) -> EscalationStep:
    """The first step, due at once (call inside the raising transaction)."""
    step = _new_step(update, (0, 0), now, now)
    schedule(step, now=now)
    return step


def stop(update: UrgentUpdate) -> int:
    """Cancel every pending step of `update` (call with the update locked)."""
    return EscalationStep.objects.filter(update=update, status=StepStatus.PENDING).update(
        status=StepStatus.CANCELLED
    )


# --- firing -----------------------------------------------------------------------------------


def _locked_update(update_id: int, *, skip_locked: bool) -> UrgentUpdate | None:
    qs = UrgentUpdate.objects.filter(pk=update_id).select_related("team", "project")
    features = connection.features
    if features.has_select_for_update:  # PostgreSQL; SQLite serialises writers instead
        options = {"of": ("self",)} if features.has_select_for_update_of else {}
        if skip_locked and features.has_select_for_update_skip_locked:
            options["skip_locked"] = True
        qs = qs.select_for_update(**options)
    return qs.first()


def fire_step(
    step_id: int, *, now: datetime | None = None, skip_locked: bool = False, quiet: bool = False
) -> Outcome:
    """Fire the step if it is pending, due and its update open (see the module docstring).
    `skip_locked`: return BUSY rather than wait when another transaction holds the update
    (the sweeper). `quiet`: write the timeline but notify nobody (demo data)."""
    now = now or timezone.now()
    with transaction.atomic():
        update_id = (
            EscalationStep.objects.filter(pk=step_id).values_list("update_id", flat=True).first()
        )
        if update_id is None:
            return Outcome.MISSING
        update = _locked_update(update_id, skip_locked=skip_locked)
        if update is None:
            return Outcome.BUSY
        # Read again under the update's lock: what an earlier run or an acknowledgement
        # committed while we waited is seen now.
        step = EscalationStep.objects.get(pk=step_id)
        if step.status != StepStatus.PENDING:
            return Outcome.ALREADY
        if update.state != UpdateState.OPEN:
            stop(update)
            return Outcome.CLOSED
        if step.due_at > now:
            return Outcome.NOT_DUE
        claimed = EscalationStep.objects.filter(pk=step.pk, status=StepStatus.PENDING).update(
            status=StepStatus.FIRING
        )
        if not claimed:
            return Outcome.ALREADY
        _run(update, step, now=now, quiet=quiet)
    if not quiet:  # demo data fires history; only live firings are the engine's lag
        metrics.escalation_step_lag.observe(max(0.0, (now - step.due_at).total_seconds()))
    return Outcome.FIRED


def _entry(update, step, kind, text, *, person_id=None, data=None, at) -> TimelineEntry:
    return TimelineEntry(
        update=update,
        step=step,
        at=at,
        kind=kind,
        person_id=person_id,
        text=text[:300],
        data=data or {},
    )


def _where(update: UrgentUpdate) -> str:
    return update.project.name if update.project_id else update.team.name


def _run(update: UrgentUpdate, step: EscalationStep, *, now: datetime, quiet: bool) -> None:
    """Fire `step` (claimed) and every following step that pages nobody; write the next
    pending row. One transaction, a fixed number of queries plus two per empty step."""
    snapshot = update.policy_snapshot
    steps = snapshot.get("steps") or []
    count, repeats = len(steps), int(snapshot.get("repeat_count") or 0)
    context = selectors.firing_context(update, at=now, managers=True)
    entries: list[TimelineEntry] = []
    fired: list[list] = []  # [step, repeat, [paged ids]] for the audit event
    paged_everyone: set[int] = set()
    current = step
    while True:
        label = routing.step_label(current.step_index, current.repeat_index, steps=count)
        if current.step_index >= count:
            paged = _exhaust(update, current, context, entries, now=now, quiet=quiet)
            paged_everyone |= set(paged)
            current.status = StepStatus.DONE
            current.fired_at = now
            current.save(update_fields=["status", "fired_at"])
            fired.append([current.step_index, current.repeat_index, paged])
            break
        decisions = routing.decide(
            selectors.resolve_targets(context, update, steps[current.step_index]["targets"]),
            severity=update.severity,
        )
        paged = [d.person_id for d in decisions if d.page]
        entries.append(
            _entry(
                update,
                current,
                EntryKind.STEP_FIRED,
                f"{label.capitalize()} fired: {len(paged)} paged, "
                f"{len(decisions) - len(paged)} skipped",
                data={"step": current.step_index, "repeat": current.repeat_index},
                at=now,
            )
        )
        for d in decisions:
            kind = EntryKind.NOTIFIED if d.page else EntryKind.SKIPPED
            entries.append(
                _entry(update, current, kind, d.text, person_id=d.person_id, data=d.data, at=now)
            )
        if paged and not quiet:
            notify(
                recipients=paged,
                kind=PAGE_KIND,
                title=f"[{update.get_severity_display()}] {update.title}",
                body=f"Urgent on {_where(update)}: you are paged ({label}). Acknowledge it "
                "so the escalation stops.",
                url=update_url(update),
                urgency="urgent",
                idempotency_key=f"escalation:{update.pk}:{current.step_index}:"
                f"{current.repeat_index}",
                team=update.team_id,
            )
        if not paged:
            entries.append(
                _entry(update, current, EntryKind.NOBODY, "Nobody to page: moved on", at=now)
            )
        paged_everyone |= set(paged)
        fired.append([current.step_index, current.repeat_index, paged])
        current.status = StepStatus.DONE if paged else StepStatus.SKIPPED
        current.fired_at = now
        current.save(update_fields=["status", "fired_at"])
        position = routing.next_position(
            current.step_index, current.repeat_index, steps=count, repeats=repeats
        )
        wait = timedelta(minutes=steps[current.step_index]["wait_minutes"]) if paged else None
        following = _new_step(update, position, now + wait if wait else now, now)
        if wait is not None:
            schedule(following, now=now)
            break
        current = following  # nobody was paged: on at once
    TimelineEntry.objects.bulk_create(entries)
    audit_record(
        actor=ENGINE, action="escalation.step_fired", target=update, changes={"steps": fired}
    )
    if not quiet:
        announce(
            update,
            "step_fired",
            people=list(context.members),
            also=paged_everyone,
            steps=[{"step": s, "repeat": r, "paged": p} for s, r, p in fired],
        )


def _exhaust(update, row, context, entries, *, now: datetime, quiet: bool) -> list[int]:
    """Every step and repeat spent: flag the update and tell the org's managers (awake or
    not: nobody else answered). Returns who was told."""
    update.exhausted_at = now
    update.save(update_fields=["exhausted_at", "updated_at"])
    decisions = routing.decide(
        selectors.resolve_targets(context, update, [{"kind": "managers"}]),
        severity=Severity.CRITICAL,
    )
    told = [d.person_id for d in decisions if d.page]
    entries.append(
        _entry(
            update,
            row,
            EntryKind.EXHAUSTED,
            "Every step spent and nobody acknowledged: the org's managers are told",
            data={"told": told},
            at=now,
        )
    )
    for d in decisions:
        entries.append(
            _entry(
                update, row, EntryKind.NOTIFIED, d.text, person_id=d.person_id, data=d.data, at=now
            )
        )
    if told and not quiet:
        notify(
            recipients=told,
            kind=UNACKNOWLEDGED_KIND,
            title=f"Unacknowledged: {update.title}",
            body=f"Urgent on {_where(update)} ({update.get_severity_display().lower()}): "
            "every escalation step was spent and nobody acknowledged it.",
            url=update_url(update),
            urgency="urgent",
            idempotency_key=f"escalation:{update.pk}:exhausted",
            team=update.team_id,
        )
    return told


# --- the sweeper ------------------------------------------------------------------------------


def sweep(*, now: datetime | None = None) -> int:
    """Fire every overdue pending step (a lost task), each in its own transaction, skipping
    updates another firing holds; send the tasks of long-waiting steps now coming due.
    Returns how many steps were fired."""
    now = now or timezone.now()
    fired = 0
    for step_id in selectors.overdue_step_ids(now=now, grace=sweep_grace(), limit=sweep_batch()):
        try:
            if fire_step(step_id, now=now, skip_locked=True) == Outcome.FIRED:
                fired += 1
        except Exception:  # noqa: BLE001 - one bad row must not hold up the others
            log.exception("escalation step %s failed to fire; retried next sweep", step_id)
    upcoming = selectors.upcoming_unscheduled_steps(
        now=now, horizon=sweep_every() * 2, eta_max=eta_max(), limit=sweep_batch()
    )
    for step_id, due_at in upcoming:
        _send(step_id, due_at)
    return fired
