"""teams.presenters (pure): a person's week in two zones, a team's day-strip axis and "now"
slot, and the directory's result line and page links. No database."""

from __future__ import annotations

import ast
from datetime import UTC, date, datetime
from pathlib import Path
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from teams import presenters as p

OFFICE = {d: ["09:00-17:00"] for d in ("mon", "tue", "wed", "thu", "fri")}


def test_presenters_import_no_orm():
    source = Path(p.__file__).read_text()
    modules = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom):
            modules.add(("." * node.level) + (node.module or ""))
        elif isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
    assert not any(m.startswith("django") for m in modules), modules
    assert not {".models", ".selectors", ".services"} & modules, modules


def test_week_in_zones_gives_both_sides_of_each_range():
    manila = SimpleNamespace(time_zone="Asia/Manila", working_hours=OFFICE)
    now = datetime(2026, 1, 7, 10, 0, tzinfo=UTC)
    week = p.week_in_zones(manila, ZoneInfo("Europe/London"), now=now)
    assert len(week) == 5
    assert week[0]["theirs"].startswith("Mon 09:00")
    assert week[0]["yours"].startswith("Mon 01:00")  # Manila is 8 hours ahead in January
    nobody = SimpleNamespace(time_zone="UTC", working_hours=None)
    assert p.week_in_zones(nobody, ZoneInfo("UTC"), now=now) == []


def test_strip_axis_labels_every_three_hours_across_a_dst_change():
    london = ZoneInfo("Europe/London")
    axis = p.strip_axis(london, date(2026, 1, 7), 48)
    assert [label for label in axis if label] == ["00", "03", "06", "09", "12", "15", "18", "21"]
    assert axis[1] == axis[5] == ""
    # The day the clocks go forward has 46 slots; labels follow the wall clock.
    spring = p.strip_axis(london, date(2026, 3, 29), 46)
    assert [label for label in spring if label][:3] == ["00", "04", "07"]


def test_now_slot_counts_half_hours_from_local_midnight():
    tokyo = ZoneInfo("Asia/Tokyo")
    now = datetime(2026, 1, 7, 1, 45, tzinfo=UTC)  # 10:45 in Tokyo
    assert p.now_slot(tokyo, date(2026, 1, 7), now) == 21
    assert p.STRIP_SLOT_MINUTES == 30


@pytest.mark.parametrize(
    ("count", "text"), [(0, "0 people"), (1, "1 person"), (2, "2 people"), (1200, "1200 people")]
)
def test_people_count_says_person_or_people(count, text):
    assert p.people_count(count) == text


def test_directory_pager_links_keep_the_filters():
    first = p.directory_pager(count=120, number=1, num_pages=3, query="q=an&team=4")
    assert first == {
        "count": 120,
        "people": "120 people",
        "number": 1,
        "num_pages": 3,
        "previous": "",
        "next": "?q=an&team=4&page=2",
    }
    middle = p.directory_pager(count=120, number=2, num_pages=3, query="")
    assert (middle["previous"], middle["next"]) == ("?page=1", "?page=3")
    only = p.directory_pager(count=1, number=1, num_pages=1, query="q=x")
    assert (only["previous"], only["next"], only["people"]) == ("", "", "1 person")
