"""Several `python -m bot` workers on one PostgreSQL database behind nginx, and what the
database shows afterwards (the PostgreSQL twins of `tests.bot_process`'s SQLite readers)."""

from __future__ import annotations

import json
from pathlib import Path

import asyncpg

from bot.storage.postgres import LOCK_CLASS, SENDER_LOCK
from dialogs.state import Reply
from tests.bot_process import WEBHOOK_SECRET, BotProcess, OutboxEntry, parts_of
from tests.fake_telegram import FakeTelegram


def worker(
    fake: FakeTelegram, url: str, folder: Path, n: int, port: int, webhook_url: str
) -> BotProcess:
    """Worker `n`: `python -m bot` on the PostgreSQL database `url`, its webhook served on
    127.0.0.1:`port` and registered with Telegram as the proxy's `webhook_url`."""
    bot = BotProcess(fake, folder / f"unused-{n}.db", folder / f"worker-{n}.log", webhook_port=port)
    bot.env.update(DATABASE_URL=url, WEBHOOK_URL=webhook_url, WEBHOOK_SECRET=WEBHOOK_SECRET)
    return bot


async def pg_outbox(url: str) -> list[OutboxEntry]:
    """Every outbox row not dropped, in commit order (the sender's numbering, then ids)."""
    conn = await asyncpg.connect(url)
    try:
        rows = await conn.fetch(
            "SELECT id, chat_id, payload_json, sent_at FROM outbox WHERE dropped_at IS NULL"
            " ORDER BY seq NULLS LAST, id"
        )
    finally:
        await conn.close()
    return [
        OutboxEntry(
            int(r["id"]),
            int(r["chat_id"]),
            r["sent_at"] is not None,
            parts_of(Reply.from_dict(json.loads(r["payload_json"]))),
        )
        for r in rows
    ]


async def pg_answers(url: str) -> dict[int, list[str]]:
    """Each user's stored answers, in the order they were committed."""
    conn = await asyncpg.connect(url)
    try:
        rows = await conn.fetch("SELECT user_id, text FROM answers ORDER BY id")
    finally:
        await conn.close()
    found: dict[int, list[str]] = {}
    for r in rows:
        found.setdefault(int(r["user_id"]), []).append(str(r["text"]))
    return found


async def sender_pid(url: str) -> int | None:
    """The process id of the worker holding the fleet's sender lease, if one does."""
    conn = await asyncpg.connect(url)
    try:
        name = await conn.fetchval(
            "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a USING (pid)"
            " WHERE l.locktype = 'advisory' AND l.granted AND l.classid = $1 AND l.objid = $2",
            LOCK_CLASS,
            SENDER_LOCK,
        )
    finally:
        await conn.close()
    return int(str(name).rsplit(" ", 1)[-1]) if name else None
