"""Every write of handoffs: keyword-only, one transaction each, audited; notifications go
through notifications.services.notify inside the transaction (it delivers on commit).

`handoff_send` writes a note and resolves its recipients at that moment; `handoff_edit`
(author, before the first acknowledgement); `follow_up_add`; `handoff_acknowledge` (a
recipient); `item_act` (acknowledge, done or hand back an item); `recipient_deliver` (the
note reaches a recipient: their morning came, or at once when urgent). Every refusal is a
ValidationError whose message says what to do; nothing is written then.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core import validation as v
from core.audit import Actor, audit_record
from core.markdown import render_markdown
from core.realtime import send_to_user
from core.timefmt import (
    fmt_city,
    fmt_local_for,
    fmt_minutes,
    fmt_weekday_time,
    fmt_your_day_time,
    reader_clock,
)
from notifications.services import notify

from . import selectors, validation, worktime
from .models import (
    MAX_PROMPT_MINUTES,
    HandoffFollowUp,
    HandoffItem,
    HandoffNote,
    HandoffPreferences,
    HandoffPrompt,
    HandoffRecipient,
    ItemStatus,
    PromptKind,
    RecipientsKind,
    Urgency,
)

# The context's shift is a recent or coming one, not history.
SHIFT_WITHIN = timedelta(days=14)


def note_url(note: HandoffNote) -> str:
    return f"/handoffs/{note.pk}/"


def _tell(quiet: bool, **notification) -> None:
    """notify(), unless `quiet` (demo data written as history tells nobody)."""
    if not quiet:
        notify(**notification)


def announce(note: HandoffNote, event: str, *, quiet: bool = False) -> None:
    """After commit, tell the open sockets of the note's author and recipients that it changed
    ({"type": "handoff", "event": ..., "note": {"id", "url"}}): its page fetches itself
    again. Only a signal: the page reads the database."""
    if quiet:
        return
    people = {
        note.author_id,
        *HandoffRecipient.objects.filter(note=note).values_list("person_id", flat=True),
    }
    message = {
        "type": "event.forward",
        "payload": {
            "type": "handoff",
            "event": event,
            "note": {"id": note.pk, "url": note_url(note)},
        },
    }

    def send() -> None:
        for user_id in sorted(people):
            send_to_user(user_id, message)

    transaction.on_commit(send)


def _name(user) -> str:
    profile = getattr(user, "profile", None)
    return profile.display_name if profile is not None else user.get_username()


def _collect(errors: dict, clean, value):
    try:
        return clean(value)
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, []).extend(messages)
        return None


def _instant(value, *, field: str, errors: dict) -> datetime | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        instant = value
    else:
        try:
            instant = datetime.fromisoformat(v.text_of(value))
        except ValueError:
            errors.setdefault(field, []).append(
                "A time is a date and time with its offset, like 2027-03-31T09:00:00+01:00."
            )
            return None
    if instant.tzinfo is None or instant.utcoffset() is None:
        errors.setdefault(field, []).append("A time needs its UTC offset (e.g. +01:00 or Z).")
        return None
    return instant


def _person_of(actor: Actor):
    user = actor.user
    if user is None or not getattr(user, "pk", None) or getattr(user, "profile", None) is None:
        raise ValidationError({"author": "A handoff note is written by a person."})
    return user


def _remind_hours() -> float:
    return float(getattr(settings, "HANDOFF_REMIND_WORKING_HOURS", 4))


# --- sending --------------------------------------------------------------------------------------


def _resolve_recipients(
    *, kind, team, author, people, schedule, recipients_team, shift_end, now, errors
) -> list[tuple[object, str]]:
    """[(person, resolved_as)] for the kind of recipients asked for, or [] with the reason in
    `errors`. Only people who may read the team's notes: its members, the org's managers and
    admins, and for "next on call" / "team's next day" the members of that schedule's or
    team's own team (the author chose to hand over to them)."""
    if kind == RecipientsKind.PEOPLE:
        ids = _collect(errors, validation.clean_people, people)
        if ids is None:
            return []
        if not ids:
            errors.setdefault("people", []).append("Name at least one person to hand over to.")
            return []
        if author.pk in ids:
            errors.setdefault("people", []).append("You wrote the note: name someone else.")
            return []
        access = selectors.people_with_access(team.pk, ids)
        found = selectors.people_by_id(access)
        refused = [
            validation.NO_RECIPIENT.format(name=_name(found[pk]), team=team.name)
            for pk in ids
            if pk in access and not access[pk]
        ]
        missing = [pk for pk in ids if pk not in access]
        if missing:
            refused.append(f"No such active person: {', '.join(map(str, missing))}.")
        if refused:
            errors.setdefault("people", []).extend(refused)
            return []
        return [(found[pk], "named") for pk in ids]

    if kind == RecipientsKind.NEXT_ONCALL:
        pk = v.pk_of(schedule)
        found = selectors.schedule_by_id(pk) if pk is not None else None
        if found is None:
            errors.setdefault("recipients_schedule", []).append("No such on-call schedule.")
            return []
        nxt = selectors.next_oncall(found, at=now, shift_end=shift_end)
        if nxt is None:
            errors.setdefault("recipients_schedule", []).append(
                validation.NO_ONE_NEXT.format(schedule=found.name)
            )
            return []
        if nxt.person_id == author.pk:
            errors.setdefault("recipients_schedule", []).append(
                f"You are on call next for {found.name} yourself: name the people instead."
            )
            return []
        access = selectors.people_with_access(team.pk, [nxt.person_id])
        person = selectors.people_by_id([nxt.person_id]).get(nxt.person_id)
        in_schedule_team = selectors.is_team_member(found.team_id, nxt.person_id)
        if person is None or not (access.get(nxt.person_id) or in_schedule_team):
            errors.setdefault("recipients_schedule", []).append(
                validation.NO_RECIPIENT.format(
                    name=_name(person) if person else "The next person", team=team.name
                )
            )
            return []
        when = fmt_weekday_time(nxt.start, person.profile.time_zone)
        city = fmt_city(person.profile.time_zone)
        return [(person, f"on call next for {found.name} (from {when} in {city})")]

    # RecipientsKind.TEAM_NEXT_DAY
    target = recipients_team if recipients_team not in (None, "") else team
    pk = v.pk_of(target)
    found_team = selectors.team_for(pk) if pk is not None else None
    if found_team is None:
        errors.setdefault("recipients_team", []).append(validation.NO_TEAM)
        return []
    people_next = selectors.team_next_day_people(found_team.pk, at=now, exclude=[author.pk])
    if not people_next:
        errors.setdefault("recipients_team", []).append(
            validation.NO_ONE_IN_TEAM.format(team=found_team.name)
        )
        return []
    out = []
    for row in people_next:
        if row.starts is None:
            out.append((row.person, f"{found_team.name}: at work now"))
        else:
            local = fmt_local_for(row.person.profile, row.starts, day=True)
            out.append((row.person, f"{found_team.name}'s next working day (starts {local})"))
    return out


def _schedule_context(*, team, schedule, shift_start, shift_end, now, errors):
    found = None
    if schedule not in (None, ""):
        pk = v.pk_of(schedule)
        found = selectors.schedule_of_team(team.pk, pk) if pk is not None else None
        if found is None:
            errors.setdefault("schedule", []).append(validation.NO_SCHEDULE)
    start = _instant(shift_start, field="shift_start", errors=errors)
    end = _instant(shift_end, field="shift_end", errors=errors)
    if (start is None) != (end is None):
        errors.setdefault("shift_start", []).append("Give the shift's start and end, or neither.")
    elif start is not None and end is not None:
        if end <= start:
            errors.setdefault("shift_end", []).append("A shift ends after it starts.")
        elif abs(end - now) > SHIFT_WITHIN or abs(start - now) > SHIFT_WITHIN + SHIFT_WITHIN:
            errors.setdefault("shift_end", []).append(
                "The shift is a recent or coming one (within 14 days of now)."
            )
        elif found is None and "schedule" not in errors:
            errors.setdefault("schedule", []).append("A shift belongs to a schedule: give it.")
    return found, start, end


def _context_rows(*, team, projects, urgent_updates, errors):
    project_ids = _collect(errors, validation.clean_project_ids, projects) or []
    update_ids = _collect(errors, validation.clean_update_ids, urgent_updates) or []
    found_projects = selectors.projects_of_team(team.pk, project_ids) if project_ids else []
    if len(found_projects) != len(project_ids):
        errors.setdefault("projects", []).append(validation.NO_PROJECT)
    found_updates = selectors.updates_of_team(team.pk, update_ids) if update_ids else []
    if len(found_updates) != len(update_ids):
        errors.setdefault("urgent_updates", []).append(validation.NO_UPDATE)
    return found_projects, found_updates


def _check_items(items: list[dict], *, team, recipient_ids: set[int], errors) -> dict:
    """Owners must be recipients; carried items must be open items of the team's notes that
    no note carried yet. Returns {carried id: item}."""
    problems = []
    for n, item in enumerate(items, start=1):
        if item["owner"] is not None and item["owner"] not in recipient_ids:
            person = selectors.people_by_id([item["owner"]]).get(item["owner"])
            problems.append(
                validation.NOT_AN_OWNER.format(
                    n=n, name=_name(person) if person else f"person {item['owner']}"
                )
            )
    carried = selectors.items_by_id([i["carried_from"] for i in items])
    for n, item in enumerate(items, start=1):
        pk = item["carried_from"]
        if pk is None:
            continue
        old = carried.get(pk)
        if old is None or old.note.team_id != team.pk:
            problems.append(f"Item {n}: no such open item of {team.name}'s notes to carry.")
        elif not old.is_open:
            problems.append(f"Item {n}: the item it carries is {old.get_status_display().lower()}.")
        elif getattr(old, "carried_to", None) is not None:
            problems.append(f"Item {n}: that item was carried into another note already.")
    if problems:
        errors.setdefault("items", []).extend(problems)
    return carried


def _recipient_row(note, person, resolved_as, *, now) -> HandoffRecipient:
    ranges, zone = worktime.hours_of(person.profile)
    if note.urgency == Urgency.URGENT:
        deliver_at = now
    else:
        deliver_at = max(worktime.delivery_at(ranges, zone, now), now)
    remind_at = worktime.after_working_hours(ranges, zone, deliver_at, _remind_hours())
    escalate_at = worktime.after_working_hours(ranges, zone, remind_at, _remind_hours())
    return HandoffRecipient(
        note=note,
        person=person,
        resolved_as=resolved_as[:200],
        deliver_at=deliver_at,
        remind_at=remind_at,
        escalate_at=escalate_at,
    )


@transaction.atomic
def handoff_send(
    *,
    actor: Actor,
    team,
    title: str,
    recipients: str,
    summary: str = "",
    ruled_out: str = "",
    links=None,
    urgency: str = Urgency.NORMAL,
    people=None,
    recipients_schedule=None,
    recipients_team=None,
    schedule=None,
    shift_start=None,
    shift_end=None,
    projects=None,
    urgent_updates=None,
    items=None,
    carry_over: bool = True,
    prompt=None,
    at: datetime | None = None,
    quiet: bool = False,
) -> HandoffNote:
    """Write and send a note. Its recipients are resolved now: named `people`, whoever is on
    call next for `recipients_schedule`, or `recipients_team`'s (default: the note's team's)
    people whose working day starts next. With `carry_over`, the open items of the team's
    earlier notes about the same schedule or projects that no note carried yet come along.
    `prompt`: the author's HandoffPrompt this note answers (the composer opened from it)."""
    now = at or timezone.now()
    author = _person_of(actor)
    errors: dict[str, list[str]] = {}
    found_prompt = None
    if prompt not in (None, ""):
        prompt_pk = v.pk_of(prompt)
        found_prompt = selectors.prompt_of(author, prompt_pk) if prompt_pk is not None else None
        if found_prompt is None:
            errors.setdefault("prompt", []).append(validation.NO_PROMPT)
    title = _collect(errors, validation.clean_title, title)
    summary = _collect(errors, validation.clean_summary, summary)
    ruled_out = _collect(errors, validation.clean_ruled_out, ruled_out)
    links = _collect(errors, v.clean_links, links)
    urgency = _collect(errors, validation.clean_urgency, urgency)
    kind = _collect(errors, validation.clean_recipients_kind, recipients)
    items = _collect(errors, lambda value: validation.clean_items(value, now=now), items) or []

    team_pk = v.pk_of(team)
    found_team = selectors.team_for(team_pk) if team_pk is not None else None
    if found_team is None:
        errors.setdefault("team", []).append(validation.NO_TEAM)
        raise ValidationError(errors)
    if not selectors.is_team_member(found_team.pk, author.pk):
        errors.setdefault("team", []).append(validation.NOT_YOUR_TEAM)
        raise ValidationError(errors)
    team = found_team

    found_schedule, start, end = _schedule_context(
        team=team,
        schedule=schedule,
        shift_start=shift_start,
        shift_end=shift_end,
        now=now,
        errors=errors,
    )
    found_projects, found_updates = _context_rows(
        team=team, projects=projects, urgent_updates=urgent_updates, errors=errors
    )
    resolved = []
    if kind is not None:
        shift_for_next = (
            end
            if found_schedule is not None and v.pk_of(recipients_schedule) == found_schedule.pk
            else None
        )
        resolved = _resolve_recipients(
            kind=kind,
            team=team,
            author=author,
            people=people,
            schedule=recipients_schedule,
            recipients_team=recipients_team,
            shift_end=shift_for_next,
            now=now,
            errors=errors,
        )
    recipient_ids = {person.pk for person, _ in resolved}
    _check_items(items, team=team, recipient_ids=recipient_ids, errors=errors)
    to_carry = []
    if carry_over and not errors:
        explicit = {i["carried_from"] for i in items if i["carried_from"]}
        to_carry = [
            old
            for old in selectors.items_to_carry(
                team_id=team.pk,
                schedule_id=found_schedule.pk if found_schedule else None,
                project_ids=[p.pk for p in found_projects],
            )
            if old.pk not in explicit
        ]
    if not errors and not (summary or "").strip() and not items and not to_carry:
        errors.setdefault("summary", []).append(validation.EMPTY_NOTE)
    if errors:
        raise ValidationError(errors)

    note = HandoffNote.objects.create(
        team=team,
        author=author,
        title=title,
        summary=summary,
        summary_html=render_markdown(summary),
        ruled_out=ruled_out,
        ruled_out_html=render_markdown(ruled_out),
        links=links,
        urgency=urgency,
        recipients_kind=kind,
        recipients_schedule_id=v.pk_of(recipients_schedule)
        if kind == RecipientsKind.NEXT_ONCALL
        else None,
        recipients_team_id=(v.pk_of(recipients_team) or team.pk)
        if kind == RecipientsKind.TEAM_NEXT_DAY
        else None,
        schedule=found_schedule,
        shift_start=start,
        shift_end=end,
        sent_at=now,
    )
    note.projects.set(found_projects)
    note.urgent_updates.set(found_updates)
    rows = HandoffRecipient.objects.bulk_create(
        [_recipient_row(note, person, why, now=now) for person, why in resolved]
    )
    new_items = [
        HandoffItem(
            note=note,
            position=n,
            text=item["text"],
            next_action=item["next_action"],
            owner_id=item["owner"],
            due_at=item["due_at"],
            carried_from_id=item["carried_from"],
        )
        for n, item in enumerate(items, start=1)
    ]
    for old in to_carry:
        new_items.append(
            HandoffItem(
                note=note,
                position=len(new_items) + 1,
                text=old.text,
                next_action=old.next_action,
                # Its owner stays when they are on this note too; else whoever takes it.
                owner_id=old.owner_id if old.owner_id in recipient_ids else None,
                due_at=old.due_at,
                carried_from=old,
            )
        )
    HandoffItem.objects.bulk_create(new_items)
    if found_prompt is not None and found_prompt.note_id is None:
        found_prompt.note = note
        found_prompt.save(update_fields=["note"])
    audit_record(
        actor=actor,
        action="handoff.send",
        target=note,
        changes={
            "team": team.pk,
            "recipients": sorted(recipient_ids),
            "items": len(new_items),
            "carried": len(to_carry) + sum(1 for i in items if i["carried_from"]),
            "urgency": urgency,
        },
    )
    for row in rows:
        if row.deliver_at <= now:
            _deliver(row, note, now=now, quiet=quiet)
    return note


# --- delivery ---------------------------------------------------------------------------------


def _deliver(row: HandoffRecipient, note: HandoffNote, *, now: datetime, quiet=False) -> None:
    """Tell the recipient (once: the idempotency key) and mark the row delivered."""
    items = note.items.count()
    body = f"{items} open item{'s' if items != 1 else ''}." if items else ""
    _tell(
        quiet,
        recipients=[row.person_id],
        kind="handoffs.received",
        title=f"Handoff from {_name(note.author)}: {note.title}",
        body=body,
        url=note_url(note),
        urgency="urgent" if note.urgency == Urgency.URGENT else "normal",
        idempotency_key=f"handoff:{note.pk}:deliver",
    )
    HandoffRecipient.objects.filter(pk=row.pk, delivered_at__isnull=True).update(delivered_at=now)
    row.delivered_at = now


@transaction.atomic
def recipient_deliver(
    *, recipient_id: int, now: datetime | None = None, quiet: bool = False
) -> bool:
    """Deliver one recipient's note if it is due and not delivered (the sweeper's step; safe
    to run twice at once: the row is locked, and skipped when another run holds it)."""
    now = now or timezone.now()
    row = (
        HandoffRecipient.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(pk=recipient_id, delivered_at__isnull=True, deliver_at__lte=now)
        .select_related("note__author__profile")
        .first()
    )
    if row is None:
        return False
    _deliver(row, row.note, now=now, quiet=quiet)
    return True


# --- after sending ------------------------------------------------------------------------------


@transaction.atomic
def handoff_edit(
    *, actor: Actor, note: HandoffNote, title=None, summary=None, ruled_out=None, links=None
) -> HandoffNote:
    """The author's corrections, until the first acknowledgement (then: a follow-up)."""
    note = selectors.note_locked(note.pk)
    if note.locked:
        raise ValidationError({"note": validation.LOCKED})
    errors: dict[str, list[str]] = {}
    changes = {}
    if title is not None:
        value = _collect(errors, validation.clean_title, title)
        if value is not None and value != note.title:
            changes["title"] = value
    for field, clean in (
        ("summary", validation.clean_summary),
        ("ruled_out", validation.clean_ruled_out),
    ):
        given = {"summary": summary, "ruled_out": ruled_out}[field]
        if given is not None:
            value = _collect(errors, clean, given)
            if value is not None and value != getattr(note, field):
                changes[field] = value
    if links is not None:
        value = _collect(errors, v.clean_links, links)
        if value is not None and value != note.links:
            changes["links"] = value
    if errors:
        raise ValidationError(errors)
    if not changes:
        return note
    for field, value in changes.items():
        setattr(note, field, value)
        if field in ("summary", "ruled_out"):
            setattr(note, f"{field}_html", render_markdown(value))
    note.save()
    audit_record(
        actor=actor, action="handoff.edit", target=note, changes={"fields": sorted(changes)}
    )
    return note


@transaction.atomic
def follow_up_add(
    *, actor: Actor, note: HandoffNote, text: str, quiet: bool = False
) -> HandoffFollowUp:
    """A line appended to the note; its author and recipients (but the writer) are told."""
    text = validation.clean_follow_up(text)
    note = selectors.note_locked(note.pk)
    now = timezone.now()
    user = actor.user if getattr(actor.user, "pk", None) else None
    follow_up = HandoffFollowUp.objects.create(
        note=note, author=user, text=text, text_html=render_markdown(text), created_at=now
    )
    others = {note.author_id, *note.recipients.values_list("person_id", flat=True)}
    others.discard(getattr(user, "pk", None))
    if others:
        _tell(
            quiet,
            recipients=sorted(others),
            kind="handoffs.follow_up",
            title=f"Follow-up on {note.title}",
            body=text[:300],
            url=note_url(note),
            idempotency_key=f"handoff:{note.pk}:follow-up:{follow_up.pk}",
        )
    audit_record(actor=actor, action="handoff.follow_up", target=note, changes={"id": follow_up.pk})
    announce(note, "follow_up", quiet=quiet)
    return follow_up


def _first_acknowledgement(note: HandoffNote, now: datetime) -> None:
    if note.first_acknowledged_at is None:
        note.first_acknowledged_at = now
        HandoffNote.objects.filter(pk=note.pk).update(first_acknowledged_at=now)


@transaction.atomic
def handoff_acknowledge(
    *, actor: Actor, note: HandoffNote, at: datetime | None = None, quiet: bool = False
) -> HandoffRecipient:
    """A recipient has the note: no more reminders for them; the author is told."""
    note = selectors.note_locked(note.pk)
    user = actor.user
    row = selectors.recipient_of(note, user) if getattr(user, "pk", None) else None
    if row is None:
        raise ValidationError({"note": validation.NOT_RECIPIENT})
    if row.acknowledged_at is not None:
        raise ValidationError({"note": validation.ALREADY_ACKNOWLEDGED})
    now = at or timezone.now()
    row.acknowledged_at = now
    row.read_at = row.read_at or now
    # Seen and acknowledged: if the morning had not come yet, it has for this note.
    row.delivered_at = row.delivered_at or now
    row.save(update_fields=["acknowledged_at", "read_at", "delivered_at"])
    _first_acknowledgement(note, now)
    _tell(
        quiet,
        recipients=[note.author_id],
        kind="handoffs.acknowledged",
        title=f"{_name(user)} acknowledged {note.title}",
        url=note_url(note),
        idempotency_key=f"handoff:{note.pk}:ack:{user.pk}",
    )
    audit_record(actor=actor, action="handoff.acknowledge", target=note)
    announce(note, "acknowledged", quiet=quiet)
    return row


@transaction.atomic
def item_act(
    *,
    actor: Actor,
    item: HandoffItem,
    action: str,
    reason: str = "",
    at: datetime | None = None,
    quiet: bool = False,
) -> HandoffItem:
    """Acknowledge an item (open), mark it done (open or acknowledged), or hand it back to
    the author with a reason (open or acknowledged). Only its owner acts on it; an item with
    no owner is taken by the recipient who acts first."""
    action = validation.clean_item_action(action)
    if action == "hand_back":
        reason = validation.clean_reason(reason)
    note = selectors.note_locked(item.note_id)
    item = (
        HandoffItem.objects.select_for_update(of=("self",))
        .select_related("owner__profile")
        .get(pk=item.pk)
    )
    user = actor.user
    if item.owner_id is not None and item.owner_id != getattr(user, "pk", None):
        raise ValidationError({"item": validation.NOT_ITEM_OWNER.format(name=_name(item.owner))})
    if item.owner_id is None and not (
        getattr(user, "pk", None) and selectors.recipient_of(note, user) is not None
    ):
        raise ValidationError({"item": validation.NOT_RECIPIENT})
    allowed_from = {
        "acknowledge": (ItemStatus.OPEN,),
        "done": (ItemStatus.OPEN, ItemStatus.ACKNOWLEDGED),
        "hand_back": (ItemStatus.OPEN, ItemStatus.ACKNOWLEDGED),
    }[action]
    if item.status not in allowed_from:
        raise ValidationError(
            {"item": validation.ITEM_CLOSED.format(status=item.get_status_display().lower())}
        )
    now = at or timezone.now()
    item.status = {
        "acknowledge": ItemStatus.ACKNOWLEDGED,
        "done": ItemStatus.DONE,
        "hand_back": ItemStatus.HANDED_BACK,
    }[action]
    item.owner_id = item.owner_id or user.pk
    item.acted_by = user
    item.acted_at = now
    item.hand_back_reason = reason if action == "hand_back" else ""
    item.save(update_fields=["status", "owner", "acted_by", "acted_at", "hand_back_reason"])
    _first_acknowledgement(note, now)
    if action == "hand_back":
        _tell(
            quiet,
            recipients=[note.author_id],
            kind="handoffs.item_handed_back",
            title=f"{_name(user)} handed back: {item.text[:120]}",
            body=reason,
            url=note_url(note),
            idempotency_key=f"handoff:{note.pk}:item:{item.pk}:hand-back",
        )
    audit_record(
        actor=actor,
        action=f"handoff.item_{action}",
        target=note,
        changes={"item": item.pk, **({"reason": reason} if reason else {})},
    )
    announce(note, f"item_{action}", quiet=quiet)
    return item


# --- reminders and escalation (handoffs.engine's sweeps) ------------------------------------------


@transaction.atomic
def recipient_remind(
    *, recipient_id: int, now: datetime | None = None, quiet: bool = False
) -> bool:
    """Remind a recipient who has not acknowledged after their working hours' worth of
    waiting; once (the row is re-read under its lock, and the key is per note and person)."""
    now = now or timezone.now()
    row = selectors.recipient_locked(
        recipient_id,
        delivered_at__isnull=False,
        acknowledged_at__isnull=True,
        reminded_at__isnull=True,
        remind_at__lte=now,
    )
    if row is None:
        return False
    note = row.note
    _tell(
        quiet,
        recipients=[row.person_id],
        kind="handoffs.reminder",
        title=f"Still to acknowledge: {note.title} (from {_name(note.author)})",
        url=note_url(note),
        idempotency_key=f"handoff:{note.pk}:remind",
    )
    row.reminded_at = now
    row.save(update_fields=["reminded_at"])
    return True


@transaction.atomic
def recipient_escalate(
    *, recipient_id: int, now: datetime | None = None, quiet: bool = False
) -> bool:
    """A recipient still has not acknowledged: the note goes to who can act on it now
    (selectors.escalation_targets: never someone asleep unless nobody is awake), who become
    recipients themselves (they read and acknowledge it); an urgent note raises an urgent
    update of its team, once. The author is told."""
    now = now or timezone.now()
    row = selectors.recipient_locked(
        recipient_id,
        delivered_at__isnull=False,
        acknowledged_at__isnull=True,
        escalated_at__isnull=True,
        escalate_at__lte=now,
    )
    if row is None:
        return False
    note = selectors.note_locked(row.note_id)
    on_note = set(note.recipients.values_list("person_id", flat=True))
    targets = selectors.escalation_targets(note, at=now, exclude={row.person_id, note.author_id})
    late = _name(row.person)
    added = []
    for person in targets.people:
        if person.pk in on_note:
            continue
        added.append(
            HandoffRecipient(
                note=note,
                person=person,
                resolved_as=f"escalated: {late} had not acknowledged ({targets.reason})"[:200],
                deliver_at=now,
                delivered_at=now,
                # Escalated to: reminded and escalated no further (nobody is chased twice).
                remind_at=None,
                escalate_at=None,
            )
        )
    HandoffRecipient.objects.bulk_create(added)
    told = [p.pk for p in targets.people]
    if told:
        _tell(
            quiet,
            recipients=told,
            kind="handoffs.escalated",
            title=f"{late} has not acknowledged {note.title}",
            body=f"From {_name(note.author)}. You can acknowledge it and act on its items.",
            url=note_url(note),
            urgency="urgent" if targets.wake or note.urgency == Urgency.URGENT else "normal",
            idempotency_key=f"handoff:{note.pk}:escalate:{row.person_id}",
        )
    _tell(
        quiet,
        recipients=[note.author_id],
        kind="handoffs.escalated",
        title=f"{late} has not acknowledged {note.title}: passed to {targets.reason}",
        url=note_url(note),
        idempotency_key=f"handoff:{note.pk}:escalate:{row.person_id}:author",
    )
    if note.urgency == Urgency.URGENT and note.urgent_update_raised_id is None:
        from escalations import services as escalation_services

        update = escalation_services.update_raise(
            actor=Actor.system(via="handoffs"),
            team=note.team,
            severity="high",
            title=f"Urgent handoff not acknowledged: {note.title}"[:200],
            body=f"{late} did not acknowledge an urgent handoff note from "
            f"{_name(note.author)}: {note_url(note)}",
            raised_by_label="Handoff",
        )
        note.urgent_update_raised = update
        note.save(update_fields=["urgent_update_raised"])
    row.escalated_at = now
    row.save(update_fields=["escalated_at"])
    audit_record(
        actor=Actor.system(via="handoffs"),
        action="handoff.escalate",
        target=note,
        changes={"late": row.person_id, "to": told, "wake": targets.wake},
    )
    announce(note, "escalated", quiet=quiet)
    return True


def handoff_mark_read(*, actor: Actor, note: HandoffNote) -> None:
    """A recipient opened the note: its read time (the first), for the author's trail. Not
    audited (reading is not an action); one UPDATE, nothing for anyone else."""
    user = actor.user
    if getattr(user, "pk", None) is None:
        return
    HandoffRecipient.objects.filter(note=note, person_id=user.pk, read_at__isnull=True).update(
        read_at=timezone.now()
    )


# --- prompts and preferences -------------------------------------------------------------------


def _prompt_texts(prompt: HandoffPrompt, person, *, now: datetime, open_items: int):
    """The prompt's title and body in the person's own zone and clock (stored: they name the
    zone, so they stay true when read after the person has moved)."""
    profile = person.profile
    zone = profile.time_zone or "UTC"
    with reader_clock(profile):
        ends = fmt_your_day_time(prompt.period_end, zone)
    left = max(0, round((prompt.period_end - now).total_seconds() / 60))
    if prompt.kind == PromptKind.SHIFT_END:
        name = prompt.schedule.name
        title = (
            f"Your shift on {name} ends in {fmt_minutes(left)}: write the handoff"
            if left
            else f"Your shift on {name} has ended: write the handoff"
        )
        body = (
            f"Your shift ends {ends}. The note opens with what happened during it: tick "
            "what the next person needs."
        )
    else:
        items = f"{open_items} open item{'s' if open_items != 1 else ''}"
        title = (
            f"Your working day ends in {fmt_minutes(left)}: hand over your {items}"
            if left
            else f"Your working day has ended: hand over your {items}"
        )
        body = (
            f"Your working day ends {ends}. The note opens with your open items and what "
            "happened today: tick what the next region needs."
        )
    return title, body


@transaction.atomic
def prompt_send(
    *,
    person,
    kind: str,
    period_start: datetime,
    period_end: datetime,
    key: str,
    schedule=None,
    urgent: bool = False,
    open_items: int = 0,
    now: datetime | None = None,
) -> HandoffPrompt | None:
    """Ask `person` to write a handoff, once per `key` (a shift end or a working day): two
    beats at once, or one run twice, create one prompt and one notification. Returns the
    prompt, or None when it was already sent."""
    now = now or timezone.now()
    with transaction.atomic():  # a savepoint: the unique key settles a race
        prompt, created = HandoffPrompt.objects.get_or_create(
            key=key,
            defaults={
                "person": person,
                "kind": kind,
                "schedule": schedule,
                "period_start": period_start,
                "period_end": period_end,
                "created_at": now,
            },
        )
    if not created:
        return None
    title, body = _prompt_texts(prompt, person, now=now, open_items=open_items)
    notify(
        recipients=[person],
        kind="handoffs.prompt",
        title=title,
        body=body,
        url=f"/handoffs/new/?prompt={prompt.pk}",
        # A shift can end outside the person's working hours (they are on call, so awake): a
        # prompt held for their next morning would be useless then.
        urgency="urgent" if urgent else "normal",
        idempotency_key=f"handoffs:{key}",
    )
    return prompt


@transaction.atomic
def preferences_update(*, actor: Actor, user, prompt_minutes) -> HandoffPreferences:
    """Set how long before their shift or working day ends `user` is asked to write a note
    (0: never)."""
    minutes = v.clean_int(
        prompt_minutes,
        field="prompt_minutes",
        what="Minutes before the end",
        low=0,
        high=MAX_PROMPT_MINUTES,
    )
    prefs, _ = HandoffPreferences.objects.select_for_update().get_or_create(user=user)
    if prefs.prompt_minutes != minutes:
        old = prefs.prompt_minutes
        prefs.prompt_minutes = minutes
        prefs.save(update_fields=["prompt_minutes"])
        audit_record(
            actor=actor,
            action="handoff.preferences",
            target=user,
            changes={"prompt_minutes": {"from": old, "to": minutes}},
        )
    return prefs
