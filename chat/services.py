"""Every write of chat: keyword-only, one transaction each; what others must hear (the new
message, an edit, a read) is published to the room's members on commit, through their one
/ws/events/ socket (core.realtime). The database is the truth: a published event that is lost
(the channel layer delivers at most once) is found again by the client's resync, which reads
`messages_after` its last seq.

`message_post` takes the room's row lock to give the message the room's next seq, so seqs
are gapless and increasing per room, and resolves its @-mentions then: each person reached
is told through notify() (urgent only when the sender marked the message urgent).
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.audit import Actor, audit_record
from core.markdown import render_markdown
from core.realtime import send_to_users
from notifications.services import notify

from . import mentions, presenters, selectors, validation
from .models import (
    HeldMessage,
    Mention,
    Message,
    MessageEdit,
    Room,
    RoomKind,
    RoomMember,
    Topic,
    TopicRead,
)


def _person_of(actor: Actor):
    user = actor.user
    if user is None or not getattr(user, "pk", None) or not user.is_active:
        raise ValidationError({"author": "A message is written by a person."})
    return user


_name = presenters.display_name


def message_event(message: Message, event: str) -> dict:
    """What a socket receives about a message (the API renders the same fields)."""
    author = message.author
    deleted = message.deleted_at is not None
    return {
        "type": "chat.message",
        "event": event,  # "new", "edited", "deleted"
        "room": message.room_id,
        "seq": message.seq,
        "topic": message.topic.name,
        "author": None
        if author is None
        else {
            "id": author.pk,
            "display_name": _name(author),
            "time_zone": getattr(getattr(author, "profile", None), "time_zone", "UTC"),
        },
        "body_html": "" if deleted else message.body_html,
        "urgent": message.urgent,
        "created_at": message.created_at.isoformat(),
        "edited": message.edited_at is not None,
        "deleted": deleted,
    }


def publish(room: Room, payload: dict, *, people=None) -> None:
    """After commit, send `payload` to the open sockets of the room's members (or `people`)."""

    def send() -> None:
        send_to_users(people if people is not None else selectors.member_ids(room), payload)

    transaction.on_commit(send)


# --- rooms ----------------------------------------------------------------------------------------


def _room_get_or_create(**lookup) -> Room:
    """The room for `lookup` (a team's, a project's, a pair's), created at most once even
    when two requests race (the partial unique constraints decide)."""
    room = Room.objects.filter(**lookup).first()
    if room is not None:
        return room
    try:
        with transaction.atomic():
            return Room.objects.create(**lookup, created_at=timezone.now())
    except IntegrityError:
        return Room.objects.get(**lookup)


def team_room_ensure(*, team) -> Room:
    return _room_get_or_create(kind=RoomKind.TEAM, team_id=getattr(team, "pk", team))


def project_room_ensure(*, project) -> Room:
    return _room_get_or_create(kind=RoomKind.PROJECT, project_id=getattr(project, "pk", project))


@transaction.atomic
def direct_room_open(*, actor: Actor, person) -> Room:
    """The direct conversation between the actor and `person` (an active person), opened
    once per pair."""
    me = _person_of(actor)
    other = selectors.people_by_id([getattr(person, "pk", person)]).get(
        getattr(person, "pk", person)
    )
    if other is None or not other.is_active or other.pk == me.pk:
        raise ValidationError({"person": "Choose someone else who is active."})
    low, high = sorted((me.pk, other.pk))
    room = _room_get_or_create(kind=RoomKind.DIRECT, direct_key=f"{low}:{high}")
    now = timezone.now()
    for pk in (low, high):
        RoomMember.objects.get_or_create(room=room, person_id=pk, defaults={"joined_at": now})
    return room


@transaction.atomic
def private_room_create(*, actor: Actor, name, people=()) -> Room:
    me = _person_of(actor)
    name = validation.clean_room_name(name)
    ids = {getattr(p, "pk", p) for p in people or ()} - {me.pk}
    found = selectors.people_by_id(ids)
    if len(found) != len(ids) or any(not u.is_active for u in found.values()):
        raise ValidationError({"people": "Invite active people only."})
    now = timezone.now()
    room = Room.objects.create(kind=RoomKind.PRIVATE, name=name, created_by=me, created_at=now)
    RoomMember.objects.bulk_create(
        [RoomMember(room=room, person_id=pk, joined_at=now) for pk in {me.pk, *ids}]
    )
    audit_record(actor=actor, action="chat.room_create", target=room, changes={"name": name})
    return room


@transaction.atomic
def room_leave(*, actor: Actor, room: Room) -> None:
    me = _person_of(actor)
    if room.kind != RoomKind.PRIVATE:
        raise ValidationError({"room": validation.NOT_PRIVATE})
    updated = RoomMember.objects.filter(room=room, person=me, left_at__isnull=True).update(
        left_at=timezone.now()
    )
    if not updated:
        raise ValidationError({"room": validation.NOT_MEMBER})


# --- messages -------------------------------------------------------------------------------------


def _rate_limit(person_id: int, now: datetime) -> None:
    """At most CHAT_RATE_MESSAGES a person sends within CHAT_RATE_SECONDS (a shared cache
    counts them, so every process agrees)."""
    limit = int(getattr(settings, "CHAT_RATE_MESSAGES", 20))
    window = int(getattr(settings, "CHAT_RATE_SECONDS", 10))
    key = f"chat:rate:{person_id}:{int(now.timestamp()) // window}"
    if cache.add(key, 1, timeout=window * 2):
        return
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=window * 2)
        return
    if count > limit:
        raise ValidationError({"body": validation.RATE})


def _resolve_mentions(room: Room, message: Message, author, now: datetime) -> list[tuple]:
    """[(person, via)] the message's @-mentions reach: people by username and teams by slug,
    and whoever is on call now for the room's team (all its schedules, or
    `@oncall:<schedule id>`), each only when they are in the room. Resolved once, at
    sending."""
    found = mentions.tokens(message.body)
    if not found:
        return []
    names = [t.name for t in found if t.name != "oncall"]
    people = selectors.people_named(names)
    teams = selectors.teams_named([n for n in names if n not in people])
    in_room = selectors.member_ids(room)
    team_id = selectors.room_team_id(room)
    reached: dict[int, str] = {}
    for token in found:
        if token.name == "oncall":
            for person_id, schedule in selectors.oncall_now(team_id, token.schedule_id, at=now):
                # Least privilege: someone on call but not in the room (an override can put
                # an outsider on call) is not shown a room they cannot read.
                if person_id in in_room:
                    reached.setdefault(person_id, f"@oncall ({schedule})")
        elif token.name in people:
            person = people[token.name]
            if person.pk in in_room:
                reached.setdefault(person.pk, token.text)
        elif token.name in teams:
            for person_id in selectors.team_member_ids(teams[token.name].pk) & in_room:
                reached.setdefault(person_id, token.text)
    reached.pop(author.pk, None)
    return sorted(reached.items())


@transaction.atomic
def message_post(
    *,
    actor: Actor,
    room: Room,
    body,
    topic=None,
    urgent: bool = False,
    rate_limited: bool = True,
    at: datetime | None = None,
    quiet: bool = False,
) -> Message:
    """Post to `room` (the actor must be in it): the message gets the room's next seq, its
    mentions are resolved and told, and the room's members hear of it on commit. `at` and
    `quiet` (no notices, nothing published) are for demo data."""
    author = _person_of(actor)
    now = at or timezone.now()
    errors: dict[str, list[str]] = {}
    try:
        body = validation.clean_body(body)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    try:
        topic_name = validation.clean_topic(topic)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if not isinstance(urgent, bool):
        errors["urgent"] = ["Urgent is true or false."]
    if errors:
        raise ValidationError(errors)
    if not selectors.can_read(author, room):
        raise ValidationError({"room": validation.NOT_MEMBER})
    if rate_limited:
        _rate_limit(author.pk, now)
    locked = selectors.room_locked(room.pk)
    seq = locked.last_seq + 1
    found = selectors.topic_named(locked, topic_name)
    if found is None:
        found = Topic.objects.create(room=locked, name=topic_name, created_at=now)
    message = Message.objects.create(
        room=locked,
        seq=seq,
        topic=found,
        author=author,
        body=body,
        body_html=render_markdown(body),
        urgent=urgent,
        created_at=now,
    )
    Room.objects.filter(pk=locked.pk).update(last_seq=seq, last_message_at=now)
    Topic.objects.filter(pk=found.pk).update(last_seq=seq, resolved_at=None, resolved_by=None)
    # The author has read what they wrote.
    RoomMember.objects.update_or_create(
        room=locked,
        person=author,
        defaults={"last_read_seq": seq},
        create_defaults={"joined_at": now, "last_read_seq": seq},
    )
    reached = _resolve_mentions(locked, message, author, now)
    if reached:
        message.mentions = [{"person": pk, "via": via} for pk, via in reached]
        message.save(update_fields=["mentions"])
        Mention.objects.bulk_create(
            [Mention(message=message, person_id=pk, via=via, created_at=now) for pk, via in reached]
        )
        if not quiet:
            _tell_mentioned(locked, message, author, reached)
    message.room, message.topic, message.author = locked, found, author
    if not quiet:
        publish(locked, message_event(message, "new"))
    return message


def _tell_mentioned(room: Room, message: Message, author, reached) -> None:
    people = selectors.people_by_id([pk for pk, _ in reached])
    named = selectors.people_named([t.name for t in mentions.tokens(message.body)])
    display = {name: _name(user) for name, user in named.items()}
    text = mentions.replace_names(message.body, display)
    snippet = text if len(text) <= 300 else text[:299] + "…"
    full = Room.objects.select_related("team", "project").get(pk=room.pk)
    where = "a direct message" if full.kind == RoomKind.DIRECT else presenters.room_title(full)
    for person_id, via in reached:
        person = people.get(person_id)
        if person is None:
            continue
        notify(
            recipients=[person],
            kind="chat.mention",
            title=f"{_name(author)} mentioned you in {where} ({message.topic.name})"
            if not via.startswith("@oncall")
            else f"{_name(author)} asked whoever is on call in {where} ({message.topic.name})",
            body=snippet,
            url=f"/chat/{room.pk}/#m{message.seq}",
            urgency="urgent" if message.urgent else "normal",
            idempotency_key=f"chat:mention:{message.pk}:{person_id}",
            actor=author,
        )


@transaction.atomic
def message_edit(*, actor: Actor, message: Message, body) -> Message:
    """The author corrects their message; the earlier text is kept (MessageEdit)."""
    me = _person_of(actor)
    body = validation.clean_body(body)
    locked = Message.objects.select_for_update(of=("self",)).get(pk=message.pk)
    if locked.author_id != me.pk:
        raise ValidationError({"message": validation.NOT_AUTHOR})
    if locked.deleted_at is not None:
        raise ValidationError({"message": validation.DELETED})
    if body == locked.body:
        return locked
    now = timezone.now()
    MessageEdit.objects.create(message=locked, body=locked.body, replaced_at=now)
    locked.body, locked.body_html, locked.edited_at = body, render_markdown(body), now
    locked.save(update_fields=["body", "body_html", "edited_at"])
    fresh = selectors.message_of(message.room, locked.seq)
    publish(message.room, message_event(fresh, "edited"))
    return fresh


@transaction.atomic
def message_delete(*, actor: Actor, message: Message, may_moderate: bool = False) -> Message:
    """Soft delete: by its author, or by a lead of the room's team (`may_moderate`, checked by
    the caller's permission rule)."""
    me = _person_of(actor)
    locked = Message.objects.select_for_update(of=("self",)).get(pk=message.pk)
    if locked.author_id != me.pk and not may_moderate:
        raise ValidationError({"message": validation.CANNOT_DELETE})
    if locked.deleted_at is not None:
        raise ValidationError({"message": validation.DELETED})
    locked.deleted_at = timezone.now()
    locked.save(update_fields=["deleted_at"])
    if locked.author_id != me.pk:
        audit_record(
            actor=actor,
            action="chat.message_delete",
            target=locked,
            changes={"room": locked.room_id, "seq": locked.seq},
        )
    fresh = selectors.message_of(message.room, locked.seq)
    publish(message.room, message_event(fresh, "deleted"))
    return fresh


@transaction.atomic
def room_mark_read(*, actor: Actor, room: Room, seq) -> int:
    """Move the reader's pointer to `seq` (never back, never past the newest message);
    returns the pointer. Their other tabs hear of it."""
    me = _person_of(actor)
    seq = validation.clean_seq(seq)
    if not selectors.can_read(me, room):
        raise ValidationError({"room": validation.NOT_MEMBER})
    newest = Room.objects.filter(pk=room.pk).values_list("last_seq", flat=True)[0]
    target = min(seq, newest)
    row, _ = RoomMember.objects.select_for_update().get_or_create(
        room=room, person=me, defaults={"joined_at": timezone.now()}
    )
    if target > row.last_read_seq:
        row.last_read_seq = target
        row.save(update_fields=["last_read_seq"])
        publish(
            room,
            {"type": "chat.read", "room": room.pk, "seq": target},
            people={me.pk},
        )
    return row.last_read_seq


# --- topics ---------------------------------------------------------------------------------------


def _moderator(actor: Actor, room: Room):
    me = _person_of(actor)
    if not me.has_perm("chat.moderate_room", room):
        raise ValidationError({"topic": validation.NOT_MODERATOR})
    return me


def _topic_event(room: Room, event: str, topic: str, **extra) -> dict:
    return {"type": "chat.topic", "event": event, "room": room.pk, "topic": topic, **extra}


@transaction.atomic
def topic_resolve(*, actor: Actor, topic: Topic, resolved: bool = True) -> Topic:
    """Mark a topic resolved (or not again). A new message in it reopens it."""
    me = _moderator(actor, topic.room)
    locked = Topic.objects.select_for_update().get(pk=topic.pk)
    if resolved == (locked.resolved_at is not None):
        return locked
    locked.resolved_at, locked.resolved_by = (timezone.now(), me) if resolved else (None, None)
    locked.save(update_fields=["resolved_at", "resolved_by"])
    audit_record(
        actor=actor,
        action="chat.topic_resolve" if resolved else "chat.topic_unresolve",
        target=locked,
        changes={"room": locked.room_id, "topic": locked.name},
    )
    publish(
        topic.room, _topic_event(topic.room, "resolved" if resolved else "reopened", locked.name)
    )
    return locked


def _merge_into(source: Topic, target: Topic) -> None:
    Message.objects.filter(topic=source).update(topic=target)
    TopicRead.objects.filter(topic=source).delete()
    target.last_seq = max(target.last_seq, source.last_seq)
    target.save(update_fields=["last_seq"])
    source.delete()


@transaction.atomic
def topic_rename(*, actor: Actor, topic: Topic, name) -> Topic:
    """Rename a topic; onto a name the room already has, the two topics become one."""
    _moderator(actor, topic.room)
    if not isinstance(name, str) or not name.strip():
        raise validation.refuse("name", "Give the topic a name.")
    name = validation.clean_topic(name)
    selectors.room_locked(topic.room_id)  # renames and posts in the room take turns
    locked = Topic.objects.get(pk=topic.pk)
    if name == locked.name:
        return locked
    old = locked.name
    existing = selectors.topic_named(topic.room, name)
    if existing is not None and existing.pk != locked.pk:
        _merge_into(locked, existing)
        result = existing
    else:
        locked.name = name
        locked.save(update_fields=["name"])
        result = locked
    audit_record(
        actor=actor,
        action="chat.topic_rename",
        target=result,
        changes={"room": result.room_id, "from": old, "to": result.name},
    )
    publish(topic.room, _topic_event(topic.room, "renamed", old, to=result.name))
    return result


@transaction.atomic
def topic_move(*, actor: Actor, topic: Topic, to_room: Room, name=None) -> Topic:
    """Move a topic's messages to another room the actor also moderates (under `name`, or its
    own). They take the destination's next seqs, in order, so a client resyncing there after
    its last seq gets them; the source room's members are told the topic left."""
    source = topic.room
    _moderator(actor, source)
    if to_room.pk == source.pk:
        raise ValidationError({"room": "Choose another room (or rename the topic)."})
    _moderator(actor, to_room)
    name = validation.clean_topic(name if name not in (None, "") else topic.name)
    # Both rooms' locks, lower id first, so two moves the other way round cannot deadlock.
    for pk in sorted((source.pk, to_room.pk)):
        selectors.room_locked(pk)
    target_room = Room.objects.get(pk=to_room.pk)
    now = timezone.now()
    target = selectors.topic_named(target_room, name) or Topic.objects.create(
        room=target_room, name=name, created_at=now
    )
    seq = target_room.last_seq
    moved = list(Message.objects.filter(topic=topic).order_by("seq").only("pk"))
    for message in moved:
        seq += 1
        Message.objects.filter(pk=message.pk).update(room=target_room, topic=target, seq=seq)
    if moved:
        Room.objects.filter(pk=target_room.pk).update(last_seq=seq, last_message_at=now)
        Topic.objects.filter(pk=target.pk).update(last_seq=seq)
    TopicRead.objects.filter(topic=topic).delete()
    Topic.objects.filter(pk=topic.pk).delete()
    audit_record(
        actor=actor,
        action="chat.topic_move",
        target=target,
        changes={
            "from_room": source.pk,
            "to_room": target_room.pk,
            "topic": topic.name,
            "messages": len(moved),
        },
    )
    publish(source, _topic_event(source, "moved", topic.name, to_room=target_room.pk))
    publish(target_room, _topic_event(target_room, "arrived", target.name, last_seq=seq))
    target.refresh_from_db()
    return target


@transaction.atomic
def topic_mark_read(*, actor: Actor, topic: Topic) -> int:
    """Mark every message of one topic read (the room's other topics stay unread)."""
    me = _person_of(actor)
    if not selectors.can_read(me, topic.room):
        raise ValidationError({"room": validation.NOT_MEMBER})
    last = Topic.objects.filter(pk=topic.pk).values_list("last_seq", flat=True)[0]
    row, _ = TopicRead.objects.select_for_update().get_or_create(topic=topic, person=me)
    if last > row.last_read_seq:
        row.last_read_seq = last
        row.save(update_fields=["last_read_seq"])
    publish(
        topic.room,
        {"type": "chat.read", "room": topic.room_id, "topic": topic.name, "seq": last},
        people={me.pk},
    )
    return row.last_read_seq


# --- send at their morning ------------------------------------------------------------------------


def _recipient_of(room: Room, author, body: str):
    """Whose morning a held message waits for: the other person of a direct conversation,
    else the first @person it mentions who is in the room."""
    if room.kind == RoomKind.DIRECT:
        others = selectors.member_ids(room) - {author.pk}
        return selectors.people_by_id(others).get(min(others)) if others else None
    in_room = selectors.member_ids(room)
    named = selectors.people_named([t.name for t in mentions.tokens(body) if t.name != "oncall"])
    for token in mentions.tokens(body):
        person = named.get(token.name)
        if person is not None and person.pk in in_room and person.pk != author.pk:
            return person
    return None


@transaction.atomic
def message_send_at_their_morning(*, actor: Actor, room: Room, body, topic=None):
    """Write a message now, to be sent at the start of its recipient's next working period
    (their zone, their hours, across DST). Returns the HeldMessage; or, when the recipient
    is working now or keeps no hours, posts it at once and returns the Message."""
    from notifications.services import quiet_until

    author = _person_of(actor)
    body = validation.clean_body(body)
    topic_name = validation.clean_topic(topic)
    if not selectors.can_read(author, room):
        raise ValidationError({"room": validation.NOT_MEMBER})
    recipient = _recipient_of(room, author, body)
    if recipient is None:
        raise ValidationError({"send_at_their_morning": validation.NO_RECIPIENT})
    now = timezone.now()
    send_at = quiet_until(recipient.profile, at=now)
    if send_at is None:
        return message_post(actor=actor, room=room, body=body, topic=topic_name)
    held = HeldMessage.objects.create(
        room=room,
        author=author,
        recipient=recipient,
        topic=topic_name,
        body=body,
        created_at=now,
        send_at=send_at,
    )
    return held


@transaction.atomic
def held_cancel(*, actor: Actor, held: HeldMessage) -> HeldMessage:
    me = _person_of(actor)
    locked = HeldMessage.objects.select_for_update().get(pk=held.pk)
    if locked.author_id != me.pk:
        raise ValidationError({"held": "Only its author cancels a held message."})
    if locked.sent_at is not None or locked.cancelled_at is not None:
        raise ValidationError({"held": "It was already sent or cancelled."})
    locked.cancelled_at = timezone.now()
    locked.save(update_fields=["cancelled_at"])
    return locked


def held_send(*, held_id: int) -> Message | None:
    """Post one due held message, once: the row lock and `sent_at` in the same transaction
    make a second sweep (or a retried task) a no-op."""
    with transaction.atomic():
        held = (
            HeldMessage.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("room", "author__profile")
            .filter(pk=held_id, sent_at__isnull=True, cancelled_at__isnull=True)
            .first()
        )
        if held is None or held.send_at > timezone.now():
            return None
        try:
            with transaction.atomic():
                message = message_post(
                    actor=Actor(user=held.author, via="schedule"),
                    room=held.room,
                    body=held.body,
                    topic=held.topic,
                    rate_limited=False,
                )
        except ValidationError as exc:
            held.failed = "; ".join(exc.messages)[:200]
            held.sent_at = timezone.now()
            held.save(update_fields=["failed", "sent_at"])
            return None
        held.sent_message, held.sent_at = message, timezone.now()
        held.save(update_fields=["sent_message", "sent_at"])
        return message


def rooms_backfill(*, limit: int = 2000) -> int:
    """A room for each team and project that has none yet, up to `limit` of each a call;
    returns how many were missing (0: nothing left to do). One insert for them all: room by
    room, the sweep spent a second of CPU a minute on a bulk import's 30,000 projects. A room
    made meanwhile by the post_save signal or a viewer is left as it is (the partial unique
    constraints decide), and is not made twice."""
    from projects.models import Project
    from teams.models import Team

    team_ids = list(
        Team.objects.exclude(
            pk__in=Room.objects.filter(kind=RoomKind.TEAM).values("team_id")
        ).values_list("pk", flat=True)[:limit]
    )
    project_ids = list(
        Project.objects.exclude(
            pk__in=Room.objects.filter(kind=RoomKind.PROJECT).values("project_id")
        ).values_list("pk", flat=True)[:limit]
    )
    if not team_ids and not project_ids:
        return 0
    now = timezone.now()
    rooms = [Room(kind=RoomKind.TEAM, team_id=pk, created_at=now) for pk in team_ids]
    rooms += [Room(kind=RoomKind.PROJECT, project_id=pk, created_at=now) for pk in project_ids]
    Room.objects.bulk_create(rooms, batch_size=1000, ignore_conflicts=True)
    return len(rooms)


def rooms_for_viewer_ensure(*, user) -> int:
    """The rooms of the viewer's teams and projects, made now if a bulk import left them out
    (the sweep would within a minute; the person opening chat should not wait). One query
    when nothing is missing."""
    from teams.selectors import team_ids_of

    teams = set(team_ids_of(user))
    have = set(
        Room.objects.filter(kind=RoomKind.TEAM, team_id__in=teams).values_list("team_id", flat=True)
    )
    for pk in sorted(teams - have):
        team_room_ensure(team=pk)
    if teams - have:
        rooms_backfill()
    return len(teams - have)
