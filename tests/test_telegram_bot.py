"""The whole bot through the real python-telegram-bot Application and the fake Bot API server."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.config import Secret, Settings
from bot.telegram.app import parts, start_for_tests, stop_for_tests
from tests.fake_telegram import FakeTelegram, sample_png

Application = Any


def settings_for(fake: FakeTelegram, db: Path) -> Settings:
    """Settings pointing the bot at the fake server and a real SQLite file."""
    return Settings(
        telegram_bot_token=Secret(fake.token),
        telegram_api_url=fake.base_url,
        telegram_file_url=fake.file_url,
        database_path=db,
    )


@pytest.fixture
async def bot_app(fake_telegram: FakeTelegram, tmp_path: Path) -> AsyncIterator[Application]:
    app = await start_for_tests(settings_for(fake_telegram, tmp_path / "pathways.db"))
    try:
        yield app
    finally:
        await stop_for_tests(app)


async def texts_until(fake: FakeTelegram, chat_id: int, needle: str, timeout: float = 8) -> str:
    """Every text the bot sent the chat, once one of them contains `needle`."""

    def joined() -> str:
        return "\n".join((m.text or m.caption or "") for m in fake.messages(chat_id))

    await fake.wait_for(lambda: needle.lower() in joined().lower(), timeout=timeout)
    return joined()


async def said_times(fake: FakeTelegram, chat_id: int, needle: str, times: int) -> None:
    """Wait until exactly `times` of the bot's messages in the chat contain `needle`."""
    await fake.wait_for(
        lambda: sum(needle in (m.text or "") for m in fake.messages(chat_id)) == times
    )


def newest_button(fake: FakeTelegram, user: Any, label: str) -> tuple[Any, str] | None:
    """The newest message with a button whose label starts with `label`, and that label."""
    for message in reversed(fake.messages(user.id)):
        for button_label in message.labels:
            if button_label.lower().startswith(label.lower()):
                return message, button_label
    return None


async def tap(fake: FakeTelegram, user: Any, label: str) -> None:
    """Tap the newest button whose label starts with `label`."""
    found = newest_button(fake, user, label)
    if found is None:
        raise AssertionError(f"no button {label!r}")
    await user.press(*found)


async def test_a_whole_journey_from_start_to_plan_with_taps_and_typing(
    fake_telegram: FakeTelegram, bot_app: Application
) -> None:
    fake = fake_telegram
    ann = fake.user(first_name="Ann")
    await ann.command("/start")
    await texts_until(fake, ann.id, "highest school")
    await ann.send("ged")
    await texts_until(fake, ann.id, "How easy is English")
    await tap(fake, ann, "OK")
    await texts_until(fake, ann.id, "How do you use computers")
    await ann.send("wat pays mor then 20 dolars an hr?")
    said = await texts_until(fake, ann.id, "Back to where we were")
    assert "welder" in said.lower()
    await ann.send("word and excel")
    await texts_until(fake, ann.id, "What work have you done")
    await ann.send("retail and some computer stuff")
    await texts_until(fake, ann.id, "What kind of work")
    await ann.send("computers")
    await texts_until(fake, ann.id, "18 or older")
    for answer, question in [
        ("yes", "need help with"),
        ("no help needed", "job right away"),
        ("no", "hours a week"),
        ("15", "Which pathway"),
    ]:
        await ann.send(answer)
        await texts_until(fake, ann.id, question)
    await tap(fake, ann, "Choose IT")
    await tap_when(fake, ann, "Yes, set my goals")
    await texts_until(fake, ann.id, "long-term goal")
    await tap(fake, ann, "Step 4")
    await texts_until(fake, ann.id, "Does this plan look OK")
    files = [m for m in fake.messages(ann.id) if m.file is not None]
    photos = [m for m in files if m.file is not None and m.file.data.startswith(b"\x89PNG")]
    calendars = [m for m in files if m.file is not None and b"BEGIN:VCALENDAR" in m.file.data]
    assert len(photos) == 1 and len(calendars) == 1
    assert photos[0].caption and "step 2 of 5" in photos[0].caption
    assert len(photos[0].caption) <= 1024
    await tap(fake, ann, "Looks good")
    await tap_when(fake, ann, "Every 2 weeks")
    await tap_when(fake, ann, "Evening")
    said = await texts_until(fake, ann.id, "I will check in every 2 weeks")
    store = parts(bot_app).store
    state = await store.load_state(ann.id)
    assert state is not None and state.pathway_id == "it" and state.cadence_days == 14
    assert [c.command for c in fake.commands("default")][:2] == ["start", "progress"]


async def tap_when(fake: FakeTelegram, user: Any, label: str, timeout: float = 8) -> None:
    """Wait for a button with this label, then tap it."""

    await fake.wait_for(lambda: newest_button(fake, user, label) is not None, timeout=timeout)
    await tap(fake, user, label)


async def test_non_text_edits_and_groups_get_kind_answers_and_change_nothing(
    fake_telegram: FakeTelegram, bot_app: Application
) -> None:
    fake = fake_telegram
    bo = fake.user(first_name="Bo")
    await bo.command("/start")
    await texts_until(fake, bo.id, "highest school")
    sent = await bo.send("ged")
    await texts_until(fake, bo.id, "How easy is English")
    before = await parts(bot_app).store.load_state(bo.id)
    await bo.send_photo(sample_png(32, 32), caption=None)
    await texts_until(fake, bo.id, "I can read text and button taps")
    await bo.edit(sent, "no diploma")
    await bo.send_sticker()
    await texts_until(fake, bo.id, "not pictures")
    after = await parts(bot_app).store.load_state(bo.id)
    assert before is not None and after is not None
    assert after.answers == before.answers and after.pending == before.pending
    group = fake.group("Job club")
    await bo.send("/start", chat=group)
    await fake.wait_for(lambda: bool(fake.messages(group.id)), timeout=5)
    assert "private chat" in (fake.messages(group.id)[-1].text or "")


async def test_a_stale_or_forged_button_gets_moved_on(
    fake_telegram: FakeTelegram, bot_app: Application
) -> None:
    fake = fake_telegram
    cy = fake.user(first_name="Cy")
    await cy.command("/start")
    await texts_until(fake, cy.id, "highest school")
    first = fake.messages(cy.id)[-1]
    old_data = first.buttons[0].callback_data
    await cy.press(first, first.buttons[1].callback_data)
    await texts_until(fake, cy.id, "How easy is English")
    # A client that still shows the old keyboard (or a forger) sends button data by hand.
    fake.state.new_query(cy.person, first, old_data)
    await texts_until(fake, cy.id, "from an earlier question")
    for forged in ("9999:../../etc/passwd", "garbage", "1:" + "x" * 62):
        fake.state.new_query(cy.person, first, forged)
    await fake.idle(quiet=0.5)
    state = await parts(bot_app).store.load_state(cy.id)
    assert state is not None and state.answers == {"school": "high_school"}


async def test_fifty_rapid_messages_are_answered_in_order(
    fake_telegram: FakeTelegram, bot_app: Application
) -> None:
    fake = fake_telegram
    parts(bot_app).delivery.pacer.interval = 0.05  # order is tested here; pacing in test_pacing
    dee = fake.user(first_name="Dee")
    await dee.command("/start")
    await texts_until(fake, dee.id, "highest school")
    for n in range(50):
        await dee.send(f"what is step {n % 5 + 1}")
    await fake.wait_for(
        lambda: sum("Back to where" in (m.text or "") for m in fake.messages(dee.id)) >= 50,
        timeout=60,
    )
    said = [m.text or "" for m in fake.messages(dee.id)]
    # each answer, with "Back to where we were" in it or (when both do not fit one screen) before it
    answers = [
        t if any(c.isdigit() for c in t) else said[i - 1]
        for i, t in enumerate(said)
        if "Back to where" in t
    ]
    steps = [next(int(c) for c in t if c.isdigit()) for t in answers]
    assert steps == [n % 5 + 1 for n in range(50)]


async def test_many_users_at_once_all_get_their_first_question(
    fake_telegram: FakeTelegram, bot_app: Application
) -> None:
    fake = fake_telegram
    users = [fake.user(first_name=f"U{i}") for i in range(200)]
    await asyncio.gather(*(u.command("/start") for u in users))
    await fake.wait_for(
        lambda: all(
            any("highest school" in (m.text or "") for m in fake.messages(u.id)) for u in users
        ),
        timeout=60,
    )


async def test_hostile_text_is_answered_kindly_and_stored_safely(
    fake_telegram: FakeTelegram, bot_app: Application, tmp_path: Path
) -> None:
    fake = fake_telegram
    eve = fake.user(first_name="Eve")
    await eve.command("/start")
    await texts_until(fake, eve.id, "highest school")
    for text in ["Robert'); DELETE FROM users;--", "%s %(x)s {0}", "x" * 4096, "\u202e\u200b😀"]:
        await eve.send(text)
    await fake.idle(quiet=0.5)
    said = "\n".join(m.text or "" for m in fake.messages(eve.id))
    assert "did not get that" in said.lower() or "long message" in said.lower()
    state = await parts(bot_app).store.load_state(eve.id)
    assert state is not None and state.pending == "q:school"
    with sqlite3.connect(tmp_path / "pathways.db") as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert db.execute("SELECT count(*) FROM users").fetchone() == (1,)


async def test_no_token_in_any_log_line(
    fake_telegram: FakeTelegram, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from bot.log import setup_logging

    setup_logging("DEBUG", [fake_telegram.token])
    caplog.set_level(logging.DEBUG)
    app = await start_for_tests(settings_for(fake_telegram, tmp_path / "p.db"))
    try:
        fin = fake_telegram.user(first_name="Fin")
        await fin.command("/start")
        await texts_until(fake_telegram, fin.id, "highest school")
    finally:
        await stop_for_tests(app)
    assert caplog.records
    assert all(fake_telegram.token not in r.getMessage() for r in caplog.records)
    assert fake_telegram.token not in caplog.text


async def test_blocking_the_bot_marks_the_user_inactive_at_once_and_start_brings_them_back(
    fake_telegram: FakeTelegram, bot_app: Application
) -> None:
    fake = fake_telegram
    kim = fake.user(first_name="Kim")
    await kim.command("/start")
    await texts_until(fake, kim.id, "highest school")
    store = parts(bot_app).store

    async def inactive() -> int:
        rows = await store.read("SELECT inactive FROM users WHERE user_id = ?", (kim.id,))
        return int(rows[0][0])

    fake.block(kim.id)  # no message is sent to Kim after this: the update alone tells the bot
    for _ in range(100):
        if await inactive():
            break
        await asyncio.sleep(0.05)
    assert await inactive() == 1
    fake.unblock(kim.id)
    await kim.command("/start")
    await said_times(fake, kim.id, "highest school", 2)
    assert await inactive() == 0
