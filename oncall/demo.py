"""Demo schedules for seed_demo (core.demo): ~300 schedules over the demo teams, written in bulk.

Three kinds, in turn:
* follow-the-sun: three regional layers (APAC, EMEA, AMER) restricted to 09:00-17:00 local
  on weekdays; every second one also has a low-priority 24/7 fallback, the others show their
  gaps (the weekend and the hours between regions);
* 24/7 weekly rotation in the team's zone;
* weekday daytime (08:00-20:00) daily rotation, fair, leaving nights and weekends as gaps.
Every tenth schedule gets an override tomorrow. Deterministic for a given seed.
"""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import UTC, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from core.audit import Actor, audit_record
from teams.models import Membership, Team

from .models import Layer, LayerVersion, Override, Participation, Schedule

REGIONS = [
    ("APAC", ["Asia/Manila", "Asia/Singapore", "Asia/Tokyo", "Australia/Sydney"]),
    ("EMEA", ["Europe/London", "Europe/Berlin", "Africa/Lagos", "Asia/Dubai"]),
    ("AMER", ["America/New_York", "America/Chicago", "America/Sao_Paulo", "America/Denver"]),
]
WEEKDAYS_9_17 = [{"days": [0, 1, 2, 3, 4], "start": "09:00", "end": "17:00"}]
WEEKDAYS_8_20 = [{"days": [0, 1, 2, 3, 4], "start": "08:00", "end": "20:00"}]


_MIDDLE_EAST = ("Asia/Dubai", "Asia/Riyadh", "Asia/Qatar", "Asia/Jerusalem", "Asia/Tehran")


def _region_of(zone: str) -> str:
    """Which follow-the-sun region a person's zone belongs to."""
    if zone.startswith("America/"):
        return "AMER"
    if zone.startswith(("Europe/", "Africa/", "Atlantic/")) or zone in _MIDDLE_EAST:
        return "EMEA"
    return "APAC"


def _start_of_week(now: datetime) -> datetime:
    """Monday four weeks ago, 00:00 as a naive wall time (each layer reads it locally)."""
    day = (now - timedelta(days=now.weekday() + 28)).date()
    return datetime.combine(day, time(0, 0))


@transaction.atomic
def seed_schedules(
    *, actor: Actor, count: int = 300, seed: int = 1, now: datetime | None = None
) -> int:
    """Create `count` demo schedules over teams that have members. Returns how many."""
    rng = random.Random(seed)
    now = now or timezone.now()
    members: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for team_id, person_id, zone in (
        Membership.objects.filter(person__is_active=True)
        .values_list("team_id", "person_id", "person__profile__time_zone")
        .order_by("team_id", "person_id")
    ):
        members[team_id].append((person_id, zone or "UTC"))
    teams = list(Team.objects.filter(pk__in=members).order_by("id"))
    if not teams or count <= 0:
        return 0
    base = _start_of_week(now)
    schedules = []
    plans = []  # per schedule: [(layer name, version fields)]
    for i in range(count):
        team = teams[i % len(teams)]
        people = members[team.pk]
        ids = [p for p, _ in people]
        rng.shuffle(ids)
        kind = i % 3
        home_zone = people[0][1]
        layers = []
        if kind == 0:
            name = f"{team.name} follow-the-sun"
            for region, zones in REGIONS:
                # People cover their own region's day, in the zone most of them live in;
                # a region with nobody in it borrows a third of the team.
                local = [(p, z) for p, z in people if _region_of(z) == region]
                rng.shuffle(local)
                chunk = [p for p, _ in local] or ids[len(layers) :: 3] or ids[:1]
                local_zones = [z for _, z in local]
                zone = (
                    max(sorted(set(local_zones)), key=local_zones.count)
                    if local_zones
                    else rng.choice(zones)
                )
                layers.append(
                    (
                        region,
                        dict(
                            priority=1,
                            time_zone=zone,
                            shift_count=1,
                            shift_unit="weeks",
                            participants=chunk,
                            restrictions=WEEKDAYS_9_17,
                            fair=False,
                        ),
                    )
                )
            if i % 2 == 0:
                layers.append(
                    (
                        "Fallback 24/7",
                        dict(
                            priority=0,
                            time_zone=home_zone,
                            shift_count=1,
                            shift_unit="weeks",
                            participants=ids[:2],
                            restrictions=[],
                            fair=False,
                        ),
                    )
                )
        elif kind == 1:
            name = f"{team.name} primary 24/7"
            layers.append(
                (
                    "Weekly",
                    dict(
                        priority=0,
                        time_zone=home_zone,
                        shift_count=1,
                        shift_unit="weeks",
                        participants=ids[:6],
                        restrictions=[],
                        fair=False,
                    ),
                )
            )
        else:
            name = f"{team.name} business hours"
            layers.append(
                (
                    "Weekdays",
                    dict(
                        priority=0,
                        time_zone=home_zone,
                        shift_count=1,
                        shift_unit="days",
                        participants=ids[:7],
                        restrictions=WEEKDAYS_8_20,
                        fair=True,
                    ),
                )
            )
        schedules.append(
            Schedule(
                team=team,
                name=f"{name} {i // len(teams) + 1}" if i >= len(teams) else name,
                time_zone=home_zone,
                requires_lead_approval_for_swaps=(i % 4 == 0),
            )
        )
        plans.append(layers)
    Schedule.objects.bulk_create(schedules)
    layer_rows = []
    for schedule, layers in zip(schedules, plans, strict=True):
        for layer_name, _fields in layers:
            layer_rows.append(Layer(schedule=schedule, name=layer_name))
    Layer.objects.bulk_create(layer_rows)
    versions = []
    overrides = []
    index = 0
    for n, (schedule, layers) in enumerate(zip(schedules, plans, strict=True)):
        for _layer_name, fields in layers:
            layer = layer_rows[index]
            index += 1
            # Effective from the rotation's own start; the instant is only a lower bound,
            # so the earliest possible offset (UTC-12 -> +12 h) is safe for every zone.
            versions.append(
                LayerVersion(
                    layer=layer,
                    effective_from=(base - timedelta(days=1)).replace(tzinfo=UTC),
                    start_date=base.date(),
                    start_time=base.time(),
                    **fields,
                )
            )
        if n % 10 == 0:
            person = layers[0][1]["participants"][0]
            start = (now + timedelta(days=1)).replace(minute=0, second=0, microsecond=0)
            overrides.append(
                Override(
                    schedule=schedule, person_id=person, start=start, end=start + timedelta(hours=4)
                )
            )
    LayerVersion.objects.bulk_create(versions, batch_size=500)
    Participation.objects.bulk_create(
        [
            Participation(schedule=schedule, person_id=person)
            for schedule, layers in zip(schedules, plans, strict=True)
            for person in {p for _name, fields in layers for p in fields["participants"]}
        ],
        batch_size=1000,
        ignore_conflicts=True,
    )
    Override.objects.bulk_create(overrides, batch_size=500)
    audit_record(
        actor=actor,
        action="schedule.seed_demo",
        changes={"schedules": len(schedules), "layers": len(layer_rows)},
    )
    from .selectors import invalidate_oncall_now

    transaction.on_commit(invalidate_oncall_now)
    return len(schedules)


# --- seed_demo (registered in oncall.apps through core.demo) ---------------------------------


def add_arguments(parser) -> None:
    parser.add_argument(
        "--schedules", type=int, default=300, help="on-call schedules (default 300)"
    )


def seed(run) -> None:
    """After teams' people and teams (a lower layer): schedules over the demo teams."""
    count = seed_schedules(
        actor=run.actor, count=max(0, run.options["schedules"]), seed=run.options["seed"]
    )
    run.say(f"Created {count} on-call schedules.")
