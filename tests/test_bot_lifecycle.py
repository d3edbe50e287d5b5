"""`python -m bot` as a child process: the webhook answers only after the commit (killed
right after a 200, nothing is lost), a repeated SIGTERM does not cut the clean stop short,
an unreachable Bot API at start-up is waited for, and a DEBUG log holds no personal data."""

from __future__ import annotations

import asyncio
import signal
import sqlite3
from pathlib import Path

from tests.bot_process import (
    SCRIPT,
    BotProcess,
    Conversation,
    Traffic,
    converse,
    delivery_report,
    integrity,
    webhook_kill_run,
)
from tests.fake_telegram import FakeTelegram, free_port
from tests.test_telegram_bot import tap_when, texts_until

WEBHOOK_KILLS = 6
LANES = 4


async def test_webhook_killed_right_after_each_200_loses_no_update(
    fake_telegram: FakeTelegram, tmp_path: Path
) -> None:
    fake, db = fake_telegram, tmp_path / "pathways.db"
    run = await webhook_kill_run(
        fake, tmp_path, free_port(), kills=WEBHOOK_KILLS, lanes=LANES, bursts=1, burst_size=20
    )
    assert run.kills == WEBHOOK_KILLS + 1 and run.acknowledged > 20 + WEBHOOK_KILLS
    assert run.lost == []
    report = delivery_report(fake, db, run.marks)
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


COUNSELORS = -1_009_876_543_210


async def test_a_debug_log_holds_no_names_usernames_ids_or_typed_text(
    fake_telegram: FakeTelegram, tmp_path: Path
) -> None:
    fake, db = fake_telegram, tmp_path / "pathways.db"
    fake.group("Counselors", id=COUNSELORS, supergroup=True)
    bot = BotProcess(fake, db, tmp_path / "bot.log", log_level="DEBUG")
    bot.env["COUNSELOR_CHAT_IDS"] = str(COUNSELORS)
    zed = fake.user(
        id=7_123_456_789, first_name="Quintessa", last_name="Vandersloot", username="qv_zz99"
    )
    cora = fake.user(first_name="Corabelle", username="cora_counsel")
    try:
        await bot.start()
        await bot.polling()
        await converse(fake, zed, Conversation(zed.id), SCRIPT[:3])
        await zed.send("my neighbour Marmaduke says hi")
        await fake.wait_for(lambda: len(fake.messages(zed.id)) >= 4)
        await zed.press(fake.messages(zed.id)[-1], fake.messages(zed.id)[-1].labels[0])
        await zed.command("/counselor")
        await tap_when(fake, zed, "Yes, share")
        await texts_until(fake, zed.id, "A person will reply here soon")
        await zed.send("please phone about the pelican farm")
        await fake.wait_for(
            lambda: any("pelican" in (m.text or "") for m in fake.messages(COUNSELORS))
        )
        await cora.command("/reply", "1", "ask for Ottoline at the desk", chat=COUNSELORS)
        await texts_until(fake, zed.id, "Ottoline")
        await zed.send_unreadable()
        await fake.wait_for(lambda: fake.pending_updates == 0, timeout=10)
        await fake.idle(quiet=0.5)
        assert await bot.terminate() == 0
    finally:
        await bot.close()
    said = (tmp_path / "bot.log").read_text()
    assert "getUpdates" in said and "DEBUG" in said  # it is the DEBUG log
    for secret in (
        *("Quintessa", "Vandersloot", "qv_zz99", "7123456789", "Corabelle", "cora_counsel"),
        *("Marmaduke", "neighbour", "pelican", "Ottoline"),
    ):
        assert secret.lower() not in said.lower(), secret
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM dead_letters").fetchone() == (1,)
