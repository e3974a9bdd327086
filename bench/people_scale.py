"""The people pages and on-call now at 1,200, 12,000 and 100,000 people, side by side.

    .venv/bin/python bench/people_scale.py [--sizes 1200,12000,100000] [--requests 30]
        [--warmup 3] [--projects 3000] [--database-url postgres://postgres@127.0.0.1:5432/bench_100k]

Issue 15, part 6: the directory page, "working now", the people API and on-call now measured
at 100,000 people, with the query count of each request, which must not change with size.

Each size runs in a child process of its own (bench.common.run_child): a fresh database (a
SQLite file under /tmp unless --database-url is given, in which case that database is created
if missing, migrated and flushed), seeded with `seed_demo --people N --teams N/8 --schedules
300 --projects P`. The projects are a fixed number at every size (--projects, default 3,000,
the seed size's), not seed_demo's 2.5 per person: no page measured here reads a project, and
250,000 projects would take most of the seeding time at 100,000 people. On PostgreSQL the
seeded database is then ANALYZEd (bench.common.analyze_after_bulk_load).

Requests go through Django's full middleware stack in-process (test Client), signed in as the
demo member, timed in rounds (bench.common.timed_rounds: each round asks every URL once, in
an order that rotates), after --warmup untimed rounds. "on-call now, cache cleared" deletes
the org-wide on-call answer before each of its requests (what the first request after a
handoff or a schedule change pays). "queries" is the count of one request, after a first one.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (  # noqa: E402
    analyze_after_bulk_load,
    body_of,
    first_requests,
    print_table,
    rows_of_children,
    run_child,
    seed_demo_quietly,
    signed_in_client,
    size_arguments,
    timed_rounds,
)

CASES = [
    ("bare JSON view", "/bench/bare/"),
    ("directory page", "/people/"),
    ("directory, working now", "/people/?working_now=1"),
    ("directory, page 20", "/people/?page=20"),
    ("API people", "/api/v1/people/"),
    ("API people, working now", "/api/v1/people/?working_now=true"),
    ("API oncall/now", "/api/v1/oncall/now/"),
]
UNCACHED = "API oncall/now, cache cleared"


def run_size(people: int, requests: int, warmup: int) -> list[list[object]]:
    import os

    from django.contrib.auth import get_user_model
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from oncall.selectors import NOW_CACHE_KEY
    from teams.models import Profile

    projects = int(os.environ.get("BENCH_PROJECTS", "3000"))
    seed_seconds = seed_demo_quietly(
        people=people,
        teams=max(15, people // 8),
        schedules=300,
        projects=projects,
        no_progress=True,
    )
    analyze_seconds = analyze_after_bulk_load()
    total = Profile.objects.count()
    client = signed_in_client(get_user_model().objects.get(username="demo"))

    def uncached():
        cache.delete(NOW_CACHE_KEY)
        return body_of(client.get("/api/v1/oncall/now/"))

    measured = first_requests(client, CASES)
    uncached()
    with CaptureQueriesContext(connection) as queries:
        uncached()
    measured[UNCACHED] = (len(queries), 0)

    calls = {label: (lambda url=url: body_of(client.get(url))) for label, url in CASES}
    calls[UNCACHED] = uncached
    load_before = os.getloadavg()[0]
    stats = timed_rounds(calls, rounds=requests, warmup=warmup)
    load_after = os.getloadavg()[0]
    bare = stats[CASES[0][0]]["median"]
    print(
        f"# {people:,} people ({total:,} profiles with admin and demo), {max(15, people // 8):,}"
        f" teams, 300 schedules, {projects:,} projects seeded in {seed_seconds:.1f} s"
        f" (ANALYZE {analyze_seconds:.1f} s);"
        f" {warmup} warm-up rounds, then {requests} timed rounds of {len(calls)} requests;"
        f" load average {load_before:.2f} before, {load_after:.2f} after"
        f" ({os.cpu_count()} CPUs)",
        file=sys.stderr,
    )
    return [
        [
            f"{people:,}",
            label,
            f"{stats[label]['median']:.1f}",
            f"{stats[label]['p90']:.1f}",
            f"{stats[label]['median'] / bare:.2f}x",
            f"{stats[label]['cpu_median']:.1f}",
            measured[label][0],
        ]
        for label in calls
    ]


def main() -> None:
    import os

    # One log line per request is what production writes; here it would only fill stderr.
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    # --projects is this script's own: the children get it as BENCH_PROJECTS.
    if "--projects" in sys.argv:
        at = sys.argv.index("--projects")
        os.environ["BENCH_PROJECTS"] = str(int(sys.argv[at + 1]))
        del sys.argv[at : at + 2]
    args = size_arguments(
        __doc__,
        sizes="1200,12000,100000",
        requests=30,
        warmup=3,
        sizes_help="people per size, comma-separated",
    )
    if args.size:
        run_child(args, run_size, "baton-bench-people-scale")
        return
    rows = rows_of_children(__file__, args)
    print_table(["people", "request", "median ms", "p90 ms", "vs bare", "CPU ms", "queries"], rows)


if __name__ == "__main__":
    main()
