"""`python -m bot` as a child process: the webhook answers only after the commit (killed
right after a 200, nothing is lost), a repeated SIGTERM does not cut the clean stop short,
an unreachable Bot API at start-up is waited for, and a DEBUG log holds no personal data."""

from __future__ import annotations

import asyncio
import os
import random
import signal
import sqlite3
from pathlib import Path

from tests.bot_process import (
    SCRIPT,
    BotProcess,
    Conversation,
    Traffic,
    check_sound,
    converse,
    delivery_report,
    integrity,
    mark_kill,
    read_only,
    settle,
)
from tests.fake_telegram import FakeTelegram, free_port

WEBHOOK_KILLS = 6
LANES = 4


def processed(db: Path) -> set[int]:
    """The update ids committed in the database."""
    with read_only(db) as conn:
        return {int(r[0]) for r in conn.execute("SELECT update_id FROM processed_updates")}


async def test_webhook_killed_right_after_each_200_loses_no_update(
    fake_telegram: FakeTelegram, tmp_path: Path
) -> None:
    fake, db, rng = fake_telegram, tmp_path / "pathways.db", random.Random(17)
    bot = BotProcess(fake, db, tmp_path / "bot.log", webhook_port=free_port())
    traffic = Traffic(fake, LANES)
    marks: dict[int, list[int]] = {}
    armed: list[int] = []  # the update whose 200 the kill followed

    def kill_after_200(update_id: int) -> None:
        proc = bot.proc
        if armed == [0] and proc is not None and proc.returncode is None:
            os.kill(proc.pid, signal.SIGKILL)  # before anything else happens in the bot
            armed[0] = update_id

    fake.webhook_sender.on_acknowledged = kill_after_200
    try:
        await bot.start()
        await bot.polling()
        traffic.start()
        for n in range(WEBHOOK_KILLS):
            await asyncio.sleep(rng.uniform(0.05, 0.4))
            armed[:] = [0]
            await fake.wait_for(lambda: armed[0] != 0, timeout=30)
            assert bot.proc is not None
            await bot.proc.wait()
            mark_kill(fake, marks)
            acknowledged = set(fake.webhook_sender.acknowledged)
            assert armed[0] in processed(db), f"kill {n + 1}: update {armed[0]} lost"
            assert acknowledged <= processed(db), sorted(acknowledged - processed(db))
            check_sound(db, traffic, bot, f"after kill {n + 1}")
            await bot.start()
            await bot.polling()
        await settle(bot, traffic, db)
    finally:
        armed[:] = []
        await traffic.cancel()
        await bot.close()
    acknowledged = set(fake.webhook_sender.acknowledged)
    assert len(acknowledged) > 30 and acknowledged <= processed(db)
    report = delivery_report(fake, db, marks)
    assert report.lost == [] and report.unsent == 0 and report.unexplained == [], report
    assert integrity(db) == "ok"


async def test_a_second_sigterm_does_not_cut_the_clean_stop_short(
    fake_telegram: FakeTelegram, tmp_path: Path
) -> None:
    fake, db = fake_telegram, tmp_path / "pathways.db"
    bot = BotProcess(fake, db, tmp_path / "bot.log", log_level="INFO")
    traffic = Traffic(fake, LANES)
    try:
        await bot.start()
        await bot.polling()
        traffic.start()
        await asyncio.sleep(0.5)
        assert bot.proc is not None
        bot.proc.send_signal(signal.SIGTERM)
        await asyncio.sleep(0.02)
        bot.proc.send_signal(signal.SIGTERM)  # as systemd signalling all of `make run`
        assert await asyncio.wait_for(bot.proc.wait(), 30) == 0, bot.tail()
    finally:
        await traffic.cancel()
        await bot.close()
    said = (tmp_path / "bot.log").read_text()
    assert "never awaited" not in said and "Traceback" not in said, said[-3000:]
    assert "already stopping" in said
    report = delivery_report(fake, db)
    assert report.unsent == 0 and report.lost == [], report  # the outbox was flushed
    wal = db.with_name(db.name + "-wal")
    assert not wal.exists() or wal.stat().st_size == 0  # closed cleanly: WAL checkpointed


async def test_the_bot_api_unreachable_at_start_up_is_waited_for(
    fake_telegram: FakeTelegram, tmp_path: Path
) -> None:
    fake, db = fake_telegram, tmp_path / "pathways.db"
    await fake.stop()  # connections refused
    bot = BotProcess(fake, db, tmp_path / "bot.log", log_level="INFO")
    try:
        await bot.start()
        await asyncio.sleep(3.0)
        assert bot.proc is not None and bot.proc.returncode is None, bot.tail()  # still trying
        await fake.start()
        await bot.polling(timeout=60)
        ann = fake.user()
        await converse(fake, ann, Conversation(ann.id), SCRIPT[:2])
        assert await bot.terminate() == 0
    finally:
        await bot.close()
    assert "retrying" in (tmp_path / "bot.log").read_text()


async def test_a_debug_log_holds_no_names_usernames_ids_or_typed_text(
    fake_telegram: FakeTelegram, tmp_path: Path
) -> None:
    fake, db = fake_telegram, tmp_path / "pathways.db"
    bot = BotProcess(fake, db, tmp_path / "bot.log", log_level="DEBUG")
    zed = fake.user(
        id=7_123_456_789, first_name="Quintessa", last_name="Vandersloot", username="qv_zz99"
    )
    try:
        await bot.start()
        await bot.polling()
        await converse(fake, zed, Conversation(zed.id), SCRIPT[:3])
        await zed.send("my neighbour Marmaduke says hi")
        await fake.wait_for(lambda: len(fake.messages(zed.id)) >= 4)
        await zed.press(fake.messages(zed.id)[-1], fake.messages(zed.id)[-1].labels[0])
        await zed.send_unreadable()
        await fake.wait_for(lambda: fake.pending_updates == 0, timeout=10)
        await fake.idle(quiet=0.5)
        assert await bot.terminate() == 0
    finally:
        await bot.close()
    said = (tmp_path / "bot.log").read_text()
    assert "getUpdates" in said and "DEBUG" in said  # it is the DEBUG log
    for secret in ("Quintessa", "Vandersloot", "qv_zz99", "7123456789", "Marmaduke", "neighbour"):
        assert secret.lower() not in said.lower(), secret
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM dead_letters").fetchone() == (1,)
