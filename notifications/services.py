"""Every write of the notifications app. `notify()` is the one entry point other apps use.

Each function takes keyword-only arguments and runs in one transaction; deliveries are rows
written with their notification, and Celery is signalled only on commit.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from core import crypto
from core.audit import Actor, audit_record
from core.tasks import enqueue
from core.zones import zoneinfo
from teams import hours as hours_math
from teams.models import Membership, Team

from . import kinds as kinds_registry
from .delivery.webhook import UnsafeWebhookURL, check_url
from .models import (
    DEFAULT_RULES,
    Channel,
    Delivery,
    DeliveryStatus,
    KindMute,
    Notification,
    NotificationRule,
    Urgency,
    Webhook,
)

User = get_user_model()

MAX_WEBHOOKS_PER_OWNER = 10


def _channel_list() -> str:
    return ", ".join(Channel.values)


# --- notify ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Plan:
    """What one recipient's settings say, loaded in bulk for the whole call."""

    rules: dict[int, dict[str, dict[str, bool]]]
    mutes: dict[int, set[str]]
    own_webhooks: dict[int, list[Webhook]]
    team_webhooks: dict[int, list[Webhook]]


def _user_ids(recipients: Iterable) -> list[int]:
    ids: list[int] = []
    for item in recipients:
        pk = item if isinstance(item, int) else getattr(item, "pk", None)
        if not isinstance(pk, int):
            raise ValidationError({"recipients": f"{item!r} is not a person or a person's id."})
        if pk not in ids:
            ids.append(pk)
    return ids


def _load_plan(user_ids: list[int]) -> _Plan:
    rules: dict[int, dict[str, dict[str, bool]]] = {}
    for rule in NotificationRule.objects.filter(person_id__in=user_ids):
        rules.setdefault(rule.person_id, {})[rule.channel] = {
            "normal": rule.normal,
            "urgent": rule.urgent,
        }
    mutes: dict[int, set[str]] = {}
    for person_id, kind in KindMute.objects.filter(person_id__in=user_ids).values_list(
        "person_id", "kind"
    ):
        mutes.setdefault(person_id, set()).add(kind)
    own: dict[int, list[Webhook]] = {}
    for hook in Webhook.objects.filter(owner_id__in=user_ids, team__isnull=True, active=True):
        own.setdefault(hook.owner_id, []).append(hook)
    team_hooks: dict[int, list[Webhook]] = {}
    by_team: dict[int, list[Webhook]] = {}
    for hook in Webhook.objects.filter(
        active=True, team__memberships__person_id__in=user_ids
    ).distinct():
        by_team.setdefault(hook.team_id, []).append(hook)
    if by_team:
        for person_id, team_id in Membership.objects.filter(
            person_id__in=user_ids, team_id__in=by_team
        ).values_list("person_id", "team_id"):
            team_hooks.setdefault(person_id, []).extend(by_team[team_id])
    return _Plan(rules=rules, mutes=mutes, own_webhooks=own, team_webhooks=team_hooks)


def _wants(plan: _Plan, person_id: int, channel: str, urgency: str) -> bool:
    rule = plan.rules.get(person_id, {}).get(channel, DEFAULT_RULES[channel])
    return rule[urgency]


def quiet_until(profile, *, at: datetime) -> datetime | None:
    """None when the person is working at `at` (or has no working hours at all, so they are
    never 'off'); otherwise the instant (UTC) their next working period starts in their zone:
    the first instant is_working holds, across DST gaps and repeated hours alike."""
    ranges = hours_math.week_ranges(profile.working_hours or {})
    if not ranges:
        return None
    tz = zoneinfo(profile.time_zone)
    if hours_math.is_working(ranges, tz, at):
        return None
    return hours_math.next_start(ranges, tz, at)


def held_deliveries_reschedule(*, profile, at: datetime | None = None) -> int:
    """Give a person's held deliveries the due time their current hours and zone say (call it
    in the transaction that changes them): the start of their next working period, or `at`
    (now) if they are working or keep no hours, so the next release_digests sends them. Held
    mail must not go out at 03:00 because someone moved from New York to Tokyo."""
    at = at or timezone.now()
    due = quiet_until(profile, at=at) or at
    return (
        Delivery.objects.filter(recipient_id=profile.user_id, status=DeliveryStatus.HELD)
        .exclude(due_at=due)
        .update(due_at=due, updated_at=at)
    )


def _short_key(text: str) -> str:
    if len(text) <= 200:
        return text
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()


def _delivery_rows(
    notification: Notification,
    *,
    plan: _Plan,
    profile,
    now: datetime,
    only_channel: str | None,
    only_webhook: Webhook | None,
    team_id: int | None,
) -> list[Delivery]:
    person_id = notification.recipient_id
    urgency = notification.urgency
    rows: list[Delivery] = []
    held_until = None
    if urgency == Urgency.NORMAL and only_channel is None and profile is not None:
        held_until = quiet_until(profile, at=now)

    def add(channel: str, *, webhook: Webhook | None = None, key: str, hold: bool) -> None:
        rows.append(
            Delivery(
                notification=notification,
                recipient_id=person_id,
                channel=channel,
                webhook=webhook,
                dedupe_key=key,
                status=DeliveryStatus.HELD if hold and held_until else DeliveryStatus.PENDING,
                due_at=held_until if hold and held_until else None,
            )
        )

    def selected(channel: str) -> bool:
        if only_channel is not None:
            return channel == only_channel
        return _wants(plan, person_id, channel, urgency)

    if selected(Channel.IN_APP):
        # The inbox and its bell are silent, so in-app is never held for quiet hours.
        add(Channel.IN_APP, key=f"n{notification.pk}:in_app", hold=False)
    if selected(Channel.EMAIL):
        add(Channel.EMAIL, key=f"n{notification.pk}:email", hold=True)
    if only_webhook is not None:
        add(
            Channel.WEBHOOK,
            webhook=only_webhook,
            key=f"n{notification.pk}:wh{only_webhook.pk}",
            hold=False,
        )
    elif selected(Channel.WEBHOOK):
        for hook in plan.own_webhooks.get(person_id, []):
            if hook.urgent_only and urgency != Urgency.URGENT:
                continue
            add(Channel.WEBHOOK, webhook=hook, key=f"n{notification.pk}:wh{hook.pk}", hold=True)
    if only_channel is None and team_id is not None:
        # Only events addressed to a team reach its channel (a member's personal notice, e.g.
        # "your two-factor was reset", is theirs alone), and only that team's channel. A
        # team's channel is not a person who sleeps: it is told at once, and once per event
        # however many of its members the event concerns.
        for hook in plan.team_webhooks.get(person_id, []):
            if hook.team_id != team_id:
                continue
            if hook.urgent_only and urgency != Urgency.URGENT:
                continue
            key = _short_key(f"team-wh{hook.pk}:{notification.idempotency_key}")
            add(Channel.WEBHOOK, webhook=hook, key=key, hold=False)
    return rows


def _enqueue_pending(notification_ids: list[int]) -> None:
    # By the task's name (notifications.tasks.deliver): the engine behind it calls back into
    # this module (a failing webhook notifies its owner), so importing it would be a cycle.
    ids = list(
        Delivery.objects.filter(
            notification_id__in=notification_ids, status=DeliveryStatus.PENDING
        ).values_list("pk", flat=True)
    )
    for pk in ids:
        enqueue("notifications.deliver", pk)


def _clean_notify_input(kind: str, title: str, urgency: str, idempotency_key: str, url: str):
    errors = {}
    if not kinds_registry.is_valid_kind(kind):
        errors["kind"] = f"'{kind}' is not a valid kind. {kinds_registry.KIND_HELP}"
    if urgency not in Urgency.values:
        errors["urgency"] = f"'{urgency}' is not an urgency (normal or urgent)."
    if not (title or "").strip():
        errors["title"] = "A notification needs a title."
    if not (idempotency_key or "").strip():
        errors["idempotency_key"] = "Give an idempotency key so a retry does not notify twice."
    if url and not url.startswith("/"):
        errors["url"] = "The link must be a path inside Baton, starting with '/'."
    if errors:
        raise ValidationError(errors)


def _notify(
    *,
    recipients,
    kind: str,
    title: str,
    body: str,
    url: str,
    urgency: str,
    idempotency_key: str,
    actor,
    only_channel: str | None = None,
    only_webhook: Webhook | None = None,
    team=None,
) -> list[Notification]:
    _clean_notify_input(kind, title, urgency, idempotency_key, url)
    team_id = getattr(team, "pk", team)
    user_ids = _user_ids(recipients)
    if not user_ids:
        return []
    key = _short_key(idempotency_key.strip())
    actor_user = getattr(actor, "user", actor)
    actor_id = getattr(actor_user, "pk", None)
    now = timezone.now()
    with transaction.atomic():
        people = {
            u.pk: u
            for u in User.objects.select_related("profile").filter(pk__in=user_ids, is_active=True)
        }
        existing = set(
            Notification.objects.filter(recipient_id__in=people, idempotency_key=key).values_list(
                "recipient_id", flat=True
            )
        )
        new_ids = [pk for pk in user_ids if pk in people and pk not in existing]
        plan = _load_plan(new_ids) if new_ids else None
        unmutable = kinds_registry.is_unmutable(kind, urgency)
        fresh = [
            Notification(
                recipient_id=pk,
                actor_id=actor_id,
                kind=kind,
                urgency=urgency,
                title=title.strip()[:200],
                body=body or "",
                url=url or "",
                idempotency_key=key,
                muted=(not unmutable and kind in plan.mutes.get(pk, set())),
                read_at=(now if not unmutable and kind in plan.mutes.get(pk, set()) else None),
            )
            for pk in new_ids
        ]
        # ignore_conflicts: a concurrent call with the same key wins the race, this one reuses
        # its rows (the unique constraint is the real guard).
        Notification.objects.bulk_create(fresh, ignore_conflicts=True)
        result = list(
            Notification.objects.filter(recipient_id__in=people, idempotency_key=key).order_by(
                "recipient_id"
            )
        )
        created = [n for n in result if n.recipient_id in set(new_ids) and not n.muted]
        rows: list[Delivery] = []
        for notification in created:
            profile = getattr(people[notification.recipient_id], "profile", None)
            rows.extend(
                _delivery_rows(
                    notification,
                    plan=plan,
                    profile=profile,
                    now=now,
                    only_channel=only_channel,
                    only_webhook=only_webhook,
                    team_id=team_id,
                )
            )
        if rows:
            Delivery.objects.bulk_create(rows, ignore_conflicts=True)
            created_ids = [n.pk for n in created]
            transaction.on_commit(lambda: _enqueue_pending(created_ids))
    order = {pk: i for i, pk in enumerate(user_ids)}
    return sorted(result, key=lambda n: order.get(n.recipient_id, 0))


def notify(
    *,
    recipients,
    kind: str,
    title: str,
    body: str = "",
    url: str = "",
    urgency: str = "normal",
    idempotency_key: str,
    actor=None,
    team=None,
) -> list[Notification]:
    """Notify people; the one entry point for every app. Stable interface.

    `team` (a Team or its id): the event is about that team's work (a shift of its schedule,
    an escalation of its project), so that team's webhooks get it too, once. Without it the
    notification is personal and reaches only the recipients' own channels.

    `recipients`: User objects or ids. Calling again with the same `idempotency_key` creates
    nothing new for a recipient who already has it, and returns the existing notification.
    Delivery rows (in-app, email, webhooks per each person's rules) are written in the same
    transaction and sent by Celery on commit. Normal notifications in a person's quiet hours
    (outside their working hours) are held for one digest at the start of their next working
    day; urgent ones go at once. A muted kind is recorded (read) but not delivered, except
    urgent escalations ("escalation.*"), which cannot be muted.
    """
    return _notify(
        recipients=recipients,
        kind=kind,
        title=title,
        body=body,
        url=url,
        urgency=urgency,
        idempotency_key=idempotency_key,
        actor=actor,
        team=team,
    )


# --- inbox -----------------------------------------------------------------------------------


@transaction.atomic
def mark_read(*, actor: Actor, person, notification_ids: Iterable[int]) -> int:
    """Mark some of the person's own notifications read; others' ids are ignored."""
    ids = [int(pk) for pk in notification_ids]
    return Notification.objects.filter(recipient=person, pk__in=ids, read_at__isnull=True).update(
        read_at=timezone.now()
    )


@transaction.atomic
def mark_unread(*, actor: Actor, person, notification_ids: Iterable[int]) -> int:
    ids = [int(pk) for pk in notification_ids]
    return Notification.objects.filter(recipient=person, pk__in=ids).update(read_at=None)


@transaction.atomic
def mark_all_read(*, actor: Actor, person, kind: str | None = None) -> int:
    qs = Notification.objects.filter(recipient=person, read_at__isnull=True)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.update(read_at=timezone.now())


# --- rules and mutes -------------------------------------------------------------------------


def clean_channel(value: str) -> str:
    if value not in Channel.values:
        raise ValidationError(
            {"channel": f"'{value}' is not a channel. Channels: {_channel_list()}."}
        )
    return value


@transaction.atomic
def rule_set(*, actor: Actor, person, channel: str, normal: bool, urgent: bool) -> NotificationRule:
    clean_channel(channel)
    rule, _ = NotificationRule.objects.update_or_create(
        person=person, channel=channel, defaults={"normal": bool(normal), "urgent": bool(urgent)}
    )
    audit_record(
        actor=actor,
        action="notifications.rule_set",
        target=rule,
        changes={"channel": channel, "normal": bool(normal), "urgent": bool(urgent)},
    )
    return rule


@transaction.atomic
def rules_set(*, actor: Actor, person, rules: dict[str, dict[str, bool]]) -> None:
    """Set several channels at once (the settings page): all or nothing."""
    for channel in rules:
        clean_channel(channel)
    for channel, values in rules.items():
        rule_set(
            actor=actor,
            person=person,
            channel=channel,
            normal=values.get("normal", False),
            urgent=values.get("urgent", False),
        )


@transaction.atomic
def mute_add(*, actor: Actor, person, kind: str) -> KindMute:
    kind = (kind or "").strip()
    if not kinds_registry.is_valid_kind(kind):
        raise ValidationError({"kind": f"'{kind}' is not a valid kind. {kinds_registry.KIND_HELP}"})
    mute, created = KindMute.objects.get_or_create(person=person, kind=kind)
    if created:
        audit_record(actor=actor, action="notifications.mute", target=mute, changes={"kind": kind})
    return mute


@transaction.atomic
def mute_remove(*, actor: Actor, person, kind: str) -> bool:
    deleted, _ = KindMute.objects.filter(person=person, kind=kind).delete()
    if deleted:
        audit_record(
            actor=actor, action="notifications.unmute", target=None, changes={"kind": kind}
        )
    return bool(deleted)


def send_test(*, actor: Actor, person, channel: str) -> list[Notification]:
    """'Send me a test' on one channel: at once (no quiet hours), whatever the rules say."""
    clean_channel(channel)
    if (
        channel == Channel.WEBHOOK
        and not Webhook.objects.filter(owner=person, team__isnull=True, active=True).exists()
    ):
        raise ValidationError({"channel": "Add an active webhook first, then test it."})
    if channel == Channel.EMAIL and not person.email:
        raise ValidationError({"channel": "Your profile has no email address."})
    stamp = timezone.now().isoformat()
    if channel == Channel.WEBHOOK:
        result: list[Notification] = []
        for hook in Webhook.objects.filter(owner=person, team__isnull=True, active=True):
            result += webhook_test(actor=actor, webhook=hook)
        return result
    return _notify(
        recipients=[person],
        kind="notifications.test",
        title=f"Test notification ({Channel(channel).label})",
        body="If you can read this, this channel works.",
        url="/notifications/settings/",
        urgency=Urgency.NORMAL,
        idempotency_key=f"test:{channel}:{stamp}",
        actor=actor,
        only_channel=channel,
    )


# --- webhooks --------------------------------------------------------------------------------


def _new_secret() -> str:
    """A new signing secret, encrypted for storage (Webhook.signing_secret reads it)."""
    return crypto.encrypt("whsec_" + secrets.token_urlsafe(32))


def clean_webhook_url(url: str) -> str:
    try:
        check_url(url)
    except UnsafeWebhookURL as exc:
        raise ValidationError({"url": str(exc)}) from exc
    return url.strip()


def _check_team_manager(actor: Actor, team: Team) -> None:
    user = actor.user
    if user is None or not user.has_perm("notifications.manage_team_webhooks", team):
        raise ValidationError({"team": "Only the team's leads or an admin manage its webhooks."})


@transaction.atomic
def webhook_create(
    *,
    actor: Actor,
    owner,
    name: str,
    url: str,
    team: Team | None = None,
    urgent_only: bool = False,
) -> Webhook:
    name = (name or "").strip()
    errors = {}
    if not name:
        errors["name"] = "Give the webhook a name, e.g. 'Slack #oncall'."
    elif len(name) > 100:
        errors["name"] = "Keep the name under 100 characters."
    try:
        url = clean_webhook_url(url)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if Webhook.objects.filter(owner=owner).count() >= MAX_WEBHOOKS_PER_OWNER:
        errors["url"] = f"A person may have at most {MAX_WEBHOOKS_PER_OWNER} webhooks."
    if errors:
        raise ValidationError(errors)
    if team is not None:
        _check_team_manager(actor, team)
    hook = Webhook.objects.create(
        owner=owner,
        team=team,
        name=name,
        url=url,
        urgent_only=bool(urgent_only),
        secret=_new_secret(),
    )
    audit_record(
        actor=actor,
        action="notifications.webhook_create",
        target=hook,
        changes={"url": url, "team": team.pk if team else None, "urgent_only": urgent_only},
    )
    return hook


@transaction.atomic
def webhook_update(
    *,
    actor: Actor,
    webhook: Webhook,
    name: str | None = None,
    url: str | None = None,
    urgent_only: bool | None = None,
    active: bool | None = None,
) -> Webhook:
    changes: dict = {}
    errors = {}
    if name is not None:
        name = name.strip()
        if not name:
            errors["name"] = "Give the webhook a name."
        else:
            changes["name"] = name
    if url is not None:
        try:
            changes["url"] = clean_webhook_url(url)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    if urgent_only is not None:
        changes["urgent_only"] = bool(urgent_only)
    if active is not None:
        changes["active"] = bool(active)
        if active:
            # Re-enabling starts a fresh failure count.
            changes["consecutive_failures"] = 0
            changes["disabled_reason"] = ""
    for field, value in changes.items():
        setattr(webhook, field, value)
    if changes:
        webhook.save()
        audit_record(
            actor=actor, action="notifications.webhook_update", target=webhook, changes=changes
        )
    return webhook


@transaction.atomic
def webhook_rotate_secret(*, actor: Actor, webhook: Webhook) -> Webhook:
    webhook.secret = _new_secret()
    webhook.save(update_fields=["secret", "updated_at"])
    audit_record(actor=actor, action="notifications.webhook_rotate_secret", target=webhook)
    return webhook


@transaction.atomic
def webhook_delete(*, actor: Actor, webhook: Webhook) -> None:
    audit_record(
        actor=actor,
        action="notifications.webhook_delete",
        target=webhook,
        changes={"url": webhook.url},
    )
    webhook.delete()


def webhook_test(*, actor: Actor, webhook: Webhook) -> list[Notification]:
    if not webhook.active:
        raise ValidationError({"webhook": "This webhook is disabled; enable it first."})
    stamp = timezone.now().isoformat()
    return _notify(
        recipients=[webhook.owner_id],
        kind="notifications.test",
        title=f"Test of webhook '{webhook.name}'",
        body="If this reached your endpoint, the webhook works.",
        url=f"/notifications/webhooks/{webhook.pk}/",
        urgency=Urgency.NORMAL,
        idempotency_key=f"test:webhook:{webhook.pk}:{stamp}",
        actor=actor,
        only_channel=Channel.WEBHOOK,
        only_webhook=webhook,
    )


# --- delivery bookkeeping (called by tasks) --------------------------------------------------


def webhook_record_success(*, webhook_id: int) -> None:
    Webhook.objects.filter(pk=webhook_id).exclude(consecutive_failures=0).update(
        consecutive_failures=0
    )


def webhook_record_failure(*, webhook_id: int, error: str) -> bool:
    """Count a failed attempt; disable the webhook and tell its owner after too many.
    Returns True when this call disabled it."""
    limit = getattr(settings, "NOTIFICATIONS_WEBHOOK_DISABLE_AFTER", 15)
    with transaction.atomic():
        Webhook.objects.filter(pk=webhook_id).update(
            consecutive_failures=F("consecutive_failures") + 1
        )
        hook = Webhook.objects.filter(pk=webhook_id).first()
        if hook is None or not hook.active or hook.consecutive_failures < limit:
            return False
        reason = f"Disabled after {hook.consecutive_failures} failed attempts in a row: {error}"
        # The guard on active=True makes exactly one caller do the disabling.
        disabled = Webhook.objects.filter(pk=webhook_id, active=True).update(
            active=False, disabled_reason=reason[:300]
        )
        if not disabled:
            return False
        audit_record(
            actor=Actor.system(via="system"),
            action="notifications.webhook_disabled",
            target=hook,
            changes={"reason": reason[:300]},
        )
        _notify(
            recipients=[hook.owner_id],
            kind="notifications.webhook_disabled",
            title=f"Webhook '{hook.name}' was disabled",
            body=(
                f"{reason[:300]}\n\nFix the endpoint, then enable the webhook again on its page."
            ),
            url=f"/notifications/webhooks/{hook.pk}/",
            urgency=Urgency.NORMAL,
            idempotency_key=f"webhook-disabled:{hook.pk}:{timezone.now().isoformat()}",
            actor=None,
        )
        return True
