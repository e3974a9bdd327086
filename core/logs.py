"""Structured logs: one line per request and per Celery task, each with a request id.

A request's id is its `X-Request-ID` header when that is a sane token (a balancer's or a
client's, so one id follows a request across systems), else a new one; it is answered back in
the response's `X-Request-ID`. Every log line written while the request runs carries it
(ContextFilter), and so do the Celery tasks the request enqueues (a message header), and their
lines. A request's line names the person by id only (never an e-mail or a name), the route by
its name (not the raw path: ids and secrets in paths stay out of logs), the status and the
duration. `LOG_FORMAT=json` writes each line as one JSON object; the default is plain text.
"""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from contextvars import ContextVar
from datetime import UTC, datetime

request_id_var: ContextVar[str] = ContextVar("baton_request_id", default="")
person_var: ContextVar[int | None] = ContextVar("baton_person", default=None)

HEADER = "X-Request-ID"
TASK_HEADER = "baton_request_id"
_SANE = re.compile(r"^[A-Za-z0-9._:-]{8,64}$")
# What a line may carry besides its message (`extra=`), in this order.
FIELDS = ("route", "method", "status", "duration_ms", "task", "task_id", "state", "queue")

request_log = logging.getLogger("baton.request")
task_log = logging.getLogger("baton.task")


def new_request_id(incoming: str | None = None) -> str:
    return incoming if incoming and _SANE.match(incoming) else uuid.uuid4().hex


class ContextFilter(logging.Filter):
    """Puts the current request id and person id on every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", None):
            record.request_id = request_id_var.get() or "-"
        if getattr(record, "person", None) is None:
            record.person = person_var.get()
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None) or request_id_var.get() or None,
        }
        person = getattr(record, "person", None)
        if person is not None:
            line["person"] = person
        for name in FIELDS:
            value = getattr(record, name, None)
            if value is not None:
                line[name] = value
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"


class RequestLogMiddleware:
    """Early in MIDDLEWARE: gives the request its id and writes its one line at the end."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = new_request_id(request.headers.get(HEADER))
        request.request_id = request_id
        token = request_id_var.set(request_id)
        person_token = person_var.set(None)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            user = getattr(request, "user", None)
            person = user.pk if user is not None and user.is_authenticated else None
            person_var.set(person)
            self._line(request, response.status_code, started, person)
            response[HEADER] = request_id
            return response
        finally:
            person_var.reset(person_token)
            request_id_var.reset(token)

    @staticmethod
    def _line(request, status: int, started: float, person: int | None) -> None:
        from core.metrics import route_name

        route = route_name(request, status)
        if route == "static":
            return  # files, not requests anyone reads logs for
        duration = round((time.perf_counter() - started) * 1000, 1)
        request_log.log(
            logging.WARNING if status >= 500 else logging.INFO,
            "%s %s %s %.1f ms",
            request.method,
            route,
            status,
            duration,
            extra={
                "route": route,
                "method": request.method,
                "status": status,
                "duration_ms": duration,
                "person": person,
            },
        )


# --- Celery ---------------------------------------------------------------------------------

_task_started: dict[str, tuple[float, object]] = {}


def _on_publish(sender=None, headers=None, **kwargs) -> None:
    request_id = request_id_var.get()
    if headers is not None and request_id:
        headers.setdefault(TASK_HEADER, request_id)


def _on_prerun(task_id=None, task=None, **kwargs) -> None:
    request = getattr(task, "request", None)
    incoming = getattr(request, TASK_HEADER, None) or (
        (getattr(request, "headers", None) or {}).get(TASK_HEADER)
    )
    token = request_id_var.set(new_request_id(incoming))
    if task_id is not None:
        _task_started[task_id] = (time.perf_counter(), token)


def _on_postrun(task_id=None, task=None, state=None, **kwargs) -> None:
    started, token = _task_started.pop(task_id, (None, None))
    duration = round((time.perf_counter() - started) * 1000, 1) if started else None
    name = getattr(task, "name", "?")
    task_log.info(
        "task %s %s %s ms",
        name,
        state or "?",
        duration if duration is not None else "?",
        extra={"task": name, "task_id": task_id, "state": state, "duration_ms": duration},
    )
    if token is not None:
        try:
            request_id_var.reset(token)
        except ValueError:  # set in another context (a pool's thread): leave it
            request_id_var.set("")


def install_celery_signals() -> None:
    from celery import signals

    signals.before_task_publish.connect(_on_publish, weak=False, dispatch_uid="baton-logs-pub")
    signals.task_prerun.connect(_on_prerun, weak=False, dispatch_uid="baton-logs-pre")
    signals.task_postrun.connect(_on_postrun, weak=False, dispatch_uid="baton-logs-post")
