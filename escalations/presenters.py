"""How the urgent-update pages and panels present updates, their steps, their timelines and
policies. Pure: no ORM, no request; views and panels hand in rows the selectors read (people
with profiles joined) and the viewer's zone, and add the permission flags.

- Instants (raised, acknowledged, a step's due and fired times, each timeline line) are in
  the viewer's zone, on the viewer's clock (core.timefmt).
- A person paged or skipped is shown with THEIR local time at that moment, from the line's
  `data` (local_time, time_zone, asleep, working), re-worded on the viewer's clock: the
  stored text was written once, on the 24-hour clock, for everyone.
- Severity and state: a label and a CSS class each (static/css/escalations.css), never a
  colour alone.
"""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo

from core.timefmt import fmt_city, fmt_day_time, fmt_offset, fmt_time, fmt_weekday_time

from . import routing
from .models import (
    EntryKind,
    RaisedVia,
    Severity,
    StepStatus,
    TargetKind,
    UpdateState,
)

SEVERITY_LABELS = dict(Severity.choices)
STATE_LABELS = dict(UpdateState.choices)
ENTRY_LABELS = dict(EntryKind.choices)
# Short words for a step's state (the model's labels explain; a phone needs few words).
STEP_LABELS = {
    StepStatus.PENDING: "Waiting",
    StepStatus.FIRING: "Firing",
    StepStatus.DONE: "Fired",
    StepStatus.SKIPPED: "Nobody to page",
    StepStatus.CANCELLED: "Stopped",
}
TARGET_LABELS = dict(TargetKind.choices)
# Short target names for lists ("On call: Primary" is built from ONCALL's).
TARGET_SHORT = {
    TargetKind.OWNER: "Project owner",
    TargetKind.BACKUP_OWNER: "Backup owner",
    TargetKind.ONCALL: "On call now",
    TargetKind.TEAM_ONCALL: "On call now (any team schedule)",
    TargetKind.WORKING: "Team members working now",
    TargetKind.LEAD: "Team leads",
    TargetKind.PERSON: "Named person",
    TargetKind.MANAGERS: "The org's managers",
}


def display_name(user) -> str:
    if user is None:
        return ""
    profile = getattr(user, "profile", None)
    return profile.display_name if profile is not None else user.get_username()


def severity_badge(severity: str) -> dict:
    return {"label": SEVERITY_LABELS.get(severity, severity), "css": f"sev-{severity}"}


def state_badge(update) -> dict:
    """The state, with "Unacknowledged" for an open update whose every step was spent."""
    if update.unacknowledged:
        return {"label": "Unacknowledged", "css": "state-unacknowledged"}
    return {"label": STATE_LABELS.get(update.state, update.state), "css": f"state-{update.state}"}


def age(delta: timedelta) -> str:
    """'just now', '12 min', '3 h 05 min', '2 days'."""
    minutes = max(int(delta.total_seconds() // 60), 0)
    if minutes < 1:
        return "just now"
    if minutes < 60:
        return f"{minutes} min"
    hours, mins = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} h {mins:02d} min"
    return f"{hours // 24} days"


def when(dt: datetime | None, zone: tzinfo) -> dict | None:
    """{'text': 'Wed 02 Dec 2026 14:05', 'iso': ...} in the viewer's zone; None for none."""
    if dt is None:
        return None
    return {"text": fmt_day_time(dt, zone, year=True), "iso": dt.isoformat()}


def raised_by(update) -> str:
    if update.raised_by_id is not None:
        return display_name(update.raised_by)
    if update.raised_via == RaisedVia.INTEGRATION:
        return f"{update.raised_by_label or 'an integration'} (integration)"
    return update.raised_by_label or "an API token"


def where(update) -> str:
    return update.project.name if update.project_id else update.team.name


def update_row(update, now: datetime, zone: tzinfo) -> dict:
    """An update as the list, the dashboard and the team page show it."""
    return {
        "pk": update.pk,
        "title": update.title,
        "severity": severity_badge(update.severity),
        "state": state_badge(update),
        "unacknowledged": update.unacknowledged,
        "open": update.state == UpdateState.OPEN,
        "team": update.team,
        "project": update.project if update.project_id else None,
        "where": where(update),
        "raised_by": raised_by(update),
        "raised": when(update.created_at, zone),
        "age": age(now - update.created_at),
        "acknowledged_by": display_name(update.acknowledged_by)
        if update.acknowledged_by_id
        else "",
        "acknowledged": when(update.acknowledged_at, zone),
    }


# --- people at the moment they were paged ---------------------------------------------------------


def _moment(data: dict) -> datetime | None:
    try:
        return datetime.fromisoformat(str(data.get("local_time")))
    except (TypeError, ValueError):
        return None


def person_moment(entry) -> dict | None:
    """The paged or skipped person's local time then, as the viewer reads it: {'local':
    '03:00 in Sydney', 'state': 'asleep', 'css': ..., 'oncall', 'via', 'offset', 'day'};
    None for a line that has no person or was written without its time."""
    data = entry.data or {}
    moment = _moment(data)
    if entry.person_id is None or moment is None:
        return None
    zone = data.get("time_zone") or "UTC"
    if data.get("working"):
        state, css = "working", "badge-on"
    elif data.get("asleep"):
        state, css = "asleep", "badge-asleep"
    else:
        state, css = "off work", "badge-off"
    return {
        "local": f"{fmt_time(moment, zone)} in {fmt_city(zone)}",
        "day": fmt_weekday_time(moment, zone),
        "offset": fmt_offset(moment, zone),
        "zone": zone,
        "state": state,
        "css": css,
        "asleep": bool(data.get("asleep")),
        "oncall": bool(data.get("oncall")),
        "via": str(data.get("via") or ""),
    }


def entry_text(entry, moment: dict | None) -> str:
    """The line re-worded for the viewer (their clock); the stored text when it has no
    person's time (an action, a fired step)."""
    if moment is None:
        return entry.text
    name = display_name(entry.person)
    if entry.kind == EntryKind.SKIPPED:
        if entry.text.endswith("skipped: has left"):  # no time matters for a leaver
            return f"{name} skipped: has left"
        return f"{name} skipped: {moment['local']}, {moment['state']}"
    return f"{name} paged ({moment['via']}): {moment['local']}, {moment['state']}"


def entry_row(entry, zone: tzinfo) -> dict:
    moment = person_moment(entry)
    return {
        "pk": entry.pk,
        "kind": entry.kind,
        "label": ENTRY_LABELS.get(entry.kind, entry.kind),
        "at": when(entry.at, zone),
        "text": entry_text(entry, moment),
        "person": moment,
        "person_id": entry.person_id,
        "name": display_name(entry.person) if entry.person_id else "",
        "step_id": entry.step_id,
    }


def notified_people(entries) -> list[dict]:
    """The dashboard's "who was told": each paged or skipped person once (their latest
    line), with their local time then and whether they were asleep."""
    latest: dict[int, dict] = {}
    for entry in entries:
        moment = person_moment(entry)
        if moment is None:
            continue
        latest[entry.person_id] = {
            "name": display_name(entry.person),
            "paged": entry.kind == EntryKind.NOTIFIED,
            **moment,
        }
    return list(latest.values())


# --- steps and policies ---------------------------------------------------------------------------


def target_text(target: dict, *, schedules: dict, people: dict) -> str:
    """'On call now: Primary', 'Named person: Ana Reyes', 'Team leads'."""
    kind = target.get("kind")
    label = TARGET_SHORT.get(kind, str(kind))
    if kind == TargetKind.ONCALL:
        return f"{label}: {schedules.get(target.get('schedule_id'), 'a deleted schedule')}"
    if kind == TargetKind.PERSON:
        return f"{label}: {people.get(target.get('person_id'), 'someone who left')}"
    return label


def wait_text(minutes: int) -> str:
    if minutes <= 0:
        return "no wait"
    hours, mins = divmod(int(minutes), 60)
    if not hours:
        return f"{mins} min"
    return f"{hours} h" if not mins else f"{hours} h {mins:02d} min"


def policy_steps(steps: list[dict], *, schedules: dict, people: dict) -> list[dict]:
    """A policy's (or a snapshot's) steps as lines: targets and the wait after."""
    return [
        {
            "number": n,
            "targets": [
                target_text(t, schedules=schedules, people=people) for t in step.get("targets", [])
            ],
            "wait": wait_text(step.get("wait_minutes") or 0),
        }
        for n, step in enumerate(steps, start=1)
    ]


def policy_dict(policy) -> dict:
    """An EscalationPolicy (steps and targets prefetched) in the snapshot's shape."""
    return {
        "name": policy.name,
        "repeat_count": policy.repeat_count,
        "steps": [
            {
                "wait_minutes": step.wait_minutes,
                "targets": [
                    {
                        "kind": t.kind,
                        **({"schedule_id": t.schedule_id} if t.schedule_id else {}),
                        **({"person_id": t.person_id} if t.person_id else {}),
                    }
                    for t in step.targets.all()
                ],
            }
            for step in policy.steps.all()
        ],
    }


def named_ids(steps: list[dict], key: str) -> set[int]:
    return {t[key] for s in steps for t in s.get("targets", []) if t.get(key) is not None}


def step_rows(update, steps, entries: list[dict], zone: tzinfo) -> list[dict]:
    """Each step row that came due: its label, due and fired times (viewer's zone), status,
    and how many were paged and skipped (from the timeline rows, `entries`)."""
    count = len((update.policy_snapshot or {}).get("steps") or [])
    paged: dict[int, int] = {}
    skipped: dict[int, int] = {}
    for row in entries:
        if row["step_id"] is None:
            continue
        if row["kind"] == EntryKind.NOTIFIED:
            paged[row["step_id"]] = paged.get(row["step_id"], 0) + 1
        elif row["kind"] == EntryKind.SKIPPED:
            skipped[row["step_id"]] = skipped.get(row["step_id"], 0) + 1
    return [
        {
            "pk": step.pk,
            "label": routing.step_label(step.step_index, step.repeat_index, steps=count),
            "due": when(step.due_at, zone),
            "fired": when(step.fired_at, zone),
            "status": step.status,
            "status_label": STEP_LABELS.get(step.status, step.status),
            "paged": paged.get(step.pk, 0),
            "skipped": skipped.get(step.pk, 0),
        }
        for step in steps
    ]


SNAPSHOT_SOURCES = {
    "project": "the project's own policy",
    "team": "the team's policy",
    "default": "Baton’s default: the team has none",
}


def key_row(key, zone: tzinfo) -> dict:
    """An integration key on its team's page: its name and first characters (never its
    secret), who made it and when, its last use, and whether and when it was revoked."""
    return {
        "pk": key.pk,
        "name": key.name,
        "prefix": key.prefix,
        "live": not key.revoked,
        "created": when(key.created_at, zone),
        "created_by": display_name(key.created_by),
        "last_used": when(key.last_used_at, zone),
        "revoked": when(key.revoked_at, zone),
        "revoked_by": display_name(key.revoked_by),
    }
