"""Who may do what in chat (issue 14, part 8), role by action: only people in a room read or
post in it (managers and admins included: conversations are not an org record), only the
author edits, the author or a lead of the room's team deletes."""

from __future__ import annotations

import pytest

from chat import services
from core.permissions import rule_allows
from tests.clock import actor
from tests.factories import PersonFactory

ROLES = ("author", "member", "lead", "watcher", "manager", "admin", "outsider")
TABLE = {
    ("read_room", "team_room"): {"author", "member", "lead"},
    ("post", "team_room"): {"author", "member", "lead"},
    ("read_room", "project_room"): {"author", "member", "lead", "watcher"},
    ("read_room", "private_room"): {"author", "member"},
    ("edit_message", "message"): {"author"},
    ("delete_message", "message"): {"author", "lead"},
    ("moderate", "message"): {"lead"},
}


@pytest.mark.parametrize("perm, obj", list(TABLE), ids=[f"{p}-{o}" for p, o in TABLE])
def test_role_by_action(world, perm, obj):
    from projects import services as project_services

    manager = PersonFactory(username="maya", org_role="manager")
    admin = PersonFactory(username="ada", org_role="admin")
    project_services.watch_set(
        actor=actor(world.otto), project=world.project, person=world.otto, watching=True
    )
    watcher = world.otto
    outsider = PersonFactory(username="oscar")
    people = {
        "author": world.sam,
        "member": world.lou,
        "lead": world.lead,
        "watcher": watcher,
        "manager": manager,
        "admin": admin,
        "outsider": outsider,
    }
    private = services.private_room_create(
        actor=actor(world.sam), name="Incident", people=[world.lou.pk]
    )
    objects = {
        "team_room": world.room,
        "project_room": world.project_room,
        "private_room": private,
        "message": world.post(world.sam, "hello"),
    }
    allowed = {
        role for role, user in people.items() if rule_allows(user, f"chat.{perm}", objects[obj])
    }
    assert allowed == TABLE[(perm, obj)]
