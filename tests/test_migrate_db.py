"""`python -m bot migrate-db`: an existing SQLite database copied into PostgreSQL, whole."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.storage.copy import TABLES
from bot.storage.postgres import PgStore
from bot.storage.sqlite import Store
from dialogs.state import (
    DialogState,
    Effect,
    ForgetUser,
    Reply,
    RequestHandoff,
    ScheduleCheckin,
    Turn,
)

T0 = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
ROOT = Path(__file__).resolve().parent.parent
COUNSELORS = (-100,)


async def turn(
    store: Store | PgStore, uid: int, version: int, text: str, *effects: Effect, update: int
) -> None:
    await store.commit_turn(
        user_id=uid,
        chat_id=uid,
        turn=Turn(DialogState(version=version, referral="fair"), (Reply(text),), effects),
        update_id=update,
        user_text=f"typed {version}",
        now=T0 + timedelta(minutes=version),
        counselor_chats=COUNSELORS,
    )


async def seed(path: Path) -> None:
    """Ten users with history, check-ins, a handoff, sent and unsent messages; one forgotten."""
    store = await Store.open(path)
    for uid in range(1, 11):
        await turn(
            store, uid, 1, f"hello {uid}", ScheduleCheckin(T0 + timedelta(days=uid)), update=uid
        )
        await turn(store, uid, 2, f"next {uid}", update=100 + uid)
    await turn(store, 3, 3, "a person will write", RequestHandoff("wants help"), update=300)
    await turn(store, 9, 3, "bye", ForgetUser(), update=900)
    for row in (await store.pending_outbox())[:5]:
        await store.mark_sent(row.id, 5000 + row.id, T0 + timedelta(hours=1))
    await store.add_referral_code("fair", "Job fair", created_by=1, now=T0)
    await store.secret_key("export")
    await store.dead_letter(4242, "handler kept failing", '{"update_id": 4242}', 3, T0)
    await store.close()


def migrate(source: str, target: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", "migrate-db", "--from", source, "--to", target],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


async def test_a_sqlite_database_moves_to_postgresql_whole(tmp_path: Path, pg_url: str) -> None:
    path = tmp_path / "old.db"
    await seed(path)
    done = migrate(f"sqlite:///{path}", pg_url)
    assert done.returncode == 0, done.stderr
    assert "users: 9 rows" in done.stdout and "outbox: " in done.stdout

    old, new = await Store.open(path), await PgStore.open(pg_url)
    assert await new.user_ids() == await old.user_ids() == [1, 2, 3, 4, 5, 6, 7, 8, 10]
    for uid in await old.user_ids():
        assert await new.export_user(uid) == await old.export_user(uid), uid
        assert await new.load_state(uid) == await old.load_state(uid)
    unsent = [(r.id, r.chat_id, r.reply) for r in await old.pending_outbox()]
    assert [(r.id, r.chat_id, r.reply) for r in await new.pending_outbox()] == unsent
    assert await new.handoff(1) == await old.handoff(1) and (await new.handoff(1)) is not None
    assert await new.referral_name("fair") == "Job fair"
    assert await new.secret_key("export") == await old.secret_key("export")
    assert await new.is_processed(105) and await new.is_processed(900)
    assert await new.is_processed(4242)  # a dead letter stays handled
    assert await new.read("SELECT reason FROM dead_letters") == [("handler kept failing",)]
    due = T0 + timedelta(days=30)
    assert [c.user_id for c in await new.claim_due_checkins(due, 100)] == [
        c.user_id for c in await old.claim_due_checkins(due, 100)
    ]
    assert await new.integrity_check() == "ok"

    # The bot goes on on PostgreSQL: new rows get new ids, after the copied ones, in order.
    last = max(r.id for r in await old.pending_outbox())
    await turn(new, 11, 1, "new here", update=1100)
    fresh = await new.pending_outbox(after=(await new.pending_outbox())[-2].cursor)
    assert [r.reply.text for r in fresh] == ["new here"] and fresh[0].id > last
    await old.close()
    await new.close()

    again = migrate(f"sqlite:///{path}", pg_url)  # never on top of data
    assert again.returncode == 1 and "not empty" in again.stderr


def test_migrate_db_names_what_it_needs(tmp_path: Path) -> None:
    missing = migrate(f"sqlite:///{tmp_path / 'none.db'}", "postgresql://nobody@/x?host=/nowhere")
    assert missing.returncode == 1 and "no SQLite database" in missing.stderr
    backwards = migrate("postgresql://a@/b", f"sqlite:///{tmp_path / 'x.db'}")
    assert backwards.returncode == 1 and "sqlite:///" in backwards.stderr


async def test_the_copy_covers_every_table_of_the_schema(tmp_path: Path) -> None:
    store = await Store.open(tmp_path / "schema.db")
    rows = await store.read(
        "SELECT name FROM sqlite_master WHERE type = 'table'"
        " AND name NOT IN ('schema_version', 'sqlite_sequence')"
    )
    await store.close()
    assert {name for (name,) in rows} == set(TABLES)  # a new table needs adding to TABLES
