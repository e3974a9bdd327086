"""Every projects API operation answers exactly what its OpenAPI schema documents: a real call
to each (as the person allowed to make it), walked beside the documented schema by the same
checker the on-call API uses (tests/oncall/test_api_schema.py): every key documented, every
required key there, null only where nullable, JSON types right, and every documented property
seen at least once over the run.

A new projects operation fails test_every_projects_operation_is_checked until it gets a call
below."""

from __future__ import annotations

import pytest
from drf_spectacular.generators import SchemaGenerator

from projects import api_urls, services
from projects.models import OwnershipTransfer
from teams import services as team_services
from tests.projects.org import SYSTEM, actor, later
from tests.projects.org import client_for as api
from tests.schema_check import Checker, operations

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def _calls(org):
    """(method, schema path, client, URL or a callable giving it, JSON body), in an order
    where each call finds what it needs."""
    member, member2, lead, admin = (api(p) for p in (org.member, org.member2, org.lead, org.admin))
    project = org.project(owner=org.member, name="Documented", start_date="2027-01-01")
    services.update_post(actor=actor(org.member), project=project, health="at_risk")
    services.watch_set(actor=SYSTEM, project=project, person=org.member2, watching=True)
    leaver = org.project(owner=org.outsider, team=org.other_team, name="Left behind")
    team_services.person_deactivate(actor=SYSTEM, person=org.outsider)
    P = "/api/v1/projects/{project_id}/"
    p = f"/api/v1/projects/{project.pk}/"
    T = "/api/v1/projects/transfers/{transfer_id}/"

    def last_transfer() -> str:
        return f"/api/v1/projects/transfers/{OwnershipTransfer.objects.latest('id').pk}/"

    def goal() -> str:
        return p + f"goals/{project.goals.latest('id').pk}/"

    def new_project() -> str:
        return f"/api/v1/projects/{project.__class__.objects.latest('id').pk}/"

    return [
        ("get", "/api/v1/projects/", member, "/api/v1/projects/", None),
        (
            "post",
            "/api/v1/projects/",
            lead,
            "/api/v1/projects/",
            {
                "team": org.team.pk,
                "name": "Everything set",
                "owner": org.member2.pk,
                "backup_owner": org.member.pk,
                "description": "*x*",
                "status": "active",
                "priority": 1,
                "critical": True,
                "start_date": "2027-01-01",
                "target_date": "2027-02-01",
                "links": [{"title": "Doc", "url": "https://example.com"}],
                "update_cadence_days": 3,
            },
        ),
        ("get", P, member, p, None),
        ("patch", P, member, p, {"priority": 2, "target_date": "2027-06-30"}),
        ("post", P + "goals/", member, p + "goals/", {"title": "Ship", "target_value": 10}),
        (
            "post",
            P + "goals/",
            member,
            p + "goals/",
            {"title": "Dated", "target_date": "2027-02-01"},
        ),
        ("get", P + "goals/", member, p + "goals/", None),
        ("get", P + "goals/{goal_id}/", member, goal, None),
        (
            "patch",
            P + "goals/{goal_id}/",
            member,
            goal,
            {"current_value": "4.5", "target_value": 9, "unit": "ms"},
        ),
        ("post", P + "updates/", member, p + "updates/", {"health": "on_track", "body": "Good"}),
        ("get", P + "updates/", member2, p + "updates/", None),
        ("delete", P + "goals/{goal_id}/", member, goal, None),
        ("get", P + "watch/", member, p + "watch/", None),
        ("put", P + "watch/", member, p + "watch/", None),
        ("delete", P + "watch/", member, p + "watch/", None),
        (
            "put",
            P + "acting-owner/",
            member,
            p + "acting-owner/",
            {"acting_owner": org.member2.pk, "until": later(), "note": "Leave"},
        ),
        ("get", P, member, p, None),  # with an acting owner
        ("delete", P + "acting-owner/", member, p + "acting-owner/", None),
        (
            "post",
            P + "transfers/",
            member,
            p + "transfers/",
            {"to_person": org.member2.pk, "reason": "Rebalance", "note": "Thanks"},
        ),
        ("get", "/api/v1/projects/transfers/", member2, "/api/v1/projects/transfers/", None),
        ("get", T, member, last_transfer, None),
        ("post", T + "decline/", member2, lambda: last_transfer() + "decline/", {"answer": "No"}),
        (
            "post",
            P + "transfers/",
            lead,
            p + "transfers/",
            {"to_person": org.admin.pk, "reason": "x"},
        ),
        ("post", T + "cancel/", lead, lambda: last_transfer() + "cancel/", {}),
        (
            "post",
            P + "transfers/",
            member,
            p + "transfers/",
            {"to_person": org.lead.pk, "reason": "y"},
        ),
        ("post", T + "accept/", lead, lambda: last_transfer() + "accept/", None),
        ("get", P + "transfers/", member, p + "transfers/", None),
        ("get", P + "history/", member, p + "history/", None),
        (
            "get",
            "/api/v1/people/{person_id}/owned-projects/",
            lead,
            f"/api/v1/people/{org.outsider.pk}/owned-projects/",
            None,
        ),
        (
            "post",
            "/api/v1/projects/transfers/bulk/",
            admin,
            "/api/v1/projects/transfers/bulk/",
            [{"project": leaver.pk, "to_person": org.member.pk, "reason": "Otto left"}],
        ),
        ("delete", P, admin, new_project, None),
    ]


def test_every_projects_operation_is_checked(schema, org):
    calls = _calls(org)
    checked = {(method, path) for method, path, *_ in calls}
    assert checked == operations(schema, api_urls.urlpatterns)


def test_projects_answers_are_exactly_what_the_schema_documents(schema, org):
    checker = Checker(schema)
    checker.walk(schema, _calls(org))
    assert checker.never_seen() == {}
    for name in ("Project", "ProjectPerson", "ProjectGoal", "OwnershipTransfer"):
        assert name in checker.documented, name


def test_the_bulk_refusal_is_documented_as_it_answers(schema, org):
    """The 400 of the bulk endpoint names its rows; its schema says so."""
    project = org.project(owner=org.member)
    response = api(org.lead).post(
        "/api/v1/projects/transfers/bulk/",
        [{"project": project.pk, "to_person": org.member.pk, "reason": "x"}],
        content_type="application/json",
    )
    assert response.status_code == 400
    documented = schema["paths"]["/api/v1/projects/transfers/bulk/"]["post"]["responses"]["400"]
    checker = Checker(schema)
    checker.check(response.json(), documented["content"]["application/json"]["schema"], "bulk")
    assert response.json()["rows"][0]["index"] == 0
