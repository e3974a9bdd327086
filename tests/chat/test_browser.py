"""Chat end to end in a real browser (Debian's Chromium driven by Playwright), on uvicorn as in
production, so the pages' one /ws/events/ socket carries the messages.

Sam, on a laptop in Sydney, and Lou, on a phone in London, open Support's room from the
navigation. Sam writes; Lou's page shows it without a reload, with Sam's own local time
beside it. Lou types "@onc", picks "@oncall" from the completion list and asks for help:
Nia, on call, gets a notification, and the message shows whom it reached. Lou leaves the
room; Sam writes twice more: Lou's "Chat" count goes to 2 live, stays 2 after a reload,
and goes back to 0 once Lou has read the room (and after another reload). No page is wider
than its screen, and no script errs.
"""

from __future__ import annotations

import pytest

from chat.models import Message
from notifications.models import Notification
from tests.browser import (
    LAPTOP,
    overflow,
    phone_context,
    shot,
    sign_in_with_password,
    watch_console,
)
from tests.chat.conftest import ChatWorld

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def own_cache(settings):
    import uuid

    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"chat-browser-{uuid.uuid4().hex}",
        }
    }
    settings.CHAT_RATE_MESSAGES = 10_000


def _nav_count(page) -> str:
    return page.locator("[data-chat-unread-count]").inner_text()


def _send(page, text: str) -> None:
    page.locator("#id_body").fill(text)
    page.locator("#id_body").press("Enter")


def test_two_people_chat_live_and_oncall_is_told(browser, asgi_site, own_cache):
    world = ChatWorld()
    problems: list[str] = []
    laptop = browser.new_context(
        base_url=asgi_site, timezone_id="Australia/Sydney", viewport=LAPTOP
    )
    phone = phone_context(browser, asgi_site, "Europe/London")
    try:
        sam = laptop.new_page()
        lou = phone.new_page()
        for page, who in ((sam, "sam"), (lou, "lou")):
            page.set_default_timeout(15_000)
            watch_console(page, problems)
            sign_in_with_password(page, who)
            page.wait_for_url(lambda url: "/accounts/login/" not in url)
            page.locator("#chat-nav").click()
            page.wait_for_url("**/chat/")
            assert overflow(page) <= 1
            shot(page, f"chat-home-{who}")
            page.get_by_role("link", name="#Support").first.click()
            page.wait_for_url(f"**/chat/{world.room.pk}/")
            page.wait_for_selector("#chat-live[data-state=open]")
        shot(lou, "chat-phone-empty-room")

        _send(sam, "Deploy 412 is out; watching the error rate.")
        lou.locator("#chat-messages .chat-message").filter(has_text="Deploy 412").wait_for()
        row = lou.locator("#chat-messages .chat-message").last
        assert "Sam Sydney" in row.inner_text() and "in Sydney" in row.inner_text()
        assert sam.locator("#id_body").input_value() == ""  # sent: the composer is cleared

        lou.locator("#id_body").fill("")
        lou.locator("#id_body").press_sequentially("@onc")
        lou.locator("#mention-suggest li").first.wait_for()
        assert "oncall" in lou.locator("#mention-suggest").inner_text()
        lou.locator("#id_body").press("Enter")  # picks the highlighted completion
        assert lou.locator("#id_body").input_value() == "@oncall "
        lou.locator("#id_body").press_sequentially("the refund queue is slow")
        lou.locator("#id_body").press("Enter")
        sam.locator(".chat-message").filter(has_text="refund queue").wait_for()
        sam.locator(".chat-reached").filter(has_text="Nia New York").wait_for()
        told = Notification.objects.get(recipient=world.nia, kind="chat.mention")
        assert "whoever is on call" in told.title and "refund queue" in told.body
        assert overflow(sam) <= 1 and overflow(lou) <= 1
        shot(sam, "chat-laptop-room")
        shot(lou, "chat-phone-room")

        # Lou leaves the room; Sam writes twice: Lou's navigation counts them as they come.
        lou.goto("/handoffs/")
        lou.wait_for_function("() => document.documentElement.dataset.eventsSocket === 'open'")
        _send(sam, "One more thing")
        sam.locator(".chat-message").filter(has_text="One more thing").wait_for()
        _send(sam, "And another")
        sam.locator(".chat-message").filter(has_text="And another").wait_for()
        lou.wait_for_function(
            "() => document.querySelector('[data-chat-unread-count]').textContent === '2'"
        )
        lou.reload()
        assert _nav_count(lou) == "2"
        lou.locator("#chat-nav").click()
        lou.wait_for_url("**/chat/")
        support = lou.locator(f'.chat-room-item[data-room-id="{world.room.pk}"]')
        assert support.locator("[data-room-unread]").inner_text() == "2"
        support.locator("a").click()
        lou.wait_for_url(f"**/chat/{world.room.pk}/")
        lou.locator("#chat-unread-line").wait_for()
        lou.wait_for_function(
            "() => document.querySelector('[data-chat-unread-count]').textContent === '0'"
        )
        shot(lou, "chat-phone-unread")
        lou.wait_for_timeout(300)  # the read frame reaches the server
        lou.reload()
        assert _nav_count(lou) == "0"
        assert Message.objects.filter(room=world.room).count() == 4
    finally:
        laptop.close()
        phone.close()
    assert problems == []
