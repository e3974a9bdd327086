"""The demo data: notes between regions on the demo schedules (acknowledged, one item handed
back, waiting, unacknowledged and escalated), written as history: no notices."""

from __future__ import annotations

from core.audit import Actor
from handoffs import demo
from handoffs.models import HandoffNote, HandoffRecipient, ItemStatus
from notifications.models import Notification
from oncall import services as oncall_services
from tests.handoffs.world import SYSTEM, at, utc

NOW = utc(2027, 3, 24, 12)  # a Wednesday: every region has worked a day since the notes


class _Run:
    actor = Actor.system(via="demo")

    def __init__(self):
        self.lines = []

    def say(self, line):
        self.lines.append(line)


def test_demo_notes_tell_nobody(world, django_capture_on_commit_callbacks):
    for n in range(3):  # three more schedules like the world's: four plans, four schedules
        schedule = oncall_services.schedule_create(
            actor=SYSTEM, team=world.team, name=f"Regional {n}", time_zone="UTC"
        )
        oncall_services.layer_create(
            actor=SYSTEM,
            schedule=schedule,
            name="Three regions",
            time_zone="UTC",
            start="2027-03-01T22:00",
            shift_length={"count": 8, "unit": "hours"},
            participants=[world.sam.pk, world.lou.pk, world.nia.pk],
        )
    before = Notification.objects.count()
    run = _Run()
    with at(NOW), django_capture_on_commit_callbacks(execute=True):
        demo.seed(run)
    notes = list(HandoffNote.objects.order_by("sent_at"))
    assert len(notes) == 4
    assert Notification.objects.count() == before
    rows = {n.title: list(HandoffRecipient.objects.filter(note=n)) for n in notes}
    assert rows["Evening handover"][0].acknowledged_at is not None
    handed = HandoffNote.objects.get(title="Night shift notes").items.get()
    assert handed.status == ItemStatus.HANDED_BACK and handed.hand_back_reason
    escalated = rows["Handover: search reindex"]
    assert escalated[0].escalated_at is not None
    assert any(r.resolved_as.startswith("escalated:") for r in escalated[1:])
    assert all(r.acknowledged_at is None for r in rows["Morning handover"])
    for note in notes:
        assert note.recipients_kind == "next_oncall" and note.schedule_id
        (first,) = [r for r in rows[note.title] if r.resolved_as.startswith("on call next")]
        assert first.person_id != note.author_id
    assert "Created 4 handoff notes" in run.lines[0]
    with at(NOW):
        demo.seed(run)  # seeded already: nothing more
    assert HandoffNote.objects.count() == 4
