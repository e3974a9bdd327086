"""An admin resets a person's two-factor authentication (lost phone and recovery codes)."""

from __future__ import annotations

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from allauth.usersessions.models import UserSession
from django.test import Client

from accounts.verification import has_totp
from core.models import AuditEvent
from notifications.models import Notification
from tests.conftest import mark_reauthenticated, sign_in
from tests.factories import PersonFactory


@pytest.fixture
def manny(db):
    """A manager (MFA required) with an authenticator app and recovery codes."""
    person = PersonFactory(username="manny", display_name="Manny", org_role="manager")
    TOTP.activate(person, generate_totp_secret())
    RecoveryCodes.activate(person)
    return person


def _reset_page(client, person):
    return client.post(f"/people/{person.pk}/mfa-reset/")


def test_admin_resets_second_factors_signs_out_audits_and_notifies(
    admin_client, admin_user, manny, django_capture_on_commit_callbacks
):
    manny_client = sign_in(Client(), manny)
    assert manny_client.get("/people/").status_code == 200
    assert UserSession.objects.filter(user=manny).exists()
    page = admin_client.get(f"/people/{manny.pk}/").content.decode()
    assert "Two-factor: <strong>on</strong> (recovery_codes, totp)" in page
    mark_reauthenticated(admin_client, admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = _reset_page(admin_client, manny)
    assert response.status_code == 302 and response["Location"] == f"/people/{manny.pk}/"
    assert not Authenticator.objects.filter(user=manny).exists()
    assert not UserSession.objects.filter(user=manny).exists()
    assert manny_client.get("/people/").status_code == 302  # signed out
    event = AuditEvent.objects.get(action="person.mfa_reset")
    assert event.actor_id == admin_user.pk and event.target_id == str(manny.pk)
    notice = Notification.objects.get(recipient=manny, kind="accounts.mfa_reset")
    assert notice.urgency == "urgent" and "Ada Admin" in notice.body  # display name
    page = admin_client.get(f"/people/{manny.pk}/").content.decode()
    assert "not set up" in page and "Reset two-factor" not in page
    # A second reset finds nothing to remove: nothing recorded, nobody notified again.
    mark_reauthenticated(admin_client, admin_user)
    _reset_page(admin_client, manny)
    assert AuditEvent.objects.filter(action="person.mfa_reset").count() == 1
    assert Notification.objects.filter(kind="accounts.mfa_reset").count() == 1


def test_manager_after_reset_must_set_up_a_new_authenticator(admin_client, admin_user, manny):
    mark_reauthenticated(admin_client, admin_user)
    _reset_page(admin_client, manny)
    assert not has_totp(manny)
    client = Client()
    response = client.post(
        "/accounts/login/", {"login": "manny", "password": "correct-horse-battery"}, follow=False
    )
    assert response.status_code == 302
    # MFA is required for managers: any page leads to the authenticator set-up first.
    assert client.get("/people/")["Location"].startswith("/accounts/2fa/")


def test_reset_needs_admin_reauthentication_and_not_oneself(
    admin_client, admin_user, member_client, manny
):
    assert _reset_page(member_client, manny).status_code == 403
    response = _reset_page(admin_client, manny)  # signed in long ago: re-authenticate first
    assert response.status_code == 302 and "/reauthenticate/" in response["Location"]
    assert has_totp(manny)
    TOTP.activate(admin_user, generate_totp_secret())
    mark_reauthenticated(admin_client, admin_user)
    response = admin_client.post(f"/people/{admin_user.pk}/mfa-reset/", follow=True)
    assert "Change your own two-factor authentication" in response.content.decode()
    assert has_totp(admin_user)
    page = admin_client.get(f"/people/{admin_user.pk}/").content.decode()
    assert 'id="mfa-reset"' not in page
    assert 'id="mfa-reset"' not in member_client.get(f"/people/{manny.pk}/").content.decode()
    assert admin_client.post("/people/424242/mfa-reset/").status_code in (302, 404)


def test_api_reset_is_session_only_with_reauthentication(admin_client, admin_user, manny):
    from accounts.scopes import SCOPES
    from accounts.services import api_token_create
    from tests.factories import SYSTEM

    url = f"/api/v1/people/{manny.pk}/mfa-reset/"
    response = admin_client.post(url)
    assert response.status_code == 403 and "Re-authenticate" in response.json()["detail"]
    _, raw = api_token_create(actor=SYSTEM, user=admin_user, name="all", scopes=list(SCOPES))
    token_response = Client().post(url, headers={"Authorization": f"Bearer {raw}"})
    assert token_response.status_code == 403
    assert has_totp(manny)
    mark_reauthenticated(admin_client, admin_user)
    assert admin_client.post(url).json() == {"removed": 2}
    assert admin_client.post(url).json() == {"removed": 0}
    assert admin_client.post("/api/v1/people/424242/mfa-reset/").status_code == 404
    response = admin_client.post(f"/api/v1/people/{admin_user.pk}/mfa-reset/")
    assert response.status_code == 400 and "person" in response.json()


def test_reset_resumes_after_the_admin_re_enters_the_password(admin_client, manny):
    response = _reset_page(admin_client, manny)
    assert "/accounts/reauthenticate/" in response["Location"]
    response = admin_client.post(
        response["Location"], {"password": "correct-horse-battery"}, follow=True
    )
    assert response.status_code == 200
    assert not has_totp(manny)  # the stashed POST was carried out after re-authentication
    assert "two-factor authentication was reset" in response.content.decode()
