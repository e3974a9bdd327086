"""core.pgcursor on PostgreSQL: statements a connection runs again are prepared, and one with
more parameters than the protocol can bind still runs."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection

from core.pgcursor import MAX_BOUND_PARAMS, PreparingCursor
from teams.models import Team

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's"
    ),
]


def _prepared_statements() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return {row[0] for row in cursor.fetchall()}


def test_a_statement_run_again_is_prepared_on_its_connection():
    threshold = settings.DATABASES["default"]["OPTIONS"]["prepare_threshold"]
    with connection.cursor() as cursor:
        assert isinstance(cursor.cursor, PreparingCursor)
    team = Team.objects.create(name="Prepared", slug="prepared")
    for _ in range(threshold + 1):
        assert Team.objects.filter(slug="prepared").get() == team
    prepared = [s for s in _prepared_statements() if '"teams_team"."slug" = $1' in s]
    assert len(prepared) == 1, _prepared_statements()


def test_more_parameters_than_the_protocol_binds_are_formatted_on_the_client():
    person = get_user_model().objects.create_user(username="one.of.many", password=None)
    ids = [person.pk, *range(-MAX_BOUND_PARAMS - 10, 0)]  # 65,546 parameters
    assert list(get_user_model().objects.filter(pk__in=ids)) == [person]
    # A literal percent sign survives the client-side formatting.
    assert get_user_model().objects.filter(pk__in=ids, username__contains="%").count() == 0
    # Nothing of that size was prepared.
    assert not [s for s in _prepared_statements() if "-65546" in s]


def test_a_bulk_insert_beyond_the_limit_runs():
    teams = [Team(name=f"Bulk {n}", slug=f"bulk-{n}") for n in range(MAX_BOUND_PARAMS // 4 + 10)]
    Team.objects.bulk_create(teams)
    assert Team.objects.filter(slug__startswith="bulk-").count() == len(teams)
