"""factory_boy factories that go through the services, so test data obeys the same rules."""

from __future__ import annotations

import factory

from core.audit import Actor
from teams import services
from teams.hours import DAY_KEYS
from teams.models import Team

SYSTEM = Actor.system(via="test")

# Working hours of someone always at work: nothing is held for their quiet hours.
ALWAYS = {day: ["00:00-24:00"] for day in DAY_KEYS}

# A test person's zone unless the test says otherwise.
DEFAULT_ZONE = ("Europe/London", "GB")


def person_defaults(n: int, *, prefix: str = "person", zone: tuple[str, str] = DEFAULT_ZONE):
    """The fields the n-th test person gets unless a test says otherwise: the one place for
    them, used by PersonFactory (through teams.services.person_create) and by
    tests/bulk.py's bulk_people (bulk rows for query-count and load tests).
    working_hours None means the default hours (teams.validation.DEFAULT_WORKING_HOURS)."""
    username = f"{prefix}{n:06d}"
    return {
        "username": username,
        "email": f"{username}@example.com",
        "display_name": f"{prefix.title()} {n:06d}",
        "time_zone": zone[0],
        "country": zone[1],
        "working_hours": None,
        "org_role": "member",
    }


_FACTORY_DEFAULTS = person_defaults(0)


class PersonFactory(factory.Factory):
    """PersonFactory(org_role="admin", time_zone="Asia/Manila") -> a User with a profile."""

    class Meta:
        model = dict

    username = factory.Sequence(lambda n: person_defaults(n)["username"])
    # An explicit username gets the address that goes with it, as in person_defaults.
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.com")
    display_name = factory.Sequence(lambda n: person_defaults(n)["display_name"])
    time_zone = _FACTORY_DEFAULTS["time_zone"]
    country = _FACTORY_DEFAULTS["country"]
    working_hours = _FACTORY_DEFAULTS["working_hours"]
    org_role = _FACTORY_DEFAULTS["org_role"]
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


def person(username: str, display_name: str, zone: tuple[str, str] = DEFAULT_ZONE, **fields):
    """A test person named in one line: person("ana", "Ana Reyes", ("Asia/Manila", "PH"),
    title="SRE"); PersonFactory for the rest."""
    time_zone, country = zone
    return PersonFactory(
        username=username,
        display_name=display_name,
        time_zone=time_zone,
        country=country,
        **fields,
    )


def add_member(team, person, role="member"):
    return services.membership_set(actor=SYSTEM, team=team, person=person, role=role)
