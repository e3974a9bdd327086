"""What a notification looks like on the wire (WebSocket, API, webhook) and in a digest."""

from __future__ import annotations

from core.links import absolute_url as _site_url

from ..kinds import label
from ..models import Notification


def absolute_url(path: str) -> str:
    """A notification's link on the public address (its inbox when it has none)."""
    return _site_url(path or "/notifications/")


def as_dict(n: Notification) -> dict:
    return {
        "id": n.pk,
        "kind": n.kind,
        "kind_label": label(n.kind),
        "urgency": n.urgency,
        "title": n.title,
        "body": n.body,
        "url": n.url,
        "created_at": n.created_at.isoformat(),
        "read": n.read_at is not None,
    }


def slack_text(n: Notification) -> str:
    """Slack-compatible `text`: <url|title> links, *bold* for urgent."""
    title = n.title.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    head = f"*URGENT* {title}" if n.urgency == "urgent" else title
    text = f"<{absolute_url(n.url)}|{head}>"
    if n.body:
        text += "\n" + n.body[:1000]
    return text


def digest_text(items: list[Notification]) -> str:
    lines = [f"{len(items)} notification(s) while you were off:"]
    for n in items:
        lines.append(f"• <{absolute_url(n.url)}|{n.title}>")
    return "\n".join(lines)
