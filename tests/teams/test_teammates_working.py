"""The dashboard's "teammates working now": found slice by slice, in directory order."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from teams import selectors
from teams.services import person_deactivate
from tests.factories import SYSTEM, PersonFactory, TeamFactory, add_member

pytestmark = pytest.mark.django_db

# A Wednesday, 10:00 in Manila and 02:00 in London.
AT = datetime(2026, 1, 7, 2, 0, tzinfo=UTC)


def test_teammates_working_in_directory_order_loading_only_those_shown(django_assert_num_queries):
    me = PersonFactory(display_name="Me", time_zone="Europe/London")
    team, other = TeamFactory(name="Platform"), TeamFactory(name="Data")
    add_member(team, me)
    add_member(other, me)
    asleep = [PersonFactory(display_name=f"A {n}", time_zone="Europe/London") for n in range(4)]
    awake = [PersonFactory(display_name=f"B {n}", time_zone="Asia/Manila") for n in range(4)]
    stranger = PersonFactory(display_name="B 0 stranger", time_zone="Asia/Manila")
    for person in asleep + awake[:2]:
        add_member(team, person)
    for person in awake[1:]:  # awake[1] is in both teams: listed once
        add_member(other, person)
    selectors.team_ids_of(me)  # the viewer's teams, read once per request elsewhere
    assert stranger.pk in selectors.working_person_ids(AT)  # the minute's list, now cached

    # Directory order, asleep teammates and people of no shared team left out.
    with django_assert_num_queries(2):  # the teammates' ids, then the two people shown
        found = selectors.teammates_working(person=me, at=AT, limit=2)
    assert found == awake[:2]
    assert found[0].profile.time_zone == "Asia/Manila"  # profiles come with them
    with django_assert_num_queries(2):
        found = selectors.teammates_working(person=me, at=AT, limit=8)
    assert found == awake
    assert selectors.teammates_working(person=asleep[0], at=AT, limit=8) == awake[:2]
    # The person asking is never their own teammate, working or not.
    assert selectors.teammates_working(person=awake[1], at=AT, limit=8) == [awake[0], *awake[2:]]


def test_teammates_working_is_empty_without_teams_or_anyone_awake():
    loner = PersonFactory(time_zone="Asia/Manila")
    assert selectors.teammates_working(person=loner, at=AT, limit=8) == []
    me = PersonFactory(time_zone="Asia/Manila")
    team = TeamFactory()
    add_member(team, me)
    add_member(team, PersonFactory(time_zone="Europe/London"))  # 02:00 there
    assert selectors.teammates_working(person=me, at=AT, limit=8) == []


def test_someone_who_left_is_not_shown_working():
    me = PersonFactory(time_zone="Asia/Manila")
    team = TeamFactory()
    add_member(team, me)
    gone = PersonFactory(time_zone="Asia/Manila")
    add_member(team, gone)
    assert selectors.teammates_working(person=me, at=AT, limit=8) == [gone]
    person_deactivate(actor=SYSTEM, person=gone)
    assert selectors.teammates_working(person=me, at=AT, limit=8) == []
