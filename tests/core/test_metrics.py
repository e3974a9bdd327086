"""/metrics (issue 15, part 2): closed to anyone without a scrape token or an allow-listed
address, route names rather than paths, no extra queries, and several processes summed."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from celery import shared_task
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families

from accounts.models import ScrapeToken
from accounts.services import scrape_token_create, scrape_token_revoke
from core import metrics
from core.audit import Actor
from core.models import AuditEvent
from notifications import selectors as notification_selectors
from notifications import services as notification_services
from notifications.models import Delivery, DeliveryStatus
from tests.conftest import sign_in
from tests.factories import ALWAYS, PersonFactory

BASE_DIR = Path(__file__).resolve().parents[2]


@pytest.fixture
def scrape_token(db) -> str:
    _row, raw = scrape_token_create(actor=Actor.system(via="test"), name="prometheus")
    return raw


def scrape(client: Client, token: str | None = None, **extra):
    if token is not None:
        extra["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    return client.get("/metrics", **extra)


def families(response) -> dict:
    return {f.name: f for f in text_string_to_metric_families(response.content.decode())}


def value(name: str, **labels) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


# --- who may read it --------------------------------------------------------------------------


def test_anonymous_gets_the_ordinary_404(client, db):
    response = scrape(client)
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")  # the site's not-found page
    assert b"baton_" not in response.content and b"# HELP" not in response.content


@pytest.mark.parametrize(
    "header",
    [
        "Bearer baton_metrics_wrong",
        "Bearer ",
        "Basic dXNlcjpwYXNz",
        "Bearer " + "x" * 500,
        "bearer a b",
    ],
)
def test_a_wrong_token_gets_404(client, scrape_token, header):
    response = client.get("/metrics", HTTP_AUTHORIZATION=header)
    assert response.status_code == 404
    assert b"baton_" not in response.content


def test_a_signed_in_person_without_a_token_gets_404(member_client):
    assert scrape(member_client).status_code == 404


def test_an_api_token_is_not_a_scrape_token(client, member):
    from accounts.services import api_token_create

    _token, raw = api_token_create(
        actor=Actor.system(via="test"), user=member, name="ci", scopes="people:read"
    )
    assert scrape(client, raw).status_code == 404


def test_the_right_token_reads_the_metrics(client, scrape_token):
    response = scrape(client, scrape_token)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    found = families(response)
    for family in (
        "baton_http_request_duration_seconds",
        "baton_http_requests",
        "baton_http_request_db_queries",
        "baton_celery_task_duration_seconds",
        "baton_celery_task_wait_seconds",
        "baton_celery_queue_length",
        "baton_notification_delivery_lag_seconds",
        "baton_notification_deliveries",
        "baton_notification_oldest_due_seconds",
        "baton_escalation_step_lag_seconds",
        "baton_escalation_oldest_overdue_step_seconds",
        "baton_websocket_connections",
        "baton_metrics_reader_up",
    ):
        assert family in found, family
    queues = {s.labels["queue"] for s in found["baton_celery_queue_length"].samples}
    assert {"celery", "escalations"} <= queues
    readers = {s.labels["reader"]: s.value for s in found["baton_metrics_reader_up"].samples}
    assert readers and all(v == 1 for v in readers.values()), readers


def test_a_revoked_token_gets_404(client, db):
    row, raw = scrape_token_create(actor=Actor.system(via="test"), name="old")
    assert scrape(client, raw).status_code == 200
    scrape_token_revoke(actor=Actor.system(via="test"), token=row)
    assert scrape(client, raw).status_code == 404


def test_a_refused_post_says_nothing_and_a_scraper_post_is_not_allowed(client, scrape_token):
    assert client.post("/metrics").status_code == 404
    assert client.post("/metrics", HTTP_AUTHORIZATION=f"Bearer {scrape_token}").status_code == 405


def test_tokens_are_stored_hashed_and_their_use_recorded(client, scrape_token):
    row = ScrapeToken.objects.get(name="prometheus")
    assert scrape_token not in (row.token_hash, row.prefix) and len(row.token_hash) == 64
    assert scrape_token.startswith(row.prefix)
    scrape(client, scrape_token)
    row.refresh_from_db()
    assert row.last_used_at is not None


def test_the_command_prints_a_token_once_and_revokes_it(client, db, capsys):
    call_command("metrics_token", "create", "prom-eu")
    raw = capsys.readouterr().out.strip()
    assert raw.startswith("baton_metrics_") and "\n" not in raw
    assert scrape(client, raw).status_code == 200
    call_command("metrics_token", "list")
    listed = capsys.readouterr().out
    assert "prom-eu" in listed and raw not in listed
    call_command("metrics_token", "revoke", "prom-eu")
    assert scrape(client, raw).status_code == 404
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"scrape_token.create", "scrape_token.revoke"} <= actions


def test_an_allow_listed_address_reads_without_a_token(client, db, settings):
    settings.METRICS_ALLOWED_IPS = ["10.0.0.0/8", "192.0.2.7", "2001:db8::/32"]
    assert scrape(client, REMOTE_ADDR="10.20.30.40").status_code == 200
    assert scrape(client, REMOTE_ADDR="192.0.2.7").status_code == 200
    assert scrape(client, REMOTE_ADDR="2001:db8::1").status_code == 200
    assert scrape(client, REMOTE_ADDR="::ffff:10.1.1.1").status_code == 200
    assert scrape(client, REMOTE_ADDR="192.0.2.8").status_code == 404
    # X-Forwarded-For is the client's to write: never read.
    spoofed = scrape(client, REMOTE_ADDR="203.0.113.5", HTTP_X_FORWARDED_FOR="10.0.0.1")
    assert spoofed.status_code == 404


def test_no_allow_list_by_default(client, db, settings):
    assert settings.METRICS_ALLOWED_IPS == []
    assert scrape(client, REMOTE_ADDR="127.0.0.1").status_code == 404


# --- what requests record ---------------------------------------------------------------------


def test_requests_are_labelled_by_route_name_not_path(client, member, scrape_token):
    other = PersonFactory()
    viewer = sign_in(Client(), member)
    assert viewer.get(f"/people/{other.pk}/").status_code == 200
    assert viewer.get(f"/people/{member.pk}/").status_code == 200
    # Letters, not digits: a sample's timestamp may contain any run of digits.
    assert viewer.get("/no/such/page/qzxv-unrouted").status_code == 404
    text = scrape(client, scrape_token).content.decode()
    assert 'route="person-detail"' in text
    assert f"/people/{other.pk}" not in text
    assert 'route="unmatched"' in text and "qzxv-unrouted" not in text


def test_a_request_records_latency_status_and_its_query_count(member_client, member):
    before = {
        "count": value(
            "baton_http_request_duration_seconds_count", route="dashboard", method="GET"
        ),
        "ok": value("baton_http_requests_total", route="dashboard", method="GET", status="200"),
        "queries": value("baton_http_request_db_queries_sum", route="dashboard"),
    }
    with CaptureQueriesContext(connection) as queries:
        assert member_client.get("/").status_code == 200
    assert (
        value("baton_http_request_duration_seconds_count", route="dashboard", method="GET")
        == before["count"] + 1
    )
    assert (
        value("baton_http_requests_total", route="dashboard", method="GET", status="200")
        == before["ok"] + 1
    )
    assert value("baton_http_request_db_queries_sum", route="dashboard") == before["queries"] + len(
        queries
    )


def test_a_request_refused_before_routing_is_named_by_its_route(client, db):
    before = value(
        "baton_http_requests_total", route="people-directory", method="GET", status="302"
    )
    assert client.get("/people/").status_code == 302  # to sign-in
    after = value("baton_http_requests_total", route="people-directory", method="GET", status="302")
    assert after == before + 1


def test_the_middleware_adds_no_queries(member_client, settings):
    member_client.get("/")  # warm caches (nav, sessions)
    with CaptureQueriesContext(connection) as with_metrics:
        assert member_client.get("/").status_code == 200
    settings.MIDDLEWARE = [
        m for m in settings.MIDDLEWARE if m != "core.metrics.RequestMetricsMiddleware"
    ]
    with CaptureQueriesContext(connection) as without:
        assert member_client.get("/").status_code == 200
    assert len(with_metrics) == len(without)


# --- tasks, deliveries, steps -----------------------------------------------------------------


@shared_task(name="tests.core.metrics_probe")
def probe(value: int) -> int:
    return value


def test_tasks_record_their_run_time_by_name(db):
    before = value("baton_celery_task_duration_seconds_count", task=probe.name, state="SUCCESS")
    probe.delay(1)
    after = value("baton_celery_task_duration_seconds_count", task=probe.name, state="SUCCESS")
    assert after == before + 1


def test_deliveries_record_outcome_and_lag(db, django_capture_on_commit_callbacks):
    person = PersonFactory(working_hours=ALWAYS)
    sent = value("baton_notification_deliveries_total", channel="in_app", outcome="sent")
    lags = value("baton_notification_delivery_lag_seconds_count", channel="in_app")
    with django_capture_on_commit_callbacks(execute=True):
        notification_services.notify(
            recipients=[person], idempotency_key="m", kind="handoffs.note", title="Hi", url="/"
        )
    assert (
        value("baton_notification_deliveries_total", channel="in_app", outcome="sent") == sent + 1
    )
    assert value("baton_notification_delivery_lag_seconds_count", channel="in_app") == lags + 1


def test_the_oldest_due_delivery_age(db):
    person = PersonFactory()
    now = timezone.now()
    assert notification_selectors.oldest_due_delivery_age(now=now) == 0.0
    Delivery.objects.create(recipient=person, channel="email", dedupe_key="a")
    Delivery.objects.filter(dedupe_key="a").update(created_at=now - timedelta(minutes=5))
    Delivery.objects.create(
        recipient=person,
        channel="email",
        dedupe_key="b",
        status=DeliveryStatus.HELD,
        due_at=now + timedelta(hours=3),  # not due yet
    )
    Delivery.objects.create(
        recipient=person,
        channel="email",
        dedupe_key="c",
        status=DeliveryStatus.RETRYING,
        next_attempt_at=now - timedelta(minutes=9),
    )
    assert notification_selectors.oldest_due_delivery_age(now=now) == pytest.approx(540)


def test_a_failing_reader_leaves_the_scrape_up(client, scrape_token, monkeypatch):
    def broken():
        raise ConnectionError("redis down")

    monkeypatch.setitem(
        metrics._gauges, "baton_test_broken", metrics._Gauge("baton_test_broken", "x", broken)
    )
    response = scrape(client, scrape_token)
    assert response.status_code == 200
    up = {
        s.labels["reader"]: s.value for s in families(response)["baton_metrics_reader_up"].samples
    }
    assert up["baton_test_broken"] == 0
    assert up["baton_notification_oldest_due_seconds"] == 1


# --- several processes ------------------------------------------------------------------------

WORKER = """
from core import metrics
metrics.http_requests.labels("person-detail", "GET", "200").inc({n})
metrics.http_request_duration.labels("person-detail", "GET").observe(0.02 * {n})
metrics.websocket_connections.inc({n})
"""


def _run_worker(directory: Path, n: int) -> None:
    env = {
        **os.environ,
        "PROMETHEUS_MULTIPROC_DIR": str(directory),
        "DJANGO_SETTINGS_MODULE": "config.test_settings",
    }
    subprocess.run(
        [sys.executable, "-c", WORKER.format(n=n)], cwd=BASE_DIR, env=env, check=True, timeout=60
    )


def test_two_worker_processes_are_summed(db, tmp_path):
    _run_worker(tmp_path, 3)
    _run_worker(tmp_path, 4)
    assert len(list(tmp_path.glob("counter_*.db"))) == 2  # one file per process
    body, content_type = metrics.exposition(path=str(tmp_path))
    assert content_type.startswith("text/plain")
    found = {f.name: f for f in text_string_to_metric_families(body.decode())}
    (total,) = [
        s
        for s in found["baton_http_requests"].samples
        if s.name == "baton_http_requests_total" and s.labels["route"] == "person-detail"
    ]
    assert total.value == 7
    samples = {
        s.name: s.value
        for s in found["baton_http_request_duration_seconds"].samples
        if s.name.endswith(("_count", "_sum"))
    }
    assert samples["baton_http_request_duration_seconds_count"] == 2
    assert samples["baton_http_request_duration_seconds_sum"] == pytest.approx(0.14)
    # Both processes have exited: their open sockets no longer count.
    assert "baton_websocket_connections" not in found
    assert not list(tmp_path.glob("gauge_liveall_*.db"))


def test_open_websockets_are_reported_per_live_process(db, tmp_path):
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}
    code = (
        "import sys\nfrom core import metrics\nmetrics.websocket_connections.inc(5)\n"
        "print('ready', flush=True)\nsys.stdin.read()\n"
    )
    live = subprocess.Popen(
        [sys.executable, "-c", code],
        cwd=BASE_DIR,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert live.stdout.readline().strip() == "ready"
        body, _ = metrics.exposition(path=str(tmp_path))
        found = {f.name: f for f in text_string_to_metric_families(body.decode())}
        (sample,) = found["baton_websocket_connections"].samples
        assert sample.value == 5 and sample.labels == {"pid": str(live.pid)}
    finally:
        live.stdin.close()
        live.wait(timeout=30)
    body, _ = metrics.exposition(path=str(tmp_path))
    assert b"baton_websocket_connections{" not in body


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("close_worker_thread_connections")
async def test_the_websocket_gauge_counts_accepted_sockets_only(channel_layer):
    from channels.db import database_sync_to_async
    from channels.testing import WebsocketCommunicator

    from config.asgi import application
    from tests.ws import WAIT, open_socket

    person = await database_sync_to_async(PersonFactory)()
    client = await database_sync_to_async(sign_in)(Client(), person)
    before = value("baton_websocket_connections")
    socket = await open_socket(client)
    assert value("baton_websocket_connections") == before + 1
    await socket.disconnect()
    assert value("baton_websocket_connections") == before
    # Refused (no session): never counted.
    stranger = WebsocketCommunicator(
        application, "/ws/events/", headers=[(b"origin", b"http://testserver")]
    )
    connected, _ = await stranger.connect(timeout=WAIT)
    assert not connected
    assert value("baton_websocket_connections") == before


def test_a_late_escalation_step_shows_as_overdue_then_as_lag(
    db, django_capture_on_commit_callbacks, monkeypatch
):
    from escalations import engine
    from escalations import selectors as escalation_selectors
    from tests.escalations.world import SYDNEY_3AM, World

    world = World()
    world.on_commit = lambda: django_capture_on_commit_callbacks(execute=True)
    monkeypatch.setattr(engine, "_send", lambda step_id, due_at: None)  # the task is lost
    world.raise_update(severity="high")
    late = SYDNEY_3AM + timedelta(seconds=20)
    assert escalation_selectors.oldest_overdue_step_age(now=late) == pytest.approx(20)
    lags = value("baton_escalation_step_lag_seconds_count")
    lag_sum = value("baton_escalation_step_lag_seconds_sum")
    assert world.sweep(late) == 1
    assert value("baton_escalation_step_lag_seconds_count") == lags + 1
    assert value("baton_escalation_step_lag_seconds_sum") == pytest.approx(lag_sum + 20)
    # The next step is pending but not due yet: nothing overdue.
    assert escalation_selectors.oldest_overdue_step_age(now=late) == 0


@pytest.mark.redis
@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="REDIS_URL is not set")
def test_queue_depth_counts_a_redis_queue_and_its_priority_lists():
    import uuid

    import redis
    from celery import current_app

    name = f"baton-test-{uuid.uuid4().hex}"
    client = redis.Redis.from_url(os.environ["REDIS_URL"])
    previous = current_app.conf.broker_url
    try:
        current_app.conf.broker_url = os.environ["REDIS_URL"]
        client.rpush(name, "a", "b")
        client.rpush(f"{name}\x06\x169", "c")
        assert metrics.queue_lengths([name]) == {name: 3}
    finally:
        current_app.conf.broker_url = previous
        client.delete(name, f"{name}\x06\x169")
        client.close()
