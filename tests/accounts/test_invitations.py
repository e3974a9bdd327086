"""Invitations (person page, directory bulk action, API), the verified address that a used link
proves, and absolute links built from BATON_SITE_URL."""

from __future__ import annotations

import json
import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.test import Client

from accounts.services import api_token_create
from core.models import AuditEvent
from tests.factories import SYSTEM, PersonFactory, TeamFactory, add_member

# Transactions commit for real: invitations are sent on commit, as in production.
pytestmark = pytest.mark.django_db(transaction=True)
LINK = re.compile(r"(https?://[^/\s]+)(/accounts/password/reset/key/\S+)")


@pytest.fixture
def newcomer(db):
    return PersonFactory(username="nia", display_name="Nia Newcomer", password=None)


def _invitation_link(address: str) -> tuple[str, str]:
    body = [m for m in mail.outbox if address in m.to][-1].body
    site, path = LINK.search(body).groups()
    return site, path


# --- the person page -------------------------------------------------------------------------


def test_admin_sends_and_resends_an_invitation_from_the_person_page(
    admin_client, newcomer, settings
):
    settings.SITE_URL = "http://127.0.0.1:8100/"
    page = admin_client.get(f"/people/{newcomer.pk}/").content.decode()
    assert "No invitation sent yet" in page and "Send invitation" in page

    response = admin_client.post(f"/people/{newcomer.pk}/invite/", follow=True)
    assert "An invitation was sent to Nia Newcomer" in response.content.decode()
    site, _path = _invitation_link("nia@example.com")
    assert site == "http://127.0.0.1:8100"  # the address Baton serves on, not port 8000
    assert "Resend invitation" in response.content.decode()

    admin_client.post(f"/people/{newcomer.pk}/invite/")
    assert len([m for m in mail.outbox if "nia@example.com" in m.to]) == 2
    invites = AuditEvent.objects.filter(action="person.invite", target_id=str(newcomer.pk))
    assert invites.count() == 2


def test_invitation_refused_with_the_reason(admin_client, member):
    # Mia has a password: nothing is sent and the page says why.
    response = admin_client.post(f"/people/{member.pk}/invite/", follow=True)
    assert "already chosen a password" in response.content.decode()
    assert "Send invitation" not in response.content.decode()
    assert mail.outbox == []


def test_members_cannot_invite(member_client, newcomer):
    assert member_client.post(f"/people/{newcomer.pk}/invite/").status_code == 403
    assert "Send invitation" not in member_client.get(f"/people/{newcomer.pk}/").content.decode()
    assert mail.outbox == []


def test_invite_refuses_get(admin_client, newcomer):
    assert admin_client.get(f"/people/{newcomer.pk}/invite/").status_code == 405


# --- the directory's bulk action -------------------------------------------------------------


def test_admin_invites_everyone_not_signed_in_in_a_team(admin_client, member):
    team = TeamFactory(name="Payments")
    waiting = [
        PersonFactory(username=f"wait{i}", display_name=f"Waiting {i}", password=None)
        for i in range(3)
    ]
    elsewhere = PersonFactory(username="other", display_name="Other Team", password=None)
    for person in waiting:
        add_member(team, person)
    add_member(team, member)  # has a password: not listed, not invited

    page = admin_client.get(f"/people/?team={team.pk}&not_signed_in=on").content.decode()
    assert "Send invitations to these 3 people" in page
    assert "Mia Member" not in page and "Other Team" not in page

    response = admin_client.post(
        "/people/invite/", {"team": team.pk, "not_signed_in": "on"}, follow=True
    )
    assert "Invitations sent to 3 people." in response.content.decode()
    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.email for p in waiting)
    assert elsewhere.email not in {m.to[0] for m in mail.outbox}


def test_directory_hides_who_has_a_password_from_members(member_client, newcomer, member):
    page = member_client.get("/people/?not_signed_in=on").content.decode()
    assert "Not signed in yet" not in page and "Send invitations" not in page
    assert "Mia Member" in page  # the filter is ignored, not applied
    assert member_client.post("/people/invite/", {"not_signed_in": "on"}).status_code == 403
    assert mail.outbox == []


def test_bulk_invite_with_junk_filters_invites_nobody_wrongly(admin_client, newcomer):
    response = admin_client.post("/people/invite/", {"team": "x" * 300, "country": "<b>"})
    assert response.status_code == 302
    # Bad filters are dropped (as on the page): the one person not signed in is invited.
    assert [m.to[0] for m in mail.outbox] == [newcomer.email]


# --- the API ---------------------------------------------------------------------------------


def _bearer(user, scopes: str) -> dict:
    _token, raw = api_token_create(actor=SYSTEM, user=user, name=f"t-{scopes}", scopes=scopes)
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_api_invites_with_a_write_token_only(admin_user, newcomer):
    client = Client()
    url = f"/api/v1/people/{newcomer.pk}/invite/"
    assert client.post(url, **_bearer(admin_user, "people:read")).status_code == 403
    response = client.post(url, **_bearer(admin_user, "people:write"))
    assert response.status_code == 202
    assert response.json() == {"person": newcomer.pk, "email": "nia@example.com"}
    assert [m.to[0] for m in mail.outbox] == ["nia@example.com"]


def test_api_invite_refusals(admin_client, member_client, member, newcomer):
    refused = admin_client.post(f"/api/v1/people/{member.pk}/invite/")
    assert refused.status_code == 400
    assert "already chosen a password" in json.dumps(refused.json())
    assert member_client.post(f"/api/v1/people/{newcomer.pk}/invite/").status_code == 403
    assert admin_client.post("/api/v1/people/987654/invite/").status_code == 404
    assert admin_client.post("/api/v1/people/1.5/invite/").status_code == 404
    assert mail.outbox == []


# --- the address a used link proves ----------------------------------------------------------


def test_choosing_a_password_from_the_invitation_verifies_the_address_and_signs_in(
    admin_client, settings
):
    manager = PersonFactory(
        username="mona", display_name="Mona Manager", org_role="manager", password=None
    )
    # An unverified row, as allauth leaves behind: it used to block the MFA set-up.
    EmailAddress.objects.create(user=manager, email=manager.email, verified=False, primary=True)
    admin_client.post(f"/people/{manager.pk}/invite/")
    _site, path = _invitation_link(manager.email)

    client = Client()
    form_page = client.get(path, follow=True)
    assert "Choose your password" in form_page.content.decode()
    response = client.post(
        form_page.redirect_chain[-1][0],
        {"password1": "a-long-new-password-42", "password2": "a-long-new-password-42"},
        follow=True,
    )
    # Signed in and sent on to set up the authenticator (a manager must), not refused.
    assert response.redirect_chain[-1][0].startswith("/accounts/2fa/totp/activate/")
    body = response.content.decode()
    assert "verified your email" not in body
    assert "Your role needs two-factor authentication" in body
    assert 'id="authenticator_secret"' in body
    address = EmailAddress.objects.get(user=manager)
    assert address.verified and address.primary
    assert AuditEvent.objects.filter(action="person.email_verified").count() == 1
    # A used link does not work twice.
    again = Client().get(path, follow=True)
    assert "This link no longer works" in again.content.decode()


def test_person_created_with_a_password_can_set_up_mfa_unverified(db):
    manager = PersonFactory(username="max", org_role="manager")
    EmailAddress.objects.create(user=manager, email=manager.email, verified=False, primary=True)
    client = Client()
    response = client.post(
        "/accounts/login/", {"login": "max", "password": "correct-horse-battery"}, follow=True
    )
    assert response.redirect_chain[-1][0].startswith("/accounts/2fa/totp/activate/")
    assert 'id="authenticator_secret"' in response.content.decode()
    # Before the second factor: no "signed in" message, no menu, a way out.
    body = response.content.decode()
    assert "Successfully signed in" not in body
    assert "site-nav-setup" in body and 'href="/people/"' not in body


def test_members_see_signed_in_message_and_menu(db):
    PersonFactory(username="mia")
    response = Client().post(
        "/accounts/login/", {"login": "mia", "password": "correct-horse-battery"}, follow=True
    )
    body = response.content.decode()
    assert "Successfully signed in" in body and 'href="/people/"' in body


# --- small dead ends of the first hour -------------------------------------------------------


def test_password_set_page_leads_to_sign_in():
    body = Client().get("/accounts/password/reset/key/done/").content.decode()
    assert 'href="/accounts/login/"' in body


def test_lockout_page_says_how_long(settings):
    from datetime import timedelta

    from django.template.loader import render_to_string

    html = render_to_string(
        "accounts/locked_out.html", {"cooloff_timedelta": timedelta(minutes=15)}
    )
    assert "15 minutes" in html


def test_api_tokens_page_links_to_the_docs(member_client):
    body = member_client.get("/tokens/").content.decode()
    assert 'href="/api/docs/"' in body


def test_webhook_payload_links_are_absolute(settings):
    from django.utils import timezone

    from notifications.engine import _with_link
    from notifications.models import Notification

    settings.SITE_URL = "https://baton.example.com"
    n = Notification(
        pk=1, kind="notifications.test", title="t", url="/schedules/3/", created_at=timezone.now()
    )
    assert _with_link(n)["link"] == "https://baton.example.com/schedules/3/"
    assert _with_link(n)["url"] == "/schedules/3/"
