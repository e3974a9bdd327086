"""The two permission checks every app's pages and API make; the rules themselves (predicates
and `rules.add_perm`) live in each app's permissions.py."""

from __future__ import annotations

import rules
from django.core.exceptions import PermissionDenied


def rule_allows(user, perm: str, obj=None) -> bool:
    """The rule itself, without Django's superuser shortcut: admins are superusers (for the
    admin site) and User.has_perm grants a superuser everything, "not on yourself" rules
    included. Pages use it to offer an action only where its service will accept it."""
    return rules.has_perm(perm, user, obj)


def require(user, perm: str, obj=None) -> None:
    """Refuse with 403 unless `user` has `perm` on `obj`: the one check pages and API views
    make (DRF turns Django's PermissionDenied into a 403 JSON answer)."""
    if not user.has_perm(perm, obj):
        raise PermissionDenied("You do not have permission to do this.")
