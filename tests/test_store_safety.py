"""The database file's safety: /forget leaves no trace in the file, its WAL or free pages
(whatever the SQLite build's secure_delete default); damaged and empty files are refused at
start-up; one bot per database; updates given up on go to dead_letters."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.storage.lock import AlreadyRunning, DatabaseLock
from bot.storage.sqlite import DatabaseDamaged, Store
from bot.telegram.app import parts, start_for_tests, stop_for_tests
from tests.bot_process import SCRIPT, Conversation, bot_env, converse
from tests.fake_telegram import FakeTelegram
from tests.test_telegram_bot import settings_for, tap_when, texts_until

T0 = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
BIG_ID = 7_123_456_789
"""A Telegram id SQLite stores in 6 bytes: found in the raw file by its big-endian bytes."""
TYPED = "do quokkas ever work in zanzibar"
"""A free question the user types (kept in the answers history): words found nowhere else."""


@pytest.fixture
def secure_delete_off_by_default(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every new SQLite connection starts with secure_delete OFF, as in builds compiled
    without SQLITE_SECURE_DELETE (Debian's sets it ON, which hid the problem)."""
    real = sqlite3.connect

    def connect(*args: Any, **kwargs: Any) -> sqlite3.Connection:
        conn = real(*args, **kwargs)
        conn.execute("PRAGMA secure_delete = OFF")
        return conn

    monkeypatch.setattr(sqlite3, "connect", connect)
    yield


def traces(db: Path) -> dict[str, int]:
    """How often the person's id (as text and as SQLite's 6-byte integer) and their typed
    words occur in the database file and its WAL, byte for byte."""
    needles = {
        "id as text": str(BIG_ID).encode(),
        "id as integer": BIG_ID.to_bytes(6, "big"),
        "typed words": b"quokkas",
    }
    found = dict.fromkeys(needles, 0)
    for path in (db, db.with_name(db.name + "-wal")):
        data = path.read_bytes() if path.exists() else b""
        for name, needle in needles.items():
            found[name] += data.count(needle)
    return found


async def test_forget_leaves_no_trace_in_the_file_wal_or_free_pages(
    fake_telegram: FakeTelegram, tmp_path: Path, secure_delete_off_by_default: None
) -> None:
    fake, db = fake_telegram, tmp_path / "pathways.db"
    app = await start_for_tests(settings_for(fake, db))
    try:
        zed = fake.user(id=BIG_ID, first_name="Zed")
        await converse(fake, zed, Conversation(zed.id), SCRIPT[:4])
        await zed.send(TYPED)
        await texts_until(fake, zed.id, "Back to where we were")
        await parts(app).delivery.idle()
        assert all(traces(db).values()), traces(db)  # the scan finds what is there
        await zed.command("/forget")
        await tap_when(fake, zed, "Yes")
        await texts_until(fake, zed.id, "I deleted everything")
        await parts(app).delivery.idle()
        await fake.idle(quiet=0.3)
        assert traces(db) == dict.fromkeys(traces(db), 0)  # while running
    finally:
        await stop_for_tests(app)
    assert traces(db) == dict.fromkeys(traces(db), 0)  # and after a clean stop
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)


async def test_a_goodbye_that_cannot_leave_takes_the_chat_id_with_it(tmp_path: Path) -> None:
    from dialogs.state import DialogState as State
    from dialogs.state import ForgetUser, Reply, Turn

    store = await Store.open(tmp_path / "pathways.db")
    try:
        turn = Turn(State(version=1), (Reply("I deleted everything"),), (ForgetUser(),))
        rows = await store.commit_turn(
            user_id=BIG_ID, chat_id=BIG_ID, turn=turn, update_id=1, user_text="yes", now=T0
        )
        await store.drop_outbox(rows[0].id, "Forbidden: bot was blocked by the user", T0)
        left = await store.read("SELECT count(*) FROM outbox WHERE chat_id = ?", (BIG_ID,))
        assert left == [(0,)]
    finally:
        await store.close()


def damage_pages(db: Path) -> None:
    """Random bytes over four pages in the middle of the file, as a failing disk leaves."""
    size = db.stat().st_size
    with db.open("r+b") as f:
        for n in range(4):
            f.seek(size // 2 + n * 4096 - 2048)
            f.write(os.urandom(4096))


def zero_last_quarter(db: Path) -> None:
    size = db.stat().st_size
    with db.open("r+b") as f:
        f.seek(size - size // 4)
        f.write(b"\0" * (size // 4))


async def a_used_database(path: Path) -> None:
    """A database with a few hundred users' answers in it, checkpointed into the file."""
    from dialogs.state import DialogState, Reply, Turn

    store = await Store.open(path)
    try:
        for user in range(1, 301):
            turn = Turn(DialogState(version=1), (Reply("Hello " * 20),), ())
            await store.commit_turn(
                user_id=user, chat_id=user, turn=turn, update_id=user, user_text="x" * 50, now=T0
            )
    finally:
        await store.close()
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")


@pytest.mark.parametrize("damage", [damage_pages, zero_last_quarter])
async def test_a_damaged_database_is_refused_at_start_up(tmp_path: Path, damage: Any) -> None:
    db = tmp_path / "pathways.db"
    await a_used_database(db)
    damage(db)
    with pytest.raises(DatabaseDamaged, match="backup"):
        await Store.open(db)


async def test_an_empty_file_where_the_database_should_be_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "pathways.db"
    db.touch()
    with pytest.raises(DatabaseDamaged, match="empty"):
        await Store.open(db)
    assert db.stat().st_size == 0  # left as it was, for the operator to look at


async def test_python_m_bot_on_a_damaged_file_exits_with_how_to_restore(
    fake_telegram: FakeTelegram, tmp_path: Path
) -> None:
    db = tmp_path / "pathways.db"
    await a_used_database(db)
    zero_last_quarter(db)
    code, err = await run_bot(bot_env(fake_telegram, db), tmp_path)
    assert code == 2, err
    assert "damaged" in err and "backup" in err and "Traceback" not in err
    assert fake_telegram.stats.requests["getUpdates"] == 0  # never took an update


async def run_bot(env: dict[str, str], cwd: Path, timeout: float = 60) -> tuple[int, str]:
    """Run `python -m bot` to its end; its exit code and standard error."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        env=env,
        cwd=cwd,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    _, err = await asyncio.wait_for(proc.communicate(), timeout)
    assert proc.returncode is not None
    return proc.returncode, err.decode(errors="replace")


def test_a_second_lock_on_one_database_is_refused_and_freed_on_release(tmp_path: Path) -> None:
    db = tmp_path / "pathways.db"
    first = DatabaseLock.acquire(db)
    with pytest.raises(AlreadyRunning, match=f"process {os.getpid()}"):
        DatabaseLock.acquire(db)
    first.release()
    DatabaseLock.acquire(db).release()


async def test_a_second_bot_on_the_same_database_refuses_to_start(
    fake_telegram: FakeTelegram, tmp_path: Path
) -> None:
    from tests.bot_process import BotProcess

    db = tmp_path / "pathways.db"
    first = BotProcess(fake_telegram, db, tmp_path / "bot.log")
    try:
        await first.start()
        await first.polling()
        code, err = await run_bot(bot_env(fake_telegram, db), tmp_path)
        assert code == 2, err
        assert "already running" in err and "Traceback" not in err
        ann = fake_telegram.user()
        await converse(fake_telegram, ann, Conversation(ann.id), SCRIPT[:2])
        assert len(fake_telegram.messages(ann.id)) == 2  # the first bot alone answers
        assert await first.terminate() == 0
    finally:
        await first.close()


async def test_a_dead_letter_is_kept_once_and_marks_the_update_handled(tmp_path: Path) -> None:
    store = await Store.open(tmp_path / "pathways.db")
    try:
        assert await store.dead_letter(42, "unreadable", '{"update_id": 42}', 1, T0)
        assert not await store.dead_letter(42, "unreadable", '{"update_id": 42}', 2, T0)
        assert await store.is_processed(42)
        rows = await store.read("SELECT update_id, reason, failures FROM dead_letters")
        assert rows == [(42, "unreadable", 1)]
    finally:
        await store.close()
