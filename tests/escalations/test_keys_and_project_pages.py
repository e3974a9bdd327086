"""The integration keys page (a team's leads and admins make, see once, and revoke keys; the
key then raises updates through the inbound API, and a revoked one is refused) and the
project page's urgent-update card (escalations' "project" panel)."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from escalations.models import IntegrationKey, UpdateState
from tests.conftest import sign_in
from tests.csp import assert_csp_clean
from tests.escalations.world import MINUTE, SYDNEY_3AM, at, counts
from tests.factories import PersonFactory, add_member

LATER = SYDNEY_3AM + 2 * MINUTE


def client_for(user) -> Client:
    return sign_in(Client(), user)


def html(response) -> str:
    return response.content.decode()


KEY_MANAGERS = {"lead", "admin"}


# --- integration keys -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "role", ["lead", "member", "paged_outsider", "outsider", "manager", "admin"]
)
def test_who_manages_keys(world, people, role):
    url = f"/urgent/team-keys/{world.team.slug}/"
    with at(LATER):
        client = client_for(people[role])
        allowed = role in KEY_MANAGERS
        response = client.get(url)
        assert response.status_code == (200 if allowed else 403)
        made = client.post(url, {"name": f"Alertmanager {role}"})
        assert made.status_code == (201 if allowed else 403)
        assert IntegrationKey.objects.filter(team=world.team).count() == (1 if allowed else 0)
        policy = html(client.get(f"/urgent/team-policy/{world.team.slug}/"))
        assert ('id="policy-keys"' in policy) is allowed
        team_page = html(client.get(f"/teams/{world.team.slug}/"))
        assert (f'href="{url}"' in team_page) is allowed


def test_a_key_is_shown_once_raises_updates_and_stops_when_revoked(world):
    url = f"/urgent/team-keys/{world.team.slug}/"
    with at(LATER):
        client = client_for(world.lead)
        page = html(client.get(url))
        assert "has no integration key yet" in page
        assert "/api/v1/integrations/&lt;key&gt;/updates/" in page  # shown as <key>, once escaped
        assert_csp_clean(page, url)
        made = client.post(url, {"name": "Alertmanager (production)"})
        assert made.status_code == 201 and made["Cache-Control"] == "no-store"
        shown = html(made)
        raw = re.search(r'<code id="new-key-value"[^>]*>([^<]+)</code>', shown).group(1)
        key = IntegrationKey.objects.get(team=world.team)
        assert raw not in key.key_hash and raw.startswith(key.prefix)
        assert f"/api/v1/integrations/{raw}/updates/" in shown
        # Never again: the list shows the first characters only.
        again = html(client.get(url))
        assert (
            raw not in again and f"{key.prefix}…" in again and "Alertmanager (production)" in again
        )

        # The key works with no other credential...
        api = Client()
        answer = api.post(
            f"/api/v1/integrations/{raw}/updates/",
            {"title": "Disk full on db-1", "severity": "critical"},
            content_type="application/json",
        )
        assert answer.status_code == 201, answer.content
        assert answer.json()["update"]["state"] == UpdateState.OPEN

        # ...until a lead revokes it.
        revoked = client.post(f"{url}{key.pk}/revoke/")
        assert revoked.status_code == 302 and revoked["Location"] == url
        key.refresh_from_db()
        assert key.revoked
        listed = html(client.get(url))
        assert "revoked" in listed and "Lena Lead" in listed
        again = api.post(
            f"/api/v1/integrations/{raw}/updates/",
            {"title": "Disk full again"},
            content_type="application/json",
        )
        assert again.status_code == 404


def test_bad_key_forms_write_nothing(world):
    url = f"/urgent/team-keys/{world.team.slug}/"
    with at(LATER):
        client = client_for(world.lead)
        assert client.post(url, {"name": "Prod"}).status_code == 201
        before = IntegrationKey.objects.count()
        for data in ({"name": ""}, {"name": "   "}, {"name": "x" * 101}, {"name": "Prod"}, {}):
            response = client.post(url, data)
            assert response.status_code == 400, data
            assert 'class="errorlist' in html(response) or "field-error" in html(response), data
            assert 'id="new-key"' not in html(response)
        assert IntegrationKey.objects.count() == before


def test_revoking_another_teams_key_or_an_unknown_one_is_404(world):
    other_lead = PersonFactory(username="olga", display_name="Olga Other")
    add_member(world.other_team, other_lead, "lead")
    with at(LATER):
        mine = client_for(world.lead)
        mine.post(f"/urgent/team-keys/{world.team.slug}/", {"name": "Prod"})
        key = IntegrationKey.objects.get()
        theirs = client_for(other_lead)
        # Olga leads Payments: through Payments' page the key is not found...
        response = theirs.post(f"/urgent/team-keys/{world.other_team.slug}/{key.pk}/revoke/")
        assert response.status_code == 404
        # ...and Platform's page is not hers.
        response = theirs.post(f"/urgent/team-keys/{world.team.slug}/{key.pk}/revoke/")
        assert response.status_code == 403
        assert mine.post(f"/urgent/team-keys/{world.team.slug}/999999/revoke/").status_code == 404
        assert mine.get(f"/urgent/team-keys/{world.team.slug}/{key.pk}/revoke/").status_code == 405
        assert mine.get("/urgent/team-keys/no-such-team/").status_code == 404
    key.refresh_from_db()
    assert not key.revoked


# --- the project page's card ----------------------------------------------------------------------


def test_project_page_card_by_role(world, people):
    update = world.raise_update(title="Payments failing")
    project_url = f"/projects/{world.project.slug}/"
    with at(LATER):
        for role, user in people.items():
            page = html(client_for(user).get(project_url))
            assert 'id="project-urgent"' in page, role
            # Pat manages another team: a manager reads every team's updates.
            reads = role in {"lead", "member", "paged_outsider", "manager", "admin"}
            assert (f'data-update="{update.pk}"' in page) is reads, role
            # Raising needs to be in the project's team.
            assert ('id="raise-urgent"' in page) is (role in {"lead", "member"}), role
            assert f"/urgent/project-policy/{world.project.slug}/" in page


def test_raise_from_the_project_page_picks_the_project(world):
    with at(LATER):
        client = client_for(world.nia)
        page = html(client.get(f"/projects/{world.project.slug}/"))
        link = re.search(r'href="([^"]+)" id="raise-urgent"', page).group(1)
        assert link == f"/urgent/new/?project={world.project.pk}"
        form = html(client.get(link))
        assert re.search(rf'<option value="project-{world.project.pk}"[^>]*selected', form)
        before = counts()
        response = client.post(
            "/urgent/new/",
            {"place": f"project-{world.project.pk}", "title": "Checkout 500s", "severity": "high"},
        )
        assert response.status_code == 302
        assert counts()["UrgentUpdate"] == before["UrgentUpdate"] + 1
        card = html(client.get(f"/projects/{world.project.slug}/"))
        assert "Checkout 500s" in card


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


def test_project_card_queries_do_not_grow(world, django_assert_max_num_queries):
    world.raise_update(title="First")
    url = f"/projects/{world.project.slug}/"
    with at(LATER):
        client = client_for(world.lead)
        client.get(url)
        small = _queries(client, url)
    assert small > 0
    for i in range(8):
        world.raise_update(title=f"More {i}", severity=("high", "critical")[i % 2])
    with at(LATER):
        client = client_for(world.lead)
        client.get(url)
        with django_assert_max_num_queries(small):
            client.get(url)
