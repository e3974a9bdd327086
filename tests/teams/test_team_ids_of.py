"""teams.selectors.team_ids_of: the one place "this person's teams" is computed, memoised on
the user object, and read again after a membership write in the same request."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser

import notifications.services
from oncall.permissions import is_team_member_of
from teams import services
from teams.models import TeamRole
from teams.permissions import is_team_lead
from teams.selectors import team_ids_of, teams_of
from tests.factories import SYSTEM, PersonFactory, TeamFactory, add_member

User = get_user_model()


@pytest.fixture
def org(db):
    person = PersonFactory(username="lena")
    platform, payments, support = (TeamFactory(name=n) for n in ("Platform", "Payments", "Support"))
    add_member(platform, person, role=TeamRole.LEAD)
    add_member(payments, person)
    add_member(support, PersonFactory())  # someone else's team
    return person, platform, payments, support


def _fresh(user):
    """Another object for the same person, as each request loads request.user anew."""
    return User.objects.get(pk=user.pk)


def test_any_role_or_one_role(org):
    person, platform, payments, support = org
    user = _fresh(person)
    assert team_ids_of(user) == frozenset({platform.pk, payments.pk})
    assert team_ids_of(user, role=TeamRole.LEAD) == frozenset({platform.pk})
    assert team_ids_of(user, role=TeamRole.MEMBER) == frozenset({payments.pk})
    assert isinstance(team_ids_of(user), frozenset)
    with pytest.raises(ValueError, match="not a team role"):
        team_ids_of(user, role="admin")


def test_nobody_has_no_teams(db, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert team_ids_of(AnonymousUser()) == frozenset()
    loner = PersonFactory()
    assert team_ids_of(_fresh(loner)) == frozenset()


def test_one_query_for_every_question_on_one_user_object(org, django_assert_num_queries):
    person, platform, payments, support = org
    user = _fresh(person)
    user.profile  # noqa: B018 (loaded first: the predicates read the org role)
    with django_assert_num_queries(1):
        for _ in range(3):
            team_ids_of(user)
            team_ids_of(user, role=TeamRole.LEAD)
        # The permission predicates of teams and oncall share the same memo.
        assert is_team_lead(user, platform) and not is_team_lead(user, payments)
        assert is_team_member_of(user, payments) and not is_team_member_of(user, support)
    # Another object for the same person (the next request's request.user) reads again.
    other = User(pk=person.pk)
    with django_assert_num_queries(1):
        assert team_ids_of(other) == team_ids_of(user)


@pytest.mark.parametrize("same_object", [True, False], ids=["same-object", "other-object"])
def test_a_membership_write_retires_the_memo(org, same_object, django_assert_num_queries):
    """The request's user object asks, a service changes memberships (given that very object,
    or, as views do, another object for the same person), and the next ask sees the change."""
    person, platform, payments, support = org
    user = _fresh(person)
    target = user if same_object else _fresh(person)
    assert support.pk not in team_ids_of(user)

    services.membership_set(actor=SYSTEM, team=support, person=target)
    with django_assert_num_queries(1):
        assert support.pk in team_ids_of(user)
    with django_assert_num_queries(0):
        assert team_ids_of(user, role=TeamRole.LEAD) == frozenset({platform.pk})

    services.membership_set(actor=SYSTEM, team=support, person=target, role=TeamRole.LEAD)
    assert team_ids_of(user, role=TeamRole.LEAD) == frozenset({platform.pk, support.pk})
    assert is_team_lead(user, support)

    services.membership_remove(actor=SYSTEM, team=platform, person=target)
    with django_assert_num_queries(1):
        assert team_ids_of(user) == frozenset({payments.pk, support.pk})
    assert not is_team_lead(user, platform)


def test_an_unchanged_role_keeps_the_memo(org, django_assert_num_queries):
    person, platform, payments, support = org
    user = _fresh(person)
    team_ids_of(user)
    services.membership_set(actor=SYSTEM, team=payments, person=user)  # already a member
    with django_assert_num_queries(0):
        assert team_ids_of(user) == frozenset({platform.pk, payments.pk})


def test_deleting_a_team_retires_the_memo(org):
    person, platform, payments, support = org
    user = _fresh(person)
    assert payments.pk in team_ids_of(user)
    services.team_delete(actor=SYSTEM, team=payments)
    assert team_ids_of(user) == frozenset({platform.pk})


def test_teams_of_uses_it(org, django_assert_num_queries):
    person, platform, payments, support = org
    user = _fresh(person)
    with django_assert_num_queries(2):  # the memo, then the teams with their member counts
        teams = teams_of(person=user)
    assert [(t.name, t.my_role, t.member_count) for t in teams] == [
        ("Payments", TeamRole.MEMBER, 1),
        ("Platform", TeamRole.LEAD, 1),
    ]


def test_the_unused_copy_is_gone():
    assert not hasattr(notifications.services, "is_team_lead")
