"""What accounts adds to teams' pages through core.panels (registered in accounts.apps): on
a person's page, for admins, the failed sign-ins django-axes holds against them, with the
button that clears them (accounts.views.person_signin_unlock).

Rendered without the request (the page's context processors already ran); the form's CSRF
token is passed in instead. One query, and only for admins.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from core.permissions import rule_allows

from . import lockout


def signin_lockout(request: HttpRequest, *, person) -> SafeString | None:
    if not rule_allows(request.user, "teams.unlock_signin", person):
        return None
    state = lockout.signin_lockout(person)
    if state is None:
        return None
    profile = getattr(request.user, "profile", None)
    return render_to_string(
        "accounts/_signin_lockout.html",
        {
            "person": person,
            "display_name": person.profile.display_name,
            "lockout": state,
            "viewer_zone": profile.time_zone if profile is not None else "UTC",
            "csrf_token": get_token(request),
        },
    )
