"""The demo data: open, acknowledged and resolved updates with real timelines, no notices."""

from __future__ import annotations

from core.audit import Actor
from escalations import demo
from escalations.models import EntryKind, StepStatus, UpdateState, UrgentUpdate
from notifications.models import Notification
from projects import services as project_services


class _Run:
    actor = Actor.system(via="demo")

    def __init__(self):
        self.lines = []

    def say(self, line):
        self.lines.append(line)


def test_demo_updates_have_timelines_and_page_nobody(world, django_capture_on_commit_callbacks):
    for n in range(5):
        project_services.project_create(
            actor=Actor.system(via="test"), team=world.team, name=f"Demo {n}", owner=world.lou
        )
    before = Notification.objects.filter(kind__startswith="escalation.").count()
    run = _Run()
    with django_capture_on_commit_callbacks(execute=True):
        demo.seed(run)
    updates = list(UrgentUpdate.objects.order_by("id"))
    assert [u.state for u in updates] == [
        UpdateState.RESOLVED,
        UpdateState.ACKNOWLEDGED,
        UpdateState.OPEN,
        UpdateState.RESOLVED,
        UpdateState.ACKNOWLEDGED,
        UpdateState.OPEN,
    ]
    for update in updates:
        kinds = set(update.timeline.values_list("kind", flat=True))
        assert {EntryKind.RAISED, EntryKind.STEP_FIRED} <= kinds
        assert not update.steps.filter(status=StepStatus.PENDING).exists()
        if update.state == UpdateState.OPEN:
            assert update.unacknowledged
    assert Notification.objects.filter(kind__startswith="escalation.").count() == before
    assert "Created 6 urgent updates" in run.lines[0]
    demo.seed(run)  # seeded already: nothing more
    assert UrgentUpdate.objects.count() == 6
