"""The delivery engine behind notifications/tasks.py: send one delivery, find stuck ones,
release quiet-hours digests.

Each call takes ids, re-reads the row and claims it with one conditional UPDATE (status
pending or retrying -> sending), so two workers, a redelivered message and the sweeper never
send the same delivery at the same time. A worker killed while 'sending' leaves the row claimed; the
sweeper hands it back after a lease, and the resend carries the same Message-ID /
X-Baton-Delivery header so the receiver can drop the duplicate.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from core import metrics
from core.tasks import enqueue, enqueue_on_commit

from . import services
from .delivery import email as email_channel
from .delivery import in_app as in_app_channel
from .delivery import webhook as webhook_channel
from .delivery.payload import absolute_url, as_dict, digest_text, slack_text
from .models import Channel, Delivery, DeliveryStatus, Notification

log = logging.getLogger(__name__)

CLAIMABLE = (DeliveryStatus.PENDING, DeliveryStatus.RETRYING)
DELIVER_TASK = "notifications.deliver"  # notifications.tasks.deliver


def _setting(name: str, default):
    return getattr(settings, name, default)


def max_attempts() -> int:
    return _setting("NOTIFICATIONS_MAX_ATTEMPTS", 5)


def backoff_seconds(attempt: int) -> int:
    """Exponential: base, 2*base, 4*base ... capped (attempt counts from 1)."""
    base = _setting("NOTIFICATIONS_RETRY_BASE_SECONDS", 30)
    cap = _setting("NOTIFICATIONS_RETRY_MAX_SECONDS", 3600)
    return int(min(cap, base * (2 ** max(0, attempt - 1))))


class PermanentFailure(Exception):
    """Retrying cannot help (no address, webhook disabled, URL no longer allowed)."""


class Skip(Exception):
    """Nothing to send any more (the person left before a held digest went out)."""


def enqueue_deliveries(ids) -> None:
    """Signal workers; a broker outage only delays these rows until the sweeper runs. By the
    task's name: notifications/tasks.py imports this module."""
    for pk in ids:
        enqueue(DELIVER_TASK, pk)


def _claim(delivery_id: int) -> bool:
    now = timezone.now()
    return bool(
        Delivery.objects.filter(pk=delivery_id, status__in=CLAIMABLE).update(
            status=DeliveryStatus.SENDING,
            attempts=F("attempts") + 1,
            claimed_at=now,
            updated_at=now,
        )
    )


def _items(delivery: Delivery) -> list[Notification]:
    if not delivery.is_digest:
        return [delivery.notification]
    return [
        d.notification
        for d in Delivery.objects.filter(digest=delivery)
        .select_related("notification")
        .order_by("notification_id")
    ]


def _with_link(n: Notification) -> dict:
    # A webhook's reader is outside Baton: give it the full address as well as the path.
    return {**as_dict(n), "link": absolute_url(n.url)}


def _webhook_body(delivery: Delivery, items: list[Notification]) -> bytes:
    if delivery.is_digest:
        payload = {
            "text": digest_text(items),
            "digest": True,
            "notifications": [_with_link(n) for n in items],
            "delivery": delivery.pk,
        }
    else:
        n = items[0]
        payload = {
            "text": slack_text(n),
            "digest": False,
            "notification": _with_link(n),
            "delivery": delivery.pk,
        }
    return json.dumps(payload, separators=(",", ":"), sort_keys=True).encode()


def _send_webhook(delivery: Delivery, items: list[Notification]) -> None:
    hook = delivery.webhook
    if hook is None or not hook.active:
        raise PermanentFailure("The webhook is disabled or was deleted.")
    body = _webhook_body(delivery, items)
    headers = {
        webhook_channel.SIGNATURE_HEADER: webhook_channel.sign(hook.signing_secret, body),
        webhook_channel.DELIVERY_HEADER: delivery.message_id,
        webhook_channel.EVENT_HEADER: "digest" if delivery.is_digest else items[0].kind,
    }
    try:
        result = webhook_channel.post(
            hook.url,
            body=body,
            headers=headers,
            timeout=_setting("NOTIFICATIONS_WEBHOOK_TIMEOUT", 5),
        )
    except webhook_channel.UnsafeWebhookURL as exc:
        raise PermanentFailure(str(exc)) from exc
    Delivery.objects.filter(pk=delivery.pk).update(
        response_status=result.status, response_body=result.body[:500]
    )
    if not 200 <= result.status < 300:
        raise OSError(f"HTTP {result.status} from the endpoint")


def _send(delivery: Delivery) -> None:
    team_hook = delivery.webhook is not None and delivery.webhook.team_id is not None
    if not delivery.recipient.is_active and not team_hook:
        raise Skip("The person has left.")
    items = _items(delivery)
    if not items:
        return
    if delivery.channel == Channel.IN_APP:
        in_app_channel.send(delivery)
    elif delivery.channel == Channel.EMAIL:
        try:
            email_channel.send(delivery, items)
        except email_channel.NoAddress as exc:
            raise PermanentFailure(str(exc)) from exc
    elif delivery.channel == Channel.WEBHOOK:
        _send_webhook(delivery, items)


def _finish(delivery_id: int, **fields) -> None:
    Delivery.objects.filter(pk=delivery_id, status=DeliveryStatus.SENDING).update(
        updated_at=timezone.now(), **fields
    )


def _observe(delivery: Delivery, outcome: str, *, lag: float | None = None) -> None:
    """Metrics (core.metrics): the attempt's outcome by channel; for a send, the time from
    the delivery's creation (when it became due; a digest is created when it goes out)."""
    metrics.notification_deliveries.labels(delivery.channel, outcome).inc()
    if lag is not None:
        metrics.notification_delivery_lag.labels(delivery.channel).observe(max(0.0, lag))


def deliver(delivery_id: int, *, retry: Callable[[int, Exception], str]) -> str:
    """Send one delivery; on a retryable error record it and return retry(countdown, exc)
    (the Celery task's retry, which re-sends the message after the countdown)."""
    if not _claim(delivery_id):
        return "not claimable"
    delivery = (
        Delivery.objects.select_related("notification", "webhook", "recipient__profile")
        .filter(pk=delivery_id)
        .first()
    )
    if delivery is None:
        return "gone"
    try:
        _send(delivery)
    except Skip as exc:
        _finish(delivery_id, status=DeliveryStatus.SKIPPED, last_error=str(exc)[:500])
        _observe(delivery, "skipped")
        return "skipped"
    except PermanentFailure as exc:
        _finish(delivery_id, status=DeliveryStatus.FAILED, last_error=str(exc)[:500])
        _observe(delivery, "failed")
        return "failed"
    except Exception as exc:  # noqa: BLE001 - any send error is retried, then given up
        error = f"{type(exc).__name__}: {exc}"[:500]
        disabled = False
        if delivery.webhook_id:
            disabled = services.webhook_record_failure(webhook_id=delivery.webhook_id, error=error)
        if disabled or delivery.attempts >= max_attempts():
            _finish(delivery_id, status=DeliveryStatus.FAILED, last_error=error)
            log.warning(
                "delivery %s gave up after %s attempts: %s", delivery_id, delivery.attempts, error
            )
            _observe(delivery, "failed")
            return "failed"
        countdown = backoff_seconds(delivery.attempts)
        _finish(
            delivery_id,
            status=DeliveryStatus.RETRYING,
            last_error=error,
            next_attempt_at=timezone.now() + timedelta(seconds=countdown),
        )
        _observe(delivery, "retrying")
        return retry(countdown, exc)
    sent_at = timezone.now()
    _finish(delivery_id, status=DeliveryStatus.SENT, sent_at=sent_at, last_error="")
    _observe(delivery, "sent", lag=(sent_at - delivery.created_at).total_seconds())
    if delivery.webhook_id:
        services.webhook_record_success(webhook_id=delivery.webhook_id)
    return "sent"


def _lock(qs):
    # On PostgreSQL two sweepers skip each other's rows; SQLite serialises writers anyway.
    if connection.features.has_select_for_update_skip_locked:
        return qs.select_for_update(skip_locked=True)
    return qs


def sweep(batch: int = 500) -> int:
    """Re-enqueue deliveries whose signal was lost: pending or retrying rows past due, and
    rows left 'sending' by a worker that died (after a lease)."""
    now = timezone.now()
    stale_after = timedelta(seconds=_setting("NOTIFICATIONS_SWEEP_AFTER_SECONDS", 60))
    lease = timedelta(seconds=_setting("NOTIFICATIONS_SENDING_LEASE_SECONDS", 300))
    with transaction.atomic():
        abandoned = list(
            _lock(
                Delivery.objects.filter(
                    status=DeliveryStatus.SENDING, claimed_at__lt=now - lease
                ).order_by("id")
            ).values_list("pk", "attempts")[:batch]
        )
        gave_up = [pk for pk, attempts in abandoned if attempts >= max_attempts()]
        again = [pk for pk, attempts in abandoned if attempts < max_attempts()]
        Delivery.objects.filter(pk__in=gave_up).update(
            status=DeliveryStatus.FAILED,
            last_error="The worker stopped while sending; no attempts left.",
            updated_at=now,
        )
        Delivery.objects.filter(pk__in=again).update(
            status=DeliveryStatus.RETRYING,
            last_error="The worker stopped while sending; sending again.",
            next_attempt_at=now,
            updated_at=now,
        )
    due = list(
        Delivery.objects.filter(
            Q(status=DeliveryStatus.PENDING, updated_at__lt=now - stale_after)
            | Q(status=DeliveryStatus.RETRYING, next_attempt_at__lt=now - stale_after)
            | Q(pk__in=again)
        )
        .order_by("id")
        .values_list("pk", flat=True)[:batch]
    )
    enqueue_deliveries(due)
    return len(due)


def release_digests(batch: int = 5000) -> int:
    """At the start of each person's working day: turn their held deliveries into one digest
    per channel (and webhook), then send it."""
    now = timezone.now()
    created: list[int] = []
    with transaction.atomic():
        held = list(
            _lock(
                Delivery.objects.filter(status=DeliveryStatus.HELD, due_at__lte=now).order_by("id")
            ).values_list("pk", "recipient_id", "channel", "webhook_id")[:batch]
        )
        groups: dict[tuple, list[int]] = {}
        for pk, recipient_id, channel, webhook_id in held:
            groups.setdefault((recipient_id, channel, webhook_id), []).append(pk)
        for (recipient_id, channel, webhook_id), ids in groups.items():
            digest = Delivery.objects.create(
                recipient_id=recipient_id,
                channel=channel,
                webhook_id=webhook_id,
                is_digest=True,
                dedupe_key=f"digest:{recipient_id}:{channel}:{webhook_id or 0}:{ids[0]}",
                status=DeliveryStatus.PENDING,
            )
            Delivery.objects.filter(pk__in=ids, status=DeliveryStatus.HELD).update(
                status=DeliveryStatus.DIGESTED, digest=digest, updated_at=now
            )
            created.append(digest.pk)
            enqueue_on_commit(DELIVER_TASK, digest.pk)
    return len(created)
