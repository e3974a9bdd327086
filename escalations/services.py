"""Every write of escalations: raising an urgent update, acknowledging, resolving and cancelling
it, and setting or deleting escalation policies.

Each function takes keyword-only arguments, runs in one transaction, cleans its input with
escalations.validation (one ValidationError naming every bad field, nothing written), records
the action on the update's timeline and in the audit log, and signals (Celery, sockets) only
on commit. Permission checks are the callers' (pages, API, inbound; escalations.permissions);
the services enforce the rules that hold whoever asks: a policy pages only people of the team
(or the org's managers), a closed update cannot be acknowledged, a step stops at once.

`at` (raise, acknowledge, resolve, cancel) is for the demo data, which builds past timelines;
everything else leaves it to now.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.audit import Actor, audit_record
from core.markdown import render_markdown
from core.validation import pk_of

from . import engine, selectors, validation
from .models import (
    ACTIVE_STATES,
    EntryKind,
    EscalationPolicy,
    IntegrationKey,
    PolicyStep,
    PolicyTarget,
    RaisedVia,
    TargetKind,
    TimelineEntry,
    UpdateState,
    UrgentUpdate,
)

# --- helpers ----------------------------------------------------------------------------------


def _name(user: AbstractBaseUser | None) -> str:
    if user is None:
        return "Baton"
    profile = getattr(user, "profile", None)
    return profile.display_name if profile is not None else user.get_username()


def _collect(errors: dict, clean, value):
    """clean(value), or None with its message added to `errors` (every bad field is named)."""
    try:
        return clean(value)
    except ValidationError as exc:
        errors.update(exc.message_dict)
        return None


def _team_and_project(team, project, errors: dict):
    """(team, project) from objects or ids; exactly one of them given, or both agreeing."""
    if team in (None, "") and project in (None, ""):
        errors["team"] = [validation.TEAM_OR_PROJECT]
        return None, None
    found_project = None
    if project not in (None, ""):
        pk = pk_of(project)
        found_project = selectors.project_by_id(pk) if pk is not None else None
        if found_project is None:
            errors["project"] = [validation.NO_PROJECT]
            return None, None
    found_team = None
    if team not in (None, ""):
        pk = pk_of(team)
        found_team = selectors.team_by_id(pk) if pk is not None else None
        if found_team is None:
            errors["team"] = [validation.NO_TEAM]
            return None, None
    if found_project is not None:
        if found_team is not None and found_team.pk != found_project.team_id:
            errors["project"] = [validation.PROJECT_NOT_IN_TEAM]
            return None, None
        found_team = found_project.team
    return found_team, found_project


def _entry(update, kind, text, *, actor_user=None, at, data=None) -> TimelineEntry:
    return TimelineEntry.objects.create(
        update=update,
        at=at,
        kind=kind,
        actor=actor_user if getattr(actor_user, "pk", None) else None,
        text=text[:300],
        data=data or {},
    )


def _locked(update: UrgentUpdate) -> UrgentUpdate:
    """The update again, locked until the transaction ends (the engine locks it first too)."""
    return (
        UrgentUpdate.objects.select_for_update(of=("self",))
        .select_related("team", "project")
        .get(pk=update.pk)
    )


# --- urgent updates ---------------------------------------------------------------------------


@transaction.atomic
def update_raise(
    *,
    actor: Actor,
    severity: str,
    title: str,
    body: str = "",
    team=None,
    project=None,
    raised_via: str = RaisedVia.PERSON,
    raised_by_label: str = "",
    dedup_key: str = "",
    at: datetime | None = None,
) -> UrgentUpdate:
    """Raise an urgent update on a project (or a team) and start its escalation: the update,
    the copy of the policy in force and the first step in one transaction; the first step's
    task (due at once) is sent on commit."""
    errors: dict = {}
    team, project = _team_and_project(team, project, errors)
    cleaned = {
        "severity": _collect(errors, validation.clean_severity, severity),
        "title": _collect(errors, validation.clean_title, title),
        "body": _collect(errors, validation.clean_body, body),
        "raised_via": _collect(errors, validation.clean_raised_via, raised_via),
        "raised_by_label": _collect(errors, validation.clean_label, raised_by_label),
        "dedup_key": _collect(errors, validation.clean_dedup_key, dedup_key),
    }
    if errors:
        raise ValidationError(errors)
    if cleaned["dedup_key"] and selectors.active_update_for_dedup_key(
        team_id=team.pk, dedup_key=cleaned["dedup_key"]
    ):
        raise ValidationError(
            {"dedup_key": "An open update of this team already has this dedup key."}
        )
    now = at or timezone.now()
    snapshot = selectors.policy_snapshot(
        team_id=team.pk, project_id=project.pk if project else None
    )
    user = actor.user if getattr(actor.user, "pk", None) else None
    update = UrgentUpdate.objects.create(
        team=team,
        project=project,
        body_html=render_markdown(cleaned["body"]),
        raised_by=user,
        policy_snapshot=snapshot,
        created_at=now,
        **cleaned,
    )
    who = _name(user) if user is not None else (cleaned["raised_by_label"] or "Baton")
    _entry(
        update,
        EntryKind.RAISED,
        f"Raised by {who} ({update.get_severity_display().lower()}); policy: {snapshot['name']}",
        actor_user=user,
        at=now,
        data={"policy_id": snapshot["policy_id"], "source": snapshot["source"]},
    )
    audit_record(
        actor=actor,
        action="escalation.raise",
        target=update,
        changes={
            "team": team.pk,
            "project": project.pk if project else None,
            "severity": update.severity,
            "policy": snapshot["policy_id"],
        },
    )
    engine.start(update, now=now)
    engine.announce(update, "raised")
    return update


def _close(
    *,
    actor: Actor,
    update: UrgentUpdate,
    state: str,
    from_states: tuple,
    note: str,
    at: datetime | None,
) -> UrgentUpdate:
    note = validation.clean_note(note)
    update = _locked(update)
    now = at or timezone.now()
    if update.state not in from_states:
        raise ValidationError(
            {"state": f"This update is {update.get_state_display().lower()} already."}
        )
    user = actor.user if getattr(actor.user, "pk", None) else None
    fields = {
        UpdateState.ACKNOWLEDGED: ("acknowledged_by", "acknowledged_at"),
        UpdateState.RESOLVED: ("resolved_by", "resolved_at"),
        UpdateState.CANCELLED: ("cancelled_by", "cancelled_at"),
    }[state]
    setattr(update, fields[0], user)
    setattr(update, fields[1], now)
    update.state = state
    update.save(update_fields=[*fields, "state", "updated_at"])
    stopped = engine.stop(update)
    kind = {
        UpdateState.ACKNOWLEDGED: EntryKind.ACKNOWLEDGED,
        UpdateState.RESOLVED: EntryKind.RESOLVED,
        UpdateState.CANCELLED: EntryKind.CANCELLED,
    }[state]
    text = f"{UpdateState(state).label} by {_name(user)}"
    if stopped:
        text += "; the escalation stopped"
    if note:
        text += f": {note}"
    _entry(update, kind, text, actor_user=user, at=now, data={"note": note})
    audit_record(
        actor=actor,
        action=f"escalation.{'acknowledge' if state == UpdateState.ACKNOWLEDGED else state}",
        target=update,
        changes={"state": state, "cancelled_steps": stopped},
    )
    engine.announce(update, state)
    return update


@transaction.atomic
def update_acknowledge(
    *, actor: Actor, update: UrgentUpdate, note: str = "", at: datetime | None = None
) -> UrgentUpdate:
    """Someone has it: every future step is cancelled in this transaction."""
    return _close(
        actor=actor,
        update=update,
        state=UpdateState.ACKNOWLEDGED,
        from_states=(UpdateState.OPEN,),
        note=note,
        at=at,
    )


@transaction.atomic
def update_resolve(
    *, actor: Actor, update: UrgentUpdate, note: str = "", at: datetime | None = None
) -> UrgentUpdate:
    return _close(
        actor=actor,
        update=update,
        state=UpdateState.RESOLVED,
        from_states=(UpdateState.OPEN, UpdateState.ACKNOWLEDGED),
        note=note,
        at=at,
    )


@transaction.atomic
def update_cancel(
    *, actor: Actor, update: UrgentUpdate, note: str = "", at: datetime | None = None
) -> UrgentUpdate:
    """Raised by mistake: closed without a resolution."""
    return _close(
        actor=actor,
        update=update,
        state=UpdateState.CANCELLED,
        from_states=(UpdateState.OPEN, UpdateState.ACKNOWLEDGED),
        note=note,
        at=at,
    )


# --- policies ---------------------------------------------------------------------------------


def _check_rows(team, steps: list[dict]) -> None:
    """The rules of a policy's steps that need rows: named schedules exist; named people are
    active and may be paged by this team (members, or the org's managers and admins)."""
    schedule_ids = {t["schedule_id"] for s in steps for t in s["targets"] if "schedule_id" in t}
    person_ids = {t["person_id"] for s in steps for t in s["targets"] if "person_id" in t}
    schedules = selectors.existing_schedule_ids(schedule_ids) if schedule_ids else set()
    access = selectors.people_with_team_access(team.pk, person_ids) if person_ids else {}
    names = selectors.person_names(pk for pk, ok in access.items() if not ok) if access else {}
    for n, step in enumerate(steps, start=1):
        for m, target in enumerate(step["targets"], start=1):
            if target["kind"] == TargetKind.ONCALL and target["schedule_id"] not in schedules:
                raise validation.error("steps", validation.NO_SCHEDULE.format(step=n, target=m))
            if target["kind"] == TargetKind.PERSON:
                pk = target["person_id"]
                if pk not in access:
                    raise validation.error("steps", validation.NO_PERSON.format(step=n, target=m))
                if not access[pk]:
                    raise validation.error(
                        "steps",
                        validation.NO_ACCESS.format(
                            step=n, target=m, name=names.get(pk, pk), team=team.name
                        ),
                    )


@transaction.atomic
def policy_set(
    *,
    actor: Actor,
    steps: list,
    team=None,
    project=None,
    repeat_count: int = 0,
    name: str = "",
) -> EscalationPolicy:
    """Create or replace the escalation policy of a team (its default) or of a project (an
    override): its steps and targets are replaced as a whole. Updates raised before keep the
    copy they took."""
    errors: dict = {}
    team, project = _team_and_project(team, project, errors)
    cleaned_steps = _collect(errors, validation.clean_steps, steps)
    repeat_count = _collect(errors, validation.clean_repeat_count, repeat_count)
    name = _collect(errors, validation.clean_policy_name, name)
    if errors:
        raise ValidationError(errors)
    _check_rows(team, cleaned_steps)
    name = name or (f"{project.name} policy" if project else f"{team.name} default policy")
    existing = selectors.project_policy(project.pk) if project else selectors.team_policy(team.pk)
    user = actor.user if getattr(actor.user, "pk", None) else None
    if existing is None:
        policy = EscalationPolicy.objects.create(
            team=team, project=project, name=name, repeat_count=repeat_count, updated_by=user
        )
    else:
        policy = existing
        policy.name, policy.repeat_count, policy.updated_by = name, repeat_count, user
        policy.save(update_fields=["name", "repeat_count", "updated_by", "updated_at"])
        policy.steps.all().delete()
    step_rows = PolicyStep.objects.bulk_create(
        PolicyStep(policy=policy, position=n, wait_minutes=s["wait_minutes"])
        for n, s in enumerate(cleaned_steps)
    )
    PolicyTarget.objects.bulk_create(
        PolicyTarget(
            step=row,
            position=m,
            kind=t["kind"],
            person_id=t.get("person_id"),
            schedule_id=t.get("schedule_id"),
        )
        for row, s in zip(step_rows, cleaned_steps, strict=True)
        for m, t in enumerate(s["targets"])
    )
    audit_record(
        actor=actor,
        action="escalation.policy_set",
        target=policy,
        changes={
            "team": team.pk,
            "project": project.pk if project else None,
            "repeat_count": repeat_count,
            "steps": cleaned_steps,
        },
    )
    return policy


@transaction.atomic
def policy_delete(*, actor: Actor, policy: EscalationPolicy) -> None:
    """Back to the team's default (a project's override) or Baton's (a team's default)."""
    audit_record(
        actor=actor,
        action="escalation.policy_delete",
        target=policy,
        changes={"team": policy.team_id, "project": policy.project_id},
    )
    policy.delete()


# --- inbound: integration keys and alerts -------------------------------------------------------

# Live keys a team may hold at once: enough for every monitoring system, few enough to review.
MAX_LIVE_KEYS_PER_TEAM = 20


@transaction.atomic
def integration_key_create(*, actor: Actor, team, name: str) -> tuple[IntegrationKey, str]:
    """A new integration key for the team; returns (row, raw key). The raw key is shown this
    once and never stored: only its SHA-256."""
    errors: dict = {}
    team, _ = _team_and_project(team, None, errors)
    name = _collect(errors, validation.clean_key_name, name)
    if errors:
        raise ValidationError(errors)
    live = selectors.live_key_names(team.pk)
    if name in live:
        raise validation.error("name", f"The team already has a key named '{name}'.")
    if len(live) >= MAX_LIVE_KEYS_PER_TEAM:
        raise validation.error(
            "name",
            f"A team holds at most {MAX_LIVE_KEYS_PER_TEAM} live keys: revoke one first.",
        )
    raw = validation.INTEGRATION_KEY_PREFIX + secrets.token_urlsafe(32)
    user = actor.user if getattr(actor.user, "pk", None) else None
    key = IntegrationKey.objects.create(
        team=team,
        name=name,
        prefix=raw[: len(validation.INTEGRATION_KEY_PREFIX) + 6],
        key_hash=validation.integration_key_hash(raw),
        created_by=user,
    )
    audit_record(
        actor=actor,
        action="escalation.integration_key_create",
        target=key,
        changes={"team": team.pk, "name": name, "prefix": key.prefix},
    )
    return key, raw


@transaction.atomic
def integration_key_revoke(*, actor: Actor, key: IntegrationKey) -> IntegrationKey:
    """The key stops working at once (its next use is a 404). Revoking twice changes nothing."""
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        key.revoked_by = actor.user if getattr(actor.user, "pk", None) else None
        key.save(update_fields=["revoked_at", "revoked_by"])
        audit_record(
            actor=actor,
            action="escalation.integration_key_revoke",
            target=key,
            changes={"team": key.team_id, "name": key.name},
        )
    return key


def _touch(key: IntegrationKey, now: datetime) -> None:
    """Record use at most once a minute (a write per alert would cost more than the alert)."""
    if key.last_used_at is None or now - key.last_used_at > timedelta(minutes=1):
        IntegrationKey.objects.filter(pk=key.pk).update(last_used_at=now)
        key.last_used_at = now


@transaction.atomic
def update_repeat(
    *, actor: Actor, update: UrgentUpdate, source: str, at: datetime | None = None
) -> UrgentUpdate:
    """The same alert again (its dedup key) while the update is open or acknowledged: a line
    on its timeline ("Repeated by <source>"), no new update and no new escalation."""
    source = validation.clean_label(source) or "an integration"
    update = _locked(update)
    if update.state not in ACTIVE_STATES:
        raise ValidationError(
            {"state": f"This update is {update.get_state_display().lower()} already."}
        )
    now = at or timezone.now()
    user = actor.user if getattr(actor.user, "pk", None) else None
    _entry(
        update,
        EntryKind.REPEATED,
        f"Repeated by {source}",
        actor_user=user,
        at=now,
        data={"source": source},
    )
    audit_record(actor=actor, action="escalation.repeat", target=update, changes={"source": source})
    engine.announce(update, "repeated")
    return update


@transaction.atomic
def inbound_receive(
    *, actor: Actor, key: IntegrationKey, data: object, at: datetime | None = None
) -> tuple[str, UrgentUpdate | None]:
    """An alert sent with an integration key (either body shape, see
    validation.clean_inbound), on the key's team. Returns what was done and to which update:

    * "created": a new urgent update, raised by the key (its name is the source), whose
      escalation starts;
    * "repeated": an update with the same dedup key is open or acknowledged, so its timeline
      gets "Repeated by <key>" instead (also when a concurrent twin created it first);
    * "resolved": Alertmanager says the alert resolved, and the update with its dedup key is
      open or acknowledged: it is resolved (every future step cancelled), as a person
      resolving it would;
    * "ignored": a resolved alert whose update is closed already, or never was (nothing
      written: a monitoring system retries what it is refused, so no 4xx for it).
    """
    alert = validation.clean_inbound(data)
    team = key.team
    project = None
    if alert["project"] is not None:
        project = selectors.project_in_team(team.pk, alert["project"])
        if project is None:
            raise validation.error("project", validation.NO_PROJECT_IN_TEAM.format(team=team.name))
    now = at or timezone.now()
    _touch(key, now)
    dedup_key = alert["dedup_key"]
    existing = selectors.active_update_for_dedup_key(team_id=team.pk, dedup_key=dedup_key)
    if alert["status"] == "resolved":
        if existing is None:
            return "ignored", None
        note = f"the alert resolved ({key.name})"
        return "resolved", update_resolve(actor=actor, update=existing, note=note, at=at)
    if existing is not None:
        return "repeated", update_repeat(actor=actor, update=existing, source=key.name, at=at)
    try:
        # A savepoint: a twin alert that committed the same dedup key first makes this
        # insert fail, and the repeat below still runs in this transaction.
        with transaction.atomic():
            update = update_raise(
                actor=actor,
                severity=alert["severity"],
                title=alert["title"],
                body=alert["body"],
                team=team,
                project=project,
                raised_via=RaisedVia.INTEGRATION,
                raised_by_label=key.name,
                dedup_key=dedup_key,
                at=at,
            )
    except (IntegrityError, ValidationError) as exc:
        twin = selectors.active_update_for_dedup_key(team_id=team.pk, dedup_key=dedup_key)
        if twin is None:
            raise
        if isinstance(exc, ValidationError) and set(exc.message_dict) != {"dedup_key"}:
            raise
        return "repeated", update_repeat(actor=actor, update=twin, source=key.name, at=at)
    return "created", update
