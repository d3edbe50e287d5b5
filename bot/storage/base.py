"""What every storage backend offers: the operations, the values they return, the errors.

A backend (`bot.storage.sqlite`, `bot.storage.postgres`) implements `Storage`; the rest of the
bot sees only this module's names and `bot.storage.open_store(url)`. The operations are the
few a turn, the check-in sweeper, delivery, handoffs and the figures need, each atomic.
(aiogram's `fsm/storage` has the same shape: one small abstract interface, a backend per
engine, one test suite run against each.)
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Any, Protocol

from dialogs.state import DialogState, Milestone, Reply, Turn

Params = Sequence[Any]
Row = tuple[Any, ...]


class StoreError(Exception):
    """The database cannot be used as it is (bad migrations, newer schema, misuse)."""


class DatabaseDamaged(StoreError):
    """The database file is damaged, empty where a database was expected, or not SQLite."""


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
    seq: int | None = None
    """The row's place in commit order where that differs from `id` (PostgreSQL)."""

    @property
    def cursor(self) -> int:
        """Where a reader of the outbox is once it has read this row (`pending_outbox(after=)`).
        SQLite's ids are commit order already (one writer); PostgreSQL numbers rows in the
        order they were committed, which its ids (taken before commit) are not."""
        return self.id if self.seq is None else self.seq

    @property
    def reply(self) -> Reply:
        """The payload as a Reply."""
        return Reply.from_dict(self.payload)


@dataclass(frozen=True, slots=True)
class Handoff:
    """A participant's request for a person: its number, who asked, and whether it is open."""

    case: int
    user_id: int
    chat_id: int
    status: str

    @property
    def is_open(self) -> bool:
        """True until the counselor hands the user back (or the user goes back to the bot)."""
        return self.status == "open"


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
    """One forward schema step: bot/storage/migrations/<engine>/NNNN_name.sql."""

    version: int
    name: str
    sql: str


# ---- migrations -----------------------------------------------------------------------------

MIGRATION_FILE = re.compile(r"^(\d{4})_([A-Za-z0-9_]+)\.sql$")


def load_migrations(
    source: Traversable | None = None, *, engine: str = "sqlite"
) -> tuple[Migration, ...]:
    """The migrations in a folder (default: bot/storage/migrations/<engine>), checked 1..N."""
    folder = source if source is not None else resources.files(f"bot.storage.migrations.{engine}")
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


def to_epoch(moment: datetime) -> int:
    """A timezone-aware datetime as UTC epoch seconds (naive datetimes are refused)."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"naive datetime {moment.isoformat()}: pass an aware (UTC) datetime")
    return int(moment.timestamp())


def from_epoch(seconds: int) -> datetime:
    """UTC epoch seconds as an aware datetime."""
    return datetime.fromtimestamp(seconds, UTC)


class TurnSession(Protocol):
    """What `Service.turn` does while it holds a user (see `Storage.user_turn`)."""

    async def is_processed(self, update_id: int) -> bool:
        """True when this Telegram update was already committed."""
        ...

    async def load_state(self, user_id: int) -> DialogState | None:
        """The user's saved dialog state, or None for someone new (or forgotten)."""
        ...

    async def is_inactive(self, user_id: int) -> bool:
        """Whether the user is flagged inactive (they had blocked the bot)."""
        ...

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
        """Save a turn in ONE transaction: state, history, outbox, effects, update id."""
        ...


class OutboxClaim(Protocol):
    """One outbox row as a sender found it when it asked to send it (`Storage.claim_outbox`).

    `state` is "mine" (send it now: no other sender sends it while the claim lasts), "busy"
    (another sender is sending it right now: ask again later, and keep the chat waiting so
    its order holds) or "done" (sent or dropped meanwhile: skip it)."""

    state: str

    async def mark_sent(self, telegram_message_id: int | None, now: datetime) -> None:
        """Record the delivery, in the claim (committed as the claim ends)."""
        ...


@dataclass(slots=True)
class PlainClaim:
    """The claim of a backend with one sender by construction (SQLite: one process owns the
    file): every row it offers is the sender's; marking it is `mark_sent`."""

    store: Storage
    outbox_id: int
    state: str = "mine"

    async def mark_sent(self, telegram_message_id: int | None, now: datetime) -> None:
        """Record the delivery."""
        await self.store.mark_sent(self.outbox_id, telegram_message_id, now)


class Storage(TurnSession, Protocol):
    """The bot's storage. Every operation is atomic; times are aware datetimes (UTC)."""

    dialect: str
    """'sqlite' or 'postgresql': the SQL dialect `read` speaks."""

    def user_turn(self, user_id: int) -> AbstractAsyncContextManager[TurnSession]:
        """Hold one user for a turn: load, handle and commit happen under it, so two
        processes never run the same user's turns at once (PostgreSQL: an advisory lock in
        the turn's transaction; SQLite: one process owns the file, so a no-op)."""
        ...

    async def close(self) -> None:
        """Finish what is in flight and close (twice is harmless)."""
        ...

    async def schema_version(self) -> int:
        """The highest migration applied."""
        ...

    async def user_ids(self) -> list[int]:
        """Every stored user id, ascending."""
        ...

    async def count_users(self, *, include_inactive: bool = True) -> int:
        """How many users are stored."""
        ...

    async def chat_id(self, user_id: int) -> int | None:
        """The private chat of a stored user."""
        ...

    async def read(self, sql: str, params: Params = ()) -> list[Row]:
        """Rows of a read-only query (SELECT or WITH) with `?` placeholders, for figures."""
        ...

    async def pending_outbox(self, limit: int = 1000, after: int = 0) -> list[OutboxRow]:
        """Unsent messages in commit order, only those past the cursor `after`."""
        ...

    async def pending_checkins(self, user_id: int) -> list[CheckinRow]:
        """The user's live (pending or claimed) check-ins."""
        ...

    async def export_user(self, user_id: int) -> dict[str, Any]:
        """Everything stored about one user, JSON-ready (for /mydata)."""
        ...

    async def integrity_check(self) -> str:
        """'ok' when the database is sound, else what is wrong."""
        ...

    async def enqueue(
        self,
        chat_id: int,
        reply: Reply,
        *,
        now: datetime,
        user_id: int | None = None,
        dedup_key: str | None = None,
    ) -> OutboxRow | None:
        """Queue one message outside a turn; None if the key exists."""
        ...

    async def mark_sent(
        self, outbox_id: int, telegram_message_id: int | None, now: datetime
    ) -> None:
        """Record that a message was delivered."""
        ...

    def claim_outbox(self, outbox_id: int) -> AbstractAsyncContextManager[OutboxClaim]:
        """Hold one unsent row while it is sent: the sender sends it only if the claim's
        state is "mine", marks it sent through the claim right after Telegram took it, and
        the claim ends (commits) at once."""
        ...

    async def mark_failed(self, outbox_id: int, error: str) -> None:
        """Count a failed send attempt."""
        ...

    async def drop_outbox(self, outbox_id: int, error: str, now: datetime) -> None:
        """Give up on a message for good."""
        ...

    async def mark_inactive(self, user_id: int, now: datetime) -> None:
        """The user blocked the bot: flag them, cancel their check-ins, drop unsent messages."""
        ...

    async def claim_due_checkins(self, now: datetime, limit: int) -> list[CheckinRow]:
        """Claim up to `limit` pending check-ins due by `now`, oldest first; each once."""
        ...

    async def release_claim(self, checkin_id: int) -> None:
        """Put a claimed check-in back to pending."""
        ...

    async def release_stale_claims(self, older_than: datetime) -> int:
        """Claims made before `older_than` go back to pending."""
        ...

    async def handoff(self, case: int) -> Handoff | None:
        """The handoff with this number."""
        ...

    async def handoff_for_message(self, chat_id: int, message_id: int) -> Handoff | None:
        """The handoff a message in a counselor chat was about."""
        ...

    async def open_handoffs(self) -> list[Handoff]:
        """Every open handoff, oldest first."""
        ...

    async def secret_key(self, name: str) -> bytes:
        """A random 32-byte key kept in the database under `name`."""
        ...

    async def add_referral_code(
        self, code: str, name: str, *, created_by: int | None, now: datetime
    ) -> bool:
        """Create a referral code; False when the code is already taken."""
        ...

    async def referral_name(self, code: str) -> str | None:
        """The name behind a referral code."""
        ...

    async def dead_letter(
        self, update_id: int, reason: str, raw_json: str, failures: int, now: datetime
    ) -> bool:
        """Give up on an update: keep its (redacted) JSON in dead_letters and mark it handled,
        so it is confirmed to Telegram and never run again. False if it was already there."""
        ...

    async def silent_users(
        self, silent_since: datetime, told_before: datetime, limit: int = 500
    ) -> tuple[list[tuple[int, int]], list[int]]:
        """For retention: (user, chat) of those silent since `silent_since` and not told yet,
        and the users told before `told_before` who have not written since."""
        ...

    async def retention_notice(
        self, user_id: int, chat_id: int, reply: Reply, now: datetime
    ) -> None:
        """Note that the user was told their data will go, and queue the notice, together."""
        ...

    async def delete_user(self, user_id: int) -> None:
        """Delete everything about a user (retention; /forget goes through a turn)."""
        ...

    async def prune(self, now: datetime) -> int:
        """Forget processed update ids older than a day."""
        ...


async def silent_users(
    store: Reader, silent_since: datetime, told_before: datetime, limit: int
) -> tuple[list[tuple[int, int]], list[int]]:
    """For retention, on either backend: (user, chat) of those silent since `silent_since` and
    not told yet, and the users told before `told_before` who have not written since."""
    seen = "COALESCE(last_seen, created_at)"
    to_tell = await store.read(
        f"SELECT user_id, chat_id FROM users WHERE {seen} < ? AND (retention_notice_at IS"
        f" NULL OR retention_notice_at < {seen}) ORDER BY user_id LIMIT ?",
        (to_epoch(silent_since), limit),
    )
    to_delete = await store.read(
        f"SELECT user_id FROM users WHERE retention_notice_at >= {seen}"
        " AND retention_notice_at < ? ORDER BY user_id LIMIT ?",
        (to_epoch(told_before), limit),
    )
    return [(int(u), int(c)) for u, c in to_tell], [int(r[0]) for r in to_delete]


# ---- what both backends share: constants, row decoding, the reads through `read` ------------

PROCESSED_KEEP_SECONDS = 24 * 3600
"""Telegram keeps an unconfirmed update for 24 hours; older update ids cannot come back."""
PRUNE_EVERY_SECONDS = 3600
MAX_ERROR_CHARS = 1000
USER_TABLES = {
    "answers": "id",
    "milestones": "position",
    "checkins": "id",
    "handoffs": "id",
    "outbox": "id",
}
"""Tables with a user_id column besides users, and their order (for /forget and /mydata)."""
OUTBOX_COLUMNS = (
    "id, user_id, chat_id, payload_json, dedup_key, created_at, sent_at, "
    "telegram_message_id, attempts, last_error"
)
"""An outbox row as `outbox_row` reads it (PostgreSQL adds `, seq`)."""
CHECKIN_COLUMNS = (
    "c.id, c.user_id, u.chat_id, c.due_at, c.kind, c.milestone_id, c.attempt, c.status, "
    "c.claimed_at, c.claims"
)
HANDOFF_COLUMNS = "h.id, h.user_id, u.chat_id, h.status"
TIME_COLUMNS = re.compile(r"(_at|^at|^last_seen|_since)$")


def maybe_time(seconds: int | None) -> datetime | None:
    """Epoch seconds (or NULL) as an aware datetime."""
    return None if seconds is None else from_epoch(seconds)


def utc_epoch(moment: datetime) -> int:
    """Engine-made times are UTC by contract (ScheduleCheckin.due); a naive one is read as UTC."""
    return to_epoch(moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC))


def iso(day: Any) -> str | None:
    """A date as ISO text (None stays None)."""
    return None if day is None else str(day.isoformat())


def signature(milestones: tuple[Milestone, ...]) -> str:
    """A short fingerprint of the plan's milestones (to skip rewriting unchanged rows)."""
    return hashlib.blake2b(repr(milestones).encode(), digest_size=8).hexdigest()


def outbox_row(r: Row | Any) -> OutboxRow:
    """An OUTBOX_COLUMNS row (with PostgreSQL's seq as an 11th column)."""
    return OutboxRow(
        id=int(r[0]),
        user_id=r[1],
        chat_id=r[2],
        payload=json.loads(r[3]),
        dedup_key=r[4],
        created_at=from_epoch(r[5]),
        sent_at=maybe_time(r[6]),
        telegram_message_id=r[7],
        attempts=r[8],
        last_error=r[9],
        seq=r[10] if len(r) > 10 else None,
    )


def checkin_row(r: Row | Any, *, claimed_at: int | None = None) -> CheckinRow:
    """A CHECKIN_COLUMNS row; with `claimed_at`, as it is after this claim (read just before)."""
    claimed = claimed_at is not None
    return CheckinRow(
        id=int(r[0]),
        user_id=int(r[1]),
        chat_id=int(r[2]),
        due_at=from_epoch(r[3]),
        kind=r[4],
        milestone_id=r[5],
        attempt=r[6],
        status="claimed" if claimed else r[7],
        claimed_at=maybe_time(claimed_at if claimed else r[8]),
        claims=r[9] + (1 if claimed else 0),
    )


def handoff_row(r: Row) -> Handoff:
    """A HANDOFF_COLUMNS row."""
    return Handoff(int(r[0]), int(r[1]), int(r[2]), str(r[3]))


def jsonable(row: dict[str, Any]) -> dict[str, Any]:
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


def plain(text: str | None) -> str | None:
    """Text for a TEXT column: PostgreSQL cannot hold U+0000, so it becomes U+FFFD there
    (the state JSON keeps it, escaped as \\u0000, and reads back exactly)."""
    if text is None or "\x00" not in text:
        return text
    return text.replace("\x00", "\ufffd")


def user_values(
    state: DialogState,
    *,
    user_id: int,
    chat_id: int,
    state_json: str,
    milestones_sig: str,
    at: int,
    dialect: str,
) -> tuple[Any, ...]:
    """The users row of a turn (UPSERT_USER's first 19 values, in both dialects): the state
    JSON and its denormalised columns; on PostgreSQL, text through `plain` and no NULL
    referral."""
    pending, referral = state.pending, state.referral
    if dialect == "postgresql":
        pending, referral = plain(pending), plain(referral) or ""
    return (
        user_id,
        chat_id,
        state_json,
        state.version,
        str(state.phase),
        str(state.status),
        pending,
        state.pathway_id,
        state.entry_step,
        referral,
        state.cadence_days,
        len(state.milestones),
        sum(1 for m in state.milestones if m.done),
        iso(state.started_on),
        iso(state.plan_made_on),
        None if state.last_seen is None else utc_epoch(state.last_seen),
        milestones_sig,
        at,
        at,
    )


def milestone_values(user_id: int, milestones: Sequence[Milestone]) -> list[tuple[Any, ...]]:
    """The milestones rows of a plan, in order."""
    return [
        (user_id, i, m.id, m.title, m.step, m.target.isoformat(), iso(m.done_on))
        for i, m in enumerate(milestones)
    ]


class Reader(Protocol):
    """Anything with `read` (a SELECT with `?` placeholders)."""

    async def read(self, sql: str, params: Params = ()) -> list[Row]:
        """Rows of a read-only query."""
        ...


class SharedReads:
    """The operations both backends answer with one SELECT through their `read` (`?`
    placeholders; PostgreSQL's `read` makes them its own): written once, here."""

    async def read(self, sql: str, params: Params = ()) -> list[Row]:
        """Rows of a read-only query (each backend's own)."""
        raise NotImplementedError

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

    async def referral_name(self, code: str) -> str | None:
        """The name behind a referral code, or None for an unknown code."""
        rows = await self.read("SELECT name FROM referral_codes WHERE code = ?", (code,))
        return str(rows[0][0]) if rows else None

    async def handoff(self, case: int) -> Handoff | None:
        """The handoff with this number (None if there is none, e.g. the user was forgotten)."""
        rows = await self.read(
            f"SELECT {HANDOFF_COLUMNS} FROM handoffs h JOIN users u USING (user_id) WHERE h.id = ?",
            (case,),
        )
        return handoff_row(rows[0]) if rows else None

    async def handoff_for_message(self, chat_id: int, message_id: int) -> Handoff | None:
        """The handoff a message in a counselor chat was about (to answer by replying to it)."""
        rows = await self.read(
            f"SELECT {HANDOFF_COLUMNS} FROM outbox o JOIN handoffs h ON h.id = o.handoff_id"
            " JOIN users u ON u.user_id = h.user_id"
            " WHERE o.chat_id = ? AND o.telegram_message_id = ?",
            (chat_id, message_id),
        )
        return handoff_row(rows[0]) if rows else None

    async def open_handoffs(self) -> list[Handoff]:
        """Every open handoff, oldest first."""
        rows = await self.read(
            f"SELECT {HANDOFF_COLUMNS} FROM handoffs h JOIN users u USING (user_id)"
            " WHERE h.status = 'open' ORDER BY h.id"
        )
        return [handoff_row(r) for r in rows]

    async def silent_users(
        self, silent_since: datetime, told_before: datetime, limit: int = 500
    ) -> tuple[list[tuple[int, int]], list[int]]:
        """For retention: (user, chat) of those silent since `silent_since` and not told yet,
        and the users told before `told_before` who have not written since."""
        return await silent_users(self, silent_since, told_before, limit)
