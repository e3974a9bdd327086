"""Chat messages (issue 14, parts 1, 2 and 4): rooms come with teams and projects, ids
increase per room without gaps, resync returns exactly what came after the last id seen,
authors edit (history kept), authors and leads delete, read pointers and unread counts,
mentions that reach people, teams and whoever is on call; bad input writes nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings

from chat import selectors, services
from chat.models import Mention, Message, MessageEdit, Room, RoomKind, RoomMember
from core.models import AuditEvent
from notifications.models import Notification
from tests.clock import actor
from tests.factories import TeamFactory


def rows() -> dict[str, int]:
    return {
        m.__name__: m.objects.count()
        for m in (Message, MessageEdit, Mention, Room, RoomMember, Notification, AuditEvent)
    }


def test_rooms_come_with_teams_and_projects_once(world):
    assert world.room.kind == RoomKind.TEAM and world.room.team == world.team
    assert world.project_room.kind == RoomKind.PROJECT
    TeamFactory(name="New team")
    assert Room.objects.filter(kind=RoomKind.TEAM).count() == 3
    assert services.team_room_ensure(team=world.team) == world.room


def test_who_is_in_which_room(world):
    from projects import services as project_services
    from tests.clock import actor as as_actor

    assert selectors.can_read(world.sam, world.room)
    assert not selectors.can_read(world.otto, world.room)
    assert not selectors.can_read(world.otto, world.project_room)
    project_services.watch_set(
        actor=as_actor(world.otto), project=world.project, person=world.otto, watching=True
    )
    assert selectors.can_read(world.otto, world.project_room)
    assert world.otto.pk in selectors.member_ids(world.project_room)
    assert {r.pk for r in selectors.rooms_of(world.otto)} >= {world.project_room.pk}


def test_seqs_increase_per_room_without_gaps(world):
    for n in range(5):
        world.post(world.sam, f"m{n}")
    world.post(world.lou, "other room", room=world.project_room)
    assert list(Message.objects.filter(room=world.room).values_list("seq", flat=True)) == [
        1,
        2,
        3,
        4,
        5,
    ]
    assert Message.objects.get(room=world.project_room).seq == 1
    world.room.refresh_from_db()
    assert world.room.last_seq == 5


def test_resync_returns_exactly_what_came_after(world):
    world.post(world.sam, "seen")
    last_seen = 1
    for n in range(50):
        world.post(world.lou if n % 2 else world.nia, f"while away {n}")
    again = selectors.messages_after(world.room, last_seen, limit=200)
    assert [m.seq for m in again] == list(range(2, 52))
    assert [m.body for m in again] == [f"while away {n}" for n in range(50)]
    assert selectors.messages_after(world.room, 51) == []
    # Scrolling back: the page before seq 11, oldest first.
    assert [m.seq for m in selectors.messages_before(world.room, 11, limit=5)] == [6, 7, 8, 9, 10]


def test_topics_default_and_reopen(world):
    first = world.post(world.sam, "x")
    assert first.topic.name == "general"
    world.post(world.sam, "y", topic="  Deploy   friday ")
    assert [t.name for t in selectors.topics_of(world.room)] == ["Deploy friday", "general"]


def test_markup_is_made_safe(world):
    message = world.post(world.sam, "**bold** <img src=x onerror=y>\n\n<script>alert(1)</script>")
    assert "<script" not in message.body_html and "onerror" not in message.body_html
    assert "<strong>bold</strong>" in message.body_html


@pytest.mark.parametrize(
    "body, extra, field",
    [
        ("", {}, "body"),
        ("   ", {}, "body"),
        ("x" * 4001, {}, "body"),
        (12, {}, "body"),
        ("ok", {"topic": "t" * 61}, "topic"),
        ("ok", {"topic": 5}, "topic"),
        ("ok", {"urgent": "yes"}, "urgent"),
    ],
)
def test_bad_messages_write_nothing(world, body, extra, field):
    before = rows()
    with pytest.raises(ValidationError) as refused:
        world.post(world.sam, body, **extra)
    assert field in refused.value.message_dict
    assert rows() == before


def test_outsiders_and_leavers_cannot_post(world):
    before = rows()
    with pytest.raises(ValidationError) as refused:
        world.post(world.otto, "let me in")
    assert refused.value.message_dict == {"room": ["You are not in this room."]}
    private = services.private_room_create(
        actor=actor(world.sam), name="Incident 42", people=[world.lou.pk]
    )
    services.room_leave(actor=actor(world.lou), room=private)
    before = rows()
    with pytest.raises(ValidationError):
        world.post(world.lou, "still here?", room=private)
    assert rows() == before


# A window of about 11 days: the test never straddles one (a fixed window restarts the count).
@override_settings(CHAT_RATE_MESSAGES=3, CHAT_RATE_SECONDS=10**6)
def test_a_person_sending_too_fast_is_slowed(world):
    from django.core.cache import cache

    cache.clear()
    for n in range(3):
        world.post(world.sam, f"m{n}")
    with pytest.raises(ValidationError) as refused:
        world.post(world.sam, "one too many")
    assert "too fast" in refused.value.message_dict["body"][0]
    world.post(world.lou, "others are not slowed")
    cache.clear()


def test_authors_edit_with_history_and_delete_softly(world):
    message = world.post(world.sam, "Deploy at 9")
    with world.on_commit():
        edited = services.message_edit(actor=actor(world.sam), message=message, body="Deploy at 10")
    assert edited.edited_at is not None and edited.body == "Deploy at 10"
    assert list(MessageEdit.objects.values_list("body", flat=True)) == ["Deploy at 9"]
    with pytest.raises(ValidationError):
        services.message_edit(actor=actor(world.lou), message=message, body="hijack")
    with pytest.raises(ValidationError):
        services.message_delete(actor=actor(world.lou), message=message)
    deleted = services.message_delete(actor=actor(world.sam), message=message)
    assert deleted.deleted_at is not None
    with pytest.raises(ValidationError):
        services.message_delete(actor=actor(world.sam), message=message)


def test_a_lead_moderates_and_it_is_audited(world):
    message = world.post(world.sam, "oops")
    services.message_delete(actor=actor(world.lead), message=message, may_moderate=True)
    assert AuditEvent.objects.filter(action="chat.message_delete").count() == 1


def test_read_pointer_and_unread_counts(world):
    for n in range(4):
        world.post(world.sam, f"m{n}")
    rooms = {r.pk: r for r in selectors.rooms_of(world.lou)}
    assert rooms[world.room.pk].unread == 4
    assert services.room_mark_read(actor=actor(world.lou), room=world.room, seq=3) == 3
    assert (
        services.room_mark_read(actor=actor(world.lou), room=world.room, seq=1) == 3
    )  # never back
    assert services.room_mark_read(actor=actor(world.lou), room=world.room, seq=99) == 4  # capped
    rooms = {r.pk: r for r in selectors.rooms_of(world.lou)}
    assert rooms[world.room.pk].unread == 0
    # The author has read their own messages.
    assert {r.pk: r for r in selectors.rooms_of(world.sam)}[world.room.pk].unread == 0


def _mentioned(person) -> list[Notification]:
    return list(Notification.objects.filter(recipient=person, kind="chat.mention"))


def test_mentions_reach_people_teams_and_whoever_is_on_call(world):
    world.post(world.sam, "@lou please check, and @oncall too; @otto is not here")
    (lou,) = _mentioned(world.lou)
    assert lou.title == "Sam Sydney mentioned you in #Support (general)"
    assert lou.urgency == "normal" and "sam" not in lou.body.lower().replace("sam sydney", "")
    assert lou.body.startswith("@Lou London please check")
    (nia,) = _mentioned(world.nia)
    assert nia.title == "Sam Sydney asked whoever is on call in #Support (general)"
    assert _mentioned(world.otto) == []  # not in the room
    message = Message.objects.get()
    assert sorted(m["person"] for m in message.mentions) == sorted([world.lou.pk, world.nia.pk])
    # @support reaches the team (not the author), once each, urgent when marked urgent.
    world.post(world.sam, "@support all hands", urgent=True)
    assert {n.recipient_id for n in Notification.objects.filter(urgency="urgent")} == {
        world.lou.pk,
        world.nia.pk,
        world.lead.pk,
    }


def test_oncall_reaches_nobody_outside_the_room(world):
    from django.utils import timezone

    from oncall import services as oncall_services

    now = timezone.now()
    oncall_services.override_create(
        actor=actor(world.lead),
        schedule=world.schedule,
        person=world.otto,
        start=now - timedelta(hours=1),
        end=now + timedelta(hours=1),
    )
    world.post(world.lou, "@oncall the queue is stuck")
    assert _mentioned(world.otto) == [] and _mentioned(world.nia) == []
    assert Message.objects.get().mentions == []


def test_oncall_for_one_schedule(world):
    world.post(world.lou, f"@oncall:{world.schedule.pk} are you there?")
    assert len(_mentioned(world.nia)) == 1
    world.post(world.lou, "@oncall:999999 nobody")
    assert len(_mentioned(world.nia)) == 1


def test_direct_rooms_are_one_per_pair(world):
    first = services.direct_room_open(actor=actor(world.sam), person=world.lou.pk)
    again = services.direct_room_open(actor=actor(world.lou), person=world.sam)
    assert first == again and first.kind == RoomKind.DIRECT
    assert not selectors.can_read(world.nia, first)
    with pytest.raises(ValidationError):
        services.direct_room_open(actor=actor(world.sam), person=world.sam.pk)


def test_the_navigation_count_is_the_sum_of_the_rooms_unread(world):
    """unread_total runs SQL compiled once per connection with the viewer's id filled in: it
    must agree with rooms_of for everyone, also after their memberships change."""
    from projects import services as project_services
    from teams import services as team_services

    def agrees():
        for person in (world.sam, world.lou, world.nia, world.lead, world.otto):
            rooms = list(selectors.rooms_of(person))
            assert selectors.unread_total(person) == sum(r.unread for r in rooms), person
        return {p.username: selectors.unread_total(p) for p in (world.lou, world.otto)}

    for n in range(3):
        world.post(world.sam, f"team {n}")
    world.post(world.lou, "project", room=world.project_room)
    assert agrees() == {"lou": 3, "otto": 0}
    project_services.watch_set(
        actor=actor(world.otto), project=world.project, person=world.otto, watching=True
    )
    assert agrees()["otto"] == 1  # the project room, through the watch
    team_services.membership_set(actor=actor(world.lead), team=world.team, person=world.otto)
    assert agrees()["otto"] == 4
    services.room_mark_read(actor=actor(world.lou), room=world.room, seq=2)
    assert agrees()["lou"] == 1
