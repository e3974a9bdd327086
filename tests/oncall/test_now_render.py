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
            "person": object(),
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
            "person": None,
            "status": None,
            "until": until,
        },
        {"row": _row(schedule_id=9), "person": object(), "status": None, "until": None},
    ]
    expected = engines["django"].from_string(TEMPLATE_LOOP).render({"rows": items})
    actual = str(now_rows_html(items, schedule_readable=_yes, person_visible=_yes))
    assert parse_html(actual) == parse_html(expected)
    assert "Core &lt;primary&gt; &amp; co" in actual and "<b>" not in actual


def _yes(_):
    return True


def test_a_schedule_or_person_the_viewer_may_not_open_is_named_without_a_link(db):
    items = [{"row": _row(), "person": object(), "status": None, "until": None}]
    html = str(now_rows_html(items, schedule_readable=lambda r: False, person_visible=_yes))
    assert "/schedules/" not in html and "Core &lt;primary&gt; &amp; co" in html
    assert 'href="/people/42/"' in html
    html = str(now_rows_html(items, schedule_readable=_yes, person_visible=lambda p: False))
    assert "/people/" not in html and "Zoë &lt;b&gt;O&#x27;Neil&lt;/b&gt;" in html
    assert 'href="/schedules/7/"' in html


def test_the_page_renders_its_rows(member_client, db):
    html = member_client.get("/oncall/").content.decode()
    assert '<table id="oncall-now"' in html


def test_the_page_links_only_what_the_viewer_may_open(db):
    """Who is on call is everyone's to see; a schedule's page only for its readers, and a
    leaver's page only for those who see leavers: else plain names, never a link to a 404."""
    import time_machine
    from django.contrib.auth import get_user_model

    from tests.oncall.world import World, utc

    world = World()
    world.daily_layer(people=[world.ana, world.bo])
    with time_machine.travel(utc(2026, 11, 3, 8), tick=False):  # Ana's shift
        get_user_model().objects.filter(pk=world.ana.pk).update(is_active=False)
        for viewer, links in ((world.cy, True), (world.outsider, False), (world.admin, True)):
            html = world.client(viewer).get("/oncall/").content.decode()
            assert "Primary" in html and ">Ana<" in html
            assert (f'href="/schedules/{world.schedule.pk}/"' in html) is links, viewer
            assert (f'href="/people/{world.ana.pk}/"' in html) is (viewer == world.admin)
