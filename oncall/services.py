"""Every write to on-call data: schedules, layers (with history), overrides, swaps, feeds.

Each function takes keyword-only arguments, runs in one transaction, validates everything
before writing (a ValidationError {field: message} leaves the database unchanged), records an
audit event for schedule-affecting writes, and sends notifications on commit.

Permission checks are the caller's job (API/views check oncall.* perms on the object); the
services check the facts that make a write valid whoever asks (e.g. a swap's requester must
be on call for the whole span, a taker must be an active member of the team).

Decision: layer participants and override people must be active people (anyone in the org,
not only the schedule's team: follow-the-sun borrows people from other teams). A participant
may read the schedule, see it in "my shifts", give away and take swaps on it, like a member
of its team (oncall.Participation records who ever appeared in a layer).
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core.audit import Actor, audit_record
from core.timefmt import fmt_your_span, reader_clock
from notifications.services import notify
from teams.models import Membership, Team

from . import rotation
from .models import (
    OPEN_SWAP_STATUSES,
    IcalFeed,
    Layer,
    LayerVersion,
    OncallPreferences,
    Override,
    Participation,
    Schedule,
    SwapRequest,
    SwapStatus,
)
from .specs import (
    LAYER_FIELDS,
    active_people_ids,
    clean_instant,
    clean_int,
    clean_layer_spec,
    clean_name,
    clean_zone,
    spec_for_audit,
    spec_to_rotation_layer,
    version_fields,
    version_spec,
)

User = get_user_model()
log = logging.getLogger(__name__)

MAX_NOTICE_MINUTES = 7 * 24 * 60
# Edits "from now" may arrive a little late; anything older would rewrite the past.
PAST_TOLERANCE = timedelta(minutes=2)


def _eligible_ids(schedule: Schedule, ids: Iterable[int]) -> set[int]:
    """Active members of the schedule's team or participants of it (may take its swaps)."""
    ids = set(ids)
    members = Membership.objects.filter(
        team_id=schedule.team_id, person_id__in=ids, person__is_active=True
    ).values_list("person_id", flat=True)
    participants = Participation.objects.filter(
        schedule=schedule, person_id__in=ids, person__is_active=True
    ).values_list("person_id", flat=True)
    return set(members) | set(participants)


def _record_participants(schedule_id: int, ids: Iterable[int]) -> None:
    Participation.objects.bulk_create(
        [Participation(schedule_id=schedule_id, person_id=pk) for pk in set(ids)],
        ignore_conflicts=True,
    )


def _user_id(value: object, field: str) -> int:
    if isinstance(value, AbstractBaseUser):
        return value.pk
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 2**63:
        raise ValidationError({field: "Give a person id (a whole number)."})
    return value


def _now() -> datetime:
    return timezone.now()


def _touch(schedule_id: int) -> None:
    """Mark a schedule changed: bump updated_at and, on commit, drop cached answers."""
    from .selectors import invalidate_oncall_now

    Schedule.objects.filter(pk=schedule_id).update(updated_at=_now())
    transaction.on_commit(invalidate_oncall_now)


# --- schedules --------------------------------------------------------------------------------


@transaction.atomic
def schedule_create(
    *,
    actor: Actor,
    team: Team | int,
    name: str,
    time_zone: str,
    requires_lead_approval_for_swaps: bool = False,
) -> Schedule:
    errors: dict[str, str] = {}
    team_obj = team if isinstance(team, Team) else None
    if team_obj is None:
        if isinstance(team, bool) or not isinstance(team, int) or not 0 < team < 2**63:
            errors["team"] = "Give a team id."
        else:
            team_obj = Team.objects.filter(pk=team).first()
            if team_obj is None:
                errors["team"] = f"There is no team {team}."
    for field, func in (
        ("name", lambda: clean_name(name)),
        ("time_zone", lambda: clean_zone(time_zone)),
    ):
        try:
            func()
        except ValidationError as exc:
            errors[field] = exc.message_dict[field][0]
    if not isinstance(requires_lead_approval_for_swaps, bool):
        errors["requires_lead_approval_for_swaps"] = "Must be true or false."
    if errors:
        raise ValidationError(errors)
    schedule = Schedule.objects.create(
        team=team_obj,
        name=name.strip(),
        time_zone=time_zone.strip(),
        requires_lead_approval_for_swaps=requires_lead_approval_for_swaps,
    )
    _touch(schedule.pk)
    audit_record(
        actor=actor,
        action="schedule.create",
        target=schedule,
        changes={"team": team_obj.pk, "name": schedule.name, "time_zone": schedule.time_zone},
    )
    return schedule


@transaction.atomic
def schedule_update(*, actor: Actor, schedule: Schedule, **fields: object) -> Schedule:
    """Change name, time_zone or requires_lead_approval_for_swaps (the team never changes)."""
    allowed = {"name", "time_zone", "requires_lead_approval_for_swaps"}
    unknown = sorted(set(fields) - allowed)
    if unknown:
        raise ValidationError({name: "This field cannot be changed here." for name in unknown})
    errors: dict[str, str] = {}
    changes: dict = {}
    for field, value in fields.items():
        try:
            if field == "name":
                value = clean_name(value)
            elif field == "time_zone":
                value = clean_zone(value)
            elif not isinstance(value, bool):
                raise ValidationError({field: "Must be true or false."})
        except ValidationError as exc:
            errors[field] = exc.message_dict[field][0]
            continue
        if getattr(schedule, field) != value:
            changes[field] = {"from": getattr(schedule, field), "to": value}
            setattr(schedule, field, value)
    if errors:
        raise ValidationError(errors)
    if changes:
        schedule.save()
        _touch(schedule.pk)
        audit_record(actor=actor, action="schedule.update", target=schedule, changes=changes)
    return schedule


@transaction.atomic
def schedule_delete(*, actor: Actor, schedule: Schedule) -> None:
    audit_record(
        actor=actor,
        action="schedule.delete",
        target=schedule,
        changes={"team": schedule.team_id, "name": schedule.name},
    )
    schedule.delete()
    from .selectors import invalidate_oncall_now

    transaction.on_commit(invalidate_oncall_now)


# --- layers -----------------------------------------------------------------------------------


@transaction.atomic
def layer_create(
    *,
    actor: Actor,
    schedule: Schedule,
    name: str,
    time_zone: str,
    start: str | datetime,
    shift_length: Mapping,
    participants: list[int],
    priority: int = 0,
    end: str | datetime | None = None,
    restrictions: list[dict] | None = None,
    fair: bool = False,
    effective_from: datetime | None = None,
) -> Layer:
    """Create a layer; it is in force from `effective_from` (default: its own start)."""
    spec = clean_layer_spec(
        {
            "name": name,
            "priority": priority,
            "time_zone": time_zone,
            "start": start,
            "shift_length": shift_length,
            "participants": participants,
            "end": end,
            "restrictions": restrictions or [],
            "fair": fair,
        },
        team_id=schedule.team_id,
    )
    if effective_from is None:
        # The rotation itself says nobody is on call before its start, so the version can
        # begin at the start instant (a new layer may describe the past).
        effective_from = rotation.handoff_instant(spec_to_rotation_layer(spec, layer_id=0), 0)
    else:
        effective_from = clean_instant(effective_from, "effective_from")
    layer = Layer.objects.create(schedule=schedule, name=spec["name"])
    _record_participants(schedule.pk, spec["participants"])
    LayerVersion.objects.create(
        layer=layer,
        effective_from=effective_from,
        created_by=actor.user if actor.user is not None and actor.user.pk else None,
        **version_fields(spec),
    )
    _touch(schedule.pk)
    audit_record(
        actor=actor,
        action="schedule.layer_create",
        target=schedule,
        changes={"layer": layer.pk, **spec_for_audit(spec)},
    )
    return layer


@transaction.atomic
def layers_create(*, actor: Actor, schedule: Schedule, specs: list[dict]) -> list[Layer]:
    """Create several layers at once (the follow-the-sun preset): all of them or none."""
    if not specs:
        raise ValidationError({"layers": "Choose at least one region or the fallback."})
    return [layer_create(actor=actor, schedule=schedule, **spec) for spec in specs]


def _effective_from(value: object, *, now: datetime) -> datetime:
    if value is None or value == "":
        return now
    instant = clean_instant(value, "effective_from")
    if instant < now - PAST_TOLERANCE:
        raise ValidationError(
            {"effective_from": "A change cannot take effect in the past; give now or later."}
        )
    return max(instant, now)


@transaction.atomic
def layer_update(
    *, actor: Actor, layer: Layer, effective_from: object = None, **changes: object
) -> Layer:
    """Change a layer from `effective_from` on (default now); shifts before it stay as they were.

    The current version is closed at effective_from and a new one starts there with the
    changes applied. The rotation keeps its phase (handoff 0 is still the layer's `start`)
    unless the change gives a new `start`. A latest version that is not in force yet is
    changed in place. effective_from may not be in the past (400).
    """
    layer = (
        Layer.objects.select_for_update(of=("self",)).select_related("schedule").get(pk=layer.pk)
    )
    if layer.removed_at is not None:
        raise ValidationError({"layer": "This layer was deleted; create a new one."})
    unknown = sorted(set(changes) - set(LAYER_FIELDS))
    if unknown:
        raise ValidationError({name: "Unknown field." for name in unknown})
    now = _now()
    when = _effective_from(effective_from, now=now)
    current = layer.versions.order_by("-effective_from", "-id").first()
    current_spec = version_spec(current)
    current_spec["name"] = layer.name
    before = spec_for_audit(current_spec)
    # The current rules in input form (datetimes kept exact), with the changes on top.
    merged = dict(current_spec)
    count, unit = current_spec["shift_length"]
    merged["shift_length"] = {"count": count, "unit": unit}
    merged.update(changes)
    spec = clean_layer_spec(merged, team_id=layer.schedule.team_id)
    fields = version_fields(spec)
    _record_participants(layer.schedule_id, spec["participants"])
    rules_changed = any(getattr(current, k) != v for k, v in fields.items())
    if rules_changed:
        if when <= current.effective_from:
            # The latest version is not in force yet (when >= now), so it has shown nothing:
            # change it in place, keeping its own effective_from (a layer that starts next
            # week, or an already scheduled change, is edited rather than split).
            LayerVersion.objects.filter(pk=current.pk).update(**fields)
        else:
            LayerVersion.objects.filter(pk=current.pk).update(effective_to=when)
            LayerVersion.objects.create(
                layer=layer,
                effective_from=when,
                effective_to=current.effective_to,
                created_by=actor.user if actor.user is not None and actor.user.pk else None,
                **fields,
            )
    if spec["name"] != layer.name:
        layer.name = spec["name"]
        layer.save(update_fields=["name"])
    after = spec_for_audit(spec)
    diff = {k: {"from": before.get(k), "to": after[k]} for k in after if before.get(k) != after[k]}
    if diff:
        _touch(layer.schedule_id)
        audit_record(
            actor=actor,
            action="schedule.layer_update",
            target=layer.schedule,
            changes={"layer": layer.pk, "effective_from": when.isoformat(), **diff},
        )
    return layer


@transaction.atomic
def layer_delete(*, actor: Actor, layer: Layer, effective_from: object = None) -> Layer:
    """End a layer from `effective_from` (default now); its past shifts stay in the record."""
    layer = (
        Layer.objects.select_for_update(of=("self",)).select_related("schedule").get(pk=layer.pk)
    )
    if layer.removed_at is not None:
        raise ValidationError({"layer": "This layer was already deleted."})
    now = _now()
    when = _effective_from(effective_from, now=now)
    # Versions entirely after the deletion never showed anything: drop them.
    layer.versions.filter(effective_from__gte=when).delete()
    layer.versions.filter(effective_from__lt=when).exclude(effective_to__lte=when).update(
        effective_to=when
    )
    layer.removed_at = when
    layer.save(update_fields=["removed_at"])
    _touch(layer.schedule_id)
    audit_record(
        actor=actor,
        action="schedule.layer_delete",
        target=layer.schedule,
        changes={"layer": layer.pk, "name": layer.name, "effective_from": when.isoformat()},
    )
    return layer


# --- overrides --------------------------------------------------------------------------------


def _clean_span(start: object, end: object) -> tuple[datetime, datetime]:
    errors = {}
    out = []
    for field, value in (("start", start), ("end", end)):
        try:
            out.append(clean_instant(value, field))
        except ValidationError as exc:
            errors.update({k: v[0] for k, v in exc.message_dict.items()})
    if errors:
        raise ValidationError(errors)
    if out[1] <= out[0]:
        raise ValidationError({"end": "The end must be after the start."})
    if out[1] - out[0] > timedelta(days=366):
        raise ValidationError({"end": "A span lasts at most 366 days."})
    return out[0], out[1]


@transaction.atomic
def override_create(
    *,
    actor: Actor,
    schedule: Schedule,
    person: AbstractBaseUser | int,
    start: str | datetime,
    end: str | datetime,
    audit_action: str = "schedule.override_create",
) -> Override:
    person_id = _user_id(person, "person")
    start_dt, end_dt = _clean_span(start, end)
    if person_id not in active_people_ids([person_id]):
        raise ValidationError({"person": f"There is no active person {person_id}."})
    override = Override.objects.create(
        schedule=schedule,
        person_id=person_id,
        start=start_dt,
        end=end_dt,
        created_by=actor.user if actor.user is not None and actor.user.pk else None,
    )
    _touch(schedule.pk)
    audit_record(
        actor=actor,
        action=audit_action,
        target=schedule,
        changes={
            "override": override.pk,
            "person": person_id,
            "start": start_dt.isoformat(),
            "end": end_dt.isoformat(),
        },
    )
    return override


@transaction.atomic
def override_delete(*, actor: Actor, override: Override) -> None:
    schedule = override.schedule
    audit_record(
        actor=actor,
        action="schedule.override_delete",
        target=schedule,
        changes={
            "override": override.pk,
            "person": override.person_id,
            "start": override.start.isoformat(),
            "end": override.end.isoformat(),
        },
    )
    override.delete()
    _touch(schedule.pk)


# --- swap requests ----------------------------------------------------------------------------


def _swap_url(swap: SwapRequest) -> str:
    return f"/schedules/{swap.schedule_id}/swaps/{swap.pk}/"


def _span_text(swap: SwapRequest, recipient) -> str:
    """The swap's span in the recipient's zone (each party gets a text of their own)."""
    profile = getattr(recipient, "profile", None)
    zone = profile.time_zone if profile is not None else "UTC"
    with reader_clock(profile):
        return fmt_your_span(swap.start, swap.end, zone)


def _display_name(user) -> str:
    """How a notification names someone: their display name, never their username."""
    profile = getattr(user, "profile", None)
    return profile.display_name if profile is not None and profile.display_name else "Someone"


@transaction.atomic
def swap_request_create(
    *,
    actor: Actor,
    schedule: Schedule,
    start: str | datetime,
    end: str | datetime,
    asked: AbstractBaseUser | int | None = None,
    note: str = "",
) -> SwapRequest:
    """The actor gives away [start, end), which must be entirely their own on-call time."""
    from .selectors import schedule_final_segments

    requester = actor.user
    if requester is None or not requester.pk:
        raise ValidationError({"requester": "Only a signed-in person can ask for a swap."})
    start_dt, end_dt = _clean_span(start, end)
    if start_dt < _now() - PAST_TOLERANCE:
        # An open request expires when its span starts (see swap_requests_expire).
        raise ValidationError({"start": "A swap starts now or later."})
    if end_dt - start_dt > timedelta(days=92):
        raise ValidationError({"end": "A swap covers at most 92 days."})
    note = (note or "").strip()
    if len(note) > 500:
        raise ValidationError({"note": "At most 500 characters."})
    if "\x00" in note:
        raise ValidationError({"note": "A note cannot contain NUL characters."})
    asked_id = None
    if asked is not None:
        asked_id = _user_id(asked, "asked")
        if asked_id == requester.pk:
            raise ValidationError({"asked": "Ask someone else."})
        if asked_id not in _eligible_ids(schedule, [asked_id]):
            raise ValidationError(
                {"asked": "Ask an active member or participant of this schedule."}
            )
    segments = schedule_final_segments(schedule, start_dt, end_dt)
    if any(seg.person != requester.pk for seg in segments):
        raise ValidationError(
            {"start": "You can only give away time when you are on call for all of it."}
        )
    swap = SwapRequest.objects.create(
        schedule=schedule,
        requester=requester,
        asked_id=asked_id,
        start=start_dt,
        end=end_dt,
        note=note,
    )
    audit_record(
        actor=actor,
        action="schedule.swap_request",
        target=schedule,
        changes={"swap": swap.pk, "start": start_dt.isoformat(), "end": end_dt.isoformat()},
    )
    if asked_id is not None:
        asked_user = User.objects.select_related("profile").get(pk=asked_id)
        notify(
            recipients=[asked_user],
            kind="oncall.override",
            title=f"{_display_name(requester)} asks you to take their shift",
            body=f"{schedule.name}: {_span_text(swap, asked_user)}",
            url=_swap_url(swap),
            idempotency_key=f"oncall:swap:{swap.pk}:requested",
            actor=requester,
        )
    return swap


def _locked_swap(swap: SwapRequest) -> SwapRequest:
    return (
        SwapRequest.objects.select_for_update(of=("self",))
        .select_related("schedule", "requester", "taker")
        .get(pk=swap.pk)
    )


def _put_in_force(actor: Actor, swap: SwapRequest) -> None:
    """Create the swap's override (the taker on call for the span)."""
    swap.override = override_create(
        actor=actor,
        schedule=swap.schedule,
        person=swap.taker_id,
        start=swap.start,
        end=swap.end,
        audit_action="schedule.swap_override",
    )


def _notify_parties(swap: SwapRequest, event: str, title: str, actor_user) -> None:
    people = [p for p in (swap.requester, swap.taker) if p is not None]
    for person in people:
        notify(
            recipients=[person],
            kind="oncall.override",  # the kind people can mute for swaps
            title=title,
            body=f"{swap.schedule.name}: {_span_text(swap, person)}",
            url=_swap_url(swap),
            idempotency_key=f"oncall:swap:{swap.pk}:{event}:{person.pk}",
            actor=actor_user,
        )


@transaction.atomic
def swap_request_accept(*, actor: Actor, swap: SwapRequest) -> SwapRequest:
    """The actor takes the span; in force now, or after the lead approves (per schedule)."""
    swap = _locked_swap(swap)
    taker = actor.user
    if swap.status != SwapStatus.REQUESTED:
        raise ValidationError({"status": f"This request is {swap.status}; it cannot be taken."})
    if swap.end <= _now():
        raise ValidationError({"status": "This span is over already."})
    if taker is None or taker.pk == swap.requester_id:
        raise ValidationError({"taker": "Someone other than the requester takes a swap."})
    if swap.asked_id is not None and swap.asked_id != taker.pk:
        raise ValidationError({"taker": "This request was asked of someone else."})
    if taker.pk not in _eligible_ids(swap.schedule, [taker.pk]):
        raise ValidationError(
            {"taker": "Only active members or participants of this schedule can take it."}
        )
    swap.taker = taker
    swap.status = SwapStatus.ACCEPTED
    if not swap.schedule.requires_lead_approval_for_swaps:
        _put_in_force(actor, swap)
    swap.save()
    audit_record(
        actor=actor,
        action="schedule.swap_accept",
        target=swap.schedule,
        changes={"swap": swap.pk, "taker": taker.pk, "in_force": swap.override_id is not None},
    )
    title = (
        f"Swap taken by {_display_name(taker)}"
        if swap.override_id
        else f"Swap taken by {_display_name(taker)}, awaiting the lead's approval"
    )
    _notify_parties(swap, "accepted", title, taker)
    return swap


@transaction.atomic
def swap_request_approve(*, actor: Actor, swap: SwapRequest) -> SwapRequest:
    swap = _locked_swap(swap)
    if not swap.awaiting_approval:
        raise ValidationError({"status": "Only a taken swap awaiting approval can be approved."})
    if swap.end <= _now():
        raise ValidationError({"status": "This span is over already."})
    swap.status = SwapStatus.APPROVED
    swap.decided_by = actor.user
    _put_in_force(actor, swap)
    swap.save()
    audit_record(
        actor=actor, action="schedule.swap_approve", target=swap.schedule, changes={"swap": swap.pk}
    )
    _notify_parties(swap, "approved", "Swap approved", actor.user)
    return swap


@transaction.atomic
def swap_request_decline(*, actor: Actor, swap: SwapRequest) -> SwapRequest:
    """A lead declines an open request; the person asked may decline it too. Kept as declined."""
    swap = _locked_swap(swap)
    if swap.status not in OPEN_SWAP_STATUSES or swap.override_id is not None:
        raise ValidationError({"status": f"This request is {swap.status}; it cannot be declined."})
    swap.status = SwapStatus.DECLINED
    swap.decided_by = actor.user
    swap.save()
    audit_record(
        actor=actor, action="schedule.swap_decline", target=swap.schedule, changes={"swap": swap.pk}
    )
    _notify_parties(swap, "declined", "Swap declined", actor.user)
    return swap


@transaction.atomic
def swap_request_cancel(*, actor: Actor, swap: SwapRequest) -> SwapRequest:
    swap = _locked_swap(swap)
    if swap.status not in OPEN_SWAP_STATUSES or swap.override_id is not None:
        raise ValidationError({"status": f"This request is {swap.status}; it cannot be cancelled."})
    swap.status = SwapStatus.CANCELLED
    swap.save()
    audit_record(
        actor=actor, action="schedule.swap_cancel", target=swap.schedule, changes={"swap": swap.pk}
    )
    if swap.taker is not None:
        _notify_parties(swap, "cancelled", "Swap cancelled", actor.user)
    return swap


def swap_requests_expire(*, now: datetime | None = None) -> int:
    """Open requests whose span has started are expired (kept). Returns how many."""
    now = now or _now()
    expired = 0
    ids = list(
        SwapRequest.objects.filter(
            status__in=OPEN_SWAP_STATUSES, override__isnull=True, start__lte=now
        ).values_list("pk", flat=True)[:1000]
    )
    for pk in ids:
        with transaction.atomic():
            swap = (
                SwapRequest.objects.select_for_update(of=("self",))
                .select_related("schedule", "requester", "taker")
                .filter(pk=pk, status__in=OPEN_SWAP_STATUSES, override__isnull=True)
                .first()
            )
            if swap is None:
                continue
            swap.status = SwapStatus.EXPIRED
            swap.save(update_fields=["status", "updated_at"])
            audit_record(
                actor=Actor.system(via="system"),
                action="schedule.swap_expire",
                target=swap.schedule,
                changes={"swap": swap.pk},
            )
            _notify_parties(swap, "expired", "Swap request expired", None)
            expired += 1
    return expired


# --- iCal feeds -------------------------------------------------------------------------------


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def ical_token_regenerate(
    *, actor: Actor, owner: AbstractBaseUser, schedule: Schedule | None = None
) -> tuple[IcalFeed, str]:
    """Revoke the owner's current feed (of `schedule`, or their own shifts) and make a new one.

    Returns the feed and the raw token, which is shown once and never stored.
    """
    now = _now()
    IcalFeed.objects.filter(owner=owner, schedule=schedule, revoked_at__isnull=True).update(
        revoked_at=now
    )
    raw = secrets.token_urlsafe(32)
    feed = IcalFeed.objects.create(
        owner=owner, schedule=schedule, token_hash=hash_token(raw), token_prefix=raw[:8]
    )
    audit_record(
        actor=actor,
        action="ical.regenerate",
        target=schedule if schedule is not None else owner,
        changes={"feed": feed.pk, "owner": owner.pk},
    )
    return feed, raw


@transaction.atomic
def ical_token_revoke(
    *, actor: Actor, owner: AbstractBaseUser, schedule: Schedule | None = None
) -> int:
    """Revoke the owner's feed(s) of `schedule` (None: of their own shifts)."""
    count = IcalFeed.objects.filter(owner=owner, schedule=schedule, revoked_at__isnull=True).update(
        revoked_at=_now()
    )
    if count:
        audit_record(
            actor=actor,
            action="ical.revoke",
            target=schedule if schedule is not None else owner,
            changes={"owner": owner.pk, "revoked": count},
        )
    return count


# --- preferences ------------------------------------------------------------------------------


@transaction.atomic
def preferences_update(
    *, actor: Actor, user: AbstractBaseUser, shift_notice_minutes: int
) -> OncallPreferences:
    minutes = clean_int(
        shift_notice_minutes, "shift_notice_minutes", low=0, high=MAX_NOTICE_MINUTES
    )
    prefs, _ = OncallPreferences.objects.select_for_update().get_or_create(user=user)
    if prefs.shift_notice_minutes != minutes:
        old = prefs.shift_notice_minutes
        prefs.shift_notice_minutes = minutes
        prefs.save(update_fields=["shift_notice_minutes"])
        audit_record(
            actor=actor,
            action="oncall.preferences",
            target=user,
            changes={"shift_notice_minutes": {"from": old, "to": minutes}},
        )
    return prefs
