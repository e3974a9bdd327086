"""Property-based check of the whole API: schemathesis generates requests (valid and invalid)
from the project's own OpenAPI schema and sends them in-process through the WSGI app, as an
admin holding every scope. Whatever it sends, no answer may be a server error, and every
answer must be one the schema documents (status code and content type).

New endpoints are covered without editing this file: the operations come from the schema.
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, status_code_conformance

from accounts.scopes import SCOPES
from accounts.services import api_token_create
from oncall import services as oncall_services
from tests.factories import SYSTEM, PersonFactory, TeamFactory, add_member

# Each operation gets this many generated requests (plus schemathesis' explicit examples);
# the whole file stays within about half a minute on two cores. A deeper run by hand:
# BATON_FUZZ_EXAMPLES=200 .venv/bin/pytest tests/site/test_api_fuzz.py
EXAMPLES_PER_OPERATION = int(os.environ.get("BATON_FUZZ_EXAMPLES", "12"))

# Operations that would end the test's own credentials (deactivating the admin, revoking
# the token) are left out: after them every request is a 401 and the rest would test nothing.
EXCLUDED_PATHS = r"/deactivate/|/tokens/"


@pytest.fixture
def keep_test_connection():
    """The WSGI handler closes the database connection when a request ends; in a test that
    would close the test's transaction too. Django's test client disconnects the same handler
    while it runs; so does this."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def admin_token(db, keep_test_connection) -> str:
    admin = PersonFactory(username="fuzz-admin", org_role="admin")
    team = TeamFactory(name="Fuzz team")
    add_member(team, admin, role="lead")
    add_member(team, PersonFactory(username="fuzz-member", time_zone="Asia/Kolkata"))
    oncall_services.schedule_create(
        actor=SYSTEM, team=team, name="Fuzz schedule", time_zone="Europe/London"
    )
    _, raw = api_token_create(actor=SYSTEM, user=admin, name="fuzz", scopes=list(SCOPES), days=1)
    return raw


# Built at collection (pytest-django has set Django up by then; no database is needed).
schema = schemathesis.openapi.from_dict(
    SchemaGenerator().get_schema(request=None, public=True)
).exclude(path_regex=EXCLUDED_PATHS)
WSGI_APP = get_wsgi_application()


@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    derandomize=True,  # the same requests on every run: a failure reproduces
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_api_never_answers_with_a_server_error(case, admin_token):
    case.call_and_validate(
        app=WSGI_APP,
        headers={"Authorization": f"Bearer {admin_token}"},
        checks=[not_a_server_error, status_code_conformance, content_type_conformance],
    )
