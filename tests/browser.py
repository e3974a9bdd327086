"""Browser fixtures (a pytest plugin loaded by tests/conftest.py): Debian's Chromium driven by
Playwright, never a downloaded browser. Tests that use them skip, with the reason printed,
when Chromium or Playwright is missing (CI installs both). A module sets the page's zone by
overriding the `browser_timezone` fixture."""

from __future__ import annotations

import os
import shutil

import pytest

CHROMIUM = os.environ.get("BATON_CHROMIUM", "/usr/bin/chromium")


@pytest.fixture(scope="module")
def browser():
    executable = CHROMIUM if os.path.exists(CHROMIUM) else shutil.which("chromium")
    if not executable:
        pytest.skip(f"no Chromium at {CHROMIUM}: apt-get install chromium to run browser tests")
    playwright_api = pytest.importorskip("playwright.sync_api")
    # Playwright's sync API runs an event loop in this thread; the ORM calls made by the test
    # itself (creating fixtures) are still plain synchronous code.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with playwright_api.sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=executable,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield instance
        instance.close()


@pytest.fixture
def browser_timezone() -> str:
    return "Europe/Berlin"


@pytest.fixture
def page(browser, live_server, browser_timezone):
    context = browser.new_context(base_url=live_server.url, timezone_id=browser_timezone)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def sign_in_with_password(page, username: str, password: str = "correct-horse-battery") -> None:
    """Sign in through the real form (the factories' default password)."""
    page.goto("/")
    page.fill("input[name=login]", username)
    page.fill("input[name=password]", password)
    page.locator("form:has(input[name=password]) button[type=submit]").click()


def totp_code(secret: str) -> str:
    """The authenticator code for `secret` now, as an app would show it. Close to the end of
    a 30-second period it waits for the next one: a code typed at 29.9 s reaches the server
    in the next period, where Baton (no clock tolerance) rightly refuses it."""
    import time

    from allauth.mfa import app_settings
    from allauth.mfa.totp.internal.auth import (
        format_hotp_value,
        hotp_value,
        yield_hotp_counters_from_time,
    )

    left = app_settings.TOTP_PERIOD - time.time() % app_settings.TOTP_PERIOD
    if left < 5:
        time.sleep(left + 0.1)
    counter = next(iter(yield_hotp_counters_from_time()))
    return format_hotp_value(hotp_value(secret, counter))


def sign_in_setting_up_totp(page, username: str) -> None:
    """Sign in through the real forms as someone who owes MFA but has none yet: Baton sends
    them to set up TOTP, done here with the code of the secret the page shows."""
    sign_in_with_password(page, username)
    page.wait_for_url("**/accounts/2fa/totp/activate/**")
    secret = page.locator("#authenticator_secret").input_value()
    page.fill("input[name=code]", totp_code(secret))
    page.locator("form:has(input[name=code]) button[type=submit]").click()
    page.wait_for_url(lambda url: "/2fa/totp/activate" not in url)


def sign_in_with_totp(page, username: str, secret: str, password: str = "correct-horse-battery"):
    """Sign in through the real forms as someone whose authenticator holds `secret` (TOTP
    already set up, e.g. allauth's TOTP.activate): the password, then the code."""
    sign_in_with_password(page, username, password)
    page.wait_for_url("**/2fa/authenticate/**")
    page.fill("input[name=code]", totp_code(secret))
    page.get_by_role("button", name="Sign In").click()  # the form also holds "Cancel"
    page.wait_for_url(lambda url: "/2fa/" not in url and "/login/" not in url)


@pytest.fixture
def asgi_site():
    """uvicorn serving config.asgi (HTTP and /ws/events/, as in production) on a free port, in
    a thread of the test process: time travel holds for it too. Its base URL."""
    import threading
    import time

    import uvicorn

    from config.asgi import application
    from tests.ws import free_port

    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            application,
            host="127.0.0.1",
            port=port,
            lifespan="off",
            log_level="warning",
            access_log=False,
        )
    )
    thread = threading.Thread(target=server.run, name="uvicorn", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive(), "uvicorn stopped while starting"
        assert time.monotonic() < deadline, "uvicorn did not start within 30 s"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=15)


# --- what every page of a browser journey is checked for ---------------------------------------

LAPTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}


def phone_context(browser, base_url: str, timezone_id: str):
    """A phone (390 px, touch) in `timezone_id`."""
    return browser.new_context(
        base_url=base_url, timezone_id=timezone_id, viewport=PHONE, is_mobile=True, has_touch=True
    )


def watch_console(page, problems: list[str]) -> None:
    """Errors the page reports (a script that failed, a CSP refusal) go to `problems`."""

    def console(message) -> None:
        if message.type == "error":
            problems.append(f"{page.url}: {message.text}")

    page.on("pageerror", lambda error: problems.append(f"{page.url}: {error}"))
    page.on("console", console)


def shot(page, name: str) -> None:
    """BATON_SCREENSHOTS=<dir>: keep what each screen looked like (to look at by eye)."""
    where = os.environ.get("BATON_SCREENSHOTS")
    if where:
        page.screenshot(path=os.path.join(where, f"{name}.png"), full_page=True)


def overflow(page) -> int:
    """How many pixels the page is wider than its viewport (0 when it fits); what sticks out
    is printed, to find it."""
    extra = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    if extra > 1:
        wide = page.evaluate(
            """() => {
                const width = document.documentElement.clientWidth + 1;
                return Array.from(document.querySelectorAll('body *'))
                    .filter(el => el.getBoundingClientRect().right > width)
                    .slice(-5).map(el => el.tagName + '#' + el.id + '.' + el.className + ': ' +
                        (el.textContent || '').trim().slice(0, 60));
            }"""
        )
        print(f"{page.url} is {extra}px too wide:", *wide, sep="\n  ")
    return extra
