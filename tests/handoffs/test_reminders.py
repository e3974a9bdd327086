"""Reminders and escalation follow the recipient's working hours, each exactly once however
many beats run; escalation reaches whoever can act and is awake (the team's leads at work, the
next region's team, leads who are awake, and only when nobody is awake, a lead woken up); an
urgent note left unacknowledged raises an urgent update, once."""

from __future__ import annotations

from django.test import override_settings

from escalations.models import UrgentUpdate
from handoffs import services
from handoffs.models import HandoffRecipient
from teams.models import Profile
from tests.factories import PersonFactory, TeamFactory, add_member
from tests.handoffs.world import actor, at, received, utc


def test_reminded_then_escalated_to_an_awake_lead_each_once(world):
    note = world.send(people=[world.lou.pk])
    row = HandoffRecipient.objects.get(note=note)
    # Delivered Friday 09:00 in London; 4 of Lou's working hours: 13:00; 4 more: 17:00.
    assert (row.remind_at, row.escalate_at) == (utc(2027, 3, 26, 13), utc(2027, 3, 26, 17))
    assert world.sweep_all(utc(2027, 3, 26, 9)) == {"delivered": 1, "reminded": 0, "escalated": 0}
    assert world.sweep_all(utc(2027, 3, 26, 12, 59))["reminded"] == 0
    for _ in range(2):  # two beats at the same minute
        world.sweep_all(utc(2027, 3, 26, 13))
    (reminder,) = received(world.lou, "handoffs.reminder")
    assert reminder.title == "Still to acknowledge: Friday handover (from Sam Sydney)"
    for _ in range(2):
        world.sweep_all(utc(2027, 3, 26, 17))
    # 17:00 in London: Lena (lead) has stopped working but is awake.
    (escalated,) = received(world.lead, "handoffs.escalated")
    assert escalated.title == "Lou London has not acknowledged Friday handover"
    assert escalated.urgency == "normal"
    lena = HandoffRecipient.objects.get(note=note, person=world.lead)
    assert lena.resolved_as == (
        "escalated: Lou London had not acknowledged (Support's leads (awake))"
    )
    (to_author,) = received(world.sam, "handoffs.escalated")
    assert "passed to Support's leads (awake)" in to_author.title
    # Lena, now on the note, acknowledges it; nothing chases her.
    with at(utc(2027, 3, 26, 17, 5)):
        services.handoff_acknowledge(actor=actor(world.lead), note=note)
    assert world.sweep_all(utc(2027, 3, 30)) == {"delivered": 0, "reminded": 0, "escalated": 0}


def test_an_acknowledged_note_is_neither_reminded_nor_escalated(world):
    note = world.send(people=[world.lou.pk])
    world.sweep_all(utc(2027, 3, 26, 9))
    with at(utc(2027, 3, 26, 9, 30)):
        services.handoff_acknowledge(actor=actor(world.lou), note=note)
    assert world.sweep_all(utc(2027, 3, 29)) == {"delivered": 0, "reminded": 0, "escalated": 0}
    assert received(world.lou, "handoffs.reminder") == []


def test_escalation_goes_to_the_next_regions_team_at_work(world):
    ops = TeamFactory(name="Operations")
    world.team.parent = ops
    world.team.save()
    americas = TeamFactory(name="Support Americas", parent=ops)
    ana = PersonFactory(
        username="ana", display_name="Ana Americas", time_zone="America/New_York", country="US"
    )
    add_member(americas, ana, "lead")
    world.send(people=[world.lou.pk])
    world.sweep_all(utc(2027, 3, 26, 9))
    world.sweep_all(utc(2027, 3, 26, 17))  # 13:00 in New York: Ana is at work
    (escalated,) = received(ana, "handoffs.escalated")
    assert received(world.lead, "handoffs.escalated") == []
    row = HandoffRecipient.objects.get(person=ana)
    assert "the leads of Support Americas, at work" in row.resolved_as
    assert escalated.url == f"/handoffs/{row.note_id}/"


@override_settings(HANDOFF_REMIND_WORKING_HOURS=1)
def test_nobody_awake_wakes_a_lead(world):
    Profile.objects.filter(user=world.lead).update(
        time_zone="Australia/Sydney", country="AU"
    )  # Lena leads from Sydney
    world.send(people=[world.lou.pk])
    world.sweep_all(utc(2027, 3, 26, 9))
    world.sweep_all(utc(2027, 3, 26, 10))  # reminded
    world.sweep_all(utc(2027, 3, 26, 11))  # 22:00 in Sydney: Lena is asleep, nobody else
    (woken,) = received(world.lead, "handoffs.escalated")
    assert woken.urgency == "urgent"
    assert "nobody is awake" in HandoffRecipient.objects.get(person=world.lead).resolved_as


def test_an_urgent_note_nobody_acknowledged_raises_an_urgent_update_once(world):
    note = world.send(people=[world.lou.pk], urgency="urgent", title="Payments failing")
    # Urgent: delivered at once (06:30, before Lou's day); reminded and escalated on Lou's
    # working hours all the same.
    for _ in range(2):
        world.sweep_all(utc(2027, 3, 26, 17))
    note.refresh_from_db()
    update = UrgentUpdate.objects.get()
    assert note.urgent_update_raised == update
    assert update.title == "Urgent handoff not acknowledged: Payments failing"
    assert update.team_id == world.team.pk and update.severity == "high"
