"""How the project pages and panels present projects, people, goals, updates, transfers and
history. Pure: no ORM, no request; the views and panels hand in rows the selectors read (with
their people and profiles joined) and the viewer's zone, and add the permission flags.

- People: every person shown (owner, backup, acting owner, author, proposed owner) comes with
  their own local time and whether they are working, off hours or probably asleep
  ("Ana Souza, 03:12 in Manila, probably asleep"), or as deactivated.
- Times: instants in the viewer's zone (core.timefmt, on the viewer's clock); calendar dates
  (start, target, a goal's date, the day an update falls due) as dates, with the year.
- Health, status, orphaned and stale: a label and a CSS class each (static/css/projects.css),
  never a colour alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from decimal import Decimal

from core.pages import work_badge
from core.timefmt import fmt_day_time, fmt_local_for
from core.zones import zoneinfo
from teams.selectors import person_local_status

from .models import Health, HistoryKind, OwnershipTransfer, Priority, ProjectStatus

HEALTH_CSS = {
    Health.ON_TRACK: "health-on",
    Health.AT_RISK: "health-risk",
    Health.OFF_TRACK: "health-off",
}
HEALTH_LABELS = dict(Health.choices)
STATUS_LABELS = dict(ProjectStatus.choices)
PRIORITY_LABELS = dict(Priority.choices)
HISTORY_LABELS = dict(HistoryKind.choices)


def display_name(user) -> str:
    if user is None:
        return ""
    profile = getattr(user, "profile", None)
    return profile.display_name if profile is not None else user.get_username()


def fmt_date(day: date | None) -> str:
    """'Wed 02 Dec 2026' for a calendar date; '' for none."""
    return f"{day:%a %d %b %Y}" if day else ""


def _iso_date(text: str | None) -> str:
    """A stored ISO date ('2026-12-02') as 'Wed 02 Dec 2026'; anything else as it is."""
    if not text:
        return "—"
    try:
        return fmt_date(date.fromisoformat(text))
    except (TypeError, ValueError):
        return str(text)


# --- people ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PersonBadge:
    """A person as the pages print them: name, their local time, and a state badge."""

    pk: int
    name: str
    active: bool
    local: str  # "03:12 in Manila"
    offset: str  # "UTC+08:00"
    label: str  # "Working" | "Off hours" | "Probably asleep" | "Deactivated"
    css: str  # badge class

    @property
    def text(self) -> str:
        """'Ana Souza, 03:12 in Manila, probably asleep': for titles and plain text."""
        if not self.active:
            return f"{self.name} (deactivated)"
        return f"{self.name}, {self.local}, {self.label.lower()}"


def person_badge(user, now: datetime) -> PersonBadge | None:
    """`user` (with their profile loaded) at `now`; None for nobody. No query."""
    if user is None:
        return None
    profile = getattr(user, "profile", None)
    name = display_name(user)
    if not user.is_active or profile is None:
        return PersonBadge(user.pk, name, False, "", "", "Deactivated", "badge-left")
    status = person_local_status(profile, at=now)
    label, css = work_badge(status)
    return PersonBadge(
        user.pk, name, True, fmt_local_for(profile, now), status.utc_offset, label, css
    )


def person_choices(people, *, exclude=()) -> list[tuple[int, str]]:
    """(id, "Name (username, Zone)") for a picker; `people` have profiles, in their order."""
    skip = {getattr(p, "pk", p) for p in exclude if p is not None}
    return [
        (u.pk, f"{display_name(u)} ({u.get_username()}, {u.profile.time_zone})")
        for u in people
        if u.pk not in skip
    ]


# --- projects ----------------------------------------------------------------------------------


def health_badge(health: str) -> dict:
    """{'label', 'css'} of a health; 'No update yet' for none."""
    if not health:
        return {"label": "No update yet", "css": "health-none"}
    return {"label": HEALTH_LABELS.get(health, health), "css": HEALTH_CSS.get(health, "")}


def due_text(project, now: datetime) -> dict | None:
    """When the next status update falls due, on the accountable person's calendar:
    {'text', 'css', 'overdue'}; None for a closed project (nothing falls due)."""
    due = project.update_due_on
    if due is None:
        return None
    accountable = project.acting_owner if project.acting_owner_id else project.owner
    profile = getattr(accountable, "profile", None)
    zone_name = profile.time_zone if profile is not None else "UTC"
    today = now.astimezone(zoneinfo(zone_name)).date()
    days = (due - today).days
    if days < 0:
        text, css = f"overdue since {fmt_date(due)}", "due-over"
    elif days == 0:
        text, css = "due today", "due-today"
    elif days == 1:
        text, css = "due tomorrow", "due-soon"
    else:
        text, css = f"due {fmt_date(due)}", "due-later"
    return {"text": text, "css": css, "overdue": days < 0, "date": fmt_date(due)}


def project_row(project, now: datetime, zone: tzinfo) -> dict:
    """A project as the lists and panels show it: who answers for it now (with their local
    time), health, status, orphaned / stale marks, the next update and open goals."""
    acting = project.acting_owner_id is not None
    return {
        "project": project,
        "slug": project.slug,
        "name": project.name,
        "team": project.team,
        "status": STATUS_LABELS.get(project.status, project.status),
        "status_value": project.status,
        "priority": PRIORITY_LABELS.get(project.priority, "") if project.priority else "",
        "critical": project.critical,
        "health": health_badge(project.health),
        "owner": person_badge(project.owner, now),
        "acting": person_badge(project.acting_owner, now) if acting else None,
        "accountable": person_badge(project.acting_owner if acting else project.owner, now),
        "orphaned": bool(getattr(project, "orphaned", False)),
        # Who left, of those who answer for it (what makes it orphaned).
        "gone": [
            display_name(person)
            for person in (project.owner, project.acting_owner if acting else None)
            if person is not None and not person.is_active
        ],
        "stale": bool(getattr(project, "is_stale", False)),
        "due": due_text(project, now),
        "last_update": fmt_day_time(project.last_update_at, zone) if project.last_update_at else "",
        "open_goals": getattr(project, "open_goals", None),
    }


def project_rows(projects, now: datetime, zone: tzinfo) -> list[dict]:
    return [project_row(p, now, zone) for p in projects]


def links(project) -> list[dict]:
    """The project's links with a title to show (the address when it has none)."""
    out = []
    for link in project.links or []:
        if isinstance(link, dict) and link.get("url"):
            out.append({"url": link["url"], "title": link.get("title") or link["url"]})
    return out


def links_text(project) -> str:
    """The links as the edit form's text: one per line, 'title url'."""
    return "\n".join(
        f"{link.get('title', '')} {link['url']}".strip()
        for link in project.links or []
        if isinstance(link, dict) and link.get("url")
    )


# --- goals -------------------------------------------------------------------------------------


def number(value: Decimal | None) -> str:
    if value is None:
        return ""
    text = f"{value.normalize():f}"
    return text


def goal_row(goal) -> dict:
    """A goal: its title, progress ('3 of 10 services', 30%), target date, done."""
    measured = goal.target_value is not None
    current = goal.current_value if goal.current_value is not None else Decimal(0)
    percent = None
    if measured and goal.target_value:
        percent = max(0, min(100, int(current * 100 / goal.target_value)))
    progress = ""
    if measured:
        unit = f" {goal.unit}" if goal.unit else ""
        progress = f"{number(current)} of {number(goal.target_value)}{unit}"
    return {
        "goal": goal,
        "pk": goal.pk,
        "title": goal.title,
        "done": goal.done,
        "progress": progress,
        "percent": 100 if goal.done and measured else percent,
        "bucket": None if percent is None else min(10, (100 if goal.done else percent) // 10),
        "target_date": fmt_date(goal.target_date),
    }


# --- status updates ------------------------------------------------------------------------------

_CHANGE_VALUES = {"Health": HEALTH_LABELS, "Status": STATUS_LABELS}


def change_row(change: dict) -> dict:
    """One "what changed since the previous update" row, its values as people read them."""
    what = str(change.get("what", ""))
    before, after = change.get("before", "—"), change.get("after", "—")
    labels = _CHANGE_VALUES.get(what)
    if labels is not None:
        before, after = labels.get(before, before), labels.get(after, after)
    elif what.endswith("date"):
        before, after = _iso_date(before), _iso_date(after)
    return {"what": what, "before": before or "—", "after": after or "—"}


def update_row(update, now: datetime, zone: tzinfo) -> dict:
    return {
        "update": update,
        "pk": update.pk,
        "when": fmt_day_time(update.created_at, zone, year=True),
        "iso": update.created_at.isoformat(),
        "author": person_badge(update.author, now),
        "health": health_badge(update.health),
        "body_html": update.body_html,
        "changes": [change_row(c) for c in update.changes or [] if isinstance(c, dict)],
    }


# --- transfers and history -----------------------------------------------------------------------


def transfer_row(transfer: OwnershipTransfer, now: datetime, zone: tzinfo) -> dict:
    return {
        "transfer": transfer,
        "pk": transfer.pk,
        "state": transfer.get_state_display(),
        "state_value": transfer.state,
        "from_owner": person_badge(transfer.from_owner, now),
        "to_person": person_badge(transfer.to_person, now),
        "proposed_by": display_name(transfer.proposed_by) if transfer.proposed_by_id else "Baton",
        "reason": transfer.reason,
        "note": transfer.note,
        "answer": transfer.answer,
        "created": fmt_day_time(transfer.created_at, zone, year=True),
        "expires": fmt_day_time(transfer.expires_at, zone, year=True),
        "decided": fmt_day_time(transfer.decided_at, zone, year=True)
        if transfer.decided_at
        else "",
    }


def history_row(entry, zone: tzinfo) -> dict:
    """A history entry: when (the viewer's zone), who, what, from and to, and the note."""
    before, after = entry.before, entry.after
    if entry.kind == HistoryKind.STATUS:
        before, after = STATUS_LABELS.get(before, before), STATUS_LABELS.get(after, after)
    return {
        "when": fmt_day_time(entry.at, zone, year=True),
        "iso": entry.at.isoformat(),
        "actor": display_name(entry.actor) if entry.actor_id else "Baton",
        "kind": HISTORY_LABELS.get(entry.kind, entry.kind),
        "kind_value": entry.kind,
        "before": before,
        "after": after,
        "note": entry.note,
    }


def acting_until(project, zone: tzinfo) -> dict | None:
    """When the acting owner hands back: the owner's calendar date they are back (at their
    midnight) and that instant in the viewer's zone."""
    if project.acting_until is None:
        return None
    profile = getattr(project.owner, "profile", None)
    owner_zone = zoneinfo(profile.time_zone if profile is not None else "UTC")
    return {
        "date": fmt_date(project.acting_until.astimezone(owner_zone).date()),
        "yours": fmt_day_time(project.acting_until, zone, year=True),
    }


# --- handing over a leaving person's projects ---------------------------------------------------

END_ACTING = "end-acting"  # the handover's choice "hand back to the owner"


def handover_rows(viewer, person, projects, pending: dict, people: dict, now, zone) -> list[dict]:
    """Each open project `person` owns or acts for, with what an admin may choose for it: a
    new owner from its team (theirs once they accept), or, where `person` only acts for the
    owner, handing it back to the owner. A project with a transfer waiting says so instead.
    `pending` maps project ids to their pending transfer, `people` team ids to their people."""
    rows = []
    for project in projects:
        waiting = pending.get(project.pk)
        acting_only = project.owner_id != person.pk
        if acting_only:
            choices = [(END_ACTING, f"Hand back to the owner, {display_name(project.owner)}")]
        else:
            choices = [
                (str(pk), label)
                for pk, label in person_choices(
                    people.get(project.team_id, []), exclude=[person, viewer]
                )
            ]
        rows.append(
            {
                "project": project,
                "row": project_row(project, now, zone),
                "acting_only": acting_only,
                "waiting": transfer_row(waiting, now, zone) if waiting else None,
                "choices": choices,
                "field": f"to_{project.pk}",
            }
        )
    return rows
