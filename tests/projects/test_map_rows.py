"""The ownership map's project rows as the database writes them (projects.ownership.project_rows:
no Python pass over the rows on SQLite and PostgreSQL) and the map API's renderer: the same
values as the generic path (Django's converters, then Python) and the same JSON as DRF's own
renderer. The suite runs on both databases, so both dialects are held to the generic path."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from projects import ownership
from projects.models import Project
from projects.ownership import (
    P_ACTING_UNTIL,
    P_CRITICAL,
    P_DUE,
    P_ID,
    P_LAST_UPDATE,
    P_NAME,
    P_ORPHANED,
    P_STALE,
    P_TARGET,
    PROJECT_FIELDS,
)
from teams import services as team_services
from tests.conftest import sign_in
from tests.projects.org import actor

User = get_user_model()

pytestmark = pytest.mark.django_db


@pytest.fixture
def rows_world(org):
    now = timezone.now()
    ship = org.project(owner=org.member, name="Ship it", backup_owner=org.lead, critical=True)
    org.name_acting(ship, org.lead)
    org.project(owner=org.member2, name="Left behind")
    plain = org.project(owner=org.lead, name="Plain")
    Project.objects.filter(pk=plain.pk).update(
        last_update_at=datetime(2026, 3, 1, 9, 30, tzinfo=UTC),  # stored without a fraction
        stale_at=now - timedelta(days=1),
        target_date=date(2027, 1, 31),
        update_due_on=date(2026, 3, 8),
        health="on_track",
    )
    Project.objects.filter(pk=ship.pk).update(
        last_update_at=datetime(2026, 3, 1, 23, 59, 59, 999999, tzinfo=UTC)
    )
    team_services.person_deactivate(actor=actor(org.admin), person=org.member2)
    org.now = now
    return org


def test_rows_as_the_database_writes_them_are_the_generic_paths(rows_world):
    qs = Project.objects.all()
    native = ownership.project_rows(qs, now=rows_world.now)
    generic = ownership.project_rows(qs, now=rows_world.now, vendor="generic")
    assert native == generic
    assert [row[P_ID] for row in native] == sorted(row[P_ID] for row in native)
    by_name = {row[P_NAME]: row for row in native}
    plain, ship, gone = by_name["Plain"], by_name["Ship it"], by_name["Left behind"]
    assert plain[P_LAST_UPDATE] == "2026-03-01T09:30:00Z"
    assert ship[P_LAST_UPDATE] == "2026-03-01T23:59:59Z"  # the fraction cut, not rounded
    assert plain[P_TARGET] == "2027-01-31" and plain[P_DUE] == "2026-03-08"
    assert ship[P_ACTING_UNTIL].endswith("Z") and len(ship[P_ACTING_UNTIL]) == 20
    assert gone[P_ACTING_UNTIL] is None and gone[P_TARGET] is None
    # Booleans, not 0 and 1 (the JSON says true and false).
    for row in native:
        assert len(row) == len(PROJECT_FIELDS)
        for index in (P_CRITICAL, P_ORPHANED, P_STALE):
            assert type(row[index]) is bool
    assert (ship[P_CRITICAL], plain[P_CRITICAL]) == (True, False)
    assert (plain[P_STALE], ship[P_STALE]) == (True, False)
    assert (gone[P_ORPHANED], ship[P_ORPHANED], plain[P_ORPHANED]) == (True, False, False)


def test_an_acting_owner_who_left_orphans_the_project(rows_world):
    """However the acting owner came to be inactive (deactivating them hands the project back
    to its owner: projects.services.person_deactivated), the row says orphaned, as
    projects.selectors.ORPHANED does."""
    ship = Project.objects.get(name="Ship it")
    User.objects.filter(pk=rows_world.lead.pk).update(is_active=False)
    rows = {r[P_ID]: r for r in ownership.project_rows(Project.objects.all(), now=rows_world.now)}
    assert rows[ship.pk][P_ORPHANED] is True


def test_the_map_api_answers_utf8_json(rows_world):
    name = "Zoë Ōtake"
    rows_world.lead.profile.display_name = name
    rows_world.lead.profile.save(update_fields=["display_name"])
    response = sign_in(Client(), rows_world.manager).get("/api/v1/ownership-map/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert name.encode() in response.content
    names = {p["display_name"] for p in response.json()["people"]}
    assert name in names


def test_rows_and_people_are_plain_tuples_the_garbage_collector_can_forget(rows_world):
    """Python's collector stops tracking a plain tuple of plain values (never a named tuple):
    at 30,000 projects the rows and 12,000 people otherwise lived through the request's young
    collections into the oldest generation, and every third request paid a full collection."""
    import gc

    data = ownership.map_data(rows_world.manager, ownership.MapFilters(), now=rows_world.now)
    assert data.projects and data.people
    assert {type(row) for row in data.projects} == {tuple}
    assert {type(person) for person in data.people.values()} == {tuple}
    gc.collect()
    assert not any(gc.is_tracked(row) for row in data.projects)
    assert not any(gc.is_tracked(person) for person in data.people.values())
    person = data.people[rows_world.member2.pk]
    assert person[ownership.M_NAME] == "Nia Member" and person[ownership.M_ACTIVE] is False
    assert person == ownership.MapPerson(*person)  # MapPerson's values, in its order


def test_the_map_api_lets_go_of_its_payload_once_written(rows_world):
    """A DRF view and its response refer to each other, so what the response holds waits for
    a full collection unless the response lets go of it."""
    client = sign_in(Client(), rows_world.manager)
    for url in ("/api/v1/ownership-map/", "/api/v1/ownership-map/sun/"):
        response = client.get(url)
        assert response.status_code == 200 and response.json()
        assert response.data is None
