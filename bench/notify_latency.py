"""Latency of a live notification: notify() commit -> Celery worker -> channel layer (Redis) ->
ASGI server -> a WebSocket client, over real processes.

    .venv/bin/python bench/notify_latency.py [--count 200]
        [--database-url postgres://postgres@127.0.0.1:5432/bench_notify]
        [--redis-url redis://127.0.0.1:6379/9]

It migrates and flushes the scratch database (created if missing on PostgreSQL; a SQLite URL
such as sqlite:////tmp/bench_notify.sqlite3 works too), starts one Celery worker and one
uvicorn (config.asgi) on a free 127.0.0.1 port, signs a person in, connects to /ws/events/ with
the `websockets` package and the session cookie, then calls notify() `count` times:
"sequential" waits for each to arrive before the next; "burst" fires them all, then waits.
The clock starts in an on_commit hook registered before notify()'s own, i.e. at commit.
Goal: p95 < 1 s.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (  # noqa: E402
    ROOT,
    EventListener,
    celery_command,
    live_person,
    live_setup,
    percentile,
    print_table,
    stop_processes,
    uvicorn_command,
    wait_for_port,
)


def summary(label: str, samples: list[float], lost: int) -> list[object]:
    ms = [s * 1000 for s in samples]
    if not ms:
        return [label, 0, lost, "-", "-", "-", "-"]
    p95 = percentile(ms, 0.95)
    return [
        label,
        len(ms),
        lost,
        f"{statistics.median(ms):.1f}",
        f"{p95:.1f}",
        f"{max(ms):.1f}",
        "yes" if p95 < 1000 and not lost else "NO",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/bench_notify")
    # Its own Redis database, so no other worker on this Redis takes these tasks.
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/9")
    parser.add_argument("--concurrency", type=int, default=2)
    args = parser.parse_args()

    port, env = live_setup(args.database_url, args.redis_url)
    from django.db import connection, transaction

    from core.audit import Actor
    from notifications import services

    person, cookie = live_person(Actor.system(via="bench"), "bench", "Bench")
    connection.close()

    procs = [
        subprocess.Popen(
            celery_command(
                "worker",
                "--loglevel=WARNING",
                f"--concurrency={args.concurrency}",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-n",
                f"bench-notify-{os.getpid()}@%h",
            ),
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,  # the start-up banner
        ),
        subprocess.Popen(uvicorn_command(port), cwd=ROOT, env=env),
    ]
    try:
        wait_for_port(port)
        listener = EventListener(
            f"ws://127.0.0.1:{port}/ws/events/",
            cookie,
            f"http://127.0.0.1:{port}",
            lambda event: (
                event["notification"]["title"] if event.get("type") == "notification" else None
            ),
        )
        listener.start()
        run = time.time_ns()
        committed: dict[str, float] = {}

        def send(title: str) -> None:
            with transaction.atomic():
                # Registered first, so it runs at commit, before notify()'s own enqueue hook.
                transaction.on_commit(lambda: committed.__setitem__(title, time.perf_counter()))
                services.notify(
                    recipients=[person],
                    kind="chat.mention",
                    title=title,
                    idempotency_key=f"bench:{run}:{title}",
                )

        # Warm-up: the worker's first task imports and connects; not counted.
        warm = {f"warm {i}" for i in range(5)}
        for title in sorted(warm):
            send(title)
        if not listener.wait_for(warm, timeout=60):
            raise SystemExit("warm-up notifications never arrived: is the worker running?")

        rows = []
        samples, lost = [], 0
        for i in range(args.count):
            title = f"seq {i}"
            send(title)
            if listener.wait_for({title}, timeout=10):
                samples.append(listener.arrived[title][0] - committed[title])
            else:
                lost += 1
        rows.append(summary("sequential", samples, lost))

        titles = [f"burst {i}" for i in range(args.count)]
        for title in titles:
            send(title)
        listener.wait_for(set(titles), timeout=60)
        samples = [listener.arrived[t][0] - committed[t] for t in titles if t in listener.arrived]
        rows.append(summary("burst", samples, args.count - len(samples)))
        listener.stop = True

        db = "PostgreSQL" if args.database_url.startswith("postgres") else "SQLite"
        print(f"notify() commit -> WebSocket client, {args.count} notifications per mode")
        print(
            f"{db}, Redis {args.redis_url}, 1 Celery worker (prefork x{args.concurrency}), "
            f"1 uvicorn; {platform.processor() or platform.machine()}, "
            f"{os.cpu_count()} CPUs, Python {platform.python_version()}"
        )
        print_table(["mode", "n", "lost", "p50 ms", "p95 ms", "max ms", "p95 < 1 s"], rows)
    finally:
        stop_processes(procs)


if __name__ == "__main__":
    main()
