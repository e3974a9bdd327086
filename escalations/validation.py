"""The cleaning rules for urgent updates and escalation policies, shared by the services, and
later the API, the pages and the inbound webhook, so a bad value gets the same message wherever
it came from. Pure: reads no database. Rules about rows (does the schedule exist, may this
person be paged for this team) are checked by the services; their messages are here.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError

from core import validation as v
from core.markdown import MAX_MARKDOWN_LENGTH

from .models import (
    MAX_REPEATS,
    MAX_STEPS,
    MAX_TARGETS_PER_STEP,
    MAX_WAIT_MINUTES,
    EscalationPolicy,
    RaisedVia,
    Severity,
    TargetKind,
    UrgentUpdate,
)

TITLE_MAX = UrgentUpdate._meta.get_field("title").max_length
LABEL_MAX = UrgentUpdate._meta.get_field("raised_by_label").max_length
DEDUP_KEY_MAX = UrgentUpdate._meta.get_field("dedup_key").max_length
POLICY_NAME_MAX = EscalationPolicy._meta.get_field("name").max_length
NOTE_MAX = 300

# Messages of the rules the services check against rows.
NO_PROJECT = "No such project."
NO_TEAM = "No such team."
PROJECT_NOT_IN_TEAM = "That project belongs to another team."
TEAM_OR_PROJECT = "Give a project or a team (one of them)."
NO_SCHEDULE = "Step {step}, target {target}: no such on-call schedule."
NO_PERSON = "Step {step}, target {target}: no such active person."
NO_ACCESS = (
    "Step {step}, target {target}: {name} is not in the team {team} (only its members and "
    "the org's managers can be paged by its policy)."
)


def clean_title(value: object) -> str:
    return v.clean_text(value, field="title", what="A title", max_length=TITLE_MAX, required=True)


def clean_body(value: object) -> str:
    return v.clean_text(value, field="body", what="The text", max_length=MAX_MARKDOWN_LENGTH)


def clean_severity(value: object) -> str:
    return v.clean_choice(value, field="severity", what="a severity", choices=Severity.values)


def clean_raised_via(value: object) -> str:
    return v.clean_choice(
        value, field="raised_via", what="a way of raising", choices=RaisedVia.values
    )


def clean_label(value: object) -> str:
    return v.clean_text(value, field="raised_by_label", what="A source label", max_length=LABEL_MAX)


def clean_dedup_key(value: object) -> str:
    return v.clean_text(value, field="dedup_key", what="A dedup key", max_length=DEDUP_KEY_MAX)


def clean_note(value: object) -> str:
    return v.clean_text(value, field="note", what="A note", max_length=NOTE_MAX)


def clean_policy_name(value: object) -> str:
    return v.clean_text(value, field="name", what="A policy name", max_length=POLICY_NAME_MAX)


def clean_repeat_count(value: object) -> int:
    return v.clean_int(
        value, field="repeat_count", what="The repeat count", low=0, high=MAX_REPEATS
    )


def _id(value: object, *, field: str, message: str) -> int:
    """A positive whole number (a row id); booleans and text that is not a number refused."""
    if isinstance(value, bool) or value is None:
        raise v.invalid(field, message)
    pk = getattr(value, "pk", value)
    try:
        return v.clean_int(pk, field=field, what="An id", low=1, high=2**63 - 1)
    except ValidationError:
        raise v.invalid(field, message) from None


def clean_target(value: object, *, step: int, target: int) -> dict:
    """{"kind": ...} plus "schedule_id" for "oncall" and "person_id" for "person"; `step`
    and `target` are 1-based, for the message."""
    where = f"Step {step}, target {target}"
    if not isinstance(value, dict):
        raise v.invalid("steps", f'{where}: a target is {{"kind": ...}}.')
    kind = v.text_of(value.get("kind"))
    if kind not in TargetKind.values:
        raise v.invalid(
            "steps",
            f"{where}: '{v.shown(kind, 20)}' is not a target kind "
            f"({', '.join(TargetKind.values)}).",
        )
    allowed = {"kind"}
    cleaned: dict = {"kind": kind}
    if kind == TargetKind.ONCALL:
        allowed.add("schedule_id")
        cleaned["schedule_id"] = _id(
            value.get("schedule_id"),
            field="steps",
            message=f"{where}: name the schedule (schedule_id).",
        )
    elif kind == TargetKind.PERSON:
        allowed.add("person_id")
        cleaned["person_id"] = _id(
            value.get("person_id"), field="steps", message=f"{where}: name the person (person_id)."
        )
    extra = sorted(set(value) - allowed)
    if extra:
        raise v.invalid("steps", f"{where}: '{extra[0]}' does not go with the kind '{kind}'.")
    return cleaned


def clean_wait(value: object, *, step: int) -> int:
    return v.clean_int(
        value,
        field="steps",
        what=f"Step {step}: the wait (minutes)",
        low=0,
        high=MAX_WAIT_MINUTES,
    )


def clean_steps(value: object) -> list[dict]:
    """A policy's steps: 1 to MAX_STEPS of {"wait_minutes": int, "targets": [target, ...]},
    each with 1 to MAX_TARGETS_PER_STEP distinct targets."""
    if not isinstance(value, list | tuple):
        raise v.invalid("steps", 'Steps are a list of {"wait_minutes": ..., "targets": [...]}.')
    if not value:
        raise v.invalid("steps", "A policy needs at least one step.")
    if len(value) > MAX_STEPS:
        raise v.invalid("steps", f"A policy has at most {MAX_STEPS} steps.")
    steps = []
    for n, item in enumerate(value, start=1):
        if not isinstance(item, dict) or set(item) - {"wait_minutes", "targets"}:
            raise v.invalid("steps", f'Step {n} is not {{"wait_minutes": ..., "targets": [...]}}.')
        wait = clean_wait(item.get("wait_minutes"), step=n)
        targets = item.get("targets")
        if not isinstance(targets, list | tuple) or not targets:
            raise v.invalid("steps", f"Step {n} needs at least one target.")
        if len(targets) > MAX_TARGETS_PER_STEP:
            raise v.invalid("steps", f"Step {n} has at most {MAX_TARGETS_PER_STEP} targets.")
        cleaned = [clean_target(t, step=n, target=m) for m, t in enumerate(targets, start=1)]
        keys = [tuple(sorted(t.items())) for t in cleaned]
        if len(set(keys)) != len(keys):
            raise v.invalid("steps", f"Step {n} names the same target twice.")
        steps.append({"wait_minutes": wait, "targets": cleaned})
    return steps


def error(field: str, message: str) -> ValidationError:
    return v.invalid(field, message)
