"""The cleaning rules for urgent updates and escalation policies, shared by the services, and
later the API, the pages and the inbound webhook, so a bad value gets the same message wherever
it came from. Pure: reads no database. Rules about rows (does the schedule exist, may this
person be paged for this team) are checked by the services; their messages are here.
"""

from __future__ import annotations

import hashlib

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


# --- integration keys and inbound alerts --------------------------------------------------------

KEY_NAME_MAX = 100
INTEGRATION_KEY_PREFIX = "baton_ik_"
# Longer than any key Baton makes: a longer one is refused before it is hashed.
INTEGRATION_KEY_MAX = 200
INBOUND_STATUSES = ("firing", "resolved")
# labels.severity values that wake everyone targeted (anything else, or none, is `high`).
CRITICAL_LABELS = frozenset({"critical", "emergency", "page", "p1", "sev1"})
# An Alertmanager label naming the project (slug or id) in the key's team.
PROJECT_LABEL = "baton_project"
ALERTS_IN_BODY = 20  # the update's text lists at most this many of a group's alerts
GENERIC_FIELDS = ("title", "body", "severity", "dedup_key", "project")
NO_PROJECT_IN_TEAM = "No such project in the team {team} (give its slug or id)."


def integration_key_hash(raw: str) -> str:
    """SHA-256 hex of a raw integration key: all that is stored (keys are 256-bit random)."""
    return hashlib.sha256(raw.encode()).hexdigest()


def clean_key_name(value: object) -> str:
    return v.clean_text(
        value, field="name", what="A key name", max_length=KEY_NAME_MAX, required=True
    )


def _cut(text: str, limit: int) -> str:
    """An outside system's text made to fit (its long summary is not a reason to drop the
    alert): whitespace runs collapsed, cut with an ellipsis."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _string(data: dict, key: str, *, field: str, where: str = "") -> str:
    value = data.get(key, "")
    if value is None:
        return ""
    if not isinstance(value, str):
        raise v.invalid(field, f"{where or key} is text.")
    return value


def _strings(value: object, *, field: str, where: str) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict) or not all(isinstance(x, str) for x in value.values()):
        raise v.invalid(field, f"{where} is an object of text values.")
    return value


def _code(text: str) -> str:
    return "`" + text.replace("`", "'").replace("\n", " ")[:200] + "`"


def _alert_line(alert: dict) -> str:
    annotations, labels = alert["annotations"], alert["labels"]
    what = annotations.get("summary") or labels.get("alertname") or "alert"
    line = f"- **{_cut(what, 200)}** ({alert['status']})"
    if annotations.get("description"):
        line += f": {_cut(annotations['description'], 500)}"
    if labels:
        line += " " + " ".join(_code(f"{k}={val}") for k, val in sorted(labels.items())[:12])
    url = alert["generator_url"]
    if url.startswith(("https://", "http://")):
        line += f" [source]({url[:500]})"
    return line


def clean_alertmanager(data: dict) -> dict:
    """An Alertmanager webhook body (version "4"): one urgent update per notification group.
    Severity `critical` when a firing alert's labels.severity is one of CRITICAL_LABELS,
    else `high`; the title from annotations.summary, else labels.alertname; the dedup key
    the groupKey (else the first alert's fingerprint; hashed when longer than a key may
    be); the project from the `baton_project` label, if any."""
    if data.get("version") != "4":
        raise v.invalid(
            "version", 'Only version "4" of the Alertmanager webhook body is understood.'
        )
    status = data.get("status")
    if status not in INBOUND_STATUSES:
        raise v.invalid(
            "status",
            f"'{v.shown(status, 20)}' is not an alert status ({', '.join(INBOUND_STATUSES)}).",
        )
    alerts = data.get("alerts")
    if not isinstance(alerts, list) or not alerts:
        raise v.invalid("alerts", "Alertmanager sends a non-empty list of alerts.")
    parsed = []
    for n, alert in enumerate(alerts, start=1):
        if not isinstance(alert, dict):
            raise v.invalid("alerts", f"Alert {n} is not an object.")
        where = f"Alert {n}"
        alert_status = _string(alert, "status", field="alerts", where=f"{where}: status")
        parsed.append(
            {
                "status": alert_status if alert_status in INBOUND_STATUSES else status,
                "labels": _strings(alert.get("labels"), field="alerts", where=f"{where}: labels"),
                "annotations": _strings(
                    alert.get("annotations"), field="alerts", where=f"{where}: annotations"
                ),
                "fingerprint": _string(
                    alert, "fingerprint", field="alerts", where=f"{where}: fingerprint"
                ),
                "generator_url": _string(
                    alert, "generatorURL", field="alerts", where=f"{where}: generatorURL"
                ),
            }
        )
    common_labels = _strings(data.get("commonLabels"), field="commonLabels", where="commonLabels")
    common_notes = _strings(
        data.get("commonAnnotations"), field="commonAnnotations", where="commonAnnotations"
    )
    group_key = _string(data, "groupKey", field="groupKey")
    firing = [a for a in parsed if a["status"] == "firing"] or parsed
    first = firing[0]
    critical = any(
        a["labels"].get("severity", "").strip().lower() in CRITICAL_LABELS for a in firing
    )
    title = (
        common_notes.get("summary")
        or first["annotations"].get("summary")
        or common_labels.get("alertname")
        or first["labels"].get("alertname")
        or "Alert from Alertmanager"
    )
    if len(firing) > 1:
        title = f"{_cut(title, TITLE_MAX - 20)} ({len(firing)} alerts)"
    dedup_key = group_key or first["fingerprint"]
    if len(dedup_key) > DEDUP_KEY_MAX:
        dedup_key = "sha256:" + hashlib.sha256(dedup_key.encode()).hexdigest()
    lines = [_alert_line(a) for a in parsed[:ALERTS_IN_BODY]]
    if len(parsed) > ALERTS_IN_BODY:
        lines.append(f"- …and {len(parsed) - ALERTS_IN_BODY} more")
    body = "\n".join(["From Alertmanager:", "", *lines])
    project = common_labels.get(PROJECT_LABEL) or first["labels"].get(PROJECT_LABEL) or None
    return {
        "status": status,
        "title": _cut(_no_nul(title), TITLE_MAX) or "Alert from Alertmanager",
        "body": _cut_body(_no_nul(body)),
        "severity": Severity.CRITICAL if critical else Severity.HIGH,
        "dedup_key": _no_nul(dedup_key).strip(),
        "project": _no_nul(project)[:200] if project else None,
    }


def _no_nul(text: str) -> str:
    # PostgreSQL text cannot hold NUL; an outside system's stray one is dropped, not fatal.
    return text.replace("\x00", "")


def _cut_body(text: str) -> str:
    return text if len(text) <= MAX_MARKDOWN_LENGTH else text[: MAX_MARKDOWN_LENGTH - 1] + "…"


def clean_generic_alert(data: dict) -> dict:
    """A generic body: {title, body?, severity? (default high), dedup_key?, project? (slug or
    id in the key's team)}. Unlike Alertmanager's, these fields are the sender's own, so a
    bad one is a 400 rather than cut to fit. Every bad field is named."""
    unknown = sorted(set(data) - set(GENERIC_FIELDS))
    errors: dict = {
        name: [
            f"Unknown field. A generic alert has {', '.join(GENERIC_FIELDS)}; an Alertmanager "
            'body has "version": "4" and "alerts".'
        ]
        for name in unknown[:5]
    }
    out: dict = {"status": "firing", "project": None}
    for name, clean, default in (
        ("title", clean_title, None),
        ("body", clean_body, ""),
        ("severity", clean_severity, Severity.HIGH),
        ("dedup_key", clean_dedup_key, ""),
    ):
        value = data.get(name, default)
        if value is not None and not isinstance(value, str):
            errors[name] = ["Must be a string."]
            continue
        if value is not None and "\x00" in value:
            errors[name] = ["Null characters are not allowed."]
            continue
        try:
            out[name] = clean(value)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    project = data.get("project")
    if isinstance(project, bool) or not isinstance(project, int | str | type(None)):
        errors["project"] = ["Give the project's slug or id."]
    elif isinstance(project, int) and not 1 <= project <= 2**63 - 1:
        errors["project"] = [NO_PROJECT]
    elif isinstance(project, str) and (len(project) > 200 or "\x00" in project):
        errors["project"] = ["Give the project's slug or id."]
    else:
        out["project"] = project if project not in ("", None) else None
    if errors:
        raise ValidationError(errors)
    return out


def clean_inbound(data: object) -> dict:
    """An inbound body, either shape: {"status", "title", "body", "severity", "dedup_key",
    "project" (a slug, an id or None)}. Alertmanager's is told by its "version" or "alerts"."""
    if not isinstance(data, dict):
        raise v.invalid("detail", "Send a JSON object.")
    if "alerts" in data or "version" in data:
        return clean_alertmanager(data)
    return clean_generic_alert(data)
