"""gunicorn reads this file from the working directory by itself (Procfile.production's `web`).
Command-line options still win; this only adds hooks.

child_exit: under PROMETHEUS_MULTIPROC_DIR a dead worker's live gauges (core.metrics) are
dropped at once, so /metrics sums only the workers that are running. (A scrape also drops
those of processes that are gone, for servers without such a hook: uvicorn, Celery.)
The import is at the top: imported inside the hook, two workers exiting at shutdown
re-entered a half-done import (bench/load.py saw an ImportError in the arbiter's log)."""

import os

from prometheus_client import multiprocess


def child_exit(server, worker):
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if directory:
        multiprocess.mark_process_dead(worker.pid, directory)
