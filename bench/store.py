"""The SQLite store with many stored users: durable turns/s and commit latency, against the
store as it was before aiosqlite (bench/baseline_sqlite_store.py, frozen) in the same run, and
a commit against PicklePersistence's flush.

Run from the repository root: .venv/bin/python bench/store.py [--users 100000] [--turns 5000]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import baseline_sqlite_store
from bot.storage.sqlite import Store
from dialogs.state import (
    DialogState,
    Goals,
    Milestone,
    Option,
    Phase,
    Reply,
    ScheduleCheckin,
    Turn,
)

NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)


def typical_state(user_id: int) -> DialogState:
    """A user half-way through: a full profile, a plan with milestones, a full history."""
    state = DialogState(
        version=40,
        phase=Phase.ENGAGED,
        pending="checkin",
        answers={
            "education": "ged",
            "computer": "office",
            "interests": ("computers", "fixing things"),
            "hours": 30,
            "wage_now": "$15 an hour",
            "has_job": True,
        },
        pathway_id="it",
        entry_step=2,
        goals=Goals("Help desk", 3, 4, 5, "IT consultant"),
        milestones=tuple(
            Milestone(f"m{i}", f"Finish step {i} of IT", i, date(2027, i, 1)) for i in range(2, 6)
        ),
        cadence_days=14,
        checkin_hour=10,
        referral="wsmaine",
        started_on=date(2026, 1, 5),
        plan_made_on=date(2026, 1, 6),
        last_seen=NOW - timedelta(days=user_id % 30),
    )
    for n in range(6):
        state = state.remember("user", f"answer number {n}").remember("bot", "A question? " * 8)
    return state


def seed(path: Path, users: int) -> float:
    """Fill the schema with `users` users (state, answers, milestones, sent outbox, check-in)."""
    started = time.perf_counter()
    conn = sqlite3.connect(path)
    at = int(NOW.timestamp())
    template = typical_state(0)
    blob = template.to_json()
    payload = json.dumps(Reply("A question? " * 8, (Option("a", "Yes"),)).to_dict())
    with conn:
        conn.executemany(
            "INSERT INTO users (user_id, chat_id, state_json, state_version, phase, status,"
            " pending, pathway_id, entry_step, referral, cadence_days, milestones_total,"
            " milestones_done, started_on, plan_made_on, last_seen, created_at, updated_at)"
            " VALUES (?, ?, ?, 40, 'engaged', 'active', 'checkin', 'it', 2, 'wsmaine', 14, 4, 0,"
            " '2026-01-05', '2026-01-06', ?, ?, ?)",
            ((uid, uid, blob, at - uid % 30 * 86400, at, at) for uid in range(1, users + 1)),
        )
        conn.executemany(
            "INSERT INTO answers (user_id, at, pending, text) VALUES (?, ?, 'q', 'an answer')",
            ((uid, at) for uid in range(1, users + 1) for _ in range(4)),
        )
        conn.executemany(
            "INSERT INTO milestones VALUES (?, ?, ?, 'Finish a step', ?, '2027-01-01', NULL)",
            ((uid, i, f"m{i}", i) for uid in range(1, users + 1) for i in range(4)),
        )
        conn.executemany(
            "INSERT INTO outbox (user_id, chat_id, payload_json, dedup_key, created_at, sent_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (
                (uid, uid, payload, f"{uid}:{v}:0", at, at)
                for uid in range(1, users + 1)
                for v in range(36, 40)
            ),
        )
        conn.executemany(
            "INSERT INTO checkins (user_id, due_at, kind, created_at) VALUES (?, ?, 'checkin', ?)",
            ((uid, at + uid % 86400 * 14, at) for uid in range(1, users + 1)),
        )
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return time.perf_counter() - started


def next_turn(state: DialogState) -> Turn:
    """A typical turn: one answer, two replies, the next check-in rescheduled."""
    new = state.with_answer("hours", 35).remember("user", "35 hours")
    new = replace(new, version=state.version + 1)
    replies = (Reply("Got it: 35 hours a week."), Reply("Next question?", (Option("y", "Yes"),)))
    return Turn(new, replies, (ScheduleCheckin(NOW + timedelta(days=14)),))


async def one_turn(store: Any, user_id: int, update_id: int, timings: list[float]) -> None:
    """Load, build the next turn, commit (timed), mark its replies sent."""
    state = await store.load_state(user_id) or DialogState()
    turn = next_turn(state)
    started = time.perf_counter()
    rows = await store.commit_turn(
        user_id=user_id,
        chat_id=user_id,
        turn=turn,
        update_id=update_id,
        user_text="35 hours",
        now=NOW,
    )
    timings.append(time.perf_counter() - started)
    for row in rows:
        await store.mark_sent(row.id, 1, NOW)


def rss_mb() -> tuple[float, float]:
    """(current, peak) resident memory in MB, from /proc."""
    fields = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        key, _, value = line.partition(":")
        fields[key] = value
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


def percentile(values: list[float], q: float) -> float:
    """The q-quantile (0..1) in milliseconds."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


@dataclass
class Figures:
    """One store's run."""

    p50: float
    p99: float
    rate: float
    loaded_p99: float


async def bench_store(path: Path, users: int, turns: int, store_class: Any) -> Figures:
    """Sequential latency and concurrent throughput of commit_turn."""
    store = await store_class.open(path)
    rng = random.Random(7)
    sequential: list[float] = []
    for n in range(turns):
        await one_turn(store, rng.randint(1, users), 10_000_000 + n, sequential)
    concurrent: list[float] = []
    picks = rng.sample(range(1, users + 1), min(users, 100))
    started = time.perf_counter()

    async def worker(uid: int, k: int) -> None:
        for n in range(turns // len(picks)):
            await one_turn(store, uid, 20_000_000 + k * 100_000 + n, concurrent)

    await asyncio.gather(*(worker(uid, k) for k, uid in enumerate(picks)))
    elapsed = time.perf_counter() - started
    assert await store.integrity_check() == "ok"
    await store.close()
    return Figures(
        percentile(sequential, 0.5),
        percentile(sequential, 0.99),
        len(concurrent) / elapsed,
        percentile(concurrent, 0.99),
    )


def show(name: str, f: Figures) -> None:
    """One store's line."""
    print(
        f"  {name:<26} one at a time p50 {f.p50:5.2f} ms  p99 {f.p99:5.2f} ms;"
        f"  100 users at once {f.rate:6,.0f} durable turns/s, commit p99 {f.loaded_p99:5.1f} ms"
    )


async def compare(seeded: Path, users: int, turns: int, rounds: int) -> float:
    """Today's store and the baseline on copies of the same database, in alternating
    rounds; prints each round, the medians and the ratios; returns today's p99."""
    stores = {"aiosqlite (today)": Store, "baseline (sqlite3 thread)": baseline_sqlite_store.Store}
    runs: dict[str, list[Figures]] = {name: [] for name in stores}
    print(f"each turn: load, commit (timed), mark its 2 replies sent; {turns} turns per phase")
    for round_no in range(rounds):
        for name, store_class in stores.items():
            copy = seeded.with_name(f"round{round_no}.db")
            shutil.copyfile(seeded, copy)
            figures = await bench_store(copy, users, turns, store_class)
            runs[name].append(figures)
            show(name, figures)
            copy.unlink()
            for extra in ("-wal", "-shm"):
                copy.with_name(copy.name + extra).unlink(missing_ok=True)
    medians = {
        name: Figures(
            *(
                statistics.median(getattr(f, field) for f in figs)
                for field in Figures.__annotations__
            )
        )
        for name, figs in runs.items()
    }
    print(f"median of {rounds} rounds:")
    for name, figures in medians.items():
        show(name, figures)
    today, base = medians["aiosqlite (today)"], medians["baseline (sqlite3 thread)"]
    print(
        f"ratio today / baseline: {today.rate / base.rate:.2f}x durable turns/s;"
        f" p99 one at a time {today.p99 / base.p99:.2f}x, under load"
        f" {today.loaded_p99 / base.loaded_p99:.2f}x (below 1 is faster)"
    )
    return today.p99


async def bench_pickle(folder: Path, users: int) -> float:
    """Seconds PicklePersistence takes to write the same users once (one flush)."""
    from telegram.ext import PicklePersistence

    persistence = PicklePersistence(folder / "ptb.pickle", single_file=True, on_flush=True)
    blob = typical_state(0).to_json()
    for uid in range(1, users + 1):  # each user its own objects, as in a running bot
        await persistence.update_user_data(uid, json.loads(blob))
    times = []
    for _ in range(3):
        started = time.perf_counter()
        await persistence.flush()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


async def main() -> None:
    """Seed, measure, print."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", type=int, default=100_000)
    parser.add_argument("--turns", type=int, default=5_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--no-baseline", action="store_true", help="skip PicklePersistence")
    args = parser.parse_args()
    print(f"bench/store.py  {datetime.now(UTC):%Y-%m-%d}  sqlite {sqlite3.sqlite_version}")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.db"
        store = await Store.open(path)
        await store.close()
        seconds = seed(path, args.users)
        size = path.stat().st_size / 1e6
        print(f"seeded {args.users:,} users in {seconds:.1f} s; database {size:.0f} MB")
        rss_before = rss_mb()[0]
        p99 = await compare(path, args.users, args.turns, args.rounds)
        rss, peak = rss_mb()
        print(f"RSS after the store runs: {rss:.0f} MB (peak {peak:.0f} MB)")
        print(f"  ({rss_before:.0f} MB before opening the stores)")
        if not args.no_baseline:
            flush = await bench_pickle(Path(tmp), args.users)
            rss_pickle = rss_mb()[0]
            print(f"baseline: PicklePersistence, one flush of {args.users:,} users:")
            print(f"  {flush * 1000:.0f} ms (RSS then {rss_pickle:.0f} MB)")
            print(f"ratio: flush / store commit p99 = {flush * 1000 / p99:,.0f}x")


if __name__ == "__main__":
    asyncio.run(main())
