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
