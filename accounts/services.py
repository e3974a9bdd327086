"""Writes for API tokens, sessions, two-factor resets and sign-in unlocks."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core.audit import Actor, audit_record
from core.timefmt import fmt_your_day_time, reader_clock

from .models import ApiToken, ScrapeToken
from .scopes import validate_scopes

TOKEN_PREFIX = "baton_"
MAX_TOKEN_DAYS = 366


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def api_token_create(
    *,
    actor: Actor,
    user: AbstractBaseUser,
    name: str,
    scopes: list[str] | str,
    days: int | None = 90,
) -> tuple[ApiToken, str]:
    """Create a token; returns (row, raw token). The raw token is never stored or shown again."""
    name = (name or "").strip()
    errors = {}
    if not name:
        errors["name"] = "Give the token a name, e.g. 'CI deploys'."
    elif len(name) > 100:
        errors["name"] = "A token name has at most 100 characters."
    elif ApiToken.objects.filter(user=user, name=name).exists():
        errors["name"] = f"You already have a token named '{name}'."
    try:
        scopes = validate_scopes(scopes)
    except ValueError as exc:
        errors["scopes"] = str(exc)
    if days is not None and (not isinstance(days, int) or not 1 <= days <= MAX_TOKEN_DAYS):
        errors["days"] = f"A token lives between 1 and {MAX_TOKEN_DAYS} days."
    if errors:
        raise ValidationError(errors)
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name,
        prefix=raw[: len(TOKEN_PREFIX) + 6],
        token_hash=hash_token(raw),
        scopes=scopes,
        expires_at=timezone.now() + timedelta(days=days) if days else None,
    )
    audit_record(
        actor=actor,
        action="token.create",
        target=user,
        changes={"token": name, "scopes": scopes, "days": days},
    )
    return token, raw


@transaction.atomic
def api_token_revoke(*, actor: Actor, token: ApiToken) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(
            actor=actor, action="token.revoke", target=token.user, changes={"token": token.name}
        )
    return token


def api_token_touch(*, token: ApiToken) -> None:
    """Record use at most once a minute (a write per request would cost more than the call)."""
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now


SCRAPE_TOKEN_PREFIX = "baton_metrics_"


@transaction.atomic
def scrape_token_create(*, actor: Actor, name: str) -> tuple[ScrapeToken, str]:
    """A token for Prometheus to read /metrics; returns (row, raw token), the raw token never
    stored or shown again."""
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": "Give the token a name, e.g. 'prometheus-eu'."})
    if len(name) > 100:
        raise ValidationError({"name": "A token name has at most 100 characters."})
    if ScrapeToken.objects.filter(name=name).exists():
        raise ValidationError({"name": f"A scrape token named '{name}' exists already."})
    raw = SCRAPE_TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ScrapeToken.objects.create(
        name=name, prefix=raw[: len(SCRAPE_TOKEN_PREFIX) + 4], token_hash=hash_token(raw)
    )
    audit_record(actor=actor, action="scrape_token.create", target=token, changes={"name": name})
    return token, raw


@transaction.atomic
def scrape_token_revoke(*, actor: Actor, token: ScrapeToken) -> ScrapeToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(
            actor=actor, action="scrape_token.revoke", target=token, changes={"name": token.name}
        )
    return token


def scrape_token_touch(*, token: ScrapeToken) -> None:
    """Record use at most once a minute (Prometheus scrapes every few seconds)."""
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        ScrapeToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now


@transaction.atomic
def mfa_reset(*, actor: Actor, person: AbstractBaseUser) -> int:
    """An admin's answer to "I lost my phone and my recovery codes": delete every second
    factor of `person` (authenticator app, recovery codes, security keys), end all their
    sessions, and tell them by an urgent notification (so quiet hours do not hold it). If MFA
    is required for them, their next sign-in sets up a new authenticator before anything
    else. Returns how many factors were removed; resetting someone with none changes
    nothing and records nothing."""
    from allauth.mfa.models import Authenticator

    from notifications.services import notify
    from teams.services import sessions_end_all

    if actor.user is not None and actor.user.pk == person.pk:
        raise ValidationError(
            {"person": "Change your own two-factor authentication on the Security page."}
        )
    removed, _ = Authenticator.objects.filter(user=person).delete()
    if not removed:
        return 0
    audit_record(
        actor=actor, action="person.mfa_reset", target=person, changes={"removed": removed}
    )
    # Named by display name (never the username); the time in the person's own zone.
    admin_profile = getattr(actor.user, "profile", None) if actor.user is not None else None
    by = admin_profile.display_name if admin_profile is not None else "An administrator"
    profile = getattr(person, "profile", None)
    with reader_clock(profile):
        when = fmt_your_day_time(
            timezone.now(), profile.time_zone if profile is not None else "UTC"
        )
    notify(
        recipients=[person],
        kind="accounts.mfa_reset",
        title="Your two-factor authentication was reset",
        body=(
            f"{by} removed your authenticator app and recovery codes at {when}, and signed you out "
            "everywhere. Set up a new authenticator at your next sign-in. If you did not ask "
            "for this, tell your security team."
        ),
        urgency="urgent",
        idempotency_key=f"mfa-reset:{person.pk}:{timezone.now().isoformat()}",
        actor=actor.user,
    )
    user_id = person.pk
    transaction.on_commit(lambda: sessions_end_all(user_id=user_id))
    return removed


@transaction.atomic
def signin_unlock(*, actor: Actor, person: AbstractBaseUser) -> int:
    """An admin's answer to "I typed my password wrong too often": forget the failed sign-ins
    django-axes holds against `person`, from every address, so they may sign in now rather
    than after the cool-off. Returns how many attempt records were removed; refuses when
    there are none (nothing is locked, nothing is recorded)."""
    from axes.utils import reset

    from .lockout import person_identities

    identities = person_identities(person)
    # By username, every address: the admin's request says nothing about where they failed
    # (axes' reset_request would clear the admin's own address instead).
    removed = sum(reset(username=identity) for identity in identities)
    if not removed:
        raise ValidationError({"person": "There are no failed sign-ins to clear."})
    audit_record(
        actor=actor, action="person.signin_unlock", target=person, changes={"attempts": removed}
    )
    _forget_failed_logins(identities)
    return removed


def _forget_failed_logins(logins: list[str]) -> None:
    """allauth also counts failed sign-ins per login (ACCOUNT_RATE_LIMITS "5/5m/key", keyed as
    in accounts.adapter) and would go on refusing the person for minutes after the unlock.
    Its per-address limit is left alone: it is the address's, not the person's."""
    from allauth.core.internal import ratelimit
    from django.core.cache import cache

    app, action = "allauth.account", "login_failed"
    for rate in ratelimit.get_rates(app=app, action=action):
        if rate.per == "key":
            for login in logins:
                key = ratelimit.get_cache_key(None, app=app, action=action, rate=rate, key=login)
                cache.delete(key)


@transaction.atomic
def email_mark_verified(*, actor: Actor, user: AbstractBaseUser) -> bool:
    """Record that `user` reads mail at their address: a link sent there (an invitation or a
    password reset) was used. Returns True when that changed something."""
    from allauth.account.models import EmailAddress

    email = (user.email or "").strip()
    if not email:
        return False
    address = EmailAddress.objects.filter(user=user, email__iexact=email).first()
    if address is not None and address.verified and address.primary:
        return False
    EmailAddress.objects.filter(user=user, primary=True).exclude(email__iexact=email).update(
        primary=False
    )
    if address is None:
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    else:
        address.verified = address.primary = True
        address.save(update_fields=["verified", "primary"])
    audit_record(
        actor=actor,
        action="person.email_verified",
        target=user,
        changes={"email": email},
    )
    return True


def second_factor_seeds_rewrite(*, authenticators, convert) -> int:
    """Apply `convert` to every stored second-factor seed (TOTP secret, recovery-code seed,
    migrated codes) of `authenticators` (a queryset of allauth's Authenticator, or the
    historical model in a migration); returns how many rows changed."""
    changed = 0
    for authenticator in authenticators:
        data = dict(authenticator.data or {})
        for key in ("secret", "seed"):
            if isinstance(data.get(key), str):
                data[key] = convert(data[key])
        if isinstance(data.get("migrated_codes"), list):
            data["migrated_codes"] = [convert(code) for code in data["migrated_codes"]]
        if data != authenticator.data:
            authenticator.data = data
            authenticator.save(update_fields=["data"])
            changed += 1
    return changed


def second_factor_seeds_reencrypt(*, convert) -> int:
    """second_factor_seeds_rewrite over every authenticator, rows locked: what accounts
    registers with core.crypto for reencrypt_secrets (inside its transaction)."""
    from allauth.mfa.models import Authenticator

    return second_factor_seeds_rewrite(
        authenticators=Authenticator.objects.select_for_update().order_by("pk"), convert=convert
    )
