"""Durable turns a second and turn p99 for SQLite (one process) and PostgreSQL with 1, 2 and
3 workers, in one run, with the ratios and the CPU each turn costs.

A turn here is what a worker does for an update up to the moment its reply may be sent: the
user's lock, load, the real engine, and the commit of state, history, outbox and update id
(the reply then leaves through the one sender, at Telegram's 30 a second for the whole
fleet, which no number of workers changes). Every worker is its own process running the
real Service on its own store; CONCURRENCY simulated users in all, split over the workers,
each typing the start of the intake (then a new user). PostgreSQL runs on this machine with
the WAL fsynced in the background (synchronous_commit=off), SQLite with synchronous=NORMAL:
both keep every commit through a crash of the bot.

Run from the repository root: .venv/bin/python bench/fleet.py [--seconds 8]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.service import Service
from bot.storage import open_store
from dialogs.state import Command, Event, Text
from tests.postgres import PgServer, start_server

EVENTS: tuple[Event, ...] = (Command("start"), Text("ged"), Text("ok"), Text("word and excel"))
CONCURRENCY = 96
WARMUP = 1.0


async def run_worker(url: str, index: int, users: int, seconds: float) -> dict[str, float]:
    """One worker: `users` simulated users for `seconds`; its turns, latencies and CPU."""
    store = await open_store(url)
    service = Service(store)
    latencies: list[float] = []
    counter = iter(range(10**9))
    stop_at = time.perf_counter() + WARMUP + seconds
    measure_from = time.perf_counter() + WARMUP

    async def user(lane: int) -> None:
        while time.perf_counter() < stop_at:
            uid = index * 10**9 + lane * 10**6 + next(counter)
            for event in EVENTS:
                began = time.perf_counter()
                await service.turn(uid, uid, event, update_id=uid * 10 + EVENTS.index(event))
                if began >= measure_from:
                    latencies.append(time.perf_counter() - began)

    cpu0 = resource.getrusage(resource.RUSAGE_SELF)
    await asyncio.gather(*(user(lane) for lane in range(users)))
    cpu1 = resource.getrusage(resource.RUSAGE_SELF)
    await store.close()
    latencies.sort()
    cpu = (cpu1.ru_utime - cpu0.ru_utime) + (cpu1.ru_stime - cpu0.ru_stime)
    return {
        "turns": len(latencies),
        "p50": latencies[len(latencies) // 2] if latencies else 0.0,
        "p99": latencies[int(len(latencies) * 0.99)] if latencies else 0.0,
        "cpu": cpu * seconds / (seconds + WARMUP),  # the measured share, roughly
    }


def spawn(url: str, index: int, users: int, seconds: float) -> subprocess.Popen[str]:
    args = [sys.executable, "-P", __file__, "--worker", url, str(index), str(users), str(seconds)]
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parent.parent))
    return subprocess.Popen(args, stdout=subprocess.PIPE, text=True, env=env)


def server_cpu(server: PgServer) -> float:
    """CPU seconds used so far by the PostgreSQL server (postmaster and its children)."""
    pid = int((server.root / "data" / "postmaster.pid").read_text().split()[0])
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(entry.name) == pid:  # its own, and that of the children it has reaped
            total += sum(int(f) for f in fields[11:15]) / tick
        elif int(fields[1]) == pid:  # a live child (a backend, the WAL writer, ...)
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def measure(url: str, workers: int, seconds: float, server: PgServer | None) -> dict[str, float]:
    """Run `workers` processes at once; the fleet's figures."""
    before = server_cpu(server) if server else 0.0
    procs = [spawn(url, i, CONCURRENCY // workers, seconds) for i in range(workers)]
    results = [json.loads(p.communicate()[0].strip().splitlines()[-1]) for p in procs]
    db_cpu = (server_cpu(server) - before) * seconds / (seconds + WARMUP) if server else 0.0
    turns = sum(r["turns"] for r in results)
    return {
        "rate": turns / seconds,
        "p99": max(r["p99"] for r in results) * 1000,
        "p50": max(r["p50"] for r in results) * 1000,
        "cpu_ms": 1000 * (sum(r["cpu"] for r in results) + db_cpu) / max(turns, 1),
        "db_ms": 1000 * db_cpu / max(turns, 1),
    }


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "--worker":
        url, index, users, seconds = sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
        print(json.dumps(asyncio.run(run_worker(url, index, users, float(seconds)))))
        return 0
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=8.0)
    args = parser.parse_args()
    print(f"bench/fleet.py  {time.strftime('%Y-%m-%d')}  {os.cpu_count()} cores")
    print(f"{CONCURRENCY} simulated users in all; {args.seconds:.0f} s each; turn = lock, load,")
    print("engine, commit (durable through a crash of the bot)")
    rows: list[tuple[str, dict[str, float]]] = []
    with tempfile.TemporaryDirectory() as folder:
        rows.append(
            ("SQLite, 1 process", measure(f"sqlite:///{folder}/b.db", 1, args.seconds, None))
        )
    server = start_server(durable=True)
    if isinstance(server, str):
        print(server)
    else:
        try:
            for n in (1, 2, 3):
                url = server.new_database()
                rows.append(
                    (
                        f"PostgreSQL, {n} worker{'s' * (n > 1)}",
                        measure(url, n, args.seconds, server),
                    )
                )
        finally:
            server.stop()
    base = rows[0][1]["rate"]
    widths = {"turns/s": 8, "x SQLite": 8, "p50 ms": 7, "p99 ms": 7, "CPU ms/turn": 11, "(db)": 6}
    print(" " * 24 + "".join(f" {h:>{w}}" for h, w in widths.items()))
    for name, r in rows:
        print(
            f"{name:24} {r['rate']:8,.0f} {r['rate'] / base:8.2f} {r['p50']:7.1f} {r['p99']:7.1f}"
            f" {r['cpu_ms']:11.2f} {r['db_ms']:6.2f}"
        )
    if (os.cpu_count() or 1) <= 2:
        print(
            "2 cores: the workers and the PostgreSQL server share them, so more workers cannot\n"
            "show more turns a second here; CPU per turn says what each worker costs."
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
