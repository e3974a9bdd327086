"""A full database connection pool is a busy server, not a broken one.

With the psycopg pool (settings DB_POOL_*), a request that waits DB_POOL_TIMEOUT seconds for a
free connection gets psycopg_pool.PoolTimeout, which Django wraps in its OperationalError.
config.errors.server_error answers those with a 503 and Retry-After, so clients back off and
retry instead of reporting a crash.
"""

from __future__ import annotations

from django.db import OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse

try:
    from psycopg_pool import PoolTimeout
except ImportError:  # SQLite-only installs may lack it; then no pool exists to time out
    PoolTimeout = None

RETRY_AFTER_SECONDS = 5
MESSAGE = "The server is busy: no database connection was free. Try again in a few seconds."


def is_pool_timeout(exc: BaseException | None) -> bool:
    if PoolTimeout is None or exc is None:
        return False
    if isinstance(exc, PoolTimeout):
        return True
    # Django re-raises driver errors as its own, keeping the original as the cause.
    return isinstance(exc, OperationalError) and isinstance(exc.__cause__, PoolTimeout)


def busy_response(request: HttpRequest, *, api: bool) -> HttpResponse:
    if api:
        response = JsonResponse({"detail": MESSAGE}, status=503)
    else:
        # Plain HTML like Django's own 500 page: base.html would need the database.
        response = HttpResponse(
            f"<!doctype html><title>Busy</title><h1>Busy (503)</h1><p>{MESSAGE}</p>",
            status=503,
        )
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
