from django.utils import timezone

from core.zones import zoneinfo


def viewer(request):
    """The viewer's zone and 'now' for templates (every time on screen is in their zone)."""
    user = getattr(request, "user", None)
    profile = getattr(user, "profile", None) if user is not None and user.is_authenticated else None
    zone_name = profile.time_zone if profile is not None else "UTC"
    now = timezone.now()
    return {
        "viewer_zone": zone_name,
        "viewer_now": now.astimezone(zoneinfo(zone_name)),
        "viewer_profile": profile,
    }
