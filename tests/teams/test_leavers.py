"""A person who left: the page and the API agree. Members get a 404 from both; managers and
admins see them, marked as having left."""

from __future__ import annotations

import pytest
from django.test import Client

from teams.services import person_deactivate
from tests.conftest import sign_in
from tests.factories import SYSTEM, PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def leaver(db):
    person = PersonFactory(username="lea", display_name="Lea Leaver", title="Secret title")
    person_deactivate(actor=SYSTEM, person=person)
    return person


def test_members_get_404_from_page_and_api(member_client, leaver):
    page = member_client.get(f"/people/{leaver.pk}/")
    assert page.status_code == 404
    assert "Lea Leaver" not in page.content.decode()
    assert "Secret title" not in page.content.decode()
    assert member_client.get(f"/api/v1/people/{leaver.pk}/").status_code == 404


@pytest.mark.parametrize("role", ["manager", "admin"])
def test_managers_and_admins_see_leavers_marked(role, leaver):
    client = sign_in(Client(), PersonFactory(username=f"boss-{role}", org_role=role))
    page = client.get(f"/people/{leaver.pk}/")
    assert page.status_code == 200
    assert 'class="badge badge-left">Left' in page.content.decode()
    api = client.get(f"/api/v1/people/{leaver.pk}/")
    assert api.status_code == 200 and api.json()["is_active"] is False
    listed = client.get("/api/v1/people/", {"include_left": "true"}).json()["results"]
    assert "lea" in {row["username"] for row in listed}
