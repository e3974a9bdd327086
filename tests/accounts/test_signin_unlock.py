"""An admin unlocks a person locked out of sign-in by django-axes (too many wrong passwords):
from the person's page (after re-authenticating) or the API; audited, and only admins.

The lockout is made the real way, through the sign-in form (as tests/accounts/test_signin.py does).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.test import Client

from accounts.lockout import signin_lockout
from accounts.services import api_token_create, signin_unlock
from core.audit import Actor
from core.models import AuditEvent
from core.timefmt import fmt_weekday_time
from tests.accounts.signin import assert_dashboard, new_client, password_step
from tests.conftest import mark_reauthenticated, sign_in
from tests.factories import PersonFactory

LIMIT = settings.AXES_FAILURE_LIMIT
SYSTEM = Actor.system(via="test")


def lock_out(person) -> Client:
    """Wrong passwords up to the limit from one client; then even the right one is refused."""
    client = new_client()
    statuses = [password_step(client, person.username, "wrong").status_code for _ in range(LIMIT)]
    assert statuses[-1] == 429
    refused = password_step(client, person.username)
    assert refused.status_code in (200, 429) and b"Too many failed" in refused.content
    assert "_auth_user_id" not in client.session
    return client


def bearer(user, scopes) -> dict:
    name = f"t{len(scopes)}-{'-'.join(scopes)}"
    _token, raw = api_token_create(actor=SYSTEM, user=user, name=name, scopes=scopes, days=30)
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


@pytest.fixture
def admin_far_away(db):
    """An admin whose zone is far from the server's UTC: the page shows times in it."""
    return PersonFactory(
        username="kei", display_name="Kei Admin", org_role="admin", time_zone="Asia/Tokyo"
    )


@pytest.fixture
def admin_far_client(admin_far_away):
    return sign_in(Client(), admin_far_away)


def test_admin_sees_the_lock_unlocks_it_and_the_person_signs_in(admin_far_client, admin_far_away):
    person = PersonFactory(display_name="Lou Locked")
    client = lock_out(person)

    page = admin_far_client.get(f"/people/{person.pk}/").content.decode()
    last = AccessAttempt.objects.get(username=person.username.lower()).attempt_time
    until = fmt_weekday_time(last + timedelta(minutes=15), "Asia/Tokyo")  # AXES_COOLOFF_TIME
    assert f"Locked out of sign-in</strong>: {LIMIT} failed attempts, until" in page
    assert f">{until}</time> (your time)" in page
    assert "Unlock sign-in" in page

    mark_reauthenticated(admin_far_client, admin_far_away)
    response = admin_far_client.post(f"/people/{person.pk}/signin-unlock/", follow=True)
    assert response.redirect_chain == [(f"/people/{person.pk}/", 302)]
    html = response.content.decode()
    assert "Lou Locked&#x27;s failed sign-ins were cleared" in html
    assert "Locked out of sign-in" not in html and 'id="signin-lockout"' not in html
    assert not AccessAttempt.objects.filter(username=person.username.lower()).exists()

    event = AuditEvent.objects.get(action="person.signin_unlock")
    assert event.actor_id == admin_far_away.pk and event.target_id == str(person.pk)
    assert event.changes == {"attempts": 1}

    # The same browser, the same address: the right password works now.
    assert password_step(client, person.username).status_code == 302
    assert_dashboard(client)


def test_unlock_asks_the_admin_to_re_authenticate_first(admin_client):
    person = PersonFactory()
    lock_out(person)
    response = admin_client.post(f"/people/{person.pk}/signin-unlock/")
    assert response.status_code == 302 and "/reauthenticate/" in response["Location"]
    assert AccessAttempt.objects.filter(username=person.username.lower()).exists()
    assert not AuditEvent.objects.filter(action="person.signin_unlock").exists()


def test_a_member_cannot_see_or_unlock_a_lock(member_client, member):
    person = PersonFactory()
    lock_out(person)
    page = member_client.get(f"/people/{person.pk}/").content.decode()
    assert "Locked out" not in page and "signin-unlock" not in page
    mark_reauthenticated(member_client, member)
    assert member_client.post(f"/people/{person.pk}/signin-unlock/").status_code == 403
    assert member_client.post(f"/api/v1/people/{person.pk}/unlock/").status_code == 403
    assert AccessAttempt.objects.filter(username=person.username.lower()).exists()
    assert not AuditEvent.objects.filter(action="person.signin_unlock").exists()


def test_nothing_to_unlock_says_so_and_records_nothing(admin_client, admin_user):
    person = PersonFactory(display_name="Nia Nothing")
    page = admin_client.get(f"/people/{person.pk}/").content.decode()
    assert 'id="signin-lockout"' not in page  # nothing to show, no button
    mark_reauthenticated(admin_client, admin_user)
    response = admin_client.post(f"/people/{person.pk}/signin-unlock/", follow=True)
    assert "Nia Nothing has no failed sign-ins to clear." in response.content.decode()
    assert not AuditEvent.objects.filter(action="person.signin_unlock").exists()
    assert admin_client.get("/people/999999/signin-unlock/").status_code == 405  # POST only
    assert admin_client.post("/people/999999/signin-unlock/").status_code == 404


def test_api_unlock(client, admin_client, admin_user, member):
    person = PersonFactory()
    lock_out(person)
    url = f"/api/v1/people/{person.pk}/unlock/"

    # A token of the admin's needs people:write; a member's is refused whatever its scopes.
    assert client.post(url, **bearer(admin_user, ["people:read"])).status_code == 403
    assert client.post(url, **bearer(member, ["people:write"])).status_code == 403
    assert AccessAttempt.objects.filter(username=person.username.lower()).exists()

    response = client.post(url, **bearer(admin_user, ["people:write"]))
    assert response.status_code == 200, response.content
    assert response.json() == {"person": person.pk, "attempts": 1}
    assert not AccessAttempt.objects.exists()
    event = AuditEvent.objects.get(action="person.signin_unlock")
    assert event.actor_id == admin_user.pk and event.via == "api"

    # Nothing left to clear: a 400 that says so, and no second audit event.
    again = admin_client.post(url)
    assert again.status_code == 400
    assert "no failed sign-ins" in again.content.decode()
    assert AuditEvent.objects.filter(action="person.signin_unlock").count() == 1
    assert admin_client.post("/api/v1/people/999999/unlock/").status_code == 404


def test_unlock_clears_only_that_person_from_every_address(admin_user):
    person, other = PersonFactory(), PersonFactory()
    lock_out(person)
    lock_out(other)
    # Typing the e-mail counts against the username, here from a second address; a row under
    # the raw e-mail address (from before the account had it) belongs to them as well.
    password_step(new_client(), person.email.upper(), "wrong")
    AccessAttempt.objects.create(
        username=person.email.lower(),
        ip_address="10.9.9.9",
        user_agent="x",
        failures_since_start=2,
        get_data="",
        post_data="",
        http_accept="",
        path_info="/",
    )
    state = signin_lockout(person)
    assert state.locked and state.failures == LIMIT + 1 + 2

    removed = signin_unlock(actor=Actor(user=admin_user, via="test"), person=person)
    assert removed == 3
    assert signin_lockout(person) is None
    assert signin_lockout(other).locked  # someone else's lock stays


def test_an_old_lock_has_lifted_by_itself(db):
    person = PersonFactory()
    lock_out(person)
    AccessAttempt.objects.update(
        attempt_time=AccessAttempt.objects.get().attempt_time - timedelta(hours=1)
    )
    state = signin_lockout(person)
    assert state is not None and not state.locked and state.until is None
