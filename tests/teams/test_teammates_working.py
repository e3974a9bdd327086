"""The dashboard's "teammates working now": found slice by slice, in directory order."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from teams import selectors
from tests.factories import PersonFactory, TeamFactory, add_member

pytestmark = pytest.mark.django_db

# A Wednesday, 10:00 in Manila and 02:00 in London.
AT = datetime(2026, 1, 7, 2, 0, tzinfo=UTC)


def test_teammates_working_reads_slices_until_it_has_enough(monkeypatch, django_assert_num_queries):
    monkeypatch.setattr(selectors, "TEAMMATES_SLICE", 3)
    me = PersonFactory(display_name="Me", time_zone="Europe/London")
    team, other = TeamFactory(name="Platform"), TeamFactory(name="Data")
    add_member(team, me)
    add_member(other, me)
    asleep = [PersonFactory(display_name=f"A {n}", time_zone="Europe/London") for n in range(4)]
    awake = [PersonFactory(display_name=f"B {n}", time_zone="Asia/Manila") for n in range(4)]
    for person in asleep + awake[:2]:
        add_member(team, person)
    for person in awake[1:]:  # awake[1] is in both teams: listed once
        add_member(other, person)
    selectors.team_ids_of(me)  # the viewer's teams, read once per request elsewhere

    # Directory order puts the four asleep first: the first slice has no one working.
    with django_assert_num_queries(3):  # teammates' ids, then two slices of three
        found = selectors.teammates_working(person=me, at=AT, limit=2)
    assert found == awake[:2]
    with django_assert_num_queries(4):  # the ids, then slices of 3, 3 and 2: all eight read
        found = selectors.teammates_working(person=me, at=AT, limit=8)
    assert found == awake
    assert selectors.teammates_working(person=asleep[0], at=AT, limit=8) == awake[:2]
