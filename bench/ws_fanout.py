"""WebSocket capacity of one ASGI process: N idle sockets on /ws/events/, the memory each one
costs, and how fast one event fans out to all of them, over real processes.

    .venv/bin/python bench/ws_fanout.py [--sockets 1000] [--rounds 3]
        [--database-url postgres://postgres@127.0.0.1:5432/bench_websockets]
        [--redis-url redis://127.0.0.1:6379/8] [--connect-concurrency 100]
        [--max-connections N] [--no-compression]

It migrates and flushes the scratch database (created if missing), creates one person per
socket with a signed-in, MFA-verified session each, and starts one uvicorn (config.asgi,
--lifespan off, the project's real settings) on a free 127.0.0.1 port. A client thread opens
the sockets with the `websockets` package (the session cookie and Origin a browser sends;
permessage-deflate offered, as browsers do, unless --no-compression), --connect-concurrency
handshakes at a time, and keeps them idle. Memory per socket is the server's VmRSS growth
from one open socket to all of them; "Redis conns" counts the server's TCP connections to
Redis. Each round then sends one event to every person the way in-app delivery does
(`group_send` to the person's group, one after another from one publisher): "publish ms" is
how long the sends took, "all in ms" first send -> last arrival, and p50/p95/max each event's
own latency (its send -> its socket). Last, every socket closes at once (the close path),
and the server log must hold no traceback and no ERROR line. "errors" counts sockets that
did not open plus events that did not arrive within 60 s. --max-connections sets
CHANNEL_LAYER_MAX_CONNECTIONS for the server (unset: the project's default).

Client, publisher, server, PostgreSQL and Redis share the machine, and the client and the
publisher share one interpreter, so latencies include the client's own work on N sockets.
(Not named websockets.py: in bench/ that name shadowed the websockets package for every
script run from this folder.)
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (  # noqa: E402
    SocketClients,
    print_table,
    raise_open_files_limit,
    report_server_log,
    server_env,
    start_logged_server,
    uvicorn_command,
    wait_for_port,
)


def percentile(sorted_values: list[float], fraction: float) -> float:
    return sorted_values[min(len(sorted_values) - 1, int(round(len(sorted_values) * fraction)) - 1)]


async def publish(people: list[int], round_no: int) -> list[float]:
    """One event per person, the message in-app delivery sends (core.realtime), one after
    another; returns when each send started, then when the last one returned."""
    from channels.layers import get_channel_layer

    from core.realtime import user_group

    layer = get_channel_layer()
    sent = []
    for i, pk in enumerate(people):
        sent.append(time.perf_counter())
        await layer.group_send(
            user_group(pk),
            {"type": "event.forward", "payload": {"type": "bench", "round": round_no, "i": i}},
        )
    sent.append(time.perf_counter())
    return sent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sockets", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--database-url", default="postgres://postgres@127.0.0.1:5432/bench_websockets"
    )
    # A Redis database of its own: the run deletes every "baton*" key in it at the start.
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/8")
    parser.add_argument("--connect-concurrency", type=int, default=100)
    parser.add_argument("--max-connections", type=int, default=None)
    # Browsers always offer permessage-deflate; without it, what the server's share of
    # memory per socket would be.
    parser.add_argument("--no-compression", action="store_true")
    args = parser.parse_args()

    raise_open_files_limit(args.sockets)

    port, env = server_env(args.database_url, args.redis_url)
    if args.max_connections is not None:
        env["CHANNEL_LAYER_MAX_CONNECTIONS"] = str(args.max_connections)
    os.environ.update(env)
    import django

    django.setup()
    from channels.layers import get_channel_layer
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    from tests.bulk import bulk_people
    from tests.ws import bulk_session_keys, rss_kib, tcp_connections_to

    call_command("migrate", verbosity=0)
    call_command("flush", interactive=False, verbosity=0)
    # Working all day everywhere: nothing here depends on quiet hours, but keep it plain.
    always = {d: ["00:00-24:00"] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
    users = bulk_people(args.sockets, prefix="ws", working_hours=always)
    people = [u.pk for u in users]
    session_keys = bulk_session_keys(users)
    connection.close()
    asyncio.run(get_channel_layer().flush())  # "baton*" keys left by an earlier run

    layer_config = settings.CHANNEL_LAYERS["default"].get("CONFIG", {})
    pool_size = layer_config.get("hosts", [{}])[0].get("max_connections", "redis-py default")
    redis_port = urlsplit(args.redis_url).port or 6379

    server, log_path = start_logged_server(
        uvicorn_command(port, "--lifespan", "off"), env, "bench-websockets-"
    )
    rows = []
    clients = SocketClients(
        f"ws://127.0.0.1:{port}/ws/events/",
        f"http://127.0.0.1:{port}",
        None if args.no_compression else "deflate",
        # round -> (person index, arrival time) per socket
        lambda event, _index: (
            (event["round"], event["i"]) if event.get("type") == "bench" else None
        ),
    )
    clients.thread.start()
    try:
        wait_for_port(port, server)
        # One socket first, so imports, the database and the layer's pool are warm.
        clients.run(clients.open_all(session_keys[:1], 1), timeout=60)
        if clients.errors:
            raise SystemExit(f"the first socket failed: {clients.errors[0]}")
        time.sleep(1)
        rss_one = rss_kib(server.pid)

        start = time.perf_counter()
        clients.run(clients.open_all(session_keys[1:], args.connect_concurrency), timeout=300)
        open_seconds = time.perf_counter() - start
        time.sleep(2)  # settle: pending group_adds, buffers
        rss_all = rss_kib(server.pid)
        opened = len(clients.sockets)
        per_socket = (rss_all - rss_one) / max(1, opened - 1)
        redis_idle = tcp_connections_to(server.pid, redis_port)

        async def rounds():
            # The publisher's own pool warms up on a group nobody is in.
            layer = get_channel_layer()
            await layer.group_send("bench.warmup", {"type": "event.forward", "payload": {}})
            results = []
            for round_no in range(1, args.rounds + 1):
                sent = await publish(people, round_no)
                arrivals = await asyncio.to_thread(clients.wait_for, round_no, opened, 60)
                results.append((round_no, sent, arrivals))
                await asyncio.sleep(1)
            await layer.close_pools()
            return results

        for round_no, sent, arrivals in asyncio.run(rounds()):
            # Each event's own latency (its send -> its socket), and the whole fan-out
            # (first send -> last socket).
            ms = sorted((at - sent[i]) * 1000 for i, at in arrivals)
            fan_out = (max(at for _, at in arrivals) - sent[0]) * 1000 if arrivals else 0
            missing = opened - len(ms)
            rows.append(
                [
                    round_no,
                    f"{opened:,}",
                    f"{open_seconds:.1f}",
                    f"{rss_one / 1024:.0f} -> {rss_all / 1024:.0f}",
                    f"{per_socket:.0f}",
                    redis_idle,
                    f"{(sent[-1] - sent[0]) * 1000:.0f}",
                    f"{fan_out:.0f}",
                    f"{statistics.median(ms):.0f}" if ms else "-",
                    f"{percentile(ms, 0.95):.0f}" if ms else "-",
                    f"{ms[-1]:.0f}" if ms else "-",
                    missing + (args.sockets - opened),
                ]
            )
        redis_busy = tcp_connections_to(server.pid, redis_port)

        clients.run(clients.close_all(), timeout=120)
        time.sleep(3)  # the server's close path: group_discard for every socket
        redis_closed = tcp_connections_to(server.pid, redis_port)
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
        clients.stop()

    print(
        f"{args.sockets:,} idle sockets on /ws/events/ under one uvicorn (config.asgi), "
        f"one event per person per round; layer pool max_connections={pool_size}; "
        f"permessage-deflate {'off' if args.no_compression else 'on'}; "
        f"{args.connect_concurrency} handshakes at a time"
    )
    print(
        f"PostgreSQL, Redis {args.redis_url}; {platform.processor() or platform.machine()}, "
        f"{os.cpu_count()} CPUs, Python {platform.python_version()}"
    )
    print_table(
        [
            "round",
            "sockets",
            "open s",
            "RSS MiB",
            "KiB/socket",
            "Redis conns",
            "publish ms",
            "all in ms",
            "p50 ms",
            "p95 ms",
            "max ms",
            "errors",
        ],
        rows,
    )
    print(
        f"server connections to Redis: {redis_idle} idle, {redis_busy} after the fan-out, "
        f"{redis_closed} after all {opened:,} sockets closed at once"
    )
    for error in clients.errors[:5]:
        print(f"client error: {error}")
    if len(clients.errors) > 5:
        print(f"... {len(clients.errors) - 5} more client errors")
    # Everything else the server logged (at WARNING and above), e.g. failed close-path
    # cleanups, which the consumer reports as one line each.
    if not report_server_log(log_path):
        raise SystemExit(1)
    if clients.errors or any(row[-1] for row in rows):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
