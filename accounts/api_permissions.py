"""DRF permission classes: a verified person, and a token that carries the view's scope."""

from __future__ import annotations

from rest_framework import permissions

from .models import ApiToken
from .scopes import allows
from .verification import is_verified


class IsVerifiedPerson(permissions.BasePermission):
    """A signed-in person: with a token, or with a session that completed MFA when required."""

    message = "Sign in (with MFA where required) or send a valid API token."

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not user or not user.is_authenticated or not user.is_active:
            return False
        if isinstance(request.auth, ApiToken):
            return True
        return is_verified(request._request, user)


class TokenHasScope(permissions.BasePermission):
    """Tokens are limited by scope; sessions act with the person's full rights.

    A view names its area with `scope_area` (e.g. "people"); safe methods need area:read,
    others area:write. A view without an area refuses tokens (deny by default).
    """

    def has_permission(self, request, view) -> bool:
        token = request.auth
        if not isinstance(token, ApiToken):
            return True
        area = getattr(view, "scope_area", None)
        if area is None:
            self.message = "This endpoint cannot be used with an API token."
            return False
        write = request.method not in permissions.SAFE_METHODS
        if allows(token.scopes, area, write):
            return True
        self.message = f"This token lacks the scope {area}:{'write' if write else 'read'}."
        return False
