"""The faults a real deployment meets, through the real Application and the fake Bot API:
429 flood waits, 5xx answers, a user who blocked the bot, and the Bot API gone for a while."""

from __future__ import annotations

import asyncio
import itertools
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.telegram.app import parts, start_for_tests, stop_for_tests
from tests.bot_process import SCRIPT, Conversation, converse, delivery_report, stored_answers
from tests.fake_telegram import FakeTelegram, FloodLimits
from tests.test_telegram_bot import settings_for

Application = Any
OUTAGE_SECONDS = 10.0


@pytest.fixture
async def bot_app(fake_telegram: FakeTelegram, tmp_path: Path) -> AsyncIterator[Application]:
    app = await start_for_tests(settings_for(fake_telegram, tmp_path / "pathways.db"))
    parts(app).delivery.backoff = (0.05, 0.5)  # retries after 5xx sooner than in production
    try:
        yield app
    finally:
        await stop_for_tests(app)


def statuses(fake: FakeTelegram, chat_id: int, method: str = "sendMessage") -> list[int]:
    """The HTTP status of each call of `method` to one chat, in order."""
    calls = fake.calls_to(method)
    return [c.status for c in calls if str(c.params.get("chat_id")) == str(chat_id)]


def two_429_in_a_row(codes: list[int]) -> bool:
    """Whether a 429 was followed by another 429 (retry_after ignored)."""
    return any(a == b == 429 for a, b in itertools.pairwise(codes))


async def test_429_retry_after_is_waited_out_and_every_reply_arrives_once(
    fake_telegram: FakeTelegram, bot_app: Application, tmp_path: Path
) -> None:
    fake = fake_telegram
    fake.time_scale = 10  # retry_after 1 s of the fake's clock lasts 0.1 s
    fake.flood.enable(FloodLimits(per_chat_per_second=1, chat_burst=1))
    ann = fake.user(first_name="Ann")
    await converse(fake, ann, Conversation(ann.id), SCRIPT[:1])
    for n in range(6):
        await ann.send(f"what is step {n % 5 + 1}")
    await fake.wait_for(
        lambda: sum("Back to where" in (m.text or "") for m in fake.messages(ann.id)) == 6, 20
    )
    await parts(bot_app).delivery.idle()
    codes = statuses(fake, ann.id)
    assert fake.stats.flood_429_by_chat[ann.id] >= 1, codes  # the limit was reached ...
    assert not two_429_in_a_row(codes), codes  # ... and each retry_after was waited out
    report = delivery_report(fake, tmp_path / "pathways.db")
    assert report.lost == [] and report.duplicates == 0 and report.unsent == 0, report


async def test_a_run_of_429s_longer_than_the_rate_limiter_retries_still_delivers_once(
    fake_telegram: FakeTelegram, bot_app: Application, tmp_path: Path
) -> None:
    fake = fake_telegram
    fake.faults.rate_limit_next(5, retry_after=0.2, methods="sendMessage")
    ann = fake.user(first_name="Ann")
    await converse(fake, ann, Conversation(ann.id), SCRIPT[:2], timeout=10)
    await parts(bot_app).delivery.idle()
    assert statuses(fake, ann.id) == [429] * 5 + [200, 200]
    report = delivery_report(fake, tmp_path / "pathways.db")
    assert report.lost == [] and report.duplicates == 0 and report.unsent == 0, report


async def test_5xx_answers_are_retried_for_replies_and_for_polling(
    fake_telegram: FakeTelegram, bot_app: Application, tmp_path: Path
) -> None:
    fake = fake_telegram
    ann, bo = fake.user(first_name="Ann"), fake.user(first_name="Bo")
    fake.faults.fail_next(2, status=500, methods="sendMessage")
    fake.faults.fail_next(1, status=502, methods="sendMessage")
    await converse(fake, ann, Conversation(ann.id), SCRIPT[:2], timeout=10)
    assert statuses(fake, ann.id) == [500, 500, 502, 200, 200]
    fake.faults.fail_next(1, status=502, methods="getUpdates")
    await converse(fake, bo, Conversation(bo.id), SCRIPT[:2], timeout=10)
    assert fake.stats.injected_errors == 4
    await parts(bot_app).delivery.idle()
    report = delivery_report(fake, tmp_path / "pathways.db")
    assert report.lost == [] and report.duplicates == 0 and report.unsent == 0, report
    assert stored_answers(tmp_path / "pathways.db")[bo.id] == ["/start", "ged"]


async def test_a_message_telegram_keeps_refusing_is_dropped_and_the_chat_goes_on(
    fake_telegram: FakeTelegram, bot_app: Application, tmp_path: Path
) -> None:
    fake, db = fake_telegram, tmp_path / "pathways.db"
    fake.faults.fail_next(3, status=400, methods="sendMessage")  # 400: retrying will not help
    eve = fake.user(first_name="Eve")
    await eve.command("/start")
    await fake.wait_for(lambda: statuses(fake, eve.id).count(400) == 3, 10)
    await converse(fake, eve, Conversation(eve.id), SCRIPT[1:2], timeout=10)
    assert statuses(fake, eve.id) == [400, 400, 400, 200]
    with sqlite3.connect(db) as conn:
        first = conn.execute("SELECT sent_at, dropped_at FROM outbox ORDER BY id LIMIT 1")
        sent_at, dropped_at = first.fetchone()
    assert sent_at is None and dropped_at is not None


async def test_a_user_who_blocked_the_bot_is_marked_inactive_and_gets_nothing_more(
    fake_telegram: FakeTelegram, bot_app: Application, tmp_path: Path
) -> None:
    fake, db = fake_telegram, tmp_path / "pathways.db"
    cy, dee = fake.user(first_name="Cy"), fake.user(first_name="Dee")
    await converse(fake, cy, Conversation(cy.id), SCRIPT[:1])
    for n in range(5):  # five questions: three replies go at once, then one a second
        await cy.send(f"what is step {n + 1}")
    await fake.wait_for(lambda: len(stored_answers(db).get(cy.id, [])) == 6, 10)
    await cy.block()
    await fake.wait_for(lambda: 403 in statuses(fake, cy.id), 10)
    await converse(fake, dee, Conversation(dee.id), SCRIPT[:2])  # others still get replies
    await fake.idle(quiet=0.5)
    codes = statuses(fake, cy.id)
    assert codes[-1] == 403 and codes.count(403) == 1, codes  # nothing tried after the 403
    with sqlite3.connect(db) as conn:
        inactive = conn.execute("SELECT inactive FROM users WHERE user_id = ?", (cy.id,))
        assert inactive.fetchone() == (1,)
        unsent = conn.execute(
            "SELECT count(*) FROM outbox WHERE chat_id = ? AND sent_at IS NULL"
            " AND dropped_at IS NULL",
            (cy.id,),
        )
        assert unsent.fetchone() == (0,)
    assert await parts(bot_app).store.count_users(include_inactive=False) == 1


async def test_the_bot_api_gone_for_ten_seconds_then_polling_resumes_and_nothing_is_lost(
    fake_telegram: FakeTelegram, bot_app: Application, tmp_path: Path
) -> None:
    fake, db = fake_telegram, tmp_path / "pathways.db"
    users = [fake.user(first_name=f"U{i}") for i in range(3)]
    talks = [Conversation(u.id) for u in users]
    for user, talk in zip(users, talks, strict=True):
        await converse(fake, user, talk, SCRIPT[:1])
    await fake.stop()  # connections refused from now on
    answering = [
        asyncio.create_task(converse(fake, u, t, SCRIPT[1:4], timeout=OUTAGE_SECONDS + 30))
        for u, t in zip(users, talks, strict=True)
    ]
    await asyncio.sleep(OUTAGE_SECONDS)
    assert all(len(t.acknowledged) == 1 for t in talks)  # nobody was answered meanwhile
    await fake.start()  # the same port again
    await asyncio.gather(*answering)
    await parts(bot_app).delivery.idle()
    stored = stored_answers(db)
    assert all(stored[t.user_id] == t.sent for t in talks)
    report = delivery_report(fake, db)
    assert report.lost == [] and report.duplicates == 0 and report.unsent == 0, report
