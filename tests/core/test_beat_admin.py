"""Beat schedules are code (core/beat.py): the admin shows django-celery-beat's rows and
changes none of them (an edit there would change what runs, unaudited)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.contrib import admin as django_admin
from django_celery_beat.models import (
    ClockedSchedule,
    CrontabSchedule,
    IntervalSchedule,
    PeriodicTask,
    PeriodicTasks,
    SolarSchedule,
)

from core import beat

# What config/settings.py's CELERY_BEAT_SCHEDULE held before the apps registered their own.
PREVIOUS_SCHEDULE = {
    "notifications-sweep": {"task": "notifications.sweep", "schedule": 30.0},
    "notifications-release-digests": {"task": "notifications.release_digests", "schedule": 60.0},
    "oncall-shift-notices": {"task": "oncall.shift_notices", "schedule": 60.0},
    "oncall-expire-swaps": {"task": "oncall.expire_swaps", "schedule": 300.0},
}
# What the apps built since registered (projects: reminders, transfers, acting owners).
ADDED_SINCE = {
    "projects-remind-updates": {"task": "projects.remind_updates", "schedule": 60.0},
    "projects-expire-transfers": {"task": "projects.expire_transfers", "schedule": 300.0},
    "projects-revert-acting": {"task": "projects.revert_acting_owners", "schedule": 60.0},
    "escalations-sweep": {
        "task": "escalations.sweep",
        "schedule": 15.0,
        "options": {"queue": "escalations"},
    },
    "handoffs-sweep": {"task": "handoffs.sweep", "schedule": 60.0},
    "chat-sweep": {"task": "chat.sweep", "schedule": 60.0},
}
SCHEDULE = {**PREVIOUS_SCHEDULE, **ADDED_SINCE}

BEAT_MODELS = (PeriodicTask, IntervalSchedule, CrontabSchedule, SolarSchedule, ClockedSchedule)
# Every write celery-beat's own admin offered as a bulk action, plus Django's.
ACTIONS = ("enable_tasks", "disable_tasks", "toggle_tasks", "run_tasks", "delete_selected")


@pytest.fixture
def rows(db):
    interval = IntervalSchedule.objects.create(every=10, period=IntervalSchedule.MINUTES)
    crontab = CrontabSchedule.objects.create(minute="5", hour="*")
    solar = SolarSchedule.objects.create(event="sunrise", latitude=51.5, longitude=-0.1)
    clocked = ClockedSchedule.objects.create(clocked_time=datetime(2030, 1, 1, tzinfo=UTC))
    task = PeriodicTask.objects.create(
        name="nightly", task="oncall.expire_swaps", interval=interval, enabled=False
    )
    return {
        PeriodicTask: task,
        IntervalSchedule: interval,
        CrontabSchedule: crontab,
        SolarSchedule: solar,
        ClockedSchedule: clocked,
    }


def _base(model) -> str:
    return f"/admin/django_celery_beat/{model._meta.model_name}/"


def test_every_beat_admin_is_view_only(admin_user, rows):
    request = type("Request", (), {"user": admin_user})()
    assert admin_user.is_superuser  # Django's superuser shortcut does not open writes here
    for model in BEAT_MODELS:
        model_admin = django_admin.site._registry[model]
        obj = rows[model]
        assert model_admin.has_view_permission(request, obj), model
        assert not model_admin.has_add_permission(request), model
        assert not model_admin.has_change_permission(request, obj), model
        assert not model_admin.has_delete_permission(request, obj), model
        assert model_admin.get_actions(request) == {}, model
    if django_admin.site.is_registered(PeriodicTasks):
        assert not django_admin.site._registry[PeriodicTasks].has_change_permission(request)


def test_beat_admin_pages_refuse_every_write(admin_client, rows):
    for model in BEAT_MODELS:
        obj = rows[model]
        base = _base(model)
        before = model.objects.count()

        changelist = admin_client.get(base)
        assert changelist.status_code == 200, model
        html = changelist.content.decode()
        assert 'name="action"' not in html, model  # no bulk actions at all
        assert f"{base}add/" not in html, model  # no "Add" button

        page = admin_client.get(f"{base}{obj.pk}/change/")
        assert page.status_code == 200, model
        html = page.content.decode()
        assert 'name="_save"' not in html and "deletelink" not in html, model

        assert admin_client.get(f"{base}add/").status_code == 403, model
        assert admin_client.post(f"{base}add/", {"every": 1, "period": "days"}).status_code == 403
        assert admin_client.post(f"{base}{obj.pk}/change/", {"name": "x"}).status_code == 403
        assert admin_client.get(f"{base}{obj.pk}/delete/").status_code == 403, model
        assert admin_client.post(f"{base}{obj.pk}/delete/", {"post": "yes"}).status_code == 403
        for action in ACTIONS:
            response = admin_client.post(
                base, {"action": action, "_selected_action": [obj.pk], "index": 0, "post": "yes"}
            )
            assert response.status_code in (200, 302), (model, action)

        assert model.objects.count() == before, model
        assert model.objects.filter(pk=obj.pk).exists(), model

    task = PeriodicTask.objects.get(pk=rows[PeriodicTask].pk)
    assert task.name == "nightly" and task.enabled is False  # not enabled, toggled or renamed
    assert task.interval.every == 10


def test_the_apps_register_the_same_beat_schedule_as_before():
    assert beat.schedule() == SCHEDULE


def test_beat_starts_with_the_registered_schedule(db, monkeypatch):
    """What `celery -A config beat -S django` does at start: import the task modules (after
    django.setup()), then the DatabaseScheduler copies app.conf.beat_schedule into its tables."""
    from django_celery_beat import schedulers

    from config.celery import app

    monkeypatch.setenv("CELERY_SKIP_CHECKS", "1")  # the test run has checked already
    # Beat closes stale connections between ticks; here it would close the test's transaction.
    monkeypatch.setattr(schedulers, "close_old_connections", lambda: None)
    app.conf.beat_schedule = {}
    app.loader.import_default_modules()
    assert app.conf.beat_schedule == SCHEDULE

    scheduler = schedulers.DatabaseScheduler(app=app)
    try:
        stored = {
            task.name: (task.task, task.interval.every, task.interval.period)
            for task in PeriodicTask.objects.filter(name__in=SCHEDULE)
        }
    finally:
        scheduler._finalize.cancel()  # no sync at interpreter exit, after the test database
    assert stored == {
        name: (entry["task"], int(entry["schedule"]), "seconds") for name, entry in SCHEDULE.items()
    }


def test_register_refuses_a_different_entry_under_a_taken_name():
    from django.core.exceptions import ImproperlyConfigured

    beat.register("oncall-expire-swaps", "oncall.expire_swaps", 300)  # again: harmless
    with pytest.raises(ImproperlyConfigured):
        beat.register("oncall-expire-swaps", "oncall.expire_swaps", 60)
    with pytest.raises(ImproperlyConfigured):
        beat.register("tests-bad", "x.y", 0)
    assert beat.schedule() == SCHEDULE
