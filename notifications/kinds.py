"""Known notification kinds and their labels (for the mute settings).

Kinds are free-form dotted strings; a kind missing here still works, it just shows as itself.
Apps add their kinds here when they start sending them.
"""

from __future__ import annotations

import re

KIND_LABELS: dict[str, str] = {
    "oncall.shift_starting": "My on-call shift is starting",
    "oncall.shift_ending": "My on-call shift is ending",
    "oncall.override": "Someone covers or swaps my on-call shift",
    "handoffs.note": "A handoff note for me",
    "handoffs.acknowledged": "My handoff note was acknowledged",
    "projects.reminder": "Project status reminders",
    "projects.ownership": "Project ownership changes",
    "escalations.update": "Updates on escalations I follow",
    "escalation.page": "Urgent escalation pages (cannot be muted)",
    "chat.mention": "Someone mentions me in chat",
    "notifications.webhook_disabled": "One of my webhooks was disabled",
    "notifications.test": "Test notifications I send myself",
    "accounts.mfa_reset": "An admin reset my two-factor authentication",
}

KIND_RE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$")
KIND_HELP = "A kind is a short dotted name such as 'oncall.shift_starting'."


def label(kind: str) -> str:
    return KIND_LABELS.get(kind, kind)


def is_valid_kind(kind: str) -> bool:
    return bool(KIND_RE.match(kind or "")) and len(kind) <= 64


def is_unmutable(kind: str, urgency: str) -> bool:
    """Urgent escalations always reach the person: they cannot be muted."""
    return kind.startswith("escalation.") and urgency == "urgent"
