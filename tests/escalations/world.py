"""The escalations tests' world: a team (Platform) spread over Sydney, London and New York, its
on-call schedule (Lou in London, on call around the clock), a project owned from Sydney, an org
manager, an admin and an outsider on another team; helpers that raise and fire under time travel.

The instant most tests use: Tuesday 2 March 2027, 03:00 in Sydney (AEDT, UTC+11) is Monday
1 March 16:00 UTC: 16:00 in London (Lou and the lead are working) and 11:00 in New York.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from core.audit import Actor
from core.models import AuditEvent
from escalations import engine, services
from escalations.models import (
    EscalationPolicy,
    EscalationStep,
    PolicyStep,
    PolicyTarget,
    TimelineEntry,
    UrgentUpdate,
)
from notifications.models import Notification
from oncall import services as oncall_services
from projects import services as project_services
from tests.clock import actor, at, utc  # noqa: F401  (the tests import them from here)
from tests.factories import PersonFactory, TeamFactory, add_member

SYSTEM = Actor.system(via="test")
SYDNEY_3AM = datetime(2027, 3, 1, 16, 0, tzinfo=UTC)


class World:
    def __init__(self) -> None:
        self.team = TeamFactory(name="Platform")
        self.other_team = TeamFactory(name="Payments")
        self.lead = PersonFactory(username="lena", display_name="Lena Lead")
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
        self.manager = PersonFactory(
            username="maya", display_name="Maya Manager", org_role="manager"
        )
        self.admin = PersonFactory(username="ada", display_name="Ada Admin", org_role="admin")
        self.outsider = PersonFactory(username="otto", display_name="Otto Outsider")
        add_member(self.team, self.lead, "lead")
        for person in (self.sam, self.lou, self.nia):
            add_member(self.team, person)
        add_member(self.other_team, self.outsider)
        self.project = project_services.project_create(
            actor=SYSTEM, team=self.team, name="Checkout", owner=self.sam
        )
        self.schedule = oncall_services.schedule_create(
            actor=SYSTEM, team=self.team, name="Primary", time_zone="Europe/London"
        )
        oncall_services.layer_create(
            actor=SYSTEM,
            schedule=self.schedule,
            name="Lou all week",
            time_zone="Europe/London",
            start="2026-11-02T09:00",
            shift_length={"count": 1, "unit": "weeks"},
            participants=[self.lou.pk],
        )

    def raise_update(self, *, when: datetime = SYDNEY_3AM, by=None, **fields):
        """Raise on the project (unless `team=` is given) at `when`, running what commits."""
        fields.setdefault("severity", "high")
        fields.setdefault("title", "Checkout is down")
        if "team" not in fields:
            fields.setdefault("project", self.project)
        with at(when), self.on_commit():
            return services.update_raise(actor=actor(by or self.lead), **fields)

    def policy(self, steps, *, repeat_count: int = 0, project=None, by=None):
        target = {"project": project} if project is not None else {"team": self.team}
        return services.policy_set(
            actor=actor(by or self.lead), steps=steps, repeat_count=repeat_count, **target
        )

    def sweep(self, when: datetime) -> int:
        with at(when), self.on_commit():
            return engine.sweep()

    # Set by the conftest: pytest-django's django_capture_on_commit_callbacks(execute=True).
    on_commit = None


def pages(person, kind: str = "escalation.page") -> list[Notification]:
    return list(Notification.objects.filter(recipient=person, kind=kind).order_by("id"))


def timeline(update) -> list[tuple[str, str]]:
    return list(update.timeline.order_by("at", "id").values_list("kind", "text"))


def counts() -> dict[str, int]:
    """Rows of every table the escalations services write (for "nothing written")."""
    return {
        model.__name__: model.objects.count()
        for model in (
            UrgentUpdate,
            EscalationStep,
            TimelineEntry,
            EscalationPolicy,
            PolicyStep,
            PolicyTarget,
            AuditEvent,
            Notification,
        )
    }


MINUTE = timedelta(minutes=1)
