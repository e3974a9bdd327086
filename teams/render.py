"""The directory's result rows and team picker, rendered in Python.

Fifty rows through the template engine (a {% url %} per link, filters, nested team loops) and
a 1,500-option <select> through Django's choice handling were most of the page's time. The
markup is exactly what templates/teams/_directory_results.html used to produce; every value
is escaped with html.escape, which is what Django's escape() does.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from functools import lru_cache
from html import escape

from django import forms
from django.forms.utils import flatatt
from django.urls import reverse
from django.utils.choices import BaseChoiceIterator
from django.utils.safestring import SafeString, mark_safe

from .forms import DirectoryFilterForm
from .selectors import LocalStatusCache
from .widgets import FastSelect, _option
from .zones import country_choices, country_name

# A slug reverse() would pass through unchanged (and escape() too); anything else is reversed.
_PLAIN_SLUG = re.compile(r"^[-a-zA-Z0-9_]+$")
_ROW_INDENT = "\n        "


class _UrlPatterns:
    """person and team URLs from one reverse() each, then string formatting."""

    def __init__(self) -> None:
        person = reverse("person-detail", args=[987654321])
        self.person_prefix, self.person_suffix = person.split("987654321")
        team = reverse("team-detail", args=["slug-marker"])
        self.team_prefix, self.team_suffix = team.split("slug-marker")

    def person(self, pk: int) -> str:
        return f"{self.person_prefix}{pk}{self.person_suffix}"

    def team(self, slug: str) -> str:
        if _PLAIN_SLUG.match(slug):
            return f"{self.team_prefix}{slug}{self.team_suffix}"
        return escape(reverse("team-detail", args=[slug]))


def directory_rows_html(
    rows: list[dict], *, statuses: LocalStatusCache, can_contact: Callable[[dict], bool]
) -> SafeString:
    """The <tr> elements of the directory table for rows from selectors.person_rows/complete_rows.
    `can_contact(row)` decides whether the email is shown (a rules permission check)."""
    urls = _UrlPatterns()
    times: dict[str, tuple[str, str]] = {}
    parts = []
    for row in rows:
        status = statuses.status(row["time_zone"], row["week_ranges"])
        shown_time = times.get(row["time_zone"])
        if shown_time is None:
            shown_time = times[row["time_zone"]] = (
                status.local_time.strftime("%H:%M %a"),
                escape(status.zone_abbrev),
            )
        teams = ", ".join(
            f'<a href="{urls.team(m["slug"])}">{escape(m["name"])}</a>'
            + (' <span class="badge badge-role">lead</span>' if m["role"] == "lead" else "")
            for m in row["teams"]
        )
        if status.working:
            badge = '<span class="badge badge-on">Working</span>'
        else:
            badge = '<span class="badge badge-off">Off</span>'
        if can_contact(row):
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


class PlainChoices(BaseChoiceIterator):
    """Choices already in (value, label) form. Django normalises a plain list item by item
    (slow for 1,500 teams) but passes a BaseChoiceIterator through unchanged."""

    def __init__(self, choices: Iterable[tuple[object, str]]):
        self._choices = list(choices)

    def __iter__(self):
        return iter(self._choices)

    def __len__(self) -> int:
        return len(self._choices)


class MemoSelect(FastSelect):
    """FastSelect with its <option> list memoised by the choices themselves: the team list
    rarely changes, so it is built once per process; a renamed or added team makes a
    different key, so an old list is never served. Single-valued selects only."""

    _cache: dict[tuple, str] = {}

    def render(self, name, value, attrs=None, renderer=None):
        if isinstance(value, list | tuple):
            return super().render(name, value, attrs, renderer)
        final_attrs = self.build_attrs(self.attrs, attrs or {})
        final_attrs["name"] = name
        key = tuple(self.choices)
        options = self._cache.get(key)
        if options is None:
            options = "".join(_option(v, label, set()) for v, label in key)
            if len(self._cache) >= 16:
                self._cache.clear()
            self._cache[key] = options
        selected = "" if value is None else str(value)
        marker = f'<option value="{escape(selected)}">'
        options = options.replace(marker, marker[:-1] + " selected>", 1)
        return mark_safe(f"<select{flatatt(final_attrs)}>{options}</select>")


class DirectoryFilters(DirectoryFilterForm):
    """DirectoryFilterForm with its pickers as PlainChoices and MemoSelect: the same fields,
    labels and validation, without re-normalising 1,500 teams and 250 countries per request.
    `teams` are (id, name) pairs in display order."""

    def __init__(self, data=None, *, teams: Iterable[tuple[int, str]]):
        # forms.Form's __init__, not DirectoryFilterForm's: that one sets plain-list choices
        # (normalised item by item), which are replaced here anyway.
        forms.Form.__init__(self, data)
        for name, choices in (
            ("team", [("", "All teams"), *teams]),
            ("country", _country_choices()),
        ):
            field = self.fields[name]
            field.widget = MemoSelect(attrs=field.widget.attrs)
            field.choices = PlainChoices(choices)


@lru_cache(maxsize=1)
def _country_choices() -> tuple[tuple[str, str], ...]:
    return (("", "All countries"), *country_choices())
