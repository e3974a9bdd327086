"""Pure shaping of handoff notes for the templates: every time in the viewer's zone, and each
other person's own local time beside it ("09:12 in London")."""

from __future__ import annotations

from datetime import datetime, tzinfo

from core.timefmt import fmt_day_time, fmt_local_for

from .models import ItemStatus, Urgency


def display_name(user) -> str:
    if user is None:
        return ""
    profile = getattr(user, "profile", None)
    return profile.display_name if profile is not None else user.get_username()


def when(dt: datetime | None, zone: tzinfo) -> dict | None:
    """{'text': 'Fri 26 Mar 2027 17:30', 'iso': ...} in the viewer's zone; None for none."""
    if dt is None:
        return None
    return {"text": fmt_day_time(dt, zone, year=True), "iso": dt.isoformat()}


def their_time(user, dt: datetime | None) -> str:
    """'Fri 09:12 in London': what the clock said for that person then."""
    profile = getattr(user, "profile", None)
    if dt is None or profile is None:
        return ""
    return fmt_local_for(profile, dt, day=True)


def person(user, now: datetime) -> dict:
    """A person as the pages name them, with their local time now."""
    return {
        "pk": user.pk,
        "name": display_name(user),
        "now": their_time(user, now),
        "active": user.is_active,
    }


STATUS_CSS = {
    ItemStatus.OPEN: "item-open",
    ItemStatus.ACKNOWLEDGED: "item-acknowledged",
    ItemStatus.DONE: "item-done",
    ItemStatus.HANDED_BACK: "item-handed-back",
}


def item_row(item, zone: tzinfo, now: datetime) -> dict:
    return {
        "pk": item.pk,
        "position": item.position,
        "text": item.text,
        "next_action": item.next_action,
        "owner": person(item.owner, now) if item.owner_id else None,
        "due": when(item.due_at, zone),
        "due_theirs": their_time(item.owner, item.due_at) if item.owner_id else "",
        "overdue": item.due_at is not None and item.due_at <= now and item.is_open,
        "status": item.get_status_display(),
        "status_css": STATUS_CSS.get(item.status, ""),
        "open": item.is_open,
        "can_acknowledge": item.status == ItemStatus.OPEN,
        "acted_by": display_name(item.acted_by),
        "acted": when(item.acted_at, zone),
        "acted_theirs": their_time(item.acted_by, item.acted_at),
        "reason": item.hand_back_reason,
        "carried_from_note": item.carried_from.note_id if item.carried_from_id else None,
    }


def recipient_row(row, zone: tzinfo, now: datetime) -> dict:
    return {
        "person": person(row.person, now),
        "resolved_as": row.resolved_as,
        "waiting": row.delivered_at is None,
        "deliver": when(row.deliver_at, zone),
        "deliver_theirs": their_time(row.person, row.deliver_at),
        "delivered": when(row.delivered_at, zone),
        "acknowledged": when(row.acknowledged_at, zone),
        "acknowledged_theirs": their_time(row.person, row.acknowledged_at),
        "read": when(row.read_at, zone),
        "reminded": when(row.reminded_at, zone),
        "escalated": when(row.escalated_at, zone),
    }


def ack_summary(recipients) -> dict:
    total = len(recipients)
    done = sum(1 for r in recipients if r.acknowledged_at is not None)
    return {"done": done, "total": total, "all": total and done == total}


def note_row(note, zone: tzinfo, now: datetime, *, viewer=None) -> dict:
    """A note in the inbox or a history list."""
    recipients = list(note.recipients.all())
    items = list(note.items.all())
    mine = next((r for r in recipients if viewer is not None and r.person_id == viewer.pk), None)
    return {
        "pk": note.pk,
        "title": note.title,
        "urgent": note.urgency == Urgency.URGENT,
        "team": note.team.name,
        "author": person(note.author, now),
        "sent": when(note.sent_at, zone),
        "sent_theirs": their_time(note.author, note.sent_at),
        "recipients": [display_name(r.person) for r in recipients],
        "acks": ack_summary(recipients),
        "open_items": sum(1 for i in items if i.is_open),
        "items": len(items),
        "handed_back": sum(1 for i in items if i.status == ItemStatus.HANDED_BACK),
        "mine_acknowledged": mine is not None and mine.acknowledged_at is not None,
        "mine_read": mine is not None and mine.read_at is not None,
    }


DIGEST_KINDS = {
    "urgent": "Urgent update",
    "project": "Project",
    "item": "Open item",
    "mention": "Chat mention",
}


def digest_rows(rows: list[dict], zone: tzinfo) -> list[dict]:
    """The composer's digest: each entry with its time in the viewer's zone, grouped labels."""
    return [
        {
            **row,
            "kind": DIGEST_KINDS.get(row["entry"].kind, row["entry"].kind.title()),
            "when": when(row["entry"].at, zone),
        }
        for row in rows
    ]


def span(start: datetime, end: datetime, zone: tzinfo) -> str:
    """'Fri 26 Mar 09:00–17:00' in the viewer's zone (core.timefmt.fmt_span)."""
    from core.timefmt import fmt_span

    return fmt_span(start, end, zone)


def prompt_banner(prompt, zone: tzinfo) -> dict:
    """The inbox's "write your handoff" line for an unanswered prompt."""
    ends = fmt_day_time(prompt.period_end, zone)
    if prompt.kind == "shift_end":
        text = f"Your shift on {prompt.schedule.name} ends {ends}: hand it over."
    else:
        text = f"Your working day ends {ends}: hand over your open items."
    return {"text": text, "url": f"/handoffs/new/?prompt={prompt.pk}"}
