"""The chat tests' world: Support (Sam in Sydney, Lou in London, Nia in New York, Lena its
lead), its on-call schedule (Nia on call), a project of Lou's watched by Otto from another
team, and Otto (Billing) outside Support."""

from __future__ import annotations

import pytest
from django.test import Client

from chat import selectors
from oncall import services as oncall_services
from projects import services as project_services
from tests.clock import actor
from tests.conftest import sign_in
from tests.factories import PersonFactory, TeamFactory, add_member


class ChatWorld:
    def __init__(self) -> None:
        from core.audit import Actor

        system = Actor.system(via="test")
        self.team = TeamFactory(name="Support", slug="support")
        self.billing = TeamFactory(name="Billing", slug="billing")
        self.sam = PersonFactory(
            username="sam", display_name="Sam Sydney", time_zone="Australia/Sydney", country="AU"
        )
        self.lou = PersonFactory(username="lou", display_name="Lou London")
        self.nia = PersonFactory(
            username="nia", display_name="Nia New York", time_zone="America/New_York"
        )
        self.lead = PersonFactory(username="lena", display_name="Lena Lead")
        self.otto = PersonFactory(username="otto", display_name="Otto Outsider")
        add_member(self.team, self.lead, "lead")
        for person in (self.sam, self.lou, self.nia):
            add_member(self.team, person)
        add_member(self.billing, self.otto)
        self.project = project_services.project_create(
            actor=system, team=self.team, name="Payments API", owner=self.lou
        )
        self.schedule = oncall_services.schedule_create(
            actor=system, team=self.team, name="Primary", time_zone="UTC"
        )
        oncall_services.layer_create(
            actor=system,
            schedule=self.schedule,
            name="Nia always",
            time_zone="UTC",
            start="2020-01-01T00:00",
            shift_length={"count": 1, "unit": "weeks"},
            participants=[self.nia.pk],
        )
        self.room = selectors.team_room(self.team.pk)
        self.project_room = selectors.project_room(self.project.pk)

    def post(self, who, body="Hello", room=None, **extra):
        from chat import services

        with self.on_commit():
            return services.message_post(
                actor=actor(who), room=room or self.room, body=body, **extra
            )

    def grow(self, *, rooms: int = 1000, messages: int = 1000, mention=None) -> None:
        """Sam in `rooms` more private rooms, and `messages` more in Support after the first
        (by Lou and Nia in turn; each mentioning `mention` when given): the query-count
        tests' "1,000" side."""
        from django.utils import timezone

        from chat.models import Message, Room, RoomKind, RoomMember, Topic

        now = timezone.now()
        made = Room.objects.bulk_create(
            [Room(kind=RoomKind.PRIVATE, name=f"r{n}", created_at=now) for n in range(rooms)]
        )
        RoomMember.objects.bulk_create(
            [RoomMember(room=r, person=self.sam, joined_at=now) for r in made]
        )
        topic = Topic.objects.get(room=self.room)
        tag = f" @{mention.username}" if mention is not None else ""
        reached = [{"person": mention.pk, "via": tag.strip()}] if mention is not None else []
        Message.objects.bulk_create(
            [
                Message(
                    room=self.room,
                    seq=n,
                    topic=topic,
                    author=self.lou if n % 2 else self.nia,
                    body=f"m{n}{tag}",
                    body_html=f"<p>m{n}</p>",
                    created_at=now,
                    mentions=reached,
                )
                for n in range(2, messages + 2)
            ]
        )
        Room.objects.filter(pk=self.room.pk).update(last_seq=messages + 1)

    def client(self, who) -> Client:
        return sign_in(Client(), who)

    on_commit = None


@pytest.fixture
def world(db, django_capture_on_commit_callbacks, settings):
    import uuid

    from django.core.cache import cache

    # The rate limit counts in the cache. With REDIS_URL that cache is Redis, shared by the
    # test workers (whose people have the same ids): a cache of this test's own instead.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"chat-test-{uuid.uuid4().hex}",
        }
    }
    # The tests post fast on purpose; test_messages checks the rate limit by itself.
    settings.CHAT_RATE_MESSAGES = 10_000
    cache.clear()
    w = ChatWorld()
    w.on_commit = lambda: django_capture_on_commit_callbacks(execute=True)
    return w
