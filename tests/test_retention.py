"""Retention and /privacy: participants silent for RETENTION_MONTHS get a notice, then are
deleted if still silent; writing back keeps them; /privacy says what is kept and links the
agency's policy."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.agency.privacy import privacy_text
from bot.config import Settings
from bot.scheduling.retention import GRACE, Retention
from bot.service import Service
from bot.storage import Storage
from bot.storage.postgres import PgStore
from bot.storage.sqlite import Store
from dialogs.state import Command, Text
from tests.fake_telegram import FakeTelegram
from tests.test_store import BACKENDS
from tests.test_telegram_bot import settings_for, texts_until

T0 = datetime(2026, 1, 5, 15, 0, tzinfo=UTC)


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.mark.parametrize("backend", BACKENDS)
async def test_the_silent_are_told_then_deleted_and_writing_back_keeps_them(
    tmp_path: Path, request: pytest.FixtureRequest, backend: str
) -> None:
    clock = Clock(T0)
    store: Storage = (
        await PgStore.open(request.getfixturevalue("pg_url"))
        if backend == "postgresql"
        else await Store.open(tmp_path / "pathways.db")
    )
    try:
        service = Service(store, clock=clock)
        for user in (1, 2, 3):
            await service.turn(user, user, Command("start"))
        clock.now = T0 + timedelta(days=60)
        await service.turn(3, 3, Text("ged"))  # user 3 is not silent
        retention = Retention(store, 3, clock=clock)
        assert await retention.sweep() == (0, 0)  # nobody silent for 3 months yet
        clock.now = T0 + timedelta(days=95)
        assert await retention.sweep() == (2, 0)  # users 1 and 2 are told
        notices = await store.read(
            "SELECT user_id FROM outbox WHERE payload_json LIKE '%delete your answers%'"
        )
        assert sorted(r[0] for r in notices) == [1, 2]
        assert await retention.sweep() == (0, 0)  # told once
        clock.now += timedelta(days=1)
        await service.turn(2, 2, Text("ged"))  # user 2 writes back
        clock.now += GRACE
        assert await retention.sweep() == (0, 1)  # only user 1 goes
        assert await store.user_ids() == [2, 3]
        assert await store.read("SELECT count(*) FROM outbox WHERE user_id = 1") == [(0,)]
    finally:
        await store.close()


def test_privacy_says_what_is_kept_how_long_who_sees_it_and_links_the_policy() -> None:
    plain = privacy_text(Settings())
    assert "/mydata" in plain and "/forget" in plain and "counselor" in plain
    assert "months" not in plain and "http" not in plain
    agency = privacy_text(Settings(privacy_url="https://agency.example.org/p", retention_months=6))
    assert "6 months" in agency and "https://agency.example.org/p" in agency


async def test_privacy_answers_in_telegram_and_is_in_the_menu(
    fake_telegram: FakeTelegram, tmp_path: Path
) -> None:
    from bot.telegram.app import start_for_tests, stop_for_tests

    app = await start_for_tests(settings_for(fake_telegram, tmp_path / "pathways.db"))
    try:
        ann = fake_telegram.user()
        await ann.command("/privacy")
        said = await texts_until(fake_telegram, ann.id, "How I keep your data")
        assert "/forget" in said
        assert "privacy" in [c.command for c in fake_telegram.commands("default")]
    finally:
        await stop_for_tests(app)


async def test_privacy_in_the_terminal_chat(tmp_path: Path) -> None:
    import io

    from bot.console import Console

    store = await Store.open(tmp_path / "pathways.db")
    out = io.StringIO()
    try:
        settings = Settings(database_path=tmp_path / "pathways.db")
        await Console(store, settings, 1, out=out).run(io.StringIO("/privacy\n"))
    finally:
        await store.close()
    assert "How I keep your data" in out.getvalue()
