"""The cleaning rules for projects, goals, status updates, transfers and acting owners, shared
by the services (before each write), the page forms and the API's input serializers, so a bad
value gets the same message wherever it was typed. Pure: reads no database.

Rules about people (is the proposed owner active, may they see the team) need rows and stay
with the services; their messages are here.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError

from core import validation as v
from core.markdown import MAX_MARKDOWN_LENGTH

from .models import Goal, Health, OwnershipTransfer, Priority, Project, ProjectStatus

NAME_MAX = Project._meta.get_field("name").max_length
SLUG_MAX = Project._meta.get_field("slug").max_length
ACTING_NOTE_MAX = Project._meta.get_field("acting_note").max_length
GOAL_TITLE_MAX = Goal._meta.get_field("title").max_length
GOAL_UNIT_MAX = Goal._meta.get_field("unit").max_length
REASON_MAX = OwnershipTransfer._meta.get_field("reason").max_length
ANSWER_MAX = OwnershipTransfer._meta.get_field("answer").max_length
NOTE_MAX = 5_000
CADENCE_MIN, CADENCE_MAX = 1, 90


def clean_name(value: object) -> str:
    return v.clean_text(
        value, field="name", what="A project name", max_length=NAME_MAX, required=True
    )


# Slugs the project pages' own paths use (/projects/new/, /projects/transfers/...).
RESERVED_SLUGS = frozenset({"new", "transfers", "map", "export"})


def clean_slug(value: object) -> str:
    slug = v.clean_slug(value, max_length=SLUG_MAX)
    if slug in RESERVED_SLUGS:
        raise v.invalid("slug", f"'{slug}' is reserved for Baton's own pages; pick another.")
    return slug


def slug_taken(slug: str) -> str:
    return f"The slug '{slug}' is already taken by another project."


def clean_description(value: object, *, field: str = "description") -> str:
    return v.clean_text(value, field=field, what="The text", max_length=MAX_MARKDOWN_LENGTH)


def clean_status(value: object) -> str:
    return v.clean_choice(
        value, field="status", what="a project status", choices=ProjectStatus.values
    )


def clean_health(value: object) -> str:
    return v.clean_choice(value, field="health", what="a health", choices=Health.values)


def clean_priority(value: object) -> int:
    return v.clean_int(
        value,
        field="priority",
        what="A priority",
        low=min(Priority.values),
        high=max(Priority.values),
    )


def clean_critical(value: object) -> bool:
    if isinstance(value, bool):
        return value
    text = v.text_of(value).lower()
    if text in ("true", "on", "1", "yes"):
        return True
    if text in ("false", "off", "0", "no", ""):
        return False
    raise v.invalid("critical", "Critical is true or false.")


def clean_cadence(value: object) -> int:
    return v.clean_int(
        value,
        field="update_cadence_days",
        what="The update cadence (days)",
        low=CADENCE_MIN,
        high=CADENCE_MAX,
    )


def clean_links(value: object) -> list[dict[str, str]]:
    return v.clean_links(value)


def clean_dates(start: date | None, target: date | None) -> None:
    if start and target and target < start:
        raise v.invalid("target_date", "The target date is before the start date.")


def clean_project_date(value: object, field: str) -> date | None:
    what = "The start date" if field == "start_date" else "The target date"
    return v.clean_date(value, field=field, what=what)


# --- goals -----------------------------------------------------------------------------------


def clean_goal_title(value: object) -> str:
    return v.clean_text(
        value, field="title", what="A goal title", max_length=GOAL_TITLE_MAX, required=True
    )


def clean_goal_unit(value: object) -> str:
    return v.clean_text(value, field="unit", what="A unit", max_length=GOAL_UNIT_MAX)


def clean_goal_value(value: object, field: str) -> object:
    what = "The target" if field == "target_value" else "The current value"
    return v.clean_decimal(value, field=field, what=what)


def clean_goal_date(value: object, *, project_start: date | None) -> date | None:
    target = v.clean_date(value, field="target_date", what="A goal's target date")
    if target and project_start and target < project_start:
        raise v.invalid(
            "target_date",
            f"A goal's target date cannot be before the project starts ({project_start}).",
        )
    return target


def clean_goal_measure(target_value, current_value) -> None:
    if current_value is not None and target_value is None:
        raise v.invalid("target_value", "Give the target the current value counts towards.")


# --- transfers and acting owners ---------------------------------------------------------------


def clean_reason(value: object) -> str:
    return v.clean_text(
        value, field="reason", what="A reason", max_length=REASON_MAX, required=True
    )


def clean_note(value: object) -> str:
    return v.clean_text(value, field="note", what="A note", max_length=NOTE_MAX)


def clean_answer(value: object) -> str:
    return v.clean_text(value, field="answer", what="An answer", max_length=ANSWER_MAX)


def clean_acting_note(value: object) -> str:
    return v.clean_text(value, field="note", what="A note", max_length=ACTING_NOTE_MAX)


def clean_acting_until(value: object, *, today: date) -> date:
    until = v.clean_date(value, field="until", what="The date the owner is back")
    if until is None:
        raise v.invalid("until", "Say when the owner is back (a date).")
    if until <= today:
        raise v.invalid("until", "The date the owner is back must be after today.")
    if (until - today).days > 366:
        raise v.invalid("until", "An acting owner is named for at most a year.")
    return until


# Messages of the rules that need the people's rows (checked by the services).
NOT_A_PERSON = "No such active person."
DEACTIVATED = "{name} has been deactivated and cannot own projects."
NOT_YOURSELF = "You already own this project."
SAME_AS_OWNER = "{name} already owns this project."


def person_error(field: str, message: str) -> ValidationError:
    return v.invalid(field, message)
