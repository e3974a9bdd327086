"""Every page of Baton, given nonsense, answers without a server error (the API has
tests/site/test_api_fuzz.py). The routes come from the URL walk (tests/routes.py) that
tests/site/test_url_walk.py uses, so a new page is covered without editing this file."""

from __future__ import annotations

import re

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from tests.conftest import sign_in
from tests.factories import SYSTEM, PersonFactory
from tests.oncall.world import team_on_call
from tests.routes import ROUTES

OUR_APPS = (
    "teams.",
    "accounts.",
    "oncall.",
    "notifications.",
    "projects.",
    "escalations.",
    "handoffs.",
    "chat.",
)
JUNK = {
    "page": "-1",
    "q": "\x00' OR 1=1 --<script>",
    "team": "abc",
    "country": "ZZZZ",
    "working_now": "maybe",
    "start": "not-a-date",
    "end": "2026-13-45T99:99",
    "at": "yesterday",
    "view": "century",
    "zone": "Mars/Base",
    "tz": "\x00",
    "kind": "../../etc/passwd",
    "unread": "2",
    "date_from": "2026-02-31",
    "date_to": "0000-00-00",
    "action": "x" * 500,
    "actor": "\x00",
    "cursor": "%%%",
    "name": "",
    "time_zone": "Not/AZone",
    "working_hours": "mon 25:00-26:00",
    "role": "emperor",
    "org_role": "root",
    "participants": "x,y",
    "shift_length": "-5",
}
PAGES = [
    r
    for r in ROUTES
    if getattr(r.callback, "__module__", "").startswith(OUR_APPS) and not r.path.startswith("/api/")
]


def _world() -> tuple[Client, dict[str, dict]]:
    """A signed-in admin who leads a team with a schedule, a layer, an override, a swap, a
    webhook, a notification and a token: the objects the pages' addresses name."""
    from datetime import UTC, datetime

    from accounts.services import api_token_create
    from notifications import services as notifications
    from oncall import services as oncall
    from oncall.models import SwapRequest

    admin = PersonFactory(username="junk-admin", org_role="admin")
    member = PersonFactory(username="junk-member")
    team, schedule, layer = team_on_call("Junk team", admin, [member])
    override = oncall.override_create(
        actor=SYSTEM,
        schedule=schedule,
        person=member,
        start="2026-12-01T00:00:00Z",
        end="2026-12-01T06:00:00Z",
    )
    swap = SwapRequest.objects.create(
        schedule=schedule,
        requester=admin,
        start=datetime(2026, 12, 2, tzinfo=UTC),
        end=datetime(2026, 12, 3, tzinfo=UTC),
    )
    token, _ = api_token_create(actor=SYSTEM, user=admin, name="junk", scopes=["people:read"])
    notice = notifications.notify(
        recipients=[admin], kind="notifications.test", title="Hello", idempotency_key="junk"
    )[0]
    with override_settings(NOTIFICATIONS_WEBHOOK_ALLOWED_HOSTS=["127.0.0.1"]):
        hook = notifications.webhook_create(
            actor=SYSTEM, owner=admin, name="Junk hook", url="http://127.0.0.1:9/hook"
        )
    from projects import services as projects

    project = projects.project_create(actor=SYSTEM, team=team, name="Junk project", owner=admin)
    goal = projects.goal_create(actor=SYSTEM, project=project, title="Junk goal")
    transfer = projects.transfer_propose(
        actor=SYSTEM, project=project, to_person=member, reason="Junk"
    )
    from core.audit import Actor
    from escalations import services as escalations

    urgent = escalations.update_raise(
        actor=Actor(user=member, via="test"), project=project, severity="high", title="Junk"
    )
    key, _ = escalations.integration_key_create(actor=SYSTEM, team=team, name="Junk key")
    from handoffs import services as handoffs

    note = handoffs.handoff_send(
        actor=Actor(user=admin, via="test"),
        team=team,
        title="Junk note",
        summary="Junk",
        recipients="people",
        people=[member.pk],
        items=[{"text": "Junk item"}],
    )
    ids = {
        "handoff": {"pk": note.pk, "item_id": note.items.get().pk},
        "urgent-update": {"pk": urgent.pk},
        "urgent-team": {"slug": team.slug, "key_id": key.pk},
        "urgent-project": {"slug": project.slug},
        "project": {"slug": project.slug, "goal_id": goal.pk, "pk": transfer.pk},
        "person": {"pk": member.pk},
        "team": {"slug": team.slug, "person_id": member.pk},
        "api-token": {"pk": token.pk},
        "notification": {"pk": notice.pk},
        "notifications-test": {"channel": "email"},
        "webhook": {"pk": hook.pk},
        "oncall": {
            "pk": schedule.pk,
            "layer_id": layer.pk,
            "override_id": override.pk,
            "swap_id": swap.pk,
            "action": "approve",
        },
    }
    return sign_in(Client(), admin), ids


def _path(route, ids: dict[str, dict]) -> str:
    """The route's address with the world's objects in it (the walk's placeholder otherwise)."""
    names = re.findall(r"<(?:\w+:)?(\w+)>", route.route)
    if not names:
        return route.path
    families = [key for key in ids if route.name.startswith(key)]
    if not families:
        return route.path
    known = ids[max(families, key=len)]  # "notifications-test" before "notification"
    if not set(names) <= set(known):
        return route.path  # e.g. a feed's secret token: the placeholder is as good
    return reverse(route.name, kwargs={name: known[name] for name in names})


@pytest.mark.parametrize("route", PAGES, ids=[f"{r.name}:{r.path}" for r in PAGES])
def test_page_survives_nonsense(db, route):
    client, ids = _world()
    path = _path(route, ids)
    response = client.get(path, JUNK)
    assert response.status_code < 500, (path, response.status_code)
    response = client.post(path, JUNK)
    assert response.status_code < 500, (path, response.status_code)
