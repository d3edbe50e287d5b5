"""Shared pytest fixtures: the fake Telegram Bot API server, a throwaway PostgreSQL server."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from tests.fake_telegram import FakeTelegram
from tests.postgres import PgServer, start_server


@pytest.fixture
async def fake_telegram() -> AsyncIterator[FakeTelegram]:
    """A started fake Bot API server on a free 127.0.0.1 port, stopped after the test."""
    fake = FakeTelegram()
    await fake.start()
    try:
        yield fake
    finally:
        await fake.stop()


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    """One throwaway PostgreSQL server for the whole run (skipped where none is installed)."""
    started = start_server()
    if isinstance(started, str):
        pytest.skip(started)
    try:
        yield started
    finally:
        started.stop()


@pytest.fixture
def pg_url(pg_server: PgServer) -> str:
    """The URL of a fresh, empty PostgreSQL database."""
    return pg_server.new_database()
