"""The directory's result rows and team picker, rendered in Python.

Fifty rows through the template engine (a {% url %} per link, filters, nested team loops) and
a 1,500-option <select> through Django's choice handling were most of the page's time. The
markup is exactly what templates/teams/_directory_results.html used to produce; every value
is escaped with html.escape, which is what Django's escape() does.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from html import escape

from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from core.links import id_path_format
from core.timefmt import fmt_weekday_time
from core.zones import country_name

from .models import TeamRole
from .selectors import LocalStatusCache

# A slug reverse() would pass through unchanged (and escape() too); anything else is reversed.
_PLAIN_SLUG = re.compile(r"^[-a-zA-Z0-9_]+$")
_ROW_INDENT = "\n        "


class _UrlPatterns:
    """person and team URLs from one reverse() each, then string formatting."""

    def __init__(self) -> None:
        self.person = id_path_format("person-detail")
        team = reverse("team-detail", args=["slug-marker"])
        self.team_prefix, self.team_suffix = team.split("slug-marker")

    def team(self, slug: str) -> str:
        if _PLAIN_SLUG.match(slug):
            return f"{self.team_prefix}{slug}{self.team_suffix}"
        return escape(reverse("team-detail", args=[slug]))


def directory_rows_html(
    rows: list[dict], *, statuses: LocalStatusCache, can_contact: Callable[[int], bool]
) -> SafeString:
    """The <tr> elements of the directory table for rows from selectors.person_rows/complete_rows.
    `can_contact(person_id)` decides whether the email is shown
    (permissions.contact_visibility)."""
    urls = _UrlPatterns()
    times: dict[str, tuple[str, str]] = {}
    parts = []
    for row in rows:
        status = statuses.status(row["time_zone"], row["week_ranges"])
        shown_time = times.get(row["time_zone"])
        if shown_time is None:
            shown_time = times[row["time_zone"]] = (
                fmt_weekday_time(status.local_time),
                escape(status.utc_offset),
            )
        teams = ", ".join(
            f'<a href="{urls.team(m["slug"])}">{escape(m["name"])}</a>'
            + (' <span class="badge badge-role">lead</span>' if m["role"] == TeamRole.LEAD else "")
            for m in row["teams"]
        )
        if status.working:
            badge = '<span class="badge badge-on">Working</span>'
        else:
            badge = '<span class="badge badge-off">Off</span>'
        if can_contact(row["id"]):
            email = escape(row["email"])
            contact = f'<a href="mailto:{email}">{email}</a>'
        else:
            contact = '<span class="muted">—</span>'
        country = row["country"] or ""
        parts.append(
            f'{_ROW_INDENT}<tr data-person="{row["id"]}">'
            f'{_ROW_INDENT}  <td data-label="Name"><a href="{urls.person(row["id"])}">'
            f"{escape(row['display_name'])}</a> "
            f'<span class="muted small">@{escape(row["username"])}</span></td>'
            f'{_ROW_INDENT}  <td data-label="Title">{escape(row["title"] or "")}</td>'
            f'{_ROW_INDENT}  <td data-label="Teams">{teams}</td>'
            f'{_ROW_INDENT}  <td data-label="Country" title="{escape(country_name(country))}">'
            f"{escape(country)}</td>"
            f'{_ROW_INDENT}  <td data-label="Local time" class="time">{shown_time[0]} '
            f'<span class="muted">{shown_time[1]}</span></td>'
            f'{_ROW_INDENT}  <td data-label="Status">{badge}</td>'
            f'{_ROW_INDENT}  <td data-label="Email">{contact}</td>'
            f"{_ROW_INDENT}</tr>{_ROW_INDENT}"
        )
    return mark_safe("".join(parts))  # every value above is escaped


def strip_cells_html(strip: list[bool], now_slot: int | None) -> SafeString:
    """A member's day strip on the team page: one cell per slot, "on" while they work, "now"
    on the current slot. Rendered here: 96 cells a member through {% for %} and two {% if %}
    each were most of the team page's time."""
    return mark_safe(  # fixed markup: no value from a person goes in
        "".join(
            f'<span class="cell{" on" if on else ""}{" now" if index == now_slot else ""}"></span>'
            for index, on in enumerate(strip)
        )
    )
