"""The real sign-in flow through allauth (password, TOTP, lockout), with the test Client.

No shortcut here: these tests post the same forms a browser posts, so they prove the pieces
(allauth, MFA, axes, default deny, audit) work together.
"""

from __future__ import annotations

import time

import pytest
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.totp.internal.auth import (
    SECRET_SESSION_KEY,
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
)
from allauth.usersessions.models import UserSession
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session

from core.audit import Actor
from core.models import AuditEvent
from teams import services
from tests.accounts.signin import (
    assert_dashboard,
    assert_sent_to_sign_in,
    new_client,
    password_step,
    sign_in_new_person,
)
from tests.factories import PersonFactory

SYSTEM = Actor.system(via="test")

pytestmark = pytest.mark.django_db


def totp_code(secret: str) -> str:
    counter = int(time.time()) // mfa_settings.TOTP_PERIOD
    return format_hotp_value(hotp_value(secret, counter))


@pytest.mark.parametrize("login", ["username", "email"])
def test_member_signs_in_with_password(login):
    assert_sent_to_sign_in(new_client())
    _person, client, response = sign_in_new_person(login=login)
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert_dashboard(client)


def test_wrong_password_is_refused_and_audited():
    person, client, response = sign_in_new_person("not-the-password")
    assert response.status_code == 200  # the form again, with an error
    assert "_auth_user_id" not in client.session
    assert_sent_to_sign_in(client)
    failed = AuditEvent.objects.get(action="auth.login_failed")
    assert failed.changes == {"username": person.username}
    assert failed.ip_address == client.defaults["REMOTE_ADDR"]


def test_successful_sign_in_is_audited():
    person, client, _response = sign_in_new_person()
    event = AuditEvent.objects.get(action="auth.login")
    assert event.actor_id == person.pk
    assert event.target_id == str(person.pk)
    assert event.ip_address == client.defaults["REMOTE_ADDR"]


def test_admin_with_totp_needs_the_code_then_reaches_dashboard():
    admin = PersonFactory(org_role="admin")
    secret = generate_totp_secret()
    TOTP.activate(admin, secret)
    client = new_client()

    response = password_step(client, admin.username)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/authenticate/"
    # Password alone is not a session: pages and the API still refuse.
    assert_sent_to_sign_in(client)
    assert client.get("/api/v1/me/").status_code in (401, 403)

    wrong = client.post("/accounts/2fa/authenticate/", {"code": "000000"})
    assert wrong.status_code == 200
    response = client.post("/accounts/2fa/authenticate/", {"code": totp_code(secret)})
    assert response.status_code == 302
    assert_dashboard(client)
    assert client.get("/api/v1/me/").status_code == 200


def test_admin_without_totp_must_activate_it_first(django_capture_on_commit_callbacks):
    admin = PersonFactory(org_role="admin")
    client = new_client()

    password_step(client, admin.username)
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/totp/activate/"
    assert client.get("/people/").status_code == 302
    assert client.get("/api/v1/me/").status_code == 403

    # The sign-in moments ago counts as a fresh proof: no second password prompt.
    page = client.get("/accounts/2fa/totp/activate/")
    assert page.status_code == 200
    secret = client.session[SECRET_SESSION_KEY]  # the secret the QR code shows
    bad = client.post("/accounts/2fa/totp/activate/", {"code": "123456"})
    assert bad.status_code == 200
    # allauth announces the new authenticator on commit; the audit log listens.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/2fa/totp/activate/", {"code": totp_code(secret)})
    assert response.status_code == 302
    assert_dashboard(client)
    assert AuditEvent.objects.filter(action="auth.mfa_added", target_id=str(admin.pk)).exists()


def test_org_policy_everyone_forces_members_to_use_mfa():
    services.org_settings_update(actor=SYSTEM, mfa_required_for="everyone")
    _person, client, _response = sign_in_new_person()
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/totp/activate/"


def test_member_with_totp_under_everyone_policy_gives_the_code():
    services.org_settings_update(actor=SYSTEM, mfa_required_for="everyone")
    person = PersonFactory()
    secret = generate_totp_secret()
    TOTP.activate(person, secret)
    client = new_client()
    assert password_step(client, person.username)["Location"] == "/accounts/2fa/authenticate/"
    client.post("/accounts/2fa/authenticate/", {"code": totp_code(secret)})
    assert_dashboard(client)


def test_repeated_failures_lock_the_account_out():
    person = PersonFactory()
    client = new_client()
    limit = settings.AXES_FAILURE_LIMIT
    # Typing the email instead of the username is the same account to the lockout.
    logins = [person.username] * (limit - 1) + [person.email.upper()]
    statuses = [password_step(client, login, "wrong").status_code for login in logins]
    assert statuses[:-1] == [200] * (limit - 1)  # the form with an error
    # The attempt that reaches the limit gets the lockout page, which says why.
    assert statuses[-1] == 429
    locked_page = password_step(client, person.username, "wrong-again")
    assert locked_page.status_code in (200, 429)
    assert AccessAttempt.objects.filter(username=person.username.lower()).exists()

    # Now even the right password is refused.
    locked = password_step(client, person.username)
    assert locked.status_code in (200, 429)
    assert b"Too many failed" in locked.content
    assert "_auth_user_id" not in client.session
    assert_sent_to_sign_in(client)

    # Another person behind the same address is not locked out.
    other = PersonFactory()
    assert password_step(client, other.username).status_code == 302
    assert_dashboard(client)


def test_lockout_page_explains_itself():
    person = PersonFactory()
    client = new_client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        password_step(client, person.username, "wrong")
    response = password_step(client, person.username, "wrong")
    assert response.status_code == 429
    assert b"Too many failed sign-in attempts" in response.content
    assert b'href="/accounts/login/"' in response.content


def test_self_sign_up_is_closed():
    client = new_client()
    page = client.get("/accounts/signup/")
    assert page.status_code == 200
    assert b"closed" in page.content.lower()
    users = get_user_model().objects.count()
    response = client.post(
        "/accounts/signup/",
        {
            "username": "intruder",
            "email": "intruder@example.com",
            "password1": "a-very-long-password-1",
            "password2": "a-very-long-password-1",
        },
    )
    assert response.status_code in (200, 302, 403)
    assert get_user_model().objects.count() == users
    assert not get_user_model().objects.filter(username="intruder").exists()


def test_deactivation_ends_every_session(django_capture_on_commit_callbacks):
    person = PersonFactory()
    laptop, phone = new_client(), new_client()
    for client in (laptop, phone):
        password_step(client, person.username)
        assert_dashboard(client)
    keys = [c.session.session_key for c in (laptop, phone)]
    assert UserSession.objects.filter(user=person).count() == 2

    with django_capture_on_commit_callbacks(execute=True):
        services.person_deactivate(actor=SYSTEM, person=person)

    assert not Session.objects.filter(session_key__in=keys).exists()
    assert not UserSession.objects.filter(user=person).exists()
    for client in (laptop, phone):
        assert_sent_to_sign_in(client)
        assert client.get("/api/v1/me/").status_code == 401
    # ...and the password no longer works.
    client = new_client()
    password_step(client, person.username)
    assert_sent_to_sign_in(client)


def test_sign_out_ends_the_session():
    person, client, _response = sign_in_new_person()
    key = client.session.session_key
    assert client.post("/accounts/logout/").status_code == 302
    assert not Session.objects.filter(session_key=key).exists()
    assert_sent_to_sign_in(client)
    assert AuditEvent.objects.filter(action="auth.logout", target_id=str(person.pk)).exists()
