"""Times on the viewer's clock: 24-hour unless they chose 12-hour (Profile.clock)."""

from __future__ import annotations

from core import timefmt

from .models import Clock


class ViewerClockMiddleware:
    """For the request, core.timefmt writes times the way the signed-in person reads them.
    The profile comes with the user (the authentication backend joins it): no query."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        profile = (
            getattr(user, "profile", None) if user is not None and user.is_authenticated else None
        )
        token = timefmt.set_hour12(profile is not None and profile.clock == Clock.H12)
        try:
            return self.get_response(request)
        finally:
            timefmt.reset_hour12(token)
