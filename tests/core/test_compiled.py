"""core.compiled: a queryset compiled once per shape gives what the ORM gives, every time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Count, Prefetch, Q

from core.compiled import MAX_LIST, CompiledQuery
from teams.models import Membership, Team
from tests.factories import PersonFactory, TeamFactory, add_member

pytestmark = pytest.mark.django_db
User = get_user_model()


def _people(person_id, team_ids, joined_before, name_part, active):
    return (
        User.objects.filter(
            Q(pk=person_id) | Q(memberships__team_id__in=team_ids),
            date_joined__lt=joined_before,
            profile__display_name__gte=name_part,
            is_active=active,
        )
        .select_related("profile")
        .annotate(team_count=Count("memberships"))
        .prefetch_related(Prefetch("memberships", queryset=Membership.objects.order_by("id")))
        .order_by("profile__display_name", "pk")
    )


class Counting:
    def __init__(self, build):
        self.build, self.calls = build, 0

    def __call__(self, **values):
        self.calls += 1
        return self.build(**values)


def _same(got, expected):
    assert [p.pk for p in got] == [p.pk for p in expected]
    for a, b in zip(got, expected, strict=True):
        assert a.profile.display_name == b.profile.display_name  # select_related
        assert a.team_count == b.team_count  # the annotation
        assert [m.pk for m in a.memberships.all()] == [m.pk for m in b.memberships.all()]


def test_every_call_gives_what_the_orm_gives_and_builds_once_per_shape(
    django_assert_max_num_queries,
):
    a, b = TeamFactory(name="A"), TeamFactory(name="B")
    people = [PersonFactory(display_name=f"Al {n}") for n in range(5)]
    for n, person in enumerate(people):
        add_member(a if n % 2 else b, person)
    add_member(a, people[0])
    later = datetime.now(UTC) + timedelta(days=1)
    build = Counting(_people)
    compiled = CompiledQuery(build)
    cases = [
        dict(person_id=people[0].pk, team_ids=[a.pk], joined_before=later, name_part="Al"),
        dict(person_id=people[4].pk, team_ids=[b.pk], joined_before=later, name_part="Al 1"),
        dict(person_id=people[2].pk, team_ids=[a.pk], joined_before=later, name_part="Bo"),
        dict(person_id=-1, team_ids=[b.pk], joined_before=people[3].date_joined, name_part="A"),
    ]
    for values in cases:
        expected = list(_people(active=True, **values))
        with django_assert_max_num_queries(2):  # the rows, then any prefetch
            got = compiled.fetch(fixed={"active": True}, **values)
        _same(got, expected)
    assert build.calls == 1
    # Another list length, or another fixed value, is another shape.
    both = dict(person_id=people[1].pk, team_ids=[a.pk, b.pk], joined_before=later, name_part="")
    _same(compiled.fetch(fixed={"active": True}, **both), _people(active=True, **both))
    assert compiled.fetch(fixed={"active": False}, **both) == []
    assert build.calls == 3
    # Nothing leaks from one call into the next.
    _same(compiled.fetch(fixed={"active": True}, **cases[0]), _people(active=True, **cases[0]))
    assert build.calls == 3


def test_an_empty_or_long_list_runs_uncompiled():
    person = PersonFactory(display_name="Al One")
    build = Counting(_people)
    compiled = CompiledQuery(build)
    later = datetime.now(UTC) + timedelta(days=1)
    values = dict(person_id=person.pk, joined_before=later, name_part="Al", active=True)
    assert [p.pk for p in compiled.fetch(team_ids=[], **values)] == [person.pk]
    long = list(range(1, MAX_LIST + 2))
    assert [p.pk for p in compiled.fetch(team_ids=long, **values)] == [person.pk]
    assert build.calls == 2  # both built with the real values, neither kept
    assert compiled._entries == {}


def test_a_value_a_lookup_transforms_is_refused_at_the_first_call():
    compiled = CompiledQuery(lambda name: Team.objects.filter(name__icontains=name))
    with pytest.raises(ImproperlyConfigured, match="cannot be compiled once"):
        compiled.fetch(name="sre")


def test_no_more_shapes_are_kept_than_max_shapes(monkeypatch):
    import core.compiled

    monkeypatch.setattr(core.compiled, "MAX_SHAPES", 2)
    teams = [TeamFactory(name=f"T{n}") for n in range(4)]
    ids = [t.pk for t in teams]
    compiled = CompiledQuery(lambda team_ids: Team.objects.filter(pk__in=team_ids).order_by("pk"))
    for length in (1, 2, 3, 4, 3):
        assert [t.pk for t in compiled.fetch(team_ids=ids[:length])] == ids[:length]
    assert len(compiled._entries) == 2
