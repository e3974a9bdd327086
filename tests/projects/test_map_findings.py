"""The ownership map's pure parts: owner load, bus factor, "no working hour apart", and the sun
map's bands (projects.ownership's findings, projects.map_presenters.sun_bands). No database."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from projects import map_presenters as present
from projects import ownership
from projects.ownership import PROJECT_FIELDS, MapPerson, MapTeam, SunData, SunTeam

NOW = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)  # a Wednesday
WEEK = ownership.week_start(NOW)


def hours(start: str, end: str, days=("mon", "tue", "wed", "thu", "fri")) -> str:
    return json.dumps({d: [f"{start}-{end}"] for d in days})


def person(pk: int, zone: str = "Europe/London", working: str | None = None, active=True):
    return MapPerson(
        id=pk,
        display_name=f"Person {pk}",
        country="GB",
        time_zone=zone,
        active=active,
        hours_json=working if working is not None else hours("09:00", "17:00"),
    )


def row(pk: int, *, team=1, owner=1, backup=None, critical=False, health="on_track"):
    values = dict.fromkeys(PROJECT_FIELDS)
    values.update(
        id=pk, name=f"P{pk}", slug=f"p{pk}", team_id=team, owner_id=owner,
        backup_owner_id=backup, critical=critical, health=health, orphaned=False,
        is_stale=False, status="active", priority=0,
    )  # fmt: skip
    return tuple(values[f] for f in PROJECT_FIELDS)


# --- no working hour apart --------------------------------------------------------------------


def test_week_starts_monday_utc():
    assert WEEK == datetime(2026, 11, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("owner", "backup", "flagged"),
    [
        # Same hours, same zone: when one sleeps, so does the other.
        (person(1), person(2), True),
        # A backup whose day sits inside the owner's adds no hour.
        (
            person(1, working=hours("08:00", "18:00")),
            person(2, working=hours("10:00", "16:00")),
            True,
        ),
        # A backup with no working hours on record can never act.
        (person(1), person(2, working="{}"), True),
        # A backup whose day starts an hour earlier covers that hour: not flagged.
        (person(1), person(2, working=hours("08:00", "16:00")), False),
        # An owner inside a wider backup's day: the backup covers the rest.
        (
            person(1, working=hours("10:00", "16:00")),
            person(2, working=hours("08:00", "18:00")),
            False,
        ),
        # Same wall-clock hours half a world apart: most hours apart.
        (person(1), person(2, zone="Pacific/Auckland"), False),
        # Same UTC hours though the zones differ (London in winter is UTC+0).
        (person(1), person(2, zone="Africa/Abidjan"), True),
        # Half an hour later is not a working hour apart (hours are sampled at h:30 UTC).
        (person(1), person(2, working=hours("09:00", "17:30")), True),
        # A weekend backup covers Saturday.
        (person(1), person(2, working=hours("09:00", "17:00", days=("sat",))), False),
    ],
)
def test_backup_adds_no_hour(owner, backup, flagged):
    assert ownership.backup_adds_no_hour(owner, backup, WEEK) is flagged


def test_week_mask_follows_dst_inside_the_week():
    """The week of 2026-03-29 (Europe moves to summer time on Sunday 29 March at 01:00 UTC):
    Monday 30 March 09:00 London is 08:00 UTC."""
    start = ownership.week_start(datetime(2026, 3, 31, tzinfo=UTC))
    mask = ownership.week_mask(person(1), start)
    monday_08_utc = 8
    assert mask >> monday_08_utc & 1
    assert not mask >> 16 & 1  # 17:00 London = 16:00 UTC: off


# --- owner load and bus factor ----------------------------------------------------------------


def test_overloaded_owners_own_more_than_the_threshold():
    rows = [row(i, owner=1, critical=True) for i in range(1, 5)]  # 4 critical
    rows += [row(i, owner=2, critical=True) for i in range(5, 8)]  # 3: at the threshold
    rows += [row(i, owner=3, critical=False) for i in range(8, 20)]  # many, none critical
    people = {pk: person(pk) for pk in (1, 2, 3)}
    found = ownership.findings(rows, people, now=NOW, threshold=3)
    assert found.overloaded == [(1, [1, 2, 3, 4])]
    assert found.threshold == 3


def test_teams_where_one_person_owns_most_critical_projects():
    rows = [
        # Team 1: 2 of 3 critical projects are person 1's.
        row(1, team=1, owner=1, critical=True),
        row(2, team=1, owner=1, critical=True),
        row(3, team=1, owner=2, critical=True),
        row(4, team=1, owner=2, critical=False),
        # Team 2: split evenly: nobody owns most.
        row(5, team=2, owner=3, critical=True),
        row(6, team=2, owner=4, critical=True),
        # Team 3: a single critical project always has one owner: not a finding.
        row(7, team=3, owner=5, critical=True),
    ]
    people = {pk: person(pk) for pk in range(1, 6)}
    found = ownership.findings(rows, people, now=NOW)
    assert found.concentrated == [(1, 1, 2, 3)]


def test_no_hour_apart_lists_projects_with_such_a_backup():
    people = {1: person(1), 2: person(2), 3: person(3, zone="Asia/Manila")}
    rows = [row(1, owner=1, backup=2), row(2, owner=1, backup=3), row(3, owner=1)]
    assert ownership.findings(rows, people, now=NOW).no_hour_apart == [1]


# --- the sun map ------------------------------------------------------------------------------


def test_day_slots_follow_the_viewers_day_across_dst():
    auckland = ZoneInfo("Pacific/Auckland")
    assert len(ownership.day_slots(date(2026, 12, 2), auckland)) == 24
    assert len(ownership.day_slots(date(2026, 9, 27), auckland)) == 23  # clocks go forward
    assert len(ownership.day_slots(date(2026, 4, 5), auckland)) == 25  # clocks go back
    kolkata = ownership.day_slots(date(2026, 12, 2), ZoneInfo("Asia/Kolkata"))
    assert kolkata[0].start == datetime(2026, 12, 1, 18, 30, tzinfo=UTC)


def _sun(zone: str, teams: list[SunTeam], people: dict, day=date(2026, 12, 2)) -> SunData:
    slots = ownership.day_slots(day, ZoneInfo(zone))
    for entry in teams:
        if not entry.oncall:
            entry.oncall = [set() for _ in slots]
    return SunData(zone, day, slots, teams, people, True, NOW)


def test_sun_bands_count_owners_backups_and_oncall_and_mark_gaps():
    people = {
        1: person(1),  # London 09-17 (UTC 09-17 in December)
        2: person(2, zone="Asia/Manila"),  # 09-17 Manila = 01-09 UTC
        3: person(3, zone="America/New_York", active=False),  # left: never counts
        4: person(4, zone="America/New_York"),  # on call, whatever the hour
    }
    team = SunTeam(MapTeam(1, "Platform", "platform"), {1}, {2, 3}, 1, [])
    sun = _sun("UTC", [team], people)
    team.oncall[20] = {4}  # on call 20:00-21:00 UTC
    team.oncall[21] = {3}  # someone who left: nobody
    (band,) = present.sun_bands(sun)
    cells = band["cells"]
    assert len(cells) == 24
    assert (cells[10]["owners"], cells[10]["backups"], cells[10]["total"]) == (1, 0, 1)
    assert (cells[3]["owners"], cells[3]["backups"], cells[3]["total"]) == (0, 1, 1)
    assert (cells[8]["owners"], cells[8]["backups"], cells[8]["total"]) == (0, 1, 1)
    assert cells[20]["oncall"] == 1 and cells[20]["total"] == 1
    assert cells[21]["total"] == 0 and "sun-0" in cells[21]["css"]
    assert cells[21]["title"] == "21:00–22:00: nobody can act"
    assert "1 owner, 0 backups, 0 on call (1 person)" in cells[10]["title"]
    # Nobody: 00 (Manila starts 01 UTC), 17-19, 21-23.
    gaps = [i for i, c in enumerate(cells) if c["total"] == 0]
    assert gaps == [0, 17, 18, 19, 21, 22, 23]
    assert band["gaps"] == 7
    assert cells[10]["css"].startswith("sun-1") and "now" in cells[10]["css"]


def test_sun_bands_in_the_viewers_zone():
    """A London owner (09:00-17:00, UTC+0 in December) seen from Auckland (UTC+13): Tuesday's
    day ends Wednesday 06:00 in Auckland, Wednesday's starts at 22:00."""
    team = SunTeam(MapTeam(1, "Platform", "platform"), {1}, set(), 0, [])
    sun = _sun("Pacific/Auckland", [team], {1: person(1)})
    (band,) = present.sun_bands(sun)
    working = [c["label"] for c in band["cells"] if c["total"]]
    assert working == ["00:00", "01:00", "02:00", "03:00", "04:00", "05:00", "22:00", "23:00"]
    assert present.sun_day_label(sun).startswith("Wed 02 Dec · Pacific/Auckland (UTC+13:00)")


def test_a_team_with_nothing_to_cover_is_marked_empty():
    team = SunTeam(MapTeam(1, "Quiet", "quiet"), set(), set(), 0, [])
    (band,) = present.sun_bands(_sun("UTC", [team], {}))
    assert band["empty"] and band["gaps"] == 24


# --- CSV cells --------------------------------------------------------------------------------


def test_csv_cells_never_start_a_formula():
    row_ = ("=HYPERLINK(1)", "s", "+team", "active", 0, True, "", False, True, "-Bob", "GB",
            "Europe/London", None, None, "@x", "", "", NOW, None, None)  # fmt: skip
    header, line = list(present.csv_rows([row_], zone="Pacific/Auckland"))
    assert header[17] == "last_update (Pacific/Auckland)"
    assert line[0] == "'=HYPERLINK(1)" and line[2] == "'+team" and line[9] == "'-Bob"
    assert line[14] == "'@x" and line[5] == "yes" and line[6] == "none"
    assert line[17] == "2026-12-02 23:00"  # 10:00 UTC in Auckland
