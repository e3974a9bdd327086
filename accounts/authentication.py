"""`Authorization: Bearer <token>` for the API."""

from __future__ import annotations

from django.utils import timezone
from rest_framework import authentication, exceptions

from core.audit import client_ip

from .models import ApiToken
from .services import api_token_touch, hash_token
from .throttling import TokenFailureLimit


class BearerTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode("latin-1")
        if not header:
            return None
        parts = header.split()
        if not parts or parts[0].lower() != self.keyword.lower():
            return None
        ip = client_ip(request) or "unknown"
        limit = TokenFailureLimit()
        wait = limit.wait(ip)
        if wait is not None:
            raise exceptions.Throttled(
                wait=wait, detail="Too many failed token authentications from this address."
            )
        try:
            return self._check(parts)
        except exceptions.AuthenticationFailed:
            limit.record(ip)
            raise

    def _check(self, parts: list[str]):
        if len(parts) != 2 or len(parts[1]) > 200:
            raise exceptions.AuthenticationFailed("Malformed Authorization header.")
        token = (
            ApiToken.objects.select_related("user__profile")
            .filter(token_hash=hash_token(parts[1]))
            .first()
        )
        if token is None:
            raise exceptions.AuthenticationFailed("Invalid token.")
        now = timezone.now()
        if token.revoked_at is not None:
            raise exceptions.AuthenticationFailed("This token has been revoked.")
        if token.expires_at is not None and token.expires_at <= now:
            raise exceptions.AuthenticationFailed("This token has expired.")
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed("This person has left.")
        api_token_touch(token=token)
        return token.user, token

    def authenticate_header(self, request):
        return 'Bearer realm="api"'
