"""Database connections stay bounded under the ASGI server (issue 10, item 5).

Under uvicorn every request runs on a thread of its own, and Django's persistent connections
(CONN_MAX_AGE) live per thread: 32 clients once took one process to ~96 connections and 500s
("too many clients"). Now each process has a bounded psycopg pool (settings DB_POOL_*), and a
request that cannot get a connection in time is answered 503 (config/dbpool.py).

The load test needs PostgreSQL (DATABASE_URL=postgres://..., as CI sets it): it starts uvicorn
on this run's test database with a pool of POOL_SIZE, sends REQUESTS requests from CLIENTS
threads and watches pg_stat_activity.
"""

from __future__ import annotations

import collections
import os
import secrets
import socket
import subprocess
import sys
import threading
import time
import uuid
from http.client import HTTPConnection
from pathlib import Path
from unittest import mock
from urllib.parse import urlsplit

import pytest
from django.db import OperationalError, connections
from django.test import Client

from accounts.services import api_token_create
from config.dbpool import RETRY_AFTER_SECONDS
from tests.conftest import sign_in
from tests.factories import SYSTEM, PersonFactory
from tests.ws import stop_server

BASE_DIR = Path(__file__).resolve().parents[2]

POOL_SIZE = 8
REQUESTS = 600
CLIENTS = 32
PATHS = ("/api/v1/people/", "/api/v1/me/")

ON_POSTGRESQL = connections["default"].vendor == "postgresql"


def _pool_timeout() -> OperationalError:
    """What Django raises when psycopg_pool gives up waiting: its OperationalError, caused by
    PoolTimeout (built by hand so this also runs on SQLite)."""
    from psycopg_pool import PoolTimeout

    try:
        try:
            raise PoolTimeout("couldn't get a connection after 10.00 sec")
        except PoolTimeout as cause:
            raise OperationalError(str(cause)) from cause
    except OperationalError as error:
        return error


# --- a full pool answers 503, not 500 --------------------------------------------------------


def test_a_full_pool_answers_the_api_with_a_json_503():
    client = Client(raise_request_exception=False)
    db = connections["default"]
    with mock.patch.object(db, "ensure_connection", side_effect=_pool_timeout()):
        response = client.get("/api/v1/me/", HTTP_AUTHORIZATION="Bearer baton_whatever")
    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    assert "busy" in response.json()["detail"]
    assert response["Retry-After"] == str(RETRY_AFTER_SECONDS)


def test_a_full_pool_answers_pages_with_a_503(member):
    client = sign_in(Client(raise_request_exception=False), member)
    db = connections["default"]
    with mock.patch.object(db, "ensure_connection", side_effect=_pool_timeout()):
        response = client.get("/")
    assert response.status_code == 503
    assert b"Busy (503)" in response.content
    assert b"Traceback" not in response.content
    assert response["Retry-After"] == str(RETRY_AFTER_SECONDS)


def test_other_database_errors_stay_500():
    client = Client(raise_request_exception=False)
    db = connections["default"]
    with mock.patch.object(db, "ensure_connection", side_effect=OperationalError("gone")):
        response = client.get("/api/v1/me/", HTTP_AUTHORIZATION="Bearer baton_whatever")
    assert response.status_code == 500
    assert response.json() == {"detail": "Server error."}


# --- uvicorn on PostgreSQL under load --------------------------------------------------------


def _server_env(database_url: str, app_name: str) -> dict[str, str]:
    scrub = ("BATON_TESTING", "DEBUG", "REDIS_URL", "CONN_MAX_AGE", "DJANGO_ALLOW_ASYNC_UNSAFE")
    env = {k: v for k, v in os.environ.items() if k not in scrub and not k.startswith("DB_POOL")}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DEBUG="0",  # production-like: the handler500 path, no debug query log
        SECRET_KEY=secrets.token_urlsafe(45),
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="0",
        DATABASE_URL=database_url,
        DB_POOL_MAX_SIZE=str(POOL_SIZE),
        # Generous: a slow CI machine should queue, and a 503 here means a real problem.
        DB_POOL_TIMEOUT="30",
        THROTTLE_PERSON="100000/min",
        THROTTLE_TOKEN="100000/min",
        LOG_LEVEL="WARNING",
        # libpq tags the server's connections with this, so they can be counted apart from
        # the test's own and from other test workers'.
        PGAPPNAME=app_name,
    )
    return env


def _count(monitor, app_name: str) -> int:
    row = monitor.execute(
        "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s", [app_name]
    ).fetchone()
    return row[0]


def _wait_until_up(port: int, token: str, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 45
    last: object = None
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(f"uvicorn exited with {server.returncode}")
        try:
            conn = HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/api/v1/me/", headers={"Authorization": f"Bearer {token}"})
            response = conn.getresponse()
            last = (response.status, response.read()[:300])
            conn.close()
            if response.status == 200:
                return
        except OSError as exc:
            last = exc
        time.sleep(0.2)
    raise AssertionError(f"uvicorn did not answer 200 within 45 s; last: {last!r}")


def _load(port: int, token: str) -> tuple[collections.Counter, list[bytes]]:
    statuses: collections.Counter = collections.Counter()
    errors: list[bytes] = []
    lock = threading.Lock()
    next_request = iter(range(REQUESTS))

    def client() -> None:
        conn = HTTPConnection("127.0.0.1", port, timeout=60)
        headers = {"Authorization": f"Bearer {token}"}
        while True:
            with lock:
                number = next(next_request, None)
            if number is None:
                break
            try:
                conn.request("GET", PATHS[number % len(PATHS)], headers=headers)
                response = conn.getresponse()
                body = response.read()
                status: int | str = response.status
            except OSError as exc:
                status, body = type(exc).__name__, str(exc).encode()
                conn.close()
                conn = HTTPConnection("127.0.0.1", port, timeout=60)
            with lock:
                statuses[status] += 1
                if status != 200 and len(errors) < 3:
                    errors.append(body[:300])
        conn.close()

    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return statuses, errors


@pytest.mark.slow
@pytest.mark.skipif(
    not ON_POSTGRESQL,
    reason="needs PostgreSQL: set DATABASE_URL=postgres://... (CI does); SQLite has no pool",
)
def test_uvicorn_under_load_keeps_database_connections_bounded(transactional_db, tmp_path):
    import psycopg

    # This run's test database (per xdist worker), committed rows visible to the server.
    person = PersonFactory(username=f"load{uuid.uuid4().hex[:8]}")
    _, token = api_token_create(
        actor=SYSTEM, user=person, name="load", scopes="people:read", days=1
    )
    test_db = connections["default"].settings_dict
    database_url = urlsplit(os.environ["DATABASE_URL"])._replace(path=f"/{test_db['NAME']}")
    app_name = f"baton-asgi-test-{os.getpid()}-{uuid.uuid4().hex[:6]}"
    log_path = tmp_path / "uvicorn.log"

    # Bind here and hand uvicorn the socket: no free-port race between xdist workers.
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(128)
    port = listener.getsockname()[1]
    with log_path.open("wb") as log:  # a file, not a pipe: a chatty server never blocks
        server = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "config.asgi:application", "--fd"]
            + [str(listener.fileno()), "--lifespan", "off", "--log-level", "warning"],
            cwd=BASE_DIR,
            env=_server_env(database_url.geturl(), app_name),
            pass_fds=[listener.fileno()],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    listener.close()
    monitor = psycopg.connect(
        dbname=test_db["NAME"],
        host=test_db["HOST"] or None,
        port=test_db["PORT"] or None,
        user=test_db["USER"] or None,
        password=test_db["PASSWORD"] or None,
        autocommit=True,
    )
    samples: list[int] = []
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            samples.append(_count(monitor, app_name))
            time.sleep(0.05)

    try:
        _wait_until_up(port, token, server)
        sampler = threading.Thread(target=sample)
        sampler.start()
        started = time.monotonic()
        statuses, errors = _load(port, token)
        elapsed = time.monotonic() - started
        stop.set()
        sampler.join()
        after = _count(monitor, app_name)
    except AssertionError as exc:
        raise AssertionError(f"{exc}\n--- uvicorn:\n{_tail(log_path)}") from None
    finally:
        stop.set()
        stop_server(server)
        monitor.close()

    peak = max(samples, default=0)
    print(
        f"{REQUESTS} requests from {CLIENTS} clients in {elapsed:.1f} s: {dict(statuses)}; "
        f"connections peak {peak} (pool {POOL_SIZE}), after {after}"
    )
    assert sum(statuses.values()) == REQUESTS
    assert statuses[200] == REQUESTS, (dict(statuses), errors, _tail(log_path))
    assert peak >= 1  # the sampler did see the server's connections
    # The pool is the bound: never more than its size (+1 for a sample caught mid-swap).
    assert peak <= POOL_SIZE + 1, samples
    assert after <= POOL_SIZE


def _tail(path: Path, size: int = 3000) -> str:
    return path.read_bytes()[-size:].decode(errors="replace")
