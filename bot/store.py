"""SQLite storage: one writer connection, one transaction per turn, forward migrations."""

from __future__ import annotations

import asyncio
import json
import logging
import re
import sqlite3
import time
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any, TypeVar

import aiosqlite

from dialogs.state import (
    CancelCheckins,
    DialogState,
    Effect,
    ForgetUser,
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
Params = Sequence[Any]
Row = tuple[Any, ...]


class StoreError(Exception):
    """The database cannot be used as it is (bad migrations, newer schema, misuse)."""


class StaleStateError(StoreError):
    """A turn's state is older than the one stored: it was computed from stale data."""


# ---- values ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OutboxRow:
    """One message waiting to be sent (or sent): a Reply as a dict, and delivery bookkeeping."""

    id: int
    user_id: int | None
    chat_id: int
    payload: dict[str, Any]
    dedup_key: str
    created_at: datetime
    sent_at: datetime | None = None
    telegram_message_id: int | None = None
    attempts: int = 0
    last_error: str | None = None

    @property
    def reply(self) -> Reply:
        """The payload as a Reply."""
        return Reply.from_dict(self.payload)


@dataclass(frozen=True, slots=True)
class CheckinRow:
    """One scheduled check-in, with the chat to send it to."""

    id: int
    user_id: int
    chat_id: int
    due_at: datetime
    kind: str
    milestone_id: str | None
    attempt: int
    status: str
    claimed_at: datetime | None
    claims: int


@dataclass(frozen=True, slots=True)
class Migration:
    """One forward schema step: bot/migrations/NNNN_name.sql."""

    version: int
    name: str
    sql: str


# ---- migrations -----------------------------------------------------------------------------

MIGRATION_FILE = re.compile(r"^(\d{4})_([A-Za-z0-9_]+)\.sql$")


def load_migrations(source: Traversable | None = None) -> tuple[Migration, ...]:
    """The migrations in a folder (default: the bot.migrations package), checked 1..N."""
    folder = source if source is not None else resources.files("bot.migrations")
    found = []
    for entry in folder.iterdir():
        match = MIGRATION_FILE.match(entry.name)
        if match and entry.is_file():
            sql = entry.read_text(encoding="utf-8")
            found.append(Migration(int(match[1]), match[2], sql))
    found.sort(key=lambda m: m.version)
    versions = [m.version for m in found]
    if versions != list(range(1, len(found) + 1)):
        raise StoreError(f"migrations must be numbered 1..N without gaps, found {versions}")
    return tuple(found)


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


def to_epoch(moment: datetime) -> int:
    """A timezone-aware datetime as UTC epoch seconds (naive datetimes are refused)."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"naive datetime {moment.isoformat()}: pass an aware (UTC) datetime")
    return int(moment.timestamp())


def from_epoch(seconds: int) -> datetime:
    """UTC epoch seconds as an aware datetime."""
    return datetime.fromtimestamp(seconds, UTC)


def _maybe_time(seconds: int | None) -> datetime | None:
    return None if seconds is None else from_epoch(seconds)


def _utc_epoch(moment: datetime) -> int:
    """Engine-made times are UTC by contract (ScheduleCheckin.due); a naive one is read as UTC."""
    return to_epoch(moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC))


# ---- the store ------------------------------------------------------------------------------

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
    started_on, plan_made_on, last_seen, created_at, updated_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (user_id) DO UPDATE SET
    chat_id = excluded.chat_id, state_json = excluded.state_json,
    state_version = excluded.state_version, phase = excluded.phase, status = excluded.status,
    pending = excluded.pending, pathway_id = excluded.pathway_id,
    entry_step = excluded.entry_step, referral = excluded.referral,
    cadence_days = excluded.cadence_days, milestones_total = excluded.milestones_total,
    milestones_done = excluded.milestones_done, started_on = excluded.started_on,
    plan_made_on = excluded.plan_made_on, last_seen = excluded.last_seen,
    updated_at = excluded.updated_at,
    inactive = CASE WHEN ? THEN 0 ELSE inactive END,
    inactive_since = CASE WHEN ? THEN NULL ELSE inactive_since END
"""


CANCEL_LIVE_CHECKINS = (
    "UPDATE checkins SET status = 'cancelled'"
    " WHERE user_id = ? AND status IN ('pending', 'claimed')"
)


class Store:
    """The bot's storage. One connection is the single writer; every public call is one
    critical section, because statements of concurrent tasks on one connection would
    otherwise share (and see) each other's open transaction."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn
        self._lock = asyncio.Lock()
        self._last_prune: int | None = None
        self._closed = False
        self._in_flight: set[asyncio.Task[Any]] = set()

    # ---- lifecycle --------------------------------------------------------------------------

    @classmethod
    async def open(
        cls, path: Path | str, *, migrations: Sequence[Migration] | None = None
    ) -> Store:
        """Open (or create) the database and bring its schema up to date."""
        conn = await aiosqlite.connect(str(path), isolation_level=None)
        try:
            await _configure(conn)
            store = cls(conn)
            await store._migrate(load_migrations() if migrations is None else migrations)
        except BaseException:
            await conn.close()
            raise
        return store

    async def close(self) -> None:
        """Finish the writes in flight and close the connection (again: nothing happens)."""
        await asyncio.gather(*self._in_flight, return_exceptions=True)
        async with self._lock:
            if not self._closed:
                self._closed = True
                await self._conn.close()

    async def schema_version(self) -> int:
        """The highest migration applied."""
        async with self._lock:
            row = await self._one("SELECT COALESCE(MAX(version), 0) FROM schema_version")
        return int(row[0]) if row else 0

    async def _migrate(self, migrations: Sequence[Migration]) -> None:
        """Apply each migration newer than the database, one transaction each, in order."""
        await self._conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_version ("
            " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)"
        )
        newest = max((m.version for m in migrations), default=0)
        current = await self.schema_version()
        if current > newest:
            raise StoreError(f"database schema {current} is newer than this bot ({newest})")
        for migration in migrations:
            async with self._transaction():
                row = await self._one("SELECT COALESCE(MAX(version), 0) FROM schema_version")
                if row is not None and row[0] >= migration.version:
                    continue  # another process applied it meanwhile
                for statement in split_statements(migration.sql):
                    await self._conn.execute(statement)
                await self._conn.execute(
                    "INSERT INTO schema_version (version, name, applied_at) VALUES (?, ?, ?)",
                    (migration.version, migration.name, int(time.time())),
                )

    # ---- reads ------------------------------------------------------------------------------

    async def load_state(self, user_id: int) -> DialogState | None:
        """The user's saved dialog state, or None for someone new (or forgotten)."""
        async with self._lock:
            row = await self._one("SELECT state_json FROM users WHERE user_id = ?", (user_id,))
        return None if row is None else DialogState.from_json(row[0])

    async def is_processed(self, update_id: int) -> bool:
        """True when this Telegram update was already committed."""
        async with self._lock:
            row = await self._one(
                "SELECT 1 FROM processed_updates WHERE update_id = ?", (update_id,)
            )
        return row is not None

    async def user_ids(self) -> list[int]:
        """Every stored user id, ascending."""
        async with self._lock:
            rows = await self._all("SELECT user_id FROM users ORDER BY user_id")
        return [int(r[0]) for r in rows]

    async def count_users(self, *, include_inactive: bool = True) -> int:
        """How many users are stored."""
        sql = "SELECT COUNT(*) FROM users" + ("" if include_inactive else " WHERE inactive = 0")
        async with self._lock:
            row = await self._one(sql)
        return int(row[0]) if row else 0

    async def chat_id(self, user_id: int) -> int | None:
        """The private chat of a stored user."""
        async with self._lock:
            row = await self._one("SELECT chat_id FROM users WHERE user_id = ?", (user_id,))
        return None if row is None else int(row[0])

    async def read(self, sql: str, params: Params = ()) -> list[Row]:
        """Rows of a read-only query (SELECT or WITH), for figures and export."""
        if not sql.lstrip().upper().startswith(("SELECT", "WITH")):
            raise StoreError("read() runs SELECT queries only")
        async with self._lock:
            return await self._all(sql, params)

    async def pending_outbox(self, limit: int = 1000) -> list[OutboxRow]:
        """Unsent messages, oldest first (so each chat's messages come in commit order)."""
        async with self._lock:
            rows = await self._all(
                f"SELECT {OUTBOX_COLUMNS} FROM outbox"
                " WHERE sent_at IS NULL AND dropped_at IS NULL ORDER BY id LIMIT ?",
                (limit,),
            )
        return [_outbox_row(r) for r in rows]

    async def export_user(self, user_id: int) -> dict[str, Any]:
        """Everything stored about one user, JSON-ready (for /mydata)."""
        async with self._lock:
            users = await self._dicts("SELECT * FROM users WHERE user_id = ?", (user_id,))
            tables = {
                table: await self._dicts(
                    f"SELECT * FROM {table} WHERE user_id = ? ORDER BY {order}", (user_id,)
                )
                for table, order in USER_TABLES.items()
            }
        user = users[0] if users else None
        state = json.loads(user.pop("state_json")) if user else None
        return {"user_id": user_id, "user": user, "state": state, **tables}

    # ---- the turn ---------------------------------------------------------------------------

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
    ) -> list[OutboxRow]:
        """Save a turn in ONE transaction: state, history, outbox, effects, update id, check-in.

        Returns the outbox rows inserted; [] when the update was already processed or the
        check-in is no longer claimed (then nothing is written).
        """
        at = to_epoch(now)

        async def work() -> list[OutboxRow]:
            async with self._transaction():
                if not await self._turn_is_new(update_id, checkin_id, user_id):
                    return []
                rows = await self._write_turn(user_id, chat_id, turn, user_text, at, checkin_id)
                if update_id is not None:
                    await self._conn.execute(
                        "INSERT INTO processed_updates (update_id, at) VALUES (?, ?)",
                        (update_id, at),
                    )
            await self._prune_now_and_then(at)
            return rows

        return await self._guarded(work)

    async def _turn_is_new(self, update_id: int | None, checkin_id: int | None, uid: int) -> bool:
        """False for a redelivered update, or a check-in no longer claimed for this user."""
        if update_id is not None:
            seen = await self._one(
                "SELECT 1 FROM processed_updates WHERE update_id = ?", (update_id,)
            )
            if seen is not None:
                return False
        if checkin_id is not None:
            row = await self._one(
                "SELECT 1 FROM checkins WHERE id = ? AND user_id = ? AND status = 'claimed'",
                (checkin_id, uid),
            )
            if row is None:
                return False
        return True

    async def _write_turn(
        self,
        user_id: int,
        chat_id: int,
        turn: Turn,
        user_text: str | None,
        at: int,
        checkin_id: int | None,
    ) -> list[OutboxRow]:
        """The writes of one turn, inside the caller's transaction."""
        if any(isinstance(e, ForgetUser) for e in turn.effects):
            await self._forget(user_id)
            return await self._enqueue_goodbye(chat_id, turn.replies, at)
        prior = await self._one(
            "SELECT state_version, pending FROM users WHERE user_id = ?", (user_id,)
        )
        version = turn.state.version
        if prior is not None and version < prior[0]:
            raise StaleStateError(
                f"user {user_id}: turn state version {version} is older than stored {prior[0]}"
            )
        await self._save_state(user_id, chat_id, turn.state, at, reactivate=checkin_id is None)
        if user_text is not None:
            await self._conn.execute(
                "INSERT INTO answers (user_id, at, pending, text) VALUES (?, ?, ?, ?)",
                (user_id, at, prior[1] if prior else None, user_text),
            )
        await self._close_checkin(user_id, checkin_id, at)
        await self._apply_effects(user_id, turn, at)
        advanced = prior is None or version > prior[0]
        suffix = "" if advanced else f":{uuid.uuid4().hex}"
        keys = [f"{user_id}:{version}:{i}{suffix}" for i in range(len(turn.replies))]
        return await self._enqueue_all(user_id, chat_id, turn.replies, keys, at)

    async def _save_state(
        self, user_id: int, chat_id: int, state: DialogState, at: int, *, reactivate: bool
    ) -> None:
        """Upsert the user row (state JSON and its denormalised columns) and milestones."""
        done = sum(1 for m in state.milestones if m.done)
        await self._conn.execute(
            UPSERT_USER,
            (
                user_id,
                chat_id,
                state.to_json(),
                state.version,
                str(state.phase),
                str(state.status),
                state.pending,
                state.pathway_id,
                state.entry_step,
                state.referral,
                state.cadence_days,
                len(state.milestones),
                done,
                _iso(state.started_on),
                _iso(state.plan_made_on),
                None if state.last_seen is None else _utc_epoch(state.last_seen),
                at,
                at,
                reactivate,
                reactivate,
            ),
        )
        await self._conn.execute("DELETE FROM milestones WHERE user_id = ?", (user_id,))
        if state.milestones:
            await self._conn.executemany(
                "INSERT INTO milestones (user_id, position, milestone_id, title, step, target,"
                " done_on) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [
                    (user_id, i, m.id, m.title, m.step, m.target.isoformat(), _iso(m.done_on))
                    for i, m in enumerate(state.milestones)
                ],
            )

    async def _close_checkin(self, user_id: int, checkin_id: int | None, at: int) -> None:
        """A check-in turn completes its claim; a user's own turn answers any sent prompt."""
        if checkin_id is not None:
            await self._conn.execute(
                "UPDATE checkins SET status = 'done', done_at = ? WHERE id = ?", (at, checkin_id)
            )
        else:
            await self._conn.execute(
                "UPDATE checkins SET answered_at = ?"
                " WHERE user_id = ? AND status = 'done' AND answered_at IS NULL",
                (at, user_id),
            )

    async def _apply_effects(self, user_id: int, turn: Turn, at: int) -> None:
        """Carry out the turn's effects in order (ForgetUser is handled before)."""
        for effect in turn.effects:
            await self._apply_effect(user_id, effect, turn.state.unanswered, at)

    async def _apply_effect(self, user_id: int, effect: Effect, attempt: int, at: int) -> None:
        if isinstance(effect, ScheduleCheckin):
            await self._cancel_live_checkins(user_id)
            await self._conn.execute(
                "INSERT INTO checkins (user_id, due_at, kind, milestone_id, attempt, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (user_id, _utc_epoch(effect.due), effect.kind, effect.milestone_id, attempt, at),
            )
        elif isinstance(effect, CancelCheckins):
            await self._cancel_live_checkins(user_id)
        elif isinstance(effect, RequestHandoff):
            await self._conn.execute(
                "INSERT INTO handoffs (user_id, summary, created_at) VALUES (?, ?, ?)",
                (user_id, effect.summary, at),
            )

    async def _cancel_live_checkins(self, user_id: int) -> None:
        """Cancel the user's pending check-in, and a claimed one whose turn has not committed."""
        await self._conn.execute(CANCEL_LIVE_CHECKINS, (user_id,))

    async def _forget(self, user_id: int) -> None:
        """Delete every row about the user."""
        for table in (*USER_TABLES, "users"):
            await self._conn.execute(f"DELETE FROM {table} WHERE user_id = ?", (user_id,))

    async def _enqueue_goodbye(
        self, chat_id: int, replies: Sequence[Reply], at: int
    ) -> list[OutboxRow]:
        """The replies of a /forget turn: tied to no user, deleted once sent."""
        batch = uuid.uuid4().hex
        keys = [f"forget:{batch}:{i}" for i in range(len(replies))]
        return await self._enqueue_all(None, chat_id, replies, keys, at, ephemeral=True)

    async def _enqueue_all(
        self,
        user_id: int | None,
        chat_id: int,
        replies: Sequence[Reply],
        keys: Sequence[str],
        at: int,
        *,
        ephemeral: bool = False,
    ) -> list[OutboxRow]:
        """Insert one outbox row per reply, in order."""
        rows = []
        for reply, key in zip(replies, keys, strict=True):
            payload_json = json.dumps(reply.to_dict(), ensure_ascii=False)
            cursor = await self._conn.execute(
                "INSERT INTO outbox (user_id, chat_id, payload_json, dedup_key, created_at,"
                " ephemeral) VALUES (?, ?, ?, ?, ?, ?)",
                (user_id, chat_id, payload_json, key, at, ephemeral),
            )
            payload = json.loads(payload_json)  # the same lists-not-tuples shape as a re-read
            outbox_id = cursor.lastrowid
            await cursor.close()
            assert outbox_id is not None
            rows.append(OutboxRow(outbox_id, user_id, chat_id, payload, key, from_epoch(at)))
        return rows

    # ---- other writes -----------------------------------------------------------------------

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
        at = to_epoch(now)

        async def work() -> OutboxRow | None:
            async with self._transaction():
                exists = await self._one("SELECT 1 FROM outbox WHERE dedup_key = ?", (key,))
                if exists is not None:
                    return None
                rows = await self._enqueue_all(user_id, chat_id, (reply,), (key,), at)
            return rows[0]

        return await self._guarded(work)

    async def mark_sent(
        self, outbox_id: int, telegram_message_id: int | None, now: datetime
    ) -> None:
        """Record that a message was delivered (a /forget goodbye is deleted instead)."""
        at = to_epoch(now)
        await self._write(
            ("DELETE FROM outbox WHERE id = ? AND ephemeral = 1", (outbox_id,)),
            (
                "UPDATE outbox SET sent_at = ?, telegram_message_id = ? WHERE id = ?",
                (at, telegram_message_id, outbox_id),
            ),
        )

    async def mark_failed(self, outbox_id: int, error: str) -> None:
        """Count a failed send attempt (the row stays pending for a retry)."""
        await self._write(
            (
                "UPDATE outbox SET attempts = attempts + 1, last_error = ? WHERE id = ?",
                (error[:MAX_ERROR_CHARS], outbox_id),
            )
        )

    async def drop_outbox(self, outbox_id: int, error: str, now: datetime) -> None:
        """Give up on a message for good (a permanent error): it is never sent."""
        await self._write(
            (
                "UPDATE outbox SET attempts = attempts + 1, last_error = ?, dropped_at = ?"
                " WHERE id = ? AND sent_at IS NULL",
                (error[:MAX_ERROR_CHARS], to_epoch(now), outbox_id),
            )
        )

    async def mark_inactive(self, user_id: int, now: datetime) -> None:
        """The user blocked the bot: flag them, cancel their check-ins, drop unsent messages."""
        at = to_epoch(now)
        await self._write(
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

    async def add_referral_code(
        self, code: str, name: str, *, created_by: int | None, now: datetime
    ) -> bool:
        """Create a referral code; False when the code is already taken."""
        changed = await self._write(
            (
                "INSERT INTO referral_codes (code, name, created_by, created_at)"
                " VALUES (?, ?, ?, ?) ON CONFLICT (code) DO NOTHING",
                (code, name, created_by, to_epoch(now)),
            )
        )
        return changed == 1

    async def referral_name(self, code: str) -> str | None:
        """The name behind a referral code, or None for an unknown code."""
        async with self._lock:
            row = await self._one("SELECT name FROM referral_codes WHERE code = ?", (code,))
        return None if row is None else str(row[0])

    # ---- check-ins --------------------------------------------------------------------------

    async def claim_due_checkins(self, now: datetime, limit: int) -> list[CheckinRow]:
        """Claim up to `limit` pending check-ins due by `now`, oldest first, atomically."""
        at = to_epoch(now)

        async def work() -> list[Row]:
            async with self._transaction():
                rows = await self._all(
                    f"SELECT {CHECKIN_COLUMNS} FROM checkins c JOIN users u USING (user_id)"
                    " WHERE c.status = 'pending' AND c.due_at <= ?"
                    " ORDER BY c.due_at, c.id LIMIT ?",
                    (at, limit),
                )
                await self._conn.executemany(
                    "UPDATE checkins SET status = 'claimed', claimed_at = ?, claims = claims + 1"
                    " WHERE id = ?",
                    [(at, r[0]) for r in rows],
                )
            return rows

        rows = await self._guarded(work)
        return [_checkin_row(r, status="claimed", claimed_at=at) for r in rows]

    async def release_claim(self, checkin_id: int) -> None:
        """Put a claimed check-in back to pending (its turn failed; a later sweep retries)."""
        await self._write(
            (
                "UPDATE checkins SET status = 'pending', claimed_at = NULL"
                " WHERE id = ? AND status = 'claimed'",
                (checkin_id,),
            )
        )

    async def release_stale_claims(self, older_than: datetime) -> int:
        """Claims older than `older_than` (their sweeper crashed) go back to pending."""
        return await self._write(
            (
                "UPDATE checkins SET status = 'pending', claimed_at = NULL"
                " WHERE status = 'claimed' AND claimed_at < ?",
                (to_epoch(older_than),),
            )
        )

    async def pending_checkins(self, user_id: int) -> list[CheckinRow]:
        """The user's live (pending or claimed) check-ins."""
        async with self._lock:
            rows = await self._all(
                f"SELECT {CHECKIN_COLUMNS} FROM checkins c JOIN users u USING (user_id)"
                " WHERE c.user_id = ? AND c.status IN ('pending', 'claimed') ORDER BY c.due_at",
                (user_id,),
            )
        return [_checkin_row(r) for r in rows]

    # ---- housekeeping -----------------------------------------------------------------------

    async def prune(self, now: datetime) -> int:
        """Forget processed update ids older than a day; returns how many went."""
        at = to_epoch(now)
        return await self._guarded(lambda: self._prune(at))

    async def integrity_check(self) -> str:
        """SQLite's PRAGMA integrity_check result ('ok' when the file is sound)."""
        async with self._lock:
            rows = await self._all("PRAGMA integrity_check")
        return "\n".join(str(r[0]) for r in rows)

    async def _prune_now_and_then(self, at: int) -> None:
        if self._last_prune is None or at - self._last_prune >= PRUNE_EVERY_SECONDS:
            await self._prune(at)

    async def _prune(self, at: int) -> int:
        self._last_prune = at
        cursor = await self._conn.execute(
            "DELETE FROM processed_updates WHERE at < ?", (at - PROCESSED_KEEP_SECONDS,)
        )
        gone = cursor.rowcount
        await cursor.close()
        return gone

    # ---- low level --------------------------------------------------------------------------

    def _transaction(self) -> _Transaction:
        return _Transaction(self._conn)

    async def _guarded(self, work: Callable[[], Awaitable[T]]) -> T:
        """Run `work` under the lock, to its end even if the caller is cancelled meanwhile,
        so a transaction is never left open (the caller still sees the cancellation)."""

        async def locked() -> T:
            async with self._lock:
                return await work()

        task = asyncio.ensure_future(locked())
        self._in_flight.add(task)
        task.add_done_callback(self._settle)
        try:
            return await asyncio.shield(task)
        except asyncio.CancelledError:
            task.add_done_callback(_log_abandoned_failure)
            raise

    def _settle(self, task: asyncio.Task[Any]) -> None:
        """Forget a finished write; its outcome went to the caller (or to the log)."""
        self._in_flight.discard(task)
        if not task.cancelled():
            task.exception()

    async def _write(self, *steps: tuple[str, Params]) -> int:
        """Run (sql, params) steps in one transaction; returns the last step's rowcount."""

        async def work() -> int:
            changed = 0
            async with self._transaction():
                for sql, params in steps:
                    async with self._conn.execute(sql, params) as cursor:
                        changed = cursor.rowcount
            return changed

        return await self._guarded(work)

    async def _all(self, sql: str, params: Params = ()) -> list[Row]:
        async with self._conn.execute(sql, params) as cursor:
            return [tuple(r) for r in await cursor.fetchall()]

    async def _one(self, sql: str, params: Params = ()) -> Row | None:
        async with self._conn.execute(sql, params) as cursor:
            row = await cursor.fetchone()
        return None if row is None else tuple(row)

    async def _dicts(self, sql: str, params: Params = ()) -> list[dict[str, Any]]:
        """Rows as JSON-ready dicts (instants as ISO text, payloads parsed)."""
        async with self._conn.execute(sql, params) as cursor:
            names = [d[0] for d in cursor.description]
            rows = await cursor.fetchall()
        return [_jsonable(dict(zip(names, row, strict=True))) for row in rows]


class _Transaction:
    """BEGIN IMMEDIATE ... COMMIT, or ROLLBACK on any error (the write lock is taken up front,
    so a transaction never fails half-way on a lock upgrade)."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn

    async def __aenter__(self) -> None:
        await self._conn.execute("BEGIN IMMEDIATE")

    async def __aexit__(self, exc_type: type[BaseException] | None, *_: object) -> None:
        if exc_type is None:
            try:
                await self._conn.execute("COMMIT")
                return
            except BaseException:
                await self._conn.execute("ROLLBACK")
                raise
        await self._conn.execute("ROLLBACK")


async def _configure(conn: aiosqlite.Connection) -> None:
    """Connection settings: WAL, durability level, foreign keys, lock waiting."""
    await conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    # WAL: readers never block the writer, and a commit is one append to the log.
    await conn.execute("PRAGMA journal_mode = WAL")
    # synchronous=NORMAL in WAL mode fsyncs at checkpoints, not at every commit. A crash of the
    # process (kill -9, exception) loses nothing that was committed: the OS has the WAL pages.
    # Only a power loss or kernel crash can lose the last few transactions; the database stays
    # consistent either way. We accept that: such a loss means Telegram redelivers the
    # unconfirmed updates, or the user repeats one answer. FULL would cost an fsync per turn.
    await conn.execute("PRAGMA synchronous = NORMAL")
    await conn.execute("PRAGMA foreign_keys = ON")


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


def _checkin_row(r: Row, *, status: str | None = None, claimed_at: int | None = None) -> CheckinRow:
    return CheckinRow(
        id=r[0],
        user_id=r[1],
        chat_id=r[2],
        due_at=from_epoch(r[3]),
        kind=r[4],
        milestone_id=r[5],
        attempt=r[6],
        status=status or r[7],
        claimed_at=_maybe_time(claimed_at if claimed_at is not None else r[8]),
        claims=r[9] + (1 if status == "claimed" else 0),
    )


TIME_COLUMNS = re.compile(r"(_at|^at|^last_seen|_since)$")


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


def _log_abandoned_failure(task: asyncio.Task[Any]) -> None:
    """A write whose caller was cancelled failed: nobody else will hear of it."""
    if not task.cancelled() and task.exception() is not None:
        log.error(
            "a database write failed after its caller was cancelled", exc_info=task.exception()
        )
