"""Sending a note: recipients resolved at the moment it is sent (named, on call next by the
final schedule, the team's next working day), delivered when each one's working day starts
(exactly once, however many sweeps run), at once when urgent; open items carried into the next
note of the same schedule or project."""

from __future__ import annotations

import pytest

from handoffs.models import HandoffItem, HandoffRecipient, ItemStatus
from oncall.selectors import schedule_final_segments
from tests.handoffs.world import (
    FRIDAY_SYDNEY_EVENING,
    HOUR,
    actor,
    at,
    counts,
    received,
    utc,
)


def test_a_note_waits_for_the_recipients_morning_and_arrives_once(world):
    note = world.send(people=[world.lou.pk, world.nia.pk])
    rows = {r.person_id: r for r in HandoffRecipient.objects.filter(note=note)}
    # Friday 06:30 UTC: 06:30 in London (starts 09:00 GMT), 02:30 in New York (09:00 EDT).
    assert rows[world.lou.pk].deliver_at == utc(2027, 3, 26, 9)
    assert rows[world.nia.pk].deliver_at == utc(2027, 3, 26, 13)
    assert received(world.lou) == [] and received(world.nia) == []
    assert world.sweep(utc(2027, 3, 26, 8, 59)) == 0
    assert world.sweep(utc(2027, 3, 26, 9)) == 1
    assert world.sweep(utc(2027, 3, 26, 9, 1)) == 0  # a second beat: nothing more
    (notice,) = received(world.lou)
    assert notice.title == "Handoff from Sam Sydney: Friday handover"
    assert notice.url == f"/handoffs/{note.pk}/"
    assert received(world.nia) == []
    assert world.sweep(utc(2027, 3, 26, 13)) == 1
    assert len(received(world.nia)) == 1
    assert world.sweep(utc(2027, 3, 26, 14)) == 0
    assert HandoffRecipient.objects.filter(delivered_at__isnull=True).count() == 0


def test_over_the_weekend_the_morning_is_monday_after_the_clocks_change(world):
    # Friday 18:00 in London: Monday 09:00 BST is 08:00 UTC.
    note = world.send(by=world.nia, people=[world.lou.pk], when=utc(2027, 3, 26, 18))
    row = HandoffRecipient.objects.get(note=note)
    assert row.deliver_at == utc(2027, 3, 29, 8)
    # Reminded after 4 of Lou's working hours (13:00 BST), escalated after 4 more (17:00).
    assert row.remind_at == utc(2027, 3, 29, 12)
    assert row.escalate_at == utc(2027, 3, 29, 16)


def test_an_urgent_note_arrives_at_once_as_urgent(world):
    note = world.send(people=[world.lou.pk], urgency="urgent")
    (notice,) = received(world.lou)
    assert notice.urgency == "urgent"
    row = HandoffRecipient.objects.get(note=note)
    assert row.deliver_at == FRIDAY_SYDNEY_EVENING and row.delivered_at == FRIDAY_SYDNEY_EVENING


def _oncall_at(world, instant):
    (segment,) = [
        s
        for s in schedule_final_segments(world.schedule, instant - HOUR, instant + HOUR)
        if s.start <= instant < s.end
    ]
    return segment.person


def test_on_call_next_is_who_the_final_schedule_says(world):
    # Friday 06:30 UTC: Lou's shift (06:00-14:00) runs; next is Nia from 14:00.
    note = world.send(recipients="next_oncall", recipients_schedule=world.schedule.pk)
    (row,) = HandoffRecipient.objects.filter(note=note)
    assert row.person_id == _oncall_at(world, utc(2027, 3, 26, 14)) == world.nia.pk
    assert row.resolved_as.startswith("on call next for Follow the sun (from Fri 10:00 in New York")


def test_on_call_next_after_the_authors_shift_is_who_took_over(world):
    # Sam writes at 06:30 about the shift that ended at 06:00: the next is who took over then.
    note = world.send(
        recipients="next_oncall",
        recipients_schedule=world.schedule.pk,
        schedule=world.schedule.pk,
        shift_start=utc(2027, 3, 25, 22),
        shift_end=utc(2027, 3, 26, 6),
    )
    (row,) = HandoffRecipient.objects.filter(note=note)
    assert row.person_id == _oncall_at(world, utc(2027, 3, 26, 6)) == world.lou.pk


def test_an_override_changes_who_is_next(world):
    from oncall import services as oncall_services
    from tests.handoffs.world import SYSTEM

    oncall_services.override_create(
        actor=SYSTEM,
        schedule=world.schedule,
        person=world.lead,
        start="2027-03-26T14:00:00Z",
        end="2027-03-26T18:00:00Z",
    )
    note = world.send(recipients="next_oncall", recipients_schedule=world.schedule.pk)
    (row,) = HandoffRecipient.objects.filter(note=note)
    assert row.person_id == _oncall_at(world, utc(2027, 3, 26, 14)) == world.lead.pk


def test_the_teams_next_working_day(world):
    # Sam, 17:30 on Friday in Sydney: London's Friday starts next (Lou and Lena, 09:00 UTC);
    # New York's (13:00 UTC) is more than 90 minutes later.
    note = world.send(recipients="team_next_day")
    rows = HandoffRecipient.objects.filter(note=note).order_by("person_id")
    assert {r.person_id for r in rows} == {world.lou.pk, world.lead.pk}
    assert all(
        r.resolved_as == "Support's next working day (starts Fri 09:00 in London)" for r in rows
    )
    assert note.recipients_team_id == world.team.pk


def test_open_items_carry_into_the_next_note_of_the_same_schedule(world):
    first = world.send(
        people=[world.lou.pk],
        schedule=world.schedule.pk,
        items=[{"text": "Refund #42 stuck", "owner": world.lou.pk}, {"text": "Disk at 80%"}],
    )
    refund, disk = first.items.order_by("position")
    from handoffs import services

    with at(utc(2027, 3, 26, 9, 30)):
        services.item_act(actor=actor(world.lou), item=refund, action="acknowledge")
        services.item_act(actor=actor(world.lou), item=disk, action="done")
    second = world.send(
        by=world.lou,
        people=[world.nia.pk],
        schedule=world.schedule.pk,
        summary="Handing to New York.",
        when=utc(2027, 3, 26, 13, 50),
    )
    (carried,) = second.items.all()
    assert carried.text == "Refund #42 stuck" and carried.carried_from_id == refund.pk
    assert carried.owner_id is None  # Lou is not on this note: whoever takes it owns it
    assert carried.status == ItemStatus.OPEN
    # Carried once: a third note carries the second's copy, not the first's again.
    third = world.send(
        by=world.nia,
        people=[world.sam.pk],
        schedule=world.schedule.pk,
        summary="Back to Sydney.",
        when=utc(2027, 3, 26, 21, 50),
    )
    (again,) = third.items.all()
    assert again.carried_from_id == carried.pk
    assert HandoffItem.objects.filter(carried_from_id=refund.pk).count() == 1


def test_items_carried_by_hand_are_not_carried_twice(world):
    first = world.send(
        people=[world.lou.pk], projects=[world.project.pk], items=[{"text": "Flaky deploy"}]
    )
    (item,) = first.items.all()
    second = world.send(
        by=world.lou,
        people=[world.nia.pk],
        projects=[world.project.pk],
        items=[{"text": "Flaky deploy (retry at 15:00)", "carried_from": item.pk}],
        when=utc(2027, 3, 26, 13),
    )
    (only,) = second.items.all()
    assert only.carried_from_id == item.pk and only.text.endswith("(retry at 15:00)")


@pytest.mark.parametrize("kind", ["people", "next_oncall", "team_next_day"])
def test_sending_is_audited_and_writes_each_row_once(world, kind):
    before = counts()
    fields = {"recipients": kind}
    if kind == "people":
        fields["people"] = [world.lou.pk, world.lou.pk]  # a repeat is one recipient
    if kind == "next_oncall":
        fields["recipients_schedule"] = world.schedule.pk
    note = world.send(**fields)
    after = counts()
    assert after["HandoffNote"] == before["HandoffNote"] + 1
    assert after["AuditEvent"] == before["AuditEvent"] + 1
    assert HandoffRecipient.objects.filter(note=note).count() == len(
        set(note.recipients.values_list("person_id", flat=True))
    )
