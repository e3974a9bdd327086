"""Demo handoff notes for seed_demo (core.demo), after the schedules and projects: on the demo
schedules, the person whose shift ended hands over to whoever was on call next, by the final
schedule; some notes were acknowledged (one item handed back), one still waits, and one was
never acknowledged: reminded and escalated on the recipient's working hours. Written through
the services at instants of the last two days, quietly (like the other apps' demo data, they
send no notices). Deterministic for a given database and clock.
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core.audit import Actor
from oncall.models import Schedule
from oncall.selectors import schedule_final_segments

from . import services
from .models import HandoffNote, HandoffRecipient

# (title, summary, items, how it ends); each about a shift that ended HOURS_AGO[how] ago (the
# escalated one long enough ago for eight of anyone's working hours to have passed, weekend or
# not).
HOURS_AGO = {"acknowledged": 30, "handed_back": 20, "escalated": 120, "waiting": 6}
_PLAN = (
    ("Evening handover", "Quiet shift. The **payments** retry queue drained at 16:40.",
     [("Refund batch #118 half-applied", "Re-run the second half after the bank cut-off"),
      ("Alert on disk usage is flapping", "Raise the threshold or fix the cleanup job")],
     "acknowledged"),
    ("Night shift notes", "One page at 02:10 (certificate expiry warning, not urgent).",
     [("Renew the staging certificate", "Ticket is open; needs a reviewer")],
     "handed_back"),
    ("Handover: search reindex", "The reindex is at 60%; do not restart the workers.",
     [("Check the reindex finished", "Compare document counts"),
      ("Tell support when search is back", "")],
     "escalated"),
    ("Morning handover", "All green. Two customer tickets wait for an answer.",
     [("Answer ticket 5521", "Logs attached to the ticket")],
     "waiting"),
)  # fmt: skip


def seed(run) -> None:
    if HandoffNote.objects.exists():
        return
    now = timezone.now()
    schedules = list(Schedule.objects.select_related("team").order_by("id")[: len(_PLAN)])
    made = {"acknowledged": 0, "waiting": 0, "escalated": 0}
    for schedule, plan in zip(schedules, _PLAN, strict=False):
        with transaction.atomic():
            outcome = _one(schedule, plan, now, hours_ago=HOURS_AGO[plan[3]])
        if outcome:
            made[outcome] += 1
    if any(made.values()):
        run.say(
            f"Created {sum(made.values())} handoff notes ({made['acknowledged']} acknowledged, "
            f"{made['waiting']} waiting, {made['escalated']} unacknowledged and escalated)."
        )


def _one(schedule, plan, now, *, hours_ago: int) -> str | None:
    """One note about the last shift of `schedule` that ended `hours_ago` or earlier."""
    title, summary, items, end = plan
    edge = now - timedelta(hours=hours_ago)
    segments = [
        s
        for s in schedule_final_segments(schedule, edge - timedelta(days=3), edge)
        if s.person is not None and s.end < edge
    ]
    if not segments:
        return None
    shift = segments[-1]
    sent_at = shift.end - timedelta(minutes=10)
    if end == "waiting":
        sent_at = max(sent_at, now - timedelta(minutes=30))  # recent: nobody chased yet
    author = get_user_model().objects.filter(pk=shift.person, is_active=True).first()
    if author is None or not author.memberships.filter(team=schedule.team).exists():
        return None
    due = sent_at + timedelta(hours=20)
    try:
        note = services.handoff_send(
            actor=Actor(user=author, via="demo"),
            team=schedule.team,
            title=title,
            summary=summary,
            recipients="next_oncall",
            recipients_schedule=schedule.pk,
            schedule=schedule.pk,
            shift_start=shift.start,
            shift_end=shift.end,
            items=[
                {"text": text, "next_action": action, "due_at": due.isoformat()}
                for text, action in items
            ],
            at=sent_at,
            quiet=True,
        )
    except ValidationError:  # nobody else on call next, say: this schedule is skipped
        return None
    row = HandoffRecipient.objects.select_related("person").get(note=note)
    if row.deliver_at <= now:
        services.recipient_deliver(recipient_id=row.pk, now=row.deliver_at, quiet=True)
    if end in ("acknowledged", "handed_back") and row.deliver_at <= now:
        at = row.deliver_at + timedelta(minutes=25)
        actor = Actor(user=row.person, via="demo")
        services.handoff_acknowledge(actor=actor, note=note, at=at, quiet=True)
        first, *rest = note.items.order_by("position")
        if end == "handed_back":
            services.item_act(
                actor=actor,
                item=first,
                action="hand_back",
                at=at,
                quiet=True,
                reason="Needs someone with access to staging",
            )
        else:
            services.item_act(actor=actor, item=first, action="done", at=at, quiet=True)
            for item in rest:
                services.item_act(actor=actor, item=item, action="acknowledge", at=at, quiet=True)
        return "acknowledged"
    if end == "escalated":
        row.refresh_from_db()
        if row.remind_at and row.remind_at <= now:
            services.recipient_remind(recipient_id=row.pk, now=row.remind_at, quiet=True)
        if row.escalate_at and row.escalate_at <= now:
            services.recipient_escalate(recipient_id=row.pk, now=row.escalate_at, quiet=True)
            return "escalated"
        return "waiting"
    return "waiting"
