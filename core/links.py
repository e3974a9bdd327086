"""Absolute links for everything read outside a browser tab: e-mails, notification payloads,
webhooks and calendar feeds. One source, `BATON_SITE_URL` (settings.SITE_URL), which
`make run` sets from `BATON_PORT`, so a link never points at another address than the one
Baton serves on. Pages themselves use relative links; id_path_format() makes them fast for
long lists."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.urls import reverse

_ID_MARKER = 987654321


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


def id_path_format(url_name: str) -> Callable[[int], str]:
    """The path of the URL named `url_name` for an integer id, as a function, from one
    reverse(): for pages that link every row of a long list, where a reverse() (or a
    {% url %}) per row was a large part of the page's time."""
    prefix, suffix = reverse(url_name, args=[_ID_MARKER]).split(str(_ID_MARKER))
    return lambda pk: f"{prefix}{int(pk)}{suffix}"
