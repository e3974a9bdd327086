"""On-call in a real browser (Debian's Chromium driven by Playwright): a team lead creates a
follow-the-sun schedule through the preset, sees its gap, adds an override that fills it and
sees the final lane change. Skipped, with the reason printed, when Chromium or Playwright is
missing (CI installs both)."""

from __future__ import annotations

import pytest

from oncall.models import Layer, Override, Schedule
from tests.browser import sign_in_with_password
from tests.factories import PersonFactory, TeamFactory, add_member, person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def browser_timezone() -> str:
    return "Europe/London"


def test_follow_the_sun_gap_filled_by_an_override(page):
    team = TeamFactory(name="Sunrise")
    lead = person("leo", "Leo Lead")  # Europe/London
    add_member(team, lead, role="lead")  # an org member: no MFA owed by default
    add_member(team, PersonFactory(username="mani", display_name="Mani", time_zone="Asia/Manila"))
    add_member(
        team, PersonFactory(username="nyla", display_name="Nyla", time_zone="America/New_York")
    )

    # Sign in through the real form.
    sign_in_with_password(page, "leo")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)

    # Create the schedule; "follow-the-sun next" is ticked by default.
    page.goto("/schedules/")
    form = page.locator("#schedule-form")
    form.locator("input[name=name]").fill("Sunrise on call")
    form.locator("select[name=team]").select_option(label="Sunrise")
    form.locator("select[name=time_zone]").select_option("Europe/London")
    form.locator("#schedule-create").click()
    page.wait_for_url("**/follow-the-sun/")

    # The preset lists the team's zones; its preview shows the typical week and the gaps.
    fts = page.locator("#fts-form")
    for zone in ("Asia/Manila", "Europe/London", "America/New_York"):
        assert fts.locator(f"input[value='{zone}']").count() == 1
    preview = page.locator("#fts-preview")
    # The coverage leads the page: the default regions hand over around the clock.
    assert "%" in page.locator("#fts-coverage").inner_text()
    before = preview.locator("#fts-summary").inner_text()
    # Dropping London's row refreshes the preview (htmx) with less coverage, and the coverage
    # at the top with it: London's hours are now a gap.
    fts.locator("tr[data-region='Europe/London'] input[type=checkbox][name$='_on']").uncheck()
    page.wait_for_function(
        "(before) => document.querySelector('#fts-summary').innerText !== before", arg=before
    )
    assert preview.locator(".gap-item").count() >= 1
    assert "UTC" in preview.locator("#fts-gaps").inner_text()
    assert "h a week with nobody on call" in page.locator("#fts-coverage").inner_text()
    # A bar shows its tooltip on keyboard focus: the full name, both zones with offsets.
    preview.locator("g.seg:not(.gap)").first.focus()
    tip = page.locator("#bar-tip")
    tip.wait_for(state="visible")
    assert "their local time" in tip.inner_text() and ", UTC" in tip.inner_text()
    fts.locator("#fts-create").click()
    page.wait_for_url(lambda url: url.rstrip("/").split("/")[-1].isdigit())
    schedule = Schedule.objects.get(name="Sunrise on call")
    assert Layer.objects.filter(schedule=schedule).count() == 2

    # The schedule page shows the gaps in red on the final lane.
    final = page.locator("[data-lane=final]")
    gaps_before = final.locator("rect.gap").count()
    assert gaps_before >= 1
    lane_before = final.inner_html()
    assert page.locator("#schedule-gaps .gap-item").count() >= 1

    # Fill the first gap with an override for Leo (the link prefills the form).
    page.locator("#schedule-gaps .fill-gap").first.click()
    override = page.locator("#override-form")
    assert override.locator("input[name=start]").input_value()
    override.locator("select[name=person]").select_option(label="Leo Lead (leo, Europe/London)")
    override.locator("#override-submit").click()
    page.wait_for_load_state()
    assert Override.objects.filter(schedule=schedule, person=lead).count() == 1

    final = page.locator("[data-lane=final]")
    assert final.inner_html() != lane_before
    assert final.locator("rect.gap").count() < gaps_before
    assert "Leo Lead" in final.inner_html()
