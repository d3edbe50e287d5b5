"""/stats and /export on many participants: time and extra memory (goal: < 1 s, < 50 MB).

Run from the repository root: .venv/bin/python bench/stats.py [--users 100000]

The population is written straight into SQLite (the schema of the store's migrations): each
user is a copy of a state that real engine journeys produced (mid-intake, recommendations,
goals, plan, engaged with milestones done, paused), with its own dates, referral code,
inactive flag, milestone rows and check-in rows. The figures read only those columns and
rows, never the state JSON, which is there at its real size (the rows are as big as in use).

The timing runs in a fresh process on the database file (the OS has it cached, as on a bot
that runs), without tracemalloc; memory is measured in separate runs: tracemalloc peak of
Python objects, and the peak resident memory of the whole process (incl. SQLite's caches)
above what it held before the call. Baseline in the same run: `SELECT COUNT(*) FROM users`.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sqlite3
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.agency.stats import compute_stats, export_csv, format_stats
from bot.storage.sqlite import Store
from dialogs.engine import handle
from dialogs.state import (
    CheckinDue,
    Choice,
    Command,
    DialogState,
    Event,
    Phase,
    Status,
    Text,
)
from knowledge.loader import get_knowledge

NOW = datetime(2026, 11, 23, 15, tzinfo=UTC)
TZ = ZoneInfo("America/New_York")
KEY = b"bench-export-key"
CODES = [(f"site{i}_{i:04x}", f"Career center {i}") for i in range(12)]

IT_INTAKE: list[Event] = [
    Command("start"),
    *map(Text, ["ged", "ok", "word and excel", "retail", "computers", "yes", "no", "no", "10"]),
]
MFG_INTAKE: list[Event] = [
    Command("start"),
    *map(Text, ["welding cert", "welding", "easy", "email and web", "welding", "making things"]),
    *map(Text, ["yes", "yes", "i'm good at it", "no help needed", "i have a job"]),
    Choice("h25"),
]
GOALS: dict[str, list[Event]] = {
    "it": [Choice("pick:it"), Choice("sel:yes")],
    "manufacturing": [Choice("pick:manufacturing"), Choice("sel:yes")],
}
PLAN: list[Event] = [Text("step 4")]
ENGAGE: list[Event] = [Choice("plan:yes"), Choice("cad:weekly"), Choice("hour:9")]


def journey(intake: list[Event], pathway: str) -> list[tuple[str, list[Event]]]:
    """Stopping points of one journey: (name, the events up to there)."""
    engaged = [*intake, *GOALS[pathway], *PLAN, *ENGAGE]
    return [
        ("mid-intake", intake[:4]),
        ("recommendations", intake),
        ("goals", [*intake, *GOALS[pathway]]),
        ("plan", [*intake, *GOALS[pathway], *PLAN]),
        ("engaged", engaged),
        ("done-1", [*engaged, CheckinDue(), Choice("ci:done")]),
        ("done-2", [*engaged, CheckinDue(), Choice("ci:done"), CheckinDue(), Choice("ci:done")]),
        ("paused", [*engaged, Command("pause"), Choice("pause:work")]),
    ]


def play(events: list[Event]) -> DialogState:
    """The state real engine turns leave (two days between turns, so check-ins prompt)."""
    state, now = DialogState(), NOW - timedelta(days=120)
    for event in events:
        now += timedelta(days=2)
        state = handle(state, event, now).state
    return state


def templates() -> list[DialogState]:
    """States from real journeys at every stopping point, in both pathways."""
    found = []
    for intake, pathway in ((IT_INTAKE, "it"), (MFG_INTAKE, "manufacturing")):
        for _, events in journey(intake, pathway):
            found.append(play(events))
    return found


USER_SQL = """
INSERT INTO users (user_id, chat_id, state_json, state_version, phase, status, pending,
    pathway_id, entry_step, referral, cadence_days, milestones_total, milestones_done,
    started_on, plan_made_on, last_seen, created_at, updated_at, inactive, inactive_since)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
"""
MILESTONE_SQL = "INSERT INTO milestones VALUES (?, ?, ?, ?, ?, ?, ?)"
CHECKIN_SQL = (
    "INSERT INTO checkins (user_id, due_at, kind, milestone_id, status, created_at, done_at,"
    " answered_at, prompted) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?5 = 'done')"
)


def user_rows(
    uid: int, template: DialogState, json_text: str, rng: random.Random
) -> tuple[tuple[Any, ...], list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """One participant: the users row, milestone rows and check-in rows."""
    started = NOW.date() - timedelta(days=rng.randrange(1, 400))
    shift = started - (template.started_on or started)
    plan = None if template.plan_made_on is None else started + timedelta(rng.randrange(0, 30))
    milestones = []
    for i, m in enumerate(template.milestones):
        done = None
        if m.done:
            done = NOW.date() - timedelta(days=rng.randrange(0, 90))
        milestones.append((uid, i, m.id, m.title, m.step, (m.target + shift).isoformat(), done))
    last_seen = int((NOW - timedelta(minutes=rng.randrange(1, 200_000))).timestamp())
    inactive = rng.random() < 0.05
    referral = rng.choice(CODES)[0] if rng.random() < 0.4 else ""
    status = Status.PAUSED if template.status is Status.PAUSED else template.status
    user = (
        uid,
        uid,
        json_text,
        template.version,
        str(template.phase),
        str(status),
        template.pending,
        template.pathway_id,
        template.entry_step,
        referral,
        template.cadence_days,
        len(template.milestones),
        sum(1 for m in template.milestones if m.done),
        started.isoformat(),
        None if plan is None else plan.isoformat(),
        last_seen,
        last_seen,
        last_seen,
        int(inactive),
        last_seen if inactive else None,
    )
    checkins: list[tuple[Any, ...]] = []
    if template.phase is Phase.ENGAGED:
        for k in range(rng.randrange(0, 10)):
            at = last_seen - 86_400 * 7 * (k + 1)
            answered = at + 3600 if rng.random() < 0.6 else None
            kind = rng.choice(("checkin", "checkin", "reminder", "snooze"))
            checkins.append((uid, at, kind, "m1", "done", at, at, answered))
        if template.status is Status.ACTIVE and not inactive:
            due = int((NOW + timedelta(days=rng.randrange(1, 14))).timestamp())
            checkins.append((uid, due, "checkin", "m1", "pending", due, None, None))
    return user, milestones, checkins


def populate(path: Path, users: int) -> None:
    """Create the schema through the store, then write `users` participants with SQL."""

    async def schema() -> None:
        store = await Store.open(path)
        await store.close()

    asyncio.run(schema())
    rng = random.Random(9)
    shapes = [(t, t.to_json()) for t in templates()]
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.executemany(
        "INSERT INTO referral_codes VALUES (?, ?, 1, ?)",
        [(c, n, int(NOW.timestamp())) for c, n in CODES],
    )
    batch: tuple[list[Any], list[Any], list[Any]] = ([], [], [])
    for uid in range(1, users + 1):
        template, json_text = rng.choice(shapes)
        user, milestones, checkins = user_rows(10_000_000 + uid * 7, template, json_text, rng)
        batch[0].append(user)
        batch[1].extend(milestones)
        batch[2].extend(checkins)
        if uid % 10_000 == 0 or uid == users:
            conn.executemany(USER_SQL, batch[0])
            conn.executemany(MILESTONE_SQL, batch[1])
            conn.executemany(CHECKIN_SQL, batch[2])
            conn.commit()
            batch = ([], [], [])
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()


# ---- measuring (in a fresh process) ---------------------------------------------------------


def rss_kib(field: str = "VmRSS") -> int:
    """This process's resident memory (VmRSS) or its peak since the last reset (VmHWM)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def reset_peak() -> None:
    """Make VmHWM (peak resident memory) start again from the current VmRSS."""
    Path("/proc/self/clear_refs").write_text("5")


async def timed(label: str, fn: Callable[[], Awaitable[Any]], runs: int = 5) -> Any:
    """Run fn once cold and `runs` times warm; print wall and CPU time (all threads)."""
    walls, cpus, result = [], [], None
    for _ in range(runs + 1):
        wall, cpu = time.perf_counter(), time.process_time()
        result = await fn()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    warm = sorted(walls[1:])
    print(
        f"{label}: first {walls[0] * 1e3:.0f} ms, then best {warm[0] * 1e3:.0f} ms,"
        f" median {warm[len(warm) // 2] * 1e3:.0f} ms (CPU best {min(cpus[1:]) * 1e3:.0f} ms)"
    )
    return result


def machine() -> str:
    """How busy and how fast this machine is now, to read the figures against."""
    t0 = time.perf_counter()
    sum(range(10**6))
    load = Path("/proc/loadavg").read_text().split()[0]
    return f"load average {load}; sum(range(10**6)) takes {(time.perf_counter() - t0) * 1e3:.0f} ms"


async def memory(label: str, fn: Callable[[], Awaitable[Any]]) -> None:
    """Peak extra resident memory of one call, and tracemalloc's peak in another call."""
    before = rss_kib()
    reset_peak()
    result = await fn()
    peak_rss = rss_kib("VmHWM") - before
    del result
    tracemalloc.start()
    result = await fn()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del result
    print(
        f"{label}: peak extra memory {peak_rss / 1024:.1f} MB resident,"
        f" {peak / 2**20:.1f} MB Python objects (tracemalloc)"
    )


async def measure(path: Path, show: bool = False) -> None:
    """Time and memory of the figures and the export on the database at `path`."""
    kb = get_knowledge()
    store = await Store.open(path)
    try:
        count = await store.count_users()
        print(f"participants: {count:,}; {machine()}")

        async def baseline() -> Any:
            return await store.read("SELECT COUNT(*) FROM users")

        async def stats() -> str:
            return format_stats(await compute_stats(store, NOW, TZ), kb)

        async def export() -> bytes:
            return await export_csv(store, KEY, tz=TZ)

        await timed("baseline SELECT COUNT(*) FROM users", baseline)
        text = await timed("/stats (compute_stats + format_stats)", stats)
        data = await timed("/export (export_csv)", export, runs=3)
        await memory("/stats", stats)
        await memory("/export", export)
        print(f"/stats message: {len(text)} characters; export: {len(data) / 2**20:.1f} MB CSV")
        if show:
            print()
            print(text)
    finally:
        await store.close()


FIGURES_MIGRATION = (
    Path(__file__).parent.parent / "bot/storage/migrations/sqlite/0005_figures_index.sql"
)
"""Migration 0005: the users columns the figures read, apart from the state JSON beside them
in the table (so /stats and /export read ~10 MB, not ~300 MB, for 100,000 users), and the
check-ins that ran. The baseline run drops these indexes."""


def drop_indexes(path: Path) -> None:
    """The database as it was before migration 0005 (the baseline)."""
    conn = sqlite3.connect(path)
    conn.executescript("DROP INDEX users_figures; DROP INDEX checkins_prompts;")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()


def add_indexes(path: Path) -> float:
    """Create migration 0005's indexes again; the size they take, in MB."""
    conn = sqlite3.connect(path)
    migration = FIGURES_MIGRATION.read_text()
    conn.executescript(migration[migration.index("CREATE INDEX") :])  # the indexes only
    pages = conn.execute(
        "SELECT SUM(pgsize) FROM dbstat WHERE name IN ('users_figures', 'checkins_prompts')"
    ).fetchone()[0]
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return float(pages) / 2**20


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=100_000)
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        asyncio.run(measure(args.measure))
        return
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "stats.db"
        t0 = time.perf_counter()
        populate(path, args.users)
        size = path.stat().st_size / 2**20
        print(f"wrote {args.users:,} users in {time.perf_counter() - t0:.1f} s ({size:.0f} MB)")
        drop_indexes(path)
        print("\n== baseline: without migration 0005's indexes ==")
        subprocess.run([sys.executable, __file__, "--measure", str(path)], check=True)
        extra = add_indexes(path)
        print(f"\n== as the bot runs it, with migration 0005 (two indexes, {extra:.1f} MB) ==")
        subprocess.run([sys.executable, __file__, "--measure", str(path)], check=True)


if __name__ == "__main__":
    main()
