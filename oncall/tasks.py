"""Celery tasks of on-call: shift notices and swap expiry. Idempotent; safe to run twice.

Beat runs `oncall.shift_notices` every minute. For every schedule it computes the final answer
around now and, per person, sends "you go on call in N minutes" once the shift is within the
person's lead time (OncallPreferences, default 60) and "you are now off call" once the shift
has ended (within a 30-minute catch-up, so a beat or worker restart delays, never drops, it).
Exactly once: every notice carries an idempotency key built from the schedule, the person and
the shift's own start (or end) instant, and notifications.services.notify creates nothing for
a key it has seen. The instants are inside the computed window, so runs agree on them.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from celery import shared_task
from django.db.models import Max
from django.utils import timezone

from core.timefmt import fmt_minutes, fmt_your_day_time, fmt_your_span, reader_clock

from .models import DEFAULT_SHIFT_NOTICE_MINUTES, OncallPreferences, Schedule

END_CATCH_UP = timedelta(minutes=30)
START_CATCH_UP = timedelta(minutes=1)  # a shift starting this instant still gets its notice


def _iso(dt: datetime) -> str:
    return dt.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _zone_of(person) -> str:
    profile = getattr(person, "profile", None)
    return profile.time_zone if profile is not None else "UTC"


def _starting_body(schedule: Schedule, seg, window_end: datetime, zone: str) -> str:
    """The shift's span in the person's own zone, named: the text is stored and read later.
    The notice window cuts the segment at its end, so the real end is looked up (up to 92
    days ahead, as the pages do)."""
    from . import selectors

    end = seg.end
    if end >= window_end:
        whole = selectors.load_schedules([schedule])[schedule.pk]
        end = selectors.oncall_from_data(whole, seg.start, need_start=False).end
    if end is None:
        return f"From {fmt_your_day_time(seg.start, zone)}; no change within 92 days."
    return f"{fmt_your_span(seg.start, end, zone)}."


def send_shift_notices(*, now: datetime | None = None) -> dict[str, int]:
    """Send the due shift notices; returns how many of each were handed to notify()."""
    from notifications.services import notify

    from . import selectors

    now = now or timezone.now()
    max_lead = OncallPreferences.objects.aggregate(m=Max("shift_notice_minutes"))["m"]
    lead_limit = timedelta(minutes=max(max_lead or 0, DEFAULT_SHIFT_NOTICE_MINUTES))
    a = now - END_CATCH_UP - timedelta(minutes=1)
    b = now + lead_limit + timedelta(minutes=1)
    schedules = list(Schedule.objects.all())
    data = selectors.load_schedules(schedules, a, b)
    due_start, due_end = [], []
    for schedule in schedules:
        for seg in selectors.final_from_data(data[schedule.pk], a, b):
            if seg.person is None:
                continue
            # Only edges strictly inside the window are true shift edges (stable keys).
            if a < seg.start and now - START_CATCH_UP <= seg.start <= b:
                due_start.append((schedule, seg))
            if a < seg.end <= now and seg.end < b:
                due_end.append((schedule, seg))
    people = selectors.people_by_id({seg.person for _, seg in due_start + due_end})
    leads = dict(
        OncallPreferences.objects.filter(user_id__in=people).values_list(
            "user_id", "shift_notice_minutes"
        )
    )
    sent = {"starting": 0, "ended": 0}
    for schedule, seg in due_start:
        person = people.get(seg.person)
        if person is None or not person.is_active:
            continue
        lead = leads.get(person.pk, DEFAULT_SHIFT_NOTICE_MINUTES)
        if lead == 0 or seg.start - now > timedelta(minutes=lead):
            continue  # 0 = no advance notice; otherwise not yet
        minutes = max(0, round((seg.start - now).total_seconds() / 60))
        with reader_clock(getattr(person, "profile", None)):
            body = _starting_body(schedule, seg, b, _zone_of(person))
        notify(
            recipients=[person],
            kind="oncall.shift_starting",
            title=(
                f"You go on call in {fmt_minutes(minutes)}: {schedule.name}"
                if minutes
                else f"You are on call now: {schedule.name}"
            ),
            body=body,
            url=f"/schedules/{schedule.pk}/",
            # Urgent: a shift that starts outside someone's working hours must not wait in
            # the morning digest (the person can still mute this kind).
            urgency="urgent",
            idempotency_key=f"oncall:{schedule.pk}:{person.pk}:{_iso(seg.start)}:start",
        )
        sent["starting"] += 1
    for schedule, seg in due_end:
        person = people.get(seg.person)
        if person is None or not person.is_active:
            continue
        with reader_clock(getattr(person, "profile", None)):
            ended = fmt_your_day_time(seg.end, _zone_of(person))
        notify(
            recipients=[person],
            kind="oncall.shift_ending",
            title=f"You are now off call: {schedule.name}",
            body=f"Your shift ended at {ended}.",
            url=f"/schedules/{schedule.pk}/",
            urgency="normal",
            idempotency_key=f"oncall:{schedule.pk}:{person.pk}:{_iso(seg.end)}:end",
        )
        sent["ended"] += 1
    return sent


@shared_task(name="oncall.shift_notices", acks_late=True, ignore_result=True)
def shift_notices() -> dict[str, int]:
    return send_shift_notices()


@shared_task(name="oncall.expire_swaps", acks_late=True, ignore_result=True)
def expire_swaps() -> int:
    from .services import swap_requests_expire

    return swap_requests_expire()
