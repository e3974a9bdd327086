"""Shared helpers for the benchmarks: a scratch database per size, seeding, timing."""

from __future__ import annotations

import argparse
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


# --- one process per size, requests in-process (bench/directory.py, bench/ownership_map.py) --


def size_arguments(
    doc: str, *, sizes: str, requests: int, warmup: int, sizes_help: str | None = None
) -> argparse.Namespace:
    """The command line of a benchmark run at several sizes, one child process each (--size
    is the child's own, hidden); `doc` is the script's docstring."""
    parser = argparse.ArgumentParser(description=doc.split("\n")[0])
    parser.add_argument("--sizes", default=sizes, help=sizes_help)
    parser.add_argument(
        "--requests", type=int, default=requests, help="timed rounds (requests per row)"
    )
    parser.add_argument("--warmup", type=int, default=warmup, help="untimed rounds first")
    parser.add_argument("--database-url", default="")
    parser.add_argument("--size", type=int, help=argparse.SUPPRESS)  # child process mode
    return parser.parse_args()


def run_child(
    args: argparse.Namespace, run_size: Callable[[int, int, int], list[list[object]]], name: str
) -> None:
    """The child process for one --size: a fresh database (--database-url, created if
    missing, or /tmp/<name>-<size>.sqlite3; migrated, then flushed), then
    run_size(size, requests, warmup)'s rows on stdout, a line each, tab-separated."""
    url = args.database_url or f"sqlite:////tmp/{name}-{args.size}.sqlite3"
    if url.startswith(("postgres://", "postgresql://")):
        ensure_postgres_database(url)
    setup_django(url)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("flush", interactive=False, verbosity=0)
    for row in run_size(args.size, args.requests, args.warmup):
        print("\t".join(map(str, row)))


def rows_of_children(script: str, args: argparse.Namespace) -> list[list[str]]:
    """Every size's rows: `script` run once per --sizes entry as a child process (run_child),
    so caches and connections start cold and equal."""
    import subprocess

    rows = []
    for size in [int(s) for s in args.sizes.split(",")]:
        command = [sys.executable, script, "--size", str(size)]
        command += ["--requests", str(args.requests), "--warmup", str(args.warmup)]
        if args.database_url:
            command += ["--database-url", args.database_url]
        output = subprocess.run(command, capture_output=True, text=True)
        sys.stderr.write(output.stderr)  # the child's traceback too, if it failed
        output.check_returncode()
        rows += [line.split("\t") for line in output.stdout.strip().splitlines()]
    return rows


def seed_demo_quietly(**options) -> float:
    """`seed_demo` with `options` and seed 1, its output dropped; the seconds it took."""
    from django.core.management import call_command

    started = time.perf_counter()
    with open(os.devnull, "w") as sink:
        call_command("seed_demo", seed=1, stdout=sink, stderr=sink, **options)
    return time.perf_counter() - started


def analyze_after_bulk_load() -> float:
    """On PostgreSQL, ANALYZE the freshly seeded database; the seconds it took. seed_demo
    writes everything in bulk in a few minutes, before autovacuum has looked at the tables,
    and the planner then still believes the empty tables' statistics: at 100,000 people it
    took "working now" for 150 rows instead of 47,000 and chose plans four to twenty times
    slower (docs/benchmarks.md). A live database's autovacuum keeps these statistics; the
    benchmark measures that state, not the minute after a bulk load."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return 0.0
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return time.perf_counter() - started


def signed_in_client(user):
    """A test Client signed in as `user` with the second factor done, as after a real sign-in:
    requests then go through the whole middleware stack, without network or browser."""
    from django.test import Client

    from accounts.verification import VERIFIED_KEY

    client = Client()
    client.force_login(user, backend="accounts.backends.BatonAuthenticationBackend")
    session = client.session
    session[VERIFIED_KEY] = user.pk
    session.save()
    return client


def body_of(response) -> bytes:
    """A response's whole body, a streamed one (the CSV export) read to its end."""
    return b"".join(response.streaming_content) if response.streaming else response.content


def first_requests(client, cases: list[tuple[str, str]]) -> dict[str, tuple[int, int]]:
    """Each (label, url) asked once (it must answer 200), then again: the second request's
    (queries, body bytes) by label."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    measured = {}
    for label, url in cases:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        with CaptureQueriesContext(connection) as queries:
            body = body_of(client.get(url))
        # Count now: captured_queries slices connection.queries lazily, and every later
        # request's request_started signal empties that log (reset_queries).
        measured[label] = (len(queries), len(body))
    return measured


def timed_cases(
    client, cases: list[tuple[str, str]], *, rounds: int, warmup: int
) -> tuple[dict[str, dict[str, float]], str]:
    """timed_rounds over each (label, url)'s GET (body read to its end), and a note of the
    machine's load average before and after: other work on the machine shows there (above
    the CPU count, expect every figure to move)."""
    load_before = os.getloadavg()[0]
    stats = timed_rounds(
        {label: (lambda url=url: body_of(client.get(url))) for label, url in cases},
        rounds=rounds,
        warmup=warmup,
    )
    load = (
        f"load average {load_before:.2f} before, {os.getloadavg()[0]:.2f} after"
        f" ({os.cpu_count()} CPUs)"
    )
    return stats, load


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


# --- real processes: a Celery worker, a socket listener (bench/escalation_latency.py) --------


def celery_command(*arguments: str) -> list[str]:
    """`celery -A config <arguments>` with this Python (a worker: "worker", "-Q", ...)."""
    return [sys.executable, "-m", "celery", "-A", "config", *arguments]


def stop_processes(processes) -> None:
    """Terminate every process (Popen) a benchmark started; kill one still up after 15 s."""
    import subprocess

    for process in processes:
        if process.poll() is None:
            process.terminate()
    for process in processes:
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def machine_line() -> str:
    """CPUs and load average now, for a result's heading."""
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return f"{os.cpu_count()} CPUs, load average {load}"


class EventListener:
    """A /ws/events/ client (the `websockets` package) on an event-loop thread of its own,
    noting when each event first arrives: `name(event)` names it (None: not noted), and
    arrived[name] is (time.perf_counter(), time.time()) at its arrival."""

    def __init__(self, url: str, cookie: str, origin: str, name: Callable[[dict], str | None]):
        import asyncio
        import threading

        self.url, self.cookie, self.origin, self.name = url, cookie, origin, name
        self.arrived: dict[str, tuple[float, float]] = {}
        self.cond = threading.Condition()
        self.ready = threading.Event()
        self.error: BaseException | None = None
        self.stop = False
        self.thread = threading.Thread(target=lambda: asyncio.run(self._run()), daemon=True)

    async def _run(self) -> None:
        import asyncio
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
                    stamp = (time.perf_counter(), time.time())  # before parsing
                    name = self.name(json.loads(raw))
                    if name is not None:
                        with self.cond:
                            self.arrived.setdefault(name, stamp)
                            self.cond.notify_all()
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            self.error = exc
            self.ready.set()

    def start(self, timeout: float = 30) -> None:
        self.thread.start()
        self.ready.wait(timeout)
        if self.error is not None or not self.ready.is_set():
            raise SystemExit(f"the WebSocket did not open: {self.error!r}")

    def wait_for(self, names: set[str], timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        with self.cond:
            while not names <= self.arrived.keys():
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self.cond.wait(remaining)
        return True


# --- live benchmarks: a scratch database, a person who is always at work ----------------------

ALWAYS_AT_WORK = {d: ["00:00-24:00"] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}


def live_setup(database_url: str, redis_url: str) -> tuple[int, dict[str, str]]:
    """For a benchmark with real processes: (a free port, their environment), this process
    set up on the same (tasks sent to Redis, not run inline), the scratch database migrated
    and emptied."""
    port, env = server_env(
        database_url, redis_url, CELERY_TASK_ALWAYS_EAGER="0", EMAIL_URL="consolemail://"
    )
    os.environ.update(env)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("flush", interactive=False, verbosity=0)
    return port, env


def live_person(actor, username: str, display_name: str):
    """A person always at work, in UTC, told in the app only (email would go to the console
    and cost the worker time), and the cookie of their signed-in session."""
    from notifications import services as notification_services
    from notifications.models import Channel
    from teams import services as team_services

    person = team_services.person_create(
        actor=actor,
        username=username,
        email=f"{username}@example.com",
        display_name=display_name,
        time_zone="UTC",
        country="GB",
        working_hours=ALWAYS_AT_WORK,
        send_invite=False,
    )
    for channel in (Channel.EMAIL, Channel.WEBHOOK):
        notification_services.rule_set(
            actor=actor, person=person, channel=channel, normal=False, urgent=False
        )
    return person, f"sessionid={signed_in_client(person).cookies['sessionid'].value}"


# --- many sockets in one client process (bench/ws_fanout.py, bench/chat_fanout.py) ----------


def raise_open_files_limit(sockets: int) -> None:
    """Each socket is a file descriptor on both ends (the client here, the server in a child,
    which inherits the limit): raise the soft limit to fit `sockets` and some spare."""
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = min(hard, max(soft, 2 * sockets + 1024))
    if want > soft:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))


def start_logged_server(command: list[str], env: dict[str, str], prefix: str):
    """Start `command` (a uvicorn_command) in ROOT with `env`, its output to a temporary log
    file: (the Popen, the log's path), for report_server_log once it has stopped."""
    import subprocess
    import tempfile

    log_path = Path(tempfile.mkstemp(prefix=prefix, suffix=".log")[1])
    with log_path.open("wb") as log:
        server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    return server, log_path


def server_log_problems(path: Path) -> list[str]:
    """The lines of a server log that are a traceback's start or an ERROR."""
    text = path.read_text(errors="replace")
    return [
        line
        for line in text.splitlines()
        if "Traceback" in line or line.startswith("ERROR") or " ERROR " in line
    ]


def report_server_log(path: Path) -> bool:
    """Print what a stopped server logged (at WARNING and above: e.g. failed close-path
    cleanups, which the consumer reports as one line each). False when it holds a traceback
    or an ERROR line (the log is kept, for reading); True otherwise (the log is removed)."""
    problems = server_log_problems(path)
    lines = [line for line in path.read_text(errors="replace").splitlines() if line]
    if problems:
        print(f"server log {path}: {len(problems)} traceback/ERROR lines, first:")
        for line in problems[:5]:
            print(f"  {line}")
        return False
    print(f"server log: no traceback, no ERROR; {len(lines)} other lines")
    for line in lines[:3]:
        print(f"  {line}")
    path.unlink()
    return True


def process_cpu_seconds(pid: int) -> float:
    """User + system CPU time process `pid` has used so far (Linux /proc)."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class SocketClients:
    """N /ws/events/ clients (the `websockets` package, the session cookie and the Origin a
    browser sends) on one event loop in a thread of their own. For every frame a socket
    receives, `note(event, index)` (index: the socket's, in the order of open_all's session
    keys) says what to note: None, or (key, value), and arrived[key] gets (value,
    time.perf_counter() at the frame's arrival, before parsing). Sockets that fail to open,
    fail later or are closed by the server are counted in `errors`."""

    def __init__(
        self,
        url: str,
        origin: str,
        compression: str | None,
        note: Callable[[dict, int], tuple[object, object] | None],
    ):
        import asyncio
        import threading

        self.url, self.origin, self.compression, self.note = url, origin, compression, note
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.sockets: list = []  # in the order they opened
        self.by_index: dict[int, object] = {}
        self.arrived: dict[object, list[tuple[object, float]]] = {}
        self.cond = threading.Condition()
        self.errors: list[str] = []
        self.closing = False
        self.tasks: list = []

    def run(self, coro, timeout: float | None = None):
        """Run `coro` on the clients' loop from another thread; its result."""
        import asyncio

        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    async def _one(self, session_key: str, index: int, gate, opened) -> None:
        import asyncio
        import json

        from websockets.asyncio.client import connect

        try:
            async with gate:
                ws = await connect(
                    self.url,
                    additional_headers={"Cookie": f"sessionid={session_key}"},
                    origin=self.origin,
                    open_timeout=60,
                    max_queue=None,
                    compression=self.compression,
                )
                hello = json.loads(await asyncio.wait_for(ws.recv(), 30))
                if hello.get("type") != "hello":
                    raise RuntimeError(f"first frame {hello!r}")
        except Exception as exc:  # noqa: BLE001 - counted and reported
            self.errors.append(f"socket {index} did not open: {type(exc).__name__}: {exc}")
            opened()
            return
        self.sockets.append(ws)
        self.by_index[index] = ws
        opened()
        try:
            async for raw in ws:
                now = time.perf_counter()
                noted = self.note(json.loads(raw), index)
                if noted is not None:
                    key, value = noted
                    with self.cond:
                        self.arrived.setdefault(key, []).append((value, now))
                        self.cond.notify_all()
        except Exception as exc:  # noqa: BLE001
            if not self.closing:
                self.errors.append(f"socket {index} failed: {type(exc).__name__}: {exc}")
            return
        if not self.closing:
            self.errors.append(f"socket {index} closed by the server ({ws.close_code})")

    async def open_all(self, session_keys: list[str], concurrency: int) -> None:
        """Open a socket per session key, `concurrency` handshakes at a time; return once
        each has opened or failed. Indexes continue from the sockets of earlier calls."""
        import asyncio

        gate = asyncio.Semaphore(concurrency)
        done = asyncio.Event()
        remaining = len(session_keys)

        def opened():
            nonlocal remaining
            remaining -= 1
            if remaining == 0:
                done.set()

        first = len(self.tasks)
        self.tasks += [
            asyncio.ensure_future(self._one(key, first + i, gate, opened))
            for i, key in enumerate(session_keys)
        ]
        if session_keys:
            await done.wait()

    async def send_json(self, index: int, frame: dict) -> float:
        """Send `frame` on socket `index`; time.perf_counter() just before sending."""
        import json

        text = json.dumps(frame)
        started = time.perf_counter()
        await self.by_index[index].send(text)
        return started

    async def close_all(self) -> None:
        import asyncio

        self.closing = True
        await asyncio.gather(*(ws.close() for ws in self.sockets), return_exceptions=True)
        await asyncio.gather(*self.tasks, return_exceptions=True)

    def wait_for(self, key: object, count: int, timeout: float) -> list[tuple[object, float]]:
        """What arrived under `key` once `count` have, or after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        with self.cond:
            while len(self.arrived.get(key, [])) < count:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                self.cond.wait(remaining)
            return list(self.arrived.get(key, []))

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
