"""Cleaning rules and messages of chat, shared by the services, the API and the socket."""

from __future__ import annotations

from django.core.exceptions import ValidationError

from core import validation as v

from .models import MAX_BODY, MAX_ROOM_NAME, MAX_TOPIC

EMPTY = "Write something: an empty message says nothing."
TOO_LONG = f"A message is at most {MAX_BODY} characters."
NOT_MEMBER = "You are not in this room."
NO_ROOM = "No such room."
NOT_AUTHOR = "Only its author edits a message."
DELETED = "This message was deleted."
CANNOT_DELETE = "Only its author or the team's leads delete a message."
RATE = "You are sending too fast: wait a few seconds."
NOT_PRIVATE = "Only a private room is left; team and project rooms follow the team."
NOT_MODERATOR = "Only the team's leads change this room's topics."
NO_RECIPIENT = (
    "Send at their morning is for a direct message, or a message that @mentions someone "
    "in the room."
)
DEFAULT_TOPIC = "general"


def clean_body(value: object) -> str:
    if value is not None and not isinstance(value, str):
        raise v.invalid("body", "A message is text.")
    text = (value or "").replace("\x00", "").strip()
    if not text:
        raise v.invalid("body", EMPTY)
    if len(text) > MAX_BODY:
        raise v.invalid("body", TOO_LONG)
    return text


def clean_topic(value: object) -> str:
    if value is None or value == "":
        return DEFAULT_TOPIC
    if not isinstance(value, str):
        raise v.invalid("topic", "A topic is text.")
    text = " ".join(value.replace("\x00", "").split())
    if not text:
        return DEFAULT_TOPIC
    if len(text) > MAX_TOPIC:
        raise v.invalid("topic", f"A topic is at most {MAX_TOPIC} characters.")
    return text


def clean_room_name(value: object) -> str:
    if not isinstance(value, str) or not " ".join(value.split()):
        raise v.invalid("name", "Give the room a name.")
    text = " ".join(value.replace("\x00", "").split())
    if len(text) > MAX_ROOM_NAME:
        raise v.invalid("name", f"A room's name is at most {MAX_ROOM_NAME} characters.")
    return text


def clean_seq(value: object, *, field: str = "seq") -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise v.invalid(field, "A message number is a whole number.")
    text = str(value).strip()
    if not text.isdecimal() or len(text) > 18:
        raise v.invalid(field, "A message number is a whole number.")
    return int(text)


def refuse(field: str, message: str) -> ValidationError:
    return v.invalid(field, message)
