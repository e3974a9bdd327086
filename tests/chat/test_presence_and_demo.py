"""Presence (core.presence: online while a tab holds /ws/events/, shown on the room page with
each person's local time and working or off) and chat's demo data (quiet: no notices)."""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async

from core import presence
from tests.ws import open_socket


@pytest.fixture
def clients(world):
    return {"lou": world.client(world.lou), "sam": world.client(world.sam)}


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("close_worker_thread_connections")
async def test_a_person_is_online_while_a_socket_is_open(channel_layer, world, clients):
    client = clients["lou"]
    assert presence.online_ids([world.lou.pk]) == set()
    socket = await open_socket(client)
    assert presence.online_ids([world.lou.pk, world.sam.pk]) == {world.lou.pk}
    page = await database_sync_to_async(clients["sam"].get)(f"/chat/{world.room.pk}/")
    html = page.content.decode()
    lou_row = html[html.index(f'data-person-id="{world.lou.pk}"') :][:400]
    assert "presence online" in lou_row and "in London" in lou_row
    await socket.disconnect()
    assert presence.online_ids([world.lou.pk]) == set()


def test_demo_conversations_are_quiet_and_seeded_once(world):
    from chat import demo
    from chat.models import Mention, Message
    from notifications.models import Notification

    class Run:
        lines: list[str] = []

        def say(self, line):
            self.lines.append(line)

    before = Notification.objects.count()
    demo.seed(Run())
    assert Message.objects.filter(room=world.room).count() == len(demo._TALK)
    assert Mention.objects.exists()  # the @mention and @oncall reached people
    assert Notification.objects.count() == before
    demo.seed(Run())  # already there: nothing more
    assert Message.objects.filter(room=world.room).count() == len(demo._TALK)


def test_rooms_backfill_gives_bulk_imported_teams_and_projects_one_room_each(
    db, django_assert_max_num_queries
):
    """Bulk imports skip post_save, so the sweep makes the missing rooms: one insert however
    many, none twice, a room already there left alone, and nothing to do the next minute."""
    from chat import services
    from chat.models import Room, RoomKind
    from projects.models import Project
    from teams.models import Team
    from tests.factories import PersonFactory, TeamFactory

    owner = PersonFactory(username="olive")
    kept = TeamFactory(name="Kept")  # saved: the signal made its room
    kept_room = Room.objects.get(kind=RoomKind.TEAM, team=kept)
    teams = Team.objects.bulk_create(Team(name=f"T{n}", slug=f"t{n}") for n in range(30))
    Project.objects.bulk_create(
        Project(name=f"P{n}", slug=f"p{n}", team=teams[n % 30], owner=owner) for n in range(70)
    )
    with django_assert_max_num_queries(3):
        assert services.rooms_backfill() == 100
    assert services.rooms_backfill() == 0
    assert services.rooms_backfill(limit=5) == 0
    assert Room.objects.filter(kind=RoomKind.TEAM).count() == 31
    assert Room.objects.get(kind=RoomKind.TEAM, team=kept) == kept_room
    assert set(
        Room.objects.filter(kind=RoomKind.PROJECT).values_list("project_id", flat=True)
    ) == set(Project.objects.values_list("pk", flat=True))
    # In slices of `limit` of each kind per call.
    Team.objects.bulk_create(Team(name=f"U{n}", slug=f"u{n}") for n in range(7))
    assert services.rooms_backfill(limit=5) == 5
    assert services.rooms_backfill(limit=5) == 2
    assert services.rooms_backfill(limit=5) == 0
