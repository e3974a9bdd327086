"""What the urgent-update pages share: the viewer's zone, finding an update the viewer may
read (404 otherwise), and checking a rule (403)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from core.permissions import found_or_404, require_rule, rule_allows
from core.zones import zoneinfo
from teams.permissions import is_person

from .. import selectors
from ..models import UrgentUpdate


def viewer_zone(request: HttpRequest) -> ZoneInfo:
    profile = getattr(request.user, "profile", None)
    return zoneinfo(profile.time_zone if profile is not None else "UTC")


def require_person(request: HttpRequest) -> None:
    """Signed in is not enough: a person with a profile (an API-only or half-made account
    reads nothing here)."""
    if not is_person(request.user):
        raise PermissionDenied("You do not have permission to do this.")


def allow(request: HttpRequest, perm: str, obj=None) -> None:
    """403 unless the rule itself allows it (rule_allows: no superuser shortcut, so an admin
    acknowledges only what the rules let an admin acknowledge)."""
    require_rule(request.user, perm, obj)


def visible_update(request: HttpRequest, pk: int) -> UrgentUpdate:
    """The update with its people, when the viewer may read it; 404 otherwise."""
    require_person(request)
    update = selectors.update_for_page(pk)
    if update is None or not rule_allows(request.user, "escalations.view_update", update):
        found_or_404(None, "urgent update")
    return update
