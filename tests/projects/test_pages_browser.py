"""The project pages in a real browser (Debian's Chromium through Playwright), for a viewer in
Auckland: goals added, edited and finished in place (htmx), a status update posted from the
composer, a transfer proposed and accepted in a second browser context, and the pages laid
out at a laptop's and a phone's width. Skipped, with the reason printed, when Chromium or
Playwright is missing. Set BATON_SHOTS=<folder> to keep screenshots of each page."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from projects import services
from projects.models import Goal, Project
from teams import services as team_services
from tests.browser import sign_in_with_password
from tests.factories import PersonFactory, TeamFactory, add_member
from tests.projects.org import SYSTEM, actor

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = {"laptop": 1366, "phone": 390}


@pytest.fixture
def browser_timezone() -> str:
    return "Pacific/Auckland"


def _shot(page, name: str) -> None:
    folder = os.environ.get("BATON_SHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)
        page.screenshot(path=str(Path(folder) / f"{name}-top.png"))


def _no_sideways_scroll(page, where: str) -> None:
    """Nothing on the page is wider than the window (tables scroll inside their box)."""
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 1, f"{where}: {overflow}px wider than the window"


@pytest.fixture
def world(db):
    team = TeamFactory(name="Platform")
    kiri = PersonFactory(
        username="kiri", display_name="Kiri Walker", time_zone="Pacific/Auckland", country="NZ"
    )
    ana = PersonFactory(
        username="ana", display_name="Ana Reyes", time_zone="Asia/Manila", country="PH"
    )
    lena = PersonFactory(
        username="lena", display_name="Lena Lead", time_zone="Europe/Berlin", country="DE"
    )
    gone = PersonFactory(username="gone", display_name="Gus Gone", time_zone="America/Chicago")
    for person in (kiri, ana, gone):
        add_member(team, person)
    add_member(team, lena, role="lead")
    project = services.project_create(
        actor=SYSTEM,
        team=team,
        name="Search relevance",
        owner=kiri,
        backup_owner=ana,
        description="Make **search** find what people mean.\n\n- ranking\n- synonyms",
        status="active",
        critical=True,
        start_date=timezone.now().date() - timedelta(days=30),
        target_date=timezone.now().date() + timedelta(days=60),
        links=[{"title": "Design doc", "url": "https://example.com/design"}],
    )
    services.goal_create(
        actor=actor(kiri), project=project, title="Index all shards", target_value=12,
        current_value=5, unit="shards",
    )  # fmt: skip
    services.update_post(actor=actor(kiri), project=project, health="on_track", body="Kick-off.")
    services.goal_create(actor=actor(kiri), project=project, title="Synonyms live")
    services.update_post(actor=actor(kiri), project=project, health="at_risk", body="Shards slow.")
    orphan = services.project_create(actor=SYSTEM, team=team, name="Legacy export", owner=gone)
    team_services.person_deactivate(actor=SYSTEM, person=gone)
    for i in range(12):
        services.project_create(
            actor=SYSTEM, team=team, name=f"Project {i:02d} with a rather long name",
            owner=(kiri, ana, lena)[i % 3],
        )  # fmt: skip
    stale = Project.objects.filter(name__startswith="Project 0").first()
    Project.objects.filter(pk=stale.pk).update(stale_at=timezone.now() - timedelta(days=2))
    return {"kiri": kiri, "ana": ana, "lena": lena, "project": project, "orphan": orphan}


def test_owner_works_on_a_project_in_place(page, world, live_server):
    project = world["project"]
    sign_in_with_password(page, "kiri")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)

    for label, width in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": 900})
        for name, path in (
            ("list", "/projects/"),
            ("detail", f"/projects/{project.slug}/"),
            ("new", "/projects/new/"),
            ("edit", f"/projects/{project.slug}/edit/"),
            ("dashboard", "/"),
            ("team", "/teams/platform/"),
        ):
            page.goto(path)
            _no_sideways_scroll(page, f"{path} at {width}px")
            _shot(page, f"{name}-{label}")
    page.set_viewport_size({"width": 1366, "height": 900})

    # The new-project form offers the chosen team's people as backups (htmx).
    page.goto("/projects/new/")
    assert page.locator("select[name=backup_owner] option").count() == 1  # "No backup"
    page.locator("select[name=team]").select_option(label="Platform")
    page.wait_for_function(
        "() => document.querySelectorAll('select[name=backup_owner] option').length > 1"
    )
    assert "Ana Reyes" in page.locator("select[name=backup_owner]").inner_text()

    # Times on the page are Auckland's; Ana's is Manila's.
    page.goto(f"/projects/{project.slug}/")
    assert "in Manila" in page.locator("#backup").inner_text()

    # A goal added in place: the section changes without a page load.
    page.locator("#add-goal > summary").click()
    form = page.locator("#goal-add-form")
    form.locator("input[name=title]").fill("Launch")
    form.locator("input[name=target_date]").fill("2000-01-01")  # before the project starts
    form.locator("#goal-add").click()
    page.locator("#goals .errorlist").wait_for()
    assert "before the project starts" in page.locator("#goals").inner_text()
    form = page.locator("#goal-add-form")
    form.locator("input[name=target_date]").fill("")
    form.locator("#goal-add").click()
    page.wait_for_function("() => document.querySelector('#goals').innerText.includes('Launch')")
    launch = Goal.objects.get(title="Launch")
    # Finished with the check button, then edited in place.
    page.locator(f"#goal-{launch.pk} .check-button").click()
    page.locator(f"#goal-{launch.pk}.goal-done").wait_for()
    page.locator(f"#goal-{launch.pk} .goal-edit").click()
    page.locator(f"#goal-{launch.pk} input[name=title]").fill("Launch to everyone")
    page.locator(f"#goal-{launch.pk} button[type=submit]").first.click()
    page.wait_for_function(
        "() => document.querySelector('#goals').innerText.includes('Launch to everyone')"
    )
    launch.refresh_from_db()
    assert launch.done and launch.title == "Launch to everyone"
    _shot(page, "detail-after-goals")

    # Watching toggles in place.
    page.locator("#watch-form button").click()
    page.wait_for_function(
        "() => document.querySelector('#watch-form').innerText.includes('Watching')"
    )

    # A status update from the composer lands at its anchor with what changed.
    page.locator("#update-health_1").check()  # at risk
    page.locator("#update-body").fill("Shards still slow; synonyms next week.")
    page.locator("#update-submit").click()
    page.wait_for_url("**#update-*")
    latest = page.locator("article.update").first
    assert "Goal “Launch to everyone”" in latest.inner_text()


def test_transfer_accepted_in_a_second_browser(page, world, browser, live_server):
    project = world["project"]
    sign_in_with_password(page, "lena")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    page.goto(f"/projects/{project.slug}/")
    page.locator("#propose > summary").click()
    form = page.locator("#transfer-form")
    form.locator("select[name=to_person]").select_option(str(world["ana"].pk))
    form.locator("input[name=reason]").fill("Kiri moves to the mobile team")
    form.locator("button[type=submit]").click()
    page.locator("#pending-transfer").wait_for()
    _shot(page, "detail-pending")

    context = browser.new_context(base_url=live_server.url, timezone_id="Asia/Manila")
    other = context.new_page()
    try:
        sign_in_with_password(other, "ana")
        other.wait_for_url(lambda url: "/accounts/login/" not in url)
        other.locator("#transfers-waiting a").first.click()
        other.locator("#answer-form textarea").fill("Happy to take it")
        _shot(other, "transfer")
        other.locator("#transfer-accept").click()
        other.wait_for_url(f"**/projects/{project.slug}/")
        assert "Ana Reyes" in other.locator("#owner").inner_text()
    finally:
        context.close()
    project.refresh_from_db()
    assert project.owner_id == world["ana"].pk

    # The lead hands over the orphaned project from its page, at a phone's width too.
    page.set_viewport_size({"width": 390, "height": 900})
    page.goto("/projects/?orphaned=on")
    _no_sideways_scroll(page, "orphaned list on a phone")
    assert "Legacy export" in page.locator("#project-list").inner_text()
    _shot(page, "list-orphaned-phone")


def test_admin_hands_over_a_leavers_projects_from_their_page(page, world):
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    from projects.models import OwnershipTransfer
    from tests.browser import totp_code

    admin = PersonFactory(username="ada", display_name="Ada Admin", org_role="admin")
    secret = generate_totp_secret()
    TOTP.activate(admin, secret)
    sign_in_with_password(page, "ada")
    page.wait_for_url("**/2fa/authenticate/**")
    page.fill("input[name=code]", totp_code(secret))
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url(lambda url: "/2fa/" not in url and "/login/" not in url)

    kiri = world["kiri"]
    for label, width in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"/people/{kiri.pk}/")
        _no_sideways_scroll(page, f"person page at {width}px")
        _shot(page, f"person-admin-{label}")
    admin_box = page.locator("#admin-actions")
    html = admin_box.inner_html()
    assert html.index("person-projects") < html.index("Deactivate")
    project = world["project"]
    admin_box.locator(f"select[name=to_{project.pk}]").select_option(str(world["ana"].pk))
    admin_box.locator("#handover-submit").click()
    page.wait_for_url(f"**/people/{kiri.pk}/")
    transfer = OwnershipTransfer.objects.get(project=project)
    assert transfer.to_person_id == world["ana"].pk
    assert "waiting for their answer" in page.locator(f"#handover-{project.pk}").inner_text()
