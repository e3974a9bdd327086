"""The rows of "who is on call now", rendered in Python.

A page of fifty schedules through the template engine (two {% url %} per row, the time
filters, the nested conditions) was most of the page's time, and the page is one of the most
visited. The markup is what templates/oncall/oncall_now.html produced row by row; every value
is escaped with html.escape, which is what Django's escape() does.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape

from django.utils.safestring import SafeString, mark_safe

from core.links import id_path_format
from core.timefmt import fmt_day_time, fmt_weekday_time

_INDENT = "\n    "


def now_rows_html(
    items: list[dict],
    *,
    schedule_readable: Callable[[object], bool],
    person_visible: Callable[[object], bool],
) -> SafeString:
    """The <tr> elements of the on-call-now table for presenters.now_rows(...) items. A
    schedule is linked when `schedule_readable(row)`, the person on call when
    `person_visible(item["person"])` (the views' permission checks): anything else is a name
    without a link, never a link to a "not found"."""
    schedule_url = id_path_format("oncall-schedule")
    person_url = id_path_format("person-detail")
    parts = []
    for item in items:
        row, status, until = item["row"], item["status"], item["until"]
        gap = row.person_id is None
        schedule_name = escape(row.schedule_name)
        if schedule_readable(row):
            schedule_name = f'<a href="{schedule_url(row.schedule_id)}">{schedule_name}</a>'
        cells = [
            f'<td data-label="Schedule">{schedule_name}</td>',
            f'<td data-label="Team">{escape(row.team_name)}</td>',
        ]
        if gap:
            cells.append(
                '<td data-label="On call" class="gap-text"><strong>Nobody (gap)</strong></td>'
                '<td data-label=""></td>'
            )
        else:
            name = escape(row.display_name)
            if person_visible(item["person"]):
                name = f'<a href="{person_url(row.person_id)}">{name}</a>'
            local = ""
            if status:
                local = (
                    f"{fmt_weekday_time(status['local'])} {escape(status['offset'])} "
                    f'<span class="badge {escape(status["css"])}">{escape(status["label"])}</span>'
                )
            cells.append(f'<td data-label="On call">{name}</td>')
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
