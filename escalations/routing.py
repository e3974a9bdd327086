"""The escalation's rules that need no database: the default policy, the order of steps and
repeats, and who of the people a step reaches is paged or skipped (and why). Pure: no ORM,
no settings, no "now" (callers pass the instant and each person's local status).

Skip rules:

* a deactivated person is never paged ("skipped: has left");
* `high`: a person who is probably asleep (off their working hours and inside their local
  night, teams.selectors.LocalStatus.probably_asleep) is skipped, unless they are on call now:
  being on call is agreeing to be woken ("skipped: 02:14 in Sydney, asleep");
* `critical` pages everyone the step targets, asleep or not.

A person reached by several targets of one step is paged (or skipped) once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from core.timefmt import fmt_city, fmt_time

from .models import Severity, TargetKind

# The policy of a team that has none (and whose project has none). The waits give each
# step's people time to answer before the next are paged, shortest first because the
# accountable owner is the one most likely to know:
#   1. the project's accountable owner (the acting owner while one is named), 5 minutes;
#   2. whoever is on call now on any of the team's schedules, 10 minutes;
#   3. the team's members working right now, 10 minutes;
#   4. the team's leads, 15 minutes;
#   5. the org's managers, 15 minutes; then (no repeat) the update is flagged unacknowledged
#      and the managers are told so.
# A step that reaches nobody (no project owner for a team's update, no schedule, everyone
# asleep for a `high` update) moves on at once.
DEFAULT_POLICY_NAME = "Default: owner, on call, working now, lead, managers"
DEFAULT_STEPS: tuple[dict, ...] = (
    {"wait_minutes": 5, "targets": [{"kind": TargetKind.OWNER.value}]},
    {"wait_minutes": 10, "targets": [{"kind": TargetKind.TEAM_ONCALL.value}]},
    {"wait_minutes": 10, "targets": [{"kind": TargetKind.WORKING.value}]},
    {"wait_minutes": 15, "targets": [{"kind": TargetKind.LEAD.value}]},
    {"wait_minutes": 15, "targets": [{"kind": TargetKind.MANAGERS.value}]},
)
DEFAULT_REPEAT_COUNT = 0
SNAPSHOT_VERSION = 1


def default_snapshot() -> dict:
    return {
        "version": SNAPSHOT_VERSION,
        "source": "default",
        "policy_id": None,
        "name": DEFAULT_POLICY_NAME,
        "repeat_count": DEFAULT_REPEAT_COUNT,
        "steps": [
            {"wait_minutes": s["wait_minutes"], "targets": [dict(t) for t in s["targets"]]}
            for s in DEFAULT_STEPS
        ],
    }


# --- the order of steps -------------------------------------------------------------------------


def next_position(step_index: int, repeat_index: int, *, steps: int, repeats: int) -> tuple:
    """The (step, repeat) after this one: the next step, else the first step of the next
    repeat, else the exhaustion row (steps, repeats). None after the exhaustion row."""
    if step_index >= steps:
        return None
    if step_index + 1 < steps:
        return step_index + 1, repeat_index
    if repeat_index < repeats:
        return 0, repeat_index + 1
    return steps, repeats


def step_label(step_index: int, repeat_index: int, *, steps: int) -> str:
    """'step 2 of 5', 'step 2 of 5 (repeat 1)'; 'every step spent' for the exhaustion row."""
    if step_index >= steps:
        return "every step spent"
    label = f"step {step_index + 1} of {steps}"
    return f"{label} (repeat {repeat_index})" if repeat_index else label


# --- who is paged -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    """A person a step's targets reached, with what the decision needs (no model objects)."""

    person_id: int
    name: str
    time_zone: str
    active: bool
    via: str  # the target that reached them, for the timeline: "owner", "on call: Primary"
    oncall: bool  # on call now on one of the team's (or the step's) schedules
    local_time: datetime  # their wall clock at the firing instant
    working: bool
    probably_asleep: bool


@dataclass(frozen=True)
class Decision:
    person_id: int
    page: bool
    text: str  # the timeline line
    data: dict = field(default_factory=dict)


def where_and_when(candidate: Candidate) -> str:
    """'02:14 in Sydney' (24-hour: a stored line; pages re-word it from `data`)."""
    return f"{fmt_time(candidate.local_time)} in {fmt_city(candidate.time_zone)}"


def _state(candidate: Candidate) -> str:
    if candidate.working:
        return "working"
    return "asleep" if candidate.probably_asleep else "off work"


def decide(candidates: list[Candidate], *, severity: str) -> list[Decision]:
    """Page or skip each candidate (first occurrence of a person wins; a later target that
    finds them on call still counts). Order kept."""
    merged: dict[int, Candidate] = {}
    for candidate in candidates:
        seen = merged.get(candidate.person_id)
        if seen is None:
            merged[candidate.person_id] = candidate
        elif candidate.oncall and not seen.oncall:
            merged[candidate.person_id] = Candidate(**{**seen.__dict__, "oncall": True})
    decisions = []
    for c in merged.values():
        data = {
            "via": c.via,
            "time_zone": c.time_zone,
            "local_time": c.local_time.isoformat(),
            "working": c.working,
            "asleep": c.probably_asleep,
            "oncall": c.oncall,
        }
        if not c.active:
            decisions.append(Decision(c.person_id, False, f"{c.name} skipped: has left", data))
        elif severity == Severity.HIGH and c.probably_asleep and not c.oncall:
            text = f"{c.name} skipped: {where_and_when(c)}, asleep"
            decisions.append(Decision(c.person_id, False, text, data))
        else:
            text = f"{c.name} paged ({c.via}): {where_and_when(c)}, {_state(c)}"
            decisions.append(Decision(c.person_id, True, text, data))
    return decisions
