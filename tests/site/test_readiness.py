"""/readyz (config/health.py): public, ok/error per check (database, Redis, beat freshness),
503 when a check fails, and nothing else said."""

from __future__ import annotations

import json
import os
import socket
import time
from datetime import timedelta

import pytest
from django.utils import timezone
from django_celery_beat.models import PeriodicTask
from django_celery_beat.schedulers import ModelEntry

from config import health
from config.celery import app
from core import beat

REDIS_URL = os.environ.get("REDIS_URL", "")
LOCAL_ONLY = {
    "CACHES": {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}},
    "CHANNEL_LAYERS": {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}},
    "CELERY_BROKER_URL": "memory://",
}


@pytest.fixture
def no_redis(settings):
    """No Redis configured anywhere, whatever REDIS_URL this run has."""
    for name, value in LOCAL_ONLY.items():
        setattr(settings, name, value)


@pytest.fixture
def beat_required(settings):
    settings.READY_REQUIRE_BEAT = True


def beat_ran(ago: timedelta | None) -> None:
    """Write the registered entries' rows the way beat does at start (DatabaseScheduler's
    update_from_dict), then record their last run `ago` (None: beat never ran)."""
    for name, entry in beat.schedule().items():
        ModelEntry.from_entry(name, app=app, **entry)
    last = None if ago is None else timezone.now() - ago
    updated = PeriodicTask.objects.filter(name__in=list(beat.schedule())).update(last_run_at=last)
    assert updated == len(beat.schedule()) > 0


@pytest.fixture
def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def assert_says_only(response, checks: dict) -> None:
    body = response.json()
    ready = response.status_code == 200
    assert body == {"status": "ok" if ready else "error", "checks": checks}
    assert "no-cache" in response["Cache-Control"]


def test_ready_when_all_good(client, db, no_redis, beat_required):
    beat_ran(timedelta(seconds=5))
    response = client.get("/readyz")
    assert response.status_code == 200
    assert_says_only(response, {"database": "ok", "redis": "not configured", "beat": "ok"})


def test_costs_at_most_two_queries(
    client, db, no_redis, beat_required, django_assert_max_num_queries
):
    beat_ran(timedelta(seconds=5))
    with django_assert_max_num_queries(2):
        assert client.get("/readyz").status_code == 200


def test_redis_down_is_not_ready_and_says_nothing_else(
    client, db, no_redis, beat_required, settings, closed_port
):
    beat_ran(timedelta(seconds=5))
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{closed_port}/5"
    response = client.get("/readyz")
    assert response.status_code == 503
    assert_says_only(response, {"database": "ok", "redis": "error", "beat": "ok"})
    text = response.content.decode()
    for leak in (str(closed_port), "127.0.0.1", "redis://", "Error", "refused", "Connection"):
        assert leak not in text


@pytest.mark.parametrize("setting", ["CACHES", "CHANNEL_LAYERS"])
def test_every_configured_redis_is_checked(client, db, no_redis, settings, closed_port, setting):
    url = f"redis://127.0.0.1:{closed_port}/5"
    if setting == "CACHES":
        settings.CACHES = {
            "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}
        }
    else:
        settings.CHANNEL_LAYERS = {
            "default": {
                "BACKEND": "channels_redis.core.RedisChannelLayer",
                "CONFIG": {"hosts": [{"address": url, "socket_timeout": 15}]},
            }
        }
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["redis"] == "error"


def test_a_hung_redis_fails_fast(client, db, no_redis, settings):
    # Accepts connections (the kernel's backlog) and never answers the PING.
    with socket.socket() as hung:
        hung.bind(("127.0.0.1", 0))
        hung.listen(1)
        settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{hung.getsockname()[1]}/5"
        started = time.monotonic()
        response = client.get("/readyz")
        elapsed = time.monotonic() - started
    assert response.status_code == 503
    assert response.json()["checks"]["redis"] == "error"
    assert elapsed < 3 * health.REDIS_TIMEOUT_SECONDS


@pytest.mark.redis
@pytest.mark.skipif(not REDIS_URL, reason="REDIS_URL is not set: no Redis to test against")
# Uses REDIS_URL as given (PING only, no keys written), e.g. redis://127.0.0.1:6379/5.
def test_ready_with_a_real_redis(client, db, no_redis, settings, beat_required):
    settings.CELERY_BROKER_URL = REDIS_URL
    beat_ran(timedelta(seconds=5))
    response = client.get("/readyz")
    assert response.status_code == 200, response.content
    assert_says_only(response, {"database": "ok", "redis": "ok", "beat": "ok"})


def test_beat_too_old_is_not_ready(client, db, no_redis, beat_required):
    beat_ran(health._beat_max_age() + timedelta(seconds=30))
    response = client.get("/readyz")
    assert response.status_code == 503
    assert_says_only(response, {"database": "ok", "redis": "not configured", "beat": "error"})


def test_beat_allowance_is_three_shortest_intervals_plus_the_write_back_delay():
    # The escalation sweeper (15 s) is the most frequent entry; beat writes runs back every
    # 180 s (celery.beat.Scheduler.sync_every), so a live beat's newest row can be that old.
    assert health._beat_max_age() == timedelta(seconds=3 * 15 + 180)


def test_beat_just_within_its_allowance_is_ready(client, db, no_redis, beat_required):
    beat_ran(health._beat_max_age() - timedelta(seconds=30))
    assert client.get("/readyz").status_code == 200


@pytest.mark.parametrize("rows", [False, True], ids=["no-rows", "never-ran"])
def test_beat_that_never_ran_is_not_ready_when_required(client, db, no_redis, beat_required, rows):
    if rows:
        beat_ran(None)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["beat"] == "error"


def test_fine_when_beat_is_not_required(client, db, no_redis, settings):
    settings.READY_REQUIRE_BEAT = False
    beat_ran(timedelta(days=3))
    response = client.get("/readyz")
    assert response.status_code == 200
    assert_says_only(
        response, {"database": "ok", "redis": "not configured", "beat": "not required"}
    )


def test_database_down_is_not_ready(client, db, no_redis, beat_required, monkeypatch):
    monkeypatch.setattr(health, "_database_answers", lambda: False)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert_says_only(response, {"database": "error", "redis": "not configured", "beat": "error"})


def test_only_get_and_head(client, db, no_redis):
    assert client.head("/readyz").status_code == 200
    for method in (client.post, client.put, client.delete, client.patch):
        assert method("/readyz").status_code == 405


def test_public_and_independent_of_the_visitor(client, member_client, db, no_redis):
    anonymous, member = client.get("/readyz"), member_client.get("/readyz")
    assert anonymous.status_code == member.status_code == 200
    assert json.loads(anonymous.content) == json.loads(member.content)


def test_healthz_stays_a_cheap_liveness_check(client, db, settings, closed_port):
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{closed_port}/5"
    settings.READY_REQUIRE_BEAT = True
    assert client.get("/healthz").json() == {"status": "ok"}
