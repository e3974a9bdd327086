"""Acknowledging: each recipient acknowledges the note and acts on their items (acknowledge,
done, hand back with a reason); the author is told; a note acknowledged once is never edited
again, only followed up; who may do what (the role x action table)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from core.permissions import rule_allows
from handoffs import services
from handoffs.models import HandoffRecipient, ItemStatus
from tests.handoffs.world import actor, at, counts, received, utc

MORNING = utc(2027, 3, 26, 9, 30)  # 09:30 in London: Lou has the note


@pytest.fixture
def note(world):
    return world.send(
        people=[world.lou.pk, world.nia.pk],
        items=[
            {"text": "Refund #42 stuck", "owner": world.lou.pk, "next_action": "Ask the bank"},
            {"text": "Cert renews Monday", "owner": world.nia.pk},
            {"text": "Someone look at the flaky test"},
        ],
    )


def test_recipient_acknowledges_once_and_the_author_is_told(world, note):
    with at(MORNING):
        row = services.handoff_acknowledge(actor=actor(world.lou), note=note)
        assert row.acknowledged_at == MORNING and row.read_at == MORNING
        (told,) = received(world.sam, "handoffs.acknowledged")
        assert told.title == "Lou London acknowledged Friday handover"
        before = counts()
        with pytest.raises(ValidationError, match="acknowledged this note already"):
            services.handoff_acknowledge(actor=actor(world.lou), note=note)
        with pytest.raises(ValidationError, match="Only the note's recipients"):
            services.handoff_acknowledge(actor=actor(world.lead), note=note)
        assert counts() == before
    note.refresh_from_db()
    assert note.first_acknowledged_at == MORNING
    # Nia has not: her row still waits (her reminder stands).
    assert HandoffRecipient.objects.get(note=note, person=world.nia).acknowledged_at is None


def test_items_are_acted_on_by_their_owner_only(world, note):
    refund, cert, flaky = note.items.order_by("position")
    with at(MORNING):
        before = counts()
        with pytest.raises(ValidationError, match="This item is Lou London's"):
            services.item_act(actor=actor(world.nia), item=refund, action="acknowledge")
        with pytest.raises(ValidationError, match="A reason is required"):
            services.item_act(actor=actor(world.lou), item=refund, action="hand_back")
        with pytest.raises(ValidationError, match="is not an action"):
            services.item_act(actor=actor(world.lou), item=refund, action="delete")
        with pytest.raises(ValidationError, match="Only the note's recipients"):
            services.item_act(actor=actor(world.lead), item=flaky, action="acknowledge")
        assert counts() == before

        services.item_act(actor=actor(world.lou), item=refund, action="acknowledge")
        services.item_act(actor=actor(world.lou), item=refund, action="done")
        with pytest.raises(ValidationError, match="This item is done already"):
            services.item_act(actor=actor(world.lou), item=refund, action="hand_back", reason="x")
        # No owner: the first recipient to act takes it.
        services.item_act(actor=actor(world.nia), item=flaky, action="acknowledge")
        services.item_act(
            actor=actor(world.nia), item=cert, action="hand_back", reason="Not my system"
        )
    refund.refresh_from_db(), cert.refresh_from_db(), flaky.refresh_from_db()
    assert refund.status == ItemStatus.DONE and refund.acted_by == world.lou
    assert flaky.owner == world.nia and flaky.status == ItemStatus.ACKNOWLEDGED
    assert cert.status == ItemStatus.HANDED_BACK and cert.hand_back_reason == "Not my system"
    (back,) = received(world.sam, "handoffs.item_handed_back")
    assert back.body == "Not my system" and "Cert renews Monday" in back.title


def test_an_acknowledged_note_is_never_edited_only_followed_up(world, note):
    with at(MORNING):
        services.handoff_edit(actor=actor(world.sam), note=note, summary="Queue quiet; 2 refunds.")
        note.refresh_from_db()
        assert "2 refunds" in note.summary_html
        (item,) = [i for i in note.items.all() if i.owner_id == world.lou.pk]
        services.item_act(actor=actor(world.lou), item=item, action="acknowledge")
        before = counts()
        with pytest.raises(ValidationError, match="add a follow-up instead"):
            services.handoff_edit(actor=actor(world.sam), note=note, title="Changed")
        assert counts() == before
        services.follow_up_add(actor=actor(world.sam), note=note, text="Bank replied: fixed.")
    assert note.follow_ups.get().text_html == "<p>Bank replied: fixed.</p>"
    # Everyone on the note but the writer hears of it.
    assert len(received(world.lou, "handoffs.follow_up")) == 1
    assert len(received(world.nia, "handoffs.follow_up")) == 1
    assert received(world.sam, "handoffs.follow_up") == []


ROLES = ("author", "recipient", "other_recipient", "member", "lead", "manager", "outsider")
TABLE = {
    ("view_note", "note"): {"author", "recipient", "other_recipient", "member", "lead"},
    ("change_note", "note"): {"author"},
    ("follow_up", "note"): {"author", "recipient", "other_recipient"},
    ("acknowledge_note", "note"): {"recipient", "other_recipient"},
    ("act_on_item", "lou_item"): {"recipient"},
    ("act_on_item", "open_item"): {"recipient", "other_recipient"},
    ("write_note", "team"): {"author", "recipient", "other_recipient", "member", "lead"},
}


@pytest.mark.parametrize("perm, obj", list(TABLE), ids=[f"{p}-{o}" for p, o in TABLE])
def test_role_by_action(world, note, perm, obj):
    from tests.factories import PersonFactory, add_member

    member = PersonFactory(username="mo", display_name="Mo Member")
    add_member(world.team, member)
    people = {
        "author": world.sam,
        "recipient": world.lou,
        "other_recipient": world.nia,
        "member": member,
        "lead": world.lead,
        "manager": world.manager,
        "outsider": world.outsider,
    }
    items = list(note.items.order_by("position"))
    objects = {"note": note, "team": world.team, "lou_item": items[0], "open_item": items[2]}
    allowed = {
        role for role, user in people.items() if rule_allows(user, f"handoffs.{perm}", objects[obj])
    }
    assert allowed == TABLE[(perm, obj)]
