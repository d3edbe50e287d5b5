"""Storage: one interface (`Storage`), two backends, chosen by the database URL.

``sqlite:///pathways.db`` (the default: one file, no set-up, one bot process) or
``postgresql://user:password@host/dbname`` (several bot workers on one database). The rest of
the bot imports from here only; `bot.storage.base` says what every backend does.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlsplit

from bot.storage.base import (
    CheckinRow,
    Handoff,
    Migration,
    OutboxRow,
    Params,
    Row,
    StaleStateError,
    Storage,
    StoreError,
    TurnSession,
    from_epoch,
    load_migrations,
    to_epoch,
)

__all__ = [
    "CheckinRow",
    "Handoff",
    "Migration",
    "OutboxRow",
    "Params",
    "Row",
    "StaleStateError",
    "Storage",
    "StoreError",
    "TurnSession",
    "from_epoch",
    "is_postgres",
    "load_migrations",
    "open_store",
    "sqlite_path",
    "to_epoch",
]

SQLITE = "sqlite://"
POSTGRES_SCHEMES = ("postgresql", "postgres")


def is_postgres(url: str) -> bool:
    """True for a ``postgresql://`` (or ``postgres://``) URL."""
    return urlsplit(url).scheme in POSTGRES_SCHEMES


def sqlite_path(url: str) -> Path:
    """The file of a ``sqlite:///relative/path`` or ``sqlite:////absolute/path`` URL
    (a plain path, without a scheme, is taken as it is)."""
    if "://" not in url:
        return Path(url)
    parts = urlsplit(url)
    if parts.scheme != "sqlite" or parts.netloc or not parts.path.startswith("/"):
        raise StoreError("a SQLite URL looks like sqlite:///pathways.db")
    path = unquote(parts.path[1:])
    if not path:
        raise StoreError("the SQLite URL names no file: sqlite:///pathways.db")
    return Path(path)


async def open_store(url: str | Path) -> Storage:
    """Open the database a URL names (creating and migrating it as needed)."""
    text = str(url)
    if is_postgres(text):
        from bot.storage.postgres import PgStore

        return await PgStore.open(text)
    from bot.storage.sqlite import Store

    return await Store.open(sqlite_path(text))
