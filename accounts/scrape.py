"""/metrics for Prometheus (core.metrics has the metrics themselves).

Public at the routing level (accounts.middleware lets it through, as it does /healthz), and
then closed again here: the scraper shows `Authorization: Bearer <scrape token>` (a
ScrapeToken: stored hashed, revocable, `manage.py metrics_token`), or connects from an
address in METRICS_ALLOWED_IPS (exact addresses or CIDR networks, read from REMOTE_ADDR only,
never X-Forwarded-For: core.audit.client_ip). Anyone else, signed-in people included, gets
the site's ordinary 404, the same as for a path that does not exist. Wrong tokens count
against the address's failed-token limit (API_TOKEN_FAILURES), like API tokens.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.views.decorators.cache import never_cache

from core import metrics
from core.audit import client_ip

from .selectors import live_scrape_token
from .services import hash_token, scrape_token_touch
from .throttling import TokenFailureLimit

MAX_TOKEN_LENGTH = 200


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    networks = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError as exc:
            raise ImproperlyConfigured(
                f"METRICS_ALLOWED_IPS: {entry!r} is not an address or a network."
            ) from exc
    return tuple(networks)


def address_allowed(ip: str | None) -> bool:
    entries = tuple(e for e in getattr(settings, "METRICS_ALLOWED_IPS", ()) if e.strip())
    if not ip or not entries:
        return False
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return False
    if address.version == 6 and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return any(address in network for network in _networks(entries))


def _bearer(request: HttpRequest) -> str | None:
    parts = request.META.get("HTTP_AUTHORIZATION", "").split()
    if len(parts) == 2 and parts[0].lower() == "bearer" and len(parts[1]) <= MAX_TOKEN_LENGTH:
        return parts[1]
    return None


def scraper_allowed(request: HttpRequest) -> bool:
    ip = client_ip(request)
    if address_allowed(ip):
        return True
    raw = _bearer(request)
    if raw is None:
        return False
    limit = TokenFailureLimit()
    key = ip or "unknown"
    if limit.wait(key) is not None:
        return False
    token = live_scrape_token(token_hash=hash_token(raw))
    if token is None:
        limit.record(key)
        return False
    scrape_token_touch(token=token)
    return True


@never_cache
def metrics_view(request: HttpRequest) -> HttpResponse:
    if not scraper_allowed(request):
        raise Http404  # before the method check: a 405 would say that the page exists
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    body, content_type = metrics.exposition()
    return HttpResponse(body, content_type=content_type)
