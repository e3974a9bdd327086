"""Template filters for times: format an aware datetime in its own zone or the viewer's.

Django's `date` filter converts to the active time zone (UTC here), which would show UTC
weekdays next to local times; these filters never convert unless asked to (`in_zone`), and
all of them write through core.timefmt, so pages read like notifications and e-mails.
"""

from __future__ import annotations

import json
from datetime import datetime

from django import template

from core import nav, timefmt
from core.zones import country_name as _country_name
from core.zones import zoneinfo

register = template.Library()


@register.filter(expects_localtime=False)
def hm(value: datetime | None) -> str:
    """'03:12' in the datetime's own zone."""
    return timefmt.fmt_time(value) if value else ""


@register.filter(expects_localtime=False)
def hm_day(value: datetime | None) -> str:
    """'Tue 03:12' in the datetime's own zone."""
    return timefmt.fmt_weekday_time(value) if value else ""


@register.filter(expects_localtime=False)
def day_time(value: datetime | None) -> str:
    """'Tue 26 Nov 03:12' in the datetime's own zone."""
    return timefmt.fmt_day_time(value) if value else ""


@register.filter(expects_localtime=False)
def day(value) -> str:
    """'Thu 03 Dec' for a local calendar date."""
    return timefmt.fmt_day(value) if value else ""


@register.filter(expects_localtime=False)
def in_zone(value: datetime | None, zone_name: str) -> datetime | None:
    """Convert an aware datetime (e.g. a UTC timestamp from the database) to a zone."""
    if not value:
        return None
    return value.astimezone(zoneinfo(zone_name or "UTC"))


@register.filter(expects_localtime=False)
def stamp(value: datetime | None) -> str:
    """'Tue 26 Nov 2026 03:12' in the datetime's own zone (records can be years old)."""
    return timefmt.fmt_day_time(value, year=True) if value else ""


@register.filter(expects_localtime=False)
def utc_offset(value: datetime | None) -> str:
    """'UTC+08:00': the offset of the datetime's own zone at that moment (never an
    abbreviation: PST is both Manila and Los Angeles)."""
    return timefmt.fmt_offset(value) if value else ""


@register.filter(expects_localtime=False)
def zone_label(value: datetime | None) -> str:
    """'Asia/Manila (UTC+08:00)' for a datetime in that zone."""
    return timefmt.fmt_zone(value.tzinfo, value) if value else ""


@register.filter(expects_localtime=False)
def local_for(profile, value: datetime | None) -> str:
    """{{ person.profile|local_for:viewer_now }}: '03:12 in Manila'."""
    if not value or profile is None:
        return ""
    return timefmt.fmt_local_for(profile, value)


@register.simple_tag(takes_context=True)
def site_nav(context) -> str:
    """The navigation bar (core/nav.py: what the apps registered) for the signed-in viewer."""
    return nav.site_nav_html(context["request"], context)


@register.simple_tag
def app_stylesheets() -> str:
    """<link> tags for the stylesheets the apps registered (core.nav.register_stylesheet)."""
    return nav.stylesheets_html()


@register.simple_tag
def app_scripts() -> str:
    """<script> tags for the scripts the apps registered (core.nav.register_script)."""
    return nav.scripts_html()


@register.filter
def country_name(code: str) -> str:
    return _country_name(code or "")


@register.filter
def compact_json(value) -> str:
    """An audit event's changes as compact JSON (not Python's repr)."""
    if not value:
        return ""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


@register.filter
def duration(value) -> str:
    """A timedelta in words: '15 minutes', '1 hour 30 minutes', '2 days'."""
    try:
        minutes = int(value.total_seconds() // 60)
    except AttributeError:
        return ""
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = [
        f"{n} {unit}{'' if n == 1 else 's'}"
        for n, unit in ((days, "day"), (hours, "hour"), (minutes, "minute"))
        if n
    ]
    return " ".join(parts) or "less than a minute"
