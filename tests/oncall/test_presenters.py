"""oncall.presenters (pure): person styles on timelines, bar labels and tooltips, and the
follow-the-sun preset's default regions. No database."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from core.timefmt import fmt_offset
from core.zones import closest_zone, zone_error
from oncall import presenters as p
from oncall.rotation import Segment

T0 = datetime(2026, 11, 16, tzinfo=UTC)  # a Monday, no DST change near it


def lane(*people, hours=8, start=T0):
    """Back-to-back segments, one per person given (None: a gap)."""
    return [
        Segment(start + timedelta(hours=hours * i), start + timedelta(hours=hours * (i + 1)), who)
        for i, who in enumerate(people)
    ]


# --- palette -----------------------------------------------------------------------------------


@pytest.mark.parametrize("count", [1, 2, 8, 9, 10, 16, p.STYLES])
def test_everyone_in_a_view_gets_a_distinct_style(count):
    ids = [1000 + 8 * i for i in range(count)]  # equal mod 8: the old colours all collided
    styles = p.assign_swatches([lane(*ids)])
    assert set(styles) == set(ids)
    assert len({s.index for s in styles.values()}) == count
    assert len({s.css for s in styles.values()}) == count  # what the page draws differs too


def test_styles_follow_first_appearance_not_ids():
    styles = p.assign_swatches([lane(42, 7, None, 99), lane(5, hours=100)])
    # Person 5's lane starts with everyone else's: first appearance is (start, lane order).
    order = sorted(styles, key=lambda pk: styles[pk].index)
    assert order == [42, 5, 7, 99]
    assert styles[42].css.startswith("c0 ")
    assert all(s.pattern == "" for s in styles.values())  # under ten people: plain colours


def test_past_nine_people_colours_repeat_with_a_pattern():
    styles = p.assign_swatches([lane(*range(1, 20))])
    tenth, first = styles[10], styles[1]
    assert tenth.colour == first.colour and tenth.pattern == "stripes" and first.pattern == ""
    assert f"pat-{tenth.pattern}" in tenth.css


def test_neighbours_differ_even_past_the_palette():
    rng = random.Random(8)
    people = list(range(1, 61))  # more people than styles
    lanes = [[*lane(*(rng.choice(people) for _ in range(40)))] for _ in range(4)]
    lanes.append(lane(*people))
    styles = p.assign_swatches(lanes)
    for one in lanes:
        for before, after in zip(one, one[1:], strict=False):
            if before.person != after.person:
                assert styles[before.person].index != styles[after.person].index


def test_gaps_and_empty_views_have_no_style():
    assert p.assign_swatches([lane(None, None)]) == {}
    assert p.assign_swatches([]) == {}


# --- contrast ----------------------------------------------------------------------------------


def test_contrast_ratio_follows_wcag():
    assert p.contrast("#000000", "#FFFFFF") == pytest.approx(21)
    assert p.contrast("#777777", "#777777") == pytest.approx(1)
    assert p.ink_for("#FFFFFF") == "dark" and p.ink_for("#000000") == "light"


def test_every_label_keeps_aa_contrast_on_its_colour():
    for index in range(p.STYLES):
        style = p.swatch(index)
        ink = p.DARK_INK if style.ink == "dark" else p.LIGHT_INK
        other = p.LIGHT_INK if style.ink == "dark" else p.DARK_INK
        assert p.contrast(style.hex, ink) >= 4.5, style
        assert p.contrast(style.hex, ink) >= p.contrast(style.hex, other)  # the better ink
    assert {p.swatch(i).ink for i in range(len(p.MUTED))} == {"dark", "light"}


def test_palette_has_no_red_that_reads_as_a_gap():
    gap_red = "#E5484D"
    for _name, colour in p.MUTED:
        r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
        assert not (r > 200 and g < 100 and b < 100), colour
        assert colour != gap_red


# --- labels and tooltips -----------------------------------------------------------------------


def test_labels_shrink_to_what_fits():
    assert p.bar_label("Ana Maria Souza", 500) == "Ana Maria Souza"
    assert p.bar_label("Ana Maria Souza", 80) == "Ana M. S."
    assert p.bar_label("Ana Maria Souza", 40) == "AMS"
    assert p.bar_label("Ana Maria Souza", 10) == ""
    assert p.bar_label("", 500) == ""


def test_tooltip_names_both_zones_with_offsets():
    london, manila = ZoneInfo("Europe/London"), ZoneInfo("Asia/Manila")
    text = p.bar_tooltip(
        "Ana Maria Souza", T0 + timedelta(hours=1), T0 + timedelta(hours=9), london, manila
    )
    assert text.startswith("Ana Maria Souza: ")
    assert "Mon 16 Nov 01:00–09:00 (Europe/London, UTC+00:00)" in text
    assert "their local time Mon 16 Nov 09:00–17:00 (Asia/Manila, UTC+08:00)" in text


def test_tooltip_in_the_persons_own_zone_and_for_gaps():
    london = ZoneInfo("Europe/London")
    same = p.bar_tooltip("Cy", T0, T0 + timedelta(hours=2), london, london)
    assert same.endswith("(Europe/London, UTC+00:00), also their local time")
    assert p.bar_tooltip("Cy", T0, T0 + timedelta(hours=2), london).startswith("Cy: ")
    gap = p.bar_tooltip(None, T0, T0 + timedelta(hours=2), ZoneInfo("UTC"))
    assert gap.startswith("Nobody on call (gap): ") and gap.endswith("(UTC)")


def test_zone_label_shows_a_dst_change_inside_the_span():
    york = ZoneInfo("America/New_York")
    start = datetime(2026, 11, 1, 4, tzinfo=UTC)  # 00:00 EDT; clocks go back at 02:00
    end = start + timedelta(hours=6)
    label = p.zone_label(york, start, end)
    # Offsets as core.timefmt writes them (with a real minus sign).
    assert label == "America/New_York, UTC\u221204:00 then UTC\u221205:00"
    assert label == f"America/New_York, {fmt_offset(start, york)} then {fmt_offset(end, york)}"
    assert "EST" not in label and "EDT" not in label


# --- follow-the-sun regions --------------------------------------------------------------------

SPREAD = [
    ("ada", "America/Los_Angeles"),
    ("bo", "America/New_York"),
    ("cam", "America/New_York"),
    ("dee", "America/Chicago"),
    ("eli", "Europe/London"),
    ("fay", "Europe/Berlin"),
    ("gus", "Europe/Berlin"),
    ("hal", "Africa/Lagos"),
    ("ida", "Asia/Kolkata"),
    ("jo", "Asia/Manila"),
    ("kai", "Asia/Manila"),
    ("lu", "Australia/Sydney"),
]


def _utc_hours(region: p.Region, at: datetime) -> set[int]:
    """The UTC hours of the day a region's local window covers."""
    start_h, start_m = map(int, region.start.split(":"))
    end_h, end_m = map(int, region.end.split(":"))
    begin = (start_h + start_m / 60 - region.offset) % 24
    length = (end_h + end_m / 60 - start_h - start_m / 60) % 24 or 24
    assert float(begin).is_integer() and float(length).is_integer()
    return {int(begin + h) % 24 for h in range(int(length))}


def test_three_continents_give_three_regions_that_tile_the_day():
    at = datetime(2026, 11, 18, 12, tzinfo=UTC)
    regions = p.default_regions(SPREAD, at)
    assert [r.name for r in regions] == ["Asia/Pacific", "Europe/Africa", "Americas"]
    assert [r.zone for r in regions] == ["Asia/Manila", "Europe/Berlin", "America/New_York"]
    assert [r.count for r in regions] == [4, 4, 4] and all(r.on for r in regions)
    assert regions[2].usernames == ["ada", "bo", "cam", "dee"]
    covered = [_utc_hours(r, at) for r in regions]
    assert sum(len(c) for c in covered) == 24  # no overlap...
    assert set().union(*covered) == set(range(24))  # ...and no gap
    for region in regions:  # each window holds the region's 13:00, mid working day
        h = [int(x) for x in (region.start[:2], region.end[:2])]
        assert h[0] <= 13 < (h[1] if h[1] > h[0] else h[1] + 24)


def test_one_region_covers_the_whole_day_and_no_members_no_regions():
    at = datetime(2026, 11, 18, 12, tzinfo=UTC)
    (only,) = p.default_regions([("a", "Europe/London"), ("b", "Europe/Paris")], at)
    assert only.start == only.end  # start == end: the whole day (rotation semantics)
    assert only.zone in ("Europe/London", "Europe/Paris") and only.count == 2
    assert p.default_regions([], at) == []


def test_the_region_rule_is_by_utc_offset():
    assert p.region_of(-8) == p.region_of(-5) == p.region_of(-2) == "Americas"
    assert (
        p.region_of(-1) == p.region_of(0) == p.region_of(3) == p.region_of(4) == ("Europe/Africa")
    )
    assert p.region_of(5.5) == p.region_of(10) == p.region_of(14) == "Asia/Pacific"


@pytest.mark.parametrize("month", range(1, 13))
def test_any_team_tiles_the_day_whatever_the_season(month):
    rng = random.Random(month)
    zones = _SAMPLE_ZONES
    at = datetime(2026, month, 10, 12, tzinfo=UTC)
    for _ in range(30):
        team = [(f"u{i}", rng.choice(zones)) for i in range(rng.randint(1, 9))]
        regions = [r for r in p.default_regions(team, at) if r.on]
        assert 1 <= len(regions) <= 3
        hours = [round(_hours_covered(r), 2) for r in regions]
        assert sum(hours) == 24


_SAMPLE_ZONES = [
    "Pacific/Honolulu",
    "America/Los_Angeles",
    "America/Sao_Paulo",
    "America/St_Johns",
    "Atlantic/Azores",
    "UTC",
    "Europe/Helsinki",
    "Asia/Dubai",
    "Asia/Kathmandu",
    "Asia/Kolkata",
    "Asia/Tokyo",
    "Australia/Adelaide",
    "Pacific/Auckland",
    "Pacific/Kiritimati",
]


def _hours_covered(region: p.Region) -> float:
    start_h, start_m = map(int, region.start.split(":"))
    end_h, end_m = map(int, region.end.split(":"))
    return (end_h + end_m / 60 - start_h - start_m / 60) % 24 or 24


# --- zone messages -----------------------------------------------------------------------------


def test_zone_error_says_it_plainly_and_suggests_the_closest_zone():
    message = zone_error("Europe/Londn")
    assert message == "'Europe/Londn' is not a time zone we know. Did you mean Europe/London?"
    assert "pytz" not in message and "IANA" not in message
    assert closest_zone("america/new york") == "America/New_York"
    assert closest_zone("manila") == "Asia/Manila"
    assert closest_zone("Mars/Olympus") is None
    assert "Europe/London" in zone_error("Mars/Olympus")  # an example instead
    assert len(zone_error("x" * 5000)) < 200  # junk is not echoed in full
