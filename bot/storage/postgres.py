"""PostgreSQL storage (asyncpg): the same operations as `bot.storage.sqlite`, for several workers.

Several bot processes share one database, so what one process guaranteed by owning the file
is guaranteed here by the database:

- **One user at a time across processes.** A turn runs in one transaction that first takes
  `pg_advisory_xact_lock(user_id)`: load, handle and commit of a user's turns never overlap,
  whichever worker holds them, and the lock goes with the transaction (a killed worker's
  connection closes, its transaction rolls back, the lock is free).
- **An update is handled once.** `processed_updates.update_id` is the primary key, checked
  under the user's lock and written in the turn's transaction.
- **Check-ins are claimed once.** `FOR UPDATE SKIP LOCKED`: two sweepers never take the same
  row and never wait for each other.
- **Outbox in commit order.** Row ids are taken before commit, so with several writers a
  smaller id can commit later. The sender numbers committed rows (`seq`) as it finds them
  (`FOR UPDATE SKIP LOCKED`, oldest id first) and reads by that number, so a late commit is
  never skipped; a chat's rows, written under its user's lock, keep their order.
- **Senders are woken, not polling.** A turn that queues messages sends `NOTIFY
  pathways_outbox` in its transaction; `listen()` wakes the sender on commit.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import re
import secrets
import time
import uuid
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from datetime import datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import asyncpg

from bot.agency import notices
from bot.storage.base import (
    CHECKIN_COLUMNS,
    MAX_ERROR_CHARS,
    PROCESSED_KEEP_SECONDS,
    PRUNE_EVERY_SECONDS,
    USER_TABLES,
    CheckinRow,
    Migration,
    OutboxClaim,
    OutboxRow,
    Params,
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
    plain,
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

if TYPE_CHECKING:
    from asyncpg.pool import PoolConnectionProxy

    Conn = asyncpg.Connection[Any] | PoolConnectionProxy[Any]
    """A connection of our own or one lent by the pool."""
    Queryable = Conn | asyncpg.Pool[Any]

log = logging.getLogger(__name__)

CHANNEL = "pathways_outbox"
"""LISTEN/NOTIFY channel: a commit that queued messages."""
LOCK_CLASS = 0x50415448  # "PATH": the first key of the bot's two-key advisory locks
MIGRATE_LOCK = 1
"""Two-key advisory lock held while migrating (workers starting together migrate once)."""
SENDER_LOCK = 2
"""Two-key advisory lock held by the one sender of the fleet (see `bot.delivery.lease`)."""
POOL_SIZE = 10
SENDER_POOL_SIZE = 6
"""Connections of the sender's own pool (opened when this worker first sends): each message
being sent holds one, from its claim to its mark, so a mark never waits behind turns."""
CLAIM_OUTBOX = (
    "SELECT sent_at IS NULL AND dropped_at IS NULL FROM outbox WHERE id = $1 FOR UPDATE SKIP LOCKED"
)
STILL_UNSENT = (
    "SELECT EXISTS (SELECT 1 FROM outbox WHERE id = $1 AND sent_at IS NULL AND dropped_at IS NULL)"
)

OUTBOX_COLUMNS = (
    "id, user_id, chat_id, payload_json, dedup_key, created_at, sent_at, "
    "telegram_message_id, attempts, last_error, seq"
)
UPSERT_USER = """
INSERT INTO users (user_id, chat_id, state_json, state_version, phase, status, pending,
    pathway_id, entry_step, referral, cadence_days, milestones_total, milestones_done,
    started_on, plan_made_on, last_seen, milestones_sig, created_at, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)
ON CONFLICT (user_id) DO UPDATE SET
    chat_id = excluded.chat_id, state_json = excluded.state_json,
    state_version = excluded.state_version, phase = excluded.phase, status = excluded.status,
    pending = excluded.pending, pathway_id = excluded.pathway_id,
    entry_step = excluded.entry_step, referral = excluded.referral,
    cadence_days = excluded.cadence_days, milestones_total = excluded.milestones_total,
    milestones_done = excluded.milestones_done, started_on = excluded.started_on,
    plan_made_on = excluded.plan_made_on, last_seen = excluded.last_seen,
    milestones_sig = excluded.milestones_sig, updated_at = excluded.updated_at,
    inactive = CASE WHEN $20::boolean THEN 0 ELSE users.inactive END,
    inactive_since = CASE WHEN $20::boolean THEN NULL ELSE users.inactive_since END
"""
TURN_CHECKS = """
SELECT (SELECT 1 FROM processed_updates WHERE update_id = $1::bigint),
       (SELECT status FROM checkins WHERE id = $2::bigint AND user_id = $3),
       u.state_version, u.pending, u.milestones_sig
FROM (SELECT 1) AS one LEFT JOIN users u ON u.user_id = $3
"""
INSERT_OUTBOX = (
    "INSERT INTO outbox"
    " (user_id, chat_id, payload_json, dedup_key, created_at, ephemeral, handoff_id)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id"
)
CANCEL_LIVE_CHECKINS = (
    "UPDATE checkins SET status = 'cancelled'"
    " WHERE user_id = $1 AND status IN ('pending', 'claimed')"
)
RESCHEDULE_PENDING = (
    "UPDATE checkins SET due_at = $1, kind = $2, milestone_id = $3, attempt = $4,"
    " created_at = $5, claims = 0 WHERE user_id = $6 AND status = 'pending'"
)
INSERT_CHECKIN = (
    "INSERT INTO checkins (user_id, due_at, kind, milestone_id, attempt, created_at)"
    " VALUES ($1, $2, $3, $4, $5, $6)"
)
INSERT_MILESTONE = (
    "INSERT INTO milestones (user_id, position, milestone_id, title, step, target, done_on)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7)"
)
NUMBER_OUTBOX = """
UPDATE outbox o SET seq = n.seq
FROM (SELECT id, nextval('outbox_seq') AS seq
      FROM (SELECT id FROM outbox WHERE seq IS NULL ORDER BY id
            FOR UPDATE SKIP LOCKED) AS committed) AS n
WHERE o.id = n.id
"""
CLAIM_DUE = f"""
WITH due AS (
    SELECT id FROM checkins WHERE status = 'pending' AND due_at <= $1
    ORDER BY due_at, id LIMIT $2 FOR UPDATE SKIP LOCKED
), claimed AS (
    UPDATE checkins c SET status = 'claimed', claimed_at = $1, claims = c.claims + 1
    FROM due WHERE c.id = due.id RETURNING c.*
)
SELECT {CHECKIN_COLUMNS} FROM claimed c JOIN users u USING (user_id) ORDER BY c.due_at, c.id
"""
PLACEHOLDER = re.compile(r"'(?:[^']|'')*'|\?(\d*)")


@lru_cache(maxsize=256)
def to_dollar_params(sql: str) -> str:
    """SQLite's `?` and `?N` placeholders as PostgreSQL's `$N` (string literals untouched)."""
    count = 0

    def swap(match: re.Match[str]) -> str:
        nonlocal count
        if match[0].startswith("'"):
            return match[0]
        if match[1]:
            return f"${match[1]}"
        count += 1
        return f"${count}"

    return PLACEHOLDER.sub(swap, sql)


def _changed(status: str) -> int:
    """The row count of an asyncpg status string such as 'UPDATE 3'."""
    last = status.rsplit(" ", 1)[-1]
    return int(last) if last.isdigit() else 0


class PgStore(SharedReads):
    """The bot's storage on PostgreSQL: each operation one transaction on a pooled connection."""

    dialect = "postgresql"

    def __init__(self, pool: asyncpg.Pool, dsn: str) -> None:
        self._pool = pool
        self._dsn = dsn
        self._closed = False
        self._last_prune: int | None = None
        self._sender_pool: asyncpg.Pool | None = None
        self._sender_pool_made = asyncio.Lock()

    @classmethod
    async def open(
        cls, dsn: str, *, migrations: Sequence[Migration] | None = None, pool_size: int = POOL_SIZE
    ) -> PgStore:
        """Connect and bring the schema up to date (one worker migrates, the others wait)."""
        steps = load_migrations(engine="postgresql") if migrations is None else tuple(migrations)
        pool = await asyncpg.create_pool(dsn, min_size=1, max_size=pool_size)
        try:
            async with pool.acquire() as conn:
                await _migrate(conn, steps)
        except BaseException:
            await pool.close()
            raise
        return cls(pool, dsn)

    async def close(self) -> None:
        """Wait for the operations in flight, then close the pool (twice is harmless)."""
        if self._closed:
            return
        self._closed = True
        if self._sender_pool is not None:
            await self._sender_pool.close()
        await self._pool.close()

    def _check(self) -> None:
        if self._closed:
            raise StoreError("the store is closed")

    async def _senders(self) -> asyncpg.Pool:
        """The sender's own pool (made on first use: only the fleet's sender needs it)."""
        self._check()
        async with self._sender_pool_made:
            if self._sender_pool is None:
                self._sender_pool = await asyncpg.create_pool(
                    self._dsn, min_size=1, max_size=SENDER_POOL_SIZE
                )
        return self._sender_pool

    # ---- reads --------------------------------------------------------------------------

    async def schema_version(self) -> int:
        """The highest migration applied."""
        self._check()
        sql = "SELECT COALESCE(MAX(version), 0) FROM schema_version"
        return int(await self._pool.fetchval(sql))

    async def load_state(self, user_id: int) -> DialogState | None:
        """The user's saved dialog state, or None for someone new (or forgotten)."""
        self._check()
        return await _load_state(self._pool, user_id)

    async def is_processed(self, update_id: int) -> bool:
        """True when this Telegram update was already committed."""
        self._check()
        return await _is_processed(self._pool, update_id)

    async def is_inactive(self, user_id: int) -> bool:
        """Whether the user is flagged inactive (a 403: they had blocked the bot)."""
        self._check()
        return await _is_inactive(self._pool, user_id)

    @asynccontextmanager
    async def user_turn(self, user_id: int) -> AsyncIterator[TurnSession]:
        """One transaction holding the user's advisory lock: the turn loads, the engine
        handles, the turn commits, and no other worker touches this user meanwhile."""
        self._check()
        async with self._pool.acquire() as conn, conn.transaction():
            await conn.execute("SELECT pg_advisory_xact_lock($1::bigint)", user_id)
            yield _Session(self, conn)

    async def read(self, sql: str, params: Params = ()) -> list[Row]:
        """Rows of a read-only query (SELECT or WITH), `?` placeholders as in SQLite; run in a
        READ ONLY transaction, so it cannot change data."""
        self._check()
        if not sql.lstrip().upper().startswith(("SELECT", "WITH")):
            raise StoreError("read() runs SELECT queries only")
        try:
            async with self._pool.acquire() as conn, conn.transaction(readonly=True):
                rows = await conn.fetch(to_dollar_params(sql), *params)
        except asyncpg.ReadOnlySQLTransactionError as exc:
            raise StoreError(f"read() cannot change data: {exc}") from exc
        return [tuple(r) for r in rows]

    async def pending_outbox(self, limit: int = 1000, after: int = 0) -> list[OutboxRow]:
        """Unsent messages in commit order (`seq`), only those numbered above `after`.
        Committed rows not yet numbered are numbered first."""
        async with (await self._senders()).acquire() as conn:
            async with conn.transaction():
                await conn.execute(NUMBER_OUTBOX)
            rows = await conn.fetch(
                f"SELECT {OUTBOX_COLUMNS} FROM outbox WHERE sent_at IS NULL"
                " AND dropped_at IS NULL AND seq > $1 ORDER BY seq LIMIT $2",
                after,
                limit,
            )
        return [outbox_row(r) for r in rows]

    async def pending_checkins(self, user_id: int) -> list[CheckinRow]:
        """The user's live (pending or claimed) check-ins."""
        rows = await self.read(
            f"SELECT {CHECKIN_COLUMNS} FROM checkins c JOIN users u USING (user_id)"
            " WHERE c.user_id = ? AND c.status IN ('pending', 'claimed') ORDER BY c.due_at",
            (user_id,),
        )
        return [checkin_row(r) for r in rows]

    async def export_user(self, user_id: int) -> dict[str, Any]:
        """Everything stored about one user, JSON-ready (for /mydata), from one snapshot."""
        self._check()
        async with (
            self._pool.acquire() as conn,
            conn.transaction(isolation="repeatable_read", readonly=True),
        ):
            users = [
                jsonable(dict(r))
                for r in await conn.fetch("SELECT * FROM users WHERE user_id = $1", user_id)
            ]
            tables = {}
            for table, order in USER_TABLES.items():
                rows = await conn.fetch(
                    f"SELECT * FROM {table} WHERE user_id = $1 ORDER BY {order}", user_id
                )
                tables[table] = [jsonable(_sqlite_shape(dict(r))) for r in rows]
        user = users[0] if users else None
        state = json.loads(user.pop("state_json")) if user else None
        return {"user_id": user_id, "user": user, "state": state, **tables}

    async def integrity_check(self) -> str:
        """'ok' when the indexes are sound (amcheck, where installed) and the bot's own rules
        hold: at most one live check-in per user, no row about a user who is gone."""
        self._check()
        problems: list[str] = []
        async with self._pool.acquire() as conn:
            if await conn.fetchval("SELECT 1 FROM pg_extension WHERE extname = 'amcheck'"):
                indexes = await conn.fetch(
                    "SELECT c.oid, c.relname FROM pg_index i JOIN pg_class c"
                    " ON c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace"
                    " JOIN pg_am a ON a.oid = c.relam"
                    " WHERE n.nspname = current_schema() AND a.amname = 'btree'"
                )
                for index in indexes:
                    try:
                        await conn.execute("SELECT bt_index_check($1::regclass, true)", index[0])
                    except asyncpg.PostgresError as exc:
                        problems.append(f"index {index[1]}: {exc}")
            checks = {
                "users with more than one live check-in": (
                    "SELECT COUNT(*) FROM (SELECT user_id FROM checkins"
                    " WHERE status IN ('pending', 'claimed')"
                    " GROUP BY user_id HAVING COUNT(*) > 1) AS doubled"
                ),
                "outbox rows of users who are gone": (
                    "SELECT COUNT(*) FROM outbox o WHERE o.user_id IS NOT NULL"
                    " AND NOT EXISTS (SELECT 1 FROM users u WHERE u.user_id = o.user_id)"
                ),
                "unsent rows numbered twice": (
                    "SELECT COUNT(*) - COUNT(DISTINCT seq) FROM outbox WHERE seq IS NOT NULL"
                ),
            }
            for what, sql in checks.items():
                found = int(await conn.fetchval(sql))
                if found:
                    problems.append(f"{what}: {found}")
        return "\n".join(problems) or "ok"

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
        """Save a turn in ONE transaction, under the user's lock (see `user_turn`)."""
        async with self.user_turn(user_id) as held:
            return await held.commit_turn(
                user_id=user_id,
                chat_id=chat_id,
                turn=turn,
                update_id=update_id,
                user_text=user_text,
                now=now,
                checkin_id=checkin_id,
                counselor_chats=counselor_chats,
            )

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
        self._check()
        key = dedup_key or f"msg:{uuid.uuid4().hex}"
        at = to_epoch(now)
        payload = json.dumps(reply.to_dict(), ensure_ascii=False)
        async with self._pool.acquire() as conn, conn.transaction():
            found = await conn.fetchval(
                "INSERT INTO outbox (user_id, chat_id, payload_json, dedup_key, created_at)"
                " VALUES ($1, $2, $3, $4, $5) ON CONFLICT (dedup_key) DO NOTHING RETURNING id",
                user_id,
                chat_id,
                payload,
                key,
                at,
            )
            if found is None:
                return None
            await conn.execute("SELECT pg_notify($1, '')", CHANNEL)
        return OutboxRow(int(found), user_id, chat_id, json.loads(payload), key, from_epoch(at))

    async def mark_sent(
        self, outbox_id: int, telegram_message_id: int | None, now: datetime
    ) -> None:
        """Record that a message was delivered (a /forget goodbye is deleted instead)."""
        await self._write_sending(
            ("DELETE FROM outbox WHERE id = $1 AND ephemeral = 1", (outbox_id,)),
            (
                "UPDATE outbox SET sent_at = $1, telegram_message_id = $2 WHERE id = $3",
                (to_epoch(now), telegram_message_id, outbox_id),
            ),
        )

    async def mark_failed(self, outbox_id: int, error: str) -> None:
        """Count a failed send attempt (the row stays pending for a retry)."""
        await self._write_sending(
            (
                "UPDATE outbox SET attempts = attempts + 1, last_error = $1 WHERE id = $2",
                (error[:MAX_ERROR_CHARS], outbox_id),
            )
        )

    async def drop_outbox(self, outbox_id: int, error: str, now: datetime) -> None:
        """Give up on a message for good (a permanent error): it is never offered again (a
        /forget goodbye that cannot leave is deleted: it is the last trace of the chat id)."""
        await self._write_sending(
            ("DELETE FROM outbox WHERE id = $1 AND ephemeral = 1", (outbox_id,)),
            (
                "UPDATE outbox SET attempts = attempts + 1, last_error = $1, dropped_at = $2"
                " WHERE id = $3 AND sent_at IS NULL",
                (error[:MAX_ERROR_CHARS], to_epoch(now), outbox_id),
            ),
        )

    async def mark_inactive(self, user_id: int, now: datetime) -> None:
        """The user blocked the bot: flag them, cancel their check-ins, drop unsent messages."""
        at = to_epoch(now)
        await self._write_sending(
            (
                "UPDATE users SET inactive = 1, inactive_since = COALESCE(inactive_since, $1)"
                " WHERE user_id = $2",
                (at, user_id),
            ),
            (CANCEL_LIVE_CHECKINS, (user_id,)),
            (
                "UPDATE outbox SET dropped_at = $1, last_error = COALESCE(last_error, 'inactive')"
                " WHERE user_id = $2 AND sent_at IS NULL AND dropped_at IS NULL",
                (at, user_id),
            ),
        )

    # ---- check-ins ----------------------------------------------------------------------

    async def claim_due_checkins(self, now: datetime, limit: int) -> list[CheckinRow]:
        """Claim up to `limit` pending check-ins due by `now`, oldest first: rows another
        worker is claiming at this moment are skipped, not waited for."""
        self._check()
        async with self._pool.acquire() as conn, conn.transaction():
            rows = await conn.fetch(CLAIM_DUE, to_epoch(now), limit)
        return [checkin_row(tuple(r)) for r in rows]

    async def release_claim(self, checkin_id: int) -> None:
        """Put a claimed check-in back to pending (its turn failed; a later sweep retries)."""
        await self._write(
            (
                "UPDATE checkins SET status = 'pending', claimed_at = NULL"
                " WHERE id = $1 AND status = 'claimed'",
                (checkin_id,),
            )
        )

    async def release_stale_claims(self, older_than: datetime) -> int:
        """Claims made before `older_than` (their sweeper crashed) go back to pending."""
        return await self._write(
            (
                "UPDATE checkins SET status = 'pending', claimed_at = NULL"
                " WHERE status = 'claimed' AND claimed_at < $1",
                (to_epoch(older_than),),
            )
        )

    # ---- handoffs -----------------------------------------------------------------------

    # ---- referral codes and housekeeping ------------------------------------------------

    async def secret_key(self, name: str) -> bytes:
        """A random 32-byte key kept in the database under `name` (made on first use)."""
        self._check()
        async with self._pool.acquire() as conn, conn.transaction():
            await conn.execute(
                "INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING",
                f"key:{name}",
                secrets.token_hex(32),
            )
            value = await conn.fetchval("SELECT value FROM meta WHERE key = $1", f"key:{name}")
        return bytes.fromhex(str(value))

    async def add_referral_code(
        self, code: str, name: str, *, created_by: int | None, now: datetime
    ) -> bool:
        """Create a referral code; False when the code is already taken."""
        changed = await self._write(
            (
                "INSERT INTO referral_codes (code, name, created_by, created_at)"
                " VALUES ($1, $2, $3, $4) ON CONFLICT (code) DO NOTHING",
                (code, name, created_by, to_epoch(now)),
            )
        )
        return changed == 1

    async def dead_letter(
        self, update_id: int, reason: str, raw_json: str, failures: int, now: datetime
    ) -> bool:
        """Give up on an update: dead_letters row and processed_updates row, together."""
        at = to_epoch(now)
        return bool(
            await self._write(
                (
                    "INSERT INTO processed_updates (update_id, at) VALUES ($1, $2)"
                    " ON CONFLICT (update_id) DO NOTHING",
                    (update_id, at),
                ),
                (
                    "INSERT INTO dead_letters (update_id, reason, failures, raw_json, created_at)"
                    " VALUES ($1, $2, $3, $4, $5) ON CONFLICT (update_id) DO NOTHING",
                    (update_id, reason[:MAX_ERROR_CHARS], failures, raw_json, at),
                ),
            )
        )

    async def retention_notice(
        self, user_id: int, chat_id: int, reply: Reply, now: datetime
    ) -> None:
        """The notice and its mark on the user, in one transaction."""
        at = to_epoch(now)
        payload = json.dumps(reply.to_dict(), ensure_ascii=False)
        await self._write(
            ("UPDATE users SET retention_notice_at = $1 WHERE user_id = $2", (at, user_id)),
            (
                "INSERT INTO outbox (user_id, chat_id, payload_json, dedup_key, created_at)"
                " VALUES ($1, $2, $3, $4, $5) ON CONFLICT (dedup_key) DO NOTHING",
                (user_id, chat_id, payload, f"retention:{user_id}:{now.date().isoformat()}", at),
            ),
            ("SELECT pg_notify($1, '')", (CHANNEL,)),
        )

    async def delete_user(self, user_id: int) -> None:
        """Every row about the user, and the messages about them sent to counselors."""
        steps: list[tuple[str, Params]] = [
            (
                "DELETE FROM outbox WHERE handoff_id IN"
                " (SELECT id FROM handoffs WHERE user_id = $1)",
                (user_id,),
            )
        ]
        steps += [
            (f"DELETE FROM {table} WHERE user_id = $1", (user_id,))
            for table in (*USER_TABLES, "users")
        ]
        await self._write(*steps)

    async def prune(self, now: datetime) -> int:
        """Forget processed update ids older than a day; returns how many went."""
        at = to_epoch(now)
        self._last_prune = at
        return await self._write(
            ("DELETE FROM processed_updates WHERE at < $1", (at - PROCESSED_KEEP_SECONDS,))
        )

    def _prune_due(self, at: int) -> bool:
        if self._last_prune is None or at - self._last_prune >= PRUNE_EVERY_SECONDS:
            self._last_prune = at
            return True
        return False

    # ---- LISTEN/NOTIFY and locks --------------------------------------------------------

    @asynccontextmanager
    async def listen(self, on_commit: Callable[[], None]) -> AsyncIterator[None]:
        """Call `on_commit()` whenever any worker commits messages to the outbox."""
        conn: asyncpg.Connection = await asyncpg.connect(self._dsn)

        def notified(*_: Any) -> None:
            on_commit()

        try:
            await conn.add_listener(CHANNEL, notified)
            yield
        finally:
            await conn.close()

    async def try_lease(self, key: int) -> asyncpg.Connection | None:
        """A connection holding the session advisory lock (LOCK_CLASS, key), or None when
        another worker holds it. The lock lasts as long as the connection: close it to
        give the lease up; a killed worker's connection closes and frees it."""
        conn: asyncpg.Connection = await asyncpg.connect(
            self._dsn,  # pg_stat_activity shows which worker holds it
            server_settings={"application_name": f"pathways lease {key} pid {os.getpid()}"},
        )
        try:
            if await conn.fetchval("SELECT pg_try_advisory_lock($1, $2)", LOCK_CLASS, key):
                return conn
        except BaseException:
            await conn.close()
            raise
        await conn.close()
        return None

    async def import_rows(
        self, tables: dict[str, tuple[list[str], list[tuple[object, ...]]]]
    ) -> dict[str, int]:
        """Copy rows into empty tables, ids as they are, in ONE transaction (`migrate-db`);
        then the id counters continue after them and unsent messages keep their order."""
        self._check()
        counts: dict[str, int] = {}
        async with self._pool.acquire() as conn, conn.transaction():
            for table, (columns, rows) in tables.items():
                if await conn.fetchval(f"SELECT EXISTS (SELECT 1 FROM {table})"):
                    raise StoreError(f"the target database is not empty ({table} has rows)")
                if rows:
                    await conn.copy_records_to_table(table, columns=columns, records=rows)
                counts[table] = len(rows)
                if "id" in columns:
                    await conn.execute(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
                        f" COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)"
                    )
            await conn.execute("UPDATE outbox SET seq = id")  # SQLite's ids are commit order
            await conn.execute(
                "SELECT setval('outbox_seq', COALESCE((SELECT MAX(seq) FROM outbox), 0) + 1, false)"
            )
        return counts

    async def _write_sending(self, *steps: tuple[str, Params]) -> int:
        """`_write` on the sender's own pool (delivery's bookkeeping)."""
        return await self._write(*steps, pool=await self._senders())

    @asynccontextmanager
    async def claim_outbox(self, outbox_id: int) -> AsyncIterator[OutboxClaim]:
        """Hold the row (`FOR UPDATE SKIP LOCKED`) in a transaction on the sender's own pool
        while it is sent; a row another sender holds is "busy" (never sent by two at once:
        a sender that takes over from a dead one waits for the dead one's locks to go with
        its connection), a row sent or dropped meanwhile "done". The mark is written in the
        claim and committed as it ends: right after Telegram's answer, on a connection
        already held."""
        async with (await self._senders()).acquire() as conn:
            transaction = conn.transaction()
            await transaction.start()
            try:
                found = await conn.fetchrow(CLAIM_OUTBOX, outbox_id)
                if found is not None:
                    state = "mine" if found[0] else "done"
                else:
                    state = "busy" if await conn.fetchval(STILL_UNSENT, outbox_id) else "done"
                yield _PgClaim(conn, outbox_id, state)
            except BaseException:
                await transaction.rollback()
                raise
            await transaction.commit()

    async def _write(self, *steps: tuple[str, Params], pool: asyncpg.Pool | None = None) -> int:
        """Run (sql, params) steps in one transaction; returns the last step's row count."""
        self._check()
        changed = 0
        async with (pool or self._pool).acquire() as conn, conn.transaction():
            for sql, params in steps:
                changed = _changed(await conn.execute(sql, *params))
        return changed


class _PgClaim:
    """An outbox row held by this sender (see `PgStore.claim_outbox`)."""

    def __init__(self, conn: Conn, outbox_id: int, state: str) -> None:
        self.conn, self.outbox_id, self.state = conn, outbox_id, state

    async def mark_sent(self, telegram_message_id: int | None, now: datetime) -> None:
        """Mark it sent (a /forget goodbye is deleted instead), inside the claim."""
        if self.state != "mine":
            raise StoreError("only a claimed row is marked through its claim")
        deleted = await self.conn.execute(
            "DELETE FROM outbox WHERE id = $1 AND ephemeral = 1", self.outbox_id
        )
        if not _changed(deleted):
            await self.conn.execute(
                "UPDATE outbox SET sent_at = $1, telegram_message_id = $2 WHERE id = $3",
                to_epoch(now),
                telegram_message_id,
                self.outbox_id,
            )


class _Session:
    """A user's turn in progress: one connection inside its transaction, the user locked."""

    def __init__(self, store: PgStore, conn: Conn) -> None:
        self.store = store
        self.conn = conn

    async def is_processed(self, update_id: int) -> bool:
        return await _is_processed(self.conn, update_id)

    async def load_state(self, user_id: int) -> DialogState | None:
        return await _load_state(self.conn, user_id)

    async def is_inactive(self, user_id: int) -> bool:
        return await _is_inactive(self.conn, user_id)

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
        """Every write of a turn (see Storage.commit_turn), inside the session's transaction
        (a savepoint: a failure leaves the session's transaction usable, nothing written)."""
        job = _Job(
            user_id,
            chat_id,
            turn,
            update_id,
            user_text,
            to_epoch(now),
            checkin_id,
            turn.state.to_json(),
            tuple(json.dumps(r.to_dict(), ensure_ascii=False) for r in turn.replies),
            signature(turn.state.milestones),
            tuple(counselor_chats),
        )
        async with self.conn.transaction():
            rows = await self._commit(job)
        return rows

    async def _commit(self, job: _Job) -> list[OutboxRow]:
        c = self.conn
        found = await c.fetchrow(TURN_CHECKS, job.update_id, job.checkin_id, job.user_id)
        seen, checkin, version, pending, sig = found if found is not None else (None,) * 5
        if seen is not None or (job.checkin_id is not None and checkin != "claimed"):
            return []
        if any(isinstance(e, ForgetUser) for e in job.turn.effects):
            rows = await self._forget(job)
        else:
            rows = await self._write_turn(job, version, pending, sig)
        if job.update_id is not None:
            await c.execute(
                "INSERT INTO processed_updates (update_id, at) VALUES ($1, $2)",
                job.update_id,
                job.at,
            )
        if rows:
            await c.execute("SELECT pg_notify($1, '')", CHANNEL)
        if self.store._prune_due(job.at):
            await c.execute(
                "DELETE FROM processed_updates WHERE at < $1", job.at - PROCESSED_KEEP_SECONDS
            )
        return rows

    async def _write_turn(
        self, job: _Job, stored: int | None, pending: str | None, sig: str | None
    ) -> list[OutboxRow]:
        c, state = self.conn, job.turn.state
        if stored is not None and state.version < stored:
            raise StaleStateError(
                f"user {job.user_id}: turn state version {state.version} is older than the"
                f" stored {stored}"
            )
        reactivate = job.checkin_id is None
        row = user_values(
            state,
            user_id=job.user_id,
            chat_id=job.chat_id,
            state_json=job.state_json,
            milestones_sig=job.milestones_sig,
            at=job.at,
            dialect=PgStore.dialect,
        )
        await c.execute(UPSERT_USER, *row, reactivate)
        if job.milestones_sig != sig:
            await c.execute("DELETE FROM milestones WHERE user_id = $1", job.user_id)
            await c.executemany(INSERT_MILESTONE, milestone_values(job.user_id, state.milestones))
        if job.user_text is not None:
            await c.execute(
                "INSERT INTO answers (user_id, at, pending, text) VALUES ($1, $2, $3, $4)",
                job.user_id,
                job.at,
                pending,
                plain(job.user_text),
            )
        if job.checkin_id is not None:
            await c.execute(
                "UPDATE checkins SET status = 'done', done_at = $1, prompted = $2 WHERE id = $3",
                job.at,
                int(bool(job.turn.replies)),
                job.checkin_id,
            )
        else:
            await c.execute(
                "UPDATE checkins SET answered_at = $1"
                " WHERE user_id = $2 AND status = 'done' AND answered_at IS NULL",
                job.at,
                job.user_id,
            )
        for effect in job.turn.effects:
            await self._effect(job, effect)
        suffix = "" if stored is None or state.version > stored else f":{uuid.uuid4().hex}"
        keys = [f"{job.user_id}:{state.version}:{i}{suffix}" for i in range(len(job.payloads))]
        return await self._insert_outbox(job.user_id, job.chat_id, job.payloads, keys, job.at)

    async def _effect(self, job: _Job, effect: Effect) -> None:
        c, user_id = self.conn, job.user_id
        if isinstance(effect, ScheduleCheckin):
            values = (
                utc_epoch(effect.due),
                effect.kind,
                effect.milestone_id,
                job.turn.state.unanswered,
                job.at,
            )
            if _changed(await c.execute(RESCHEDULE_PENDING, *values, user_id)) == 0:
                await c.execute(CANCEL_LIVE_CHECKINS, user_id)
                await c.execute(INSERT_CHECKIN, user_id, *values)
        elif isinstance(effect, CancelCheckins):
            await c.execute(CANCEL_LIVE_CHECKINS, user_id)
        elif isinstance(effect, RequestHandoff | RelayToCounselor | CloseHandoff):
            await self._handoff(job, effect)

    async def _handoff(
        self, job: _Job, effect: RequestHandoff | RelayToCounselor | CloseHandoff
    ) -> None:
        c = self.conn
        case = await c.fetchval(
            "SELECT id FROM handoffs WHERE user_id = $1 AND status = 'open' ORDER BY id DESC",
            job.user_id,
        )
        if isinstance(effect, RequestHandoff):
            if case is None:
                case = await c.fetchval(
                    "INSERT INTO handoffs (user_id, summary, created_at) VALUES ($1, $2, $3)"
                    " RETURNING id",
                    job.user_id,
                    plain(effect.summary),
                    job.at,
                )
            text = notices.request(int(case), effect.summary)
        elif case is None:
            return
        elif isinstance(effect, RelayToCounselor):
            text = notices.relay(int(case), effect.text)
        else:
            await c.execute(
                "UPDATE handoffs SET status = 'closed', closed_at = $1 WHERE id = $2", job.at, case
            )
            text = notices.closed(int(case), by_user=effect.by_user)
        payload = json.dumps(Reply(text).to_dict(), ensure_ascii=False)
        kind = type(effect).__name__
        for chat in job.counselor_chats:
            key = f"handoff:{case}:{job.turn.state.version}:{kind}:{chat}"
            await self._insert_outbox(None, chat, (payload,), (key,), job.at, handoff_id=int(case))

    async def _forget(self, job: _Job) -> list[OutboxRow]:
        c = self.conn
        await c.execute(
            "DELETE FROM outbox WHERE handoff_id IN (SELECT id FROM handoffs WHERE user_id = $1)",
            job.user_id,
        )
        for table in (*USER_TABLES, "users"):
            await c.execute(f"DELETE FROM {table} WHERE user_id = $1", job.user_id)
        batch = uuid.uuid4().hex
        keys = [f"forget:{batch}:{i}" for i in range(len(job.payloads))]
        return await self._insert_outbox(
            None, job.chat_id, job.payloads, keys, job.at, ephemeral=True
        )

    async def _insert_outbox(
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
        rows = []
        for payload_json, key in zip(payloads, keys, strict=True):
            new_id = await self.conn.fetchval(
                INSERT_OUTBOX, user_id, chat_id, payload_json, key, at, int(ephemeral), handoff_id
            )
            payload = json.loads(payload_json)
            rows.append(OutboxRow(int(new_id), user_id, chat_id, payload, key, from_epoch(at)))
        return rows


class _Job:
    """commit_turn's arguments, with the time as epoch seconds and the JSON encoded."""

    __slots__ = (
        "at",
        "chat_id",
        "checkin_id",
        "counselor_chats",
        "milestones_sig",
        "payloads",
        "state_json",
        "turn",
        "update_id",
        "user_id",
        "user_text",
    )

    def __init__(
        self,
        user_id: int,
        chat_id: int,
        turn: Turn,
        update_id: int | None,
        user_text: str | None,
        at: int,
        checkin_id: int | None,
        state_json: str,
        payloads: tuple[str, ...],
        milestones_sig: str,
        counselor_chats: tuple[int, ...],
    ) -> None:
        self.user_id, self.chat_id, self.turn = user_id, chat_id, turn
        self.update_id, self.user_text, self.at = update_id, user_text, at
        self.checkin_id, self.state_json, self.payloads = checkin_id, state_json, payloads
        self.milestones_sig, self.counselor_chats = milestones_sig, counselor_chats


# ---- helpers --------------------------------------------------------------------------------


async def _migrate(conn: Conn, migrations: Sequence[Migration]) -> None:
    """Apply each migration newer than the database, one transaction each, in order, while
    holding the migration lock (workers starting together: one migrates, the others wait)."""
    await conn.execute("SELECT pg_advisory_lock($1, $2)", LOCK_CLASS, MIGRATE_LOCK)
    try:
        await conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_version ("
            " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)"
        )
        newest = max((m.version for m in migrations), default=0)
        current = int(await conn.fetchval("SELECT COALESCE(MAX(version), 0) FROM schema_version"))
        if current > newest:
            raise StoreError(f"database schema {current} is newer than this bot ({newest})")
        for migration in migrations:
            if migration.version <= current:
                continue
            async with conn.transaction():
                await conn.execute(migration.sql)
                await conn.execute(
                    "INSERT INTO schema_version (version, name, applied_at) VALUES ($1, $2, $3)",
                    migration.version,
                    migration.name,
                    int(time.time()),
                )
    finally:
        await conn.execute("SELECT pg_advisory_unlock($1, $2)", LOCK_CLASS, MIGRATE_LOCK)


async def _load_state(conn: Queryable, user_id: int) -> DialogState | None:
    text = await conn.fetchval("SELECT state_json FROM users WHERE user_id = $1", user_id)
    return None if text is None else DialogState.from_json(text)


async def _is_processed(conn: Queryable, update_id: int) -> bool:
    found = await conn.fetchval("SELECT 1 FROM processed_updates WHERE update_id = $1", update_id)
    return found is not None


async def _is_inactive(conn: Queryable, user_id: int) -> bool:
    found = await conn.fetchval("SELECT inactive FROM users WHERE user_id = $1", user_id)
    return bool(found)


def _sqlite_shape(row: dict[str, Any]) -> dict[str, Any]:
    """A row as the SQLite store exports it (the outbox's seq is bookkeeping, not data)."""
    row.pop("seq", None)
    return row
