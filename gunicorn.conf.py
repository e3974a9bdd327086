"""gunicorn reads this file from the working directory by itself (Procfile.production's `web`).
Command-line options still win; this only adds hooks.

child_exit: under PROMETHEUS_MULTIPROC_DIR a dead worker's live gauges (core.metrics) are
dropped at once, so /metrics sums only the workers that are running. (A scrape also drops
those of processes that are gone, for servers without such a hook: uvicorn, Celery.)"""

import os


def child_exit(server, worker):
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if directory:
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid, directory)
