"""Fixtures for the notifications tests."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from core.audit import Actor
from notifications import services
from tests.factories import ALWAYS, PersonFactory, TeamFactory, add_member


@pytest.fixture
def team_hook(db, settings):
    """A team whose lead (always at work) added a team webhook: .team, .lead, .hook."""
    settings.NOTIFICATIONS_WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]
    lead = PersonFactory(username="lead", working_hours=ALWAYS)
    team = TeamFactory(name="Hooked")
    add_member(team, lead, role="lead")
    hook = services.webhook_create(
        actor=Actor.system(user=lead),
        owner=lead,
        team=team,
        name="Team",
        url="http://127.0.0.1:9/t",
    )
    return SimpleNamespace(team=team, lead=lead, hook=hook)
