"""Server time of GET /api/v1/oncall/now/ (and friends) beside a bare Django JSON view.

    .venv/bin/python bench/oncall_now.py [--people 1200] [--schedules 300] [--requests 40]
        [--database-url postgres://postgres@127.0.0.1:5432/bench]

A fresh database (a SQLite file under /tmp unless --database-url is given, which is flushed)
is seeded with `seed_demo --people N --teams N/8 --schedules S`. Requests go through Django's
full middleware stack in-process (test Client), signed in as the demo member, so the figures
are server time without network or client overhead. Goal: on-call now within 3x of bare.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import print_table, setup_django, timed  # noqa: E402


def _iso(dt: datetime) -> str:
    return dt.astimezone(UTC).isoformat().replace("+00:00", "Z")


def run(people: int, schedules: int, requests: int) -> list[list[object]]:
    from django.contrib.auth import get_user_model
    from django.core.cache import cache
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from accounts.verification import VERIFIED_KEY
    from oncall.models import Schedule
    from oncall.selectors import NOW_CACHE_KEY

    call_command("migrate", verbosity=0)
    call_command("flush", interactive=False, verbosity=0)
    started = time.perf_counter()
    with open(os.devnull, "w") as sink:
        call_command(
            "seed_demo",
            people=people,
            teams=max(15, people // 8),
            schedules=schedules,
            seed=1,
            no_progress=True,
            stdout=sink,
            stderr=sink,
        )
    seed_seconds = time.perf_counter() - started

    def sign_in(username: str) -> Client:
        from django.conf import settings
        from django.contrib.auth import load_backend

        user = get_user_model().objects.get(username=username)
        # The last configured backend that can load a user (settings may name Baton's own).
        backend = [
            path
            for path in settings.AUTHENTICATION_BACKENDS
            if hasattr(load_backend(path), "get_user")
            and load_backend(path).get_user(user.pk) is not None
        ][-1]
        signed = Client()
        signed.force_login(user, backend=backend)
        session = signed.session
        session[VERIFIED_KEY] = user.pk
        session.save()
        return signed

    client = sign_in("demo")

    now = datetime.now(UTC)
    week = f"?start={_iso(now)}&end={_iso(now + timedelta(days=7))}"
    total = Schedule.objects.count()
    sun = Schedule.objects.filter(name__contains="follow-the-sun").order_by("id").first()
    cases = [
        ("bare JSON view", "/bench/bare/", False),
        (f"API oncall/now ({total} schedules)", "/api/v1/oncall/now/", False),
        ("API oncall/now, cache cleared each time", "/api/v1/oncall/now/", True),
        ("API final, 1 week, follow-the-sun", f"/api/v1/schedules/{sun.pk}/final/{week}", False),
        ("API me/shifts, 1 week", f"/api/v1/me/shifts/{week}", False),
    ]
    rows = []
    bare = None
    for label, url, clear_cache in cases:
        # The demo member may not read every schedule; the admin may.
        response = client.get(url)
        if response.status_code == 404:
            client = sign_in("admin")
            response = client.get(url)
        assert response.status_code == 200, (url, response.status_code, response.get("Location"))
        executed = []

        def count(execute, sql, params, many, context, executed=executed):
            executed.append(sql)
            return execute(sql, params, many, context)

        if clear_cache:
            cache.delete(NOW_CACHE_KEY)
        with connection.execute_wrapper(count):
            client.get(url)
        queries = executed

        def call(url=url, client=client, clear_cache=clear_cache):
            if clear_cache:
                cache.delete(NOW_CACHE_KEY)
            client.get(url)

        stats = timed(call, repeat=requests)
        bare = bare or stats["median"]
        rows.append(
            [
                label,
                f"{stats['median']:.1f}",
                f"{stats['p95']:.1f}",
                f"{stats['median'] / bare:.1f}x",
                len(queries),
            ]
        )
    print(
        f"# seeded {people:,} people, {schedules} schedules in {seed_seconds:.1f} s",
        file=sys.stderr,
    )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--people", type=int, default=1200)
    parser.add_argument("--schedules", type=int, default=300)
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    url = args.database_url or f"sqlite:////tmp/baton-bench-oncall-{args.people}.sqlite3"
    setup_django(url)
    rows = run(args.people, args.schedules, args.requests)
    print_table(
        ["request (session, in-process)", "median ms", "p95 ms", "vs bare", "queries"], rows
    )


if __name__ == "__main__":
    main()
