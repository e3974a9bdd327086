"""@-mentions in a message body (pure: no ORM). `@lou` names a person by username, `@support` a
team by slug, `@oncall` whoever is on call now for the room's team's schedules, and
`@oncall:<schedule id>` for one schedule. Resolved at send time by chat.services."""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_MENTIONS = 20

# After a start, a space or an opening bracket/quote, so "a@b.org" mentions nobody.
_TOKEN = re.compile(
    r"(?:(?<=^)|(?<=[\s(\[\"'“]))@([a-z0-9][a-z0-9_.-]{0,149})(?::([0-9]{1,12}))?", re.I
)


@dataclass(frozen=True)
class Token:
    text: str  # as written: "@lou", "@oncall:12"
    name: str  # "lou", "oncall" (lower case)
    schedule_id: int | None = None


def tokens(body: str) -> list[Token]:
    """The distinct mentions of `body`, in order, at most MAX_MENTIONS (a trailing dot or
    hyphen is punctuation, not part of the name)."""
    seen: dict[tuple[str, int | None], Token] = {}
    for match in _TOKEN.finditer(body or ""):
        name = match.group(1).rstrip(".-").lower()
        if not name:
            continue
        schedule = int(match.group(2)) if match.group(2) and name == "oncall" else None
        key = (name, schedule)
        if key not in seen:
            text = f"@{name}" + (f":{schedule}" if schedule is not None else "")
            seen[key] = Token(text=text, name=name, schedule_id=schedule)
        if len(seen) >= MAX_MENTIONS:
            break
    return list(seen.values())


def replace_names(body: str, names: dict[str, str]) -> str:
    """`body` with each @name of `names` (lower-case name -> display text) written as the
    display text: notifications name people, never their usernames."""

    def swap(match: re.Match) -> str:
        name = match.group(1).rstrip(".-").lower()
        shown = names.get(name)
        if shown is None:
            return match.group(0)
        rest = match.group(1)[len(name) :]
        return f"@{shown}{rest}" + (f":{match.group(2)}" if match.group(2) else "")

    return _TOKEN.sub(swap, body or "")
