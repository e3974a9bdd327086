"""How chat reads on a page and in a notice: room titles, message rows with their times in
the viewer's zone and each author's own, day separators, the unread line. No queries: the
views give everything it needs."""

from __future__ import annotations

from datetime import datetime

from core.timefmt import fmt_day, fmt_local_for, fmt_time
from teams.selectors import person_local_status

from .models import Room, RoomKind


def display_name(user) -> str:
    profile = getattr(user, "profile", None) if user is not None else None
    return profile.display_name if profile is not None else "someone"


def direct_other_id(room: Room, viewer_id: int) -> int | None:
    if room.kind != RoomKind.DIRECT or not room.direct_key:
        return None
    low, _, high = room.direct_key.partition(":")
    ids = [int(low), int(high)]
    return ids[1] if ids[0] == viewer_id else ids[0]


def room_title(room: Room, *, mark: bool = True, direct_with=None) -> str:
    """'#Support' (a team's room), '#Payments API' (a project's), '#launch' (a private
    room); a direct conversation by the other person's name, when given. `mark=False`
    drops the '#'."""
    hash_ = "#" if mark else ""
    if room.kind == RoomKind.TEAM:
        return f"{hash_}{room.team.name}"
    if room.kind == RoomKind.PROJECT:
        return f"{hash_}{room.project.name}"
    if room.kind == RoomKind.DIRECT:
        return display_name(direct_with) if direct_with is not None else "Direct messages"
    return f"{hash_}{room.name}"


def sidebar(rooms, viewer, people: dict, current_id: int | None) -> list[dict]:
    rows = []
    for room in rooms:
        other = people.get(direct_other_id(room, viewer.pk))
        rows.append(
            {
                "id": room.pk,
                "kind": room.kind,
                "title": room_title(room, direct_with=other),
                "unread": room.unread,
                "current": room.pk == current_id,
            }
        )
    return rows


def person_row(user, *, now: datetime, online: set[int]) -> dict:
    status = person_local_status(user.profile, at=now)
    return {
        "id": user.pk,
        "name": display_name(user),
        "username": user.username,
        "local": fmt_local_for(user.profile, now),
        "working": status.working,
        "online": user.pk in online,
    }


def message_rows(messages, *, zone, viewer, read_seq: int, people: dict, moderator: bool):
    """One dict per message, oldest first, with `day` set on the first of each local day
    (the viewer's) and `first_unread` on the first message past the reader's pointer."""
    rows, last_day, marked = [], None, False
    for m in messages:
        local = m.created_at.astimezone(zone)
        author = m.author
        unread = m.seq > read_seq and m.author_id != viewer.pk and not marked
        marked = marked or unread
        rows.append(
            {
                "seq": m.seq,
                "topic": m.topic.name,
                "topic_id": m.topic_id,
                "author": display_name(author),
                "author_id": m.author_id,
                "created_at": m.created_at,
                "time": fmt_time(m.created_at, zone),
                "author_local": fmt_local_for(author.profile, m.created_at)
                if author is not None and author.profile.time_zone != zone.key
                else "",
                "day": fmt_day(local.date()) if local.date() != last_day else "",
                "body_html": m.body_html,
                "body": "" if m.deleted_at else m.body,
                "deleted": m.deleted_at is not None,
                "edited": m.edited_at is not None,
                "urgent": m.urgent,
                "mine": m.author_id == viewer.pk,
                "can_delete": m.deleted_at is None and (m.author_id == viewer.pk or moderator),
                "first_unread": unread,
                "reached": [
                    {"name": display_name(people.get(r.get("person"))), "via": r.get("via", "")}
                    for r in (m.mentions or [])
                    if isinstance(r, dict)
                ],
            }
        )
        last_day = local.date()
    return rows


def held_text(held, zone) -> str:
    """'Held until Thu 09:00 your time (09:00 in Manila for Lena).'"""
    from core.timefmt import fmt_weekday_time

    who = display_name(held.recipient)
    return (
        f"It will be sent at {who}'s morning: {fmt_weekday_time(held.send_at, zone)} your time "
        f"({fmt_local_for(held.recipient.profile, held.send_at, day=True)})."
    )


def _snippet(body: str, limit: int = 200) -> str:
    text = " ".join(body.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _where(message) -> str:
    room = message.room
    if room.kind == RoomKind.DIRECT:
        return "Direct message"
    return room_title(room)


def mention_rows(mentions, *, zone) -> list[dict]:
    return [
        {
            "author": display_name(m.message.author),
            "author_local": fmt_local_for(m.message.author.profile, m.created_at)
            if m.message.author is not None
            else "",
            "where": _where(m.message),
            "topic": m.message.topic.name,
            "via": m.via,
            "when": m.created_at.astimezone(zone),
            "snippet": _snippet(m.message.body),
            "url": f"/chat/{m.message.room_id}/?topic={m.message.topic_id}#m{m.message.seq}",
            "urgent": m.message.urgent,
        }
        for m in mentions
    ]


def search_rows(messages, *, zone) -> list[dict]:
    return [
        {
            "author": display_name(m.author),
            "author_local": fmt_local_for(m.author.profile, m.created_at)
            if m.author is not None
            else "",
            "where": _where(m),
            "topic": m.topic.name,
            "when": m.created_at.astimezone(zone),
            "snippet": _snippet(m.body),
            "url": f"/chat/{m.room_id}/?topic={m.topic_id}#m{m.seq}",
        }
        for m in messages
    ]
