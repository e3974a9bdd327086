"""Team tree, team page (members, 24-hour strip), team editing and memberships."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from core.models import AuditEvent
from teams.models import Membership, Team
from tests.bulk import bulk_people
from tests.conftest import sign_in
from tests.factories import PersonFactory, TeamFactory, add_member

WEDNESDAY_10_UTC = datetime(2026, 1, 7, 10, 0, tzinfo=UTC)


@pytest.fixture
def org(db, member):
    eng = TeamFactory(name="Engineering", description="Builds Baton.")
    platform = TeamFactory(name="Platform", parent=eng)
    sre = TeamFactory(name="SRE", parent=platform)
    ana = PersonFactory(
        username="ana", display_name="Ana Reyes", time_zone="Asia/Manila", country="PH"
    )
    lead = PersonFactory(username="lea", display_name="Lea Lead")
    add_member(platform, lead, "lead")
    add_member(platform, ana)
    add_member(platform, member)
    return {"eng": eng, "platform": platform, "sre": sre, "ana": ana, "lead": lead}


def test_team_tree_with_counts(member_client, org):
    response = member_client.get("/teams/")
    html = response.content.decode()
    assert response.status_code == 200
    assert html.index("Engineering") < html.index("Platform") < html.index("SRE")
    assert 'class="depth-1"' in html and 'class="depth-2"' in html
    assert "3 members" in html
    assert 'id="team-create-form"' not in html  # members cannot create teams


def test_manager_creates_team_member_cannot(member_client, org):
    response = member_client.post("/teams/", {"name": "Rogue"})
    assert response.status_code == 403
    assert not Team.objects.filter(name="Rogue").exists()
    manager = PersonFactory(username="max", org_role="manager")
    client = sign_in(Client(), manager)
    assert 'id="team-create-form"' in client.get("/teams/").content.decode()
    response = client.post("/teams/", {"name": "Data", "parent": org["eng"].pk})
    assert response.status_code == 302
    assert Team.objects.get(name="Data").parent == org["eng"]
    response = client.post("/teams/", {"name": "  "})
    assert response.status_code == 400 and "errorlist" in response.content.decode()


def test_team_page_members_and_strip(member_client, org):
    with time_machine.travel(WEDNESDAY_10_UTC, tick=False):
        response = member_client.get("/teams/platform/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Engineering" in html  # breadcrumb
    assert "SRE" in html  # sub-team
    assert "Ana Reyes" in html and "Wed 18:00" in html and "Lea Lead" in html
    strips = re.findall(r'<div class="strip slots-48"[^>]*>(.*?)</div>', html, re.S)
    assert len(strips) == 3
    cells = re.findall(r'<span class="cell( on)?( now)?"', strips[0])
    assert len(cells) == 48
    # The lead (London) works 09:00-17:00 London = viewer (London) slots 18..33.
    lead_strip = strips[0]  # leads are listed first
    on = [i for i, cell in enumerate(re.findall(r'class="cell[^"]*"', lead_strip)) if " on" in cell]
    assert on == list(range(18, 34))
    # Ana in Manila works 09:00-17:00 = 01:00-09:00 London: slots 2..17.
    ana_block = html[html.index("Ana Reyes") :]
    ana_strip = re.search(r'<div class="strip slots-48"[^>]*>(.*?)</div>', ana_block, re.S)[1]
    ana_on = [
        i for i, cell in enumerate(re.findall(r'class="cell[^"]*"', ana_strip)) if " on" in cell
    ]
    assert ana_on == list(range(2, 18))
    assert "<span>00</span>" in html and "<span>21</span>" in html  # hour axis
    assert 'class="cell now"' in html or 'class="cell on now"' in html
    # A plain member sees no management forms.
    assert 'id="member-add-form"' not in html and "Remove" not in html


def test_strip_has_50_cells_on_a_dst_fall_back_day_for_a_viewer(db, org):
    viewer = PersonFactory(username="nyc", time_zone="America/New_York", country="US")
    client = sign_in(Client(), viewer)
    with time_machine.travel(datetime(2026, 11, 1, 15, 0, tzinfo=UTC), tick=False):
        html = client.get("/teams/platform/").content.decode()
    assert 'class="strip slots-50"' in html


def test_lead_manages_members(org):
    client = sign_in(Client(), org["lead"])
    html = client.get("/teams/platform/").content.decode()
    assert 'id="member-add-form"' in html and "Edit team" in html
    newbie = PersonFactory(username="newbie", display_name="New Bie")
    response = client.post("/teams/platform/members/add/", {"username": "NEWBIE", "role": "member"})
    assert response.status_code == 302
    assert Membership.objects.filter(team=org["platform"], person=newbie, role="member").exists()
    response = client.post(f"/teams/platform/members/{newbie.pk}/role/", {"role": "lead"})
    assert response.status_code == 302
    assert Membership.objects.get(team=org["platform"], person=newbie).role == "lead"
    response = client.post(f"/teams/platform/members/{newbie.pk}/remove/")
    assert response.status_code == 302
    assert not Membership.objects.filter(team=org["platform"], person=newbie).exists()
    assert AuditEvent.objects.filter(action="membership.remove").exists()


def test_add_unknown_username_shows_error_and_writes_nothing(org):
    client = sign_in(Client(), org["lead"])
    before = Membership.objects.count()
    response = client.post("/teams/platform/members/add/", {"username": "ghost", "role": "member"})
    assert response.status_code == 400
    assert "Nobody has this username." in response.content.decode()
    response = client.post("/teams/platform/members/add/", {"username": "ana", "role": "boss"})
    assert response.status_code == 400
    assert Membership.objects.count() == before


def test_member_cannot_manage_a_team_they_do_not_lead(member_client, org):
    ana = org["ana"]
    for url, data in (
        ("/teams/platform/members/add/", {"username": "ana", "role": "lead"}),
        (f"/teams/platform/members/{ana.pk}/role/", {"role": "lead"}),
        (f"/teams/platform/members/{ana.pk}/remove/", {}),
        ("/teams/platform/edit/", {"name": "Hijacked"}),
    ):
        assert member_client.post(url, data).status_code == 403, url
    assert member_client.get("/teams/platform/edit/").status_code == 403
    assert Membership.objects.get(team=org["platform"], person=ana).role == "member"
    assert Team.objects.get(pk=org["platform"].pk).name == "Platform"


def test_lead_of_one_team_cannot_manage_another(org):
    client = sign_in(Client(), org["lead"])
    assert client.get("/teams/engineering/edit/").status_code == 403
    assert client.post("/teams/sre/members/add/", {"username": "ana"}).status_code == 403


def test_lead_edits_team_and_cycles_are_refused(org):
    client = sign_in(Client(), org["lead"])
    response = client.post(
        "/teams/platform/edit/",
        {"name": "Platform Eng", "parent": org["eng"].pk, "description": "Runs the platform."},
    )
    assert response.status_code == 302
    platform = Team.objects.get(pk=org["platform"].pk)
    assert platform.name == "Platform Eng" and platform.description == "Runs the platform."
    response = client.post(
        "/teams/platform/edit/", {"name": "Loop", "parent": org["sre"].pk, "description": ""}
    )
    assert response.status_code == 400
    assert "cannot be inside itself" in response.content.decode()
    assert Team.objects.get(pk=platform.pk).name == "Platform Eng"


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_team_page_query_count_is_fixed(org):
    client = sign_in(Client(), org["lead"])
    client.get("/teams/platform/")  # warm up the user session row
    small = _count(client, "/teams/platform/")
    bulk_people(200, prefix="crowd", team=org["platform"])
    assert _count(client, "/teams/platform/") == small


def test_team_list_query_count_is_fixed(member_client, org):
    member_client.get("/teams/")
    small = _count(member_client, "/teams/")
    for n in range(20):
        TeamFactory(name=f"Extra {n}", parent=org["eng"])
    assert _count(member_client, "/teams/") == small


def test_unknown_team_is_404(member_client, db):
    assert member_client.get("/teams/nope/").status_code == 404
