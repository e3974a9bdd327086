"""The reads the pages will stand on keep a fixed number of queries: 10 or 1,000 notes, 2 or
20 items."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from handoffs import selectors
from handoffs.models import HandoffNote, HandoffRecipient
from tests.handoffs.world import FRIDAY_SYDNEY_EVENING, HOUR, utc


def _count(call) -> int:
    with CaptureQueriesContext(connection) as queries:
        list(call())
    return len(queries)


def _copy_notes(note, n: int) -> None:
    """n more notes like `note` for Lou, in bulk (the services are tested elsewhere)."""
    fields = {
        f.name: getattr(note, f.name)
        for f in HandoffNote._meta.concrete_fields
        if f.name not in ("id",)
    }
    fields = {k: v for k, v in fields.items() if not k.endswith("_id")}
    notes = HandoffNote.objects.bulk_create([HandoffNote(**fields) for _ in range(n)])
    HandoffRecipient.objects.bulk_create(
        [
            HandoffRecipient(note=copy, person=note.author, deliver_at=FRIDAY_SYDNEY_EVENING)
            for copy in notes
        ]
        + [
            HandoffRecipient(note=copy, person_id=rid, deliver_at=FRIDAY_SYDNEY_EVENING)
            for copy in notes
            for rid in note.recipients.values_list("person_id", flat=True)
        ]
    )


def test_note_page_read_is_fixed(world, django_assert_max_num_queries):
    small = world.send(people=[world.lou.pk], items=[{"text": f"i{n}"} for n in range(2)])
    large = world.send(
        people=[world.lou.pk, world.nia.pk, world.lead.pk],
        items=[{"text": f"i{n}"} for n in range(20)],
        projects=[world.project.pk],
    )
    few = _count(lambda: [selectors.note_for_page(small.pk)])
    with django_assert_max_num_queries(few):
        note = selectors.note_for_page(large.pk)
        [(i.owner, i.acted_by, i.carried_from) for i in note.items.all()]
        [r.person.profile for r in note.recipients.all()]
        list(note.projects.all()), list(note.follow_ups.all())


def test_inbox_reads_are_fixed(world, django_assert_max_num_queries):
    note = world.send(people=[world.lou.pk, world.nia.pk], items=[{"text": "x"}])
    now = utc(2027, 3, 27)
    ten = _count(lambda: selectors.waiting_for(world.lou, now=now))
    _copy_notes(note, 1000)
    assert selectors.waiting_for(world.lou, now=now).count() == 1001
    with django_assert_max_num_queries(ten):
        list(selectors.waiting_for(world.lou, now=now)[:50])
    with django_assert_max_num_queries(ten):
        list(selectors.sent_by(world.sam)[:50])


def test_the_sweeper_delivers_in_a_fixed_number_of_queries_per_note(world):
    for n in range(3):
        world.send(people=[world.lou.pk, world.nia.pk], title=f"n{n}")
    with CaptureQueriesContext(connection) as three:
        world.sweep(utc(2027, 3, 26, 13))
    for n in range(9):
        world.send(people=[world.lou.pk, world.nia.pk], title=f"m{n}")
    with CaptureQueriesContext(connection) as nine:
        world.sweep(utc(2027, 3, 26, 13) + HOUR)
    per_delivery = (len(three) - 1) / 6
    assert len(nine) <= 1 + per_delivery * 18
