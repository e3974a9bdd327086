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

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (  # noqa: E402
    ensure_postgres_database,
    print_table,
    setup_django,
    timed_rounds,
)


def run_size(people: int, requests: int, warmup: int) -> list[list[object]]:
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from accounts.verification import VERIFIED_KEY

    call_command("migrate", verbosity=0)
    call_command("flush", interactive=False, verbosity=0)
    started = time.perf_counter()
    with open(os.devnull, "w") as sink:
        call_command(
            "seed_demo", people=people, teams=max(15, people // 8), seed=1, stdout=sink, stderr=sink
        )
    seed_seconds = time.perf_counter() - started

    viewer = get_user_model().objects.get(username="demo")
    client = Client()
    client.force_login(viewer, backend="accounts.backends.BatonAuthenticationBackend")
    session = client.session
    session[VERIFIED_KEY] = viewer.pk
    session.save()

    cases = [
        ("bare JSON view", "/bench/bare/"),
        ("directory page", "/people/"),
        ("directory, working now", "/people/?working_now=1"),
        ("directory, search 'an'", "/people/?q=an"),
        ("API people", "/api/v1/people/"),
        ("API people, working now", "/api/v1/people/?working_now=true"),
        ("dashboard", "/"),
    ]
    query_counts = {}
    for label, url in cases:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        # Count now: captured_queries slices connection.queries lazily, and every later
        # request's request_started signal empties that log (reset_queries).
        query_counts[label] = len(queries)
    # Other work on the machine shows here: above the CPU count, expect every figure to move.
    load_before = os.getloadavg()[0]
    stats = timed_rounds(
        {label: (lambda url=url: client.get(url)) for label, url in cases},
        rounds=requests,
        warmup=warmup,
    )
    bare_median = stats[cases[0][0]]["median"]
    rows = [
        [
            f"{people:,}",
            label,
            f"{stats[label]['median']:.1f}",
            f"{stats[label]['p90']:.1f}",
            f"{stats[label]['median'] / bare_median:.2f}x",
            f"{stats[label]['cpu_median']:.1f}",
            query_counts[label],
        ]
        for label, _url in cases
    ]
    print(
        f"# seeded {people:,} people in {seed_seconds:.1f} s; {warmup} warm-up rounds, then"
        f" {requests} timed rounds of {len(cases)} requests; load average"
        f" {load_before:.2f} before, {os.getloadavg()[0]:.2f} after ({os.cpu_count()} CPUs)",
        file=sys.stderr,
    )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1200,12000")
    parser.add_argument("--requests", type=int, default=200, help="timed rounds (requests per row)")
    parser.add_argument("--warmup", type=int, default=10, help="untimed rounds first")
    parser.add_argument("--database-url", default="")
    parser.add_argument("--size", type=int, help=argparse.SUPPRESS)  # child process mode
    args = parser.parse_args()

    if args.size:
        url = args.database_url or f"sqlite:////tmp/baton-bench-directory-{args.size}.sqlite3"
        if url.startswith(("postgres://", "postgresql://")):
            ensure_postgres_database(url)
        setup_django(url)
        for row in run_size(args.size, args.requests, args.warmup):
            print("\t".join(map(str, row)))
        return

    import subprocess

    rows = []
    for size in [int(s) for s in args.sizes.split(",")]:
        # One process per size, so caches and connections start cold and equal.
        command = [
            sys.executable,
            __file__,
            "--size",
            str(size),
            "--requests",
            str(args.requests),
            "--warmup",
            str(args.warmup),
        ]
        if args.database_url:
            command += ["--database-url", args.database_url]
        output = subprocess.run(command, capture_output=True, text=True)
        sys.stderr.write(output.stderr)  # the child's traceback too, if it failed
        output.check_returncode()
        rows += [line.split("\t") for line in output.stdout.strip().splitlines()]
    print_table(["people", "request", "median ms", "p90 ms", "vs bare", "CPU ms", "queries"], rows)


if __name__ == "__main__":
    main()
