"""Bad input to the projects API: a 400 whose body names the field (with a message a person can
act on), and nothing written: no project, goal, update, transfer, history row, audit event or
notification more than before."""

from __future__ import annotations

import json

import pytest

from projects.models import Goal, Project
from teams import services as team_services
from tests.factories import PersonFactory
from tests.projects.org import SYSTEM, counts, later, send
from tests.projects.org import client_for as api

pytestmark = pytest.mark.django_db

HUGE = 2**64
HOSTILE_IDS = [1.5, True, False, HUGE, -1, 0, "1", "abc", None, [1], {"id": 1}]


@pytest.fixture
def project(org):
    return org.project(owner=org.member, start_date="2027-01-10", name="Target")


def _refused(client, method, url, body, field, contains: str = ""):
    client.get("/api/v1/projects/")  # any sign-in bookkeeping happens before the count
    before = counts()
    response = send(client, method, url, body)
    assert response.status_code == 400, (body, response.status_code, response.content)
    assert response["Content-Type"].startswith("application/json")
    errors = response.json()
    assert field in errors, (field, errors)
    if contains:
        assert contains in json.dumps(errors[field]), errors
    assert counts() == before
    return errors


# --- transfers --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "who, to_person, reason, field, contains",
    [
        ("member", "gone", "x", "to_person", "Gus Gone has been deactivated"),
        ("lead", "lead", "Mine now", "to_person", "You cannot propose yourself"),
        ("lead", "member", "x", "to_person", "already owns this project"),
        ("member", 987654321, "x", "to_person", "No such active person"),
        ("member", "member2", "  ", "reason", "A reason is required"),
    ],
    ids=["a-deactivated-person", "oneself", "the-current-owner", "nobody", "without-a-reason"],
)
def test_transfer_refused(org, project, who, to_person, reason, field, contains):
    if to_person == "gone":
        org.gone = PersonFactory(display_name="Gus Gone")
        team_services.person_deactivate(actor=SYSTEM, person=org.gone)
    if isinstance(to_person, str):
        to_person = getattr(org, to_person).pk
    _refused(
        api(getattr(org, who)),
        "post",
        f"/api/v1/projects/{project.pk}/transfers/",
        {"to_person": to_person, "reason": reason},
        field,
        contains,
    )


@pytest.mark.parametrize("value", HOSTILE_IDS, ids=repr)
def test_transfer_to_a_hostile_id(org, project, value):
    _refused(
        api(org.member),
        "post",
        f"/api/v1/projects/{project.pk}/transfers/",
        {"to_person": value, "reason": "x"},
        "to_person",
    )


def test_a_second_pending_transfer(org, project):
    send(
        api(org.member),
        "post",
        f"/api/v1/projects/{project.pk}/transfers/",
        {"to_person": org.member2.pk, "reason": "x"},
    )
    _refused(
        api(org.member),
        "post",
        f"/api/v1/projects/{project.pk}/transfers/",
        {"to_person": org.outsider.pk, "reason": "y"},
        "to_person",
        "already waiting",
    )


@pytest.mark.parametrize(
    "body, field",
    [
        ({"project": 1.5, "to_person": 1, "reason": "x"}, "project"),
        ({"project": True, "to_person": 1, "reason": "x"}, "project"),
        ({"project": HUGE, "to_person": 1, "reason": "x"}, "project"),
        ({"project": "PROJECT", "to_person": 1.0, "reason": "x"}, "to_person"),
        ({"project": "PROJECT", "to_person": "MEMBER2", "reason": 5}, "reason"),
        ({"project": "PROJECT", "to_person": "MEMBER2", "reason": "x", "colour": 1}, "colour"),
    ],
)
def test_bulk_rows_of_the_wrong_shape(org, project, body, field):
    names = {"PROJECT": project.pk, "MEMBER2": org.member2.pk}
    body = {k: names.get(v, v) if isinstance(v, str) else v for k, v in body.items()}
    good = {"project": project.pk, "to_person": org.member2.pk, "reason": "fine"}
    client = api(org.lead)
    before = counts()
    response = send(client, "post", "/api/v1/projects/transfers/bulk/", [good, body])
    assert response.status_code == 400
    (row,) = response.json()["rows"]
    assert row["index"] == 1 and list(row["errors"]) == [field]
    sent = body["project"]
    assert row["project"] == (project.pk if type(sent) is int and sent == project.pk else None)
    assert counts() == before


def _bulk_refused(org, body) -> None:
    client = api(org.lead)
    before = counts()
    response = send(client, "post", "/api/v1/projects/transfers/bulk/", body)
    assert response.status_code == 400, response.content
    assert counts() == before


@pytest.mark.parametrize("body", [[], {}, {"project": 1}, "x", 5, None])
def test_bulk_that_is_not_a_list_of_proposals(org, body):
    _bulk_refused(org, json.dumps(body))


def test_bulk_of_too_many_rows(org, project):
    _bulk_refused(org, [{"project": project.pk, "to_person": org.member2.pk, "reason": "x"}] * 201)


# --- goals ------------------------------------------------------------------------------------


def test_goal_target_date_before_the_project_starts(org, project):
    _refused(
        api(org.member),
        "post",
        f"/api/v1/projects/{project.pk}/goals/",
        {"title": "Early", "target_date": "2027-01-09"},
        "target_date",
        "before the project starts (2027-01-10)",
    )
    goal = Goal.objects.create(project=project, title="Later")
    _refused(
        api(org.member),
        "patch",
        f"/api/v1/projects/{project.pk}/goals/{goal.pk}/",
        {"target_date": "2026-12-31"},
        "target_date",
        "before the project starts",
    )


@pytest.mark.parametrize(
    "body, field",
    [
        ({"title": ""}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"title": 5}, "title"),
        ({}, "title"),
        ({"title": "x", "target_date": "31/12/2027"}, "target_date"),
        ({"title": "x", "target_value": "lots"}, "target_value"),
        ({"title": "x", "target_value": True}, "target_value"),
        ({"title": "x", "target_value": 1e20}, "target_value"),
        ({"title": "x", "target_value": "1.234"}, "target_value"),
        ({"title": "x", "current_value": 5}, "target_value"),
        ({"title": "x", "done": "yes"}, "done"),
        ({"title": "x", "position": 3}, "position"),
    ],
)
def test_goal_bad_fields(org, project, body, field):
    _refused(api(org.member), "post", f"/api/v1/projects/{project.pk}/goals/", body, field)


# --- projects ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body, field, contains",
    [
        ({"name": "x"}, "team", "existing team"),
        ({"team": 1.5, "name": "x"}, "team", "existing team"),
        ({"team": True, "name": "x"}, "team", "existing team"),
        ({"team": HUGE, "name": "x"}, "team", "existing team"),
        ({"team": 987654, "name": "x"}, "team", "existing team"),
        ({"team": "TEAM", "name": ""}, "name", "required"),
        ({"team": "TEAM", "name": "x" * 121}, "name", "at most 120"),
        ({"team": "TEAM", "name": "x", "status": "zombie"}, "status", "not a project status"),
        ({"team": "TEAM", "name": "x", "priority": 9}, "priority", "0 to 4"),
        ({"team": "TEAM", "name": "x", "priority": 1.5}, "priority", ""),
        ({"team": "TEAM", "name": "x", "critical": "yes"}, "critical", ""),
        ({"team": "TEAM", "name": "x", "slug": "Not A Slug!"}, "slug", "not a slug"),
        ({"team": "TEAM", "name": "x", "slug": "new"}, "slug", "reserved"),
        ({"team": "TEAM", "name": "x", "update_cadence_days": 0}, "update_cadence_days", ""),
        ({"team": "TEAM", "name": "x", "links": [{"url": "javascript:x"}]}, "links", "http"),
        ({"team": "TEAM", "name": "x", "links": "nope"}, "links", ""),
        ({"team": "TEAM", "name": "x", "start_date": "tomorrow"}, "start_date", "2027-03-31"),
        (
            {"team": "TEAM", "name": "x", "start_date": "2027-02-01", "target_date": "2027-01-01"},
            "target_date",
            "before the start date",
        ),
        ({"team": "TEAM", "name": "x", "owner": 1.5}, "owner", "a whole number"),
        ({"team": "TEAM", "name": "x", "backup_owner": HUGE}, "backup_owner", ""),
        ({"team": "TEAM", "name": "x", "backup_owner": 987654}, "backup_owner", "No such"),
        ({"team": "TEAM", "name": "x", "health": "on_track"}, "health", "Unknown field"),
        ({"team": "TEAM", "name": "x", "colour": "red"}, "colour", "Unknown field"),
    ],
)
def test_create_bad_fields(org, body, field, contains):
    body = {k: org.team.pk if v == "TEAM" else v for k, v in body.items()}
    _refused(api(org.lead), "post", "/api/v1/projects/", body, field, contains)


def test_create_with_the_same_slug(org, project):
    _refused(
        api(org.member),
        "post",
        "/api/v1/projects/",
        {"team": org.team.pk, "name": "Other", "slug": project.slug},
        "slug",
        "already taken",
    )


def test_create_owned_by_a_deactivated_person(org):
    team_services.person_deactivate(actor=SYSTEM, person=org.member2)
    _refused(
        api(org.lead),
        "post",
        "/api/v1/projects/",
        {"team": org.team.pk, "name": "x", "owner": org.member2.pk},
        "owner",
        "deactivated",
    )


def test_patch_owner_says_owners_change_by_transfer(org, project):
    errors = _refused(
        api(org.member),
        "patch",
        f"/api/v1/projects/{project.pk}/",
        {"owner": org.member2.pk, "name": "Also renamed"},
        "owner",
    )
    assert "transfer" in errors["owner"][0]
    assert Project.objects.get(pk=project.pk).name == "Target"


@pytest.mark.parametrize(
    "body, field, contains",
    [
        ({"acting_owner": 5}, "acting_owner", "acting-owner"),
        ({"health": "on_track"}, "health", "status update"),
        ({"health": "great"}, "health", "status update"),
        ({"team": 1}, "team", "stays in its team"),
        ({"status": "zombie"}, "status", "not a project status"),
        ({"name": None}, "name", ""),
        ({"target_date": "2026-01-01"}, "target_date", "before the start date"),
        ({"backup_owner": "MEMBER"}, "backup_owner", "other than the owner"),
        ({"id": 5}, "id", "Unknown field"),
        ({"slug": "new"}, "slug", "reserved"),
    ],
)
def test_patch_bad_fields(org, project, body, field, contains):
    body = {k: org.member.pk if v == "MEMBER" else v for k, v in body.items()}
    _refused(api(org.member), "patch", f"/api/v1/projects/{project.pk}/", body, field, contains)


def test_script_in_markdown_is_stripped(org, project):
    body = "Plan <script>document.cookie</script><img src=x onerror=alert(1)> [x](javascript:y)"
    response = send(
        api(org.member), "patch", f"/api/v1/projects/{project.pk}/", {"description": body}
    )
    assert response.status_code == 200
    html = response.json()["description_html"]
    for bad in ("<script", "document.cookie", "onerror", "<img", 'href="javascript'):
        assert bad not in html, html
    assert response.json()["description"] == body  # the source is kept as written
    update = send(
        api(org.member),
        "post",
        f"/api/v1/projects/{project.pk}/updates/",
        {"health": "on_track", "body": "<script>alert(1)</script>\n\n**ok**"},
    )
    assert update.json()["body_html"] == "<p><strong>ok</strong></p>"


# --- status updates ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body, field, contains",
    [
        ({"health": "great"}, "health", "not a health (on_track, at_risk, off_track)"),
        ({"health": ""}, "health", "not a health"),
        ({"health": 1}, "health", ""),
        ({"health": None}, "health", ""),
        ({}, "health", ""),
        ({"health": "on_track", "body": "x" * 20_001}, "body", "at most 20,000"),
        ({"health": "on_track", "author": 3}, "author", "Unknown field"),
    ],
)
def test_update_bad_fields(org, project, body, field, contains):
    _refused(
        api(org.member), "post", f"/api/v1/projects/{project.pk}/updates/", body, field, contains
    )
    assert Project.objects.get(pk=project.pk).health == ""


# --- acting owners ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body, field, contains",
    [
        ({"acting_owner": "MEMBER", "until": "LATER"}, "acting_owner", "other than the owner"),
        ({"acting_owner": 987654, "until": "LATER"}, "acting_owner", "No such"),
        ({"acting_owner": 1.5, "until": "LATER"}, "acting_owner", ""),
        ({"acting_owner": "MEMBER2", "until": "2020-01-01"}, "until", "after today"),
        ({"acting_owner": "MEMBER2", "until": "soon"}, "until", "2027-03-31"),
        ({"acting_owner": "MEMBER2", "until": None}, "until", ""),
        ({"acting_owner": "MEMBER2"}, "until", ""),
        ({"acting_owner": "MEMBER2", "until": "LATER", "note": "x" * 301}, "note", "at most"),
    ],
)
def test_acting_owner_bad_fields(org, project, body, field, contains):
    names = {"MEMBER": org.member.pk, "MEMBER2": org.member2.pk, "LATER": later()}
    body = {k: names.get(v, v) if isinstance(v, str) else v for k, v in body.items()}
    _refused(
        api(org.member),
        "put",
        f"/api/v1/projects/{project.pk}/acting-owner/",
        body,
        field,
        contains,
    )
    assert Project.objects.get(pk=project.pk).acting_owner_id is None


# --- whatever the body ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    ['{"a":' * 100 + "1" + "}" * 100, "[" * 5000 + "]" * 5000, "{not json", '{"team": NaN}'],
    ids=["deep-objects", "deep-lists", "broken", "nan"],
)
def test_hostile_json_bodies(org, project, raw):
    p = f"/api/v1/projects/{project.pk}/"
    writes = [("post", "/api/v1/projects/"), ("patch", p), ("post", p + "goals/")]
    writes += [("post", p + "updates/"), ("post", p + "transfers/"), ("put", p + "acting-owner/")]
    writes += [("post", "/api/v1/projects/transfers/bulk/")]
    for response in _each_refused(org, writes, raw):
        assert "JSON parse error" in response.json()["detail"]


@pytest.mark.parametrize("body", [[], "x", 5, [{"name": "x"}]], ids=repr)
def test_a_body_that_is_not_an_object(org, project, body):
    p = f"/api/v1/projects/{project.pk}/"
    writes = [("post", "/api/v1/projects/"), ("patch", p), ("post", p + "updates/")]
    _each_refused(org, writes, json.dumps(body))


def _each_refused(org, writes, raw) -> list:
    """Each (method, URL) of `writes` sent the body `raw`: a 400 each, and nothing written."""
    client = api(org.member)
    before = counts()
    responses = [send(client, method, url, raw) for method, url in writes]
    for (method, url), response in zip(writes, responses, strict=True):
        assert response.status_code == 400, (method, url, raw, response.status_code)
    assert counts() == before
    return responses


@pytest.mark.parametrize(
    "params, field",
    [
        ({"team": "abc"}, "team"),
        ({"team": "1.5"}, "team"),
        ({"team": str(HUGE)}, "team"),
        ({"owner": "-3"}, "owner"),
        ({"status": "zombie"}, "status"),
        ({"health": "great"}, "health"),
        ({"country": "ZZZZ"}, "country"),
        ({"critical": "maybe"}, "critical"),
        ({"orphaned": "2"}, "orphaned"),
        ({"stale": "perhaps"}, "stale"),
        ({"q": "x" * 121}, "q"),
        ({"cursor": "not-a-cursor"}, "cursor"),
    ],
)
def test_list_bad_filters(org, params, field):
    response = api(org.member).get("/api/v1/projects/", params)
    assert response.status_code == 400, response.content
    assert field in response.json()


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/projects/123456789012345678901/",
        "/api/v1/projects/1.5/",
        "/api/v1/projects/transfers/99999999/",
        "/api/v1/projects/transfers/abc/accept/",
        "/api/v1/people/99999999/owned-projects/",
    ],
)
def test_unknown_ids_in_the_path_are_404(org, url):
    response = api(org.member).get(url)
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
