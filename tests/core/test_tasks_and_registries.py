"""core: enqueue_on_commit, the registries every app adds to, and the audit log's move from
teams to core (core/migrations/0001_initial.py)."""

from __future__ import annotations

import logging

import pytest
from celery import shared_task
from django.apps import apps as django_apps
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor

from core import crypto, demo, nav
from core.audit import Actor, audit_record
from core.models import AuditEvent
from core.tasks import enqueue, enqueue_on_commit

CALLS: list[int] = []


@shared_task(name="tests.core.record")
def record(value: int) -> int:
    CALLS.append(value)
    return value


class BrokerDown:
    name = "tests.core.broker_down"

    def delay(self, *args, **kwargs):
        raise ConnectionRefusedError("no broker")


@pytest.fixture(autouse=True)
def _calls():
    CALLS.clear()


def test_enqueue_on_commit_runs_after_commit_and_never_after_a_rollback(
    db, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        enqueue_on_commit(record, 1)
        assert CALLS == []  # not before the commit
    assert CALLS == [1]
    with pytest.raises(RuntimeError):
        with transaction.atomic():
            enqueue_on_commit(record, 2)
            raise RuntimeError("rolled back")
    assert CALLS == [1]


def test_enqueue_by_name_finds_the_registered_task(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        enqueue_on_commit("tests.core.record", 3)
    assert CALLS == [3]


def test_a_broker_outage_is_a_warning_not_an_error(db, caplog, django_capture_on_commit_callbacks):
    caplog.set_level(logging.WARNING, logger="core.tasks")
    assert enqueue(BrokerDown(), 7) is False
    with django_capture_on_commit_callbacks(execute=True):
        enqueue_on_commit(BrokerDown(), 8)  # the commit goes through
    messages = [r.getMessage() for r in caplog.records if r.name == "core.tasks"]
    assert len(messages) == 2 and "tests.core.broker_down(8,)" in messages[1]


def test_every_app_registers_its_nav_links_once():
    names = [entry.url_name or entry.render.__name__ for entry in nav.entries()]
    assert names[:3] == ["dashboard", "bell_item", "oncall-now"]
    assert names[-1] == "admin:index"
    assert len(names) == len(set(names))
    django_apps.get_app_config("oncall").ready()  # ready() again (as tests may) adds nothing
    assert len(nav.entries()) == len(names)
    with pytest.raises(ValueError, match="Unknown nav section"):
        nav.register_link("dashboard", "Dashboard", section="sidebar")


def test_stylesheets_come_from_the_apps_that_own_them():
    html = str(nav.stylesheets_html())
    assert html.index("css/notifications.css") < html.index("css/oncall.css")
    assert "js/notifications.js" in str(nav.scripts_html())


def test_demo_seeders_run_in_layer_order():
    modules = [seeder.seed.__module__ for seeder in demo.seeders()]
    assert modules == [
        "teams.demo",
        "oncall.demo",
        "projects.demo",
        "escalations.demo",
        "chat.demo",
        "handoffs.demo",
    ]
    assert demo.layer_of("teams") < demo.layer_of("notifications") < demo.layer_of("oncall")
    assert demo.layer_of("accounts") == demo.layer_of("oncall")  # siblings
    with pytest.raises(ValueError):
        demo.layer_of("nowhere")


def test_encrypted_fields_are_registered_by_their_apps():
    labels = [entry.label for entry in crypto.registered()]
    assert labels == ["the seeds of {count} authenticator(s)", "the secrets of {count} webhook(s)"]
    # A column rewrite is a value: registering it again (ready() twice) adds nothing.
    crypto.register_encrypted(
        "the secrets of {count} webhook(s)",
        crypto.EncryptedColumn("notifications.Webhook", "secret"),
    )
    assert len(crypto.registered()) == 2


def test_audit_log_keeps_its_rows_when_the_move_is_undone_and_redone(transactional_db):
    """Back to before core existed (teams 0004), the same rows are teams' AuditEvent again;
    forwards, core's. No SQL touches the table either way."""
    audit_record(actor=Actor.system(via="test"), action="test.kept")
    assert AuditEvent._meta.db_table == "teams_auditevent"
    before = [("teams", "0004_verbose_names"), ("core", None)]
    executor = MigrationExecutor(connection)
    leaves = executor.loader.graph.leaf_nodes()
    try:
        executor.migrate(before)
        executor.loader.build_graph()
        old_apps = executor.loader.project_state([("teams", "0004_verbose_names")]).apps
        OldEvent = old_apps.get_model("teams", "AuditEvent")
        assert OldEvent.objects.filter(action="test.kept").count() == 1
        ContentType = old_apps.get_model("contenttypes", "ContentType")
        assert ContentType.objects.filter(app_label="teams", model="auditevent").exists()
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(leaves)
    assert AuditEvent.objects.filter(action="test.kept").count() == 1
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.clear_cache()
    assert ContentType.objects.get_for_model(AuditEvent).app_label == "core"
