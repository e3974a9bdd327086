"""Chat over real processes (issue 14): how fast a message sent on one member's /ws/events/
socket reaches every member of a 200-person team room, and what 1,000 idle sockets cost one
uvicorn process.

    .venv/bin/python bench/chat_fanout.py [--members 200] [--messages 50] [--sockets 1000]
        [--database-url postgres://postgres@127.0.0.1:5432/bench_chat]
        [--redis-url redis://127.0.0.1:6379/7] [--connect-concurrency 100]

It migrates and flushes the scratch database (created if missing), creates a team of
--members people (its chat room comes with it, chat/apps.py) and a second team of the other
--sockets minus --members people, with a signed-in, MFA-verified session each, and deletes
every "baton*" key of its Redis database (channel layer, cache: the rate-limit counters).
Then two runs, each on a fresh uvicorn (config.asgi, --lifespan off, the project's real
settings) on 127.0.0.1, with clients holding `websockets` connections in this process
(cookie, Origin and permessage-deflate as a browser sends them):

1. "room only": the members' sockets open (the sender's first). The sender, a member,
   sends `{"type": "chat.send", "room", "body", "topic": "bench", "client_id"}` on its
   socket; every member's socket, the sender's own included, gets the `chat.message` "new"
   frame. Each message is timed from the moment the frame is sent to its arrival on each
   socket ("p50/p95/max"; "first"/"all in": the first and the last socket of the message),
   and to the sender's `chat.sent` answer. One message at a time: the next is sent once
   every socket has the last one.
2. "room + idle": the sender's socket opens alone and sends --warmup messages (imports,
   database connection, the layer's pools), then the server's VmRSS is read; the other
   --sockets - 1 open (--connect-concurrency handshakes at a time; the members, then the
   other team), the RSS is read again two seconds later: "KiB/socket" is the growth over
   the sockets opened. The same messages then go to the room while the others stay idle.

The chat rate limit (CHAT_RATE_MESSAGES a person per CHAT_RATE_SECONDS: chat.services'
defaults, 20 per 10 s, which config.settings does not set or read from the environment) is
left as it is: the sends are paced at one every CHAT_RATE_SECONDS / (CHAT_RATE_MESSAGES - 2)
seconds at most, so no fixed window holds more than the limit. Each run starts with --warmup
messages that are not counted. "server CPU" is the uvicorn process's user + system time over
the counted messages, per message; "msg/s" the counted messages over their wall time.
"Redis conns" counts the server's TCP connections to Redis with the sender's socket alone,
then with all open. The server log must hold no traceback and no ERROR line; a socket or a
member's copy missing fails the run (exit 1); a missed goal is printed, not an exit status.

Client, server, PostgreSQL and Redis share the machine: the client's own work (one event
loop for every socket: decompressing and parsing each frame) is part of every latency.
Goal: p95 < 100 ms from send to each member's socket.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (  # noqa: E402
    ALWAYS_AT_WORK,
    SocketClients,
    machine_line,
    percentile,
    print_table,
    process_cpu_seconds,
    raise_open_files_limit,
    report_server_log,
    server_env,
    start_logged_server,
    stop_processes,
    uvicorn_command,
    wait_for_port,
)

GOAL_MS = 100.0


def note(event: dict, index: int):
    """What the clients note: each socket's copy of a new message (by room and seq), and the
    sender's answer (by client_id)."""
    kind = event.get("type")
    if kind == "chat.message" and event.get("event") == "new":
        return ("message", event["room"], event["seq"]), index
    if kind in ("chat.sent", "chat.error"):
        return ("answer", event.get("client_id")), event
    return None


class Pacer:
    """At most one send every `interval` seconds, across both runs (one sender)."""

    def __init__(self, interval: float):
        self.interval, self.last = interval, -1e9

    def wait(self) -> None:
        pause = self.last + self.interval - time.monotonic()
        if pause > 0:
            time.sleep(pause)
        self.last = time.monotonic()


class Room:
    """The sender's side of the room: sends a message, waits for every member's copy."""

    def __init__(self, clients: SocketClients, room_id: int, members: int, pacer: Pacer):
        self.clients, self.room_id, self.members, self.pacer = clients, room_id, members, pacer
        self.seq = 0  # the room's last seq: this is its only sender

    def send(self, label: str) -> dict:
        """One message: latencies in ms to each socket that got it, and to the answer."""
        client_id = f"{label}-{self.seq + 1}"
        frame = {
            "type": "chat.send",
            "room": self.room_id,
            "body": f"Bench message {self.seq + 1}: is the **deploy** done?",
            "topic": "bench",
            "client_id": client_id,
        }
        self.pacer.wait()
        started = self.clients.run(self.clients.send_json(0, frame), timeout=30)
        answers = self.clients.wait_for(("answer", client_id), 1, 30)
        if not answers:
            raise SystemExit(f"no answer to {client_id} within 30 s")
        answer, answered = answers[0]
        if answer["type"] != "chat.sent":
            raise SystemExit(f"{client_id} refused: {answer}")
        self.seq += 1
        if answer["seq"] != self.seq:
            raise SystemExit(f"{client_id}: seq {answer['seq']}, expected {self.seq}")
        arrived = self.clients.wait_for(("message", self.room_id, self.seq), self.members, 30)
        return {
            "answer": (answered - started) * 1000,
            "each": [(at - started) * 1000 for _, at in arrived],
            "lost": self.members - len(arrived),
        }


def chat_row(label: str, sockets: int, room: Room, messages: int, warmup: int, pid: int):
    """`warmup` messages, then `messages` counted ones: the run's row, and its p95."""
    for _ in range(warmup):
        room.send(f"{label}-warm")
    cpu, wall = process_cpu_seconds(pid), time.perf_counter()
    results = [room.send(label) for _ in range(messages)]
    cpu, wall = process_cpu_seconds(pid) - cpu, time.perf_counter() - wall
    each = sorted(ms for r in results for ms in r["each"])
    firsts = [min(r["each"]) for r in results if r["each"]]
    lasts = [max(r["each"]) for r in results if r["each"]]
    lost = sum(r["lost"] for r in results)
    p95 = percentile(each, 0.95) if each else float("inf")
    row = [
        label,
        f"{sockets:,}",
        f"{messages} x {room.members}",
        lost,
        f"{statistics.median(r['answer'] for r in results):.1f}",
        f"{statistics.median(firsts):.1f}" if firsts else "-",
        f"{statistics.median(each):.1f}" if each else "-",
        f"{p95:.1f}",
        f"{each[-1]:.1f}" if each else "-",
        f"{statistics.median(lasts):.1f}" if lasts else "-",
        f"{percentile(lasts, 0.95):.1f}" if lasts else "-",
        f"{cpu * 1000 / messages:.0f}",
        f"{messages / wall:.1f}",
        "yes" if p95 < GOAL_MS and not lost else "NO",
    ]
    return row, p95, lost


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=200, help="people in the room")
    parser.add_argument("--messages", type=int, default=50, help="counted messages per run")
    parser.add_argument("--warmup", type=int, default=3, help="uncounted messages first")
    parser.add_argument("--sockets", type=int, default=1000, help="sockets open in run 2")
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/bench_chat")
    # A Redis database of its own: the run deletes every "baton*" key in it at the start.
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/7")
    parser.add_argument("--connect-concurrency", type=int, default=100)
    args = parser.parse_args()
    if not 1 < args.members <= args.sockets:
        parser.error("--members must be from 2 to --sockets")

    raise_open_files_limit(args.sockets)
    port, env = server_env(args.database_url, args.redis_url)
    os.environ.update(env)
    import django

    django.setup()
    from channels.layers import get_channel_layer
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    from chat.models import Room as RoomRow
    from chat.models import RoomKind
    from core.audit import Actor
    from teams import services as team_services
    from tests.bulk import bulk_people
    from tests.ws import bulk_session_keys, rss_kib, tcp_connections_to

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    call_command("flush", interactive=False, verbosity=0)
    actor = Actor.system(via="bench")
    team = team_services.team_create(actor=actor, name="Bench chat", audit=False)
    others = team_services.team_create(actor=actor, name="Bench idle", audit=False)
    members = bulk_people(args.members, prefix="chat", working_hours=ALWAYS_AT_WORK, team=team)
    idle = bulk_people(
        args.sockets - args.members, prefix="idle", working_hours=ALWAYS_AT_WORK, team=others
    )
    room_id = RoomRow.objects.get(kind=RoomKind.TEAM, team=team).pk  # chat/apps.py made it
    keys = bulk_session_keys(members + idle)  # the sender is members[0]
    connection.close()
    asyncio.run(get_channel_layer().flush())  # "baton*": the layer's and the cache's keys
    setup_seconds = time.perf_counter() - started

    limit = int(getattr(settings, "CHAT_RATE_MESSAGES", 20))
    window = int(getattr(settings, "CHAT_RATE_SECONDS", 10))
    pacer = Pacer(window / max(1, limit - 2))
    redis_port = urlsplit(args.redis_url).port or 6379
    url, origin = f"ws://127.0.0.1:{port}/ws/events/", f"http://127.0.0.1:{port}"
    rows, memory, missed, failures, errors = [], [], [], [], []

    def run(label: str, second: bool) -> None:
        server, log_path = start_logged_server(
            uvicorn_command(port, "--lifespan", "off"), env, "bench-chat-"
        )
        clients = SocketClients(url, origin, "deflate", note)
        clients.thread.start()
        room = Room(clients, room_id, args.members, pacer)
        room.seq = RoomRow.objects.get(pk=room_id).last_seq
        connection.close()
        try:
            wait_for_port(port, server)
            # The sender's socket first, alone: the server's imports, pools, first queries.
            clients.run(clients.open_all(keys[:1], 1), timeout=60)
            if clients.errors:
                raise SystemExit(f"the sender's socket failed: {clients.errors[0]}")
            sockets = args.sockets if second else args.members
            if second:
                for _ in range(args.warmup):
                    room.send(f"{label}-alone")
                time.sleep(1)
                rss_one = rss_kib(server.pid)
                redis_one = tcp_connections_to(server.pid, redis_port)
            opening = time.perf_counter()
            clients.run(clients.open_all(keys[1:sockets], args.connect_concurrency), timeout=300)
            open_seconds = time.perf_counter() - opening
            if len(clients.sockets) != sockets:
                raise SystemExit(f"{sockets - len(clients.sockets)} sockets did not open")
            if second:
                time.sleep(2)  # settle: pending group_adds, buffers
                rss_all = rss_kib(server.pid)
                redis_idle = tcp_connections_to(server.pid, redis_port)
            row, p95, lost = chat_row(label, sockets, room, args.messages, args.warmup, server.pid)
            rows.append(row)
            if p95 >= GOAL_MS:
                missed.append(f"{label}: p95 {p95:.1f} ms")
            if lost:
                failures.append(f"{label}: {lost} copies lost")
            if second:
                time.sleep(1)
                memory.append(
                    [
                        f"{sockets:,}",
                        f"{open_seconds:.1f}",
                        f"{rss_one / 1024:.0f} -> {rss_all / 1024:.0f}",
                        f"{(rss_all - rss_one) / (sockets - 1):.0f}",
                        f"{rss_kib(server.pid) / 1024:.0f}",
                        f"{redis_one} -> {redis_idle}",
                    ]
                )
            clients.run(clients.close_all(), timeout=120)
            time.sleep(2)  # the server's close path: group_discard for every socket
        finally:
            stop_processes([server])
            clients.stop()
        errors.extend(f"{label}: {e}" for e in clients.errors)
        if not report_server_log(log_path):
            failures.append(f"{label}: traceback or ERROR in the server log")

    run("room only", second=False)
    run("room + idle", second=True)

    db = "PostgreSQL" if args.database_url.startswith("postgres") else "SQLite"
    print(
        f"Chat: one sender in a team room of {args.members} people, each on /ws/events/ of one "
        f"uvicorn (config.asgi); {args.messages} messages a run after {args.warmup} "
        f"uncounted, one every {pacer.interval:.2f} s at most (rate limit {limit} per "
        f"{window} s); setup {setup_seconds:.0f} s"
    )
    print(
        f"{db}, Redis {args.redis_url}; {platform.processor() or platform.machine()}, "
        f"Python {platform.python_version()}; {machine_line()}"
    )
    print_table(
        [
            "run",
            "sockets",
            "messages",
            "lost",
            "chat.sent ms",
            "first ms",
            "p50 ms",
            "p95 ms",
            "max ms",
            "all in p50",
            "all in p95",
            "server CPU ms/msg",
            "msg/s",
            f"p95 < {GOAL_MS:.0f} ms",
        ],
        rows,
    )
    print()
    print_table(
        [
            "idle sockets",
            "open s",
            "RSS MiB (1 -> all)",
            "KiB/socket",
            "RSS after chat MiB",
            "Redis conns (1 -> all)",
        ],
        memory,
    )
    for error in errors[:5]:
        print(f"client error: {error}")
    if len(errors) > 5:
        print(f"... {len(errors) - 5} more client errors")
    verdict = "FAIL (" + "; ".join(missed + failures) + ")" if missed or failures else "PASS"
    print(f"goal send -> each member's socket p95 < {GOAL_MS:.0f} ms, none lost: {verdict}")
    for failure in failures:
        print(f"failed: {failure}")
    if failures or errors:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
