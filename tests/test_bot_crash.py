"""Crash safety: the bot as a child process, killed (SIGKILL) or stopped (SIGTERM) mid-talk.

Several scripted users talk to `python -m bot` through the fake Bot API; the bot is killed at
random moments and started again on the same SQLite file. Each user waits for the reply to an
answer before giving the next, and never types anything twice, so an update lost at a kill
shows up as a user who never gets a reply.
"""

from __future__ import annotations

import asyncio
import random
from pathlib import Path

from tests.bot_process import (
    BotProcess,
    Traffic,
    answer_problems,
    delivery_report,
    integrity,
    mark_kill,
    stored_answers,
)
from tests.fake_telegram import FakeTelegram

KILLS = 20
TERMS = 4
LANES = 4
STARTUP_KILLS = 0.2
"""Share of kills aimed at start-up (before the bot polls) rather than mid-conversation."""


def assert_sound(db: Path, traffic: Traffic, bot: BotProcess, when: str) -> None:
    """The file is intact and every answer a user got a reply to is stored, in order."""
    assert integrity(db) == "ok", when
    problems = answer_problems(db, traffic.conversations)
    assert not problems, f"{when}: {problems[:3]}\n{bot.tail()}"
    failed = traffic.failed()
    assert failed is None, f"{when}: a user got no reply: {failed!r}\n{bot.tail()}"


async def settle(bot: BotProcess, traffic: Traffic, db: Path) -> None:
    """Let the users finish their pending answers, then stop the bot with SIGTERM."""
    await traffic.finish()
    assert await bot.terminate() == 0, bot.tail()
    stored = stored_answers(db)
    for c in traffic.conversations:
        assert stored.get(c.user_id, []) == c.sent, f"user {c.user_id}\n{bot.tail()}"


async def test_killed_at_random_twenty_times_nothing_lost_nothing_sent_twice_but_in_flight(
    fake_telegram: FakeTelegram, tmp_path: Path
) -> None:
    fake, db, rng = fake_telegram, tmp_path / "pathways.db", random.Random(20)
    bot = BotProcess(fake, db, tmp_path / "bot.log")
    traffic = Traffic(fake, LANES)
    marks: dict[int, list[int]] = {}
    try:
        await bot.start()
        await bot.polling()
        traffic.start()
        for kill in range(KILLS):
            if rng.random() < STARTUP_KILLS and kill > 0:
                await asyncio.sleep(rng.uniform(0.0, 1.0))  # import, open, migrate, getMe ...
            else:
                await bot.polling()
                await asyncio.sleep(rng.uniform(0.05, 0.6))
            await bot.kill()
            await asyncio.sleep(0.05)  # let the fake finish a request the bot died sending
            mark_kill(fake, marks)
            assert_sound(db, traffic, bot, f"after kill {kill + 1}")
            await bot.start()
        await bot.polling()
        await settle(bot, traffic, db)
    finally:
        await traffic.cancel()
        await bot.close()
    report = delivery_report(fake, db, marks)
    assert report.committed > 50 and len(traffic.conversations) > LANES
    assert report.unsent == 0 and report.lost == [], report
    assert report.unexplained == [], report
    assert integrity(db) == "ok"


async def test_sigterm_loses_nothing_and_sends_nothing_twice(
    fake_telegram: FakeTelegram, tmp_path: Path
) -> None:
    fake, db, rng = fake_telegram, tmp_path / "pathways.db", random.Random(4)
    bot = BotProcess(fake, db, tmp_path / "bot.log")
    traffic = Traffic(fake, LANES)
    try:
        await bot.start()
        await bot.polling()
        traffic.start()
        for term in range(TERMS):
            await asyncio.sleep(rng.uniform(0.1, 0.6))
            assert await bot.terminate() == 0, bot.tail()
            assert_sound(db, traffic, bot, f"after SIGTERM {term + 1}")
            report = delivery_report(fake, db)
            assert report.unsent == 0 and report.lost == [], report
            await bot.start()
            await bot.polling()
        await settle(bot, traffic, db)
    finally:
        await traffic.cancel()
        await bot.close()
    report = delivery_report(fake, db)
    assert report.committed > 20 and report.unsent == 0 and report.lost == [], report
    assert report.duplicates == 0 and report.unexplained == [], report
    assert integrity(db) == "ok"
