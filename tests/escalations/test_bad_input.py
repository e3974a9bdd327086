"""Bad input to the services: a clear ValidationError naming the field, and nothing written."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from escalations import services
from escalations.models import MAX_WAIT_MINUTES
from tests.escalations.world import actor, counts


def _refused(call, field: str, needle: str = "") -> str:
    before = counts()
    with pytest.raises(ValidationError) as exc:
        call()
    assert field in exc.value.message_dict, exc.value.message_dict
    message = " ".join(exc.value.message_dict[field])
    assert needle in message, message
    assert counts() == before
    return message


def _raise(world, **fields):
    fields.setdefault("severity", "high")
    fields.setdefault("title", "Down")
    if "team" not in fields:
        fields.setdefault("project", world.project)
    return lambda: services.update_raise(actor=actor(world.lead), **fields)


@pytest.mark.parametrize(
    "fields, field, needle",
    [
        ({"project": 10**9}, "project", "No such project"),
        ({"project": "checkout"}, "project", "No such project"),
        ({"project": None, "team": 10**9}, "team", "No such team"),
        ({"project": None}, "team", "Give a project or a team"),
        ({"severity": "sev1"}, "severity", "'sev1' is not a severity (high, critical)"),
        ({"severity": ""}, "severity", "not a severity"),
        ({"title": "   "}, "title", "A title is required"),
        ({"title": "x" * 201}, "title", "at most 200"),
        ({"body": "x" * 20_001}, "body", "at most 20,000"),
        ({"raised_via": "carrier pigeon"}, "raised_via", "not a way of raising"),
    ],
)
def test_raising_refuses_bad_input(world, fields, field, needle):
    _refused(_raise(world, **fields), field, needle)


def test_a_project_of_another_team_is_refused(world):
    _refused(_raise(world, team=world.other_team, project=world.project), "project", "another team")


def test_one_message_names_every_bad_field(world):
    with pytest.raises(ValidationError) as exc:
        _raise(world, severity="meh", title="")()
    assert set(exc.value.message_dict) == {"severity", "title"}


def _policy(world, steps, **extra):
    return lambda: services.policy_set(
        actor=actor(world.lead), team=world.team, steps=steps, **extra
    )


LEAD = [{"kind": "lead"}]


@pytest.mark.parametrize(
    "steps, needle",
    [
        ([], "at least one step"),
        (None, "Steps are a list"),
        ("lead", "Steps are a list"),
        ([{"wait_minutes": 5, "targets": []}], "Step 1 needs at least one target"),
        ([{"wait_minutes": 5, "targets": [{"kind": "boss"}]}], "'boss' is not a target kind"),
        ([{"wait_minutes": 5, "targets": ["lead"]}], 'a target is {"kind": ...}'),
        ([{"wait_minutes": -1, "targets": LEAD}], f"whole number from 0 to {MAX_WAIT_MINUTES}"),
        ([{"wait_minutes": 10**9, "targets": LEAD}], "Step 1: the wait (minutes)"),
        ([{"wait_minutes": 1.5, "targets": LEAD}], "whole number"),
        ([{"wait_minutes": True, "targets": LEAD}], "whole number"),
        ([{"wait_minutes": "5m", "targets": LEAD}], "whole number"),
        ([{"targets": LEAD}], "whole number"),
        ([{"wait_minutes": 5, "targets": LEAD, "extra": 1}], "Step 1 is not"),
        ([{"wait_minutes": 5, "targets": LEAD}] * 11, "at most 10 steps"),
        ([{"wait_minutes": 5, "targets": [{"kind": "oncall"}]}], "name the schedule"),
        (
            [{"wait_minutes": 5, "targets": [{"kind": "oncall", "schedule_id": 10**9}]}],
            "Step 1, target 1: no such on-call schedule",
        ),
        ([{"wait_minutes": 5, "targets": [{"kind": "person"}]}], "name the person"),
        (
            [{"wait_minutes": 5, "targets": [{"kind": "person", "person_id": 10**9}]}],
            "no such active person",
        ),
        (
            [{"wait_minutes": 5, "targets": [{"kind": "lead", "person_id": 3}]}],
            "'person_id' does not go with the kind 'lead'",
        ),
        ([{"wait_minutes": 5, "targets": LEAD * 2}], "the same target twice"),
    ],
)
def test_a_bad_policy_is_refused(world, steps, needle):
    _refused(_policy(world, steps), "steps", needle)


def test_a_policy_naming_someone_outside_the_team_is_refused(world):
    steps = [
        {"wait_minutes": 5, "targets": LEAD},
        {"wait_minutes": 5, "targets": [{"kind": "person", "person_id": world.outsider.pk}]},
    ]
    message = _refused(_policy(world, steps), "steps", "Step 2, target 1: Otto Outsider")
    assert "not in the team Platform" in message


def test_managers_and_members_may_be_named(world):
    steps = [
        {
            "wait_minutes": 5,
            "targets": [
                {"kind": "person", "person_id": world.manager.pk},
                {"kind": "person", "person_id": world.nia.pk},
            ],
        }
    ]
    policy = _policy(world, steps)()
    assert [t.person_id for t in policy.steps.get().targets.order_by("position")] == [
        world.manager.pk,
        world.nia.pk,
    ]


@pytest.mark.parametrize("repeat_count", [-1, 10, "x", 2.5])
def test_a_bad_repeat_count_is_refused(world, repeat_count):
    _refused(
        _policy(world, [{"wait_minutes": 5, "targets": LEAD}], repeat_count=repeat_count),
        "repeat_count",
        "The repeat count is a whole number from 0 to 9",
    )


def test_an_unknown_team_for_a_policy_is_refused(world):
    before = counts()
    with pytest.raises(ValidationError) as exc:
        services.policy_set(
            actor=actor(world.lead), team=10**9, steps=[{"wait_minutes": 1, "targets": LEAD}]
        )
    assert "No such team." in exc.value.message_dict["team"]
    assert counts() == before
