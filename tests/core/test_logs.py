"""Structured logs (core/logs.py): one line per request with its id, the person's id (never
an e-mail or a name), the route's name, status and duration; the id comes from a sane
X-Request-ID or is made, is answered back, and follows the tasks the request enqueues; JSON
with LOG_FORMAT=json."""

from __future__ import annotations

import json
import logging
from types import SimpleNamespace

import pytest
from django.test import Client

from core import logs
from tests.conftest import sign_in
from tests.factories import PersonFactory


def _lines(caplog, name="baton.request"):
    return [r for r in caplog.records if r.name == name]


def test_a_request_has_one_line_with_its_id_person_route_and_status(db, caplog):
    person = PersonFactory(username="ada", display_name="Ada Secretname", email="ada@x.example")
    client = sign_in(Client(), person)
    caplog.set_level(logging.INFO, logger="baton.request")
    response = client.get(f"/people/{person.pk}/")
    assert response.status_code == 200
    request_id = response["X-Request-ID"]
    (line,) = _lines(caplog)
    assert line.request_id == request_id and len(request_id) == 32
    assert line.person == person.pk
    assert line.route == "person-detail" and line.status == 200 and line.duration_ms >= 0
    text = logs.JsonFormatter().format(line)
    data = json.loads(text)
    assert data["request_id"] == request_id and data["person"] == person.pk
    assert data["route"] == "person-detail" and data["status"] == 200
    assert "ada@x.example" not in text and "Secretname" not in text and "/people/" not in text


@pytest.mark.parametrize(
    ("incoming", "kept"),
    [
        ("req-1234abcd", True),
        ("x", False),
        ("a b c d e f g h", False),
        ("<script>xx</script>", False),
    ],
)
def test_a_sane_incoming_request_id_is_kept_and_junk_replaced(db, caplog, incoming, kept):
    caplog.set_level(logging.INFO, logger="baton.request")
    response = Client().get("/healthz", HTTP_X_REQUEST_ID=incoming)
    assert (response["X-Request-ID"] == incoming) is kept
    (line,) = _lines(caplog)
    assert line.person is None and line.route == "healthz"


def test_the_request_id_follows_the_tasks_it_enqueues(caplog):
    caplog.set_level(logging.INFO, logger="baton.task")
    token = logs.request_id_var.set("req-follow-me")
    headers: dict = {}
    logs._on_publish(headers=headers)
    logs.request_id_var.reset(token)
    assert headers == {logs.TASK_HEADER: "req-follow-me"}
    # The worker: the header arrives on the task's request.
    task = SimpleNamespace(name="notifications.deliver", request=SimpleNamespace(**headers))
    logs._on_prerun(task_id="t1", task=task)
    logging.getLogger("notifications").warning("inside the task")
    logs._on_postrun(task_id="t1", task=task, state="SUCCESS")
    (line,) = _lines(caplog, "baton.task")
    assert line.task == "notifications.deliver" and line.state == "SUCCESS"
    assert logs.ContextFilter().filter(line) and line.request_id == "req-follow-me"
    data = json.loads(logs.JsonFormatter().format(line))
    assert data["request_id"] == "req-follow-me" and data["task_id"] == "t1"
    assert logs.request_id_var.get() == ""  # not left behind for the next task


def test_a_task_without_a_request_gets_an_id_of_its_own():
    task = SimpleNamespace(name="chat.sweep", request=SimpleNamespace())
    logs._on_prerun(task_id="t2", task=task)
    assert len(logs.request_id_var.get()) == 32
    logs._on_postrun(task_id="t2", task=task, state="SUCCESS")
