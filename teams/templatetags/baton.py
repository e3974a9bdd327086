"""Template filters for times: format an aware datetime in its own zone or the viewer's.

Django's `date` filter converts to the active time zone (UTC here), which would hide a
person's local time; these filters never convert unless asked to.
"""

from __future__ import annotations

import json
from datetime import datetime

from django import template

from teams.nav import site_nav_html
from teams.zones import country_name as _country_name
from teams.zones import zoneinfo

register = template.Library()


@register.filter(expects_localtime=False)
def hm(value: datetime | None) -> str:
    """'03:12' in the datetime's own zone."""
    return value.strftime("%H:%M") if value else ""


@register.filter(expects_localtime=False)
def hm_day(value: datetime | None) -> str:
    """'03:12 Tue' in the datetime's own zone."""
    return value.strftime("%H:%M %a") if value else ""


@register.filter(expects_localtime=False)
def in_zone(value: datetime | None, zone_name: str) -> datetime | None:
    """Convert an aware datetime (e.g. a UTC timestamp from the database) to a zone."""
    if not value:
        return None
    return value.astimezone(zoneinfo(zone_name or "UTC"))


@register.filter(expects_localtime=False)
def stamp(value: datetime | None) -> str:
    """'2026-11-26 03:12' in the datetime's own zone."""
    return value.strftime("%Y-%m-%d %H:%M") if value else ""


@register.simple_tag(takes_context=True)
def site_nav(context) -> str:
    """The navigation bar (teams/nav.py) for the signed-in viewer."""
    request = context["request"]
    return site_nav_html(request, bell=context["notification_bell"])


@register.filter
def country_name(code: str) -> str:
    return _country_name(code or "")


@register.filter
def compact_json(value) -> str:
    """An audit event's changes as compact JSON (not Python's repr)."""
    if not value:
        return ""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
