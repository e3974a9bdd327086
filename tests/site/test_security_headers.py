"""Security headers on every kind of response, and HTTPS-only cookies + HSTS in production."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest

from tests.production import BASE_DIR, production_env
from tests.routes import ROUTES


def _directives(header: str) -> dict[str, list[str]]:
    parsed = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            parsed[words[0]] = words[1:]
    return parsed


def assert_security_headers(response) -> None:
    csp = response.get("Content-Security-Policy")
    assert csp, f"no Content-Security-Policy on {response.request['PATH_INFO']}"
    directives = _directives(csp)
    script_src = directives.get("script-src", directives.get("default-src"))
    style_src = directives.get("style-src", directives.get("default-src"))
    assert script_src and "'unsafe-inline'" not in script_src
    assert "'unsafe-eval'" not in script_src
    assert style_src and "'unsafe-inline'" not in style_src
    assert directives.get("frame-ancestors") == ["'none'"]
    assert directives.get("object-src") == ["'none'"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/accounts/login/", "/healthz", "/", "/api/v1/me/"])
def test_anonymous_responses_carry_security_headers(client, path):
    # Pages, redirects, JSON and the 401 of the API alike.
    assert_security_headers(client.get(path))


def test_signed_in_pages_and_api_carry_security_headers(member_client):
    for path in ("/", "/api/v1/me/"):
        response = member_client.get(path)
        assert response.status_code == 200
        assert_security_headers(response)


def test_cookies_are_http_only_and_same_site(client, member):
    client.get("/accounts/login/")
    response = client.post(
        "/accounts/login/", {"login": member.username, "password": "correct-horse-battery"}
    )
    session_cookie = response.cookies["sessionid"]
    assert session_cookie["httponly"]
    assert session_cookie["samesite"] == "Lax"


# Inline <script> bodies, inline event handlers and style attributes: the CSP forbids them,
# so a page that uses them is broken for real browsers.
# (A JSON data block, <script type="application/json">, is data, not code: the CSP allows it.)
_INLINE_SCRIPT = re.compile(
    r"<script(?![^>]*\bsrc=)(?![^>]*type=[\"']application/(?:ld\+)?json)[^>]*>\s*\S",
    re.IGNORECASE,
)
_INLINE_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.IGNORECASE)
_STYLE_ATTR = re.compile(r"<[^>]+\sstyle\s*=", re.IGNORECASE)
_STYLE_BLOCK = re.compile(r"<style[\s>]", re.IGNORECASE)

# Pages without path arguments, found by walking the URLconf (new pages are checked too).
PAGES = sorted(
    {
        r.path
        for r in ROUTES
        if not r.path.startswith(("/api/", "/admin/", "/static/"))
        and not re.search(r"/(x|1)(/|$)", r.path)
        and r.name not in {"account_logout", "mfa_download_recovery_codes"}
    }
)


def test_every_page_renders_without_inline_script_or_style(admin_client):
    problems = []
    for path in PAGES:
        response = admin_client.get(path)
        if response.status_code >= 500:
            problems.append(f"{path}: {response.status_code}")
            continue
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        html = response.content.decode()
        for label, pattern in (
            ("inline <script>", _INLINE_SCRIPT),
            ("on*= handler", _INLINE_HANDLER),
            ("style= attribute", _STYLE_ATTR),
            ("<style> block", _STYLE_BLOCK),
        ):
            if pattern.search(html):
                problems.append(f"{path}: {label}")
    assert not problems, "\n".join(problems)


# A production process: collectstatic with the manifest storage, then real requests.
_PRODUCTION_PROBE = r"""
import json, re, sys
import django
django.setup()
from django.conf import settings
settings.STATIC_ROOT = sys.argv[1]
from django.core.management import call_command
call_command("migrate", verbosity=0)
call_command("collectstatic", interactive=False, verbosity=0)
from django.test import Client
from teams import services
from core.audit import Actor
services.person_create(
    actor=Actor.system(), username="pat", email="pat@example.com", display_name="Pat",
    time_zone="Europe/Lisbon", country="PT", password="a-long-production-password",
    send_invite=False,
)
client = Client(HTTP_HOST="baton.example.com")
plain = client.get("/accounts/login/")
page = client.get("/accounts/login/", secure=True)
signed_in = client.post(
    "/accounts/login/", {"login": "pat", "password": "a-long-production-password"}, secure=True
)
def cookie(response, name):
    c = response.cookies.get(name)
    return None if c is None else {"secure": bool(c["secure"]), "httponly": bool(c["httponly"])}
print(json.dumps({
    "plain_status": plain.status_code,
    "plain_location": plain.get("Location", ""),
    "page_status": page.status_code,
    "hsts": page.get("Strict-Transport-Security", ""),
    "csrf_cookie": cookie(page, "csrftoken"),
    "signed_in_status": signed_in.status_code,
    "session_cookie": cookie(signed_in, "sessionid"),
    "static_urls": re.findall(r'/static/[^"\']+', page.content.decode()),
}))
"""


def test_production_serves_https_only_with_hsts_and_secure_cookies(tmp_path):
    result = subprocess.run(
        [sys.executable, "-c", _PRODUCTION_PROBE, str(tmp_path / "static")],
        cwd=BASE_DIR,
        env=production_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    # Plain HTTP is redirected to HTTPS.
    assert seen["plain_status"] == 301
    assert seen["plain_location"].startswith("https://baton.example.com/")
    # The sign-in page renders with the manifest static storage (no missing static file).
    assert seen["page_status"] == 200
    assert seen["hsts"] == "max-age=31536000; includeSubDomains; preload"
    assert seen["csrf_cookie"] == {"secure": True, "httponly": True}
    assert seen["signed_in_status"] == 302
    assert seen["session_cookie"] == {"secure": True, "httponly": True}
    # Static files are served under content-hashed names (cacheable forever).
    assert seen["static_urls"]
    assert all(re.search(r"\.[0-9a-f]{12}\.", url) for url in seen["static_urls"]), seen
