"""Reads of notifications, rules, mutes, webhooks and deliveries (fixed query counts)."""

from __future__ import annotations

from django.db import connection
from django.db.models import Min, Q, QuerySet
from django.utils import timezone

from teams.models import Team, TeamRole
from teams.permissions import is_org_admin
from teams.selectors import team_ids_of

from . import kinds as kinds_registry
from .models import (
    DEFAULT_RULES,
    Channel,
    Delivery,
    DeliveryStatus,
    KindMute,
    Notification,
    NotificationRule,
    Webhook,
)


def inbox(*, person, unread: bool = False, kind: str | None = None) -> QuerySet[Notification]:
    qs = Notification.objects.filter(recipient=person).select_related("actor__profile")
    if unread:
        qs = qs.filter(read_at__isnull=True)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("-id")


def after_id(*, person, last_id: int, limit: int = 200) -> list[Notification]:
    """What a reconnecting client missed: newer than the last id it saw, oldest first."""
    return list(
        Notification.objects.filter(recipient=person, pk__gt=last_id)
        .select_related("actor__profile")
        .order_by("id")[:limit]
    )


def bell(*, person) -> dict:
    """Unread count and newest id in one query (the nav bell, the live client's start).

    Written as SQL: it runs on every page, and building the same aggregate through the ORM
    took several times as long as the query (covered by the notif_inbox_unread index)."""
    quote = connection.ops.quote_name
    sql = (
        f"SELECT COUNT(*) - COUNT({quote('read_at')}), MAX({quote('id')}) "
        f"FROM {quote(Notification._meta.db_table)} WHERE {quote('recipient_id')} = %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [person.pk])
        unread, latest = cursor.fetchone()
    return {"unread": unread or 0, "latest": latest or 0}


def unread_count(*, person) -> int:
    return Notification.objects.filter(recipient=person, read_at__isnull=True).count()


def kinds_seen(*, person) -> list[str]:
    """Kinds the person has received or muted, plus the known ones (filter and mute lists)."""
    seen = set(
        Notification.objects.filter(recipient=person).values_list("kind", flat=True).distinct()
    )
    return sorted(seen | set(kinds_registry.KIND_LABELS))


def effective_rules(*, person) -> list[dict]:
    stored = {r.channel: r for r in NotificationRule.objects.filter(person=person)}
    out = []
    for channel in Channel:
        rule = stored.get(channel.value)
        default = DEFAULT_RULES[channel.value]
        out.append(
            {
                "channel": channel.value,
                "label": channel.label,
                "normal": rule.normal if rule else default["normal"],
                "urgent": rule.urgent if rule else default["urgent"],
                "is_default": rule is None,
            }
        )
    return out


def mutes(*, person) -> list[KindMute]:
    return list(KindMute.objects.filter(person=person).order_by("kind"))


def webhooks_for(*, person) -> QuerySet[Webhook]:
    """Personal webhooks, plus team webhooks of teams the person leads (admins: all teams)."""
    if is_org_admin(person):
        team_filter = Q(team__isnull=False)
    else:
        team_filter = Q(team_id__in=team_ids_of(person, role=TeamRole.LEAD))
    return (
        Webhook.objects.filter(Q(owner=person, team__isnull=True) | team_filter)
        .select_related("team", "owner__profile")
        .order_by("id")
    )


def recent_deliveries(*, webhook: Webhook, limit: int = 20) -> list[Delivery]:
    return list(
        Delivery.objects.filter(webhook=webhook)
        .select_related("notification")
        .order_by("-id")[:limit]
    )


def deliveries_for(*, notification_ids: list[int]) -> dict[int, list[Delivery]]:
    out: dict[int, list[Delivery]] = {}
    for d in Delivery.objects.filter(notification_id__in=notification_ids).order_by("id"):
        out.setdefault(d.notification_id, []).append(d)
    return out


# --- what the pages read (notifications.views) -------------------------------------------------


def notification_of(*, person, pk: int) -> Notification | None:
    """One of the person's own notifications, or None (anyone else's id is not found)."""
    return inbox(person=person).filter(pk=pk).first()


def webhook_of(*, person, pk: int) -> Webhook | None:
    """One of the webhooks the person may see (webhooks_for), or None."""
    return webhooks_for(person=person).filter(pk=pk).first()


def has_personal_webhook(*, person) -> bool:
    """Whether the person has an active webhook of their own: one query (webhooks_for's
    personal half; its team half would read the person's teams for nothing)."""
    return Webhook.objects.filter(owner=person, team__isnull=True, active=True).exists()


def manageable_teams(*, person) -> QuerySet[Team]:
    """Teams the person may add a team webhook to, by name: all for org admins, else the
    teams they lead. Lazy: the webhook form reads it once."""
    if is_org_admin(person):
        return Team.objects.order_by("name")
    return Team.objects.filter(pk__in=team_ids_of(person, role=TeamRole.LEAD)).order_by("name")


def oldest_due_delivery_age(*, now=None) -> float:
    """Seconds since the oldest delivery that is due and not sent became due (0: none): a
    pending row since its creation, a retrying one since its next attempt's time, a held one
    since its digest's time. One query (core.metrics reads it at each scrape)."""
    now = now or timezone.now()
    oldest = Delivery.objects.filter(
        Q(status=DeliveryStatus.PENDING)
        | Q(status=DeliveryStatus.RETRYING, next_attempt_at__lte=now)
        | Q(status=DeliveryStatus.HELD, due_at__lte=now)
    ).aggregate(
        pending=Min("created_at", filter=Q(status=DeliveryStatus.PENDING)),
        retrying=Min("next_attempt_at", filter=Q(status=DeliveryStatus.RETRYING)),
        held=Min("due_at", filter=Q(status=DeliveryStatus.HELD)),
    )
    times = [t for t in oldest.values() if t is not None]
    return max(0.0, (now - min(times)).total_seconds()) if times else 0.0
