"""Every read of chat that is more than a `get`, with its joins.

Who is in a room: `can_read(user, room)` (a team room: the team's members; a project room:
the project team's members, its owner, backup and acting owner, and its watchers; a private
room or a direct conversation: its RoomMember rows not left) and `member_ids(room)` (whom a
new message is published to). The pages' and API's reads: `rooms_of(user)` (with each room's
unread count from the reader's pointer, one query), `messages_after` / `messages_before`
(history, infinite scroll and resync), `room_for_page`, `mentions_of`.
"""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth import get_user_model
from django.db.models import F, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from projects.models import Project, Watch
from teams.models import Membership
from teams.selectors import team_ids_of

from .models import Mention, Message, Room, RoomKind, RoomMember, Topic

User = get_user_model()

PAGE = 50
MAX_PAGE = 200


def _project_ids_of(user) -> QuerySet:
    """Projects whose room `user` is in: of their teams, or owned, backed up, acted for or
    watched by them."""
    return Project.objects.filter(
        Q(team_id__in=list(team_ids_of(user)))
        | Q(owner_id=user.pk)
        | Q(backup_owner_id=user.pk)
        | Q(acting_owner_id=user.pk)
        | Q(pk__in=Watch.objects.filter(person_id=user.pk).values("project_id"))
    ).values("pk")


def _in_rooms(user) -> Q:
    teams = list(team_ids_of(user))
    joined = RoomMember.objects.filter(person_id=user.pk, left_at__isnull=True).values("room_id")
    return (
        Q(kind=RoomKind.TEAM, team_id__in=teams)
        | Q(kind=RoomKind.PROJECT, project_id__in=_project_ids_of(user))
        | Q(kind__in=[RoomKind.PRIVATE, RoomKind.DIRECT], pk__in=joined)
    )


def can_read(user, room: Room) -> bool:
    if room is None or not getattr(user, "is_authenticated", False):
        return False
    if room.kind == RoomKind.TEAM:
        return room.team_id in team_ids_of(user)
    if room.kind == RoomKind.PROJECT:
        return _project_ids_of(user).filter(pk=room.project_id).exists()
    return RoomMember.objects.filter(room=room, person_id=user.pk, left_at__isnull=True).exists()


def member_ids(room: Room) -> set[int]:
    """The active people in `room` now (whom its events go to)."""
    if room.kind == RoomKind.TEAM:
        people = Membership.objects.filter(team_id=room.team_id).values_list("person_id", flat=True)
    elif room.kind == RoomKind.PROJECT:
        project = Project.objects.filter(pk=room.project_id).values(
            "team_id", "owner_id", "backup_owner_id", "acting_owner_id"
        )[0]
        people = set(
            Membership.objects.filter(team_id=project["team_id"]).values_list(
                "person_id", flat=True
            )
        )
        people |= {
            project[k] for k in ("owner_id", "backup_owner_id", "acting_owner_id") if project[k]
        }
        people |= set(
            Watch.objects.filter(project_id=room.project_id).values_list("person_id", flat=True)
        )
    else:
        people = RoomMember.objects.filter(room=room, left_at__isnull=True).values_list(
            "person_id", flat=True
        )
    return set(
        User.objects.filter(pk__in=list(people), is_active=True).values_list("pk", flat=True)
    )


def rooms_of(user) -> QuerySet:
    """The rooms `user` is in, most recently active first, each with `read_seq` (their
    pointer, 0 before their first read) and `unread` (last_seq - read_seq). One query."""
    pointer = RoomMember.objects.filter(room_id=OuterRef("pk"), person_id=user.pk).values(
        "last_read_seq"
    )[:1]
    return (
        Room.objects.filter(_in_rooms(user))
        .select_related("team", "project")
        .annotate(read_seq=Coalesce(Subquery(pointer), Value(0)))
        .annotate(unread=F("last_seq") - F("read_seq"))
        .order_by(F("last_message_at").desc(nulls_last=True), "id")
    )


def room_for_page(user, pk: int) -> Room | None:
    """Room `pk` when `user` is in it (None otherwise: someone else's room is no room)."""
    room = Room.objects.filter(pk=pk).select_related("team", "project").first()
    return room if room is not None and can_read(user, room) else None


def _messages(room: Room) -> QuerySet:
    return Message.objects.filter(room=room).select_related("author__profile", "topic")


def messages_after(room: Room, after: int, *, limit: int = PAGE) -> list[Message]:
    """The messages after seq `after`, oldest first (resync and live catch-up)."""
    return list(_messages(room).filter(seq__gt=after).order_by("seq")[: min(limit, MAX_PAGE)])


def messages_before(room: Room, before: int | None, *, limit: int = PAGE) -> list[Message]:
    """The `limit` messages before seq `before` (the newest without it), oldest first."""
    rows = _messages(room)
    if before is not None:
        rows = rows.filter(seq__lt=before)
    return list(reversed(list(rows.order_by("-seq")[: min(limit, MAX_PAGE)])))


def topics_of(room: Room) -> list[Topic]:
    return list(Topic.objects.filter(room=room).order_by("-last_seq", "id")[:200])


def topic_named(room: Room, name: str) -> Topic | None:
    return Topic.objects.filter(room=room, name__iexact=name).first()


def room_locked(pk: int) -> Room:
    return Room.objects.select_for_update().get(pk=pk)


def message_of(room: Room, seq: int) -> Message | None:
    return _messages(room).filter(seq=seq).first()


def team_room(team_id: int) -> Room | None:
    return Room.objects.filter(kind=RoomKind.TEAM, team_id=team_id).first()


def project_room(project_id: int) -> Room | None:
    return Room.objects.filter(kind=RoomKind.PROJECT, project_id=project_id).first()


def direct_room(key: str) -> Room | None:
    return Room.objects.filter(kind=RoomKind.DIRECT, direct_key=key).first()


def people_named(usernames) -> dict[str, object]:
    """{lower-case username: active User with profile} for those that exist."""
    names = [n.lower() for n in usernames]
    if not names:
        return {}
    found = User.objects.filter(username__in=names, is_active=True).select_related("profile")
    return {u.username.lower(): u for u in found}


def teams_named(slugs) -> dict[str, object]:
    from teams.models import Team

    slugs = [s.lower() for s in slugs]
    if not slugs:
        return {}
    return {t.slug.lower(): t for t in Team.objects.filter(slug__in=slugs)}


def team_member_ids(team_id: int) -> set[int]:
    return set(Membership.objects.filter(team_id=team_id).values_list("person_id", flat=True))


def room_team_id(room: Room) -> int | None:
    if room.kind == RoomKind.TEAM:
        return room.team_id
    if room.kind == RoomKind.PROJECT:
        return Project.objects.filter(pk=room.project_id).values_list("team_id", flat=True)[0]
    return None


def oncall_now(team_id: int | None, schedule_id: int | None, *, at: datetime) -> list[tuple]:
    """[(person id, schedule name)] on call at `at`: for one schedule of the team, or every
    schedule of the team (no team: none)."""
    from oncall.models import Schedule
    from oncall.selectors import load_schedules, oncall_from_data

    if team_id is None:
        return []
    schedules = Schedule.objects.filter(team_id=team_id)
    if schedule_id is not None:
        schedules = schedules.filter(pk=schedule_id)
    schedules = list(schedules.order_by("name", "pk")[:20])
    data = load_schedules(schedules)
    out = []
    for schedule in schedules:
        person = oncall_from_data(data[schedule.pk], at, need_start=False).person
        if person is not None:
            out.append((person, schedule.name))
    return out


def people_by_id(ids) -> dict[int, object]:
    return {u.pk: u for u in User.objects.filter(pk__in=list(ids)).select_related("profile")}


def mentions_of(user, *, start: datetime, end: datetime, limit: int = 30) -> list[Mention]:
    """Where `user` was mentioned in [start, end), newest first (messages not deleted)."""
    return list(
        Mention.objects.filter(
            person_id=user.pk,
            created_at__gte=start,
            created_at__lt=end,
            message__deleted_at__isnull=True,
        )
        .select_related("message__room", "message__topic", "message__author__profile")
        .order_by("-created_at", "-id")[:limit]
    )


def pointer(room: Room, user) -> RoomMember | None:
    return RoomMember.objects.filter(room=room, person_id=user.pk).first()
