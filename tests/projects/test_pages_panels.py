"""What projects adds to teams' pages: the dashboard's cards, a team's projects, and on a
person's page, for admins, the projects they answer for with the one-step handover."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from projects import services
from projects.models import OwnershipTransfer, Project, TransferState
from teams import services as team_services
from tests.csp import assert_csp_clean
from tests.factories import PersonFactory
from tests.projects.org import SYSTEM, actor, client_for, html_of, query_count

pytestmark = pytest.mark.django_db


def _section(html: str, element_id: str) -> str:
    """The element with this id, with everything inside it ('' when there is none)."""
    match = re.search(rf'<(\w+)[^>]*\bid="{element_id}"', html)
    if not match:
        return ""
    tag, depth = match.group(1), 0
    for m in re.finditer(rf"<(/?){tag}\b[^>]*>", html[match.start() :]):
        depth += -1 if m.group(1) else 1
        if depth == 0:
            return html[match.start() : match.start() + m.end()]
    return html[match.start() :]


# --- dashboard -----------------------------------------------------------------------------------


def test_dashboard_lists_my_projects_acting_and_transfers_waiting(org):
    mine = org.project(owner=org.member, name="Mine")
    services.goal_create(actor=actor(org.member), project=mine, title="A")
    services.goal_create(actor=actor(org.member), project=mine, title="B", done=True)
    covered = org.project(owner=org.member2, name="Covered")
    org.name_acting(covered, org.member, by=org.member2, days=7)
    offered = org.project(owner=org.lead, name="Offered")
    org.propose(offered, org.member, by=org.lead, reason="You know it best")
    html = html_of(client_for(org.member).get("/"))
    assert_csp_clean(html, "/")
    card = _section(html, "projects-card")
    mine_list = _section(card, "my-projects")
    assert "Mine" in mine_list and "1 open goal" in mine_list and "update due" in mine_list
    assert "Covered" not in mine_list
    acting = _section(card, "acting-for")
    assert "Covered" in acting and "Nia Member" in acting and " in London" in acting
    waiting = _section(card, "transfers-waiting")
    assert "Will you own Offered?" in waiting and "You know it best" in waiting
    assert "stale-in-my-teams" not in card  # not a lead


def test_dashboard_shows_leads_the_stale_projects_of_their_teams(org):
    stale = org.project(owner=org.member, name="Forgotten")
    org.project(owner=org.member, name="Fresh")
    Project.objects.filter(pk=stale.pk).update(stale_at=timezone.now() - timedelta(hours=1))
    card = _section(html_of(client_for(org.lead).get("/")), "stale-in-my-teams")
    assert "Forgotten" in card and "Fresh" not in card and "Mo Member" in card
    # Someone who owns nothing and leads nothing gets a short line, not an empty card.
    html = html_of(client_for(org.outsider).get("/"))
    assert "You own no open project" in html


def test_dashboard_card_keeps_its_query_count(org, django_assert_max_num_queries):
    def grow(n, start):
        for i in range(start, start + n):
            p = org.project(owner=org.lead, name=f"Led {i}")
            services.goal_create(actor=SYSTEM, project=p, title="g")
            Project.objects.filter(pk=p.pk).update(stale_at=timezone.now() - timedelta(hours=1))
            other = org.project(owner=org.member, name=f"Offer {i}")
            org.propose(other, org.lead, reason="r")
            acting = org.project(owner=org.member2, name=f"Cover {i}")
            org.name_acting(acting, org.lead, days=3)

    grow(3, 0)
    client = client_for(org.lead)
    client.get("/")
    small = query_count(client, "/", django_assert_max_num_queries)
    grow(27, 3)
    with django_assert_max_num_queries(small):
        client.get("/")


# --- team page -----------------------------------------------------------------------------------


def test_team_page_lists_its_open_projects(org):
    org.project(owner=org.member, name="Open one")
    done = org.project(owner=org.member, name="Finished")
    services.project_update(actor=SYSTEM, project=done, status="done")
    org.project(owner=org.outsider, team=org.other_team, name="Elsewhere")
    html = html_of(client_for(org.outsider).get(f"/teams/{org.team.slug}/"))
    panel = _section(html, "team-projects")
    assert "Open one" in panel and "Finished" not in panel and "Elsewhere" not in panel
    assert "Projects (1 open)" in panel and " in London" in panel
    assert "New project" not in panel  # not their team
    assert "New project" in _section(
        html_of(client_for(org.member).get(f"/teams/{org.team.slug}/")), "team-projects"
    )


# --- a person's page, for admins -----------------------------------------------------------------


def test_admin_sees_the_persons_projects_before_the_deactivate_button(org):
    owned = org.project(owner=org.member, name="Owned")
    covered = org.project(owner=org.member2, name="Covered")
    org.name_acting(covered, org.member, days=7)
    html = html_of(client_for(org.admin).get(f"/people/{org.member.pk}/"))
    assert_csp_clean(html, "person page")
    panel = html.index('id="person-projects"')
    assert panel < html.index("Deactivate")
    section = _section(html, "person-projects")
    assert "Owned" in section and "Covered" in section
    assert f'name="to_{owned.pk}"' in section
    assert "Hand back to the owner, Nia Member" in section
    # Nobody but admins sees it.
    for user in (org.lead, org.manager, org.member2):
        assert 'id="person-projects"' not in html_of(
            client_for(user).get(f"/people/{org.member.pk}/")
        )


def test_one_step_handover_proposes_new_owners(org):
    owned = org.project(owner=org.member, name="Owned")
    second = org.project(owner=org.member, name="Second")
    covered = org.project(owner=org.member2, name="Covered")
    org.name_acting(covered, org.member, days=7)
    team_services.person_deactivate(actor=actor(org.admin), person=org.member)
    client = client_for(org.admin)
    page = html_of(client.get(f"/projects/transfers/person/{org.member.pk}/"))
    assert "Orphaned" in page and "were deactivated" not in page
    response = client.post(
        f"/projects/transfers/person/{org.member.pk}/",
        {
            f"to_{owned.pk}": str(org.member2.pk),
            f"to_{second.pk}": "",  # left for now
            f"to_{covered.pk}": "end-acting",
            "reason": "Mo left the company",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == f"/people/{org.member.pk}/"
    transfer = OwnershipTransfer.objects.get()
    assert (transfer.project_id, transfer.to_person_id, transfer.reason) == (
        owned.pk, org.member2.pk, "Mo left the company",
    )  # fmt: skip
    assert transfer.state == TransferState.PENDING
    covered.refresh_from_db()
    assert covered.acting_owner_id is None
    # The page now says the transfer is waiting instead of offering a picker.
    html = html_of(client.get(f"/people/{org.member.pk}/"))
    assert "waiting for their answer" in _section(html, f"handover-{owned.pk}")


def test_handover_is_all_or_nothing(org):
    first = org.project(owner=org.member, name="First")
    second = org.project(owner=org.member, name="Second")
    gone = PersonFactory(username="gone")
    team_services.membership_set(actor=SYSTEM, team=org.team, person=gone, role="member")
    client = client_for(org.admin)
    page = html_of(client.get(f"/people/{org.member.pk}/"))
    assert f'value="{gone.pk}"' in page
    team_services.person_deactivate(actor=SYSTEM, person=gone)  # between showing and posting
    response = client.post(
        f"/projects/transfers/person/{org.member.pk}/",
        {f"to_{first.pk}": str(org.lead.pk), f"to_{second.pk}": str(gone.pk), "reason": "Leaving"},
    )
    assert response.status_code == 400
    html = html_of(response)
    assert_csp_clean(html, "handover 400")
    assert "Select a valid choice" in _section(html, f"handover-{second.pk}")
    assert not OwnershipTransfer.objects.exists()
    # A refusal by the service (not the form) also rolls back the ones before it.
    response = client.post(
        f"/projects/transfers/person/{org.member.pk}/",
        {f"to_{first.pk}": str(org.lead.pk), f"to_{second.pk}": str(org.lead.pk), "reason": ""},
    )
    assert response.status_code == 400 and "This field is required" in html_of(response)
    assert not OwnershipTransfer.objects.exists()
    response = client.post(f"/projects/transfers/person/{org.member.pk}/", {"reason": "x"})
    assert response.status_code == 400 and "at least one project" in html_of(response)


def test_handover_service_refusal_rolls_back(org, monkeypatch):
    first = org.project(owner=org.member, name="First")
    second = org.project(owner=org.member, name="Second")
    real = services.transfer_propose

    def refuse_second(**kwargs):
        if kwargs["project"].pk == second.pk:
            raise services.ValidationError({"to_person": "Not today."})
        return real(**kwargs)

    monkeypatch.setattr(services, "transfer_propose", refuse_second)
    response = client_for(org.admin).post(
        f"/projects/transfers/person/{org.member.pk}/",
        {f"to_{first.pk}": str(org.lead.pk), f"to_{second.pk}": str(org.lead.pk), "reason": "x"},
    )
    assert response.status_code == 400
    assert "Not today." in _section(html_of(response), f"handover-{second.pk}")
    assert not OwnershipTransfer.objects.exists()


def test_handover_is_for_admins_only(org):
    project = org.project(owner=org.member)
    for user in (org.lead, org.manager, org.member):
        client = client_for(user)
        url = f"/projects/transfers/person/{org.member.pk}/"
        assert client.get(url).status_code == 403
        assert (
            client.post(url, {f"to_{project.pk}": str(org.lead.pk), "reason": "x"}).status_code
            == 403
        )
    assert not OwnershipTransfer.objects.exists()
    assert client_for(org.admin).get("/projects/transfers/person/999999/").status_code == 404


def test_person_page_keeps_its_query_count_with_the_panel(org, django_assert_max_num_queries):
    def grow(n, start):
        for i in range(start, start + n):
            p = org.project(owner=org.member, name=f"P {i}", team=(org.team, org.other_team)[i % 2])
            if i % 3 == 0:
                org.propose(p, org.lead, reason="r")

    grow(3, 0)
    client = client_for(org.admin)
    url = f"/people/{org.member.pk}/"
    client.get(url)
    small = query_count(client, url, django_assert_max_num_queries)
    grow(27, 3)
    with django_assert_max_num_queries(small):
        client.get(url)
