"""Delivery against real servers on 127.0.0.1: an SMTP server (aiosmtpd) and an HTTP receiver
for webhooks (signature, retries with backoff, give-up and disabling), plus the claim, the
sweeper and a worker killed mid-send."""

from __future__ import annotations

import email
import json
import threading
import time
from datetime import timedelta
from email import policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import time_machine
from aiosmtpd.controller import Controller
from celery.exceptions import Retry
from django.db import connection
from django.utils import timezone

from core.audit import Actor
from notifications import engine, services, tasks
from notifications.delivery.webhook import verify
from notifications.models import Delivery, DeliveryStatus, Notification, Webhook
from tests.factories import ALWAYS, PersonFactory
from tests.ws import free_port

# --- a real SMTP server ----------------------------------------------------------------------


class _Inbox:
    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook
        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


@pytest.fixture
def smtp_server(settings):
    inbox = _Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 5
    yield inbox
    controller.stop()


# --- a real HTTP receiver --------------------------------------------------------------------


class Receiver:
    """Records each POST; answers with the next status in `script` (then the last one)."""

    def __init__(self):
        self.requests: list[tuple[dict, bytes]] = []
        self.script: list[int] = [200]
        self.delay = 0.0
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's hook
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.requests.append((dict(self.headers), body))
                if receiver.delay:
                    time.sleep(receiver.delay)
                index = min(len(receiver.requests), len(receiver.script)) - 1
                status = receiver.script[index]
                self.send_response(status)
                self.send_header("Content-Type", "text/plain")
                self.end_headers()
                self.wfile.write(b"ok" if status < 300 else b"nope")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver(settings):
    settings.NOTIFICATIONS_WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]
    r = Receiver()
    yield r
    r.close()


@pytest.fixture
def person(db):
    return PersonFactory(working_hours=ALWAYS, time_zone="America/Sao_Paulo", country="BR")


@pytest.fixture
def hook(person, receiver):
    return services.webhook_create(
        actor=Actor.system(user=person), owner=person, name="Mine", url=receiver.url
    )


def _notify(person, key="k", **kwargs):
    values = {"kind": "handoffs.note", "title": "Handoff from Ana", "url": "/teams/"}
    return services.notify(recipients=[person], idempotency_key=key, **{**values, **kwargs})


# --- email -----------------------------------------------------------------------------------


def test_email_through_a_real_smtp_server(person, smtp_server, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _notify(person, body="Two open items.")
        _notify(person)  # same key: nothing more
    assert len(smtp_server.messages) == 1
    message = smtp_server.messages[0]
    delivery = Delivery.objects.get(channel="email")
    assert delivery.status == "sent" and delivery.attempts == 1
    assert message["Message-ID"].startswith(f"<baton-delivery-{delivery.pk}@")
    assert message["X-Baton-Delivery"] == str(delivery.pk)
    assert message["To"] == person.email
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "Two open items." in text and "http://127.0.0.1:8000/teams/" in text
    assert 'href="http://127.0.0.1:8000/teams/"' in html


def test_smtp_down_retries_then_gives_up(person, settings, django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = free_port()  # nothing listens here
    settings.EMAIL_TIMEOUT = 2
    settings.NOTIFICATIONS_MAX_ATTEMPTS = 3
    with django_capture_on_commit_callbacks(execute=True):
        _notify(person)
    delivery = Delivery.objects.get(channel="email")
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.attempts == 3
    assert "ConnectionRefusedError" in delivery.last_error
    # In-app does not depend on email.
    assert Delivery.objects.get(channel="in_app").status == "sent"


# --- webhooks --------------------------------------------------------------------------------


def test_webhook_post_is_signed_and_slack_compatible(
    person, hook, receiver, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        (n,) = _notify(person, urgency="urgent", kind="escalation.page", title="DB <down>")
        _notify(person, urgency="urgent", kind="escalation.page", title="DB <down>")
    assert len(receiver.requests) == 1
    headers, body = receiver.requests[0]
    delivery = Delivery.objects.get(channel="webhook")
    assert verify(hook.signing_secret, body, headers["X-Baton-Signature"])
    assert not verify("wrong-secret", body, headers["X-Baton-Signature"])
    assert headers["X-Baton-Delivery"] == f"baton-delivery-{delivery.pk}"
    assert headers["X-Baton-Event"] == "escalation.page"
    assert headers["Content-Type"] == "application/json"
    payload = json.loads(body)
    assert payload["text"].startswith("<http://127.0.0.1:8000/teams/|*URGENT* DB &lt;down&gt;>")
    assert payload["notification"]["id"] == n.pk
    assert (delivery.status, delivery.response_status, delivery.response_body) == (
        "sent",
        200,
        "ok",
    )


def test_webhook_retries_with_backoff_then_succeeds(
    person, hook, receiver, django_capture_on_commit_callbacks
):
    receiver.script = [500, 503, 200]
    with django_capture_on_commit_callbacks(execute=True):
        _notify(person)
    assert len(receiver.requests) == 3
    # Every attempt is the same delivery: same id header, same body, valid signature.
    assert len({h["X-Baton-Delivery"] for h, _ in receiver.requests}) == 1
    assert len({b for _, b in receiver.requests}) == 1
    delivery = Delivery.objects.get(channel="webhook")
    assert (delivery.status, delivery.attempts) == ("sent", 3)
    assert Webhook.objects.get().consecutive_failures == 0


def test_retry_uses_exponential_countdown_and_the_sweeper_resumes(
    person, hook, receiver, monkeypatch, settings, django_capture_on_commit_callbacks
):
    settings.NOTIFICATIONS_RETRY_BASE_SECONDS = 30
    receiver.script = [500, 500, 200]
    countdowns = []

    def fake_retry(*, countdown, exc=None, **kwargs):
        # Record the backoff and stop, as a real worker would until the countdown passes.
        countdowns.append(countdown)
        return Retry(exc=exc, when=countdown)

    monkeypatch.setattr(tasks.deliver, "retry", fake_retry)
    with django_capture_on_commit_callbacks(execute=True):
        _notify(person)
    delivery = Delivery.objects.get(channel="webhook")
    assert (delivery.status, delivery.attempts, countdowns) == ("retrying", 1, [30])
    assert engine.backoff_seconds(1) == 30 and engine.backoff_seconds(3) == 120
    assert engine.backoff_seconds(30) == 3600

    # The retry message is lost; the sweeper finds the overdue row and sends it again.
    later = timezone.now() + timedelta(seconds=30 + 61)
    with time_machine.travel(later, tick=False):
        assert tasks.sweep() == 1
    assert countdowns == [30, 60]
    with time_machine.travel(later + timedelta(seconds=60 + 61), tick=False):
        assert tasks.sweep() == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("sent", 3)
    assert len(receiver.requests) == 3


def test_webhook_gives_up_and_is_disabled_with_a_notice(
    person, hook, receiver, settings, django_capture_on_commit_callbacks
):
    settings.NOTIFICATIONS_MAX_ATTEMPTS = 3
    settings.NOTIFICATIONS_WEBHOOK_DISABLE_AFTER = 5
    receiver.script = [500]
    with django_capture_on_commit_callbacks(execute=True):
        _notify(person, key="one")
    first = Delivery.objects.get(channel="webhook")
    assert (first.status, first.attempts) == ("failed", 3)
    assert "HTTP 500" in first.last_error
    assert Webhook.objects.get().active

    with django_capture_on_commit_callbacks(execute=True):
        _notify(person, key="two")
    assert len(receiver.requests) == 5
    hook.refresh_from_db()
    assert not hook.active
    assert "5 failed attempts" in hook.disabled_reason
    notice = Notification.objects.get(recipient=person, kind="notifications.webhook_disabled")
    assert "Mine" in notice.title and notice.url == f"/notifications/webhooks/{hook.pk}/"

    # A disabled webhook gets nothing more.
    with django_capture_on_commit_callbacks(execute=True):
        _notify(person, key="three")
    assert len(receiver.requests) == 5
    assert Delivery.objects.filter(channel="webhook").count() == 2


def test_webhook_timeout_counts_as_a_failure(
    person, hook, receiver, settings, django_capture_on_commit_callbacks
):
    settings.NOTIFICATIONS_WEBHOOK_TIMEOUT = 0.3
    settings.NOTIFICATIONS_MAX_ATTEMPTS = 1
    receiver.delay = 1.0
    with django_capture_on_commit_callbacks(execute=True):
        _notify(person)
    delivery = Delivery.objects.get(channel="webhook")
    assert delivery.status == "failed"
    assert "timed out" in delivery.last_error.lower()


def test_host_check_runs_again_at_send_time(
    person, hook, receiver, settings, django_capture_on_commit_callbacks
):
    # Saved while allowed; the allowance is gone (or DNS now points inside): no POST at all.
    settings.NOTIFICATIONS_WEBHOOK_ALLOWED_HOSTS = []
    with django_capture_on_commit_callbacks(execute=True):
        _notify(person)
    delivery = Delivery.objects.get(channel="webhook")
    assert (delivery.status, delivery.attempts) == ("failed", 1)
    assert "private, loopback or reserved" in delivery.last_error
    assert receiver.requests == []


def test_test_button_posts_to_the_webhook(
    person, hook, receiver, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.send_test(actor=Actor.system(user=person), person=person, channel="webhook")
    assert len(receiver.requests) == 1
    assert json.loads(receiver.requests[0][1])["notification"]["kind"] == "notifications.test"


# --- claims, the sweeper, a killed worker ----------------------------------------------------


def test_a_delivery_is_claimed_once(person, hook, receiver):
    _notify(person)  # on-commit callbacks not run: rows stay pending
    delivery = Delivery.objects.get(channel="webhook")
    assert tasks.deliver.apply(args=[delivery.pk]).get() == "sent"
    # A duplicate message (redelivery, sweeper overlap) finds nothing to claim.
    assert tasks.deliver.apply(args=[delivery.pk]).get() == "not claimable"
    assert len(receiver.requests) == 1


def test_sweeper_sends_pending_rows_whose_signal_was_lost(person, hook, receiver, smtp_server):
    _notify(person)  # committed, but the enqueue never happened (broker down, process died)
    assert Delivery.objects.filter(status="pending").count() == 3
    assert tasks.sweep() == 0  # too fresh: the normal path may still be on its way
    with time_machine.travel(timezone.now() + timedelta(seconds=61), tick=False):
        assert tasks.sweep() == 3
    assert set(Delivery.objects.values_list("status", flat=True)) == {"sent"}
    assert len(receiver.requests) == 1 and len(smtp_server.messages) == 1


def test_worker_killed_mid_send_is_retried_with_the_same_ids(person, hook, receiver, smtp_server):
    _notify(person)
    # Simulate a worker that claimed both rows, maybe sent, then died before recording it.
    Delivery.objects.filter(channel__in=["email", "webhook"]).update(
        status=DeliveryStatus.SENDING, attempts=1, claimed_at=timezone.now()
    )
    email_row = Delivery.objects.get(channel="email")
    webhook_row = Delivery.objects.get(channel="webhook")
    # While the lease runs, nobody else may send them.
    assert tasks.deliver.apply(args=[email_row.pk]).get() == "not claimable"
    with time_machine.travel(timezone.now() + timedelta(seconds=120), tick=False):
        tasks.sweep()
    assert Delivery.objects.get(pk=email_row.pk).status == "sending"
    with time_machine.travel(timezone.now() + timedelta(seconds=301), tick=False):
        tasks.sweep()
    email_row.refresh_from_db()
    webhook_row.refresh_from_db()
    assert (email_row.status, email_row.attempts) == ("sent", 2)
    assert (webhook_row.status, webhook_row.attempts) == ("sent", 2)
    # The resend carries the ids the first attempt used, so receivers can drop a duplicate.
    assert smtp_server.messages[0]["Message-ID"].startswith(f"<baton-delivery-{email_row.pk}@")
    assert receiver.requests[0][0]["X-Baton-Delivery"] == f"baton-delivery-{webhook_row.pk}"


def test_digest_for_a_webhook_is_one_post(
    person, hook, receiver, settings, django_capture_on_commit_callbacks
):
    from datetime import UTC, datetime

    office = {d: ["09:00-17:00"] for d in ("mon", "tue", "wed", "thu", "fri")}
    sleeper = PersonFactory(time_zone="Asia/Tokyo", working_hours=office)
    mine = services.webhook_create(
        actor=Actor.system(user=sleeper), owner=sleeper, name="Phone", url=receiver.url
    )
    night = datetime(2026, 3, 10, 14, 0, tzinfo=UTC)  # Tuesday 23:00 in Tokyo
    with time_machine.travel(night, tick=False), django_capture_on_commit_callbacks(execute=True):
        for i in range(3):
            _notify(sleeper, key=f"n{i}", title=f"Item {i}")
    assert receiver.requests == []
    morning = datetime(2026, 3, 11, 0, 0, tzinfo=UTC)  # Wednesday 09:00 in Tokyo
    with time_machine.travel(morning, tick=False), django_capture_on_commit_callbacks(execute=True):
        tasks.release_digests()
        tasks.release_digests()
    assert len(receiver.requests) == 1
    headers, body = receiver.requests[0]
    payload = json.loads(body)
    assert payload["digest"] is True
    assert [n["title"] for n in payload["notifications"]] == ["Item 0", "Item 1", "Item 2"]
    assert payload["text"].startswith("3 notification(s)")
    assert verify(mine.signing_secret, body, headers["X-Baton-Signature"])


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="concurrent claims need a server database"
)
def test_concurrent_workers_send_once(receiver, monkeypatch):
    person = PersonFactory(working_hours=ALWAYS)
    services.webhook_create(
        actor=Actor.system(user=person), owner=person, name="Mine", url=receiver.url
    )
    monkeypatch.setattr(services, "_enqueue_pending", lambda ids: None)  # no eager send
    _notify(person)
    delivery = Delivery.objects.get(channel="webhook")
    barrier = threading.Barrier(6)
    results = []

    def worker():
        try:
            barrier.wait()
            results.append(tasks.deliver.apply(args=[delivery.pk]).get())
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["not claimable"] * 5 + ["sent"]
    assert len(receiver.requests) == 1
