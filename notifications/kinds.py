"""The notification kinds people can see, filter and mute, with their labels.

Each app registers the kinds it sends from its `apps.py` `ready()`, so this module lists no
other app's kinds and a new app edits nothing here. notify() accepts any well-formed kind (an
unregistered one shows a label made from its name); muting accepts registered kinds only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured, ValidationError

KIND_RE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$")
KIND_HELP = "A kind is a short dotted name such as 'oncall.shift_starting'."
MAX_KIND_LENGTH = 64


@dataclass(frozen=True)
class Kind:
    kind: str
    label: str
    # Urgent notifications of an unmutable kind reach the person even if they muted it, and
    # the settings page does not offer to mute it.
    unmutable: bool = False


KINDS: dict[str, Kind] = {}
# kind -> label, kept in step with KINDS for readers that only need labels.
KIND_LABELS: dict[str, str] = {}


def is_valid_kind(kind: str) -> bool:
    return bool(KIND_RE.match(kind or "")) and len(kind) <= MAX_KIND_LENGTH


def register_kind(kind: str, label: str, *, unmutable: bool = False) -> Kind:
    """Add a kind (from an app's ready()). Registering the same kind again with the same
    label and flag is harmless; a different label or flag is a programming error."""
    if not is_valid_kind(kind):
        raise ImproperlyConfigured(f"Notification kind {kind!r} is malformed. {KIND_HELP}")
    entry = Kind(kind=kind, label=label, unmutable=unmutable)
    existing = KINDS.get(kind)
    if existing is not None and existing != entry:
        raise ImproperlyConfigured(f"Notification kind {kind!r} is already registered.")
    KINDS[kind] = entry
    KIND_LABELS[kind] = label
    return entry


def unregister_kind(kind: str) -> None:
    """For tests that register a kind of their own."""
    KINDS.pop(kind, None)
    KIND_LABELS.pop(kind, None)


def is_registered(kind: str) -> bool:
    return kind in KINDS


def label(kind: str) -> str:
    """The registered label, or a readable one for a kind no app registers (old rows)."""
    entry = KINDS.get(kind)
    if entry is not None:
        return entry.label
    app, _, rest = (kind or "").partition(".")
    if not rest:
        return kind
    return f"{app.capitalize()}: {rest.replace('.', ' ').replace('_', ' ')}"


def is_unmutable(kind: str, urgency: str) -> bool:
    """Urgent notifications of a kind registered unmutable always reach the person."""
    entry = KINDS.get(kind)
    return entry is not None and entry.unmutable and urgency == "urgent"


def choices() -> list[tuple[str, str]]:
    """Every registered kind as (kind, label), by label (the inbox filter)."""
    return sorted(((k.kind, k.label) for k in KINDS.values()), key=lambda c: c[1].lower())


def mutable_choices() -> list[tuple[str, str]]:
    """The kinds a person may mute, as (kind, label), by label."""
    return [(kind, text) for kind, text in choices() if not KINDS[kind].unmutable]


def clean_mutable_kind(kind: str) -> str:
    """The one rule for what may be muted (the settings form and the API use it): a
    registered kind that is not unmutable. Raises ValidationError with a message for people."""
    kind = (kind or "").strip()
    entry = KINDS.get(kind)
    if entry is None:
        known = ", ".join(sorted(k for k, _ in mutable_choices())) or "none yet"
        raise ValidationError(
            f"'{kind}' is not a notification kind you can mute. Kinds you can mute: {known}.",
            code="unknown_kind",
        )
    if entry.unmutable:
        raise ValidationError(
            f"“{entry.label}” cannot be muted: urgent ones always reach you.",
            code="unmutable_kind",
        )
    return kind
