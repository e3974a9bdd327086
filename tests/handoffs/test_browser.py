"""A handoff end to end in a real browser (Debian's Chromium driven by Playwright).

Friday 26 March 2027, 17:30 in Sydney (06:30 UTC; the process travels there and keeps
ticking). Sam, on a laptop in Sydney, writes a note from the Handoffs menu for Lou in London,
with two open items (one due at a time Sam types in Sydney time). The page says when it will
reach Lou: at the start of Lou's working day, 09:00 in London (20:00 for Sam). At Lou's
morning the beat delivers it; Lou, on a phone (390 px), finds it in the inbox, acknowledges
the note and one item, and hands the other back with a reason. Sam's page, never reloaded,
shows both as they happen (with Redis as the channel layer; without it, on reloading), with
Lou's own local times. No page is wider than its screen, and no script errs.
"""

from __future__ import annotations

import pytest
import time_machine

from handoffs import engine
from handoffs.models import HandoffNote, ItemStatus
from tests.browser import (
    LAPTOP,
    PHONE,
    overflow,
    phone_context,
    shot,
    sign_in_with_password,
    watch_console,
)
from tests.handoffs.world import FRIDAY_SYDNEY_EVENING, World, utc
from tests.ws import REDIS_URL

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
# (The server is uvicorn, as in production, so the pages' /ws/events/ socket connects.)

LOU_MORNING = utc(2027, 3, 26, 9, 5)


def _shot(page, name: str) -> None:
    shot(page, f"handoff-{name}")


def test_write_in_sydney_acknowledge_and_hand_back_in_london(browser, asgi_site):
    problems: list[str] = []
    with time_machine.travel(FRIDAY_SYDNEY_EVENING, tick=True) as travel:
        World()  # Sam in Sydney, Lou in London, both in Support
        laptop = browser.new_context(
            base_url=asgi_site, timezone_id="Australia/Sydney", viewport=LAPTOP
        )
        phone = phone_context(browser, asgi_site, "Europe/London")
        try:
            sam = laptop.new_page()
            sam.set_default_timeout(15_000)
            watch_console(sam, problems)
            sign_in_with_password(sam, "sam")
            sam.wait_for_url(lambda url: "/accounts/login/" not in url)
            sam.get_by_role("navigation", name="Main").get_by_role("link", name="Handoffs").click()
            sam.wait_for_url("**/handoffs/")
            assert overflow(sam) <= 1
            sam.locator("#write-handoff").click()
            sam.wait_for_url("**/handoffs/new/")
            sam.locator("#handoff-title").fill("Friday handover")
            sam.locator("#handoff-people").select_option(label="Lou London (Europe/London)")
            sam.locator("#handoff-summary").fill("Queue quiet; the bank is **slow** today.")
            sam.locator("#handoff-i0-text").fill("Refund #42 stuck")
            sam.locator("#handoff-i0-next_action").fill("Call the bank")
            sam.locator("#handoff-i0-owner").select_option(label="Lou London (Europe/London)")
            sam.locator("#handoff-i0-due").fill("2027-03-27T02:00")  # Sydney: Fri 15:00 UTC
            sam.locator("#handoff-i1-text").fill("Flaky checkout test")
            assert overflow(sam) <= 1
            _shot(sam, "laptop-compose")
            sam.locator("#send-handoff").click()
            sam.wait_for_url(lambda url: url.rstrip("/").split("/")[-1].isdigit())
            note = HandoffNote.objects.get()
            recipients = sam.locator("#recipients").inner_text()
            # It reaches Lou at 09:00 in London: 20:00 for Sam in Sydney.
            assert "Fri 26 Mar 2027 20:00" in recipients and "Fri 09:00 in London" in recipients
            assert "Handoff sent to Lou London." in sam.locator(".messages").inner_text()
            refund, flaky = note.items.order_by("position")
            assert refund.due_at == utc(2027, 3, 26, 15)
            assert overflow(sam) <= 1
            _shot(sam, "laptop-sent")

            # Lou's morning: the beat delivers it.
            travel.move_to(LOU_MORNING)
            assert engine.deliver_due() == 1
            lou = phone.new_page()
            lou.set_default_timeout(15_000)
            watch_console(lou, problems)
            sign_in_with_password(lou, "lou")
            lou.wait_for_url(lambda url: "/accounts/login/" not in url)
            lou.goto("/handoffs/")
            waiting = lou.locator("#waiting")
            assert "Friday handover" in waiting.inner_text()
            assert "From Sam Sydney" in waiting.inner_text()
            assert overflow(lou) <= 1
            _shot(lou, "phone-inbox")
            waiting.get_by_role("link", name="Friday handover").click()
            lou.wait_for_url(f"**/handoffs/{note.pk}/")
            assert overflow(lou) <= 1, "the note is wider than the phone"
            _shot(lou, "phone-note")
            lou.locator("#acknowledge").click()
            lou.locator(".messages").wait_for()
            lou.locator(f"#item-{refund.pk} [data-action=acknowledge]").click()
            lou.locator(".messages").wait_for()
            flaky_row = lou.locator(f"#item-{flaky.pk}")
            flaky_row.locator("summary").click()
            flaky_row.locator("input[name=reason]").fill("Owned by the web team")
            flaky_row.locator("[data-action=hand_back]").click()
            lou.locator(".messages").wait_for()
            assert "Item handed back" in lou.locator(".messages").inner_text()
            assert overflow(lou) <= 1
            _shot(lou, "phone-acted")

            # Sam sees both, with Lou's own times: live over /ws/events/ when the channel
            # layer is Redis (as in production and CI), else on reloading.
            if REDIS_URL:
                sam.locator("#items", has_text="Handed back by Lou London").wait_for(timeout=10_000)
                live = sam.locator("#handoff-live")
                assert int(live.get_attribute("data-refreshed") or 0) >= 1
            else:
                sam.reload()
            items = sam.locator("#items").inner_text()
            assert "Acknowledged by Lou London" in items
            assert "Handed back by Lou London" in items and "“Owned by the web team”" in items
            assert "09:05 in London" in items
            assert "Acknowledged" in sam.locator("#recipients").inner_text()
            _shot(sam, "laptop-acted")
            sam.set_viewport_size(PHONE)
            assert overflow(sam) <= 1, "the author's page is wider than a phone"
        finally:
            laptop.close()
            phone.close()
    refund.refresh_from_db(), flaky.refresh_from_db()
    assert refund.status == ItemStatus.ACKNOWLEDGED and flaky.status == ItemStatus.HANDED_BACK
    assert not problems, "\n".join(problems)


# Sam's Friday shift (22:00-06:00 UTC) ends at 17:00 in Sydney; he is asked at 16:00 (05:00 UTC).
SAM_ASKED = utc(2027, 3, 26, 5)


def test_prompted_note_from_the_digest_acknowledged_and_handed_back(browser, asgi_site):
    """The outgoing person gets a prompt, writes a note with two items picked from the digest;
    the recipient sees it in the inbox at their morning, acknowledges one item and hands back
    the other; the author sees both, live."""
    from escalations import services as escalation_services
    from handoffs.models import HandoffPrompt
    from tests.handoffs.world import actor

    problems: list[str] = []
    with time_machine.travel(utc(2027, 3, 25, 23), tick=True) as travel:
        world = World()
        # During Sam's shift: an urgent update, and an open item of an earlier note that is his.
        escalation_services.update_raise(
            actor=actor(world.nia),
            team=world.team,
            project=world.project,
            title="Card payments fail",
            severity="high",
        )
        from handoffs import services

        services.handoff_send(
            actor=actor(world.nia),
            team=world.team,
            title="Thursday evening",
            recipients="people",
            people=[world.sam.pk],
            urgency="urgent",
            items=[{"text": "Rotate the API key", "owner": world.sam.pk}],
            quiet=True,
        )
        travel.move_to(SAM_ASKED)
        assert engine.prompt_due() == 1
        prompt = HandoffPrompt.objects.get(person=world.sam)
        laptop = browser.new_context(
            base_url=asgi_site, timezone_id="Australia/Sydney", viewport=LAPTOP
        )
        phone = phone_context(browser, asgi_site, "Europe/London")
        try:
            sam = laptop.new_page()
            sam.set_default_timeout(15_000)
            watch_console(sam, problems)
            sign_in_with_password(sam, "sam")
            sam.wait_for_url(lambda url: "/accounts/login/" not in url)
            sam.locator("#notification-bell").click()
            sam.wait_for_url("**/notifications/")
            sam.get_by_role(
                "link", name="Your shift on Follow the sun ends in 1 hour: write the handoff"
            ).click()
            sam.wait_for_url(f"**/handoffs/new/?prompt={prompt.pk}")
            assert (
                sam.locator("#handoff-title").input_value() == "Follow the sun: handover Fri 17:00"
            )
            assert sam.locator("#handoff-recipients_1").is_checked()  # on call next
            digest = sam.locator("#digest")
            assert "Fri 26 Mar 09:00–17:00" in digest.inner_text()  # the shift, Sam's time
            assert overflow(sam) <= 1
            _shot(sam, "laptop-digest")
            sam.set_viewport_size(PHONE)
            assert overflow(sam) <= 1, "the composer is wider than a phone"
            _shot(sam, "phone-digest")
            sam.set_viewport_size(LAPTOP)
            digest.get_by_text("Urgent update “Card payments fail”").click()
            digest.get_by_text("Rotate the API key").click()
            sam.locator("#handoff-summary").fill("Payments were rough; the bank is on it.")
            # One more item row, inline (htmx): nothing else on the page is lost.
            sam.locator("#handoff-i0-text").fill("Watch the retry queue")
            sam.locator("#add-item").click()
            sam.locator("#handoff-i3-text").wait_for()
            assert sam.locator("#handoff-i0-text").input_value() == "Watch the retry queue"
            assert sam.locator("#handoff-summary").input_value().startswith("Payments were")
            assert "?prompt=" in sam.url
            sam.locator("#handoff-i0-text").fill("")
            sam.locator("#send-handoff").click()
            sam.wait_for_url(lambda url: url.rstrip("/").split("/")[-1].isdigit())
            note = HandoffNote.objects.get(title="Follow the sun: handover Fri 17:00")
            assert "Lou London" in sam.locator("#recipients").inner_text()  # on call from 06:00
            card, key = note.items.order_by("position")
            assert key.carried_from is not None
            _shot(sam, "laptop-prompted-sent")

            travel.move_to(LOU_MORNING)
            assert engine.deliver_due() == 1
            lou = phone.new_page()
            lou.set_default_timeout(15_000)
            watch_console(lou, problems)
            sign_in_with_password(lou, "lou")
            lou.wait_for_url(lambda url: "/accounts/login/" not in url)
            lou.goto("/handoffs/")
            lou.locator("#waiting").get_by_role("link", name=note.title).click()
            lou.wait_for_url(f"**/handoffs/{note.pk}/")
            lou.locator(f"#item-{card.pk} [data-action=acknowledge]").click()
            lou.locator(".messages").wait_for()
            key_row = lou.locator(f"#item-{key.pk}")
            key_row.locator("summary").click()
            key_row.locator("input[name=reason]").fill("Sam has the vault access")
            key_row.locator("[data-action=hand_back]").click()
            lou.locator(".messages").wait_for()
            assert overflow(lou) <= 1

            if REDIS_URL:
                sam.locator("#items", has_text="Handed back by Lou London").wait_for(timeout=10_000)
            else:
                sam.reload()
            items = sam.locator("#items").inner_text()
            assert "Acknowledged by Lou London" in items
            assert "“Sam has the vault access”" in items
            _shot(sam, "laptop-prompted-acted")
        finally:
            laptop.close()
            phone.close()
    prompt.refresh_from_db()
    assert prompt.note_id == note.pk
    card.refresh_from_db(), key.refresh_from_db()
    assert card.status == ItemStatus.ACKNOWLEDGED and key.status == ItemStatus.HANDED_BACK
    assert not problems, "\n".join(problems)
