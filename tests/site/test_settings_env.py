"""Settings come from the environment; production refuses to start half-configured.

Each case runs manage.py in a subprocess with a controlled environment, because settings are
read once per process.
"""

from __future__ import annotations

import json
import subprocess
import sys

from tests.production import BASE_DIR, clean_env, production_env


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_without_secret_key_fails_with_a_clear_message():
    # SECRET_KEY="" (not unset) also beats any SECRET_KEY a developer's .env file might hold.
    result = manage("check", env=clean_env(DEBUG="0", SECRET_KEY=""))
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr
    assert "DEBUG=1" in result.stderr  # the message says how to run locally


def test_debug_runs_without_secret_key():
    result = manage("check", env=clean_env(DEBUG="1", SECRET_KEY=""))
    assert result.returncode == 0, result.stderr


def test_production_settings_pass_the_deploy_check(tmp_path):
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=production_env(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNINGS" not in result.stdout + result.stderr


def test_production_uses_manifest_static_storage_and_secure_cookies(tmp_path):
    script = (
        "import django, json; django.setup(); from django.conf import settings as s; "
        "print(json.dumps({'storage': s.STORAGES['staticfiles']['BACKEND'], "
        "'session_secure': s.SESSION_COOKIE_SECURE, 'csrf_secure': s.CSRF_COOKIE_SECURE, "
        "'hsts': s.SECURE_HSTS_SECONDS, 'ssl_redirect': s.SECURE_SSL_REDIRECT, "
        "'debug': s.DEBUG}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=BASE_DIR,
        env=production_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout.strip().splitlines()[-1])
    assert values == {
        "storage": "whitenoise.storage.CompressedManifestStaticFilesStorage",
        "session_secure": True,
        "csrf_secure": True,
        "hsts": 31536000,
        "ssl_redirect": True,
        "debug": False,
    }


# Nothing listens here: reading settings and the deploy check never connect.
UNREACHABLE_POSTGRES = "postgres://baton@127.0.0.1:1/baton"


def database_settings(env: dict[str, str]) -> dict:
    script = (
        "import django, json; django.setup(); from django.conf import settings as s; "
        "d = s.DATABASES['default']; "
        "print(json.dumps({'pool': d.get('OPTIONS', {}).get('pool'), "
        "'conn_max_age': d['CONN_MAX_AGE'], "
        "'prepare': [getattr(d.get('OPTIONS', {}).get('cursor_factory'), '__name__', None), "
        "d.get('OPTIONS', {}).get('prepare_threshold')]}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_postgresql_gets_a_bounded_pool_by_default(tmp_path):
    values = database_settings(production_env(tmp_path, DATABASE_URL=UNREACHABLE_POSTGRES))
    assert values == {
        "pool": {"min_size": 1, "max_size": 10, "timeout": 10.0},
        # Persistent per-thread connections leak under ASGI; the pool replaces them.
        "conn_max_age": 0,
        # Bound on the server, prepared from the fifth run (core.pgcursor).
        "prepare": ["PreparingCursor", 5],
    }


def test_pool_size_and_timeout_come_from_the_environment(tmp_path):
    env = production_env(
        tmp_path,
        DATABASE_URL=UNREACHABLE_POSTGRES,
        DB_POOL_MIN_SIZE="0",
        DB_POOL_MAX_SIZE="3",
        DB_POOL_TIMEOUT="2.5",
    )
    assert database_settings(env)["pool"] == {"min_size": 0, "max_size": 3, "timeout": 2.5}


def test_pool_size_zero_turns_the_pool_off(tmp_path):
    env = production_env(
        tmp_path, DATABASE_URL=UNREACHABLE_POSTGRES, DB_POOL_MAX_SIZE="0", CONN_MAX_AGE="30"
    )
    assert database_settings(env) == {
        "pool": None,
        "conn_max_age": 30,
        "prepare": ["PreparingCursor", 5],
    }


def test_prepare_threshold_zero_binds_on_the_client_as_django_does(tmp_path):
    # Behind PgBouncer in transaction mode without prepared-statement support.
    env = production_env(tmp_path, DATABASE_URL=UNREACHABLE_POSTGRES, DB_PREPARE_THRESHOLD="0")
    assert database_settings(env)["prepare"] == [None, None]
    env["DB_PREPARE_THRESHOLD"] = "2"
    assert database_settings(env)["prepare"] == ["PreparingCursor", 2]


def test_a_negative_prepare_threshold_fails_with_a_clear_message(tmp_path):
    env = production_env(tmp_path, DATABASE_URL=UNREACHABLE_POSTGRES, DB_PREPARE_THRESHOLD="-1")
    result = manage("check", env=env)
    assert result.returncode != 0
    assert "DB_PREPARE_THRESHOLD must be 0 (off) or more" in result.stderr


def test_sqlite_gets_no_pool(tmp_path):
    assert database_settings(production_env(tmp_path)) == {
        "pool": None,
        "conn_max_age": 0,
        "prepare": [None, None],
    }


def test_conn_max_age_with_the_pool_fails_with_a_clear_message(tmp_path):
    env = production_env(tmp_path, DATABASE_URL=UNREACHABLE_POSTGRES, CONN_MAX_AGE="60")
    result = manage("check", env=env)
    assert result.returncode != 0
    assert "CONN_MAX_AGE cannot be combined with the connection pool" in result.stderr
    assert "DB_POOL_MAX_SIZE=0" in result.stderr  # the message says how to opt out


def test_impossible_pool_sizes_fail_with_a_clear_message(tmp_path):
    env = production_env(
        tmp_path, DATABASE_URL=UNREACHABLE_POSTGRES, DB_POOL_MIN_SIZE="5", DB_POOL_MAX_SIZE="2"
    )
    result = manage("check", env=env)
    assert result.returncode != 0
    assert "DB_POOL_MIN_SIZE <= DB_POOL_MAX_SIZE" in result.stderr


def test_production_settings_on_postgresql_pass_the_deploy_check(tmp_path):
    env = production_env(tmp_path, DATABASE_URL=UNREACHABLE_POSTGRES)
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
