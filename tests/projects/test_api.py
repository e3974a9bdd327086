"""The projects REST API (issue 11, part 7): every endpoint's happy path and the shape of its
answers. Permissions: test_api_permissions.py; bad input: test_api_bad_input.py; query counts:
test_api_queries.py; answers against the schema: test_api_schema.py."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from notifications.models import Notification
from projects import services
from projects.models import (
    Goal,
    HistoryKind,
    OwnershipTransfer,
    Project,
    ProjectUpdate,
    TransferState,
    Watch,
)
from teams import services as team_services
from tests.factories import PersonFactory, add_member
from tests.projects.org import SYSTEM, actor, later, send
from tests.projects.org import client_for as api

pytestmark = pytest.mark.django_db

ISO_Z = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")


# --- helpers (imported by the other test_api_*.py files) --------------------------------------


# --- projects ---------------------------------------------------------------------------------


def test_member_creates_a_project_and_owns_it(org):
    response = send(
        api(org.member),
        "post",
        "/api/v1/projects/",
        {
            "team": org.team.pk,
            "name": "Checkout v2",
            "description": "**Bold** plan",
            "priority": 2,
            "critical": True,
            "start_date": "2027-01-04",
            "target_date": "2027-03-31",
            "links": [{"title": "Spec", "url": "https://example.com/spec"}],
            "update_cadence_days": 14,
            "backup_owner": org.member2.pk,
        },
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    project = Project.objects.get(pk=body["id"])
    assert project.owner_id == org.member.pk
    assert body["slug"] == "checkout-v2" and body["url"] == "/projects/checkout-v2/"
    assert body["team"] == {"id": org.team.pk, "name": "Platform"}
    assert body["owner"] == {
        "id": org.member.pk,
        "display_name": "Mo Member",
        "time_zone": "Europe/London",
        "country": "GB",
        "is_active": True,
    }
    assert body["backup_owner"]["id"] == org.member2.pk
    assert body["acting_owner"] is None and body["acting_until"] is None
    assert body["status"] == "planned" and body["priority"] == 2 and body["critical"] is True
    assert body["health"] is None
    assert body["description"] == "**Bold** plan"
    assert body["description_html"] == "<p><strong>Bold</strong> plan</p>"
    assert body["links"] == [{"title": "Spec", "url": "https://example.com/spec"}]
    assert body["start_date"] == "2027-01-04" and body["target_date"] == "2027-03-31"
    assert body["update_cadence_days"] == 14 and body["update_due_on"]
    assert body["stale"] is False and body["orphaned"] is False
    assert body["last_update_at"] is None
    assert ISO_Z.match(body["created_at"]) and ISO_Z.match(body["updated_at"])
    assert project.history.filter(kind=HistoryKind.CREATED).exists()


def test_lead_names_another_owner_who_is_told(org):
    response = send(
        api(org.lead),
        "post",
        "/api/v1/projects/",
        {"team": org.team.pk, "name": "Billing", "owner": org.member2.pk},
    )
    assert response.status_code == 201, response.json()
    assert response.json()["owner"]["id"] == org.member2.pk
    assert Notification.objects.filter(recipient=org.member2, kind="projects.ownership").exists()


def test_get_list_and_detail(org):
    project = org.project(owner=org.member, name="Alpha")
    org.project(owner=org.member2, name="Beta", team=org.other_team)
    client = api(org.outsider)
    listing = client.get("/api/v1/projects/")
    assert listing.status_code == 200
    body = listing.json()
    assert [p["name"] for p in body["results"]] == ["Alpha", "Beta"]
    assert set(body) == {"next", "previous", "results"}
    detail = client.get(f"/api/v1/projects/{project.pk}/")
    assert detail.status_code == 200
    assert detail.json() == body["results"][0]


def test_list_filters(org):
    from teams.models import Profile

    Profile.objects.filter(user=org.member2).update(country="PH", time_zone="Asia/Manila")
    alpha = org.project(owner=org.member, name="Alpha", critical=True)
    beta = org.project(owner=org.member2, name="Beta Search", status="active")
    gamma = org.project(owner=org.outsider, name="Gamma", team=org.other_team)
    services.update_post(actor=actor(org.member), project=alpha, health="at_risk")
    client = api(org.member)

    def names(**params) -> list[str]:
        response = client.get("/api/v1/projects/", params)
        assert response.status_code == 200, response.json()
        return [p["name"] for p in response.json()["results"]]

    assert names(q="search") == ["Beta Search"]
    assert names(team=org.other_team.pk) == ["Gamma"]
    assert names(status="active") == ["Beta Search"]
    assert names(health="at_risk") == ["Alpha"]
    assert names(health="none") == ["Beta Search", "Gamma"]
    assert names(owner=org.member2.pk) == ["Beta Search"]
    assert names(country="ph") == ["Beta Search"]
    assert names(critical="true") == ["Alpha"]
    assert names(critical="false") == ["Beta Search", "Gamma"]
    assert names(stale="false") == ["Alpha", "Beta Search", "Gamma"]
    assert names(stale="true") == []
    team_services.person_deactivate(actor=SYSTEM, person=org.outsider)
    assert names(orphaned="true") == ["Gamma"]
    assert names(orphaned="false") == ["Alpha", "Beta Search"]
    assert gamma.pk and beta.pk


def test_stale_shows_once_the_owner_has_been_silent(org):
    project = org.project(owner=org.member)
    Project.objects.filter(pk=project.pk).update(stale_at=timezone.now() - timedelta(hours=1))
    body = api(org.member).get(f"/api/v1/projects/{project.pk}/").json()
    assert body["stale"] is True
    listing = api(org.member).get("/api/v1/projects/", {"stale": "true"}).json()
    assert [p["id"] for p in listing["results"]] == [project.pk]


def test_list_pages_with_a_cursor(org):
    for n in range(5):
        org.project(owner=org.member, name=f"P{n}")
    client = api(org.member)
    first = client.get("/api/v1/projects/", {"page_size": 2}).json()
    assert len(first["results"]) == 2 and first["next"]
    second = client.get(first["next"]).json()
    assert len(second["results"]) == 2
    assert {p["id"] for p in first["results"]}.isdisjoint(p["id"] for p in second["results"])


def test_patch_changes_fields_and_renders_markdown(org):
    project = org.project(owner=org.member)
    response = send(
        api(org.member),
        "patch",
        f"/api/v1/projects/{project.pk}/",
        {"name": "Renamed", "status": "active", "description": "Hi <script>alert(1)</script>"},
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["name"] == "Renamed" and body["status"] == "active"
    assert "<script" not in body["description_html"] and "alert" not in body["description_html"]
    assert project.history.filter(kind=HistoryKind.STATUS).exists()


def test_admin_deletes_a_project(org):
    project = org.project(owner=org.member)
    response = api(org.admin).delete(f"/api/v1/projects/{project.pk}/")
    assert response.status_code == 204
    assert not Project.objects.filter(pk=project.pk).exists()
    assert api(org.admin).get(f"/api/v1/projects/{project.pk}/").status_code == 404


# --- goals ------------------------------------------------------------------------------------


def test_goals_create_list_change_delete(org):
    project = org.project(owner=org.member, start_date="2027-01-01")
    client = api(org.member)
    url = f"/api/v1/projects/{project.pk}/goals/"
    created = send(
        client,
        "post",
        url,
        {
            "title": "p95 under 200 ms",
            "target_date": "2027-02-01",
            "target_value": 200,
            "current_value": "340.5",
            "unit": "ms",
        },
    )
    assert created.status_code == 201, created.json()
    goal = created.json()
    assert goal["target_value"] == "200.00" and goal["current_value"] == "340.50"
    assert goal["target_date"] == "2027-02-01" and goal["done"] is False
    send(client, "post", url, {"title": "Docs"})
    listing = client.get(url).json()
    assert [g["title"] for g in listing["results"]] == ["p95 under 200 ms", "Docs"]
    detail = client.get(f"{url}{goal['id']}/")
    assert detail.status_code == 200 and detail.json() == goal
    changed = send(client, "patch", f"{url}{goal['id']}/", {"done": True, "current_value": 180})
    assert changed.status_code == 200, changed.json()
    assert changed.json()["done"] is True and changed.json()["current_value"] == "180.00"
    assert client.delete(f"{url}{goal['id']}/").status_code == 204
    assert list(Goal.objects.values_list("title", flat=True)) == ["Docs"]


def test_a_goal_of_another_project_is_404(org):
    one, two = org.project(owner=org.member), org.project(owner=org.member)
    goal = services.goal_create(actor=SYSTEM, project=two, title="Theirs")
    client = api(org.member)
    assert client.get(f"/api/v1/projects/{one.pk}/goals/{goal.pk}/").status_code == 404
    response = send(client, "patch", f"/api/v1/projects/{one.pk}/goals/{goal.pk}/", {"done": True})
    assert response.status_code == 404
    assert client.delete(f"/api/v1/projects/{one.pk}/goals/{goal.pk}/").status_code == 404
    assert Goal.objects.get(pk=goal.pk).done is False


# --- status updates, history, watching ---------------------------------------------------------


def test_owner_posts_updates_with_what_changed(org):
    project = org.project(owner=org.member)
    Watch.objects.create(project=project, person=org.member2)
    client = api(org.member)
    url = f"/api/v1/projects/{project.pk}/updates/"
    first = send(client, "post", url, {"health": "at_risk", "body": "Slipping *a bit*"})
    assert first.status_code == 201, first.json()
    body = first.json()
    assert body["health"] == "at_risk" and body["author"]["id"] == org.member.pk
    assert body["body_html"] == "<p>Slipping <em>a bit</em></p>" and body["changes"] == []
    second = send(client, "post", url, {"health": "on_track"}).json()
    assert second["changes"] == [{"what": "Health", "before": "at_risk", "after": "on_track"}]
    listing = client.get(url).json()
    assert [u["id"] for u in listing["results"]] == [second["id"], body["id"]]
    project_body = client.get(f"/api/v1/projects/{project.pk}/").json()
    assert project_body["health"] == "on_track" and ISO_Z.match(project_body["last_update_at"])
    assert Notification.objects.filter(recipient=org.member2, kind="projects.update").exists()


def test_history_lists_changes_newest_first(org):
    project = org.project(owner=org.member)
    services.project_update(actor=actor(org.lead), project=project, status="active")
    response = api(org.outsider).get(f"/api/v1/projects/{project.pk}/history/")
    assert response.status_code == 200
    rows = response.json()["results"]
    assert [r["kind"] for r in rows] == ["status", "created"]
    assert rows[0]["actor"]["id"] == org.lead.pk
    assert rows[0]["before"] == "planned" and rows[0]["after"] == "active"
    assert rows[1]["actor"] is None  # made by Baton itself (the org fixture)
    assert ISO_Z.match(rows[0]["at"])


def test_watch_and_unwatch_oneself(org):
    project = org.project(owner=org.member)
    client = api(org.outsider)
    url = f"/api/v1/projects/{project.pk}/watch/"
    assert client.get(url).json() == {"watching": False}
    assert client.put(url).json() == {"watching": True}
    assert client.put(url).json() == {"watching": True}  # idempotent
    assert Watch.objects.filter(project=project, person=org.outsider).count() == 1
    assert client.get(url).json() == {"watching": True}
    assert client.delete(url).status_code == 204
    assert not Watch.objects.filter(project=project).exists()


# --- transfers --------------------------------------------------------------------------------


def test_transfer_propose_then_accept(org):
    project = org.project(owner=org.member)
    response = send(
        api(org.member),
        "post",
        f"/api/v1/projects/{project.pk}/transfers/",
        {"to_person": org.member2.pk, "reason": "I move to Payments", "note": "All yours"},
    )
    assert response.status_code == 201, response.json()
    transfer = response.json()
    assert transfer["state"] == "pending" and transfer["to_person"]["id"] == org.member2.pk
    assert transfer["from_owner"]["id"] == org.member.pk
    assert transfer["proposed_by"]["id"] == org.member.pk
    assert transfer["project"] == {
        "id": project.pk,
        "slug": project.slug,
        "name": project.name,
        "url": f"/projects/{project.slug}/",
    }
    assert transfer["url"] == f"/projects/transfers/{transfer['id']}/"
    assert ISO_Z.match(transfer["expires_at"]) and transfer["decided_at"] is None
    # The owner stays accountable until the answer.
    assert api(org.member).get(f"/api/v1/projects/{project.pk}/").json()["owner"]["id"] == (
        org.member.pk
    )
    mine = api(org.member2).get("/api/v1/projects/transfers/").json()
    assert [t["id"] for t in mine["results"]] == [transfer["id"]]
    assert api(org.member).get("/api/v1/projects/transfers/").json()["results"] == []
    detail = api(org.outsider).get(f"/api/v1/projects/transfers/{transfer['id']}/")
    assert detail.status_code == 200 and detail.json() == transfer
    listed = api(org.outsider).get(f"/api/v1/projects/{project.pk}/transfers/").json()
    assert [t["id"] for t in listed["results"]] == [transfer["id"]]

    accepted = api(org.member2).post(f"/api/v1/projects/transfers/{transfer['id']}/accept/")
    assert accepted.status_code == 200, accepted.json()
    assert accepted.json()["state"] == "accepted"
    assert accepted.json()["decided_by"]["id"] == org.member2.pk
    assert Project.objects.get(pk=project.pk).owner_id == org.member2.pk
    again = api(org.member2).post(f"/api/v1/projects/transfers/{transfer['id']}/accept/")
    assert again.status_code == 400 and "transfer" in again.json()


def test_an_expired_transfer_cannot_be_accepted(org):
    project = org.project(owner=org.member)
    transfer = org.propose(project, org.member2, by=org.lead)
    OwnershipTransfer.objects.filter(pk=transfer.pk).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    response = send(
        api(org.member2), "post", f"/api/v1/projects/transfers/{transfer.pk}/accept/", {}
    )
    assert response.status_code == 400
    assert "expired" in response.json()["transfer"][0]
    transfer.refresh_from_db()
    assert transfer.state == TransferState.EXPIRED  # for good, both told
    assert Project.objects.get(pk=project.pk).owner_id == org.member.pk


def test_accept_with_a_note(org):
    project = org.project(owner=org.member)
    transfer = org.propose(project, org.member2, by=org.lead)
    response = send(
        api(org.member2),
        "post",
        f"/api/v1/projects/transfers/{transfer.pk}/accept/",
        {"answer": "Got it, thanks"},
    )
    assert response.status_code == 200, response.json()
    assert response.json()["answer"] == "Got it, thanks"
    assert response.json()["state"] == "accepted"


def test_transfer_decline_and_cancel(org):
    project = org.project(owner=org.member)
    propose = f"/api/v1/projects/{project.pk}/transfers/"
    first = send(api(org.lead), "post", propose, {"to_person": org.member2.pk, "reason": "x"})
    tid = first.json()["id"]
    declined = send(
        api(org.member2), "post", f"/api/v1/projects/transfers/{tid}/decline/", {"answer": "Busy"}
    )
    assert declined.status_code == 200, declined.json()
    assert declined.json()["state"] == "declined" and declined.json()["answer"] == "Busy"
    second = send(api(org.lead), "post", propose, {"to_person": org.outsider.pk, "reason": "y"})
    assert second.status_code == 201, second.json()
    tid = second.json()["id"]
    cancelled = api(org.lead).post(f"/api/v1/projects/transfers/{tid}/cancel/")
    assert cancelled.status_code == 200, cancelled.json()
    assert cancelled.json()["state"] == "cancelled"
    assert Project.objects.get(pk=project.pk).owner_id == org.member.pk
    states = set(OwnershipTransfer.objects.values_list("state", flat=True))
    assert states == {TransferState.DECLINED, TransferState.CANCELLED}


# --- acting owner -----------------------------------------------------------------------------


def test_acting_owner_set_then_ended(org):
    project = org.project(owner=org.member)
    url = f"/api/v1/projects/{project.pk}/acting-owner/"
    response = send(
        api(org.member),
        "put",
        url,
        {"acting_owner": org.member2.pk, "until": later(10), "note": "Parental leave"},
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["acting_owner"]["id"] == org.member2.pk
    assert ISO_Z.match(body["acting_until"]) and body["acting_note"] == "Parental leave"
    # The acting owner now speaks for the project; the owner does not.
    update = send(
        api(org.member2), "post", f"/api/v1/projects/{project.pk}/updates/", {"health": "on_track"}
    )
    assert update.status_code == 201
    refused = send(
        api(org.member), "post", f"/api/v1/projects/{project.pk}/updates/", {"health": "on_track"}
    )
    assert refused.status_code == 403
    ended = api(org.member).delete(url)
    assert ended.status_code == 200, ended.json()
    assert ended.json()["acting_owner"] is None and ended.json()["acting_until"] is None
    again = api(org.member).delete(url)
    assert again.status_code == 400 and "acting_owner" in again.json()


# --- deactivation: a leaver's projects, new owners in one step ---------------------------------


def test_owned_projects_then_bulk_transfer(org):
    owned = org.project(owner=org.member, name="Owned")
    gone = PersonFactory(display_name="Gil Gone")
    add_member(org.team, gone)
    acted = org.project(owner=gone, name="Acted")  # for an owner who left too
    handed_back = org.project(owner=org.member2, name="Handed back")  # the owner is here
    org.project(owner=org.member, name="Closed", status="done")
    for project in (acted, handed_back):
        services.acting_set(actor=SYSTEM, project=project, acting_owner=org.member, until=later(5))
    team_services.person_deactivate(actor=SYSTEM, person=gone)
    team_services.person_deactivate(actor=SYSTEM, person=org.member)
    response = api(org.lead).get(f"/api/v1/people/{org.member.pk}/owned-projects/")
    assert response.status_code == 200
    rows = response.json()["results"]
    assert {r["name"]: r["orphaned"] for r in rows} == {"Owned": True, "Acted": True}

    bulk = send(
        api(org.lead),
        "post",
        "/api/v1/projects/transfers/bulk/",
        [
            {"project": owned.pk, "to_person": org.member2.pk, "reason": "Mo left"},
            {"project": acted.pk, "to_person": org.admin.pk, "reason": "Mo left", "note": "Temp"},
        ],
    )
    assert bulk.status_code == 201, bulk.json()
    results = bulk.json()["results"]
    assert [(t["project"]["id"], t["to_person"]["id"]) for t in results] == [
        (owned.pk, org.member2.pk),
        (acted.pk, org.admin.pk),
    ]
    assert all(t["state"] == "pending" for t in results)
    assert OwnershipTransfer.objects.filter(state="pending").count() == 2


def test_owned_projects_of_nobody_is_404(org):
    assert api(org.member).get("/api/v1/people/987654/owned-projects/").status_code == 404


def test_bulk_is_all_or_nothing_and_names_the_bad_rows(org):
    one, two, three = (org.project(owner=org.member) for _ in range(3))
    foreign = org.project(owner=org.outsider, team=org.other_team)
    team_services.person_deactivate(actor=SYSTEM, person=org.manager)
    rows = [
        {"project": one.pk, "to_person": org.member2.pk, "reason": "ok"},
        {"project": two.pk, "to_person": org.manager.pk, "reason": "deactivated"},
        {"project": three.pk, "to_person": org.member.pk, "reason": "already owns"},
        {"project": one.pk, "to_person": org.admin.pk, "reason": "second for the same project"},
    ]
    response = send(api(org.lead), "post", "/api/v1/projects/transfers/bulk/", rows)
    assert response.status_code == 400, response.json()
    body = response.json()
    assert body["detail"] == "Nothing was proposed: 3 of 4 rows are refused."
    assert [(r["index"], r["project"], list(r["errors"])) for r in body["rows"]] == [
        (1, two.pk, ["to_person"]),
        (2, three.pk, ["to_person"]),
        (3, one.pk, ["to_person"]),
    ]
    assert "deactivated" in body["rows"][0]["errors"]["to_person"][0]
    assert not OwnershipTransfer.objects.exists()
    assert not Notification.objects.filter(kind="projects.transfer").exists()

    # Permission is checked row by row too: the lead of Platform cannot touch Payments'.
    rows = [
        {"project": one.pk, "to_person": org.member2.pk, "reason": "ok"},
        {"project": foreign.pk, "to_person": org.member2.pk, "reason": "not mine"},
        {"project": 10**12, "to_person": org.member2.pk, "reason": "no such"},
    ]
    response = send(api(org.lead), "post", "/api/v1/projects/transfers/bulk/", rows)
    assert response.status_code == 400
    assert [(r["index"], r["errors"]) for r in response.json()["rows"]] == [
        (1, {"project": ["You may not propose a new owner for this project."]}),
        (2, {"project": ["No such project."]}),
    ]
    assert not OwnershipTransfer.objects.exists()


def test_token_with_projects_write_can_use_the_api(org):
    from accounts.services import api_token_create

    _, raw = api_token_create(
        actor=SYSTEM, user=org.member, name="ci", scopes=["projects:read", "projects:write"]
    )
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    response = send(client, "post", "/api/v1/projects/", {"team": org.team.pk, "name": "By CI"})
    assert response.status_code == 201, response.json()
    assert client.get("/api/v1/projects/").status_code == 200
    assert ProjectUpdate.objects.count() == 0
