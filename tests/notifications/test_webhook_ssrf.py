"""The webhook SSRF guard: IPv6 forms that carry an internal IPv4 address, deprecated ranges,
the check again at send time (DNS may change), and no redirects followed."""

from __future__ import annotations

import socket
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from notifications.delivery import webhook
from notifications.delivery.webhook import UnsafeWebhookURL, check_url

# Each reaches this machine, the cloud metadata service or a private network.
REFUSED = [
    "[64:ff9b::7f00:1]",  # NAT64 of 127.0.0.1
    "[64:ff9b::a9fe:a9fe]",  # NAT64 of 169.254.169.254
    "[::7f00:1]",  # IPv4-compatible 127.0.0.1
    "[::a9fe:a9fe]",  # IPv4-compatible 169.254.169.254
    "[2002:7f00:1::]",  # 6to4 of 127.0.0.1
    "[::ffff:0:7f00:1]",  # IPv4-translated 127.0.0.1
    "[fec0::1]",  # site-local (deprecated)
    "[::ffff:127.0.0.1]",
    "[::ffff:a9fe:a9fe]",
    "[::1]",
    "[::]",
    "[fe80::1]",
    "[fc00::1]",
    "[64:ff9b:1::a00:1]",  # NAT64 local-use prefix
    "[2002:a00:1::]",  # 6to4 of 10.0.0.1
    "[2001:0:4136:e378:8000:63bf:3fff:fdd2]",  # Teredo, client 192.0.2.45
    "127.0.0.1",
    "169.254.169.254",
    "10.1.2.3",
    "100.64.0.1",
    "0.0.0.0",
    "224.0.0.1",
    "localhost",
]
# Public addresses in the same disguises are judged by the IPv4 address inside: allowed.
ALLOWED = ["[64:ff9b::808:808]", "[2002:808:808::1]", "8.8.8.8", "[2606:4700:4700::1111]"]


@pytest.mark.parametrize("host", REFUSED)
def test_internal_addresses_are_refused_in_every_form(host):
    with pytest.raises(UnsafeWebhookURL):
        check_url(f"https://{host}/hook")


@pytest.mark.parametrize("host", ALLOWED)
def test_public_addresses_are_allowed_in_those_forms(host):
    target = check_url(f"https://{host}/hook")
    assert target.addresses


def test_the_address_is_checked_again_at_send_time(monkeypatch):
    """Saved while the name pointed outside; by send time its DNS answer is NAT64 for
    loopback: nothing is sent."""
    answers = iter(["93.184.216.34", "64:ff9b::7f00:1"])

    def fake_getaddrinfo(host, port, *args, **kwargs):
        address = next(answers)
        family = socket.AF_INET6 if ":" in address else socket.AF_INET
        return [(family, socket.SOCK_STREAM, 6, "", (address, port))]

    monkeypatch.setattr(webhook.socket, "getaddrinfo", fake_getaddrinfo)
    check_url("https://hooks.example.com/baton")  # when saved
    connect = []
    monkeypatch.setattr(webhook.socket, "create_connection", lambda *a, **k: connect.append(a))
    with pytest.raises(UnsafeWebhookURL, match="64:ff9b::7f00:1"):
        webhook.post("https://hooks.example.com/baton", body=b"{}", headers={}, timeout=2)
    assert connect == []


class _Redirector(BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_POST(self):  # noqa: N802 - http.server's name
        self.hits.append(self.path)
        self.send_response(307)
        self.send_header("Location", "/internal-only")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def test_redirects_are_never_followed(settings):
    settings.NOTIFICATIONS_WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]  # this test's own server
    _Redirector.hits = []
    server = HTTPServer(("127.0.0.1", 0), _Redirector)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        port = server.server_address[1]
        result = webhook.post(f"http://127.0.0.1:{port}/hook", body=b"{}", headers={}, timeout=5)
    finally:
        server.shutdown()
        server.server_close()
    assert result.status == 307
    assert _Redirector.hits == ["/hook"]  # the redirect target was never asked
