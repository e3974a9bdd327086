"""Load test of the production split on this machine: gunicorn for HTTP, uvicorn for /ws/, a
Celery worker, beat, PostgreSQL and Redis, under a mixed workload (Locust, headless).

    .venv/bin/python bench/load.py [--sizes 1200,12000] [--users 2,4,8,16,32,64]
        [--step-seconds 20] [--warm-seconds 4] [--bare-users 20] [--bare-seconds 15]
        [--sockets 300] [--think 0.1,0.3] [--web-workers 3] [--reuse]
        [--database-prefix postgres://postgres@127.0.0.1:5432/bench_load_]
        [--redis-url redis://127.0.0.1:6379/9]

Each size runs in a child process of its own: a scratch PostgreSQL database
(<prefix>1200, <prefix>12k: created if missing, migrated, flushed, then seeded with
`seed_demo --people N --teams N/8 --schedules 300`; --reuse keeps one that already holds N
people; then ANALYZEd, as autovacuum keeps a live database), Redis database 9 emptied,
then the processes of README "Production", on 127.0.0.1 only: `gunicorn config.wsgi -w 3`
(the production settings plus the bare JSON view of bench.urls: bench/load_settings.py),
one `uvicorn config.asgi` for /ws/, one Celery worker on both queues (concurrency 2) and
beat (DatabaseScheduler). `--sockets` people (signed in,
MFA-verified sessions) open /ws/events/ and stay connected through the run.

The workload (Locust as a library, FastHttpUser, in a process of its own so gevent patches
nothing else): each simulated user is one of those people and, after a think time
(--think, seconds, uniform), asks one of the pages and endpoints of a working day — the
dashboard, the directory (plain, "working now", a search), a person, a team, on-call now, the
schedules, the inbox, the people / on-call / schedules API — or sends itself a test
notification (POST, the in-app channel: a row, a Celery task, an event on its socket). The
user count goes up in steps (--users); after --warm-seconds each step is measured for
--step-seconds. Then, on the same servers, --bare-users users with no think time ask only
the bare JSON view (signed in, the same middleware): the capacity the mixed workload is
compared with. During every step the CPU of each group of processes (web workers, ws,
Celery, PostgreSQL, Redis, the load generator) is sampled from /proc (psutil), in % of one
core (the machine has 2 cores: 200% in all).

Output per size: throughput and p50/p95/p99 per route for every step (Locust's percentiles,
rounded to 2 significant figures above 100 ms), the totals per step, the CPU table, and the
verdicts: p99 of the whole mix under 250 ms at the last step where throughput still grew by
10% or more, and the best mixed throughput at least 30% of the bare view's. Every process
started is stopped at the end; their logs must hold no traceback.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (  # noqa: E402
    ROOT,
    SocketClients,
    celery_command,
    free_port,
    machine_line,
    print_table,
    raise_open_files_limit,
    server_env,
    server_log_problems,
    start_logged_server,
    stop_processes,
    uvicorn_command,
    wait_for_port,
)

# label, weight, how the path is made (see the Locust child)
ROUTES = [
    ("dashboard", 2),
    ("directory page", 3),
    ("directory, working now", 2),
    ("directory, search", 1),
    ("person page", 2),
    ("team page", 1),
    ("on-call now page", 2),
    ("schedules page", 1),
    ("inbox", 1),
    ("API people", 2),
    ("API people, working now", 1),
    ("API on-call now", 2),
    ("API schedules", 1),
    ("send test notification", 1),
]
BARE = "bare JSON view"
SEARCHES = ["an", "li", "ma", "jo", "el", "ra"]


# --- the Locust child: imports locust (gevent) first, runs every step, writes JSON ----------


def locust_child(plan_path: str) -> None:
    import random

    import gevent
    from locust import FastHttpUser, between, constant, task
    from locust.env import Environment
    from locust.log import setup_logging

    setup_logging("WARNING")
    plan = json.loads(Path(plan_path).read_text())
    sessions = plan["sessions"]
    low, high = plan["think"]
    taken = iter(range(10**9))
    posted = [0]  # test notifications sent, warm-up included (each should reach a socket)

    class Signed:
        """A signed-in, MFA-verified person (one of the plan's sessions per user)."""

        host = plan["host"]

        def on_start(self):
            index = next(taken)
            self.rand = random.Random(index)
            self.csrf = f"{index:032d}"
            cookie = f"sessionid={sessions[index % len(sessions)]}; csrftoken={self.csrf}"
            self.headers = {"Cookie": cookie}

        def get(self, path: str, name: str) -> None:
            with self.client.get(
                path, name=name, headers=self.headers, allow_redirects=False, catch_response=True
            ) as response:
                if response.status_code != 200:
                    response.failure(f"status {response.status_code}")

    class Person(Signed, FastHttpUser):
        wait_time = between(low, high)

        def pick(self, key: str):
            return self.rand.choice(plan[key])

        @task(2)
        def dashboard(self):
            self.get("/", "dashboard")

        @task(3)
        def directory(self):
            self.get("/people/", "directory page")

        @task(2)
        def working_now(self):
            self.get("/people/?working_now=1", "directory, working now")

        @task(1)
        def search(self):
            self.get(f"/people/?q={self.rand.choice(SEARCHES)}", "directory, search")

        @task(2)
        def person(self):
            self.get(f"/people/{self.pick('people')}/", "person page")

        @task(1)
        def team(self):
            self.get(f"/teams/{self.pick('teams')}/", "team page")

        @task(2)
        def oncall_now(self):
            self.get("/oncall/", "on-call now page")

        @task(1)
        def schedule(self):
            self.get("/schedules/", "schedules page")

        @task(1)
        def inbox(self):
            self.get("/notifications/", "inbox")

        @task(2)
        def api_people(self):
            self.get("/api/v1/people/", "API people")

        @task(1)
        def api_working_now(self):
            self.get("/api/v1/people/?working_now=true", "API people, working now")

        @task(2)
        def api_oncall_now(self):
            self.get("/api/v1/oncall/now/", "API on-call now")

        @task(1)
        def api_schedules(self):
            self.get("/api/v1/schedules/", "API schedules")

        @task(1)
        def notify(self):
            headers = {**self.headers, "X-CSRFToken": self.csrf}
            with self.client.post(
                "/notifications/settings/test/in_app/",
                name="send test notification",
                headers=headers,
                allow_redirects=False,
                catch_response=True,
            ) as response:
                if response.status_code != 302:
                    response.failure(f"status {response.status_code}")
                else:
                    posted[0] += 1

    class Bare(Signed, FastHttpUser):
        wait_time = constant(0)

        @task
        def bare(self):
            self.get("/bench/bare/", BARE)

    def measure(env, runner, users: int, phase: str) -> dict:
        runner.start(users, spawn_rate=max(users, 100))
        gevent.sleep(plan["warm"])
        env.stats.reset_all()
        started = time.time()
        gevent.sleep(plan["seconds"] if phase == "mixed" else plan["bare_seconds"])
        ended = time.time()
        seconds = ended - started
        routes = {}
        for (name, _method), entry in env.stats.entries.items():
            if not entry.num_requests:
                continue
            routes[name] = {
                "requests": entry.num_requests,
                "failures": entry.num_failures,
                "rps": entry.num_requests / seconds,
                "p50": entry.get_response_time_percentile(0.50),
                "p95": entry.get_response_time_percentile(0.95),
                "p99": entry.get_response_time_percentile(0.99),
            }
        total = env.stats.total
        errors = [f"{e.name}: {e.error} x{e.occurrences}" for e in env.stats.errors.values()]
        return {
            "phase": phase,
            "users": users,
            "started": started,
            "ended": ended,
            "routes": routes,
            "total": {
                "requests": total.num_requests,
                "failures": total.num_failures,
                "rps": total.num_requests / seconds,
                "p50": total.get_response_time_percentile(0.50),
                "p95": total.get_response_time_percentile(0.95),
                "p99": total.get_response_time_percentile(0.99),
            },
            "errors": errors[:5],
        }

    results = []
    env = Environment(user_classes=[Person])
    runner = env.create_local_runner()
    for users in plan["steps"]:
        results.append(measure(env, runner, users, "mixed"))
        print(f"  step {users} users done", file=sys.stderr, flush=True)
    runner.quit()
    env = Environment(user_classes=[Bare])
    runner = env.create_local_runner()
    results.append(measure(env, runner, plan["bare_users"], "bare"))
    runner.quit()
    Path(plan["output"]).write_text(json.dumps({"steps": results, "posted": posted[0]}))


# --- CPU of each group of processes, sampled once a second ----------------------------------


class CpuSampler:
    """Samples the CPU seconds of every process of interest once a second: groups by pid
    (the started processes and their children) or by name (postgres, redis-server)."""

    def __init__(self, roots: dict[str, list[int]]):
        self.roots = roots
        self.samples: list[tuple[float, dict[str, float]]] = []
        self.stop = threading.Event()
        self.seen: dict[int, float] = {}
        self.totals = {group: 0.0 for group in [*roots, "postgres", "redis"]}
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _group_of(self, process) -> str | None:
        import psutil

        name = process.info["name"] or ""
        if name.startswith("postgres"):
            return "postgres"
        if name.startswith("redis-server"):
            return "redis"
        pid = process.pid
        for group, pids in self.roots.items():
            if pid in pids:
                return group
            try:
                if process.ppid() in pids:
                    return group
                parent = psutil.Process(process.ppid())
                if parent.ppid() in pids:
                    return group
            except psutil.Error:
                return None
        return None

    def sample(self) -> None:
        import psutil

        now = time.time()
        for process in psutil.process_iter(["name", "cpu_times", "create_time"]):
            group = self._group_of(process)
            times = process.info["cpu_times"]
            if group is None or times is None:
                continue
            cpu = times.user + times.system
            before = self.seen.get(process.pid)
            if before is None:
                created_during = self.samples and process.info["create_time"] > self.samples[-1][0]
                before = 0.0 if created_during else cpu
            self.totals[group] += cpu - before
            self.seen[process.pid] = cpu
        self.samples.append((now, dict(self.totals)))

    def _run(self) -> None:
        while not self.stop.is_set():
            self.sample()
            self.stop.wait(1.0)

    def percent(self, started: float, ended: float) -> dict[str, float]:
        """Each group's CPU between two instants, in % of one core."""
        inside = [s for s in self.samples if started <= s[0] <= ended]
        if len(inside) < 2:
            return {}
        (t0, first), (t1, last) = inside[0], inside[-1]
        return {group: 100 * (last[group] - first[group]) / (t1 - t0) for group in first}


# --- one size -------------------------------------------------------------------------------


def database_url(prefix: str, size: int) -> str:
    return f"{prefix}{size // 1000}k" if size % 1000 == 0 else f"{prefix}{size}"


def prepare(size: int, reuse: bool, sockets: int) -> tuple[dict, float | None]:
    """Migrate, flush and seed (unless --reuse finds the size seeded); the plan's data."""
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from bench.common import analyze_after_bulk_load, seed_demo_quietly
    from teams.models import Team
    from tests.ws import bulk_session_keys

    call_command("migrate", verbosity=0)
    user_model = get_user_model()
    people = user_model.objects.filter(is_active=True, profile__isnull=False)
    seed_seconds = None
    if not (reuse and people.count() >= size):
        call_command("flush", interactive=False, verbosity=0)
        seed_seconds = seed_demo_quietly(people=size, teams=max(15, size // 8), schedules=300)
    # Statistics as a live database has them (autovacuum had not looked at the bulk-loaded
    # tables yet: the 1,200-people run had none at all, and plans to match).
    analyze_after_bulk_load()
    ids = list(people.order_by("pk").values_list("pk", flat=True))
    step = max(1, len(ids) // sockets)
    chosen = list(user_model.objects.filter(pk__in=ids[::step][:sockets]).order_by("pk"))
    return {
        "sessions": bulk_session_keys(chosen),
        "people": ids[::7][:500],
        "teams": list(Team.objects.order_by("pk").values_list("slug", flat=True)[:200]),
    }, seed_seconds


def preflight(host: str, plan: dict) -> None:
    """Every route once, as the first simulated person: it must answer as under load."""
    import urllib.request

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    cookie = f"sessionid={plan['sessions'][0]}; csrftoken={'0' * 32}"
    paths = [
        "/",
        "/people/",
        "/people/?working_now=1",
        "/people/?q=an",
        f"/people/{plan['people'][0]}/",
        f"/teams/{plan['teams'][0]}/",
        "/oncall/",
        "/schedules/",
        "/notifications/",
        "/api/v1/people/",
        "/api/v1/people/?working_now=true",
        "/api/v1/oncall/now/",
        "/api/v1/schedules/",
        "/bench/bare/",
    ]
    for path in paths:
        request = urllib.request.Request(host + path, headers={"Cookie": cookie})
        try:
            status = opener.open(request, timeout=30).status
        except urllib.error.HTTPError as exc:
            status = exc.code
        if status != 200:
            raise SystemExit(f"preflight: {path} answered {status}")


def run_size(args: argparse.Namespace) -> None:
    size = args.size
    url = database_url(args.database_prefix, size)
    metrics_dir = tempfile.mkdtemp(prefix="bench-load-metrics-")
    port, env = server_env(
        url,
        args.redis_url,
        CELERY_TASK_ALWAYS_EAGER="0",
        EMAIL_URL="consolemail://",
        DJANGO_SETTINGS_MODULE="bench.load_settings",
    )
    ws_port = free_port()
    here = {k: v for k, v in env.items() if k != "DJANGO_SETTINGS_MODULE"}
    os.environ.update(here)
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    import django

    django.setup()
    import redis
    from django.db import connection

    raise_open_files_limit(args.sockets)
    started_at = time.perf_counter()
    plan, seed_seconds = prepare(size, args.reuse, args.sockets)
    connection.close()
    redis.Redis.from_url(args.redis_url).flushdb()
    seeded = "reused" if seed_seconds is None else f"seeded in {seed_seconds:.0f} s"

    env["PROMETHEUS_MULTIPROC_DIR"] = metrics_dir
    host = f"http://127.0.0.1:{port}"
    gunicorn = [sys.executable, "-m", "gunicorn", "config.wsgi", "-w", str(args.web_workers)]
    gunicorn += ["-b", f"127.0.0.1:{port}", "--log-level", "warning"]
    worker_env = {**env, "DB_POOL_MAX_SIZE": "0"}
    processes, logs = [], {}
    for name, command, its_env in [
        ("web", gunicorn, env),
        ("ws", uvicorn_command(ws_port, "--lifespan", "off"), env),
        (
            "worker",
            celery_command(
                "worker", "-l", "warning", "--concurrency", "2", "-Q", "celery,escalations"
            ),
            worker_env,
        ),  # fmt: skip
        ("beat", celery_command("beat", "-l", "warning", "-S", "django"), env),
    ]:
        process, log = start_logged_server(command, its_env, f"bench-load-{name}-")
        processes.append(process)
        logs[name] = (process, log)
    clients = None
    sampler = None
    try:
        wait_for_port(port, logs["web"][0])
        wait_for_port(ws_port, logs["ws"][0])
        preflight(host, plan)

        clients = SocketClients(
            f"ws://127.0.0.1:{ws_port}/ws/events/",
            f"http://127.0.0.1:{ws_port}",
            "deflate",
            lambda event, index: (
                ("notification", index) if event.get("type") == "notification" else None
            ),
        )
        clients.thread.start()
        clients.run(clients.open_all(plan["sessions"], 50), timeout=120)
        opened = len(clients.sockets)

        plan_path = Path(tempfile.mkstemp(prefix="bench-load-plan-", suffix=".json")[1])
        output = plan_path.with_suffix(".out.json")
        plan.update(
            host=host,
            think=[float(x) for x in args.think.split(",")],
            steps=[int(x) for x in args.users.split(",")],
            warm=args.warm_seconds,
            seconds=args.step_seconds,
            bare_users=args.bare_users,
            bare_seconds=args.bare_seconds,
            output=str(output),
        )
        plan_path.write_text(json.dumps(plan))
        loader = subprocess.Popen([sys.executable, __file__, "--locust-plan", str(plan_path)])
        sampler = CpuSampler(
            {
                "web": [logs["web"][0].pid],
                "ws": [logs["ws"][0].pid],
                "celery": [logs["worker"][0].pid, logs["beat"][0].pid],
                "load gen": [loader.pid, os.getpid()],
            }
        )
        sampler.thread.start()
        loader.wait()
        sampler.stop.set()
        if loader.returncode:
            raise SystemExit(f"the Locust process exited with {loader.returncode}")
        loaded = json.loads(output.read_text())
        results, sent = loaded["steps"], loaded["posted"]
        plan_path.unlink()
        output.unlink()
        arrived = clients.wait_for("notification", sent, timeout=30)
        socket_errors = list(clients.errors)
        clients.run(clients.close_all(), timeout=60)
    finally:
        if clients is not None:
            clients.stop()
        if sampler is not None:
            sampler.stop.set()
        stop_processes(processes)
        for file in Path(metrics_dir).glob("*"):
            file.unlink()
        os.rmdir(metrics_dir)

    report(size, seeded, results, sampler, opened, sent, len(arrived), socket_errors, args)
    problems = {name: server_log_problems(log) for name, (_p, log) in logs.items()}
    for name, (_p, log) in logs.items():
        if problems[name]:
            print(f"{name} log {log}: {len(problems[name])} traceback/ERROR lines, first:")
            for line in problems[name][:5]:
                print(f"  {line}")
        else:
            log.unlink()
    print(f"# {size:,} people: whole run {time.perf_counter() - started_at:.0f} s")


def report(size, seeded, results, sampler, opened, sent, arrived, socket_errors, args) -> None:
    mixed = [r for r in results if r["phase"] == "mixed"]
    bare = next(r for r in results if r["phase"] == "bare")
    print(
        f"\n## {size:,} people ({seeded}); gunicorn -w {args.web_workers}, 1 uvicorn with "
        f"{opened} sockets open, 1 Celery worker (concurrency 2), beat; {machine_line()}"
    )
    rows = []
    for step in mixed:
        for label, _weight in ROUTES:
            route = step["routes"].get(label)
            if route:
                rows.append([step["users"], label, *route_cells(route)])
        rows.append([step["users"], "ALL (mixed)", *route_cells(step["total"])])
    rows.append([bare["users"], f"{BARE} (no think time)", *route_cells(bare["total"])])
    print_table(["users", "route", "req/s", "p50 ms", "p95 ms", "p99 ms", "failures"], rows)

    print()
    groups = ["web", "ws", "celery", "postgres", "redis", "load gen"]
    cpu_rows = []
    for step in results:
        cpu = sampler.percent(step["started"], step["ended"])
        label = f"{step['users']} {'mixed' if step['phase'] == 'mixed' else 'bare'}"
        cpu_rows.append(
            [label, f"{step['total']['rps']:.0f}", *(f"{cpu.get(g, 0):.0f}" for g in groups)]
        )
    print_table(["users", "req/s", *(f"{g} CPU %" for g in groups)], cpu_rows)

    # Verdicts: the last step where throughput still grew by 10% or more over the step before.
    growing = mixed[0]
    for before, after in zip(mixed, mixed[1:], strict=False):
        if after["total"]["rps"] >= 1.10 * before["total"]["rps"]:
            growing = after
        else:
            break
    best = max(mixed, key=lambda r: r["total"]["rps"])
    p99 = growing["total"]["p99"]
    ratio = best["total"]["rps"] / bare["total"]["rps"]
    print(
        f"\np99 at {growing['users']} users (the last step where throughput still grew): "
        f"{p99:.0f} ms -> goal p99 < 250 ms {'MET' if p99 < 250 else 'NOT MET'}"
    )
    print(
        f"best mixed throughput {best['total']['rps']:.0f} req/s ({best['users']} users) = "
        f"{ratio:.0%} of the bare view's {bare['total']['rps']:.0f} req/s -> goal >= 30% "
        f"{'MET' if ratio >= 0.30 else 'NOT MET'}"
    )
    print(
        f"notifications: {sent} test notifications sent, {arrived} arrived on their sockets "
        f"(all of the run) within 30 s of the end; socket errors: {len(socket_errors)}"
    )
    for error in socket_errors[:3]:
        print(f"  {error}")
    for step in results:
        for error in step["errors"]:
            print(f"  {step['users']} users {step['phase']}: {error}")


def route_cells(route: dict) -> list[str]:
    return [
        f"{route['rps']:.1f}",
        f"{route['p50']:.0f}",
        f"{route['p95']:.0f}",
        f"{route['p99']:.0f}",
        str(route["failures"]),
    ]


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--locust-plan":
        locust_child(sys.argv[2])
        return
    import importlib.util

    if importlib.util.find_spec("locust") is None:
        sys.exit("Locust is not installed: .venv/bin/pip install -r bench/requirements-load.txt")
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1200,12000")
    parser.add_argument("--users", default="2,4,8,16,32,64")
    parser.add_argument("--step-seconds", type=float, default=20)
    parser.add_argument("--warm-seconds", type=float, default=4)
    parser.add_argument("--bare-users", type=int, default=20)
    parser.add_argument("--bare-seconds", type=float, default=15)
    parser.add_argument("--sockets", type=int, default=300)
    parser.add_argument("--think", default="0.1,0.3", help="think time range, seconds")
    parser.add_argument("--web-workers", type=int, default=3)
    parser.add_argument("--reuse", action="store_true", help="keep a seeded database")
    parser.add_argument(
        "--database-prefix", default="postgres://postgres@127.0.0.1:5432/bench_load_"
    )
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/9")
    parser.add_argument("--size", type=int, help=argparse.SUPPRESS)  # child process mode
    args = parser.parse_args()
    if args.size:
        run_size(args)
        return
    for size in [int(s) for s in args.sizes.split(",")]:
        command = [sys.executable, __file__, "--size", str(size), *sys.argv[1:]]
        subprocess.run(command, cwd=ROOT, check=True)


if __name__ == "__main__":
    main()
