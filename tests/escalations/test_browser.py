"""An urgent update end to end in a real browser (Debian's Chromium driven by Playwright), with
its timeline live over /ws/events/.

At Tuesday 03:00 in Sydney (Monday 16:00 UTC; the test process travels there and keeps
ticking), Lena, a lead in London on a laptop (1,366 px), raises a `high` update on Checkout
from the form: the page says the owner, Sam, was skipped at 03:00 in Sydney, asleep, and that
Lou, on call in London, was paged. Lou, on a phone (390 px, a second browser context), opens
the notification from his inbox and acknowledges with one click at the top of the page. Lena's
page, never reloaded, shows the acknowledgement in its timeline: the engine's event reached
her socket and the page fetched its live section again. Neither page is wider than its screen.

The server is a real ASGI one (uvicorn, HTTP and WebSockets) in a thread of the test process,
so the time travel holds for it too; its channel layer is Redis (REDIS_URL), as in
production: skipped, with the reason printed, without Redis, Chromium or Playwright.
"""

from __future__ import annotations

import pytest
import time_machine

from escalations.models import UpdateState, UrgentUpdate
from tests.browser import (
    LAPTOP,
    PHONE,
    overflow,
    phone_context,
    shot,
    sign_in_with_password,
    watch_console,
)
from tests.escalations.world import SYDNEY_3AM, World
from tests.ws import REDIS_URL

pytestmark = [
    pytest.mark.browser,
    pytest.mark.redis,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not REDIS_URL, reason="REDIS_URL is not set: the live timeline needs Redis's channel layer"
    ),
]


@pytest.fixture
def traveller():
    # Ticking: sign-in, sessions and the socket's timeouts need a clock that moves.
    with time_machine.travel(SYDNEY_3AM, tick=True) as travel:
        yield travel


@pytest.fixture
def asgi_server(traveller, asgi_site):
    """uvicorn serving config.asgi (tests/browser.py), started once the clock travelled."""
    return asgi_site


def _shot(page, name: str) -> None:
    shot(page, f"urgent-{name}")


def test_raise_at_3am_sydney_acknowledge_from_a_phone_and_see_it_live(browser, asgi_server):
    World()  # Lena (lead), Sam (Sydney, owns Checkout), Lou (on call in London)
    problems: list[str] = []
    laptop = browser.new_context(base_url=asgi_server, timezone_id="Europe/London", viewport=LAPTOP)
    phone = phone_context(browser, asgi_server, "Europe/London")
    try:
        # Context 1, Lena's laptop: the Urgent menu, then the form.
        page = laptop.new_page()
        page.set_default_timeout(15_000)
        watch_console(page, problems)
        sign_in_with_password(page, "lena")
        page.wait_for_url(lambda url: "/accounts/login/" not in url)
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Urgent").click()
        page.wait_for_url("**/urgent/")
        assert overflow(page) <= 1
        page.locator("#raise-update").click()
        page.wait_for_url("**/urgent/new/")
        page.locator("#raise-place").select_option(label="Checkout")
        page.locator("#raise-title").fill("Checkout is down")
        page.locator("#raise-body").fill("Payments fail since **02:50**.")
        page.locator("input[name=severity][value=high]").check()
        page.locator("#raise-submit").click()
        page.wait_for_url(lambda url: "/urgent/new/" not in url and "/urgent/" in url)
        update = UrgentUpdate.objects.get()
        assert page.url.endswith(f"/urgent/{update.pk}/")
        timeline = page.locator("#timeline")
        assert "Sam Sydney skipped: 03:00 in Sydney, asleep" in timeline.inner_text()
        assert "Lou London paged (on call: Primary): 16:00 in London, working" in (
            timeline.inner_text()
        )
        assert "Urgent update raised: Checkout is down." in page.locator(".messages").inner_text()
        # Lena may acknowledge too (a member), but she leaves it to Lou.
        assert page.locator("#acknowledge").is_visible()
        assert overflow(page) <= 1, "the update page is wider than the laptop"
        _shot(page, "laptop-raised")
        live = page.locator("#update-live[data-live='connected']")
        live.wait_for(state="attached")

        # Context 2, Lou's phone: the bell, the inbox, the notification, one click.
        other = phone.new_page()
        other.set_default_timeout(15_000)
        watch_console(other, problems)
        sign_in_with_password(other, "lou")
        other.wait_for_url(lambda url: "/accounts/login/" not in url)
        other.locator("#notification-bell").click()
        other.wait_for_url("**/notifications/")
        other.get_by_role("link", name="[High] Checkout is down").click()
        other.wait_for_url(f"**/urgent/{update.pk}/")
        button = other.locator("#acknowledge")
        assert button.is_visible()
        assert button.bounding_box()["y"] < 450, "Acknowledge is not at the top of the phone"
        assert overflow(other) <= 1, "the update page is wider than the phone"
        _shot(other, "phone-paged")
        button.click()
        other.wait_for_url(f"**/urgent/{update.pk}/")
        other.locator(".messages").wait_for()
        assert "Acknowledged: you have it" in other.locator(".messages").inner_text()
        assert other.locator("#acknowledge").count() == 0
        assert overflow(other) <= 1
        update.refresh_from_db()
        assert update.state == UpdateState.ACKNOWLEDGED

        # Back on the laptop, never reloaded: the acknowledgement arrives by itself.
        page.locator("#timeline", has_text="Acknowledged by Lou London").wait_for(timeout=10_000)
        assert "Lou London" in page.locator("#acknowledged").inner_text()
        assert page.locator("#acknowledge").count() == 0
        assert int(page.locator("#update-live").get_attribute("data-refreshed")) >= 1
        assert overflow(page) <= 1
        _shot(page, "laptop-live")

        # Lena's policy editor fits the laptop, and a phone's width too.
        page.goto("/urgent/team-policy/platform/")
        page.locator("#policy-form").wait_for()
        assert overflow(page) <= 1
        _shot(page, "laptop-policy")
        page.set_viewport_size(PHONE)
        assert overflow(page) <= 1, "the policy editor is wider than a phone"
        _shot(page, "narrow-policy")

        # The phone's other pages fit too.
        for url in ("/urgent/", "/", "/urgent/team-policy/platform/"):
            other.goto(url)
            assert overflow(other) <= 1, f"{url} is wider than the phone"
            _shot(other, "phone" + url.replace("/", "-").rstrip("-"))
    finally:
        laptop.close()
        phone.close()
    assert not problems, "\n".join(problems)


AUCKLAND = "Pacific/Auckland"  # UTC+13 (NZDT) at SYDNEY_3AM: as far from UTC as a viewer gets


def test_a_lead_far_from_utc_walks_every_urgent_page_on_laptop_and_phone(browser, asgi_server):
    """Kiri leads Platform from Auckland. On a laptop and on a phone every urgent-update page
    fits its screen, shows no script error, and speaks Kiri's time: the update page, the
    list, the form, both policies, the integration keys (made, shown once, revoked), the
    project's card, the team's card and the dashboard."""
    from escalations.models import IntegrationKey
    from tests.factories import PersonFactory, add_member

    world = World()
    kiri = PersonFactory(
        username="kiri", display_name="Kiri Auckland", time_zone=AUCKLAND, country="NZ"
    )
    add_member(world.team, kiri, "lead")
    from escalations import services
    from tests.escalations.world import actor

    # Committed at once (a transaction=True test): the first step fires as in production.
    update = services.update_raise(
        actor=actor(world.lead), project=world.project, severity="high", title="Card payments fail"
    )
    problems: list[str] = []
    for label, viewport in (("laptop", LAPTOP), ("phone", PHONE)):
        context = browser.new_context(
            base_url=asgi_server,
            timezone_id=AUCKLAND,
            viewport=viewport,
            is_mobile=viewport is PHONE,
            has_touch=viewport is PHONE,
        )
        try:
            page = context.new_page()
            page.set_default_timeout(15_000)
            watch_console(page, problems)
            sign_in_with_password(page, "kiri")
            page.wait_for_url(lambda url: "/accounts/login/" not in url)
            pages = {
                "dashboard": "/",
                "list": "/urgent/",
                "update": f"/urgent/{update.pk}/",
                "raise": f"/urgent/new/?project={world.project.pk}",
                "team-policy": f"/urgent/team-policy/{world.team.slug}/",
                "project-policy": f"/urgent/project-policy/{world.project.slug}/",
                "team": f"/teams/{world.team.slug}/",
                "project": f"/projects/{world.project.slug}/",
                "keys": f"/urgent/team-keys/{world.team.slug}/",
            }
            for name, url in pages.items():
                page.goto(url)
                assert overflow(page) <= 1, f"{url} is wider than the {label}"
                _shot(page, f"auckland-{label}-{name}")
            # 16:00 UTC on Monday is 05:00 on Tuesday in Auckland: the times are Kiri's.
            page.goto(f"/urgent/{update.pk}/")
            assert "05:00" in page.locator("main").inner_text()

            # The project's card raises on the project.
            page.goto(pages["project"])
            card = page.locator("#project-urgent")
            assert "Card payments fail" in card.inner_text()
            card.locator("#raise-urgent").click()
            page.wait_for_url("**/urgent/new/**")
            assert page.locator("#raise-place").input_value() == f"project-{world.project.pk}"

            # A key: made, shown once, revoked.
            page.goto(pages["keys"])
            page.locator("#id_name").fill(f"Alertmanager ({label})")
            page.locator("#key-form button[type=submit]").click()
            page.locator("#new-key").wait_for()
            raw = page.locator("#new-key-value").inner_text()
            assert raw and raw in page.locator("#new-key-url").input_value()
            assert overflow(page) <= 1, f"the new key is wider than the {label}"
            _shot(page, f"auckland-{label}-key-made")
            page.goto(pages["keys"])
            assert raw not in page.content()
            page.once("dialog", lambda dialog: dialog.accept())
            page.locator(f"#keys-table tr:has-text('Alertmanager ({label})') button").click()
            page.locator(".messages").wait_for()
            assert "revoked" in page.locator(".messages").inner_text()
            assert overflow(page) <= 1
            _shot(page, f"auckland-{label}-key-revoked")
        finally:
            context.close()
    assert IntegrationKey.objects.filter(revoked_at__isnull=False).count() == 2
    assert not problems, "\n".join(problems)
