# ruff: noqa: E501 (the template loop below is quoted as it was)
"""The on-call-now rows rendered in Python (oncall/render.py) are the markup the template loop
produced, escaping included, for a person, a gap, a missing profile and no change ahead."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from django.template import engines
from django.test.html import parse_html

from oncall.render import now_rows_html
from oncall.selectors import NowRow

# The loop templates/oncall/oncall_now.html had before the rows moved to Python.
TEMPLATE_LOOP = """{% load baton %}{% for item in rows %}
    <tr class="{% if item.row.person_id is None %}gap-row{% endif %}" data-schedule="{{ item.row.schedule_id }}">
      <td data-label="Schedule"><a href="{% url 'oncall-schedule' item.row.schedule_id %}">{{ item.row.schedule_name }}</a></td>
      <td data-label="Team">{{ item.row.team_name }}</td>
      {% if item.row.person_id is None %}
      <td data-label="On call" class="gap-text"><strong>Nobody (gap)</strong></td><td data-label=""></td>
      {% else %}
      <td data-label="On call"><a href="{% url 'person-detail' item.row.person_id %}">{{ item.row.display_name }}</a></td>
      <td data-label="Their time" class="time">{% if item.status %}{{ item.status.local|hm_day }} {{ item.status.offset }} <span class="badge {{ item.status.css }}">{{ item.status.label }}</span>{% endif %}<span class="muted small"> {{ item.row.time_zone }}</span></td>
      {% endif %}
      <td data-label="Until" class="time">{% if item.until %}{{ item.until|day_time }}{% else %}<span class="muted">no change within 92 days</span>{% endif %}</td>
    </tr>{% endfor %}"""


def _row(**fields) -> NowRow:
    base = {
        "schedule_id": 7,
        "schedule_name": "Core <primary> & co",
        "team_id": 3,
        "team_name": 'R&D "ops"',
        "schedule_time_zone": "UTC",
        "person_id": 42,
        "display_name": "Zoë <b>O'Neil</b>",
        "time_zone": "Asia/Tokyo",
        "until": None,
        "local_time": None,
    }
    return NowRow(**{**base, **fields})


def test_python_rows_match_the_template_rows(db):
    tokyo = ZoneInfo("Asia/Tokyo")
    until = datetime(2026, 3, 29, 1, 30, tzinfo=UTC).astimezone(ZoneInfo("Europe/Berlin"))
    items = [
        {
            "row": _row(),
            "status": {
                "local": datetime(2026, 3, 29, 9, 5, tzinfo=tokyo),
                "offset": "UTC+09:00",
                "label": "Working",
                "css": "badge-on",
            },
            "until": until,
        },
        {
            "row": _row(schedule_id=8, person_id=None, display_name=None),
            "status": None,
            "until": until,
        },
        {"row": _row(schedule_id=9), "status": None, "until": None},
    ]
    expected = engines["django"].from_string(TEMPLATE_LOOP).render({"rows": items})
    actual = str(now_rows_html(items))
    assert parse_html(actual) == parse_html(expected)
    assert "Core &lt;primary&gt; &amp; co" in actual and "<b>" not in actual


def test_the_page_renders_its_rows(member_client, db):
    html = member_client.get("/oncall/").content.decode()
    assert '<table id="oncall-now"' in html
