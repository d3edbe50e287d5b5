"""BASELINE, FROZEN: the SQLite store as it was before aiosqlite (bot/storage/sqlite.py of
2026-12-01, commit 2b765ac), kept only so that bench/store.py can measure today's store against
it in the same run. The bot never imports this file; do not fix or improve it.

SQLite storage: one connection owned by one writer thread, group commit, migrations.

Every public call of `Store` becomes ONE synchronous function run on the writer thread (the
only user of the connection): one thread hop per call, not one per statement. The writer runs
the calls waiting in its queue together in one transaction (group commit), each call inside
its own SAVEPOINT: a call that fails is rolled back alone, and no caller hears "done" before
the COMMIT that makes its writes durable. Under load, many turns share one commit; alone, a
turn is its own transaction. A cancelled caller never leaves a transaction half-open.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import queue
import re
import secrets
import sqlite3
import threading
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from contextlib import asynccontextmanager, contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

from bot.agency import notices
from bot.storage import base
from bot.storage.base import (
    CheckinRow,
    DatabaseDamaged,
    Handoff,
    Migration,
    OutboxRow,
    Params,
    Row,
    StaleStateError,
    StoreError,
    TurnSession,
    from_epoch,
    load_migrations,
    to_epoch,
)
from dialogs.state import (
    CancelCheckins,
    CloseHandoff,
    DialogState,
    Effect,
    ForgetUser,
    Milestone,
    RelayToCounselor,
    Reply,
    RequestHandoff,
    ScheduleCheckin,
    Turn,
)

PROCESSED_KEEP_SECONDS = 24 * 3600
"""Telegram keeps an unconfirmed update for 24 hours; older update ids cannot come back."""
PRUNE_EVERY_SECONDS = 3600
MAX_ERROR_CHARS = 1000
BUSY_TIMEOUT_MS = 5000
CACHE_KIB = 32_000
"""SQLite page cache of the writer (32 MB): keeps hot index pages of 100,000 users in memory."""
CHECKPOINT_EVERY_SECONDS = 0.25
WRITER_CHECKPOINT_PAGES = 20_000
MAX_GROUP = 256
"""At most this many calls share one commit (bounds the wait of the first of them)."""
"""The writer's own (blocking) checkpoint only when the WAL reaches 80 MB, i.e. rarely."""
USER_TABLES = {
    "answers": "id",
    "milestones": "position",
    "checkins": "id",
    "handoffs": "id",
    "outbox": "id",
}
"""Tables with a user_id column besides users, and their order (for /forget and /mydata)."""

log = logging.getLogger(__name__)
T = TypeVar("T")


def split_statements(sql: str) -> list[str]:
    """SQL script -> complete statements (semicolons inside strings and triggers respected)."""
    statements, buffer = [], ""
    for piece in sql.split(";"):
        buffer += piece + ";"
        if sqlite3.complete_statement(buffer):
            statements.append(buffer.strip())
            buffer = ""
    rest = buffer[:-1].strip()
    if rest and not all(
        line.strip().startswith("--") for line in rest.splitlines() if line.strip()
    ):
        raise StoreError(f"incomplete SQL statement at the end of a migration: {rest[:80]!r}")
    return [s for s in statements if s.strip(";").strip() and not _only_comments(s)]


def _only_comments(statement: str) -> bool:
    lines = [line.strip() for line in statement.splitlines()]
    return all(not line or line.startswith("--") or line == ";" for line in lines)


# ---- time -----------------------------------------------------------------------------------


def _maybe_time(seconds: int | None) -> datetime | None:
    return None if seconds is None else from_epoch(seconds)


def _utc_epoch(moment: datetime) -> int:
    """Engine-made times are UTC by contract (ScheduleCheckin.due); a naive one is read as UTC."""
    return to_epoch(moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC))


# ---- SQL ------------------------------------------------------------------------------------

OUTBOX_COLUMNS = (
    "id, user_id, chat_id, payload_json, dedup_key, created_at, sent_at, "
    "telegram_message_id, attempts, last_error"
)
CHECKIN_COLUMNS = (
    "c.id, c.user_id, u.chat_id, c.due_at, c.kind, c.milestone_id, c.attempt, c.status, "
    "c.claimed_at, c.claims"
)
UPSERT_USER = """
INSERT INTO users (user_id, chat_id, state_json, state_version, phase, status, pending,
    pathway_id, entry_step, referral, cadence_days, milestones_total, milestones_done,
    started_on, plan_made_on, last_seen, milestones_sig, created_at, updated_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (user_id) DO UPDATE SET
    chat_id = excluded.chat_id, state_json = excluded.state_json,
    state_version = excluded.state_version, phase = excluded.phase, status = excluded.status,
    pending = excluded.pending, pathway_id = excluded.pathway_id,
    entry_step = excluded.entry_step, referral = excluded.referral,
    cadence_days = excluded.cadence_days, milestones_total = excluded.milestones_total,
    milestones_done = excluded.milestones_done, started_on = excluded.started_on,
    plan_made_on = excluded.plan_made_on, last_seen = excluded.last_seen,
    milestones_sig = excluded.milestones_sig, updated_at = excluded.updated_at,
    inactive = CASE WHEN ? THEN 0 ELSE inactive END,
    inactive_since = CASE WHEN ? THEN NULL ELSE inactive_since END
"""
TURN_CHECKS = """
SELECT (SELECT 1 FROM processed_updates WHERE update_id = ?),
       (SELECT status FROM checkins WHERE id = ? AND user_id = ?),
       state_version, pending, milestones_sig
FROM (SELECT 1) LEFT JOIN users ON user_id = ?
"""
INSERT_OUTBOX = (
    "INSERT INTO outbox"
    " (user_id, chat_id, payload_json, dedup_key, created_at, ephemeral, handoff_id)"
    " VALUES (?, ?, ?, ?, ?, ?, ?)"
)
HANDOFF_COLUMNS = "h.id, h.user_id, u.chat_id, h.status"
CANCEL_LIVE_CHECKINS = (
    "UPDATE checkins SET status = 'cancelled'"
    " WHERE user_id = ? AND status IN ('pending', 'claimed')"
)
RESCHEDULE_PENDING = (
    "UPDATE checkins SET due_at = ?, kind = ?, milestone_id = ?, attempt = ?, created_at = ?,"
    " claims = 0 WHERE user_id = ? AND status = 'pending'"
)
INSERT_CHECKIN = (
    "INSERT INTO checkins (user_id, due_at, kind, milestone_id, attempt, created_at)"
    " VALUES (?, ?, ?, ?, ?, ?)"
)
INSERT_MILESTONE = (
    "INSERT INTO milestones (user_id, position, milestone_id, title, step, target, done_on)"
    " VALUES (?, ?, ?, ?, ?, ?, ?)"
)


# ---- the async face -------------------------------------------------------------------------


class Store:
    """The bot's storage: a few async operations, each atomic, run by the writer thread."""

    dialect = "sqlite"

    def __init__(self, db: _Database, writer: _DbThread, reader: _Reader | None) -> None:
        self._db = db
        self._writer = writer
        self._reader = reader
        self._closed = False

    @classmethod
    async def open(
        cls, path: Path | str, *, migrations: Sequence[Migration] | None = None
    ) -> Store:
        """Open (or create) the database and bring its schema up to date."""
        steps = load_migrations() if migrations is None else tuple(migrations)
        check_not_empty(path)
        writer = _DbThread("pathways-db-writer")
        try:
            db = await writer.call(partial(_Database.open, str(path), steps), grouped=False)
        except BaseException:
            await asyncio.to_thread(writer.stop)
            raise
        writer.conn = db.conn  # published to the writer thread by the queue's next put/get
        writer.after_commit = db.after_commit
        reader = None if str(path) == ":memory:" else await _Reader.start(Path(path))
        return cls(db, writer, reader)

    async def close(self) -> None:
        """Finish the calls already queued, then close the connection (twice is harmless)."""
        if self._closed:
            return
        self._closed = True
        if self._reader is not None:
            await self._reader.stop()
        await self._writer.call(self._db.close, grouped=False)
        await asyncio.to_thread(self._writer.stop)

    async def _run(self, fn: Callable[..., T], *args: Any) -> T:
        """Run one synchronous database function on the writer thread, atomically."""
        if self._closed:
            raise StoreError("the store is closed")
        return await self._writer.call(partial(fn, *args))

    # ---- reads --------------------------------------------------------------------------

    async def schema_version(self) -> int:
        """The highest migration applied."""
        return await self._run(self._db.schema_version)

    async def load_state(self, user_id: int) -> DialogState | None:
        """The user's saved dialog state, or None for someone new (or forgotten)."""
        text = await self._run(self._db.state_json, user_id)
        return None if text is None else DialogState.from_json(text)

    async def is_processed(self, update_id: int) -> bool:
        """True when this Telegram update was already committed."""
        return await self._run(self._db.is_processed, update_id)

    @asynccontextmanager
    async def user_turn(self, user_id: int) -> AsyncIterator[TurnSession]:
        """One process owns the file, and `Service` holds the user's lock: nothing to take."""
        yield self

    async def is_inactive(self, user_id: int) -> bool:
        """Whether the user is flagged inactive (a 403: they had blocked the bot)."""
        rows = await self.read("SELECT inactive FROM users WHERE user_id = ?", (user_id,))
        return bool(rows and rows[0][0])

    async def user_ids(self) -> list[int]:
        """Every stored user id, ascending."""
        rows = await self.read("SELECT user_id FROM users ORDER BY user_id")
        return [int(r[0]) for r in rows]

    async def count_users(self, *, include_inactive: bool = True) -> int:
        """How many users are stored (optionally only those who have not blocked the bot)."""
        where = "" if include_inactive else " WHERE inactive = 0"
        rows = await self.read("SELECT COUNT(*) FROM users" + where)
        return int(rows[0][0])

    async def chat_id(self, user_id: int) -> int | None:
        """The private chat of a stored user."""
        rows = await self.read("SELECT chat_id FROM users WHERE user_id = ?", (user_id,))
        return int(rows[0][0]) if rows else None

    async def read(self, sql: str, params: Params = ()) -> list[Row]:
        """Rows of a read-only query (SELECT or WITH), for figures and export.

        Runs on a separate read-only connection, so a long report never holds up a turn;
        it sees every write committed before it started.
        """
        if not sql.lstrip().upper().startswith(("SELECT", "WITH")):
            raise StoreError("read() runs SELECT queries only")
        return await self._report(_all_rows, sql, params)

    async def _report(self, fn: Callable[..., T], *args: Any) -> T:
        """Run a read-only function on the reader connection (the writer's for :memory:)."""
        if self._closed:
            raise StoreError("the store is closed")
        if self._reader is None:
            return await self._writer.call(partial(fn, self._db.conn, *args))
        return await self._reader.call(fn, *args)

    async def pending_outbox(self, limit: int = 1000, after: int = 0) -> list[OutboxRow]:
        """Unsent messages, oldest first (so each chat's messages come in commit order);
        only those with an id above `after` (a sender's cursor: it reads each row once)."""
        return await self._run(self._db.pending_outbox, limit, after)

    async def pending_checkins(self, user_id: int) -> list[CheckinRow]:
        """The user's live (pending or claimed) check-ins."""
        return await self._run(self._db.live_checkins, user_id)

    async def export_user(self, user_id: int) -> dict[str, Any]:
        """Everything stored about one user, JSON-ready (for /mydata)."""
        return await self._report(_export_user, user_id)

    async def integrity_check(self) -> str:
        """SQLite's PRAGMA integrity_check result ('ok' when the file is sound)."""
        rows = await self._report(_all_rows, "PRAGMA integrity_check", ())
        return "\n".join(str(r[0]) for r in rows)

    # ---- the turn -----------------------------------------------------------------------

    async def commit_turn(
        self,
        *,
        user_id: int,
        chat_id: int,
        turn: Turn,
        update_id: int | None,
        user_text: str | None,
        now: datetime,
        checkin_id: int | None = None,
        counselor_chats: Sequence[int] = (),
    ) -> list[OutboxRow]:
        """Save a turn in ONE transaction: state, history, outbox, effects, update id, check-in.

        Handoff effects queue their messages to `counselor_chats` in the same transaction.

        Returns the outbox rows inserted; [] when the update was already processed or the
        check-in is no longer claimed (then nothing is written).
        """
        job = _TurnJob(
            user_id,
            chat_id,
            turn,
            update_id,
            user_text,
            to_epoch(now),
            checkin_id,
            state_json=turn.state.to_json(),  # encoded here, off the writer's critical path
            payloads=tuple(json.dumps(r.to_dict(), ensure_ascii=False) for r in turn.replies),
            milestones_sig=_signature(turn.state.milestones),
            counselor_chats=tuple(counselor_chats),
        )
        return await self._run(self._db.commit_turn, job)

    # ---- outbox -------------------------------------------------------------------------

    async def enqueue(
        self,
        chat_id: int,
        reply: Reply,
        *,
        now: datetime,
        user_id: int | None = None,
        dedup_key: str | None = None,
    ) -> OutboxRow | None:
        """Queue one message outside a turn (e.g. to a counselor chat); None if the key exists."""
        key = dedup_key or f"msg:{uuid.uuid4().hex}"
        return await self._run(self._db.enqueue, user_id, chat_id, reply, key, to_epoch(now))

    async def mark_sent(
        self, outbox_id: int, telegram_message_id: int | None, now: datetime
    ) -> None:
        """Record that a message was delivered (a /forget goodbye is deleted instead)."""
        await self._run(
            self._db.settle_outbox,
            outbox_id,
            (
                "UPDATE outbox SET sent_at = ?, telegram_message_id = ? WHERE id = ?",
                (to_epoch(now), telegram_message_id, outbox_id),
            ),
        )

    async def mark_failed(self, outbox_id: int, error: str) -> None:
        """Count a failed send attempt (the row stays pending for a retry)."""
        await self._run(
            self._db.write,
            (
                "UPDATE outbox SET attempts = attempts + 1, last_error = ? WHERE id = ?",
                (error[:MAX_ERROR_CHARS], outbox_id),
            ),
        )

    async def drop_outbox(self, outbox_id: int, error: str, now: datetime) -> None:
        """Give up on a message for good (a permanent error): it is never offered again (a
        /forget goodbye that cannot leave, e.g. the user blocked the bot, is deleted)."""
        await self._run(
            self._db.settle_outbox,
            outbox_id,
            (
                "UPDATE outbox SET attempts = attempts + 1, last_error = ?, dropped_at = ?"
                " WHERE id = ? AND sent_at IS NULL",
                (error[:MAX_ERROR_CHARS], to_epoch(now), outbox_id),
            ),
        )

    async def mark_inactive(self, user_id: int, now: datetime) -> None:
        """The user blocked the bot: flag them, cancel their check-ins, drop unsent messages."""
        at = to_epoch(now)
        await self._run(
            self._db.write,
            (
                "UPDATE users SET inactive = 1, inactive_since = COALESCE(inactive_since, ?)"
                " WHERE user_id = ?",
                (at, user_id),
            ),
            (CANCEL_LIVE_CHECKINS, (user_id,)),
            (
                "UPDATE outbox SET dropped_at = ?, last_error = COALESCE(last_error, 'inactive')"
                " WHERE user_id = ? AND sent_at IS NULL AND dropped_at IS NULL",
                (at, user_id),
            ),
        )

    # ---- check-ins ----------------------------------------------------------------------

    async def claim_due_checkins(self, now: datetime, limit: int) -> list[CheckinRow]:
        """Claim up to `limit` pending check-ins due by `now`, oldest first, atomically."""
        return await self._run(self._db.claim_due_checkins, to_epoch(now), limit)

    async def release_claim(self, checkin_id: int) -> None:
        """Put a claimed check-in back to pending (its turn failed; a later sweep retries)."""
        await self._run(
            self._db.write,
            (
                "UPDATE checkins SET status = 'pending', claimed_at = NULL"
                " WHERE id = ? AND status = 'claimed'",
                (checkin_id,),
            ),
        )

    async def release_stale_claims(self, older_than: datetime) -> int:
        """Claims made before `older_than` (their sweeper crashed) go back to pending."""
        return await self._run(
            self._db.write,
            (
                "UPDATE checkins SET status = 'pending', claimed_at = NULL"
                " WHERE status = 'claimed' AND claimed_at < ?",
                (to_epoch(older_than),),
            ),
        )

    # ---- handoffs -----------------------------------------------------------------------

    async def handoff(self, case: int) -> Handoff | None:
        """The handoff with this number (None if there is none, e.g. the user was forgotten)."""
        return _first_handoff(
            await self.read(
                f"SELECT {HANDOFF_COLUMNS} FROM handoffs h JOIN users u USING (user_id)"
                " WHERE h.id = ?",
                (case,),
            )
        )

    async def handoff_for_message(self, chat_id: int, message_id: int) -> Handoff | None:
        """The handoff a message in a counselor chat was about (to answer by replying to it)."""
        return _first_handoff(
            await self.read(
                f"SELECT {HANDOFF_COLUMNS} FROM outbox o JOIN handoffs h ON h.id = o.handoff_id"
                " JOIN users u ON u.user_id = h.user_id"
                " WHERE o.chat_id = ? AND o.telegram_message_id = ?",
                (chat_id, message_id),
            )
        )

    async def open_handoffs(self) -> list[Handoff]:
        """Every open handoff, oldest first."""
        rows = await self.read(
            f"SELECT {HANDOFF_COLUMNS} FROM handoffs h JOIN users u USING (user_id)"
            " WHERE h.status = 'open' ORDER BY h.id"
        )
        return [_handoff_row(r) for r in rows]

    # ---- referral codes and housekeeping ------------------------------------------------

    async def secret_key(self, name: str) -> bytes:
        """A random 32-byte key kept in the database under `name` (made on first use)."""
        made = secrets.token_hex(32)

        def get_or_make() -> str:
            self._db.conn.execute(
                "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING",
                (f"key:{name}", made),
            )
            row = self._db.one("SELECT value FROM meta WHERE key = ?", (f"key:{name}",))
            assert row is not None
            return str(row[0])

        return bytes.fromhex(await self._run(get_or_make))

    async def add_referral_code(
        self, code: str, name: str, *, created_by: int | None, now: datetime
    ) -> bool:
        """Create a referral code; False when the code is already taken."""
        changed = await self._run(
            self._db.write,
            (
                "INSERT INTO referral_codes (code, name, created_by, created_at)"
                " VALUES (?, ?, ?, ?) ON CONFLICT (code) DO NOTHING",
                (code, name, created_by, to_epoch(now)),
            ),
        )
        return changed == 1

    async def referral_name(self, code: str) -> str | None:
        """The name behind a referral code, or None for an unknown code."""
        rows = await self.read("SELECT name FROM referral_codes WHERE code = ?", (code,))
        return str(rows[0][0]) if rows else None

    async def dead_letter(
        self, update_id: int, reason: str, raw_json: str, failures: int, now: datetime
    ) -> bool:
        """Give up on an update: keep its (redacted) JSON in dead_letters and mark it handled,
        so it is confirmed to Telegram and never run again. False if it was already there."""
        at = to_epoch(now)
        return bool(
            await self._run(
                self._db.write,
                (
                    "INSERT INTO processed_updates (update_id, at) VALUES (?, ?)"
                    " ON CONFLICT (update_id) DO NOTHING",
                    (update_id, at),
                ),
                (
                    "INSERT INTO dead_letters (update_id, reason, failures, raw_json, created_at)"
                    " VALUES (?, ?, ?, ?, ?) ON CONFLICT (update_id) DO NOTHING",
                    (update_id, reason[:MAX_ERROR_CHARS], failures, raw_json, at),
                ),
            )
        )

    async def silent_users(
        self, silent_since: datetime, told_before: datetime, limit: int = 500
    ) -> tuple[list[tuple[int, int]], list[int]]:
        """For retention: (user, chat) of those silent since `silent_since` and not told yet,
        and the users told before `told_before` who have not written since."""
        return await base.silent_users(self, silent_since, told_before, limit)

    async def retention_notice(
        self, user_id: int, chat_id: int, reply: Reply, now: datetime
    ) -> None:
        """Note that the user was told their data will go, and queue the notice, together."""
        at = to_epoch(now)

        def tell() -> None:
            self._db.conn.execute(
                "UPDATE users SET retention_notice_at = ? WHERE user_id = ?", (at, user_id)
            )
            payload = json.dumps(reply.to_dict(), ensure_ascii=False)
            key = f"retention:{user_id}:{now.date().isoformat()}"
            self._db.insert_outbox(user_id, chat_id, (payload,), (key,), at)

        await self._run(tell)

    async def delete_user(self, user_id: int) -> None:
        """Delete everything about a user (retention; /forget goes through a turn)."""
        await self._run(self._db.delete_user, user_id)

    async def prune(self, now: datetime) -> int:
        """Forget processed update ids older than a day; returns how many went."""
        return await self._run(self._db.prune, to_epoch(now))


@dataclass(frozen=True, slots=True)
class _TurnJob:
    """commit_turn's arguments, with the time as epoch seconds."""

    user_id: int
    chat_id: int
    turn: Turn
    update_id: int | None
    user_text: str | None
    at: int
    checkin_id: int | None
    state_json: str
    payloads: tuple[str, ...]
    """The replies as JSON, in order."""
    milestones_sig: str
    counselor_chats: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class _Prior:
    """What a turn needs to know of the stored user row (all None for a new user)."""

    version: int | None
    pending: str | None
    milestones_sig: str | None


# ---- the writer thread ------------------------------------------------------------------------


@dataclass(slots=True)
class _Call:
    """One call waiting for the writer, and where its outcome goes."""

    fn: Callable[[], Any]
    future: asyncio.Future[Any]
    loop: asyncio.AbstractEventLoop
    grouped: bool


class _DbThread:
    """The one thread that uses the connection: runs calls in arrival order, grouped."""

    def __init__(self, name: str, idle: tuple[float, Callable[[], None]] | None = None) -> None:
        self._idle = idle
        """(seconds, fn): run fn whenever that long passes without a call."""
        self._queue: queue.SimpleQueue[_Call | None] = queue.SimpleQueue()
        self.conn: sqlite3.Connection | None = None
        """Set once the database is open; grouped calls need it."""
        self.after_commit: Callable[[], None] | None = None
        """Run on the writer thread after each group's COMMIT (outside any transaction)."""
        self._thread = threading.Thread(target=self._run, name=name)
        self._thread.daemon = True
        self._thread.start()

    async def call(self, fn: Callable[[], T], *, grouped: bool = True) -> T:
        """Run `fn` on the writer thread; grouped calls share a transaction, each atomic."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        self._queue.put(_Call(fn, future, loop, grouped))
        return await future

    def stop(self) -> None:
        """Finish the queued calls and end the thread (blocking: call it from a thread)."""
        self._queue.put(None)
        self._thread.join()

    def _run(self) -> None:
        carry: list[_Call | None] = []  # what ended the last group: an ungrouped call, or stop
        while True:
            call = carry.pop() if carry else self._next()
            if call is None:
                return
            if not call.grouped:
                self._solo(call)
                continue
            group = [call]
            while len(group) < MAX_GROUP and not carry:
                try:
                    nxt = self._queue.get_nowait()
                except queue.Empty:
                    break
                if nxt is not None and nxt.grouped:
                    group.append(nxt)
                else:
                    carry.append(nxt)
            self._group(group)

    def _next(self) -> _Call | None:
        """The next call (None: stop), running the idle hook while waiting for it."""
        if self._idle is None:
            return self._queue.get()
        seconds, hook = self._idle
        while True:
            with suppress(queue.Empty):
                return self._queue.get(timeout=seconds)
            hook()

    def _solo(self, call: _Call) -> None:
        """An ungrouped call (open, close): runs outside any transaction of ours."""
        try:
            result = call.fn()
        except BaseException as exc:  # handed to the caller
            _settle(call, exc, failed=True)
            return
        _settle(call, result, failed=False)

    def _group(self, group: list[_Call]) -> None:
        """Run calls in one transaction, each in a savepoint; settle them after COMMIT."""
        conn = self.conn
        if conn is None:
            for call in group:
                _settle(call, StoreError("the database is not open"), failed=True)
            return
        try:
            conn.execute("BEGIN IMMEDIATE")
            outcomes = [_in_savepoint(conn, call.fn) for call in group]
            conn.execute("COMMIT")
        except BaseException as exc:  # nothing of the group was saved: every caller hears so
            if conn.in_transaction:
                with suppress(sqlite3.Error):
                    conn.execute("ROLLBACK")
            outcomes = [(exc, True)] * len(group)
        else:
            if self.after_commit is not None:
                try:
                    self.after_commit()
                except sqlite3.Error:
                    log.warning("after-commit housekeeping failed; retried later", exc_info=True)
        for call, (value, failed) in zip(group, outcomes, strict=True):
            _settle(call, value, failed=failed)


def _in_savepoint(conn: sqlite3.Connection, fn: Callable[[], Any]) -> tuple[Any, bool]:
    """(result, False), or (exception, True) with the call's writes undone."""
    conn.execute("SAVEPOINT call")
    try:
        result = fn()
    except BaseException as exc:  # handed to the caller
        conn.execute("ROLLBACK TO call")
        conn.execute("RELEASE call")
        return exc, True
    conn.execute("RELEASE call")
    return result, False


def _settle(call: _Call, value: Any, *, failed: bool) -> None:
    """Hand an outcome to the caller's event loop (unless the caller gave up waiting)."""

    def deliver() -> None:
        if call.future.done():
            return
        if failed:
            call.future.set_exception(value)
        else:
            call.future.set_result(value)

    with suppress(RuntimeError):  # the loop is closed: nobody is waiting any more
        call.loop.call_soon_threadsafe(deliver)


# ---- the synchronous core (runs only on the writer thread) ----------------------------------


class _Database:
    """The connection and every operation on it. The writer wraps each call in a savepoint
    of its group's transaction; only `migrate` manages transactions itself."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.last_prune: int | None = None
        self.scrub_due = False
        """A person's rows were deleted: empty the WAL (it still holds their old pages)."""

    @classmethod
    def open(cls, path: str, migrations: Sequence[Migration]) -> _Database:
        """Connect, check the file, configure and migrate."""
        conn = sqlite3.connect(path, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000)
        try:
            try:
                _configure(conn)
                if path != ":memory:":
                    quick_check(conn, path)
            except sqlite3.DatabaseError as exc:
                if isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc):
                    raise
                raise DatabaseDamaged(damaged_message(path, str(exc))) from None
            db = cls(conn)
            db.migrate(migrations)
        except BaseException:
            conn.close()
            raise
        return db

    def after_commit(self) -> None:
        """After a /forget (or a goodbye leaving): copy the WAL into the file and truncate it,
        so the person's old page images do not linger there (secure_delete zeroes the file's
        own freed space)."""
        if not self.scrub_due:
            return
        busy, _, _ = self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        self.scrub_due = bool(busy)  # a reader was in the way: try again after the next commit

    def close(self) -> None:
        """Close the connection."""
        self.conn.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """BEGIN IMMEDIATE ... COMMIT, or ROLLBACK on any error. IMMEDIATE takes the write
        lock up front, so a transaction never fails half-way on a lock upgrade."""
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield
            self.conn.execute("COMMIT")
        except BaseException:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise

    def all(self, sql: str, params: Params = ()) -> list[Row]:
        """Every row of a query, as tuples."""
        return _all_rows(self.conn, sql, params)

    def one(self, sql: str, params: Params = ()) -> Row | None:
        """The first row of a query, or None."""
        row = self.conn.execute(sql, params).fetchone()
        return None if row is None else tuple(row)

    def write(self, *steps: tuple[str, Params]) -> int:
        """Run (sql, params) steps; returns the last step's rowcount."""
        changed = 0
        for sql, params in steps:
            changed = self.conn.execute(sql, params).rowcount
        return changed

    def settle_outbox(self, outbox_id: int, update: tuple[str, Params]) -> None:
        """A message is done with: a /forget goodbye is deleted (it is the last trace of the
        person's chat id), any other row gets `update`."""
        if self.conn.execute(
            "DELETE FROM outbox WHERE id = ? AND ephemeral = 1", (outbox_id,)
        ).rowcount:
            self.scrub_due = True
            return
        self.write(update)

    # ---- schema -------------------------------------------------------------------------

    def schema_version(self) -> int:
        """The highest migration applied (0 for a new file)."""
        row = self.one("SELECT COALESCE(MAX(version), 0) FROM schema_version")
        return int(row[0]) if row else 0

    def migrate(self, migrations: Sequence[Migration]) -> None:
        """Apply each migration newer than the database, one transaction each, in order."""
        self.conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_version ("
            " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)"
        )
        newest = max((m.version for m in migrations), default=0)
        current = self.schema_version()
        if current > newest:
            raise StoreError(f"database schema {current} is newer than this bot ({newest})")
        for migration in migrations:
            with self.transaction():
                if self.schema_version() >= migration.version:
                    continue  # already there (or another process applied it meanwhile)
                for statement in split_statements(migration.sql):
                    self.conn.execute(statement)
                self.conn.execute(
                    "INSERT INTO schema_version (version, name, applied_at) VALUES (?, ?, ?)",
                    (migration.version, migration.name, int(time.time())),
                )

    # ---- reads --------------------------------------------------------------------------

    def state_json(self, user_id: int) -> str | None:
        """The user's state as stored."""
        row = self.one("SELECT state_json FROM users WHERE user_id = ?", (user_id,))
        return None if row is None else str(row[0])

    def is_processed(self, update_id: int) -> bool:
        """True when the update id is recorded."""
        sql = "SELECT 1 FROM processed_updates WHERE update_id = ?"
        return self.one(sql, (update_id,)) is not None

    def pending_outbox(self, limit: int, after: int = 0) -> list[OutboxRow]:
        """Unsent, not dropped, id above `after`, oldest first."""
        rows = self.all(
            f"SELECT {OUTBOX_COLUMNS} FROM outbox"
            " WHERE sent_at IS NULL AND dropped_at IS NULL AND id > ? ORDER BY id LIMIT ?",
            (after, limit),
        )
        return [_outbox_row(r) for r in rows]

    def live_checkins(self, user_id: int) -> list[CheckinRow]:
        """The user's pending or claimed check-ins."""
        rows = self.all(
            f"SELECT {CHECKIN_COLUMNS} FROM checkins c JOIN users u USING (user_id)"
            " WHERE c.user_id = ? AND c.status IN ('pending', 'claimed') ORDER BY c.due_at",
            (user_id,),
        )
        return [_checkin_row(r) for r in rows]

    # ---- the turn -----------------------------------------------------------------------

    def commit_turn(self, job: _TurnJob) -> list[OutboxRow]:
        """Every write of a turn (see Store.commit_turn)."""
        seen, checkin, version, pending, sig = self.one(
            TURN_CHECKS, (job.update_id, job.checkin_id, job.user_id, job.user_id)
        ) or (None, None, None, None, None)
        if seen is not None or (job.checkin_id is not None and checkin != "claimed"):
            return []
        if any(isinstance(e, ForgetUser) for e in job.turn.effects):
            rows = self.forget(job)
        else:
            rows = self.write_turn(job, _Prior(version, pending, sig))
        if job.update_id is not None:
            self.conn.execute(
                "INSERT INTO processed_updates (update_id, at) VALUES (?, ?)",
                (job.update_id, job.at),
            )
        if self.last_prune is None or job.at - self.last_prune >= PRUNE_EVERY_SECONDS:
            self.prune(job.at)
        return rows

    def write_turn(self, job: _TurnJob, prior: _Prior) -> list[OutboxRow]:
        """State, history, check-in, effects and replies of an ordinary turn."""
        state, stored = job.turn.state, prior.version
        if stored is not None and state.version < stored:
            raise StaleStateError(
                f"user {job.user_id}: turn state version {state.version} is older than the"
                f" stored {stored}"
            )
        self.save_state(job, reactivate=job.checkin_id is None)
        if job.milestones_sig != prior.milestones_sig:
            self.save_milestones(job)
        if job.user_text is not None:
            self.conn.execute(
                "INSERT INTO answers (user_id, at, pending, text) VALUES (?, ?, ?, ?)",
                (job.user_id, job.at, prior.pending, job.user_text),
            )
        self.close_checkin(job)
        for effect in job.turn.effects:
            self.apply_effect(job, effect)
        # A turn that keeps the version (the engine apologising for its own failure) still
        # sends its replies: their keys get a unique suffix instead of clashing.
        suffix = "" if stored is None or state.version > stored else f":{uuid.uuid4().hex}"
        keys = [f"{job.user_id}:{state.version}:{i}{suffix}" for i in range(len(job.payloads))]
        return self.insert_outbox(job.user_id, job.chat_id, job.payloads, keys, job.at)

    def save_state(self, job: _TurnJob, *, reactivate: bool) -> None:
        """Upsert the user row: the state JSON and its denormalised columns."""
        s, uid = job.turn.state, job.user_id
        self.conn.execute(
            UPSERT_USER,
            (
                uid,
                job.chat_id,
                job.state_json,
                s.version,
                str(s.phase),
                str(s.status),
                s.pending,
                s.pathway_id,
                s.entry_step,
                s.referral,
                s.cadence_days,
                len(s.milestones),
                sum(1 for m in s.milestones if m.done),
                _iso(s.started_on),
                _iso(s.plan_made_on),
                None if s.last_seen is None else _utc_epoch(s.last_seen),
                job.milestones_sig,
                job.at,
                job.at,
                reactivate,
                reactivate,
            ),
        )

    def save_milestones(self, job: _TurnJob) -> None:
        """Rewrite the user's milestone rows (only when the plan's milestones changed)."""
        s, uid = job.turn.state, job.user_id
        self.conn.execute("DELETE FROM milestones WHERE user_id = ?", (uid,))
        self.conn.executemany(
            INSERT_MILESTONE,
            [
                (uid, i, m.id, m.title, m.step, m.target.isoformat(), _iso(m.done_on))
                for i, m in enumerate(s.milestones)
            ],
        )

    def close_checkin(self, job: _TurnJob) -> None:
        """A check-in turn completes its claim; a user's own turn answers any sent prompt."""
        if job.checkin_id is not None:
            self.conn.execute(
                "UPDATE checkins SET status = 'done', done_at = ?, prompted = ? WHERE id = ?",
                (job.at, bool(job.turn.replies), job.checkin_id),
            )
        else:
            self.conn.execute(
                "UPDATE checkins SET answered_at = ?"
                " WHERE user_id = ? AND status = 'done' AND answered_at IS NULL",
                (job.at, job.user_id),
            )

    def apply_effect(self, job: _TurnJob, effect: Effect) -> None:
        """One effect of a turn (ForgetUser is handled before, on its own)."""
        user_id, attempt, at = job.user_id, job.turn.state.unanswered, job.at
        if isinstance(effect, ScheduleCheckin):
            values = (_utc_epoch(effect.due), effect.kind, effect.milestone_id, attempt, at)
            # The pending check-in (at most one) is moved in place: one index entry changes.
            # Else a claimed one (its prompt not yet committed) is superseded by a new row.
            if self.conn.execute(RESCHEDULE_PENDING, (*values, user_id)).rowcount == 0:
                self.conn.execute(CANCEL_LIVE_CHECKINS, (user_id,))
                self.conn.execute(INSERT_CHECKIN, (user_id, *values))
        elif isinstance(effect, CancelCheckins):
            self.conn.execute(CANCEL_LIVE_CHECKINS, (user_id,))
        elif isinstance(effect, RequestHandoff | RelayToCounselor | CloseHandoff):
            self.apply_handoff(job, effect)

    def apply_handoff(
        self, job: _TurnJob, effect: RequestHandoff | RelayToCounselor | CloseHandoff
    ) -> None:
        """Open, relay to or close the user's handoff, and queue the counselor chats' message."""
        found = self.one(
            "SELECT id FROM handoffs WHERE user_id = ? AND status = 'open' ORDER BY id DESC",
            (job.user_id,),
        )
        case = None if found is None else int(found[0])
        if isinstance(effect, RequestHandoff):
            if case is None:
                case = self.conn.execute(
                    "INSERT INTO handoffs (user_id, summary, created_at) VALUES (?, ?, ?)",
                    (job.user_id, effect.summary, job.at),
                ).lastrowid
            assert case is not None
            text = notices.request(case, effect.summary)
        elif case is None:
            return  # nothing open to relay to or close
        elif isinstance(effect, RelayToCounselor):
            text = notices.relay(case, effect.text)
        else:
            self.conn.execute(
                "UPDATE handoffs SET status = 'closed', closed_at = ? WHERE id = ?", (job.at, case)
            )
            text = notices.closed(case, by_user=effect.by_user)
        payload = json.dumps(Reply(text).to_dict(), ensure_ascii=False)
        kind = type(effect).__name__
        for chat in job.counselor_chats:
            key = f"handoff:{case}:{job.turn.state.version}:{kind}:{chat}"
            self.insert_outbox(None, chat, (payload,), (key,), job.at, handoff_id=case)

    def forget(self, job: _TurnJob) -> list[OutboxRow]:
        """Delete every row about the user; queue the goodbye tied to no user, kept until sent."""
        self.delete_user(job.user_id)
        batch = uuid.uuid4().hex
        keys = [f"forget:{batch}:{i}" for i in range(len(job.payloads))]
        return self.insert_outbox(None, job.chat_id, job.payloads, keys, job.at, ephemeral=True)

    def delete_user(self, user_id: int) -> None:
        """Every row about the user, and the messages about them sent to counselors."""
        self.conn.execute(
            "DELETE FROM outbox WHERE handoff_id IN (SELECT id FROM handoffs WHERE user_id = ?)",
            (user_id,),
        )
        for table in (*USER_TABLES, "users"):
            self.conn.execute(f"DELETE FROM {table} WHERE user_id = ?", (user_id,))
        self.scrub_due = True

    def insert_outbox(
        self,
        user_id: int | None,
        chat_id: int,
        payloads: Sequence[str],
        keys: Sequence[str],
        at: int,
        *,
        ephemeral: bool = False,
        handoff_id: int | None = None,
    ) -> list[OutboxRow]:
        """One outbox row per reply (as JSON), in order."""
        rows = []
        for payload_json, key in zip(payloads, keys, strict=True):
            cursor = self.conn.execute(
                INSERT_OUTBOX, (user_id, chat_id, payload_json, key, at, ephemeral, handoff_id)
            )
            assert cursor.lastrowid is not None
            payload = json.loads(payload_json)  # lists, not tuples: the shape a re-read has
            rows.append(OutboxRow(cursor.lastrowid, user_id, chat_id, payload, key, from_epoch(at)))
        return rows

    def enqueue(
        self, user_id: int | None, chat_id: int, reply: Reply, key: str, at: int
    ) -> OutboxRow | None:
        """One message outside a turn, unless its dedup key is already queued."""
        if self.one("SELECT 1 FROM outbox WHERE dedup_key = ?", (key,)) is not None:
            return None
        payload = json.dumps(reply.to_dict(), ensure_ascii=False)
        return self.insert_outbox(user_id, chat_id, (payload,), (key,), at)[0]

    # ---- check-ins and housekeeping -----------------------------------------------------

    def claim_due_checkins(self, at: int, limit: int) -> list[CheckinRow]:
        """Pending and due -> claimed, oldest first."""
        rows = self.all(
            f"SELECT {CHECKIN_COLUMNS} FROM checkins c JOIN users u USING (user_id)"
            " WHERE c.status = 'pending' AND c.due_at <= ? ORDER BY c.due_at, c.id LIMIT ?",
            (at, limit),
        )
        self.conn.executemany(
            "UPDATE checkins SET status = 'claimed', claimed_at = ?, claims = claims + 1"
            " WHERE id = ?",
            [(at, r[0]) for r in rows],
        )
        return [_checkin_row(r, claimed_at=at) for r in rows]

    def prune(self, at: int) -> int:
        """Delete processed update ids older than a day."""
        self.last_prune = at
        sql = "DELETE FROM processed_updates WHERE at < ?"
        return self.conn.execute(sql, (at - PROCESSED_KEEP_SECONDS,)).rowcount


class _Reader:
    """A second, read-only connection on its own thread: reports, and WAL checkpoints.

    Between calls it runs a PASSIVE checkpoint a few times a second. PASSIVE never blocks the
    writer, so copying the WAL into the database file (and its fsync) happens here, not inside
    a user's commit: with SQLite's default, every ~60th commit paid ~25 ms for it.
    """

    def __init__(self, path: Path) -> None:
        self._thread = _DbThread("pathways-db-reader", (CHECKPOINT_EVERY_SECONDS, self._checkpoint))

    @classmethod
    async def start(cls, path: Path) -> _Reader:
        """Open the read-only connection."""
        reader = cls(path)
        conn = await reader._thread.call(partial(_connect_read_only, path), grouped=False)
        reader._thread.conn = conn
        return reader

    async def call(self, fn: Callable[..., T], *args: Any) -> T:
        """Run fn(connection, *args) on the reader thread."""
        conn = self._thread.conn
        assert conn is not None
        return await self._thread.call(partial(fn, conn, *args), grouped=False)

    async def stop(self) -> None:
        """Close the connection and end the thread."""
        conn = self._thread.conn
        if conn is not None:
            await self._thread.call(conn.close, grouped=False)
            self._thread.conn = None
        await asyncio.to_thread(self._thread.stop)

    def _checkpoint(self) -> None:
        conn = self._thread.conn
        if conn is None:
            return
        try:
            conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
        except sqlite3.Error:
            log.warning("background checkpoint failed; the writer will do it", exc_info=True)


def _connect_read_only(path: Path) -> sqlite3.Connection:
    """A connection whose SQL cannot change data (SQLite refuses), but that may checkpoint."""
    conn = sqlite3.connect(path, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000)
    conn.execute("PRAGMA query_only = ON")
    return conn


def _all_rows(conn: sqlite3.Connection, sql: str, params: Params = ()) -> list[Row]:
    """Every row of a query, as tuples."""
    return [tuple(r) for r in conn.execute(sql, params).fetchall()]


def _dicts(conn: sqlite3.Connection, sql: str, params: Params = ()) -> list[dict[str, Any]]:
    """Rows as JSON-ready dicts (instants as ISO text, payloads parsed)."""
    cursor = conn.execute(sql, params)
    names = [d[0] for d in cursor.description]
    return [_jsonable(dict(zip(names, row, strict=True))) for row in cursor.fetchall()]


def _export_user(conn: sqlite3.Connection, user_id: int) -> dict[str, Any]:
    """Every row about the user, JSON-ready, from one snapshot."""
    own = not conn.in_transaction  # (the writer's connection is inside its group already)
    if own:
        conn.execute("BEGIN")
    try:
        users = _dicts(conn, "SELECT * FROM users WHERE user_id = ?", (user_id,))
        tables = {
            table: _dicts(
                conn, f"SELECT * FROM {table} WHERE user_id = ? ORDER BY {order}", (user_id,)
            )
            for table, order in USER_TABLES.items()
        }
    finally:
        if own:
            conn.execute("COMMIT")
    user = users[0] if users else None
    state = json.loads(user.pop("state_json")) if user else None
    return {"user_id": user_id, "user": user, "state": state, **tables}


def _configure(conn: sqlite3.Connection) -> None:
    """Connection settings: WAL, durability level, foreign keys, cache, checkpoints."""
    # WAL: readers never block the writer, and a commit is one append to the log.
    conn.execute("PRAGMA journal_mode = WAL")
    # synchronous=NORMAL in WAL mode fsyncs at checkpoints, not at every commit. A crash of the
    # process (kill -9, an exception) loses nothing committed: the OS already has the WAL
    # pages. Only a power loss or an OS crash can lose the last few transactions, and the
    # database stays consistent either way. We accept that: Telegram then redelivers the
    # unconfirmed updates, or a user repeats one answer. FULL would cost an fsync per turn.
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
    conn.execute(f"PRAGMA wal_autocheckpoint = {WRITER_CHECKPOINT_PAGES}")
    conn.execute("PRAGMA journal_size_limit = 33554432")  # shrink a grown WAL file to 32 MB
    # Deleted rows (a /forget) are overwritten with zeros, not left in free pages, whatever
    # the SQLite build's default is.
    conn.execute("PRAGMA secure_delete = ON")


DAMAGED_HELP = (
    "Stop the bot and restore the file from your latest backup (copy the backup over {path} "
    "and delete {path}-wal and {path}-shm if they are there). To start again with an empty "
    "database instead, move {path} away. The bot will not start on it as it is."
)


def damaged_message(path: str, problem: str) -> str:
    """What an operator reads when the database file cannot be trusted."""
    return f"The database {path} is damaged ({problem}). " + DAMAGED_HELP.format(path=path)


def check_not_empty(path: Path | str) -> None:
    """Refuse an existing 0-byte database file: SQLite would take it for a new database and
    the bot would start over with nobody's progress (a truncated copy, a full disk)."""
    where = Path(path)
    if str(path) != ":memory:" and where.is_file() and where.stat().st_size == 0:
        raise DatabaseDamaged(
            f"The database {path} is empty (0 bytes), but a database was expected there. "
            + DAMAGED_HELP.format(path=path)
        )


def quick_check(conn: sqlite3.Connection, path: str) -> None:
    """PRAGMA quick_check: raise DatabaseDamaged unless SQLite finds the file sound."""
    rows = [str(r[0]) for r in conn.execute("PRAGMA quick_check").fetchall()]
    if rows != ["ok"]:
        raise DatabaseDamaged(damaged_message(path, "; ".join(rows[:3])))


def _signature(milestones: tuple[Milestone, ...]) -> str:
    """A short fingerprint of the plan's milestones (to skip rewriting unchanged rows)."""
    return hashlib.blake2b(repr(milestones).encode(), digest_size=8).hexdigest()


def _iso(day: Any) -> str | None:
    return None if day is None else str(day.isoformat())


def _outbox_row(r: Row) -> OutboxRow:
    return OutboxRow(
        id=r[0],
        user_id=r[1],
        chat_id=r[2],
        payload=json.loads(r[3]),
        dedup_key=r[4],
        created_at=from_epoch(r[5]),
        sent_at=_maybe_time(r[6]),
        telegram_message_id=r[7],
        attempts=r[8],
        last_error=r[9],
    )


def _checkin_row(r: Row, *, claimed_at: int | None = None) -> CheckinRow:
    """A check-in row; with `claimed_at`, as it is after this claim (read just before)."""
    claimed = claimed_at is not None
    return CheckinRow(
        id=r[0],
        user_id=r[1],
        chat_id=r[2],
        due_at=from_epoch(r[3]),
        kind=r[4],
        milestone_id=r[5],
        attempt=r[6],
        status="claimed" if claimed else r[7],
        claimed_at=_maybe_time(claimed_at if claimed else r[8]),
        claims=r[9] + (1 if claimed else 0),
    )


TIME_COLUMNS = re.compile(r"(_at|^at|^last_seen|_since)$")


def _handoff_row(r: Row) -> Handoff:
    return Handoff(int(r[0]), int(r[1]), int(r[2]), str(r[3]))


def _first_handoff(rows: list[Row]) -> Handoff | None:
    return _handoff_row(rows[0]) if rows else None


def _jsonable(row: dict[str, Any]) -> dict[str, Any]:
    """Instants as ISO text and payloads as JSON, for export."""
    out: dict[str, Any] = {}
    for key, value in row.items():
        if value is not None and TIME_COLUMNS.search(key):
            out[key] = from_epoch(value).isoformat()
        elif key == "payload_json":
            out["payload"] = json.loads(value)
        else:
            out[key] = value
    return out
