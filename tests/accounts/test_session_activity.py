"""The sessions page's "last seen" (allauth.usersessions) is written at most once a minute per
session and client (accounts/activity.py), not on every request."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from allauth.usersessions.models import UserSession
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.accounts.signin import assert_dashboard, sign_in_new_person

pytestmark = pytest.mark.django_db


def _signed_in():
    person, client, _ = sign_in_new_person()
    assert_dashboard(client)
    return person, client


def _row(client) -> UserSession:
    return UserSession.objects.get(session_key=client.session.session_key)


def test_a_signed_in_session_has_its_row_after_sign_in_rotated_the_key():
    person, client = _signed_in()
    row = _row(client)
    assert row.user_id == person.pk
    assert row.ip.startswith("10.77.")


def test_requests_within_a_minute_write_nothing_then_the_next_minute_does():
    with time_machine.travel(timezone.now(), tick=False) as clock:
        _, client = _signed_in()
        seen = _row(client).last_seen_at
        clock.shift(timedelta(seconds=30))
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/notifications/").status_code == 200
        statements = [q["sql"] for q in queries.captured_queries]
        assert not any("usersessions_usersession" in sql for sql in statements), statements
        assert not any(sql.startswith(("UPDATE", "INSERT")) for sql in statements), statements
        assert _row(client).last_seen_at == seen

        clock.shift(timedelta(seconds=31))
        assert client.get("/notifications/").status_code == 200
        assert _row(client).last_seen_at == seen + timedelta(seconds=61)


def test_another_browser_or_address_is_recorded_at_once():
    with time_machine.travel(timezone.now(), tick=False):
        _, client = _signed_in()
        assert client.get("/", HTTP_USER_AGENT="Other browser/1.0").status_code == 200
        assert _row(client).user_agent == "Other browser/1.0"
        assert client.get("/", REMOTE_ADDR="10.99.0.7", HTTP_USER_AGENT="Other browser/1.0")
        assert _row(client).ip == "10.99.0.7"


def test_anonymous_and_token_requests_write_no_session_row(client):
    before = UserSession.objects.count()
    assert client.get("/healthz").status_code == 200
    assert client.get("/api/v1/people/").status_code == 401
    assert UserSession.objects.count() == before
