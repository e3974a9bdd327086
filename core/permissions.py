"""The permission checks every app's pages and API make; the rules themselves (predicates
and `rules.add_perm`) live in each app's permissions.py."""

from __future__ import annotations

from typing import TypeVar

import rules
from django.core.exceptions import PermissionDenied
from django.http import Http404

T = TypeVar("T")


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


def require_rule(user, perm: str, obj=None) -> None:
    """require() by the rule itself (rule_allows: no superuser shortcut), for the rules that
    name one person (only the owner posts their update, only the proposed owner accepts)."""
    if not rule_allows(user, perm, obj):
        raise PermissionDenied("You do not have permission to do this.")


def found_or_404(obj: T | None, what: str) -> T:
    """`obj` as a selector found it, or a 404 "No such <what>." when it did not: a selector
    that finds only what the viewer may see makes someone else's id look like no id at all.
    (DRF answers Http404 as its own 404, with the same message.)"""
    if obj is None:
        raise Http404(f"No such {what}.")
    return obj
