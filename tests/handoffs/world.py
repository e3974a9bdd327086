"""The handoffs tests' world: a support team working follow-the-sun from Sydney, London and New
York (09:00-17:00 local, Monday to Friday), its on-call schedule "Follow the sun" (8-hour
shifts in UTC: Sam 22:00-06:00, Lou 06:00-14:00, Nia 14:00-22:00), a project, an org
manager, and an outsider on another team.

The week the tests live in is the one London's clocks go forward (Sunday 28 March 2027; Sydney
goes back a week later, New York went forward on 14 March), so "tomorrow morning" is 23 hours
away in London over that weekend. FRIDAY_SYDNEY_EVENING: Friday 26 March 2027, 17:30 in
Sydney (AEDT, UTC+11) = 06:30 UTC = 06:30 in London (GMT) = 02:30 in New York (EDT).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from core.audit import Actor
from core.models import AuditEvent
from handoffs import engine, services
from handoffs.models import HandoffFollowUp, HandoffItem, HandoffNote, HandoffRecipient
from notifications.models import Notification
from oncall import services as oncall_services
from projects import services as project_services
from tests.clock import actor, at, utc  # noqa: F401  (the tests import them from here)
from tests.factories import PersonFactory, TeamFactory, add_member

SYSTEM = Actor.system(via="test")
FRIDAY_SYDNEY_EVENING = datetime(2027, 3, 26, 6, 30, tzinfo=UTC)
HOUR = timedelta(hours=1)


class World:
    def __init__(self) -> None:
        self.team = TeamFactory(name="Support")
        self.other_team = TeamFactory(name="Billing")
        self.sam = PersonFactory(
            username="sam", display_name="Sam Sydney", time_zone="Australia/Sydney", country="AU"
        )
        self.lou = PersonFactory(username="lou", display_name="Lou London")
        self.nia = PersonFactory(
            username="nia",
            display_name="Nia New York",
            time_zone="America/New_York",
            country="US",
        )
        self.lead = PersonFactory(username="lena", display_name="Lena Lead")
        self.manager = PersonFactory(
            username="maya", display_name="Maya Manager", org_role="manager"
        )
        self.outsider = PersonFactory(username="otto", display_name="Otto Outsider")
        add_member(self.team, self.lead, "lead")
        for person in (self.sam, self.lou, self.nia):
            add_member(self.team, person)
        add_member(self.other_team, self.outsider)
        self.project = project_services.project_create(
            actor=SYSTEM, team=self.team, name="Payments API", owner=self.lou
        )
        self.schedule = oncall_services.schedule_create(
            actor=SYSTEM, team=self.team, name="Follow the sun", time_zone="UTC"
        )
        oncall_services.layer_create(
            actor=SYSTEM,
            schedule=self.schedule,
            name="Three regions",
            time_zone="UTC",
            start="2027-03-01T22:00",
            shift_length={"count": 8, "unit": "hours"},
            participants=[self.sam.pk, self.lou.pk, self.nia.pk],
        )

    def send(self, *, by=None, when: datetime = FRIDAY_SYDNEY_EVENING, **fields):
        """Send a note (by Sam unless `by`) at `when`, running what commits."""
        fields.setdefault("team", self.team)
        fields.setdefault("title", "Friday handover")
        fields.setdefault("summary", "Queue is quiet; **one** refund stuck.")
        if "recipients" not in fields:
            fields["recipients"] = "people"
            fields.setdefault("people", [self.lou.pk])
        with at(when), self.on_commit():
            return services.handoff_send(actor=actor(by or self.sam), **fields)

    def sweep(self, when: datetime) -> int:
        """Deliveries due at `when` (how many)."""
        with at(when), self.on_commit():
            return engine.deliver_due()

    def sweep_all(self, when: datetime) -> dict[str, int]:
        """The beat's sweep at `when`: delivered, reminded, escalated (prompts: test_prompts)."""
        with at(when), self.on_commit():
            counts = engine.sweep()
        counts.pop("prompted")
        return counts

    # Set by the conftest: pytest-django's django_capture_on_commit_callbacks(execute=True).
    on_commit = None


def received(person, kind: str = "handoffs.received") -> list[Notification]:
    return list(Notification.objects.filter(recipient=person, kind=kind).order_by("id"))


def counts() -> dict[str, int]:
    """Rows of every table the handoffs services write (for "nothing written")."""
    return {
        model.__name__: model.objects.count()
        for model in (
            HandoffNote,
            HandoffRecipient,
            HandoffItem,
            HandoffFollowUp,
            AuditEvent,
            Notification,
        )
    }


class ChatPoster:
    """Chat in the world: its team's room, its project's room, direct and private rooms, and
    messages posted (and deleted) at a given instant."""

    def __init__(self, world: World) -> None:
        from chat import selectors

        self.world = world
        self.team_room = selectors.team_room(world.team.pk)
        self.project_room = selectors.project_room(world.project.pk)

    def direct(self, a, b):
        from chat import services

        return services.direct_room_open(actor=actor(a), person=b)

    def private(self, name: str, by, people):
        from chat import services

        return services.private_room_create(actor=actor(by), name=name, people=people)

    def post(self, *, when: datetime, body: str, by=None, room=None, topic: str = "general"):
        """A message by Sam unless `by`, in the team's room unless `room`."""
        from chat import services

        with at(when), self.world.on_commit():
            return services.message_post(
                actor=actor(by or self.world.sam),
                room=room or self.team_room,
                body=body,
                topic=topic,
            )

    def delete(self, message, *, when: datetime):
        from chat import services

        with at(when), self.world.on_commit():
            return services.message_delete(actor=actor(message.author), message=message)
