"""Notifications, their delivery rows (one per channel), per-person rules, mutes and webhooks.

The database is the source of truth: a Delivery row is written in the same transaction as its
Notification, and Celery / the channel layer only carry the signal to send it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from core import crypto
from core.models import optional_person


class Urgency(models.TextChoices):
    NORMAL = "normal", "Normal"
    URGENT = "urgent", "Urgent"


class Channel(models.TextChoices):
    IN_APP = "in_app", "In-app"
    EMAIL = "email", "Email"
    WEBHOOK = "webhook", "Webhook"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    HELD = "held", "Held for quiet hours"
    SENDING = "sending", "Sending"
    RETRYING = "retrying", "Retrying"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"
    DIGESTED = "digested", "Sent in a digest"
    SKIPPED = "skipped", "Skipped"


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    actor = optional_person()
    kind = models.CharField(max_length=64)
    urgency = models.CharField(max_length=8, choices=Urgency.choices, default=Urgency.NORMAL)
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=500, blank=True)  # a path inside Baton, e.g. /teams/x/
    idempotency_key = models.CharField(max_length=200)
    muted = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "idempotency_key"], name="notification_idempotent"
            ),
            models.CheckConstraint(
                condition=Q(urgency__in=Urgency.values), name="notification_urgency_valid"
            ),
        ]
        indexes = [
            # Inbox, unread filter and the bell's count.
            models.Index(fields=["recipient", "read_at", "-id"], name="notif_inbox_unread"),
            models.Index(fields=["recipient", "kind", "-id"], name="notif_inbox_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.recipient_id}: {self.title}"

    @property
    def is_unread(self) -> bool:
        return self.read_at is None


class Webhook(models.Model):
    """A person's own webhook (team is null) or a team's, managed by its leads."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_webhooks"
    )
    team = models.ForeignKey(
        "teams.Team",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notification_webhooks",
    )
    name = models.CharField(max_length=100)
    url = models.URLField(max_length=500)
    # Encrypted at rest (core/crypto.py); signing_secret is the usable value. Shown to
    # the webhook's managers only.
    secret = models.CharField(max_length=255)
    urgent_only = models.BooleanField(default=False)
    active = models.BooleanField(default=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    disabled_reason = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["owner", "active"]),
            models.Index(fields=["team", "active"]),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def signing_secret(self) -> str:
        """The secret that signs each body (and that its managers copy to verify them)."""
        return crypto.decrypt(self.secret)


class Delivery(models.Model):
    """One attempt-tracked send of a notification (or a digest of them) over one channel."""

    notification = models.ForeignKey(
        Notification, null=True, blank=True, on_delete=models.CASCADE, related_name="deliveries"
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    channel = models.CharField(max_length=16, choices=Channel.choices)
    webhook = models.ForeignKey(
        Webhook, null=True, blank=True, on_delete=models.CASCADE, related_name="deliveries"
    )
    is_digest = models.BooleanField(default=False)
    digest = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="items"
    )
    # Unique: a second notify(), a re-run sweeper or a team webhook shared by several
    # recipients can never produce a second row for the same send.
    dedupe_key = models.CharField(max_length=255, unique=True)
    status = models.CharField(
        max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    due_at = models.DateTimeField(null=True, blank=True)  # held: when the digest goes out
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    claimed_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    response_status = models.PositiveIntegerField(null=True, blank=True)
    response_body = models.CharField(max_length=500, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-id"]
        verbose_name_plural = "deliveries"
        constraints = [
            models.CheckConstraint(
                condition=Q(channel__in=Channel.values), name="delivery_channel_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=DeliveryStatus.values), name="delivery_status_valid"
            ),
        ]
        indexes = [
            # The sweeper and the digest job scan by status and time.
            models.Index(fields=["status", "updated_at"], name="delivery_sweep"),
            models.Index(fields=["status", "due_at"], name="delivery_due"),
            models.Index(fields=["webhook", "-id"], name="delivery_webhook_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.channel} #{self.pk} ({self.status})"

    @property
    def message_id(self) -> str:
        """Stable per delivery, so a resend after a crash can be recognised by the receiver."""
        return f"baton-delivery-{self.pk}"


# Without a rule row a person gets every channel for both urgencies (a webhook only if they
# have one). A row per channel overrides it.
DEFAULT_RULES: dict[str, dict[str, bool]] = {
    Channel.IN_APP: {"normal": True, "urgent": True},
    Channel.EMAIL: {"normal": True, "urgent": True},
    Channel.WEBHOOK: {"normal": True, "urgent": True},
}


class NotificationRule(models.Model):
    """Which channels a person wants for normal and for urgent notifications.

    No row for a channel means the default (DEFAULT_RULES above)."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_rules"
    )
    channel = models.CharField(max_length=16, choices=Channel.choices)
    normal = models.BooleanField(default=True)
    urgent = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["channel"]
        constraints = [
            models.UniqueConstraint(fields=["person", "channel"], name="rule_person_channel"),
            models.CheckConstraint(
                condition=Q(channel__in=Channel.values), name="rule_channel_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.channel}"


class KindMute(models.Model):
    """A person does not want to be told about this kind (urgent escalations still come)."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_mutes"
    )
    kind = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind"]
        constraints = [
            models.UniqueConstraint(fields=["person", "kind"], name="mute_person_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} mutes {self.kind}"
