"""Shared pytest fixtures: only the fake Telegram Bot API server lives here."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.fake_telegram import FakeTelegram


@pytest.fixture
async def fake_telegram() -> AsyncIterator[FakeTelegram]:
    """A started fake Bot API server on a free 127.0.0.1 port, stopped after the test."""
    fake = FakeTelegram()
    await fake.start()
    try:
        yield fake
    finally:
        await fake.stop()
