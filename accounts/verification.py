"""Is this session a verified person? One definition shared by pages, the API and WebSockets."""

from __future__ import annotations

from datetime import UTC, datetime

from django.contrib.auth.models import AbstractBaseUser

from teams.selectors import mfa_required

# allauth keeps the list of completed authentication steps in the session under this key.
AUTH_RECORDS_KEY = "account_authentication_methods"
VERIFIED_KEY = "baton_mfa_verified_user"


def is_verified(request_or_scope, user: AbstractBaseUser) -> bool:
    """True for an active person who has completed MFA in this session when MFA is required.

    A session counts as MFA-verified when allauth recorded an "mfa" step (TOTP or recovery
    code at sign-in or re-authentication), or when the person activated their authenticator
    during this session (which proves they hold it). The answer is remembered in the session.
    """
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    # The middleware and DRF both ask during one request; answer once.
    cached = getattr(request_or_scope, "_baton_verified", None)
    if cached is not None and cached[0] == user.pk:
        return cached[1]
    answer = _is_verified(request_or_scope, user)
    if not isinstance(request_or_scope, dict):
        request_or_scope._baton_verified = (user.pk, answer)
    return answer


def _is_verified(request_or_scope, user: AbstractBaseUser) -> bool:
    if getattr(user, "profile", None) is None:
        return False  # accounts without a profile (e.g. a bare createsuperuser) are not people
    session = _session(request_or_scope)
    if session is None:
        return False
    if not mfa_required(user):
        return True
    if session.get(VERIFIED_KEY) == user.pk:
        return True
    records = session.get(AUTH_RECORDS_KEY) or []
    verified = any(record.get("method") == "mfa" for record in records)
    if not verified and records:
        from allauth.mfa.models import Authenticator

        first_step = min(record.get("at", 0) for record in records)
        verified = Authenticator.objects.filter(
            user=user,
            type=Authenticator.Type.TOTP,
            created_at__gte=datetime.fromtimestamp(first_step, tz=UTC),
        ).exists()
    if verified:
        session[VERIFIED_KEY] = user.pk
    return verified


def has_totp(user: AbstractBaseUser) -> bool:
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def _session(request_or_scope):
    if isinstance(request_or_scope, dict):
        return request_or_scope.get("session")
    return getattr(request_or_scope, "session", None)
