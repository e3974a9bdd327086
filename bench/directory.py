"""Server time of the people directory page and /api/v1/people/ beside a bare JSON view
(with the filters and the dashboard, which shares the "working now" query).

    .venv/bin/python bench/directory.py [--sizes 1200,12000] [--requests 200] [--warmup 10]
        [--database-url postgres://postgres@127.0.0.1:5432/bench]

Each size gets a fresh database (a SQLite file under /tmp unless --database-url is given, in
which case that database is created if missing, then flushed), seeded with
`seed_demo --people N --teams N/8`. Requests go through Django's full middleware stack
in-process (test Client), signed in as a member, so the figures are server time without
network or client overhead.

The requests are timed in rounds (bench.common.timed_rounds): each round asks every URL once,
in an order that rotates from round to round, after --warmup untimed rounds. So a moment of
load on the machine falls on the bare view and the pages alike, and "vs bare" (the ratio of
the medians) compares requests measured over the same seconds. --requests is the number of
rounds, i.e. the timed requests behind each row. "CPU ms" is the median CPU time of the same
requests (this thread's), a check on the run: on SQLite it matches the wall clock when the
machine is quiet and falls below it when other processes held the CPUs, and the load average
is printed too; busy-machine figures, ratios included, are not comparable. (On PostgreSQL it
also leaves out the server's part of each query.)
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (  # noqa: E402
    first_requests,
    print_table,
    rows_of_children,
    run_child,
    seed_demo_quietly,
    signed_in_client,
    size_arguments,
    timed_cases,
)


def run_size(people: int, requests: int, warmup: int) -> list[list[object]]:
    from django.contrib.auth import get_user_model

    seed_seconds = seed_demo_quietly(people=people, teams=max(15, people // 8))
    client = signed_in_client(get_user_model().objects.get(username="demo"))

    cases = [
        ("bare JSON view", "/bench/bare/"),
        ("directory page", "/people/"),
        ("directory, working now", "/people/?working_now=1"),
        ("directory, search 'an'", "/people/?q=an"),
        ("API people", "/api/v1/people/"),
        ("API people, working now", "/api/v1/people/?working_now=true"),
        ("dashboard", "/"),
    ]
    measured = first_requests(client, cases)
    stats, load = timed_cases(client, cases, rounds=requests, warmup=warmup)
    bare_median = stats[cases[0][0]]["median"]
    rows = [
        [
            f"{people:,}",
            label,
            f"{stats[label]['median']:.1f}",
            f"{stats[label]['p90']:.1f}",
            f"{stats[label]['median'] / bare_median:.2f}x",
            f"{stats[label]['cpu_median']:.1f}",
            measured[label][0],
        ]
        for label, _url in cases
    ]
    print(
        f"# seeded {people:,} people in {seed_seconds:.1f} s; {warmup} warm-up rounds, then"
        f" {requests} timed rounds of {len(cases)} requests; {load}",
        file=sys.stderr,
    )
    return rows


def main() -> None:
    args = size_arguments(__doc__, sizes="1200,12000", requests=200, warmup=10)
    if args.size:
        run_child(args, run_size, "baton-bench-directory")
        return
    rows = rows_of_children(__file__, args)
    print_table(["people", "request", "median ms", "p90 ms", "vs bare", "CPU ms", "queries"], rows)


if __name__ == "__main__":
    main()
