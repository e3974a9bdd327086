"""The Celery app. Workers and beat import this; tasks live in each app's tasks.py, and the
beat schedule is what the apps register in core.beat (see that module)."""

import os

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("baton")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def _install_task_metrics() -> None:
    # Task run time and queue wait (core.metrics); under PROMETHEUS_MULTIPROC_DIR each worker
    # child writes them where the web processes of the same machine export them.
    from core import logs, metrics

    metrics.install_celery_signals()
    # One log line per task, with the id of the request that enqueued it (core/logs.py).
    logs.install_celery_signals()


_install_task_metrics()


@signals.import_modules.connect(sender=app)
def use_registered_beat_schedule(sender=None, **kwargs) -> None:
    """Beat and workers send import_modules when they start; Celery's Django fixup, connected
    first, has run django.setup() by then, so every app's ready() has registered its entries.
    The scheduler reads beat_schedule later (DatabaseScheduler copies it into its tables)."""
    import django
    from django.apps import apps

    if not apps.ready:  # the fixup is off (no DJANGO_SETTINGS_MODULE): set up here
        django.setup()

    from core import beat

    app.conf.beat_schedule = beat.schedule()
