"""HTML pages: inbox, notification settings (rules, mutes, tests), webhooks. Thin: they read
through selectors, write through services and check rules permissions."""

from __future__ import annotations

from functools import partial

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from core.audit import Actor
from core.forms import form_write
from core.permissions import found_or_404, require
from core.zones import zoneinfo
from teams import hours as hours_math

from . import kinds as kinds_registry
from . import selectors, services
from .forms import InboxFilterForm, MuteForm, RulesForm, WebhookEditForm, WebhookForm
from .models import Channel

PAGE_SIZE = 50


def _error_text(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        return " ".join(m for msgs in exc.message_dict.values() for m in msgs)
    return " ".join(exc.messages)


# --- inbox -----------------------------------------------------------------------------------


@require_safe
def inbox(request: HttpRequest) -> HttpResponse:
    require(request.user, "notifications.use_inbox")
    # Registered kinds plus any the person has received (an app's old kind stays filterable).
    kinds = sorted(
        ((k, kinds_registry.label(k)) for k in selectors.kinds_seen(person=request.user)),
        key=lambda choice: choice[1].lower(),
    )
    form = InboxFilterForm(request.GET or None, kinds=kinds)
    unread, kind = False, None
    if form.is_bound and form.is_valid():
        unread = form.cleaned_data["unread"]
        kind = form.cleaned_data["kind"] or None
    page = Paginator(
        selectors.inbox(person=request.user, unread=unread, kind=kind), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "notifications/inbox.html",
        {
            "form": form,
            "page": page,
            "items": [(n, kinds_registry.label(n.kind)) for n in page.object_list],
            "filter_query": query.urlencode(),
            "filtered": bool(unread or kind),
            "kind": kind or "",
            "filter_label": kinds_registry.label(kind) if kind else "",
        },
    )


def _back_to_inbox(request: HttpRequest) -> HttpResponse:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect("notifications-inbox")


@require_POST
def inbox_read_all(request: HttpRequest) -> HttpResponse:
    require(request.user, "notifications.use_inbox")
    count = services.mark_all_read(
        actor=Actor.from_request(request),
        person=request.user,
        kind=request.POST.get("kind") or None,
    )
    messages.success(request, f"Marked {count} notification{'s' if count != 1 else ''} read.")
    return _back_to_inbox(request)


@require_POST
def notification_read(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, "notifications.use_inbox")
    services.mark_read(
        actor=Actor.from_request(request), person=request.user, notification_ids=[pk]
    )
    return _back_to_inbox(request)


@require_safe
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Follow a notification's link, marking it read (only the recipient's own)."""
    require(request.user, "notifications.use_inbox")
    notification = found_or_404(
        selectors.notification_of(person=request.user, pk=pk), "notification"
    )
    services.mark_read(
        actor=Actor.from_request(request), person=request.user, notification_ids=[pk]
    )
    url = notification.url
    if url and url_has_allowed_host_and_scheme(url, allowed_hosts=set()):
        return redirect(url)
    return redirect("notifications-inbox")


# --- settings --------------------------------------------------------------------------------


def _utc_offset(local) -> str:
    minutes = int(local.utcoffset().total_seconds() // 60)
    hours, mins = divmod(abs(minutes), 60)
    return f"UTC{'+' if minutes >= 0 else '−'}{hours:02d}:{mins:02d}"


def _quiet_hours(profile) -> dict | None:
    """What the Quiet hours section shows: the person's working hours in their own zone, and
    whether non-urgent notifications are being held right now (the rule notify() applies)."""
    if profile is None:
        return None
    now = timezone.now()
    zone = zoneinfo(profile.time_zone)
    local = now.astimezone(zone)
    hours = profile.working_hours or {}
    ranges = hours_math.week_ranges(hours)
    working = hours_math.is_working(ranges, zone, now) if ranges else True
    change = hours_math.next_change(ranges, zone, now) if ranges else None
    return {
        "zone": profile.time_zone,
        "offset": _utc_offset(local),
        "local_now": local,
        "has_hours": bool(ranges),
        "working": working,
        "next_change": change.astimezone(zone) if change else None,
        "days": [
            (name, hours.get(key, []))
            for key, name in zip(hours_math.DAY_KEYS, hours_math.DAY_NAMES, strict=True)
        ],
    }


def _settings_context(request: HttpRequest, *, rules_form=None, mute_form=None) -> dict:
    rules = selectors.effective_rules(person=request.user)
    rules_form = rules_form or RulesForm(rules=rules)
    rows = [
        {
            "rule": rule,
            "normal": rules_form[f"{rule['channel']}__normal"],
            "urgent": rules_form[f"{rule['channel']}__urgent"],
        }
        for rule in rules
    ]
    mutes = list(selectors.mutes(person=request.user))
    return {
        "rules_form": rules_form,
        "rows": rows,
        "mute_form": mute_form or MuteForm(muted={m.kind for m in mutes}),
        "mutes": [(m, kinds_registry.label(m.kind)) for m in mutes],
        "unmutable_labels": [k.label for k in kinds_registry.KINDS.values() if k.unmutable],
        "quiet": _quiet_hours(getattr(request.user, "profile", None)),
        "channels": Channel.choices,
        "has_webhook": selectors.has_personal_webhook(person=request.user),
    }


def _settings_refused(request: HttpRequest, **forms) -> HttpResponse:
    """The settings page again, with the refused form's errors (a 400)."""
    return render(
        request, "notifications/settings.html", _settings_context(request, **forms), status=400
    )


@require_http_methods(["GET", "HEAD", "POST"])
def settings_page(request: HttpRequest) -> HttpResponse:
    require(request.user, "notifications.use_inbox")
    if request.method == "POST":
        form = RulesForm(request.POST, rules=selectors.effective_rules(person=request.user))

        def save(*, actor, **_checkboxes):
            return services.rules_set(actor=actor, person=request.user, rules=form.rules())

        saved, _ = form_write(request, form, save, "Notification rules saved.")
        if saved:
            return redirect("notifications-settings")
        return _settings_refused(request, rules_form=form)
    return render(request, "notifications/settings.html", _settings_context(request))


@require_POST
def settings_test(request: HttpRequest, channel: str) -> HttpResponse:
    require(request.user, "notifications.use_inbox")
    try:
        services.send_test(actor=Actor.from_request(request), person=request.user, channel=channel)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, "Test sent. It should arrive within a few seconds.")
    return redirect("notifications-settings")


@require_POST
def mute_add(request: HttpRequest) -> HttpResponse:
    require(request.user, "notifications.use_inbox")
    muted = {m.kind for m in selectors.mutes(person=request.user)}
    form = MuteForm(request.POST, muted=muted)
    mute = partial(services.mute_add, person=request.user)
    saved, _ = form_write(request, form, mute, lambda m: f"Muted {kinds_registry.label(m.kind)}.")
    if saved:
        return redirect("notifications-settings")
    return _settings_refused(request, mute_form=form)


@require_POST
def mute_remove(request: HttpRequest) -> HttpResponse:
    require(request.user, "notifications.use_inbox")
    services.mute_remove(
        actor=Actor.from_request(request), person=request.user, kind=request.POST.get("kind", "")
    )
    messages.success(request, "Unmuted.")
    return redirect("notifications-settings")


# --- webhooks --------------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
def webhook_list(request: HttpRequest) -> HttpResponse:
    require(request.user, "notifications.use_inbox")
    teams = selectors.manageable_teams(person=request.user)
    form = WebhookForm(request.POST or None, teams=teams)
    status = 200
    if request.method == "POST":
        create = partial(services.webhook_create, owner=request.user)
        added, hook = form_write(
            request,
            form,
            create,
            "Webhook added. Copy its signing secret below to verify our signatures.",
        )
        if added:
            return redirect("webhook-detail", pk=hook.pk)
        status = 400
    return render(
        request,
        "notifications/webhook_list.html",
        {"webhooks": list(selectors.webhooks_for(person=request.user)), "form": form},
        status=status,
    )


def _get_webhook(request: HttpRequest, pk: int):
    hook = found_or_404(selectors.webhook_of(person=request.user, pk=pk), "webhook")
    require(request.user, "notifications.manage_webhook", hook)
    return hook


@require_http_methods(["GET", "HEAD", "POST"])
def webhook_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, "notifications.use_inbox")
    hook = _get_webhook(request, pk)
    form = WebhookEditForm(
        request.POST or None,
        initial={"name": hook.name, "url": hook.url, "urgent_only": hook.urgent_only},
    )
    status = 200
    if request.method == "POST":
        update = partial(services.webhook_update, webhook=hook)
        saved, _ = form_write(request, form, update, "Webhook saved.")
        if saved:
            return redirect("webhook-detail", pk=hook.pk)
        status = 400
        hook.refresh_from_db()
    return render(
        request,
        "notifications/webhook_detail.html",
        {
            "hook": hook,
            "form": form,
            "deliveries": selectors.recent_deliveries(webhook=hook),
        },
        status=status,
    )


@require_POST
def webhook_action(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, "notifications.use_inbox")
    hook = _get_webhook(request, pk)
    actor = Actor.from_request(request)
    action = request.POST.get("action", "")
    try:
        if action == "test":
            services.webhook_test(actor=actor, webhook=hook)
            messages.success(request, "Test POST queued; its result appears below.")
        elif action == "rotate":
            services.webhook_rotate_secret(actor=actor, webhook=hook)
            messages.success(request, "New secret made; the old one no longer signs.")
        elif action == "enable":
            services.webhook_update(actor=actor, webhook=hook, active=True)
            messages.success(request, "Webhook enabled.")
        elif action == "disable":
            services.webhook_update(actor=actor, webhook=hook, active=False)
            messages.success(request, "Webhook disabled.")
        elif action == "delete":
            services.webhook_delete(actor=actor, webhook=hook)
            messages.success(request, "Webhook deleted.")
            return redirect("webhook-list")
        else:
            messages.error(request, "Unknown action.")
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    return redirect("webhook-detail", pk=pk)
