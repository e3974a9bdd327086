"""Settings for the test suite: the real settings plus speed-ups that change no behaviour
under test (a fast password hasher, Celery run inline)."""

import os

os.environ.setdefault("BATON_TESTING", "1")

from .settings import *  # noqa: E402,F403
from .settings import REDIS_URL  # noqa: E402

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CELERY_TASK_ALWAYS_EAGER = True
CELERY_BROKER_URL = "memory://"
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Throttles are tested explicitly with their own rates.
REST_FRAMEWORK = {**REST_FRAMEWORK}  # noqa: F405
REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] = {"person": "100000/min", "token": "100000/min"}
API_TOKEN_FAILURES = "100000/min"
if REDIS_URL:
    # Keep test runs (and xdist workers) from sharing cache and group state.
    CACHES["default"]["KEY_PREFIX"] = f"baton-test-{os.getpid()}"  # noqa: F405
    CHANNEL_LAYERS["default"]["CONFIG"]["prefix"] = f"baton-test-{os.getpid()}"  # noqa: F405

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A file, not Django's in-memory default: with an in-memory database the browser tests'
    # live server shares one connection among its request threads, and two requests at once
    # (a page and its notification bell) failed with "database table is locked". With a
    # file each thread has its own connection and SQLite's busy timeout makes them wait.
    import tempfile

    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": os.path.join(tempfile.gettempdir(), f"baton-test-{os.getpid()}.sqlite3")
    }
