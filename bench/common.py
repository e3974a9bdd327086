"""Shared helpers for the benchmarks: a scratch database per size, seeding, timing."""

from __future__ import annotations

import math
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def setup_django(database_url: str) -> None:
    """Configure Django for an in-process benchmark against `database_url`."""
    sys.path.insert(0, str(ROOT))
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("BATON_TESTING", "1")  # dev secret key, no HTTPS redirect
    # bench.settings keeps one persistent connection (CONN_MAX_AGE=None), as the first
    # PostgreSQL figures were taken; Django refuses that beside the psycopg pool, which
    # config.settings turns on for PostgreSQL, so the pool is off in these benchmarks.
    os.environ.setdefault("DB_POOL_MAX_SIZE", "0")
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    import django

    django.setup()


def timed(call, *, repeat: int, warmup: int = 3) -> dict[str, float]:
    """Run `call` repeatedly; return median/p95/mean in milliseconds."""
    for _ in range(warmup):
        call()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return {
        "median": statistics.median(samples),
        "p95": samples[min(len(samples) - 1, int(len(samples) * 0.95))],
        "mean": statistics.fmean(samples),
    }


def percentile(samples: list[float], fraction: float) -> float:
    """The nearest-rank percentile of `samples` (fraction 0.9 for p90)."""
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def timed_rounds(
    calls: dict[str, Callable[[], object]], *, rounds: int, warmup: int = 5
) -> dict[str, dict[str, float]]:
    """Time several calls side by side: each round runs every call once, starting one further
    along the list each round, so whatever else the machine does at that moment (and whatever
    one call leaves behind for the next) falls on all of them alike. `warmup` rounds first,
    not counted. Returns, per call, median/p90/p95/mean wall-clock milliseconds, the median
    and p90 of the thread's CPU time ("cpu_median", "cpu_p90") and "samples".

    timed() measures one call's requests back to back; compared with another call measured a
    few seconds later, a change in the machine's load or clock in between moved every ratio.
    CPU time is a check on the wall clock: far below it, the process was kept waiting for a
    CPU (or, on a database server in another process, for the query's time there)."""
    labels = list(calls)
    samples: dict[str, list[float]] = {label: [] for label in labels}
    cpu: dict[str, list[float]] = {label: [] for label in labels}
    for index in range(warmup + rounds):
        shift = index % len(labels)
        for label in labels[shift:] + labels[:shift]:
            start, start_cpu = time.perf_counter(), time.thread_time()
            calls[label]()
            elapsed = (time.perf_counter() - start) * 1000
            elapsed_cpu = (time.thread_time() - start_cpu) * 1000
            if index >= warmup:
                samples[label].append(elapsed)
                cpu[label].append(elapsed_cpu)
    return {
        label: {
            "median": statistics.median(values),
            "p90": percentile(values, 0.90),
            "p95": percentile(values, 0.95),
            "mean": statistics.fmean(values),
            "cpu_median": statistics.median(cpu[label]),
            "cpu_p90": percentile(cpu[label], 0.90),
            "samples": len(values),
        }
        for label, values in samples.items()
    }


def print_table(headers: list[str], rows: list[list[object]]) -> None:
    widths = [max(len(str(h)), *(len(str(r[i])) for r in rows)) for i, h in enumerate(headers)]
    line = " | ".join(str(h).ljust(w) for h, w in zip(headers, widths, strict=True))
    print(line)
    print("-|-".join("-" * w for w in widths))
    for row in rows:
        print(" | ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)))


# --- real servers on this machine (bench/notify_latency.py, bench/ws_fanout.py) ----------


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def ensure_postgres_database(url: str) -> None:
    """Create the database `url` names if it does not exist (a scratch database per bench)."""
    from urllib.parse import urlsplit

    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = parts._replace(path="/postgres").geturl().replace("postgres://", "postgresql://", 1)
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def server_env(database_url: str, redis_url: str, **extra: str) -> tuple[int, dict[str, str]]:
    """A free port, and the environment of real Baton processes serving on it: the project's
    real settings on `database_url` (created if missing, on PostgreSQL) and `redis_url`, plus
    `extra`. The caller also puts it in os.environ before django.setup()."""
    if database_url.startswith("postgres"):
        ensure_postgres_database(database_url)
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "BATON_TESTING": "1",  # dev secret key, no HTTPS redirect; nothing else changes
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "ALLOWED_HOSTS": "127.0.0.1",
        "BATON_SITE_URL": f"http://127.0.0.1:{port}",
        "LOG_LEVEL": "WARNING",
        **extra,
    }
    return port, env


def uvicorn_command(port: int, *options: str) -> list[str]:
    """One uvicorn serving config.asgi on 127.0.0.1:`port`, logging warnings only."""
    return [
        sys.executable,
        "-m",
        "uvicorn",
        "config.asgi:application",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        *options,
        "--log-level",
        "warning",
        "--no-access-log",
    ]


def wait_for_port(port: int, server=None, timeout: float = 60) -> None:
    """Return once 127.0.0.1:`port` accepts connections; stop if `server` (a Popen) exits."""
    import socket

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server is not None and server.poll() is not None:
            raise SystemExit(f"the server exited with {server.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"nothing listens on 127.0.0.1:{port} after {timeout} s")
