"""A small org for the projects tests: one team with a lead and two members (London), an
outsider on another team, a manager and an admin, and `project()` to make projects through the
service (so test data obeys the same rules).

    def test_x(org):
        project = org.project(owner=org.member)
"""

from __future__ import annotations

from datetime import timedelta

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.audit import Actor
from core.models import AuditEvent
from notifications.models import Notification
from projects import services
from projects.models import Goal, OwnershipTransfer, Project, ProjectHistory, ProjectUpdate, Watch
from tests.conftest import sign_in
from tests.factories import PersonFactory, TeamFactory, add_member

SYSTEM = Actor.system(via="test")


def actor(user) -> Actor:
    return Actor(user=user, via="test")


class Org:
    def __init__(self) -> None:
        self.team = TeamFactory(name="Platform")
        self.other_team = TeamFactory(name="Payments")
        self.lead = PersonFactory(display_name="Lena Lead")
        self.member = PersonFactory(display_name="Mo Member")
        self.member2 = PersonFactory(display_name="Nia Member")
        self.outsider = PersonFactory(display_name="Otto Outsider")
        self.manager = PersonFactory(display_name="Maya Manager", org_role="manager")
        self.admin = PersonFactory(display_name="Ada Admin", org_role="admin")
        add_member(self.team, self.lead, "lead")
        add_member(self.team, self.member)
        add_member(self.team, self.member2)
        add_member(self.other_team, self.outsider)
        self._n = 0

    def project(self, *, owner=None, team=None, by=None, **fields):
        self._n += 1
        fields.setdefault("name", f"Project {self._n:03d}")
        return services.project_create(
            actor=actor(by) if by is not None else SYSTEM,
            team=team or self.team,
            owner=owner or self.member,
            **fields,
        )

    def propose(self, project, to_person, *, by=None, reason: str = "x"):
        """A transfer of `project` to `to_person`, proposed by `by` (else by Baton)."""
        return services.transfer_propose(
            actor=actor(by) if by is not None else SYSTEM,
            project=project,
            to_person=to_person,
            reason=reason,
        )

    def name_acting(self, project, person, *, by=None, days: int = 10):
        """`person` acts as the owner of `project` for the next `days` days (named by `by`,
        else by Baton)."""
        return services.acting_set(
            actor=actor(by) if by is not None else SYSTEM,
            project=project,
            acting_owner=person,
            until=timezone.now().date() + timedelta(days=days),
        )


# --- helpers the projects tests share ---------------------------------------------------------


def client_for(user) -> Client:
    """A test client signed in (with MFA done) as `user`."""
    return sign_in(Client(), user)


def send(client: Client, method: str, url: str, body=None):
    """A JSON request (`body` None: no body)."""
    if body is None:
        return getattr(client, method)(url)
    return getattr(client, method)(url, body, content_type="application/json")


def later(days: int = 10) -> str:
    return (timezone.now() + timedelta(days=days)).date().isoformat()


def html_of(response) -> str:
    return response.content.decode()


def query_count(client, url, django_assert_max_num_queries, **extra) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, **extra)
    assert response.status_code == 200, url
    return len(queries)


def counts() -> dict[str, int]:
    """How many rows each table the projects services write holds (for "nothing written")."""
    return {
        model.__name__: model.objects.count()
        for model in (
            Project,
            Goal,
            ProjectUpdate,
            OwnershipTransfer,
            ProjectHistory,
            Watch,
            AuditEvent,
            Notification,
        )
    }
