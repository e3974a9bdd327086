"""The cleaning rules for handoff notes, shared by the services, the pages and the API, so a bad
value gets the same message wherever it came from. Pure: reads no database. Rules about rows
(is this person in the team, is the schedule the team's) are checked by the services; their
messages are here.
"""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError

from core import validation as v
from core.markdown import MAX_MARKDOWN_LENGTH

from .models import (
    MAX_CONTEXT_LINKS,
    MAX_ITEMS,
    MAX_RECIPIENTS,
    HandoffItem,
    HandoffNote,
    RecipientsKind,
    Urgency,
)

TITLE_MAX = HandoffNote._meta.get_field("title").max_length
ITEM_TEXT_MAX = HandoffItem._meta.get_field("text").max_length
NEXT_ACTION_MAX = HandoffItem._meta.get_field("next_action").max_length
REASON_MAX = HandoffItem._meta.get_field("hand_back_reason").max_length
FOLLOW_UP_MAX = 5_000
# An item due further off than this is not a handoff item but a plan.
DUE_WITHIN_DAYS = 90

NO_TEAM = "No such team."
NOT_YOUR_TEAM = "You can write handoff notes for your own teams only."
NO_SCHEDULE = "No such on-call schedule of this team."
NO_PROJECT = "No such project of this team."
NO_UPDATE = "No such urgent update of this team."
NO_PROMPT = "No such prompt of yours."
NO_RECIPIENT = "{name} cannot receive it: only active members of {team} and the org's managers."
NO_ONE_NEXT = "Nobody is on call next for {schedule} (its rotation has no one after this shift)."
NO_ONE_IN_TEAM = "{team} has nobody (but you) to hand over to."
NOT_AN_OWNER = "Item {n}: {name} is not a recipient of the note."
EMPTY_NOTE = "Write a summary or at least one open item: an empty note hands over nothing."
LOCKED = "The note was acknowledged: add a follow-up instead of editing it."
NOT_RECIPIENT = "Only the note's recipients acknowledge it."
ALREADY_ACKNOWLEDGED = "You acknowledged this note already."
NOT_ITEM_OWNER = "This item is {name}'s: only they act on it."
ITEM_CLOSED = "This item is {status} already."
ITEM_ACTIONS = ("acknowledge", "done", "hand_back")


def clean_title(value: object) -> str:
    return v.clean_text(value, field="title", what="A title", max_length=TITLE_MAX, required=True)


def clean_summary(value: object) -> str:
    return v.clean_text(value, field="summary", what="The summary", max_length=MAX_MARKDOWN_LENGTH)


def clean_ruled_out(value: object) -> str:
    return v.clean_text(
        value, field="ruled_out", what="What was ruled out", max_length=MAX_MARKDOWN_LENGTH
    )


def clean_urgency(value: object) -> str:
    if value in (None, ""):
        return Urgency.NORMAL
    return v.clean_choice(value, field="urgency", what="an urgency", choices=Urgency.values)


def clean_recipients_kind(value: object) -> str:
    return v.clean_choice(
        value, field="recipients", what="a kind of recipients", choices=RecipientsKind.values
    )


def clean_follow_up(value: object) -> str:
    return v.clean_text(
        value, field="text", what="A follow-up", max_length=FOLLOW_UP_MAX, required=True
    )


def clean_reason(value: object) -> str:
    return v.clean_text(
        value, field="reason", what="A reason", max_length=REASON_MAX, required=True
    )


def clean_item_action(value: object) -> str:
    return v.clean_choice(value, field="action", what="an action", choices=ITEM_ACTIONS)


def _ids(value: object, *, field: str, what: str, most: int) -> list[int]:
    """A list of ids (ints or digit strings; objects give their pk), without repeats."""
    if value in (None, ""):
        return []
    if not isinstance(value, list | tuple):
        raise v.invalid(field, f"{what} are a list of ids.")
    ids: list[int] = []
    for item in value:
        pk = getattr(item, "pk", item)
        if isinstance(pk, str) and pk.strip().isdigit():
            pk = int(pk.strip())
        if isinstance(pk, bool) or not isinstance(pk, int) or not 1 <= pk <= 2**63 - 1:
            raise v.invalid(field, f"{what} are a list of ids ('{v.shown(item, 20)}' is not one).")
        if pk not in ids:
            ids.append(pk)
    if len(ids) > most:
        raise v.invalid(field, f"At most {most} {what.lower()}.")
    return ids


def clean_people(value: object) -> list[int]:
    return _ids(value, field="people", what="People", most=MAX_RECIPIENTS)


def clean_project_ids(value: object) -> list[int]:
    return _ids(value, field="projects", what="Projects", most=MAX_CONTEXT_LINKS)


def clean_update_ids(value: object) -> list[int]:
    return _ids(value, field="urgent_updates", what="Urgent updates", most=MAX_CONTEXT_LINKS)


def clean_due(value: object, *, field: str, now: datetime) -> datetime | None:
    """An item's due time: an aware instant (or ISO text with its offset) in the future,
    within DUE_WITHIN_DAYS; blank for none."""
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        due = value
    else:
        try:
            due = datetime.fromisoformat(v.text_of(value))
        except ValueError:
            raise v.invalid(
                field, "A due time is a date and time like 2027-03-31T09:00:00+01:00."
            ) from None
    if due.tzinfo is None or due.utcoffset() is None:
        raise v.invalid(field, "A due time needs its UTC offset (e.g. +01:00 or Z).")
    if due <= now:
        raise v.invalid(field, "A due time is in the future.")
    if (due - now).days >= DUE_WITHIN_DAYS:
        raise v.invalid(field, f"A due time is within {DUE_WITHIN_DAYS} days.")
    return due


def clean_items(value: object, *, now: datetime) -> list[dict]:
    """[{text, next_action?, owner?, due_at?, carried_from?}]: every bad item is named."""
    if value in (None, ""):
        return []
    if not isinstance(value, list | tuple):
        raise v.invalid("items", "Open items are a list.")
    if len(value) > MAX_ITEMS:
        raise v.invalid("items", f"At most {MAX_ITEMS} open items.")
    cleaned, errors = [], []
    allowed = {"text", "next_action", "owner", "due_at", "carried_from"}
    for n, item in enumerate(value, start=1):
        if not isinstance(item, dict):
            errors.append(f"Item {n} is not an object {{text, next_action, owner, due_at}}.")
            continue
        if set(item) - allowed:
            unknown = ", ".join(sorted(str(key) for key in set(item) - allowed))
            errors.append(f"Item {n}: unknown field(s) {v.shown(unknown)}.")
            continue
        try:
            text = v.clean_text(
                item.get("text"), field="items", what=f"Item {n}", max_length=ITEM_TEXT_MAX
            )
            if not text:
                raise v.invalid("items", f"Item {n} has no text.")
            next_action = v.clean_text(
                item.get("next_action"),
                field="items",
                what=f"Item {n}'s next action",
                max_length=NEXT_ACTION_MAX,
            )
            due = clean_due(item.get("due_at"), field="items", now=now)
            owner = _ids(
                [item["owner"]] if item.get("owner") not in (None, "") else [],
                field="items",
                what="Owners",
                most=1,
            )
            carried = _ids(
                [item["carried_from"]] if item.get("carried_from") not in (None, "") else [],
                field="items",
                what="Carried items",
                most=1,
            )
        except ValidationError as exc:
            errors.extend(f"Item {n}: {m}" if not m.startswith("Item") else m for m in exc.messages)
            continue
        cleaned.append(
            {
                "text": text,
                "next_action": next_action,
                "owner": owner[0] if owner else None,
                "due_at": due,
                "carried_from": carried[0] if carried else None,
            }
        )
    if errors:
        raise ValidationError({"items": errors})
    return cleaned
