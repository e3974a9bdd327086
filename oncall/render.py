"""The rows of "who is on call now", rendered in Python.

A page of fifty schedules through the template engine (two {% url %} per row, the time
filters, the nested conditions) was most of the page's time, and the page is one of the most
visited. The markup is what templates/oncall/oncall_now.html produced row by row; every value
is escaped with html.escape, which is what Django's escape() does.
"""

from __future__ import annotations

from html import escape

from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from core.timefmt import fmt_day_time, fmt_weekday_time

_INDENT = "\n    "
_MARK = 987654321


def _url_pattern(name: str) -> tuple[str, str]:
    """A URL with an integer argument as (prefix, suffix), from one reverse()."""
    prefix, suffix = reverse(name, args=[_MARK]).split(str(_MARK))
    return prefix, suffix


def now_rows_html(items: list[dict]) -> SafeString:
    """The <tr> elements of the on-call-now table for presenters.now_rows(...) items."""
    schedule_url, person_url = _url_pattern("oncall-schedule"), _url_pattern("person-detail")
    parts = []
    for item in items:
        row, status, until = item["row"], item["status"], item["until"]
        gap = row.person_id is None
        schedule = f"{schedule_url[0]}{row.schedule_id}{schedule_url[1]}"
        cells = [
            f'<td data-label="Schedule"><a href="{schedule}">{escape(row.schedule_name)}</a></td>',
            f'<td data-label="Team">{escape(row.team_name)}</td>',
        ]
        if gap:
            cells.append(
                '<td data-label="On call" class="gap-text"><strong>Nobody (gap)</strong></td>'
                '<td data-label=""></td>'
            )
        else:
            person = f"{person_url[0]}{row.person_id}{person_url[1]}"
            local = ""
            if status:
                local = (
                    f"{fmt_weekday_time(status['local'])} {escape(status['offset'])} "
                    f'<span class="badge {escape(status["css"])}">{escape(status["label"])}</span>'
                )
            cells.append(
                f'<td data-label="On call"><a href="{person}">{escape(row.display_name)}</a></td>'
            )
            cells.append(
                f'<td data-label="Their time" class="time">{local}'
                f'<span class="muted small"> {escape(row.time_zone)}</span></td>'
            )
        if until:
            cells.append(f'<td data-label="Until" class="time">{fmt_day_time(until)}</td>')
        else:
            cells.append(
                '<td data-label="Until" class="time">'
                '<span class="muted">no change within 92 days</span></td>'
            )
        parts.append(
            f'{_INDENT}<tr class="{"gap-row" if gap else ""}" data-schedule="{row.schedule_id}">'
            + "".join(f"{_INDENT}  {cell}" for cell in cells)
            + f"{_INDENT}</tr>"
        )
    return mark_safe("".join(parts))  # every value above is escaped
