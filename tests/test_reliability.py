"""Nothing lost, nothing corrupted, through the real Application and the fake Bot API: stale
buttons and double taps, a database that refuses writes, poison and unreadable updates, a
forged callback chat, and the polling error log."""

from __future__ import annotations

import asyncio
import json
import logging
import sqlite3
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiosqlite
import pytest

from bot.service import Service
from bot.storage import OutboxRow
from bot.storage.sqlite import Store
from bot.telegram import polling
from bot.telegram.app import COULD_NOT_SAVE, parts, start_for_tests, stop_for_tests
from tests.bot_process import SCRIPT, Conversation, converse, stored_answers
from tests.fake_telegram import FakeTelegram, Message
from tests.test_telegram_bot import settings_for, texts_until

Application = Any
STALE = "from an earlier question"


@pytest.fixture
async def bot_app(
    fake_telegram: FakeTelegram, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Application]:
    monkeypatch.setattr(polling, "BACKOFF", (0.05, 0.2))  # retries sooner than in production
    app = await start_for_tests(settings_for(fake_telegram, tmp_path / "pathways.db"))
    parts(app).delivery.pacer.interval = 0.05  # pacing is tested in test_pacing
    try:
        yield app
    finally:
        await stop_for_tests(app)


def with_button(fake: FakeTelegram, chat_id: int, label: str) -> Message:
    """The newest bot message in the chat with a button of this label."""
    for message in reversed(fake.messages(chat_id)):
        if label in message.labels:
            return message
    raise AssertionError(f"no message with a button {label!r}")


async def answers_of(app: Application, user_id: int) -> dict[str, Any]:
    state = await parts(app).store.load_state(user_id)
    assert state is not None
    return dict(state.answers)


# ---- 1. stale buttons and double taps -------------------------------------------------------


async def test_a_button_from_an_earlier_question_answers_nothing(
    fake_telegram: FakeTelegram, bot_app: Application, tmp_path: Path
) -> None:
    fake = fake_telegram
    ann = fake.user(first_name="Ann")
    await converse(fake, ann, Conversation(ann.id), SCRIPT[:7])  # ... "yes": "need help with"
    first = with_button(fake, ann.id, "No high school diploma")  # the very first question
    before = await answers_of(bot_app, ann.id)
    count = len(fake.messages(ann.id))
    await ann.press(first, "No high school diploma")
    said = await texts_until(fake, ann.id, STALE)
    assert "need help with" in said.split(STALE)[-1]  # ... and the current question again
    assert await answers_of(bot_app, ann.id) == before  # nothing stored, support still open
    assert "support" not in before
    assert len(fake.messages(ann.id)) == count + 1
    assert stored_answers(tmp_path / "pathways.db")[ann.id] == [t for t, _ in SCRIPT[:7]]


async def test_a_double_tap_is_handled_once(
    fake_telegram: FakeTelegram, bot_app: Application
) -> None:
    fake = fake_telegram
    bo = fake.user(first_name="Bo")
    await converse(fake, bo, Conversation(bo.id), SCRIPT[:6])  # ... "computers": "18 or older"
    age = with_button(fake, bo.id, "Yes")
    data = age.button("Yes").callback_data
    assert data is not None
    fake.state.new_query(bo.person, age, data)  # two taps before the keyboard goes away
    fake.state.new_query(bo.person, age, data)
    await texts_until(fake, bo.id, STALE)
    answers = await answers_of(bot_app, bo.id)
    assert answers.get("age") == "yes" and "lifting" not in answers


async def test_the_current_question_shown_again_keeps_working_buttons(
    fake_telegram: FakeTelegram, bot_app: Application
) -> None:
    fake = fake_telegram
    cy = fake.user(first_name="Cy")
    await converse(fake, cy, Conversation(cy.id), SCRIPT[:1])  # the school question
    asked = with_button(fake, cy.id, "High school or GED")
    await cy.send("what pays more than $20 an hour?")  # a free question re-asks it below
    await texts_until(fake, cy.id, "Back to where we were")
    await cy.press(asked, "High school or GED")  # the button of the first copy still counts
    await texts_until(fake, cy.id, "How easy is English")
    assert (await answers_of(bot_app, cy.id)).get("school") == "high_school"


async def test_a_change_button_on_an_older_message_reopens_its_question(
    fake_telegram: FakeTelegram, bot_app: Application
) -> None:
    fake = fake_telegram
    di = fake.user(first_name="Di")
    await converse(fake, di, Conversation(di.id), SCRIPT[:3])  # school, English: on computers
    said_back = next(m for m in fake.messages(di.id) if "High school or GED." in m.text)
    change = next(label for label in said_back.labels if "Change" in label)
    count = len(fake.messages(di.id))
    await di.press(said_back, change)
    for _ in range(160):  # the reply to the tap
        if len(fake.messages(di.id)) > count:
            break
        await asyncio.sleep(0.05)
    reopened = fake.messages(di.id)[-1]
    assert STALE not in reopened.text and "highest school" in reopened.text
    await di.press(reopened, "No high school diploma")
    await texts_until(fake, di.id, "No high school diploma.")  # said back, as changed
    assert (await answers_of(bot_app, di.id)).get("school") == "none"


# ---- 2. a turn that cannot be saved ---------------------------------------------------------


FULL_DISK_TEXT = "é" * 3000
"""6,000 bytes: more than a page, so saving it needs pages the full file cannot get."""


async def refuse_writes(app: Application, how: str | None) -> None:
    """The database refuses writes from now on, or (None) takes them again: "full" caps the
    file at its size (PRAGMA max_page_count, after VACUUM empties the free list: SQLite's
    "database or disk is full"), "read-only" refuses every write (PRAGMA query_only)."""
    store = parts(app).store
    assert isinstance(store, Store)

    async def apply(conn: aiosqlite.Connection) -> None:
        if how == "full":
            await conn.execute("VACUUM")
            pages = next(iter(await conn.execute_fetchall("PRAGMA page_count")))[0]
            await conn.execute(f"PRAGMA max_page_count = {pages}")
        elif how == "read-only":
            await conn.execute("PRAGMA query_only = ON")
        else:
            await conn.execute("PRAGMA query_only = OFF")
            await conn.execute("PRAGMA max_page_count = 4294967294")

    await store._on_writer(apply)


@pytest.mark.parametrize("how", ["full", "read-only"])
async def test_a_turn_that_cannot_be_saved_is_not_confirmed_and_comes_back(
    fake_telegram: FakeTelegram, bot_app: Application, tmp_path: Path, how: str
) -> None:
    fake, db = fake_telegram, tmp_path / "pathways.db"
    dee = fake.user(first_name="Dee")
    await converse(fake, dee, Conversation(dee.id), SCRIPT[:1])
    await refuse_writes(bot_app, how)
    text = FULL_DISK_TEXT if how == "full" else "ged"
    await dee.send(text)
    await texts_until(fake, dee.id, COULD_NOT_SAVE)
    await asyncio.sleep(1.0)  # several retries while the database refuses
    assert fake.pending_updates == 1  # never confirmed to Telegram
    said = [m.text for m in fake.messages(dee.id)]
    assert said.count(COULD_NOT_SAVE) == 1  # told once, not at every retry
    await refuse_writes(bot_app, None)  # space freed
    await fake.wait_for(lambda: fake.pending_updates == 0)
    await fake.wait_for(lambda: len(fake.messages(dee.id)) == 3)  # the answer to it came
    assert stored_answers(db)[dee.id] == ["/start", text]


# ---- 3. poison and unreadable updates -------------------------------------------------------


async def test_a_poison_update_goes_to_dead_letters_once_and_the_chat_goes_on(
    fake_telegram: FakeTelegram,
    bot_app: Application,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    fake, db = fake_telegram, tmp_path / "pathways.db"
    real_turn = Service.turn

    async def turn(self: Service, user_id: int, chat_id: int, event: Any, **kw: Any) -> Any:
        if getattr(event, "text", "") == "boom today":
            raise RuntimeError("a bug")
        return await real_turn(self, user_id, chat_id, event, **kw)

    monkeypatch.setattr(Service, "turn", turn)
    eve = fake.user(id=7_123_456_789, first_name="Evelyn")
    await converse(fake, eve, Conversation(eve.id), SCRIPT[:1])
    caplog.set_level(logging.INFO)
    await eve.send("boom today")
    await converse(fake, eve, Conversation(eve.id), SCRIPT[1:2])  # answered, after the poison
    await fake.wait_for(lambda: fake.pending_updates == 0)
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT reason, failures, raw_json FROM dead_letters").fetchall()
    assert len(rows) == 1
    reason, failures, raw = rows[0]
    assert failures == polling.POISON_AFTER and "RuntimeError" in reason
    assert "boom" not in raw and "Evelyn" not in raw and str(eve.id) not in raw
    assert json.loads(raw)["message"]["text"] == "<text, 10 characters>"
    given_up = [r for r in caplog.records if "given up on" in r.getMessage()]
    assert len(given_up) == 1
    assert sum(r.exc_info is not None for r in caplog.records) == 1  # one traceback, not three


async def test_an_update_ptb_cannot_read_is_dead_lettered_and_polling_goes_on(
    fake_telegram: FakeTelegram,
    bot_app: Application,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    fake, db = fake_telegram, tmp_path / "pathways.db"
    caplog.set_level(logging.DEBUG)
    fay, gus = fake.user(first_name="Fay"), fake.user(first_name="Gus")
    polls_before = fake.stats.requests["getUpdates"]
    update_id = await fay.send_unreadable()
    await converse(fake, gus, Conversation(gus.id), SCRIPT[:2])  # others still answered
    await converse(fake, fay, Conversation(fay.id), SCRIPT[:1])  # and Fay too
    await fake.wait_for(lambda: fake.pending_updates == 0)
    assert fake.stats.requests["getUpdates"] - polls_before < 30  # no tight loop
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT update_id, reason FROM dead_letters").fetchall()
    assert rows == [(update_id, "unreadable (TypeError)")]
    assert not [r for r in caplog.records if r.levelno >= logging.CRITICAL]
    said = [r.getMessage() for r in caplog.records if str(update_id) in r.getMessage()]
    assert sum("given up on" in line for line in said) == 1


# ---- 10. the chat of a tapped button --------------------------------------------------------


async def test_a_button_naming_another_chat_answers_nobody_there(
    fake_telegram: FakeTelegram, bot_app: Application
) -> None:
    fake = fake_telegram
    hal, ivy = fake.user(first_name="Hal"), fake.user(first_name="Ivy")
    await converse(fake, hal, Conversation(hal.id), SCRIPT[:1])
    await converse(fake, ivy, Conversation(ivy.id), SCRIPT[:1])
    ivys = with_button(fake, ivy.id, "High school or GED")
    data = ivys.button("High school or GED").callback_data
    assert data is not None
    fake.state.new_query(hal.person, ivys, data)  # Hal's tap, on a message of Ivy's chat
    await fake.idle(quiet=0.5)
    assert len(fake.messages(ivy.id)) == 1 and len(fake.messages(hal.id)) == 1
    assert await parts(bot_app).store.chat_id(hal.id) == hal.id
    assert "school" not in await answers_of(bot_app, hal.id)


# ---- 12. smaller: polling errors, groups, edits, empty messages -----------------------------


async def test_a_polling_conflict_is_one_line_without_a_traceback(
    fake_telegram: FakeTelegram, bot_app: Application, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    fake_telegram.faults.fail_next(1, status=409, methods="getUpdates")
    jo = fake_telegram.user(first_name="Jo")
    await converse(fake_telegram, jo, Conversation(jo.id), SCRIPT[:1])
    lines = [r for r in caplog.records if "polling failed" in r.getMessage()]
    assert len(lines) == 1 and lines[0].exc_info is None
    assert not [r for r in caplog.records if "update None" in r.getMessage()]


async def test_group_chatter_is_left_alone_and_only_commands_and_mentions_answered(
    fake_telegram: FakeTelegram, bot_app: Application
) -> None:
    fake = fake_telegram
    kim = fake.user(first_name="Kim")
    group = fake.group("Job club")
    await kim.send("anyone going to the fair?", chat=group)
    await kim.send("hey @pathways_test_bot how does this work", chat=group)
    await kim.send("/start", chat=group)
    await fake.wait_for(lambda: len(fake.messages(group.id)) == 2)
    await fake.idle(quiet=0.3)
    assert all("private chat" in (m.text or "") for m in fake.messages(group.id))
    assert len(fake.messages(group.id)) == 2


async def test_an_edit_is_answered_with_how_to_correct_and_empty_messages_get_nothing(
    fake_telegram: FakeTelegram, bot_app: Application
) -> None:
    fake = fake_telegram
    lee = fake.user(first_name="Lee")
    await converse(fake, lee, Conversation(lee.id), SCRIPT[:1])
    sent = await lee.send("ged")
    await texts_until(fake, lee.id, "How easy is English")
    await lee.edit(sent, "no diploma")
    await texts_until(fake, lee.id, "send it again")
    assert (await answers_of(bot_app, lee.id)).get("school") == "high_school"
    noted = await parts(bot_app).store.read(
        "SELECT user_id FROM outbox WHERE payload_json LIKE '%send it again%'"
    )
    assert noted == [(lee.id,)]  # so that /forget deletes it too
    count = len(fake.messages(lee.id))
    await lee.send("   ")
    fake.state.push(
        "message",
        {**sent.to_json(), "message_id": 99, "pinned_message": sent.to_json()} | {"text": None},
        lee.id,
    )
    await fake.idle(quiet=0.5)
    assert len(fake.messages(lee.id)) == count  # no "I can't read pictures" for either


async def test_buttons_carry_the_version_of_the_turn_that_asked_even_when_sent_late(
    fake_telegram: FakeTelegram, bot_app: Application
) -> None:
    fake = fake_telegram
    mo = fake.user(first_name="Mo")
    await converse(fake, mo, Conversation(mo.id), SCRIPT[:2])  # versions 1 and 2
    store = parts(bot_app).store
    key = (await store.read("SELECT dedup_key FROM outbox WHERE user_id = ?", (mo.id,)))[0][0]
    asked_first = OutboxRow(1, mo.id, mo.id, {"text": "x"}, key, datetime.now(UTC))
    # Sent now, behind a backlog, the first question's buttons still say version 1, not the
    # user's current 2: a tap on them is seen as stale.
    assert await parts(bot_app).delivery._version(asked_first) == 1
