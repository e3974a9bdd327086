"""Every read of chat that is more than a `get`, with its joins.

Who is in a room: `can_read(user, room)` (a team room: the team's members; a project room:
the project team's members, its owner, backup and acting owner, and its watchers; a private
room or a direct conversation: its RoomMember rows not left) and `member_ids(room)` (whom a
new message is published to). The pages' and API's reads: `rooms_of(user)` (with each room's
unread count from the reader's pointer, one query), `messages_after` / `messages_before`
(history, infinite scroll and resync), `room_for_page`, `mentions_of`.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from projects.models import Project, Watch
from teams.models import Membership
from teams.selectors import team_ids_of

from .models import HeldMessage, Mention, Message, Room, RoomKind, RoomMember, Topic, TopicRead

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


def _in_rooms(user, teams=None) -> Q:
    """The rooms `user` is in, as one subquery: a UNION ALL of five lookups that each walk an
    index (their teams' rooms; their teams' projects' rooms; rooms of the projects they own,
    back up or act for; of the projects they watch; the private and direct rooms they
    joined). Written as one OR instead, PostgreSQL scanned every project (28 ms at 30,000 projects
    against 0.7 ms for this: docs/benchmarks.md), and the navigation asks it on every page.
    `teams`: the ids of the user's teams, a list or a subquery (their memberships' now)."""
    teams = list(team_ids_of(user)) if teams is None else teams
    rooms = Room.objects.order_by().values("pk")
    projects = Project.objects.order_by().values("pk")
    ids = rooms.filter(kind=RoomKind.TEAM, team_id__in=teams).union(
        rooms.filter(kind=RoomKind.PROJECT, project_id__in=projects.filter(team_id__in=teams)),
        rooms.filter(
            kind=RoomKind.PROJECT,
            project_id__in=projects.filter(
                Q(owner_id=user.pk) | Q(backup_owner_id=user.pk) | Q(acting_owner_id=user.pk)
            ),
        ),
        rooms.filter(
            kind=RoomKind.PROJECT,
            project_id__in=Watch.objects.filter(person_id=user.pk).values("project_id"),
        ),
        rooms.filter(
            kind__in=[RoomKind.PRIVATE, RoomKind.DIRECT],
            pk__in=RoomMember.objects.filter(person_id=user.pk, left_at__isnull=True).values(
                "room_id"
            ),
        ),
        all=True,
    )
    return Q(pk__in=ids)


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


def _unread_in(room_ref, user, after_ref) -> Subquery:
    """The count of messages of the room `room_ref` past seq `after_ref` that `user` has not
    read: not deleted, not written by them, and not in a topic they marked read past it. It
    scans only the unread range of the (room, seq) index."""
    topic_read = TopicRead.objects.filter(
        topic_id=OuterRef("topic_id"), person_id=user.pk, last_read_seq__gte=OuterRef("seq")
    )
    unread = (
        Message.objects.filter(room_id=room_ref, seq__gt=after_ref, deleted_at__isnull=True)
        .exclude(author_id=user.pk)
        .exclude(Exists(topic_read))
        .order_by()
        .values("room_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(unread[:1]), Value(0))


def rooms_of(user) -> QuerySet:
    """The rooms `user` is in, most recently active first, each with `read_seq` (their
    pointer, 0 before their first read) and `unread` (messages past it they have not read).
    One query."""
    return (
        _rooms_with_unread(user)
        .select_related("team", "project")
        .order_by(F("last_message_at").desc(nulls_last=True), "id")
    )


def _rooms_with_unread(user, teams=None) -> QuerySet:
    pointer = RoomMember.objects.filter(room_id=OuterRef("pk"), person_id=user.pk).values(
        "last_read_seq"
    )[:1]
    return (
        Room.objects.filter(_in_rooms(user, teams))
        .annotate(read_seq=Coalesce(Subquery(pointer), Value(0)))
        .annotate(unread=_unread_in(OuterRef("pk"), user, OuterRef("read_seq")))
    )


def unread_total(user) -> int:
    """Unread messages across all of `user`'s rooms (the navigation's count): the sum of
    rooms_of(user)'s `unread`. One query, on every page, so its SQL is compiled from the ORM
    once per database connection (_unread_total_plan) rather than on each request: building
    and compiling it took ten times as long as PostgreSQL took to run it."""
    if not getattr(user, "is_authenticated", False):
        return 0
    sql, params, viewer_positions = _unread_total_plan(connection)
    values = list(params)
    for position in viewer_positions:
        values[position] = user.pk
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        (total,) = cursor.fetchone()
    return int(total or 0)


class _Viewer:
    """Stands for the viewer while _unread_total_plan compiles: an id no person has, whose
    places in the parameters are then filled with the real viewer's. Negative, and within a
    32-bit integer: Django drops a comparison of an integer column with a value outside its
    range from the SQL (IntegerFieldOverflow), which would lose the viewer's place."""

    is_authenticated = True
    pk = -730_211_598


# unread_total's SQL, memoised on each database connection (as teams' directory query is):
# the text, its parameters, and which of them are the viewer's id.
_UNREAD_PLAN_ATTR = "_chat_unread_total_plan"


def _unread_total_plan(wrapper) -> tuple[str, tuple, tuple[int, ...]]:
    plan = getattr(wrapper, _UNREAD_PLAN_ATTR, None)
    if plan is None:
        viewer = _Viewer()
        # Their teams as a subquery, so the SQL is the same for everyone.
        teams = Membership.objects.filter(person_id=viewer.pk).values("team_id")
        rooms = _rooms_with_unread(viewer, teams).order_by().values("unread")
        inner, params = rooms.query.get_compiler(connection=wrapper).as_sql()
        sql = f'SELECT COALESCE(SUM("unread"), 0) FROM ({inner}) unread_rooms'
        positions = tuple(i for i, value in enumerate(params) if value == viewer.pk)
        if len(positions) < 6:  # pointer, read topics, not mine, joined, watched, owned
            raise RuntimeError("unread_total's SQL lost the viewer's id")
        plan = (sql, tuple(params), positions)
        setattr(wrapper, _UNREAD_PLAN_ATTR, plan)
    return plan


def room_for_page(user, pk: int) -> Room | None:
    """Room `pk` when `user` is in it (None otherwise: someone else's room is no room)."""
    room = Room.objects.filter(pk=pk).select_related("team", "project").first()
    return room if room is not None and can_read(user, room) else None


def _messages(room: Room, topic: Topic | None = None) -> QuerySet:
    rows = Message.objects.filter(room=room).select_related("author__profile", "topic")
    return rows if topic is None else rows.filter(topic=topic)


def messages_after(
    room: Room, after: int, *, limit: int = PAGE, topic: Topic | None = None
) -> list[Message]:
    """The messages after seq `after`, oldest first (resync and live catch-up)."""
    rows = _messages(room, topic).filter(seq__gt=after).order_by("seq")
    return list(rows[: min(limit, MAX_PAGE)])


def messages_before(
    room: Room, before: int | None, *, limit: int = PAGE, topic: Topic | None = None
) -> list[Message]:
    """The `limit` messages before seq `before` (the newest without it), oldest first."""
    rows = _messages(room, topic)
    if before is not None:
        rows = rows.filter(seq__lt=before)
    return list(reversed(list(rows.order_by("-seq")[: min(limit, MAX_PAGE)])))


def topics_of(room: Room, user=None, *, read_seq: int = 0) -> list[Topic]:
    """The room's topics, latest activity first; with `user`, each has `unread` (as
    rooms_of counts them, past `read_seq`, their room pointer). One query."""
    rows = Topic.objects.filter(room=room).select_related("resolved_by__profile")
    if user is not None:
        topic_read = TopicRead.objects.filter(
            topic_id=OuterRef("topic_id"), person_id=user.pk, last_read_seq__gte=OuterRef("seq")
        )
        unread = (
            Message.objects.filter(
                topic_id=OuterRef("pk"), seq__gt=read_seq, deleted_at__isnull=True
            )
            .exclude(author_id=user.pk)
            .exclude(Exists(topic_read))
            .order_by()
            .values("topic_id")
            .annotate(n=Count("pk"))
            .values("n")
        )
        rows = rows.annotate(unread=Coalesce(Subquery(unread[:1]), Value(0)))
    return list(rows.order_by("-last_seq", "id")[:200])


def topic_of(room: Room, pk: int) -> Topic | None:
    return Topic.objects.filter(room=room, pk=pk).first()


def rooms_moderated_by(user) -> QuerySet:
    """The team and project rooms of the teams `user` leads (where a topic may be moved)."""
    from teams.models import TeamRole

    led = list(team_ids_of(user, role=TeamRole.LEAD))
    return (
        Room.objects.filter(
            Q(kind=RoomKind.TEAM, team_id__in=led)
            | Q(kind=RoomKind.PROJECT, project__team_id__in=led)
        )
        .select_related("team", "project")
        .order_by("kind", "team__name", "project__name", "id")
    )


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
        .select_related(
            "message__room__team",
            "message__room__project",
            "message__topic",
            "message__author__profile",
        )
        .order_by("-created_at", "-id")[:limit]
    )


def pointer(room: Room, user) -> RoomMember | None:
    return RoomMember.objects.filter(room=room, person_id=user.pk).first()


def held_by(user, room: Room) -> list[HeldMessage]:
    """The actor's messages in `room` waiting for their recipient's morning."""
    return list(
        HeldMessage.objects.filter(
            room=room, author_id=user.pk, sent_at__isnull=True, cancelled_at__isnull=True
        ).select_related("recipient__profile")[:50]
    )


def held_due(at: datetime, *, limit: int = 200) -> list[int]:
    return list(
        HeldMessage.objects.filter(
            send_at__lte=at, sent_at__isnull=True, cancelled_at__isnull=True
        ).values_list("pk", flat=True)[:limit]
    )


def people_in(room: Room, *, limit: int = 60) -> list:
    """Up to `limit` active people in the room, with profiles, by name (the member list)."""
    ids = sorted(member_ids(room))
    rows = User.objects.filter(pk__in=ids, is_active=True).select_related("profile")
    return sorted(rows[:limit], key=lambda u: (u.profile.display_name.lower(), u.pk)), len(ids)


def mentionable(room: Room, user) -> dict:
    """What the composer completes after "@": the room's people (username, name), the teams
    of its people, and "oncall" for a team's or project's room."""
    people, _ = people_in(room, limit=500)
    from teams.models import Team

    teams = Team.objects.filter(memberships__person_id__in=[p.pk for p in people]).distinct()
    return {
        "people": [
            {"token": p.username, "name": p.profile.display_name} for p in people if p.pk != user.pk
        ],
        "teams": [{"token": t.slug, "name": t.name} for t in teams.order_by("name")[:50]],
        "oncall": room.kind in (RoomKind.TEAM, RoomKind.PROJECT),
    }


MAX_QUERY = 200


def search(user, text: str, *, room: Room | None = None, limit: int = 50) -> list[Message]:
    """Messages `user` may read (in rooms they are in now, not deleted) matching `text`, best
    first: PostgreSQL full-text search ("simple" configuration, the index migration 0002
    builds; web-search syntax: "quoted phrases", -excluded words, or), else every word as a
    substring (SQLite, for development)."""
    from django.db import connection

    words = text.split()
    if not words:
        return []
    rows = Message.objects.filter(
        room__in=Room.objects.filter(_in_rooms(user)), deleted_at__isnull=True
    ).select_related("author__profile", "topic", "room__team", "room__project")
    if room is not None:
        rows = rows.filter(room=room)
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector

        vector = SearchVector("body", config="simple")
        query = SearchQuery(text, config="simple", search_type="websearch")
        rows = (
            rows.annotate(found=vector)
            .filter(found=query)
            .annotate(rank=SearchRank(vector, query))
            .order_by("-rank", "-created_at", "-id")
        )
    else:
        for word in words[:10]:
            rows = rows.filter(body__icontains=word)
        rows = rows.order_by("-created_at", "-id")
    return list(rows[:limit])


MENTIONS_WINDOW = timedelta(days=30)
