"""Prometheus metrics: what an on-call operator alerts on and what an autoscaler scales on.

Two kinds of metric live here:

- **Observed** ones, counted by the process that sees the event: HTTP requests (the
  middleware below: latency by route name, status codes, database queries per request),
  Celery tasks (signals, `install_celery_signals()`), notification deliveries (observed by
  notifications.engine), escalation steps firing (escalations.engine), open WebSockets
  (accounts.consumers). Apps import this module and call `.labels(...).observe()/.inc()`.
- **Read at scrape time** from the database or the broker: Celery queue depth (the queues
  apps name with `register_queue()`), the oldest due-but-unsent notification delivery, the
  oldest overdue escalation step. Core may not import the apps, so each app registers its
  reader from its AppConfig.ready()::

      from core import metrics

      metrics.register_queue("escalations")
      metrics.register_gauge(
          "baton_notification_oldest_due_seconds",
          "Age of the oldest notification delivery that is due and not sent (0: none).",
          selectors.oldest_due_delivery_age,
      )

  A reader returns a number (or a mapping of label-value tuples to numbers, with `labels`);
  one that fails (database or Redis down) is left out of that scrape and
  `baton_metrics_reader_up{reader=...}` says 0.

Several processes (gunicorn workers, uvicorn workers, Celery children): set
PROMETHEUS_MULTIPROC_DIR to a directory the processes of one machine share, empty at start;
each process writes its values there and `/metrics` (any web or ws process) sums them.
gunicorn.conf.py's child_exit hook drops a dead worker's live gauges. Without the variable
each process reports only itself (the embedded `make run` has one web process).
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, resolve
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.metrics_core import Metric

log = logging.getLogger(__name__)

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"


def multiproc_dir() -> str:
    return os.environ.get(MULTIPROC_ENV, "") or os.environ.get(MULTIPROC_ENV.lower(), "")


# prometheus_client writes each process's values into files there from the first metric on:
# the directory must exist before the definitions below.
if multiproc_dir():
    os.makedirs(multiproc_dir(), exist_ok=True)

# --- observed metrics -------------------------------------------------------------------------

# 250 ms is the p99 goal (issue 15); finer below it, coarse above.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
QUERY_BUCKETS = (0, 1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144)
# Tasks run from milliseconds (a delivery) to minutes (a digest run, a big import).
TASK_BUCKETS = (0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0)
# Lags: seconds (a healthy queue) to an hour (a backlog, or a retry's backoff).
LAG_BUCKETS = (0.1, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 900.0, 3600.0)

http_request_duration = Histogram(
    "baton_http_request_duration_seconds",
    "Time to answer an HTTP request, by route name (never the raw path) and method.",
    ["route", "method"],
    buckets=LATENCY_BUCKETS,
)
http_requests = Counter(
    "baton_http_requests",
    "HTTP requests answered, by route name, method and status code.",
    ["route", "method", "status"],
)
http_request_queries = Histogram(
    "baton_http_request_db_queries",
    "Database queries run while answering one HTTP request, by route name.",
    ["route"],
    buckets=QUERY_BUCKETS,
)
celery_task_duration = Histogram(
    "baton_celery_task_duration_seconds",
    "Time a Celery task ran, by task name and final state (SUCCESS, FAILURE, RETRY, ...).",
    ["task", "state"],
    buckets=TASK_BUCKETS,
)
celery_task_wait = Histogram(
    "baton_celery_task_wait_seconds",
    "Time from a task's enqueueing (or its ETA, if later) to a worker starting it, by task "
    "and queue: the queue's latency as a task feels it.",
    ["task", "queue"],
    buckets=LAG_BUCKETS,
)
notification_delivery_lag = Histogram(
    "baton_notification_delivery_lag_seconds",
    "Time from a notification delivery being created (due) to it being sent, by channel.",
    ["channel"],
    buckets=LAG_BUCKETS,
)
notification_deliveries = Counter(
    "baton_notification_deliveries",
    "Notification delivery attempts by channel and outcome: sent; retrying (an attempt "
    "failed, another follows); failed (given up); skipped.",
    ["channel", "outcome"],
)
escalation_step_lag = Histogram(
    "baton_escalation_step_lag_seconds",
    "Time from an escalation step's due time to it firing.",
    buckets=LAG_BUCKETS,
)
# Per process: under PROMETHEUS_MULTIPROC_DIR every live process reports its own (a `pid`
# label); sum() is the total, avg() the load per ws process an autoscaler wants.
websocket_connections = Gauge(
    "baton_websocket_connections",
    "WebSockets open (accepted and not yet closed) in this process.",
    multiprocess_mode="liveall",
)


# --- readers run at scrape time ---------------------------------------------------------------


Reader = Callable[[], float | Mapping[tuple[str, ...], float] | None]


@dataclass(frozen=True)
class _Gauge:
    name: str
    documentation: str
    read: Reader
    labels: tuple[str, ...] = ()


_gauges: dict[str, _Gauge] = {}
_queues: list[str] = []


def register_gauge(
    name: str, documentation: str, read: Reader, *, labels: Iterable[str] = ()
) -> None:
    """Expose `read()` as the gauge `name` at every scrape. Registering the same name again
    replaces it (ready() can run more than once in tests)."""
    _gauges[name] = _Gauge(name, documentation, read, tuple(labels))


def register_queue(name: str) -> None:
    """Report the depth of this Celery queue (messages waiting in the broker)."""
    if name not in _queues:
        _queues.append(name)


def queues() -> list[str]:
    default = getattr(settings, "CELERY_TASK_DEFAULT_QUEUE", "celery")
    return [default, *(q for q in _queues if q != default)]


# kombu's Redis transport keeps a queue as a list under its name, and messages sent with a
# priority in sibling lists "<name>\x06\x16<priority>".
_REDIS_PRIORITY_SEP = "\x06\x16"
_REDIS_PRIORITY_STEPS = (3, 6, 9)


def queue_lengths(names: list[str]) -> dict[str, int]:
    """Messages waiting per queue: LLEN on Redis (1 s timeouts, one round trip), else a
    passive declare through kombu (the in-memory broker of tests and the embedded mode)."""
    from celery import current_app

    url = str(current_app.conf.broker_url or "")
    if url.startswith(("redis://", "rediss://", "unix://")):
        import redis

        client = redis.Redis.from_url(url, socket_timeout=1.0, socket_connect_timeout=1.0)
        try:
            pipe = client.pipeline(transaction=False)
            for name in names:
                pipe.llen(name)
                for step in _REDIS_PRIORITY_STEPS:
                    pipe.llen(f"{name}{_REDIS_PRIORITY_SEP}{step}")
            counts = pipe.execute()
        finally:
            client.close()
        per = 1 + len(_REDIS_PRIORITY_STEPS)
        return {name: sum(counts[i * per : (i + 1) * per]) for i, name in enumerate(names)}
    from kombu.exceptions import ChannelError

    lengths = {}
    with current_app.connection_for_read() as conn:
        channel = conn.default_channel
        for name in names:
            try:
                lengths[name] = channel.queue_declare(queue=name, passive=True).message_count
            except ChannelError:  # never declared: nothing waits there
                lengths[name] = 0
    return lengths


def _read_queue_lengths() -> dict[tuple[str, ...], float]:
    return {(name,): count for name, count in queue_lengths(queues()).items()}


register_gauge(
    "baton_celery_queue_length",
    "Celery messages waiting in the broker, per queue (scale workers on this).",
    _read_queue_lengths,
    labels=("queue",),
)


class _ScrapeReaders:
    """A collector over the registered readers, run afresh at each scrape."""

    def collect(self) -> Iterable[Metric]:
        up = GaugeMetricFamily(
            "baton_metrics_reader_up",
            "1 if the scrape-time reader answered, 0 if it failed (see the log).",
            labels=["reader"],
        )
        for gauge in list(_gauges.values()):
            try:
                value = gauge.read()
            except Exception:  # noqa: BLE001 - one failing reader must not fail the scrape
                log.warning("metrics reader %s failed", gauge.name, exc_info=True)
                up.add_metric([gauge.name], 0)
                continue
            up.add_metric([gauge.name], 1)
            family = GaugeMetricFamily(gauge.name, gauge.documentation, labels=gauge.labels)
            if isinstance(value, Mapping):
                for label_values, number in value.items():
                    family.add_metric(list(label_values), float(number))
            elif value is not None:
                family.add_metric([], float(value))
            yield family
        yield up


class _Sources:
    def __init__(self, *sources):
        self.sources = sources

    def collect(self) -> Iterable[Metric]:
        for source in self.sources:
            yield from source.collect()


def exposition(*, path: str | None = None) -> tuple[bytes, str]:
    """The text a scrape gets, and its content type. Under PROMETHEUS_MULTIPROC_DIR (or with
    `path`): every process's values from the shared directory, summed by the library's rules;
    otherwise this process's registry (with its process_* and python_* metrics)."""
    from prometheus_client import multiprocess

    directory = path or multiproc_dir()
    if directory:
        drop_dead_processes(directory)
        observed = CollectorRegistry()
        multiprocess.MultiProcessCollector(observed, path=directory)
    else:
        observed = REGISTRY
    return generate_latest(_Sources(observed, _ScrapeReaders())), CONTENT_TYPE_LATEST


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


def drop_dead_processes(directory: str) -> None:
    """Drop the live gauges (the open WebSockets) of processes that are gone: gunicorn's
    child_exit hook does it for its workers, nothing does for a uvicorn worker or a Celery
    child that died. The directory is per machine, so a pid there is a pid here."""
    from prometheus_client import multiprocess

    pids = set()
    for name in os.listdir(directory):
        if name.startswith("gauge_live") and name.endswith(".db"):
            pid = name[:-3].rpartition("_")[2]
            if pid.isdigit():
                pids.add(int(pid))
    for pid in pids:
        if pid != os.getpid() and not _alive(pid):
            multiprocess.mark_process_dead(pid, directory)


# --- HTTP requests ----------------------------------------------------------------------------

_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def route_name(request: HttpRequest, status: int) -> str:
    """The route's view name (namespaced, e.g. "admin:index"), so /people/12 and /people/13
    are one series. "static" for static files; "unmatched" for paths no route matches."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        path = request.path_info
        if path.startswith(settings.STATIC_URL or "/static/"):
            return "static"
        if status == 404:
            return "unmatched"
        # Answered before routing (default deny's redirect or 401): name the route it refused.
        try:
            match = resolve(path)
        except Resolver404:
            return "unmatched"
    return match.view_name or match.url_name or "unnamed"


class _QueryCounter:
    __slots__ = ("count",)

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


class RequestMetricsMiddleware:
    """First in MIDDLEWARE: times every request, refused ones and static files included."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        counter = _QueryCounter()
        started = time.perf_counter()
        with connection.execute_wrapper(counter):
            response = self.get_response(request)
        elapsed = time.perf_counter() - started
        try:
            status = response.status_code
            route = route_name(request, status)
            method = request.method if request.method in _METHODS else "other"
            http_request_duration.labels(route, method).observe(elapsed)
            http_requests.labels(route, method, str(status)).inc()
            http_request_queries.labels(route).observe(counter.count)
        except Exception:  # noqa: BLE001 - metrics never fail a request
            log.warning("request metrics not recorded", exc_info=True)
        return response


# --- Celery tasks -----------------------------------------------------------------------------

_ENQUEUED_HEADER = "baton_enqueued_at"
_started: dict[str, float] = {}


def _on_publish(sender=None, headers=None, **kwargs) -> None:
    if headers is not None:
        headers.setdefault(_ENQUEUED_HEADER, time.time())


def _request_value(request, name: str):
    value = getattr(request, name, None)
    if value is None:
        value = (getattr(request, "headers", None) or {}).get(name)
    return value


def _eta_timestamp(eta) -> float | None:
    if not eta:
        return None
    if isinstance(eta, str):
        from datetime import datetime

        try:
            eta = datetime.fromisoformat(eta)
        except ValueError:
            return None
    try:
        return eta.timestamp()
    except (AttributeError, OverflowError, ValueError):
        return None


def _on_prerun(task_id=None, task=None, **kwargs) -> None:
    if task_id is None or task is None:
        return
    now = time.time()
    _started[task_id] = time.perf_counter()
    request = task.request
    if getattr(request, "is_eager", False):
        return
    try:
        enqueued = _request_value(request, _ENQUEUED_HEADER)
        if enqueued is None:
            return
        since = max(float(enqueued), _eta_timestamp(getattr(request, "eta", None)) or 0.0)
        queue = (getattr(request, "delivery_info", None) or {}).get("routing_key") or "unknown"
        celery_task_wait.labels(task.name, queue).observe(max(0.0, now - since))
    except Exception:  # noqa: BLE001 - metrics never fail a task
        log.debug("task wait not recorded", exc_info=True)


def _on_postrun(task_id=None, task=None, state=None, **kwargs) -> None:
    started = _started.pop(task_id, None) if task_id is not None else None
    if started is None or task is None:
        return
    celery_task_duration.labels(task.name, state or "unknown").observe(
        time.perf_counter() - started
    )


def install_celery_signals() -> None:
    """Connect the task metrics (config/celery.py calls this). Idempotent: Celery's signals
    ignore a receiver connected twice (same dispatch_uid)."""
    from celery import signals

    signals.before_task_publish.connect(
        _on_publish, weak=False, dispatch_uid="baton-metrics-publish"
    )
    signals.task_prerun.connect(_on_prerun, weak=False, dispatch_uid="baton-metrics-prerun")
    signals.task_postrun.connect(_on_postrun, weak=False, dispatch_uid="baton-metrics-postrun")
