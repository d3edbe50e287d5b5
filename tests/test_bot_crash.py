"""Crash safety: the bot as a child process, killed (SIGKILL) or stopped (SIGTERM) mid-talk.

Several scripted users talk to `python -m bot` through the fake Bot API; the bot is killed at
random moments and started again on the same SQLite file. Each user waits for the reply to an
answer before giving the next, and never types anything twice, so an update lost at a kill
shows up as a user who never gets a reply.
"""

from __future__ import annotations

import asyncio
import random
import sys
from pathlib import Path

from tests.bot_process import (
    BotProcess,
    Traffic,
    bot_env,
    check_sound,
    crash_run,
    delivery_report,
    integrity,
    settle,
)
from tests.fake_telegram import FakeTelegram, new_token

KILLS = 20
TERMS = 4
LANES = 4


async def test_killed_at_random_twenty_times_nothing_lost_nothing_sent_twice_but_in_flight(
    fake_telegram: FakeTelegram, tmp_path: Path
) -> None:
    run = await crash_run(fake_telegram, tmp_path, kills=KILLS, lanes=LANES, seed=20)
    db = tmp_path / "pathways.db"
    report = delivery_report(fake_telegram, db, run.marks)
    assert run.kills == KILLS and len(run.conversations) > LANES and report.committed > 50
    assert report.unsent == 0 and report.lost == [], report
    assert report.unexplained == [], report  # a reply came twice only across a kill
    assert integrity(db) == "ok"


async def test_sigterm_loses_nothing_and_sends_nothing_twice(
    fake_telegram: FakeTelegram, tmp_path: Path
) -> None:
    fake, db, rng = fake_telegram, tmp_path / "pathways.db", random.Random(4)
    bot = BotProcess(fake, db, tmp_path / "bot.log", log_level="DEBUG")
    traffic = Traffic(fake, LANES)
    try:
        await bot.start()
        await bot.polling()
        traffic.start()
        for term in range(TERMS):
            await asyncio.sleep(rng.uniform(0.1, 0.6))
            assert await bot.terminate() == 0, bot.tail()
            check_sound(db, traffic, bot, f"after SIGTERM {term + 1}")
            report = delivery_report(fake, db)
            assert report.unsent == 0 and report.lost == [], report  # flushed before exit
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
    said = (tmp_path / "bot.log").read_text()
    assert "getUpdates" in said and fake.token not in said  # DEBUG logs, and no token in them


async def test_a_rejected_token_stops_the_bot_with_a_clear_message_and_without_the_token(
    fake_telegram: FakeTelegram, tmp_path: Path
) -> None:
    revoked = new_token(123456789)  # shaped like a token, unknown to the (fake) Bot API
    env = bot_env(fake_telegram, tmp_path / "pathways.db") | {"TELEGRAM_BOT_TOKEN": revoked}
    bot = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        env=env,
        cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(bot.communicate(), 60)
    assert bot.returncode == 2, err.decode()[-2000:]
    assert b"TELEGRAM_BOT_TOKEN" in err
    assert revoked.encode() not in out + err and revoked.split(":")[1].encode() not in out + err
