"""factory_boy factories that go through the services, so test data obeys the same rules."""

from __future__ import annotations

import factory

from core.audit import Actor
from teams import services
from teams.models import Team

SYSTEM = Actor.system(via="test")


class PersonFactory(factory.Factory):
    """PersonFactory(org_role="admin", time_zone="Asia/Manila") -> a User with a profile."""

    class Meta:
        model = dict

    username = factory.Sequence(lambda n: f"person{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.com")
    display_name = factory.Sequence(lambda n: f"Person {n:04d}")
    time_zone = "Europe/London"
    country = "GB"
    working_hours = None
    org_role = "member"
    password = "correct-horse-battery"

    @classmethod
    def _create(cls, model_class, **kwargs):
        return services.person_create(actor=SYSTEM, send_invite=False, **kwargs)

    _build = _create


class TeamFactory(factory.Factory):
    class Meta:
        model = Team

    name = factory.Sequence(lambda n: f"Team {n:03d}")
    parent = None
    description = ""

    @classmethod
    def _create(cls, model_class, **kwargs):
        return services.team_create(actor=SYSTEM, **kwargs)

    _build = _create


def add_member(team, person, role="member"):
    return services.membership_set(actor=SYSTEM, team=team, person=person, role=role)
