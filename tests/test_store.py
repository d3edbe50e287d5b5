"""The store on both backends (a real SQLite file, a real PostgreSQL database): migrations,
atomic turns, outbox, check-ins. Tests that name `Store` are about SQLite itself."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Awaitable
from contextlib import suppress
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from bot.storage import Row, Storage
from bot.storage.postgres import PgStore, to_dollar_params
from bot.storage.sqlite import (
    Migration,
    StaleStateError,
    Store,
    StoreError,
    load_migrations,
    split_statements,
)
from dialogs.state import (
    Attachment,
    CancelCheckins,
    DialogState,
    Effect,
    ForgetUser,
    Milestone,
    Option,
    Phase,
    Reply,
    RequestHandoff,
    ScheduleCheckin,
    Turn,
)

T0 = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
MIGRATIONS_DIR = (
    Path(__file__).resolve().parent.parent / "bot" / "storage" / "migrations" / "sqlite"
)


BACKENDS = ["sqlite", "postgresql"]


async def open_backend(request: pytest.FixtureRequest, tmp_path: Path) -> Storage:
    """A fresh store on the backend the test is parametrized with."""
    if request.param == "postgresql":
        return await PgStore.open(request.getfixturevalue("pg_url"))
    return await Store.open(tmp_path / "test.db")


@pytest.fixture(params=BACKENDS)
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Storage]:
    """A fresh store (a real SQLite file, or a new PostgreSQL database), closed after."""
    opened = await open_backend(request, tmp_path)
    yield opened
    await opened.close()


def make_turn(
    version: int,
    *texts: str,
    effects: tuple[Effect, ...] = (),
    **state: object,
) -> Turn:
    """A turn whose state has `version` (and any other fields), replying with `texts`."""
    new = replace(DialogState(version=version), **state)  # type: ignore[arg-type]
    return Turn(new, tuple(Reply(t) for t in texts), effects)


async def commit(
    store: Store,
    user_id: int,
    turn: Turn,
    *,
    update_id: int | None = None,
    text: str | None = "hi",
    now: datetime = T0,
    checkin_id: int | None = None,
) -> list[str]:
    """Commit a turn for a user in their private chat; the texts queued."""
    rows = await store.commit_turn(
        user_id=user_id,
        chat_id=user_id,
        turn=turn,
        update_id=update_id,
        user_text=text,
        now=now,
        checkin_id=checkin_id,
    )
    return [r.reply.text for r in rows]


async def outbox_texts(store: Store, chat_id: int | None = None) -> list[str]:
    """Texts waiting to be sent, in send order (optionally one chat's)."""
    rows = await store.pending_outbox()
    return [r.reply.text for r in rows if chat_id is None or r.chat_id == chat_id]


async def live_checkins(store: Store, user_id: int) -> list[tuple[str, datetime]]:
    """(status, due) of the user's pending or claimed check-ins."""
    return [(c.status, c.due_at) for c in await store.pending_checkins(user_id)]


async def rows_about(store: Store, user_id: int) -> dict[str, int]:
    """How many rows each table holds for a user id (or a chat id)."""
    counts = {}
    for table in ("users", "answers", "milestones", "checkins", "handoffs", "outbox"):
        rows = await store.read(
            f"SELECT COUNT(*) FROM {table} WHERE user_id = ? OR "
            + ("chat_id = ?" if table in ("users", "outbox") else "user_id = ?"),
            (user_id, user_id),
        )
        counts[table] = rows[0][0]
    return counts


# ---- migrations -----------------------------------------------------------------------------


async def test_migrations_create_every_table_and_reopening_changes_nothing(
    tmp_path: Path,
) -> None:
    path = tmp_path / "fresh.db"
    store = await Store.open(path)
    newest = len(load_migrations())
    assert await store.schema_version() == newest
    await commit(store, 1, make_turn(1, "Hello"))
    await store.close()

    again = await Store.open(path)
    assert await again.schema_version() == newest
    assert await again.read("SELECT COUNT(*) FROM schema_version") == [(newest,)]
    assert (await again.load_state(1)) == DialogState(version=1)
    assert await again.integrity_check() == "ok"
    await again.close()


async def test_journal_and_foreign_keys_are_on(tmp_path: Path) -> None:
    store = await Store.open(tmp_path / "pragmas.db")
    assert await store.read("SELECT * FROM pragma_journal_mode") == [("wal",)]
    # Per-connection settings: ask the writer's own connection (a private door, for this test).
    writer_pragmas = await store._on_writer(
        lambda conn: conn.execute_fetchall(
            "SELECT foreign_keys, synchronous FROM pragma_foreign_keys, pragma_synchronous"
        )
    )
    assert [tuple(r) for r in writer_pragmas] == [(1, 1)]  # foreign keys on; synchronous = NORMAL
    await store.close()


def write_migrations(folder: Path, extra: dict[str, str]) -> Path:
    """A migrations folder: the real ones plus `extra` files."""
    folder.mkdir()
    for real in MIGRATIONS_DIR.glob("*.sql"):
        (folder / real.name).write_text(real.read_text())
    for name, sql in extra.items():
        (folder / name).write_text(sql)
    return folder


async def test_a_database_upgrades_in_place_when_a_migration_is_added(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    old = await Store.open(path)
    await commit(old, 7, make_turn(3, "Hi", phase=Phase.GOALS), update_id=99)
    await old.close()

    current = len(load_migrations())
    later = f"{current + 1:04d}_nickname.sql"
    folder = write_migrations(
        tmp_path / "migrations",
        {
            later: "ALTER TABLE users ADD COLUMN nickname TEXT;\n"
            "UPDATE users SET nickname = 'user ' || user_id; -- a comment; with a semicolon\n"
            "CREATE INDEX users_nickname ON users (nickname);\n",
        },
    )
    new = await Store.open(path, migrations=load_migrations(folder))
    assert await new.schema_version() == current + 1
    assert await new.read("SELECT nickname FROM users") == [("user 7",)]
    state = await new.load_state(7)
    assert state is not None and state.phase is Phase.GOALS and state.version == 3
    assert await new.is_processed(99) and await outbox_texts(new) == ["Hi"]
    assert await commit(new, 7, make_turn(4, "Still works"), update_id=100) == ["Still works"]
    await new.close()

    with pytest.raises(StoreError, match="newer than this bot"):
        await Store.open(path)


async def test_a_version_1_database_from_the_first_release_upgrades(tmp_path: Path) -> None:
    path = tmp_path / "v1.db"
    v1 = await Store.open(path, migrations=load_migrations()[:1])
    await v1.close()
    plan = DialogState(
        version=9, phase=Phase.PLAN, milestones=(Milestone("m1", "GED", 2, date(2026, 9, 1)),)
    )
    with sqlite3.connect(path) as conn:  # a row as the first release wrote it
        conn.execute(
            "INSERT INTO users (user_id, chat_id, state_json, state_version, phase, status,"
            " created_at, updated_at) VALUES (7, 7, ?, 9, 'plan', 'active', 0, 0)",
            (plan.to_json(),),
        )
        conn.execute(
            "INSERT INTO checkins (user_id, due_at, kind, created_at) VALUES (7, 5, 'x', 0)"
        )
    upgraded = await Store.open(path)
    assert await upgraded.schema_version() == len(load_migrations()) > 1
    assert await upgraded.load_state(7) == plan
    nxt = replace(plan, version=10)
    await commit(upgraded, 7, Turn(nxt, (Reply("Next"),), (ScheduleCheckin(T0),)))
    assert (await upgraded.export_user(7))["milestones"][0]["title"] == "GED"
    assert await live_checkins(upgraded, 7) == [("pending", T0)]
    assert await upgraded.integrity_check() == "ok"
    await upgraded.close()


async def test_a_failing_migration_leaves_the_database_as_it_was(tmp_path: Path) -> None:
    path = tmp_path / "db.db"
    v1 = await Store.open(path)
    await commit(v1, 7, make_turn(1, "Hi"))
    await v1.close()
    current = len(load_migrations())
    broken = Migration(
        current + 1, "broken", "CREATE TABLE half (x INTEGER);\nINSERT INTO nowhere VALUES (1);"
    )
    with pytest.raises(sqlite3.OperationalError):
        await Store.open(path, migrations=(*load_migrations(), broken))
    again = await Store.open(path)
    assert await again.schema_version() == current
    assert await again.read("SELECT name FROM sqlite_master WHERE name = 'half'") == []
    assert await again.load_state(7) == DialogState(version=1)
    await again.close()


def test_migration_folder_must_be_numbered_without_gaps(tmp_path: Path) -> None:
    gap = len(load_migrations()) + 2
    folder = write_migrations(tmp_path / "m", {f"{gap:04d}_late.sql": "SELECT 1;"})
    with pytest.raises(StoreError, match="without gaps"):
        load_migrations(folder)


def test_statements_split_on_semicolons_outside_strings_and_comments() -> None:
    sql = "-- intro; still a comment\nCREATE TABLE a (x TEXT);\nINSERT INTO a VALUES ('x;y');\n"
    assert split_statements(sql) == [
        "-- intro; still a comment\nCREATE TABLE a (x TEXT);",
        "INSERT INTO a VALUES ('x;y');",
    ]


# ---- one turn, one transaction --------------------------------------------------------------


async def test_commit_turn_writes_state_history_outbox_checkin_and_update_together(
    store: Store,
) -> None:
    await commit(store, 5, make_turn(1, "Did you finish high school?", pending="school"))
    due = T0 + timedelta(days=14)
    plan = make_turn(
        2,
        "Got it: GED.",
        "How comfortable are you with computers?",
        effects=(ScheduleCheckin(due, milestone_id="m1"),),
        pending="computers",
        milestones=(Milestone("m1", "CompTIA certificate", 3, date(2027, 6, 1)),),
    )
    queued = await commit(store, 5, plan, update_id=1001, text="ged")

    assert queued == ["Got it: GED.", "How comfortable are you with computers?"]
    assert await store.load_state(5) == plan.state
    assert await outbox_texts(store, 5) == ["Did you finish high school?", *queued]
    assert await live_checkins(store, 5) == [("pending", due)]
    assert await store.is_processed(1001)
    data = await store.export_user(5)
    assert [(a["pending"], a["text"]) for a in data["answers"]] == [(None, "hi"), ("school", "ged")]
    assert data["milestones"][0]["title"] == "CompTIA certificate"
    assert data["user"]["pending"] == "computers" and data["user"]["milestones_total"] == 1


def install_failure(path: Path, trigger_sql: str) -> None:
    """Make the database itself refuse a write (a fault half-way through a transaction)."""
    with sqlite3.connect(path) as conn:
        conn.execute(trigger_sql)


async def test_a_failure_half_way_through_a_turn_leaves_nothing(tmp_path: Path) -> None:
    path = tmp_path / "atomic.db"
    store = await Store.open(path)
    before = make_turn(1, "First question", pending="q1")
    await commit(store, 5, before, update_id=1)
    install_failure(
        path,
        "CREATE TRIGGER boom BEFORE INSERT ON outbox WHEN NEW.payload_json LIKE '%BOOM%'"
        " BEGIN SELECT RAISE(ABORT, 'disk says no'); END",
    )
    bad = make_turn(
        2,
        "fine",
        "BOOM",
        effects=(ScheduleCheckin(T0 + timedelta(days=7)), RequestHandoff("needs help")),
        pending="q2",
    )
    with pytest.raises(sqlite3.IntegrityError, match="disk says no"):
        await commit(store, 5, bad, update_id=2, text="my answer")

    assert await store.load_state(5) == before.state
    assert not await store.is_processed(2)
    assert await outbox_texts(store) == ["First question"]
    assert await live_checkins(store, 5) == []
    data = await store.export_user(5)
    assert [a["text"] for a in data["answers"]] == ["hi"] and data["handoffs"] == []
    # The connection is not left inside the failed transaction: the retry goes through.
    assert await commit(store, 5, replace(bad, replies=(Reply("ok"),)), update_id=2) == ["ok"]
    assert await store.integrity_check() == "ok"
    await store.close()


async def test_a_failing_turn_does_not_undo_turns_committed_alongside(tmp_path: Path) -> None:
    path = tmp_path / "group.db"
    store = await Store.open(path)
    install_failure(
        path,
        "CREATE TRIGGER boom BEFORE INSERT ON outbox WHEN NEW.payload_json LIKE '%BOOM%'"
        " BEGIN SELECT RAISE(ABORT, 'no'); END",
    )
    turns = [
        commit(store, uid, make_turn(1, "BOOM" if uid == 3 else f"ok {uid}")) for uid in range(6)
    ]
    outcomes = await asyncio.gather(*turns, return_exceptions=True)
    assert [isinstance(o, sqlite3.IntegrityError) for o in outcomes] == [u == 3 for u in range(6)]
    assert await store.count_users() == 5 and await store.load_state(3) is None
    assert await outbox_texts(store) == [f"ok {u}" for u in range(6) if u != 3]
    await store.close()


async def round_of_turns(store: Store, *, together: bool) -> list[object]:
    """Thirty users, each set up, then one more turn of many kinds: saved together (one
    group, batched) or one by one. Returns each second-round outcome, as ids and texts."""
    plan = (Milestone("m1", "Finish step 1", 1, date(2027, 1, 1)),)
    for uid in range(1, 31):
        effects: tuple[Effect, ...] = (ScheduleCheckin(T0),) if uid % 2 else ()
        await commit(store, uid, make_turn(1, f"hello {uid}", pending="q"), update_id=uid)
        if effects:
            await commit(store, uid, make_turn(2, f"plan {uid}", effects=effects))
    claimed = {c.user_id: c.id for c in await store.claim_due_checkins(T0, 5)}
    sent = await store.pending_outbox(limit=10)
    calls: list[Awaitable[object]] = []
    for uid in range(1, 31):
        later = ScheduleCheckin(T0 + timedelta(days=uid))
        effects = (later,) if uid % 3 else (CancelCheckins(),)
        extra = {"milestones": plan} if uid % 4 == 0 else {}
        turn = make_turn(5 if uid != 6 else 0, f"next {uid}", "and?", effects=effects, **extra)
        text = None if uid % 5 == 0 else f"answer {uid}"
        calls.append(
            store.commit_turn(
                user_id=uid,
                chat_id=uid,
                turn=turn,
                update_id=1000 + uid,
                user_text=text,
                now=T0,
                checkin_id=claimed.get(uid),
            )
        )
        if uid == 9:  # the same update twice at once: handled once
            calls.append(
                store.commit_turn(
                    user_id=uid, chat_id=uid, turn=turn, update_id=1009, user_text=text, now=T0
                )
            )
    calls += [store.mark_sent(row.id, 500 + row.id, T0) for row in sent]
    if together:
        outcomes = await asyncio.gather(*calls, return_exceptions=True)
    else:
        outcomes = []
        for call in calls:
            try:
                outcomes.append(await call)
            except StaleStateError as exc:
                outcomes.append(exc)
    return [
        type(o).__name__
        if isinstance(o, Exception)
        else o
        if o is None
        else [(r.id, r.dedup_key, r.reply.text) for r in o]  # type: ignore[union-attr]
        for o in outcomes
    ]


async def dump(store: Store) -> dict[str, list[Row]]:
    """Every table's rows, without the times that are made at commit."""
    tables = {
        "users": "user_id, chat_id, state_json, state_version, phase, pending, milestones_sig,"
        " milestones_total, inactive",
        "answers": "id, user_id, at, pending, text",
        "milestones": "user_id, position, milestone_id, title, step, target",
        "checkins": "id, user_id, due_at, kind, status, attempt, claims, done_at, answered_at",
        "outbox": "id, user_id, chat_id, payload_json, sent_at, telegram_message_id",
        "processed_updates": "update_id, at",
    }
    return {
        table: await store.read(f"SELECT {columns} FROM {table} ORDER BY 1, 2")
        for table, columns in tables.items()
    }


async def test_turns_saved_together_are_saved_as_one_by_one(tmp_path: Path) -> None:
    # The batched path (one executemany per table for a group) against one call at a time.
    together = await Store.open(tmp_path / "together.db")
    alone = await Store.open(tmp_path / "alone.db")
    batched = await round_of_turns(together, together=True)
    single = await round_of_turns(alone, together=False)
    assert batched == single
    assert batched.count("StaleStateError") == 1 and [] in batched  # user 6; update 1009 again
    assert await dump(together) == await dump(alone)
    rows = await together.read("SELECT id, dedup_key FROM outbox")
    returned = {(i, k) for o in batched if isinstance(o, list) for i, k, _ in o}
    assert returned <= set(rows) and len(returned) == 58  # 29 users x 2 replies
    assert await together.integrity_check() == "ok"
    await together.close()
    await alone.close()


async def test_a_turn_older_than_the_stored_state_is_refused(store: Store) -> None:
    await commit(store, 5, make_turn(4, "newer"))
    with pytest.raises(StaleStateError):
        await commit(store, 5, make_turn(3, "stale"), update_id=8)
    assert (await store.load_state(5)) == DialogState(version=4)
    assert not await store.is_processed(8) and await outbox_texts(store) == ["newer"]


async def test_a_turn_that_keeps_the_version_still_sends_its_replies(store: Store) -> None:
    # The engine keeps the state (and its version) when it apologises for its own failure.
    await commit(store, 5, make_turn(4, "Which city?"))
    await commit(store, 5, make_turn(4, "Sorry, something went wrong.", "Which city?"))
    assert await outbox_texts(store) == [
        "Which city?",
        "Sorry, something went wrong.",
        "Which city?",
    ]


async def test_a_redelivered_update_is_ignored(store: Store) -> None:
    assert await commit(store, 5, make_turn(1, "Welcome"), update_id=77) == ["Welcome"]
    assert await commit(store, 5, make_turn(2, "Welcome again"), update_id=77) == []
    assert await store.load_state(5) == DialogState(version=1)
    assert await outbox_texts(store) == ["Welcome"]
    assert len((await store.export_user(5))["answers"]) == 1


async def test_processed_updates_are_pruned_after_a_day(store: Store) -> None:
    await commit(store, 5, make_turn(1, "a"), update_id=1, now=T0)
    await commit(store, 5, make_turn(2, "b"), update_id=2, now=T0 + timedelta(hours=2))
    assert await store.is_processed(1)
    await commit(store, 5, make_turn(3, "c"), update_id=3, now=T0 + timedelta(days=1, hours=2))
    assert not await store.is_processed(1)
    assert await store.is_processed(2) and await store.is_processed(3)


async def test_naive_times_are_refused(store: Store) -> None:
    with pytest.raises(ValueError, match="naive"):
        await commit(store, 5, make_turn(1, "x"), now=datetime(2026, 1, 1, 12, 0))


# ---- outbox ---------------------------------------------------------------------------------


async def test_outbox_keeps_each_chats_order_and_forgets_sent_rows(store: Store) -> None:
    for n in range(3):
        await commit(store, 1, make_turn(n + 1, f"to 1: {n}a", f"to 1: {n}b"))
        await commit(store, 2, make_turn(n + 1, f"to 2: {n}"))
    assert await outbox_texts(store, 1) == [f"to 1: {n}{x}" for n in range(3) for x in "ab"]
    assert await outbox_texts(store, 2) == [f"to 2: {n}" for n in range(3)]
    rows = await store.pending_outbox()
    assert [r.id for r in rows] == sorted(r.id for r in rows)
    assert len({r.dedup_key for r in rows}) == len(rows)

    await store.mark_failed(rows[0].id, "Timed out")
    await store.mark_sent(rows[1].id, 555, T0)
    pending = await store.pending_outbox(limit=2)
    assert [r.reply.text for r in pending] == ["to 1: 0a", "to 2: 0"]
    assert pending[0].attempts == 1 and pending[0].last_error == "Timed out"


async def test_replies_round_trip_with_buttons_and_attachments(store: Store) -> None:
    reply = Reply(
        "Pick one 👇",
        choices=(Option("it", "Information Technology"), Option("mfg", "Manufacturing")),
        attachment=Attachment("roadmap", "Your roadmap"),
    )
    turn = Turn(DialogState(version=1), (reply,))
    await store.commit_turn(
        user_id=3, chat_id=30, turn=turn, update_id=None, user_text=None, now=T0
    )
    (row,) = await store.pending_outbox()
    assert row.reply == reply and row.chat_id == 30 and row.dedup_key == "3:1:0"


async def test_dropped_messages_are_never_offered_again(store: Store) -> None:
    await commit(store, 1, make_turn(1, "too long", "next"))
    first = (await store.pending_outbox())[0]
    await store.drop_outbox(first.id, "Bad Request: message is too long", T0)
    assert await outbox_texts(store) == ["next"]


async def test_enqueue_outside_a_turn_is_deduplicated(store: Store) -> None:
    row = await store.enqueue(-100, Reply("New handoff"), now=T0, dedup_key="handoff:1")
    again = await store.enqueue(-100, Reply("New handoff"), now=T0, dedup_key="handoff:1")
    assert row is not None and row.chat_id == -100 and again is None
    assert await outbox_texts(store) == ["New handoff"]


# ---- forgetting and blocking ----------------------------------------------------------------


async def test_forget_deletes_every_row_about_the_user(store: Store) -> None:
    plan = make_turn(
        5,
        "Your plan",
        effects=(ScheduleCheckin(T0 + timedelta(days=7)), RequestHandoff("wants a person")),
        milestones=(Milestone("m1", "GED", 2, date(2026, 9, 1)),),
    )
    await commit(store, 5, plan, update_id=1, text="my address is 1 Main St")
    await commit(store, 6, make_turn(1, "other user"))
    sent = (await store.pending_outbox())[0]
    await store.mark_sent(sent.id, 10, T0)

    goodbye = make_turn(6, "Everything about you is deleted.", effects=(ForgetUser(),))
    assert await commit(store, 5, goodbye, update_id=2, text="/forget") == [
        "Everything about you is deleted."
    ]
    assert await store.load_state(5) is None
    assert await store.is_processed(2)
    data = await store.export_user(5)
    assert data["user"] is None and data["state"] is None
    assert all(data[t] == [] for t in ("answers", "milestones", "checkins", "handoffs", "outbox"))

    (row,) = [r for r in await store.pending_outbox() if r.chat_id == 5]
    assert row.user_id is None  # the goodbye is tied to no stored user...
    await store.mark_sent(row.id, 11, T0)
    assert await rows_about(store, 5) == dict.fromkeys(
        ("users", "answers", "milestones", "checkins", "handoffs", "outbox"), 0
    )  # ...and is gone once sent
    assert await store.load_state(6) == DialogState(version=1)
    assert await outbox_texts(store) == ["other user"]


async def test_blocked_user_is_inactive_until_they_write_again(store: Store) -> None:
    due = T0 + timedelta(days=7)
    await commit(store, 5, make_turn(1, "a", "b", effects=(ScheduleCheckin(due),)))
    await commit(store, 6, make_turn(1, "for 6"))
    await store.mark_inactive(5, T0)
    assert await live_checkins(store, 5) == []
    assert await outbox_texts(store) == ["for 6"]
    assert await store.count_users(include_inactive=False) == 1
    assert await store.claim_due_checkins(due + timedelta(days=1), 10) == []

    await commit(store, 5, make_turn(2, "Welcome back"), text="/start")
    assert await store.count_users(include_inactive=False) == 2
    assert await outbox_texts(store, 5) == ["Welcome back"]


# ---- check-ins ------------------------------------------------------------------------------


async def schedule(store: Store, user_id: int, due: datetime, version: int = 1) -> None:
    """Give a user a pending check-in at `due`."""
    await commit(store, user_id, make_turn(version, effects=(ScheduleCheckin(due),)), text=None)


async def test_due_checkins_are_claimed_oldest_first_and_only_once(store: Store) -> None:
    for user_id, hours in ((1, 3), (2, 1), (3, 2), (4, 30)):
        await schedule(store, user_id, T0 + timedelta(hours=hours))
    now = T0 + timedelta(hours=5)
    first = await store.claim_due_checkins(now, limit=2)
    assert [c.user_id for c in first] == [2, 3]
    assert all(c.status == "claimed" and c.claimed_at == now and c.claims == 1 for c in first)
    assert [c.user_id for c in await store.claim_due_checkins(now, limit=10)] == [1]
    assert await store.claim_due_checkins(now, limit=10) == []


async def test_rescheduling_replaces_the_pending_checkin(store: Store) -> None:
    await schedule(store, 1, T0 + timedelta(days=7))
    await schedule(store, 1, T0 + timedelta(days=14), version=2)
    assert await live_checkins(store, 1) == [("pending", T0 + timedelta(days=14))]
    await commit(store, 1, make_turn(3, "Paused", effects=(CancelCheckins(),)))
    assert await live_checkins(store, 1) == []


async def test_checkin_turn_completes_the_claim_and_schedules_the_next(store: Store) -> None:
    await schedule(store, 1, T0)
    (claim,) = await store.claim_due_checkins(T0, 10)
    nxt = T0 + timedelta(days=14)
    prompt = make_turn(2, "How is the course going?", effects=(ScheduleCheckin(nxt),))
    assert await commit(store, 1, prompt, text=None, checkin_id=claim.id) == [
        "How is the course going?"
    ]
    assert await live_checkins(store, 1) == [("pending", nxt)]
    # Run again (a crash before the sweeper noticed the commit): nothing more is sent.
    assert await commit(store, 1, make_turn(3, "again"), text=None, checkin_id=claim.id) == []
    assert await outbox_texts(store) == ["How is the course going?"]
    # The user's answer marks the prompt answered (for the agency's figures).
    await commit(store, 1, make_turn(3, "Great!"), text="done")
    rows = await store.read("SELECT answered_at FROM checkins WHERE id = ?", (claim.id,))
    assert rows[0][0] is not None


async def test_a_user_turn_supersedes_a_claimed_checkin(store: Store) -> None:
    await schedule(store, 1, T0)
    (claim,) = await store.claim_due_checkins(T0, 10)
    later = T0 + timedelta(days=30)
    await commit(
        store, 1, make_turn(2, "Checking in monthly now", effects=(ScheduleCheckin(later),))
    )
    assert await commit(store, 1, make_turn(3, "stale prompt"), checkin_id=claim.id) == []
    assert await outbox_texts(store) == ["Checking in monthly now"]
    assert await live_checkins(store, 1) == [("pending", later)]


async def test_stale_claims_are_released_after_a_crash(store: Store) -> None:
    await schedule(store, 1, T0)
    await store.claim_due_checkins(T0, 10)
    assert await store.release_stale_claims(T0) == 0  # not older than T0 yet
    assert await store.release_stale_claims(T0 + timedelta(minutes=10)) == 1
    (again,) = await store.claim_due_checkins(T0 + timedelta(minutes=10), 10)
    assert again.claims == 2


@pytest.mark.parametrize("backend", BACKENDS)
async def test_two_sweepers_on_one_database_never_claim_the_same_checkin(
    request: pytest.FixtureRequest, tmp_path: Path, backend: str
) -> None:
    first: Storage
    second: Storage
    if backend == "postgresql":  # two workers: two pools on one database
        url = request.getfixturevalue("pg_url")
        first, second = await PgStore.open(url), await PgStore.open(url)
    else:
        path = tmp_path / "shared.db"
        first, second = await Store.open(path), await Store.open(path)
    for user_id in range(1, 301):
        await schedule(first, user_id, T0 + timedelta(seconds=user_id))
    claimed: dict[str, list[int]] = {"first": [], "second": []}

    async def sweep(name: str, store: Store) -> None:
        while batch := await store.claim_due_checkins(T0 + timedelta(hours=1), limit=7):
            claimed[name] += [c.id for c in batch]
            await asyncio.sleep(0)

    await asyncio.gather(sweep("first", first), sweep("second", second), sweep("first", first))
    every = claimed["first"] + claimed["second"]
    assert len(every) == 300 and len(set(every)) == 300  # each claimed once, none lost
    await first.close()
    await second.close()


# ---- many users, hostile input --------------------------------------------------------------


async def test_two_hundred_users_committing_at_once_all_land(store: Store) -> None:
    async def user(uid: int) -> None:
        for version in (1, 2, 3):
            turn = make_turn(version, f"{uid}:{version}", effects=(ScheduleCheckin(T0),))
            await commit(store, uid, turn, update_id=uid * 10 + version)

    await asyncio.gather(*(user(uid) for uid in range(1, 201)))
    assert await store.count_users() == 200
    assert len(await store.pending_outbox(limit=10_000)) == 600
    assert await outbox_texts(store, 42) == ["42:1", "42:2", "42:3"]
    assert len(await store.claim_due_checkins(T0, 1000)) == 200
    assert await store.integrity_check() == "ok"


async def test_a_cancelled_commit_is_all_or_nothing_and_close_waits(tmp_path: Path) -> None:
    path = tmp_path / "cancel.db"
    store = await Store.open(path)
    task = asyncio.create_task(commit(store, 1, make_turn(1, "saved"), update_id=5))
    await asyncio.sleep(0)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    await store.close()
    again = await Store.open(path)
    saved = await again.is_processed(5)
    assert await outbox_texts(again) == (["saved"] if saved else [])
    assert (await again.load_state(1) is not None) == saved
    assert await commit(again, 1, make_turn(2, "next"), update_id=6) == ["next"]
    await again.close()


HOSTILE = [
    "Robert'); DROP TABLE users;--",
    "' OR '1'='1",
    "%s %d {0} {text} \\x00",
    "nul\x00byte\x00inside",
    "emoji 👩🏽‍🔧🛠️ and RTL ‏مرحبا‎",
    "x" * 5000,
    "line\nbreak\r\nand\ttab",
]


@pytest.mark.parametrize("text", HOSTILE)
async def test_hostile_text_is_stored_and_read_back_intact(store: Store, text: str) -> None:
    state = DialogState(version=1, pending=text).with_answer("city", text).remember("user", text)
    await commit(store, 9, Turn(state, (Reply(text, (Option("a", text),)),)), text=text)
    assert await store.load_state(9) == state
    (row,) = await store.pending_outbox()
    assert row.reply == Reply(text, (Option("a", text),))
    data = await store.export_user(9)
    # PostgreSQL's text cannot hold U+0000: its plain columns show U+FFFD (the state is exact).
    plain = text if store.dialect == "sqlite" else text.replace("\x00", "\ufffd")
    assert data["answers"][0]["text"] == plain and data["user"]["pending"] == plain
    assert await store.count_users() == 1 and await store.integrity_check() == "ok"


async def test_read_refuses_anything_but_select(store: Store) -> None:
    await commit(store, 1, make_turn(1, "hi"))
    with pytest.raises(StoreError):
        await store.read("DELETE FROM users")
    refused = sqlite3.OperationalError if store.dialect == "sqlite" else StoreError
    with pytest.raises(refused, match=r"(readonly|read-only)"):
        await store.read("WITH doomed AS (SELECT 1) DELETE FROM users")
    assert await store.count_users() == 1


async def test_referral_codes(store: Store) -> None:
    assert await store.add_referral_code("wsmaine", "Workforce Solutions", created_by=1, now=T0)
    assert not await store.add_referral_code("wsmaine", "Someone else", created_by=2, now=T0)
    assert await store.referral_name("wsmaine") == "Workforce Solutions"
    assert await store.referral_name("nope") is None


async def test_an_in_memory_store_works_the_same() -> None:
    store = await Store.open(":memory:")
    await commit(store, 1, make_turn(1, "hi"), update_id=1)
    assert await store.count_users() == 1 and await store.is_processed(1)
    assert len((await store.export_user(1))["answers"]) == 1
    await store.close()


# ---- the two backends side by side; PostgreSQL with several workers ------------------------


def test_every_sqlite_migration_has_its_postgresql_twin() -> None:
    sqlite = [(m.version, m.name) for m in load_migrations(engine="sqlite")]
    postgresql = [(m.version, m.name) for m in load_migrations(engine="postgresql")]
    assert sqlite == postgresql


async def test_postgresql_migrates_once_and_reopening_changes_nothing(pg_url: str) -> None:
    first, second = await asyncio.gather(PgStore.open(pg_url), PgStore.open(pg_url))
    newest = len(load_migrations(engine="postgresql"))
    assert await first.schema_version() == await second.schema_version() == newest
    await commit(first, 1, make_turn(1, "Hello"))
    await first.close()
    await second.close()
    again = await PgStore.open(pg_url)
    assert await again.read("SELECT COUNT(*) FROM schema_version") == [(newest,)]
    assert await again.load_state(1) == DialogState(version=1)
    assert await again.integrity_check() == "ok"
    await again.close()


async def test_a_row_one_sender_is_sending_is_never_sent_by_another(pg_url: str) -> None:
    # Two senders (the old one still holding a row as a new one takes over): the row is
    # "busy" for the second while the first holds it, "done" once the first marked it; a
    # sender that dies holding a row frees it with its connection.
    old, new = await PgStore.open(pg_url), await PgStore.open(pg_url)
    await commit(old, 1, make_turn(1, "first", "second"))
    first, second = await old.pending_outbox()
    async with old.claim_outbox(first.id) as held:
        assert held.state == "mine"
        async with new.claim_outbox(first.id) as other:
            assert other.state == "busy"
        await held.mark_sent(11, T0)
    async with new.claim_outbox(first.id) as after:
        assert after.state == "done"
    dying = old.claim_outbox(second.id)
    assert (await dying.__aenter__()).state == "mine"
    async with new.claim_outbox(second.id) as other:
        assert other.state == "busy"
    await new.read(
        "SELECT pg_terminate_backend(pid) FROM pg_locks"
        " WHERE locktype = 'transactionid' AND granted AND pid <> pg_backend_pid()"
    )
    await asyncio.sleep(0.2)
    async with new.claim_outbox(second.id) as taken:
        assert taken.state == "mine"
        await taken.mark_sent(12, T0)
    assert await new.pending_outbox() == []
    rows = await new.read("SELECT telegram_message_id FROM outbox ORDER BY id")
    assert rows == [(11,), (12,)]
    with suppress(Exception):
        await dying.__aexit__(None, None, None)
    await old.close()
    await new.close()


def test_sqlite_placeholders_become_postgresql_ones() -> None:
    assert to_dollar_params("SELECT ? , ?") == "SELECT $1 , $2"
    assert to_dollar_params("WHERE a >= ?1 AND b < ?2 OR c = ?1") == (
        "WHERE a >= $1 AND b < $2 OR c = $1"
    )
    assert to_dollar_params("SELECT 'why?', ?") == "SELECT 'why?', $1"
    assert to_dollar_params("SELECT 'it''s ?', ?") == "SELECT 'it''s ?', $1"


async def test_two_workers_never_run_one_users_turns_at_once(pg_url: str) -> None:
    a, b = await PgStore.open(pg_url), await PgStore.open(pg_url)
    await commit(a, 1, make_turn(1, "first"))
    held = a.user_turn(1)
    session = await held.__aenter__()
    loaded = await session.load_state(1)
    assert loaded is not None
    other = asyncio.create_task(commit(b, 1, make_turn(2, "other worker")))
    await asyncio.sleep(0.3)
    assert not other.done()  # worker b waits for a's turn on the same user
    await session.commit_turn(
        user_id=1, chat_id=1, turn=make_turn(2, "from a"), update_id=None, user_text="x", now=T0
    )
    await held.__aexit__(None, None, None)
    assert await other == ["other worker"]
    assert await outbox_texts(a, 1) == ["first", "from a", "other worker"]
    # b's turn was computed after a's commit: it saw version 2 and kept it, so its reply went
    # out with a unique key instead of clashing; nothing was lost or overwritten out of order.
    await a.close()
    await b.close()


async def test_one_update_delivered_to_two_workers_is_handled_once(pg_url: str) -> None:
    a, b = await PgStore.open(pg_url), await PgStore.open(pg_url)
    results = await asyncio.gather(
        commit(a, 5, make_turn(1, "once"), update_id=77),
        commit(b, 5, make_turn(1, "once"), update_id=77),
    )
    assert sorted(results) == [[], ["once"]]
    assert await outbox_texts(a) == ["once"]
    await a.close()
    await b.close()


async def test_a_late_commit_with_a_smaller_id_is_not_skipped_by_the_sender(pg_url: str) -> None:
    a, b = await PgStore.open(pg_url), await PgStore.open(pg_url)
    held = a.user_turn(1)
    session = await held.__aenter__()
    (early,) = await session.commit_turn(
        user_id=1, chat_id=1, turn=make_turn(1, "slow"), update_id=1, user_text="x", now=T0
    )  # its id is taken, its transaction still open
    await commit(b, 2, make_turn(1, "fast"), update_id=2)
    first_read = await b.pending_outbox()
    assert [r.reply.text for r in first_read] == ["fast"]
    assert first_read[0].id > early.id  # "fast" has the bigger id and was committed first
    await held.__aexit__(None, None, None)
    later = await b.pending_outbox(after=first_read[-1].cursor)
    assert [r.reply.text for r in later] == ["slow"]  # a sender at "fast" still finds it
    await a.close()
    await b.close()


async def test_postgresql_listen_wakes_on_another_workers_commit(pg_url: str) -> None:
    a, b = await PgStore.open(pg_url), await PgStore.open(pg_url)
    woken = asyncio.Event()
    async with b.listen(woken.set):
        await commit(a, 1, make_turn(1, "hello"))
        await asyncio.wait_for(woken.wait(), 10)
    await a.close()
    await b.close()


async def test_one_sender_lease_for_the_fleet_freed_when_its_holder_goes(pg_url: str) -> None:
    a, b = await PgStore.open(pg_url), await PgStore.open(pg_url)
    lease = await a.try_lease(99)
    assert lease is not None
    assert await b.try_lease(99) is None  # taken
    await lease.close()  # the holder's connection goes (as when its process is killed)
    taken_over = await b.try_lease(99)
    assert taken_over is not None
    await taken_over.close()
    await a.close()
    await b.close()
