"""Benchmark settings: the real settings plus a bare JSON view to compare against."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
DEBUG = False
# Measure Baton, not the rate limiter's cache round trips.
REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_CLASSES": []}  # noqa: F405
AXES_ENABLED = False
# Persistent connections, as in production (and so query capture spans the request).
DATABASES["default"]["CONN_MAX_AGE"] = None  # noqa: F405
