"""Default deny: every request must come from a verified person, except a short allow-list.

Anonymous page requests go to sign-in; anonymous API requests get 401. A signed-in person
who still owes MFA reaches only the MFA set-up pages and sign-out. API requests carrying a
Bearer token are left to DRF, whose authentication and permission classes check the token.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse

from .verification import has_totp, is_verified

# URL names anyone may reach: signing in, the MFA step of signing in, password reset (the
# invitation link), the health and readiness checks and (later) secret-token iCal feeds.
PUBLIC_URL_NAMES = frozenset(
    {
        "account_login",
        "account_logout",
        "account_signup",  # shows "sign-up is closed"
        "account_inactive",
        "account_reset_password",
        "account_reset_password_done",
        "account_reset_password_from_key",
        "account_reset_password_from_key_done",
        "mfa_authenticate",
        "healthz",
        # Prometheus: the view itself requires a scrape token or an allow-listed address and
        # answers everyone else with the ordinary 404 (accounts.scrape).
        "metrics",
        "readyz",  # says only ok/error per check (config/health.py)
        # A monitoring system raising an urgent update (escalations.api): the integration key
        # in the path is the credential (stored hashed, revocable, rate-limited per key and
        # address, failed keys counted like API tokens).
        "api-integration-inbound",
    }
)
PUBLIC_PREFIXES = ("/static/", "/ical/")

# What a signed-in person who still owes MFA may reach.
MFA_SETUP_URL_NAMES = frozenset(
    {
        "mfa_index",
        "mfa_activate_totp",
        "mfa_view_recovery_codes",
        "mfa_generate_recovery_codes",
        "mfa_download_recovery_codes",
        "account_reauthenticate",
        "mfa_reauthenticate",
        "account_logout",
    }
)


def _url_name(request: HttpRequest) -> str | None:
    try:
        return resolve(request.path_info).url_name
    except Resolver404:
        return None


def _is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith("/api/")


class DefaultDenyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        denial = self._check(request)
        return denial if denial is not None else self.get_response(request)

    def _check(self, request: HttpRequest) -> HttpResponse | None:
        path = request.path_info
        if path.startswith(PUBLIC_PREFIXES):
            return None
        if _is_api(request) and request.META.get("HTTP_AUTHORIZATION", "").lower().startswith(
            "bearer "
        ):
            return None  # DRF authenticates the token and refuses it if bad
        user = request.user
        if user.is_authenticated and is_verified(request, user):
            return None
        name = _url_name(request)
        if name in PUBLIC_URL_NAMES:
            return None
        if not user.is_authenticated or not user.is_active:
            if _is_api(request):
                return JsonResponse(
                    {"detail": "Authentication credentials were not provided."},
                    status=401,
                    headers={"WWW-Authenticate": 'Bearer realm="api"'},
                )
            return redirect(
                f"{reverse('account_login')}?{urlencode({'next': request.get_full_path()})}"
            )
        # Signed in, but not verified.
        if getattr(user, "profile", None) is None:
            logout(request)
            return _refuse(request, "This account is not a Baton person.")
        if name in MFA_SETUP_URL_NAMES:
            return None
        if _is_api(request):
            return JsonResponse(
                {"detail": "Set up two-factor authentication before using Baton."}, status=403
            )
        if has_totp(user):
            # The authenticator exists but this session never used it: sign in again.
            logout(request)
            return redirect(reverse("account_login"))
        if request.method == "GET" and name != "mfa_activate_totp":
            # Say why the page they asked for is not shown (it would otherwise look like a
            # silent bounce); once per redirect, consumed by the set-up page.
            messages.info(
                request,
                "Your role needs two-factor authentication: set up an authenticator app to "
                "continue.",
            )
        return redirect(reverse("mfa_activate_totp"))


def _refuse(request: HttpRequest, message: str) -> HttpResponse:
    if _is_api(request):
        return JsonResponse({"detail": message}, status=403)
    return redirect(reverse("account_login"))
