"""Copy an existing SQLite database into an empty PostgreSQL one (`python -m bot migrate-db`).

The SQLite file is first brought to the newest schema (the bot's own migrations), then every
table is copied as it is, ids included, in ONE PostgreSQL transaction: a copy that fails
half-way leaves the target empty. Afterwards the id counters continue after the copied ids,
and unsent messages keep their order. The source is only read; stop the bot first.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from bot.storage import StoreError, is_postgres, sqlite_path

TABLES = (
    "users",
    "answers",
    "milestones",
    "processed_updates",
    "dead_letters",
    "outbox",
    "checkins",
    "handoffs",
    "referral_codes",
    "meta",
)
"""Every table of the schema, parents before children (foreign keys hold at every row)."""


@dataclass(frozen=True, slots=True)
class Copied:
    """How many rows each table got."""

    rows: dict[str, int]

    def summary(self) -> str:
        """One line per table."""
        return "\n".join(f"{table}: {count} rows" for table, count in self.rows.items())


async def copy_database(source: str, target: str) -> Copied:
    """Copy the SQLite database at `source` into the empty PostgreSQL database at `target`."""
    from bot.storage.postgres import PgStore
    from bot.storage.sqlite import Store

    if is_postgres(source) or not is_postgres(target):
        raise StoreError("copy from a sqlite:/// database to a postgresql:// one")
    path = sqlite_path(source)
    if not path.is_file():
        raise StoreError(f"no SQLite database at {path}")
    await (await Store.open(path)).close()  # up to the newest schema, WAL checkpointed
    tables = _read_sqlite(path)
    store = await PgStore.open(target)
    try:
        counts = await store.import_rows(tables)
    finally:
        await store.close()
    return Copied(counts)


def _read_sqlite(path: Path) -> dict[str, tuple[list[str], list[tuple[object, ...]]]]:
    """Every table's column names and rows, from one read snapshot."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, isolation_level=None)
    try:
        conn.execute("BEGIN")
        found = {}
        for table in TABLES:
            cursor = conn.execute(f"SELECT * FROM {table}")
            columns = [d[0] for d in cursor.description]
            found[table] = (columns, [tuple(r) for r in cursor.fetchall()])
        conn.execute("COMMIT")
    finally:
        conn.close()
    return found
