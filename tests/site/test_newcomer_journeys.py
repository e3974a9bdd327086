"""A newcomer's first hour, walked in a real browser with the real outbox.

Each journey starts from the e-mail Baton sends (read from Django's outbox, the link opened as
it is written) and ends on the dashboard: an admin invites a manager through "Add a person";
a member without a password is promoted to manager and uses "Forgot your password?"; an
existing person is invited from their page. Managers and admins must set up a second factor,
which allauth refuses while the address is unverified: these journeys are what failed.
"""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client

from tests.browser import sign_in_with_password, totp_code
from tests.conftest import sign_in
from tests.factories import PersonFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LINK = re.compile(r"https?://\S+/accounts/password/reset/key/\S+")
NEW_PASSWORD = "a-long-new-password-42"


@pytest.fixture
def site(settings, live_server):
    """Baton's public address is the live server's, as `make run` sets it from BATON_PORT."""
    settings.SITE_URL = live_server.url
    return live_server.url


def _link_in_mail_to(address: str) -> str:
    sent = [m for m in mail.outbox if address in m.to]
    assert sent, f"no e-mail to {address}: {[m.to for m in mail.outbox]}"
    match = LINK.search(sent[-1].body)
    assert match, sent[-1].body
    return match.group(0)


def _choose_password(page, link: str) -> None:
    page.goto(link)
    page.fill("input[name=password1]", NEW_PASSWORD)
    page.fill("input[name=password2]", NEW_PASSWORD)
    page.locator("button[name=action]").click()


def _set_up_totp_and_continue(page) -> list[str]:
    """On the TOTP set-up page: no e-mail verification wall, a code, then the recovery
    codes page with its way on. Returns the recovery codes."""
    page.wait_for_url("**/accounts/2fa/totp/activate/**")
    body = page.locator("main").inner_text()
    assert "verified your email" not in body and "verify" not in body.lower(), body
    # The menu is replaced by a note while the second factor is owed.
    assert page.locator(".site-nav-setup").is_visible()
    assert page.locator("a[href='/people/']").count() == 0
    assert "Successfully signed in" not in body
    secret = page.locator("#authenticator_secret").input_value()
    page.fill("input[name=code]", totp_code(secret))
    page.locator("form:has(input[name=code]) button[type=submit]").click()
    page.wait_for_url("**/recovery-codes/**")
    codes = page.locator("#recovery_codes").input_value().split()
    assert codes
    page.locator("#continue-to-baton").click()
    page.wait_for_url(lambda url: "/accounts/" not in url)
    return codes


def _on_dashboard(page, name: str) -> None:
    assert page.get_by_role("heading", level=1).first.is_visible()
    assert page.locator("nav.site-nav a[href='/people/']").count() == 1  # the full menu
    assert name in page.content()


def _sign_out(page) -> None:
    page.locator("nav.site-nav button:has-text('Sign out')").click()
    page.wait_for_url("**/accounts/login/**")


def test_admin_invites_a_manager_who_gets_in(page, site):
    PersonFactory(username="ada", display_name="Ada Admin", org_role="admin")

    # The admin signs in, sets up their own authenticator, and adds a manager.
    sign_in_with_password(page, "ada")
    _set_up_totp_and_continue(page)
    page.goto("/people/new/")
    page.fill("#id_username", "mona")
    page.fill("#id_email", "mona@example.com")
    page.fill("#id_display_name", "Mona Manager")
    page.select_option("#id_org_role", "manager")
    page.select_option("#id_time_zone", "America/Los_Angeles")
    page.select_option("#id_country", "US")
    page.locator("#person-new-form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/people/\d+/$"))
    assert "invited by email" in page.locator(".messages").inner_text()
    _sign_out(page)

    # Mona's e-mail points at the address Baton serves on.
    link = _link_in_mail_to("mona@example.com")
    assert link.startswith(site + "/")
    _choose_password(page, link)
    codes = _set_up_totp_and_continue(page)
    _on_dashboard(page, "Mona Manager")

    # Signing in again asks for the second factor (a recovery code here) and gets in.
    _sign_out(page)
    sign_in_with_password(page, "mona", NEW_PASSWORD)
    page.wait_for_url("**/2fa/authenticate/**")
    page.fill("input[name=code]", codes[0])
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url(lambda url: "/accounts/" not in url)
    _on_dashboard(page, "Mona Manager")


def test_member_promoted_to_manager_resets_password_and_gets_in(page, site):
    admin = PersonFactory(username="ada", display_name="Ada Admin", org_role="admin")
    paula = PersonFactory(
        username="paula", display_name="Paula Promoted", password=None, time_zone="Asia/Tokyo"
    )
    admin_client = sign_in(Client(), admin)
    response = admin_client.post(f"/people/{paula.pk}/role/", {"org_role": "manager"})
    assert response.status_code == 302

    page.goto("/accounts/login/")
    page.get_by_role("link", name="Forgot your password?").click()
    page.fill("input[name=email]", "paula@example.com")
    page.locator("form:has(input[name=email]) button[type=submit]").click()
    page.wait_for_url("**/password/reset/done/**")
    _choose_password(page, _link_in_mail_to("paula@example.com"))
    _set_up_totp_and_continue(page)
    _on_dashboard(page, "Paula Promoted")


def test_existing_person_invited_from_their_page_gets_in(page, site):
    admin = PersonFactory(username="ada", display_name="Ada Admin", org_role="admin")
    sam = PersonFactory(username="sam", display_name="Sam Seeded", password=None)
    admin_client = sign_in(Client(), admin)
    person_page = admin_client.get(f"/people/{sam.pk}/").content.decode()
    assert "Send invitation" in person_page
    assert admin_client.post(f"/people/{sam.pk}/invite/").status_code == 302
    assert "Resend invitation" in admin_client.get(f"/people/{sam.pk}/").content.decode()

    link = _link_in_mail_to("sam@example.com")
    assert link.startswith(site + "/")
    _choose_password(page, link)
    # A member owes no second factor: straight to the dashboard, signed in.
    page.wait_for_url(lambda url: "/accounts/" not in url)
    _on_dashboard(page, "Sam Seeded")
