"""How the ownership map presents what projects.ownership reads. Pure: no ORM, no request;
the views and the API hand in the selectors' plain values and the viewer's zone.

* `api_payload(data)`: the JSON of /api/v1/ownership-map/ (documented by
  projects.map_api's output serializers; a test checks the two agree).
* `summary(data)`: the counts at the top of the map pages.
* `finding_rows(data, now=, zone=)`: owner load and bus factor, with names and local times.
* `table_rows(projects, zone=)`, `csv_rows(rows, zone=)`: the table view and its CSV export.
* `sun_bands(sun)`: the sun map, one 24-hour band a team in the viewer's zone: how many
  owners, backups and on-call people can act in each hour; an hour with nobody is a gap.
* `sort_links(...)`, `filter_query(...)`: the table's sortable headers and the links that
  keep the filters from one view of the map to the next.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from html import escape
from operator import itemgetter
from urllib.parse import urlencode

import pytz
from django.utils.safestring import SafeString, mark_safe

from core.timefmt import fmt_city, fmt_day, fmt_day_time, fmt_offset, fmt_time
from core.zones import zoneinfo

from .models import Health, Priority, ProjectStatus
from .ownership import (
    M_ACTIVE,
    P_BACKUP,
    P_CRITICAL,
    P_HEALTH,
    P_ID,
    P_NAME,
    P_ORPHANED,
    P_OWNER,
    P_SLUG,
    P_STALE,
    P_TEAM,
    PROJECT_FIELDS,
    SORTS,
    Instants,
    MapData,
    MapFilters,
    SunData,
    working_mask,
)

HEALTH_LABELS = dict(Health.choices)
STATUS_LABELS = dict(ProjectStatus.choices)
PRIORITY_LABELS = dict(Priority.choices)
NO_UPDATE = "No update yet"


def utc_stamp(value: datetime | None) -> str | None:
    """'2026-12-02T08:30:00Z' (what every instant in Baton's API looks like)."""
    if value is None:
        return None
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="seconds") + "Z"


def _day(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def country_label(code: str) -> str:
    return pytz.country_names.get(code.upper(), code) if code else ""


# --- the API ----------------------------------------------------------------------------------


# The API's name for each column of ownership.PROJECT_FIELDS (the rows are JSON-ready).
API_PROJECT_KEYS = tuple(
    {
        "team_id": "team",
        "owner_id": "owner",
        "backup_owner_id": "backup_owner",
        "acting_owner_id": "acting_owner",
        "is_stale": "stale",
    }.get(name, name)
    for name in PROJECT_FIELDS
)


def api_payload(data: MapData) -> dict:
    """The map as JSON-ready values: the projects as a table (`project_columns` names the
    values of each row in `projects`; people and teams by id), the people and teams they
    name once each, the counts and the findings. Rows rather than one object a project: at
    3,000 projects the object keys were more than half of the answer's megabyte and of the
    time spent writing it."""
    counts = Counter(map(itemgetter(P_TEAM), data.projects))
    found = data.findings
    return {
        "scope": "org" if data.whole_org else "my_teams",
        "generated_at": utc_stamp(data.generated_at),
        "filters": {
            "team": data.filters.team,
            "country": data.filters.country.upper(),
            "health": data.filters.health,
        },
        "summary": summary(data),
        "teams": [
            {"id": t.id, "name": t.name, "slug": t.slug, "projects": counts[t.id]}
            for t in sorted(data.teams.values(), key=lambda t: (t.name.lower(), t.id))
        ],
        "people": [
            {
                "id": pk,
                "display_name": name,
                "country": country,
                "time_zone": zone,
                "active": active,
            }
            for pk, name, country, zone, active, _hours in sorted(data.people.values())
        ],
        "project_columns": list(API_PROJECT_KEYS),
        "projects": data.projects,
        "findings": {
            "overload_threshold": found.threshold,
            "overloaded_owners": [
                {"person": pk, "critical_projects": len(ids), "projects": ids}
                for pk, ids in found.overloaded
            ],
            "concentrated_teams": [
                {"team": team, "person": person, "critical_projects": most, "team_critical": total}
                for team, person, most, total in found.concentrated
            ],
            "no_hour_apart": found.no_hour_apart,
        },
    }


def summary(data: MapData) -> dict:
    """How many projects the map shows, by health, orphaned, stale and critical."""
    rows = data.projects
    health = Counter(map(itemgetter(P_HEALTH), rows))
    return {
        "projects": len(rows),
        "on_track": health[Health.ON_TRACK],
        "at_risk": health[Health.AT_RISK],
        "off_track": health[Health.OFF_TRACK],
        "no_update": health[""],
        # The flags are booleans: their sum counts the projects flagged.
        "orphaned": sum(map(itemgetter(P_ORPHANED), rows)),
        "stale": sum(map(itemgetter(P_STALE), rows)),
        "critical": sum(map(itemgetter(P_CRITICAL), rows)),
        "teams": len(data.teams),
        "owners": len(set(map(itemgetter(P_OWNER), rows))),
    }


# --- owner load and bus factor ----------------------------------------------------------------


@dataclass(frozen=True)
class PersonView:
    id: int
    name: str
    place: str  # "Manila, Philippines"
    local: str  # "03:12 Thu (UTC+08:00)"
    active: bool


def person_view(person: tuple | None, now: datetime) -> PersonView | None:
    """`person`: MapPerson's values (ownership.people_for_map)."""
    if person is None:
        return None
    pk, name, country, zone_name, active, _hours = person
    zone = zoneinfo(zone_name)
    return PersonView(
        id=pk,
        name=name,
        place=", ".join(p for p in (fmt_city(zone_name), country_label(country)) if p),
        local=f"{fmt_time(now, zone)} {now.astimezone(zone):%a} ({fmt_offset(now, zone)})",
        active=active,
    )


FINDINGS_SHOWN = 200  # rows a list of the risks page shows (the rest: narrow the filters)


def finding_rows(data: MapData, *, now: datetime, limit: int = FINDINGS_SHOWN) -> dict:
    """The findings with the names, places and local times the risks page shows, at most
    `limit` of each (with how many there are)."""
    by_id = {row[P_ID]: row for row in data.projects}
    people = data.people

    def project(pk: int) -> dict:
        row = by_id[pk]
        return {"id": pk, "name": row[P_NAME], "slug": row[P_SLUG], "health": row[P_HEALTH]}

    found = data.findings
    return {
        "threshold": found.threshold,
        "overloaded": [
            {
                "person": person_view(people.get(pk), now),
                "count": len(ids),
                "projects": [project(i) for i in ids],
            }
            for pk, ids in found.overloaded[:limit]
        ],
        "concentrated": [
            {
                "team": data.teams.get(team),
                "person": person_view(people.get(person), now),
                "count": most,
                "total": total,
            }
            for team, person, most, total in found.concentrated[:limit]
        ],
        "no_hour_apart": [
            {
                **project(pk),
                "team": data.teams.get(by_id[pk][P_TEAM]),
                "owner": person_view(people.get(by_id[pk][P_OWNER]), now),
                "backup": person_view(people.get(by_id[pk][P_BACKUP]), now),
            }
            for pk in found.no_hour_apart[:limit]
        ],
        "limit": limit,
        "totals": {
            "overloaded": len(found.overloaded),
            "concentrated": len(found.concentrated),
            "no_hour_apart": len(found.no_hour_apart),
        },
    }


# --- the table and the CSV --------------------------------------------------------------------


def health_css(health: str) -> str:
    return f"health-{health.replace('_', '-')}" if health else "health-none"


@dataclass(frozen=True)
class Urls:
    """URL patterns the view reversed once ("/people/{}/"): a row's links are formatted, not
    reversed, a hundred rows at a time."""

    project: str
    person: str
    team: str


def _person_cell(person, urls: Urls) -> dict | None:
    if person is None:
        return None
    profile = getattr(person, "profile", None)
    return {
        "name": profile.display_name if profile is not None else person.get_username(),
        "url": urls.person.format(person.pk),
        "left": not person.is_active,
    }


def table_rows(projects: Iterable, *, zone: str, urls: Urls) -> list[dict]:
    """One dict per project (projects.selectors.with_people instances) for the table: names,
    links and marks, times in `zone` (the viewer's)."""
    rows = []
    for p in projects:
        accountable = p.acting_owner or p.owner
        country = _profile(accountable, "country")
        rows.append(
            {
                "name": p.name,
                "url": urls.project.format(p.slug),
                "team": p.team.name,
                "team_url": urls.team.format(p.team.slug),
                "owner": _person_cell(p.owner, urls),
                "acting": _person_cell(p.acting_owner, urls),
                "acting_until": fmt_day_time(p.acting_until, zone) if p.acting_until else "",
                "backup": _person_cell(p.backup_owner, urls),
                "country": country,
                "country_name": country_label(country),
                "health": p.health,
                "health_label": HEALTH_LABELS.get(p.health, NO_UPDATE),
                "health_css": health_css(p.health),
                "status": STATUS_LABELS.get(p.status, p.status),
                "critical": p.critical,
                "orphaned": p.orphaned,
                "stale": p.is_stale,
                "updated": fmt_day_time(p.last_update_at, zone) if p.last_update_at else "",
                "due": fmt_day(p.update_due_on) if p.update_due_on else "",
            }
        )
    return rows


def _profile(person, attr: str) -> str:
    profile = getattr(person, "profile", None) if person is not None else None
    return getattr(profile, attr, "") if profile is not None else ""


CSV_HEADER = (
    "project",
    "slug",
    "team",
    "status",
    "priority",
    "critical",
    "health",
    "orphaned",
    "stale",
    "owner",
    "owner_country",
    "owner_time_zone",
    "acting_owner",
    "acting_until",
    "backup_owner",
    "backup_country",
    "backup_time_zone",
    "last_update",
    "update_due_on",
    "target_date",
)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value) -> str:
    """A CSV cell; text that a spreadsheet would run as a formula gets a leading apostrophe
    (OWASP "CSV injection")."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def csv_rows(rows: Iterable[tuple], *, zone: str) -> Iterable[list[str]]:
    """The CSV's header then one line per ownership.export_rows row; instants in `zone`
    (the viewer's) as 'YYYY-MM-DD HH:MM' with the zone named in the header."""
    tz = zoneinfo(zone)
    yield [*CSV_HEADER[:-3], f"last_update ({zone})", *CSV_HEADER[-2:]]
    for (name, slug, team, status, priority, critical, health, orphaned, stale, owner,
         owner_country, owner_zone, acting, acting_until, backup, backup_country, backup_zone,
         last_update, due, target) in rows:  # fmt: skip
        yield [
            _cell(name),
            _cell(slug),
            _cell(team),
            _cell(status),
            _cell(PRIORITY_LABELS.get(priority, priority)),
            _cell(critical),
            _cell(health or "none"),
            _cell(orphaned),
            _cell(stale),
            _cell(owner),
            _cell(owner_country),
            _cell(owner_zone),
            _cell(acting),
            _cell(_local_stamp(acting_until, tz)),
            _cell(backup),
            _cell(backup_country),
            _cell(backup_zone),
            _cell(_local_stamp(last_update, tz)),
            _cell(_day(due)),
            _cell(_day(target)),
        ]


def _local_stamp(value: datetime | None, tz) -> str:
    return value.astimezone(tz).strftime("%Y-%m-%d %H:%M") if value is not None else ""


# --- links that keep the filters --------------------------------------------------------------


def filter_query(filters: MapFilters, **extra) -> str:
    """The query string of `filters` (and `extra`), blank values left out."""
    params = {
        "team": filters.team or "",
        "country": filters.country.upper(),
        "health": filters.health,
        **extra,
    }
    return urlencode({k: v for k, v in params.items() if v not in ("", None)})


SORT_COLUMNS = (
    ("project", "Project"),
    ("team", "Team"),
    ("owner", "Owner"),
    ("country", "Country"),
    ("backup", "Backup"),
    ("health", "Health"),
    ("status", "Status"),
    ("critical", "Critical"),
    ("updated", "Last update"),
    ("due", "Update due"),
)


def sort_links(filters: MapFilters, sort: str) -> list[dict]:
    """The table's headers: each a link sorting by its column (ascending first, again to
    reverse), with aria-sort for the current one."""
    key = sort.lstrip("-")
    descending = sort.startswith("-")
    headers = []
    for column, label in SORT_COLUMNS:
        assert column in SORTS
        current = column == key
        next_sort = f"-{column}" if current and not descending else column
        headers.append(
            {
                "label": label,
                "key": column,
                "url": "?" + filter_query(filters, sort=next_sort),
                "aria_sort": ("descending" if descending else "ascending") if current else "",
                "arrow": ("▼" if descending else "▲") if current else "",
            }
        )
    return headers


# --- the sun map ------------------------------------------------------------------------------

NOBODY = "sun-0"


def _level(count: int) -> str:
    return NOBODY if count == 0 else f"sun-{min(count, 3)}"


def _plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


def _set_bits(mask: int, size: int, memo: dict[int, list[int]]) -> list[int]:
    bits = memo.get(mask)
    if bits is None:
        bits = memo[mask] = [i for i in range(size) if mask >> i & 1]
    return bits


def sun_bands(sun: SunData) -> list[dict]:
    """One band a team: for each hour of the viewer's day, how many owners, backups and
    people on call can act then, and who altogether (a person counted once). Owners and
    backups can act while they work (their weekly hours, at the middle of the hour); people
    on call can act whenever they are on call; nobody who has left can act. An hour with
    nobody is a gap (red). Counted a person at a time over the hours they work (not an hour
    at a time over everyone): 150 teams' bands cost a few milliseconds."""
    size = len(sun.slots)
    instants = Instants(slot.middle for slot in sun.slots)
    zone = zoneinfo(sun.zone)
    people = sun.people
    masks = {
        pk: working_mask(zone_name, hours, instants) if active else 0
        for pk, _name, _country, zone_name, active, hours in people.values()
    }
    memo: dict[int, list[int]] = {}
    now_index = next((i for i, s in enumerate(sun.slots) if s.start <= sun.now < s.end), None)
    labels = [fmt_time(slot.start, zone) for slot in sun.slots]
    spans = [f"{labels[i]}–{fmt_time(slot.end, zone)}" for i, slot in enumerate(sun.slots)]
    bands = []
    for entry in sun.teams:
        owners, backups, oncall, total = [0] * size, [0] * size, [0] * size, [0] * size
        for pk in entry.owners:
            for i in _set_bits(masks.get(pk, 0), size, memo):
                owners[i] += 1
        for pk in entry.backups:
            for i in _set_bits(masks.get(pk, 0), size, memo):
                backups[i] += 1
        team_people = entry.owners | entry.backups
        for pk in team_people:
            for i in _set_bits(masks.get(pk, 0), size, memo):
                total[i] += 1
        for i, ids in enumerate(entry.oncall):
            for pk in ids:
                person = people.get(pk)
                if person is None or not person[M_ACTIVE]:
                    continue
                oncall[i] += 1
                if not (pk in team_people and masks.get(pk, 0) >> i & 1):
                    total[i] += 1  # not counted already as a working owner or backup
        cells = []
        for i in range(size):
            if total[i]:
                title = (
                    f"{spans[i]}: {_plural(owners[i], 'owner')}, "
                    f"{_plural(backups[i], 'backup')}, {oncall[i]} on call "
                    f"({_plural(total[i], 'person', 'people')})"
                )
            else:
                title = f"{spans[i]}: nobody can act"
            cells.append(
                {
                    "label": labels[i],
                    "owners": owners[i],
                    "backups": backups[i],
                    "oncall": oncall[i],
                    "total": total[i],
                    "css": _level(total[i]) + (" now" if i == now_index else ""),
                    "title": title,
                }
            )
        bands.append(
            {
                "team": entry.team,
                "owners": len(entry.owners),
                "backups": len(entry.backups),
                "schedules": entry.schedules,
                "gaps": total.count(0),
                "cells": cells,
                "cells_html": cells_html(cells),
                "empty": not (entry.owners or entry.backups or entry.schedules),
            }
        )
    return bands


def cells_html(cells: list[dict]) -> SafeString:
    """A band's hour cells as HTML (every value escaped): 3,600 cells through the template
    engine were most of the sun map page's time."""
    return mark_safe(  # noqa: S308 (each dynamic value is escaped)
        "".join(
            f'<span role="listitem" class="sun-cell {escape(c["css"])}" title="{title}"'
            f' aria-label="{title}">{c["total"] or ""}</span>'
            for c in cells
            for title in (escape(c["title"]),)
        )
    )


def sun_axis(sun: SunData, *, every: int = 3) -> list[dict]:
    """The hour labels over the bands: every `every` hours (the rest blank)."""
    zone = zoneinfo(sun.zone)
    return [
        {"label": fmt_time(slot.start, zone) if i % every == 0 else ""}
        for i, slot in enumerate(sun.slots)
    ]


def sun_day_label(sun: SunData) -> str:
    zone = zoneinfo(sun.zone)
    start = sun.slots[0].start if sun.slots else sun.now
    return f"{fmt_day(sun.day)} · {sun.zone} ({fmt_offset(start, zone)})"


def sun_payload(sun: SunData) -> dict:
    """The sun map as JSON-ready values (GET /api/v1/ownership-map/sun/)."""
    tz = zoneinfo(sun.zone)
    return {
        "day": sun.day.isoformat(),
        "time_zone": sun.zone,
        "hours": [
            {
                "start": utc_stamp(slot.start),
                "end": utc_stamp(slot.end),
                "local_start": slot.start.astimezone(tz).isoformat(timespec="minutes"),
            }
            for slot in sun.slots
        ],
        "teams": [
            {
                "id": band["team"].id,
                "name": band["team"].name,
                "slug": band["team"].slug,
                "owners": band["owners"],
                "backups": band["backups"],
                "schedules": band["schedules"],
                "gap_hours": band["gaps"],
                "hours": [
                    {
                        "owners": c["owners"],
                        "backups": c["backups"],
                        "oncall": c["oncall"],
                        "people": c["total"],
                    }
                    for c in band["cells"]
                ],
            }
            for band in sun_bands(sun)
        ],
    }
