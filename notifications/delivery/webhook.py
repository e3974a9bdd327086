"""Webhook URLs and POSTs, with SSRF protection.

A webhook URL is checked when it is saved and again at every send: the scheme must be http(s)
and every address the host resolves to must be public (no loopback, private, link-local,
multicast or reserved ranges, no 'localhost'), unless the host is listed in
NOTIFICATIONS_WEBHOOK_ALLOWED_HOSTS or NOTIFICATIONS_WEBHOOK_ALLOW_PRIVATE is on.
The POST then connects to the address that was checked (not a second DNS answer), follows no
redirects and has a timeout. Plain stdlib (http.client): no extra dependency for one POST.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import ipaddress
import socket
import ssl
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings

SIGNATURE_HEADER = "X-Baton-Signature"
DELIVERY_HEADER = "X-Baton-Delivery"
EVENT_HEADER = "X-Baton-Event"
USER_AGENT = "Baton-Webhooks/1.0"


class UnsafeWebhookURL(ValueError):
    """The URL may not be used; the message says why, for a person."""


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str
    addresses: tuple[str, ...]


def _allowed_hosts() -> set[str]:
    return {h.lower() for h in getattr(settings, "NOTIFICATIONS_WEBHOOK_ALLOWED_HOSTS", [])}


def _allow_private() -> bool:
    return bool(getattr(settings, "NOTIFICATIONS_WEBHOOK_ALLOW_PRIVATE", False))


# IPv6 ranges that carry an IPv4 address in their last 32 bits. Python 3.11 calls most of
# them global, so "[64:ff9b::7f00:1]" (NAT64 for 127.0.0.1) would pass a plain is_global.
_V4_IN_LOW_BITS = tuple(
    ipaddress.ip_network(net)
    for net in (
        "64:ff9b::/96",  # NAT64 well-known prefix (RFC 6052)
        "::ffff:0:0/96",  # IPv4-mapped
        "::ffff:0:0:0/96",  # IPv4-translated (RFC 2765)
        "::/96",  # IPv4-compatible (deprecated, RFC 4291)
    )
)
# Refused whatever they carry: deprecated, or local by definition.
_REFUSED_V6 = tuple(
    ipaddress.ip_network(net)
    for net in (
        "fec0::/10",  # site-local (deprecated, RFC 3879)
        "64:ff9b:1::/48",  # NAT64 local-use prefix (RFC 8215)
        "3ffe::/16",  # 6bone (returned, RFC 3701)
        "2001:10::/28",  # ORCHID (deprecated, RFC 7343)
        "100::/64",  # discard-only (RFC 6666)
    )
)


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """The IPv4 addresses an IPv6 address stands for (NAT64, mapped, translated, compatible,
    6to4, Teredo): a request to it can reach them."""
    found = []
    if any(ip in net for net in _V4_IN_LOW_BITS):
        found.append(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
    if ip.sixtofour is not None:
        found.append(ip.sixtofour)
    if ip.teredo is not None:
        found.extend(ip.teredo)  # (server, client)
    return found


def _is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address):
        if any(ip in net for net in _REFUSED_V6):
            return False
        inner = _embedded_ipv4(ip)
        if inner:
            # Judged by the IPv4 address inside: NAT64 to 8.8.8.8 is public, to 127.0.0.1 not.
            return all(v4.is_global and not v4.is_multicast for v4 in inner)
    return ip.is_global and not ip.is_multicast


def _resolve(host: str, port: int) -> tuple[str, ...]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise UnsafeWebhookURL(f"The host '{host}' could not be resolved.") from exc
    addresses = tuple(dict.fromkeys(info[4][0] for info in infos))
    if not addresses:
        raise UnsafeWebhookURL(f"The host '{host}' has no address.")
    return addresses


def check_url(url: str, *, resolve: bool = True) -> Target:
    """Parse and vet a webhook URL; raise UnsafeWebhookURL with a clear message."""
    url = (url or "").strip()
    if not url:
        raise UnsafeWebhookURL("Give the webhook's URL, e.g. https://hooks.example.com/baton.")
    if len(url) > 500:
        raise UnsafeWebhookURL("The URL is longer than 500 characters.")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise UnsafeWebhookURL(f"'{url}' is not a valid URL.") from exc
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise UnsafeWebhookURL(
            f"Only http:// and https:// webhook URLs are allowed, not '{scheme or url}'."
        )
    host = (parts.hostname or "").lower().rstrip(".")
    if not host:
        raise UnsafeWebhookURL("The URL has no host name.")
    if parts.username or parts.password:
        raise UnsafeWebhookURL("Put credentials in the webhook secret, not in the URL.")
    port = port or (443 if scheme == "https" else 80)
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    exempt = _allow_private() or host in _allowed_hosts()
    if not exempt and (host == "localhost" or host.endswith(".localhost")):
        raise UnsafeWebhookURL(f"The host '{host}' is not allowed: it points at this machine.")
    addresses: tuple[str, ...] = ()
    if resolve:
        addresses = _resolve(host, port)
        if not exempt:
            for address in addresses:
                if not _is_public(address):
                    raise UnsafeWebhookURL(
                        f"The host '{host}' resolves to {address}, a private, loopback or "
                        "reserved address; webhooks may only call public addresses."
                    )
    return Target(scheme=scheme, host=host, port=port, path=path, addresses=addresses)


def sign(secret: str, body: bytes) -> str:
    """The signature header's value: 'sha256=' + hex HMAC-SHA256 of the raw body."""
    digest = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def verify(secret: str, body: bytes, header_value: str) -> bool:
    """For receivers (and tests): constant-time check of a signature header."""
    return hmac.compare_digest(sign(secret, body), header_value or "")


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, host, port, address, timeout):
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self):
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, host, port, address, timeout):
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self):
        sock = socket.create_connection((self._address, self.port), self.timeout)
        # Certificate and SNI are checked against the host name, not the pinned address.
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


@dataclass(frozen=True)
class PostResult:
    status: int
    body: str


def post(url: str, *, body: bytes, headers: dict[str, str], timeout: float) -> PostResult:
    """POST once to a vetted address. Raises UnsafeWebhookURL or OSError (incl. timeouts)."""
    target = check_url(url)
    cls = _PinnedHTTPSConnection if target.scheme == "https" else _PinnedHTTPConnection
    connection = cls(target.host, target.port, target.addresses[0], timeout)
    try:
        connection.request(
            "POST",
            target.path,
            body=body,
            headers={
                "Content-Type": "application/json",
                "User-Agent": USER_AGENT,
                **headers,
            },
        )
        response = connection.getresponse()
        text = response.read(2000).decode("utf-8", "replace")
        return PostResult(status=response.status, body=text)
    finally:
        connection.close()
