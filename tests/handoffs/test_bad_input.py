"""Bad input to handoff_send: a clear message on the field at fault, nothing written."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from handoffs import services
from tests.handoffs.world import FRIDAY_SYDNEY_EVENING, HOUR, actor, at, counts, utc

PAST = "2027-03-26T05:00:00+00:00"  # before FRIDAY_SYDNEY_EVENING


def _send(world, *, by=None, **fields):
    fields.setdefault("team", world.team.pk)
    fields.setdefault("title", "Handover")
    fields.setdefault("summary", "Quiet.")
    fields.setdefault("recipients", "people")
    fields.setdefault("people", [world.lou.pk])
    with at(FRIDAY_SYDNEY_EVENING):
        return services.handoff_send(actor=actor(by or world.sam), **fields)


CASES = [
    ("empty note", {"summary": "  ", "items": []}, "summary", "an empty note hands over nothing"),
    ("item due in the past", {"items": [{"text": "x", "due_at": PAST}]}, "items", "in the future"),
    ("naive due", {"items": [{"text": "x", "due_at": "2027-03-27T09:00"}]}, "items", "offset"),
    ("far due", {"items": [{"text": "x", "due_at": "2027-12-01T09:00Z"}]}, "items", "within 90"),
    ("item without text", {"items": [{"text": " "}]}, "items", "Item 1 has no text"),
    ("item unknown field", {"items": [{"text": "x", "priority": 1}]}, "items", "unknown field"),
    ("items not a list", {"items": "do things"}, "items", "are a list"),
    ("item not an object", {"items": ["do things"]}, "items", "not an object"),
    ("no title", {"title": ""}, "title", "A title is required"),
    ("long title", {"title": "x" * 201}, "title", "at most 200"),
    ("bad urgency", {"urgency": "asap"}, "urgency", "not an urgency"),
    ("bad recipients kind", {"recipients": "everyone"}, "recipients", "kind of recipients"),
    ("nobody named", {"people": []}, "people", "at least one person"),
    ("float id", {"people": [1.5]}, "people", "list of ids"),
    ("boolean id", {"people": [True]}, "people", "list of ids"),
    ("people not a list", {"people": "lou"}, "people", "list of ids"),
    ("unknown person", {"people": [999999]}, "people", "No such active person"),
    ("unknown team", {"team": 999999}, "team", "No such team"),
    ("float team", {"team": 1.5}, "team", "No such team"),
    ("unknown schedule", {"schedule": 999999}, "schedule", "No such on-call schedule"),
    (
        "shift ends first",
        {"shift_start": "2027-03-26T06:00Z", "shift_end": "2027-03-25T22:00Z"},
        "shift_end",
        "ends after it starts",
    ),
    ("half a shift", {"shift_start": "2027-03-26T06:00Z"}, "shift_start", "or neither"),
    ("naive shift", {"shift_start": "2027-03-26T06:00", "shift_end": "x"}, "shift_start", "offset"),
    ("unknown project", {"projects": [999999]}, "projects", "No such project"),
    ("unknown update", {"urgent_updates": [999999]}, "urgent_updates", "No such urgent update"),
    (
        "next on call without schedule",
        {"recipients": "next_oncall"},
        "recipients_schedule",
        "No such on-call schedule",
    ),
    (
        "unknown team for next day",
        {"recipients": "team_next_day", "recipients_team": 999999},
        "recipients_team",
        "No such team",
    ),
    ("bad links", {"links": [{"url": "javascript:alert(1)"}]}, "links", "not an http"),
]


@pytest.mark.parametrize(
    "fields, field, message", [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_refused_with_a_message_and_nothing_written(world, fields, field, message):
    before = counts()
    with pytest.raises(ValidationError) as refused:
        _send(world, **fields)
    errors = refused.value.message_dict
    assert field in errors, errors
    assert any(message in m for m in errors[field]), errors[field]
    assert counts() == before


def test_a_recipient_without_access_is_named(world):
    before = counts()
    with pytest.raises(ValidationError) as refused:
        _send(world, people=[world.lou.pk, world.outsider.pk])
    assert refused.value.message_dict["people"] == [
        "Otto Outsider cannot receive it: only active members of Support and the org's managers."
    ]
    assert counts() == before


def test_only_the_teams_members_write_its_notes(world):
    before = counts()
    with pytest.raises(ValidationError, match="your own teams only"):
        _send(world, by=world.outsider)
    with pytest.raises(ValidationError, match="written by a person"):
        with at(FRIDAY_SYDNEY_EVENING):
            services.handoff_send(
                actor=actor(None), team=world.team, title="x", summary="y", recipients="people"
            )
    assert counts() == before


def test_naming_yourself_or_being_next_on_call_yourself_is_refused(world):
    before = counts()
    with pytest.raises(ValidationError, match="name someone else"):
        _send(world, people=[world.sam.pk])
    # 07:00 UTC: Lou's shift runs, Nia is next; Nia cannot hand over to herself.
    with pytest.raises(ValidationError, match="on call next for Follow the sun yourself"):
        with at(utc(2027, 3, 26, 7)):
            services.handoff_send(
                actor=actor(world.nia),
                team=world.team,
                title="x",
                summary="y",
                recipients="next_oncall",
                recipients_schedule=world.schedule.pk,
            )
    assert counts() == before


def test_an_owner_who_is_not_a_recipient_and_a_closed_item_to_carry(world):
    before = counts()
    with pytest.raises(ValidationError, match="Nia New York is not a recipient"):
        _send(world, items=[{"text": "x", "owner": world.nia.pk}])
    assert counts() == before
    first = world.send(people=[world.lou.pk], items=[{"text": "Old", "owner": world.lou.pk}])
    (old,) = first.items.all()
    with at(FRIDAY_SYDNEY_EVENING + HOUR):
        services.item_act(actor=actor(world.lou), item=old, action="done")
    before = counts()
    with pytest.raises(ValidationError, match="the item it carries is done"):
        _send(world, items=[{"text": "Again", "carried_from": old.pk}])
    with pytest.raises(ValidationError, match="no such open item"):
        _send(world, items=[{"text": "Again", "carried_from": 999999}])
    assert counts() == before
