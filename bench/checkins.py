"""Check-ins by the 100,000: time to claim and enqueue them all, and the rate they leave at.

1. Claim and enqueue: 100,000 users on their plan, each with a check-in due. The sweeper
   (no outbox limit) claims them oldest first and runs each as an engine turn that commits
   the new state, the prompt and the next check-in. Baseline: claiming them alone.
   Goal: all in 2 s or less.
2. Delivery: the same crowd, the bot side in its own process (store, sweeper with its outbox
   limit, sender, the bot's rate limiter) against the fake Bot API with Telegram's flood
   limits on and time running `--scale` times faster. Messages a second against the limit,
   and 429s. Baseline: python-telegram-bot's default AIORateLimiter (bursts of 30).
   Goal: at least 95 % of the limit, zero 429s.

Run from the repository root: .venv/bin/python bench/checkins.py [--users 100000]
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import sqlite3
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.config import Settings
from bot.scheduling.checkins import BATCH, Sweeper, placer
from bot.service import Service
from bot.storage.sqlite import Store
from tests.checkin_crowd import (
    BURST,
    SWEPT_AT,
    TELEGRAM_PER_SECOND,
    Figures,
    clone,
    known_users,
    run_bot_side,
)
from tests.fake_telegram import FakeTelegram, FloodLimits

CLAIM_GOAL = 2.0
RATE_GOAL = 0.95
DEFAULT_BURST = 30
"""AIORateLimiter's default: Telegram's 30 a second, all 30 at once."""


async def claim_only(db: Path) -> tuple[int, float]:
    """Claim every due check-in in batches, nothing else: (claimed, seconds)."""
    store = await Store.open(db)
    began, claimed = time.perf_counter(), 0
    while rows := await store.claim_due_checkins(SWEPT_AT, BATCH):
        claimed += len(rows)
    seconds = time.perf_counter() - began
    await store.close()
    return claimed, seconds


async def claim_and_enqueue(db: Path) -> tuple[int, int, float]:
    """Sweep until nothing is due: (turns, prompts in the outbox, seconds)."""
    store = await Store.open(db)
    settings = Settings(database_path=db)
    service = Service(store, clock=lambda: SWEPT_AT, place=placer(settings))
    sweeper = Sweeper(store, service, settings, clock=lambda: SWEPT_AT, backlog=None)
    began = time.perf_counter()
    while await sweeper.sweep_once():
        pass
    seconds = time.perf_counter() - began
    queued = (await store.read("SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL"))[0][0]
    await store.close()
    return sweeper.sent, int(queued), seconds


async def delivery(db: Path, users: int, scale: float, messages: int, burst: int) -> Figures:
    """Send `messages` check-ins to the crowd through the fake with its flood limits on."""
    async with FakeTelegram(flood_limits=FloodLimits(), time_scale=scale) as fake:
        known_users(fake, range(1, users + 1))
        figures = await run_bot_side(fake, db, scale, stop_after=messages, burst=burst)
        return Figures(fake.stats.sent_429, figures.sent, figures.seconds, figures.samples)


def copy(seeded: Path, to: Path) -> Path:
    """A fresh copy of the seeded database."""
    shutil.copyfile(seeded, to)
    return to


def report_claims(
    users: int, claimed: int, claim_s: float, turns: int, queued: int, s: float
) -> None:
    """Print part 1."""
    print(f"1. claim and enqueue {users:,} due check-ins (one process, no outbox limit)")
    print(f"   baseline, claim alone: {claimed:,} in {claim_s:.2f} s ({claimed / claim_s:,.0f}/s)")
    print(f"   claim + engine turn + commit: {turns:,} turns, {queued:,} prompts queued")
    verdict = "met" if s <= CLAIM_GOAL else "NOT MET"
    print(f"   {s:.1f} s ({turns / s:,.0f} check-ins/s); goal <= {CLAIM_GOAL:.0f} s: {verdict}")


def report_rate(label: str, limit: float, figures: Figures) -> None:
    """Print one line of part 2 (`figures.turns` holds the 429 count)."""
    rate = figures.rate()
    share = rate / limit
    verdict = "met" if share >= RATE_GOAL and figures.turns == 0 else "NOT MET"
    print(
        f"   {label}: {figures.sent:,} sent in {figures.seconds:.1f} s, {rate:.1f}/s ="
        f" {share:.1%} of the limit, {figures.turns} x 429 ({verdict})"
    )


async def main() -> int:
    """Seed, measure, print."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--users", type=int, default=100_000)
    parser.add_argument("--scale", type=float, default=2.0, help="fake time runs this much faster")
    parser.add_argument("--messages", type=int, default=2000, help="sent per delivery run")
    args = parser.parse_args()
    print(f"bench/checkins.py  {datetime.now(UTC):%Y-%m-%d}  sqlite {sqlite3.sqlite_version}")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        began = time.perf_counter()
        seeded = work / "seeded.db"
        await clone(seeded, list(range(1, args.users + 1)))
        size = seeded.stat().st_size / 1e6
        print(f"seeded {args.users:,} users in {time.perf_counter() - began:.1f} s ({size:.0f} MB)")
        claimed, claim_s = await claim_only(copy(seeded, work / "claim.db"))
        turns, queued, seconds = await claim_and_enqueue(copy(seeded, work / "sweep.db"))
        report_claims(args.users, claimed, claim_s, turns, queued, seconds)
        limit = TELEGRAM_PER_SECOND * args.scale
        print(
            f"2. delivery: {args.messages:,} messages to the {args.users:,}, flood limits on,"
            f" time x{args.scale:g}: limit {limit:.0f}/s"
        )
        for label, burst in (("bursts of 5 (the sender)", BURST), ("baseline, bursts of 30", 30)):
            db = copy(seeded, work / f"send{burst}.db")
            figures = await delivery(db, args.users, args.scale, args.messages, burst)
            report_rate(label, limit, figures)
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
