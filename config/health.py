"""Health endpoints, both public: they say "ok" or "error" per check and nothing else (no
hosts, versions, counts or exception texts).

/healthz is liveness: is this process alive and does the database answer? Cheap (one query);
a restart is the cure when it fails.

/readyz is readiness: may this process be sent traffic? It answers 200 {"status": "ok",
"checks": {...}} or 503 with the same shape, each check being "ok", "error", or a value that
does not fail readiness ("not configured", "not required"). The checks, at most two queries
and one Redis PING per configured Redis:

- database: SELECT 1.
- redis: PING (1 s connect and read timeouts, so a hung Redis fails fast) every Redis the
  settings configure: the cache, the channel layer and the Celery broker (all REDIS_URL in
  practice). With none configured (no REDIS_URL: tests and one-off commands, where
  process-local stand-ins are used) it is "not configured" and does not fail. `make run`
  always configures one (its own embedded Redis, or REDIS_URL).
- beat: Celery beat (one process, django-celery-beat's DatabaseScheduler) has run recently.
  The entries are those the apps register in core.beat; beat copies them into PeriodicTask
  rows and writes each row's last_run_at back to the database when it syncs, which
  celery.beat.Scheduler does every `sync_every` seconds (180), not on every send. So beat is
  fresh when the newest last_run_at among the registered, enabled entries is at most
  3 x the shortest registered interval + that write-back delay old (15 s escalation sweeper:
  225 s). Crontab entries have no fixed interval and only count as "beat wrote something".
  Only enforced when settings.READY_REQUIRE_BEAT is true (the default outside DEBUG and
  tests); otherwise the check is "not required" and costs nothing.
  Start-up rule: when required, no PeriodicTask row or no recorded run means beat has never
  run in this deployment, and that is not ready: beat is a required process (escalations and
  notification sweeps depend on it), and it records its first run within one shortest
  interval of starting (the first send syncs at once), so a new deployment becomes ready
  about 15 s after beat starts. Set READY_REQUIRE_BEAT=0 where no beat runs on purpose.
"""

from __future__ import annotations

import re
from datetime import timedelta

import redis
from celery.beat import Scheduler
from django.conf import settings
from django.db import connection
from django.db.models import Max
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_safe
from django_celery_beat.models import PeriodicTask
from redis.backoff import NoBackoff
from redis.retry import Retry

from core import beat

OK, ERROR = "ok", "error"
NOT_CONFIGURED, NOT_REQUIRED = "not configured", "not required"

REDIS_TIMEOUT_SECONDS = 1.0
# How many of the shortest interval beat may miss before it counts as stopped.
BEAT_MISSED_INTERVALS = 3


def _database_answers() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # noqa: BLE001 - any database failure means "not healthy"
        return False
    return True


@never_cache
@require_GET
def healthz(request):
    if not _database_answers():
        return JsonResponse({"status": "error", "database": "unavailable"}, status=503)
    return JsonResponse({"status": "ok"})


# --- readiness ------------------------------------------------------------------------------

_REDIS_SCHEMES = ("redis://", "rediss://", "unix://")


def _redis_urls() -> list[str]:
    """Every distinct Redis URL the cache, the channel layer and the Celery broker use."""
    urls: list[str] = []
    for cache in settings.CACHES.values():
        if cache.get("BACKEND", "").endswith(".RedisCache"):
            location = cache.get("LOCATION") or []
            # Django's RedisCache takes a list or a string of ";"- or ","-separated servers.
            urls += re.split("[;,]", location) if isinstance(location, str) else list(location)
    for layer in settings.CHANNEL_LAYERS.values():
        if not layer.get("BACKEND", "").startswith("channels_redis."):
            continue
        for host in layer.get("CONFIG", {}).get("hosts", []):
            if isinstance(host, dict):
                host = host.get("address", "")
            if isinstance(host, list | tuple) and len(host) == 2:
                host = f"redis://{host[0]}:{host[1]}"
            if isinstance(host, str):
                urls.append(host)
    broker = getattr(settings, "CELERY_BROKER_URL", "") or ""
    urls += [url for url in broker.split(";") if url]
    return list(dict.fromkeys(url for url in urls if url.startswith(_REDIS_SCHEMES)))


def _redis_check() -> str:
    urls = _redis_urls()
    if not urls:
        return NOT_CONFIGURED
    for url in urls:
        client = redis.Redis.from_url(
            url,
            socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
            socket_timeout=REDIS_TIMEOUT_SECONDS,
            retry=Retry(NoBackoff(), 0),  # one try: a probe that waits is worse than a "no"
        )
        try:
            client.ping()
        except Exception:  # noqa: BLE001 - refused, timed out, auth: all mean "not ready"
            return ERROR
        finally:
            client.close()
    return OK


def _beat_max_age() -> timedelta | None:
    """How old beat's newest recorded run may be; None when no entry is registered."""
    entries = beat.schedule()
    if not entries:
        return None
    intervals = []
    for entry in entries.values():
        every = entry["schedule"]
        if isinstance(every, timedelta):
            intervals.append(every.total_seconds())
        elif isinstance(every, int | float):
            intervals.append(float(every))
        elif isinstance(getattr(every, "run_every", None), timedelta):  # celery schedule()
            intervals.append(every.run_every.total_seconds())
    shortest = min(intervals) if intervals else 0.0
    return timedelta(seconds=BEAT_MISSED_INTERVALS * shortest + Scheduler.sync_every)


def _beat_check(*, database_ok: bool) -> str:
    if not settings.READY_REQUIRE_BEAT:
        return NOT_REQUIRED
    if not database_ok:  # beat's rows cannot be read: the database check names the cause
        return ERROR
    max_age = _beat_max_age()
    if max_age is None:
        return NOT_CONFIGURED
    try:
        last_run = PeriodicTask.objects.filter(
            name__in=list(beat.schedule()), enabled=True
        ).aggregate(last=Max("last_run_at"))["last"]
    except Exception:  # noqa: BLE001 - the database check reports the cause
        return ERROR
    if last_run is None:  # no rows yet, or beat never ran: see the module docstring
        return ERROR
    return OK if timezone.now() - last_run <= max_age else ERROR


@never_cache
@require_safe
def readyz(request):
    database_ok = _database_answers()
    checks = {
        "database": OK if database_ok else ERROR,
        "redis": _redis_check(),
        "beat": _beat_check(database_ok=database_ok),
    }
    ready = all(value != ERROR for value in checks.values())
    return JsonResponse(
        {"status": OK if ready else ERROR, "checks": checks}, status=200 if ready else 503
    )
