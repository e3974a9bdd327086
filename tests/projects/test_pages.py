"""The project pages: the list with its filters, creating and editing a project, its page with
goals (htmx), status updates, transfers, acting owners, watching and history."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from projects import services
from projects.models import Goal, OwnershipTransfer, Project, ProjectUpdate, TransferState
from teams import services as team_services
from tests.csp import assert_csp_clean
from tests.factories import PersonFactory
from tests.projects.org import SYSTEM, actor, client_for, html_of, query_count

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def roles(org) -> dict:
    return {
        "owner": org.member,
        "member": org.member2,
        "lead": org.lead,
        "outsider": org.outsider,
        "manager": org.manager,
        "admin": org.admin,
    }


# --- every page renders for every role -----------------------------------------------------------


@pytest.mark.parametrize("role", ["owner", "member", "lead", "outsider", "manager", "admin"])
def test_pages_render_for_each_role_and_are_csp_clean(org, role):
    project = org.project(owner=org.member, description="Hello **world**")
    services.goal_create(actor=actor(org.member), project=project, title="Ship it", target_value=5)
    services.update_post(actor=actor(org.member), project=project, health="at_risk", body="Hm")
    transfer = org.propose(project, org.member2, by=org.lead, reason="Rebalance")
    client = client_for(roles(org)[role])
    may_edit = role in ("owner", "lead", "admin")
    may_create = role in ("owner", "member", "lead", "outsider", "admin")
    expected = {
        "/projects/": 200,
        "/projects/?status=open&health=at_risk&orphaned=on": 200,
        f"/projects/{project.slug}/": 200,
        f"/projects/{project.slug}/edit/": 200 if may_edit else 403,
        "/projects/new/": 200 if may_create else 403,
        f"/projects/transfers/{transfer.pk}/": 200,
        f"/projects/transfers/person/{org.member.pk}/": 200 if role == "admin" else 403,
        "/": 200,
        f"/teams/{org.team.slug}/": 200,
        f"/people/{org.member.pk}/": 200,
    }
    for url, status in expected.items():
        response = client.get(url)
        assert response.status_code == status, (role, url, response.status_code)
        assert_csp_clean(html_of(response), url)
    page = html_of(client.get(f"/projects/{project.slug}/"))
    assert "<strong>world</strong>" in page
    assert ('id="post-update"' in page) is (role == "owner")
    assert ('id="goal-add-form"' in page) is may_edit
    assert ("Accept or decline" in page) is (role == "member")


def test_unknown_project_transfer_and_goal_are_404(org):
    project = org.project(owner=org.member)
    client = client_for(org.member)
    for url in (
        "/projects/nope/",
        "/projects/nope/edit/",
        "/projects/transfers/999999/",
        f"/projects/{project.slug}/goals/999999/",
    ):
        assert client.get(url).status_code == 404, url


def test_people_show_their_local_time_and_state(org):
    manila = PersonFactory(display_name="Ana Reyes", time_zone="Asia/Manila", country="PH")
    team_services.membership_set(actor=SYSTEM, team=org.team, person=manila, role="member")
    project = org.project(owner=manila, backup_owner=org.member)
    page = html_of(client_for(org.lead).get(f"/projects/{project.slug}/"))
    owner = re.search(r'<dd id="owner">(.*?)</dd>', page, re.S).group(1)
    assert "Ana Reyes" in owner and " in Manila" in owner
    assert re.search(r"badge-(on|off|asleep)", owner)
    assert " in London" in re.search(r'<dd id="backup">(.*?)</dd>', page, re.S).group(1)


# --- the list ------------------------------------------------------------------------------------


def test_list_marks_orphaned_and_stale_and_filters(org):
    alive = org.project(owner=org.member, name="Alive")
    orphan = org.project(owner=org.member2, name="Orphan")
    stale = org.project(owner=org.member, name="Stale one", critical=True)
    Project.objects.filter(pk=stale.pk).update(stale_at=timezone.now() - timedelta(days=1))
    team_services.person_deactivate(actor=actor(org.admin), person=org.member2)
    client = client_for(org.lead)
    page = html_of(client.get("/projects/"))
    row = re.search(
        rf'<tr data-project="{orphan.slug}" class="row-orphaned">(.*?)</tr>', page, re.S
    )
    assert row and "Orphaned" in row.group(1) and "Deactivated" in row.group(1)
    row = re.search(rf'<tr data-project="{stale.slug}" class="row-stale">(.*?)</tr>', page, re.S)
    assert row and "Stale" in row.group(1) and "Critical" in row.group(1)

    def slugs(params) -> set[str]:
        return set(
            re.findall(r'<tr data-project="([^"]+)"', html_of(client.get("/projects/", params)))
        )

    assert slugs({"orphaned": "on"}) == {orphan.slug}
    assert slugs({"stale": "on"}) == {stale.slug}
    assert slugs({"critical": "on"}) == {stale.slug}
    assert slugs({"q": "aliv"}) == {alive.slug}
    assert slugs({"owner": org.member.username}) == {alive.slug, stale.slug}
    assert slugs({"country": "GB", "status": "open"}) == {alive.slug, orphan.slug, stale.slug}
    assert slugs({"country": "PH"}) == set()
    assert slugs({"team": org.other_team.pk}) == set()
    assert slugs({"health": "none"}) == {alive.slug, orphan.slug, stale.slug}
    # A bad filter is shown and left out; the others apply.
    response = client.get("/projects/", {"owner": "nobody-here", "q": "orph"})
    assert "Nobody has the username" in html_of(response)
    assert set(re.findall(r'<tr data-project="([^"]+)"', html_of(response))) == {orphan.slug}
    # htmx asks for the results only.
    partial = html_of(client.get("/projects/", {"q": "orph"}, **HTMX))
    assert partial.startswith('<div id="project-results">') and "<html" not in partial


def test_new_project_button_only_for_who_may_create(org):
    assert 'id="new-project"' in html_of(client_for(org.member).get("/projects/"))
    assert 'id="new-project"' in html_of(client_for(org.admin).get("/projects/"))
    assert 'id="new-project"' not in html_of(client_for(org.manager).get("/projects/"))


def _many(org, n, *, start=0):
    out = []
    for i in range(start, start + n):
        owner = (org.member, org.member2, org.lead)[i % 3]
        project = org.project(owner=owner, name=f"Bulk {i:03d}", backup_owner=org.admin)
        if i % 4 == 0:
            org.name_acting(project, org.outsider, days=5)
        if i % 2 == 0:
            services.goal_create(actor=SYSTEM, project=project, title="G")
        out.append(project)
    return out


@pytest.mark.parametrize(
    "url",
    [
        "/projects/",
        "/projects/?status=open&country=GB&critical=on&owner=me",
        "/",
        "/teams/platform/",
    ],
)
def test_list_dashboard_and_team_pages_keep_their_query_count_3_vs_30(
    org, url, django_assert_max_num_queries
):
    _many(org, 3)
    client = client_for(org.lead)
    client.get(url)  # warm up: sessions, caches
    small = query_count(client, url, django_assert_max_num_queries)
    _many(org, 27, start=3)
    with django_assert_max_num_queries(small):
        assert client.get(url).status_code == 200


def test_project_page_keeps_its_query_count_3_vs_30_goals_and_updates(
    org, django_assert_max_num_queries
):
    project = org.project(owner=org.member)

    def grow(n):
        for i in range(n):
            services.goal_create(actor=actor(org.member), project=project, title=f"G{i}")
            services.update_post(actor=actor(org.member), project=project, health="on_track")
            services.project_update(
                actor=actor(org.lead), project=project, status=("active", "paused")[i % 2]
            )

    grow(3)
    org.propose(project, org.member2, by=org.lead)
    viewers = (org.member, org.member2, org.lead, org.admin)
    url = f"/projects/{project.slug}/"
    small = {}
    for viewer in viewers:
        client = client_for(viewer)
        client.get(url)  # warm up: the session
        small[viewer.pk] = query_count(client, url, django_assert_max_num_queries)
        assert small[viewer.pk] <= 20, small
    grow(27)
    for viewer in viewers:
        client = client_for(viewer)
        client.get(url)
        with django_assert_max_num_queries(small[viewer.pk]):
            client.get(url)


# --- creating and editing ------------------------------------------------------------------------


def test_member_creates_a_project_they_own(org):
    client = client_for(org.member2)
    page = html_of(client.get("/projects/new/"))
    assert 'name="owner"' not in page  # members own what they create
    team_select = re.search(r'<select[^>]*name="team".*?</select>', page, re.S).group(0)
    assert f'<option value="{org.team.pk}">' in team_select
    assert f'<option value="{org.other_team.pk}">' not in team_select  # not their team
    response = client.post(
        "/projects/new/",
        {
            "name": "Search revamp",
            "team": org.team.pk,
            "status": "active",
            "priority": "2",
            "update_cadence_days": "7",
            "description": "Go <script>alert(1)</script>",
            "links": "Spec https://example.com/spec",
            "start_date": "2026-01-05",
            "target_date": "2026-03-01",
        },
    )
    assert response.status_code == 302, html_of(response)
    project = Project.objects.get(name="Search revamp")
    assert response["Location"] == f"/projects/{project.slug}/"
    assert project.owner_id == org.member2.pk
    assert project.links == [{"title": "Spec", "url": "https://example.com/spec"}]
    page = html_of(client.get(response["Location"]))
    assert "<script>alert" not in page and "alert(1)" not in page


def test_member_may_not_name_another_owner_nor_use_another_team(org):
    client = client_for(org.member2)
    base = {"name": "Sneaky", "status": "planned", "priority": "0", "update_cadence_days": "7"}
    response = client.post("/projects/new/", {**base, "team": org.other_team.pk})
    assert response.status_code == 400
    assert "Select a valid choice" in html_of(response)
    response = client.post("/projects/new/", {**base, "team": org.team.pk, "owner": org.member.pk})
    assert response.status_code == 302  # the field is not theirs: ignored, they own it
    assert Project.objects.get(name="Sneaky").owner_id == org.member2.pk


def test_lead_names_an_owner_from_the_team(org):
    client = client_for(org.lead)
    fragment = html_of(client.get("/projects/new/people/", {"team": org.team.pk}))
    assert 'id="owner-fields"' in fragment and f'value="{org.member.pk}"' in fragment
    response = client.post(
        "/projects/new/",
        {
            "name": "Billing",
            "team": org.team.pk,
            "owner": org.member.pk,
            "backup_owner": org.member2.pk,
            "status": "planned",
            "priority": "0",
            "update_cadence_days": "14",
        },
    )
    assert response.status_code == 302, html_of(response)
    project = Project.objects.get(name="Billing")
    assert (project.owner_id, project.backup_owner_id) == (org.member.pk, org.member2.pk)


def test_create_form_shows_errors_and_writes_nothing(org):
    client = client_for(org.lead)
    response = client.post("/projects/new/", {"name": "", "team": org.team.pk})
    assert response.status_code == 400
    assert re.search(r'id="field-id_name".*?This field is required', html_of(response), re.S)
    response = client.post(
        "/projects/new/",
        {
            "name": "Bad",
            "team": org.team.pk,
            "owner": org.lead.pk,
            "backup_owner": org.lead.pk,
            "status": "planned",
            "priority": "0",
            "update_cadence_days": "500",
            "start_date": "2026-05-01",
            "target_date": "2026-04-01",
            "links": "not a link",
        },
    )
    assert response.status_code == 400
    page = html_of(response)
    assert "whole number from 1 to 90" in page
    assert "not an http(s) URL" in page
    assert not Project.objects.exists()
    assert_csp_clean(page, "POST /projects/new/")
    response = client.post(
        "/projects/new/",
        {
            "name": "Dates",
            "team": org.team.pk,
            "owner": org.lead.pk,
            "status": "planned",
            "priority": "0",
            "update_cadence_days": "7",
            "start_date": "2026-05-01",
            "target_date": "2026-04-01",
        },
    )
    assert response.status_code == 400
    assert re.search(
        r'id="field-id_target_date".*?The target date is before the start date',
        html_of(response),
        re.S,
    )
    assert not Project.objects.exists()


def test_edit_page_saves_and_refuses_bad_input(org):
    project = org.project(owner=org.member, start_date="2026-01-01")
    client = client_for(org.lead)
    page = html_of(client.get(f"/projects/{project.slug}/edit/"))
    assert 'name="owner"' not in page  # a transfer, not an edit
    form = {
        "name": "Renamed",
        "slug": project.slug,
        "status": "active",
        "priority": "1",
        "critical": "on",
        "update_cadence_days": "7",
        "start_date": "2026-01-01",
        "target_date": "2025-12-01",
        "backup_owner": org.member2.pk,
    }
    response = client.post(f"/projects/{project.slug}/edit/", form)
    assert response.status_code == 400
    project.refresh_from_db()
    assert project.name != "Renamed" and project.backup_owner_id is None
    response = client.post(f"/projects/{project.slug}/edit/", {**form, "target_date": "2026-06-01"})
    assert response.status_code == 302
    project.refresh_from_db()
    assert (project.name, project.status, project.critical) == ("Renamed", "active", True)
    assert project.backup_owner_id == org.member2.pk
    history = html_of(client.get(f"/projects/{project.slug}/"))
    assert re.search(r"Status</td>\s*<td[^>]*>Planned → Active", history)
    assert re.search(r"Backup owner</td>\s*<td[^>]*>— → Nia Member", history)


def test_only_admins_delete_and_only_by_name(org):
    project = org.project(owner=org.member)
    assert client_for(org.lead).post(f"/projects/{project.slug}/delete/").status_code == 403
    admin = client_for(org.admin)
    admin.post(f"/projects/{project.slug}/delete/", {"confirm": "wrong"})
    assert Project.objects.filter(pk=project.pk).exists()
    admin.post(f"/projects/{project.slug}/delete/", {"confirm": project.name})
    assert not Project.objects.filter(pk=project.pk).exists()


# --- goals ---------------------------------------------------------------------------------------


def test_goals_in_place_with_htmx(org):
    project = org.project(owner=org.member, start_date="2026-01-10")
    client = client_for(org.member)
    base = f"/projects/{project.slug}/goals/"
    response = client.post(
        base,
        {"title": "Migrate", "current_value": "3", "target_value": "10", "unit": "services"},
        **HTMX,
    )
    assert response.status_code == 200
    fragment = html_of(response)
    assert fragment.startswith('<section id="goals"') or 'id="goals"' in fragment[:200]
    assert "3 of 10 services" in fragment and "30%" in fragment
    goal = Goal.objects.get()
    # A goal's date before the project starts: the error beside the field, nothing written.
    response = client.post(base, {"title": "Early", "target_date": "2026-01-01"}, **HTMX)
    assert response.status_code == 200
    assert re.search(
        r'id="field-new-goal-target_date".*?before the project starts', html_of(response), re.S
    )
    assert Goal.objects.count() == 1
    # Without htmx the page comes back with the error (400).
    response = client.post(base, {"title": "Early", "target_date": "2026-01-01"})
    assert response.status_code == 400 and "before the project starts" in html_of(response)
    # Edit in place: the form, then saving it.
    edit = html_of(client.get(f"{base}{goal.pk}/", **HTMX))
    assert 'id="goal-' in edit and 'name="title" value="Migrate"' in edit
    response = client.post(
        f"{base}{goal.pk}/",
        {"title": "Migrate all", "current_value": "x", "target_value": "10"},
        **HTMX,
    )
    assert "is a number" in html_of(response)
    goal.refresh_from_db()
    assert goal.title == "Migrate"
    client.post(
        f"{base}{goal.pk}/",
        {"title": "Migrate all", "current_value": "10", "target_value": "10"},
        **HTMX,
    )
    goal.refresh_from_db()
    assert (goal.title, goal.current_value) == ("Migrate all", 10)
    # Done and open again; remove.
    fragment = html_of(client.post(f"{base}{goal.pk}/done/", {"done": "1"}, **HTMX))
    assert "goal-done" in fragment
    goal.refresh_from_db()
    assert goal.done
    assert client.post(f"{base}{goal.pk}/done/", {"done": "0"}).status_code == 302
    goal.refresh_from_db()
    assert not goal.done
    client.post(f"{base}{goal.pk}/delete/", **HTMX)
    assert not Goal.objects.exists()


def test_goals_refused_to_those_who_may_not_edit(org):
    project = org.project(owner=org.member)
    goal = services.goal_create(actor=actor(org.member), project=project, title="Keep")
    base = f"/projects/{project.slug}/goals/"
    for user in (org.member2, org.outsider, org.manager):
        client = client_for(user)
        assert client.post(base, {"title": "x"}).status_code == 403
        assert client.post(f"{base}{goal.pk}/", {"title": "x"}).status_code == 403
        assert client.post(f"{base}{goal.pk}/done/", {"done": "1"}).status_code == 403
        assert client.post(f"{base}{goal.pk}/delete/").status_code == 403
    goal.refresh_from_db()
    assert (goal.title, goal.done) == ("Keep", False)
    assert Goal.objects.count() == 1
    other = org.project(owner=org.member2)
    # A goal of another project is not found under this one.
    assert (
        client_for(org.lead).post(f"/projects/{other.slug}/goals/{goal.pk}/delete/").status_code
        == 404
    )


# --- status updates ------------------------------------------------------------------------------


def test_owner_posts_updates_and_sees_what_changed(org):
    project = org.project(owner=org.member, target_date="2026-09-01")
    client = client_for(org.member)
    url = f"/projects/{project.slug}/updates/"
    response = client.post(url, {"health": "on_track", "body": "Started"})
    first = ProjectUpdate.objects.get()
    assert response["Location"].endswith(f"#update-{first.pk}")
    services.goal_create(actor=actor(org.member), project=project, title="Beta", target_value=4)
    services.project_update(actor=actor(org.lead), project=project, target_date="2026-10-01")
    client.post(url, {"health": "at_risk", "body": "Slipping <script>x()</script>"})
    page = html_of(client.get(f"/projects/{project.slug}/"))
    assert "What changed since the previous update (3)" in page
    assert re.search(r"<td>Health</td><td>On track</td><td>At risk</td>", page)
    assert re.search(r"<td>Target date</td><td>Tue 01 Sep 2026</td><td>Thu 01 Oct 2026</td>", page)
    assert "Goal “Beta”" in page and "x()" not in page
    assert 'class="health health-risk">At risk' in page


def test_update_with_unknown_health_shows_error_and_writes_nothing(org):
    project = org.project(owner=org.member)
    response = client_for(org.member).post(
        f"/projects/{project.slug}/updates/", {"health": "great", "body": "?"}
    )
    assert response.status_code == 400
    assert re.search(
        r'id="field-health".*?not one of the available choices', html_of(response), re.S
    )
    assert not ProjectUpdate.objects.exists()


@pytest.mark.parametrize("role", ["member", "lead", "outsider", "manager", "admin"])
def test_only_the_accountable_person_posts_updates(org, role):
    project = org.project(owner=org.member)
    response = client_for(roles(org)[role]).post(
        f"/projects/{project.slug}/updates/", {"health": "on_track"}
    )
    assert response.status_code == 403
    assert not ProjectUpdate.objects.exists()


def test_acting_owner_posts_and_the_owner_does_not(org):
    project = org.project(owner=org.member)
    client = client_for(org.lead)
    until = (timezone.now() + timedelta(days=10)).date().isoformat()
    response = client.post(
        f"/projects/{project.slug}/acting/",
        {"acting_owner": org.member2.pk, "until": until, "note": "Parental leave"},
    )
    assert response.status_code == 302
    page = html_of(client.get(f"/projects/{project.slug}/"))
    acting = re.search(r'<dd id="acting-owner">(.*?)</dd>', page, re.S).group(1)
    assert "Nia Member" in acting and " in London" in acting and "Parental leave" in acting
    url = f"/projects/{project.slug}/updates/"
    assert client_for(org.member).post(url, {"health": "on_track"}).status_code == 403
    assert client_for(org.member2).post(url, {"health": "on_track"}).status_code == 302
    # Ending early hands it back.
    assert client.post(f"/projects/{project.slug}/acting/end/").status_code == 302
    project.refresh_from_db()
    assert project.acting_owner_id is None


def test_acting_form_errors(org):
    project = org.project(owner=org.member)
    client = client_for(org.member)
    yesterday = (timezone.now() - timedelta(days=1)).date().isoformat()
    response = client.post(
        f"/projects/{project.slug}/acting/",
        {"acting_owner_username": org.member.username, "until": yesterday},
    )
    assert response.status_code == 400
    page = html_of(response)
    assert "must be after today" in page and "someone other than the owner" in page
    assert re.search(r'<details class="inline-details" id="acting" open>', page)
    project.refresh_from_db()
    assert project.acting_owner_id is None
    assert (
        client_for(org.member2)
        .post(
            f"/projects/{project.slug}/acting/",
            {"acting_owner": org.lead.pk, "until": "2099-01-01"},
        )
        .status_code
        == 403
    )


# --- transfers -----------------------------------------------------------------------------------


def test_transfer_proposed_accepted_with_a_note(org):
    project = org.project(owner=org.member)
    response = client_for(org.lead).post(
        f"/projects/{project.slug}/transfer/",
        {"to_person": org.member2.pk, "reason": "Mo moves to Payments", "note": "Docs in the wiki"},
    )
    assert response.status_code == 302
    transfer = OwnershipTransfer.objects.get()
    page = html_of(client_for(org.member).get(f"/projects/{project.slug}/"))
    assert 'id="pending-transfer"' in page and "Mo moves to Payments" in page
    assert "Accept or decline" not in page  # only the proposed owner answers
    nia = client_for(org.member2)
    page = html_of(nia.get(f"/projects/transfers/{transfer.pk}/"))
    assert "Will you own" in page and "Docs in the wiki" in page
    # The admin may not answer for Nia.
    admin = client_for(org.admin)
    assert (
        admin.post(f"/projects/transfers/{transfer.pk}/answer/", {"action": "accept"}).status_code
        == 403
    )
    response = nia.post(
        f"/projects/transfers/{transfer.pk}/answer/", {"action": "accept", "answer": "Happy to"}
    )
    assert response.status_code == 302
    project.refresh_from_db()
    transfer.refresh_from_db()
    assert project.owner_id == org.member2.pk
    assert (transfer.state, transfer.answer) == (TransferState.ACCEPTED, "Happy to")
    history = html_of(nia.get(f"/projects/{project.slug}/"))
    assert re.search(r"<td[^>]*>Owner</td>\s*<td[^>]*>Mo Member → Nia Member", history)


def test_transfer_declined_and_cancelled(org):
    project = org.project(owner=org.member)
    transfer = org.propose(project, org.member2, by=org.member, reason="Busy")
    nia = client_for(org.member2)
    nia.post(
        f"/projects/transfers/{transfer.pk}/answer/", {"action": "decline", "answer": "No time"}
    )
    transfer.refresh_from_db()
    assert (transfer.state, transfer.answer) == (TransferState.DECLINED, "No time")
    project.refresh_from_db()
    assert project.owner_id == org.member.pk
    again = org.propose(project, org.lead, by=org.member, reason="Busy")
    # A member who is not party to it may not cancel; the proposer may.
    assert nia.post(f"/projects/transfers/{again.pk}/cancel/").status_code == 403
    assert client_for(org.member).post(f"/projects/transfers/{again.pk}/cancel/").status_code == 302
    again.refresh_from_db()
    assert again.state == TransferState.CANCELLED
    # Junk action: nothing written.
    third = org.propose(project, org.lead, by=org.member, reason="Busy")
    response = client_for(org.lead).post(
        f"/projects/transfers/{third.pk}/answer/", {"action": "maybe"}
    )
    assert response.status_code == 400
    third.refresh_from_db()
    assert third.state == TransferState.PENDING


@pytest.mark.parametrize(
    "to, message",
    [
        ("deactivated", "has been deactivated"),
        ("self", "cannot propose yourself"),
        ("owner", "already owns"),
    ],
)
def test_bad_transfers_show_errors_and_write_nothing(org, to, message):
    project = org.project(owner=org.member)
    gone = PersonFactory(username="gone")
    team_services.membership_set(actor=SYSTEM, team=org.team, person=gone, role="member")
    team_services.person_deactivate(actor=SYSTEM, person=gone)
    # The picker offers neither the lead nor the owner: typed by username, the service refuses.
    target = {"deactivated": "gone", "self": org.lead.username, "owner": org.member.username}[to]
    response = client_for(org.lead).post(
        f"/projects/{project.slug}/transfer/", {"to_person_username": target, "reason": "Because"}
    )
    assert response.status_code == 400
    page = html_of(response)
    assert message in page
    assert re.search(r'<details class="inline-details" id="propose" open>', page)
    assert not OwnershipTransfer.objects.exists()


def test_transfer_needs_a_person_and_a_reason(org):
    project = org.project(owner=org.member)
    response = client_for(org.member).post(
        f"/projects/{project.slug}/transfer/", {"to_person_username": "nobody"}
    )
    assert response.status_code == 400
    page = html_of(response)
    assert "Nobody has the username" in page and "This field is required" in page
    assert not OwnershipTransfer.objects.exists()
    assert (
        client_for(org.member2)
        .post(f"/projects/{project.slug}/transfer/", {"to_person": org.lead.pk, "reason": "x"})
        .status_code
        == 403
    )


# --- watching ------------------------------------------------------------------------------------


def test_watch_and_unwatch_with_htmx(org):
    project = org.project(owner=org.member)
    client = client_for(org.outsider)
    fragment = html_of(client.post(f"/projects/{project.slug}/watch/", {"watch": "1"}, **HTMX))
    assert "Watching" in fragment and fragment.lstrip().startswith("<form")
    assert project.watches.filter(person=org.outsider).exists()
    client.post(f"/projects/{project.slug}/watch/", {"watch": "0"})
    assert not project.watches.exists()


# --- times ----------------------------------------------------------------------------------------


def test_times_are_in_the_viewers_zone_on_their_clock(org):
    from datetime import UTC, datetime

    import time_machine

    kiri = PersonFactory(username="kiri", time_zone="Pacific/Auckland", country="NZ", clock="12h")
    with time_machine.travel(datetime(2026, 12, 2, 8, 5, tzinfo=UTC), tick=False):
        project = org.project(owner=org.member)
        services.update_post(actor=actor(org.member), project=project, health="on_track")
        page = html_of(client_for(kiri).get(f"/projects/{project.slug}/"))
    # 08:05 UTC is 21:05 in Auckland (UTC+13), on Kiri's 12-hour clock; Mo's own time is
    # London's.
    update = re.search(r'<article class="card update".*?</article>', page, re.S).group(0)
    assert "Wed 02 Dec 2026 9:05 pm" in update
    assert "8:05 am in London" in update
    assert "Pacific/Auckland" in page
