"""SQLite storage on aiosqlite: one writer connection, group commit, migrations.

A writer task takes the calls waiting at one moment and saves them in ONE transaction (group
commit); no caller hears "done" before the COMMIT that makes its writes durable. Under load,
many turns share one commit; alone, a turn is its own transaction. A group goes to aiosqlite's
database thread in a few calls, not one per statement: the turns' checks in one SELECT, then
one `executemany` per table (users, milestones, answers, check-ins, outbox, update ids, sent
marks). A call the batch cannot take (a /forget, a handoff, an enqueue, a claim) runs alone in
a SAVEPOINT of the same transaction; a batch that fails as a whole (a full disk) is rolled
back to its savepoint and its calls are run one by one, so a call that fails fails alone. A
cancelled caller never leaves a transaction half-open: the writer task, not the caller, runs
it. Loads and reports read on a second, read-only connection (committed rows only); a third
checkpoints the WAL in the background.
"""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
import sqlite3
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

import aiosqlite

from bot.agency import notices
from bot.storage.base import (
    CHECKIN_COLUMNS,
    MAX_ERROR_CHARS,
    OUTBOX_COLUMNS,
    PROCESSED_KEEP_SECONDS,
    PRUNE_EVERY_SECONDS,
    USER_TABLES,
    CheckinRow,
    DatabaseDamaged,
    Migration,
    OutboxClaim,
    OutboxRow,
    Params,
    PlainClaim,
    Row,
    SharedReads,
    StaleStateError,
    StoreError,
    TurnSession,
    checkin_row,
    from_epoch,
    jsonable,
    load_migrations,
    milestone_values,
    outbox_row,
    signature,
    to_epoch,
    user_values,
    utc_epoch,
)
from dialogs.state import (
    CancelCheckins,
    CloseHandoff,
    DialogState,
    Effect,
    ForgetUser,
    RelayToCounselor,
    Reply,
    RequestHandoff,
    ScheduleCheckin,
    Turn,
)

BUSY_TIMEOUT_MS = 5000
CACHE_KIB = 32_000
"""SQLite page cache of the writer (32 MB): keeps hot index pages of 100,000 users in memory."""
CHECKPOINT_EVERY_SECONDS = 0.25
WRITER_CHECKPOINT_PAGES = 20_000
MAX_GROUP = 256
"""At most this many calls share one commit (bounds the wait of the first of them)."""
"""The writer's own (blocking) checkpoint only when the WAL reaches 80 MB, i.e. rarely."""

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


# ---- SQL ------------------------------------------------------------------------------------

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
INSERT_ANSWER = "INSERT INTO answers (user_id, at, pending, text) VALUES (?, ?, ?, ?)"
CLOSE_CHECKIN = "UPDATE checkins SET status = 'done', done_at = ?, prompted = ? WHERE id = ?"
"""A check-in turn completes its claim."""
ANSWER_CHECKINS = (
    "UPDATE checkins SET answered_at = ?"
    " WHERE user_id = ? AND status = 'done' AND answered_at IS NULL"
)
"""A user's own turn answers any prompt sent."""
INSERT_PROCESSED = "INSERT INTO processed_updates (update_id, at) VALUES (?, ?)"
TURNS_CHECKS = """
WITH j (k, uid, upd, cid) AS (
    SELECT key, json_extract(value, '$[0]'), json_extract(value, '$[1]'),
           json_extract(value, '$[2]')
    FROM json_each(?))
SELECT (SELECT 1 FROM processed_updates WHERE update_id = j.upd),
       (SELECT status FROM checkins WHERE id = j.cid AND user_id = j.uid),
       u.state_version, u.pending, u.milestones_sig,
       EXISTS (SELECT 1 FROM checkins c WHERE c.user_id = j.uid AND c.status = 'pending'),
       EXISTS (SELECT 1 FROM checkins c WHERE c.user_id = j.uid AND c.status = 'done'
               AND c.answered_at IS NULL),
       MAX(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'outbox'), 0),
           COALESCE((SELECT MAX(id) FROM outbox), 0))
FROM j LEFT JOIN users u ON u.user_id = j.uid
ORDER BY j.k
"""
"""TURN_CHECKS for a batch of turns ([[user, update, check-in], ...] as JSON), in order; with
whether each user has a pending check-in (a ScheduleCheckin then moves it in place) and a
prompt not yet answered, and the last outbox id given (AUTOINCREMENT: the next is one more)."""
INSERT_MILESTONE = (
    "INSERT INTO milestones (user_id, position, milestone_id, title, step, target, done_on)"
    " VALUES (?, ?, ?, ?, ?, ?, ?)"
)


# ---- the async face -------------------------------------------------------------------------


class Store(SharedReads):
    """The bot's storage: a few async operations, each atomic, saved by the writer task."""

    dialect = "sqlite"

    def __init__(self, db: _Database, writer: _Writer, reader: _Reader | None) -> None:
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
        db = await _Database.open(str(path), steps)
        try:
            reader = None if str(path) == ":memory:" else await _Reader.start(Path(path))
        except BaseException:
            await db.close()
            raise
        return cls(db, _Writer(db), reader)

    async def close(self) -> None:
        """Finish the calls already queued, then close the connections (twice is harmless)."""
        if self._closed:
            return
        self._closed = True
        await self._writer.stop()
        if self._reader is not None:
            await self._reader.stop()
        await self._db.close()

    async def _run(self, fn: Callable[[], Awaitable[T]]) -> T:
        """Run `fn` (statements on the writer connection) atomically, in the next group."""
        if self._closed:
            raise StoreError("the store is closed")
        result: T = await self._writer.submit(_FnCall(_future(), fn))
        return result

    async def _on_writer(self, fn: Callable[[aiosqlite.Connection], Awaitable[T]]) -> T:
        """Run fn(connection) on the writer connection outside any transaction (for tests:
        per-connection settings, a disk that fills up)."""
        if self._closed:
            raise StoreError("the store is closed")
        conn = self._db.conn
        result: T = await self._writer.submit(_FnCall(_future(), lambda: fn(conn), solo=True))
        return result

    # ---- reads --------------------------------------------------------------------------

    async def schema_version(self) -> int:
        """The highest migration applied."""
        return await self._run(self._db.schema_version)

    async def load_state(self, user_id: int) -> DialogState | None:
        """The user's saved dialog state, or None for someone new (or forgotten)."""
        rows = await self._report(
            _all_rows, "SELECT state_json FROM users WHERE user_id = ?", (user_id,)
        )
        return DialogState.from_json(str(rows[0][0])) if rows else None

    async def is_processed(self, update_id: int) -> bool:
        """True when this Telegram update was already committed."""
        sql = "SELECT 1 FROM processed_updates WHERE update_id = ?"
        return bool(await self._report(_all_rows, sql, (update_id,)))

    @asynccontextmanager
    async def user_turn(self, user_id: int) -> AsyncIterator[TurnSession]:
        """One process owns the file, and `Service` holds the user's lock: nothing to take."""
        yield self

    async def is_inactive(self, user_id: int) -> bool:
        """Whether the user is flagged inactive (a 403: they had blocked the bot)."""
        rows = await self.read("SELECT inactive FROM users WHERE user_id = ?", (user_id,))
        return bool(rows and rows[0][0])

    async def read(self, sql: str, params: Params = ()) -> list[Row]:
        """Rows of a read-only query (SELECT or WITH), for figures and export.

        Runs on a separate read-only connection, so a long report never holds up a turn;
        it sees every write committed before it started.
        """
        if not sql.lstrip().upper().startswith(("SELECT", "WITH")):
            raise StoreError("read() runs SELECT queries only")
        return await self._report(_all_rows, sql, params)

    async def _report(self, fn: Callable[..., Awaitable[T]], *args: Any) -> T:
        """fn(connection, *args) on the read-only connection, which sees committed rows only
        (on the writer's, in its next group, for a :memory: database)."""
        if self._closed:
            raise StoreError("the store is closed")
        if self._reader is None:
            conn = self._db.conn
            return await self._run(lambda: fn(conn, *args))
        return await fn(self._reader.conn, *args)

    async def pending_outbox(self, limit: int = 1000, after: int = 0) -> list[OutboxRow]:
        """Unsent messages, oldest first (so each chat's messages come in commit order);
        only those with an id above `after` (a sender's cursor: it reads each row once)."""
        rows = await self._report(
            _all_rows,
            f"SELECT {OUTBOX_COLUMNS} FROM outbox"
            " WHERE sent_at IS NULL AND dropped_at IS NULL AND id > ? ORDER BY id LIMIT ?",
            (after, limit),
        )
        return [outbox_row(r) for r in rows]

    async def pending_checkins(self, user_id: int) -> list[CheckinRow]:
        """The user's live (pending or claimed) check-ins."""
        rows = await self._report(
            _all_rows,
            f"SELECT {CHECKIN_COLUMNS} FROM checkins c JOIN users u USING (user_id)"
            " WHERE c.user_id = ? AND c.status IN ('pending', 'claimed') ORDER BY c.due_at",
            (user_id,),
        )
        return [checkin_row(r) for r in rows]

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
        if self._closed:
            raise StoreError("the store is closed")
        job = _TurnJob(
            user_id,
            chat_id,
            turn,
            update_id,
            user_text,
            to_epoch(now),
            checkin_id,
            state_json=turn.state.to_json(),  # encoded here, before the group is written
            payloads=tuple(json.dumps(r.to_dict(), ensure_ascii=False) for r in turn.replies),
            milestones_sig=signature(turn.state.milestones),
            counselor_chats=tuple(counselor_chats),
            batchable=_batchable(turn.effects),
        )
        rows: list[OutboxRow] = await self._writer.submit(_TurnCall(_future(), job))
        return rows

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
        return await self._run(
            partial(self._db.enqueue, user_id, chat_id, reply, key, to_epoch(now))
        )

    async def mark_sent(
        self, outbox_id: int, telegram_message_id: int | None, now: datetime
    ) -> None:
        """Record that a message was delivered (a /forget goodbye is deleted instead)."""
        if self._closed:
            raise StoreError("the store is closed")
        call = _SettleCall(_future(), outbox_id, to_epoch(now), telegram_message_id)
        await self._writer.submit(call)

    @asynccontextmanager
    async def claim_outbox(self, outbox_id: int) -> AsyncIterator[OutboxClaim]:
        """One process owns the file and sends: every row it offers is its own to send."""
        yield PlainClaim(self, outbox_id)

    async def mark_failed(self, outbox_id: int, error: str) -> None:
        """Count a failed send attempt (the row stays pending for a retry)."""
        await self._run(
            partial(
                self._db.write,
                (
                    "UPDATE outbox SET attempts = attempts + 1, last_error = ? WHERE id = ?",
                    (error[:MAX_ERROR_CHARS], outbox_id),
                ),
            )
        )

    async def drop_outbox(self, outbox_id: int, error: str, now: datetime) -> None:
        """Give up on a message for good (a permanent error): it is never offered again (a
        /forget goodbye that cannot leave, e.g. the user blocked the bot, is deleted)."""
        await self._run(
            partial(
                self._db.settle_outbox,
                outbox_id,
                (
                    "UPDATE outbox SET attempts = attempts + 1, last_error = ?, dropped_at = ?"
                    " WHERE id = ? AND sent_at IS NULL",
                    (error[:MAX_ERROR_CHARS], to_epoch(now), outbox_id),
                ),
            )
        )

    async def mark_inactive(self, user_id: int, now: datetime) -> None:
        """The user blocked the bot: flag them, cancel their check-ins, drop unsent messages."""
        at = to_epoch(now)
        await self._run(
            partial(
                self._db.write,
                (
                    "UPDATE users SET inactive = 1, inactive_since = COALESCE(inactive_since, ?)"
                    " WHERE user_id = ?",
                    (at, user_id),
                ),
                (CANCEL_LIVE_CHECKINS, (user_id,)),
                (
                    "UPDATE outbox SET dropped_at = ?,"
                    " last_error = COALESCE(last_error, 'inactive')"
                    " WHERE user_id = ? AND sent_at IS NULL AND dropped_at IS NULL",
                    (at, user_id),
                ),
            )
        )

    # ---- check-ins ----------------------------------------------------------------------

    async def claim_due_checkins(self, now: datetime, limit: int) -> list[CheckinRow]:
        """Claim up to `limit` pending check-ins due by `now`, oldest first, atomically."""
        return await self._run(partial(self._db.claim_due_checkins, to_epoch(now), limit))

    async def release_claim(self, checkin_id: int) -> None:
        """Put a claimed check-in back to pending (its turn failed; a later sweep retries)."""
        await self._run(
            partial(
                self._db.write,
                (
                    "UPDATE checkins SET status = 'pending', claimed_at = NULL"
                    " WHERE id = ? AND status = 'claimed'",
                    (checkin_id,),
                ),
            )
        )

    async def release_stale_claims(self, older_than: datetime) -> int:
        """Claims made before `older_than` (their sweeper crashed) go back to pending."""
        return await self._run(
            partial(
                self._db.write,
                (
                    "UPDATE checkins SET status = 'pending', claimed_at = NULL"
                    " WHERE status = 'claimed' AND claimed_at < ?",
                    (to_epoch(older_than),),
                ),
            )
        )

    # ---- handoffs -----------------------------------------------------------------------

    # ---- referral codes and housekeeping ------------------------------------------------

    async def secret_key(self, name: str) -> bytes:
        """A random 32-byte key kept in the database under `name` (made on first use)."""
        made = secrets.token_hex(32)

        async def get_or_make() -> str:
            await self._db.conn.execute(
                "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING",
                (f"key:{name}", made),
            )
            row = await self._db.one("SELECT value FROM meta WHERE key = ?", (f"key:{name}",))
            assert row is not None
            return str(row[0])

        return bytes.fromhex(await self._run(get_or_make))

    async def add_referral_code(
        self, code: str, name: str, *, created_by: int | None, now: datetime
    ) -> bool:
        """Create a referral code; False when the code is already taken."""
        changed = await self._run(
            partial(
                self._db.write,
                (
                    "INSERT INTO referral_codes (code, name, created_by, created_at)"
                    " VALUES (?, ?, ?, ?) ON CONFLICT (code) DO NOTHING",
                    (code, name, created_by, to_epoch(now)),
                ),
            )
        )
        return changed == 1

    async def dead_letter(
        self, update_id: int, reason: str, raw_json: str, failures: int, now: datetime
    ) -> bool:
        """Give up on an update: keep its (redacted) JSON in dead_letters and mark it handled,
        so it is confirmed to Telegram and never run again. False if it was already there."""
        at = to_epoch(now)
        return bool(
            await self._run(
                partial(
                    self._db.write,
                    (
                        "INSERT INTO processed_updates (update_id, at) VALUES (?, ?)"
                        " ON CONFLICT (update_id) DO NOTHING",
                        (update_id, at),
                    ),
                    (
                        "INSERT INTO dead_letters"
                        " (update_id, reason, failures, raw_json, created_at)"
                        " VALUES (?, ?, ?, ?, ?) ON CONFLICT (update_id) DO NOTHING",
                        (update_id, reason[:MAX_ERROR_CHARS], failures, raw_json, at),
                    ),
                )
            )
        )

    async def retention_notice(
        self, user_id: int, chat_id: int, reply: Reply, now: datetime
    ) -> None:
        """Note that the user was told their data will go, and queue the notice, together."""
        at = to_epoch(now)

        async def tell() -> None:
            await self._db.conn.execute(
                "UPDATE users SET retention_notice_at = ? WHERE user_id = ?", (at, user_id)
            )
            payload = json.dumps(reply.to_dict(), ensure_ascii=False)
            key = f"retention:{user_id}:{now.date().isoformat()}"
            await self._db.insert_outbox(user_id, chat_id, (payload,), (key,), at)

        await self._run(tell)

    async def delete_user(self, user_id: int) -> None:
        """Delete everything about a user (retention; /forget goes through a turn)."""
        await self._run(partial(self._db.delete_user, user_id))

    async def prune(self, now: datetime) -> int:
        """Forget processed update ids older than a day; returns how many went."""
        return await self._run(partial(self._db.prune, to_epoch(now)))


def _batchable(effects: Sequence[Effect]) -> bool:
    """Whether a turn's writes fit the group's executemany per table: no /forget, no handoff,
    at most one check-in effect (several would need their order kept statement by statement)."""
    if any(
        isinstance(e, ForgetUser | RequestHandoff | RelayToCounselor | CloseHandoff)
        for e in effects
    ):
        return False
    return sum(isinstance(e, ScheduleCheckin | CancelCheckins) for e in effects) <= 1


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
    batchable: bool = True
    """Its writes can share the group's executemany calls (see `_batchable`)."""


@dataclass(frozen=True, slots=True)
class _Prior:
    """What a turn needs to know of the stored user row (all None for a new user)."""

    version: int | None
    pending: str | None
    milestones_sig: str | None
    has_pending_checkin: bool = False
    has_unanswered_prompt: bool = True


# ---- the writer task ------------------------------------------------------------------------


def _future() -> asyncio.Future[Any]:
    return asyncio.get_running_loop().create_future()


@dataclass(slots=True)
class _Call:
    """One call waiting for the writer, and where its outcome goes."""

    future: asyncio.Future[Any]


@dataclass(slots=True)
class _TurnCall(_Call):
    """commit_turn: batched with the group's other turns where it can be."""

    job: _TurnJob


@dataclass(slots=True)
class _SettleCall(_Call):
    """mark_sent: batched with the group's other sent messages."""

    outbox_id: int
    sent_at: int
    message_id: int | None


@dataclass(slots=True)
class _FnCall(_Call):
    """Any other operation: its own statements, in a savepoint of the group (or, `solo`,
    outside any transaction)."""

    fn: Callable[[], Awaitable[Any]]
    solo: bool = False


Outcome = tuple[Any, bool]
"""(result, False) or (exception, True)."""


class _Writer:
    """The one task that writes: takes the calls waiting at one moment, saves them in one
    transaction (group commit), and only then tells each caller its outcome."""

    def __init__(self, db: _Database) -> None:
        self._db = db
        self._queue: asyncio.Queue[_Call | None] = asyncio.Queue()
        self._task = asyncio.create_task(self._loop(), name="pathways-db-writer")

    async def submit(self, call: _Call) -> Any:
        """Queue a call and wait for its outcome (the caller giving up does not undo it)."""
        if self._task.done():
            raise StoreError("the store is closed")
        self._queue.put_nowait(call)
        return await call.future

    async def stop(self) -> None:
        """Finish the queued calls and end the task."""
        self._queue.put_nowait(None)
        await asyncio.shield(self._task)

    async def _loop(self) -> None:
        carry: list[_Call | None] = []  # what ended the last group: a solo call, or stop
        while True:
            call = carry.pop() if carry else await self._queue.get()
            if call is None:
                return
            if isinstance(call, _FnCall) and call.solo:
                _settle(call, await _outcome(call.fn()))
                continue
            group = [call]
            while len(group) < MAX_GROUP:
                try:
                    nxt = self._queue.get_nowait()
                except asyncio.QueueEmpty:
                    break
                if nxt is None or (isinstance(nxt, _FnCall) and nxt.solo):
                    carry.append(nxt)
                    break
                group.append(nxt)
            await self._group(group)

    async def _group(self, group: list[_Call]) -> None:
        """BEGIN, the calls, COMMIT; settle each caller after COMMIT (or all with the error)."""
        conn = self._db.conn
        lone = group[0]
        if len(group) == 1 and isinstance(lone, _SettleCall) and _batched(lone, self._db.ephemeral):
            # One statement is its own transaction: no BEGIN and COMMIT to send.
            _settle(lone, await _outcome(self._db.batch(group)))
            return
        try:
            await conn.execute("BEGIN IMMEDIATE")
            outcomes = await self._db.run_group(group)
            await conn.execute("COMMIT")
        except BaseException as exc:  # nothing of the group was saved: every caller hears so
            if conn.in_transaction:
                with suppress(sqlite3.Error):
                    await conn.execute("ROLLBACK")
            for call in group:
                _settle(call, (exc, True))
            if not isinstance(exc, Exception):
                raise
            return
        try:
            await self._db.after_commit()
        except sqlite3.Error:
            log.warning("after-commit housekeeping failed; retried later", exc_info=True)
        for call, outcome in zip(group, outcomes, strict=True):
            _settle(call, outcome)


async def _outcome(work: Awaitable[Any]) -> Outcome:
    try:
        return await work, False
    except Exception as exc:  # handed to the caller
        return exc, True


def _settle(call: _Call, outcome: Outcome) -> None:
    """Hand an outcome to the caller (unless the caller gave up waiting)."""
    if call.future.done():
        return
    value, failed = outcome
    if failed:
        call.future.set_exception(value)
    else:
        call.future.set_result(value)


# ---- the writer connection ------------------------------------------------------------------


class _Database:
    """The writer connection and every operation on it. The writer task wraps the calls of a
    group in one transaction; only `migrate` manages transactions itself."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self.conn = conn
        self.last_prune: int | None = None
        self.scrub_due = False
        """A person's rows were deleted: empty the WAL (it still holds their old pages)."""
        self.ephemeral: set[int] = set()
        """Outbox ids of /forget goodbyes (deleted once sent): every other sent row is only
        marked, so the group marks them all in one executemany."""

    @classmethod
    async def open(cls, path: str, migrations: Sequence[Migration]) -> _Database:
        """Connect, check the file, configure and migrate."""
        conn = await _connect(path)
        try:
            try:
                await _configure(conn)
                if path != ":memory:":
                    await quick_check(conn, path)
            except sqlite3.DatabaseError as exc:
                if isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc):
                    raise
                raise DatabaseDamaged(damaged_message(path, str(exc))) from None
            db = cls(conn)
            await db.migrate(migrations)
            rows = await conn.execute_fetchall("SELECT id FROM outbox WHERE ephemeral = 1")
            db.ephemeral = {int(r[0]) for r in rows}
        except BaseException:
            await conn.close()
            raise
        return db

    async def after_commit(self) -> None:
        """After a /forget (or a goodbye leaving): copy the WAL into the file and truncate it,
        so the person's old page images do not linger there (secure_delete zeroes the file's
        own freed space)."""
        if not self.scrub_due:
            return
        rows = list(await self.conn.execute_fetchall("PRAGMA wal_checkpoint(TRUNCATE)"))
        self.scrub_due = bool(rows[0][0])  # a reader was in the way: again after the next commit

    async def close(self) -> None:
        """Close the connection."""
        await self.conn.close()

    async def execute(self, sql: str, params: Params = ()) -> aiosqlite.Cursor:
        """One statement."""
        return await self.conn.execute(sql, params)

    async def all(self, sql: str, params: Params = ()) -> list[Row]:
        """Every row of a query, as tuples."""
        return await _all_rows(self.conn, sql, params)

    async def one(self, sql: str, params: Params = ()) -> Row | None:
        """The first row of a query, or None."""
        rows = await self.all(sql, params)
        return rows[0] if rows else None

    async def write(self, *steps: tuple[str, Params]) -> int:
        """Run (sql, params) steps; returns the last step's rowcount."""
        changed = 0
        for sql, params in steps:
            changed = (await self.conn.execute(sql, params)).rowcount
        return changed

    async def settle_outbox(self, outbox_id: int, update: tuple[str, Params]) -> None:
        """A message is done with: a /forget goodbye is deleted (it is the last trace of the
        person's chat id), any other row gets `update`."""
        deleted = await self.conn.execute(
            "DELETE FROM outbox WHERE id = ? AND ephemeral = 1", (outbox_id,)
        )
        if deleted.rowcount:
            self.ephemeral.discard(outbox_id)
            self.scrub_due = True
            return
        await self.write(update)

    # ---- schema -------------------------------------------------------------------------

    async def schema_version(self) -> int:
        """The highest migration applied (0 for a new file)."""
        row = await self.one("SELECT COALESCE(MAX(version), 0) FROM schema_version")
        return int(row[0]) if row else 0

    async def migrate(self, migrations: Sequence[Migration]) -> None:
        """Apply each migration newer than the database, one transaction each, in order."""
        await self.conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_version ("
            " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)"
        )
        newest = max((m.version for m in migrations), default=0)
        current = await self.schema_version()
        if current > newest:
            raise StoreError(f"database schema {current} is newer than this bot ({newest})")
        for migration in migrations:
            await self.conn.execute("BEGIN IMMEDIATE")
            try:
                if await self.schema_version() < migration.version:
                    for statement in split_statements(migration.sql):
                        await self.conn.execute(statement)
                    await self.conn.execute(
                        "INSERT INTO schema_version (version, name, applied_at) VALUES (?, ?, ?)",
                        (migration.version, migration.name, int(time.time())),
                    )
                await self.conn.execute("COMMIT")
            except BaseException:
                if self.conn.in_transaction:
                    await self.conn.execute("ROLLBACK")
                raise

    # ---- a group ------------------------------------------------------------------------

    async def run_group(self, group: Sequence[_Call]) -> list[Outcome]:
        """Every call of a group, inside its transaction, in arrival order; runs of turns
        and sent marks go together in one batch (one executemany per table), a turn of a
        user already in the batch starts the next batch, any other call runs on its own."""
        plan = _plan(group, self.ephemeral)
        if len(plan) == 1 and _batched(group[0], self.ephemeral):
            # The usual group, one batch: no savepoint; if it fails as a whole, the group
            # starts again with each call on its own.
            try:
                return await self.batch(list(group))
            except Exception:
                await self.conn.execute("ROLLBACK")
                await self.conn.execute("BEGIN IMMEDIATE")
                return [await self.in_savepoint(call) for call in group]
        outcomes: list[Outcome] = []
        for segment in plan:
            calls = [group[i] for i in segment]
            if len(calls) == 1 and not _batched(calls[0], self.ephemeral):
                outcomes.append(await self.in_savepoint(calls[0]))
            else:
                outcomes.extend(await self.run_batch(calls))
        return outcomes

    async def run_batch(self, calls: list[_Call]) -> list[Outcome]:
        """A batch in a savepoint; if it fails as a whole (a full disk, a broken row), it is
        undone and each of its calls runs alone, so only the calls that fail fail."""
        await self.conn.execute("SAVEPOINT batch")
        try:
            outcomes = await self.batch(calls)
        except Exception:
            await self.conn.execute("ROLLBACK TO batch")
            await self.conn.execute("RELEASE batch")
            return [await self.in_savepoint(call) for call in calls]
        await self.conn.execute("RELEASE batch")
        return outcomes

    async def in_savepoint(self, call: _Call) -> Outcome:
        """One call on its own: its writes undone if it fails."""
        await self.conn.execute("SAVEPOINT call")
        outcome = await _outcome(self.run_one(call))
        if outcome[1]:
            await self.conn.execute("ROLLBACK TO call")
        await self.conn.execute("RELEASE call")
        return outcome

    async def run_one(self, call: _Call) -> Any:
        """One call, statement by statement."""
        if isinstance(call, _TurnCall):
            return await self.commit_turn(call.job)
        if isinstance(call, _SettleCall):
            update = "UPDATE outbox SET sent_at = ?, telegram_message_id = ? WHERE id = ?"
            return await self.settle_outbox(
                call.outbox_id, (update, (call.sent_at, call.message_id, call.outbox_id))
            )
        assert isinstance(call, _FnCall)
        return await call.fn()

    async def batch(self, calls: list[_Call]) -> list[Outcome]:
        """Turns and sent marks together: one SELECT for the turns' checks, then one
        executemany per table."""
        turns = [c for c in calls if isinstance(c, _TurnCall)]
        settles = [c for c in calls if isinstance(c, _SettleCall)]
        done: dict[int, Outcome] = {}
        if turns:
            outcomes = await self.commit_turns([c.job for c in turns])
            for turn, outcome in zip(turns, outcomes, strict=True):
                done[id(turn)] = outcome
        if settles:
            await self.conn.executemany(
                "UPDATE outbox SET sent_at = ?, telegram_message_id = ? WHERE id = ?",
                [(c.sent_at, c.message_id, c.outbox_id) for c in settles],
            )
            for settle in settles:
                done[id(settle)] = (None, False)
        return [done[id(c)] for c in calls]

    # ---- the turn -----------------------------------------------------------------------

    async def commit_turn(self, job: _TurnJob) -> list[OutboxRow]:
        """Every write of one turn, statement by statement (see Store.commit_turn)."""
        seen, checkin, version, pending, sig = await self.one(
            TURN_CHECKS, (job.update_id, job.checkin_id, job.user_id, job.user_id)
        ) or (None, None, None, None, None)
        if seen is not None or (job.checkin_id is not None and checkin != "claimed"):
            return []
        if any(isinstance(e, ForgetUser) for e in job.turn.effects):
            rows = await self.forget(job)
        else:
            rows = await self.write_turn(job, _Prior(version, pending, sig))
        if job.update_id is not None:
            await self.conn.execute(
                "INSERT INTO processed_updates (update_id, at) VALUES (?, ?)",
                (job.update_id, job.at),
            )
        await self.prune_if_due(job.at)
        return rows

    async def commit_turns(self, jobs: list[_TurnJob]) -> list[Outcome]:
        """Ordinary turns of different users, in one executemany per table; each outcome is
        its rows, [] (already processed / no longer claimed) or a StaleStateError."""
        checks = await self.all(
            TURNS_CHECKS, (json.dumps([[j.user_id, j.update_id, j.checkin_id] for j in jobs]),)
        )
        outcomes: list[Outcome | None] = []
        writes: list[tuple[_TurnJob, _Prior]] = []
        last_outbox_id = int(checks[0][-1])
        for job, (seen, checkin, version, pending, sig, has_pending, unanswered, _) in zip(
            jobs, checks, strict=True
        ):
            if seen is not None or (job.checkin_id is not None and checkin != "claimed"):
                outcomes.append(([], False))
                continue
            try:
                _check_version(job, version)
            except StaleStateError as exc:
                outcomes.append((exc, True))
                continue
            prior = _Prior(version, pending, sig, bool(has_pending), bool(unanswered))
            writes.append((job, prior))
            outcomes.append(None)  # its rows, once written
        written = iter(await self.write_turns(writes, last_outbox_id))
        return [(next(written), False) if o is None else o for o in outcomes]

    async def write_turns(
        self, writes: list[tuple[_TurnJob, _Prior]], last_outbox_id: int
    ) -> list[list[OutboxRow]]:
        """The writes of ordinary turns: one executemany per table, in the order one turn
        writes them (state, milestones, history, check-ins, outbox, update id)."""
        if not writes:
            return []
        execute_many = self.conn.executemany
        await execute_many(
            UPSERT_USER, [_user_params(j, reactivate=j.checkin_id is None) for j, _ in writes]
        )
        changed = [j for j, prior in writes if j.milestones_sig != prior.milestones_sig]
        if changed:
            await execute_many(
                "DELETE FROM milestones WHERE user_id = ?", [(j.user_id,) for j in changed]
            )
            milestones = [row for j in changed for row in _milestone_params(j)]
            if milestones:
                await execute_many(INSERT_MILESTONE, milestones)
        answers = [
            (j.user_id, j.at, prior.pending, j.user_text)
            for j, prior in writes
            if j.user_text is not None
        ]
        if answers:
            await execute_many(INSERT_ANSWER, answers)
        closed = [(j.at, bool(j.turn.replies), j.checkin_id) for j, _ in writes if j.checkin_id]
        if closed:
            await execute_many(CLOSE_CHECKIN, closed)
        answered = [
            (j.at, j.user_id)
            for j, prior in writes
            if j.checkin_id is None and prior.has_unanswered_prompt
        ]
        if answered:
            await execute_many(ANSWER_CHECKINS, answered)
        moved, cancelled, added = [], [], []
        for job, prior in writes:
            for effect in job.turn.effects:
                if isinstance(effect, ScheduleCheckin):
                    values = _checkin_values(job, effect)
                    if prior.has_pending_checkin:
                        moved.append((*values, job.user_id))
                    else:
                        cancelled.append((job.user_id,))
                        added.append((job.user_id, *values))
                elif isinstance(effect, CancelCheckins):
                    cancelled.append((job.user_id,))
        for sql, params in (
            (RESCHEDULE_PENDING, moved),
            (CANCEL_LIVE_CHECKINS, cancelled),
            (INSERT_CHECKIN, added),
        ):
            if params:
                await execute_many(sql, params)
        outbox = []
        for job, prior in writes:
            for payload, key in zip(job.payloads, _reply_keys(job, prior.version), strict=True):
                outbox.append((job, payload, key))
        rows: dict[int, list[OutboxRow]] = {id(j): [] for j, _ in writes}
        if outbox:
            await execute_many(
                INSERT_OUTBOX,
                [(j.user_id, j.chat_id, p, k, j.at, False, None) for j, p, k in outbox],
            )
            # The group holds the write lock and outbox ids are AUTOINCREMENT: the rows of
            # one executemany get consecutive ids, after the last one given before it.
            first = last_outbox_id + 1
            for n, (job, payload, key) in enumerate(outbox):
                row = OutboxRow(
                    first + n,
                    job.user_id,
                    job.chat_id,
                    json.loads(payload),
                    key,
                    from_epoch(job.at),
                )
                rows[id(job)].append(row)
        processed = [(j.update_id, j.at) for j, _ in writes if j.update_id is not None]
        if processed:
            await execute_many(INSERT_PROCESSED, processed)
        await self.prune_if_due(max(j.at for j, _ in writes))
        return [rows[id(j)] for j, _ in writes]

    async def write_turn(self, job: _TurnJob, prior: _Prior) -> list[OutboxRow]:
        """State, history, check-in, effects and replies of an ordinary turn, one by one."""
        _check_version(job, prior.version)
        await self.conn.execute(UPSERT_USER, _user_params(job, reactivate=job.checkin_id is None))
        if job.milestones_sig != prior.milestones_sig:
            await self.conn.execute("DELETE FROM milestones WHERE user_id = ?", (job.user_id,))
            await self.conn.executemany(INSERT_MILESTONE, _milestone_params(job))
        if job.user_text is not None:
            await self.conn.execute(
                INSERT_ANSWER, (job.user_id, job.at, prior.pending, job.user_text)
            )
        if job.checkin_id is not None:
            await self.conn.execute(CLOSE_CHECKIN, (job.at, bool(job.turn.replies), job.checkin_id))
        else:
            await self.conn.execute(ANSWER_CHECKINS, (job.at, job.user_id))
        for effect in job.turn.effects:
            await self.apply_effect(job, effect)
        keys = _reply_keys(job, prior.version)
        return await self.insert_outbox(job.user_id, job.chat_id, job.payloads, keys, job.at)

    async def apply_effect(self, job: _TurnJob, effect: Effect) -> None:
        """One effect of a turn (ForgetUser is handled before, on its own)."""
        user_id = job.user_id
        if isinstance(effect, ScheduleCheckin):
            values = _checkin_values(job, effect)
            # The pending check-in (at most one) is moved in place: one index entry changes.
            # Else a claimed one (its prompt not yet committed) is superseded by a new row.
            moved = await self.conn.execute(RESCHEDULE_PENDING, (*values, user_id))
            if moved.rowcount == 0:
                await self.conn.execute(CANCEL_LIVE_CHECKINS, (user_id,))
                await self.conn.execute(INSERT_CHECKIN, (user_id, *values))
        elif isinstance(effect, CancelCheckins):
            await self.conn.execute(CANCEL_LIVE_CHECKINS, (user_id,))
        elif isinstance(effect, RequestHandoff | RelayToCounselor | CloseHandoff):
            await self.apply_handoff(job, effect)

    async def apply_handoff(
        self, job: _TurnJob, effect: RequestHandoff | RelayToCounselor | CloseHandoff
    ) -> None:
        """Open, relay to or close the user's handoff, and queue the counselor chats' message."""
        found = await self.one(
            "SELECT id FROM handoffs WHERE user_id = ? AND status = 'open' ORDER BY id DESC",
            (job.user_id,),
        )
        case = None if found is None else int(found[0])
        if isinstance(effect, RequestHandoff):
            if case is None:
                inserted = await self.conn.execute(
                    "INSERT INTO handoffs (user_id, summary, created_at) VALUES (?, ?, ?)",
                    (job.user_id, effect.summary, job.at),
                )
                case = inserted.lastrowid
            assert case is not None
            text = notices.request(case, effect.summary)
        elif case is None:
            return  # nothing open to relay to or close
        elif isinstance(effect, RelayToCounselor):
            text = notices.relay(case, effect.text)
        else:
            await self.conn.execute(
                "UPDATE handoffs SET status = 'closed', closed_at = ? WHERE id = ?", (job.at, case)
            )
            text = notices.closed(case, by_user=effect.by_user)
        payload = json.dumps(Reply(text).to_dict(), ensure_ascii=False)
        kind = type(effect).__name__
        for chat in job.counselor_chats:
            key = f"handoff:{case}:{job.turn.state.version}:{kind}:{chat}"
            await self.insert_outbox(None, chat, (payload,), (key,), job.at, handoff_id=case)

    async def forget(self, job: _TurnJob) -> list[OutboxRow]:
        """Delete every row about the user; queue the goodbye tied to no user, kept until sent."""
        await self.delete_user(job.user_id)
        batch = uuid.uuid4().hex
        keys = [f"forget:{batch}:{i}" for i in range(len(job.payloads))]
        return await self.insert_outbox(
            None, job.chat_id, job.payloads, keys, job.at, ephemeral=True
        )

    async def delete_user(self, user_id: int) -> None:
        """Every row about the user, and the messages about them sent to counselors."""
        await self.conn.execute(
            "DELETE FROM outbox WHERE handoff_id IN (SELECT id FROM handoffs WHERE user_id = ?)",
            (user_id,),
        )
        for table in (*USER_TABLES, "users"):
            await self.conn.execute(f"DELETE FROM {table} WHERE user_id = ?", (user_id,))
        self.scrub_due = True

    async def insert_outbox(
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
            cursor = await self.conn.execute(
                INSERT_OUTBOX, (user_id, chat_id, payload_json, key, at, ephemeral, handoff_id)
            )
            assert cursor.lastrowid is not None
            if ephemeral:
                self.ephemeral.add(cursor.lastrowid)
            payload = json.loads(payload_json)  # lists, not tuples: the shape a re-read has
            rows.append(OutboxRow(cursor.lastrowid, user_id, chat_id, payload, key, from_epoch(at)))
        return rows

    async def enqueue(
        self, user_id: int | None, chat_id: int, reply: Reply, key: str, at: int
    ) -> OutboxRow | None:
        """One message outside a turn, unless its dedup key is already queued."""
        if await self.one("SELECT 1 FROM outbox WHERE dedup_key = ?", (key,)) is not None:
            return None
        payload = json.dumps(reply.to_dict(), ensure_ascii=False)
        return (await self.insert_outbox(user_id, chat_id, (payload,), (key,), at))[0]

    # ---- check-ins and housekeeping -----------------------------------------------------

    async def claim_due_checkins(self, at: int, limit: int) -> list[CheckinRow]:
        """Pending and due -> claimed, oldest first."""
        rows = await self.all(
            f"SELECT {CHECKIN_COLUMNS} FROM checkins c JOIN users u USING (user_id)"
            " WHERE c.status = 'pending' AND c.due_at <= ? ORDER BY c.due_at, c.id LIMIT ?",
            (at, limit),
        )
        if rows:
            await self.conn.executemany(
                "UPDATE checkins SET status = 'claimed', claimed_at = ?, claims = claims + 1"
                " WHERE id = ?",
                [(at, r[0]) for r in rows],
            )
        return [checkin_row(r, claimed_at=at) for r in rows]

    async def prune_if_due(self, at: int) -> None:
        """Prune at most once an hour (from inside a turn's transaction)."""
        if self.last_prune is None or at - self.last_prune >= PRUNE_EVERY_SECONDS:
            await self.prune(at)

    async def prune(self, at: int) -> int:
        """Delete processed update ids older than a day."""
        self.last_prune = at
        sql = "DELETE FROM processed_updates WHERE at < ?"
        return (await self.conn.execute(sql, (at - PROCESSED_KEEP_SECONDS,))).rowcount


def _batched(call: _Call, ephemeral: set[int]) -> bool:
    """Whether a call can share a batch: an ordinary turn, or a sent mark of an ordinary row
    (a /forget goodbye is deleted when sent, on its own)."""
    if isinstance(call, _SettleCall):
        return call.outbox_id not in ephemeral
    return isinstance(call, _TurnCall) and call.job.batchable


def _plan(group: Sequence[_Call], ephemeral: set[int]) -> list[list[int]]:
    """A group cut into segments run in order: batches (a turn of a user or an update id
    already in the batch starts the next one) and single calls that cannot be batched."""
    plan: list[list[int]] = []
    batch: list[int] = []
    users: set[int] = set()
    updates: set[int | None] = set()
    for i, call in enumerate(group):
        if not _batched(call, ephemeral):
            if batch:
                plan.append(batch)
            plan.append([i])
            batch, users, updates = [], set(), set()
            continue
        if isinstance(call, _TurnCall):
            job = call.job
            if job.user_id in users or (job.update_id is not None and job.update_id in updates):
                plan.append(batch)
                batch, users, updates = [], set(), set()
            users.add(job.user_id)
            updates.add(job.update_id)
        batch.append(i)
    if batch:
        plan.append(batch)
    return plan


def _check_version(job: _TurnJob, stored: int | None) -> None:
    if stored is not None and job.turn.state.version < stored:
        raise StaleStateError(
            f"user {job.user_id}: turn state version {job.turn.state.version} is older than the"
            f" stored {stored}"
        )


def _reply_keys(job: _TurnJob, stored: int | None) -> list[str]:
    """The replies' dedup keys. A turn that keeps the version (the engine apologising for its
    own failure) still sends its replies: their keys get a unique suffix instead of clashing."""
    version = job.turn.state.version
    suffix = "" if stored is None or version > stored else f":{uuid.uuid4().hex}"
    return [f"{job.user_id}:{version}:{i}{suffix}" for i in range(len(job.payloads))]


def _user_params(job: _TurnJob, *, reactivate: bool) -> Params:
    """UPSERT_USER's values: the users row, then `reactivate` for its two CASEs."""
    row = user_values(
        job.turn.state,
        user_id=job.user_id,
        chat_id=job.chat_id,
        state_json=job.state_json,
        milestones_sig=job.milestones_sig,
        at=job.at,
        dialect="sqlite",
    )
    return (*row, reactivate, reactivate)


def _milestone_params(job: _TurnJob) -> list[tuple[Any, ...]]:
    return milestone_values(job.user_id, job.turn.state.milestones)


def _checkin_values(job: _TurnJob, effect: ScheduleCheckin) -> Params:
    """(due, kind, milestone, attempt, created) of a scheduled check-in."""
    attempt = job.turn.state.unanswered
    return (utc_epoch(effect.due), effect.kind, effect.milestone_id, attempt, job.at)


# ---- the read-only connections --------------------------------------------------------------


class _Reader:
    """A second, read-only connection for loads and reports (it sees committed rows only,
    and a long report never holds up a turn), and a third that checkpoints the WAL.

    The checkpointer runs a PASSIVE checkpoint a few times a second. PASSIVE never blocks the
    writer, so copying the WAL into the database file (and its fsync) happens there, not
    inside a user's commit: with SQLite's default, every ~60th commit paid ~25 ms for it.
    """

    def __init__(self, conn: aiosqlite.Connection, checkpointer: aiosqlite.Connection) -> None:
        self.conn = conn
        self._checkpointer = checkpointer
        self._task = asyncio.create_task(self._checkpoints(), name="pathways-db-checkpoints")

    @classmethod
    async def start(cls, path: Path) -> _Reader:
        """Open the read-only connections."""
        conn = await _connect_read_only(path)
        try:
            checkpointer = await _connect_read_only(path)
        except BaseException:
            await conn.close()
            raise
        return cls(conn, checkpointer)

    async def stop(self) -> None:
        """Stop checkpointing and close both connections."""
        self._task.cancel()
        with suppress(asyncio.CancelledError):
            await self._task
        await self._checkpointer.close()
        await self.conn.close()

    async def _checkpoints(self) -> None:
        while True:
            await asyncio.sleep(CHECKPOINT_EVERY_SECONDS)
            try:
                await self._checkpointer.execute_fetchall("PRAGMA wal_checkpoint(PASSIVE)")
            except sqlite3.Error:
                log.warning("background checkpoint failed; the writer will do it", exc_info=True)


async def _connect(path: str | Path) -> aiosqlite.Connection:
    """An aiosqlite connection in autocommit mode (we say BEGIN and COMMIT ourselves)."""
    conn = aiosqlite.connect(path, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000)
    # aiosqlite's thread is not a daemon: a bot that exits without closing the store (a
    # crash on the way out) would hang instead of exiting and being restarted.
    conn._thread.daemon = True
    return await conn


async def _connect_read_only(path: Path) -> aiosqlite.Connection:
    """A connection whose SQL cannot change data (SQLite refuses), but that may checkpoint."""
    conn = await _connect(path)
    try:
        await conn.execute("PRAGMA query_only = ON")
        await conn.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
    except BaseException:
        await conn.close()
        raise
    return conn


async def _all_rows(conn: aiosqlite.Connection, sql: str, params: Params = ()) -> list[Row]:
    """Every row of a query, as tuples."""
    return [tuple(r) for r in await conn.execute_fetchall(sql, params)]


async def _dicts(conn: aiosqlite.Connection, sql: str, params: Params = ()) -> list[dict[str, Any]]:
    """Rows as JSON-ready dicts (instants as ISO text, payloads parsed)."""
    async with conn.execute(sql, params) as cursor:
        names = [d[0] for d in cursor.description]
        rows = await cursor.fetchall()
    return [jsonable(dict(zip(names, row, strict=True))) for row in rows]


async def _export_user(conn: aiosqlite.Connection, user_id: int) -> dict[str, Any]:
    """Every row about the user, JSON-ready, from one snapshot."""
    own = not conn.in_transaction  # (the writer's connection is inside its group already)
    if own:
        await conn.execute("BEGIN")
    try:
        users = await _dicts(conn, "SELECT * FROM users WHERE user_id = ?", (user_id,))
        tables = {
            table: await _dicts(
                conn, f"SELECT * FROM {table} WHERE user_id = ? ORDER BY {order}", (user_id,)
            )
            for table, order in USER_TABLES.items()
        }
    finally:
        if own:
            await conn.execute("COMMIT")
    user = users[0] if users else None
    state = json.loads(user.pop("state_json")) if user else None
    return {"user_id": user_id, "user": user, "state": state, **tables}


async def _configure(conn: aiosqlite.Connection) -> None:
    """Connection settings: WAL, durability level, foreign keys, cache, checkpoints."""
    # WAL: readers never block the writer, and a commit is one append to the log.
    await conn.execute("PRAGMA journal_mode = WAL")
    # synchronous=NORMAL in WAL mode fsyncs at checkpoints, not at every commit. A crash of the
    # process (kill -9, an exception) loses nothing committed: the OS already has the WAL
    # pages. Only a power loss or an OS crash can lose the last few transactions, and the
    # database stays consistent either way. We accept that: Telegram then redelivers the
    # unconfirmed updates, or a user repeats one answer. FULL would cost an fsync per turn.
    await conn.execute("PRAGMA synchronous = NORMAL")
    await conn.execute("PRAGMA foreign_keys = ON")
    await conn.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
    await conn.execute(f"PRAGMA wal_autocheckpoint = {WRITER_CHECKPOINT_PAGES}")
    await conn.execute("PRAGMA journal_size_limit = 33554432")  # shrink a grown WAL to 32 MB
    # Deleted rows (a /forget) are overwritten with zeros, not left in free pages, whatever
    # the SQLite build's default is.
    await conn.execute("PRAGMA secure_delete = ON")


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


async def quick_check(conn: aiosqlite.Connection, path: str) -> None:
    """PRAGMA quick_check: raise DatabaseDamaged unless SQLite finds the file sound."""
    rows = [str(r[0]) for r in await conn.execute_fetchall("PRAGMA quick_check")]
    if rows != ["ok"]:
        raise DatabaseDamaged(damaged_message(path, "; ".join(rows[:3])))
