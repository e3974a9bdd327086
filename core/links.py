"""Absolute links for everything read outside a browser tab: e-mails, notification payloads,
webhooks and calendar feeds. One source, `BATON_SITE_URL` (settings.SITE_URL), which
`make run` sets from `BATON_PORT`, so a link never points at another address than the one
Baton serves on. Pages themselves use relative links."""

from __future__ import annotations

from django.conf import settings


def site_root() -> str:
    """The public address without a trailing slash, e.g. 'https://baton.example.com'."""
    return settings.SITE_URL.rstrip("/")


def absolute_url(path: str) -> str:
    """`path` (an absolute path such as '/oncall/3/') on the public address; an address that
    is already absolute is returned unchanged."""
    if path.startswith(("http://", "https://")):
        return path
    if not path.startswith("/"):
        path = "/" + path
    return site_root() + path
