"""The ownership journey of issue 11 in a real browser (Debian's Chromium driven by Playwright),
end to end through the pages: a manager in Auckland (a laptop, 1,366 px) signs in with a
password and TOTP, opens the ownership map, filters it to Brazil, finds the project a leaver
orphaned (the table marks it), follows it to its page and proposes a new owner; the proposed
owner, in São Paulo on a phone (390 px, a second browser context), opens the proposal from
their inbox and accepts; the manager reloads the project page and sees the new owner, then
downloads the filtered table's CSV. Skipped, with the reason printed, when Chromium or
Playwright is missing (CI installs both)."""

from __future__ import annotations

import csv
import io
import time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

from core.audit import Actor
from projects import services
from projects.models import OwnershipTransfer, Project
from teams import services as team_services
from tests.browser import sign_in_with_password, sign_in_with_totp
from tests.factories import TeamFactory, add_member, person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SYSTEM = Actor.system(via="test")
AUCKLAND = "Pacific/Auckland"
SAO_PAULO = "America/Sao_Paulo"


@pytest.fixture
def browser_timezone() -> str:
    return AUCKLAND


def _org() -> dict:
    """Two teams, people in five countries. Bruno (Brazil) leaves: an admin deactivates him,
    and his project is orphaned. Gus (USA) left too, so the whole map has two orphaned
    projects and the country filter is what narrows it to Brazil's one."""
    platform, payments = TeamFactory(name="Platform"), TeamFactory(name="Payments")
    ada = person("ada", "Ada Admin", ("Europe/London", "GB"), org_role="admin")
    # An org manager on no team: she sees the whole map and proposes new owners.
    maya = person("maya", "Maya Manager", (AUCKLAND, "NZ"), org_role="manager")
    bruno = person("bruno", "Bruno Costa", (SAO_PAULO, "BR"))
    bia = person("bia", "Bia Santos", (SAO_PAULO, "BR"))
    kiri = person("kiri", "Kiri Walker", (AUCKLAND, "NZ"))
    ana = person("ana", "Ana Reyes", ("Asia/Manila", "PH"))
    lena = person("lena", "Lena Lang", ("Europe/Berlin", "DE"))
    gus = person("gus", "Gus Gone", ("America/Chicago", "US"))
    for someone in (bruno, bia, lena):
        add_member(platform, someone)
    for someone in (bia, kiri, ana, gus):
        add_member(payments, someone)

    def project(team, name, owner, **fields):
        return services.project_create(
            actor=SYSTEM, team=team, name=name, owner=owner, status="active", **fields
        )

    billing = project(platform, "Billing exports", bruno, critical=True)
    services.update_post(
        actor=Actor(user=bruno, via="test"), project=billing, health="at_risk", body="Slow."
    )
    project(platform, "Checkout latency", bia)
    project(payments, "Pix payouts", bia)
    project(platform, "Search relevance", lena)
    project(payments, "Card tokens", kiri)
    project(payments, "Refund flow", ana)
    project(payments, "Legacy ledger", gus)
    for leaver in (bruno, gus):
        team_services.person_deactivate(actor=Actor(user=ada, via="test"), person=leaver)
    secret = generate_totp_secret()
    TOTP.activate(maya, secret)
    return {"billing": billing, "bia": bia, "maya_secret": secret}


def _watch_console(page, problems: list[str]) -> None:
    """Errors the page reports (a script that failed, a CSP refusal) fail the test; not the
    live socket's: pytest-django's live server speaks HTTP only, so /ws/events/ is refused
    and the pages fall back to plain loads, as they must."""

    def console(message) -> None:
        if message.type == "error" and "/ws/" not in message.text:
            problems.append(f"{page.url}: {message.text}")

    page.on("pageerror", lambda error: problems.append(f"{page.url}: {error}"))
    page.on("console", console)


def test_manager_finds_an_orphan_by_country_hands_it_over_and_exports(page, browser, live_server):
    started = time.monotonic()
    world = _org()
    billing, bia = world["billing"], world["bia"]
    brazil = set(
        Project.objects.filter(owner__profile__country="BR").values_list("name", flat=True)
    )
    assert brazil == {"Billing exports", "Checkout latency", "Pix payouts"}
    problems: list[str] = []
    _watch_console(page, problems)

    # Context 1, a laptop in Auckland: the manager signs in with her password and TOTP.
    page.set_viewport_size({"width": 1366, "height": 900})
    sign_in_with_totp(page, "maya", world["maya_secret"])

    # The map from the menu: the whole org, two orphaned projects.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Ownership map").click()
    page.wait_for_url("**/ownership-map/")
    page.locator("#ownership-map[data-state='ready']").wait_for()
    assert page.locator("#ownership-map").get_attribute("data-count") == "7"
    counts = page.locator("#map-counts")
    assert counts.locator(".map-stat-alert .value").inner_text() == "2"  # orphaned
    assert f"times in your zone ({AUCKLAND})" in page.locator(".map-scope").inner_text()

    # Filter to Brazil: the graph and the counts follow (one orphaned project there).
    page.get_by_label("Country").select_option(label="Brazil")
    page.locator("#map-filter-submit").click()
    page.wait_for_url(lambda url: "country=BR" in url)
    page.locator("#ownership-map[data-state='ready']").wait_for()
    assert page.locator("#ownership-map").get_attribute("data-count") == str(len(brazil))
    assert counts.locator(".map-stat-alert .value").inner_text() == "1"

    # The table keeps the filter and marks the orphaned project.
    page.get_by_role("link", name="The same projects as a table").click()
    page.wait_for_url(lambda url: "/ownership-map/table/" in url and "country=BR" in url)
    table_url = page.url
    rows = page.locator("#map-table tbody tr")
    assert rows.count() == len(brazil)
    orphaned = page.locator("#map-table tbody tr.map-row-orphaned")
    assert orphaned.count() == 1
    assert "Orphaned" in orphaned.locator("td[data-label=Project]").inner_text()
    assert "left" in orphaned.locator("td[data-label=Owner]").inner_text()
    orphaned.get_by_role("link", name="Billing exports").click()

    # The project page says who left and offers the proposal, and leads back to the table.
    page.wait_for_url(lambda url: f"/projects/{billing.slug}/?" in url and "from_map=table" in url)
    back = page.get_by_role("link", name="Ownership map: table (filtered)")
    assert table_url.endswith(back.get_attribute("href"))
    note = page.locator("#orphaned-note")
    assert "Bruno Costa was deactivated" in note.inner_text()
    note.get_by_role("link", name="Propose a new owner").click()
    # The link opens the Ownership card's proposal form itself (no second click).
    form = page.locator("#transfer-form")
    form.wait_for(state="visible")
    form.get_by_label("New owner").select_option(label=f"Bia Santos (bia, {SAO_PAULO})")
    form.get_by_label("Reason").fill("Bruno left; Bia knows the billing code")
    form.get_by_role("button", name="Ask them").click()
    page.locator("#pending-transfer").wait_for()
    messages = page.locator(".messages").inner_text()
    assert "Asked Bia Santos to take over Billing exports." in messages
    assert "Bia Santos" in page.locator("#pending-transfer").inner_text()
    transfer = OwnershipTransfer.objects.get(project=billing, state="pending")
    assert transfer.to_person_id == bia.pk

    # Context 2, a phone in São Paulo: Bia opens the proposal from her inbox and accepts.
    phone = browser.new_context(
        base_url=live_server.url,
        timezone_id=SAO_PAULO,
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
    )
    try:
        other = phone.new_page()
        other.set_default_timeout(15_000)
        _watch_console(other, problems)
        sign_in_with_password(other, "bia")
        other.wait_for_url(lambda url: "/accounts/login/" not in url)
        bell = other.locator("#notification-bell")
        assert int(bell.locator("[data-unread-count]").inner_text()) >= 1
        bell.click()
        other.wait_for_url("**/notifications/")
        other.get_by_role("link", name="Will you own Billing exports?").click()
        other.wait_for_url(f"**/transfers/{transfer.pk}/")
        assert "Will you own Billing exports?" in other.locator("h1").inner_text()
        answer = other.locator("#answer-form")
        answer.locator("textarea").fill("Happy to take it")
        answer.get_by_role("button", name="Accept: I own it").click()
        other.wait_for_url(f"**/projects/{billing.slug}/")
        assert "You own Billing exports now." in other.locator(".messages").inner_text()
        assert "Bia Santos" in other.locator("#owner").inner_text()
        overflow = other.evaluate(
            "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 1, f"the project page is {overflow}px wider than the phone"
    finally:
        phone.close()

    # Back in context 1: a reload shows the new owner, and the page is no longer orphaned.
    page.reload()
    assert "Bia Santos" in page.locator("#owner").inner_text()
    assert page.locator("#orphaned-note").count() == 0
    assert page.locator("#pending-transfer").count() == 0

    # The filtered table again (the address she was on): nothing orphaned in Brazil now, and
    # its CSV has exactly Brazil's rows, times in her zone.
    page.goto(table_url)
    assert page.locator("#map-table tbody tr.map-row-orphaned").count() == 0
    with page.expect_download() as download_info:
        page.locator("#map-csv").click()
    download = download_info.value
    assert download.suggested_filename.startswith("ownership-map-")
    assert download.suggested_filename.endswith(".csv")
    text = Path(download.path()).read_text(encoding="utf-8")
    assert f"last_update ({AUCKLAND})" in text.splitlines()[0]
    exported = {row["project"]: row for row in csv.DictReader(io.StringIO(text))}
    assert set(exported) == brazil
    assert {row["owner_country"] for row in exported.values()} == {"BR"}
    handed_over = exported["Billing exports"]
    assert handed_over["owner"] == "Bia Santos"
    assert handed_over["orphaned"] == "no"
    billing.refresh_from_db()
    assert billing.owner_id == bia.pk
    local = billing.last_update_at.astimezone(ZoneInfo(AUCKLAND))
    assert handed_over[f"last_update ({AUCKLAND})"] == local.strftime("%Y-%m-%d %H:%M")

    assert not problems, problems
    print(f"\nownership journey in the browser: {time.monotonic() - started:.1f} s")
