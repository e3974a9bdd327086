"""Pure rotation math: one year of final segments for a follow-the-sun schedule.

    .venv/bin/python bench/schedule_math.py [--runs 20]

The schedule: three regional layers (New York, London, Tokyo; 09:00-17:00 local on weekdays,
daily rotation of 5 people, fair) on top of a 24/7 hourly fallback layer of 8 people in UTC,
plus 20 overrides. No database: this times oncall.rotation alone. "cold" clears the per-process
caches (compiled layers, per-zone offset tables) before every run; "warm" keeps them, which is
the steady state of a web or Celery process. Goal: a year of final segments in < 50 ms (cold).
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import print_table, timed  # noqa: E402
from oncall import rotation  # noqa: E402
from oncall.rotation import Layer, Override, ShiftLength, Window  # noqa: E402

GOAL_MS = 50.0
YEAR_START = datetime(2027, 1, 1, tzinfo=UTC)
YEAR_END = datetime(2028, 1, 1, tzinfo=UTC)


def schedule(started_year: int) -> tuple[list[Layer], list[Override]]:
    nine_to_five = (Window(frozenset(range(5)), time(9), time(17)),)
    start = datetime(started_year, 1, 4, tzinfo=UTC).replace(tzinfo=None)  # local wall time
    regions = [
        ("amer", "America/New_York"),
        ("emea", "Europe/London"),
        ("apac", "Asia/Tokyo"),
    ]
    layers = [
        Layer(
            id=name,
            time_zone=zone,
            start=start + timedelta(hours=9),
            shift_length=ShiftLength(1, "days"),
            participants=tuple(f"{name}-{i}" for i in range(5)),
            priority=1,
            order=index,
            restrictions=nine_to_five,
            fair=True,
        )
        for index, (name, zone) in enumerate(regions)
    ]
    layers.append(
        Layer(
            id="fallback",
            time_zone="UTC",
            start=start,
            shift_length=ShiftLength(1, "hours"),
            participants=tuple(f"fallback-{i}" for i in range(8)),
            priority=0,
            order=3,
        )
    )
    overrides = [
        Override(
            person=f"cover-{i}",
            start=YEAR_START + timedelta(days=17 * i, hours=3),
            end=YEAR_START + timedelta(days=17 * i, hours=30),
            order=i,
        )
        for i in range(20)
    ]
    return layers, overrides


def clear_caches() -> None:
    rotation._compile.cache_clear()
    rotation._zone_maps.clear()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()

    rows = []
    for label, started in (("layers started 2026", 2026), ("layers started 2001", 2001)):
        layers, overrides = schedule(started)
        segments = rotation.final_segments(layers, overrides, YEAR_START, YEAR_END)

        def year(layers=layers, overrides=overrides):
            return rotation.final_segments(layers, overrides, YEAR_START, YEAR_END)

        def cold_year(layers=layers, overrides=overrides):
            clear_caches()
            return rotation.final_segments(layers, overrides, YEAR_START, YEAR_END)

        def now(layers=layers, overrides=overrides):
            return rotation.oncall_at(layers, overrides, YEAR_START + timedelta(days=200, hours=5))

        for case, call in (
            (f"year of final segments, cold ({label})", cold_year),
            (f"year of final segments, warm ({label})", year),
            (f"oncall_at, warm ({label})", now),
        ):
            figures = timed(call, repeat=args.runs)
            rows.append(
                [
                    case,
                    len(segments) if "year" in case else 1,
                    f"{figures['median']:.2f}",
                    f"{figures['p95']:.2f}",
                ]
            )
    print_table(["case", "segments", "median ms", "p95 ms"], rows)
    worst = max(float(row[3]) for row in rows if "year" in row[0])
    verdict = "PASS" if worst < GOAL_MS else "FAIL"
    print(f"\ngoal: a year of final segments < {GOAL_MS:.0f} ms (p95) -> {verdict} ({worst:.2f})")


if __name__ == "__main__":
    main()
