"""Every write to projects, goals, status updates, ownership transfers and acting owners.

Each function takes keyword-only arguments, runs in one transaction, cleans its input with
projects.validation, records history (for the project page) and an audit event (org-wide),
and calls notify() inside the transaction (it delivers on commit). Permission checks are the
callers' (views and API, projects.permissions); the services enforce the rules that hold
whoever asks: an owner is an active person, a transfer goes to someone else, one pending
transfer per project, nobody edits the owner field directly.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Max, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from core.audit import Actor, audit_record
from core.markdown import render_markdown
from core.validation import delete_or_refuse
from core.zones import zoneinfo
from notifications.services import notify
from teams import hours as hours_math
from teams.models import Membership, Profile, TeamRole

from . import cadence, validation
from .models import (
    OPEN_STATUSES,
    Goal,
    HistoryKind,
    OwnershipTransfer,
    Project,
    ProjectHistory,
    ProjectStatus,
    ProjectUpdate,
    TransferState,
    Watch,
)

User = get_user_model()


def stale_working_days() -> int:
    return int(getattr(settings, "PROJECTS_STALE_WORKING_DAYS", 10))


def transfer_expiry() -> timedelta:
    return timedelta(days=int(getattr(settings, "PROJECTS_TRANSFER_EXPIRY_DAYS", 7)))


# --- helpers ----------------------------------------------------------------------------------


def _name(user: AbstractBaseUser | None) -> str:
    if user is None:
        return ""
    profile = getattr(user, "profile", None)
    return profile.display_name if profile is not None else user.get_username()


def _url(project: Project) -> str:
    return reverse("project-detail", args=[project.slug])


def _history_row(
    project: Project, actor: Actor, kind: str, *, before: str = "", after: str = "", note: str = ""
) -> ProjectHistory:
    return ProjectHistory(
        project=project,
        at=timezone.now(),
        actor=actor.user,
        kind=kind,
        before=before[:200],
        after=after[:200],
        note=note[:300],
    )


def _history(
    project: Project, actor: Actor, kind: str, *, before: str = "", after: str = "", note: str = ""
) -> ProjectHistory:
    """Record one change on the project page; the row's id makes each event's idempotency key
    unique (two events that look alike, e.g. the same acting owner named twice, are two)."""
    row = _history_row(project, actor, kind, before=before, after=after, note=note)
    row.save()
    return row


def _clean(values: dict, cleaners: dict, what: str) -> dict:
    """Each of `values` cleaned by the cleaner of its name; one ValidationError naming every
    bad field. A name without a cleaner is a caller's mistake (ValueError)."""
    cleaned, errors = {}, {}
    for field, value in values.items():
        clean = cleaners.get(field)
        if clean is None:
            raise ValueError(f"{what} field {field!r} cannot be written here")
        try:
            cleaned[field] = clean(value)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    return cleaned


def _tell(
    people, project: Project, *, actor_user, kind: str, title: str, body: str, key: str, url=""
) -> None:
    """notify() about `project` (its team's webhooks too): `people` (users or ids; nobody and
    whoever acted, who knows already, left out), its page unless `url`, idempotency key
    "projects:<key>"."""
    ids = {getattr(person, "pk", person) for person in people}
    ids -= {None, getattr(actor_user, "pk", None)}
    if ids:
        notify(
            recipients=sorted(ids),
            kind=kind,
            title=title,
            body=body,
            url=url or _url(project),
            idempotency_key=f"projects:{key}",
            actor=actor_user,
            team=project.team_id,
        )


def _audit_and_tell(
    actor: Actor, project: Project, action: str, changes: dict, people, **message: str
) -> None:
    """The end of a write that people hear of: the audit event `action` on `project`, then
    _tell(people, project, kind=, title=, body=, key=, url=) with whoever acted left out."""
    audit_record(actor=actor, action=action, target=project, changes=changes)
    _tell(people, project, actor_user=actor.user, **message)


def _locked(project: Project, *people: str) -> Project:
    """The project again, locked until the transaction ends, with `people` joined."""
    return (
        Project.objects.select_for_update(of=("self",)).select_related(*people).get(pk=project.pk)
    )


def _person(value, field: str) -> AbstractBaseUser:
    """An active Baton person (a user with a profile) from a user or an id; a clear error for a
    deactivated person, a bare user or a missing id."""
    if isinstance(value, AbstractBaseUser):
        user = value
    else:
        try:
            user = User.objects.select_related("profile").get(pk=int(value))
        except (TypeError, ValueError, User.DoesNotExist):
            raise validation.person_error(field, validation.NOT_A_PERSON) from None
    try:
        user.profile  # noqa: B018 - a bare user (no profile) is not a Baton person
    except Profile.DoesNotExist:
        raise validation.person_error(field, validation.NOT_A_PERSON) from None
    if not user.is_active:
        raise validation.person_error(
            field, validation.DEACTIVATED.format(name=user.profile.display_name)
        )
    return user


def _unique_slug(name: str, *, exclude_pk: int | None = None) -> str:
    base = slugify(name)[: validation.SLUG_MAX - 8] or "project"
    slug, n = base, 2
    taken = Project.objects.exclude(pk=exclude_pk)
    while slug in validation.RESERVED_SLUGS or taken.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def _accountable(project: Project) -> AbstractBaseUser:
    return project.acting_owner if project.acting_owner_id else project.owner


def _ranges_zone(user: AbstractBaseUser):
    profile = user.profile
    return hours_math.week_ranges(profile.working_hours or {}), zoneinfo(profile.time_zone)


def _schedule_cadence(project: Project) -> None:
    """Set update_due_on, remind_at and stale_at from the last update (or, before the first,
    from the project's creation) in the accountable person's zone and hours; clear them for a
    closed project. Does not save."""
    if project.status not in OPEN_STATUSES:
        project.update_due_on = project.remind_at = project.stale_at = None
        return
    ranges, zone = _ranges_zone(_accountable(project))
    # Anchored on what happened (the last update, else the creation), never on "now": a
    # re-schedule (new hours, an acting owner) must not push the due date away.
    since = project.last_update_at or project.created_at or timezone.now()
    last_local = since.astimezone(zone).date()
    project.update_due_on = cadence.update_due_on(last_local, project.update_cadence_days)
    project.remind_at = cadence.reminder_at(ranges, zone, project.update_due_on)
    project.stale_at = cadence.stale_at(ranges, zone, last_local, stale_working_days())


def _reschedule(project: Project) -> None:
    """Re-compute the cadence after a change of who is accountable, of their zone or hours, or
    of the status, within the same due update: if its reminder went out already (remind_at was
    cleared by update_reminders_send), it is not sent again. Does not save."""
    reminded = project.remind_at is None and project.update_due_on is not None
    _schedule_cadence(project)
    if reminded and project.update_due_on is not None:
        project.remind_at = None


_PROJECT_CLEANERS = {
    "name": validation.clean_name,
    "slug": validation.clean_slug,
    "description": validation.clean_description,
    "status": validation.clean_status,
    "priority": validation.clean_priority,
    "critical": validation.clean_critical,
    "update_cadence_days": validation.clean_cadence,
    "links": validation.clean_links,
    "start_date": lambda x: validation.clean_project_date(x, "start_date"),
    "target_date": lambda x: validation.clean_project_date(x, "target_date"),
    "backup_owner": lambda x: None if x in (None, "") else _person(x, "backup_owner"),
}


def _clean_fields(fields: dict, *, project: Project | None) -> dict:
    """Clean each given field of a project create/update; raises one ValidationError naming
    every bad field."""
    cleaned = _clean(fields, _PROJECT_CLEANERS, "project")
    start = cleaned.get("start_date", project.start_date if project else None)
    target = cleaned.get("target_date", project.target_date if project else None)
    validation.clean_dates(start, target)
    return cleaned


# --- projects ---------------------------------------------------------------------------------


@transaction.atomic
def project_create(
    *,
    actor: Actor,
    team,
    name: str,
    owner,
    slug: str | None = None,
    backup_owner=None,
    description: str = "",
    status: str = ProjectStatus.PLANNED,
    priority: int = 0,
    critical: bool = False,
    start_date: date | None = None,
    target_date: date | None = None,
    links: list | None = None,
    update_cadence_days: int = 7,
) -> Project:
    fields = {
        "name": name,
        "description": description,
        "status": status,
        "priority": priority,
        "critical": critical,
        "start_date": start_date,
        "target_date": target_date,
        "links": links or [],
        "update_cadence_days": update_cadence_days,
        "backup_owner": backup_owner,
    }
    if slug:
        fields["slug"] = slug
    errors = {}
    try:
        owner = _person(owner, "owner")
    except ValidationError as exc:
        errors.update(exc.message_dict)
    try:
        cleaned = _clean_fields(fields, project=None)
    except ValidationError as exc:
        errors.update(exc.message_dict)
        cleaned = {}
    if not errors and cleaned.get("backup_owner") and cleaned["backup_owner"].pk == owner.pk:
        errors["backup_owner"] = ["The backup owner must be someone other than the owner."]
    if not errors and cleaned.get("slug") and Project.objects.filter(slug=cleaned["slug"]).exists():
        errors["slug"] = [validation.slug_taken(cleaned["slug"])]
    if errors:
        raise ValidationError(errors)
    cleaned.setdefault("slug", _unique_slug(cleaned["name"]))
    project = Project(team=team, owner=owner, **cleaned)
    project.description_html = render_markdown(project.description)
    _schedule_cadence(project)
    project.save()
    _history(project, actor, HistoryKind.CREATED, after=_name(owner))
    _audit_and_tell(
        actor,
        project,
        "project.create",
        {"team": team.pk, "owner": owner.pk},
        [owner],
        kind="projects.ownership",
        title=f"You own the project {project.name}",
        body=f"{_name(actor.user) or 'Baton'} made you its accountable owner.",
        key=f"{project.pk}:created",
    )
    return project


@transaction.atomic
def project_update(*, actor: Actor, project: Project, **fields: object) -> Project:
    """Change a project's fields (not its owner: that is a transfer, transfer_propose)."""
    if "owner" in fields:
        raise ValidationError(
            {"owner": "The owner changes by a transfer the new owner accepts, not by an edit."}
        )
    project = _locked(project, "owner__profile")
    cleaned = _clean_fields(dict(fields), project=project)
    if "backup_owner" in cleaned and cleaned["backup_owner"] is not None:
        if cleaned["backup_owner"].pk == project.owner_id:
            raise ValidationError(
                {"backup_owner": "The backup owner must be someone other than the owner."}
            )
    if "slug" in cleaned and cleaned["slug"] != project.slug:
        if Project.objects.filter(slug=cleaned["slug"]).exclude(pk=project.pk).exists():
            raise ValidationError({"slug": validation.slug_taken(cleaned["slug"])})
    if cleaned.get("start_date") and cleaned["start_date"] != project.start_date:
        # The rule goal_create keeps (no goal due before the project starts), from this side.
        early = (
            project.goals.filter(target_date__lt=cleaned["start_date"])
            .order_by("target_date", "id")
            .first()
        )
        if early is not None:
            raise ValidationError(
                {
                    "start_date": f"The goal “{early.title}” is due {early.target_date}, "
                    "before this start date; move it first."
                }
            )
    changes = {}
    backup_row = None
    for field, value in cleaned.items():
        before = getattr(project, field)
        if field == "backup_owner":
            if (before.pk if before else None) == (value.pk if value else None):
                continue
            backup_row = _history(
                project, actor, HistoryKind.BACKUP, before=_name(before), after=_name(value)
            )
            changes[field] = value.pk if value else None
        elif before == value:
            continue
        else:
            if field == "status":
                _history(project, actor, HistoryKind.STATUS, before=before, after=value)
            changes[field] = value if not isinstance(value, date | Decimal) else str(value)
        setattr(project, field, value)
    if not changes:
        return project
    if "description" in changes:
        project.description_html = render_markdown(project.description)
    if {"status", "update_cadence_days"} & changes.keys():
        due_before = project.update_due_on
        _reschedule(project)
        if "update_cadence_days" in changes and project.update_due_on != due_before:
            # A new cadence makes a new due update: its reminder is still to come.
            _schedule_cadence(project)
    project.save()
    audit_record(actor=actor, action="project.update", target=project, changes=changes)
    if backup_row is not None:
        _tell(
            [cleaned["backup_owner"]],
            project,
            actor_user=actor.user,
            kind="projects.ownership",
            title=f"You are the backup owner of {project.name}",
            body=f"{_name(actor.user) or 'Baton'} named you; {_name(project.owner)} owns it.",
            key=f"{project.pk}:backup:{backup_row.pk}",
        )
    return project


@transaction.atomic
def project_delete(*, actor: Actor, project: Project) -> None:
    """Delete a project created by mistake (admins; everyone else closes it: done/cancelled)."""
    audit_record(actor=actor, action="project.delete", target=project)
    # Urgent updates keep their project (escalations): close it as cancelled instead.
    delete_or_refuse(project, field="project", what="project")


@transaction.atomic
def watch_set(*, actor: Actor, project: Project, person: AbstractBaseUser, watching: bool) -> bool:
    """Start or stop watching; returns whether the person watches now."""
    if watching:
        Watch.objects.get_or_create(project=project, person=person)
    else:
        Watch.objects.filter(project=project, person=person).delete()
    return watching


# --- goals ------------------------------------------------------------------------------------


def _clean_done(value) -> bool:
    if isinstance(value, bool):
        return value
    try:
        return validation.clean_critical(value)
    except ValidationError:
        raise ValidationError({"done": ["Done is true or false."]}) from None


def _clean_goal(fields: dict, *, project: Project, goal: Goal | None) -> dict:
    cleaners = {
        "title": validation.clean_goal_title,
        "unit": validation.clean_goal_unit,
        "target_value": lambda x: validation.clean_goal_value(x, "target_value"),
        "current_value": lambda x: validation.clean_goal_value(x, "current_value"),
        "target_date": lambda x: validation.clean_goal_date(x, project_start=project.start_date),
        "done": _clean_done,
    }
    cleaned = _clean(fields, cleaners, "goal")
    target = cleaned.get("target_value", goal.target_value if goal else None)
    current = cleaned.get("current_value", goal.current_value if goal else None)
    validation.clean_goal_measure(target, current)
    return cleaned


MAX_GOALS = 50


@transaction.atomic
def goal_create(*, actor: Actor, project: Project, title: str, **fields: object) -> Goal:
    cleaned = _clean_goal({"title": title, **fields}, project=project, goal=None)
    existing = Goal.objects.filter(project=project).aggregate(n=Count("id"), last=Max("position"))
    if existing["n"] >= MAX_GOALS:
        raise ValidationError({"title": f"A project has at most {MAX_GOALS} goals."})
    # After the last one: the count would repeat a position once an earlier goal is deleted.
    position = 0 if existing["last"] is None else existing["last"] + 1
    goal = Goal.objects.create(project=project, position=position, **cleaned)
    audit_record(
        actor=actor, action="project.goal_create", target=project, changes={"goal": goal.pk}
    )
    return goal


@transaction.atomic
def goal_update(*, actor: Actor, goal: Goal, **fields: object) -> Goal:
    project = goal.project
    cleaned = _clean_goal(dict(fields), project=project, goal=goal)
    for field, value in cleaned.items():
        setattr(goal, field, value)
    if cleaned:
        goal.save()
        audit_record(
            actor=actor,
            action="project.goal_update",
            target=project,
            changes={"goal": goal.pk, **{k: str(v) for k, v in cleaned.items()}},
        )
    return goal


@transaction.atomic
def goal_delete(*, actor: Actor, goal: Goal) -> None:
    audit_record(
        actor=actor, action="project.goal_delete", target=goal.project, changes={"goal": goal.pk}
    )
    goal.delete()


# --- status updates ---------------------------------------------------------------------------


def _goal_text(goal: dict) -> str:
    if goal["done"]:
        return "done"
    if goal["target"] is not None:
        current = goal["current"] if goal["current"] is not None else "0"
        return f"{current} of {goal['target']}{(' ' + goal['unit']) if goal['unit'] else ''}"
    return "open"


def _decimal_text(value: Decimal) -> str:
    """A goal's number as people write it: 10, 2.5, 1200 (not 1E+1, 2.50 or 1.2E+3)."""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def goal_snapshot(goal: Goal, current: Decimal | None, done: bool) -> dict:
    """A goal as a status update records it, with its `current` value and `done` as they
    were then."""
    return {
        "title": goal.title,
        "done": done,
        "target": None if goal.target_value is None else _decimal_text(goal.target_value),
        "current": None if current is None else _decimal_text(current),
        "unit": goal.unit,
        "date": goal.target_date.isoformat() if goal.target_date else None,
    }


def snapshot(project: Project, health: str, goals: dict[str, dict]) -> dict:
    """What a status update records of its project (`goals` by id: goal_snapshot), for the
    next update to list what changed (update_changes)."""
    return {
        "health": health,
        "status": project.status,
        "start_date": project.start_date.isoformat() if project.start_date else None,
        "target_date": project.target_date.isoformat() if project.target_date else None,
        "goals": goals,
    }


def _snapshot(project: Project, health: str) -> dict:
    goals = project.goals.all()
    return snapshot(
        project, health, {str(g.pk): goal_snapshot(g, g.current_value, g.done) for g in goals}
    )


def update_changes(previous: dict | None, current: dict) -> list[dict[str, str]]:
    """What changed between two snapshots, as rows a page prints ("Health: at risk → on
    track"). Pure; a first update lists nothing."""
    if not previous:
        return []
    rows = []
    for key, label in (
        ("health", "Health"),
        ("status", "Status"),
        ("start_date", "Start date"),
        ("target_date", "Target date"),
    ):
        if previous.get(key) != current.get(key):
            rows.append(
                {
                    "what": label,
                    "before": previous.get(key) or "—",
                    "after": current.get(key) or "—",
                }
            )
    before_goals, after_goals = previous.get("goals", {}), current.get("goals", {})
    for pk, goal in after_goals.items():
        old = before_goals.get(pk)
        if old is None:
            rows.append(
                {"what": f"Goal “{goal['title']}”", "before": "new", "after": _goal_text(goal)}
            )
            continue
        if _goal_text(old) != _goal_text(goal):
            rows.append(
                {
                    "what": f"Goal “{goal['title']}”",
                    "before": _goal_text(old),
                    "after": _goal_text(goal),
                }
            )
        if old.get("date") != goal.get("date"):
            rows.append(
                {
                    "what": f"Goal “{goal['title']}” date",
                    "before": old.get("date") or "—",
                    "after": goal.get("date") or "—",
                }
            )
    for pk, goal in before_goals.items():
        if pk not in after_goals:
            rows.append(
                {"what": f"Goal “{goal['title']}”", "before": _goal_text(goal), "after": "removed"}
            )
    return rows


@transaction.atomic
def update_post(*, actor: Actor, project: Project, health: str, body: str = "") -> ProjectUpdate:
    """Post a status update: the project's health becomes its health, the next update falls due
    a cadence later, and watchers are told (normal urgency: held for their morning)."""
    cleaned = _clean(
        {"health": health, "body": body},
        {
            "health": validation.clean_health,
            "body": lambda x: validation.clean_description(x, field="body"),
        },
        "update",
    )
    health, body = cleaned["health"], cleaned["body"]
    if actor.user is None:
        raise ValidationError({"author": "A status update needs a person as its author."})
    project = _locked(project, "owner__profile", "acting_owner__profile")
    previous = project.updates.order_by("-created_at", "-id").first()
    snapshot = _snapshot(project, health)
    update = ProjectUpdate.objects.create(
        project=project,
        author=actor.user,
        health=health,
        body=body,
        body_html=render_markdown(body),
        snapshot=snapshot,
        changes=update_changes(previous.snapshot if previous else None, snapshot),
    )
    project.health = health
    project.last_update_at = update.created_at
    _schedule_cadence(project)
    project.save(
        update_fields=[
            "health", "last_update_at", "update_due_on", "remind_at", "stale_at", "updated_at",
        ]
    )  # fmt: skip
    watchers = Watch.objects.filter(project=project, person__is_active=True)
    _audit_and_tell(
        actor,
        project,
        "project.update_post",
        {"health": health},
        watchers.values_list("person_id", flat=True),
        kind="projects.update",
        title=f"{project.name}: {update.get_health_display().lower()}",
        body=f"{_name(actor.user)} posted a status update.",
        url=_url(project) + f"#update-{update.pk}",
        key=f"update:{update.pk}",
    )
    return update


@transaction.atomic
def update_reminders_send(*, now: datetime | None = None, limit: int = 500) -> int:
    """Remind each accountable person whose project's update falls due today, at the start of
    their working day; once per due update (remind_at is cleared; the idempotency key holds a
    second beat or a re-run to one notification)."""
    now = now or timezone.now()
    due = list(
        Project.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(remind_at__lte=now, status__in=OPEN_STATUSES)
        .select_related("owner", "acting_owner")
        .order_by("remind_at")[:limit]
    )
    for project in due:
        person = _accountable(project)
        if person.is_active:
            _tell(
                [person],
                project,
                actor_user=None,
                kind="projects.update_due",
                title=f"A status update on {project.name} is due",
                body=f"Due {project.update_due_on:%a %d %b}: how is it going?",
                url=_url(project) + "#post-update",
                key=f"{project.pk}:update_due:{project.update_due_on}",
            )
    if due:
        Project.objects.filter(pk__in=[p.pk for p in due]).update(remind_at=None)
    return len(due)


def cadence_reschedule(*, profile) -> int:
    """The accountable person's zone or working hours changed: move their projects' reminder
    and staleness (teams.hooks.on_hours_changed, inside teams' transaction)."""
    projects = list(
        Project.objects.select_for_update(of=("self",))
        .filter(status__in=OPEN_STATUSES)
        .filter(
            Q(acting_owner_id=profile.user_id)
            | Q(owner_id=profile.user_id, acting_owner__isnull=True)
        )
        .select_related("owner__profile", "acting_owner__profile")
    )
    for project in projects:
        _reschedule(project)  # a reminder already sent for this due update is not sent again
    # One UPDATE per batch, not one per project: someone owning many projects moves zones.
    Project.objects.bulk_update(
        projects, ["update_due_on", "remind_at", "stale_at"], batch_size=500
    )
    return len(projects)


# --- ownership transfers ----------------------------------------------------------------------


@transaction.atomic
def transfer_propose(
    *, actor: Actor, project: Project, to_person, reason: str, note: str = ""
) -> OwnershipTransfer:
    """Propose a new owner; the proposed person accepts or declines, and until then the current
    owner stays accountable."""
    cleaned = _clean(
        {"to_person": to_person, "reason": reason, "note": note},
        {
            "to_person": lambda x: _person(x, "to_person"),
            "reason": validation.clean_reason,
            "note": validation.clean_note,
        },
        "transfer",
    )
    to_person, reason, note = cleaned["to_person"], cleaned["reason"], cleaned["note"]
    project = _locked(project, "owner__profile")
    if to_person.pk == project.owner_id:
        raise ValidationError({"to_person": validation.SAME_AS_OWNER.format(name=_name(to_person))})
    if actor.user is not None and to_person.pk == actor.user.pk:
        raise ValidationError(
            {"to_person": "You cannot propose yourself; ask the owner or a team lead."}
        )
    pending = (
        project.transfers.filter(state=TransferState.PENDING)
        .select_related("to_person__profile")
        .first()
    )
    if pending is not None:
        raise ValidationError(
            {
                "to_person": f"A transfer to {_name(pending.to_person)} is already waiting for "
                "an answer; cancel it first."
            }
        )
    now = timezone.now()
    try:
        with transaction.atomic():
            transfer = OwnershipTransfer.objects.create(
                project=project,
                from_owner=project.owner,
                to_person=to_person,
                proposed_by=actor.user,
                reason=reason,
                note=note,
                expires_at=now + transfer_expiry(),
            )
    except IntegrityError:  # a concurrent proposal won the race
        raise ValidationError(
            {"to_person": "Another transfer is already waiting for an answer."}
        ) from None
    _history(
        project, actor, HistoryKind.TRANSFER_PROPOSED, before=_name(project.owner),
        after=_name(to_person), note=reason,
    )  # fmt: skip
    _audit_and_tell(
        actor,
        project,
        "project.transfer_propose",
        {"transfer": transfer.pk, "to": to_person.pk},
        [to_person],
        kind="projects.transfer",
        title=f"Will you own {project.name}?",
        body=f"{_name(actor.user) or 'Baton'}: {reason}",
        url=reverse("project-transfer", args=[transfer.pk]),
        key=f"transfer:{transfer.pk}:proposed",
    )
    return transfer


def _pending_transfer(transfer: OwnershipTransfer) -> OwnershipTransfer:
    transfer = (
        OwnershipTransfer.objects.select_for_update(of=("self",))
        .select_related("project", "to_person__profile", "from_owner__profile")
        .get(pk=transfer.pk)
    )
    if transfer.state != TransferState.PENDING:
        state = transfer.get_state_display().lower()
        raise ValidationError({"transfer": f"This transfer is no longer waiting ({state})."})
    return transfer


def _transfer_decided(
    transfer: OwnershipTransfer,
    *,
    actor: Actor,
    action: str,
    changes: dict,
    event: str,
    title: str,
    body: str,
) -> None:
    """_audit_and_tell for the end of a transfer, told to everyone it names: the owner then,
    the proposed owner, who proposed."""
    _audit_and_tell(
        actor,
        transfer.project,
        action,
        changes,
        [transfer.from_owner_id, transfer.to_person_id, transfer.proposed_by_id],
        kind="projects.transfer",
        title=title,
        body=body,
        key=f"transfer:{transfer.pk}:{event}",
    )


def transfer_accept(*, actor: Actor, transfer: OwnershipTransfer, answer: str = "") -> Project:
    """The proposed owner accepts: they own the project from now. A proposal whose time ran out
    is expired for good (both told, as the beat would) and refused."""
    answer = validation.clean_answer(answer)  # the new owner's note, e.g. "Got it, thanks"
    with transaction.atomic():
        transfer = _pending_transfer(transfer)
        now = timezone.now()
        if transfer.expires_at > now:
            return _accept(transfer, actor=actor, answer=answer, now=now)
        # Committed before the refusal: raising inside the block would roll the expiry back.
        _expire(transfer, now=now)
    raise ValidationError({"transfer": "This transfer expired before it was accepted."})


def _accept(transfer: OwnershipTransfer, *, actor: Actor, answer: str, now: datetime) -> Project:
    new_owner = _person(transfer.to_person, "to_person")
    project = _locked(
        transfer.project, "owner__profile", "backup_owner__profile", "acting_owner__profile"
    )
    old_owner = project.owner
    project.owner = new_owner
    if project.backup_owner_id == new_owner.pk:
        _history(project, actor, HistoryKind.BACKUP, before=_name(new_owner), after="")
        project.backup_owner = None
    if project.acting_owner_id:
        _history(project, actor, HistoryKind.ACTING, before=_name(project.acting_owner), after="",
                 note="The new owner takes over.")  # fmt: skip
        project.acting_owner = None
        project.acting_until = None
        project.acting_note = ""
    _reschedule(project)  # the new owner's zone; a reminder sent for this due update stands
    project.save()
    _decide(transfer, TransferState.ACCEPTED, actor=actor, answer=answer, at=now)
    _history(project, actor, HistoryKind.OWNER, before=_name(old_owner), after=_name(new_owner),
             note=transfer.reason)  # fmt: skip
    _transfer_decided(
        transfer,
        actor=actor,
        action="project.transfer_accept",
        changes={"transfer": transfer.pk, "owner": [old_owner.pk, new_owner.pk]},
        event="accepted",
        title=f"{_name(new_owner)} now owns {project.name}",
        body=answer or "The ownership transfer was accepted.",
    )
    return project


@transaction.atomic
def transfer_decline(
    *, actor: Actor, transfer: OwnershipTransfer, answer: str = ""
) -> OwnershipTransfer:
    answer = validation.clean_answer(answer)
    transfer = _pending_transfer(transfer)
    return _close(transfer, actor=actor, state=TransferState.DECLINED, answer=answer)


@transaction.atomic
def transfer_cancel(
    *, actor: Actor, transfer: OwnershipTransfer, answer: str = ""
) -> OwnershipTransfer:
    answer = validation.clean_answer(answer)
    transfer = _pending_transfer(transfer)
    return _close(transfer, actor=actor, state=TransferState.CANCELLED, answer=answer)


def _decide(
    transfer: OwnershipTransfer, state: str, *, actor: Actor, answer: str, at: datetime
) -> None:
    transfer.state = state
    transfer.decided_at = at
    transfer.decided_by = actor.user
    transfer.answer = answer
    transfer.save(update_fields=["state", "decided_at", "decided_by", "answer"])


_CLOSED_KIND = {
    TransferState.DECLINED: HistoryKind.TRANSFER_DECLINED,
    TransferState.CANCELLED: HistoryKind.TRANSFER_CANCELLED,
    TransferState.EXPIRED: HistoryKind.TRANSFER_EXPIRED,
}


def _close(
    transfer: OwnershipTransfer,
    *,
    actor: Actor,
    state: str,
    answer: str = "",
    at: datetime | None = None,
) -> OwnershipTransfer:
    """End a pending transfer with the owner staying: declined, cancelled, or expired (by
    Baton itself, nobody having answered in time)."""
    _decide(transfer, state, actor=actor, answer=answer, at=at or timezone.now())
    project, owner = transfer.project, _name(transfer.from_owner)
    _history(project, actor, _CLOSED_KIND[state], before=owner, after=_name(transfer.to_person),
             note=answer)  # fmt: skip
    if state == TransferState.EXPIRED:
        title = f"Nobody answered the transfer of {project.name}"
        body = f"It expired; {owner} stays the owner."
    else:
        title = f"The transfer of {project.name} to {_name(transfer.to_person)} was {state}"
        body = answer or f"{_name(actor.user) or 'Baton'} {state} it; {owner} stays the owner."
    _transfer_decided(
        transfer,
        actor=actor,
        action=f"project.transfer_{state}",
        changes={"transfer": transfer.pk},
        event=state,
        title=title,
        body=body,
    )
    return transfer


def _expire(transfer: OwnershipTransfer, *, now: datetime) -> None:
    _close(transfer, actor=Actor.system(), state=TransferState.EXPIRED, at=now)


@transaction.atomic
def transfers_expire(*, now: datetime | None = None, limit: int = 500) -> int:
    """Expire proposals nobody answered in time and tell both people (beat; idempotent)."""
    now = now or timezone.now()
    expired = list(
        OwnershipTransfer.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(state=TransferState.PENDING, expires_at__lte=now)
        .select_related("project", "to_person__profile", "from_owner__profile")
        .order_by("expires_at")[:limit]
    )
    for transfer in expired:
        _expire(transfer, now=now)
    return len(expired)


MAX_BULK_TRANSFERS = 200


class RowErrors(ValidationError):
    """A bulk write refused as a whole (nothing was written): `rows` lists, for each bad row,
    its index in the input and its errors {field: [messages]}."""

    def __init__(self, rows: list[tuple[int, dict[str, list[str]]]]):
        self.rows = rows
        super().__init__(
            {
                f"row {index}": [f"{field}: {m}" for field, ms in errors.items() for m in ms]
                for index, errors in rows
            }
        )


@transaction.atomic
def transfer_propose_many(*, actor: Actor, proposals: list[dict]) -> list[OwnershipTransfer]:
    """Propose new owners for several projects in one step (a leaver's projects, from the
    deactivation page): all of them or none. Each proposal holds transfer_propose's arguments
    (project, to_person, reason, optionally note); a bad row raises RowErrors naming every bad
    row, and nothing is written or notified."""
    if not proposals:
        raise ValidationError({"transfers": "Give at least one proposal."})
    if len(proposals) > MAX_BULK_TRANSFERS:
        raise ValidationError(
            {"transfers": f"At most {MAX_BULK_TRANSFERS} proposals in one request."}
        )
    created, errors = [], []
    for index, proposal in enumerate(proposals):
        try:
            with transaction.atomic():
                created.append(transfer_propose(actor=actor, **proposal))
        except ValidationError as exc:
            errors.append((index, exc.message_dict))
    if errors:
        raise RowErrors(errors)
    return created


# --- acting owners ----------------------------------------------------------------------------


@transaction.atomic
def acting_set(*, actor: Actor, project: Project, acting_owner, until, note: str = "") -> Project:
    """Name an acting owner until `until` (a date: the owner is back that morning, in the
    owner's zone); the acting owner is accountable until then and it reverts by itself."""
    project = _locked(project, "owner__profile", "acting_owner__profile")
    owner_zone = zoneinfo(project.owner.profile.time_zone)
    today = timezone.now().astimezone(owner_zone).date()

    def clean_acting_owner(value) -> AbstractBaseUser:
        person = _person(value, "acting_owner")
        if person.pk == project.owner_id:
            raise ValidationError(
                {"acting_owner": "The acting owner must be someone other than the owner."}
            )
        return person

    cleaned = _clean(
        {"acting_owner": acting_owner, "until": until, "note": note},
        {
            "acting_owner": clean_acting_owner,
            "until": lambda x: validation.clean_acting_until(x, today=today),
            "note": validation.clean_acting_note,
        },
        "acting",
    )
    acting_owner, until_day, note = cleaned["acting_owner"], cleaned["until"], cleaned["note"]
    previous = project.acting_owner
    project.acting_owner = acting_owner
    project.acting_until = datetime.combine(until_day, time(0), tzinfo=owner_zone)
    project.acting_note = note
    _reschedule(project)  # the acting owner's zone; a reminder sent for this due update stands
    project.save()
    row = _history(
        project, actor, HistoryKind.ACTING, before=_name(previous), after=_name(acting_owner),
        note=f"until {until_day:%a %d %b %Y}" + (f": {note}" if note else ""),
    )  # fmt: skip
    _audit_and_tell(
        actor,
        project,
        "project.acting_set",
        {"acting_owner": acting_owner.pk, "until": until_day.isoformat()},
        [acting_owner, project.owner_id, previous],  # and an acting owner this one replaces
        kind="projects.acting",
        title=f"{_name(acting_owner)} acts as owner of {project.name}",
        body=f"Until {until_day:%a %d %b %Y}, while {_name(project.owner)} is away.",
        key=f"{project.pk}:acting:{row.pk}",
    )
    return project


def _revert(project: Project, *, actor: Actor, reason: str) -> None:
    acting = project.acting_owner
    project.acting_owner = None
    project.acting_until = None
    project.acting_note = ""
    _reschedule(project)  # the owner's zone again; a reminder sent for this due update stands
    project.save()
    row = _history(project, actor, HistoryKind.ACTING, before=_name(acting), after="", note=reason)
    _audit_and_tell(
        actor,
        project,
        "project.acting_end",
        {"acting_owner": acting.pk},
        [acting, project.owner_id],
        kind="projects.acting",
        title=f"{_name(project.owner)} is accountable for {project.name} again",
        body=f"{_name(acting)} no longer acts as owner ({reason}).",
        key=f"{project.pk}:acting_end:{row.pk}",
    )


@transaction.atomic
def acting_end(*, actor: Actor, project: Project) -> Project:
    project = _locked(project, "owner__profile", "acting_owner__profile")
    if project.acting_owner_id is None:
        raise ValidationError({"acting_owner": "Nobody is acting as owner."})
    _revert(project, actor=actor, reason="ended early")
    return project


@transaction.atomic
def acting_revert_due(*, now: datetime | None = None, limit: int = 500) -> int:
    """Revert every acting owner whose date has come, once (beat; a row is cleared as it is
    reverted, and a second beat skips rows the first holds)."""
    now = now or timezone.now()
    due = list(
        Project.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(acting_until__lte=now)
        .select_related("owner__profile", "acting_owner__profile")
        .order_by("acting_until")[:limit]
    )
    for project in due:
        _revert(project, actor=Actor.system(), reason="the owner is back")
    return len(due)


# --- deactivation -----------------------------------------------------------------------------


def person_deactivated(*, person: AbstractBaseUser) -> int:
    """teams.hooks.on_person_deactivated, inside teams' transaction: the open projects `person`
    owned or acted for are orphaned now (selectors.ORPHANED). Record it on each project, tell
    each team's leads once, and cancel the transfers waiting for `person`'s answer (they could
    never be accepted, and they would block proposing a new owner). A fixed number of queries
    per team and per such transfer, whatever the number of projects.

    Where `person` only acted for an owner who is still here, the project goes back to its
    owner at once (told, as when an acting owner's date comes) instead of being orphaned:
    nobody needs to be found. A few queries per such project (a person acts for few)."""
    name = _name(person)
    actor = Actor.system()
    handed_back = (
        Project.objects.select_for_update(of=("self",))
        .filter(status__in=OPEN_STATUSES, acting_owner=person, owner__is_active=True)
        .select_related("owner__profile", "acting_owner__profile")
        .order_by("pk")
    )
    for project in handed_back:
        _revert(project, actor=actor, reason=f"{name} was deactivated")
    projects = list(
        Project.objects.filter(status__in=OPEN_STATUSES)
        .filter(Q(owner=person) | Q(acting_owner=person))
        .select_related("team")
        .order_by("team_id", "name", "id")
    )
    rows = [
        _history_row(
            project, actor, HistoryKind.ORPHANED, before=name, note=f"{name} was deactivated."
        )  # fmt: skip
        for project in projects
    ]
    ProjectHistory.objects.bulk_create(rows)
    by_team: dict[int, list[tuple[Project, ProjectHistory]]] = {}
    for project, row in zip(projects, rows, strict=True):
        by_team.setdefault(project.team_id, []).append((project, row))
    leads: dict[int, list[int]] = {}
    for team_id, lead_id in Membership.objects.filter(
        team_id__in=by_team, role=TeamRole.LEAD, person__is_active=True
    ).values_list("team_id", "person_id"):
        if lead_id != person.pk:
            leads.setdefault(team_id, []).append(lead_id)
    for team_id, pairs in by_team.items():
        if not leads.get(team_id):
            continue
        team_projects = [project for project, _row in pairs]
        names = ", ".join(p.name for p in team_projects[:5])
        more = f" and {len(team_projects) - 5} more" if len(team_projects) > 5 else ""
        # One event per deactivation and team: its newest history row names it.
        event = max(row.pk for _project, row in pairs)
        _tell(
            leads[team_id],
            team_projects[0],
            actor_user=None,
            kind="projects.orphaned",
            title=f"{len(team_projects)} project(s) of {team_projects[0].team.name} have no owner",
            body=f"{name} was deactivated: {names}{more}. Propose new owners.",
            url=reverse("project-list") + f"?team={team_id}&orphaned=1",
            key=f"orphaned:{person.pk}:{team_id}:{event}",
        )
    waiting = (
        OwnershipTransfer.objects.select_for_update(of=("self",))
        .filter(to_person=person, state=TransferState.PENDING)
        .select_related("project", "to_person__profile", "from_owner__profile")
    )
    for transfer in waiting:
        _close(transfer, actor=actor, state=TransferState.CANCELLED,
               answer=f"{name} was deactivated.")  # fmt: skip
    return len(projects)
