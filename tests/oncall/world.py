"""The oncall tests' world: a team with a lead and members, and a schedule (the `world`
fixture of tests/oncall/conftest.py builds one; tests that need a second call World()); and
the daily layer that tests elsewhere put on a schedule of their own (daily_layer)."""

from __future__ import annotations

from datetime import UTC, datetime

from django.test import Client

from core.audit import Actor
from oncall import services
from tests.conftest import sign_in
from tests.factories import SYSTEM, PersonFactory, TeamFactory, add_member


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def daily_layer(schedule, people, **extra):
    """A daily rotation of `people` on `schedule`, handing off at 09:00 London from Monday
    2 November 2026 (`extra` replaces any of these rules or adds others)."""
    spec = {
        "name": "Daily",
        "time_zone": "Europe/London",
        "start": "2026-11-02T09:00",
        "shift_length": {"count": 1, "unit": "days"},
        "participants": [p.pk for p in people],
        **extra,
    }
    return services.layer_create(actor=SYSTEM, schedule=schedule, **spec)


def team_on_call(name: str, lead, members):
    """A team `name` that `lead` leads with `members`, its schedule (Europe/London) and a
    daily layer of them all: (team, schedule, layer)."""
    team = TeamFactory(name=name)
    add_member(team, lead, role="lead")
    for person in members:
        add_member(team, person)
    schedule = services.schedule_create(
        actor=SYSTEM, team=team, name=f"{name} on call", time_zone="Europe/London"
    )
    return team, schedule, daily_layer(schedule, [lead, *members])


class World:
    def __init__(self):
        self.team = TeamFactory(name="SRE")
        self.lead = PersonFactory(username="lena", display_name="Lena Lead")
        self.ana = PersonFactory(username="ana", display_name="Ana", time_zone="Asia/Manila")
        self.bo = PersonFactory(username="bo", display_name="Bo", time_zone="America/New_York")
        self.cy = PersonFactory(username="cy", display_name="Cy")
        self.outsider = PersonFactory(username="olly", display_name="Olly Outsider")
        self.admin = PersonFactory(username="adm", display_name="Adm", org_role="admin")
        add_member(self.team, self.lead, role="lead")
        for person in (self.ana, self.bo, self.cy):
            add_member(self.team, person)
        self.schedule = services.schedule_create(
            actor=SYSTEM, team=self.team, name="Primary", time_zone="Europe/London"
        )

    def client(self, user) -> Client:
        return sign_in(Client(), user)

    def daily_layer(self, people=None, **extra):
        return daily_layer(self.schedule, people or [self.ana, self.bo], **extra)

    def override(self, person, start, end, *, schedule=None):
        """`person` covers start-end on `schedule` (the World's unless given), put there by
        the system."""
        return services.override_create(
            actor=SYSTEM, schedule=schedule or self.schedule, person=person, start=start, end=end
        )

    def swap(self, person, start, end):
        """`person` asks to give start-end of the World's schedule away."""
        return services.swap_request_create(
            actor=Actor(user=person), schedule=self.schedule, start=start, end=end
        )
