"""The environment of a Baton process started from a test the way a deployment starts it:
settings are read once per process, so the settings and security-header tests run manage.py
or a probe in a subprocess with exactly these variables."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[1]

# Variables that would leak the test run's configuration into the subprocess.
_SCRUB = (
    "BATON_TESTING",
    "DJANGO_SETTINGS_MODULE",
    "DEBUG",
    "SECRET_KEY",
    "DATABASE_URL",
    "REDIS_URL",
    "ALLOWED_HOSTS",
    "CSRF_TRUSTED_ORIGINS",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "EMAIL_URL",
    "CONN_MAX_AGE",
    "DB_POOL_MAX_SIZE",
    "DB_POOL_MIN_SIZE",
    "DB_POOL_TIMEOUT",
    "DJANGO_ALLOW_ASYNC_UNSAFE",  # the browser tests set it in-process; never in production
)


def clean_env(**overrides: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _SCRUB}
    env["DJANGO_SETTINGS_MODULE"] = "config.settings"
    env.update(overrides)
    return env


def production_env(tmp_path: Path, **overrides: str) -> dict[str, str]:
    """What a production deployment sets (see README)."""
    values = {
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(45),  # 60 characters
        "ALLOWED_HOSTS": "baton.example.com",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'production.sqlite3'}",
    }
    return clean_env(**{**values, **overrides})
