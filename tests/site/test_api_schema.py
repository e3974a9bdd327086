"""The OpenAPI schema and the Swagger UI: every endpoint listed, served to signed-in people."""

from __future__ import annotations

EXPECTED_PATHS = {
    "/api/v1/people/": {"get", "post"},
    "/api/v1/people/{id}/": {"get", "patch"},
    "/api/v1/people/{id}/deactivate/": {"post"},
    "/api/v1/people/{id}/mfa-reset/": {"post"},
    "/api/v1/me/": {"get", "patch"},
    "/api/v1/teams/": {"get", "post"},
    "/api/v1/teams/{id}/": {"get", "patch", "delete"},
    "/api/v1/teams/{team_id}/members/": {"get", "post"},
    "/api/v1/teams/{team_id}/members/{person_id}/": {"get", "patch", "delete"},
    "/api/v1/tokens/": {"get", "post"},
    "/api/v1/tokens/{id}/": {"get"},
    "/api/v1/tokens/{id}/revoke/": {"post"},
}


def test_schema_lists_every_endpoint(api_schema):
    schema = api_schema
    paths = schema["paths"]
    for path, methods in EXPECTED_PATHS.items():
        assert path in paths, path
        assert methods <= set(paths[path]), (path, set(paths[path]))
    components = schema["components"]["schemas"]
    for name in (
        "Person",
        "PersonCreateRequest",
        "PatchedPersonUpdateRequest",
        "Team",
        "Member",
        "ApiToken",
        "ApiTokenCreated",
        "ApiTokenCreateRequest",
    ):
        assert name in components, name
    # Contact details are optional in the schema, since most viewers do not get them.
    person = components["Person"]
    assert "email" in person["properties"] and "email" not in person["required"]
    assert "working_now" in person["required"]
    people_list = paths["/api/v1/people/"]["get"]
    names = {param["name"] for param in people_list["parameters"]}
    assert {"q", "team", "country", "time_zone", "working_now", "include_left", "cursor"} <= names
    assert "bearerAuth" in schema["components"]["securitySchemes"]


def test_schema_create_token_response_carries_the_secret(api_schema):
    schema = api_schema
    created = schema["paths"]["/api/v1/tokens/"]["post"]["responses"]["201"]
    ref = created["content"]["application/json"]["schema"]["$ref"]
    assert ref.endswith("/ApiTokenCreated")
    assert "token" in schema["components"]["schemas"]["ApiTokenCreated"]["properties"]


def test_docs_page_for_signed_in_person(member_client):
    response = member_client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    # The split view serves its script from a URL, so the page has no inline script (CSP).
    assert "<script src=" in html
    assert "swagger" in html.lower()


def test_schema_and_docs_refuse_anonymous(client, db):
    assert client.get("/api/schema/").status_code == 401
    assert client.get("/api/docs/").status_code == 401


def test_unknown_api_address_is_a_json_404_and_a_page_stays_html(member_client):
    response = member_client.get("/api/v1/people/not-a-number/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Not found."}
    page = member_client.get("/no-such-page/")
    assert page.status_code == 404 and page["Content-Type"].startswith("text/html")


def test_malformed_cursor_is_a_400_naming_it(member_client):
    response = member_client.get("/api/v1/people/", {"cursor": "not-a-cursor"})
    assert response.status_code == 400
    assert "cursor" in response.json()


def test_schema_documents_the_shared_error_answers(api_schema):
    schema = api_schema
    person = schema["paths"]["/api/v1/people/{id}/"]["get"]["responses"]
    assert {"200", "400", "401", "403", "404", "429"} <= set(person)
    assert person["404"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Error"
    }
    assert "404" not in schema["paths"]["/api/v1/people/"]["get"]["responses"]
    assert "201" in schema["paths"]["/api/v1/me/ical/"]["post"]["responses"]


def test_an_id_too_big_for_the_database_is_a_404(admin_client, admin_user):
    """Ids are 1-18 digits (core.converters): a longer number never reaches the database
    driver (SQLite raised OverflowError for it)."""
    from tests.factories import TeamFactory, add_member

    team = TeamFactory(name="Big ids")
    add_member(team, admin_user, role="lead")
    huge = "198414069085117318589649973388771328"
    for url in (
        f"/api/v1/teams/{team.pk}/members/{huge}/",
        f"/api/v1/people/{huge}/",
        f"/people/{huge}/",
        f"/teams/{team.slug}/members/{huge}/role/",
    ):
        assert admin_client.get(url).status_code in (404, 405), url
    response = admin_client.patch(
        f"/api/v1/teams/{team.pk}/members/{huge}/", {}, content_type="application/json"
    )
    assert response.status_code == 404 and response["Content-Type"] == "application/json"
    assert admin_client.get(f"/api/v1/people/{'9' * 18}/").status_code == 404  # still an id


def test_creating_endpoints_document_the_201_they_answer(api_schema):
    paths = api_schema["paths"]
    for path in (
        "/api/v1/schedules/",
        "/api/v1/schedules/{schedule_id}/layers/",
        "/api/v1/schedules/{schedule_id}/overrides/",
        "/api/v1/schedules/{schedule_id}/swaps/",
    ):
        responses = paths[path]["post"]["responses"]
        assert "201" in responses and "200" not in responses, path
    assert "200" in paths["/api/v1/notification-rules/"]["post"]["responses"]
