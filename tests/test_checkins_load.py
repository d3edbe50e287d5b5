"""Check-ins by the thousand: within Telegram's flood limits, and exactly once across SIGKILLs.

Both run the bot side in its own process against the fake Bot API in this one: the flood test
the store, sweeper and sender as `tests.checkin_crowd` wires them (on a clock where
everything is due, the fake's time running faster), the crash test `python -m bot` itself.
"""

from __future__ import annotations

import asyncio
import random
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.scheduling.checkins import STALE_CLAIM
from bot.storage.sqlite import Store
from tests.bot_process import BotProcess, delivery_report, integrity, mark_kill, read_only
from tests.checkin_crowd import known_users, run_bot_side, seed
from tests.fake_telegram import FakeTelegram, FloodLimits

PROMPT = "How is it going"
FLOOD_USERS = 2000
SCALE = 3.0
"""The fake's flood limits (and the bot's pace) run three times faster: 90 messages a second."""
CRASH_USERS = 500
KILLS = 5
AIMED = 0.6
"""The share of kills aimed at a sweep in progress."""
FIRST_ID = 500_000_001


async def test_two_thousand_due_at_once_all_arrive_oldest_first_without_a_429(
    tmp_path: Path,
) -> None:
    db, ids = tmp_path / "pathways.db", list(range(FIRST_ID, FIRST_ID + FLOOD_USERS))
    store = await Store.open(db)
    await seed(store, ids)
    await store.close()
    async with FakeTelegram(flood_limits=FloodLimits(), time_scale=SCALE) as fake:
        known_users(fake, ids)
        figures = await run_bot_side(fake, db, SCALE)
        assert figures.turns == FLOOD_USERS and figures.sent == FLOOD_USERS
        assert fake.stats.sent_429 == 0
        got = {uid: [m.text or "" for m in fake.messages(uid)] for uid in ids}
        assert all(len(texts) == 1 and PROMPT in texts[0] for texts in got.values())
        sent = [int(c.params["chat_id"]) for c in fake.calls_to("sendMessage") if c.status == 200]
    place = {chat: n for n, chat in enumerate(sent)}
    oldest, newest = ids[: FLOOD_USERS // 4], ids[-FLOOD_USERS // 4 :]
    assert max(place[uid] for uid in oldest) < min(place[uid] for uid in newest)


def claimed(db: Path) -> int:
    """Check-ins claimed by a sweep and not yet committed as a turn."""
    with read_only(db) as conn:
        return int(
            conn.execute("SELECT COUNT(*) FROM checkins WHERE status = 'claimed'").fetchone()[0]
        )


def restart_later(db: Path) -> int:
    """Move claims back by STALE_CLAIM, as if the restart came that much later (the sweeper
    releases a dead run's claims once they are that old); how many there were."""
    with sqlite3.connect(db) as conn:
        moved = conn.execute(
            "UPDATE checkins SET claimed_at = claimed_at - ? WHERE status = 'claimed'",
            (int(STALE_CLAIM.total_seconds()) + 60,),
        ).rowcount
    return moved


async def kill_mid_sweep(bot: BotProcess, db: Path, rng: random.Random) -> None:
    """Mostly kill while a sweep has claims in flight (looked for in the file every 2 ms for
    up to 3 s); else at a random moment."""
    if rng.random() < AIMED:
        for _ in range(1500):
            if claimed(db):
                break
            await asyncio.sleep(0.002)
    else:
        await asyncio.sleep(rng.uniform(0.1, 2.0))
    await bot.kill()


def all_done(fake: FakeTelegram, db: Path, ids: list[int]) -> bool:
    """Every user has a message and nothing is due, claimed or unsent."""
    if not all(fake.messages(uid) for uid in ids):
        return False
    with read_only(db) as conn:
        live = conn.execute(
            "SELECT COUNT(*) FROM checkins WHERE status = 'claimed'"
            " OR (status = 'pending' AND kind = 'checkin')"
        ).fetchone()[0]
        unsent = conn.execute(
            "SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL AND dropped_at IS NULL"
        ).fetchone()[0]
    return bool(live == 0 and unsent == 0)


async def test_killed_mid_sweep_each_due_prompt_arrives_once_but_in_flight(
    fake_telegram: FakeTelegram, tmp_path: Path
) -> None:
    fake, db, rng = fake_telegram, tmp_path / "pathways.db", random.Random(7)
    ids = list(range(FIRST_ID, FIRST_ID + CRASH_USERS))
    now = datetime.now(UTC)
    store = await Store.open(db)
    await seed(store, ids, due=now - timedelta(days=7), now=now - timedelta(days=14))
    await store.close()
    known_users(fake, ids)
    bot, released = BotProcess(fake, db, tmp_path / "bot.log"), 0
    marks: dict[int, list[int]] = {}
    try:
        for _ in range(KILLS):
            await bot.start()
            await bot.polling()
            await kill_mid_sweep(bot, db, rng)
            await asyncio.sleep(0.05)  # the fake finishes a request the bot died sending
            mark_kill(fake, marks)
            assert integrity(db) == "ok"
            released += restart_later(db)
        await bot.start()
        await fake.wait_for(lambda: all_done(fake, db, ids), timeout=90)
        assert await bot.terminate() == 0, bot.tail()
    finally:
        await bot.close()
    report = delivery_report(fake, db, marks)
    assert report.lost == [] and report.unsent == 0 and report.unexplained == [], report
    prompts = {uid: [m.text or "" for m in fake.messages(uid)] for uid in ids}
    assert all(texts and all(PROMPT in t for t in texts) for texts in prompts.values())
    assert report.committed == CRASH_USERS  # one prompt committed per user: swept once
    assert sum(len(t) for t in prompts.values()) == CRASH_USERS + report.duplicates
    with read_only(db) as conn:
        kinds = conn.execute(
            "SELECT status, kind, COUNT(*) FROM checkins GROUP BY status, kind ORDER BY 1, 2"
        ).fetchall()
    assert kinds == [("done", "checkin", CRASH_USERS), ("pending", "reminder", CRASH_USERS)]
    assert released > 0  # some kill did land mid-sweep
