"""The pages that matter, in a real browser (Debian's Chromium driven by Playwright).

Sign in, set up TOTP, reach the directory, filter "working now", open a team page; and an
anonymous visit lands on the sign-in page. Skipped, with the reason printed, when Chromium or
Playwright is missing (CI installs both).
"""

from __future__ import annotations

import pytest

from tests.browser import sign_in_setting_up_totp, sign_in_with_password
from tests.factories import ALWAYS, PersonFactory, TeamFactory, add_member, person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_anonymous_visit_lands_on_sign_in(page):
    page.goto("/people/")
    assert "/accounts/login/" in page.url
    assert page.locator("input[name=login]").is_visible()


def test_sign_in_set_up_totp_directory_working_now_team_page(page):
    person("ada", "Ada Admin", ("Europe/Berlin", "DE"), org_role="admin")
    awake = person("wanda", "Wanda Awake", ("Asia/Manila", "PH"), working_hours=ALWAYS)
    asleep = person("nora", "Nora Nevers", ("America/Santiago", "CL"), working_hours={})
    team = TeamFactory(name="Payments")
    add_member(team, awake, role="lead")
    add_member(team, asleep)

    # Sign in with a password: an admin owes MFA, so Baton sends them to set up TOTP.
    sign_in_setting_up_totp(page, "ada")
    assert "/accounts/login/" not in page.url

    # The directory, then "working now" (htmx swaps the results).
    page.goto("/people/")
    results = page.locator("#directory-results")
    assert results.get_by_text("Wanda Awake").is_visible()
    assert results.get_by_text("Nora Nevers").is_visible()
    page.get_by_label("Working now").check()
    page.wait_for_function(
        "() => !document.querySelector('#directory-results').innerText.includes('Nora Nevers')"
    )
    assert results.get_by_text("Wanda Awake").is_visible()

    # A team page with the 24-hour strip of each member.
    page.goto(f"/teams/{team.slug}/")
    assert page.get_by_role("heading", name="Payments").first.is_visible()
    assert page.locator(".strip").count() >= 2


def test_team_type_ahead_filters_the_directory(page):
    PersonFactory(username="tess", display_name="Tess Viewer", password="correct-horse-battery")
    payments, search = TeamFactory(name="Payments Core"), TeamFactory(name="Search Ranking")
    add_member(payments, PersonFactory(username="pat", display_name="Pat Payer"))
    add_member(search, PersonFactory(username="sid", display_name="Sid Seeker"))
    sign_in_with_password(page, "tess")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)

    page.goto("/people/")
    results = page.locator("#directory-results")
    assert results.get_by_text("Sid Seeker").is_visible()
    box = page.get_by_label("Team")  # the label now names the type-ahead box
    assert box.get_attribute("list") == "id_team-suggestions"
    assert page.locator("#id_team-suggestions option[value='Search Ranking']").count() == 1
    box.fill("Search Ranking")
    page.wait_for_function(
        "() => !document.querySelector('#directory-results').innerText.includes('Pat Payer')"
    )
    assert results.get_by_text("Sid Seeker").is_visible()
    assert f"team={search.pk}" in page.url  # htmx pushed the filtered address
    # Clearing the box shows everyone again; a reload keeps the choice in the box.
    page.reload()
    assert page.get_by_label("Team").input_value() == "Search Ranking"
    page.get_by_label("Team").fill("")
    page.wait_for_function(
        "() => document.querySelector('#directory-results').innerText.includes('Pat Payer')"
    )
