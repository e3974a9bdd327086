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
import asyncio
import os
import platform
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import ROOT, print_table, server_env, uvicorn_command, wait_for_port  # noqa: E402

ALWAYS = {d: ["00:00-24:00"] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}


class Listener:
    """A WebSocket client on its own event loop thread, noting when each title arrives."""

    def __init__(self, url: str, cookie: str, origin: str):
        self.url, self.cookie, self.origin = url, cookie, origin
        self.arrived: dict[str, float] = {}
        self.cond = threading.Condition()
        self.ready = threading.Event()
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=lambda: asyncio.run(self._run()), daemon=True)
        self.stop = False

    async def _run(self):
        import json

        from websockets.asyncio.client import connect

        try:
            async with connect(
                self.url, additional_headers={"Cookie": self.cookie}, origin=self.origin
            ) as ws:
                hello = json.loads(await ws.recv())
                assert hello["type"] == "hello", hello
                self.ready.set()
                while not self.stop:
                    try:
                        raw = await asyncio.wait_for(ws.recv(), timeout=0.5)
                    except TimeoutError:
                        continue
                    now = time.perf_counter()
                    event = json.loads(raw)
                    if event.get("type") == "notification":
                        with self.cond:
                            self.arrived[event["notification"]["title"]] = now
                            self.cond.notify_all()
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            self.error = exc
            self.ready.set()

    def wait_for(self, titles: set[str], timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        with self.cond:
            while not titles <= self.arrived.keys():
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self.cond.wait(remaining)
        return True


def summary(label: str, samples: list[float], lost: int) -> list[object]:
    ms = sorted(s * 1000 for s in samples)
    if not ms:
        return [label, 0, lost, "-", "-", "-", "-"]
    p95 = ms[min(len(ms) - 1, int(round(len(ms) * 0.95)) - 1)]
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

    port, env = server_env(
        args.database_url,
        args.redis_url,
        CELERY_TASK_ALWAYS_EAGER="0",
        EMAIL_URL="consolemail://",
    )
    os.environ.update(env)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.test import Client

    from accounts.verification import VERIFIED_KEY
    from core.audit import Actor
    from notifications import services
    from notifications.models import Channel
    from teams import services as team_services

    call_command("migrate", verbosity=0)
    call_command("flush", interactive=False, verbosity=0)
    system = Actor.system(via="bench")
    person = team_services.person_create(
        actor=system,
        username="bench",
        email="bench@example.com",
        display_name="Bench",
        time_zone="UTC",
        country="GB",
        working_hours=ALWAYS,
        send_invite=False,
    )
    # Only the live channel: email would go to the console and cost the worker time.
    for channel in (Channel.EMAIL, Channel.WEBHOOK):
        services.rule_set(actor=system, person=person, channel=channel, normal=False, urgent=False)
    from django.conf import settings

    # The backend that signs people in (not axes' or rules' helpers).
    backend = next(
        b for b in settings.AUTHENTICATION_BACKENDS if not b.startswith(("axes.", "rules."))
    )
    client = Client()
    client.force_login(person, backend=backend)
    session = client.session
    session[VERIFIED_KEY] = person.pk
    session.save()
    cookie = f"sessionid={client.cookies['sessionid'].value}"
    connection.close()

    python = sys.executable
    procs = [
        subprocess.Popen(
            [
                python,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "--loglevel=WARNING",
                f"--concurrency={args.concurrency}",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-n",
                f"bench-notify-{os.getpid()}@%h",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,  # the start-up banner
        ),
        subprocess.Popen(uvicorn_command(port), cwd=ROOT, env=env),
    ]
    try:
        wait_for_port(port)
        listener = Listener(f"ws://127.0.0.1:{port}/ws/events/", cookie, f"http://127.0.0.1:{port}")
        listener.thread.start()
        listener.ready.wait(30)
        if listener.error:
            raise SystemExit(f"WebSocket failed: {listener.error!r}")
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
                samples.append(listener.arrived[title] - committed[title])
            else:
                lost += 1
        rows.append(summary("sequential", samples, lost))

        titles = [f"burst {i}" for i in range(args.count)]
        for title in titles:
            send(title)
        listener.wait_for(set(titles), timeout=60)
        samples = [listener.arrived[t] - committed[t] for t in titles if t in listener.arrived]
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
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()


if __name__ == "__main__":
    main()
