"""The oncall tests' world: a team with a lead and members, and a schedule (the `world`
fixture of tests/oncall/conftest.py builds one; tests that need a second call World())."""

from __future__ import annotations

from datetime import UTC, datetime

from django.test import Client

from oncall import services
from tests.conftest import sign_in
from tests.factories import SYSTEM, PersonFactory, TeamFactory, add_member


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


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
        spec = {
            "name": "Daily",
            "time_zone": "Europe/London",
            "start": "2026-11-02T09:00",
            "shift_length": {"count": 1, "unit": "days"},
            "participants": [p.pk for p in (people or [self.ana, self.bo])],
        }
        spec.update(extra)
        return services.layer_create(actor=SYSTEM, schedule=self.schedule, **spec)
